/*
 * metrics.c: the figures of GET /metrics (see metrics.h): the request
 * counters and latency histograms the dispatcher feeds, who may scrape them,
 * and the text a scrape gets, gauges read at that moment.
 *
 * The counters are plain arrays of C11 atomics with static storage (zero
 * from the start, no lock, no allocation on the request path): one series
 * block per row of the route table, and one per known method for requests
 * that matched no route.  A block counts each status code apart (100-599)
 * and holds the histogram's buckets uncumulated; a scrape adds them up, so a
 * histogram's _count always equals its +Inf bucket.  Label values come from
 * the route table and fixed lists, never from the request, so they need no
 * escaping and their number is bounded.
 */
#include "metrics.h"
#include "app.h"
#include "auth.h"
#include "cli.h"
#include "log.h"
#include "matching.h"
#include "parse.h"
#include "sbuf.h"
#include "store.h"
#include "stream.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---------- the request counters ---------- */

#define ROUTE_SLOTS 128      /* rows of the route table counted apart; rows beyond it count as "other" */
#define FIRST_CODE 100
#define CODES 500            /* status codes 100-599 */
#define NBUCKETS 13

/* The histogram's upper bounds in seconds: Prometheus's defaults, with 1 ms and 2.5 ms below them. */
static const double bucket_bound[NBUCKETS] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25, 0.5, 1, 2.5, 5, 10 };
static const char *const bucket_le[NBUCKETS] = { "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                                 "0.25", "0.5", "1", "2.5", "5", "10" };

/* The methods a request without a route is labelled with; anything else is "other". */
static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other" };
#define NMETHODS (sizeof methods / sizeof methods[0])

typedef struct series {
    _Atomic uint64_t codes[CODES];
    _Atomic uint64_t buckets[NBUCKETS + 1];   /* uncumulated; the last one is above every bound */
    _Atomic uint64_t sum_us;                   /* the durations' sum in microseconds */
} series;

static series by_route[ROUTE_SLOTS];
static series no_route[NMETHODS];

static size_t method_index(const char *method)
{
    for (size_t i = 0; i + 1 < NMETHODS; i++)
        if (strcmp(methods[i], method) == 0)
            return i;
    return NMETHODS - 1;
}

void metrics_request_done(const route *rt, const char *method, unsigned status, double seconds)
{
    if (status < FIRST_CODE || status >= FIRST_CODE + CODES)
        return;
    size_t i = rt ? (size_t)(rt - http_routes) : ROUTE_SLOTS;
    series *s = i < ROUTE_SLOTS && i < http_routes_count ? &by_route[i] : &no_route[method_index(method)];
    size_t b = 0;
    while (b < NBUCKETS && seconds > bucket_bound[b])
        b++;
    uint64_t us = seconds > 0 ? (uint64_t)(seconds * 1e6 + 0.5) : 0;
    atomic_fetch_add_explicit(&s->codes[status - FIRST_CODE], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
}

/* ---------- access ---------- */

#define ALLOW_MAX 16
#define TOKEN_MIN_CHARS 16

/* A network as IPv6 (an IPv4 one as ::ffff:a.b.c.d, its prefix 96 longer). */
typedef struct net {
    unsigned char addr[16];
    int bits;
} net;

static net allow_nets[ALLOW_MAX] = {
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 0 }, 104 },   /* 127.0.0.0/8 */
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128 },           /* ::1 */
};
static size_t allow_n = 2;
static unsigned char token_hash[AUTH_TOKEN_HASH_BYTES];
static int has_token;
static double started_at;   /* Unix seconds, set by metrics_configure */

/* Reads an address as IPv6 (IPv4 mapped); *bits receives its full length (32 + 96 or 128).  0 if it is none. */
static int address_read(const char *text, unsigned char *out, int *bits)
{
    unsigned char v4[4];
    if (inet_pton(AF_INET, text, v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, v4, 4);
        *bits = 128;
        return 1;
    }
    *bits = 128;
    return inet_pton(AF_INET6, text, out) == 1;
}

