/*
 * test_web_broker.c: the broker's and the admin's work pages in a real browser
 * (tests/browser/broker.mjs: the review queue with its filters, the match page's
 * every move, notes, assignment to a second broker and history, the pipeline with
 * its ended columns, the queue compact on a phone, the policy form), over
 * a world seeded here through the API; and the API those pages rely on: the
 * moves a match offers its caller, and a policy whose auto-approve score is below
 * its suggest threshold refused.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A demand and an achievement in another region and field (Jiangsu, C38) that match each other. */
static const char other_demand[] =
    "{\"title\":\"退役动力锂电池正极材料回收\",\"description\":\"回收退役锂电池正极材料，湿法冶金提取镍钴锰。\","
    "\"keywords\":[\"锂电池回收\",\"正极材料\"],\"fields\":[\"C38\"],\"region\":\"江苏省苏州市\",\"budget_max\":800000}";
static const char other_achievement[] =
    "{\"title\":\"退役锂电池正极材料湿法回收技术\",\"abstract\":\"退役动力锂电池正极材料湿法冶金回收镍钴锰。\","
    "\"keywords\":[\"锂电池回收\",\"正极材料\"],\"fields\":[\"C38\"],\"trl\":6,\"price\":300000,\"region\":\"江苏省南京市\"}";

/* POSTs a body-less or JSON move to /api/matches/ID/WHAT as role; returns the status. */
static long move(world *w, int role, long id, const char *what, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/%s", id, what);
    test_resp *r = body ? test_json(&w->srv, "POST", path, w->tok[role], body)
                        : test_http(&w->srv, "POST", path, w->tok[role], NULL, NULL, 0);
    long status = r->status;
    test_resp_free(r);
    return status;
}

/* Seeds 24 suggestions of the world's demand (more than a page) and one elsewhere; two of the 24 are interested. */
static void seed(world *w, long *talks, long *to_close)
{
    test_resp *r = test_json(&w->srv, "PUT", "/api/subscription", w->tok[R_ENT], "{\"min_score\":0}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long a[24];
    for (int i = 0; i < 24; i++)
        a[i] = world_matching_achievement(w, i + 1);
    long d2 = world_create(&w->srv, "/api/demands", w->tok[R_ENT2], other_demand);
    long a2 = world_create(&w->srv, "/api/achievements", w->tok[R_UNI2], other_achievement);
    CHECK(world_match_id(w, "suggested", d2, a2) > 0);
    *talks = world_match_id(w, "suggested", w->demand_id, a[22]);
    *to_close = world_match_id(w, "suggested", w->demand_id, a[23]);
    if (*talks <= 0 || *to_close <= 0) {
        test_fail(__FILE__, __LINE__, "the seeded matches are missing");
        return;
    }
    for (int i = 0; i < 2; i++) {
        long id = i == 0 ? *talks : *to_close;
        r = world_approve(w, R_BROKER, id);
        CHECK_INT(r->status, 200);
        test_resp_free(r);
        CHECK_INT(move(w, R_ENT, id, "interested", NULL), 200);
    }
}

void test_web_broker_browser_work_pages(void)
{
    world w;
    long talks = 0, to_close = 0;
    if (world_setup(&w, "web_broker.db", NULL) == 0)
        seed(&w, &talks, &to_close);
    if (talks <= 0 || to_close <= 0) {
        world_teardown(&w);
        return;
    }
    char a1[24], a2[24], name2[128] = "";
    snprintf(a1, sizeof a1, "%ld", talks);
    snprintf(a2, sizeof a2, "%ld", to_close);
    /* A second broker, whom the first assigns a match to in the browser. */
    char *broker2 = test_add_staff(&w.srv, "broker", "broker2@example.org");
    test_resp *me = broker2 ? test_http(&w.srv, "GET", "/api/me", broker2, NULL, NULL, 0) : NULL;
    if (me && me->status == 200)
        snprintf(name2, sizeof name2, "%s", test_jstr(me->json, "display_name"));
    test_resp_free(me);
    free(broker2);
    CHECK(name2[0] != '\0');
    const char *const args[] = { "broker@example.org", TEST_PASSWORD, "admin@example.org", a1, a2, name2, NULL };
    char *out = test_browser("broker.mjs", &w.srv, args);
    CHECK(out && strstr(out, "ok the review queue filters by region") != NULL);
    CHECK(out && strstr(out, "ok a deal of 50万 is recorded") != NULL);
    CHECK(out && strstr(out, "ok the policy form refuses auto-approve below suggest") != NULL);
    CHECK(out && strstr(out, "ok the match is assigned to a second broker, and unassigned") != NULL);
    CHECK(out && strstr(out, "ok the pipeline shows the ended matches") != NULL);
    CHECK(out && strstr(out, "ok the review queue is compact on a phone") != NULL);
    free(out);
    /* What the browser did is what was stored. */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT deal_amount FROM matches WHERE id = %ld AND status = 'deal'", talks);
    CHECK_INT(test_sqlite_int(w.srv.db, sql), 500000);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM matches WHERE status = 'rejected' AND reason = 'other'"
                                        " AND reason_text = '企业已自行立项研发'"), 1);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM matches WHERE reason_text IN ('see notes', '-')"), 0);
    world_teardown(&w);
}

