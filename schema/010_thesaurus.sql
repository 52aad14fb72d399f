-- 010_thesaurus: the thesaurus brokers curate: pairs of terms the matcher is to
-- treat as one, a translation (激光熔覆 ≈ laser cladding) or a synonym within one
-- language.  term_a and term_b are kept as typed (trimmed); norm_a and norm_b
-- are their normalised forms (store/thesaurus.c: full-width folded, ASCII lower
-- case, white space collapsed), so that a pair is stored once whichever way
-- round and however it was cased.  Adding and deleting are audited
-- (entity 'thesaurus').

CREATE TABLE thesaurus (
    id          INTEGER PRIMARY KEY,
    term_a      TEXT NOT NULL CHECK (term_a <> ''),
    term_b      TEXT NOT NULL CHECK (term_b <> ''),
    norm_a      TEXT NOT NULL,
    norm_b      TEXT NOT NULL CHECK (norm_b <> norm_a),
    kind        TEXT NOT NULL CHECK (kind IN ('translation', 'synonym')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- One entry a pair, in either order.
CREATE UNIQUE INDEX thesaurus_pair ON thesaurus(min(norm_a, norm_b), max(norm_a, norm_b));
