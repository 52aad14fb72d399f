/*
 * test_api.c: the real server on a loopback port, spoken to over HTTP:
 * accounts, listings for each role, the authorization matrix, bad input,
 * search, import, restart, migrations and shutdown.
 */
#include "test.h"
#include "auth.h"
#include "http.h"
#include "sbuf.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------- a world with one user of every role ---------- */

enum { R_ANON, R_ENT, R_ENT2, R_UNI, R_UNI2, R_BROKER, R_ADMIN, R_COUNT };
static const char *const role_names[R_COUNT] = {
    "anonymous", "enterprise", "other enterprise", "university", "other university", "broker", "admin"
};

typedef struct world {
    test_server srv;
    char *tok[R_COUNT];
    long demand_id, achievement_id;
} world;

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
static long create(const test_server *s, const char *path, const char *token, const char *body)
{
    test_resp *r = test_json(s, "POST", path, token, body);
    long id = r->status == 201 ? (long)test_jnum(r->json, "id") : 0;
    if (id == 0)
        test_fail(__FILE__, __LINE__, "POST %s: %ld %s", path, r->status, r->body);
    test_resp_free(r);
    return id;
}

static int world_setup(world *w, const char *dbname, const char *const *extra)
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
            test_fail(__FILE__, __LINE__, "could not sign in the %s", role_names[i]);
            return -1;
        }
    w->demand_id = create(&w->srv, "/api/demands", w->tok[R_ENT], demand_json);
    w->achievement_id = create(&w->srv, "/api/achievements", w->tok[R_UNI], achievement_json);
    return w->demand_id && w->achievement_id ? 0 : -1;
}

static void world_teardown(world *w)
{
    if (w->srv.pid > 0)
        CHECK_INT(test_server_stop(&w->srv), 0);
    for (int i = 0; i < R_COUNT; i++)
        free(w->tok[i]);
}

/* Counts the listings an organisation has (any status), through the API. */
static int count_mine(const world *w, const char *kind, int role)
{
    char path[128];
    snprintf(path, sizeof path, "/api/%s?org=me&status=all&limit=100", kind);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
    int n = r->status == 200 ? cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")) : -1;
    test_resp_free(r);
    return n;
}

/* ---------- the authorization matrix ---------- */

typedef struct matrix_row {
    const char *method;
    const char *path;          /* {d} = the owner's demand, {a} = the owner's achievement, {x} = no such id */
    const char *content_type;
    const char *body;
    int expect[R_COUNT];       /* anonymous, ent, ent2, uni, uni2, broker, admin */
} matrix_row;

#define ALL(x) { x, x, x, x, x, x, x }
#define SIGNED(x) { 401, x, x, x, x, x, x }
#define JSON "application/json"

