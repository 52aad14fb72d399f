/*
 * webhook.c: endpoint URL checks and the delivery thread (see webhook.h).
 */
#include "webhook.h"
#include "auth.h"
#include "log.h"
#include "mem.h"
#include "messages.h"
#include "push.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_IN_FLIGHT 256      /* endpoints attempted at once */
#define POLL_MS 200            /* the longest the sender sleeps between looks at the table */
#define MAX_URL 2048
#define MAX_DELAY_MS (3600L * 1000)
#define RECORD_RETRY_MS 1000L        /* the first wait before recording held results again; doubles */
#define RECORD_RETRY_MAX_MS 60000L   /* the longest such wait */

void webhook_config_default(webhook_config *c)
{
    c->allow_private = 0;
    c->attempts = 8;
    c->retry_ms = 5000;
    c->timeout_ms = 10000;
}

/* ---------- addresses ---------- */

/* Whether an IPv4 address (host order) is not public unicast. */
static int v4_refused(uint32_t a)
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||   /* this network, private, loopback */
           (a >> 22) == (100u << 2 | 1) ||                           /* 100.64/10 shared */
           (a >> 16) == (169u << 8 | 254) ||                         /* link-local */
           (a >> 20) == (172u << 4 | 1) ||                           /* 172.16/12 */
           (a >> 16) == (192u << 8 | 168) ||                         /* 192.168/16 */
           (a >> 8) == (192u << 16 | 0 << 8 | 0) ||                  /* 192.0.0/24 */
           (a >> 8) == (192u << 16 | 0 << 8 | 2) ||                  /* 192.0.2/24 documentation */
           (a >> 8) == (198u << 16 | 51 << 8 | 100) ||               /* 198.51.100/24 documentation */
           (a >> 8) == (203u << 16 | 0 << 8 | 113) ||                /* 203.0.113/24 documentation */
           (a >> 17) == (198u << 7 | 9) ||                           /* 198.18/15 benchmarking */
           (a >> 28) >= 14;                                          /* multicast, reserved, broadcast */
}

/* The IPv4 address (host order) in four bytes. */
static uint32_t v4_at(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Whether an IPv6 address carries an IPv4 one that decides where it goes:
 * IPv4-compatible ::/96, IPv4-mapped ::ffff:0:0/96, IPv4-translated
 * ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and 6to4 2002::/16.  1 with the IPv4
 * address in *v4, else 0.
 */
static int v6_embedded_v4(const unsigned char *b, uint32_t *v4)
{
    static const struct {
        unsigned char prefix[12];
        size_t len, at;        /* bytes of prefix that must match; where the IPv4 address starts */
    } forms[] = {
        { { 0 }, 12, 12 },                                                 /* ::/96 compatible (:: and ::1 too) */
        { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 12, 12 },          /* ::ffff:0:0/96 mapped */
        { { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 }, 12, 12 },          /* ::ffff:0:0:0/96 translated */
        { { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }, 12, 12 },       /* 64:ff9b::/96 NAT64 */
        { { 0x20, 0x02 }, 2, 2 },                                          /* 2002::/16 6to4 */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (memcmp(b, forms[i].prefix, forms[i].len) == 0) {
            *v4 = v4_at(b + forms[i].at);
            return 1;
        }
    return 0;
}

/*
 * Whether an IPv6 address without an embedded IPv4 one is not public
 * unicast: outside global unicast 2000::/3 (which leaves out unique local,
 * link-local, site-local fec0::/10, multicast, discard-only 100::/64 and
 * local-use NAT64 64:ff9b:1::/48), or in the IETF's special-purpose
 * 2001::/23 (Teredo, benchmarking, ORCHID) or documentation 2001:db8::/32
 * and 3fff::/20.
 */
static int v6_refused(const unsigned char *b)
{
    return (b[0] & 0xe0) != 0x20 ||
           (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) ||
           (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
           (b[0] == 0x3f && b[1] == 0xff && b[2] < 0x10);
}

int webhook_address_refused(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_refused(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
    if (sa->sa_family != AF_INET6)
        return 1;
    const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
    uint32_t v4 = 0;
    if (v6_embedded_v4(b, &v4))
        return v4_refused(v4);
    return v6_refused(b);
}

int webhook_url_check(const char *url, int allow_private, char *why, size_t why_len)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL;
    int status = TM_ERR_INVALID;
    if (strlen(url) > MAX_URL) {
        snprintf(why, why_len, N_("must be at most %d bytes"), MAX_URL);
    } else if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, why_len, N_("must be an absolute http or https URL"));
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(why, why_len, N_("must be http or https, not %s"), scheme);
    } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        snprintf(why, why_len, N_("must not hold a user name or password"));
    } else {
        /* A literal IPv6 host comes in brackets. */
        size_t n = strlen(host);
        if (n > 1 && host[0] == '[' && host[n - 1] == ']') {
            memmove(host, host + 1, n - 2);
            host[n - 2] = '\0';
        }
        struct addrinfo hints = { 0 }, *ai = NULL;
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL) {
            snprintf(why, why_len, N_("names a host that does not resolve"));
        } else {
            status = TM_OK;
            for (struct addrinfo *p = ai; p && !allow_private; p = p->ai_next)
                if (webhook_address_refused(p->ai_addr)) {
                    snprintf(why, why_len, N_("resolves to an address that is not public (private, loopback, "
                             "link-local, documentation or reserved), which is refused"));
                    status = TM_ERR_INVALID;
                    break;
                }
        }
        if (ai)
            freeaddrinfo(ai);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_url_cleanup(u);
    return status;
}

