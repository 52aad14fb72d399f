/*
 * bench_floods.c: how long GET /healthz takes while the expensive requests of
 * issue 13 (item 3) flood the server.
 *
 *   bench_floods TECHMATCH [LISTINGS [SECONDS [ROUNDS]]]   (defaults 20000, 6 and 3)
 *
 * Loads LISTINGS synthetic achievements (bench/corpus.h) into a fresh database,
 * starts `TECHMATCH serve` on a loopback port and, in each round, runs four
 * phases of SECONDS each, timing /healthz one request at a time from its own
 * connection throughout:
 *
 *   baseline   no flood;
 *   register   16 clients registering with an email that exists, each sending
 *              its next request as soon as the last is answered;
 *   search     8 anonymous clients searching achievements with 32 words each,
 *              drawn from the 3 commonest words of a language (they hold in
 *              many listings together, so every word is dear to rank);
 *   import     two universities importing 20,000 JSON Lines rows each, at once
 *              (once per round; a 202 is followed by polling its Location until
 *              the job is no longer queued or running), the phase lasting until
 *              both are done or IMPORT_CAP_S has passed.
 *
 * Every request goes to 127.0.0.1 and times out after REQUEST_TIMEOUT_S (an
 * import after IMPORT_CAP_S; a /healthz that times out counts as that long).
 * Each /healthz opens a new connection, as a new client would: libmicrohttpd
 * serves a connection on one thread of its pool, so a kept-alive one would
 * measure one thread only.  Prints /healthz p50/p99 per
 * phase and round, the flood's answers by status, and the medians over the
 * rounds.  A /healthz that times out is a result, not a failure; exits 1 only
 * when the database, the server or the importers' logins could not be set up.
 */
#include "auth.h"
#include "corpus.h"
#include "log.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "serverkit.h"
#include "store.h"
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_TIMEOUT_S 30
#define IMPORT_CAP_S 120
#define IMPORT_ROWS 20000
#define REGISTER_CLIENTS 16
#define SEARCH_CLIENTS 8
#define SEARCH_WORDS 32
#define SEARCH_QUERIES 64
#define COMMON_WORDS 3
#define MAX_CLIENTS 16
#define MAX_ROUNDS 9

enum { PHASE_BASELINE, PHASE_REGISTER, PHASE_SEARCH, PHASE_IMPORT, PHASES };
static const char *const phase_names[PHASES] = { "baseline (no flood)", "16 registrations, existing email",
                                                 "8 anonymous 32-word searches", "2 imports of 20,000 rows" };

/* What the flood clients share; the counters are by status class. */
typedef struct flood {
    int port;
    int phase;
    atomic_int stop;
    atomic_int running;        /* clients still at work (imports end on their own) */
    atomic_long answers[6];    /* 2xx, 409, 429, 503, other, no answer */
    char *queries[SEARCH_QUERIES];
    char *import_body;
    char tokens[2][160];
} flood;

typedef struct client_arg {
    flood *f;
    int index;
} client_arg;

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

/*
 * One request on c to 127.0.0.1:port (data NULL: no body); returns the status
 * (-1 on no answer) and fills body and, when headers is not NULL, the raw headers.
 */
static long request(CURL *c, int port, const char *method, const char *path, const char *token,
                    const char *content_type, const char *data, size_t len, sbuf *body, sbuf *headers)
{
    struct curl_slist *h = NULL;
    char url[4096], line[256];
    sbuf_reset(body);
    if (headers)
        sbuf_reset(headers);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_URL, url);
    /* An import may take long (it is the flood); everything else is bounded tightly. */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, strstr(path, "/import") ? (long)IMPORT_CAP_S : (long)REQUEST_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, headers ? collect : NULL);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
    h = curl_slist_append(h, "Expect:");
    if (content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        h = curl_slist_append(h, line);
    }
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HTTPGET, data ? 0L : 1L);
    if (data) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

static void count(flood *f, long status)
{
    int k = status >= 200 && status < 300 ? 0 : status == 409 ? 1 : status == 429 ? 2 : status == 503 ? 3
          : status > 0 ? 4 : 5;
    atomic_fetch_add(&f->answers[k], 1);
}

