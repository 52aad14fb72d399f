/*
 * http_reply.c: the replies a handler builds (JSON, bytes, problem+json in the
 * request's language, statuses from tm_status) and deferred replies, whose
 * work runs on a pool worker while libmicrohttpd holds the connection
 * suspended.  The dispatcher that queues them is http.c.
 */
#include "http_int.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "messages.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------- small helpers ---------- */

const char *http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    }
    return "Error";
}

unsigned http_role_bit(const char *role)
{
    int i = vocab_find(&vocab_roles, role);
    return i < 0 ? 0 : 1u << (i + 1);
}

/* ---------- replies ---------- */

void http_add_headers(http_request *r, const char *content_type)
{
    MHD_add_response_header(r->response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r->response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r->response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r->response, "X-Frame-Options", "DENY");
    MHD_add_response_header(r->response, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(r->response, "Cache-Control", "no-store");
    for (size_t i = 0; i < r->nextra; i++)
        MHD_add_response_header(r->response, r->extra[i][0], r->extra[i][1]);
}

void http_respond(http_request *r, unsigned status, const char *content_type,
                  char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    if (r->response != NULL) {
        /* A second reply is a programmer error; keep the first. */
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        log_error("handler replied twice on %s %s", r->method, r->path);
        return;
    }
    r->status = status;
    r->response = MHD_create_response_from_buffer(len, body, mode);
    if (r->response == NULL)
        abort(); /* only fails on out-of-memory */
    http_add_headers(r, content_type);
}
/* ---------- deferred replies: work off the request threads ---------- */

/* On a pool worker: the work, then the connection back to libmicrohttpd (r may be gone after the resume). */
static void deferred_run(void *ctx)
{
    http_request *r = ctx;
    http_server *srv = r->server;
    r->work(r->work_ctx);
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&srv->deferred, 1);
}

int reply_deferred(http_request *r, http_work_fn work, http_finish_fn finish, void *ctx)
{
    r->work = work;
    r->finish = finish;
    r->work_ctx = ctx;
    r->deferred = 1;
    atomic_fetch_add(&r->server->deferred, 1);
    /* Suspended before the work is queued, so the worker never resumes a connection that is not suspended. */
    MHD_suspend_connection(r->conn);
    if (workpool_submit(r->server->deferred_pool, deferred_run, r) == TM_OK)
        return 1;
    /* Full: the 503 goes out when libmicrohttpd resumes the connection and calls on_request again. */
    r->finish = NULL;
    reply_add_header(r, "Retry-After", "1");
    reply_problem(r, 503, "the server is busy with password checks; try again shortly (see Retry-After)");
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&r->server->deferred, 1);
    return 0;
}

/* Runs a deferred request's finish, if it has not run, and makes sure a reply exists. */
void http_deferred_finish(http_request *r)
{
    http_finish_fn finish = r->finish;
    r->deferred = 0;
    r->finish = NULL;
    if (finish)
        finish(r, r->work_ctx);
    if (r->response == NULL)
        reply_problem(r, 500, "the handler sent no response");
}

void reply_add_header(http_request *r, const char *name, const char *value)
{
    if (r->nextra == MAX_EXTRA_HEADERS)
        return;
    r->extra[r->nextra][0] = xstrdup(name);
    r->extra[r->nextra][1] = xstrdup(value);
    r->nextra++;
}

void reply_json(http_request *r, unsigned status, cJSON *body)
{
    char *text = json_print(body);
    cJSON_Delete(body);
    http_respond(r, status, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

void reply_bytes(http_request *r, unsigned status, const char *content_type, char *body, size_t len,
                 const char *filename)
{
    if (filename) {
        char disposition[160];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
        reply_add_header(r, "Content-Disposition", disposition);
    }
    http_respond(r, status, content_type, body, len, MHD_RESPMEM_MUST_FREE);
}

void reply_static(http_request *r, unsigned status, const char *content_type, const char *body, size_t len)
{
    http_respond(r, status, content_type, (char *)body, len, MHD_RESPMEM_PERSISTENT);
}

/* Returns 1 if a header named name (any case) is already set for the reply. */
static int has_extra_header(const http_request *r, const char *name)
{
    for (size_t i = 0; i < r->nextra; i++)
        if (strcasecmp(r->extra[i][0], name) == 0)
            return 1;
    return 0;
}

static void problem(http_request *r, unsigned status, const char *detail, cJSON *errors)
{
    /* RFC 9110, 15.5.2: every 401 says how to authenticate, whichever handler sends it. */
    if (status == 401 && !has_extra_header(r, "WWW-Authenticate"))
        reply_add_header(r, "WWW-Authenticate", "Bearer");
    /*
     * The texts for people (title, detail, each errors[].message) are in the
     * language of Accept-Language (messages.h); type and status are for programs.
     */
    msg_lang lang = req_lang(r);
    reply_add_header(r, "Content-Language", messages_lang_tag(lang));
    reply_add_header(r, "Vary", "Accept-Language");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "type", "about:blank");
    char *title = messages_translate(http_reason(status), lang, NULL);
    cJSON_AddStringToObject(p, "title", title);
    free(title);
    cJSON_AddNumberToObject(p, "status", status);
    if (detail) {
        char *text = messages_translate(detail, lang, NULL);
        cJSON_AddStringToObject(p, "detail", text);
        free(text);
    }
    if (errors) {
        messages_translate_errors(errors, lang);
        cJSON_AddItemToObject(p, "errors", errors);
    }
    char *text = json_print(p);
    cJSON_Delete(p);
    http_respond(r, status, "application/problem+json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

void reply_problem(http_request *r, unsigned status, const char *detail)
{
    problem(r, status, detail, NULL);
}

void reply_invalid(http_request *r, cJSON *errors)
{
    problem(r, 400, "the request has invalid members; see errors", errors);
}

void reply_invalid_field(http_request *r, const char *field, const char *message)
{
    cJSON *errors = cJSON_CreateArray();
    json_error_add(errors, field, "%s", message);
    problem(r, 400, message, errors);
}

/*
 * 507: the disk holding the database is full, so the write was rolled back
 * whole; reads go on.  Retry-After spaces out clients' retries while an
 * operator frees space; the log has the detail, the client only this.
 */
static void reply_storage_full(http_request *r)
{
    reply_add_header(r, "Retry-After", "60");
    reply_problem(r, 507, "storage is full; nothing was stored");
}

void reply_status(http_request *r, int status, const char *detail)
{
    switch ((tm_status)status) {
    case TM_ERR_NOT_FOUND: reply_problem(r, 404, detail ? detail : "no such resource"); break;
    case TM_ERR_FORBIDDEN: reply_problem(r, 403, detail ? detail : "not allowed"); break;
    case TM_ERR_CONFLICT: reply_problem(r, 409, detail ? detail : "conflict"); break;
    case TM_ERR_AUTH: reply_problem(r, 401, detail ? detail : "sign in first"); break;
    case TM_ERR_INVALID: reply_problem(r, 400, detail ? detail : "invalid request"); break;
    case TM_ERR_LIMITED: reply_problem(r, 429, detail ? detail : "too many requests"); break;
    case TM_ERR_FULL: reply_storage_full(r); break;
    default: reply_problem(r, 500, "the server failed; the error is in its log"); break;
    }
}
