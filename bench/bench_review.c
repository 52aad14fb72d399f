/*
 * bench_review.c: what the pages that show many listings cost: the broker's
 * review queue, a match list and a live top-k, in statements and latency.
 *
 *   bench_review [REQUESTS]      (default 200)
 *
 * Runs the real server inside this process (as `techmatch serve` builds it:
 * store, taxonomy, matcher) on a loopback port, so that it can read the
 * store's statement counter around each request.  Posts 60 achievements and
 * 10 demands on one subject over HTTP (each matched as it is stored, so the
 * review queue fills with suggestions), then asks REQUESTS times, one at a
 * time on a kept-alive connection:
 *   GET /api/review?limit=50               (50 suggestions, both listings each)
 *   GET /api/matches?limit=50              (50 matches)
 *   GET /api/demands/{id}/matches?limit=50 (a live top-50, explained)
 * and prints, for each, the statements per request and p50/p99 latency.
 */
#include "app.h"
#include "auth.h"
#include "corpus.h"
#include "http.h"
#include "log.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "serverkit.h"
#include "store.h"
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASSWORD "bench password 42"
#define ACHIEVEMENTS 60
#define DEMANDS 10

static app the_app;
static int port;

static int start_server(const char *db)
{
    http_server *srv = NULL;
    if (auth_init() != TM_OK || store_open(db, &the_app.store) != TM_OK ||
        store_fields_load(the_app.store, &the_app.tax) != TM_OK)
        return -1;
    store_queue_matching(the_app.store);
    the_app.limiter = auth_limiter_new();
    the_app.session_ttl = 3600;
    if (matching_open(the_app.store, &the_app.matching) != TM_OK)
        return -1;
    static http_config config = { .app = &the_app, .authenticate = app_authenticate }; /* no limits */
    return http_server_start("127.0.0.1", 0, &config, &srv, &port) == TM_OK ? 0 : -1;
}

/* The accounts: an enterprise, a university and a broker, each able to log in. */
static int make_accounts(void)
{
    char hash[AUTH_HASH_STR_BYTES];
    principal who;
    const char *conflict = NULL;
    int64_t broker = 0;
    if (auth_password_hash(PASSWORD, hash) != TM_OK)
        return -1;
    if (store_register(the_app.store, "Bench Mining Co", "enterprise", "ent@bench.example", "Ent", hash, &who,
                       &conflict) != TM_OK ||
        store_register(the_app.store, "Bench University", "university", "uni@bench.example", "Uni", hash, &who,
                       &conflict) != TM_OK ||
        store_user_add(the_app.store, "broker@bench.example", "broker", "Bench Brokers", "Broker", hash,
                       &broker) != TM_OK)
        return -1;
    return 0;
}

/* Posts one listing on the common subject; returns its id, or 0. */
static long post_listing(CURL *c, const char *token, const char *path, const char *body_member, int i)
{
    char url[128], json[1024];
    sbuf body;
    sbuf_init(&body);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    snprintf(json, sizeof json,
             "{\"title\":\"Hydraulic roof support electro-hydraulic control %d\",\"%s\":\"Coal mine longwall face"
             " hydraulic support control, sensors on every support, automatic advance %d\","
             "\"keywords\":[\"hydraulic support\",\"longwall\",\"electro-hydraulic control\"],\"fields\":[\"B06\"]}",
             i, body_member, i);
    long id = 0;
    if (kit_request(c, url, "POST", token, json, &body) == 201) {
        cJSON *o = cJSON_Parse(body.buf);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "id");
        id = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
        cJSON_Delete(o);
    }
    sbuf_cleanup(&body);
    return id;
}

/* How many items the page at url holds (its "items" array), or -1. */
static int page_items(CURL *c, const char *token, const char *url)
{
    sbuf body;
    sbuf_init(&body);
    int n = -1;
    if (kit_request(c, url, "GET", token, NULL, &body) == 200) {
        cJSON *o = cJSON_Parse(body.buf);
        n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "items"));
        cJSON_Delete(o);
    }
    sbuf_cleanup(&body);
    return n;
}

/* Asks url n times; prints statements per request and p50/p99.  0, or -1 on an unexpected answer. */
static int measure(CURL *c, const char *token, const char *label, const char *url, int n)
{
    double *ms = xcalloc((size_t)n, sizeof *ms);
    sbuf body;
    sbuf_init(&body);
    int failed = 0;
    uint64_t before = store_statements_run(the_app.store);
    for (int i = 0; i < n; i++) {
        double t = corpus_now();
        failed += kit_request(c, url, "GET", token, NULL, &body) != 200;
        ms[i] = (corpus_now() - t) * 1e3;
    }
    uint64_t statements = store_statements_run(the_app.store) - before;
    double p50, p99;
    corpus_percentiles(ms, (size_t)n, &p50, &p99);
    printf("%-42s %6.1f statements/request  p50 %6.2f ms  p99 %6.2f ms\n", label, (double)statements / n, p50, p99);
    sbuf_cleanup(&body);
    free(ms);
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    int64_t requests = 200;
    if (argc > 1 && parse_int64(argv[1], 10, 100000, &requests) != TM_OK) {
        fprintf(stderr, "usage: bench_review [REQUESTS >= 10]\n");
        return 2;
    }
    char db[] = "/tmp/techmatch-bench-review-XXXXXX";
    if (kit_scratch_db(db) != 0)
        return 2;
    log_set_quiet(1);
    signal(SIGPIPE, SIG_IGN);
    if (start_server(db) != 0 || make_accounts() != 0) {
        fprintf(stderr, "bench_review: the server did not start\n");
        return 1;
    }
    CURL *c = curl_easy_init();
    char ent[128] = "", uni[128] = "", broker[128] = "", url[160];
    if (kit_login(c, port, "ent@bench.example", PASSWORD, ent, sizeof ent) != 0 ||
        kit_login(c, port, "uni@bench.example", PASSWORD, uni, sizeof uni) != 0 ||
        kit_login(c, port, "broker@bench.example", PASSWORD, broker, sizeof broker) != 0) {
        fprintf(stderr, "bench_review: could not log in\n");
        return 1;
    }
    long demand = 0;
    for (int i = 0; i < ACHIEVEMENTS; i++)
        if (post_listing(c, uni, "/api/achievements", "abstract", i) == 0)
            return 1;
    for (int i = 0; i < DEMANDS; i++)
        if ((demand = post_listing(c, ent, "/api/demands", "description", i)) == 0)
            return 1;
    int status = 0;
    const char *paths[3] = { "/api/review?limit=50", "/api/matches?limit=50", NULL };
    char live[96];
    snprintf(live, sizeof live, "/api/demands/%ld/matches?limit=50", demand);
    paths[2] = live;
    for (int i = 0; i < 3; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, paths[i]);
        int items = page_items(c, broker, url);
        if (items != 50) {
            fprintf(stderr, "bench_review: %s holds %d items, not 50\n", paths[i], items);
            status = 1;
        }
        char label[96];
        snprintf(label, sizeof label, "GET %s", paths[i]);
        if (measure(c, broker, label, url, (int)requests) != 0)
            status = 1;
    }
    curl_easy_cleanup(c);
    store_remove_files(db);
    return status;
}
