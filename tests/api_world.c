/*
 * api_world.c: the world the API tests share: a real server with one user of
 * every role, a demand and an achievement that match, and the few requests
 * several test files make (create a listing, count an organisation's
 * listings, find a stored match, approve it, read an inbox, import a file
 * and follow its job to the end).  The contract is
 * in api_world.h.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const world_role_names[R_COUNT] = {
    "anonymous", "enterprise", "other enterprise", "university", "other university", "broker", "admin"
};

static const char demand_json[] =
    "{\"title\":\"综采工作面液压支架电液控制系统国产化\",\"description\":\"替代进口电液控制系统，要求支架动作响应小于1秒。\","
    "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\",\"C35\"],\"region\":\"贵州省六盘水市\","
    "\"budget_min\":500000,\"budget_max\":3000000,\"cooperation_modes\":[\"license\",\"joint_development\"],"
    "\"deadline\":\"2060-06-30\",\"contact\":\"李工 138xxxx0000\"}";
static const char achievement_json[] =
    "{\"title\":\"Electro-hydraulic control system for longwall hydraulic supports\","
    "\"abstract\":\"A domestic electro-hydraulic controller for hydraulic roof supports; response under 0.5 s.\","
    "\"keywords\":[\"hydraulic support\",\"electro-hydraulic control\"],\"fields\":[\"B06\"],\"trl\":7,"
    "\"ip_type\":\"invention_patent\",\"patent_no\":\"ZL202110234567.8\",\"transfer_modes\":[\"license\"],"
    "\"price\":1200000,\"region\":\"Xuzhou, Jiangsu\",\"contact\":\"Prof. Wang wang@example.edu.cn\"}";

/* Posts body to path as token; returns the new id or 0. */
long world_create(const test_server *s, const char *path, const char *token, const char *body)
{
    test_resp *r = test_json(s, "POST", path, token, body);
    long id = r->status == 201 ? (long)test_jnum(r->json, "id") : 0;
    if (id == 0)
        test_fail(__FILE__, __LINE__, "POST %s: %ld %s", path, r->status, r->body);
    test_resp_free(r);
    return id;
}

int world_setup(world *w, const char *dbname, const char *const *extra)
{
    memset(w, 0, sizeof *w);
    unlink(test_path(dbname));
    if (test_server_start(&w->srv, test_path(dbname), extra) != 0) {
        test_fail(__FILE__, __LINE__, "the server did not start (log: %s)", w->srv.log);
        return -1;
    }
    w->tok[R_ENT] = test_signup(&w->srv, "凉都矿业集团", "enterprise", "ent@example.com");
    w->tok[R_ENT2] = test_signup(&w->srv, "Other Enterprise Ltd", "enterprise", "ent2@example.com");
    w->tok[R_UNI] = test_signup(&w->srv, "中国矿业大学", "university", "uni@example.edu.cn");
    w->tok[R_UNI2] = test_signup(&w->srv, "Other University", "university", "uni2@example.edu.cn");
    w->tok[R_BROKER] = test_add_staff(&w->srv, "broker", "broker@example.org");
    w->tok[R_ADMIN] = test_add_staff(&w->srv, "admin", "admin@example.org");
    for (int i = R_ENT; i < R_COUNT; i++)
        if (w->tok[i] == NULL) {
            test_fail(__FILE__, __LINE__, "could not sign in the %s", world_role_names[i]);
            return -1;
        }
    w->demand_id = world_create(&w->srv, "/api/demands", w->tok[R_ENT], demand_json);
    w->achievement_id = world_create(&w->srv, "/api/achievements", w->tok[R_UNI], achievement_json);
    return w->demand_id && w->achievement_id ? 0 : -1;
}

void world_teardown(world *w)
{
    if (w->srv.pid > 0)
        CHECK_INT(test_server_stop(&w->srv), 0);
    for (int i = 0; i < R_COUNT; i++)
        free(w->tok[i]);
}

