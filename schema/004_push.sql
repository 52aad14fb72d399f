-- 004_push: approval of matches, what each enterprise wants to hear
-- (subscriptions), and the outbox of events it must hear about (notifications).
-- A notification row is written in the same transaction as the change that
-- causes it, so a crash never loses one; the inbox, the live stream and the
-- webhooks all read this one table.

ALTER TABLE matches ADD COLUMN reviewed_by INTEGER REFERENCES users(id);
ALTER TABLE matches ADD COLUMN reviewed_at TEXT;
ALTER TABLE matches ADD COLUMN pushed_at TEXT;

CREATE TABLE subscriptions (
    org_id      INTEGER PRIMARY KEY REFERENCES orgs(id),
    stream      INTEGER NOT NULL DEFAULT 1 CHECK (stream IN (0, 1)),
    webhook     INTEGER NOT NULL DEFAULT 1 CHECK (webhook IN (0, 1)),
    min_score   REAL NOT NULL DEFAULT 0 CHECK (min_score BETWEEN 0 AND 1),
    mode        TEXT NOT NULL DEFAULT 'realtime' CHECK (mode IN ('realtime', 'digest')),
    last_digest_at INTEGER NOT NULL DEFAULT 0,   -- Unix seconds of the last digest
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,             -- the event id: SSE id, inbox cursor
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    type        TEXT NOT NULL,                   -- match.pushed, match.digest, ...
    payload     TEXT NOT NULL,                   -- the Standard Webhooks body
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    read_at     TEXT
);
CREATE INDEX notifications_org ON notifications(org_id, id);
CREATE INDEX notifications_unread ON notifications(org_id) WHERE read_at IS NULL;
