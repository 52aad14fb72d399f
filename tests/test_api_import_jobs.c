/*
 * test_api_import_jobs.c: bulk imports as jobs (src/import_job.c), over the
 * real server: 202 with the job's Location, the job's states and progress up
 * to its report, the server answering other requests while big imports run,
 * a job seen only by its creator and admins, a full queue refused with 503,
 * and bad files still refused at once (400, 413, 415) without a job.
 * Nothing here asserts a duration: the states seen on the way are checked
 * for validity, never for being seen.
 */
#include "api_world.h"
#include "limits.h"
#include "parse.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A CSV of n achievements with refs PREFIX-i; every 1000th row (i % 1000 == 999) has a TRL of 11, so it is invalid. */
static char *big_csv(const char *prefix, int n, size_t *len)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "ref,title,abstract,keywords,fields,trl\n");
    for (int i = 0; i < n; i++)
        sbuf_printf(&b, "%s-%d,Coal seam gas sensor %d,Methane sensing for mine safety number %d,sensor;methane,"
                    "B06,%d\n", prefix, i, i, i, i % 1000 == 999 ? 11 : 6);
    *len = b.len;
    return sbuf_take(&b);
}

/* The id at the end of a job's Location, or 0. */
static long job_id_of(const char *location)
{
    const char *slash = location ? strrchr(location, '/') : NULL;
    int64_t id = 0;
    if (slash == NULL || parse_int64(slash + 1, 1, INT64_MAX, &id) != TM_OK)
        return 0;
    return (long)id;
}

/* Posts a file and checks the 202: Location /api/imports/{id} naming the job the body describes; copies it out. */
static int post_job(const world *w, int role, const char *kind, const char *csv, size_t len, char *location,
                    size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/api/%s/import", kind);
    test_resp *r = test_http(&w->srv, "POST", path, w->tok[role], "text/csv", csv, len);
    int status = (int)r->status;
    const char *where = test_resp_header(r, "Location");
    location[0] = '\0';
    if (status == 202) {
        CHECK(where != NULL && strncmp(where, "/api/imports/", 13) == 0);
        snprintf(location, cap, "%s", where ? where : "");
        CHECK_INT((long)test_jnum(r->json, "id"), job_id_of(location));
        const char *state = test_jstr(r->json, "state");
        CHECK(state != NULL && (strcmp(state, "queued") == 0 || strcmp(state, "running") == 0 ||
                                strcmp(state, "done") == 0));
        CHECK(test_jnum(r->json, "rows") > 0);
    }
    test_resp_free(r);
    return status;
}

/* What the progress test saw of a job on its way. */
typedef struct seen_states {
    int rank;           /* 0 queued, 1 running, 2 done or failed: never goes back */
    long rows;
    int polls, bad;
} seen_states;

static int state_rank(const char *state)
{
    if (state == NULL)
        return -1;
    if (strcmp(state, "queued") == 0)
        return 0;
    if (strcmp(state, "running") == 0)
        return 1;
    if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0)
        return 2;
    return -1;
}

/* Checks one reading of the job: a known state that never goes back, a phase that fits it, done <= total. */
static void check_seen(void *ctx, const cJSON *job)
{
    seen_states *s = ctx;
    const char *state = test_jstr(job, "state");
    const cJSON *p = cJSON_GetObjectItem(job, "progress");
    const char *phase = test_jstr(p, "phase");
    long done = (long)test_jnum(p, "done"), total = (long)test_jnum(p, "total");
    int rank = state_rank(state);
    s->polls++;
    int ok = rank >= s->rank && phase != NULL && done >= 0 && total >= 0 && done <= total && total <= s->rows &&
             (long)test_jnum(job, "rows") == s->rows;
    if (ok && rank == 0)
        ok = strcmp(phase, "queued") == 0 && done == 0 && cJSON_IsNull(cJSON_GetObjectItem(job, "started_at"));
    if (ok && rank == 1)
        ok = strcmp(phase, "storing") == 0 || strcmp(phase, "matching") == 0;
    if (ok && rank == 2)
        ok = strcmp(phase, "finished") == 0 && !cJSON_IsNull(cJSON_GetObjectItem(job, "finished_at"));
    if (ok && rank < 2)
        ok = cJSON_IsNull(cJSON_GetObjectItem(job, "report"));
    if (!ok && s->bad++ == 0) {
        char *text = cJSON_PrintUnformatted(job);
        test_fail(__FILE__, __LINE__, "an invalid reading of the job: %s", text);
        free(text);
    }
    if (rank > s->rank)
        s->rank = rank;
}

/*
 * Follows a job to its end and checks its report's tally (created and updated
 * only when not -1); returns the finished job (caller frees) or NULL.
 */
