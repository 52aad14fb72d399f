/*
 * api_matches.c: matches over HTTP.  A listing's live top-k comes from the
 * matcher's indexes; the stored matches (suggested and beyond) from the store.
 * Who sees a match, and which of its listings' members, is access.h's call.
 */
#include "api_matches.h"
#include "access.h"
#include "app.h"
#include "json.h"
#include "lifecycle.h"
#include "limits.h"
#include "log.h"
#include "matching.h"
#include "mem.h"
#include "messages.h"
#include "parse.h"
#include "push.h"
#include "utf8.h"
#include "vocab.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_DEFAULT 20
#define LIVE_MAX 50

static int score_arg_or_reply(http_request *r, const char *name, double *out)
{
    const char *v = req_query(r, name);
    double x = 0;
    if (v == NULL)
        return 1;
    if (parse_double(v, 0.0, 1.0, &x) != TM_OK) {
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
    if (!access_listing_matches(p, l)) {
        reply_problem(r, 403, "only the organisation that posted this listing, brokers and admins see its matches");
        listing_free(l);
        return;
    }
    match_view *v = NULL;
    size_t n = 0;
    /* Only what the matcher would suggest: pairs below the policy's suggest threshold are not matches. */
    policy pol;
    rc = store_policy_get(req_app(r)->store, &pol);
    if (rc == TM_OK)
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
        if (v[i].score < pol.suggest_threshold)
            continue;
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "score", v[i].score);
        cJSON_AddNumberToObject(it, "k", v[i].k);
        cJSON_AddNumberToObject(it, "f", v[i].f);
        cJSON_AddItemToObject(it, other, listing_to_json(v[i].other, access_listing_private(p, v[i].other)));
        cJSON_AddItemToObject(it, "explanation", v[i].explanation);
        v[i].explanation = NULL;
        cJSON_AddItemToArray(items, it);
    }
    matching_views_free(v, n);
    listing_free(l);
    reply_json(r, 200, out);
}

/* A short public view of listing id (l, or NULL when it could not be read) for match lists: id and title. */
static cJSON *brief(int64_t id, const listing *l)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    if (l) {
        cJSON_AddStringToObject(o, "title", l->title);
        cJSON_AddItemToObject(o, "fields", strlist_to_json(&l->fields));
        cJSON_AddStringToObject(o, "status", l->status);
    }
    return o;
}

/* A stored match as the API shows it, with its demand d and achievement a as read (either may be NULL). */
static cJSON *match_json_with(const match *m, const listing *d, const listing *a)
{
    cJSON *it = cJSON_CreateObject();
    json_add_int(it, "id", m->id);
    cJSON_AddNumberToObject(it, "score", m->score);
    cJSON_AddNumberToObject(it, "k", m->k);
    cJSON_AddNumberToObject(it, "f", m->f);
    cJSON_AddStringToObject(it, "status", m->status);
    cJSON_AddStringToObject(it, "origin", m->origin);
    cJSON_AddItemToObject(it, "demand", brief(m->demand_id, d));
    cJSON_AddItemToObject(it, "achievement", brief(m->achievement_id, a));
    cJSON *e = m->explanation ? cJSON_Parse(m->explanation) : NULL;
    cJSON_AddItemToObject(it, "explanation", e ? e : cJSON_CreateNull());
    cJSON_AddStringToObject(it, "created_at", m->created_at);
    cJSON_AddStringToObject(it, "updated_at", m->updated_at);
    return it;
}

/* A stored match as the API shows it, reading its two listings. */
static cJSON *match_json(store *s, const match *m)
{
    listing *d = NULL, *a = NULL;
    if (store_listing_get(s, LISTING_DEMAND, m->demand_id, &d) != TM_OK)
        d = NULL;
    if (store_listing_get(s, LISTING_ACHIEVEMENT, m->achievement_id, &a) != TM_OK)
        a = NULL;
    cJSON *it = match_json_with(m, d, a);
    listing_free(d);
    listing_free(a);
    return it;
}

