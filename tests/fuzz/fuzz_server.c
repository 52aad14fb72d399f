/*
 * fuzz_server.c: the real techmatch server inside a fuzzer's process and the
 * keep-alive client the fuzzers send their requests with (the contract is in
 * fuzz_server.h).
 */
#include "fuzz_server.h"
#include "app.h"
#include "auth.h"
#include "http.h"
#include "import_job.h"
#include "limits.h"
#include "log.h"
#include "matching.h"
#include "parse.h"
#include "store.h"
#include "stream.h"
#include "taxonomy.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "fuzzing is fun 2026"
#define TIMEOUT_MS 30000

static app the_app;
static int port;
static int conn_fd = -1;
static char tokens[FUZZ_ROLES][160];
static int started;

/* ---------- the connection ---------- */

static void die(const char *what)
{
    fprintf(stderr, "fuzz_server: %s\n", what);
    abort();
}

static void disconnect(void)
{
    if (conn_fd >= 0)
        close(conn_fd);
    conn_fd = -1;
}

static void connect_once(void)
{
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    conn_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn_fd < 0)
        die("cannot make a socket");
    if (connect(conn_fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        /* Interrupted, the connection goes on being made: wait for it. */
        struct pollfd pfd = { conn_fd, POLLOUT, 0 };
        int err = 0;
        socklen_t len = sizeof err;
        if (errno != EINTR || poll(&pfd, 1, TIMEOUT_MS) != 1 ||
            getsockopt(conn_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
            die("cannot connect to the server");
    }
    /* A request goes out in two writes (head, body): without this, Nagle holds the second for 40 ms. */
    int one = 1;
    setsockopt(conn_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/*
 * libFuzzer's timers interrupt system calls (SIGALRM), so every call here
 * tries again on EINTR: a request cut short would leave the server waiting
 * for the rest, and a wait cut short would look like a hang.
 */
static void send_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(conn_fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the server closed: the read below notices */
        p += w;
        n -= (size_t)w;
    }
}

typedef struct reply {
    char *buf;
    size_t len, cap;
} reply;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads more into rp; 0 at end of stream, -1 after TIMEOUT_MS without a byte. */
static int read_more(reply *rp)
{
    struct pollfd pfd = { conn_fd, POLLIN, 0 };
    long long deadline = now_ms() + TIMEOUT_MS;
    int ready;
    do {
        long long left = deadline - now_ms();
        ready = poll(&pfd, 1, left > 0 ? (int)left : 0);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0)
        return -1;
    if (rp->cap - rp->len < 4096) {
        rp->cap = rp->cap * 2 + 8192;
        rp->buf = realloc(rp->buf, rp->cap);
        if (rp->buf == NULL)
            die("out of memory");
    }
    ssize_t n;
    while ((n = recv(conn_fd, rp->buf + rp->len, rp->cap - rp->len - 1, 0)) < 0 && errno == EINTR) {
    }
    if (n <= 0)
        return 0;
    rp->len += (size_t)n;
    rp->buf[rp->len] = '\0';
    return 1;
}

/* A header's value in the head [buf, end), case-insensitively; NULL if absent. */
static const char *head_value(const char *buf, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(buf, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':')
            return p + 3 + n;
    return NULL;
}

/* Whether a chunked body starting at body is complete in rp. */
static int chunked_complete(const char *body, const reply *rp)
{
    const char *p = body, *end = rp->buf + rp->len;
    for (;;) {
        uint64_t size = 0;
        const char *after = NULL;
        const char *crlf = strstr(p, "\r\n");
        if (crlf == NULL || parse_hex_prefix(p, UINT32_MAX, &size, &after) != TM_OK)
            return 0;
        p = crlf + 2;
        if (size == 0)
            return strstr(p, "\r\n") != NULL;
        if ((size_t)(end - p) < size + 2)
            return 0;
        p += size + 2;
    }
}

/*
 * Reads one whole response; returns its status, and the response as read in
 * *text (malloc'd) when text is not NULL.  Reconnects when the server closes.
 */
static int read_response(char **text)
{
    reply rp = { NULL, 0, 0 };
    int status = -1, rc;
    const char *head_end = NULL;
    while ((rc = read_more(&rp)) > 0)
        if ((head_end = strstr(rp.buf, "\r\n\r\n")) != NULL)
            break;
    if (rc < 0)
        die("no response within 30 s");
    if (head_end == NULL) {
        /* Closed before a response: only right when our request was not HTTP (the server may drop it). */
        if (text)
            *text = rp.buf;
        else
            free(rp.buf);
        disconnect();
        return 0;
    }
    if (sscanf(rp.buf, "HTTP/1.1 %d", &status) != 1)
        die("the response is not HTTP/1.1");
    const char *body = head_end + 4;
    const char *cl = head_value(rp.buf, head_end, "Content-Length");
    const char *te = head_value(rp.buf, head_end, "Transfer-Encoding");
    const char *conn = head_value(rp.buf, head_end, "Connection");
    int closing = conn && strncasecmp(conn + strspn(conn, " "), "close", 5) == 0;
    size_t head_len = (size_t)(body - rp.buf);
    if (cl) {
        int64_t body_len = 0;
        const char *cl_end = NULL;
        if (parse_int64_prefix(cl + strspn(cl, " "), 0, INT32_MAX, &body_len, &cl_end) != TM_OK)
            body_len = 0;
        size_t want = head_len + (size_t)body_len;
        while (rp.len < want && (rc = read_more(&rp)) > 0) {
        }
    } else if (te && strstr(te, "chunked")) {
        while (!chunked_complete(rp.buf + head_len, &rp) && (rc = read_more(&rp)) > 0) {
        }
    } else {
        while ((rc = read_more(&rp)) > 0) {
        }
        closing = 1;
    }
    if (rc < 0)
        die("the response body did not arrive within 30 s");
    if (status == 500) {
        fprintf(stderr, "fuzz_server: the server answered 500:\n%s\n", rp.buf);
        abort();
    }
    if (text)
        *text = rp.buf;
    else
        free(rp.buf);
    if (closing || rc == 0)
        disconnect();
    return status;
}

/* Sends one request (see fuzz_request), connecting first if need be. */
static void send_request(const char *method, const char *target, size_t target_len, fuzz_role role,
                         const char *content_type, const char *extra_headers, const uint8_t *body, size_t body_len)
{
    size_t cap = target_len * 3 + 1024 + (extra_headers ? strlen(extra_headers) : 0);
    char *head = malloc(cap);
    size_t n;
    if (head == NULL)
        die("out of memory");
    n = (size_t)snprintf(head, cap, "%s ", method);
    for (size_t i = 0; i < target_len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c == 0x7F)
            n += (size_t)snprintf(head + n, cap - n, "%%%02X", c);
        else
            head[n++] = (char)c;
    }
    n += (size_t)snprintf(head + n, cap - n, " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (role != FUZZ_ANON)
        n += (size_t)snprintf(head + n, cap - n, "Authorization: Bearer %s\r\n", tokens[role]);
    if (content_type)
        n += (size_t)snprintf(head + n, cap - n, "Content-Type: %s\r\n", content_type);
    if (body)
        n += (size_t)snprintf(head + n, cap - n, "Content-Length: %zu\r\n", body_len);
    n += (size_t)snprintf(head + n, cap - n, "%s\r\n", extra_headers ? extra_headers : "");
    if (conn_fd < 0)
        connect_once();
    send_all(head, n);
    if (body)
        send_all((const char *)body, body_len);
    free(head);
}

int fuzz_request(const char *method, const char *target, size_t target_len, fuzz_role role,
                 const char *content_type, const char *extra_headers, const uint8_t *body, size_t body_len)
{
    send_request(method, target, target_len, role, content_type, extra_headers, body, body_len);
    return read_response(NULL);
}

/* ---------- setting up ---------- */

/* Sends a JSON request as role and returns the response body's "id" or "token" text; dies unless it is 2xx. */
static void setup_call(const char *method, const char *path, fuzz_role role, const char *json, char *out, size_t outlen,
                       const char *member)
{
    char *text = NULL;
    send_request(method, path, strlen(path), role, "application/json", NULL, (const uint8_t *)json, strlen(json));
    int status = read_response(&text);
    const char *body = text ? strstr(text, "\r\n\r\n") : NULL;
    if (status / 100 != 2 || body == NULL) {
        fprintf(stderr, "fuzz_server: set-up %s %s failed:\n%s\n", method, path, text ? text : "(nothing)");
        abort();
    }
    if (member && out) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\":", member);
        const char *v = strstr(body, key);
        if (v == NULL)
            die("set-up: the member is missing");
        v += strlen(key);
        v += strspn(v, " \"");
        size_t len = strcspn(v, "\",}");
        snprintf(out, outlen, "%.*s", (int)len, v);
    }
    free(text);
}

static void add_staff(const char *role, const char *email)
{
    char hash[AUTH_HASH_STR_BYTES];
    int64_t id;
    if (auth_password_hash(PASSWORD, hash) != TM_OK ||
        store_user_add(the_app.store, email, role, "Fuzz Technology Market", "Fuzz", hash, &id) != TM_OK)
        die("cannot add the staff users");
}

static void log_in(fuzz_role role, const char *email)
{
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, PASSWORD);
    setup_call("POST", "/api/auth/login", FUZZ_ANON, body, tokens[role], sizeof tokens[role], "token");
}

