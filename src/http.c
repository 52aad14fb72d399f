/*
 * http.c: libmicrohttpd glue and the dispatcher (the replies a handler builds
 * are in http_reply.c; the state both share is in http_int.h).
 *
 * A request lives from the first call of the access handler (route matching,
 * body limit, content type, authentication and roles are all decided there,
 * before any body is read) to MHD's completion callback (which logs and frees
 * it).  Responses are built by reply_* into r->response and queued by the
 * access handler; response memory is MHD_RESPMEM_MUST_FREE (malloc'd here) or
 * MHD_RESPMEM_PERSISTENT for static documents.
 */
#include "http.h"
#include "http_int.h"
#include "conn_guard.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "parse.h"
#include "sbuf.h"
#include "web.h"
#include "workpool.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---------- streams: responses fed over time from parked connections ---------- */

struct http_stream {
    pthread_mutex_t lock;
    struct MHD_Connection *conn;
    http_stream_fill fill;
    void (*done)(void *ctx);
    void *ctx;
    int woken;         /* woken since fill last ran */
    int parked;        /* the connection is suspended */
};

/*
 * libmicrohttpd asks for more bytes.  When fill has none, the connection is
 * suspended (from here, where libmicrohttpd allows it) unless a wake came in
 * meanwhile, so no wake is ever lost between fill and parking.
 */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    http_stream *s = cls;
    (void)pos;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        s->woken = 0;
        pthread_mutex_unlock(&s->lock);
        long n = s->fill(s->ctx, buf, max);
        if (n < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n > 0)
            return (ssize_t)n;
        pthread_mutex_lock(&s->lock);
        if (!s->woken) {
            s->parked = 1;
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&s->lock);
            return 0;
        }
        pthread_mutex_unlock(&s->lock);
    }
}

static void stream_end(void *cls)
{
    http_stream *s = cls;
    s->done(s->ctx);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void http_stream_wake(http_stream *s)
{
    pthread_mutex_lock(&s->lock);
    s->woken = 1;
    if (s->parked) {
        s->parked = 0;
        MHD_resume_connection(s->conn);
    }
    pthread_mutex_unlock(&s->lock);
}

http_stream *reply_stream(http_request *r, const char *content_type, http_stream_fill fill,
                          void (*done)(void *ctx), void *ctx)
{
    if (r->response != NULL) {
        log_error("handler replied twice on %s %s", r->method, r->path);
        return NULL;
    }
    http_stream *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->conn = r->conn;
    s->fill = fill;
    s->done = done;
    s->ctx = ctx;
    r->status = 200;
    r->response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_end);
    if (r->response == NULL)
        abort(); /* only fails on out-of-memory */
    http_add_headers(r, content_type);
    MHD_add_response_header(r->response, "X-Accel-Buffering", "no"); /* proxies must not hold events back */
    return s;
}


/* ---------- request accessors ---------- */

msg_lang req_lang(http_request *r)
{
    return messages_lang(req_header(r, "Accept-Language"));
}

app *req_app(http_request *r) { return r->server->app; }
const principal *req_principal(http_request *r) { return r->signed_in ? &r->who : NULL; }
int req_arg(http_request *r) { return r->route->arg; }
const cJSON *req_json(http_request *r) { return r->json; }
const char *req_client_addr(http_request *r) { return r->addr; }
const char *req_bearer(http_request *r) { return r->has_bearer ? r->bearer : NULL; }

int64_t req_param_id(http_request *r, size_t i)
{
    return i < r->nparams ? r->params[i] : 0;
}

