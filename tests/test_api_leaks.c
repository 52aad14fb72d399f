/*
 * test_api_leaks.c: the small leaks of issue 13 (item 5), over the real
 * server: a side that may not see a match learns nothing of its status from a
 * refused move or proposal; a stream's Last-Event-ID is checked against the
 * caller's own notifications, not the platform's; a listing's import ref
 * stays with its own organisation and staff, also after an introduction.
 */
#include "api_world.h"
#include <stdio.h>
#include <string.h>

/* A demand of the second enterprise, the world's demand again (it matches the world's achievement). */
static const char other_demand_json[] =
    "{\"title\":\"综采工作面液压支架电液控制系统国产化\",\"description\":\"替代进口电液控制系统，要求支架动作响应小于1秒。\","
    "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\",\"C35\"],\"region\":\"贵州省六盘水市\","
    "\"cooperation_modes\":[\"license\"],\"contact\":\"王工 139xxxx0000\"%s}";

/* Posts /api/matches/ID/WHAT as role with json (or no body); returns the response (the caller frees it). */
static test_resp *match_post(world *w, int role, long id, const char *what, const char *json)
{
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/%s", id, what);
    return test_http(&w->srv, "POST", path, w->tok[role], json ? JSON : NULL, json, json ? strlen(json) : 0);
}

/* Creates the second enterprise's demand with the extra members (", ..." or ""); returns its id or 0. */
static long other_demand(world *w, int role, const char *extra)
{
    char body[1024];
    snprintf(body, sizeof body, other_demand_json, extra);
    return world_create(&w->srv, "/api/demands", w->tok[role], body);
}

/* Checks that r has the status and that its body does not name the status word. */
static void expect_quiet(test_resp *r, long status, const char *word, int line)
{
    if (r->status != status)
        test_fail(__FILE__, line, "expected %ld, got %ld: %s", status, r->status, r->body);
    else if (strstr(r->body, word) != NULL)
        test_fail(__FILE__, line, "the answer names '%s': %s", word, r->body);
    test_resp_free(r);
}
#define EXPECT_QUIET(r, status, word) expect_quiet((r), (status), (word), __LINE__)

void test_api_leaks_refusals_tell_no_match_status(void)
{
    world w;
    if (world_setup(&w, "leaks_status.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long a = world_matching_achievement(&w, 1), m = world_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);
    /* Before the push the enterprise that owns the demand gets what a match that does not exist gets. */
    test_resp *r = match_post(&w, R_ENT, 999999, "interested", NULL);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    EXPECT_QUIET(match_post(&w, R_ENT, m, "interested", NULL), 404, "suggested");
    EXPECT_QUIET(match_post(&w, R_ENT, m, "declined", "{\"reason\":\"benefit_unclear\"}"), 404, "suggested");
    /* Pushed, the same moves work and a refused one names the status to the side that sees it. */
    r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = match_post(&w, R_ENT, m, "declined", "{\"reason\":\"benefit_unclear\"}");
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "declined") == 0);
    test_resp_free(r);
    r = match_post(&w, R_ENT, m, "interested", NULL);
    CHECK(r->status == 409 && strstr(r->body, "declined") != NULL);
    test_resp_free(r);

    /* The university never saw the declined match: proposing the pair says nothing of its status. */
    char body[160];
    snprintf(body, sizeof body, "{\"demand_id\":%ld,\"achievement_id\":%ld,\"statement\":\"we can\"}", w.demand_id, a);
    EXPECT_QUIET(test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body), 409, "declined");
    /* A pair still only suggested becomes the university's proposal, and its own proposal it may see. */
    long a2 = world_matching_achievement(&w, 2);
    snprintf(body, sizeof body, "{\"demand_id\":%ld,\"achievement_id\":%ld,\"statement\":\"we can\"}", w.demand_id, a2);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
    CHECK_INT(r->status, 201);
    long p = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    r = world_approve(&w, R_BROKER, p);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
    CHECK(r->status == 409 && strstr(r->body, "pushed") != NULL);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_leaks_last_event_id_is_the_callers_own(void)
{
    world w;
    if (world_setup(&w, "leaks_events.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /* The second enterprise gets a notification; the first has none. */
    long a = world_matching_achievement(&w, 1), d2 = other_demand(&w, R_ENT2, "");
    long m = world_match_id(&w, "suggested", d2, a);
    REQUIRE(m > 0);
    test_resp *r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = world_inbox(&w, R_ENT2, 0);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    long latest = first ? (long)test_jnum(first, "id") : 0;
    test_resp_free(r);
    REQUIRE(latest > 0);
    char header[64];
    snprintf(header, sizeof header, "Last-Event-ID: %ld", latest);
    /* The platform's latest id is beyond the first enterprise's own: refused as any id from the future. */
    r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, header, 1500);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "Last-Event-ID"));
    test_resp_free(r);
    /* Its own latest (none: 0) and the second enterprise's own latest are taken. */
    r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, "Last-Event-ID: 0", 1000);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT2], NULL, NULL, 0, header, 1000);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}