/* ---------- the sender ---------- */

typedef struct transfer {
    CURL *easy;
    struct curl_slist *headers;
    due_delivery d;
    struct timespec started;
    char error[CURL_ERROR_SIZE];
    int used;
    int finished;            /* ended, and its result not yet recorded (the store refused it) */
    /* how it ended, until recorded */
    attempt_result result;
    char errtext[CURL_ERROR_SIZE + 32];
    char reason[256];
    char *event;
} transfer;

struct webhook_sender {
    store *store;
    webhook_config cfg;
    CURLM *multi;
    pthread_t thread;
    atomic_int stop;
    transfer slots[MAX_IN_FLIGHT];
    /*
     * When recording results fails (a full disk), they stay in their slots and
     * nothing new is sent until they are recorded: no endpoint gets a delivery
     * again because its answer could not be written down.
     */
    size_t unrecorded;       /* finished slots */
    int record_failures;     /* failed recordings in a row */
    int64_t record_at_ms;    /* when to try recording them again */
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data;
    (void)ctx;
    return size * n;
}

/* Refuses, at connect time, an address a name may have come to resolve to since registration. */
static curl_socket_t open_checked(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)ctx;
    (void)purpose;
    if (webhook_address_refused(&a->addr))
        return CURL_SOCKET_BAD;
    return socket(a->family, a->socktype, a->protocol);
}

static int in_flight(const webhook_sender *w, int64_t webhook_id)
{
    for (size_t i = 0; i < MAX_IN_FLIGHT; i++)
        if (w->slots[i].used && w->slots[i].d.webhook_id == webhook_id)
            return 1;
    return 0;
}