const char *req_query(http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/*
 * Whether a Content-Length value announces more than limit bytes; a number too
 * large to read is over it, text that is no number is left to libmicrohttpd.
 */
static int content_length_over(const char *value, size_t limit)
{
    int64_t n = 0;
    const char *end = NULL;
    const char *digits = value + strspn(value, " \t");
    if (parse_int64_prefix(digits, 0, INT64_MAX, &n, &end) != TM_OK)
        return *digits >= '0' && *digits <= '9';
    return (uint64_t)n > limit;
}

int req_query_long_or_reply(http_request *r, const char *name, long lo, long hi, long *out)
{
    const char *v = req_query(r, name);
    int64_t x = 0;
    if (v == NULL)
        return 1;
    if (parse_int64(v, lo, hi, &x) != TM_OK) {
        char msg[96];
        snprintf(msg, sizeof msg, N_("must be a whole number from %ld to %ld"), lo, hi);
        reply_invalid_field(r, name, msg);
        return 0;
    }
    *out = (long)x;
    return 1;
}

const char *req_body(http_request *r, size_t *len)
{
    *len = r->body.len;
    return r->body.buf;
}

const char *req_header(http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_content_type(http_request *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    return ct ? ct : "";
}

/* ---------- routing ---------- */

/*
 * Matches path against pattern segment by segment; a {name} segment ({id},
 * {delivery_id}) takes a decimal integer from 1 to LIM_ID_MAX.  Returns 1 and fills
 * params, in order, on a match.
 */
static int match_pattern(const char *pattern, const char *path, int64_t *params, size_t *nparams)
{
    const char *p = pattern, *u = path;
    *nparams = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *start = u;
            long long v = 0;
            while (*u >= '0' && *u <= '9' && u - start < 16) {
                v = v * 10 + (*u - '0');
                u++;
            }
            if (u == start || (*u && *u != '/') || v <= 0 || v > LIM_ID_MAX || *start == '0' ||
                *nparams == LIM_PATH_PARAMS)
                return 0;
            params[(*nparams)++] = v;
            p = close ? close + 1 : p + strlen(p);
            continue;
        }
        if (*p != *u)
            return 0;
        p++;
        u++;
    }
    return *p == '\0' && *u == '\0';
}

/* Finds the route; sets *path_known if some route has this path under another method. */
static const route *find_route(http_request *r, int *path_known, sbuf *allow)
{
    int64_t params[LIM_PATH_PARAMS];
    size_t n;
    *path_known = 0;
    for (size_t i = 0; i < http_routes_count; i++) {
        const route *rt = &http_routes[i];
        if (!match_pattern(rt->pattern, r->path, params, &n))
            continue;
        if (strcmp(rt->method, r->method) == 0) {
            memcpy(r->params, params, sizeof params);
            r->nparams = n;
            return rt;
        }
        if (*path_known)
            sbuf_adds(allow, ", ");
        sbuf_adds(allow, rt->method);
        *path_known = 1;
    }
    return NULL;
}

/* Content type without parameters, compared case-insensitively. */
static int media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int content_type_ok(const route *rt, const char *ct)
{
    if (rt->body == BODY_JSON)
        return media_type_is(ct, "application/json");
    if (rt->body == BODY_IMPORT)
        return media_type_is(ct, "text/csv") || media_type_is(ct, "application/x-ndjson") ||
               media_type_is(ct, "application/jsonl") || media_type_is(ct, "application/x-jsonlines");
    return 1;
}

/* Reads the bearer token, or else the session cookie; 0 if a malformed Authorization header was sent. */
static int read_bearer(http_request *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL) {
        const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, HTTP_SESSION_COOKIE);
        if (c && c[0] && strlen(c) <= LIM_TOKEN) {
            snprintf(r->bearer, sizeof r->bearer, "%s", c);
            r->has_bearer = 1;
            r->by_cookie = 1;
        }
        return 1;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) > LIM_TOKEN)
        return 0;
    snprintf(r->bearer, sizeof r->bearer, "%s", h + 7);
    r->has_bearer = 1;
    return 1;
}

/* Resolves the token to a principal; replies 401 (and returns 0) if it is not valid. */
static int authenticate(http_request *r)
{
    if (!read_bearer(r)) {
        reply_add_header(r, "WWW-Authenticate", "Bearer");
        reply_problem(r, 401, "the Authorization header must be 'Bearer <token>'");
        return 0;
    }
    if (!r->has_bearer)
        return 1;
    int status = r->server->authenticate(r->server->app, r->bearer, &r->who);
    if (status == TM_OK && r->by_cookie && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        const char *guard = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, HTTP_CSRF_HEADER);
        if (guard == NULL || strcmp(guard, "1") != 0) {
            reply_problem(r, 403, "a request signed in by cookie that changes something must send X-Techmatch: 1");
            return 0;
        }
    }
    if (status == TM_OK) {
        r->signed_in = 1;
        return 1;
    }
    if (status == TM_ERR_DB) {
        reply_status(r, status, NULL);
        return 0;
    }
    if (r->by_cookie) {
        /* A stale cookie: go on anonymously (routes that need a user say so) and let the browser drop it. */
        r->has_bearer = 0;
        reply_add_header(r, "Set-Cookie", HTTP_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
        return 1;
    }
    reply_add_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
    reply_problem(r, 401, "the token is invalid or has expired; log in again");
    return 0;
}

