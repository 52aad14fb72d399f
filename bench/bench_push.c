/*
 * bench_push.c: how fast an approved match reaches its enterprise, with many
 * live streams open, and how many webhook deliveries a second go out.
 *
 *   bench_push TECHMATCH [DEMANDS [STREAMS [POSTS]]]   (defaults 100000, 1000, 200)
 *
 * Loads DEMANDS synthetic demands (another organisation's) into a fresh
 * database, plus one demand of the measured enterprise; sets the policy to
 * auto-approve every suggestion (score >= 0.3); starts `TECHMATCH serve`.
 * Opens STREAMS live streams (one of the measured enterprise, the rest of an
 * idle one), all on one libcurl multi handle in a thread of their own; then
 * a university posts POSTS achievements that match the measured demand, one
 * at a time, and each is timed from the POST to its event's arrival on the
 * stream.  While the streams are open it also times GET /healthz, to show
 * that parked streams do not starve other requests.
 *
 * Webhooks: 40 endpoints (20 per enterprise, the most allowed) on a local
 * receiver (libmicrohttpd in this process, answering 204) are paused, 100
 * pings are queued to each, then all are resumed and the 4,000 deliveries
 * timed until the receiver has them all.
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
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PASSWORD "bench password 42"
#define PHRASE "液压支架电液控制系统"
#define ENDPOINTS_PER_ORG 20
#define PINGS 100

/* ---------- loading ---------- */

static int fill_demand(void *ctx, size_t i, listing *l)
{
    (void)ctx;
    int english = i % 3 == 0;
    free(l->title);
    free(l->body);
    l->title = corpus_words(english, 3 + (int)(corpus_rand() % 4));
    l->body = corpus_words(english, 15 + (int)(corpus_rand() % 26));
    strlist_push(&l->fields, corpus_field());
    return TM_OK;
}

static int add_user(store *s, const char *org, const char *kind, const char *email, principal *who)
{
    char hash[AUTH_HASH_STR_BYTES];
    const char *conflict;
    return auth_password_hash(PASSWORD, hash) == TM_OK &&
                   store_register(s, org, kind, email, "Bench", hash, who, &conflict) == TM_OK
               ? 0
               : -1;
}

static int load(const char *db, long n)
{
    store *s = NULL;
    int64_t org = 0;
    principal target, idle, uni;
    if (store_open(db, &s) != TM_OK || store_org_ensure(s, "Bench Demand Co", "enterprise", &org) != TM_OK)
        return -1;
    if (kit_import_listings(s, LISTING_DEMAND, org, n, fill_demand) != 0)
        return -1;
    if (auth_init() != TM_OK || add_user(s, "Target Co", "enterprise", "target@example.com", &target) != 0 ||
        add_user(s, "Idle Co", "enterprise", "idle@example.com", &idle) != 0 ||
        add_user(s, "Bench University", "university", "uni@example.edu", &uni) != 0)
        return -1;
    listing *d = listing_new(LISTING_DEMAND);
    d->org_id = target.org_id;
    free(d->title);
    d->title = xstrdup(PHRASE "国产化");
    free(d->body);
    d->body = xstrdup("综采工作面" PHRASE "，动作响应小于0.5秒。");
    strlist_push(&d->fields, "B06");
    policy p = { .suggest_threshold = 0.3, .auto_approve = 1, .auto_approve_score = 0.3 };
    int rc = store_listing_create(s, d, 0) == TM_OK && store_policy_set(s, &p, 0) == TM_OK ? 0 : -1;
    listing_free(d);
    store_close(s);
    return rc;
}

/* ---------- the streams ---------- */

typedef struct streams {
    CURLM *multi;
    CURL **easy;
    struct curl_slist **headers;
    int n;
    atomic_int opened;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    long last_id;            /* the measured stream's newest event */
    double last_at;
} streams;

