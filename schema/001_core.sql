-- 001_core: organisations, users, sessions, the field taxonomy, demands and
-- achievements with their field links and full-text indexes, and the audit log.
-- Lists (keywords, fields, modes) are stored as JSON arrays of strings; the
-- *_fields tables and the FTS5 tables are kept in step by the triggers below.

CREATE TABLE orgs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('enterprise', 'university', 'broker_agency')),
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    role          TEXT NOT NULL CHECK (role IN ('enterprise', 'university', 'broker', 'admin')),
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX users_org ON users(org_id);

-- Only a hash of each bearer token is kept; expires_at is Unix seconds.
CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- The taxonomy: level 1 = section letter (A..T), level 2 = division (A01..T97);
-- finer levels (group, class) may be loaded later with the same shape.
CREATE TABLE fields (
    code     TEXT PRIMARY KEY,
    parent   TEXT REFERENCES fields(code),
    level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE demands (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES orgs(id),
    ref                TEXT,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    keywords           TEXT NOT NULL DEFAULT '[]',
    fields             TEXT NOT NULL DEFAULT '[]',
    region             TEXT NOT NULL DEFAULT '',
    budget_min         INTEGER,
    budget_max         INTEGER,
    cooperation_modes  TEXT NOT NULL DEFAULT '[]',
    deadline           TEXT,
    contact            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max)
);
CREATE UNIQUE INDEX demands_ref ON demands(org_id, ref) WHERE ref IS NOT NULL;
CREATE INDEX demands_org ON demands(org_id, id);
CREATE INDEX demands_status ON demands(status, id);

CREATE TABLE achievements (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    ref             TEXT,
    title           TEXT NOT NULL,
    abstract        TEXT NOT NULL DEFAULT '',
    keywords        TEXT NOT NULL DEFAULT '[]',
    fields          TEXT NOT NULL DEFAULT '[]',
    trl             INTEGER CHECK (trl IS NULL OR trl BETWEEN 1 AND 9),
    ip_type         TEXT CHECK (ip_type IS NULL OR ip_type IN
                        ('invention_patent', 'utility_model', 'software_copyright', 'know_how', 'other')),
    patent_no       TEXT NOT NULL DEFAULT '',
    transfer_modes  TEXT NOT NULL DEFAULT '[]',
    price           INTEGER,
    region          TEXT NOT NULL DEFAULT '',
    contact         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX achievements_ref ON achievements(org_id, ref) WHERE ref IS NOT NULL;
CREATE INDEX achievements_org ON achievements(org_id, id);
CREATE INDEX achievements_status ON achievements(status, id);

-- Field links, for the field= filter: keyed by listing, so "does listing X have a
-- code in [prefix, prefix+1)" is one seek; the code index serves lookups by field.
CREATE TABLE demand_fields (
    demand_id  INTEGER NOT NULL REFERENCES demands(id) ON DELETE CASCADE,
    code       TEXT NOT NULL REFERENCES fields(code),
    PRIMARY KEY (demand_id, code)
) WITHOUT ROWID;
CREATE INDEX demand_fields_code ON demand_fields(code, demand_id);
CREATE TABLE achievement_fields (
    achievement_id  INTEGER NOT NULL REFERENCES achievements(id) ON DELETE CASCADE,
    code            TEXT NOT NULL REFERENCES fields(code),
    PRIMARY KEY (achievement_id, code)
) WITHOUT ROWID;
CREATE INDEX achievement_fields_code ON achievement_fields(code, achievement_id);

CREATE TRIGGER demand_fields_ai AFTER INSERT ON demands BEGIN
    INSERT INTO demand_fields(code, demand_id) SELECT DISTINCT value, new.id FROM json_each(new.fields);
END;
CREATE TRIGGER demand_fields_au AFTER UPDATE OF fields ON demands BEGIN
    DELETE FROM demand_fields WHERE demand_id = old.id;
    INSERT INTO demand_fields(code, demand_id) SELECT DISTINCT value, new.id FROM json_each(new.fields);
END;
CREATE TRIGGER achievement_fields_ai AFTER INSERT ON achievements BEGIN
    INSERT INTO achievement_fields(code, achievement_id) SELECT DISTINCT value, new.id FROM json_each(new.fields);
END;
CREATE TRIGGER achievement_fields_au AFTER UPDATE OF fields ON achievements BEGIN
    DELETE FROM achievement_fields WHERE achievement_id = old.id;
    INSERT INTO achievement_fields(code, achievement_id) SELECT DISTINCT value, new.id FROM json_each(new.fields);
END;

-- Full-text search with techmatch's own tokenizer (the matcher's, registered by
-- the store on every connection), as external-content tables over the listings.
CREATE VIRTUAL TABLE demands_fts USING fts5(
    title, description, keywords, content='demands', content_rowid='id', tokenize='techmatch');
CREATE VIRTUAL TABLE achievements_fts USING fts5(
    title, abstract, keywords, content='achievements', content_rowid='id', tokenize='techmatch');

-- Title weighs 10, keywords 5, body text 1 in the bm25 rank.
INSERT INTO demands_fts(demands_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 5.0)');
INSERT INTO achievements_fts(achievements_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 5.0)');

CREATE TRIGGER demands_fts_ai AFTER INSERT ON demands BEGIN
    INSERT INTO demands_fts(rowid, title, description, keywords)
    VALUES (new.id, new.title, new.description, new.keywords);
END;
CREATE TRIGGER demands_fts_ad AFTER DELETE ON demands BEGIN
    INSERT INTO demands_fts(demands_fts, rowid, title, description, keywords)
    VALUES ('delete', old.id, old.title, old.description, old.keywords);
END;
CREATE TRIGGER demands_fts_au AFTER UPDATE OF title, description, keywords ON demands BEGIN
    INSERT INTO demands_fts(demands_fts, rowid, title, description, keywords)
    VALUES ('delete', old.id, old.title, old.description, old.keywords);
    INSERT INTO demands_fts(rowid, title, description, keywords)
    VALUES (new.id, new.title, new.description, new.keywords);
END;
CREATE TRIGGER achievements_fts_ai AFTER INSERT ON achievements BEGIN
    INSERT INTO achievements_fts(rowid, title, abstract, keywords)
    VALUES (new.id, new.title, new.abstract, new.keywords);
END;
CREATE TRIGGER achievements_fts_ad AFTER DELETE ON achievements BEGIN
    INSERT INTO achievements_fts(achievements_fts, rowid, title, abstract, keywords)
    VALUES ('delete', old.id, old.title, old.abstract, old.keywords);
END;
CREATE TRIGGER achievements_fts_au AFTER UPDATE OF title, abstract, keywords ON achievements BEGIN
    INSERT INTO achievements_fts(achievements_fts, rowid, title, abstract, keywords)
    VALUES ('delete', old.id, old.title, old.abstract, old.keywords);
    INSERT INTO achievements_fts(rowid, title, abstract, keywords)
    VALUES (new.id, new.title, new.abstract, new.keywords);
END;

-- Who changed what.  before/after are JSON documents (or NULL).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    user_id     INTEGER REFERENCES users(id),
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id, id);
