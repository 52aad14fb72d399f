/*
 * import.h: bulk import of demands or achievements from CSV or JSON Lines,
 * shared by POST /api/{kind}/import and `techmatch import`.
 *
 * CSV: a header row of member names (as in the JSON API, plus `ref`), then
 * one listing per record; an empty cell leaves the member out; list members
 * (keywords, fields, cooperation_modes / transfer_modes) separate items with
 * ';'.  JSON Lines: one JSON object per line, blank lines skipped.
 *
 * Every row is validated by listing_apply_json.  Valid rows are stored in one
 * transaction (all or none, so a crash never leaves half a file); invalid rows
 * are reported with their line number and reasons.  A row whose `ref` matches
 * a listing of the same organisation updates it with the members the row has
 * (the others stay), so importing the same file twice creates nothing new.
 * The HTTP handler and the CLI write their own reply (JSON, text) from the
 * import_result.  Thread-safe.
 */
#ifndef TM_IMPORT_H
#define TM_IMPORT_H
#include "err.h"
#include "listing.h"
#include "store.h"
#include "taxonomy.h"
#include <stddef.h>
#include <stdint.h>

typedef enum import_format { IMPORT_CSV, IMPORT_JSONL } import_format;

/* Progress after each stored row: done of total. */
typedef void (*import_progress_fn)(void *ctx, size_t done, size_t total);

/* One problem with the file or with a row. */
typedef struct import_error {
    char *field;       /* the member (or a CSV header cell, or "line 1"), or NULL for the whole row or file */
    char *message;
} import_error;

/* What became of one row of the file. */
typedef struct import_row {
    size_t line;              /* its line in the file (CSV: the record's first line) */
    import_action action;     /* IMPORT_CREATED or IMPORT_UPDATED; IMPORT_SKIPPED when it is invalid */
    int64_t id;               /* the listing it stored, 0 when it is invalid */
    char *ref;                /* its ref member as written (a string), or NULL */
    import_error *errors;     /* why it is invalid; nerrors > 0 exactly when it is skipped */
    size_t nerrors;
    /*
     * The listing the row stored, for the matcher: its id, status and
     * members as stored (the last row's version when rows share a ref); its
     * timestamps and org_name may be stale or NULL.  NULL when the row is
     * invalid.  Owned by the result.
     */
    const listing *stored;
    int match_status;         /* listing_write_import: TM_OK, or why matching this row's listing failed */
} import_row;

/*
 * The outcome of an import.  On TM_OK: one row per non-blank line, in file
 * order, and their tally.  On TM_ERR_INVALID: no rows, and errors says why the
 * file as a whole is unusable.  Fill it with import_run (or
 * listing_write_import); it owns everything it points to, so release it with
 * import_result_cleanup.  The fields are for reading.
 */
typedef struct import_result {
    import_row *rows;
    size_t nrows;
    size_t created, updated, failed;   /* rows by action; failed counts the invalid ones */
    import_error *errors;              /* the file's problems (TM_ERR_INVALID) */
    size_t nerrors;
    int match_status;                  /* listing_write_import: TM_OK, or why the matcher could not start */
    listing **stored;                  /* the distinct listings the rows point to */
    size_t nstored;
} import_result;

/*
 * Parses data[0..len) and stores its valid rows in one write transaction of
 * the store (all or none); it does not match them (listing_write_import is
 * the use case that stores, then matches).  progress (may be NULL) is called
 * after each stored row.  Fills *out (zeroed first, also on error) and returns
 * TM_OK; TM_ERR_INVALID when the file as a whole is unusable (bad CSV header,
 * too many rows, nothing to import: out->errors says why; nothing stored); or
 * a store error (nothing stored; *out has no rows).  The caller releases *out
 * with import_result_cleanup in every case.
 */
TM_MUST_CHECK int import_run(store *s, const taxonomy *tax, listing_kind kind, int64_t org_id,
                             int64_t actor_user_id, import_format format, const char *data,
                             size_t len, import_progress_fn progress, void *ctx, import_result *out);

/* Frees what r holds and zeroes it; r may be NULL or already clean. */
void import_result_cleanup(import_result *r);

#endif
