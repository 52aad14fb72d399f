/*
 * workpool.h: a few worker threads fed by a bounded queue, for work that must
 * not run on the HTTP server's request threads (argon2id password hashing:
 * about 150 ms of a core and 64 MiB each).  http.c runs deferred replies on
 * one (reply_deferred); nothing here knows HTTP.
 *
 * Ownership: the pool is the caller's (workpool_new, workpool_free); a job's
 * ctx stays the submitter's, and the job's function is where the submitter
 * hands it on or frees it.
 *
 * Thread-safety: workpool_submit may be called from any thread at once;
 * workpool_free from one thread once nothing submits any more.
 *
 * Errors: a full queue is TM_ERR_LIMITED, the caller's to answer (503).
 */
#ifndef TM_WORKPOOL_H
#define TM_WORKPOOL_H
#include "err.h"
#include <stddef.h>

typedef struct workpool workpool;
typedef void (*workpool_fn)(void *ctx);

/*
 * Starts threads workers (at least 1) and a queue of at most capacity jobs
 * waiting (at least 1).  Returns the pool; aborts when no thread can be
 * started (as on out of memory).
 */
workpool *workpool_new(unsigned threads, size_t capacity);

/*
 * Queues fn(ctx) to run on a worker, in order of submission.  Returns TM_OK,
 * or TM_ERR_LIMITED when capacity jobs are already waiting (fn will then never
 * run; ctx stays the caller's).
 */
TM_MUST_CHECK int workpool_submit(workpool *p, workpool_fn fn, void *ctx);

/* Runs every job still queued, stops the workers and frees the pool (NULL is fine). */
void workpool_free(workpool *p);

#endif
