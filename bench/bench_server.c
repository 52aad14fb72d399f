/*
 * bench_server.c: the latency of creating a listing in the running server,
 * matching and stored suggestions included, with a corpus loaded.
 *
 *   bench_server TECHMATCH [ACHIEVEMENTS [REQUESTS]]   (defaults 20000 and 300)
 *
 * Loads ACHIEVEMENTS synthetic achievements (bench/corpus.h) into a fresh
 * database through the import path, starts `TECHMATCH serve` on a loopback
 * port, signs in an enterprise and posts REQUESTS demands over HTTP, one at a
 * time on one keep-alive connection, then asks each demand's live matches.
 * Prints p50/p99 of both, and how long the server took to start (index build).
 */
#include "auth.h"
#include "corpus.h"
#include "listing.h"
#include "log.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "serverkit.h"
#include "store.h"
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const kit_account bench_accounts[] = { { "Bench Enterprise", "enterprise", "bench@example.com" } };

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_server TECHMATCH [ACHIEVEMENTS [REQUESTS]]\n");
        return 2;
    }
    int64_t achievements = 20000, requests = 300;
    if ((argc > 2 && parse_int64(argv[2], 1, INT32_MAX, &achievements) != TM_OK) ||
        (argc > 3 && parse_int64(argv[3], 10, INT32_MAX, &requests) != TM_OK)) {
        fprintf(stderr, "usage: bench_server TECHMATCH [ACHIEVEMENTS >= 1 [REQUESTS >= 10]]\n");
        return 2;
    }
    long n = (long)achievements;
    int reqs = (int)requests;
    char db[] = "/tmp/techmatch-bench-server-XXXXXX";
    if (kit_scratch_db(db) != 0)
        return 2;
    log_set_quiet(1);
    corpus_init(20000, 88172645u);
    double t0 = corpus_now();
    if (kit_seed(db, n, bench_accounts, sizeof bench_accounts / sizeof bench_accounts[0]) != 0) {
        fprintf(stderr, "bench_server: loading failed\n");
        return 1;
    }
    printf("bench_server: %ld achievements loaded in %.1f s; %d demands posted one at a time\n", n,
           corpus_now() - t0, reqs);
    int port = 0;
    t0 = corpus_now();
    pid_t pid = kit_start(argv[1], db, NULL, &port);
    if (pid < 0) {
        fprintf(stderr, "bench_server: the server did not start\n");
        return 1;
    }
    printf("server start (indexes built): %.2f s\n", corpus_now() - t0);
    CURL *c = curl_easy_init();
    sbuf body, json;
    sbuf_init(&body);
    sbuf_init(&json);
    char url[128], token[128] = "";
    if (kit_login(c, port, "bench@example.com", KIT_PASSWORD, token, sizeof token) != 0)
        fprintf(stderr, "bench_server: could not log in\n");
    double *create = xcalloc((size_t)reqs, sizeof *create), *live = xcalloc((size_t)reqs, sizeof *live);
    long *ids = xcalloc((size_t)reqs, sizeof *ids);
    int failed = 0;
    for (int i = 0; i < reqs; i++) {
        int english = i % 3 == 0;
        char *title = corpus_words(english, 3 + (int)(corpus_rand() % 4));
        char *desc = corpus_words(english, 15 + (int)(corpus_rand() % 26));
        sbuf_reset(&json);
        sbuf_adds(&json, "{\"title\":\"");
        kit_json_text(&json, title);
        sbuf_adds(&json, "\",\"description\":\"");
        kit_json_text(&json, desc);
        sbuf_printf(&json, "\",\"fields\":[\"%s\"]}", corpus_field());
        free(title);
        free(desc);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/demands", port);
        double s = corpus_now();
        long st = kit_request(c, url, "POST", token, json.buf, &body);
        create[i] = (corpus_now() - s) * 1e3;
        failed += st != 201;
        const char *idp = strstr(body.buf, "\"id\":");
        int64_t id = 0;
        const char *end = NULL;
        ids[i] = idp && parse_int64_prefix(idp + 5, 1, INT64_MAX, &id, &end) == TM_OK ? (long)id : 0;
    }
    for (int i = 0; i < reqs; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/demands/%ld/matches", port, ids[i]);
        double s = corpus_now();
        failed += kit_request(c, url, "GET", token, NULL, &body) != 200;
        live[i] = (corpus_now() - s) * 1e3;
    }
    double c50, c99, l50, l99;
    corpus_percentiles(create, (size_t)reqs, &c50, &c99);
    corpus_percentiles(live, (size_t)reqs, &l50, &l99);
    printf("POST /api/demands (matched, suggestions stored): p50 %6.2f ms  p99 %6.2f ms\n", c50, c99);
    printf("GET /api/demands/{id}/matches (top 20, explained): p50 %6.2f ms  p99 %6.2f ms\n", l50, l99);
    printf("unexpected statuses: %d\n", failed);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    curl_easy_cleanup(c);
    sbuf_cleanup(&body);
    sbuf_cleanup(&json);
    free(create);
    free(live);
    free(ids);
    corpus_free();
    store_remove_files(db);
    return failed ? 1 : 0;
}
