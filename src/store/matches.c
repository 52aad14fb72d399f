/*
 * matches.c: stored matches (see store.h, "matching"): recording and
 * withdrawing the matcher's suggestions, approval and push, the digests, the
 * policy, and the match list.  The decisions that follow (edits, notes,
 * history, proposals) are in pipeline.c.
 */
#include "store_int.h"
#include "limits.h"
#include "mem.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A match's columns, in the order match_row_read reads them. */
#define MATCH_COLS "m.id, m.demand_id, m.achievement_id, m.score, m.k, m.f, m.explanation, m.status, m.origin," \
                   " m.created_at, m.updated_at, m.reason, m.reason_text, coalesce(m.assigned_to, 0)," \
                   " coalesce(m.deal_amount, -1), m.transfer_mode, m.statement, m.introduced_at"

void match_cleanup(match *m)
{
    free(m->explanation);
    free(m->status);
    free(m->origin);
    free(m->created_at);
    free(m->updated_at);
    free(m->reason);
    free(m->reason_text);
    free(m->transfer_mode);
    free(m->statement);
    free(m->introduced_at);
    memset(m, 0, sizeof *m);
}

/* Reads the MATCH_COLS columns into m. */
static void match_row_read(sqlite3_stmt *st, match *m)
{
    m->id = sqlite3_column_int64(st, 0);
    m->demand_id = sqlite3_column_int64(st, 1);
    m->achievement_id = sqlite3_column_int64(st, 2);
    m->score = sqlite3_column_double(st, 3);
    m->k = sqlite3_column_double(st, 4);
    m->f = sqlite3_column_double(st, 5);
    m->explanation = st_col_dup(st, 6);
    m->status = st_col_dup(st, 7);
    m->origin = st_col_dup(st, 8);
    m->created_at = st_col_dup(st, 9);
    m->updated_at = st_col_dup(st, 10);
    m->reason = st_col_dup(st, 11);
    m->reason_text = st_col_dup(st, 12);
    m->assigned_to = sqlite3_column_int64(st, 13);
    m->deal_amount = sqlite3_column_int64(st, 14);
    m->transfer_mode = st_col_dup(st, 15);
    m->statement = st_col_dup(st, 16);
    m->introduced_at = st_col_dup(st, 17);
}

static int match_one_row(void *ctx, sqlite3_stmt *row)
{
    match_row_read(row, ctx);
    return TM_OK;
}

static st_sql SQL_MATCH_GET = ST_SQL("SELECT " MATCH_COLS " FROM matches m WHERE m.id = ?1");

int sx_match_get_in(conn *c, int64_t id, match *out)
{
    memset(out, 0, sizeof *out);
    return st_one(c, &SQL_MATCH_GET, ST_ARGS(A_INT(id)), match_one_row, out, "get match");
}

/* ---------- the policy ---------- */

static st_sql SQL_POLICY_GET = ST_SQL("SELECT p.suggest_threshold, p.auto_approve_score, coalesce(p.updated_by, 0),"
                                      " p.updated_at, coalesce(u.display_name, '') FROM policy p"
                                      " LEFT JOIN users u ON u.id = p.updated_by WHERE p.id = 1");
static st_sql SQL_POLICY_SET = ST_SQL("UPDATE policy SET suggest_threshold = ?1, auto_approve_score = ?2,"
                                      " updated_by = ?3, updated_at = " ST_NOW " WHERE id = 1");

static int policy_row(void *ctx, sqlite3_stmt *row)
{
    policy *out = ctx;
    out->suggest_threshold = sqlite3_column_double(row, 0);
    out->auto_approve = sqlite3_column_type(row, 1) != SQLITE_NULL;
    out->auto_approve_score = out->auto_approve ? sqlite3_column_double(row, 1) : 0;
    out->updated_by = sqlite3_column_int64(row, 2);
    st_col_copy(out->updated_at, sizeof out->updated_at, row, 3);
    st_col_copy(out->updated_by_name, sizeof out->updated_by_name, row, 4);
    return TM_OK;
}

