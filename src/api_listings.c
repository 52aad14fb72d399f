/*
 * api_listings.c: listings over HTTP.  Who may call a route is the route
 * table's business; who may see or change a given listing is access.h's:
 * owners (any user of the owning organisation), brokers and admins see the
 * private members; only owners write.
 */
#include "api_listings.h"
#include "access.h"
#include "app.h"
#include "import.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "matching.h"
#include "mem.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Re-matches a listing after a write.  The write has succeeded by now, so a
 * failure here is logged, not answered: the listing stays, its suggestions
 * are recomputed on its next write.
 */
static void rematch(http_request *r, const listing *l)
{
    if (matching_listing_written(req_app(r)->matching, req_app(r)->store, l) != TM_OK)
        log_error("matching %s %lld failed; its suggestions are stale", listing_kind_name(l->kind), (long long)l->id);
}

/* Checks a text query argument: valid UTF-8 and at most max bytes. */
static int text_arg_or_reply(http_request *r, const char *name, size_t max)
{
    const char *v = req_query(r, name);
    if (v == NULL)
        return 1;
    if (strlen(v) > max || !mt_utf8_valid(v, strlen(v), NULL)) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be valid UTF-8 of at most %zu bytes", max);
        reply_invalid_field(r, name, msg);
        return 0;
    }
    return 1;
}

/* Reads ?org= (an id or "me"); replies and returns 0 when malformed or not allowed. */
static int org_or_reply(http_request *r, listing_kind kind, int64_t *org_id)
{
    const principal *p = req_principal(r);
    const char *v = req_query(r, "org");
    *org_id = 0;
    if (v == NULL)
        return 1;
    if (strcmp(v, "me") == 0) {
        if (p == NULL) {
            reply_problem(r, 401, "org=me needs a signed-in user");
            return 0;
        }
        *org_id = p->org_id;
        return 1;
    }
    char *end = NULL;
    long long id = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || id <= 0) {
        reply_invalid_field(r, "org", "must be an organisation id or \"me\"");
        return 0;
    }
    /* Enterprises stay anonymous: only they, brokers and admins may list demands by enterprise. */
    if (!access_list_by_org(p, kind, id)) {
        reply_problem(r, 403, "org: demands are listed by organisation only for their owner, brokers and admins");
        return 0;
    }
    *org_id = id;
    return 1;
}

void api_listings_list(http_request *r)
{
    listing_kind kind = (listing_kind)req_arg(r);
    const principal *p = req_principal(r);
    listing_filter f = { 0 };
    listing_page page;

    long limit = LIM_PAGE_DEFAULT;
    if (!req_query_long_or_reply(r, "limit", 1, LIM_PAGE_MAX, &limit) || !org_or_reply(r, kind, &f.org_id) ||
        !text_arg_or_reply(r, "q", LIM_QUERY) || !text_arg_or_reply(r, "region", LIM_REGION * 4))
        return;
    f.limit = (size_t)limit;
    f.field_prefix = req_query(r, "field");
    if (f.field_prefix && !taxonomy_code_syntax_ok(f.field_prefix)) {
        reply_invalid_field(r, "field", "must be a field code or code prefix such as B or B06");
        return;
    }
    const char *status = req_query(r, "status");
    if (status == NULL)
        f.status = "open";
    else if (strcmp(status, "open") == 0 || strcmp(status, "closed") == 0)
        f.status = status;
    else if (strcmp(status, "all") != 0) {
        reply_invalid_field(r, "status", "must be open, closed or all");
        return;
    }
    f.region = req_query(r, "region");
    f.q = req_query(r, "q");
    f.cursor = req_query(r, "cursor");
    int rc = store_listing_list(req_app(r)->store, kind, &f, &page);
    if (rc == TM_ERR_INVALID) {
        reply_invalid_field(r, "cursor", "is not a cursor this list returned");
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < page.n; i++)
        cJSON_AddItemToArray(items, listing_to_json(page.items[i], access_listing_private(p, page.items[i])));
    json_add_string_or_null(out, "next_cursor", page.next_cursor);
    store_page_cleanup(&page);
    reply_json(r, 200, out);
}

/* Loads the listing named by the path; replies 404 and returns NULL if there is none. */
static listing *load_or_reply(http_request *r)
{
    listing *l = NULL;
    listing_kind kind = (listing_kind)req_arg(r);
    int rc = store_listing_get(req_app(r)->store, kind, req_param_id(r, 0), &l);
    if (rc != TM_OK) {
        char msg[64];
        snprintf(msg, sizeof msg, "no %s with this id", listing_kind_name(kind));
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? msg : NULL);
        return NULL;
    }
    return l;
}

/* Loads the listing and checks the caller owns it; replies and returns NULL otherwise. */
static listing *load_owned_or_reply(http_request *r)
{
    listing *l = load_or_reply(r);
    if (l && !access_owns_listing(req_principal(r), l)) {
        reply_problem(r, 403, "only the organisation that posted this listing may change it");
        listing_free(l);
        return NULL;
    }
    return l;
}