static const matrix_row matrix[] = {
    { "GET", "/healthz", NULL, NULL, ALL(200) },
    { "GET", "/api/openapi.json", NULL, NULL, ALL(200) },
    { "GET", "/api/fields", NULL, NULL, ALL(200) },
    { "GET", "/api/meta", NULL, NULL, ALL(200) },
    { "POST", "/api/auth/register", JSON,
      "{\"org_name\":\"Matrix Co\",\"org_kind\":\"enterprise\",\"email\":\"matrix@example.com\","
      "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"M\"}",
      { 201, 403, 403, 403, 403, 403, 403 } },
    { "POST", "/api/auth/login", JSON,
      "{\"email\":\"ent@example.com\",\"password\":\"" TEST_PASSWORD "\"}", ALL(200) },
    { "GET", "/api/me", NULL, NULL, SIGNED(200) },
    { "GET", "/api/demands", NULL, NULL, ALL(200) },
    { "POST", "/api/demands", JSON, "{\"title\":\"matrix demand\"}", { 401, 201, 201, 403, 403, 403, 403 } },
    { "POST", "/api/demands/import", "text/csv", "title\nmatrix import\n", { 401, 200, 200, 403, 403, 403, 403 } },
    { "GET", "/api/demands/{d}", NULL, NULL, ALL(200) },
    { "PATCH", "/api/demands/{d}", JSON, "{\"region\":\"贵州省\"}", { 401, 200, 403, 403, 403, 403, 403 } },
    { "GET", "/api/demands/{d}/matches", NULL, NULL, { 401, 200, 403, 403, 403, 200, 200 } },
    { "GET", "/api/achievements/{a}/matches", NULL, NULL, { 401, 403, 403, 200, 403, 200, 200 } },
    { "GET", "/api/matches", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/matches/{x}/approve", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "GET", "/api/policy", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "PUT", "/api/policy", JSON, "{\"suggest_threshold\":0.3}", { 401, 403, 403, 403, 403, 403, 200 } },
    { "GET", "/api/subscription", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "PUT", "/api/subscription", JSON, "{\"mode\":\"realtime\"}", { 401, 200, 200, 403, 403, 403, 403 } },
    { "GET", "/api/notifications", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "GET", "/api/notifications/unread", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "POST", "/api/notifications/{x}/read", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "GET", "/api/users", NULL, NULL, { 401, 403, 403, 403, 403, 403, 200 } },
    { "POST", "/api/users", JSON, "{\"email\":\"x\"}", { 401, 403, 403, 403, 403, 403, 400 } },
    { "GET", "/api/review", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/stats", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/export/decisions.csv", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/proposals", JSON, "{\"demand_id\":999999,\"achievement_id\":999999,\"statement\":\"s\"}",
      { 401, 403, 403, 400, 400, 403, 403 } },
    { "POST", "/api/matches/bulk", JSON, "{\"action\":\"approve\",\"ids\":[999999]}",
      { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/matches/{x}", NULL, NULL, { 401, 404, 404, 404, 404, 404, 404 } },
    { "POST", "/api/matches/{x}/reject", JSON, "{\"reason\":\"duplicate\"}", { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/interested", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/matches/{x}/declined", JSON, "{\"reason\":\"out_of_scope\"}", { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/matches/{x}/in_talks", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/deal", JSON, "{\"amount\":1,\"transfer_mode\":\"license\"}",
      { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/close", JSON, "{\"reason\":\"other\",\"text\":\"x\"}", { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/assign", JSON, "{\"broker_id\":null}", { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/notes", JSON, "{\"text\":\"n\"}", { 401, 403, 403, 403, 403, 404, 404 } },
    { "GET", "/api/matches/{x}/history", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/webhooks", JSON, "{\"url\":\"ftp://x\"}", { 401, 400, 400, 403, 403, 403, 403 } },
    { "GET", "/api/webhooks", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "DELETE", "/api/webhooks/{x}", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/webhooks/{x}/rotate", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/webhooks/{x}/pause", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/webhooks/{x}/resume", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/webhooks/{x}/ping", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "GET", "/api/webhooks/{x}/deliveries", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/webhooks/{x}/deliveries/{x}/resend", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    /* A stream does not end: see matrix_header. */
    { "GET", "/api/stream", NULL, NULL, { 401, 400, 400, 403, 403, 403, 403 } },
    { "POST", "/api/demands/{d}/close", NULL, NULL, { 401, 200, 403, 403, 403, 403, 403 } },
    { "GET", "/api/achievements", NULL, NULL, ALL(200) },
    { "POST", "/api/achievements", JSON, "{\"title\":\"matrix achievement\"}", { 401, 403, 403, 201, 201, 403, 403 } },
    { "POST", "/api/achievements/import", "application/x-ndjson", "{\"title\":\"matrix import\"}\n",
      { 401, 403, 403, 200, 200, 403, 403 } },
    { "GET", "/api/achievements/{a}", NULL, NULL, ALL(200) },
    { "PATCH", "/api/achievements/{a}", JSON, "{\"trl\":8}", { 401, 403, 403, 200, 403, 403, 403 } },
    { "POST", "/api/achievements/{a}/close", NULL, NULL, { 401, 403, 403, 200, 403, 403, 403 } },
    /* Last: it ends each caller's session. */
    { "POST", "/api/auth/logout", NULL, NULL, SIGNED(200) },
};

/* Fills the placeholders of a matrix path: {d} and {a} with d and a, {x} with x. */
/* An extra header for a row: the stream gets a Last-Event-ID from the future, so an enterprise gets a quick 400. */
static const char *matrix_header(const matrix_row *m)
{
    return strcmp(m->path, "/api/stream") == 0 ? "Last-Event-ID: 999999" : NULL;
}

static void expand(const char *tmpl, long d, long a, long x, char *out, size_t len)
{
    sbuf b;
    sbuf_init(&b);
    for (const char *p = tmpl; *p; p++) {
        if (strncmp(p, "{d}", 3) == 0 || strncmp(p, "{a}", 3) == 0 || strncmp(p, "{x}", 3) == 0) {
            sbuf_printf(&b, "%ld", p[1] == 'd' ? d : p[1] == 'a' ? a : x);
            p += 2;
        } else {
            sbuf_addc(&b, *p);
        }
    }
    snprintf(out, len, "%s", b.buf);
    sbuf_cleanup(&b);
}

void test_api_authorization_matrix_covers_every_route(void)
{
    for (size_t i = 0; i < http_routes_count; i++) {
        int found = 0;
        for (size_t k = 0; k < sizeof matrix / sizeof matrix[0] && !found; k++) {
            char pattern[256];
            expand(matrix[k].path, 0, 0, 0, pattern, sizeof pattern);
            sbuf want;
            sbuf_init(&want);
            for (const char *p = http_routes[i].pattern; *p; p++) {
                if (*p == '{') {
                    sbuf_addc(&want, '0');
                    p = strchr(p, '}');
                } else {
                    sbuf_addc(&want, *p);
                }
            }
            found = strcmp(matrix[k].method, http_routes[i].method) == 0 && strcmp(pattern, want.buf) == 0;
            sbuf_cleanup(&want);
        }
        if (!found)
            test_fail(__FILE__, __LINE__, "route %s %s has no row in the authorization matrix",
                      http_routes[i].method, http_routes[i].pattern);
    }
}

void test_api_authorization_matrix(void)
{
    world w;
    if (world_setup(&w, "matrix.db", NULL) == 0) {
        for (size_t k = 0; k < sizeof matrix / sizeof matrix[0]; k++) {
            for (int role = 0; role < R_COUNT; role++) {
                char path[256];
                const matrix_row *m = &matrix[k];
                expand(m->path, w.demand_id, w.achievement_id, 999999, path, sizeof path);
                test_resp *r = test_http_ex(&w.srv, m->method, path, w.tok[role], m->content_type, m->body,
                                            m->body ? strlen(m->body) : 0, matrix_header(m), 60000);
                if (r->status != m->expect[role])
                    test_fail(__FILE__, __LINE__, "%s %s as %s: %ld, expected %d (%s)", m->method, path,
                              role_names[role], r->status, m->expect[role], r->body);
                if (r->status >= 400) {
                    const char *ct = test_resp_header(r, "Content-Type");
                    if (ct == NULL || strcmp(ct, "application/problem+json") != 0)
                        test_fail(__FILE__, __LINE__, "%s %s: an error without problem+json", m->method, path);
                }
                test_resp_free(r);
            }
        }
    }
    world_teardown(&w);
}

/* ---------- who sees what ---------- */

void test_api_private_members_by_role(void)
{
    world w;
    if (world_setup(&w, "privacy.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const int sees[R_COUNT] = { 0, 1, 0, 0, 0, 1, 1 };
    static const int sees_achievement_contact[R_COUNT] = { 0, 0, 0, 1, 0, 1, 1 };
    for (int role = 0; role < R_COUNT; role++) {
        char path[64];
        snprintf(path, sizeof path, "/api/demands/%ld", w.demand_id);
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[role], NULL, NULL, 0);
        int has_budget = cJSON_GetObjectItem(r->json, "budget_min") != NULL;
        int has_contact = cJSON_GetObjectItem(r->json, "contact") != NULL;
        int has_org = cJSON_GetObjectItem(r->json, "org") != NULL;
        if (has_budget != sees[role] || has_contact != sees[role] || has_org != sees[role])
            test_fail(__FILE__, __LINE__, "demand as %s: budget %d contact %d org %d", role_names[role],
                      has_budget, has_contact, has_org);
        test_resp_free(r);

        /* The same rule holds in lists. */
        r = test_http(&w.srv, "GET", "/api/demands", w.tok[role], NULL, NULL, 0);
        const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
        if ((cJSON_GetObjectItem(first, "budget_max") != NULL) != sees[role])
            test_fail(__FILE__, __LINE__, "demand list as %s shows the budget wrongly", role_names[role]);
        test_resp_free(r);

        snprintf(path, sizeof path, "/api/achievements/%ld", w.achievement_id);
        r = test_http(&w.srv, "GET", path, w.tok[role], NULL, NULL, 0);
        if ((cJSON_GetObjectItem(r->json, "contact") != NULL) != sees_achievement_contact[role])
            test_fail(__FILE__, __LINE__, "achievement contact as %s shown wrongly", role_names[role]);
        CHECK(cJSON_GetObjectItem(r->json, "price") != NULL);
        test_resp_free(r);
    }
    /* Listing demands by another enterprise's id would unmask it. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?org=1", w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    world_teardown(&w);
}

/* ---------- accounts ---------- */

void test_api_register_login_me_logout(void)
{
    test_server s;
    unlink(test_path("accounts.db"));
    REQUIRE(test_server_start(&s, test_path("accounts.db"), NULL) == 0);
    test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL,
                             "{\"org_name\":\"湄潭翠芽茶业\",\"org_kind\":\"enterprise\",\"email\":\"Tea@Example.com\","
                             "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"茶叶张\"}");
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "role"), "enterprise");
    CHECK(cJSON_GetObjectItem(r->json, "password") == NULL);
    test_resp_free(r);

    /* Emails are matched without regard to case. */
    r = test_json(&s, "POST", "/api/auth/login", NULL,
                  "{\"email\":\"tea@example.com\",\"password\":\"" TEST_PASSWORD "\"}");
    CHECK_INT(r->status, 200);
    const char *tok = test_jstr(r->json, "token");
    REQUIRE(tok != NULL);
    char *token = strdup(tok);
    CHECK(strlen(token) >= 43); /* 256 bits, base64url */
    CHECK(test_jstr(r->json, "expires_at") != NULL);
    test_resp_free(r);

    r = test_http(&s, "GET", "/api/me", token, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "display_name"), "茶叶张");
    CHECK_STR(test_jstr(cJSON_GetObjectItem(r->json, "org"), "name"), "湄潭翠芽茶业");
    test_resp_free(r);

    r = test_http(&s, "POST", "/api/auth/logout", token, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/me", token, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    CHECK(test_resp_header(r, "WWW-Authenticate") != NULL);
    test_resp_free(r);

    r = test_json(&s, "POST", "/api/auth/login", NULL, "{\"email\":\"tea@example.com\",\"password\":\"wrong password\"}");
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    r = test_json(&s, "POST", "/api/auth/login", NULL, "{\"email\":\"nobody@example.com\",\"password\":\"wrong password\"}");
    CHECK_INT(r->status, 401);
    test_resp_free(r);

    /* Only the hash of a token is stored: the token text is nowhere in the database. */
    char *log = test_server_log(&s);
    CHECK(strstr(log, token) == NULL);
    CHECK(strstr(log, TEST_PASSWORD) == NULL);
    free(log);
    CHECK_INT(test_server_stop(&s), 0);
    FILE *f = fopen(s.db, "rb");
    REQUIRE(f != NULL);
    sbuf all;
    sbuf_init(&all);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sbuf_add(&all, buf, n);
    fclose(f);
    CHECK(memmem(all.buf, all.len, token, strlen(token)) == NULL);
    CHECK(memmem(all.buf, all.len, TEST_PASSWORD, strlen(TEST_PASSWORD)) == NULL);
    sbuf_cleanup(&all);
    free(token);
}

void test_api_register_rejects_bad_input(void)
{
    static const struct { const char *body; const char *field; } cases[] = {
        { "{\"org_kind\":\"enterprise\",\"email\":\"a@example.com\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_name" },
        { "{\"org_name\":\"A\",\"org_kind\":\"broker\",\"email\":\"a@example.com\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_kind" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"not-an-email\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "email" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\",\"password\":\"short\",\"display_name\":\"x\"}", "password" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"\"}", "display_name" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"admin\"}", "role" },
        { "{\"org_name\":7,\"org_kind\":\"enterprise\",\"email\":\"a@example.com\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_name" },
    };
    test_server s;
    unlink(test_path("register.db"));
    REQUIRE(test_server_start(&s, test_path("register.db"), NULL) == 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL, cases[i].body);
        CHECK_INT(r->status, 400);
        if (!test_problem_names(r, cases[i].field))
            test_fail(__FILE__, __LINE__, "case %zu: no error names %s: %s", i, cases[i].field, r->body);
        test_resp_free(r);
    }
    char *t = test_signup(&s, "Dup Co", "enterprise", "dup@example.com");
    CHECK(t != NULL);
    free(t);
    test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL,
                             "{\"org_name\":\"Dup Co 2\",\"org_kind\":\"university\",\"email\":\"DUP@example.com\","
                             "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}");
    CHECK_INT(r->status, 409);
    CHECK_CONTAINS(r->body, "email");
    test_resp_free(r);
    r = test_json(&s, "POST", "/api/auth/register", NULL,
                  "{\"org_name\":\"Dup Co\",\"org_kind\":\"enterprise\",\"email\":\"dup2@example.com\","
                  "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}");
    CHECK_INT(r->status, 409);
    CHECK_CONTAINS(r->body, "org_name");
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_tokens_expire_and_forgeries_fail(void)
{
    static const char *const extra[] = { "--session-ttl", "3", NULL };
    test_server s;
    unlink(test_path("expiry.db"));
    REQUIRE(test_server_start(&s, test_path("expiry.db"), extra) == 0);
    char *tok = test_signup(&s, "Short Lived Co", "enterprise", "short@example.com");
    REQUIRE(tok != NULL);
    test_resp *r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    sleep(4);
    r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    CHECK_CONTAINS(r->body, "expired");
    test_resp_free(r);
    /* A well-formed token that was never issued, a malformed one, and a bad scheme. */
    static const char *const forged[] = {
        "tm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "tm_'; DROP TABLE sessions;--", "garbage",
    };
    for (size_t i = 0; i < 3; i++) {
        r = test_http(&s, "GET", "/api/demands", forged[i], NULL, NULL, 0);
        CHECK_INT(r->status, 401);
        test_resp_free(r);
    }
    r = test_http(&s, "GET", "/api/me", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    free(tok);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_login_is_rate_limited(void)
{
    test_server s;
    unlink(test_path("ratelimit.db"));
    REQUIRE(test_server_start(&s, test_path("ratelimit.db"), NULL) == 0);
    char *tok = test_signup(&s, "Limited Co", "enterprise", "limited@example.com");
    free(tok);
    /* Per account: five failures lock it, even for the right password. */
    for (int i = 0; i < 5; i++) {
        test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                                 "{\"email\":\"limited@example.com\",\"password\":\"not the password\"}");
        CHECK_INT(r->status, 401);
        test_resp_free(r);
    }
    test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"LIMITED@example.com\",\"password\":\"" TEST_PASSWORD "\"}");
    CHECK_INT(r->status, 429);
    CHECK(test_resp_header(r, "Retry-After") != NULL);
    test_resp_free(r);
    /* Per address: failures spread over many accounts lock the client address too. */
    int limited = 0;
    for (int i = 0; i < 20 && !limited; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"email\":\"guess%d@example.com\",\"password\":\"not the password\"}", i);
        r = test_json(&s, "POST", "/api/auth/login", NULL, body);
        limited = r->status == 429;
        test_resp_free(r);
    }
    CHECK(limited);
    CHECK_INT(test_server_stop(&s), 0);
}

/* ---------- listings ---------- */

void test_api_demand_lifecycle(void)
{
    world w;
    if (world_setup(&w, "demand.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", w.demand_id);
    test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "status"), "open");
    CHECK_INT(test_jnum(r->json, "budget_max"), 3000000);
    CHECK_STR(test_jstr(r->json, "deadline"), "2060-06-30");
    test_resp_free(r);

    r = test_json(&w.srv, "PATCH", path, w.tok[R_ENT], "{\"budget_max\":4000000,\"keywords\":[\"液压支架\",\"国产化\"]}");
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "budget_max"), 4000000);
    CHECK_INT(test_jnum(r->json, "budget_min"), 500000);
    CHECK_STR(test_jstr(r->json, "title"), "综采工作面液压支架电液控制系统国产化");
    test_resp_free(r);

    /* A PATCH that breaks a rule changes nothing. */
    r = test_json(&w.srv, "PATCH", path, w.tok[R_ENT], "{\"budget_min\":9000000,\"title\":\"changed\"}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "budget_min"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), "综采工作面液压支架电液控制系统国产化");
    test_resp_free(r);

    snprintf(path, sizeof path, "/api/demands/%ld/close", w.demand_id);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "status"), "closed");
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200); /* closing twice is harmless */
    test_resp_free(r);

    r = test_http(&w.srv, "GET", "/api/demands", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0); /* open ones by default */
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands?status=closed", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands/999999", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&w.srv, "PATCH", "/api/demands/999999", w.tok[R_ENT], JSON, "{}", 2);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_achievement_lifecycle(void)
{
    world w;
    if (world_setup(&w, "achievement.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld", w.achievement_id);
    test_resp *r = test_json(&w.srv, "PATCH", path, w.tok[R_UNI], "{\"trl\":8,\"price\":null}");
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "trl"), 8);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "price")));
    CHECK_STR(test_jstr(r->json, "ip_type"), "invention_patent");
    test_resp_free(r);
    r = test_json(&w.srv, "PATCH", path, w.tok[R_UNI2], "{\"trl\":2}");
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/achievements/%ld/close", w.achievement_id);
    r = test_http(&w.srv, "POST", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "status"), "closed");
    test_resp_free(r);
    CHECK_INT(count_mine(&w, "achievements", R_UNI), 1);
    world_teardown(&w);
}

/* ---------- bad input ---------- */

void test_api_bad_input_gets_problem_json_and_stores_nothing(void)
{
    world w;
    if (world_setup(&w, "badinput.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *ent = w.tok[R_ENT];
    int before = count_mine(&w, "demands", R_ENT);

    test_resp *r = test_http(&w.srv, "POST", "/api/demands", ent, JSON, "{\"title\": ", 10);
    CHECK_INT(r->status, 400);
    CHECK_CONTAINS(r->body, "malformed JSON");
    test_resp_free(r);

    r = test_http(&w.srv, "POST", "/api/demands", ent, "text/plain", "{\"title\":\"x\"}", 13);
    CHECK_INT(r->status, 415);
    test_resp_free(r);
    r = test_http(&w.srv, "POST", "/api/demands", ent, NULL, "{\"title\":\"x\"}", 13);
    CHECK_INT(r->status, 415);
    test_resp_free(r);

    size_t big = 300 * 1024;
    char *huge = malloc(big + 32);
    memset(huge, ' ', big + 32);
    memcpy(huge, "{\"title\":\"x\",\"description\":\"", 29);
    memcpy(huge + big + 29, "\"}", 3);
    r = test_http(&w.srv, "POST", "/api/demands", ent, JSON, huge, big + 31);
    CHECK_INT(r->status, 413);
    test_resp_free(r);
    free(huge);

    r = test_http(&w.srv, "POST", "/api/demands", ent, JSON, "{\"title\":\"\xC3\x28\"}", 14);
    CHECK_INT(r->status, 400);
    CHECK_CONTAINS(r->body, "UTF-8");
    test_resp_free(r);

    r = test_json(&w.srv, "POST", "/api/demands", ent, "[1,2]");
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/demands", ent, "[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]");
    CHECK_INT(r->status, 400);
    CHECK_CONTAINS(r->body, "nesting");
    test_resp_free(r);

    char longtitle[1024];
    memset(longtitle, 0, sizeof longtitle);
    memcpy(longtitle, "{\"title\":\"", 10);
    memset(longtitle + 10, 'x', 201);
    memcpy(longtitle + 211, "\"}", 2);
    r = test_json(&w.srv, "POST", "/api/demands", ent, longtitle);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "title"));
    test_resp_free(r);

    r = test_json(&w.srv, "POST", "/api/demands", ent, "{\"title\":\"x\",\"budget_min\":-5,\"fields\":[\"Q99\"]}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "budget_min"));
    CHECK(test_problem_names(r, "fields[0]"));
    CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/achievements", w.tok[R_UNI], "{\"title\":\"x\",\"trl\":12,\"price\":1e15}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "trl"));
    CHECK(test_problem_names(r, "price"));
    test_resp_free(r);

    r = test_http(&w.srv, "GET", "/api/nothing-here", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    CHECK_STR(test_jstr(r->json, "title"), "Not Found");
    test_resp_free(r);
    r = test_http(&w.srv, "DELETE", "/api/demands", ent, NULL, NULL, 0);
    CHECK_INT(r->status, 405);
    CHECK_CONTAINS(test_resp_header(r, "Allow"), "POST");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands/abc", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);

    static const char *const bad_queries[] = {
        "/api/demands?limit=0", "/api/demands?limit=abc", "/api/demands?status=pending",
        "/api/demands?field=b06;drop", "/api/demands?cursor=xyz", "/api/demands?q=%C3%28",
    };
    for (size_t i = 0; i < sizeof bad_queries / sizeof bad_queries[0]; i++) {
        r = test_http(&w.srv, "GET", bad_queries[i], ent, NULL, NULL, 0);
        if (r->status != 400)
            test_fail(__FILE__, __LINE__, "%s: %ld", bad_queries[i], r->status);
        test_resp_free(r);
    }
    CHECK_INT(count_mine(&w, "demands", R_ENT), before);
    world_teardown(&w);
}

void test_api_html_and_sql_are_stored_verbatim(void)
{
    world w;
    if (world_setup(&w, "verbatim.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *title = "Robert'); DROP TABLE demands;-- <script>alert(1)</script> & \\\"q\\\"";
    const char *expect = "Robert'); DROP TABLE demands;-- <script>alert(1)</script> & \"q\"";
    char body[512];
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"keywords\":[\"<b>bold</b>\",\"' OR 1=1 --\"]}", title);
    long id = create(&w.srv, "/api/demands", w.tok[R_ENT], body);
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", id);
    test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), expect);
    CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "keywords"), 1)->valuestring, "' OR 1=1 --");
    CHECK_STR(test_resp_header(r, "Content-Type"), "application/json");
    CHECK_STR(test_resp_header(r, "X-Content-Type-Options"), "nosniff");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands?q=DROP%20TABLE&region=%27%20OR%201%3D1", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(count_mine(&w, "demands", R_ENT), 2);
    world_teardown(&w);
}

