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
#include "import_job.h"
#include "json.h"
#include "limits.h"
#include "listing_write.h"
#include "mem.h"
#include "messages.h"
#include "parse.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Checks a text query argument: valid UTF-8 of at most max characters, or
 * max bytes when in_bytes (q: the search's bound is one of bytes, said with
 * the characters it means for Chinese text, three bytes each).
 */
static int text_arg_or_reply(http_request *r, const char *name, size_t max, int in_bytes)
{
    const char *v = req_query(r, name);
    if (v == NULL)
        return 1;
    size_t len = strlen(v);
    char msg[128];
    if (!mt_utf8_valid(v, len, NULL))
        snprintf(msg, sizeof msg, "%s", N_("is not valid UTF-8"));
    else if (in_bytes && len > max)
        snprintf(msg, sizeof msg, N_("must be at most %zu bytes (about %zu Chinese characters)"), max, max / 3);
    else if (!in_bytes && mt_utf8_length(v, len) > max)
        snprintf(msg, sizeof msg, N_("must have at most %zu characters"), max);
    else
        return 1;
    reply_invalid_field(r, name, msg);
    return 0;
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
    int64_t id = 0;
    if (parse_int64(v, 1, INT64_MAX, &id) != TM_OK) {
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
        !text_arg_or_reply(r, "q", LIM_QUERY, 1) || !text_arg_or_reply(r, "region", LIM_REGION, 0))
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
    /* sort: a search's order (relevance by default, or newest); a list without q is always newest first. */
    const char *sort = req_query(r, "sort");
    if (sort != NULL && strcmp(sort, "relevance") != 0 && strcmp(sort, "newest") != 0) {
        reply_invalid_field(r, "sort", "must be relevance or newest");
        return;
    }
    f.newest = sort != NULL && strcmp(sort, "newest") == 0;
    f.cursor = req_query(r, "cursor");
    /* total: asked for, since counting reads every matching row (a plain page stays cheap). */
    const char *total = req_query(r, "total");
    if (total != NULL && strcmp(total, "true") != 0 && strcmp(total, "1") != 0 && strcmp(total, "false") != 0 &&
        strcmp(total, "0") != 0) {
        reply_invalid_field(r, "total", "must be true or false");
        return;
    }
    f.with_total = total != NULL && (strcmp(total, "true") == 0 || strcmp(total, "1") == 0);
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
    if (f.with_total) {
        json_add_int(out, "total", page.total);
        cJSON_AddBoolToObject(out, "total_capped", page.total_capped);
    }
    if (f.q) {
        /* What the search read (store/fts.h): its cost is bounded, and the answer says how. */
        cJSON *search = cJSON_AddObjectToObject(out, "search");
        cJSON_AddItemToObject(search, "terms_used", strlist_to_json(&page.terms_used));
        cJSON_AddItemToObject(search, "terms_dropped", strlist_to_json(&page.terms_dropped));
        cJSON_AddBoolToObject(search, "truncated", page.truncated);
    }
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
        snprintf(msg, sizeof msg, N_("no %s with this id"), listing_kind_name(kind));
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? msg : NULL);
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
    int rc = listing_write_create(req_app(r)->store, req_app(r)->matching, l, p->user_id);
    if (rc != TM_OK) {
        write_failed(r, rc);
        listing_free(l);
        return;
    }
    free(l->org_name);
    l->org_name = xstrdup(p->org_name);
    char where[64];
    snprintf(where, sizeof where, "/api/%ss/%lld", listing_kind_name(kind), (long long)l->id);
    reply_add_header(r, "Location", where);
    reply_json(r, 201, listing_to_json(l, access_listing_private(p, l)));
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
    int rc = listing_write_edit(req_app(r)->store, req_app(r)->matching, kind, req_param_id(r, 0), p.who->user_id,
                                apply_patch, &p, &l);
    if (rc == TM_ERR_INVALID) {
        reply_invalid(r, p.errors);
        return;
    }
    cJSON_Delete(p.errors);
    if (rc == TM_OK)
        reply_json(r, 200, listing_to_json(l, access_listing_private(p.who, l)));
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
    listing_kind kind = (listing_kind)req_arg(r);
    const principal *p = req_principal(r);
    listing *l = NULL;
    int rc = listing_write_close(req_app(r)->store, req_app(r)->matching, kind, req_param_id(r, 0), p, &l);
    if (rc == TM_ERR_NOT_FOUND) {
        char msg[64];
        snprintf(msg, sizeof msg, N_("no %s with this id"), listing_kind_name(kind));
        reply_status(r, rc, msg);
    } else if (rc == TM_ERR_FORBIDDEN) {
        reply_problem(r, 403, "only the organisation that posted this listing may change it");
    } else if (rc != TM_OK) {
        reply_status(r, rc, NULL);
    } else {
        reply_json(r, 200, listing_to_json(l, access_listing_private(p, l)));
    }
    listing_free(l);
}

