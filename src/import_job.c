/*
 * import_job.c: the import jobs (see import_job.h).  One mutex guards the
 * list of jobs; a condition variable wakes the workers when a job is queued
 * or the jobs stop.  A worker takes the oldest queued job, runs the import
 * with the lock released (its progress callback takes the lock to publish
 * each row's count and to learn whether to stop), then stores the report as
 * JSON text, so that a finished job holds one compact string and no parsed
 * rows.  Finished jobs are pruned (by age, then by count) whenever a job is
 * submitted or read; running and queued jobs are never pruned, so a worker's
 * pointer to its job stays valid without the lock.
 */
#include "import_job.h"
#include "json.h"
#include "limits.h"
#include "listing_write.h"
#include "log.h"
#include "mem.h"
#include "messages.h"
#include "vocab.h"
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;

static const char *const state_names[] = { "queued", "running", "done", "failed" };

typedef struct job {
    int64_t id, org_id, user_id;
    listing_kind kind;
    job_state state;
    const char *phase;        /* "queued", "storing", "matching", "finished" */
    size_t done, total;       /* rows of the phase */
    size_t rows;              /* rows in the file */
    size_t bytes;             /* the upload's size, counted against LIM_IMPORT_JOB_BYTES while unfinished */
    import_file *file;        /* while queued; the worker takes it */
    time_t created, started, finished;
    char *report;             /* JSON text of the report (done) */
    char *error;              /* why it failed (failed) */
    struct job *next;         /* the list, oldest first */
} job;

struct import_jobs {
    store *store;
    matching *matching;
    const taxonomy *tax;
    size_t max_jobs;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job *head;                /* every job kept, oldest first */
    size_t unfinished, held_bytes;
    int stopping;
    pthread_t workers[LIM_IMPORT_WORKERS];
    size_t nworkers;
};

static void job_free(job *jb)
{
    if (jb == NULL)
        return;
    import_file_free(jb->file);
    free(jb->report);
    free(jb->error);
    free(jb);
}

static int finished(const job *jb)
{
    return jb->state == JOB_DONE || jb->state == JOB_FAILED;
}

/* Drops finished jobs older than LIM_IMPORT_KEEP_S, then the oldest beyond LIM_IMPORT_KEPT.  Under the lock. */
static void prune(import_jobs *j, time_t now)
{
    size_t kept = 0;
    for (const job *jb = j->head; jb; jb = jb->next)
        kept += finished(jb) && now - jb->finished < LIM_IMPORT_KEEP_S;
    for (job **pp = &j->head; *pp;) {
        job *jb = *pp;
        int old = finished(jb) && now - jb->finished >= LIM_IMPORT_KEEP_S;
        int extra = finished(jb) && !old && kept > LIM_IMPORT_KEPT;
        if (old || extra) {
            kept -= extra;
            *pp = jb->next;
            job_free(jb);
        } else {
            pp = &jb->next;
        }
    }
}

static job *find(import_jobs *j, int64_t id)
{
    for (job *jb = j->head; jb; jb = jb->next)
        if (jb->id == id)
            return jb;
    return NULL;
}

/*
 * A new random id in [1, 2^49) that no kept job has.  Under the lock.  2^49
 * keeps ids within the 15 digits cJSON prints exactly (it prints a double
 * with 15 significant digits when that reads back within an epsilon).
 */
static int64_t new_id(import_jobs *j)
{
    for (;;) {
        uint64_t v = 0;
        randombytes_buf(&v, sizeof v);
        int64_t id = (int64_t)(v & ((UINT64_C(1) << 49) - 1));
        if (id > 0 && find(j, id) == NULL)
            return id;
    }
}

