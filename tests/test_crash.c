/*
 * test_crash.c: crash safety.  Round after round, clients write to the real
 * server (listings, edits, closes, a broker's decisions, webhook
 * registrations), the server is killed with SIGKILL at a random moment, and
 * after a restart every write the server acknowledged must be there, the
 * database must pass its integrity checks with its indexes in step with its
 * tables, and every notification must have reached the inbox, the live
 * stream and each webhook endpoint, in order.
 *
 * All rounds share one database that grows, as a real one does: each round
 * registers an enterprise of its own (and so its own inbox, stream and
 * endpoints), while the university and the broker stay; the checks of the
 * database cover every round so far.  TM_CRASH_ROUNDS sets the number of
 * rounds (3 in `make test`, 20 in `make crash`); TM_CRASH_SEED replays a run's
 * choices (the moments of the kills and the clients' moves; the timing of the
 * server, and so what a kill interrupts, differs from run to run).
 */
#include "test.h"
#include "parse.h"
#include "store.h"
#include "store/fts.h" /* the FTS5 integrity check re-tokenizes the listings with techmatch's tokenizer */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    ROUNDS_DEFAULT = 3,
    KILL_MIN_MS = 50,
    KILL_MAX_MS = 1500,
    LISTINGS_PER_SIDE = 40,   /* at most this many creations of each kind a round (the matcher suggests from its
                                 best 50) */
    HOOKS_PER_ROUND = 4,      /* webhook registrations a round (an organisation may have 20) */
    DRAIN_MS = 30000,         /* how long the deliveries get to drain after a restart */
    STREAM_WAIT_MS = 20000,   /* how long the live stream gets to catch up after a restart */
};

/* ---------- records of what the clients wrote ---------- */

typedef struct listing_rec {
    int demand;          /* 1 demand, 0 achievement */
    int round;
    unsigned seq;        /* makes its unique words */
    long id;             /* 0: the creation got no answer (it may or may not be stored) */
    int version;         /* the version of its text last acknowledged (0 at creation) */
    int edit_unknown;    /* an edit to version + 1 got no answer */
    int closed;          /* 1: a close was acknowledged; 2: a close got no answer */
} listing_rec;

typedef struct decision_rec {
    long match_id;
    int approve;         /* 1 approve, 0 reject */
    int acked;           /* 0: no answer (it may or may not have happened) */
    long nid;            /* an acknowledged approval's notification id */
    double sent_ms;      /* when the request left */
} decision_rec;

typedef struct hook_rec {
    int round, seq;
    long id;             /* 0: the registration got no answer */
    double acked_ms;     /* when its answer came */
} hook_rec;

/* Lines a child process prints, collected by a thread so that the child never blocks on a full pipe. */
typedef struct collector {
    pid_t pid;
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    char **lines;
    size_t n, cap;
    atomic_int stop;
} collector;

typedef struct crash {
    test_server srv;
    int port, recv_port;
    int round, rounds;
    unsigned long long seed;
    int failures;
    char *tok_uni, *tok_broker, *tok_ent;   /* tok_ent: this round's enterprise */
    collector receiver;

    pthread_mutex_t lock;                    /* guards listings while the writers run */
    listing_rec *listings;
    size_t nlistings, cap_listings;
    decision_rec *decisions;
    size_t ndecisions, cap_decisions;
    hook_rec *hooks;
    size_t nhooks, cap_hooks;
    atomic_int stop;                         /* set just before the kill */
} crash;

/* A client thread: what it did, and the first thing that went wrong. */
typedef struct writer {
    crash *c;
    uint64_t rng;
    pthread_t thread;
    char error[600];
    int acked, unknown;
} writer;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* splitmix64: small, seedable, good enough to pick moments and moves. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rnd_below(uint64_t *s, unsigned n)
{
    return n ? (unsigned)(rnd(s) % n) : 0;
}

#define GROW(arr, n, cap) \
    do { if ((n) == (cap)) { (cap) = (cap) ? 2 * (cap) : 64; (arr) = realloc((arr), (cap) * sizeof *(arr)); \
                             if ((arr) == NULL) abort(); } } while (0)

