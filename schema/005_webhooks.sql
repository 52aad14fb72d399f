-- 005_webhooks: the endpoints enterprises register, and every delivery to
-- them.  A delivery row is written in the same transaction as the
-- notification it carries (one per endpoint of the organisation), so a crash
-- loses none; the sender thread works through each endpoint's pending
-- deliveries oldest first, one at a time, so each endpoint gets them in order.

CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    secret          BLOB NOT NULL,               -- the 32-byte key of the whsec_ secret
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
    disabled_reason TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX webhooks_org ON webhooks(org_id);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    notification_id INTEGER REFERENCES notifications(id),   -- NULL for a ping
    msg_id          TEXT NOT NULL,               -- the webhook-id header, the same on every retry
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,  -- Unix milliseconds
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX deliveries_pending ON deliveries(webhook_id, id) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, id);

CREATE TABLE delivery_attempts (
    id              INTEGER PRIMARY KEY,
    delivery_id     INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    attempted_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status_code     INTEGER,                     -- NULL when no answer came
    error           TEXT,                        -- the transport error, or NULL
    duration_ms     INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);
