/*
 * test_api_matches.c: matching over HTTP and the match lifecycle: suggestions
 * scored and explained, re-scored on edit and withdrawn on close, hostile
 * text, the server catching up with a CLI import, and the whole pipeline with
 * two brokers (assignment, notes, approval, the review queue, interest,
 * proposals, deals, history, statistics and the decisions export).
 */
#include "api_world.h"
#include "sbuf.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------- matching ---------- */

/* Finds the stored match of (demand, achievement) with this status; returns its score or -1. */
static double stored_score(const world *w, const char *status, long demand, long achievement, cJSON **explanation)
{
    char path[128];
    snprintf(path, sizeof path, "/api/matches?status=%s&limit=100", status);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_BROKER], NULL, NULL, 0);
    double score = -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
        if ((long)test_jnum(cJSON_GetObjectItem(it, "demand"), "id") == demand &&
            (long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id") == achievement) {
            score = test_jnum(it, "score");
            if (explanation)
                *explanation = cJSON_Duplicate(cJSON_GetObjectItem(it, "explanation"), 1);
        }
    }
    test_resp_free(r);
    return score;
}

void test_api_matching_suggests_rescores_and_withdraws(void)
{
    world w;
    if (world_setup(&w, "matching.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long a = world_create(&w.srv, "/api/achievements", w.tok[R_UNI],
                          "{\"title\":\"液压支架电液控制系统及其智能控制方法\",\"abstract\":\"综采工作面液压支架电液控制，支架动作响应小于0.5秒，国产化替代。\","
                          "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"],\"trl\":7}");
    cJSON *e = NULL;
    double first = stored_score(&w, "suggested", w.demand_id, a, &e);
    CHECK(first >= 0.2 && first <= 1.0);
    REQUIRE(e != NULL);
    CHECK(test_jnum(e, "k") > 0);
    CHECK(test_jnum(e, "f") == 1.0); /* B06 on both sides */
    int phrase = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(e, "terms"))
        phrase |= strstr(test_jstr(t, "text"), "液压支架") != NULL;
    CHECK(phrase);
    cJSON_Delete(e);

    /* The owner sees it live, best first, with the explanation. */
    char path[128];
    snprintf(path, sizeof path, "/api/demands/%ld/matches", w.demand_id);
    test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    const cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(top, "achievement"), "id"), a);
    CHECK(fabs(test_jnum(top, "score") - first) < 1e-9);
    CHECK(cJSON_GetObjectItem(top, "explanation") != NULL);
    test_resp_free(r);
    /* The university sees the demand anonymously. */
    snprintf(path, sizeof path, "/api/achievements/%ld/matches", a);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    top = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(top, "demand"), "id"), w.demand_id);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(top, "demand"), "budget_min") == NULL);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(top, "demand"), "org") == NULL);
    test_resp_free(r);

    /* An edit re-scores the pair. */
    snprintf(path, sizeof path, "/api/achievements/%ld", a);
    r = test_json(&w.srv, "PATCH", path, w.tok[R_UNI], "{\"abstract\":\"液压支架\",\"keywords\":[]}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    double second = stored_score(&w, "all", w.demand_id, a, NULL);
    CHECK(second >= 0 && fabs(second - first) > 1e-6);

    /* Closing withdraws the suggestion. */
    snprintf(path, sizeof path, "/api/achievements/%ld/close", a);
    r = test_http(&w.srv, "POST", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(stored_score(&w, "suggested", w.demand_id, a, NULL) < 0);
    CHECK(stored_score(&w, "withdrawn", w.demand_id, a, NULL) >= 0);
    snprintf(path, sizeof path, "/api/demands/%ld/matches", w.demand_id);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        CHECK((long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id") != a);
    test_resp_free(r);

    /* Bad filters are named. */
    r = test_http(&w.srv, "GET", "/api/matches?min_score=2", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "min_score"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/matches?status=maybe", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_matching_survives_empty_and_hostile_text(void)
{
    world w;
    if (world_setup(&w, "hostile.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /* All punctuation, all stop words, and a long body of mixed junk: stored, matched, no crash. */
    static const char *const bodies[] = {
        "{\"title\":\"！！！……。。。，，，——\",\"description\":\"?!.,;:()[]{}<>\"}",
        "{\"title\":\"the of and\",\"description\":\"with which from into\"}",
    };
    for (size_t i = 0; i < 2; i++) {
        long id = world_create(&w.srv, "/api/demands", w.tok[R_ENT], bodies[i]);
        char path[64];
        snprintf(path, sizeof path, "/api/demands/%ld/matches", id);
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
        CHECK_INT(r->status, 200);
        CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
        test_resp_free(r);
    }
    sbuf big;
    sbuf_init(&big);
    sbuf_adds(&big, "{\"title\":\"长文本\",\"abstract\":\"");
    for (int i = 0; i < 250; i++) /* about 7,500 characters, under the 10,000 limit */
        sbuf_adds(&big, "液压支架 hydraulic 5G PM2.5 ＧＢ／Ｔ ");
    sbuf_adds(&big, "\"}");
    long a = world_create(&w.srv, "/api/achievements", w.tok[R_UNI], big.buf);
    CHECK(a > 0);
    sbuf_cleanup(&big);
    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld/matches", a);
    test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_server_catches_up_with_cli_imports(void)
{
    world w;
    if (world_setup(&w, "catchup.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *file = test_path("catchup.jsonl");
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    fputs("{\"ref\":\"CU-1\",\"title\":\"液压支架电液控制系统国产化成套技术\",\"abstract\":\"综采工作面液压支架电液控制\","
          "\"keywords\":[\"液压支架\"],\"fields\":[\"B06\"]}\n", f);
    fclose(f);
    /* Another process writes to the database the server is using. */
    const char *argv[] = { test_bin(), "import", "achievements", file, "--org", "中国矿业大学", "--db", w.srv.db, NULL };
    char *out = NULL;
    CHECK_INT(test_run(argv, NULL, &out, NULL), 0);
    CHECK_CONTAINS(out, "1 created");
    free(out);
    /* The import matched it; the server's index picks it up within seconds. */
    long found = 0;
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld/matches", w.demand_id);
    for (int tries = 0; tries < 40 && !found; tries++) {
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            const char *title = test_jstr(cJSON_GetObjectItem(it, "achievement"), "title");
            if (title && strstr(title, "成套技术"))
                found = (long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id");
        }
        test_resp_free(r);
        if (!found)
            usleep(250 * 1000);
    }
    CHECK(found > 0);
    CHECK(stored_score(&w, "suggested", w.demand_id, found, NULL) >= 0.3);
    world_teardown(&w);
}

/* ---------- the pipeline ---------- */

static test_resp *match_post(world *w, int role, const char *token, long id, const char *what, const char *json)
{
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/%s", id, what);
    return test_http(&w->srv, "POST", path, token ? token : w->tok[role], json ? "application/json" : NULL, json,
                     json ? strlen(json) : 0);
}

static test_resp *match_get(world *w, int role, long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/matches/%ld", id);
    return test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
}

/* Checks a move's answer: status and, for 200, the match's new status; for 409, a move named. */
static void expect_move(test_resp *r, long status, const char *text, int line)
{
    if (r->status != status)
        test_fail(__FILE__, line, "expected %ld, got %ld: %s", status, r->status, r->body);
    else if (status == 200 && strcmp(test_jstr(r->json, "status"), text) != 0)
        test_fail(__FILE__, line, "status %s, expected %s", test_jstr(r->json, "status"), text);
    else if (status != 200 && text && strstr(r->body, text) == NULL)
        test_fail(__FILE__, line, "'%s' not in %s", text, r->body);
    test_resp_free(r);
}
#define EXPECT_MOVE(r, status, text) expect_move((r), (status), (text), __LINE__)

typedef struct racer {
    world *w;
    const char *token;
    long match_id;
    long status;
} racer;

static void *race_approve(void *arg)
{
    racer *x = arg;
    test_resp *r = match_post(x->w, 0, x->token, x->match_id, "approve", NULL);
    x->status = r->status;
    test_resp_free(r);
    return NULL;
}

void test_api_pipeline_whole_lifecycle_with_two_brokers(void)
{
    world w;
    if (world_setup(&w, "pipeline.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char *broker2 = test_add_staff(&w.srv, "broker", "broker2@example.org");
    REQUIRE(broker2 != NULL);
    test_resp *r = test_http(&w.srv, "GET", "/api/me", broker2, NULL, NULL, 0);
    long broker2_id = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    long a = world_matching_achievement(&w, 1), m = world_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);

    /* Before it is pushed, the enterprise cannot see the match. */
    r = match_get(&w, R_ENT, m);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    /* Assign, note, approve. */
    char body[128];
    snprintf(body, sizeof body, "{\"broker_id\":%ld}", broker2_id);
    r = match_post(&w, R_BROKER, NULL, m, "assign", body);
    CHECK(r->status == 200 && (long)test_jnum(r->json, "assigned_to") == broker2_id);
    test_resp_free(r);
    r = match_post(&w, R_BROKER, NULL, m, "assign", "{\"broker_id\":1}"); /* the enterprise's user, not a broker */
    CHECK(r->status == 400 && test_problem_names(r, "broker_id"));
    test_resp_free(r);
    r = match_post(&w, 0, broker2, m, "notes", "{\"text\":\"<b>called</b> the university\"}");
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    EXPECT_MOVE(match_post(&w, 0, broker2, m, "approve", NULL), 200, "pushed");

    /* The enterprise opens it (viewed), without the inventor's contact; the university sees nothing yet. */
    r = match_get(&w, R_ENT, m);
    CHECK_INT(r->status, 200);
    CHECK(strcmp(test_jstr(r->json, "status"), "viewed") == 0);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "achievement"), "contact") == NULL);
    CHECK(cJSON_GetObjectItem(r->json, "notes") == NULL);
    test_resp_free(r);
    r = match_get(&w, R_UNI, m);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = match_post(&w, R_ENT2, NULL, m, "interested", NULL);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    EXPECT_MOVE(match_post(&w, R_ENT, NULL, m, "interested", NULL), 200, "interested");
    /* Moves the lifecycle does not allow are 409 with the allowed ones named. */
    EXPECT_MOVE(match_post(&w, R_ENT, NULL, m, "interested", NULL), 409, "declined");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m, "deal", "{\"amount\":500000,\"transfer_mode\":\"license\"}"), 409,
                "in_talks, close");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m, "in_talks", NULL), 200, "in_talks");

    /* Introduced: both sides now see each other's contacts for this match. */
    r = match_get(&w, R_ENT, m);
    CHECK(strcmp(test_jstr(cJSON_GetObjectItem(r->json, "achievement"), "contact"), "secret@uni") == 0);
    test_resp_free(r);
    r = match_get(&w, R_UNI, m);
    CHECK_INT(r->status, 200);
    CHECK(strstr(test_jstr(cJSON_GetObjectItem(r->json, "demand"), "contact"), "138") != NULL);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "demand"), "org") != NULL);
    test_resp_free(r);
    r = match_get(&w, R_UNI2, m);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m, "deal", "{\"amount\":-1,\"transfer_mode\":\"license\"}"), 400,
                "amount");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m, "deal", "{\"amount\":5,\"transfer_mode\":\"gift\"}"), 400,
                "transfer_mode");
    r = match_post(&w, R_BROKER, NULL, m, "deal", "{\"amount\":500000,\"transfer_mode\":\"license\"}");
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "deal") == 0);
    test_resp_free(r);
    r = match_get(&w, R_BROKER, m);
    CHECK((long)test_jnum(r->json, "deal_amount") == 500000);
    CHECK(strcmp(test_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "notes"), 0), "text"),
                 "<b>called</b> the university") == 0);
    test_resp_free(r);

    /* The history: every action, who and when, before and after. */
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/history", m);
    r = test_http(&w.srv, "GET", path, w.tok[R_BROKER], NULL, NULL, 0);
    static const char *const want[] = { "match.assign", "match.note", "match.approve", "match.view",
                                        "match.interested", "match.in_talks", "match.deal" };
    const cJSON *items = cJSON_GetObjectItem(r->json, "items");
    CHECK_INT(cJSON_GetArraySize(items), 7);
    for (int i = 0; i < 7 && i < cJSON_GetArraySize(items); i++)
        CHECK(strcmp(test_jstr(cJSON_GetArrayItem(items, i), "action"), want[i]) == 0);
    const cJSON *last = cJSON_GetArrayItem(items, 6);
    CHECK(strcmp(test_jstr(cJSON_GetObjectItem(last, "before"), "status"), "in_talks") == 0);
    CHECK(strcmp(test_jstr(cJSON_GetObjectItem(last, "after"), "status"), "deal") == 0);
    test_resp_free(r);

    /* Reject, with the reasons checked. */
    long m2 = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 2));
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"meh\"}"), 400, "reason");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"other\"}"), 400, "text");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"benefit_unclear\"}"), 200, "rejected");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"benefit_unclear\"}"), 409, "none");
    /* Decline. */
    long m3 = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 3));
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m3, "approve", NULL), 200, "pushed");
    EXPECT_MOVE(match_post(&w, R_ENT, NULL, m3, "declined", "{\"reason\":\"too_early_stage\"}"), 200, "declined");

    /* Two brokers decide at the same moment: one wins, the other gets 409, one event is pushed. */
    long m4 = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 4));
    racer x1 = { &w, w.tok[R_BROKER], m4, 0 }, x2 = { &w, broker2, m4, 0 };
    pthread_t t1, t2;
    pthread_create(&t1, NULL, race_approve, &x1);
    pthread_create(&t2, NULL, race_approve, &x2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK((x1.status == 200 && x2.status == 409) || (x1.status == 409 && x2.status == 200));
    r = world_inbox(&w, R_ENT, 0);
    int events_m4 = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        events_m4 += (long)test_jnum(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "event"), "data"), "match_id") == m4;
    CHECK_INT(events_m4, 1);
    test_resp_free(r);

    /* Bulk: a result per id. */
    long m5 = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 5));
    long m6 = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 6));
    snprintf(body, sizeof body,
             "{\"action\":\"reject\",\"ids\":[%ld,%ld,999999],\"reason\":\"other\",\"text\":\"=1+1\"}", m5, m6);
    r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER], body);
    CHECK_INT(r->status, 200);
    const cJSON *res = cJSON_GetObjectItem(r->json, "results");
    CHECK(strcmp(test_jstr(cJSON_GetArrayItem(res, 0), "result"), "done") == 0);
    CHECK(strcmp(test_jstr(cJSON_GetArrayItem(res, 1), "status"), "rejected") == 0);
    CHECK(strcmp(test_jstr(cJSON_GetArrayItem(res, 2), "result"), "not_found") == 0);
    test_resp_free(r);
    snprintf(body, sizeof body, "{\"action\":\"approve\",\"ids\":[%ld]}", m5);
    r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER], body);
    CHECK(strcmp(test_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "results"), 0), "result"), "conflict") == 0);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER], "{\"action\":\"reject\",\"ids\":[]}");
    CHECK(r->status == 400 && test_problem_names(r, "ids"));
    test_resp_free(r);

    /* A proposal (揭榜): the university puts its achievement forward with a statement. */
    long a7 = world_matching_achievement(&w, 7);
    snprintf(body, sizeof body, "{\"demand_id\":%ld,\"achievement_id\":%ld,\"statement\":\"我们可在三个月内完成工业试验\"}",
             w.demand_id, a7);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
    CHECK_INT(r->status, 201);
    long p7 = (long)test_jnum(r->json, "id");
    CHECK(strcmp(test_jstr(r->json, "origin"), "proposal") == 0 && test_jnum(r->json, "score") > 0);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI2], body);
    CHECK(r->status == 400 && test_problem_names(r, "achievement_id"));
    test_resp_free(r);
    snprintf(body, sizeof body, "{\"demand_id\":%ld,\"achievement_id\":%ld,\"statement\":\"again\"}", w.demand_id, a);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
    CHECK(r->status == 409 && strstr(r->body, "deal") != NULL);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], "{\"demand_id\":1}");
    CHECK(r->status == 400 && test_problem_names(r, "achievement_id") && test_problem_names(r, "statement"));
    test_resp_free(r);
    /* The university sees its proposal, the enterprise still anonymous. */
    r = match_get(&w, R_UNI, p7);
    CHECK_INT(r->status, 200);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "demand"), "org") == NULL);
    test_resp_free(r);
    /* The broker's queue: proposals with their statement and both listings in full. */
    r = test_http(&w.srv, "GET", "/api/review?origin=proposal", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    const cJSON *q0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    CHECK(q0 && (long)test_jnum(q0, "id") == p7);
    CHECK(q0 && strstr(test_jstr(q0, "statement"), "工业试验") != NULL);
    CHECK(q0 && cJSON_GetObjectItem(cJSON_GetObjectItem(q0, "demand"), "contact") != NULL);
    CHECK(q0 && cJSON_GetObjectItem(q0, "explanation") != NULL);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/review?region=贵州", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")) >= 1);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/review?region=Nowhere", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/review?assigned=bogus", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK(r->status == 400 && test_problem_names(r, "assigned"));
    test_resp_free(r);

    /* The statistics this lifecycle produced. */
    r = test_http(&w.srv, "GET", "/api/stats", w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    const cJSON *fun = cJSON_GetObjectItem(r->json, "funnel");
    CHECK(test_jnum(fun, "suggested") >= 7);
    CHECK_INT((long)test_jnum(fun, "approved"), 3);   /* m, m3, m4 */
    CHECK_INT((long)test_jnum(fun, "pushed"), 3);
    CHECK_INT((long)test_jnum(fun, "viewed"), 2);     /* m opened; m3 declined */
    CHECK_INT((long)test_jnum(fun, "interested"), 1);
    CHECK_INT((long)test_jnum(fun, "in_talks"), 1);
    CHECK_INT((long)test_jnum(fun, "deals"), 1);
    const cJSON *rs = cJSON_GetObjectItem(r->json, "reasons");
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(rs, "rejected"), "benefit_unclear"), 1);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(rs, "rejected"), "other"), 2);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(rs, "declined"), "too_early_stage"), 1);
    const cJSON *deals = cJSON_GetObjectItem(r->json, "deals");
    CHECK((long)test_jnum(deals, "count") == 1 && (long)test_jnum(deals, "amount") == 500000);
    const cJSON *bf = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "by_field"), 0);
    CHECK(bf && strcmp(test_jstr(bf, "field"), "B06") == 0 && (long)test_jnum(bf, "deals") == 1);
    const cJSON *bm = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "by_month"), 0);
    CHECK(bm && test_jnum(bm, "suggested") == test_jnum(fun, "suggested"));
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(r->json, "time_to_first_push"), "demands"), 1);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "workload")) == 2); /* two brokers */
    long approved_sum = 0, rejected_sum = 0;
    const cJSON *dist = cJSON_GetObjectItem(r->json, "score_distribution"), *bin;
    cJSON_ArrayForEach(bin, cJSON_GetObjectItem(dist, "approved")) approved_sum += (long)bin->valuedouble;
    cJSON_ArrayForEach(bin, cJSON_GetObjectItem(dist, "rejected")) rejected_sum += (long)bin->valuedouble;
    CHECK_INT(approved_sum, 3); /* m, m3, m4 */
    CHECK_INT(rejected_sum, 3); /* m2, m5, m6 */
    test_resp_free(r);
    /* Every decision, with the score parts; text that a spreadsheet would run is defused. */
    r = test_http(&w.srv, "GET", "/api/export/decisions.csv", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK(strncmp(test_resp_header(r, "Content-Type"), "text/csv", 8) == 0);
    CHECK(strncmp(r->body, "at,action,status,reason,reason_text,origin,match_id", 51) == 0);
    CHECK(strstr(r->body, ",match.reject,rejected,benefit_unclear,,matcher,") != NULL);
    CHECK(strstr(r->body, ",match.deal,deal,") != NULL);
    CHECK(strstr(r->body, ",'=1+1,") != NULL);
    CHECK(strstr(r->body, ",=1+1,") == NULL);
    test_resp_free(r);
    free(broker2);
    world_teardown(&w);
}