/* Reads the filters both match lists take (field, score range, age, limit, cursor) into f. */
static int common_filters_or_reply(http_request *r, match_filter *f)
{
    long limit = LIM_PAGE_DEFAULT, days = 0;
    if (!req_query_long_or_reply(r, "limit", 1, LIM_PAGE_MAX, &limit) ||
        !req_query_long_or_reply(r, "max_age_days", 1, 3650, &days) ||
        !score_arg_or_reply(r, "min_score", &f->min_score) || !score_arg_or_reply(r, "max_score", &f->max_score))
        return 0;
    f->limit = (size_t)limit;
    f->max_age_days = (int)days;
    f->field_prefix = req_query(r, "field");
    if (f->field_prefix && !taxonomy_code_syntax_ok(f->field_prefix)) {
        reply_invalid_field(r, "field", "must be a field code or code prefix such as B or B06");
        return 0;
    }
    f->cursor = req_query(r, "cursor");
    /* total: asked for (the UI asks on a list's first page), since counting reads every matching row. */
    const char *total = req_query(r, "total");
    if (total != NULL && strcmp(total, "true") != 0 && strcmp(total, "1") != 0 && strcmp(total, "false") != 0 &&
        strcmp(total, "0") != 0) {
        reply_invalid_field(r, "total", "must be true or false");
        return 0;
    }
    f->with_total = total != NULL && (strcmp(total, "true") == 0 || strcmp(total, "1") == 0);
    return 1;
}

/* How a match list shows one match, given its demand d and achievement a (either NULL when unread). */
typedef cJSON *(*match_show_fn)(http_request *r, const match *m, const listing *d, const listing *a);

/*
 * Reads the demands and the achievements of a page's matches in one batch
 * each (d[i], a[i] for items[i]; NULL where unread).  Free with
 * free_page_listings.
 */
static void read_page_listings(store *s, const match_page *page, listing ***d, listing ***a)
{
    size_t n = page->n ? page->n : 1;
    int64_t *ids = xcalloc(n, sizeof *ids);
    *d = xcalloc(n, sizeof **d);
    *a = xcalloc(n, sizeof **a);
    for (size_t i = 0; i < page->n; i++)
        ids[i] = page->items[i].demand_id;
    if (store_listings_get_many(s, LISTING_DEMAND, ids, page->n, *d) != TM_OK)
        memset(*d, 0, n * sizeof **d); /* shown as unread, as one failed read was */
    for (size_t i = 0; i < page->n; i++)
        ids[i] = page->items[i].achievement_id;
    if (store_listings_get_many(s, LISTING_ACHIEVEMENT, ids, page->n, *a) != TM_OK)
        memset(*a, 0, n * sizeof **a);
    free(ids);
}

static void free_page_listings(listing **d, listing **a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        listing_free(d[i]);
        listing_free(a[i]);
    }
    free(d);
    free(a);
}

/* Lists the matches f selects, each shown by show; replies. */
static void reply_match_page(http_request *r, const match_filter *f, match_show_fn show)
{
    match_page page;
    int rc = store_match_list(req_app(r)->store, f, &page);
    if (rc == TM_ERR_INVALID) {
        reply_invalid_field(r, "cursor", "is not a cursor this list returned");
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    listing **d = NULL, **a = NULL;
    read_page_listings(req_app(r)->store, &page, &d, &a);
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < page.n; i++)
        cJSON_AddItemToArray(items, show(r, &page.items[i], d[i], a[i]));
    json_add_string_or_null(out, "next_cursor", page.next_cursor);
    if (page.total >= 0)
        json_add_int(out, "total", page.total);
    free_page_listings(d, a, page.n);
    store_match_page_cleanup(&page);
    reply_json(r, 200, out);
}

static cJSON *brief_match(http_request *r, const match *m, const listing *d, const listing *a)
{
    (void)r;
    return match_json_with(m, d, a);
}

void api_matches_list(http_request *r)
{
    match_filter f = { .status = "suggested", .min_score = 0.0, .max_score = 1.0, .assigned_to = -1 };
    const char *status = req_query(r, "status");
    if (status && strcmp(status, "all") == 0) {
        f.status = NULL;
    } else if (status) {
        if (vocab_find(&vocab_match_statuses, status) < 0) {
            reply_invalid_field(r, "status", "must be a match status (suggested, approved, ...) or all");
            return;
        }
        f.status = status;
    }
    if (common_filters_or_reply(r, &f))
        reply_match_page(r, &f, brief_match);
}

/* A queue entry: the match with both listings in full, side by side, and a proposal's statement. */
static cJSON *review_item(http_request *r, const match *m, const listing *d, const listing *a)
{
    const principal *p = req_principal(r);
    cJSON *o = match_json_with(m, d, a);
    if (d)
        cJSON_ReplaceItemInObject(o, "demand", listing_to_json(d, access_match_listing_private(p, m, LISTING_DEMAND)));
    if (a)
        cJSON_ReplaceItemInObject(o, "achievement",
                                  listing_to_json(a, access_match_listing_private(p, m, LISTING_ACHIEVEMENT)));
    json_add_string_or_null(o, "statement", m->statement);
    json_add_id_or_null(o, "assigned_to", m->assigned_to);
    return o;
}