/* Counts the listings an organisation has (any status), through the API. */
int world_count_mine(const world *w, const char *kind, int role)
{
    char path[128];
    snprintf(path, sizeof path, "/api/%s?org=me&status=all&limit=100", kind);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
    int n = r->status == 200 ? cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")) : -1;
    test_resp_free(r);
    return n;
}

/* The id of the stored match of (demand, achievement) with this status, or 0. */
long world_match_id(const world *w, const char *status, long demand, long achievement)
{
    char path[128];
    snprintf(path, sizeof path, "/api/matches?status=%s&limit=100", status);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_BROKER], NULL, NULL, 0);
    long id = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if ((long)test_jnum(cJSON_GetObjectItem(it, "demand"), "id") == demand &&
            (long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id") == achievement)
            id = (long)test_jnum(it, "id");
    test_resp_free(r);
    return id;
}

/* An achievement that matches the world's demand (液压支架, B06). */
long world_matching_achievement(world *w, int n)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"title\":\"液压支架电液控制系统 %d\",\"abstract\":\"综采工作面液压支架电液控制，国产化替代。\","
             "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"],\"trl\":7,\"contact\":\"secret@uni\"}", n);
    return world_create(&w->srv, "/api/achievements", w->tok[R_UNI], body);
}

test_resp *world_inbox(world *w, int role, long after)
{
    char path[64];
    snprintf(path, sizeof path, "/api/notifications?after=%ld", after);
    return test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
}

test_resp *world_approve(world *w, int role, long match_id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/matches/%ld/approve", match_id);
    return test_http(&w->srv, "POST", path, w->tok[role], NULL, NULL, 0);
}


/* The job's state is final. */
static int job_finished(const cJSON *job)
{
    const char *state = test_jstr(job, "state");
    return state && (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0);
}

test_resp *world_follow_job(const test_server *s, const char *token, const char *location,
                            void (*seen)(void *ctx, const cJSON *job), void *ctx)
{
    time_t give_up = time(NULL) + 600; /* a liveness bound for a hung job, not a timing assertion */
    for (;;) {
        test_resp *r = test_http(s, "GET", location, token, NULL, NULL, 0);
        if (r->status != 200) {
            test_fail(__FILE__, __LINE__, "GET %s: %ld %s", location, r->status, r->body);
            return r;
        }
        if (seen)
            seen(ctx, r->json);
        if (job_finished(r->json))
            return r;
        test_resp_free(r);
        if (time(NULL) > give_up) {
            test_fail(__FILE__, __LINE__, "the import job %s did not finish", location);
            return NULL;
        }
        usleep(20 * 1000);
    }
}

test_resp *world_import(const world *w, int role, const char *kind, const char *content_type, const char *body,
                        size_t len)
{
    char path[64], location[128];
    snprintf(path, sizeof path, "/api/%s/import", kind);
    test_resp *r = test_http(&w->srv, "POST", path, w->tok[role], content_type, body, len);
    if (r->status != 202)
        return r;
    const char *where = test_resp_header(r, "Location");
    if (where == NULL || strncmp(where, "/api/imports/", 13) != 0) {
        test_fail(__FILE__, __LINE__, "POST %s: 202 without a job's Location", path);
        return r;
    }
    snprintf(location, sizeof location, "%s", where);
    test_resp_free(r);
    r = world_follow_job(&w->srv, w->tok[role], location, NULL, NULL);
    if (r == NULL)
        return test_http(&w->srv, "GET", location, w->tok[role], NULL, NULL, 0);
    if (strcmp(test_jstr(r->json, "state"), "done") != 0) {
        test_fail(__FILE__, __LINE__, "the import job %s failed: %s", location, r->body);
        return r;
    }
    /* The report stands in for the job, as the import's answer used to. */
    cJSON *report = cJSON_DetachItemFromObject(r->json, "report");
    cJSON_Delete(r->json);
    r->json = report;
    return r;
}
