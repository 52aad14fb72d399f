/*
 * import_job.h: bulk imports run as jobs, off the HTTP server's request
 * threads.  POST /api/{kind}/import parses the file (so an unusable file is
 * still refused at once, import_parse), submits it here and answers 202 with
 * the job's URL; LIM_IMPORT_WORKERS threads of this module store and match
 * the queued files one job each (listing_write_import_file), and
 * GET /api/imports/{id} reads a job's state, progress and, once done, its
 * report (the same rows and tally the import answered when it was a plain
 * request).
 *
 * Jobs live in memory, not in the store: a finished job is kept
 * LIM_IMPORT_KEEP_S seconds (at most LIM_IMPORT_KEPT of them, the oldest
 * dropped first) for its creator to read, and all jobs are lost when the
 * server stops.  That is safe because an import is idempotent by its rows'
 * refs: the rows a stopped job stored stay stored (and are matched at the
 * next start, from the store's match queue), and sending the file again
 * updates them instead of creating them twice.  Keeping reports (up to 20,000
 * rows each) out of the database spares every import a second large write.
 *
 * Ids are random integers in [1, 2^49), so an id is not reused after
 * a restart and tells nothing of other jobs.  A job is seen only by the user
 * who created it and by admins; to anyone else it does not exist.
 *
 * Thread-safety: every function may be called from any thread, except that
 * import_jobs_stop is called once, when no other call can start.
 */
#ifndef TM_IMPORT_JOB_H
#define TM_IMPORT_JOB_H
#include "err.h"
#include "import.h"
#include "matching.h"
#include "principal.h"
#include "store.h"
#include "taxonomy.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct import_jobs import_jobs;

/*
 * Starts the workers, which import into s and match with m (both must
 * outlive the jobs); at most max_jobs jobs are queued or running at once
 * (1..LIM_IMPORT_JOBS).  Returns the jobs, or NULL (logged) when a thread
 * could not start.  Stop them with import_jobs_stop.
 */
import_jobs *import_jobs_start(store *s, matching *m, const taxonomy *tax, size_t max_jobs);

/*
 * Stops: queued jobs are dropped, running ones stop at their next batch or
 * row (what they stored stays), the workers are joined and everything is
 * freed.  j may be NULL.
 */
void import_jobs_stop(import_jobs *j);

/*
 * Queues the parsed file f (its upload was bytes long) for org_id on behalf
 * of the user who sent it.  Takes f in every case.  Returns TM_OK with *id
 * and *job (the job as GET shows it; the caller deletes it); TM_ERR_LIMITED
 * when max_jobs jobs are queued or running, or their files and this one
 * would hold more than LIM_IMPORT_JOB_BYTES (nothing queued; try later).
 */
TM_MUST_CHECK int import_jobs_submit(import_jobs *j, import_file *f, size_t bytes, int64_t org_id,
                                     const principal *who, int64_t *id, cJSON **job);

/*
 * Returns TM_OK and *job, job id as its creator sees it (the caller deletes
 * it): {id, kind, state, progress {phase, done, total}, rows, created_at,
 * started_at, finished_at, report, error}; TM_ERR_NOT_FOUND when there is no
 * such job, it is no longer kept, or who is neither its creator nor an admin.
 */
TM_MUST_CHECK int import_jobs_get(import_jobs *j, int64_t id, const principal *who, cJSON **job);

#endif