void api_matches_review(http_request *r)
{
    match_filter f = { .status = "suggested", .min_score = 0.0, .max_score = 1.0, .assigned_to = -1 };
    const char *assigned = req_query(r, "assigned"), *origin = req_query(r, "origin");
    f.region_prefix = req_query(r, "region");
    if (assigned && strcmp(assigned, "me") == 0) {
        f.assigned_to = req_principal(r)->user_id;
    } else if (assigned && strcmp(assigned, "none") == 0) {
        f.assigned_to = 0;
    } else if (assigned) {
        int64_t v = 0;
        if (parse_int64(assigned, 1, INT64_MAX, &v) != TM_OK) {
            reply_invalid_field(r, "assigned", "must be me, none or a broker's user id");
            return;
        }
        f.assigned_to = v;
    }
    if (origin && strcmp(origin, "matcher") != 0 && strcmp(origin, "proposal") != 0) {
        reply_invalid_field(r, "origin", "must be matcher or proposal");
        return;
    }
    f.origin = origin;
    if (common_filters_or_reply(r, &f))
        reply_match_page(r, &f, review_item);
}

void api_matches_review_summary(http_request *r)
{
    const char *since = req_query(r, "since");
    queue_figures q;
    if (since == NULL || parse_rfc3339(since) != TM_OK) {
        reply_invalid_field(r, "since", PARSE_RFC3339_WANTED);
        return;
    }
    int rc = store_queue_figures(req_app(r)->store, since, req_principal(r)->user_id, &q);
    if (rc == TM_ERR_INVALID) {
        reply_invalid_field(r, "since", PARSE_RFC3339_WANTED);
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "waiting", q.waiting);
    match m;
    if (q.oldest_id > 0 && store_match_get(req_app(r)->store, q.oldest_id, &m) == TM_OK) {
        cJSON_AddItemToObject(out, "oldest", match_json(req_app(r)->store, &m));
        match_cleanup(&m);
    } else {
        cJSON_AddNullToObject(out, "oldest"); /* none waits, or it was decided meanwhile */
    }
    cJSON *d = cJSON_AddObjectToObject(out, "decisions");
    cJSON_AddStringToObject(d, "since", q.since);
    json_add_int(d, "total", q.decisions);
    json_add_int(d, "mine", q.mine);
    reply_json(r, 200, out);
}

/*
 * After a broker's decision on a match of demand_id: re-ranks the demand's
 * remaining candidates with it (matching_decided).  A failure is logged; the
 * decision stands.
 */
static void rematch_decided(http_request *r, int64_t demand_id)
{
    if (matching_decided(req_app(r)->matching, req_app(r)->store, demand_id) != TM_OK)
        log_error("re-matching demand %lld after a decision failed; its suggestions are stale", (long long)demand_id);
}

void api_matches_approve(http_request *r)
{
    match m;
    int64_t nid = 0;
    int rc = store_match_approve(req_app(r)->store, req_param_id(r, 0), req_principal(r)->user_id,
                                 push_match_payload, NULL, &m, &nid);
    if (rc == TM_ERR_CONFLICT) {
        char detail[160];
        snprintf(detail, sizeof detail, N_("the match is %s; only a suggested match can be approved"), m.status);
        match_cleanup(&m);
        reply_problem(r, 409, detail);
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no match with this id" : NULL);
        return;
    }
    rematch_decided(r, m.demand_id);
    cJSON *out = match_json(req_app(r)->store, &m);
    json_add_id_or_null(out, "notification_id", nid);
    match_cleanup(&m);
    reply_json(r, 200, out);
}

static cJSON *policy_to_json(const policy *p)
{
    cJSON *o = store_policy_json(p);
    if (p->updated_by > 0) {
        json_add_int(o, "updated_by", p->updated_by);
        cJSON_AddStringToObject(o, "updated_by_name", p->updated_by_name);
    } else {
        cJSON_AddNullToObject(o, "updated_by");
        cJSON_AddNullToObject(o, "updated_by_name");
    }
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
        json_error_add(errors, name,
                       nullable ? "must be a number from 0 to 1, or null" : "must be a number from 0 to 1");
        return 0;
    }
    *out = v->valuedouble;
    *present = 1;
    return 1;
}

/*
 * An auto-approve score below the suggest threshold would approve what is
 * never suggested: replies 400 naming the member the caller changed
 * (suggest_threshold when only it was sent) and returns 0, or returns 1.
 */