/* A failure names the round and the seed, so that it can be replayed. */
static void crash_fail(crash *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void crash_fail(crash *c, const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->failures++;
    test_fail(file, line, "round %d of %d (TM_CRASH_SEED=%llu): %s", c->round + 1, c->rounds, c->seed, msg);
}
#define FAIL(c, ...) crash_fail((c), __FILE__, __LINE__, __VA_ARGS__)

/* ---------- the text of a listing, made of words no other round or listing has ---------- */

/* n in base 20 over consonants (3 letters): words with no vowel, which the stemmer leaves alone. */
static void enc(unsigned n, char out[4])
{
    static const char digits[] = "bcdfghjklmnpqrstvwxz";
    for (int i = 0; i < 3; i++) {
        out[i] = digits[n % 20];
        n /= 20;
    }
    out[3] = '\0';
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *out, unsigned cp)
{
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* The region every listing of the round has (a prefix no other round's region starts with). */
static void round_region(int round, char *out, size_t len)
{
    snprintf(out, len, "crash-r%d-", round);
}

/* The word only this listing's title has (what search must find it by). */
static void unique_word(const listing_rec *l, char out[16])
{
    char r[4], q[4];
    enc((unsigned)l->round, r);
    enc(l->seq, q);
    snprintf(out, 16, "zx%s%s", r, q);
}

/* The word only this version of the listing has, in its title and its body. */
static void version_word(const listing_rec *l, int version, char out[24])
{
    char r[4], q[4], v[4];
    enc((unsigned)l->round, r);
    enc(l->seq, q);
    enc((unsigned)version, v);
    snprintf(out, 24, "zv%s%s%s", r, q, v);
}

/*
 * A listing's title and body at a version: the round's words (so that the
 * listings of a round match one another and no other round's), its unique
 * word and its version's word; the body also has Chinese text of the round.
 */
static void listing_text(const listing_rec *l, int version, char *title, size_t tlen, char *body, size_t blen)
{
    char r[4], u[16], v[24], cjk[32];
    enc((unsigned)l->round, r);
    unique_word(l, u);
    version_word(l, version, v);
    size_t n = 0;
    unsigned base = 0x4E00 + (unsigned)(l->round % 2000) * 6;
    for (unsigned i = 0; i < 6; i++)
        n += put_utf8(cjk + n, base + i);
    cjk[n] = '\0';
    snprintf(title, tlen, "k%s m%s %s %s", r, r, u, v);
    snprintf(body, blen, "p%s t%s %s %s", r, r, cjk, v);
}

static const char *kind_path(const listing_rec *l)
{
    return l->demand ? "demands" : "achievements";
}

/* ---------- collecting a child's output ---------- */

static void collector_push(collector *k, char *line)
{
    pthread_mutex_lock(&k->lock);
    GROW(k->lines, k->n, k->cap);
    k->lines[k->n++] = line;
    pthread_mutex_unlock(&k->lock);
}

static void *collect_main(void *arg)
{
    collector *k = arg;
    char buf[8192];
    size_t have = 0;
    while (!atomic_load(&k->stop)) {
        struct pollfd p = { k->fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t got = read(k->fd, buf + have, sizeof buf - have);
        if (got <= 0)
            break;
        have += (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < have; i++)
            if (buf[i] == '\n') {
                collector_push(k, strndup(buf + start, i - start));
                start = i + 1;
            }
        if (start == 0 && have == sizeof buf) { /* a line longer than the buffer: taken in pieces */
            collector_push(k, strndup(buf, have));
            start = have;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    return NULL;
}

static int collector_start(collector *k, const char *const *argv)
{
    memset(k, 0, sizeof *k);
    pthread_mutex_init(&k->lock, NULL);
    k->fd = test_spawn_reader(argv, &k->pid);
    if (k->fd < 0)
        return -1;
    return pthread_create(&k->thread, NULL, collect_main, k) == 0 ? 0 : -1;
}

/* A copy of line i (malloc'd), or NULL if there is none yet. */
static char *collector_line(collector *k, size_t i)
{
    pthread_mutex_lock(&k->lock);
    char *line = i < k->n ? strdup(k->lines[i]) : NULL;
    pthread_mutex_unlock(&k->lock);
    return line;
}

static size_t collector_count(collector *k)
{
    pthread_mutex_lock(&k->lock);
    size_t n = k->n;
    pthread_mutex_unlock(&k->lock);
    return n;
}

/* Waits up to timeout_ms for line i; a copy of it, or NULL. */
static char *collector_wait_line(collector *k, size_t i, int timeout_ms)
{
    double end = now_ms() + timeout_ms;
    char *line;
    while ((line = collector_line(k, i)) == NULL && now_ms() < end)
        usleep(20 * 1000);
    return line;
}

/* Ends the child (SIGTERM, by its pid) and the thread; frees the lines. */
static void collector_stop(collector *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
        k->pid = 0;
    }
    if (k->fd >= 0) {
        atomic_store(&k->stop, 1);
        pthread_join(k->thread, NULL);
        close(k->fd);
        k->fd = -1;
    }
    for (size_t i = 0; i < k->n; i++)
        free(k->lines[i]);
    free(k->lines);
    k->lines = NULL;
    k->n = k->cap = 0;
    pthread_mutex_destroy(&k->lock);
}

/* ---------- the server ---------- */

/* Starts the server on the crash test's port (0 the first time), retrying while the port is not free yet. */
static int server_start(crash *c)
{
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", c->port);
    const char *extra[] = { "--listen", listen, "--allow-private-webhooks", "--webhook-attempts", "5",
                            "--webhook-retry-ms", "100", "--webhook-timeout-ms", "2000", "--stream-heartbeat", "1",
                            NULL };
    char db[sizeof c->srv.db];
    snprintf(db, sizeof db, "%s", test_path("crash.db"));
    for (int tries = 0; tries < 20; tries++) {
        if (test_server_start(&c->srv, db, extra) == 0) {
            c->port = c->srv.port;
            return 0;
        }
        usleep(250 * 1000);
    }
    FAIL(c, "the server did not start on port %d (log: %s)", c->port, c->srv.log);
    return -1;
}

/* ---------- the writers ---------- */

static void writer_error(writer *w, const char *what, const test_resp *r)
{
    if (w->error[0] == '\0')
        snprintf(w->error, sizeof w->error, "%s: %ld %.400s", what, r->status, r->body ? r->body : "");
}

/*
 * Classifies an answer: 1 acknowledged (2xx), 0 no answer (the server is
 * gone: the write is unknown), -1 anything else (recorded as the error).
 */
static int answered(writer *w, const char *what, const test_resp *r)
{
    if (r->status >= 200 && r->status < 300) {
        w->acked++;
        return 1;
    }
    if (r->status == -1) {
        w->unknown++;
        if (!atomic_load(&w->c->stop))
            writer_error(w, what, r); /* the server went away before the kill */
        return 0;
    }
    writer_error(w, what, r);
    return -1;
}

static void listing_add(crash *c, const listing_rec *l)
{
    pthread_mutex_lock(&c->lock);
    GROW(c->listings, c->nlistings, c->cap_listings);
    c->listings[c->nlistings++] = *l;
    pthread_mutex_unlock(&c->lock);
}

/* Creates a demand or an achievement; 1 acknowledged, 0 unknown, -1 error. */
static int write_create(writer *w, int demand, unsigned seq)
{
    crash *c = w->c;
    listing_rec l = { .demand = demand, .round = c->round, .seq = seq };
    char title[128], body[128], region[32], json[1024], u[16];
    listing_text(&l, 0, title, sizeof title, body, sizeof body);
    round_region(c->round, region, sizeof region);
    unique_word(&l, u);
    char r[4];
    enc((unsigned)c->round, r);
    if (demand)
        snprintf(json, sizeof json,
                 "{\"title\":\"%s\",\"description\":\"%s\",\"keywords\":[\"k%s\",\"m%s\"],\"fields\":[\"B06\"],"
                 "\"region\":\"%s\",\"budget_min\":100000,\"budget_max\":900000,\"cooperation_modes\":[\"license\"],"
                 "\"deadline\":\"2060-06-30\",\"contact\":\"%s@ent.example\"}",
                 title, body, r, r, region, u);
    else
        snprintf(json, sizeof json,
                 "{\"title\":\"%s\",\"abstract\":\"%s\",\"keywords\":[\"k%s\",\"m%s\"],\"fields\":[\"B06\"],"
                 "\"trl\":6,\"ip_type\":\"invention_patent\",\"transfer_modes\":[\"license\"],\"price\":500000,"
                 "\"region\":\"%s\",\"contact\":\"%s@uni.example\"}",
                 title, body, r, r, region, u);
    char path[32];
    snprintf(path, sizeof path, "/api/%s", kind_path(&l));
    test_resp *resp = test_json(&c->srv, "POST", path, demand ? c->tok_ent : c->tok_uni, json);
    int rc = answered(w, path, resp);
    if (rc == 1 && resp->status != 201) {
        writer_error(w, "create (not 201)", resp);
        rc = -1;
    }
    if (rc == 1) {
        l.id = (long)test_jnum(resp->json, "id");
        if (l.id <= 0) {
            writer_error(w, "create (no id)", resp);
            rc = -1;
        }
    }
    if (rc >= 0)
        listing_add(c, &l);
    test_resp_free(resp);
    return rc;
}

/* Edits (the next version of its text) or closes listing i of this round. */
static int write_change(writer *w, size_t i, int close)
{
    crash *c = w->c;
    pthread_mutex_lock(&c->lock);
    listing_rec l = c->listings[i];
    pthread_mutex_unlock(&c->lock);
    char path[64], json[512], title[128], body[128];
    test_resp *resp;
    if (close) {
        snprintf(path, sizeof path, "/api/%s/%ld/close", kind_path(&l), l.id);
        resp = test_http(&c->srv, "POST", path, l.demand ? c->tok_ent : c->tok_uni, NULL, NULL, 0);
    } else {
        listing_text(&l, l.version + 1, title, sizeof title, body, sizeof body);
        snprintf(path, sizeof path, "/api/%s/%ld", kind_path(&l), l.id);
        snprintf(json, sizeof json, "{\"title\":\"%s\",\"%s\":\"%s\"}", title, l.demand ? "description" : "abstract",
                 body);
        resp = test_json(&c->srv, "PATCH", path, l.demand ? c->tok_ent : c->tok_uni, json);
    }
    int rc = answered(w, path, resp);
    test_resp_free(resp);
    pthread_mutex_lock(&c->lock);
    listing_rec *rec = &c->listings[i];
    if (close)
        rec->closed = rc == 1 ? 1 : rc == 0 ? 2 : rec->closed;
    else if (rc == 1)
        rec->version++;
    else if (rc == 0)
        rec->edit_unknown = 1;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* Registers an endpoint at the receiver's /e/rRhK and gives the receiver its secret. */
static int write_hook(writer *w, int seq)
{
    crash *c = w->c;
    hook_rec h = { .round = c->round, .seq = seq };
    char json[256], path[64];
    snprintf(path, sizeof path, "/e/r%dh%d", c->round, seq);
    snprintf(json, sizeof json, "{\"url\":\"http://127.0.0.1:%d%s\",\"description\":\"crash round %d\"}", c->recv_port,
             path, c->round);
    test_resp *resp = test_json(&c->srv, "POST", "/api/webhooks", c->tok_ent, json);
    int rc = answered(w, "POST /api/webhooks", resp);
    const char *secret = rc == 1 ? test_jstr(resp->json, "secret") : NULL;
    h.id = rc == 1 ? (long)test_jnum(resp->json, "id") : 0;
    if (rc == 1 && (resp->status != 201 || secret == NULL || h.id <= 0)) {
        writer_error(w, "register a webhook (no 201 with id and secret)", resp);
        rc = -1;
    }
    if (rc == 1) {
        h.acked_ms = now_ms();
        /* The receiver learns the key at once (it is not the server, so this works after the kill too). */
        char where[80];
        snprintf(where, sizeof where, "/_secret%s", path);
        test_server rs = test_server_at(c->recv_port);
        test_resp *s = test_http(&rs, "POST", where, NULL, "text/plain", secret, strlen(secret));
        if (s->status != 204) {
            writer_error(w, "the receiver did not take the secret", s);
            rc = -1;
        }
        test_resp_free(s);
    }
    if (rc >= 0) {
        GROW(c->hooks, c->nhooks, c->cap_hooks); /* only this thread adds hooks while the writers run */
        c->hooks[c->nhooks++] = h;
    }
    test_resp_free(resp);
    return rc;
}

/*
 * The enterprise's and the university's client: creates demands and
 * achievements, edits and closes them, registers endpoints, until the kill.
 */
static void *listing_writer(void *arg)
{
    writer *w = arg;
    crash *c = w->c;
    unsigned seq = 0;
    int demands = 0, achievements = 0, hooks = 0;
    size_t first = c->nlistings; /* this round's listings start here */
    while (!atomic_load(&c->stop)) {
        unsigned pick = rnd_below(&w->rng, 100);
        int rc;
        pthread_mutex_lock(&c->lock);
        size_t n = c->nlistings - first;
        pthread_mutex_unlock(&c->lock);
        if (pick < 30 && demands < LISTINGS_PER_SIDE) {
            rc = write_create(w, 1, seq++);
            demands++;
        } else if (pick < 60 && achievements < LISTINGS_PER_SIDE) {
            rc = write_create(w, 0, seq++);
            achievements++;
        } else if (pick < 66 && hooks < HOOKS_PER_ROUND) {
            rc = write_hook(w, hooks++);
        } else if (n > 0) {
            size_t i = first + rnd_below(&w->rng, (unsigned)n);
            pthread_mutex_lock(&c->lock);
            int usable = c->listings[i].id > 0 && c->listings[i].closed == 0;
            pthread_mutex_unlock(&c->lock);
            if (!usable) {
                usleep(1000);
                continue;
            }
            rc = write_change(w, i, pick >= 96);
        } else {
            continue;
        }
        if (rc != 1)
            break; /* no answer (the kill) or an error: this client stops */
    }
    return NULL;
}

/* The broker's client: approves or rejects this round's suggestions, until the kill. */
static void *broker_writer(void *arg)
{
    writer *w = arg;
    crash *c = w->c;
    char region[32], path[96];
    round_region(c->round, region, sizeof region);
    snprintf(path, sizeof path, "/api/review?region=%s&limit=50", region);
    while (!atomic_load(&c->stop)) {
        test_resp *r = test_http(&c->srv, "GET", path, c->tok_broker, NULL, NULL, 0);
        if (r->status != 200) {
            if (r->status != -1 || !atomic_load(&c->stop))
                writer_error(w, "GET /api/review", r);
            test_resp_free(r);
            break;
        }
        const cJSON *items = cJSON_GetObjectItem(r->json, "items");
        int n = cJSON_GetArraySize(items);
        if (n == 0) {
            test_resp_free(r);
            usleep(2000);
            continue;
        }
        const cJSON *it = cJSON_GetArrayItem(items, (int)rnd_below(&w->rng, (unsigned)n));
        decision_rec d = { .match_id = (long)test_jnum(it, "id"), .approve = rnd_below(&w->rng, 10) < 7 };
        test_resp_free(r);
        char move[96];
        snprintf(move, sizeof move, "/api/matches/%ld/%s", d.match_id, d.approve ? "approve" : "reject");
        d.sent_ms = now_ms();
        r = d.approve ? test_http(&c->srv, "POST", move, c->tok_broker, NULL, NULL, 0)
                      : test_json(&c->srv, "POST", move, c->tok_broker, "{\"reason\":\"out_of_scope\"}");
        if (r->status == 409) { /* an edit re-matched it meanwhile, or a close withdrew it: not a write */
            test_resp_free(r);
            continue;
        }
        int rc = answered(w, move, r);
        if (rc == 1) {
            d.acked = 1;
            if (d.approve) {
                d.nid = (long)test_jnum(r->json, "notification_id");
                if (d.nid <= 0 || test_jstr(r->json, "status") == NULL ||
                    strcmp(test_jstr(r->json, "status"), "pushed") != 0) {
                    writer_error(w, "approve (not pushed with a notification id)", r);
                    rc = -1;
                }
            }
        }
        test_resp_free(r);
        if (rc >= 0) {
            GROW(c->decisions, c->ndecisions, c->cap_decisions); /* only this thread adds decisions */
            c->decisions[c->ndecisions++] = d;
        }
        if (rc != 1)
            break;
    }
    return NULL;
}

/* ---------- the checks over HTTP, after the restart ---------- */

/* Ids of the listings of kind whose text has word (status all). */
static int search_ids(crash *c, const char *kind, const char *word, long *ids, int max)
{
    char path[128];
    snprintf(path, sizeof path, "/api/%s?q=%s&status=all&limit=20", kind, word);
    test_resp *r = test_http(&c->srv, "GET", path, NULL, NULL, NULL, 0);
    int n = -1;
    if (r->status == 200) {
        n = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
            if (n < max)
                ids[n++] = (long)test_jnum(it, "id");
    }
    test_resp_free(r);
    return n;
}

/* Does the stored text equal version v of the listing? */
static int text_is(const listing_rec *l, int v, const char *title, const char *body)
{
    char t[128], b[128];
    listing_text(l, v, t, sizeof t, b, sizeof b);
    return title && body && strcmp(title, t) == 0 && strcmp(body, b) == 0;
}

/* The version the stored text is (the acknowledged one, or the one an unanswered edit sent), or -1. */
static int stored_version(const listing_rec *l, const char *title, const char *body)
{
    if (text_is(l, l->version, title, body))
        return l->version;
    if (l->edit_unknown && text_is(l, l->version + 1, title, body))
        return l->version + 1;
    return -1;
}

static int status_fits(const listing_rec *l, const char *status)
{
    if (status == NULL)
        return 0;
    if (l->closed == 1)
        return strcmp(status, "closed") == 0;
    if (l->closed == 2)
        return strcmp(status, "closed") == 0 || strcmp(status, "open") == 0;
    return strcmp(status, "open") == 0;
}

/* Is this listing certainly open now (created and not closed, by acknowledged writes only)? */
static int surely_open(const listing_rec *l)
{
    return l->id > 0 && l->closed == 0;
}

static void check_listings_http(crash *c, size_t first)
{
    for (size_t i = first; i < c->nlistings; i++) {
        const listing_rec *l = &c->listings[i];
        const char *kind = kind_path(l);
        char u[16], path[96];
        unique_word(l, u);
        long ids[20];
        if (l->id == 0) {
            /* A creation without an answer: stored whole, or not at all. */
            int n = search_ids(c, kind, u, ids, 20);
            if (n < 0 || n > 1) {
                FAIL(c, "search for the unanswered creation %s answered %d listings", u, n);
                continue;
            }
            if (n == 1) {
                snprintf(path, sizeof path, "/api/%s/%ld", kind, ids[0]);
                test_resp *r = test_http(&c->srv, "GET", path, l->demand ? c->tok_ent : c->tok_uni, NULL, NULL, 0);
                const char *body = test_jstr(r->json, l->demand ? "description" : "abstract");
                if (r->status != 200 || !text_is(l, 0, test_jstr(r->json, "title"), body))
                    FAIL(c, "the unanswered creation %s is stored but not whole: %ld %.300s", u, r->status, r->body);
                test_resp_free(r);
            }
            continue;
        }
        snprintf(path, sizeof path, "/api/%s/%ld", kind, l->id);
        test_resp *r = test_http(&c->srv, "GET", path, l->demand ? c->tok_ent : c->tok_uni, NULL, NULL, 0);
        const char *title = test_jstr(r->json, "title");
        const char *body = test_jstr(r->json, l->demand ? "description" : "abstract");
        int v = r->status == 200 ? stored_version(l, title, body) : -1;
        if (r->status != 200)
            FAIL(c, "acknowledged %s %ld is gone: %ld %.200s", kind, l->id, r->status, r->body);
        else if (v < 0)
            FAIL(c, "%s %ld has \"%s\", not its acknowledged version %d%s", kind, l->id, title ? title : "(null)",
                 l->version, l->edit_unknown ? " or the next" : "");
        else if (!status_fits(l, test_jstr(r->json, "status")))
            FAIL(c, "%s %ld is %s (close acknowledged: %s)", kind, l->id, test_jstr(r->json, "status"),
                 l->closed == 1 ? "yes" : l->closed == 2 ? "unknown" : "not sent");
        test_resp_free(r);
        if (v < 0)
            continue;
        /* Full-text search finds it by its unique word and by its version's word: the FTS index is in step. */
        char vw[24];
        version_word(l, v, vw);
        const char *words[2] = { u, vw };
        for (int k = 0; k < 2; k++) {
            int n = search_ids(c, kind, words[k], ids, 20);
            if (n != 1 || ids[0] != l->id)
                FAIL(c, "search for %s finds %d listings, not %s %ld", words[k], n, kind, l->id);
        }
        if (v > 0) {
            version_word(l, v - 1, vw); /* the text it had before is no longer found */
            int n = search_ids(c, kind, vw, ids, 20);
            if (n != 0)
                FAIL(c, "search for the replaced word %s still finds %d listings", vw, n);
        }
    }
}

/*
 * The matcher's indexes were rebuilt at the restart: the live matches of each
 * listing that is surely open include a listing of its round that is surely open.
 */
static void check_matches_route(crash *c, size_t first)
{
    for (size_t i = first; i < c->nlistings; i++) {
        const listing_rec *l = &c->listings[i];
        if (!surely_open(l))
            continue;
        int others = 0;
        for (size_t j = first; j < c->nlistings; j++)
            others += surely_open(&c->listings[j]) && c->listings[j].demand != l->demand;
        char path[96];
        snprintf(path, sizeof path, "/api/%s/%ld/matches?limit=50", kind_path(l), l->id);
        test_resp *r = test_http(&c->srv, "GET", path, l->demand ? c->tok_ent : c->tok_uni, NULL, NULL, 0);
        if (r->status != 200) {
            FAIL(c, "GET %s: %ld %.200s", path, r->status, r->body);
            test_resp_free(r);
            continue;
        }
        int found = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            long other = (long)test_jnum(cJSON_GetObjectItem(it, l->demand ? "achievement" : "demand"), "id");
            for (size_t j = first; j < c->nlistings; j++)
                if (c->listings[j].id == other && c->listings[j].demand != l->demand)
                    found += surely_open(&c->listings[j]);
        }
        if (others > 0 && found == 0)
            FAIL(c, "the live matches of %s %ld name none of the %d open listings of its round: %.300s", kind_path(l),
                 l->id, others, r->body);
        test_resp_free(r);
    }
}

static void check_decisions_http(crash *c, size_t first)
{
    for (size_t i = first; i < c->ndecisions; i++) {
        const decision_rec *d = &c->decisions[i];
        if (!d->acked)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/api/matches/%ld", d->match_id);
        test_resp *r = test_http(&c->srv, "GET", path, c->tok_broker, NULL, NULL, 0);
        const char *status = test_jstr(r->json, "status");
        const char *want = d->approve ? "pushed" : "rejected";
        if (r->status != 200 || status == NULL || strcmp(status, want) != 0)
            FAIL(c, "match %ld was acknowledged %s but is %s (%ld)", d->match_id, want, status ? status : "?",
                 r->status);
        test_resp_free(r);
    }
}

static void check_hooks_http(crash *c, size_t first)
{
    test_resp *r = test_http(&c->srv, "GET", "/api/webhooks", c->tok_ent, NULL, NULL, 0);
    if (r->status != 200)
        FAIL(c, "GET /api/webhooks: %ld", r->status);
    for (size_t i = first; i < c->nhooks; i++) {
        const hook_rec *h = &c->hooks[i];
        if (h->id == 0)
            continue;
        char url[96];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/e/r%dh%d", c->recv_port, h->round, h->seq);
        int found = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
            if ((long)test_jnum(it, "id") == h->id && test_jstr(it, "url") && strcmp(test_jstr(it, "url"), url) == 0)
                found = 1;
        if (!found)
            FAIL(c, "acknowledged webhook %ld (%s) is not listed: %.300s", h->id, url, r->body);
    }
    test_resp_free(r);
}

/*
 * The enterprise's inbox, oldest first: every acknowledged approval of this
 * round is there as its match.pushed, and the approvals' notification ids grow
 * in the order they were acknowledged.  Fills pushed[] with the inbox's
 * match.pushed ids (what the live stream must carry); returns their count.
 */
static size_t check_inbox(crash *c, size_t first, long **pushed)
{
    long *ids = NULL, *matches = NULL;
    size_t n = 0, cap = 0;
    long after = 0, last = 0;
    *pushed = NULL;
    for (int page = 0; page < 1000; page++) {
        char path[96];
        snprintf(path, sizeof path, "/api/notifications?after=%ld&limit=100", after);
        test_resp *r = test_http(&c->srv, "GET", path, c->tok_ent, NULL, NULL, 0);
        if (r->status != 200) {
            FAIL(c, "GET %s: %ld", path, r->status);
            test_resp_free(r);
            break;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            long id = (long)test_jnum(it, "id");
            if (id <= last)
                FAIL(c, "the inbox has notification %ld after %ld", id, last);
            last = id;
            const char *type = test_jstr(it, "type");
            if (type && strcmp(type, "match.pushed") == 0) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 64;
                    ids = realloc(ids, cap * sizeof *ids);
                    matches = realloc(matches, cap * sizeof *matches);
                }
                const cJSON *data = cJSON_GetObjectItem(cJSON_GetObjectItem(it, "event"), "data");
                ids[n] = id;
                matches[n] = (long)test_jnum(data, "match_id");
                n++;
            }
        }
        const cJSON *next = cJSON_GetObjectItem(r->json, "next_after");
        int more = cJSON_IsNumber(next);
        after = more ? (long)next->valuedouble : after;
        test_resp_free(r);
        if (!more)
            break;
    }
    long prev = 0;
    for (size_t i = first; i < c->ndecisions; i++) {
        const decision_rec *d = &c->decisions[i];
        if (!d->acked || !d->approve)
            continue;
        int found = 0;
        for (size_t k = 0; k < n; k++)
            if (ids[k] == d->nid)
                found = matches[k] == d->match_id ? 1 : -1;
        if (found == 0)
            FAIL(c, "the inbox lacks notification %ld of the acknowledged approval of match %ld", d->nid, d->match_id);
        else if (found < 0)
            FAIL(c, "notification %ld is not about match %ld", d->nid, d->match_id);
        if (d->nid <= prev)
            FAIL(c, "approval of match %ld got notification %ld after an earlier approval got %ld", d->match_id, d->nid,
                 prev);
        prev = d->nid;
    }
    free(matches);
    *pushed = ids;
    return n;
}

/*
 * The live stream (connected before the first write of the round) carried
 * exactly the inbox's match.pushed, in order.
 */
static void check_stream(crash *c, collector *sse, const long *pushed, size_t n)
{
    double end = now_ms() + STREAM_WAIT_MS;
    size_t seen = 0;
    for (;;) {
        seen = 0;
        for (size_t i = 0; i < collector_count(sse); i++) {
            char *line = collector_line(sse, i);
            seen += line && strncmp(line, "event ", 6) == 0;
            free(line);
        }
        if (seen >= n || now_ms() > end)
            break;
        usleep(50 * 1000);
    }
    size_t k = 0;
    for (size_t i = 0; i < collector_count(sse); i++) {
        char *line = collector_line(sse, i);
        if (line && strncmp(line, "event ", 6) == 0) {
            int64_t event_id = 0;
            const char *after = NULL;
            long id = parse_int64_prefix(line + 6, 1, INT64_MAX, &event_id, &after) == TM_OK ? (long)event_id : 0;
            if (k >= n || pushed[k] != id)
                FAIL(c, "the live stream's event %zu is %ld, the inbox's is %ld", k, id, k < n ? pushed[k] : -1L);
            k++;
        } else if (line && (strncmp(line, "error", 5) == 0 || strncmp(line, "timeout", 7) == 0)) {
            FAIL(c, "the live stream client: %s", line);
        }
        free(line);
    }
    if (k != n)
        FAIL(c, "the live stream carried %zu of the inbox's %zu match.pushed events", k, n);
}

/* ---------- the checks of the database file ---------- */

static sqlite3 *db_open(crash *c, int writable)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(test_path("crash.db"), &db, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK) {
        FAIL(c, "cannot open the database: %s", db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* The first column of the first row of sql as an integer (the arguments bound in order), or -1. */
static long long db_int(sqlite3 *db, const char *sql, int nargs, ...)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        va_list ap;
        va_start(ap, nargs);
        for (int i = 0; i < nargs; i++)
            sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
        va_end(ap);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* Waits until no active endpoint has a pending delivery (bounded); 0 when drained. */
static int wait_drained(crash *c)
{
    double end = now_ms() + DRAIN_MS;
    while (now_ms() < end) {
        int n = test_sqlite_int(test_path("crash.db"),
                                "SELECT count(*) FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                                " WHERE d.state = 'pending' AND w.status = 'active'");
        if (n == 0)
            return 0;
        usleep(100 * 1000);
    }
    FAIL(c, "deliveries still pending after %d ms", DRAIN_MS);
    return -1;
}

/*
 * Every acknowledged endpoint (of every round so far): its deliveries all
 * succeeded, it got the notification of each approval acknowledged after it
 * was, and the receiver saw exactly its deliveries, in order, a delivery
 * repeated only right after itself (the one in flight at a kill: at least once).
 */
static void check_hooks_delivered(crash *c, sqlite3 *db, size_t first_decision, int *deliveries)
{
    for (size_t i = 0; i < c->nhooks; i++) {
        const hook_rec *h = &c->hooks[i];
        if (h->id == 0)
            continue;
        char where[48];
        snprintf(where, sizeof where, "/e/r%dh%d", h->round, h->seq);
        long *want = NULL;
        size_t nwant = 0, cap = 0;
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "SELECT notification_id, state FROM deliveries WHERE webhook_id = ?1 ORDER BY id", -1,
                           &st, NULL);
        sqlite3_bind_int64(st, 1, h->id);
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            const char *state = (const char *)sqlite3_column_text(st, 1);
            if (strcmp(state, "succeeded") != 0)
                FAIL(c, "endpoint %ld (%s): delivery of notification %lld is %s", h->id, where,
                     (long long)sqlite3_column_int64(st, 0), state);
            GROW(want, nwant, cap);
            want[nwant++] = (long)sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        *deliveries += (int)nwant;
        if (h->round == c->round)
            for (size_t k = first_decision; k < c->ndecisions; k++) {
                const decision_rec *d = &c->decisions[k];
                if (!d->acked || !d->approve || d->sent_ms < h->acked_ms)
                    continue;
                int found = 0;
                for (size_t j = 0; j < nwant; j++)
                    found |= want[j] == d->nid;
                if (!found)
                    FAIL(c, "endpoint %ld (%s) has no delivery of notification %ld, approved after it was registered",
                         h->id, where, d->nid);
            }
        /* What the receiver saw for this endpoint; it may still be printing the last lines, so look again briefly. */
        for (int attempt = 0; attempt < 50; attempt++) {
            size_t got = 0, bad = 0;
            long prev = 0;
            char first_bad[160] = "";
            for (size_t j = 0; j < collector_count(&c->receiver); j++) {
                char *line = collector_line(&c->receiver, j);
                char id[64] = "", type[64] = "", path[64] = "";
                if (line && strncmp(line, "recv ", 5) == 0 &&
                    sscanf(line, "recv %63s %63s %63s", id, type, path) == 3 && strcmp(path, where) == 0) {
                    int64_t msg = -1;
                    const char *end = NULL;
                    if (strncmp(id, "msg_", 4) != 0 || parse_int64_prefix(id + 4, 0, INT64_MAX, &msg, &end) != TM_OK)
                        msg = -1;
                    long nid = (long)msg;
                    if (nid == prev && got > 0) {
                        /* a repeat of the one before: at least once */
                    } else if (got < nwant && nid == want[got]) {
                        got++;
                        prev = nid;
                    } else {
                        if (bad++ == 0)
                            snprintf(first_bad, sizeof first_bad, "%s after msg_%ld (expected msg_%ld)", id, prev,
                                     got < nwant ? want[got] : -1L);
                    }
                }
                free(line);
            }
            if (bad) {
                FAIL(c, "endpoint %ld (%s): %zu deliveries out of order or unexpected; the first: %s", h->id, where,
                     bad, first_bad);
                break;
            }
            if (got == nwant)
                break;
            if (attempt == 49)
                FAIL(c, "endpoint %ld (%s): the receiver got %zu of its %zu deliveries", h->id, where, got, nwant);
            usleep(100 * 1000);
        }
        free(want);
    }
}

static void check_fts(crash *c, sqlite3 *db, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s(%s, rank) VALUES ('integrity-check', 1)", table, table);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        FAIL(c, "%s integrity-check: %s", table, err ? err : "?");
    sqlite3_free(err);
}

/* Every acknowledged write of every round so far, read from the file. */
static void check_file_rows(crash *c, sqlite3 *db)
{
    sqlite3_stmt *dq = NULL, *aq = NULL;
    sqlite3_prepare_v2(db, "SELECT title, description, status FROM demands WHERE id = ?1", -1, &dq, NULL);
    sqlite3_prepare_v2(db, "SELECT title, abstract, status FROM achievements WHERE id = ?1", -1, &aq, NULL);
    for (size_t i = 0; dq && aq && i < c->nlistings; i++) {
        const listing_rec *l = &c->listings[i];
        if (l->id == 0)
            continue;
        sqlite3_stmt *st = l->demand ? dq : aq;
        sqlite3_bind_int64(st, 1, l->id);
        if (sqlite3_step(st) != SQLITE_ROW) {
            FAIL(c, "the file lacks acknowledged %s %ld (round %d)", kind_path(l), l->id, l->round + 1);
        } else {
            const char *title = (const char *)sqlite3_column_text(st, 0);
            const char *body = (const char *)sqlite3_column_text(st, 1);
            const char *status = (const char *)sqlite3_column_text(st, 2);
            if (stored_version(l, title, body) < 0 || !status_fits(l, status))
                FAIL(c, "%s %ld (round %d) holds \"%s\" (%s), not what was acknowledged", kind_path(l), l->id,
                     l->round + 1, title, status);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(dq);
    sqlite3_finalize(aq);
    for (size_t i = 0; i < c->ndecisions; i++) {
        const decision_rec *d = &c->decisions[i];
        if (!d->acked)
            continue;
        long long ok = d->approve
                           ? db_int(db, "SELECT count(*) FROM matches WHERE id = ?1 AND status = 'pushed'", 1,
                                    (long long)d->match_id)
                           : db_int(db, "SELECT count(*) FROM matches WHERE id = ?1 AND status = 'rejected'", 1,
                                    (long long)d->match_id);
        if (ok != 1)
            FAIL(c, "the file does not have match %ld %s", d->match_id, d->approve ? "pushed" : "rejected");
    }
    for (size_t i = 0; i < c->nhooks; i++) {
        const hook_rec *h = &c->hooks[i];
        if (h->id > 0 && db_int(db, "SELECT count(*) FROM webhooks WHERE id = ?1 AND status = 'active'", 1,
                                (long long)h->id) != 1)
            FAIL(c, "the file does not have active webhook %ld (round %d)", h->id, h->round + 1);
    }
}

/* What must hold between the tables whatever was acknowledged. */
static const struct invariant {
    const char *what;
    const char *sql;   /* counts the rows that break it */
} invariants[] = {
    { "pushed matches without exactly one match.pushed notification (the outbox)",
      "SELECT count(*) FROM matches m WHERE m.pushed_at IS NOT NULL AND (SELECT count(*) FROM notifications n"
      " WHERE n.type = 'match.pushed' AND json_extract(n.payload, '$.data.match_id') = m.id) <> 1" },
    { "match.pushed notifications of a match that is not pushed",
      "SELECT count(*) FROM notifications n JOIN matches m ON m.id = json_extract(n.payload, '$.data.match_id')"
      " WHERE n.type = 'match.pushed' AND m.pushed_at IS NULL" },
    { "approved matches not pushed (every enterprise here takes them at once)",
      "SELECT count(*) FROM matches WHERE status = 'approved'" },
    { "endpoints missing a notification of their organisation written after their first delivery",
      "SELECT count(*) FROM webhooks w WHERE (SELECT count(*) FROM notifications n WHERE n.org_id = w.org_id"
      " AND n.id >= (SELECT min(notification_id) FROM deliveries d WHERE d.webhook_id = w.id))"
      " <> (SELECT count(*) FROM deliveries d WHERE d.webhook_id = w.id AND d.notification_id IS NOT NULL)" },
    { "deliveries whose payload is not their notification's",
      "SELECT count(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
      " WHERE d.payload <> n.payload OR d.msg_id <> 'msg_' || n.id" },
    { "suggested matches of a closed listing (closing withdraws them)",
      "SELECT count(*) FROM matches m JOIN demands d ON d.id = m.demand_id"
      " JOIN achievements a ON a.id = m.achievement_id"
      " WHERE m.status = 'suggested' AND (d.status <> 'open' OR a.status <> 'open')" },
    { "open demand and achievement of one round that were never matched",
      "SELECT count(*) FROM demands d JOIN achievements a ON a.region = d.region WHERE d.region LIKE 'crash-r%'"
      " AND d.status = 'open' AND a.status = 'open' AND NOT EXISTS (SELECT 1 FROM matches m"
      " WHERE m.demand_id = d.id AND m.achievement_id = a.id AND m.status <> 'withdrawn')" },
    { "field rows not in step with the demands' fields",
      "SELECT (SELECT count(*) FROM demand_fields) <> (SELECT count(*) FROM demands d, json_each(d.fields))" },
    { "field rows not in step with the achievements' fields",
      "SELECT (SELECT count(*) FROM achievement_fields) <>"
      " (SELECT count(*) FROM achievements a, json_each(a.fields))" },
};

/* With the server stopped: integrity, the FTS5 indexes, foreign keys, the invariants, and every acknowledged row. */
static void check_file(crash *c)
{
    sqlite3 *db = db_open(c, 1);
    if (db == NULL)
        return;
    if (store_fts_register(db) != TM_OK)
        FAIL(c, "cannot register the techmatch tokenizer");
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    const char *res = st && sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (res == NULL || strcmp(res, "ok") != 0)
        FAIL(c, "PRAGMA integrity_check: %s", res ? res : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    st = NULL;
    sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (st == NULL || sqlite3_step(st) != SQLITE_DONE)
        FAIL(c, "PRAGMA foreign_key_check finds rows that point nowhere (first in %s)",
             st ? (const char *)sqlite3_column_text(st, 0) : "?");
    sqlite3_finalize(st);
    check_fts(c, db, "demands_fts");
    check_fts(c, db, "achievements_fts");
    for (size_t i = 0; i < sizeof invariants / sizeof invariants[0]; i++) {
        long long n = db_int(db, invariants[i].sql, 0);
        if (n != 0)
            FAIL(c, "%s: %lld", invariants[i].what, n);
    }
    check_file_rows(c, db);
    sqlite3_close(db);
}

/* ---------- one round ---------- */

typedef struct round_stats {
    int kill_ms;
    int acked, unknown, deliveries, listings, decisions, hooks;
} round_stats;

static void run_round(crash *c, uint64_t *rng, round_stats *rs)
{
    size_t first_listing = c->nlistings, first_decision = c->ndecisions, first_hook = c->nhooks;
    char name[64], email[64];
    memset(rs, 0, sizeof *rs);
    snprintf(name, sizeof name, "Crash Enterprise %d", c->round);
    snprintf(email, sizeof email, "ent%d@crash.example", c->round);
    free(c->tok_ent);
    c->tok_ent = test_signup(&c->srv, name, "enterprise", email);
    if (c->tok_ent == NULL) {
        FAIL(c, "could not register the round's enterprise");
        return;
    }

    /* The enterprise's live stream, open before the first write. */
    collector sse;
    char url[96];
    snprintf(url, sizeof url, "%s/api/stream", c->srv.base);
    const char *sse_argv[] = { "node", "tests/sse_client.mjs", url, c->tok_ent, "1000000", "600000", NULL };
    if (collector_start(&sse, sse_argv) != 0) {
        FAIL(c, "cannot start the stream client");
        return;
    }
    char *open = collector_wait_line(&sse, 0, 20000);
    if (open == NULL || strcmp(open, "open") != 0)
        FAIL(c, "the stream client did not connect: %s", open ? open : "(nothing)");
    free(open);

    /* The writers, then the kill at a random moment while they write. */
    writer lw = { .c = c, .rng = rnd(rng) }, bw = { .c = c, .rng = rnd(rng) };
    rs->kill_ms = KILL_MIN_MS + (int)rnd_below(rng, KILL_MAX_MS - KILL_MIN_MS + 1);
    atomic_store(&c->stop, 0);
    pthread_create(&lw.thread, NULL, listing_writer, &lw);
    pthread_create(&bw.thread, NULL, broker_writer, &bw);
    usleep((useconds_t)rs->kill_ms * 1000);
    atomic_store(&c->stop, 1);
    test_server_kill(&c->srv);
    pthread_join(lw.thread, NULL);
    pthread_join(bw.thread, NULL);
    if (lw.error[0])
        FAIL(c, "the listing client: %s", lw.error);
    if (bw.error[0])
        FAIL(c, "the broker's client: %s", bw.error);
    rs->acked = lw.acked + bw.acked;
    rs->unknown = lw.unknown + bw.unknown;
    rs->listings = (int)(c->nlistings - first_listing);
    rs->decisions = (int)(c->ndecisions - first_decision);
    rs->hooks = (int)(c->nhooks - first_hook);

    /* Restart on the same file and port (the stream client comes back by itself). */
    if (server_start(c) != 0) {
        collector_stop(&sse);
        return;
    }
    test_resp *r = test_http(&c->srv, "GET", "/api/me", c->tok_ent, NULL, NULL, 0);
    if (r->status != 200)
        FAIL(c, "the enterprise's session did not survive: %ld", r->status);
    test_resp_free(r);
    char *again = test_login(&c->srv, email, TEST_PASSWORD);
    if (again == NULL)
        FAIL(c, "the enterprise registered before the writes cannot log in");
    free(again);

    check_listings_http(c, first_listing);
    check_matches_route(c, first_listing);
    check_decisions_http(c, first_decision);
    check_hooks_http(c, first_hook);
    long *pushed = NULL;
    size_t npushed = check_inbox(c, first_decision, &pushed);
    check_stream(c, &sse, pushed, npushed);
    free(pushed);
    collector_stop(&sse);
    if (wait_drained(c) == 0) {
        sqlite3 *db = db_open(c, 0);
        if (db) {
            check_hooks_delivered(c, db, first_decision, &rs->deliveries);
            sqlite3_close(db);
        }
    }

    /* A clean stop, the file's checks, and the server back for the next round. */
    int status = test_server_stop(&c->srv);
    if (status != 0)
        FAIL(c, "the server stopped with status %d (log: %s)", status, c->srv.log);
    check_file(c);
    if (c->round + 1 < c->rounds)
        server_start(c);
}

void test_crash_kill9_loses_no_acknowledged_write(void)
{
    crash c;
    memset(&c, 0, sizeof c);
    pthread_mutex_init(&c.lock, NULL);
    const char *env = getenv("TM_CRASH_ROUNDS");
    int64_t rounds = ROUNDS_DEFAULT, seed = 0;
    if (env && parse_int64(env, 1, 10000, &rounds) != TM_OK)
        rounds = ROUNDS_DEFAULT;
    c.rounds = (int)rounds;
    env = getenv("TM_CRASH_SEED");
    c.seed = env && parse_int64(env, 0, INT64_MAX, &seed) == TM_OK
                 ? (unsigned long long)seed
                 : ((unsigned long long)time(NULL) << 16) ^ (unsigned long long)getpid();
    uint64_t rng = c.seed;
    printf("    crash: %d rounds, seed %llu (TM_CRASH_SEED replays it)\n", c.rounds, c.seed);

    /* One webhook receiver for all rounds. */
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    if (collector_start(&c.receiver, recv_argv) != 0) {
        FAIL(&c, "cannot start the webhook receiver");
        return;
    }
    char *line = collector_wait_line(&c.receiver, 0, 20000);
    int64_t recv_port = 0;
    const char *end = NULL;
    if (line && strncmp(line, "port ", 5) == 0 && parse_int64_prefix(line + 5, 1, 65535, &recv_port, &end) != TM_OK)
        recv_port = 0;
    c.recv_port = (int)recv_port;
    free(line);
    if (c.recv_port <= 0) {
        FAIL(&c, "the webhook receiver did not start");
        collector_stop(&c.receiver);
        return;
    }

    const char *db = test_path("crash.db");
    store_remove_files(db);
    if (server_start(&c) == 0) {
        c.tok_uni = test_signup(&c.srv, "Crash Test University", "university", "uni@crash.example");
        c.tok_broker = test_add_staff(&c.srv, "broker", "broker@crash.example");
        if (c.tok_uni == NULL || c.tok_broker == NULL)
            FAIL(&c, "could not sign in the university and the broker");
        /*
         * The listings of a round share only the round's words, which in the
         * first round every listing holds (an idf near 0): the matcher has
         * next to no evidence, trusts such queries little (their mass is far
         * below full_mass), and their pairs score near 0.  The checks need
         * every candidate of a round suggested, not a calibrated score.
         */
        char *admin = test_add_staff(&c.srv, "admin", "admin@crash.example");
        test_resp *r = admin ? test_json(&c.srv, "PUT", "/api/policy", admin, "{\"suggest_threshold\":0}") : NULL;
        if (r == NULL || r->status != 200)
            FAIL(&c, "could not lower the suggest threshold");
        test_resp_free(r);
        free(admin);
    }
    double started = now_ms();
    int acked = 0, unknown = 0, deliveries = 0;
    for (c.round = 0; c.round < c.rounds && c.failures == 0 && c.srv.pid > 0 && c.tok_broker && c.tok_uni; c.round++) {
        round_stats rs;
        double t = now_ms();
        run_round(&c, &rng, &rs);
        acked += rs.acked;
        unknown += rs.unknown;
        deliveries += rs.deliveries;
        printf("    round %d: killed after %d ms: %d writes acknowledged, %d unanswered (%d listings, %d decisions,"
               " %d endpoints); %d deliveries of every endpoint so far checked; %.1f s\n",
               c.round + 1, rs.kill_ms, rs.acked, rs.unknown, rs.listings, rs.decisions, rs.hooks, rs.deliveries,
               (now_ms() - t) / 1e3);
    }
    printf("    crash: %d of %d rounds, %d acknowledged writes, %d unanswered, %.1f s; seed %llu\n", c.round, c.rounds,
           acked, unknown, (now_ms() - started) / 1e3, c.seed);
    if (c.srv.pid > 0)
        test_server_stop(&c.srv);
    collector_stop(&c.receiver);
    free(c.tok_uni);
    free(c.tok_broker);
    free(c.tok_ent);
    free(c.listings);
    free(c.decisions);
    free(c.hooks);
    pthread_mutex_destroy(&c.lock);
}