/* Starts one attempt in a free slot; takes d's contents. */
static void start_attempt(webhook_sender *w, transfer *t, due_delivery *d)
{
    char line[128], signature[AUTH_WEBHOOK_SIGNATURE_CHARS + 1];
    long long ts = (long long)time(NULL);
    memset(t, 0, sizeof *t);
    t->d = *d;
    memset(d, 0, sizeof *d);
    t->used = 1;
    clock_gettime(CLOCK_MONOTONIC, &t->started);
    auth_webhook_sign(t->d.key, t->d.key_len, t->d.msg_id, ts, t->d.payload, strlen(t->d.payload), signature);
    t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
    t->headers = curl_slist_append(t->headers, "User-Agent: techmatch-webhooks/1");
    t->headers = curl_slist_append(t->headers, "Expect:");
    snprintf(line, sizeof line, "webhook-id: %s", t->d.msg_id);
    t->headers = curl_slist_append(t->headers, line);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
    t->headers = curl_slist_append(t->headers, line);
    snprintf(line, sizeof line, "webhook-signature: %s", signature);
    t->headers = curl_slist_append(t->headers, line);
    t->easy = curl_easy_init();
    if (t->easy == NULL)
        abort(); /* only out of memory */
    curl_easy_setopt(t->easy, CURLOPT_URL, t->d.url);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->d.payload);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(t->d.payload));
    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(t->easy, CURLOPT_PROXY, "");
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, w->cfg.timeout_ms);
    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, w->cfg.timeout_ms < 5000 ? w->cfg.timeout_ms : 5000L);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    if (!w->cfg.allow_private)
        curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_multi_add_handle(w->multi, t->easy);
}

/* The delay before retry number attempts + 1: retry_ms * 2^attempts, +-20%, at most an hour. */
static int64_t backoff_ms(const webhook_config *cfg, int attempts)
{
    double d = (double)cfg->retry_ms;
    for (int i = 0; i < attempts && d < MAX_DELAY_MS; i++)
        d *= 2;
    if (d > MAX_DELAY_MS)
        d = MAX_DELAY_MS;
    double jitter = 0.8 + 0.4 * (double)randombytes_uniform(10001) / 10000.0;
    return (int64_t)(d * jitter);
}

/* Works out how an attempt ended (into t->result, with its texts in t) and takes the handle off the multi. */
static void judge_attempt(webhook_sender *w, transfer *t, CURLcode rc)
{
    long code = 0;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (rc == CURLE_OK)
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    attempt_result *r = &t->result;
    memset(r, 0, sizeof *r);
    r->status_code = (int)code;
    r->duration_ms = (int64_t)(end.tv_sec - t->started.tv_sec) * 1000 + (end.tv_nsec - t->started.tv_nsec) / 1000000;
    r->delivered = code >= 200 && code < 300;
    if (rc != CURLE_OK) {
        snprintf(t->errtext, sizeof t->errtext, "%s", t->error[0] ? t->error : curl_easy_strerror(rc));
        r->error = t->errtext;
    }
    if (!r->delivered) {
        int made = t->d.attempts + 1;
        if (code == 410)
            snprintf(t->reason, sizeof t->reason, "the endpoint answered 410 Gone");
        else if (made < w->cfg.attempts)
            r->retry_at_ms = now_ms() + backoff_ms(&w->cfg, t->d.attempts);
        else if (code > 0)
            snprintf(t->reason, sizeof t->reason, "%d attempts failed; the last answered %ld", made, code);
        else
            snprintf(t->reason, sizeof t->reason, "%d attempts failed; the last: %.150s", made,
                     r->error ? r->error : "no answer");
        if (t->reason[0]) {
            r->disable_reason = t->reason;
            t->event = push_webhook_disabled_payload(t->d.webhook_id, t->d.url, t->reason);
            r->disabled_event = t->event;
            log_warn("webhook %lld disabled: %s", (long long)t->d.webhook_id, t->reason);
        }
    }
    curl_multi_remove_handle(w->multi, t->easy);
}

static void free_slot(transfer *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    free(t->event);
    free(t->d.url);
    free(t->d.payload);
    sodium_memzero(t->d.key, sizeof t->d.key);
    memset(t, 0, sizeof *t);
}

/* The wait before recording held results again after failures failed recordings in a row. */
static int64_t record_retry_ms(int failures)
{
    int64_t d = RECORD_RETRY_MS;
    for (int i = 1; i < failures && d < RECORD_RETRY_MAX_MS; i++)
        d *= 2;
    return d < RECORD_RETRY_MAX_MS ? d : RECORD_RETRY_MAX_MS;
}

/*
 * Records the finished attempts in one transaction (one sync to disk for them
 * all) and frees their slots.  When the store refuses (a full disk), they stay
 * held and are tried again later, with one log line for the whole episode.
 * Returns how many were recorded.
 */