static int policy_consistent_or_reply(http_request *r, const policy *p, int threshold_only)
{
    char message[160];
    if (!p->auto_approve || p->auto_approve_score >= p->suggest_threshold)
        return 1;
    if (threshold_only)
        snprintf(message, sizeof message, "must not be above the auto-approve score (%.2f)", p->auto_approve_score);
    else
        snprintf(message, sizeof message, "must not be below the suggest threshold (%.2f)", p->suggest_threshold);
    reply_invalid_field(r, threshold_only ? "suggest_threshold" : "auto_approve_score", message);
    return 0;
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
    static const char *const names[] = { "suggest_threshold", "auto_approve_score", NULL };
    json_reject_unknown(body, names, errors);
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
    if (!policy_consistent_or_reply(r, &p, has_threshold && !has_auto))
        return;
    rc = store_policy_set(req_app(r)->store, &p, req_principal(r)->user_id);
    if (rc == TM_OK)
        rc = store_policy_get(req_app(r)->store, &p);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    reply_json(r, 200, policy_to_json(&p));
}

/* ---------- the pipeline ---------- */

static const char *const move_actions[] = { "reject", "interested", "declined", "in_talks", "deal", "close" };

typedef struct move_ctx {
    const lc_move *mv;
    const char *reason, *text, *mode;
    int64_t amount;
} move_ctx;

static int apply_move(void *arg, match *m)
{
    move_ctx *c = arg;
    if (!lifecycle_allows(c->mv, m->status))
        return TM_ERR_CONFLICT;
    free(m->status);
    m->status = xstrdup(vocab_code(&vocab_match_statuses, (int)c->mv->to));
    if (c->mv->needs_reason) {
        free(m->reason);
        free(m->reason_text);
        m->reason = xstrdup(c->reason);
        m->reason_text = c->text ? xstrdup(c->text) : NULL;
    }
    if (c->mode) {
        free(m->transfer_mode);
        m->transfer_mode = xstrdup(c->mode);
        m->deal_amount = c->amount;
    }
    return TM_OK;
}

static const char *const reason_names[] = { "reason", "text", NULL };
static const char *const deal_names[] = { "amount", "transfer_mode", NULL };

/* Reads {reason, text} of a reject, decline or close into c; adds errors (the caller refuses other members). */
static void reason_members(const cJSON *body, move_ctx *c, cJSON *errors)
{
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(body, "text");
    if (reason) {
        c->reason = cJSON_GetStringValue(reason);
        if (vocab_find(&vocab_reasons, c->reason) < 0)
            json_error_add(errors, "reason", "must be one of %s", vocab_joined(&vocab_reasons));
    }
    if (text) {
        c->text = cJSON_GetStringValue(text);
        if (c->text == NULL || mt_utf8_length(c->text, strlen(c->text)) > LIM_REASON_TEXT)
            json_error_add(errors, "text", "must be a string of at most %d characters", LIM_REASON_TEXT);
    }
    if (c->reason == NULL && cJSON_GetArraySize(errors) == 0)
        json_error_add(errors, "reason", "is required: one of %s", vocab_joined(&vocab_reasons));
    else if (vocab_find(&vocab_reasons, c->reason) == REASON_OTHER && (c->text == NULL || c->text[0] == '\0'))
        json_error_add(errors, "text", "is required when the reason is other");
}

/* Reads {amount, transfer_mode} of a deal into c; adds errors (the caller refuses other members). */
static void deal_members(const cJSON *body, move_ctx *c, cJSON *errors)
{
    int has_amount = 0;
    for (const cJSON *m = body->child; m; m = m->next) {
        if (strcmp(m->string, "amount") == 0) {
            has_amount = json_get_int(m, 0, 100000000000000LL, &c->amount);
            if (!has_amount)
                json_error_add(errors, "amount", "must be a whole number of yuan, 0 or more");
        } else if (strcmp(m->string, "transfer_mode") == 0) {
            c->mode = cJSON_GetStringValue(m);
            if (vocab_find(&vocab_transfer_modes, c->mode) < 0) {
                json_error_add(errors, "transfer_mode", "must be one of: %s", vocab_joined(&vocab_transfer_modes));
                c->mode = NULL;
            }
        }
    }
    if (!has_amount && cJSON_GetArraySize(errors) == 0)
        json_error_add(errors, "amount", "is required");
    if (c->mode == NULL && cJSON_GetArraySize(errors) == 0)
        json_error_add(errors, "transfer_mode", "is required");
}