/* The policy refuses an auto-approve score below the suggest threshold, naming the member changed. */
void test_web_broker_policy_refuses_auto_below_suggest(void)
{
    world w;
    if (world_setup(&w, "web_policy.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    test_resp *r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN],
                             "{\"suggest_threshold\":0.5,\"auto_approve_score\":0.4}");
    CHECK_INT(r->status, 400);
    CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
    CHECK(test_problem_names(r, "auto_approve_score"));
    test_resp_free(r);
    /* Default threshold 0.3: an auto score below it alone is refused too, and nothing was stored. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"auto_approve_score\":0.2}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "auto_approve_score"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/policy", w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "auto_approve_score")));
    CHECK(test_jnum(r->json, "suggest_threshold") == 0.3);
    test_resp_free(r);
    /* Equal is allowed; raising the threshold alone above it then names the threshold. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN],
                  "{\"suggest_threshold\":0.4,\"auto_approve_score\":0.4}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"suggest_threshold\":0.6}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "suggest_threshold"));
    test_resp_free(r);
    /* With auto-approval off, any threshold goes. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN],
                  "{\"suggest_threshold\":0.6,\"auto_approve_score\":null}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}

/* Reads GET /api/matches/ID as role; returns its moves joined by commas ("" for none; "?" when unreadable). */
static void moves_of(world *w, int role, long id, char *out, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/api/matches/%ld", id);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
    const cJSON *moves = r->status == 200 ? cJSON_GetObjectItem(r->json, "moves") : NULL;
    size_t used = 0;
    snprintf(out, len, "%s", cJSON_IsArray(moves) ? "" : "?");
    const cJSON *m;
    cJSON_ArrayForEach(m, moves) {
        int n = snprintf(out + used, len - used, "%s%s", used ? "," : "", cJSON_GetStringValue(m));
        if (n > 0 && (size_t)n < len - used)
            used += (size_t)n;
    }
    test_resp_free(r);
}

/* A match names the moves its caller may make now, from the lifecycle table; match lists count their matches. */
void test_web_broker_match_lists_the_callers_moves(void)
{
    world w;
    char got[128];
    if (world_setup(&w, "web_moves.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long id = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    REQUIRE(id > 0);
    /* The queue's first page says how many there are in all, when asked (total=true). */
    CHECK(world_matching_achievement(&w, 2) > 0);
    test_resp *q = test_http(&w.srv, "GET", "/api/review?limit=1&total=true", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(q->status, 200);
    CHECK(test_jnum(q->json, "total") == 2 && cJSON_GetArraySize(cJSON_GetObjectItem(q->json, "items")) == 1);
    test_resp_free(q);
    q = test_http(&w.srv, "GET", "/api/matches?status=suggested&min_score=0.99&total=true", w.tok[R_BROKER], NULL,
                  NULL, 0);
    CHECK(q->status == 200 && test_jnum(q->json, "total") == 0);
    test_resp_free(q);
    moves_of(&w, R_BROKER, id, got, sizeof got);
    CHECK_STR(got, "approve,reject");
    test_resp *r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"min_score\":0}");
    test_resp_free(r);
    r = world_approve(&w, R_BROKER, id);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    moves_of(&w, R_ENT, id, got, sizeof got);
    CHECK_STR(got, "interested,declined");
    CHECK_INT(move(&w, R_ENT, id, "interested", NULL), 200);
    moves_of(&w, R_ADMIN, id, got, sizeof got);
    CHECK_STR(got, "in_talks,close");
    moves_of(&w, R_ENT, id, got, sizeof got);
    CHECK_STR(got, "declined");
    CHECK_INT(move(&w, R_BROKER, id, "in_talks", NULL), 200);
    moves_of(&w, R_UNI, id, got, sizeof got);
    CHECK_STR(got, ""); /* the university sees the match now, and has no move */
    moves_of(&w, R_BROKER, id, got, sizeof got);
    CHECK_STR(got, "deal,close");
    world_teardown(&w);
}
