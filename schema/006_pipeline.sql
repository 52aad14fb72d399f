-- 006_pipeline: what brokers and enterprises decide about a match after it
-- is suggested (reasons, the deal's terms), who is assigned to it, brokers'
-- notes, and proposals (揭榜).  Every decision is also an audit_log row
-- (entity 'match'), which is the match's history.

ALTER TABLE matches ADD COLUMN reason TEXT;          -- code of the last reject, decline or close
ALTER TABLE matches ADD COLUMN reason_text TEXT;     -- free text (required with 'other')
ALTER TABLE matches ADD COLUMN assigned_to INTEGER REFERENCES users(id);
ALTER TABLE matches ADD COLUMN deal_amount INTEGER;  -- yuan
ALTER TABLE matches ADD COLUMN transfer_mode TEXT;
ALTER TABLE matches ADD COLUMN statement TEXT;       -- a proposal's statement
ALTER TABLE matches ADD COLUMN proposed_by INTEGER REFERENCES users(id);
CREATE INDEX matches_assigned ON matches(assigned_to) WHERE assigned_to IS NOT NULL;

CREATE TABLE match_notes (
    id          INTEGER PRIMARY KEY,
    match_id    INTEGER NOT NULL REFERENCES matches(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX match_notes_match ON match_notes(match_id, id);
ALTER TABLE matches ADD COLUMN introduced_at TEXT;    -- when a broker moved it to in_talks: contacts shown from then on
