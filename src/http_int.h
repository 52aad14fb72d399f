/*
 * http_int.h: private to the HTTP layer (http.c, http_reply.c): the server's
 * and a request's state, and the few functions one of those files defines and
 * the other calls.  Nothing outside src/http*.c includes it.
 */
#ifndef TM_HTTP_INT_H
#define TM_HTTP_INT_H
#include "http.h"
#include "conn_guard.h"
#include "limits.h"
#include "sbuf.h"
#include "workpool.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_EXTRA_HEADERS 8

struct http_server {
    struct MHD_Daemon *daemon;
    app *app;
    http_auth_fn authenticate;
    atomic_int in_flight;
    atomic_size_t body_bytes;   /* buffered request bodies, bounded by LIM_BODY_BUDGET */
    conn_guard *guard;          /* the deadline for request headers, or NULL when off */
    workpool *deferred_pool;    /* runs the work of deferred replies */
    atomic_int deferred;        /* requests suspended until their work is done */
};

struct http_request {
    http_server *server;
    struct MHD_Connection *conn;
    const route *route;
    char method[16];
    char *path;
    int64_t params[LIM_PATH_PARAMS];
    size_t nparams;
    sbuf body;
    int too_large;
    int over_budget;       /* the server's body budget was spent: 503 */
    int target_nul;        /* the request target as sent holds %00: 400 */
    size_t query_params;   /* parameters in the query as sent (LIM_QUERY_PARAMS) */
    cJSON *json;
    principal who;
    int signed_in;
    char bearer[LIM_TOKEN + 1];
    int has_bearer;
    int by_cookie;         /* the token came from the session cookie */
    char addr[INET6_ADDRSTRLEN];
    struct timespec started;
    unsigned status;
    struct MHD_Response *response;
    int answered;          /* a response was queued; later calls only drain the body */
    char *extra[MAX_EXTRA_HEADERS][2];
    size_t nextra;
    int deferred;          /* suspended by reply_deferred: the next call of on_request ends it */
    http_work_fn work;     /* the deferred work; finish is NULL once it has run */
    http_finish_fn finish;
    void *work_ctx;
};

/* The HTTP reason phrase of status ("Error" for one it does not know). */
const char *http_reason(unsigned status);

/* Adds the headers every response carries (content type, security, no caching), then the handler's extra ones. */
void http_add_headers(http_request *r, const char *content_type);

/*
 * Builds r's response (status, content type, body of len bytes with mode's
 * ownership) with the headers every response carries; a second call keeps the
 * first response and logs the programmer error.
 */
void http_respond(http_request *r, unsigned status, const char *content_type, char *body, size_t len,
                  enum MHD_ResponseMemoryMode mode);

/* Runs a deferred request's finish, if it has not run, and makes sure a reply exists. */
void http_deferred_finish(http_request *r);

#endif
