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
 * Thread-safe.
 */
#ifndef TM_IMPORT_H
#define TM_IMPORT_H
#include "err.h"
#include "listing.h"
#include "store.h"
#include "taxonomy.h"
#include <cjson/cJSON.h>

typedef enum import_format { IMPORT_CSV, IMPORT_JSONL } import_format;

/* Progress after each stored row: done of total. */
typedef void (*import_progress_fn)(void *ctx, size_t done, size_t total);

/*
 * Imports data[0..len).  On TM_OK, *report is
 *   {"created": n, "updated": n, "failed": n,
 *    "rows": [{"line", "status": "created"|"updated"|"invalid", "id", "ref", "errors"}]}.
 * On TM_ERR_INVALID the file as a whole is unusable (bad CSV header, too many
 * rows, nothing to import) and *report is a [{field, message}] error array.
 * Other statuses come from the store; nothing was stored then.  The caller
 * owns *report.
 */
TM_MUST_CHECK int import_run(store *s, const taxonomy *tax, listing_kind kind, int64_t org_id,
                             int64_t actor_user_id, import_format format, const char *data,
                             size_t len, import_progress_fn progress, void *ctx, cJSON **report);

#endif