/* GETs match id as role and returns member side ("demand" or "achievement") of it, or NULL; *r is the caller's. */
static const cJSON *match_side(world *w, int role, long id, const char *side, test_resp **r)
{
    char path[64];
    snprintf(path, sizeof path, "/api/matches/%ld", id);
    *r = test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
    if ((*r)->status != 200)
        test_fail(__FILE__, __LINE__, "GET %s as %s: %ld", path, world_role_names[role], (*r)->status);
    return cJSON_GetObjectItem((*r)->json, side);
}

/* Checks whether role sees the match's listing side with its contact, and with its ref. */
static void expect_side(world *w, int role, long id, const char *side, int ref, int line)
{
    test_resp *r;
    const cJSON *l = match_side(w, role, id, side, &r);
    if (l == NULL || cJSON_GetObjectItem(l, "contact") == NULL)
        test_fail(__FILE__, line, "%s as %s: no contact", side, world_role_names[role]);
    else if ((cJSON_GetObjectItem(l, "ref") != NULL) != ref)
        test_fail(__FILE__, line, "%s as %s: ref %s", side, world_role_names[role], ref ? "missing" : "shown");
    test_resp_free(r);
}
#define EXPECT_SIDE(role, side, ref) expect_side(&w, (role), m, (side), (ref), __LINE__)

void test_api_leaks_ref_stays_with_its_owner(void)
{
    world w;
    if (world_setup(&w, "leaks_ref.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long d = other_demand(&w, R_ENT, ", \"ref\":\"ERP-4711\"");
    long a = world_create(&w.srv, "/api/achievements", w.tok[R_UNI],
                          "{\"title\":\"液压支架电液控制系统及其智能控制方法\",\"abstract\":\"综采工作面液压支架电液控制，支架动作响应小于0.5秒。\","
                          "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"],\"trl\":7,"
                          "\"contact\":\"lab@uni\",\"ref\":\"TTO-0815\"}");
    long m = world_match_id(&w, "suggested", d, a);
    REQUIRE(m > 0);
    test_resp *r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = match_post(&w, R_ENT, m, "interested", NULL);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = match_post(&w, R_BROKER, m, "in_talks", NULL);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    /* Introduced: each side sees the other's contact, not its ref; its own ref it sees, and staff both. */
    EXPECT_SIDE(R_UNI, "demand", 0);
    EXPECT_SIDE(R_UNI, "achievement", 1);
    EXPECT_SIDE(R_ENT, "achievement", 0);
    EXPECT_SIDE(R_ENT, "demand", 1);
    EXPECT_SIDE(R_BROKER, "demand", 1);
    EXPECT_SIDE(R_BROKER, "achievement", 1);
    /* The listing itself: its ref for its own organisation only. */
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", d);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK(r->status == 200 && cJSON_GetObjectItem(r->json, "ref") == NULL);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "ref"), "ERP-4711") == 0);
    test_resp_free(r);
    world_teardown(&w);
}