/* ---------- search, filters, pages ---------- */

void test_api_search_in_chinese_and_english(void)
{
    world w;
    if (world_setup(&w, "search.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    create(&w.srv, "/api/achievements", w.tok[R_UNI],
           "{\"title\":\"磷石膏无害化处理与高强石膏粉制备技术\",\"abstract\":\"湿法磷酸副产磷石膏经净化后制备建筑石膏。\","
           "\"keywords\":[\"磷石膏\",\"建筑石膏\"],\"fields\":[\"C30\",\"C26\"]}");
    create(&w.srv, "/api/achievements", w.tok[R_UNI2],
           "{\"title\":\"Tea withering machine with humidity control\",\"abstract\":\"Controls withering of green tea leaves.\","
           "\"keywords\":[\"tea processing\"],\"fields\":[\"C35\"]}");
    static const struct { const char *q; const char *first_title_part; int n; } cases[] = {
        { "%E7%A3%B7%E7%9F%B3%E8%86%8F", "磷石膏", 1 },                 /* 磷石膏 */
        { "%E7%9F%B3%E8%86%8F", "磷石膏", 1 },                          /* 石膏: a two-character word */
        { "hydraulic%20supports", "Electro-hydraulic", 1 },             /* stemmed: support(s) */
        { "withered", "Tea withering", 1 },
        { "%E7%A3%B7%E7%9F%B3%E8%86%8F%20tea", NULL, 0 },              /* all words must match */
        { "the%20of%20and", NULL, 0 },                                   /* only stop words */
        { "%22%20NEAR(%20*", NULL, 0 },                                  /* FTS5 syntax is not interpreted */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/api/achievements?q=%s", cases[i].q);
        test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
        const cJSON *items = cJSON_GetObjectItem(r->json, "items");
        if (r->status != 200 || cJSON_GetArraySize(items) != cases[i].n)
            test_fail(__FILE__, __LINE__, "q=%s: %ld, %d items", cases[i].q, r->status, cJSON_GetArraySize(items));
        else if (cases[i].first_title_part)
            CHECK_CONTAINS(test_jstr(cJSON_GetArrayItem(items, 0), "title"), cases[i].first_title_part);
        test_resp_free(r);
    }
    /* Demands are searched the same way. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?q=%E6%B6%B2%E5%8E%8B%E6%94%AF%E6%9E%B6", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_filters_and_cursor_pages(void)
{
    world w;
    if (world_setup(&w, "pages.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (int i = 0; i < 25; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"title\":\"需求 %d 煤矿安全\",\"fields\":[\"%s\"],\"region\":\"%s\"}", i,
                 i % 2 ? "B06" : "I65", i % 3 ? "贵州省遵义市" : "贵州省贵阳市");
        create(&w.srv, "/api/demands", w.tok[R_ENT2], body);
    }
    /* Walk every page: no duplicates, nothing missing. */
    int seen = 0, pages = 0;
    char path[256] = "/api/demands?limit=7";
    long last = 1L << 40;
    for (;;) {
        test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
        REQUIRE(r->status == 200);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            long id = (long)test_jnum(it, "id");
            CHECK(id < last); /* newest first, strictly */
            last = id;
            seen++;
        }
        pages++;
        const char *next = test_jstr(r->json, "next_cursor");
        if (next)
            snprintf(path, sizeof path, "/api/demands?limit=7&cursor=%s", next);
        test_resp_free(r);
        if (!next || pages > 10)
            break;
    }
    CHECK_INT(seen, 26);
    CHECK_INT(pages, 4);
    static const struct { const char *query; int n; } cases[] = {
        { "field=B", 13 }, { "field=B06", 13 }, { "field=I", 13 }, { "field=C35", 1 }, { "field=A", 0 },
        { "region=%E8%B4%B5%E5%B7%9E%E7%9C%81%E8%B4%B5%E9%98%B3%E5%B8%82", 9 },   /* 贵州省贵阳市 */
        { "region=%E8%B4%B5%E5%B7%9E%E7%9C%81", 26 },                              /* 贵州省 (a prefix) */
        { "field=B06&q=%E7%85%A4%E7%9F%BF", 12 },                                  /* 煤矿 */
        { "org=me", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "/api/demands?limit=100&%s", cases[i].query);
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
        if (n != cases[i].n)
            test_fail(__FILE__, __LINE__, "%s: %d items, expected %d", cases[i].query, n, cases[i].n);
        test_resp_free(r);
    }
    /* Search pages too. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?limit=10&q=%E7%85%A4%E7%9F%BF", NULL, NULL, NULL, 0);
    const char *next = test_jstr(r->json, "next_cursor");
    REQUIRE(next != NULL);
    snprintf(path, sizeof path, "/api/demands?limit=10&q=%%E7%%85%%A4%%E7%%9F%%BF&cursor=%s", next);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 10);
    test_resp_free(r);
    world_teardown(&w);
}

/* ---------- import ---------- */

static const char import_csv[] =
    "ref,title,abstract,keywords,fields,trl,ip_type,transfer_modes,price,contact\n"
    "GZU-1,茶叶萎凋机智能温湿度控制,\"萎凋阶段温湿度闭环控制，\n能耗降低20%。\",萎凋;茶叶加工,C35;A01,6,utility_model,license;transfer,300000,王教授\n"
    "GZU-2,\"Chili capsaicin extraction, supercritical CO2\",High-purity capsaicin,capsaicin;chili,C14,5,know_how,service,,\n"
    "GZU-3,Bad TRL,x,,C35,11,other,license,100,\n"
    "GZU-4,Bad field,x,,Z01,3,other,license,100,\n"
    "GZU-5,\"unclosed,x\n";

void test_api_import_reports_bad_rows_and_reimports_idempotently(void)
{
    world w;
    if (world_setup(&w, "import.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    int before = count_mine(&w, "achievements", R_UNI);
    test_resp *r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI], "text/csv; charset=utf-8",
                             import_csv, strlen(import_csv));
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 2);
    CHECK_INT(test_jnum(r->json, "updated"), 0);
    CHECK_INT(test_jnum(r->json, "failed"), 3);
    const cJSON *rows = cJSON_GetObjectItem(r->json, "rows");
    REQUIRE(cJSON_GetArraySize(rows) == 5);
    /* Line numbers follow the file, including the quoted line break of GZU-1. */
    static const int lines[] = { 2, 4, 5, 6, 7 };
    static const char *const status[] = { "created", "created", "invalid", "invalid", "invalid" };
    for (int i = 0; i < 5; i++) {
        const cJSON *row = cJSON_GetArrayItem(rows, i);
        CHECK_INT(test_jnum(row, "line"), lines[i]);
        CHECK_STR(test_jstr(row, "status"), status[i]);
    }
    const cJSON *err = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 2), "errors"), 0);
    CHECK_STR(test_jstr(err, "field"), "trl");
    err = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 3), "errors"), 0);
    CHECK_STR(test_jstr(err, "field"), "fields[0]");
    long first_id = (long)test_jnum(cJSON_GetArrayItem(rows, 0), "id");
    test_resp_free(r);
    CHECK_INT(count_mine(&w, "achievements", R_UNI), before + 2);

    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld", first_id);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "abstract"), "萎凋阶段温湿度闭环控制，\n能耗降低20%。");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "transfer_modes")), 2);
    CHECK_STR(test_jstr(r->json, "ref"), "GZU-1");
    test_resp_free(r);

    /* The same file again: the two good rows update, nothing new. */
    r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI], "text/csv", import_csv, strlen(import_csv));
    CHECK_INT(test_jnum(r->json, "created"), 0);
    CHECK_INT(test_jnum(r->json, "updated"), 2);
    CHECK_INT((long)test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "rows"), 0), "id"), first_id);
    test_resp_free(r);
    CHECK_INT(count_mine(&w, "achievements", R_UNI), before + 2);

    /* A partial file changes only the members it has. */
    const char *partial = "ref,title\nGZU-1,茶叶萎凋机智能温湿度控制（第二版）\n";
    r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI], "text/csv", partial, strlen(partial));
    CHECK_INT(test_jnum(r->json, "updated"), 1);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), "茶叶萎凋机智能温湿度控制（第二版）");
    CHECK_INT(test_jnum(r->json, "price"), 300000);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "transfer_modes")), 2);
    test_resp_free(r);

    /* Another university's refs are its own: the same file creates new rows there. */
    r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI2], "text/csv", import_csv, strlen(import_csv));
    CHECK_INT(test_jnum(r->json, "created"), 2);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_import_json_lines_and_whole_file_errors(void)
{
    world w;
    if (world_setup(&w, "importjsonl.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *jsonl =
        "{\"ref\":\"D1\",\"title\":\"酱香型白酒窖池微生物群落调控\",\"fields\":[\"C15\"],\"budget_min\":1,\"budget_max\":2}\n"
        "\n"
        "not json\n"
        "[1,2]\n"
        "{\"ref\":\"D2\",\"title\":\"Sorghum seed selection\",\"deadline\":\"1999-01-01\"}\n"
        "{\"ref\":\"D3\",\"title\":\"Tea garden drone spraying\",\"cooperation_modes\":[\"service\"]}";
    test_resp *r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "application/x-ndjson",
                             jsonl, strlen(jsonl));
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 2);
    CHECK_INT(test_jnum(r->json, "failed"), 3);
    const cJSON *rows = cJSON_GetObjectItem(r->json, "rows");
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 1), "line"), 3);
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 3), "line"), 5);
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 4), "line"), 6);
    test_resp_free(r);
    int after = count_mine(&w, "demands", R_ENT);

    /* A header naming an unknown column refuses the file and stores nothing. */
    const char *bad = "title,colour\nA,red\n";
    r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "text/csv", bad, strlen(bad));
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "colour"));
    test_resp_free(r);
    r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "text/csv", "", 0);
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    r = test_http(&w.srv, "POST", "/api/demands/import", w.tok[R_ENT], "application/json", "{}", 2);
    CHECK_INT(r->status, 415);
    test_resp_free(r);
    CHECK_INT(count_mine(&w, "demands", R_ENT), after);
    world_teardown(&w);
}