static size_t record_finished(webhook_sender *w)
{
    if (w->unrecorded == 0 || now_ms() < w->record_at_ms)
        return 0;
    size_t n = 0;
    transfer *done[MAX_IN_FLIGHT];
    const due_delivery *d[MAX_IN_FLIGHT];
    attempt_result r[MAX_IN_FLIGHT];
    for (size_t i = 0; i < MAX_IN_FLIGHT; i++)
        if (w->slots[i].used && w->slots[i].finished) {
            done[n] = &w->slots[i];
            d[n] = &w->slots[i].d;
            r[n] = w->slots[i].result;
            n++;
        }
    int rc = store_delivery_results(w->store, d, r, n);
    if (rc != TM_OK) {
        if (w->record_failures++ == 0)
            log_warn("webhook: could not record %zu attempt(s) (%s); sending pauses until they are recorded",
                     n, tm_strerror(rc));
        w->record_at_ms = now_ms() + record_retry_ms(w->record_failures);
        return 0;
    }
    if (w->record_failures > 0)
        log_info("webhook: recorded the attempts held back; sending goes on");
    w->record_failures = 0;
    w->unrecorded = 0;
    for (size_t i = 0; i < n; i++)
        free_slot(done[i]);
    return n;
}

/* Starts the due deliveries of endpoints that have none in flight. */
static void start_due(webhook_sender *w)
{
    due_delivery *due = NULL;
    size_t n = 0;
    if (store_deliveries_due(w->store, now_ms(), MAX_IN_FLIGHT, &due, &n) != TM_OK) {
        store_due_free(due, n);
        return;
    }
    size_t slot = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_flight(w, due[i].webhook_id))
            continue;
        while (slot < MAX_IN_FLIGHT && w->slots[slot].used)
            slot++;
        if (slot == MAX_IN_FLIGHT)
            break;
        start_attempt(w, &w->slots[slot], &due[i]);
    }
    store_due_free(due, n);
}

static void *sender_main(void *arg)
{
    webhook_sender *w = arg;
    while (!atomic_load(&w->stop)) {
        if (w->unrecorded == 0)
            start_due(w);
        int running = 0, left = 0;
        curl_multi_perform(w->multi, &running);
        CURLMsg *m;
        while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            transfer *t = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            judge_attempt(w, t, m->data.result);
            t->finished = 1;
            w->unrecorded++;
        }
        /* Endpoints whose attempt was just recorded may have more waiting: look again at once. */
        if (record_finished(w) == 0)
            curl_multi_poll(w->multi, NULL, 0, POLL_MS, NULL);
    }
    return NULL;
}

webhook_sender *webhook_sender_start(store *s, const webhook_config *cfg)
{
    webhook_sender *w = xcalloc(1, sizeof *w);
    w->store = s;
    w->cfg = *cfg;
    atomic_init(&w->stop, 0);
    w->multi = curl_multi_init();
    if (w->multi == NULL || pthread_create(&w->thread, NULL, sender_main, w) != 0) {
        log_error("webhook: cannot start the delivery thread");
        if (w->multi)
            curl_multi_cleanup(w->multi);
        free(w);
        return NULL;
    }
    return w;
}

void webhook_sender_wake(void *sender)
{
    webhook_sender *w = sender;
    curl_multi_wakeup(w->multi);
}

void webhook_sender_stop(webhook_sender *w)
{
    if (w == NULL)
        return;
    atomic_store(&w->stop, 1);
    curl_multi_wakeup(w->multi);
    pthread_join(w->thread, NULL);
    for (size_t i = 0; i < MAX_IN_FLIGHT; i++) {
        transfer *t = &w->slots[i];
        if (!t->used)
            continue;
        if (!t->finished) /* a finished one left the multi in judge_attempt */
            curl_multi_remove_handle(w->multi, t->easy);
        free_slot(t);
    }
    curl_multi_cleanup(w->multi);
    free(w);
}