/* Copies the Location header's path out of a raw header block into out; 0 if there is none. */
static int location(const char *headers, char *out, size_t len)
{
    for (const char *p = headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncasecmp(p, "Location:", 9) != 0)
            continue;
        p += 9;
        p += strspn(p, " \t");
        size_t n = strcspn(p, "\r\n");
        const char *path = strstr(p, "://") ? strchr(strstr(p, "://") + 3, '/') : p;
        if (path == NULL || n == 0)
            return 0;
        n -= (size_t)(path - p);
        snprintf(out, len, "%.*s", (int)n, path);
        return 1;
    }
    return 0;
}

/* 1 while an import job's answer says it is still queued or running. */
static int job_pending(const char *body)
{
    return strstr(body, "\"queued\"") || strstr(body, "\"running\"") || strstr(body, "\"pending\"");
}

/* One import, then (for a 202) its job polled until it ends or the cap passes. */
static void import_once(flood *f, CURL *c, int i)
{
    sbuf body, headers;
    char job[512];
    sbuf_init(&body);
    sbuf_init(&headers);
    double start = corpus_now();
    long st = request(c, f->port, "POST", "/api/achievements/import", f->tokens[i], "application/x-ndjson",
                      f->import_body, strlen(f->import_body), &body, &headers);
    if (st == 202 && location(headers.buf, job, sizeof job)) {
        do {
            struct timespec ts = { 0, 250 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            st = request(c, f->port, "GET", job, f->tokens[i], NULL, NULL, 0, &body, NULL);
        } while (st == 200 && job_pending(body.buf) && corpus_now() - start < IMPORT_CAP_S);
    }
    count(f, st);
    sbuf_cleanup(&body);
    sbuf_cleanup(&headers);
}

static void *client_main(void *arg)
{
    client_arg *a = arg;
    flood *f = a->f;
    CURL *c = curl_easy_init();
    sbuf body, json;
    sbuf_init(&body);
    sbuf_init(&json);
    for (long n = 0; !atomic_load(&f->stop); n++) {
        long st;
        if (f->phase == PHASE_IMPORT) {
            import_once(f, c, a->index);
            break;
        }
        if (f->phase == PHASE_REGISTER) {
            sbuf_reset(&json);
            sbuf_printf(&json, "{\"org_name\":\"Flood Co %d-%ld\",\"org_kind\":\"enterprise\","
                        "\"email\":\"bench@example.com\",\"password\":\"another password 77\","
                        "\"display_name\":\"Flood\"}", a->index, n);
            st = request(c, f->port, "POST", "/api/auth/register", NULL, "application/json", json.buf, json.len,
                         &body, NULL);
        } else {
            st = request(c, f->port, "GET", f->queries[(a->index * 7 + n) % SEARCH_QUERIES], NULL, NULL, NULL, 0,
                         &body, NULL);
        }
        count(f, st);
    }
    atomic_fetch_sub(&f->running, 1);
    curl_easy_cleanup(c);
    sbuf_cleanup(&body);
    sbuf_cleanup(&json);
    return NULL;
}

/* Times /healthz for seconds (imports: until the clients are done, up to the cap); fills p50/p99 in ms. */
static int sample_health(flood *f, double seconds, double *p50, double *p99, int *timeouts)
{
    CURL *c = curl_easy_init();
    sbuf body;
    size_t n = 0, cap = 1024;
    /* A new connection each time, as a new client's: libmicrohttpd keeps a connection on one pool thread. */
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    double *ms = xcalloc(cap, sizeof *ms);
    sbuf_init(&body);
    *timeouts = 0;
    double start = corpus_now();
    for (;;) {
        double elapsed = corpus_now() - start;
        if (f->phase == PHASE_IMPORT ? (atomic_load(&f->running) == 0 && elapsed >= seconds) || elapsed > IMPORT_CAP_S
                                     : elapsed >= seconds)
            break;
        double t = corpus_now();
        long st = request(c, f->port, "GET", "/healthz", NULL, NULL, NULL, 0, &body, NULL);
        if (n == cap) {
            cap *= 2;
            ms = xrealloc(ms, cap * sizeof *ms);
        }
        ms[n++] = st == 200 ? (corpus_now() - t) * 1e3 : REQUEST_TIMEOUT_S * 1e3;
        *timeouts += st != 200;
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    corpus_percentiles(ms, n, p50, p99);
    free(ms);
    sbuf_cleanup(&body);
    curl_easy_cleanup(c);
    return (int)n;
}

/* Runs one phase: starts its clients, samples /healthz, stops the clients and prints a line. */
static int run_phase(flood *f, int phase, double seconds, double *p50, double *p99)
{
    pthread_t th[MAX_CLIENTS];
    client_arg args[MAX_CLIENTS];
    int clients = phase == PHASE_REGISTER ? REGISTER_CLIENTS : phase == PHASE_SEARCH ? SEARCH_CLIENTS
                : phase == PHASE_IMPORT ? 2 : 0;
    int timeouts = 0;
    f->phase = phase;
    atomic_store(&f->stop, 0);
    atomic_store(&f->running, clients);
    for (int k = 0; k < 6; k++)
        atomic_store(&f->answers[k], 0);
    for (int i = 0; i < clients; i++) {
        args[i] = (client_arg){ f, i };
        pthread_create(&th[i], NULL, client_main, &args[i]);
    }
    if (clients > 0) {
        struct timespec ts = { 0, 300 * 1000 * 1000 }; /* let the flood build up */
        nanosleep(&ts, NULL);
    }
    int n = sample_health(f, seconds, p50, p99, &timeouts);
    atomic_store(&f->stop, 1);
    for (int i = 0; i < clients; i++)
        pthread_join(th[i], NULL);
    printf("  %-34s /healthz p50 %8.1f ms  p99 %8.1f ms  (%d samples, %d timed out)", phase_names[phase], *p50, *p99,
           n, timeouts);
    if (clients > 0)
        printf("  flood answers: 2xx %ld, 409 %ld, 429 %ld, 503 %ld, other %ld, none %ld",
               atomic_load(&f->answers[0]), atomic_load(&f->answers[1]), atomic_load(&f->answers[2]),
               atomic_load(&f->answers[3]), atomic_load(&f->answers[4]), atomic_load(&f->answers[5]));
    printf("\n");
    fflush(stdout);
    return timeouts;
}

/* The enterprise whose email the registrations repeat, and the two importers. */
static const kit_account flood_accounts[] = {
    { "Bench Enterprise", "enterprise", "bench@example.com" },
    { "Bench Importer One", "university", "imp1@example.com" },
    { "Bench Importer Two", "university", "imp2@example.com" },
};

static int cmp_ptr(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return x < y ? -1 : x > y;
}

/*
 * Fills top with the COMMON_WORDS most frequent words of a language, by drawing
 * 20,000 words (corpus_word returns the vocabulary's own pointers).
 */
static void common_words(int english, const char **top)
{
    enum { DRAWS = 20000 };
    const char **v = xcalloc(DRAWS, sizeof *v);
    int best[COMMON_WORDS] = { 0 };
    for (int i = 0; i < DRAWS; i++)
        v[i] = corpus_word(english);
    qsort(v, DRAWS, sizeof *v, cmp_ptr);
    for (int i = 0, run = 1; i < DRAWS; i++, run++) {
        if (i + 1 < DRAWS && v[i + 1] == v[i])
            continue;
        for (int k = 0; k < COMMON_WORDS; k++)
            if (run > best[k]) {
                memmove(&best[k + 1], &best[k], (COMMON_WORDS - k - 1) * sizeof *best);
                memmove(&top[k + 1], &top[k], (COMMON_WORDS - k - 1) * sizeof *top);
                best[k] = run;
                top[k] = v[i];
                break;
            }
        run = 0;
    }
    free(v);
}

/*
 * A search path of SEARCH_WORDS words drawn from the common words of one
 * language (URL-encoded, malloc'd): the dear kind, as the words hold in many
 * listings together.
 */
static char *search_path(const char *const *top)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "/api/achievements?q=");
    for (int w = 0; w < SEARCH_WORDS; w++) {
        char *e = curl_easy_escape(NULL, top[corpus_rand() % COMMON_WORDS], 0);
        sbuf_printf(&b, "%s%s", w ? "%20" : "", e);
        curl_free(e);
    }
    return sbuf_take(&b);
}

