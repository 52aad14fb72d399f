/*
 * fts.h: the bridge between SQLite FTS5 and the matcher's tokenizer, private
 * to the store (src/store/; tests and benchmarks that open database files
 * themselves include it as "store/fts.h" to tokenize alike).  Registering the
 * tokenizer as "techmatch" on every connection makes search and matching
 * tokenize alike.  Every function is thread-safe.
 */
#ifndef TM_STORE_FTS_H
#define TM_STORE_FTS_H
#include "err.h"
#include "listing.h"
#include <sqlite3.h>

/* Registers the "techmatch" FTS5 tokenizer on db.  TM_ERR_DB if FTS5 is missing. */
TM_MUST_CHECK int store_fts_register(sqlite3 *db);

/*
 * Creates the fts5vocab tables FTS_VOCAB_DEMANDS and FTS_VOCAB_ACHIEVEMENTS
 * (what store_fts_plan counts words in) in db's temp schema; the store's own
 * connections call it after store_fts_register.  TM_ERR_DB if db is not a
 * database SQLite can read.
 */
TM_MUST_CHECK int store_fts_vocab_create(sqlite3 *db);

/*
 * What a search reads, bounded (issue 13: 32 common words once took 0.42 s).
 * The text is split into words at white space; a word that yields no token
 * is ignored, and one whose tokens repeat an earlier word's counts once.  Of
 * the rest, the LIM_SEARCH_TERMS rarest are kept (the fewest listings holding
 * the word's rarest token; ties go to the earlier word) and the others are
 * dropped: a rare word narrows an all-words search most, and reads the
 * fewest postings.  Each kept word becomes a quoted phrase (so FTS5 syntax in
 * the text is never interpreted), and all of them must match.
 */
typedef struct fts_plan {
    char *query;       /* the FTS5 query (malloc'd), or NULL when the text has no searchable word */
    strlist used;      /* the kept words as written, in the text's order */
    strlist dropped;   /* the words left out, in the text's order */
} fts_plan;

/* The number of listings holding token (len bytes, not terminated) into *out; a status of tm_status. */
typedef int (*fts_doc_count_fn)(void *ctx, const char *token, size_t len, int64_t *out);

/*
 * Plans a search of text q, asking doc_count how rare each token is.  Fills
 * *out (store_fts_plan_cleanup frees it, also after a failure); returns TM_OK
 * or doc_count's failure.
 */
TM_MUST_CHECK int store_fts_plan(const char *q, fts_doc_count_fn doc_count, void *ctx, fts_plan *out);
void store_fts_plan_cleanup(fts_plan *p);

/* The fts5vocab tables (per connection, in temp) that give a token's document count for each listing kind. */
#define FTS_VOCAB_DEMANDS "temp.demands_fts_vocab"
#define FTS_VOCAB_ACHIEVEMENTS "temp.achievements_fts_vocab"

#endif