/* Everything decided before the body is read.  Leaves a reply in r->response on refusal. */
static void admit(http_request *r)
{
    int path_known;
    sbuf allow;

    if (r->target_nul) {
        reply_problem(r, 400, "the request target holds %00 (a NUL byte), which no path or parameter may contain");
        return;
    }
    if (r->query_params > LIM_QUERY_PARAMS) {
        char msg[96];
        snprintf(msg, sizeof msg, N_("the query has more than %d parameters"), LIM_QUERY_PARAMS);
        reply_problem(r, 414, msg);
        return;
    }
    if (strlen(r->path) > LIM_URL_BYTES) {
        reply_problem(r, 414, "the request target is too long");
        return;
    }
    sbuf_init(&allow);
    r->route = find_route(r, &path_known, &allow);
    const char *page, *type;
    size_t len;
    if (r->route == NULL && !path_known && strcmp(r->method, "GET") == 0 && strncmp(r->path, "/api/", 5) != 0 &&
        web_find(r->path, &page, &len, &type)) {
        sbuf_cleanup(&allow);
        reply_static(r, 200, type, page, len);
        return;
    }
    if (r->route == NULL) {
        if (path_known) {
            reply_add_header(r, "Allow", allow.buf);
            reply_problem(r, 405, "this method is not allowed here; see the Allow header");
        } else {
            reply_problem(r, 404, "no such route");
        }
        sbuf_cleanup(&allow);
        return;
    }
    sbuf_cleanup(&allow);
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && content_length_over(cl, r->route->body_limit)) {
        reply_problem(r, 413, "the body is larger than this route accepts");
        return;
    }
    if (r->route->roles == ROLE_OPERATOR) {
        (void)metrics_admit(r);
        return;
    }
    if (!authenticate(r))
        return;
    unsigned role = r->signed_in ? http_role_bit(r->who.role) : ROLE_ANON;
    if ((r->route->roles & role) == 0) {
        if (!r->signed_in) {
            reply_add_header(r, "WWW-Authenticate", "Bearer");
            reply_problem(r, 401, "sign in first");
        } else {
            reply_problem(r, 403, "your role may not use this route");
        }
        return;
    }
    if (r->route->body != BODY_NONE && !content_type_ok(r->route, req_content_type(r))) {
        reply_problem(r, 415, r->route->body == BODY_JSON
                                  ? "send the body as application/json"
                                  : "send the body as text/csv or application/x-ndjson (JSON Lines)");
        return;
    }
}

static void dispatch(http_request *r)
{
    if (r->over_budget) {
        reply_add_header(r, "Retry-After", "5");
        reply_problem(r, 503, "the server is busy receiving other uploads; try again shortly");
        return;
    }
    if (r->too_large) {
        reply_problem(r, 413, "the body is larger than this route accepts");
        return;
    }
    if (r->route->body == BODY_JSON) {
        char msg[200];
        if (json_parse_body(r->body.buf, r->body.len, LIM_JSON_DEPTH, &r->json, msg, sizeof msg) != TM_OK) {
            reply_invalid_field(r, NULL, msg);
            return;
        }
        /* cJSON would end the string at the NUL, storing it cut short. */
        char field[LIM_JSON_PATH];
        if (json_find_nul(r->body.buf, r->body.len, field, sizeof field)) {
            reply_invalid_field(r, field[0] ? field : NULL, "must not contain U+0000 (NUL)");
            return;
        }
    }
    r->route->handler(r);
    if (r->response == NULL && !r->deferred)
        reply_problem(r, 500, "the handler sent no response");
}

/* ---------- libmicrohttpd callbacks ---------- */

static void client_address(http_request *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->addr, sizeof r->addr, "unknown");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->addr, sizeof r->addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->addr, sizeof r->addr);
}