/* ---------- the process: restart, migrations, shutdown, logs ---------- */

void test_api_restart_keeps_every_row(void)
{
    world w;
    if (world_setup(&w, "restart.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (int i = 0; i < 10; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"title\":\"row %d\",\"fields\":[\"C3%d\"]}", i, i);
        create(&w.srv, "/api/achievements", w.tok[R_UNI], body);
    }
    int before = count_mine(&w, "achievements", R_UNI);
    CHECK_INT(before, 11);
    CHECK_INT(test_server_stop(&w.srv), 0);
    REQUIRE(test_server_start(&w.srv, w.srv.db, NULL) == 0);
    /* Sessions survive too: the same token still works. */
    CHECK_INT(count_mine(&w, "achievements", R_UNI), before);
    test_resp *r = test_http(&w.srv, "GET", "/api/achievements?q=row&limit=100", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 10);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_failed_migration_refuses_to_start(void)
{
    /* A file that already has an `orgs` table makes migration 001 fail. */
    const char *db = test_path("conflict.db");
    unlink(db);
    REQUIRE(test_sqlite_exec(db, "CREATE TABLE orgs(x); CREATE TABLE keep_me(y); INSERT INTO keep_me VALUES (1);") == 0);
    test_server s;
    CHECK(test_server_start(&s, db, NULL) != 0);
    char *log = test_server_log(&s);
    CHECK_CONTAINS(log, "migration schema/001_core.sql failed");
    CHECK_CONTAINS(log, "rolled back");
    free(log);
    CHECK_INT(test_sqlite_int(db, "PRAGMA user_version"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'users'"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM keep_me"), 1);
}

void test_api_shutdown_is_clean_and_logged(void)
{
    world w;
    if (world_setup(&w, "shutdown.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?q=secret-query-text", NULL, NULL, NULL, 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/x%0A2026-01-01T00:00:00Z%20info%20forged", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&w.srv), 0);
    char *log = test_server_log(&w.srv);
    CHECK(strstr(log, "\n2026-01-01T00:00:00Z info forged") == NULL); /* no forged line */
    CHECK_CONTAINS(log, "GET /x\\x0A2026-01-01T00:00:00Z info forged 404");
    CHECK_CONTAINS(log, "GET /api/demands 200 ");
    CHECK_CONTAINS(log, "POST /api/auth/login 200 ");
    CHECK_CONTAINS(log, "received SIGTERM");
    CHECK_CONTAINS(log, "stopped cleanly");
    CHECK(strstr(log, "secret-query-text") == NULL);
    for (int i = R_ENT; i < R_COUNT; i++)
        CHECK(strstr(log, w.tok[i]) == NULL);
    free(log);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM demands"), 1);
    world_teardown(&w);
}

void test_api_serves_ipv6_loopback(void)
{
    test_server s;
    static const char *const extra[] = { "--listen", "[::1]:0", NULL };
    unlink(test_path("v6.db"));
    /* The later --listen wins; the harness reads the port from the printed line. */
    if (test_server_start(&s, test_path("v6.db"), extra) != 0) {
        char *log = test_server_log(&s);
        if (strstr(log, "cannot listen") == NULL)
            test_fail(__FILE__, __LINE__, "the server did not start on ::1: %s", log);
        free(log); /* no IPv6 on this machine: nothing more to check */
        return;
    }
    snprintf(s.base, sizeof s.base, "http://[::1]:%d", s.port);
    test_resp *r = test_http(&s, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}

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
    long a = create(&w.srv, "/api/achievements", w.tok[R_UNI],
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
        long id = create(&w.srv, "/api/demands", w.tok[R_ENT], bodies[i]);
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
    long a = create(&w.srv, "/api/achievements", w.tok[R_UNI], big.buf);
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

/* ---------- push: approval, the outbox, the inbox, subscriptions, policy ---------- */

/* The id of the stored match of (demand, achievement) with this status, or 0. */
static long stored_match_id(const world *w, const char *status, long demand, long achievement)
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
static long matching_achievement(world *w, int n)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"title\":\"液压支架电液控制系统 %d\",\"abstract\":\"综采工作面液压支架电液控制，国产化替代。\","
             "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"],\"trl\":7,\"contact\":\"secret@uni\"}", n);
    return create(&w->srv, "/api/achievements", w->tok[R_UNI], body);
}

static test_resp *inbox(world *w, int role, long after)
{
    char path[64];
    snprintf(path, sizeof path, "/api/notifications?after=%ld", after);
    return test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
}

static long unread(world *w, int role)
{
    test_resp *r = test_http(&w->srv, "GET", "/api/notifications/unread", w->tok[role], NULL, NULL, 0);
    long n = r->status == 200 ? (long)test_jnum(r->json, "unread") : -1;
    test_resp_free(r);
    return n;
}

static test_resp *approve(world *w, int role, long match_id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/matches/%ld/approve", match_id);
    return test_http(&w->srv, "POST", path, w->tok[role], NULL, NULL, 0);
}

void test_api_push_approval_reaches_the_inbox_once(void)
{
    world w;
    if (world_setup(&w, "push.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long a = matching_achievement(&w, 1);
    long m = stored_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* Only brokers and admins approve; a university cannot. */
    test_resp *r = approve(&w, R_UNI, m);
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    r = approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    CHECK(strcmp(test_jstr(r->json, "status"), "pushed") == 0);
    long nid = (long)test_jnum(r->json, "notification_id");
    CHECK(nid > 0);
    test_resp_free(r);
    /* A second decision is refused and names the state; nothing is pushed twice. */
    r = approve(&w, R_ADMIN, m);
    CHECK_INT(r->status, 409);
    CHECK(strstr(r->body, "pushed") != NULL);
    test_resp_free(r);
    r = approve(&w, R_BROKER, 987654);
    CHECK_INT(r->status, 404);
    test_resp_free(r);

    /* The enterprise's inbox holds one event in the Standard Webhooks shape. */
    CHECK_INT(unread(&w, R_ENT), 1);
    r = inbox(&w, R_ENT, 0);
    CHECK_INT(r->status, 200);
    const cJSON *items = cJSON_GetObjectItem(r->json, "items");
    CHECK_INT(cJSON_GetArraySize(items), 1);
    const cJSON *n0 = cJSON_GetArrayItem(items, 0);
    CHECK_INT((long)test_jnum(n0, "id"), nid);
    CHECK(strcmp(test_jstr(n0, "type"), "match.pushed") == 0);
    const cJSON *ev = cJSON_GetObjectItem(n0, "event");
    CHECK(strcmp(test_jstr(ev, "type"), "match.pushed") == 0);
    CHECK(strlen(test_jstr(ev, "timestamp")) == 20);
    const cJSON *data = cJSON_GetObjectItem(ev, "data");
    CHECK_INT((long)test_jnum(data, "match_id"), m);
    CHECK(test_jnum(data, "score") > 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "explanation"), "terms")) > 0);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(data, "demand"), "id"), w.demand_id);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(data, "achievement"), "id"), a);
    /* Public members only: the inventor's contact is not in the event. */
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "achievement"), "contact") == NULL);
    CHECK(strstr(r->body, "secret@uni") == NULL);
    test_resp_free(r);

    /* Another enterprise sees none of it and cannot mark it read. */
    r = inbox(&w, R_ENT2, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    char path[64];
    snprintf(path, sizeof path, "/api/notifications/%ld/read", nid);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT2], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* The cursor: nothing after the last id; a bad cursor is named. */
    r = inbox(&w, R_ENT, nid);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/notifications?after=abc", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "after"));
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_push_subscription_policy_and_digest(void)
{
    world w;
    /* Digests every 3 s: the server's digest tick may fall anywhere below, so the digests are checked whatever it splits. */
    static const char *const extra[] = { "--digest-period", "3", NULL };
    if (world_setup(&w, "subscription.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    /* The defaults, then a minimum score that holds a match back. */
    test_resp *r = test_http(&w.srv, "GET", "/api/subscription", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "channels")), 3);
    CHECK(strcmp(test_jstr(r->json, "mode"), "realtime") == 0);
    test_resp_free(r);
    static const char *const bad[][2] = {
        { "{\"mode\":\"weekly\"}", "mode" },
        { "{\"channels\":[\"fax\"]}", "channels" },
        { "{\"min_score\":1.5}", "min_score" },
        { "{\"colour\":1}", "colour" },
    };
    for (size_t i = 0; i < 4; i++) {
        r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], bad[i][0]);
        CHECK_INT(r->status, 400);
        CHECK(test_problem_names(r, bad[i][1]));
        test_resp_free(r);
    }
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"min_score\":0.99,\"channels\":[\"inbox\"]}");
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "channels")), 1);
    test_resp_free(r);
    long a1 = matching_achievement(&w, 1);
    long m1 = stored_match_id(&w, "suggested", w.demand_id, a1);
    REQUIRE(m1 > 0);
    r = approve(&w, R_BROKER, m1);
    CHECK_INT(r->status, 200);
    CHECK(strcmp(test_jstr(r->json, "status"), "approved") == 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "notification_id")));
    test_resp_free(r);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* Policy: brokers read it, only admins change it, bad values are named. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_BROKER], "{\"auto_approve_score\":0.1}");
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"suggest_threshold\":2}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "suggest_threshold"));
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "[1]");
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    /* Auto-approval: a new suggestion above the score is pushed with no review. */
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"min_score\":0}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"auto_approve_score\":0.2}");
    CHECK_INT(r->status, 200);
    CHECK(test_jnum(r->json, "auto_approve_score") == 0.2);
    CHECK(test_jnum(r->json, "updated_by") > 0);
    CHECK(strlen(test_jstr(r->json, "updated_by_name")) > 0);
    test_resp_free(r);
    long a2 = matching_achievement(&w, 2);
    CHECK(stored_match_id(&w, "pushed", w.demand_id, a2) > 0);
    CHECK_INT(unread(&w, R_ENT), 1);

    /* A digest: approved matches wait, then arrive together, several in one event. */
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"mode\":\"digest\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long a3 = matching_achievement(&w, 3), a4 = matching_achievement(&w, 4);
    /* m1 waits too: it was approved below the minimum score, which is now 0.  All three are pushed by digests. */
    int digests = 0, in_digests = 0, largest = 0;
    for (int tries = 0; tries < 150 && in_digests < 3; tries++) {
        digests = in_digests = largest = 0;
        r = inbox(&w, R_ENT, 0);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
            if (strcmp(test_jstr(it, "type"), "match.digest") == 0) {
                const cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "event"), "data"), "matches");
                int n = cJSON_GetArraySize(list);
                digests++;
                in_digests += n;
                largest = n > largest ? n : largest;
            }
        test_resp_free(r);
        if (in_digests < 3)
            usleep(100 * 1000);
    }
    CHECK_INT(in_digests, 3);
    CHECK(digests >= 1 && digests <= 2); /* the first at once, the next a period later at most */
    CHECK(largest >= 2);                 /* matches approved together arrive as one event */
    CHECK(stored_match_id(&w, "pushed", w.demand_id, a3) > 0);
    CHECK(stored_match_id(&w, "pushed", w.demand_id, a4) > 0);
    world_teardown(&w);
}

