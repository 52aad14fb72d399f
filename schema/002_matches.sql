-- 002_matches: the matching policy (one row) and the matches between demands and
-- achievements, each with its score, the score's parts and the explanation (JSON).

CREATE TABLE policy (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    suggest_threshold   REAL NOT NULL DEFAULT 0.3 CHECK (suggest_threshold BETWEEN 0 AND 1),
    auto_approve_score  REAL CHECK (auto_approve_score IS NULL OR auto_approve_score BETWEEN 0 AND 1),
    updated_by          INTEGER REFERENCES users(id),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO policy(id) VALUES (1);

CREATE TABLE matches (
    id              INTEGER PRIMARY KEY,
    demand_id       INTEGER NOT NULL REFERENCES demands(id),
    achievement_id  INTEGER NOT NULL REFERENCES achievements(id),
    score           REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
    k               REAL NOT NULL,
    f               REAL NOT NULL,
    explanation     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'suggested' CHECK (status IN
                        ('suggested', 'withdrawn', 'approved', 'rejected', 'pushed', 'viewed',
                         'interested', 'declined', 'in_talks', 'deal', 'closed')),
    origin          TEXT NOT NULL DEFAULT 'matcher' CHECK (origin IN ('matcher', 'proposal')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (demand_id, achievement_id)
);
CREATE INDEX matches_status ON matches(status, score DESC, id);
CREATE INDEX matches_achievement ON matches(achievement_id);