static test_resp *finish(const world *w, int role, const char *location, long rows, long created, long updated,
                         long failed)
{
    seen_states s = { 0, rows, 0, 0 };
    test_resp *r = world_follow_job(&w->srv, w->tok[role], location, check_seen, &s);
    if (r == NULL)
        return NULL;
    CHECK_STR(test_jstr(r->json, "state"), "done");
    const cJSON *report = cJSON_GetObjectItem(r->json, "report");
    if (created >= 0)
        CHECK_INT(test_jnum(report, "created"), created);
    if (updated >= 0)
        CHECK_INT(test_jnum(report, "updated"), updated);
    CHECK_INT(test_jnum(report, "created") + test_jnum(report, "updated") + test_jnum(report, "failed"), rows);
    CHECK_INT(test_jnum(report, "failed"), failed);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(report, "rows")), rows);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "error")));
    return r;
}

void test_api_import_jobs_answer_202_and_only_the_creator_sees_them(void)
{
    world w;
    if (world_setup(&w, "jobs_202.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *csv = "ref,title,fields,trl\nJ-1,Mine water treatment,B06,5\nJ-2,Bad TRL,B06,11\n";
    char location[128];
    REQUIRE(post_job(&w, R_UNI, "achievements", csv, strlen(csv), location, sizeof location) == 202);
    test_resp *r = finish(&w, R_UNI, location, 2, 1, 0, 1);
    REQUIRE(r != NULL);
    const cJSON *bad = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "report"), "rows"), 1);
    CHECK_INT(test_jnum(bad, "line"), 3);
    CHECK_STR(test_jstr(bad, "status"), "invalid");
    CHECK_STR(test_jstr(r->json, "kind"), "achievement");
    test_resp_free(r);

    /* The creator and admins see the job; to everyone else it does not exist. */
    static const int others[] = { R_ENT, R_ENT2, R_UNI2, R_BROKER };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        r = test_http(&w.srv, "GET", location, w.tok[others[i]], NULL, NULL, 0);
        if (r->status != 404)
            test_fail(__FILE__, __LINE__, "%s read another's import job: %ld", world_role_names[others[i]],
                      r->status);
        test_resp_free(r);
    }
    r = test_http(&w.srv, "GET", location, NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", location, w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "state"), "done");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/imports/123456789", w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "achievements", R_UNI), 2);
    world_teardown(&w);
}

void test_api_import_jobs_show_progress_and_the_report(void)
{
    world w;
    if (world_setup(&w, "jobs_progress.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    size_t len;
    char *csv = big_csv("P", 3000, &len);
    char location[128];
    const char *count = "SELECT count(*) FROM achievements WHERE ref LIKE 'P-%'";
    REQUIRE(post_job(&w, R_UNI, "achievements", csv, len, location, sizeof location) == 202);
    test_resp *r = finish(&w, R_UNI, location, 3000, 2997, 0, 3);
    if (r) {
        /* Rows keep their file's line: row i is on line i + 2; rows 999, 1999 and 2999 are invalid. */
        const cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "report"), "rows");
        const cJSON *bad = cJSON_GetArrayItem(rows, 1999);
        CHECK_INT(test_jnum(bad, "line"), 2001);
        CHECK_STR(test_jstr(bad, "status"), "invalid");
        CHECK_STR(test_jstr(cJSON_GetArrayItem(rows, 2000), "ref"), "P-2000");
        CHECK_STR(test_jstr(cJSON_GetArrayItem(rows, 2000), "status"), "created");
    }
    test_resp_free(r);
    CHECK_INT(test_sqlite_int(w.srv.db, count), 2997);

    /* The same file again updates every valid row and creates nothing. */
    REQUIRE(post_job(&w, R_UNI, "achievements", csv, len, location, sizeof location) == 202);
    test_resp_free(finish(&w, R_UNI, location, 3000, 0, 2997, 3));
    CHECK_INT(test_sqlite_int(w.srv.db, count), 2997);
    free(csv);
    world_teardown(&w);
}

