/*
 * api_matches.c: matches over HTTP.  A listing's live top-k comes from the
 * matcher's indexes; the stored matches (suggested and beyond) from the store.
 */
#include "api_matches.h"
#include "api_listings.h"
#include "json.h"
#include "limits.h"
#include "matching.h"
#include "mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_DEFAULT 20
#define LIVE_MAX 50

static int privileged(const principal *p)
{
    return strcmp(p->role, "broker") == 0 || strcmp(p->role, "admin") == 0;
}

static int score_arg_or_reply(http_request *r, const char *name, double *out)
{
    const char *v = req_query(r, name);
    char *end = NULL;
    if (v == NULL)
        return 1;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || !(x >= 0.0 && x <= 1.0)) {
        reply_invalid_field(r, name, "must be a number from 0 to 1");
        return 0;
    }
    *out = x;
    return 1;
}

void api_matches_for_listing(http_request *r)
{
    listing_kind kind = (listing_kind)req_arg(r);
    const principal *p = req_principal(r);
    long limit = LIVE_DEFAULT;
    listing *l = NULL;
    if (!req_query_long_or_reply(r, "limit", 1, LIVE_MAX, &limit))
        return;
    int rc = store_listing_get(req_app(r)->store, kind, req_param_id(r, 0), &l);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no listing with this id" : NULL);
        return;
    }
    if (!privileged(p) && p->org_id != l->org_id) {
        reply_problem(r, 403, "only the organisation that posted this listing, brokers and admins see its matches");
        listing_free(l);
        return;
    }
    match_view *v = NULL;
    size_t n = 0;
    rc = matching_top(req_app(r)->matching, req_app(r)->store, l, (size_t)limit, &v, &n);
    if (rc != TM_OK) {
        listing_free(l);
        reply_status(r, rc, NULL);
        return;
    }
    const char *other = kind == LISTING_DEMAND ? "achievement" : "demand";
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "score", v[i].score);
        cJSON_AddNumberToObject(it, "k", v[i].k);
        cJSON_AddNumberToObject(it, "f", v[i].f);
        cJSON_AddItemToObject(it, other, listing_to_json(v[i].other, api_listings_sees_private(p, v[i].other)));
        cJSON_AddItemToObject(it, "explanation", v[i].explanation);
        v[i].explanation = NULL;
        cJSON_AddItemToArray(items, it);
    }
    matching_views_free(v, n);
    listing_free(l);
    reply_json(r, 200, out);
}

/* A short public view of a listing for match lists: id and title. */
static cJSON *brief(store *s, listing_kind kind, int64_t id)
{
    listing *l = NULL;
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    if (store_listing_get(s, kind, id, &l) == TM_OK) {
        cJSON_AddStringToObject(o, "title", l->title);
        cJSON_AddItemToObject(o, "fields", strlist_to_json(&l->fields));
        cJSON_AddStringToObject(o, "status", l->status);
    }
    listing_free(l);
    return o;
}

static const char *const statuses[] = {
    "suggested", "withdrawn", "approved", "rejected", "pushed", "viewed", "interested", "declined",
    "in_talks", "deal", "closed", NULL,
};

void api_matches_list(http_request *r)
{
    match_filter f = { .status = "suggested", .min_score = 0.0, .max_score = 1.0, .limit = LIM_PAGE_DEFAULT };
    long limit = LIM_PAGE_DEFAULT, days = 0;
    const char *status = req_query(r, "status");
    if (status && strcmp(status, "all") == 0) {
        f.status = NULL;
    } else if (status) {
        int known = 0;
        for (size_t i = 0; statuses[i] && !known; i++)
            known = strcmp(statuses[i], status) == 0;
        if (!known) {
            reply_invalid_field(r, "status", "must be a match status (suggested, approved, ...) or all");
            return;
        }
        f.status = status;
    }
    if (!req_query_long_or_reply(r, "limit", 1, LIM_PAGE_MAX, &limit) || !req_query_long_or_reply(r, "max_age_days", 1, 3650, &days) ||
        !score_arg_or_reply(r, "min_score", &f.min_score) || !score_arg_or_reply(r, "max_score", &f.max_score))
        return;
    f.limit = (size_t)limit;
    f.max_age_days = (int)days;
    f.field_prefix = req_query(r, "field");
    if (f.field_prefix && !taxonomy_code_syntax_ok(f.field_prefix)) {
        reply_invalid_field(r, "field", "must be a field code or code prefix such as B or B06");
        return;
    }
    f.cursor = req_query(r, "cursor");
    match_page page;
    int rc = store_match_list(req_app(r)->store, &f, &page);
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
    for (size_t i = 0; i < page.n; i++) {
        const match *m = &page.items[i];
        cJSON *it = cJSON_CreateObject();
        json_add_int(it, "id", m->id);
        cJSON_AddNumberToObject(it, "score", m->score);
        cJSON_AddNumberToObject(it, "k", m->k);
        cJSON_AddNumberToObject(it, "f", m->f);
        cJSON_AddStringToObject(it, "status", m->status);
        cJSON_AddStringToObject(it, "origin", m->origin);
        cJSON_AddItemToObject(it, "demand", brief(req_app(r)->store, LISTING_DEMAND, m->demand_id));
        cJSON_AddItemToObject(it, "achievement", brief(req_app(r)->store, LISTING_ACHIEVEMENT, m->achievement_id));
        cJSON *e = cJSON_Parse(m->explanation);
        cJSON_AddItemToObject(it, "explanation", e ? e : cJSON_CreateNull());
        cJSON_AddStringToObject(it, "created_at", m->created_at);
        cJSON_AddStringToObject(it, "updated_at", m->updated_at);
        cJSON_AddItemToArray(items, it);
    }
    json_add_string_or_null(out, "next_cursor", page.next_cursor);
    store_match_page_cleanup(&page);
    reply_json(r, 200, out);
}
