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
#include "sbuf.h"
#include "store.h"
#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PASSWORD "bench password 42"

/* The import callback: a synthetic achievement for row i. */
static int fill(void *ctx, size_t i, listing *l)
{
    (void)ctx;
    int english = i % 3 == 0;
    free(l->title);
    free(l->body);
    l->title = corpus_words(english, 3 + (int)(corpus_rand() % 5));
    l->body = corpus_words(english, 30 + (int)(corpus_rand() % 61));
    for (int k = 0; k < 3; k++)
        strlist_push(&l->keywords, corpus_word(english));
    strlist_push(&l->fields, corpus_field());
    return TM_OK;
}

static int load(const char *db, long n)
{
    store *s = NULL;
    int64_t org = 0;
    char hash[AUTH_HASH_STR_BYTES];
    principal who;
    const char *conflict;
    if (store_open(db, &s) != TM_OK || store_org_ensure(s, "Bench University", "university", &org) != TM_OK)
        return -1;
    int64_t ids[1000];
    import_action acts[1000];
    const char *refs[1000] = { 0 };
    for (long i = 0; i < n; i += 1000) {
        size_t k = (size_t)(n - i < 1000 ? n - i : 1000);
        if (store_listing_import(s, LISTING_ACHIEVEMENT, org, k, refs, 0, fill, NULL, ids, acts, NULL, NULL) != TM_OK)
            return -1;
    }
    if (auth_init() != TM_OK || auth_password_hash(PASSWORD, hash) != TM_OK ||
        store_register(s, "Bench Enterprise", "enterprise", "bench@example.com", "Bench", hash, &who, &conflict) != TM_OK)
        return -1;
    store_close(s);
    return 0;
}

static pid_t start(const char *bin, const char *db, int *port)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        freopen("/dev/null", "w", stderr);
        execl(bin, bin, "serve", "--listen", "127.0.0.1:0", "--db", db, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char line[256];
    size_t len = 0;
    struct pollfd p = { fd[0], POLLIN, 0 };
    while (len < sizeof line - 1 && poll(&p, 1, 600000) > 0 && read(fd[0], line + len, 1) == 1 && line[len] != '\n')
        len++;
    line[len] = '\0';
    close(fd[0]);
    const char *colon = strrchr(line, ':');
    *port = colon ? atoi(colon + 1) : 0;
    return *port > 0 ? pid : -1;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

/* One request on the shared handle; returns the status and fills body. */
static long request(CURL *c, const char *url, const char *method, const char *token, const char *json, sbuf *body)
{
    struct curl_slist *h = NULL;
    char auth[256];
    sbuf_reset(body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json ? json : "");
    curl_easy_setopt(c, CURLOPT_HTTPGET, json ? 0L : 1L);
    if (json)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

/* Escapes text for a JSON string (the corpus has no quotes or controls, but be safe). */
static void json_text(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sbuf_addc(b, '\\');
        sbuf_addc(b, *s);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_server TECHMATCH [ACHIEVEMENTS [REQUESTS]]\n");
        return 2;
    }
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    int reqs = argc > 3 ? atoi(argv[3]) : 300;
    char db[] = "/tmp/techmatch-bench-server-XXXXXX";
    int fd = mkstemp(db);
    if (fd < 0 || n < 1 || reqs < 10)
        return 2;
    close(fd);
    unlink(db);
    log_set_quiet(1);
    corpus_init(20000, 88172645u);
    double t0 = corpus_now();
    if (load(db, n) != 0) {
        fprintf(stderr, "bench_server: loading failed\n");
        return 1;
    }
    printf("bench_server: %ld achievements loaded in %.1f s; %d demands posted one at a time\n", n,
           corpus_now() - t0, reqs);
    int port = 0;
    t0 = corpus_now();
    pid_t pid = start(argv[1], db, &port);
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
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/auth/login", port);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (request(c, url, "POST", NULL, "{\"email\":\"bench@example.com\",\"password\":\"" PASSWORD "\"}", &body) == 200) {
        const char *t = strstr(body.buf, "\"token\":\"");
        if (t)
            snprintf(token, sizeof token, "%.46s", t + 9);
    }
    double *create = xcalloc((size_t)reqs, sizeof *create), *live = xcalloc((size_t)reqs, sizeof *live);
    long *ids = xcalloc((size_t)reqs, sizeof *ids);
    int failed = 0;
    for (int i = 0; i < reqs; i++) {
        int english = i % 3 == 0;
        char *title = corpus_words(english, 3 + (int)(corpus_rand() % 4));
        char *desc = corpus_words(english, 15 + (int)(corpus_rand() % 26));
        sbuf_reset(&json);
        sbuf_adds(&json, "{\"title\":\"");
        json_text(&json, title);
        sbuf_adds(&json, "\",\"description\":\"");
        json_text(&json, desc);
        sbuf_printf(&json, "\",\"fields\":[\"%s\"]}", corpus_field());
        free(title);
        free(desc);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/demands", port);
        double s = corpus_now();
        long st = request(c, url, "POST", token, json.buf, &body);
        create[i] = (corpus_now() - s) * 1e3;
        failed += st != 201;
        const char *idp = strstr(body.buf, "\"id\":");
        ids[i] = idp ? strtol(idp + 5, NULL, 10) : 0;
    }
    for (int i = 0; i < reqs; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/demands/%ld/matches", port, ids[i]);
        double s = corpus_now();
        failed += request(c, url, "GET", token, NULL, &body) != 200;
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
    char side[64];
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    return failed ? 1 : 0;
}