typedef struct stream_ctx {
    streams *all;
    int measured;
    int open;
} stream_ctx;

static size_t on_stream(char *data, size_t size, size_t n, void *arg)
{
    stream_ctx *c = arg;
    size_t len = size * n;
    if (!c->open) {
        c->open = 1;
        atomic_fetch_add(&c->all->opened, 1);
    }
    if (c->measured) {
        double now = corpus_now();
        for (size_t i = 0; i + 4 < len; i++)
            if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "id: ", 4) == 0) {
                int64_t id = 0;
                const char *end = NULL;
                if (parse_int64_prefix(data + i + 4, 1, INT64_MAX, &id, &end) != TM_OK)
                    continue; /* an id line without an event id: nothing to record */
                pthread_mutex_lock(&c->all->lock);
                if (id > c->all->last_id) {
                    c->all->last_id = (long)id;
                    c->all->last_at = now;
                }
                pthread_cond_broadcast(&c->all->changed);
                pthread_mutex_unlock(&c->all->lock);
            }
    }
    return len;
}

static void *streams_main(void *arg)
{
    streams *s = arg;
    while (!atomic_load(&s->stop)) {
        int running = 0;
        curl_multi_perform(s->multi, &running);
        curl_multi_poll(s->multi, NULL, 0, 100, NULL);
    }
    return NULL;
}

static void streams_open(streams *s, int port, const char *target, const char *idle, int n)
{
    char url[128], auth[256];
    memset(s, 0, sizeof *s);
    s->n = n;
    s->multi = curl_multi_init();
    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    s->easy = xcalloc((size_t)n, sizeof *s->easy);
    s->headers = xcalloc((size_t)n, sizeof *s->headers);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/stream", port);
    for (int i = 0; i < n; i++) {
        stream_ctx *c = xcalloc(1, sizeof *c);
        c->all = s;
        c->measured = i == 0;
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", i == 0 ? target : idle);
        s->headers[i] = curl_slist_append(NULL, auth);
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers[i]);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_stream);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(e, CURLOPT_PRIVATE, c);
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        s->easy[i] = e;
        curl_multi_add_handle(s->multi, e);
    }
}

static void streams_close(streams *s, pthread_t th)
{
    atomic_store(&s->stop, 1);
    curl_multi_wakeup(s->multi);
    pthread_join(th, NULL);
    for (int i = 0; i < s->n; i++) {
        stream_ctx *c = NULL;
        curl_easy_getinfo(s->easy[i], CURLINFO_PRIVATE, (char **)&c);
        curl_multi_remove_handle(s->multi, s->easy[i]);
        curl_easy_cleanup(s->easy[i]);
        curl_slist_free_all(s->headers[i]);
        free(c);
    }
    curl_multi_cleanup(s->multi);
    free(s->easy);
    free(s->headers);
}

/* ---------- the webhook receiver ---------- */

static atomic_long received;

static enum MHD_Result receive(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *data, size_t *size, void **state)
{
    (void)cls, (void)url, (void)method, (void)version, (void)data;
    if (*state == NULL) {
        *state = c;
        return MHD_YES;
    }
    if (*size > 0) {
        *size = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&received, 1);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, 204, r);
    MHD_destroy_response(r);
    return rc;
}

/* ---------- main ---------- */

static double wait_event(streams *s, long after, double timeout)
{
    double until = corpus_now() + timeout, at = -1;
    pthread_mutex_lock(&s->lock);
    while (s->last_id <= after && corpus_now() < until) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->changed, &s->lock, &ts);
    }
    if (s->last_id > after)
        at = s->last_at;
    pthread_mutex_unlock(&s->lock);
    return at;
}

