/*
 * test_api_disk_full.c: the server on a full disk (issue 13, item 9).  The
 * database lives on a small tmpfs mounted for the test (which needs root or
 * CAP_SYS_ADMIN; elsewhere the test is skipped with the reason), and a filler
 * file takes the free space, so the disk fills at once and every time.
 *
 * What must hold: a write that does not fit answers 507 with a problem+json
 * saying storage is full, and nothing of it is stored; reads (a listing, the
 * list, search, /healthz) go on; every write acknowledged before is still
 * there, also after a restart, and the file passes integrity_check; the log
 * has no "cannot rollback" (a ROLLBACK after SQLite rolled back itself); the
 * webhook sender neither re-sends a delivery whose answer it could not record
 * nor logs the failure more than once; the CLI names the full disk; and once
 * space is freed, writes are stored again.
 */
#include "api_world.h"
#include "parse.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

enum {
    TMPFS_MB = 16,            /* the disk: room for the world's database and its WAL */
    HEADROOM_KB = 512,        /* what the filler leaves for the listing phase: a few listings fit */
    MAX_CREATIONS = 300,      /* the bound on creations before one must answer 507 */
    HOLD_MS = 1500,           /* the receiver holds its first answer this long, while the disk fills */
    FULL_WATCH_MS = 2500,     /* how long the sender is watched on the full disk after that */
    IMPORT_ROWS = 60,         /* an import far larger than anything a failed write left free in the WAL */
};

/* ---------- a webhook receiver that counts requests ---------- */

typedef struct receiver {
    int fd;
    int port;
    pthread_t thread;
    atomic_int stop;
    atomic_int requests;
} receiver;

/* Reads one request's headers and body (by Content-Length) from fd; 0 when it came whole. */
static int read_request(int fd)
{
    char buf[16384];
    size_t len = 0;
    const char *end = NULL;
    while (end == NULL || len < (size_t)(end - buf) + 4) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (len == sizeof buf - 1 || poll(&p, 1, 5000) <= 0)
            return -1;
        ssize_t got = read(fd, buf + len, sizeof buf - 1 - len);
        if (got <= 0)
            return -1;
        len += (size_t)got;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end == NULL)
            continue;
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        int64_t body = 0;
        const char *after = NULL;
        if (cl && cl < end && parse_int64_prefix(cl + 17 + strspn(cl + 17, " "), 0, 1 << 20, &body, &after) != TM_OK)
            return -1;
        if (len >= (size_t)(end - buf) + 4 + (size_t)body)
            return 0;
        end = NULL; /* more body to come */
        if (len == sizeof buf - 1)
            return -1;
    }
    return 0;
}

