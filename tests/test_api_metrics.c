/*
 * test_api_metrics.c: GET /metrics (issue 13, item 12) over HTTP.  After
 * requests of known routes and statuses (a 404 and a 400 among them), a
 * scrape from 127.0.0.1 is Prometheus text that Prometheus's own
 * `promtool check metrics` accepts, and its counters, histograms and gauges
 * moved by exactly what the test did, labelled by route pattern, never by
 * path.  Who may scrape: the server is started allowing 127.0.0.1 alone, so
 * 127.0.0.2 (loopback too) stands for an outside address, refused unless it
 * presents the metrics token; a wrong token, a user's session and a request
 * that came through a proxy are refused.  promtool is Debian's prometheus
 * package, which `make deps` installs: the test fails without it.
 */
#include "api_world.h"
#include "http.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PROMTOOL "/usr/bin/promtool"
#define METRICS_TOKEN "metrics-token-0123456789abcdef"

/* Writes the token file and returns its path (test_path's static buffer). */
static const char *token_file(const char *text)
{
    const char *path = test_path("metrics.token");
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return path;
    fputs(text, f);
    fclose(f);
    return path;
}

/*
 * The value of one series (its name and labels exactly as the server writes
 * them) in a scrape, or -1 when the scrape has no such line.
 */
static double sample(const char *body, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = body; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        double v = 0;
        const char *end = NULL;
        if (strncmp(line, series, n) == 0 && line[n] == ' ' &&
            parse_double_prefix(line + n + 1, 0, 1e18, &v, &end) == TM_OK)
            return v;
    }
    return -1;
}

/* The requests_total series of pattern, method and code; 0 when absent (a counter not yet moved). */
static double requests(const char *body, const char *pattern, const char *method, int code)
{
    char series[256];
    snprintf(series, sizeof series, "techmatch_http_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"}",
             pattern, method, code);
    double v = sample(body, series);
    return v < 0 ? 0 : v;
}

/* The histogram's _count of pattern and method, or -1. */
static double duration_count(const char *body, const char *pattern, const char *method)
{
    char series[256];
    snprintf(series, sizeof series, "techmatch_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"}",
             pattern, method);
    return sample(body, series);
}

/* Runs promtool check metrics on a scrape; fails the test (naming what it said) unless it passes. */
static void check_promtool(const char *body, int line)
{
    if (access(PROMTOOL, X_OK) != 0) {
        test_fail(__FILE__, line, "%s is missing: make deps installs it (Debian's prometheus package)", PROMTOOL);
        return;
    }
    const char *argv[] = { PROMTOOL, "check", "metrics", NULL };
    char *out = NULL, *err = NULL;
    int rc = test_run(argv, body, &out, &err);
    if (rc != 0)
        test_fail(__FILE__, line, "promtool check metrics: exit %d: %s %s", rc, out ? out : "", err ? err : "");
    free(out);
    free(err);
}

/* A scrape from 127.0.0.1 that must succeed; returns its body (malloc'd) or NULL after a test_fail. */
static char *scrape(const test_server *s, int line)
{
    test_resp *r = test_http(s, "GET", "/metrics", NULL, NULL, NULL, 0);
    char *body = NULL;
    const char *ct = test_resp_header(r, "Content-Type");
    if (r->status != 200 || ct == NULL || strncmp(ct, "text/plain; version=0.0.4", 25) != 0)
        test_fail(__FILE__, line, "GET /metrics: %ld %s: %s", r->status, ct ? ct : "(no type)", r->body);
    else
        body = strdup(r->body);
    test_resp_free(r);
    return body;
}

/* GET /metrics from the loopback address source with an extra header line (or NULL); returns the status. */
static long scrape_from(const test_server *s, const char *source, const char *header)
{
    test_server from = test_server_from(s, source);
    test_resp *r = test_http_ex(&from, "GET", "/metrics", NULL, NULL, NULL, 0, header, 30000);
    long status = r->status;
    if (status == 200 && strstr(r->body ? r->body : "", "techmatch_http_requests_total") == NULL)
        status = -2; /* a 200 that is not the metrics */
    test_resp_free(r);
    return status;
}

/* Sends one request and checks its status. */
static void expect(world *w, const char *method, const char *path, const char *token, const char *json,
                   long status)
{
    test_resp *r = json ? test_json(&w->srv, method, path, token, json)
                        : test_http(&w->srv, method, path, token, NULL, NULL, 0);
    if (r->status != status)
        test_fail(__FILE__, __LINE__, "%s %s: %ld, expected %ld", method, path, r->status, status);
    test_resp_free(r);
}