static long json_long(const char *body, const char *member)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", member);
    const char *p = strstr(body, key);
    int64_t v = 0;
    const char *end = NULL;
    if (p == NULL || parse_int64_prefix(p + strlen(key), 1, INT64_MAX, &v, &end) != TM_OK)
        return 0;
    return (long)v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_push TECHMATCH [DEMANDS [STREAMS [POSTS]]]\n");
        return 2;
    }
    int64_t ndemands_arg = 100000, nstreams_arg = 1000, posts_arg = 200;
    if ((argc > 2 && parse_int64(argv[2], 1, INT32_MAX, &ndemands_arg) != TM_OK) ||
        (argc > 3 && parse_int64(argv[3], 1, INT32_MAX, &nstreams_arg) != TM_OK) ||
        (argc > 4 && parse_int64(argv[4], 10, INT32_MAX, &posts_arg) != TM_OK)) {
        fprintf(stderr, "usage: bench_push TECHMATCH [DEMANDS >= 1 [STREAMS >= 1 [POSTS >= 10]]]\n");
        return 2;
    }
    long ndemands = (long)ndemands_arg;
    int nstreams = (int)nstreams_arg, posts = (int)posts_arg;
    char db[] = "/tmp/techmatch-bench-push-XXXXXX";
    if (kit_scratch_db(db) != 0)
        return 2;
    log_set_quiet(1);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    corpus_init(20000, 88172645u);
    double t0 = corpus_now();
    if (load(db, ndemands) != 0) {
        fprintf(stderr, "bench_push: loading failed\n");
        return 1;
    }
    printf("bench_push: %ld demands loaded in %.1f s; %d live streams; %d achievements posted one at a time\n",
           ndemands, corpus_now() - t0, nstreams, posts);
    /* Every stream comes from 127.0.0.1: no per-address limits. */
    static const char *const extra[] = { "--allow-private-webhooks", "--max-conns-per-address", "0",
                                         "--max-streams-per-address", "0", NULL };
    int port = 0, failed = 0;
    pid_t pid = kit_start(argv[1], db, extra, &port);
    if (pid < 0) {
        fprintf(stderr, "bench_push: the server did not start\n");
        return 1;
    }
    CURL *c = curl_easy_init();
    sbuf body, json;
    sbuf_init(&body);
    sbuf_init(&json);
    char target[128], idle[128], uni[128], url[160];
    if (kit_login(c, port, "target@example.com", PASSWORD, target, sizeof target) != 0 ||
        kit_login(c, port, "idle@example.com", PASSWORD, idle, sizeof idle) != 0 ||
        kit_login(c, port, "uni@example.edu", PASSWORD, uni, sizeof uni) != 0) {
        fprintf(stderr, "bench_push: could not log in\n");
        kill(pid, SIGTERM);
        return 1;
    }

    /* Streams. */
    streams s;
    pthread_t th;
    streams_open(&s, port, target, idle, nstreams);
    pthread_create(&th, NULL, streams_main, &s);
    for (int i = 0; i < 600 && atomic_load(&s.opened) < nstreams; i++)
        usleep(50 * 1000);
    printf("streams open: %d of %d\n", atomic_load(&s.opened), nstreams);

    /* POST an achievement -> its event on the measured stream. */
    double *lat = xcalloc((size_t)posts, sizeof *lat), *create = xcalloc((size_t)posts, sizeof *create);
    int got = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/achievements", port);
    for (int i = 0; i < posts; i++) {
        int english = i % 3 == 0;
        char *words = corpus_words(english, 20);
        sbuf_reset(&json);
        sbuf_printf(&json, "{\"title\":\"%s %d\",\"abstract\":\"综采工作面%s，", PHRASE, i, PHRASE);
        kit_json_text(&json, words);
        sbuf_adds(&json, "\",\"keywords\":[\"" PHRASE "\"],\"fields\":[\"B06\"]}");
        free(words);
        pthread_mutex_lock(&s.lock);
        long before = s.last_id;
        pthread_mutex_unlock(&s.lock);
        double start = corpus_now();
        long st = kit_request(c, url, "POST", uni, json.buf, &body);
        create[i] = (corpus_now() - start) * 1e3;
        failed += st != 201;
        double at = wait_event(&s, before, 5.0);
        if (at > 0)
            lat[got++] = (at - start) * 1e3;
    }
    double l50 = 0, l99 = 0, c50, c99, h50, h99;
    if (got > 0)
        corpus_percentiles(lat, (size_t)got, &l50, &l99);
    corpus_percentiles(create, (size_t)posts, &c50, &c99);
    double *health = xcalloc(200, sizeof *health);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", port);
    for (int i = 0; i < 200; i++) {
        double start = corpus_now();
        failed += kit_request(c, url, "GET", NULL, NULL, &body) != 200;
        health[i] = (corpus_now() - start) * 1e3;
    }
    corpus_percentiles(health, 200, &h50, &h99);
    printf("POST /api/achievements (matched, auto-approved, pushed): p50 %6.2f ms  p99 %6.2f ms\n", c50, c99);
    printf("POST -> event on the enterprise's stream (%d of %d arrived): p50 %6.2f ms  p99 %6.2f ms\n", got, posts,
           l50, l99);
    printf("GET /healthz with %d streams open: p50 %6.2f ms  p99 %6.2f ms\n", nstreams, h50, h99);
    streams_close(&s, th);

    /* Webhooks: pause, queue pings, resume, time the deliveries. */
    struct MHD_Daemon *recv = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, receive,
                                               NULL, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT,
                                               2000u, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = recv ? MHD_get_daemon_info(recv, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    int rport = info ? info->port : 0;
    long hooks[2 * ENDPOINTS_PER_ORG];
    int nhooks = 0;
    for (int org = 0; org < 2 && rport > 0; org++)
        for (int k = 0; k < ENDPOINTS_PER_ORG; k++) {
            const char *tok = org ? idle : target;
            snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks", port);
            sbuf_reset(&json);
            sbuf_printf(&json, "{\"url\":\"http://127.0.0.1:%d/hook/%d/%d\"}", rport, org, k);
            if (kit_request(c, url, "POST", tok, json.buf, &body) == 201) {
                hooks[nhooks] = json_long(body.buf, "id");
                snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks/%ld/pause", port, hooks[nhooks]);
                failed += kit_request(c, url, "POST", tok, "", &body) != 200;
                nhooks++;
            } else {
                failed++;
            }
        }
    double q0 = corpus_now();
    for (int p = 0; p < PINGS; p++)
        for (int h = 0; h < nhooks; h++) {
            snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks/%ld/ping", port, hooks[h]);
            failed += kit_request(c, url, "POST", h < ENDPOINTS_PER_ORG ? target : idle, "", &body) != 202;
        }
    double queued = corpus_now() - q0;
    long want = (long)nhooks * PINGS, base = atomic_load(&received);
    double d0 = corpus_now();
    for (int h = 0; h < nhooks; h++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks/%ld/resume", port, hooks[h]);
        failed += kit_request(c, url, "POST", h < ENDPOINTS_PER_ORG ? target : idle, "", &body) != 200;
    }
    while (atomic_load(&received) - base < want && corpus_now() - d0 < 120)
        usleep(2000);
    double took = corpus_now() - d0;
    long delivered = atomic_load(&received) - base;
    printf("webhooks: %d endpoints, %ld pings queued in %.1f s; %ld delivered in %.2f s: %.0f deliveries/s\n", nhooks,
           want, queued, delivered, took, (double)delivered / took);
    printf("unexpected statuses: %d\n", failed);

    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (recv)
        MHD_stop_daemon(recv);
    curl_easy_cleanup(c);
    sbuf_cleanup(&body);
    sbuf_cleanup(&json);
    free(lat);
    free(create);
    free(health);
    corpus_free();
    store_remove_files(db);
    curl_global_cleanup();
    return failed || got < posts ? 1 : 0;
}
