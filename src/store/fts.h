/*
 * fts.h: the bridge between SQLite FTS5 and the matcher's tokenizer, private
 * to the store (src/store/; tests and benchmarks that open database files
 * themselves include it as "store/fts.h" to tokenize alike).  Registering the
 * tokenizer as "techmatch" on every connection makes search and matching
 * tokenize alike.  Both functions are thread-safe.
 */
#ifndef TM_STORE_FTS_H
#define TM_STORE_FTS_H
#include "err.h"
#include <sqlite3.h>

/* Registers the "techmatch" FTS5 tokenizer on db.  TM_ERR_DB if FTS5 is missing. */
TM_MUST_CHECK int store_fts_register(sqlite3 *db);

/*
 * Turns user search text into an FTS5 query: each word that yields at least
 * one token becomes a quoted phrase (so FTS5 syntax in the text is never
 * interpreted), and all of them must match.  Returns a malloc'd string, or
 * NULL if the text has no searchable word.
 */
char *store_fts_query(const char *q);

#endif