/* Reads one entry of --metrics-allow ("ADDR" or "ADDR/BITS") into *n; 0 if it is not one. */
static int net_read(const char *entry, size_t len, net *n)
{
    char text[INET6_ADDRSTRLEN + 8];
    int64_t prefix = -1;
    if (len == 0 || len >= sizeof text)
        return 0;
    memcpy(text, entry, len);
    text[len] = '\0';
    char *slash = strchr(text, '/');
    if (slash) {
        *slash = '\0';
        if (parse_int64(slash + 1, 0, 128, &prefix) != TM_OK)
            return 0;
    }
    int v4 = strchr(text, ':') == NULL;
    if (!address_read(text, n->addr, &n->bits))
        return 0;
    if (prefix >= 0) {
        if (v4 && prefix > 32)
            return 0;
        n->bits = (int)prefix + (v4 ? 96 : 0);
    }
    return 1;
}

/* 1 if the first bits of a and b agree. */
static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* Parses allow into nets; returns their number, or -1 when an entry is not an address or network. */
static int allow_read(const char *allow, net *nets)
{
    if (strcmp(allow, "none") == 0)
        return 0;
    int n = 0;
    const char *p = allow;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (n == ALLOW_MAX || !net_read(p, len, &nets[n]))
            return -1;
        n++;
        if (p[len] == '\0')
            return n;
        p += len + 1;
    }
}

/* Reads and checks the token file; fills hash.  Returns NULL or the problem. */
static const char *token_read(const char *path, unsigned char *hash)
{
    size_t len = 0;
    char *text = cli_read_file(path, &len);
    const char *problem = NULL;
    if (text == NULL)
        return "cannot read the --metrics-token-file";
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    for (size_t i = 0; i < len && problem == NULL; i++) {
        if (text[i] <= ' ' || text[i] > '~')
            problem = "the metrics token must be printable ASCII without spaces";
    }
    if (problem == NULL && len < TOKEN_MIN_CHARS)
        problem = "the metrics token must be at least 16 characters";
    if (problem == NULL)
        auth_secret_hash(text, len, hash);
    sodium_memzero(text, len);
    free(text);
    return problem;
}