/* ---------- push: the live stream ---------- */

/* Reads lines until one starts with prefix (skipping "open"/"dropped"); 0 when found. */
static int expect_line(int fd, const char *prefix, char *line, size_t len)
{
    for (int i = 0; i < 20; i++) {
        if (test_read_line(fd, line, len, 20000) != 0)
            return -1;
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return 0;
        if (strcmp(line, "open") != 0 && strcmp(line, "dropped") != 0)
            return -1;
    }
    return -1;
}

void test_api_push_stream_resumes_after_kill(void)
{
    static const char *const extra[] = { "--stream-heartbeat", "1", NULL };
    world w;
    if (world_setup(&w, "stream.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    long m[3];
    for (int i = 0; i < 3; i++) {
        long a = matching_achievement(&w, i + 1);
        m[i] = stored_match_id(&w, "suggested", w.demand_id, a);
        REQUIRE(m[i] > 0);
    }
    /* Heartbeats, and bad Last-Event-IDs named. */
    test_resp *r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, NULL, 2500);
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->body, ": keep-alive") != NULL);
    CHECK(strcmp(test_resp_header(r, "Content-Type"), "text/event-stream") == 0);
    test_resp_free(r);
    /* That client has gone: the next heartbeat finds out and the stream is cleaned up. */
    long open_streams = -1;
    for (int tries = 0; tries < 100 && open_streams != 0; tries++) {
        r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
        open_streams = (long)test_jnum(r->json, "streams");
        test_resp_free(r);
        if (open_streams != 0)
            usleep(50 * 1000);
    }
    CHECK_INT(open_streams, 0);
    static const char *const bad[] = { "Last-Event-ID: abc", "Last-Event-ID: -4", "Last-Event-ID: 99999" };
    for (int i = 0; i < 3; i++) {
        r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, bad[i], 5000);
        CHECK_INT(r->status, 400);
        CHECK(test_problem_names(r, "Last-Event-ID"));
        test_resp_free(r);
    }
    r = test_http(&w.srv, "GET", "/api/stream", w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 403);
    test_resp_free(r);

    /* A client that is not ours gets the first event live... */
    char url[128], count[8] = "3", line[256];
    snprintf(url, sizeof url, "%s/api/stream", w.srv.base);
    const char *argv[] = { "node", "tests/sse_client.mjs", url, w.tok[R_ENT], count, "60000", NULL };
    pid_t pid;
    int fd = test_spawn_reader(argv, &pid);
    REQUIRE(fd >= 0);
    CHECK(test_read_line(fd, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    r = approve(&w, R_BROKER, m[0]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    /* ...then the server dies with kill -9, and a match is pushed before the client is back. */
    int port = w.srv.port;
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    CHECK_INT(test_server_kill(&w.srv), 0);
    const char *again[] = { "--listen", listen, "--stream-heartbeat", "1", NULL };
    char db[sizeof w.srv.db];
    snprintf(db, sizeof db, "%s", w.srv.db);
    REQUIRE(test_server_start(&w.srv, db, again) == 0);
    r = approve(&w, R_BROKER, m[1]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    /* The client reconnects with Last-Event-ID and gets the missed event, then a live one; no gap, no repeat. */
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    r = approve(&w, R_BROKER, m[2]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    CHECK(expect_line(fd, "done", line, sizeof line) == 0);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    world_teardown(&w);
}

/* ---------- push: webhooks ---------- */

/* Registers an endpoint at the receiver's path; returns its id and copies its secret. */
static long register_webhook(world *w, int port, const char *path, char *secret, size_t len)
{
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d%s\",\"description\":\"test %s\"}", port, path, path);
    test_resp *r = test_json(&w->srv, "POST", "/api/webhooks", w->tok[R_ENT], body);
    long id = r->status == 201 ? (long)test_jnum(r->json, "id") : 0;
    if (r->status != 201)
        test_fail(__FILE__, __LINE__, "register %s: %ld %s", path, r->status, r->body);
    else
        snprintf(secret, len, "%s", test_jstr(r->json, "secret"));
    test_resp_free(r);
    return id;
}

/* Sends the receiver a delivery signed with secret at timestamp ts (the body may be changed after signing). */
static long send_signed(int port, const char *secret, long long ts, const char *signed_body, const char *sent_body)
{
    unsigned char key[64];
    size_t key_len = 0;
    char sig[AUTH_WEBHOOK_SIGNATURE_CHARS + 1], hdr[256];
    sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &key_len, NULL,
                      sodium_base64_VARIANT_ORIGINAL);
    auth_webhook_sign(key, key_len, "msg_test", ts, signed_body, strlen(signed_body), sig);
    test_server rs = test_server_at(port);
    snprintf(hdr, sizeof hdr, "webhook-id: msg_test");
    /* Three signature headers: more than test_http_ex takes, so a small curl call of its own. */
    CURL *c = curl_easy_init();
    struct curl_slist *l = NULL;
    char url[128], line[160];
    snprintf(url, sizeof url, "%s/ok", rs.base);
    l = curl_slist_append(l, "Content-Type: application/json");
    l = curl_slist_append(l, hdr);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
    l = curl_slist_append(l, line);
    snprintf(line, sizeof line, "webhook-signature: %s", sig);
    l = curl_slist_append(l, line);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, sent_body);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long code = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(l);
    curl_easy_cleanup(c);
    return code;
}

/* The state, attempts and first try's status of an endpoint's ping delivery. */
static void ping_delivery(world *w, long endpoint, char *state, size_t len, int *attempts, int *first_status)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", endpoint);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *d = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if (strncmp(test_jstr(it, "msg_id"), "msg_ping_", 9) == 0)
            d = it;
    snprintf(state, len, "%s", d ? test_jstr(d, "state") : "");
    *attempts = d ? (int)test_jnum(d, "attempts") : -1;
    const cJSON *t = d ? cJSON_GetArrayItem(cJSON_GetObjectItem(d, "tries"), 0) : NULL;
    *first_status = t ? (int)test_jnum(t, "status_code") : -1;
    test_resp_free(r);
}