/* access.h's owner reader over the store (ctx): the organisation owning a listing, or 0 when it cannot be read. */
static int64_t listing_owner(void *ctx, listing_kind kind, int64_t id)
{
    listing *l = NULL;
    int64_t org = store_listing_get(ctx, kind, id, &l) == TM_OK ? l->org_id : 0;
    listing_free(l);
    return org;
}

/* Replies 409 naming the match's status and the moves this caller may make from it. */
static void reply_not_allowed(http_request *r, const match *m, lc_actor actor)
{
    char allowed[160], detail[320];
    lifecycle_allowed(m->status ? m->status : "", actor, allowed, sizeof allowed);
    snprintf(detail, sizeof detail, N_("the match is %s; from there you may: %s"), m->status ? m->status : "?",
             allowed);
    reply_problem(r, 409, detail);
}

void api_matches_move(http_request *r)
{
    int which = req_arg(r);
    move_ctx c = { lifecycle_move(move_actions[which]), NULL, NULL, NULL, -1 };
    const cJSON *body = req_json(r);
    if (c.mv->needs_reason || which == MOVE_DEAL) {
        if (!cJSON_IsObject(body)) {
            reply_invalid_field(r, NULL, "the body must be a JSON object");
            return;
        }
        cJSON *errors = cJSON_CreateArray();
        json_reject_unknown(body, which == MOVE_DEAL ? deal_names : reason_names, errors);
        if (which == MOVE_DEAL)
            deal_members(body, &c, errors);
        else
            reason_members(body, &c, errors);
        if (cJSON_GetArraySize(errors) > 0) {
            reply_invalid(r, errors);
            return;
        }
        cJSON_Delete(errors);
    }
    match m;
    int64_t id = req_param_id(r, 0);
    if (c.mv->actor == LC_ENTERPRISE) {
        if (store_match_get(req_app(r)->store, id, &m) != TM_OK) {
            reply_problem(r, 404, "no match with this id");
            return;
        }
        int mine = access_match_demand_side(req_principal(r), &m, listing_owner, req_app(r)->store);
        match_cleanup(&m);
        if (!mine) {
            reply_problem(r, 404, "no match with this id for your demands");
            return;
        }
    }
    char action[48];
    snprintf(action, sizeof action, "match.%s", c.mv->action);
    int rc = store_match_edit(req_app(r)->store, id, req_principal(r)->user_id, action, c.mv->actor == LC_BROKER,
                              apply_move, &c, &m);
    if (rc == TM_ERR_CONFLICT) {
        /* Whoever may not see the match learns nothing of its status. */
        if (access_match_visible(req_principal(r), &m, listing_owner, req_app(r)->store))
            reply_not_allowed(r, &m, c.mv->actor);
        else
            reply_problem(r, 404, "no match with this id");
        match_cleanup(&m);
        return;
    }
    if (rc != TM_OK) {
        match_cleanup(&m); /* zeroed, or the match as it is */
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no match with this id" : NULL);
        return;
    }
    if (which == MOVE_REJECT)
        rematch_decided(r, m.demand_id);
    cJSON *out = match_json(req_app(r)->store, &m);
    match_cleanup(&m);
    reply_json(r, 200, out);
}

static int to_viewed(void *arg, match *m)
{
    (void)arg;
    if (vocab_find(&vocab_match_statuses, m->status) != MATCH_PUSHED)
        return TM_ERR_CONFLICT; /* already further: nothing to record */
    free(m->status);
    m->status = xstrdup(vocab_code(&vocab_match_statuses, MATCH_VIEWED));
    return TM_OK;
}

/*
 * Adds "moves": the lifecycle moves this caller may make now (brokers and
 * admins the broker's moves, the enterprise that owns the demand its own,
 * anyone else none), so that a client offers exactly these.
 */
static void add_moves(cJSON *out, const principal *p, const match *m, store *s)
{
    const char *names[8];
    size_t n = 0;
    if (access_is_staff(p))
        n = lifecycle_moves(m->status, LC_BROKER, names, 8);
    else if (access_match_demand_side(p, m, listing_owner, s))
        n = lifecycle_moves(m->status, LC_ENTERPRISE, names, 8);
    cJSON *list = cJSON_AddArrayToObject(out, "moves");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(list, cJSON_CreateString(names[i]));
}