static void sign_up(fuzz_role role, const char *org, const char *kind, const char *email)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"org_name\":\"%s\",\"org_kind\":\"%s\",\"email\":\"%s\",\"password\":\"%s\",\"display_name\":\"Fuzz\"}",
             org, kind, email, PASSWORD);
    setup_call("POST", "/api/auth/register", FUZZ_ANON, body, NULL, 0, NULL);
    log_in(role, email);
}

static const char demand[] =
    "{\"title\":\"综采工作面液压支架电液控制系统国产化 %d\",\"description\":\"替代进口电液控制系统，要求支架动作响应小于1秒。\","
    "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\",\"C35\"],\"region\":\"贵州省六盘水市\","
    "\"budget_min\":500000,\"budget_max\":3000000,\"cooperation_modes\":[\"license\"],\"contact\":\"李工\"}";
static const char achievement[] =
    "{\"title\":\"液压支架电液控制系统 %d\",\"abstract\":\"国产电液控制系统，用于综采工作面液压支架，动作响应小于0.5秒。\","
    "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"],\"trl\":7,\"ip_type\":\"invention_patent\","
    "\"transfer_modes\":[\"license\"],\"price\":1200000,\"region\":\"江苏徐州\",\"contact\":\"王教授\"}";

/* A few listings on each side that match one another, and one match pushed to the enterprise. */
static void add_listings(void)
{
    char body[2048];
    for (int i = 1; i <= 3; i++) {
        snprintf(body, sizeof body, demand, i);
        setup_call("POST", "/api/demands", FUZZ_ENTERPRISE, body, NULL, 0, NULL);
        snprintf(body, sizeof body, achievement, i);
        setup_call("POST", "/api/achievements", FUZZ_UNIVERSITY, body, NULL, 0, NULL);
    }
    setup_call("POST", "/api/matches/1/approve", FUZZ_BROKER, "{}", NULL, 0, NULL);
    /* The live stream never ends, which a request-at-a-time fuzzer cannot use: turn it off. */
    setup_call("PUT", "/api/subscription", FUZZ_ENTERPRISE,
               "{\"channels\":[\"inbox\",\"webhook\"],\"min_score\":0,\"mode\":\"realtime\"}", NULL, 0, NULL);
}