static void add_time(cJSON *out, const char *name, time_t t)
{
    char buf[32];
    struct tm tm;
    if (t == 0) {
        cJSON_AddNullToObject(out, name);
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(out, name, buf);
}

/* The job as GET shows it (caller deletes).  Under the lock. */
static cJSON *job_json(const job *jb)
{
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", jb->id);
    cJSON_AddStringToObject(out, "kind", listing_kind_name(jb->kind));
    cJSON_AddStringToObject(out, "state", state_names[jb->state]);
    cJSON *progress = cJSON_AddObjectToObject(out, "progress");
    cJSON_AddStringToObject(progress, "phase", jb->phase);
    json_add_int(progress, "done", (int64_t)jb->done);
    json_add_int(progress, "total", (int64_t)jb->total);
    json_add_int(out, "rows", (int64_t)jb->rows);
    add_time(out, "created_at", jb->created);
    add_time(out, "started_at", jb->started);
    add_time(out, "finished_at", jb->finished);
    if (jb->report)
        cJSON_AddRawToObject(out, "report", jb->report);
    else
        cJSON_AddNullToObject(out, "report");
    json_add_string_or_null(out, "error", jb->error);
    return out;
}

/* The import's errors as a [{field, message}] array (caller deletes). */
static cJSON *errors_json(const import_error *e, size_t n)
{
    cJSON *errors = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        json_error_add(errors, e[i].field, "%s", e[i].message);
    return errors;
}

/* One row of the report: {line, status, id (when stored), ref (when it has one), errors (when invalid)}. */
static cJSON *row_json(const import_row *row)
{
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "line", (int64_t)row->line);
    cJSON_AddStringToObject(out, "status", row->action == IMPORT_SKIPPED   ? "invalid"
                                           : row->action == IMPORT_UPDATED ? "updated"
                                                                           : "created");
    if (row->action != IMPORT_SKIPPED)
        json_add_int(out, "id", row->id);
    if (row->ref)
        cJSON_AddStringToObject(out, "ref", row->ref);
    if (row->action == IMPORT_SKIPPED)
        cJSON_AddItemToObject(out, "errors", errors_json(row->errors, row->nerrors));
    return out;
}

/* The report of a finished import as JSON text (caller frees): {created, updated, failed, rows}. */
static char *report_text(const import_result *res)
{
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "created", (int64_t)res->created);
    json_add_int(out, "updated", (int64_t)res->updated);
    json_add_int(out, "failed", (int64_t)res->failed);
    cJSON *rows = cJSON_AddArrayToObject(out, "rows");
    for (size_t i = 0; i < res->nrows; i++)
        cJSON_AddItemToArray(rows, row_json(&res->rows[i]));
    char *text = json_print(out);
    cJSON_Delete(out);
    return text;
}

/* What a worker's progress callback needs. */
typedef struct running {
    import_jobs *jobs;
    job *job;
} running;

/* Publishes a row's progress; asks the import to stop when the jobs stop. */
static int on_progress(void *ctx, import_phase phase, size_t done, size_t total)
{
    running *r = ctx;
    pthread_mutex_lock(&r->jobs->lock);
    r->job->phase = phase == IMPORT_STORING ? "storing" : "matching";
    r->job->done = done;
    r->job->total = total;
    int stop = r->jobs->stopping;
    pthread_mutex_unlock(&r->jobs->lock);
    return stop;
}

/* Runs one job's import with the lock released, then records its outcome under the lock. */
static void run(import_jobs *j, job *jb, import_file *f)
{
    import_result res;
    running r = { j, jb };
    char *report = NULL, *error = NULL;
    int rc = listing_write_import_file(j->store, j->matching, j->tax, f, jb->org_id, jb->user_id, on_progress, &r,
                                       &res);
    if (rc == TM_OK) {
        report = report_text(&res);
    } else {
        char msg[320];
        snprintf(msg, sizeof msg, N_("%s after the first %zu rows that parsed were processed; the valid ones among "
                 "them stay stored, and sending the file again is safe for rows with a ref"),
                 rc == TM_ERR_LIMITED ? N_("the server stopped") : tm_strerror(rc), res.stored_rows);
        error = xstrdup(msg);
        if (rc == TM_ERR_LIMITED)
            log_info("import job %lld: %s", (long long)jb->id, msg);
        else
            log_error("import job %lld: %s", (long long)jb->id, msg);
    }
    import_result_cleanup(&res);
    import_file_free(f);
    pthread_mutex_lock(&j->lock);
    jb->state = rc == TM_OK ? JOB_DONE : JOB_FAILED;
    jb->phase = "finished";
    jb->report = report;
    jb->error = error;
    jb->finished = time(NULL);
    j->unfinished--;
    j->held_bytes -= jb->bytes;
    pthread_mutex_unlock(&j->lock);
}