/* ---------- the counts the UI asks for: total=true, the queue's figures, the staff's names ---------- */

/* GET path as role; the response (the caller frees it). */
static test_resp *get_as(world *w, int role, const char *path)
{
    return test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
}

void test_api_match_lists_count_only_when_asked(void)
{
    world w;
    if (world_setup(&w, "totals.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (int i = 1; i <= 3; i++)
        REQUIRE(world_matching_achievement(&w, i) > 0);
    int suggested = test_sqlite_int(test_path("totals.db"), "SELECT count(*) FROM matches WHERE status = 'suggested'");
    REQUIRE(suggested >= 3);
    static const char *const lists[] = { "/api/matches", "/api/review" };
    for (size_t i = 0; i < 2; i++) {
        char path[96];
        test_resp *r = get_as(&w, R_BROKER, lists[i]); /* no flag: no count */
        CHECK_INT(r->status, 200);
        CHECK(cJSON_GetObjectItem(r->json, "total") == NULL);
        test_resp_free(r);
        snprintf(path, sizeof path, "%s?limit=1&total=false", lists[i]);
        r = get_as(&w, R_BROKER, path);
        CHECK(r->status == 200 && cJSON_GetObjectItem(r->json, "total") == NULL);
        test_resp_free(r);
        snprintf(path, sizeof path, "%s?limit=1&total=true", lists[i]); /* one item shown, every one counted */
        r = get_as(&w, R_BROKER, path);
        CHECK_INT(r->status, 200);
        CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
        CHECK_INT((long)test_jnum(r->json, "total"), suggested);
        test_resp_free(r);
        snprintf(path, sizeof path, "%s?total=yes", lists[i]);
        r = get_as(&w, R_ADMIN, path);
        CHECK(r->status == 400 && test_problem_names(r, "total"));
        test_resp_free(r);
    }
    /* A filter counts what it keeps: one approved match among the suggested. */
    long first = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 4));
    test_resp *r = world_approve(&w, R_BROKER, first);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = get_as(&w, R_BROKER, "/api/matches?status=pushed&total=1");
    CHECK(r->status == 200 && (long)test_jnum(r->json, "total") == 1);
    test_resp_free(r);
    /* The approval re-ranked the demand's candidates (brokers' feedback): count what is suggested now. */
    long now = test_sqlite_int(w.srv.db, "SELECT count(*) FROM matches WHERE status = 'suggested'");
    CHECK(now >= suggested - 1);
    r = get_as(&w, R_BROKER, "/api/review?total=true");
    CHECK(r->status == 200 && (long)test_jnum(r->json, "total") == now);
    test_resp_free(r);
    world_teardown(&w);
}