static char db_path[512];

static void remove_database(void)
{
    store_remove_files(db_path);
}

const char *fuzz_database_path(void)
{
    const char *dir = getenv("TM_FUZZ_DB_DIR");
    if (db_path[0])
        die("one database per process");
    if (dir == NULL)
        dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(db_path, sizeof db_path, "%s/techmatch-fuzz-%ld.db", dir, (long)getpid());
    remove_database();
    atexit(remove_database);
    return db_path;
}

void fuzz_server_start(void)
{
    http_server *srv;
    if (started)
        return;
    started = 1;
    log_set_quiet(1);
    signal(SIGPIPE, SIG_IGN);
    if (auth_init() != TM_OK || store_open(fuzz_database_path(), &the_app.store) != TM_OK ||
        store_fields_load(the_app.store, &the_app.tax) != TM_OK)
        die("cannot open the store");
    the_app.limiter = auth_limiter_new();
    the_app.session_ttl = 3600;
    if (matching_open(the_app.store, &the_app.matching) != TM_OK)
        die("cannot build the matcher");
    the_app.streams = stream_hub_new(the_app.store, 15, 0);
    if (the_app.streams == NULL)
        die("cannot start the stream hub");
    store_set_notify_hook(the_app.store, stream_hub_wake, the_app.streams);
    the_app.imports = import_jobs_start(the_app.store, the_app.matching, the_app.tax, LIM_IMPORT_JOBS);
    if (the_app.imports == NULL)
        die("cannot start the import jobs");
    static const http_config hc = { .app = &the_app, .authenticate = app_authenticate }; /* no limits */
    if (http_server_start("127.0.0.1", 0, &hc, &srv, &port) != TM_OK)
        die("cannot start the server");
    sign_up(FUZZ_ENTERPRISE, "Fuzz Mining Co", "enterprise", "ent@fuzz.example");
    sign_up(FUZZ_UNIVERSITY, "Fuzz University", "university", "uni@fuzz.example");
    add_staff("broker", "broker@fuzz.example");
    add_staff("admin", "admin@fuzz.example");
    log_in(FUZZ_BROKER, "broker@fuzz.example");
    log_in(FUZZ_ADMIN, "admin@fuzz.example");
    add_listings();
}
