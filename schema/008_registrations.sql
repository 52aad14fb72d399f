-- 008_registrations: registrations waiting for their email to be confirmed (a
-- server started with mail, README "Configuration").  The mailed token is kept
-- only as its BLAKE2b hash and the password only as its argon2id hash, as for
-- sessions and users.  Several rows may name one email (the first confirmed
-- wins; the others then meet a taken email).  A row is deleted when its token
-- completes the registration; rows past expires_at (Unix seconds) are purged
-- by the next registration and refused meanwhile.

CREATE TABLE registrations (
    token_hash    BLOB PRIMARY KEY,
    org_name      TEXT NOT NULL,
    org_kind      TEXT NOT NULL CHECK (org_kind IN ('enterprise', 'university')),
    email         TEXT NOT NULL COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX registrations_expiry ON registrations(expires_at);