/* GET /api/review/summary?since=SINCE (URL-encoded by the caller) as role; checks total and mine. */
static void expect_decisions(world *w, int role, const char *since, long total, long mine, int line)
{
    char path[160];
    snprintf(path, sizeof path, "/api/review/summary?since=%s", since);
    test_resp *r = get_as(w, role, path);
    const cJSON *d = cJSON_GetObjectItem(r->json, "decisions");
    if (r->status != 200 || d == NULL)
        test_fail(__FILE__, line, "%s: %ld %s", path, r->status, r->body);
    else if ((long)test_jnum(d, "total") != total || (long)test_jnum(d, "mine") != mine)
        test_fail(__FILE__, line, "%s: total %ld mine %ld, expected %ld and %ld", path, (long)test_jnum(d, "total"),
                  (long)test_jnum(d, "mine"), total, mine);
    test_resp_free(r);
}
#define EXPECT_DECISIONS(w, role, since, total, mine) expect_decisions((w), (role), (since), (total), (mine), __LINE__)

void test_api_review_summary_counts_decisions_since_midnight(void)
{
    world w;
    if (world_setup(&w, "summary.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long ids[4] = { 0 };
    for (int i = 0; i < 4; i++)
        ids[i] = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, i + 1));
    REQUIRE(ids[0] > 0 && ids[1] > 0 && ids[2] > 0 && ids[3] > 0);

    /* The queue: four wait; the oldest is the first one created. */
    test_resp *r = get_as(&w, R_BROKER, "/api/review/summary?since=2026-03-10T00:00:00Z");
    CHECK_INT(r->status, 200);
    CHECK_INT((long)test_jnum(r->json, "waiting"), 4);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(r->json, "oldest"), "id"), ids[0]);
    CHECK(strcmp(test_jstr(cJSON_GetObjectItem(r->json, "decisions"), "since"), "2026-03-10T00:00:00Z") == 0);
    test_resp_free(r);

    /* Three decisions (the broker approves and rejects, the admin rejects), then their times set around a
     * midnight in UTC+8: 2026-03-10T00:00:00+08:00 is 2026-03-09T16:00:00Z. */
    r = world_approve(&w, R_BROKER, ids[0]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = match_post(&w, R_BROKER, NULL, ids[1], "reject", "{\"reason\":\"benefit_unclear\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = match_post(&w, R_ADMIN, NULL, ids[2], "reject", "{\"reason\":\"too_early_stage\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE audit_log SET at = CASE entity_id WHEN %ld THEN '2026-03-09T15:59:59Z'"
             " WHEN %ld THEN '2026-03-09T16:00:00Z' ELSE '2026-03-10T03:00:00Z' END"
             " WHERE entity = 'match' AND entity_id IN (%ld, %ld, %ld)",
             ids[0], ids[1], ids[0], ids[1], ids[2]);
    REQUIRE(test_sqlite_exec(test_path("summary.db"), sql) == 0);

    /* Since local midnight (+08:00): the one at midnight and the later one count; the one a second before not. */
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-10T00:00:00%2B08:00", 2, 1);
    EXPECT_DECISIONS(&w, R_ADMIN, "2026-03-10T00:00:00%2B08:00", 2, 1);
    /* The same instant written in UTC and in another offset; then a second later, and the day before. */
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-09T16:00:00Z", 2, 1);
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-09T11:00:00.000-05:00", 2, 1);
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-09T16:00:01Z", 1, 0);
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-09T00:00:00%2B08:00", 3, 2);
    EXPECT_DECISIONS(&w, R_BROKER, "2026-03-11T00:00:00%2B08:00", 0, 0);

    /*
     * What waits now (one of the four, and whatever the decisions' re-ranking of the demand suggested since);
     * a time without its offset, or no time, is refused, naming since.
     */
    r = get_as(&w, R_BROKER, "/api/review/summary?since=2026-03-10T00:00:00%2B08:00");
    CHECK_INT((long)test_jnum(r->json, "waiting"),
              test_sqlite_int(test_path("summary.db"), "SELECT count(*) FROM matches WHERE status = 'suggested'"));
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(r->json, "oldest"), "id"), ids[3]);
    test_resp_free(r);
    static const char *const bad[] = { "/api/review/summary", "/api/review/summary?since=2026-03-10",
                                       "/api/review/summary?since=2026-03-10T00:00:00",
                                       "/api/review/summary?since=2026-13-45T00:00:00Z",
                                       "/api/review/summary?since=yesterday" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = get_as(&w, R_BROKER, bad[i]);
        if (r->status != 400 || !test_problem_names(r, "since"))
            test_fail(__FILE__, __LINE__, "%s: %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
    }
    world_teardown(&w);
}