/* Adds decision details, notes (brokers) and both listings as this caller may see them. */
static void add_detail(http_request *r, cJSON *out, const match *m)
{
    store *s = req_app(r)->store;
    listing *d = NULL, *a = NULL;
    const principal *p = req_principal(r);
    json_add_string_or_null(out, "reason", m->reason);
    json_add_string_or_null(out, "reason_text", m->reason_text);
    json_add_string_or_null(out, "statement", m->statement);
    json_add_string_or_null(out, "introduced_at", m->introduced_at);
    if (m->deal_amount >= 0) {
        json_add_int(out, "deal_amount", m->deal_amount);
        json_add_string_or_null(out, "transfer_mode", m->transfer_mode);
    }
    add_moves(out, p, m, s);
    if (access_is_staff(p)) {
        json_add_id_or_null(out, "assigned_to", m->assigned_to);
        match_note *notes = NULL;
        size_t n = 0;
        cJSON *list = cJSON_AddArrayToObject(out, "notes");
        if (store_match_notes(s, m->id, &notes, &n) == TM_OK)
            for (size_t i = 0; i < n; i++) {
                cJSON *o = cJSON_CreateObject();
                json_add_int(o, "id", notes[i].id);
                cJSON_AddStringToObject(o, "author", notes[i].author);
                cJSON_AddStringToObject(o, "text", notes[i].text);
                cJSON_AddStringToObject(o, "created_at", notes[i].created_at);
                cJSON_AddItemToArray(list, o);
            }
        store_match_notes_free(notes, n);
    }
    /* Anonymity until introduction: each side sees the other's identity and contact once in talks. */
    if (store_listing_get(s, LISTING_DEMAND, m->demand_id, &d) == TM_OK)
        cJSON_ReplaceItemInObject(out, "demand",
                                  listing_to_json(d, access_match_listing_private(p, m, LISTING_DEMAND)));
    if (store_listing_get(s, LISTING_ACHIEVEMENT, m->achievement_id, &a) == TM_OK)
        cJSON_ReplaceItemInObject(out, "achievement",
                                  listing_to_json(a, access_match_listing_private(p, m, LISTING_ACHIEVEMENT)));
    listing_free(d);
    listing_free(a);
}

void api_matches_get(http_request *r)
{
    const principal *p = req_principal(r);
    store *s = req_app(r)->store;
    match m;
    if (store_match_get(s, req_param_id(r, 0), &m) != TM_OK) {
        reply_problem(r, 404, "no match with this id");
        return;
    }
    if (!access_match_visible(p, &m, listing_owner, s)) {
        match_cleanup(&m);
        reply_problem(r, 404, "no match with this id that you may see");
        return;
    }
    if (access_match_records_view(p, &m)) {
        match seen;
        if (store_match_edit(s, m.id, p->user_id, "match.view", 0, to_viewed, NULL, &seen) == TM_OK) {
            match_cleanup(&m);
            m = seen;
        } else {
            match_cleanup(&seen);
        }
    }
    cJSON *out = match_json(s, &m);
    add_detail(r, out, &m);
    match_cleanup(&m);
    reply_json(r, 200, out);
}

/* Replies 400 naming each member of body not in names (and returns 0), or returns 1. */
static int unknown_members_or_reply(http_request *r, const cJSON *body, const char *const *names)
{
    cJSON *errors = cJSON_CreateArray();
    if (json_reject_unknown(body, names, errors) > 0) {
        reply_invalid(r, errors);
        return 0;
    }
    cJSON_Delete(errors);
    return 1;
}

typedef struct assign_ctx {
    int64_t broker;
} assign_ctx;

static int set_assignee(void *arg, match *m)
{
    m->assigned_to = ((assign_ctx *)arg)->broker;
    return TM_OK;
}

void api_matches_assign(http_request *r)
{
    static const char *const names[] = { "broker_id", NULL };
    const cJSON *body = req_json(r);
    const cJSON *v = cJSON_IsObject(body) ? cJSON_GetObjectItemCaseSensitive(body, "broker_id") : NULL;
    assign_ctx c = { 0 };
    char role[16] = "";
    if (!unknown_members_or_reply(r, body, names))
        return;
    if (v == NULL || (!cJSON_IsNull(v) && !json_get_int(v, 1, INT64_MAX, &c.broker))) {
        reply_invalid_field(r, "broker_id", "must be a broker's user id, or null to unassign");
        return;
    }
    /* Any staff member may hold a match: a broker, or an admin who takes one on. */
    int holder = c.broker > 0 && store_user_role(req_app(r)->store, c.broker, role) == TM_OK ?
                     vocab_find(&vocab_roles, role) : -1;
    if (c.broker > 0 && holder != USER_BROKER && holder != USER_ADMIN) {
        reply_invalid_field(r, "broker_id", "is not a broker's or admin's user id");
        return;
    }
    match m;
    int rc = store_match_edit(req_app(r)->store, req_param_id(r, 0), req_principal(r)->user_id, "match.assign", 0,
                              set_assignee, &c, &m);
    if (rc != TM_OK) {
        match_cleanup(&m); /* zeroed, or the match as it is */
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no match with this id" : NULL);
        return;
    }
    cJSON *out = match_json(req_app(r)->store, &m);
    add_detail(r, out, &m);
    match_cleanup(&m);
    reply_json(r, 200, out);
}

