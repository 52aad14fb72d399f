/*
 * test_api_contract.c: the API keeps its published contract (docs/openapi.json):
 * refusals of JSON bodies are documented, events, matches and history answer
 * in the documented shapes, request bodies refuse what their schemas refuse,
 * and every 401 says how to authenticate.  Each test ends by checking its own
 * exchanges with tests/openapi_conform.mjs (test_conform), besides its own
 * assertions; the last test of the list checks every test's.
 */
#include "api_world.h"
#include "embedded.h"
#include "http.h"
#include "parse.h"
#include "sbuf.h"
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Fails the calling test with the report when its exchanges break the document. */
static void check_conforms(const char *file, int line)
{
    char *report = NULL;
    int rc = test_conform(test_current_name(), &report);
    if (rc != 0)
        test_fail(file, line, "this test's exchanges break docs/openapi.json (%d):\n%s", rc, report ? report : "");
    free(report);
}
#define CHECK_CONFORMS() check_conforms(__FILE__, __LINE__)

/* The world's token of a role allowed by roles (a bit set of http.h's ROLE_*), or NULL for anonymous. */
static const char *token_for(const world *w, unsigned roles)
{
    static const struct { unsigned bit; int role; } order[] = {
        { ROLE_ENTERPRISE, R_ENT }, { ROLE_UNIVERSITY, R_UNI }, { ROLE_BROKER, R_BROKER }, { ROLE_ADMIN, R_ADMIN },
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (roles & order[i].bit)
            return w->tok[order[i].role];
    return NULL;
}

/* pattern with every {name} segment replaced by 1, in out. */
static void concrete_path(const char *pattern, char *out, size_t len)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 2 < len; p++) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL)
                break;
            out[n++] = '1';
            p = close;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

/* The operation of method (upper case) and pattern in the document, or NULL. */
static const cJSON *operation_of(const cJSON *doc, const char *method, const char *pattern)
{
    char lower[16];
    size_t k = 0;
    for (; method[k] && k < sizeof lower - 1; k++)
        lower[k] = (char)tolower((unsigned char)method[k]);
    lower[k] = '\0';
    return cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "paths"), pattern), lower);
}

/*
 * Every route that takes a JSON body answers 413 to a body over its limit and
 * 415 to another media type, and its operation declares both (issue 13, item 14:
 * twelve operations did not).
 */
void test_api_contract_json_body_refusals_are_documented(void)
{
    world w;
    if (world_setup(&w, "contract_bodies.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    cJSON *doc = cJSON_Parse(embedded_openapi_json);
    REQUIRE(doc != NULL);
    sbuf big;
    sbuf_init(&big);
    size_t tried = 0;
    for (size_t i = 0; i < http_routes_count; i++) {
        const route *rt = &http_routes[i];
        if (rt->body != BODY_JSON)
            continue;
        tried++;
        const cJSON *responses = cJSON_GetObjectItem(operation_of(doc, rt->method, rt->pattern), "responses");
        if (!cJSON_HasObjectItem(responses, "413") || !cJSON_HasObjectItem(responses, "415"))
            test_fail(__FILE__, __LINE__, "%s %s does not declare 413 and 415", rt->method, rt->pattern);
        char path[256];
        concrete_path(rt->pattern, path, sizeof path);
        const char *tok = token_for(&w, rt->roles);
        sbuf_reset(&big);
        sbuf_adds(&big, "{\"text\":\"");
        while (big.len < rt->body_limit + 16) /* just over this route's limit */
            sbuf_adds(&big, "0123456789abcdef");
        sbuf_adds(&big, "\"}");
        test_resp *r = test_http(&w.srv, rt->method, path, tok, JSON, big.buf, big.len);
        if (r->status != 413)
            test_fail(__FILE__, __LINE__, "%s %s with %zu bytes: %ld", rt->method, path, big.len, r->status);
        test_resp_free(r);
        r = test_http(&w.srv, rt->method, path, tok, "text/plain", "{}", 2);
        if (r->status != 415)
            test_fail(__FILE__, __LINE__, "%s %s as text/plain: %ld", rt->method, path, r->status);
        test_resp_free(r);
    }
    CHECK(tried >= 18); /* register, login, listings, pipeline moves, settings, webhooks, staff */
    sbuf_cleanup(&big);
    cJSON_Delete(doc);
    world_teardown(&w);
    CHECK_CONFORMS();
}

/* Reads the receiver's "port N" line; returns N or -1. */
static int receiver_port(int fd)
{
    char line[128];
    int64_t port = 0;
    const char *end = NULL;
    if (test_read_line(fd, line, sizeof line, 20000) != 0 || strncmp(line, "port ", 5) != 0 ||
        parse_int64_prefix(line + 5, 1, 65535, &port, &end) != TM_OK)
        return -1;
    return (int)port;
}

/* Waits up to 20 s for an inbox item of this type; returns 1 when it came. */
static int inbox_has(world *w, const char *type)
{
    for (int i = 0; i < 200; i++) {
        test_resp *r = world_inbox(w, R_ENT, 0);
        int found = r->status == 200 && strstr(r->body, type) != NULL;
        test_resp_free(r);
        if (found)
            return 1;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return 0;
}

/*
 * The inbox carries match.pushed and webhook.disabled events, the match detail,
 * the assignment, the review queue and the proposal show whole listings and the
 * statement, notes and history are typed: all as the document says.
 */
void test_api_contract_events_matches_and_history_conform(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    int port = receiver_port(rfd);
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-retry-ms", "100", NULL };
    world w;
    if (port < 0 || world_setup(&w, "contract_events.db", extra) != 0) {
        test_fail(__FILE__, __LINE__, "no receiver or no world");
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    /* An endpoint that answers 410 Gone: the first delivery disables it (webhook.disabled). */
    char body[512], path[96];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/gone\",\"description\":\"gone\"}", port);
    test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT], body);
    CHECK_INT(r->status, 201);
    test_resp_free(r);

    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    REQUIRE(m > 0);
    r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(inbox_has(&w, "match.pushed"));
    CHECK(inbox_has(&w, "webhook.disabled"));

    /* The match as each side and the broker see it, with a note and an assignment. */
    snprintf(path, sizeof path, "/api/matches/%ld/notes", m);
    r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], "{\"text\":\"called the university\"}");
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/me", w.tok[R_BROKER], NULL, NULL, 0);
    long broker = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/matches/%ld/assign", m);
    snprintf(body, sizeof body, "{\"broker_id\":%ld}", broker);
    r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], body);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(cJSON_GetObjectItem(r->json, "demand"), "kind"), "demand"); /* the whole listing */
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/matches/%ld", m);
    static const int roles[] = { R_ENT, R_BROKER }; /* the university sees it once the enterprise is interested */
    for (size_t i = 0; i < 2; i++) {
        r = test_http(&w.srv, "GET", path, w.tok[roles[i]], NULL, NULL, 0);
        CHECK_INT(r->status, 200);
        CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "achievement"), "abstract") != NULL);
        test_resp_free(r);
    }
    snprintf(path, sizeof path, "/api/matches/%ld/history", m);
    r = test_http(&w.srv, "GET", path, w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")) >= 3); /* approve, note, assign */
    test_resp_free(r);

    /* A proposal answers its statement; the review queue shows it with both listings. */
    long a = world_matching_achievement(&w, 2);
    long d = world_create(&w.srv, "/api/demands", w.tok[R_ENT2],
                          "{\"title\":\"煤矿井下巡检机器人\",\"description\":\"巡检\",\"fields\":[\"B06\"]}");
    snprintf(body, sizeof body, "{\"demand_id\":%ld,\"achievement_id\":%ld,\"statement\":\"我们能做\"}", d, a);
    r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "statement"), "我们能做");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/review", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")) >= 1);
    test_resp_free(r);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
    CHECK_CONFORMS();
}