static enum MHD_Result queue(http_request *r)
{
    enum MHD_Result ok = MHD_queue_response(r->conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    r->answered = 1;
    return ok;
}

/* A request as it starts; on_completed frees it. */
static http_request *request_new(http_server *srv, struct MHD_Connection *c)
{
    http_request *r = xcalloc(1, sizeof *r);
    r->server = srv;
    r->conn = c;
    sbuf_init(&r->body);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    client_address(r);
    return r;
}

/*
 * libmicrohttpd shows the request target as sent before it decodes the path
 * (where %00 would end it unseen) and stores the query's parameters; the
 * request starts here.  A query with too many parameters is emptied first:
 * each stored parameter takes room in the connection's memory, and when that
 * runs out libmicrohttpd 0.9.75 closes the connection without a reply.  The
 * target is libmicrohttpd's own writable copy of the request line, which it
 * splits at the '?' itself right after this call (so do 0.9.77 and 1.0).
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    http_request *r = request_new(cls, c);
    char *query = uri ? strchr(uri, '?') : NULL;
    r->target_nul = uri && strstr(uri, "%00") != NULL;
    if (query && query[1] != '\0') {
        r->query_params = 1;
        for (const char *p = query + 1; (p = strchr(p, '&')) != NULL; p++)
            r->query_params++;
        if (r->query_params > LIM_QUERY_PARAMS)
            query[1] = '\0';
    }
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    http_server *srv = cls;
    http_request *r = *con_cls;
    (void)version;

    if (r == NULL) {
        r = request_new(srv, c); /* only if on_uri was not called */
        *con_cls = r;
    }
    if (r->path == NULL) {
        /* In flight from its headers on (a client still sending them does not hold up a stop). */
        atomic_fetch_add(&srv->in_flight, 1);
        conn_guard_headers_in(c);
        r->path = xstrdup(url);
        snprintf(r->method, sizeof r->method, "%s", method);
        admit(r);
        return r->response ? queue(r) : MHD_YES;
    }
    if (r->answered) {
        *upload_size = 0; /* refused at admission: drain what is still coming */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || r->over_budget)
            return MHD_YES;
        if (r->body.len + n > r->route->body_limit) {
            r->too_large = 1;
        } else if (atomic_fetch_add(&srv->body_bytes, n) + n > LIM_BODY_BUDGET) {
            atomic_fetch_sub(&srv->body_bytes, n);
            r->over_budget = 1;
        } else {
            sbuf_add(&r->body, upload, n);
        }
        return MHD_YES;
    }
    if (r->deferred) { /* resumed: the deferred work is done */
        http_deferred_finish(r);
        return queue(r);
    }
    dispatch(r);
    return r->deferred ? MHD_YES : queue(r); /* deferred: suspended until its work is done */
}

/*
 * Copies request-supplied text for the log: control bytes and backslashes
 * escaped as \xNN (so no one can forge log lines), at most LIM_LOG_PATH bytes.
 */
static void loggable(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && i < LIM_LOG_PATH && o + 5 < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c == 0x7F || c == '\\')
            o += (size_t)snprintf(out + o, len - o, "\\x%02X", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *srv = cls;
    http_request *r = *con_cls;
    struct timespec now;
    conn_guard_request_done(c); /* the next request's headers are due from now */
    if (r == NULL)
        return;
    if (r->deferred)
        http_deferred_finish(r); /* the connection ended before the reply went out (its status is still logged) */
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
    if (r->path != NULL) { /* none when it ended before its headers were read: no line, as before */
        char path[LIM_LOG_PATH * 4 + 1];
        loggable(r->path, path, sizeof path);
        log_info("%s %s %u %.1fms%s", r->method, path, r->status, ms,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
        metrics_request_done(r->route, r->method, r->status, ms / 1e3);
    }
    if (r->response)
        MHD_destroy_response(r->response);
    for (size_t i = 0; i < r->nextra; i++) {
        free(r->extra[i][0]);
        free(r->extra[i][1]);
    }
    cJSON_Delete(r->json);
    atomic_fetch_sub(&srv->body_bytes, r->body.len);
    sbuf_cleanup(&r->body);
    if (r->path != NULL)
        atomic_fetch_sub(&srv->in_flight, 1);
    free(r->path);
    free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's messages in the current window: a flood of refused connections writes a few lines, not one each. */
static struct {
    pthread_mutex_t lock;
    time_t window;     /* the window's start */
    unsigned logged;   /* messages logged in it */
    unsigned dropped;  /* messages not logged in it */
} mhd_log = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 };

/* Logs how many messages the last window left out, if any.  Caller holds mhd_log.lock. */
static void mhd_log_flush(void)
{
    if (mhd_log.dropped > 0)
        log_warn("libmicrohttpd: %u more messages in %d s were not logged", mhd_log.dropped, LIM_LOG_MHD_WINDOW_S);
    mhd_log.dropped = 0;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    time_t now = time(NULL);
    pthread_mutex_lock(&mhd_log.lock);
    if (now - mhd_log.window >= LIM_LOG_MHD_WINDOW_S) {
        mhd_log_flush();
        mhd_log.window = now;
        mhd_log.logged = 0;
    }
    int log_it = mhd_log.logged < LIM_LOG_MHD_LINES;
    if (log_it)
        mhd_log.logged++;
    else
        mhd_log.dropped++;
    pthread_mutex_unlock(&mhd_log.lock);
    if (!log_it)
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_warn("libmicrohttpd: %s", line);
}

/*
 * The most connections to accept: LIM_CONNECTIONS when the process may open
 * that many files (the soft limit is raised to the hard one to make room),
 * else what the limit leaves after 64 for the database, logs and webhooks.
 */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1000;
    if (rl.rlim_cur < (rlim_t)LIM_CONNECTIONS + 64 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)LIM_CONNECTIONS + 64 ? rl.rlim_max : (rlim_t)LIM_CONNECTIONS + 64;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)LIM_CONNECTIONS + 64)
        return LIM_CONNECTIONS;
    return rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
}