/* The import's errors as the problem's [{field, message}] array (caller deletes). */
static cJSON *import_errors_json(const import_error *e, size_t n)
{
    cJSON *errors = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        json_error_add(errors, e[i].field, "%s", e[i].message);
    return errors;
}

/*
 * Parses the upload here, so that a file unusable as a whole is still 400 at
 * once with nothing stored, then queues it as a job (import_job.h): storing
 * and matching thousands of rows would hold a request thread for minutes.
 */
void api_listings_import(http_request *r)
{
    const principal *p = req_principal(r);
    size_t len;
    const char *body = req_body(r, &len);
    import_result res;
    import_file *file = NULL;
    import_format fmt = strncasecmp(req_content_type(r), "text/csv", 8) == 0 ? IMPORT_CSV : IMPORT_JSONL;

    int rc = import_parse((listing_kind)req_arg(r), fmt, body, len, &file, &res);
    if (rc == TM_ERR_INVALID) {
        reply_invalid(r, import_errors_json(res.errors, res.nerrors));
        import_result_cleanup(&res);
        return;
    }
    import_result_cleanup(&res);
    int64_t id = 0;
    cJSON *job = NULL;
    rc = import_jobs_submit(req_app(r)->imports, file, len, p->org_id, p, &id, &job);
    if (rc != TM_OK) { /* TM_ERR_LIMITED: the queue is full */
        reply_add_header(r, "Retry-After", "30");
        reply_problem(r, 503, "too many imports are queued or running; send the file again later");
        return;
    }
    char where[64];
    snprintf(where, sizeof where, "/api/imports/%lld", (long long)id);
    reply_add_header(r, "Location", where);
    reply_json(r, 202, job);
}

/*
 * Writes a job's texts for people (each invalid row's errors[].message, the
 * failed job's error) in lang.  The report is kept as English JSON text, one
 * for every reader, so it is parsed and translated here, only for Chinese.
 */
static void job_in_language(cJSON *job, msg_lang lang)
{
    if (lang == MSG_EN)
        return;
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(job, "report");
    cJSON *report = cJSON_IsRaw(raw) ? cJSON_Parse(raw->valuestring) : NULL;
    if (report) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(report, "rows"))
            messages_translate_errors(cJSON_GetObjectItemCaseSensitive(row, "errors"), lang);
        cJSON_ReplaceItemInObjectCaseSensitive(job, "report", report);
    }
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(job, "error");
    if (cJSON_IsString(error)) {
        char *text = messages_translate(error->valuestring, lang, NULL);
        cJSON_ReplaceItemInObjectCaseSensitive(job, "error", cJSON_CreateString(text));
        free(text);
    }
}

void api_listings_import_job(http_request *r)
{
    cJSON *job = NULL;
    if (import_jobs_get(req_app(r)->imports, req_param_id(r, 0), req_principal(r), &job) != TM_OK) {
        reply_problem(r, 404, "no import job with this id");
        return;
    }
    job_in_language(job, req_lang(r));
    reply_json(r, 200, job);
}
