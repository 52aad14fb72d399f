/*
 * import.h: bulk import of demands or achievements from CSV or JSON Lines,
 * shared by POST /api/{kind}/import and `techmatch import`.
 *
 * CSV: a header row of member names (as in the JSON API, plus `ref`), then
 * one listing per record; an empty cell leaves the member out; list members
 * (keywords, fields, cooperation_modes / transfer_modes) separate items with
 * ';'.  JSON Lines: one JSON object per line, blank lines skipped.
 *
 * An import is two steps: import_parse reads the file (a file that is unusable
 * as a whole is refused there, before anything is stored), and import_store
 * validates each row by listing_apply_json and stores the valid ones;
 * import_run does both.  Valid rows are stored in transactions of
 * LIM_IMPORT_BATCH rows, so that a large file never holds the store's one
 * writer for long and other writes go on between its batches; a store error
 * or a stop leaves the batches before it stored (a crash too), and importing
 * the file again is safe: a row whose `ref` matches a listing of the same
 * organisation updates it with the members the row has (the others stay), so
 * importing the same file twice creates nothing new.  Invalid rows are reported
 * with their line number and reasons.  The HTTP import job and the CLI write
 * their own reply (JSON, text) from the import_result.  Thread-safe; an
 * import_file is used by one thread at a time.
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

/* What an import is doing: storing its rows, then (listing_write_import_file) matching what it stored. */
typedef enum import_phase { IMPORT_STORING, IMPORT_MATCHING } import_phase;

/*
 * Progress after each row of a phase: done of total.  Returns 0 to go on, or
 * non-zero to stop the import at the next batch (storing) or row (matching)
 * boundary; what was stored before stays stored.
 */
typedef int (*import_progress_fn)(void *ctx, import_phase phase, size_t done, size_t total);

/* A parsed file, ready to store: its rows as JSON objects or with their errors.  Opaque. */
typedef struct import_file import_file;

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
 * file as a whole is unusable.  Fill it with import_parse and import_store,
 * import_run, or listing_write_import(_file); it owns everything it points to, so release it with
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
    size_t stored_rows;                /* import_store: rows that parsed whose batch committed (also when it
                                          failed or stopped part way); the valid ones among them are stored */
} import_result;

/*
 * Parses data[0..len) as a file of listings of kind, without storing
 * anything; the data need not outlive the call.  Fills *out (zeroed first)
 * and returns TM_OK with *file set (the caller frees it with
 * import_file_free); or TM_ERR_INVALID when the file as a whole is unusable
 * (bad CSV header, too many rows, nothing to import: out->errors says why;
 * *file is NULL).  The caller releases *out with import_result_cleanup.
 */
TM_MUST_CHECK int import_parse(listing_kind kind, import_format format, const char *data, size_t len,
                               import_file **file, import_result *out);

/* The number of rows of a parsed file (non-blank lines, invalid ones included). */
size_t import_file_rows(const import_file *f);
/* The kind of listing a parsed file holds. */
listing_kind import_file_kind(const import_file *f);
/* Frees a parsed file; f may be NULL. */
void import_file_free(import_file *f);

/*
 * Validates the rows of f against tax and stores the valid ones for org_id,
 * LIM_IMPORT_BATCH rows a write transaction; it does not match them
 * (listing_write_import_file is the use case that stores, then matches).
 * Storing takes the rows out of f: call it once.  progress (may be NULL) is
 * called with IMPORT_STORING after each row.  Fills *out (zeroed first) and
 * returns TM_OK; a store error, or TM_ERR_LIMITED when progress asked to stop
 * (*out has no rows then, and out->stored_rows tells how many of the rows
 * that parsed were processed, in file order, before it stopped).  The
 * caller releases *out with import_result_cleanup in every case.
 */
TM_MUST_CHECK int import_store(store *s, const taxonomy *tax, import_file *f, int64_t org_id, int64_t actor_user_id,
                               import_progress_fn progress, void *ctx, import_result *out);

/*
 * import_parse, then import_store: returns the status of the first that
 * fails, with *out filled as that one fills it.  The caller releases *out
 * with import_result_cleanup in every case.
 */
TM_MUST_CHECK int import_run(store *s, const taxonomy *tax, listing_kind kind, int64_t org_id,
                             int64_t actor_user_id, import_format format, const char *data,
                             size_t len, import_progress_fn progress, void *ctx, import_result *out);

/* Frees what r holds and zeroes it; r may be NULL or already clean. */
void import_result_cleanup(import_result *r);

#endif