/* The oldest queued job, or NULL.  Under the lock. */
static job *next_queued(import_jobs *j)
{
    for (job *jb = j->head; jb; jb = jb->next)
        if (jb->state == JOB_QUEUED)
            return jb;
    return NULL;
}

static void *worker(void *arg)
{
    import_jobs *j = arg;
    pthread_mutex_lock(&j->lock);
    for (;;) {
        job *jb = NULL;
        while (!j->stopping && (jb = next_queued(j)) == NULL)
            pthread_cond_wait(&j->wake, &j->lock);
        if (j->stopping)
            break;
        import_file *f = jb->file;
        jb->file = NULL;
        jb->state = JOB_RUNNING;
        jb->phase = "storing";
        jb->started = time(NULL);
        pthread_mutex_unlock(&j->lock);
        run(j, jb, f);
        pthread_mutex_lock(&j->lock);
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

import_jobs *import_jobs_start(store *s, matching *m, const taxonomy *tax, size_t max_jobs)
{
    import_jobs *j = xcalloc(1, sizeof *j);
    j->store = s;
    j->matching = m;
    j->tax = tax;
    j->max_jobs = max_jobs;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->wake, NULL);
    for (size_t i = 0; i < LIM_IMPORT_WORKERS; i++) {
        if (pthread_create(&j->workers[i], NULL, worker, j) != 0) {
            log_error("import jobs: a worker thread could not start");
            import_jobs_stop(j);
            return NULL;
        }
        j->nworkers++;
    }
    return j;
}

void import_jobs_stop(import_jobs *j)
{
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_broadcast(&j->wake);
    pthread_mutex_unlock(&j->lock);
    for (size_t i = 0; i < j->nworkers; i++)
        pthread_join(j->workers[i], NULL);
    while (j->head) {
        job *next = j->head->next;
        job_free(j->head);
        j->head = next;
    }
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

int import_jobs_submit(import_jobs *j, import_file *f, size_t bytes, int64_t org_id, const principal *who,
                       int64_t *id, cJSON **out)
{
    time_t now = time(NULL);
    *id = 0;
    *out = NULL;
    pthread_mutex_lock(&j->lock);
    prune(j, now);
    if (j->unfinished >= j->max_jobs || (j->held_bytes > 0 && j->held_bytes + bytes > LIM_IMPORT_JOB_BYTES)) {
        pthread_mutex_unlock(&j->lock);
        import_file_free(f);
        return TM_ERR_LIMITED;
    }
    job *jb = xcalloc(1, sizeof *jb);
    jb->id = new_id(j);
    jb->org_id = org_id;
    jb->user_id = who->user_id;
    jb->kind = import_file_kind(f);
    jb->state = JOB_QUEUED;
    jb->phase = "queued";
    jb->rows = import_file_rows(f);
    jb->total = jb->rows;
    jb->bytes = bytes;
    jb->file = f;
    jb->created = now;
    job **tail = &j->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = jb;
    j->unfinished++;
    j->held_bytes += bytes;
    *id = jb->id;
    *out = job_json(jb);
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
    return TM_OK;
}

int import_jobs_get(import_jobs *j, int64_t id, const principal *who, cJSON **out)
{
    int status = TM_ERR_NOT_FOUND;
    *out = NULL;
    pthread_mutex_lock(&j->lock);
    prune(j, time(NULL));
    const job *jb = find(j, id);
    if (jb != NULL && (jb->user_id == who->user_id || vocab_find(&vocab_roles, who->role) == USER_ADMIN)) {
        *out = job_json(jb);
        status = TM_OK;
    }
    pthread_mutex_unlock(&j->lock);
    return status;
}