int sx_policy_in(conn *c, policy *out)
{
    memset(out, 0, sizeof *out);
    int status = st_one(c, &SQL_POLICY_GET, ST_NO_ARGS, policy_row, out, "policy");
    if (status == TM_ERR_NOT_FOUND)
        status = st_error(c, "policy (no row)");
    return status;
}

int store_policy_get(store *s, policy *out)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_policy_in(c, out);
    st_release(s, c);
    return status;
}

cJSON *store_policy_json(const policy *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "suggest_threshold", p->suggest_threshold);
    if (p->auto_approve)
        cJSON_AddNumberToObject(o, "auto_approve_score", p->auto_approve_score);
    else
        cJSON_AddNullToObject(o, "auto_approve_score");
    return o;
}

int store_policy_set(store *s, const policy *p, int64_t actor_user_id)
{
    policy before;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_policy_in(c, &before);
    if (status == TM_OK)
        status = st_run(c, &SQL_POLICY_SET, ST_ARGS(A_DBL(p->suggest_threshold),
                                                    p->auto_approve ? A_DBL(p->auto_approve_score) : A_NULL,
                                                    A_ID(actor_user_id)), "set policy");
    if (status == TM_OK) {
        cJSON *b = store_policy_json(&before), *a = store_policy_json(p);
        status = sx_audit_row(c, actor_user_id, "policy.update", "policy", 1, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    return st_write_end(s, c, status);
}

/* ---------- approval and push ---------- */

static st_sql SQL_MATCH_APPROVED = ST_SQL("UPDATE matches SET status = 'approved', reviewed_by = ?2, reviewed_at = "
                                          ST_NOW ", updated_at = " ST_NOW " WHERE id = ?1 AND status = 'suggested'");
static st_sql SQL_MATCH_PUSHED = ST_SQL("UPDATE matches SET status = 'pushed', pushed_at = " ST_NOW ", updated_at = "
                                        ST_NOW " WHERE id = ?1 AND status = 'approved'");

int sx_push_in(conn *c, int64_t org_id, const match *ms, size_t n, push_payload_fn payload, void *ctx,
               int64_t *notification_id)
{
    listing **d = xcalloc(n, sizeof *d), **a = xcalloc(n, sizeof *a);
    int status = TM_OK;
    for (size_t i = 0; i < n && status == TM_OK; i++) {
        status = sx_listing_get_in(c, LISTING_DEMAND, ms[i].demand_id, &d[i]);
        if (status == TM_OK)
            status = sx_listing_get_in(c, LISTING_ACHIEVEMENT, ms[i].achievement_id, &a[i]);
    }
    const char *type = NULL;
    char *body = status == TM_OK ? payload(ctx, ms, (const listing *const *)d, (const listing *const *)a, n, &type)
                                 : NULL;
    if (status == TM_OK && body == NULL)
        status = TM_ERR_INTERNAL;
    if (status == TM_OK)
        status = sx_notification_insert(c, org_id, type, body, notification_id);
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = st_run(c, &SQL_MATCH_PUSHED, ST_ARGS(A_INT(ms[i].id)), "mark pushed");
    free(body);
    for (size_t i = 0; i < n; i++) {
        listing_free(d[i]);
        listing_free(a[i]);
    }
    free(d);
    free(a);
    return status;
}

/* Approves suggestion m (read in this transaction) and pushes it when its organisation takes it now. */
static int approve_in(conn *c, match *m, int64_t actor, push_payload_fn payload, void *ctx, int64_t *nid)
{
    listing *d = NULL;
    subscription sub;
    *nid = 0;
    int status = st_run(c, &SQL_MATCH_APPROVED, ST_ARGS(A_INT(m->id), A_ID(actor)), "approve match");
    if (status == TM_OK)
        status = sx_listing_get_in(c, LISTING_DEMAND, m->demand_id, &d);
    if (status == TM_OK)
        status = sx_subscription_in(c, d->org_id, &sub);
    if (status == TM_OK && !sub.digest && m->score >= sub.min_score)
        status = sx_push_in(c, d->org_id, m, 1, payload, ctx, nid);
    if (status == TM_OK) {
        cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "status", "suggested");
        cJSON_AddStringToObject(a, "status", *nid ? "pushed" : "approved");
        status = sx_audit_row(c, actor, actor > 0 ? "match.approve" : "match.auto_approve", "match", m->id, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    if (status == TM_OK) {
        free(m->status);
        m->status = xstrdup(*nid ? "pushed" : "approved");
    }
    listing_free(d);
    return status;
}

int store_match_approve(store *s, int64_t id, int64_t actor_user_id, push_payload_fn payload, void *payload_ctx,
                        match *out, int64_t *notification_id)
{
    *notification_id = 0;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_match_get_in(c, id, out);
    if (status == TM_OK && strcmp(out->status, "suggested") != 0)
        status = TM_ERR_CONFLICT;
    if (status == TM_OK)
        status = approve_in(c, out, actor_user_id, payload, payload_ctx, notification_id);
    status = st_write_end(s, c, status);
    if (status != TM_OK && status != TM_ERR_CONFLICT)
        match_cleanup(out);
    return status;
}

/* ---------- recording and withdrawing suggestions ---------- */

/* ?2 = 1: proposals too (the listing closed); 0: the matcher's own suggestions (it is re-matched) */
static st_sql SQL_WITHDRAW[2] = {
    ST_SQL("UPDATE matches SET status = 'withdrawn', updated_at = " ST_NOW
           " WHERE demand_id = ?1 AND status = 'suggested' AND (?2 OR origin = 'matcher')"),
    ST_SQL("UPDATE matches SET status = 'withdrawn', updated_at = " ST_NOW
           " WHERE achievement_id = ?1 AND status = 'suggested' AND (?2 OR origin = 'matcher')"),
};
/* Only while both listings are open: a listing closed after its pair was scored is not suggested again. */
static st_sql SQL_MATCH_UPSERT = ST_SQL("INSERT INTO matches(demand_id, achievement_id, score, k, f, explanation)"
                                        " SELECT ?1, ?2, ?3, ?4, ?5, ?6"
                                        " WHERE EXISTS (SELECT 1 FROM demands WHERE id = ?1 AND status = 'open')"
                                        " AND EXISTS (SELECT 1 FROM achievements WHERE id = ?2 AND status = 'open')"
                                        " ON CONFLICT(demand_id, achievement_id) DO UPDATE SET score = excluded.score,"
                                        " k = excluded.k, f = excluded.f, explanation = excluded.explanation,"
                                        " status = CASE WHEN matches.status IN ('suggested', 'withdrawn')"
                                        " THEN 'suggested' ELSE matches.status END, updated_at = " ST_NOW
                                        " RETURNING id, status");

static int withdraw_in(conn *c, listing_kind kind, int64_t id, int proposals_too)
{
    return st_run(c, &SQL_WITHDRAW[kind], ST_ARGS(A_INT(id), A_INT(proposals_too)), "withdraw matches");
}

/* The RETURNING row of SQL_MATCH_UPSERT. */
typedef struct upserted {
    int64_t id;
    int suggested;
} upserted;

static int upserted_row(void *ctx, sqlite3_stmt *row)
{
    upserted *u = ctx;
    const char *status = st_col_text(row, 1);
    u->id = sqlite3_column_int64(row, 0);
    u->suggested = status && strcmp(status, "suggested") == 0;
    return TM_OK;
}

/* Records one scored pair, approving it at once when the policy says so. */
static int record_in(conn *c, const policy *pol, const match_row *r, push_payload_fn payload, void *ctx)
{
    upserted u = { 0, 0 };
    int status = st_one(c, &SQL_MATCH_UPSERT, ST_ARGS(A_INT(r->demand_id), A_INT(r->achievement_id), A_DBL(r->score),
                                                      A_DBL(r->k), A_DBL(r->f), A_TEXT(r->explanation)),
                        upserted_row, &u, "record match");
    if (status == TM_ERR_NOT_FOUND) /* a listing closed since the pair was scored: nothing to record */
        return TM_OK;
    if (status == TM_OK && u.suggested && pol->auto_approve && r->score >= pol->auto_approve_score) {
        match m;
        int64_t nid;
        status = sx_match_get_in(c, u.id, &m);
        if (status == TM_OK)
            status = approve_in(c, &m, 0, payload, ctx, &nid);
        match_cleanup(&m);
    }
    return status;
}

int store_matches_record(store *s, listing_kind kind, int64_t id, const match_row *rows, size_t n,
                         push_payload_fn payload, void *payload_ctx)
{
    policy pol;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = withdraw_in(c, kind, id, 0);
    if (status == TM_OK)
        status = sx_queue_in(c, kind, id, 0);
    if (status == TM_OK)
        status = sx_policy_in(c, &pol);
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = record_in(c, &pol, &rows[i], payload, payload_ctx);
    return st_write_end(s, c, status);
}

int store_matches_withdraw(store *s, listing_kind kind, int64_t id)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = withdraw_in(c, kind, id, 1);
    if (status == TM_OK)
        status = sx_queue_in(c, kind, id, 0);
    return st_write_end(s, c, status);
}

/* ---------- brokers' decisions, for the matcher ---------- */

/* A broker's decision has a reviewer (an approval by the policy's auto-approve score has none: it is no judgement). */
static st_sql SQL_MATCH_DECISIONS = ST_SQL("SELECT achievement_id, status = 'rejected' FROM matches"
                                           " WHERE demand_id = ?1 AND reviewed_by IS NOT NULL AND status IN"
                                           " ('approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deal',"
                                           " 'rejected') ORDER BY updated_at DESC, id DESC LIMIT ?2");

typedef struct decision_vecs {
    st_vec approved, rejected;
} decision_vecs;

static int match_decision_row(void *ctx, sqlite3_stmt *row)
{
    decision_vecs *v = ctx;
    *(int64_t *)st_vec_push(sqlite3_column_int(row, 1) ? &v->rejected : &v->approved) = sqlite3_column_int64(row, 0);
    return TM_OK;
}

int store_match_decisions(store *s, int64_t demand_id, match_decisions *out)
{
    memset(out, 0, sizeof *out);
    decision_vecs v = { ST_VEC(&out->approved, &out->napproved), ST_VEC(&out->rejected, &out->nrejected) };
    return st_read(s, &SQL_MATCH_DECISIONS, ST_ARGS(A_INT(demand_id), A_INT(MATCH_DECISIONS_MAX)), match_decision_row,
                   &v, "match decisions");
}

void match_decisions_cleanup(match_decisions *d)
{
    free(d->approved);
    free(d->rejected);
    memset(d, 0, sizeof *d);
}

/* ---------- digests ---------- */

/* ?1: digests last sent at or before this (Unix seconds) are due */
static st_sql SQL_DIGEST_DUE = ST_SQL("SELECT s.org_id, s.min_score FROM subscriptions s WHERE s.mode = 'digest'"
                                      " AND s.last_digest_at <= ?1"
                                      " AND EXISTS (SELECT 1 FROM matches m JOIN demands d ON d.id = m.demand_id"
                                      " WHERE d.org_id = s.org_id AND m.status = 'approved'"
                                      " AND m.score >= s.min_score)");
static st_sql SQL_DIGEST_MATCHES = ST_SQL("SELECT m.id FROM matches m JOIN demands d ON d.id = m.demand_id"
                                          " WHERE d.org_id = ?1 AND m.status = 'approved' AND m.score >= ?2"
                                          " ORDER BY m.score DESC, m.id LIMIT ?3");
static st_sql SQL_DIGEST_DONE = ST_SQL("UPDATE subscriptions SET last_digest_at = ?2 WHERE org_id = ?1");

/* The ids of a digest's matches: at most LIM_DIGEST_MATCHES. */
typedef struct digest_ids {
    int64_t *ids;
    size_t n;
} digest_ids;

static int digest_id_row(void *ctx, sqlite3_stmt *row)
{
    digest_ids *d = ctx;
    if (d->n == LIM_DIGEST_MATCHES)
        return ST_STOP;
    d->ids[d->n++] = sqlite3_column_int64(row, 0);
    return TM_OK;
}

/* Sends one organisation's digest (its approved matches waiting, best first). */
static int digest_one(store *s, int64_t org_id, double min_score, int64_t now, push_payload_fn payload, void *ctx,
                      size_t *sent)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    match *ms = xcalloc(LIM_DIGEST_MATCHES, sizeof *ms);
    digest_ids d = { xcalloc(LIM_DIGEST_MATCHES, sizeof *d.ids), 0 };
    int status = st_query(c, &SQL_DIGEST_MATCHES, ST_ARGS(A_INT(org_id), A_DBL(min_score), A_INT(LIM_DIGEST_MATCHES)),
                          digest_id_row, &d, "digest matches");
    for (size_t i = 0; i < d.n && status == TM_OK; i++)
        status = sx_match_get_in(c, d.ids[i], &ms[i]);
    int64_t nid = 0;
    if (status == TM_OK && d.n > 0)
        status = sx_push_in(c, org_id, ms, d.n, payload, ctx, &nid);
    if (status == TM_OK)
        status = st_run(c, &SQL_DIGEST_DONE, ST_ARGS(A_INT(org_id), A_INT(now)), "digest sent");
    for (size_t i = 0; i < d.n; i++)
        match_cleanup(&ms[i]);
    free(ms);
    free(d.ids);
    status = st_write_end(s, c, status);
    if (status == TM_OK && d.n > 0)
        (*sent)++;
    return status;
}

/* At most DIGEST_ORGS organisations a run; the next run takes the rest. */
#define DIGEST_ORGS 64

typedef struct due_orgs {
    int64_t orgs[DIGEST_ORGS];
    double mins[DIGEST_ORGS];
    size_t n;
} due_orgs;

static int due_org_row(void *ctx, sqlite3_stmt *row)
{
    due_orgs *d = ctx;
    if (d->n == DIGEST_ORGS)
        return ST_STOP;
    d->orgs[d->n] = sqlite3_column_int64(row, 0);
    d->mins[d->n] = sqlite3_column_double(row, 1);
    d->n++;
    return TM_OK;
}

int store_digests_run(store *s, int64_t now, int64_t period, push_payload_fn payload, void *payload_ctx,
                      size_t *sent)
{
    due_orgs d;
    d.n = 0;
    *sent = 0;
    int status = st_read(s, &SQL_DIGEST_DUE, ST_ARGS(A_INT(now - period)), due_org_row, &d, "digests due");
    for (size_t i = 0; i < d.n && status == TM_OK; i++)
        status = digest_one(s, d.orgs[i], d.mins[i], now, payload, payload_ctx, sent);
    return status;
}

/* ---------- the match list ---------- */

/* ?1 status, ?2..?3 field range, ?4..?5 score range, ?6 days, ?7..?8 cursor, ?9 limit, ?10 demand,
 * ?11 achievement, ?12 region prefix, ?13 assignee (0: nobody), ?14 origin */
#define MATCH_LIST_WHERE \
    " WHERE (?1 IS NULL OR m.status = ?1)" \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM demand_fields df WHERE df.demand_id = m.demand_id" \
    " AND df.code >= ?2 AND df.code < ?3) OR EXISTS (SELECT 1 FROM achievement_fields af" \
    " WHERE af.achievement_id = m.achievement_id AND af.code >= ?2 AND af.code < ?3))" \
    " AND m.score >= ?4 AND m.score <= ?5" \
    " AND (?6 IS NULL OR m.created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ?6 || ' days'))" \
    " AND (?7 IS NULL OR m.score < ?7 OR (m.score = ?7 AND m.id < ?8))" \
    " AND (?10 IS NULL OR m.demand_id = ?10) AND (?11 IS NULL OR m.achievement_id = ?11)" \
    " AND (?12 IS NULL OR EXISTS (SELECT 1 FROM demands d WHERE d.id = m.demand_id" \
    " AND substr(d.region, 1, length(?12)) = ?12) OR EXISTS (SELECT 1 FROM achievements a" \
    " WHERE a.id = m.achievement_id AND substr(a.region, 1, length(?12)) = ?12))" \
    " AND (?13 IS NULL OR (?13 = 0 AND m.assigned_to IS NULL) OR m.assigned_to = ?13)" \
    " AND (?14 IS NULL OR m.origin = ?14)"

