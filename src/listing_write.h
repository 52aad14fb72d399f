/*
 * listing_write.h: the writes of a listing (create, edit, close, import) as
 * use cases, one function each, for the HTTP handlers and the CLI alike.
 *
 * Each use case stores the listing, then matches it:
 *   1. one write transaction of the store: the listing, its audit row and,
 *      when the store queues matching (store_queue_matching, as the server
 *      does), its entry in the match queue;
 *   2. matching_listing_written with the listing as that store call returned
 *      it (no second read): the listing is re-indexed and its suggestions
 *      recorded (open) or withdrawn (closed), in the matcher's own
 *      transaction, which also takes it out of the match queue.
 * The status returned is the write's.  A matching failure after a successful
 * write does not undo the write: it is logged (log_error) and the listing
 * keeps its old suggestions until its next write, or until the next start
 * of a server that queues matching (matching_recover finds it in the queue).
 *
 * Validating a request's members is the caller's (listing_apply_json), except
 * for import, whose rows are validated by import_run.  Thread-safe as the
 * store and the matcher are.
 */
#ifndef TM_LISTING_WRITE_H
#define TM_LISTING_WRITE_H
#include "err.h"
#include "import.h"
#include "listing.h"
#include "matching.h"
#include "store.h"

/*
 * Stores l (its kind, org_id and validated members) as a new listing, filling
 * l->id and its timestamps, then matches it.  Returns TM_OK, TM_ERR_CONFLICT
 * when another listing of the organisation has l's ref, or a store error
 * (nothing stored or matched then).  l stays the caller's.
 */
TM_MUST_CHECK int listing_write_create(store *s, matching *m, listing *l, int64_t actor_user_id);

/*
 * Edits listing id of kind: the store reads it, runs edit on it (which may
 * refuse with any status) and stores the result, in one write transaction;
 * then the stored listing is matched.  Returns TM_OK, TM_ERR_NOT_FOUND,
 * edit's refusal, TM_ERR_CONFLICT (the ref is taken) or a store error; nothing
 * is stored or matched unless TM_OK.  On TM_OK, *out (when not NULL) receives
 * the listing as stored (caller frees).
 */
TM_MUST_CHECK int listing_write_edit(store *s, matching *m, listing_kind kind, int64_t id, int64_t actor_user_id,
                                     listing_edit_fn edit, void *ctx, listing **out);

/*
 * Closes listing id of kind on behalf of who: reads it, asks access.h whether
 * who may change it (its owner) and closes it, in one write transaction (a
 * closed listing is left as it is); then matches it, which withdraws its
 * suggestions and proposals.  Returns TM_OK, TM_ERR_NOT_FOUND,
 * TM_ERR_FORBIDDEN (who does not own it) or a store error.  On TM_OK, *out
 * (when not NULL) receives the listing as stored (caller frees).
 */
TM_MUST_CHECK int listing_write_close(store *s, matching *m, listing_kind kind, int64_t id, const principal *who,
                                      listing **out);

/*
 * Imports a parsed file f (import_parse) for org_id: import_store validates
 * and stores its valid rows (LIM_IMPORT_BATCH a transaction), then each
 * stored row's listing is matched, in file order, from the copy the import
 * kept (no read).  When m is NULL (a process without a matcher, such as
 * `techmatch import`), a matcher is opened on s once the rows are stored and
 * closed before returning; a server on the same database file picks the
 * listings up through matching_sync.  progress (may be NULL) is called with
 * IMPORT_STORING after each stored row, then with IMPORT_MATCHING after each
 * matched one; when it asks to stop while matching, the rest stay in the
 * store's match queue (matched at the next start of a server).
 *
 * Returns import_store's status, with *out filled as import_store fills it;
 * on TM_OK, out->rows[i].match_status tells whether matching row i failed,
 * and out->match_status whether the matcher could not be opened (then no row
 * was matched).  f is spent (free it with import_file_free).  The caller
 * releases *out with import_result_cleanup in every case.
 */
TM_MUST_CHECK int listing_write_import_file(store *s, matching *m, const taxonomy *tax, import_file *f,
                                            int64_t org_id, int64_t actor_user_id, import_progress_fn progress,
                                            void *ctx, import_result *out);

/*
 * Imports data[0..len) in format as listings of kind: import_parse, then
 * listing_write_import_file.  Returns the status of the first that fails,
 * with *out filled as that one fills it (TM_ERR_INVALID: the file as a whole
 * is unusable, nothing stored).  The caller releases *out with
 * import_result_cleanup in every case.
 */
TM_MUST_CHECK int listing_write_import(store *s, matching *m, const taxonomy *tax, listing_kind kind, int64_t org_id,
                                       int64_t actor_user_id, import_format format, const char *data, size_t len,
                                       import_progress_fn progress, void *ctx, import_result *out);

#endif
