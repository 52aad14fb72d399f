/*
 * test_api_http.c: the real server spoken to over HTTP, as the dispatcher
 * sees it: the authorization matrix (every route, every role), and bad
 * requests (malformed or oversized bodies, wrong media types, unknown routes
 * and methods, bad queries) answered with problem+json and nothing stored.
 */
#include "api_world.h"
#include "http.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>

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

static const matrix_row matrix[] = {
    { "GET", "/healthz", NULL, NULL, ALL(200) },
    { "GET", "/metrics", NULL, NULL, ALL(200) }, /* the server's default: loopback may scrape, whoever signed in */
    { "GET", "/api/openapi.json", NULL, NULL, ALL(200) },
    { "GET", "/api/fields", NULL, NULL, ALL(200) },
    { "GET", "/api/meta", NULL, NULL, ALL(200) },
    { "POST", "/api/auth/register", JSON,
      "{\"org_name\":\"Matrix Co\",\"org_kind\":\"enterprise\",\"email\":\"matrix@example.com\","
      "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"M\"}",
      { 201, 403, 403, 403, 403, 403, 403 } },
    { "POST", "/api/auth/verify", JSON, "{\"token\":\"tm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", ALL(410) },
    { "POST", "/api/auth/login", JSON,
      "{\"email\":\"ent@example.com\",\"password\":\"" TEST_PASSWORD "\"}", ALL(200) },
    { "GET", "/api/me", NULL, NULL, SIGNED(200) },
    { "GET", "/api/demands", NULL, NULL, ALL(200) },
    { "POST", "/api/demands", JSON, "{\"title\":\"matrix demand\"}", { 401, 201, 201, 403, 403, 403, 403 } },
    { "POST", "/api/demands/import", "text/csv", "title\nmatrix import\n", { 401, 202, 202, 403, 403, 403, 403 } },
    { "GET", "/api/imports/{x}", NULL, NULL, { 401, 404, 404, 404, 404, 404, 404 } },
    { "GET", "/api/demands/{d}", NULL, NULL, ALL(200) },
    { "PATCH", "/api/demands/{d}", JSON, "{\"region\":\"贵州省\"}", { 401, 200, 403, 403, 403, 403, 403 } },
    { "GET", "/api/demands/{d}/matches", NULL, NULL, { 401, 200, 403, 403, 403, 200, 200 } },
    { "GET", "/api/achievements/{a}/matches", NULL, NULL, { 401, 403, 403, 200, 403, 200, 200 } },
    { "GET", "/api/matches", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/matches/{x}/approve", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "GET", "/api/policy", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "PUT", "/api/policy", JSON, "{\"suggest_threshold\":0.3}", { 401, 403, 403, 403, 403, 403, 200 } },
    { "GET", "/api/thesaurus", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/thesaurus", JSON, "{\"term_a\":\"x\",\"term_b\":\"x\",\"kind\":\"synonym\"}",
      { 401, 403, 403, 403, 403, 400, 400 } },
    { "DELETE", "/api/thesaurus/{x}", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "GET", "/api/subscription", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "PUT", "/api/subscription", JSON, "{\"mode\":\"realtime\"}", { 401, 200, 200, 403, 403, 403, 403 } },
    { "GET", "/api/notifications", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "GET", "/api/notifications/unread", NULL, NULL, { 401, 200, 200, 403, 403, 403, 403 } },
    { "POST", "/api/notifications/{x}/read", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "GET", "/api/users", NULL, NULL, { 401, 403, 403, 403, 403, 403, 200 } },
    { "GET", "/api/staff", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/users", JSON, "{\"email\":\"x\"}", { 401, 403, 403, 403, 403, 403, 400 } },
    { "GET", "/api/review", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/review/summary", NULL, NULL, { 401, 403, 403, 403, 403, 400, 400 } }, /* since is required */
    { "GET", "/api/review/summary?since=2026-01-01T00:00:00%2B08:00", NULL, NULL,
      { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/review/decisions-report", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/stats", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/export/decisions.csv", NULL, NULL, { 401, 403, 403, 403, 403, 200, 200 } },
    { "POST", "/api/proposals", JSON, "{\"demand_id\":999999,\"achievement_id\":999999,\"statement\":\"s\"}",
      { 401, 403, 403, 400, 400, 403, 403 } },
    { "POST", "/api/matches/bulk", JSON, "{\"action\":\"approve\",\"ids\":[999999]}",
      { 401, 403, 403, 403, 403, 200, 200 } },
    { "GET", "/api/matches/{x}", NULL, NULL, { 401, 404, 404, 404, 404, 404, 404 } },
    { "POST", "/api/matches/{x}/reject", JSON, "{\"reason\":\"duplicate\"}", { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/interested", NULL, NULL, { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/matches/{x}/declined", JSON, "{\"reason\":\"out_of_scope\"}",
      { 401, 404, 404, 403, 403, 403, 403 } },
    { "POST", "/api/matches/{x}/in_talks", NULL, NULL, { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/deal", JSON, "{\"amount\":1,\"transfer_mode\":\"license\"}",
      { 401, 403, 403, 403, 403, 404, 404 } },
    { "POST", "/api/matches/{x}/close", JSON, "{\"reason\":\"other\",\"text\":\"x\"}",
      { 401, 403, 403, 403, 403, 404, 404 } },
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
      { 401, 403, 403, 202, 202, 403, 403 } },
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
                              world_role_names[role], r->status, m->expect[role], r->body);
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

/* ---------- bad input ---------- */

void test_api_bad_input_gets_problem_json_and_stores_nothing(void)
{
    world w;
    if (world_setup(&w, "badinput.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *ent = w.tok[R_ENT];
    int before = world_count_mine(&w, "demands", R_ENT);

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
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), before);
    world_teardown(&w);
}