static void *receiver_main(void *arg)
{
    receiver *rc = arg;
    while (!atomic_load(&rc->stop)) {
        struct pollfd p = { rc->fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0)
            continue;
        int c = accept(rc->fd, NULL, NULL);
        if (c < 0)
            continue;
        if (read_request(c) == 0 && atomic_fetch_add(&rc->requests, 1) == 0)
            usleep(HOLD_MS * 1000);
        static const char answer[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
        ssize_t sent = write(c, answer, sizeof answer - 1);
        (void)sent;
        close(c);
    }
    return NULL;
}

static int receiver_start(receiver *rc)
{
    struct sockaddr_in a = { 0 };
    socklen_t alen = sizeof a;
    memset(rc, 0, sizeof *rc);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rc->fd < 0 || bind(rc->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(rc->fd, 16) != 0 ||
        getsockname(rc->fd, (struct sockaddr *)&a, &alen) != 0) {
        if (rc->fd >= 0)
            close(rc->fd);
        return -1;
    }
    rc->port = ntohs(a.sin_port);
    if (pthread_create(&rc->thread, NULL, receiver_main, rc) != 0) {
        close(rc->fd);
        return -1;
    }
    return 0;
}

static void receiver_stop(receiver *rc)
{
    atomic_store(&rc->stop, 1);
    pthread_join(rc->thread, NULL);
    close(rc->fd);
}

/* ---------- the disk ---------- */

/* Grows the filler file at path until the file system has only leave bytes free; 0 on success. */
static int fill_disk(const char *path, long long leave)
{
    struct statvfs v;
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (statvfs(dir, &v) != 0)
        return -1;
    long long avail = (long long)v.f_bavail * (long long)v.f_frsize;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = avail > leave ? posix_fallocate(fd, st.st_size, (off_t)(avail - leave)) : 0;
    close(fd);
    return rc == 0 ? 0 : -1;
}

/* How many lines of the server's log contain needle. */
static int log_count(const test_server *s, const char *needle)
{
    char *log = test_server_log(s);
    int n = 0;
    for (const char *p = log ? strstr(log, needle) : NULL; p; p = strstr(p + 1, needle))
        n++;
    free(log);
    return n;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The state of the webhook's ping delivery ("" when none). */
static void ping_state(const world *w, long hook, char *state, size_t len)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", hook);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    const cJSON *it;
    state[0] = '\0';
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if (strncmp(test_jstr(it, "msg_id") ? test_jstr(it, "msg_id") : "", "msg_ping_", 9) == 0)
            snprintf(state, len, "%s", test_jstr(it, "state") ? test_jstr(it, "state") : "");
    test_resp_free(r);
}

/*
 * The webhook sender: a delivery is in flight when the disk fills, so its
 * result cannot be recorded.  It must not be sent again meanwhile (no spin),
 * the failure is logged once, and the result is recorded once space is back.
 * The recording fails for sure because every commit so far succeeded and the
 * WAL has never been checkpointed (the world writes about 160 of the 1,000
 * pages that start one), so a commit appends to the WAL and needs new space.
 */
static void webhook_on_full_disk(world *w, receiver *rc, const char *filler)
{
    char body[256], path[96], state[16] = "";
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hook\",\"description\":\"full disk\"}", rc->port);
    test_resp *r = test_json(&w->srv, "POST", "/api/webhooks", w->tok[R_ENT], body);
    long hook = r->status == 201 ? (long)test_jnum(r->json, "id") : 0;
    test_resp_free(r);
    REQUIRE(hook > 0);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", hook);
    r = test_http(&w->srv, "POST", path, w->tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    double until = now_ms() + 10000;
    while (atomic_load(&rc->requests) == 0 && now_ms() < until)
        usleep(10 * 1000);
    REQUIRE(atomic_load(&rc->requests) == 1);
    /* The receiver holds its answer; the disk fills meanwhile. */
    REQUIRE(fill_disk(filler, 0) == 0);
    usleep((HOLD_MS + FULL_WATCH_MS) * 1000);
    CHECK_INT(log_count(&w->srv, "webhook: could not record"), 1);
    CHECK_INT(atomic_load(&rc->requests), 1);
    unlink(filler);
    until = now_ms() + 90000;
    while (strcmp(state, "succeeded") != 0 && now_ms() < until) {
        ping_state(w, hook, state, sizeof state);
        if (strcmp(state, "succeeded") != 0)
            usleep(100 * 1000);
    }
    CHECK_STR(state, "succeeded");
    CHECK_INT(atomic_load(&rc->requests), 1); /* recorded as it was answered, not sent again */
}

/* A demand whose title holds a word of its own (letters only: the tokenizer keeps it whole). */
static void demand_body(char *out, size_t len, int n)
{
    char word[16];
    snprintf(word, sizeof word, "zq%c%c%c", 'a' + n / 100 % 10, 'a' + n / 10 % 10, 'a' + n % 10);
    int at = snprintf(out, len, "{\"title\":\"Pump controller %s\",\"description\":\"", word);
    for (int i = 0; i < 40 && at < (int)len - 200; i++)
        at += snprintf(out + at, len - (size_t)at, "hydraulic %s pressure stage %d of %d; ", word, i, n);
    snprintf(out + at, len - (size_t)at, "\",\"keywords\":[\"%s\"],\"fields\":[\"C35\"]}", word);
}

/* GET path answers 200 (as the enterprise). */
static int read_ok(const world *w, const char *path)
{
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    long status = r->status;
    if (status != 200)
        test_fail(__FILE__, __LINE__, "GET %s answered %ld on a full disk: %.200s", path, status, r->body);
    test_resp_free(r);
    return status == 200;
}

/* Every acknowledged demand reads back with its title. */
static void check_acked(const world *w, const long *ids, const int *words, int n)
{
    for (int i = 0; i < n; i++) {
        char path[64], word[16];
        snprintf(path, sizeof path, "/api/demands/%ld", ids[i]);
        snprintf(word, sizeof word, "zq%c%c%c", 'a' + words[i] / 100 % 10, 'a' + words[i] / 10 % 10,
                 'a' + words[i] % 10);
        test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
        if (r->status != 200 || strstr(test_jstr(r->json, "title") ? test_jstr(r->json, "title") : "", word) == NULL)
            test_fail(__FILE__, __LINE__, "acknowledged demand %ld: %ld %.200s", ids[i], r->status, r->body);
        test_resp_free(r);
    }
}

/* techmatch import of IMPORT_ROWS demands on the full disk: refused, naming the full disk. */
static void cli_import_on_full_disk(const world *w)
{
    const char *file = test_path("full_disk_import.jsonl");
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    for (int i = 0; i < IMPORT_ROWS; i++) {
        char body[8192];
        demand_body(body, sizeof body, 500 + i);
        fprintf(f, "%s\n", body);
    }
    fclose(f);
    const char *argv[] = { test_bin(), "import", "demands", file, "--org", "凉都矿业集团", "--db", w->srv.db, NULL };
    char *out = NULL, *err = NULL;
    int rc = test_run(argv, NULL, &out, &err);
    CHECK(rc != 0);
    CHECK_CONTAINS(err, "storage is full");
    CHECK_CONTAINS(err, "nothing was stored");
    free(out);
    free(err);
}

/*
 * Listings: created until one answers 507, then reads, the CLI, space freed
 * and a restart.
 */
static void listings_on_full_disk(world *w, const char *filler)
{
    static const char *const extra[] = { "--allow-private-webhooks", NULL };
    long ids[MAX_CREATIONS + 1];
    int words[MAX_CREATIONS + 1], n = 0;
    char body[8192];
    test_resp *full = NULL;
    REQUIRE(fill_disk(filler, HEADROOM_KB * 1024LL) == 0);
    for (int i = 0; i < MAX_CREATIONS && full == NULL; i++) {
        demand_body(body, sizeof body, i);
        test_resp *r = test_json(&w->srv, "POST", "/api/demands", w->tok[R_ENT], body);
        if (r->status == 201) {
            ids[n] = (long)test_jnum(r->json, "id");
            words[n++] = i;
        } else if (r->status == 507) {
            full = r;
            continue;
        } else {
            test_fail(__FILE__, __LINE__, "creation %d answered %ld: %.300s", i, r->status, r->body);
            test_resp_free(r);
            return;
        }
        test_resp_free(r);
    }
    if (full == NULL)
        test_fail(__FILE__, __LINE__, "no creation answered 507 within %d on a full disk", MAX_CREATIONS);
    REQUIRE(full != NULL);
    CHECK(n > 0);
    const char *type = test_resp_header(full, "Content-Type");
    CHECK(type != NULL && strncmp(type, "application/problem+json", 24) == 0);
    CHECK(test_resp_header(full, "Retry-After") != NULL);
    CHECK_INT(test_jnum(full->json, "status"), 507);
    CHECK_CONTAINS(test_jstr(full->json, "detail"), "storage is full");
    CHECK(strstr(full->body, "SQLite") == NULL && strstr(full->body, "disk is full") == NULL);
    test_resp_free(full);

    /* Reads go on. */
    char path[96];
    CHECK(read_ok(w, "/healthz"));
    CHECK(read_ok(w, "/api/demands?limit=5"));
    snprintf(path, sizeof path, "/api/demands?q=zq%c%c%c", 'a' + words[0] / 100 % 10, 'a' + words[0] / 10 % 10,
             'a' + words[0] % 10);
    test_resp *r = test_http(&w->srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    test_resp_free(r);
    check_acked(w, ids, words, n);

    cli_import_on_full_disk(w);
    CHECK_INT(log_count(&w->srv, "cannot rollback"), 0);
    CHECK(log_count(&w->srv, "storage is full") >= 1);

    /* Space freed: writes are stored again. */
    unlink(filler);
    demand_body(body, sizeof body, MAX_CREATIONS);
    r = test_json(&w->srv, "POST", "/api/demands", w->tok[R_ENT], body);
    CHECK_INT(r->status, 201);
    if (r->status == 201) {
        ids[n] = (long)test_jnum(r->json, "id");
        words[n++] = MAX_CREATIONS;
    }
    test_resp_free(r);

    /* After a restart everything acknowledged is there, and the file is whole. */
    CHECK_INT(test_server_stop(&w->srv), 0);
    CHECK_INT(test_sqlite_int(w->srv.db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
              0);
    REQUIRE(test_server_start(&w->srv, w->srv.db, extra) == 0);
    check_acked(w, ids, words, n);
    CHECK_INT(test_sqlite_int(w->srv.db, "SELECT count(*) FROM demands WHERE title LIKE 'Pump controller %'"), n);
    CHECK_INT(log_count(&w->srv, "cannot rollback"), 0);
}

/* Everything above, on the mounted tmpfs at dir. */
static void on_full_disk(const char *dir)
{
    static const char *const extra[] = { "--allow-private-webhooks", NULL };
    char filler[600];
    receiver rc;
    snprintf(filler, sizeof filler, "%s/filler", dir);
    REQUIRE(receiver_start(&rc) == 0);
    world w;
    if (world_setup(&w, "full_disk/techmatch.db", extra) == 0) {
        webhook_on_full_disk(&w, &rc, filler);
        unlink(filler);
        listings_on_full_disk(&w, filler);
    }
    world_teardown(&w);
    receiver_stop(&rc);
}

void test_api_disk_full_answers_507_and_keeps_serving(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_path("full_disk"));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        test_fail(__FILE__, __LINE__, "mkdir %s: %s", dir, strerror(errno));
        return;
    }
    char opts[64];
    snprintf(opts, sizeof opts, "size=%dm,mode=0700", TMPFS_MB);
    if (mount("techmatch-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
        int e = errno;
        test_skip("cannot mount a %d MB tmpfs on %s (%s); the test needs root or CAP_SYS_ADMIN", TMPFS_MB, dir,
                  strerror(e));
        rmdir(dir);
        return;
    }
    on_full_disk(dir);
    if (umount2(dir, MNT_DETACH) != 0)
        test_fail(__FILE__, __LINE__, "umount %s: %s", dir, strerror(errno));
    rmdir(dir);
}