const char *metrics_configure(const char *allow, const char *token_file)
{
    net nets[ALLOW_MAX];
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    int n = allow ? allow_read(allow, nets) : -2;
    if (n == -1)
        return "--metrics-allow takes a comma-separated list of at most 16 addresses and networks "
               "(127.0.0.0/8,::1) or none";
    if (token_file) {
        const char *problem = token_read(token_file, hash);
        if (problem)
            return problem;
        memcpy(token_hash, hash, sizeof hash);
        has_token = 1;
    }
    if (n >= 0) {
        memcpy(allow_nets, nets, (size_t)n * sizeof nets[0]);
        allow_n = (size_t)n;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    started_at = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    return NULL;
}

/* 1 if the request's client address is in the allowed list. */
static int address_allowed(const char *addr)
{
    unsigned char a[16];
    int bits;
    if (!address_read(addr, a, &bits))
        return 0;
    for (size_t i = 0; i < allow_n; i++)
        if (prefix_equal(a, allow_nets[i].addr, allow_nets[i].bits))
            return 1;
    return 0;
}

/* 1 if the request presents the metrics token as Authorization: Bearer. */
static int token_presented(http_request *r)
{
    const char *h = req_header(r, "Authorization");
    if (!has_token || h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    return auth_secret_matches(token_hash, h + 7, strlen(h + 7));
}

int metrics_admit(http_request *r)
{
    int proxied = req_header(r, "Forwarded") != NULL || req_header(r, "X-Forwarded-For") != NULL;
    if ((!proxied && address_allowed(req_client_addr(r))) || token_presented(r))
        return 1;
    reply_problem(r, 403, "metrics are for the addresses the operator allowed, or with the metrics token");
    return 0;
}

/* ---------- the text ---------- */

static void family(sbuf *b, const char *name, const char *type, const char *help)
{
    sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series block's samples: its codes into *codes, its histogram into *hist (route and method labels). */
static void series_text(sbuf *codes, sbuf *hist, const series *s, const char *route_label, const char *method,
                        int always)
{
    uint64_t cum = 0;
    uint64_t counts[NBUCKETS + 1];
    for (size_t b = 0; b <= NBUCKETS; b++)
        counts[b] = atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
    for (size_t b = 0; b <= NBUCKETS; b++)
        cum += counts[b];
    if (cum == 0 && !always)
        return;
    for (size_t c = 0; c < CODES; c++) {
        uint64_t v = atomic_load_explicit(&s->codes[c], memory_order_relaxed);
        if (v > 0)
            sbuf_printf(codes, "techmatch_http_requests_total{route=\"%s\",method=\"%s\",code=\"%zu\"} %llu\n",
                        route_label, method, c + FIRST_CODE, (unsigned long long)v);
    }
    cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += counts[b];
        sbuf_printf(hist, "techmatch_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%s\"} %llu\n",
                    route_label, method, bucket_le[b], (unsigned long long)cum);
    }
    cum += counts[NBUCKETS];
    uint64_t us = atomic_load_explicit(&s->sum_us, memory_order_relaxed);
    sbuf_printf(hist, "techmatch_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
                route_label, method, (unsigned long long)cum);
    sbuf_printf(hist, "techmatch_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %llu.%06llu\n",
                route_label, method, (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));
    sbuf_printf(hist, "techmatch_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
                route_label, method, (unsigned long long)cum);
}

/* The request counters and histograms: every route's histogram, and the codes that were answered. */
static void requests_text(sbuf *b)
{
    sbuf codes, hist;
    sbuf_init(&codes);
    sbuf_init(&hist);
    for (size_t i = 0; i < http_routes_count && i < ROUTE_SLOTS; i++)
        series_text(&codes, &hist, &by_route[i], http_routes[i].pattern, http_routes[i].method, 1);
    for (size_t m = 0; m < NMETHODS; m++)
        series_text(&codes, &hist, &no_route[m], "other", methods[m], 0);
    family(b, "techmatch_http_requests_total", "counter",
           "HTTP requests answered, by route pattern (other: no route), method and status code.");
    sbuf_add(b, codes.buf, codes.len);
    family(b, "techmatch_http_request_duration_seconds", "histogram",
           "Time from a request's first line to its completion (a live stream: its whole life).");
    sbuf_add(b, hist.buf, hist.len);
    sbuf_cleanup(&codes);
    sbuf_cleanup(&hist);
}

static void gauge(sbuf *b, const char *name, const char *help, long long value)
{
    family(b, name, "gauge", help);
    sbuf_printf(b, "%s %lld\n", name, value);
}

/* The outbox, the webhook deliveries and the match queue, read from the store; a failed read is left out. */
static void backlog_text(sbuf *b, store *s)
{
    outbox_backlog ob;
    delivery_backlog db;
    if (store_outbox_backlog(s, &ob) == TM_OK) {
        gauge(b, "techmatch_outbox_matches_waiting", "Approved matches not pushed yet (digests, minimum scores).",
              (long long)ob.matches_waiting);
        gauge(b, "techmatch_notifications_unread", "Notifications no inbox has marked read.",
              (long long)ob.notifications_unread);
    }
    if (store_delivery_backlog(s, &db) == TM_OK) {
        gauge(b, "techmatch_webhook_deliveries_pending", "Webhook deliveries not yet delivered or given up.",
              (long long)db.pending);
        gauge(b, "techmatch_webhook_oldest_pending_delivery_age_seconds",
              "Age of the oldest pending webhook delivery (0 when none).", (long long)db.oldest_pending_s);
        family(b, "techmatch_webhook_endpoints", "gauge", "Webhook endpoints by status.");
        sbuf_printf(b, "techmatch_webhook_endpoints{status=\"active\"} %lld\n", (long long)db.endpoints_active);
        sbuf_printf(b, "techmatch_webhook_endpoints{status=\"paused\"} %lld\n", (long long)db.endpoints_paused);
        sbuf_printf(b, "techmatch_webhook_endpoints{status=\"disabled\"} %lld\n", (long long)db.endpoints_disabled);
    }
    size_t queued = 0;
    int ok = 1;
    for (int k = 0; k < 2 && ok; k++) {
        int64_t *ids = NULL;
        size_t n = 0;
        ok = store_match_queue(s, (listing_kind)k, &ids, &n) == TM_OK;
        queued += n;
        free(ids);
    }
    if (ok)
        gauge(b, "techmatch_match_queue_listings", "Listings written and not yet matched.", (long long)queued);
}

static void matcher_text(sbuf *b, matching *m)
{
    static const char *const kinds[2] = { "demand", "achievement" };
    matching_size sz[2];
    matching_size_of(m, LISTING_DEMAND, &sz[LISTING_DEMAND]);
    matching_size_of(m, LISTING_ACHIEVEMENT, &sz[LISTING_ACHIEVEMENT]);
    family(b, "techmatch_matcher_index_listings", "gauge", "Open listings in the matcher's index, by kind.");
    for (int k = 0; k < 2; k++)
        sbuf_printf(b, "techmatch_matcher_index_listings{kind=\"%s\"} %zu\n", kinds[k], sz[k].listings);
    family(b, "techmatch_matcher_index_postings", "gauge", "Postings in the matcher's index, by kind.");
    for (int k = 0; k < 2; k++)
        sbuf_printf(b, "techmatch_matcher_index_postings{kind=\"%s\"} %zu\n", kinds[k], sz[k].postings);
    family(b, "techmatch_matcher_index_postings_bytes", "gauge", "Memory of the index's postings, by kind.");
    for (int k = 0; k < 2; k++)
        sbuf_printf(b, "techmatch_matcher_index_postings_bytes{kind=\"%s\"} %zu\n", kinds[k], sz[k].bytes);
}

static void limiter_text(sbuf *b, auth_limiter *l)
{
    struct timespec mono;
    auth_limiter_state st;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    auth_limiter_read(l, (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000, &st);
    family(b, "techmatch_login_limiter_keys", "gauge", "Keys the failed-login limiter remembers, by kind.");
    sbuf_printf(b, "techmatch_login_limiter_keys{kind=\"address\"} %zu\n", st.addresses);
    sbuf_printf(b, "techmatch_login_limiter_keys{kind=\"account\"} %zu\n", st.accounts);
    gauge(b, "techmatch_login_limiter_keys_max", "Keys the limiter can remember.", (long long)st.capacity);
    gauge(b, "techmatch_login_limiter_refused_addresses", "Client addresses refused logins now.",
          (long long)st.refused_addresses);
    gauge(b, "techmatch_login_limiter_delayed_accounts", "Accounts whose next login must wait now.",
          (long long)st.delayed_accounts);
}

/* Fields 1 and 2 of /proc/self/statm (pages): virtual and resident size; 0 when it cannot be read. */
static int statm_read(int64_t *virt, int64_t *rss)
{
    char line[128];
    const char *end = NULL;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL && parse_int64_prefix(line, 0, INT64_MAX, virt, &end) == TM_OK &&
             parse_int64_prefix(end, 0, INT64_MAX, rss, &end) == TM_OK;
    fclose(f);
    return ok;
}

/* Open file descriptors, or -1 when /proc/self/fd cannot be read. */
static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = 0;
    if (d == NULL)
        return -1;
    for (const struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* The process's basics, under the names Prometheus's client libraries use. */
static void process_text(sbuf *b, int schema_version)
{
    struct rusage ru;
    struct rlimit rl;
    int64_t virt = 0, rss = 0;
    long page = sysconf(_SC_PAGESIZE);
    if (started_at > 0) {
        family(b, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.");
        sbuf_printf(b, "process_start_time_seconds %.3f\n", started_at);
    }
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        family(b, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
        sbuf_printf(b, "process_cpu_seconds_total %.6f\n",
                    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                        (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    }
    if (page > 0 && statm_read(&virt, &rss)) {
        gauge(b, "process_resident_memory_bytes", "Resident memory size in bytes.", (long long)(rss * page));
        gauge(b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", (long long)(virt * page));
    }
    long fds = open_fds();
    if (fds >= 0)
        gauge(b, "process_open_fds", "Open file descriptors.", fds);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        gauge(b, "process_max_fds", "The most file descriptors the process may open.", (long long)rl.rlim_cur);
    family(b, "techmatch_build_info", "gauge", "Always 1; the database schema version this binary runs.");
    sbuf_printf(b, "techmatch_build_info{schema_version=\"%d\"} 1\n", schema_version);
}

void metrics_get(http_request *r)
{
    app *a = req_app(r);
    sbuf b;
    sbuf_init(&b);
    requests_text(&b);
    gauge(&b, "techmatch_streams_open", "Live streams (GET /api/stream) open now.",
          a->streams ? (long long)stream_hub_count(a->streams) : 0);
    backlog_text(&b, a->store);
    if (a->matching)
        matcher_text(&b, a->matching);
    if (a->limiter)
        limiter_text(&b, a->limiter);
    process_text(&b, store_schema_version(a->store));
    size_t len = b.len;
    reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", sbuf_take(&b), len, NULL);
}