void test_api_staff_names_for_assignment(void)
{
    world w;
    if (world_setup(&w, "staffnames.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char *broker2 = test_add_staff(&w.srv, "broker", "broker2@example.org");
    REQUIRE(broker2 != NULL);
    test_resp *r = get_as(&w, R_BROKER, "/api/staff");
    CHECK_INT(r->status, 200);
    const cJSON *items = cJSON_GetObjectItem(r->json, "items"), *it = NULL;
    int brokers = 0, admins = 0;
    cJSON_ArrayForEach(it, items) {
        brokers += strcmp(test_jstr(it, "role"), "broker") == 0;
        admins += strcmp(test_jstr(it, "role"), "admin") == 0;
        CHECK(cJSON_GetObjectItem(it, "email") == NULL && cJSON_GetObjectItem(it, "org_name") == NULL);
        CHECK(test_jnum(it, "id") > 0 && strlen(test_jstr(it, "display_name")) > 0);
    }
    CHECK(brokers == 2 && admins == 1);
    test_resp_free(r);
    /* An admin may hold a match too; the history records who held it before and after. */
    r = get_as(&w, R_ADMIN, "/api/me");
    long admin_id = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    char body[64], path[96];
    snprintf(body, sizeof body, "{\"broker_id\":%ld}", admin_id);
    r = match_post(&w, R_BROKER, NULL, m, "assign", body);
    CHECK(r->status == 200 && (long)test_jnum(r->json, "assigned_to") == admin_id);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/matches/%ld/history", m);
    r = get_as(&w, R_BROKER, path);
    const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    CHECK(h && strcmp(test_jstr(h, "action"), "match.assign") == 0 &&
          (long)test_jnum(cJSON_GetObjectItem(h, "after"), "assigned_to") == admin_id);
    test_resp_free(r);
    static const int outsiders[] = { R_ANON, R_ENT, R_UNI };
    for (size_t i = 0; i < 3; i++) {
        r = get_as(&w, outsiders[i], "/api/staff");
        CHECK_INT(r->status, outsiders[i] == R_ANON ? 401 : 403);
        test_resp_free(r);
    }
    free(broker2);
    world_teardown(&w);
}
