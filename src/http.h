/*
 * http.h: the HTTP server (libmicrohttpd, internal thread pool) and the
 * request/response API that handlers use.
 *
 * The dispatcher does everything a handler must not decide for itself: it
 * matches the route table (404, 405 with Allow), enforces the route's body
 * limit (413) and content type (415), authenticates the bearer token (401)
 * through the hook it was started with and checks the route's roles (403), and
 * parses JSON bodies (400) -- all before the handler runs.  Every response gets
 * the security headers, and one log line (method, path, status, milliseconds)
 * is written when it completes, when it is also counted (metrics.h).
 *
 * The server knows no store: what a token means is its hook's business
 * (http_config), and the app it is given is only handed on to the hook and
 * the handlers.
 *
 * A handler calls exactly one reply_* function.  Handlers run on the server's
 * worker threads, several at once.
 */
#ifndef TM_HTTP_H
#define TM_HTTP_H
#include "err.h"
#include "messages.h"
#include "principal.h"
#include "vocab.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Roles, as bits of a route's allow mask: anonymous, then each role of vocab_roles in its order. */
#define ROLE_ANON        (1u << 0)
#define ROLE_ENTERPRISE  (1u << (USER_ENTERPRISE + 1))
#define ROLE_UNIVERSITY  (1u << (USER_UNIVERSITY + 1))
#define ROLE_BROKER      (1u << (USER_BROKER + 1))
#define ROLE_ADMIN       (1u << (USER_ADMIN + 1))
#define ROLES_SIGNED_IN  (ROLE_ENTERPRISE | ROLE_UNIVERSITY | ROLE_BROKER | ROLE_ADMIN)
#define ROLES_ANYONE     (ROLE_ANON | ROLES_SIGNED_IN)
/*
 * Not a user's role: the operator's (GET /metrics).  For a route whose roles
 * are ROLE_OPERATOR alone the dispatcher reads no session; metrics_admit
 * (metrics.h) decides by the client's address or the metrics token.
 */
#define ROLE_OPERATOR    (1u << 31)

typedef enum body_kind {
    BODY_NONE,    /* any body is ignored */
    BODY_JSON,    /* application/json, parsed before the handler */
    BODY_IMPORT   /* text/csv or JSON Lines, passed raw */
} body_kind;

typedef struct http_request http_request;
typedef void (*http_handler)(http_request *r);

typedef struct route {
    const char *method;
    const char *pattern;    /* "/api/demands/{id}": any {name} segment matches a positive integer */
    unsigned roles;         /* who may call it */
    size_t body_limit;      /* bytes; from limits.h */
    body_kind body;
    http_handler handler;
    int arg;                /* passed through to the handler (e.g. the listing kind) */
} route;

/* The route table (routes.c). */
extern const route http_routes[];
extern const size_t http_routes_count;

/* ---- server ---- */

typedef struct http_server http_server;
typedef struct app app; /* app.h: what handlers reach through req_app; opaque here */

/*
 * The authentication hook: resolves a session token (as the client sent it,
 * by Authorization: Bearer or the session cookie; never log it) to the
 * signed-in user.  Returns TM_OK and fills *out; TM_ERR_DB when it cannot
 * tell (the request gets 500); any other status when the token is unknown or
 * has expired (401, or an anonymous request for a stale cookie).  Runs on the
 * server's worker threads, several at once.
 */
typedef int (*http_auth_fn)(app *a, const char *token, principal *out);

/* How a server is started: read by http_server_start; the app and the PEM texts must outlive the server. */
typedef struct http_config {
    app *app;                   /* handed to authenticate and to every handler (req_app) */
    http_auth_fn authenticate;
    const char *tls_cert;       /* PEM certificate (chain), or NULL: plain HTTP */
    const char *tls_key;        /* PEM key; HTTPS when both are set */
    unsigned conns_per_address; /* connections one client address may hold open at once; more are closed at
                                   once (0: no limit; behind a proxy every client has the proxy's address) */
    unsigned header_timeout_s;  /* seconds a request's headers may take, from the connection's start or the
                                   end of its previous request, however slowly they trickle in (0: off) */
} http_config;

/*
 * Starts serving on host:port (port 0 = any free port) with one worker thread
 * per core; HTTPS when cfg->tls_cert and cfg->tls_key are set (libmicrohttpd
 * with GnuTLS).  Connections past cfg->conns_per_address from one address are
 * closed as they come (libmicrohttpd's per-IP limit), and a connection whose
 * request headers take longer than cfg->header_timeout_s is closed
 * (conn_guard.h).  *bound_port receives the port.  TM_ERR_IO if it cannot listen
 * (or the certificate and key are refused), TM_ERR_INTERNAL if the header
 * guard's thread cannot start.
 */
TM_MUST_CHECK int http_server_start(const char *host, int port, const http_config *cfg,
                                    http_server **out, int *bound_port);
/* Stops accepting, lets requests in flight finish (up to 10 s), then stops. */
void http_server_stop(http_server *s);

/* Returns the role bit of a role name (a code of vocab_roles), or 0. */
unsigned http_role_bit(const char *role);

/* ---- request ---- */

app *req_app(http_request *r);
/* The signed-in user, or NULL for an anonymous request. Borrowed. */
const principal *req_principal(http_request *r);
int req_arg(http_request *r);
/* The i-th {id} of the path. */
int64_t req_param_id(http_request *r, size_t i);
/* A query-string argument (URL-decoded), or NULL. Borrowed. */
const char *req_query(http_request *r, const char *name);
/*
 * Reads a whole-number query argument into *out (left alone when absent).
 * Returns 1, or replies 400 naming the argument and returns 0 when it is not
 * a whole number in [lo, hi].
 */
