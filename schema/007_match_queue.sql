-- 007_match_queue: the listings the matcher still owes a pass.  A listing is
-- written in one transaction and matched in the next (matching.c), so a crash
-- in between would leave it stored but never matched against the listings
-- already there, or closed with its suggestions still in the review queue.
-- The server's writes enter a listing here in their own transaction; the
-- transaction that records (or withdraws) its matches takes it out; at start
-- the server matches whatever is still here.

CREATE TABLE match_queue (
    kind        TEXT NOT NULL CHECK (kind IN ('demand', 'achievement')),
    listing_id  INTEGER NOT NULL,
    PRIMARY KEY (kind, listing_id)
) WITHOUT ROWID;