void test_api_push_webhooks_signed_ordered_retried_disabled(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    char line[512], secret[128], secret2[128];
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = atoi(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-attempts", "3", "--webhook-retry-ms",
                                         "100", "--webhook-timeout-ms", "1000", NULL };
    world w;
    if (world_setup(&w, "webhooks.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    long ok = register_webhook(&w, port, "/ok", secret, sizeof secret);
    REQUIRE(ok > 0);
    CHECK(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) == 50);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    CHECK_INT(r->status, 204);
    test_resp_free(r);
    /* The list never shows the secret. */
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    CHECK(strstr(r->body, "whsec_") == NULL);
    test_resp_free(r);

    /* A ping, then three approvals: each verified by standardwebhooks, in order. */
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strstr(line, "recv msg_ping_") == line &&
          strstr(line, "webhook.ping") != NULL);
    long nids[3];
    for (int i = 0; i < 3; i++) {
        long a = matching_achievement(&w, 10 + i);
        r = approve(&w, R_BROKER, stored_match_id(&w, "suggested", w.demand_id, a));
        CHECK_INT(r->status, 200);
        nids[i] = (long)test_jnum(r->json, "notification_id");
        test_resp_free(r);
    }
    for (int i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof want, "recv msg_%ld match.pushed", nids[i]);
        CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0);
        if (strcmp(line, want) != 0)
            test_fail(__FILE__, __LINE__, "receiver: '%s', expected '%s'", line, want);
    }

    /* The receiver rejects what the specification says to reject: a changed body, an old timestamp. */
    long long now = (long long)time(NULL);
    CHECK_INT(send_signed(port, secret, now, "{\"type\":\"x\"}", "{\"type\":\"y\"}"), 401);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject", 6) == 0);
    CHECK_INT(send_signed(port, secret, now - 3600, "{\"type\":\"x\"}", "{\"type\":\"x\"}"), 401);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject", 6) == 0);
    CHECK_INT(send_signed(port, secret, now, "{\"type\":\"x\"}", "{\"type\":\"x\"}"), 204);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "recv msg_test", 13) == 0);

    /* An endpoint that answers 500: three attempts, then disabled, and the owner is told. */
    long bad = register_webhook(&w, port, "/fail", secret2, sizeof secret2);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", bad);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    for (int i = 0; i < 3; i++)
        CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "fail msg_ping_", 14) == 0);
    char state[16] = "";
    int attempts = 0, first = 0;
    for (int tries = 0; tries < 100 && strcmp(state, "failed") != 0; tries++) {
        ping_delivery(&w, bad, state, sizeof state, &attempts, &first);
        if (strcmp(state, "failed") != 0)
            usleep(50 * 1000);
    }
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 3);
    CHECK_INT(first, 500);
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    const cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 1);
    CHECK(second && strcmp(test_jstr(second, "status"), "disabled") == 0);
    CHECK(second && strstr(test_jstr(second, "disabled_reason"), "500") != NULL);
    test_resp_free(r);
    r = inbox(&w, R_ENT, 0);
    CHECK(strstr(r->body, "\"webhook.disabled\"") != NULL);
    test_resp_free(r);
    /* That notification went to the healthy endpoint too, and nothing more to the disabled one. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strstr(line, "webhook.disabled") != NULL);

    /* A delivery can be sent again on demand, with the same webhook-id. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries?limit=100", ok);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *pushed = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if ((long)test_jnum(it, "notification_id") == nids[0])
            pushed = it;
    REQUIRE(pushed != NULL);
    CHECK(strcmp(test_jstr(pushed, "state"), "succeeded") == 0);
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries/%ld/resend", ok, (long)test_jnum(pushed, "id"));
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    char want[64];
    snprintf(want, sizeof want, "recv msg_%ld match.pushed", nids[0]);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strcmp(line, want) == 0);
    /* Another organisation cannot see or touch these endpoints. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", ok);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT2], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);

    /* Rotation: the old secret stops verifying; pause holds deliveries, resume sends them. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/pause", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "paused") == 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 1000) != 0); /* nothing while paused */
    snprintf(path, sizeof path, "/api/webhooks/%ld/rotate", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    char rotated[128];
    snprintf(rotated, sizeof rotated, "%s", test_jstr(r->json, "secret"));
    CHECK(strcmp(rotated, secret) != 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/resume", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "active") == 0);
    test_resp_free(r);
    /* Signed with the new key, so the receiver (still on the old one) rejects it: the old secret is dead. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject msg_ping_", 16) == 0);

    /* Delete. */
    snprintf(path, sizeof path, "/api/webhooks/%ld", bad);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
}

void test_api_push_webhook_urls_refused(void)
{
    world w;
    if (world_setup(&w, "ssrf.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const char *const bad[] = {
        "{\"url\":\"http://127.0.0.1:9/x\"}",          /* loopback */
        "{\"url\":\"http://localhost/x\"}",            /* a name for loopback */
        "{\"url\":\"http://10.1.2.3/x\"}",             /* private */
        "{\"url\":\"http://169.254.169.254/latest\"}", /* link-local (cloud metadata) */
        "{\"url\":\"http://[::1]/x\"}",                /* IPv6 loopback */
        "{\"url\":\"http://[::ffff:192.168.0.1]/x\"}", /* IPv4-mapped private */
        "{\"url\":\"ftp://example.com/x\"}",           /* not http(s) */
        "{\"url\":\"not a url\"}",
        "{\"url\":\"http://user:pw@example.com/\"}",
        "{\"url\":42}",
        "{\"description\":\"no url\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT], bad[i]);
        if (r->status != 400 || !test_problem_names(r, "url"))
            test_fail(__FILE__, __LINE__, "%s: %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
    }
    test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT], "{\"url\":\"http://x.test/\",\"colour\":1}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "colour"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    world_teardown(&w);
}

/*
 * The durability test of the push issue: kill -9 while webhook deliveries are
 * pending (one in flight) and a stream is open; after a restart every event
 * reaches the endpoint at least once and in order, and the stream resumes.
 */
void test_api_push_survives_kill9_with_deliveries_pending(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid, spid;
    char line[512], secret[128];
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = atoi(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--stream-heartbeat", "1", NULL };
    world w;
    if (world_setup(&w, "kill9.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    REQUIRE(register_webhook(&w, port, "/slow", secret, sizeof secret) > 0);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    test_resp_free(r);
    enum { N = 5 };
    long m[N], nids[N];
    for (int i = 0; i < N; i++)
        m[i] = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 20 + i));
    char url[128];
    snprintf(url, sizeof url, "%s/api/stream", w.srv.base);
    const char *sse_argv[] = { "node", "tests/sse_client.mjs", url, w.tok[R_ENT], "5", "60000", NULL };
    int sfd = test_spawn_reader(sse_argv, &spid);
    REQUIRE(sfd >= 0);
    CHECK(test_read_line(sfd, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    for (int i = 0; i < N; i++) {
        r = approve(&w, R_BROKER, m[i]);
        CHECK_INT(r->status, 200);
        nids[i] = (long)test_jnum(r->json, "notification_id");
        test_resp_free(r);
    }
    /* The first delivery has arrived (its answer takes half a second): kill now. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "recv msg_", 9) == 0);
    long seen[4 * N];
    size_t nseen = 0;
    seen[nseen++] = strtol(line + 9, NULL, 10);
    char listen[32], db[sizeof w.srv.db];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", w.srv.port);
    snprintf(db, sizeof db, "%s", w.srv.db);
    CHECK_INT(test_server_kill(&w.srv), 0);
    const char *again[] = { "--listen", listen, "--allow-private-webhooks", "--stream-heartbeat", "1", NULL };
    REQUIRE(test_server_start(&w.srv, db, again) == 0);
    /* Every event arrives, at least once, in order (a repeat may follow the one in flight at the kill). */
    for (int tries = 0; tries < 3 * N && nseen < 4 * N; tries++) {
        int all = 1;
        for (int i = 0; i < N; i++) {
            int found = 0;
            for (size_t k = 0; k < nseen; k++)
                found |= seen[k] == nids[i];
            all &= found;
        }
        if (all)
            break;
        if (test_read_line(rfd, line, sizeof line, 20000) != 0)
            break;
        if (strncmp(line, "recv msg_", 9) == 0)
            seen[nseen++] = strtol(line + 9, NULL, 10);
    }
    size_t next = 0;
    for (size_t k = 0; k < nseen; k++) {
        if (next < N && seen[k] == nids[next])
            next++;
        else if (!(next > 0 && seen[k] == nids[next - 1]))
            test_fail(__FILE__, __LINE__, "delivery %zu was msg_%ld, out of order", k, seen[k]);
    }
    CHECK_INT(next, N);
    /* The stream client reconnected after the kill and got all five, in order, once each. */
    int events = 0, finished = 0;
    for (int i = 0; i < 30 && !finished && test_read_line(sfd, line, sizeof line, 20000) == 0; i++) {
        events += strncmp(line, "event ", 6) == 0;
        finished = strcmp(line, "done") == 0;
        if (strncmp(line, "error", 5) == 0)
            test_fail(__FILE__, __LINE__, "stream client: %s", line);
    }
    CHECK(finished);
    CHECK_INT(events, N);
    int status = 0;
    waitpid(spid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
    close(sfd);
}

/* Pings endpoint id and waits until its ping delivery is no longer pending; fills what the log says. */
static void ping_until_settled(world *w, long id, char *state, size_t len, int *attempts, int *first_status)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", id);
    test_resp *r = test_http(&w->srv, "POST", path, w->tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    state[0] = '\0';
    for (int tries = 0; tries < 200; tries++) {
        ping_delivery(w, id, state, len, attempts, first_status);
        if (strcmp(state, "pending") != 0 && state[0])
            return;
        usleep(50 * 1000);
    }
}

/* The ping delivery's first try, as JSON text (for its error). */
static char *first_try_text(world *w, long id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", id);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *d = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if (strncmp(test_jstr(it, "msg_id"), "msg_ping_", 9) == 0)
            d = it;
    char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "tries"), 0));
    test_resp_free(r);
    return text ? text : strdup("");
}

void test_api_push_webhook_bad_receivers_delay_nothing_else(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    char line[512], secret[128], state[16];
    int attempts = 0, first = 0;
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = atoi(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-attempts", "2", "--webhook-retry-ms",
                                         "50", "--webhook-timeout-ms", "700", NULL };
    world w;
    if (world_setup(&w, "badrecv.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    long hang = register_webhook(&w, port, "/hang", secret, sizeof secret);
    long ok = register_webhook(&w, port, "/ok", secret, sizeof secret);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    test_resp_free(r);
    /* A client that opens a stream and never reads it. */
    int lazy = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w.srv.port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(lazy, (struct sockaddr *)&sa, sizeof sa) == 0);
    char req[256];
    int rn = snprintf(req, sizeof req, "GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", w.tok[R_ENT]);
    CHECK(write(lazy, req, (size_t)rn) == rn);

    /* While the first endpoint hangs, a ping to the healthy one is delivered at once. */
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", hang);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 600) == 0 && strncmp(line, "recv msg_ping_", 14) == 0);
    /* The hanging one times out twice, with the error in the log, and is disabled. */
    for (int tries = 0; tries < 200; tries++) {
        ping_delivery(&w, hang, state, sizeof state, &attempts, &first);
        if (strcmp(state, "failed") == 0)
            break;
        usleep(50 * 1000);
    }
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    CHECK_INT(first, -1); /* no answer: status_code null */
    char *t = first_try_text(&w, hang);
    CHECK(strstr(t, "imeout") != NULL || strstr(t, "timed out") != NULL);
    free(t);
    /* 410 disables at once; a dropped connection is an error, retried. */
    long gone = register_webhook(&w, port, "/gone", secret, sizeof secret);
    ping_until_settled(&w, gone, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 1);
    CHECK_INT(first, 410);
    long closer = register_webhook(&w, port, "/close", secret, sizeof secret);
    ping_until_settled(&w, closer, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    t = first_try_text(&w, closer);
    CHECK(strstr(t, "\"error\":null") == NULL);
    free(t);
    /* A redirect is not followed (it could lead to a private address): the 302 is a failed attempt. */
    long redirect = register_webhook(&w, port, "/redirect", secret, sizeof secret);
    ping_until_settled(&w, redirect, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    CHECK_INT(first, 302);
    int redirects = 0, followed = 0;
    char redirected[128] = "(none)";
    while (test_read_line(rfd, line, sizeof line, 500) == 0) {
        if (strncmp(line, "redirect ", 9) == 0) {
            redirects++;
            snprintf(redirected, sizeof redirected, "recv %.100s ", line + 9);
        }
        followed += strncmp(line, redirected, strlen(redirected)) == 0;
    }
    CHECK_INT(redirects, 2);
    CHECK_INT(followed, 0);
    r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    close(lazy);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
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
    long a = matching_achievement(&w, 1), m = stored_match_id(&w, "suggested", w.demand_id, a);
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
    long m2 = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 2));
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"meh\"}"), 400, "reason");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"other\"}"), 400, "text");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"benefit_unclear\"}"), 200, "rejected");
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m2, "reject", "{\"reason\":\"benefit_unclear\"}"), 409, "none");
    /* Decline. */
    long m3 = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 3));
    EXPECT_MOVE(match_post(&w, R_BROKER, NULL, m3, "approve", NULL), 200, "pushed");
    EXPECT_MOVE(match_post(&w, R_ENT, NULL, m3, "declined", "{\"reason\":\"too_early_stage\"}"), 200, "declined");

    /* Two brokers decide at the same moment: one wins, the other gets 409, one event is pushed. */
    long m4 = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 4));
    racer x1 = { &w, w.tok[R_BROKER], m4, 0 }, x2 = { &w, broker2, m4, 0 };
    pthread_t t1, t2;
    pthread_create(&t1, NULL, race_approve, &x1);
    pthread_create(&t2, NULL, race_approve, &x2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK((x1.status == 200 && x2.status == 409) || (x1.status == 409 && x2.status == 200));
    r = inbox(&w, R_ENT, 0);
    int events_m4 = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        events_m4 += (long)test_jnum(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "event"), "data"), "match_id") == m4;
    CHECK_INT(events_m4, 1);
    test_resp_free(r);

    /* Bulk: a result per id. */
    long m5 = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 5));
    long m6 = stored_match_id(&w, "suggested", w.demand_id, matching_achievement(&w, 6));
    snprintf(body, sizeof body, "{\"action\":\"reject\",\"ids\":[%ld,%ld,999999],\"reason\":\"other\",\"text\":\"=1+1\"}",
             m5, m6);
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
    long a7 = matching_achievement(&w, 7);
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