int req_query_long_or_reply(http_request *r, const char *name, long lo, long hi, long *out);
/* The parsed JSON body of a BODY_JSON route. Borrowed. */
const cJSON *req_json(http_request *r);
/* The raw body (NUL-terminated) and its length. Borrowed. */
const char *req_body(http_request *r, size_t *len);
/* The Content-Type header, or "". Borrowed. */
const char *req_content_type(http_request *r);
/* The client's IP address as text. Borrowed. */
const char *req_client_addr(http_request *r);
/*
 * The browser UI's session: login with {"cookie": true} sets the token in this
 * HttpOnly, SameSite=Strict cookie instead of answering it, so no script can
 * read it.  A request without an Authorization header is authenticated by the
 * cookie; such a request that changes anything must also carry the header
 * X-Techmatch: 1, which another site cannot send (a CSRF guard on top of
 * SameSite).
 */
#define HTTP_SESSION_COOKIE "tm_session"
#define HTTP_CSRF_HEADER "X-Techmatch"

/* The session token as sent, by Authorization: Bearer or the cookie (NULL if none). Borrowed; never log it. */
const char *req_bearer(http_request *r);
/* A request header's value (NULL if absent). Borrowed for the handler's run. */
const char *req_header(http_request *r, const char *name);

/*
 * The language the client asked for by Accept-Language (messages.h; English
 * when it asked for none).  Problem replies are written in it by the reply_*
 * functions themselves; a handler asks only for texts it sends in a 2xx body.
 */
msg_lang req_lang(http_request *r);

/* ---- responses (call exactly one) ---- */

/* Sends body (taken: deleted here) as application/json. */
void reply_json(http_request *r, unsigned status, cJSON *body);
/* Sends body (taken: freed by the server) as content_type, with a download name when filename is not NULL. */
void reply_bytes(http_request *r, unsigned status, const char *content_type, char *body, size_t len,
                 const char *filename);
/* Sends static bytes that outlive the response (e.g. the embedded OpenAPI document). */
void reply_static(http_request *r, unsigned status, const char *content_type, const char *body, size_t len);
/*
 * Sends an application/problem+json with title from the status and this detail.
 * Every problem reply (this, reply_invalid*, reply_status) writes its title,
 * detail and errors[].message in req_lang's language: the code gives them in
 * English, as catalogue keys (messages.h), and they are translated here, with
 * Content-Language and Vary: Accept-Language.
 */
void reply_problem(http_request *r, unsigned status, const char *detail);
/* Sends 400 problem+json with errors (taken), a [{field, message}] array. */
void reply_invalid(http_request *r, cJSON *errors);
/* Sends 400 naming one field. */
void reply_invalid_field(http_request *r, const char *field, const char *message);
/*
 * Maps a tm_status (NOT_FOUND 404, FORBIDDEN 403, CONFLICT 409, ...) to a problem reply; FULL is 507 with
 * Retry-After and a fixed detail (detail is not used for it).
 */
void reply_status(http_request *r, int status, const char *detail);
/* Adds a header to the response that the next reply_* creates. */
void reply_add_header(http_request *r, const char *name, const char *value);

/*
 * Deferred replies: work that would hold a request thread for long (argon2id)
 * runs on the server's small pool of LIM_DEFERRED_THREADS workers while the
 * connection is suspended, holding no thread.  work(ctx) runs on a worker
 * (it must not call req_* or reply_*); then finish(r, ctx) runs on a request
 * thread, makes the one reply and frees ctx.  Once deferred, finish runs
 * exactly once, also when the client has gone meanwhile (the reply is then
 * dropped) or the server stops (http_server_stop waits for deferred work).
 * Returns 1 when deferred (the handler returns without replying); 0 when
 * LIM_DEFERRED_QUEUE jobs already wait: it has then replied 503 with
 * Retry-After, neither function runs, and ctx is still the caller's.
 */
typedef void (*http_work_fn)(void *ctx);
typedef void (*http_finish_fn)(http_request *r, void *ctx);
int reply_deferred(http_request *r, http_work_fn work, http_finish_fn finish, void *ctx);

/*
 * A long-lived response (Server-Sent Events).  fill is called whenever the
 * client can take more: it writes up to max bytes to buf and returns how
 * many; 0 when it has nothing now (the connection is then parked, holding no
 * thread, until http_stream_wake); -1 to end the response.  fill runs on a
 * server thread, never twice at once for one stream.  done(ctx) is called
 * once, when the connection ends (client gone, response ended, server
 * stopping); the handle is invalid from then on, so whoever wakes streams
 * must forget the handle in done, under the same lock it wakes them with.
 */
typedef struct http_stream http_stream;
typedef long (*http_stream_fill)(void *ctx, char *buf, size_t max);

/*
 * Answers 200 with content_type, fed by fill; returns the handle to wake it
 * with, or NULL (ctx stays the caller's) when a reply was already made.
 */
http_stream *reply_stream(http_request *r, const char *content_type, http_stream_fill fill,
                          void (*done)(void *ctx), void *ctx);
/* Makes fill run again soon (thread-safe; see above for the handle's lifetime). */
void http_stream_wake(http_stream *s);

#endif