void test_api_metrics_count_requests_and_pass_promtool(void)
{
    world w;
    /* Webhooks to loopback, retried only after 10 minutes: a failed delivery stays pending through the test. */
    const char *const extra[] = { "--metrics-allow", "127.0.0.1", "--allow-private-webhooks", "--webhook-retry-ms",
                                  "600000", NULL };
    char path[64];
    if (world_setup(&w, "metrics.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    char *before = scrape(&w.srv, __LINE__);
    if (before == NULL) {
        world_teardown(&w);
        return;
    }
    check_promtool(before, __LINE__);

    /* One pushed match: a notification in the enterprise's inbox and a delivery to an endpoint no one answers. */
    expect(&w, "POST", "/api/webhooks", w.tok[R_ENT], "{\"url\":\"http://127.0.0.1:9/gone\"}", 201);
    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    test_resp *ap = world_approve(&w, R_BROKER, m);
    CHECK_INT(ap->status, 200);
    test_resp_free(ap);

    snprintf(path, sizeof path, "/api/demands/%ld", w.demand_id);
    expect(&w, "GET", path, NULL, NULL, 200);
    expect(&w, "GET", path, w.tok[R_ENT], NULL, 200);
    expect(&w, "GET", "/api/demands/999999", NULL, NULL, 404);         /* a route's 404 */
    expect(&w, "GET", "/api/no-such-route", NULL, NULL, 404);          /* no route: "other" */
    expect(&w, "GET", "/api/demands?limit=many", NULL, NULL, 400);
    expect(&w, "POST", "/api/auth/login", NULL, "{\"email\":\"ent@example.com\",\"password\":\"wrong password\"}",
           401);

    /*
     * A request is counted when libmicrohttpd reports it complete, just after
     * its reply went out, so a scrape on another connection can overtake the
     * last one: scrape again (for at most 5 s) until the last request shows.
     */
    char *after = NULL;
    for (int i = 0; i < 50; i++) {
        free(after);
        after = scrape(&w.srv, __LINE__);
        if (after == NULL || requests(after, "/api/auth/login", "POST", 401) > requests(before, "/api/auth/login",
                                                                                           "POST", 401))
            break;
        usleep(100 * 1000);
    }
    if (after == NULL) {
        free(before);
        world_teardown(&w);
        return;
    }
    check_promtool(after, __LINE__);
    const char *id_route = "/api/demands/{id}";
    CHECK_INT(requests(after, id_route, "GET", 200) - requests(before, id_route, "GET", 200), 2);
    CHECK_INT(requests(after, id_route, "GET", 404) - requests(before, id_route, "GET", 404), 1);
    CHECK_INT(requests(after, "other", "GET", 404) - requests(before, "other", "GET", 404), 1);
    CHECK_INT(requests(after, "/api/demands", "GET", 400) - requests(before, "/api/demands", "GET", 400), 1);
    CHECK_INT(requests(after, "/api/auth/login", "POST", 401) - requests(before, "/api/auth/login", "POST", 401), 1);
    /* The first scrape was counted when it completed (and so may be any scrape of the loop but the last). */
    CHECK(requests(after, "/metrics", "GET", 200) - requests(before, "/metrics", "GET", 200) >= 1);
    CHECK_INT(duration_count(after, id_route, "GET") - duration_count(before, id_route, "GET"), 3);
    CHECK(duration_count(after, "/api/stream", "GET") == 0);
    /* Every route has its histogram, moved or not (and none is lost to a bound of the module's table). */
    for (size_t i = 0; i < http_routes_count; i++) {
        if (duration_count(after, http_routes[i].pattern, http_routes[i].method) < 0)
            test_fail(__FILE__, __LINE__, "no histogram for %s %s", http_routes[i].method, http_routes[i].pattern);
    }
    /* Labels are route patterns, never paths. */
    CHECK(strstr(after, path) == NULL);
    CHECK(strstr(after, "999999") == NULL);
    CHECK(strstr(after, "no-such-route") == NULL);

    /* Gauges read at the scrape: the world's listings are indexed, the failed login is remembered. */
    CHECK(sample(after, "techmatch_matcher_index_listings{kind=\"demand\"}") >= 1);
    CHECK(sample(after, "techmatch_matcher_index_listings{kind=\"achievement\"}") >= 1);
    CHECK(sample(after, "techmatch_matcher_index_postings_bytes{kind=\"demand\"}") > 0);
    CHECK(sample(after, "techmatch_login_limiter_keys{kind=\"address\"}") >= 1);
    CHECK(sample(after, "techmatch_login_limiter_keys{kind=\"account\"}") >= 1);
    CHECK_INT(sample(after, "techmatch_login_limiter_refused_addresses"), 0);
    CHECK_INT(sample(after, "techmatch_streams_open"), 0);
    CHECK_INT(sample(after, "techmatch_webhook_deliveries_pending"), 1);
    CHECK(sample(after, "techmatch_webhook_oldest_pending_delivery_age_seconds") >= 0);
    CHECK_INT(sample(after, "techmatch_webhook_endpoints{status=\"active\"}"), 1);
    CHECK_INT(sample(after, "techmatch_notifications_unread"), 1);
    CHECK_INT(sample(after, "techmatch_match_queue_listings"), 0);
    CHECK_INT(sample(after, "techmatch_outbox_matches_waiting"),
              test_sqlite_int(w.srv.db, "SELECT count(*) FROM matches WHERE status = 'approved'"));
    CHECK(sample(after, "process_start_time_seconds") > 1.7e9);
    free(before);
    free(after);
    world_teardown(&w);
}

void test_api_metrics_refused_unless_allowed_or_token(void)
{
    test_server s;
    const char *tf = token_file(METRICS_TOKEN "\n");
    char tf_path[512];
    snprintf(tf_path, sizeof tf_path, "%s", tf);
    const char *const extra[] = { "--metrics-allow", "127.0.0.1", "--metrics-token-file", tf_path, NULL };
    unlink(test_path("metrics_access.db"));
    REQUIRE(test_server_start(&s, test_path("metrics_access.db"), extra) == 0);
    char *session = test_signup(&s, "Metrics Co", "enterprise", "metrics@example.com");
    char auth[160];

    CHECK_INT(scrape_from(&s, "127.0.0.1", NULL), 200);
    CHECK_INT(scrape_from(&s, "127.0.0.2", NULL), 403);
    CHECK_INT(scrape_from(&s, "127.0.0.2", "Authorization: Bearer " METRICS_TOKEN), 200);
    CHECK_INT(scrape_from(&s, "127.0.0.2", "Authorization: Bearer " METRICS_TOKEN "x"), 403);
    CHECK_INT(scrape_from(&s, "127.0.0.2", "Authorization: Bearer wrong-token-0123456789abcdef"), 403);
    CHECK_INT(scrape_from(&s, "127.0.0.2", "Authorization: Basic " METRICS_TOKEN), 403);
    /* A user's session opens no metrics. */
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", session ? session : "none");
    CHECK_INT(scrape_from(&s, "127.0.0.2", auth), 403);
    /* Through a proxy every client would be loopback: a forwarded request needs the token. */
    CHECK_INT(scrape_from(&s, "127.0.0.1", "X-Forwarded-For: 203.0.113.9"), 403);
    CHECK_INT(scrape_from(&s, "127.0.0.1", "Forwarded: for=203.0.113.9"), 403);
    CHECK_INT(scrape_from(&s, "127.0.0.1", "Authorization: Bearer " METRICS_TOKEN), 200);
    free(session);
    CHECK_INT(test_server_stop(&s), 0);

    /* Settings the server refuses to start with. */
    const char *bad[][5] = {
        { "--metrics-allow", "127.0.0.1/33", NULL, NULL, NULL },
        { "--metrics-allow", "localhost", NULL, NULL, NULL },
        { "--metrics-allow", "", NULL, NULL, NULL },
        { "--metrics-token-file", "/nonexistent/metrics.token", NULL, NULL, NULL },
        { "--metrics-token-file", NULL, NULL, NULL, NULL },
    };
    const char *short_token = NULL;
    char short_path[512];
    short_token = token_file("too short\n");
    snprintf(short_path, sizeof short_path, "%s", short_token);
    bad[4][1] = short_path;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* A database no server can open: were a setting taken, the start would still fail (exit 1), not hang. */
        const char *argv[] = { test_bin(), "serve", "--listen", "127.0.0.1:0", "--db", "/nonexistent/metrics.db",
                               bad[i][0], bad[i][1], NULL };
        char *err = NULL;
        int rc = test_run(argv, NULL, NULL, &err);
        if (rc != 2)
            test_fail(__FILE__, __LINE__, "serve %s '%s': exit %d, expected 2 (%s)", bad[i][0], bad[i][1], rc,
                      err ? err : "");
        free(err);
    }
}