/* IMPORT_ROWS JSON Lines achievements with refs (so a second round updates rather than adds) (malloc'd). */
static char *import_body(void)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < IMPORT_ROWS; i++) {
        int english = i % 3 == 0;
        char *title = corpus_words(english, 3 + (int)(corpus_rand() % 5));
        char *abstract = corpus_words(english, 30 + (int)(corpus_rand() % 61));
        sbuf_printf(&b, "{\"ref\":\"flood-%d\",\"title\":\"", i);
        kit_json_text(&b, title);
        sbuf_adds(&b, "\",\"abstract\":\"");
        kit_json_text(&b, abstract);
        sbuf_printf(&b, "\",\"fields\":[\"%s\"]}\n", corpus_field());
        free(title);
        free(abstract);
    }
    return sbuf_take(&b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int64_t listings = 20000, seconds = 6, rounds = 3;
    if (argc < 2 || (argc > 2 && parse_int64(argv[2], 1, INT32_MAX, &listings) != TM_OK) ||
        (argc > 3 && parse_int64(argv[3], 1, 600, &seconds) != TM_OK) ||
        (argc > 4 && parse_int64(argv[4], 1, MAX_ROUNDS, &rounds) != TM_OK)) {
        fprintf(stderr, "usage: bench_floods TECHMATCH [LISTINGS [SECONDS 1-600 [ROUNDS 1-%d]]]\n", MAX_ROUNDS);
        return 2;
    }
    char db[] = "/tmp/techmatch-bench-floods-XXXXXX";
    if (kit_scratch_db(db) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    log_set_quiet(1);
    corpus_init(20000, 88172645u);
    double t0 = corpus_now();
    if (kit_seed(db, (long)listings, flood_accounts, sizeof flood_accounts / sizeof flood_accounts[0]) != 0) {
        fprintf(stderr, "bench_floods: loading failed\n");
        return 1;
    }
    flood f = { 0 };
    const char *top[2][COMMON_WORDS];
    common_words(0, top[0]);
    common_words(1, top[1]);
    for (int i = 0; i < SEARCH_QUERIES; i++)
        f.queries[i] = search_path(top[i % 2]);
    f.import_body = import_body();
    printf("bench_floods: %lld achievements loaded in %.1f s; %lld s a phase, %lld round(s)\n", (long long)listings,
           corpus_now() - t0, (long long)seconds, (long long)rounds);
    pid_t pid = kit_start(argv[1], db, NULL, &f.port);
    if (pid < 0) {
        fprintf(stderr, "bench_floods: the server did not start\n");
        return 1;
    }
    CURL *c = curl_easy_init();
    int failed = kit_login(c, f.port, "imp1@example.com", KIT_PASSWORD, f.tokens[0], sizeof f.tokens[0]) != 0 ||
                 kit_login(c, f.port, "imp2@example.com", KIT_PASSWORD, f.tokens[1], sizeof f.tokens[1]) != 0;
    curl_easy_cleanup(c);
    if (failed)
        fprintf(stderr, "bench_floods: the importers could not log in\n");
    double p50[PHASES][MAX_ROUNDS], p99[PHASES][MAX_ROUNDS];
    int timeouts[PHASES] = { 0 };
    for (int r = 0; r < rounds && !failed; r++) {
        printf("round %d\n", r + 1);
        for (int ph = 0; ph < PHASES; ph++)
            timeouts[ph] += run_phase(&f, ph, (double)seconds, &p50[ph][r], &p99[ph][r]);
    }
    if (!failed) {
        printf("medians over %lld round(s), GET /healthz while each flood runs:\n", (long long)rounds);
        printf("  %-34s %10s %10s %10s\n", "flood", "p50 ms", "p99 ms", "timeouts");
        for (int ph = 0; ph < PHASES; ph++)
            printf("  %-34s %10.1f %10.1f %10d\n", phase_names[ph], median(p50[ph], (int)rounds),
                   median(p99[ph], (int)rounds), timeouts[ph]);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < SEARCH_QUERIES; i++)
        free(f.queries[i]);
    free(f.import_body);
    corpus_free();
    store_remove_files(db);
    return failed ? 1 : 0;
}