/* Assignment and NoteInput refuse unknown members, naming them, and change nothing. */
void test_api_contract_unknown_members_are_refused_everywhere(void)
{
    world w;
    if (world_setup(&w, "contract_members.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    REQUIRE(m > 0);
    char path[96], history[96];
    snprintf(history, sizeof history, "/api/matches/%ld/history", m);
    static const char *const cases[][3] = {
        { "assign", "{\"broker_id\":null,\"priority\":1}", "priority" },
        { "notes", "{\"text\":\"a note\",\"private\":true}", "private" },
        { "reject", "{\"reason\":\"duplicate\",\"why\":\"x\"}", "why" },
        { "deal", "{\"amount\":1,\"transfer_mode\":\"license\",\"currency\":\"CNY\"}", "currency" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "/api/matches/%ld/%s", m, cases[i][0]);
        test_resp *r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], cases[i][1]);
        if (r->status != 400 || !test_problem_names(r, cases[i][2]))
            test_fail(__FILE__, __LINE__, "%s %s: %ld %s", path, cases[i][1], r->status, r->body);
        test_resp_free(r);
    }
    static const char *const elsewhere[][4] = {
        { "PUT", "/api/policy", "{\"suggest_threshold\":0.2,\"mood\":1}", "mood" },
        { "POST", "/api/matches/bulk", "{\"action\":\"approve\",\"ids\":[1],\"text\":\"x\"}", "text" },
        { "POST", "/api/users",
          "{\"email\":\"x@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\","
          "\"role\":\"broker\",\"team\":\"a\"}", "team" },
    };
    for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++) {
        test_resp *r = test_json(&w.srv, elsewhere[i][0], elsewhere[i][1], w.tok[R_ADMIN], elsewhere[i][2]);
        if (r->status != 400 || !test_problem_names(r, elsewhere[i][3]))
            test_fail(__FILE__, __LINE__, "%s %s: %ld %s", elsewhere[i][1], elsewhere[i][2], r->status, r->body);
        test_resp_free(r);
    }
    /* Nothing was stored: no note, no assignment, no move. */
    test_resp *r = test_http(&w.srv, "GET", history, w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    world_teardown(&w);
    CHECK_CONFORMS();
}