static st_sql SQL_MATCH_LIST = ST_SQL(
    "SELECT " MATCH_COLS " FROM matches m" MATCH_LIST_WHERE
    " ORDER BY m.score DESC, m.id DESC LIMIT ?9");

/* The same filter counted over all pages (?7..?8 NULL, ?9 unused). */
static st_sql SQL_MATCH_COUNT = ST_SQL("SELECT count(*) FROM matches m" MATCH_LIST_WHERE);

void store_match_page_cleanup(match_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        match_cleanup(&p->items[i]);
    free(p->items);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

/* Rows of a match page: at most limit, and whether a further row exists. */
typedef struct match_page_ctx {
    match_page *page;
    size_t limit;
    int more;
} match_page_ctx;

static int match_page_row(void *ctx, sqlite3_stmt *row)
{
    match_page_ctx *p = ctx;
    if (p->page->n == p->limit) {
        p->more = 1;
        return ST_STOP;
    }
    match_row_read(row, &p->page->items[p->page->n++]);
    return TM_OK;
}

/* Parses a match list cursor "<score>:<id>"; returns 1 if valid. */
static int parse_match_cursor(const char *cursor, double *score, int64_t *id)
{
    const char *end = NULL;
    if (parse_double_prefix(cursor, -1e300, 1e300, score, &end) != TM_OK || *end != ':')
        return 0;
    return parse_int64(end + 1, 1, INT64_MAX, id) == TM_OK;
}

int store_match_list(store *s, const match_filter *f, match_page *out)
{
    double cur_score = 0;
    int64_t cur_id = 0;
    char upper[32];
    int has_field = f->field_prefix && f->field_prefix[0];
    memset(out, 0, sizeof *out);
    if (f->cursor && !parse_match_cursor(f->cursor, &cur_score, &cur_id))
        return TM_ERR_INVALID;
    if (has_field) {
        size_t n = strlen(f->field_prefix);
        snprintf(upper, sizeof upper, "%s", f->field_prefix);
        if (n < sizeof upper)
            upper[n - 1] = (char)(upper[n - 1] + 1);
    }
    out->items = xcalloc(f->limit + 1, sizeof *out->items);
    out->total = -1;
    match_page_ctx p = { out, f->limit, 0 };
    st_arg args[] = { A_TEXT(f->status), has_field ? A_TEXT(f->field_prefix) : A_NULL,
                      has_field ? A_TEXT(upper) : A_NULL, A_DBL(f->min_score), A_DBL(f->max_score),
                      f->max_age_days > 0 ? A_INT(f->max_age_days) : A_NULL,
                      f->cursor ? A_DBL(cur_score) : A_NULL, f->cursor ? A_INT(cur_id) : A_NULL,
                      A_INT((int64_t)f->limit + 1), A_ID(f->demand_id), A_ID(f->achievement_id),
                      f->region_prefix && f->region_prefix[0] ? A_TEXT(f->region_prefix) : A_NULL,
                      f->assigned_to >= 0 ? A_INT(f->assigned_to) : A_NULL, A_TEXT(f->origin) };
    size_t nargs = sizeof args / sizeof args[0];
    int status = st_read(s, &SQL_MATCH_LIST, args, nargs, match_page_row, &p, "list matches");
    if (status == TM_OK && f->with_total) {
        args[6] = A_NULL; /* every page: no cursor */
        args[7] = A_NULL;
        status = st_read_int(s, &SQL_MATCH_COUNT, args, nargs, &out->total, "count matches");
    }
    if (status == TM_OK && p.more) {
        char buf[64];
        const match *last = &out->items[out->n - 1];
        snprintf(buf, sizeof buf, "%.17g:%lld", last->score, (long long)last->id);
        out->next_cursor = xstrdup(buf);
    }
    if (status != TM_OK)
        store_match_page_cleanup(out);
    return status;
}