void api_listings_get(http_request *r)
{
    listing *l = load_or_reply(r);
    if (l == NULL)
        return;
    reply_json(r, 200, listing_to_json(l, access_listing_private(req_principal(r), l)));
    listing_free(l);
}

/* Replies to a store failure of a write; a unique-constraint conflict is the ref. */
static void write_failed(http_request *r, int rc)
{
    if (rc == TM_ERR_CONFLICT)
        reply_problem(r, 409, "ref: another listing of your organisation has this ref");
    else
        reply_status(r, rc, NULL);
}

void api_listings_create(http_request *r)
{
    listing_kind kind = (listing_kind)req_arg(r);
    const principal *p = req_principal(r);
    listing *l = listing_new(kind);
    cJSON *errors = cJSON_CreateArray();

    l->org_id = p->org_id;
    if (listing_apply_json(l, req_json(r), req_app(r)->tax, errors) > 0) {
        reply_invalid(r, errors);
        listing_free(l);
        return;
    }
    cJSON_Delete(errors);
    int rc = store_listing_create(req_app(r)->store, l, p->user_id);
    if (rc != TM_OK) {
        write_failed(r, rc);
        listing_free(l);
        return;
    }
    free(l->org_name);
    l->org_name = xstrdup(p->org_name);
    rematch(r, l);
    char where[64];
    snprintf(where, sizeof where, "/api/%ss/%lld", listing_kind_name(kind), (long long)l->id);
    reply_add_header(r, "Location", where);
    reply_json(r, 201, listing_to_json(l, 1));
    listing_free(l);
}

/* The PATCH edit, run by the store inside its write transaction. */
typedef struct patch {
    const principal *who;
    const cJSON *body;
    const taxonomy *tax;
    cJSON *errors;
} patch;

static int apply_patch(void *ctx, listing *l)
{
    patch *p = ctx;
    if (!access_owns_listing(p->who, l))
        return TM_ERR_FORBIDDEN;
    return listing_apply_json(l, p->body, p->tax, p->errors) > 0 ? TM_ERR_INVALID : TM_OK;
}

void api_listings_update(http_request *r)
{
    listing_kind kind = (listing_kind)req_arg(r);
    patch p = { req_principal(r), req_json(r), req_app(r)->tax, cJSON_CreateArray() };
    listing *l = NULL;
    int rc = store_listing_edit(req_app(r)->store, kind, req_param_id(r, 0), p.who->user_id, apply_patch, &p, &l);
    if (rc == TM_ERR_INVALID) {
        reply_invalid(r, p.errors);
        return;
    }
    cJSON_Delete(p.errors);
    if (rc == TM_OK)
        rematch(r, l);
    if (rc == TM_OK)
        reply_json(r, 200, listing_to_json(l, 1));
    else if (rc == TM_ERR_FORBIDDEN)
        reply_problem(r, 403, "only the organisation that posted this listing may change it");
    else if (rc == TM_ERR_NOT_FOUND)
        reply_problem(r, 404, kind == LISTING_DEMAND ? "no demand with this id" : "no achievement with this id");
    else
        write_failed(r, rc);
    listing_free(l);
}

void api_listings_close(http_request *r)
{
    listing *l = load_owned_or_reply(r);
    if (l == NULL)
        return;
    int rc = TM_OK;
    if (strcmp(l->status, "closed") != 0)
        rc = store_listing_set_status(req_app(r)->store, l->kind, l->id, "closed", req_principal(r)->user_id);
    listing_free(l);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    l = load_or_reply(r);
    if (l == NULL)
        return;
    rematch(r, l); /* closed: leaves the index, its suggestions are withdrawn */
    reply_json(r, 200, listing_to_json(l, 1));
    listing_free(l);
}

void api_listings_import(http_request *r)
{
    const principal *p = req_principal(r);
    size_t len;
    const char *body = req_body(r, &len);
    cJSON *report = NULL;
    import_format fmt = strncasecmp(req_content_type(r), "text/csv", 8) == 0 ? IMPORT_CSV : IMPORT_JSONL;

    int rc = import_run(req_app(r)->store, req_app(r)->tax, (listing_kind)req_arg(r), p->org_id,
                        p->user_id, fmt, body, len, NULL, NULL, &report);
    if (rc == TM_ERR_INVALID) {
        cJSON *errors = report;
        reply_invalid(r, errors);
        return;
    }
    if (rc != TM_OK) {
        cJSON_Delete(report);
        reply_status(r, rc, NULL);
        return;
    }
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(report, "rows")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, "id");
        listing *l = NULL;
        if (cJSON_IsNumber(id) && store_listing_get(req_app(r)->store, (listing_kind)req_arg(r),
                                                    (int64_t)id->valuedouble, &l) == TM_OK)
            rematch(r, l);
        listing_free(l);
    }
    reply_json(r, 200, report);
}