int http_server_start(const char *host, int port, const http_config *cfg, http_server **out, int *bound_port)
{
    struct addrinfo hints = { 0 }, *ai = NULL;
    char portstr[16];
    http_server *srv = xcalloc(1, sizeof *srv);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    srv->app = cfg->app;
    srv->authenticate = cfg->authenticate;
    atomic_init(&srv->in_flight, 0);
    atomic_init(&srv->body_bytes, 0);
    atomic_init(&srv->deferred, 0);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    snprintf(portstr, sizeof portstr, "%d", port);
    if (getaddrinfo(host, portstr, &hints, &ai) != 0 || ai == NULL) {
        log_error("cannot listen on %s: give a numeric IPv4 or IPv6 address", host);
        free(srv);
        return TM_ERR_IO;
    }
    if (cfg->header_timeout_s > 0) {
        srv->guard = conn_guard_new(cfg->header_timeout_s);
        if (srv->guard == NULL) {
            freeaddrinfo(ai);
            free(srv);
            return TM_ERR_INTERNAL;
        }
    }
    /* poll(), not epoll: libmicrohttpd 0.9.75 can abort in MHD_quiesce_daemon when
     * a pool worker's epoll set has already dropped the listen socket. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert && cfg->tls_key)
        flags |= MHD_USE_TLS;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, so no message escapes it */
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cores > 0 ? cores : 2),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->conns_per_address, /* 0: no limit */
        MHD_OPTION_NOTIFY_CONNECTION, conn_guard_notify, srv->guard, /* does nothing without a guard */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        /* Read only with MHD_USE_TLS; without it the list ends at the first NULL certificate. */
        cfg->tls_cert && cfg->tls_key ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cfg->tls_cert,
        MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (srv->daemon == NULL) {
        log_error("cannot listen on %s:%d (in use, or not an address of this machine)", host, port);
        conn_guard_free(srv->guard);
        free(srv);
        return TM_ERR_IO;
    }
    srv->deferred_pool = workpool_new(LIM_DEFERRED_THREADS, LIM_DEFERRED_QUEUE);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : port;
    *out = srv;
    return TM_OK;
}

void http_server_stop(http_server *s)
{
    if (s == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    /* Requests in flight finish; idle keep-alive connections do not count. */
    for (int i = 0; i < 1000 && atomic_load(&s->in_flight) > 0; i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    /* libmicrohttpd may not stop with a connection suspended: each deferred job resumes its own. */
    while (atomic_load(&s->deferred) > 0) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    pthread_mutex_lock(&mhd_log.lock);
    mhd_log_flush();
    pthread_mutex_unlock(&mhd_log.lock);
    conn_guard_free(s->guard); /* after the daemon: it no longer reports connections */
    workpool_free(s->deferred_pool);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(s);
}