void api_matches_note(http_request *r)
{
    static const char *const names[] = { "text", NULL };
    const cJSON *body = req_json(r);
    if (!unknown_members_or_reply(r, body, names))
        return;
    const cJSON *member = cJSON_IsObject(body) ? cJSON_GetObjectItemCaseSensitive(body, "text") : NULL;
    const char *text = cJSON_GetStringValue(member);
    if (text == NULL || text[0] == '\0' || mt_utf8_length(text, strlen(text)) > LIM_NOTE) {
        char msg[96];
        snprintf(msg, sizeof msg, N_("must be a non-empty string of at most %d characters"), LIM_NOTE);
        reply_invalid_field(r, "text", msg);
        return;
    }
    int64_t id = 0;
    int rc = store_match_note_add(req_app(r)->store, req_param_id(r, 0), req_principal(r)->user_id, text, &id);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no match with this id" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", id);
    cJSON_AddStringToObject(out, "text", text);
    reply_json(r, 201, out);
}

void api_matches_history(http_request *r)
{
    match m;
    if (store_match_get(req_app(r)->store, req_param_id(r, 0), &m) != TM_OK) {
        reply_problem(r, 404, "no match with this id");
        return;
    }
    match_cleanup(&m);
    history_item *h = NULL;
    size_t n = 0;
    int rc = store_match_history(req_app(r)->store, req_param_id(r, 0), &h, &n);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "at", h[i].at);
        json_add_id_or_null(o, "user_id", h[i].user_id);
        cJSON_AddStringToObject(o, "who", h[i].user_id > 0 ? h[i].who : "system");
        cJSON_AddStringToObject(o, "action", h[i].action);
        cJSON *b = h[i].before ? cJSON_Parse(h[i].before) : NULL, *a = h[i].after ? cJSON_Parse(h[i].after) : NULL;
        cJSON_AddItemToObject(o, "before", b ? b : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "after", a ? a : cJSON_CreateNull());
        cJSON_AddItemToArray(items, o);
    }
    store_history_free(h, n);
    reply_json(r, 200, out);
}

static int has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return 1;
    return 0;
}

void api_matches_bulk(http_request *r)
{
    const cJSON *body = req_json(r);
    cJSON *errors = cJSON_CreateArray();
    const char *action = NULL;
    const cJSON *ids = NULL;
    move_ctx c = { lifecycle_move("reject"), NULL, NULL, NULL, -1 };
    static const char *const approve_names[] = { "action", "ids", NULL };
    static const char *const reject_names[] = { "action", "ids", "reason", "text", NULL };
    if (!cJSON_IsObject(body)) {
        json_error_add(errors, NULL, "the body must be a JSON object");
    } else {
        action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "action"));
        ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
        /* An approval takes no reason; a reject's reason and text are checked as a single reject's. */
        json_reject_unknown(body, action && strcmp(action, "approve") == 0 ? approve_names : reject_names, errors);
        if (action == NULL || (strcmp(action, "approve") != 0 && strcmp(action, "reject") != 0))
            json_error_add(errors, "action", "must be approve or reject");
        if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) < 1 || cJSON_GetArraySize(ids) > LIM_BULK)
            json_error_add(errors, "ids", "must be a list of 1 to %d match ids", LIM_BULK);
        for (const cJSON *x = ids ? ids->child : NULL; x && cJSON_IsArray(ids); x = x->next) {
            int64_t v;
            if (!json_get_int(x, 1, INT64_MAX, &v)) {
                json_error_add(errors, "ids", "must hold only match ids");
                break;
            }
        }
        if (action && strcmp(action, "reject") == 0)
            reason_members(body, &c, errors);
    }
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(out, "results");
    int approve = strcmp(action, "approve") == 0;
    int64_t *decided = xcalloc((size_t)cJSON_GetArraySize(ids), sizeof *decided);
    size_t ndecided = 0;
    for (const cJSON *x = ids->child; x; x = x->next) {
        int64_t id = 0, nid = 0;
        match m;
        (void)json_get_int(x, 1, INT64_MAX, &id); /* checked above */
        int rc = approve ? store_match_approve(req_app(r)->store, id, req_principal(r)->user_id, push_match_payload,
                                               NULL, &m, &nid)
                         : store_match_edit(req_app(r)->store, id, req_principal(r)->user_id, "match.reject", 1,
                                            apply_move, &c, &m);
        cJSON *o = cJSON_CreateObject();
        json_add_int(o, "id", id);
        if (rc == TM_OK || rc == TM_ERR_CONFLICT)
            cJSON_AddStringToObject(o, "status", m.status ? m.status : "");
        cJSON_AddStringToObject(o, "result", rc == TM_OK ? "done" : rc == TM_ERR_CONFLICT ? "conflict"
                                             : rc == TM_ERR_NOT_FOUND ? "not_found" : "error");
        if (rc == TM_OK && !has_id(decided, ndecided, m.demand_id))
            decided[ndecided++] = m.demand_id;
        match_cleanup(&m); /* filled, or zeroed */
        cJSON_AddItemToArray(results, o);
    }
    for (size_t i = 0; i < ndecided; i++) /* each decided demand re-ranked once, with all its decisions */
        rematch_decided(r, decided[i]);
    free(decided);
    reply_json(r, 200, out);
}