/* Validates json against components/schemas/name with the conformance script; returns its exit status. */
static int schema_says(const char *name, const char *json, char **out)
{
    const char *argv[] = { "/usr/bin/env", "node", "tests/openapi_conform.mjs", "docs/openapi.json", "--schema",
                           name, json, NULL };
    return test_run(argv, NULL, out, NULL);
}

/* "reason other requires text" is in the schema (if/then) as well as enforced by the server. */
void test_api_contract_reason_other_needs_text_in_the_schema_too(void)
{
    static const struct { const char *schema, *json; int valid; } cases[] = {
        { "Reason", "{\"reason\":\"other\"}", 0 },
        { "Reason", "{\"reason\":\"other\",\"text\":\"\"}", 0 },
        { "Reason", "{\"reason\":\"other\",\"text\":\"not our field\"}", 1 },
        { "Reason", "{\"reason\":\"duplicate\"}", 1 },
        { "BulkDecision", "{\"action\":\"reject\",\"ids\":[1],\"reason\":\"other\"}", 0 },
        { "BulkDecision", "{\"action\":\"reject\",\"ids\":[1],\"reason\":\"other\",\"text\":\"why\"}", 1 },
        { "BulkDecision", "{\"action\":\"approve\",\"ids\":[1],\"reason\":\"duplicate\"}", 0 },
        { "Assignment", "{\"broker_id\":null,\"priority\":1}", 0 },
        { "NoteInput", "{\"text\":\"a\",\"private\":true}", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        int rc = schema_says(cases[i].schema, cases[i].json, &out);
        if (rc != (cases[i].valid ? 0 : 1))
            test_fail(__FILE__, __LINE__, "%s %s: %d (%s)", cases[i].schema, cases[i].json, rc, out ? out : "");
        free(out);
    }
    world w;
    if (world_setup(&w, "contract_other.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/reject", m);
    test_resp *r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], "{\"reason\":\"other\"}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "text"));
    test_resp_free(r);
    world_teardown(&w);
    CHECK_CONFORMS();
}

/* A taken email is 409 when an admin adds staff, as it is at registration. */
void test_api_contract_add_staff_taken_email_is_409(void)
{
    world w;
    if (world_setup(&w, "contract_staff.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *body = "{\"email\":\"twice@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\","
                       "\"role\":\"broker\"}";
    test_resp *r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN], body);
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN], body);
    CHECK_INT(r->status, 409);
    CHECK(strncmp(test_jstr(r->json, "detail") ? test_jstr(r->json, "detail") : "", "email:", 6) == 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/users", w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 3); /* broker, admin, the new one */
    test_resp_free(r);
    world_teardown(&w);
    CHECK_CONFORMS();
}

/*
 * Every 401 carries WWW-Authenticate (RFC 9110): org=me without a token, a
 * wrong password, each signed-in route without a token, every route with a
 * forged one.
 */
void test_api_contract_every_401_says_how_to_authenticate(void)
{
    world w;
    if (world_setup(&w, "contract_401.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const char *const reads[] = { "/api/demands?org=me", "/api/achievements?org=me" };
    for (size_t i = 0; i < 2; i++) {
        test_resp *r = test_http(&w.srv, "GET", reads[i], NULL, NULL, NULL, 0);
        CHECK_INT(r->status, 401);
        if (test_resp_header(r, "WWW-Authenticate") == NULL)
            test_fail(__FILE__, __LINE__, "GET %s: 401 without WWW-Authenticate", reads[i]);
        test_resp_free(r);
    }
    test_resp *r = test_json(&w.srv, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"nobody@example.org\",\"password\":\"wrong password\"}");
    CHECK_INT(r->status, 401);
    CHECK(test_resp_header(r, "WWW-Authenticate") != NULL);
    test_resp_free(r);
    /* The operator's route (GET /metrics) reads no session: its own test is tests/test_api_metrics.c. */
    for (size_t i = 0; i < http_routes_count; i++) {
        if (http_routes[i].roles & (ROLE_ANON | ROLE_OPERATOR))
            continue;
        char path[256];
        concrete_path(http_routes[i].pattern, path, sizeof path);
        r = test_http(&w.srv, http_routes[i].method, path, NULL, NULL, NULL, 0);
        if (r->status != 401 || test_resp_header(r, "WWW-Authenticate") == NULL)
            test_fail(__FILE__, __LINE__, "%s %s anonymously: %ld", http_routes[i].method, path, r->status);
        test_resp_free(r);
    }
    /* A forged token is 401 on every route, public ones included, and says why. */
    for (size_t i = 0; i < http_routes_count; i++) {
        if (http_routes[i].roles & ROLE_OPERATOR)
            continue;
        char path[256];
        concrete_path(http_routes[i].pattern, path, sizeof path);
        r = test_http(&w.srv, http_routes[i].method, path, "tm_forged", NULL, NULL, 0);
        const char *how = test_resp_header(r, "WWW-Authenticate");
        if (r->status != 401 || how == NULL || strstr(how, "invalid_token") == NULL)
            test_fail(__FILE__, __LINE__, "%s %s with a forged token: %ld", http_routes[i].method, path, r->status);
        test_resp_free(r);
    }
    world_teardown(&w);
    CHECK_CONFORMS();
}
