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
#include "push.h"
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

/* A stored match as the API shows it. */
static cJSON *match_json(store *s, const match *m)
{
    cJSON *it = cJSON_CreateObject();
    json_add_int(it, "id", m->id);
    cJSON_AddNumberToObject(it, "score", m->score);
    cJSON_AddNumberToObject(it, "k", m->k);
    cJSON_AddNumberToObject(it, "f", m->f);
    cJSON_AddStringToObject(it, "status", m->status);
    cJSON_AddStringToObject(it, "origin", m->origin);
    cJSON_AddItemToObject(it, "demand", brief(s, LISTING_DEMAND, m->demand_id));
    cJSON_AddItemToObject(it, "achievement", brief(s, LISTING_ACHIEVEMENT, m->achievement_id));
    cJSON *e = m->explanation ? cJSON_Parse(m->explanation) : NULL;
    cJSON_AddItemToObject(it, "explanation", e ? e : cJSON_CreateNull());
    cJSON_AddStringToObject(it, "created_at", m->created_at);
    cJSON_AddStringToObject(it, "updated_at", m->updated_at);
    return it;
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
    for (size_t i = 0; i < page.n; i++)
        cJSON_AddItemToArray(items, match_json(req_app(r)->store, &page.items[i]));
    json_add_string_or_null(out, "next_cursor", page.next_cursor);
    store_match_page_cleanup(&page);
    reply_json(r, 200, out);
}

void api_matches_approve(http_request *r)
{
    match m;
    int64_t nid = 0;
    int rc = store_match_approve(req_app(r)->store, req_param_id(r, 0), req_principal(r)->user_id,
                                 push_match_payload, NULL, &m, &nid);
    if (rc == TM_ERR_CONFLICT) {
        char detail[160];
        snprintf(detail, sizeof detail, "the match is %s; only a suggested match can be approved", m.status);
        match_cleanup(&m);
        reply_problem(r, 409, detail);
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no match with this id" : NULL);
        return;
    }
    cJSON *out = match_json(req_app(r)->store, &m);
    if (nid > 0)
        json_add_int(out, "notification_id", nid);
    else
        cJSON_AddNullToObject(out, "notification_id");
    match_cleanup(&m);
    reply_json(r, 200, out);
}

static cJSON *policy_to_json(const policy *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "suggest_threshold", p->suggest_threshold);
    if (p->auto_approve)
        cJSON_AddNumberToObject(o, "auto_approve_score", p->auto_approve_score);
    else
        cJSON_AddNullToObject(o, "auto_approve_score");
    if (p->updated_by > 0)
        json_add_int(o, "updated_by", p->updated_by);
    else
        cJSON_AddNullToObject(o, "updated_by");
    cJSON_AddStringToObject(o, "updated_at", p->updated_at);
    return o;
}

void api_matches_policy_get(http_request *r)
{
    policy p;
    int rc = store_policy_get(req_app(r)->store, &p);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    reply_json(r, 200, policy_to_json(&p));
}

/* Reads a score member in [0, 1]; *present = 0 when it is absent or (if nullable) null. */
static int score_member(const cJSON *body, const char *name, int nullable, cJSON *errors, double *out, int *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    *present = 0;
    if (v == NULL || (nullable && cJSON_IsNull(v)))
        return 1;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0.0 && v->valuedouble <= 1.0)) {
        json_error_add(errors, name, nullable ? "must be a number from 0 to 1, or null" : "must be a number from 0 to 1");
        return 0;
    }
    *out = v->valuedouble;
    *present = 1;
    return 1;
}

void api_matches_policy_put(http_request *r)
{
    const cJSON *body = req_json(r);
    policy p;
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    int rc = store_policy_get(req_app(r)->store, &p);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *errors = cJSON_CreateArray();
    int has_threshold = 0, has_auto = 0;
    double threshold = p.suggest_threshold, autoscore = 0;
    for (const cJSON *m = body->child; m; m = m->next)
        if (strcmp(m->string, "suggest_threshold") != 0 && strcmp(m->string, "auto_approve_score") != 0)
            json_error_add(errors, m->string, "is not a policy member (suggest_threshold, auto_approve_score)");
    score_member(body, "suggest_threshold", 0, errors, &threshold, &has_threshold);
    score_member(body, "auto_approve_score", 1, errors, &autoscore, &has_auto);
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    p.suggest_threshold = threshold;
    if (cJSON_GetObjectItemCaseSensitive(body, "auto_approve_score")) {
        p.auto_approve = has_auto;
        p.auto_approve_score = has_auto ? autoscore : 0;
    }
    rc = store_policy_set(req_app(r)->store, &p, req_principal(r)->user_id);
    if (rc == TM_OK)
        rc = store_policy_get(req_app(r)->store, &p);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    reply_json(r, 200, policy_to_json(&p));
}