/* ---------- proposals (揭榜) ---------- */

/* Reads a listing id member; adds an error when it is missing or not an id. */
static int64_t id_member(const cJSON *body, const char *name, cJSON *errors)
{
    int64_t v = 0;
    if (!json_get_int(cJSON_GetObjectItemCaseSensitive(body, name), 1, INT64_MAX, &v))
        json_error_add(errors, name, "must be the id of a listing");
    return v;
}

/*
 * Replies 409 to a proposal of a pair that is already a match (m) further
 * along than a suggestion: its status only to a university that may see m,
 * to others nothing beyond that the pair cannot be proposed.
 */
static void reply_pair_taken(http_request *r, const match *m)
{
    char detail[160];
    if (access_match_visible(req_principal(r), m, listing_owner, req_app(r)->store))
        snprintf(detail, sizeof detail, N_("this pair is already a match that is %s"), m->status);
    else
        snprintf(detail, sizeof detail, N_("this pair is already in the matching pipeline and cannot be proposed"));
    reply_problem(r, 409, detail);
}

void api_matches_propose(http_request *r)
{
    const cJSON *body = req_json(r);
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    cJSON *errors = cJSON_CreateArray();
    int64_t did = id_member(body, "demand_id", errors), aid = id_member(body, "achievement_id", errors);
    const char *statement = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "statement"));
    if (statement == NULL || statement[0] == '\0' || mt_utf8_length(statement, strlen(statement)) > LIM_REASON_TEXT)
        json_error_add(errors, "statement", "must be a short statement (1 to %d characters)", LIM_REASON_TEXT);
    static const char *const names[] = { "demand_id", "achievement_id", "statement", NULL };
    json_reject_unknown(body, names, errors);
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    store *s = req_app(r)->store;
    listing *d = NULL, *a = NULL;
    match m;
    if (store_listing_get(s, LISTING_ACHIEVEMENT, aid, &a) != TM_OK || !access_owns_listing(req_principal(r), a)) {
        reply_invalid_field(r, "achievement_id", "is not an achievement of your organisation");
    } else if (store_listing_get(s, LISTING_DEMAND, did, &d) != TM_OK) {
        reply_invalid_field(r, "demand_id", "is not a demand");
    } else if (strcmp(d->status, "open") != 0 || strcmp(a->status, "open") != 0) {
        reply_problem(r, 409, strcmp(d->status, "open") != 0 ? "the demand is closed" : "the achievement is closed");
    } else {
        match_row pair = { did, aid, 0, 0, 0, NULL };
        char *why = NULL;
        int rc = matching_pair(req_app(r)->matching, d, a, &pair.score, &pair.k, &pair.f, &why);
        pair.explanation = why;
        if (rc == TM_OK)
            rc = store_match_propose(s, &pair, statement, req_principal(r)->user_id, &m);
        free(why);
        if (rc == TM_ERR_CONFLICT) {
            reply_pair_taken(r, &m);
            match_cleanup(&m);
        } else if (rc != TM_OK) {
            reply_status(r, rc, NULL);
        } else {
            cJSON *out = match_json(s, &m);
            json_add_string_or_null(out, "statement", m.statement);
            match_cleanup(&m);
            reply_json(r, 201, out);
        }
    }
    listing_free(d);
    listing_free(a);
}