void test_api_import_jobs_leave_the_server_answering(void)
{
    world w;
    if (world_setup(&w, "jobs_answering.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    size_t len1, len2;
    char *a = big_csv("A", 4000, &len1), *b = big_csv("B", 4000, &len2);
    char loc1[128], loc2[128];
    REQUIRE(post_job(&w, R_UNI, "achievements", a, len1, loc1, sizeof loc1) == 202);
    REQUIRE(post_job(&w, R_UNI2, "achievements", b, len2, loc2, sizeof loc2) == 202);

    /* Both imports are accepted; health, a read and a small write are answered meanwhile. */
    test_resp *r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long id = world_create(&w.srv, "/api/demands", w.tok[R_ENT], "{\"title\":\"Gas drainage while imports run\"}");
    CHECK(id > 0);
    r = test_http(&w.srv, "GET", "/api/achievements?limit=5", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", loc1, w.tok[R_UNI], NULL, NULL, 0);
    if (r->status == 200 && strcmp(test_jstr(r->json, "state") ? test_jstr(r->json, "state") : "", "done") == 0)
        printf("note: the first import had finished before the other requests were answered\n");
    test_resp_free(r);

    test_resp_free(finish(&w, R_UNI, loc1, 4000, 3996, 0, 4));
    test_resp_free(finish(&w, R_UNI2, loc2, 4000, 3996, 0, 4));
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), 2);
    free(a);
    free(b);
    world_teardown(&w);
}

void test_api_import_jobs_full_queue_is_503(void)
{
    world w;
    static const char *const extra[] = { "--import-jobs", "2", NULL };
    if (world_setup(&w, "jobs_full.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    size_t len;
    char *csv = big_csv("Q", 5000, &len);
    char locations[6][128];
    int accepted = 0, refused = 0;
    /* Two jobs may be queued or running; a third sent while they run is refused. */
    for (int i = 0; i < 6 && refused == 0; i++) {
        test_resp *r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI], "text/csv", csv, len);
        if (r->status == 202) {
            snprintf(locations[accepted++], sizeof locations[0], "%s", test_resp_header(r, "Location"));
        } else {
            CHECK_INT(r->status, 503);
            CHECK(test_resp_header(r, "Retry-After") != NULL);
            CHECK_CONTAINS(test_resp_header(r, "Content-Type"), "application/problem+json");
            CHECK(test_resp_header(r, "Location") == NULL);
            refused++;
        }
        test_resp_free(r);
    }
    CHECK_INT(refused, 1);
    CHECK(accepted >= 2);
    /*
     * Every accepted job ends.  Two run at once on the same refs, so which of
     * them created a row and which updated it depends on whose batch was first;
     * each row was created once.
     */
    long created = 0;
    for (int i = 0; i < accepted; i++) {
        test_resp *r = finish(&w, R_UNI, locations[i], 5000, -1, -1, 5);
        if (r)
            created += (long)test_jnum(cJSON_GetObjectItem(r->json, "report"), "created");
        test_resp_free(r);
    }
    CHECK_INT(created, 4995);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM achievements WHERE ref LIKE 'Q-%'"), 4995);
    /* Once they have ended, the queue takes files again. */
    char location[128];
    CHECK_INT(post_job(&w, R_UNI, "achievements", csv, len, location, sizeof location), 202);
    if (location[0])
        test_resp_free(finish(&w, R_UNI, location, 5000, 0, 4995, 5));
    free(csv);
    world_teardown(&w);
}

void test_api_import_jobs_bad_files_are_refused_at_once(void)
{
    world w;
    if (world_setup(&w, "jobs_bad.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    int before = world_count_mine(&w, "demands", R_ENT);
    static const struct {
        const char *content_type, *body;
        long status;
    } bad[] = {
        { "text/csv", "title,colour\nA,red\n", 400 },     /* a header naming no member */
        { "text/csv", "", 400 },                          /* no header */
        { "application/x-ndjson", "\n\n", 400 },          /* no rows */
        { "application/json", "{\"title\":\"x\"}", 415 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_resp *r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], bad[i].content_type,
                                 bad[i].body, strlen(bad[i].body));
        CHECK_INT(r->status, bad[i].status);
        CHECK(test_resp_header(r, "Location") == NULL);
        CHECK_CONTAINS(test_resp_header(r, "Content-Type"), "application/problem+json");
        test_resp_free(r);
    }
    /* More rows than a file may have: 400 at once. */
    sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "title\n");
    for (int i = 0; i <= LIM_IMPORT_ROWS; i++)
        sbuf_printf(&b, "row %d\n", i);
    test_resp *r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "text/csv", b.buf, b.len);
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    sbuf_cleanup(&b);
    /* A body over the route's limit: 413 at once. */
    size_t big = LIM_BODY_IMPORT + 1;
    char *huge = malloc(big);
    REQUIRE(huge != NULL);
    memset(huge, 'a', big);
    memcpy(huge, "title\n", 6);
    r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "text/csv", huge, big);
    CHECK_INT(r->status, 413);
    test_resp_free(r);
    free(huge);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), before);
    /* A good file after them is a job. */
    char location[128];
    const char *good = "title\nCoal gangue backfill\n";
    CHECK_INT(post_job(&w, R_ENT, "demands", good, strlen(good), location, sizeof location), 202);
    if (location[0])
        test_resp_free(finish(&w, R_ENT, location, 1, 1, 0, 0));
    world_teardown(&w);
}