void test_api_admin_adds_brokers(void)
{
    world w;
    if (world_setup(&w, "staff.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    test_resp *r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN],
                             "{\"email\":\"new-broker@example.org\",\"password\":\"" TEST_PASSWORD "\","
                             "\"display_name\":\"王经纪\",\"role\":\"broker\"}");
    CHECK_INT(r->status, 201);
    CHECK(strcmp(test_jstr(r->json, "role"), "broker") == 0);
    test_resp_free(r);
    char *tok = test_login(&w.srv, "new-broker@example.org", TEST_PASSWORD);
    CHECK(tok != NULL);
    r = test_http(&w.srv, "GET", "/api/review", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    free(tok);
    static const char *const bad[][2] = {
        { "{\"email\":\"new-broker@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"broker\"}", "email" },
        { "{\"email\":\"b2@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"enterprise\"}", "role" },
        { "{\"email\":\"b3@example.org\",\"password\":\"short\",\"display_name\":\"x\",\"role\":\"broker\"}", "password" },
        { "{\"email\":\"b4@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"broker\","
          "\"org_name\":\"凉都矿业集团\"}", "org_name" },
    };
    for (size_t i = 0; i < 4; i++) {
        r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN], bad[i][0]);
        if (r->status != 400 || !test_problem_names(r, bad[i][1]))
            test_fail(__FILE__, __LINE__, "case %zu: %ld %s", i, r->status, r->body);
        test_resp_free(r);
    }
    r = test_http(&w.srv, "GET", "/api/users", w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 3); /* broker, admin, the new one */
    CHECK(strstr(r->body, "password") == NULL);
    test_resp_free(r);
    world_teardown(&w);
}
