/*
 * stats.c: the statistics of the admin's dashboard and the export of every
 * decision (see store.h, "statistics and the decisions export").  All of
 * store_stats is read in one read transaction, and any failing query fails
 * the whole call: partial figures are never returned.
 */
#include "store_int.h"
#include <stdlib.h>
#include <string.h>

/* Whether a match has an audit row of one of these actions (a SQL list). */
#define DID(actions) "EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'match' AND a.entity_id = m.id" \
                     " AND a.action IN (" actions "))"
/* The funnel's seven counts over the matches m of a query. */
#define FUNNEL_SUMS "count(*), sum(" DID("'match.approve', 'match.auto_approve'") "), sum(m.pushed_at IS NOT NULL)," \
                    " sum(" DID("'match.view', 'match.interested', 'match.declined'") ")," \
                    " sum(" DID("'match.interested'") "), sum(m.introduced_at IS NOT NULL), sum(m.status = 'deal')"

static st_sql SQL_STATS_ALL = ST_SQL("SELECT '', " FUNNEL_SUMS " FROM matches m");
static st_sql SQL_STATS_FIELD = ST_SQL("SELECT df.code, " FUNNEL_SUMS " FROM matches m"
                                       " JOIN demand_fields df ON df.demand_id = m.demand_id"
                                       " GROUP BY df.code ORDER BY df.code");
static st_sql SQL_STATS_MONTH = ST_SQL("SELECT substr(m.created_at, 1, 7), " FUNNEL_SUMS " FROM matches m"
                                       " GROUP BY 1 ORDER BY 1");
static st_sql SQL_STATS_REASONS = ST_SQL("SELECT status, reason, count(*) FROM matches WHERE reason IS NOT NULL"
                                         " AND status IN ('rejected', 'declined', 'closed')"
                                         " GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2");
static st_sql SQL_STATS_PUSH_HOURS = ST_SQL("SELECT (julianday(min(m.pushed_at)) - julianday(d.created_at)) * 24"
                                            " FROM matches m JOIN demands d ON d.id = m.demand_id"
                                            " WHERE m.pushed_at IS NOT NULL GROUP BY d.id");
static st_sql SQL_STATS_WORKLOAD = ST_SQL("SELECT u.id, u.display_name, count(m.id) FROM users u"
                                          " LEFT JOIN matches m ON m.assigned_to = u.id"
                                          " AND m.status IN ('suggested', 'approved', 'pushed', 'viewed',"
                                          " 'interested', 'in_talks')"
                                          " WHERE u.role = 'broker' GROUP BY u.id ORDER BY u.id");
/* 0 approved, 1 rejected; the score's tenth (0..9); the count */
static st_sql SQL_STATS_SCORES = ST_SQL("SELECT m.status = 'rejected', min(9, CAST(m.score * 10 AS INTEGER)), count(*)"
                                        " FROM matches m WHERE m.status = 'rejected' OR "
                                        DID("'match.approve', 'match.auto_approve'") " GROUP BY 1, 2");
static st_sql SQL_STATS_DEALS = ST_SQL("SELECT count(*), coalesce(sum(deal_amount), 0) FROM matches"
                                       " WHERE status = 'deal'");

void store_stats_cleanup(stats *st)
{
    free(st->by_field);
    free(st->by_month);
    free(st->reasons);
    free(st->workload);
    free(st->hours_to_push);
    memset(st, 0, sizeof *st);
}

static void funnel_read(sqlite3_stmt *row, funnel_row *f)
{
    st_col_copy(f->key, sizeof f->key, row, 0);
    for (int k = 0; k < FUNNEL_STAGES; k++)
        f->n[k] = sqlite3_column_int64(row, 1 + k);
}

static int funnel_one_row(void *ctx, sqlite3_stmt *row)
{
    funnel_read(row, ctx);
    return TM_OK;
}

static int funnel_list_row(void *ctx, sqlite3_stmt *row)
{
    funnel_read(row, st_vec_push(ctx));
    return TM_OK;
}

static int reason_row(void *ctx, sqlite3_stmt *row)
{
    count_row *x = st_vec_push(ctx);
    st_col_copy(x->kind, sizeof x->kind, row, 0);
    st_col_copy(x->reason, sizeof x->reason, row, 1);
    x->n = sqlite3_column_int64(row, 2);
    return TM_OK;
}

static int hours_row(void *ctx, sqlite3_stmt *row)
{
    *(double *)st_vec_push(ctx) = sqlite3_column_double(row, 0);
    return TM_OK;
}

static int workload_row_read(void *ctx, sqlite3_stmt *row)
{
    workload_row *x = st_vec_push(ctx);
    x->user_id = sqlite3_column_int64(row, 0);
    st_col_copy(x->name, sizeof x->name, row, 1);
    x->open = sqlite3_column_int64(row, 2);
    return TM_OK;
}

static int scores_row(void *ctx, sqlite3_stmt *row)
{
    stats *out = ctx;
    int tenth = sqlite3_column_int(row, 1);
    if (tenth < 0 || tenth > 9)
        return TM_OK;
    if (sqlite3_column_int(row, 0))
        out->rejected_scores[tenth] = sqlite3_column_int64(row, 2);
    else
        out->approved_scores[tenth] = sqlite3_column_int64(row, 2);
    return TM_OK;
}

static int deals_row(void *ctx, sqlite3_stmt *row)
{
    stats *out = ctx;
    out->deals = sqlite3_column_int64(row, 0);
    out->deal_amount = sqlite3_column_int64(row, 1);
    return TM_OK;
}

/* Every query of the statistics on c, stopping at the first that fails. */
static int stats_in(conn *c, stats *out)
{
    st_vec fields = ST_VEC(&out->by_field, &out->nfield), months = ST_VEC(&out->by_month, &out->nmonth);
    st_vec reasons = ST_VEC(&out->reasons, &out->nreasons), hours = ST_VEC(&out->hours_to_push, &out->npushed);
    st_vec workload = ST_VEC(&out->workload, &out->nworkload);
    int status = st_one(c, &SQL_STATS_ALL, ST_NO_ARGS, funnel_one_row, &out->overall, "funnel");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_FIELD, ST_NO_ARGS, funnel_list_row, &fields, "funnel by field");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_MONTH, ST_NO_ARGS, funnel_list_row, &months, "funnel by month");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_REASONS, ST_NO_ARGS, reason_row, &reasons, "reasons");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_PUSH_HOURS, ST_NO_ARGS, hours_row, &hours, "hours to push");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_WORKLOAD, ST_NO_ARGS, workload_row_read, &workload, "workload");
    if (status == TM_OK)
        status = st_query(c, &SQL_STATS_SCORES, ST_NO_ARGS, scores_row, out, "scores");
    if (status == TM_OK)
        status = st_one(c, &SQL_STATS_DEALS, ST_NO_ARGS, deals_row, out, "deals");
    return status == TM_ERR_NOT_FOUND ? st_error(c, "statistics (an aggregate gave no row)") : status;
}

int store_stats(store *s, stats *out)
{
    memset(out, 0, sizeof *out);
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    /* One read transaction, so every figure describes the same moment. */
    int status = st_exec_sql(c->db, "BEGIN");
    if (status == TM_OK) {
        status = stats_in(c, out);
        (void)st_exec_sql(c->db, "COMMIT"); /* a read transaction: nothing to lose if it fails (logged) */
    }
    st_release(s, c);
    if (status != TM_OK)
        store_stats_cleanup(out);
    return status;
}

/* ---------- the decisions export ---------- */

static st_sql SQL_DECISIONS = ST_SQL("SELECT a.at, a.action, json_extract(a.after, '$.status'),"
                                     " json_extract(a.after, '$.reason'), json_extract(a.after, '$.reason_text'),"
                                     " m.origin, m.id, coalesce(a.user_id, 0), m.demand_id, m.achievement_id,"
                                     " m.score, m.k, m.f FROM audit_log a JOIN matches m ON m.id = a.entity_id"
                                     " WHERE a.entity = 'match' AND a.action IN ('match.approve', 'match.auto_approve',"
                                     " 'match.reject', 'match.interested', 'match.declined', 'match.in_talks',"
                                     " 'match.deal', 'match.close') ORDER BY a.id");

typedef struct decisions_ctx {
    int (*fn)(void *ctx, const decision_row *d);
    void *ctx;
} decisions_ctx;

static int decision_row_read(void *ctx, sqlite3_stmt *row)
{
    decisions_ctx *x = ctx;
    decision_row d = { st_col_text(row, 0), st_col_text(row, 1), st_col_text(row, 2),
                       st_col_text(row, 3), st_col_text(row, 4), st_col_text(row, 5),
                       sqlite3_column_int64(row, 6), sqlite3_column_int64(row, 7), sqlite3_column_int64(row, 8),
                       sqlite3_column_int64(row, 9), sqlite3_column_double(row, 10), sqlite3_column_double(row, 11),
                       sqlite3_column_double(row, 12) };
    return x->fn(x->ctx, &d);
}

int store_decisions_each(store *s, int (*fn)(void *ctx, const decision_row *d), void *ctx)
{
    decisions_ctx x = { fn, ctx };
    return st_read(s, &SQL_DECISIONS, ST_NO_ARGS, decision_row_read, &x, "decisions");
}

/* ---------- the queue's figures ---------- */

/* The review decisions since ?1, read from the index audit_review_at alone (schema 009: the same action list). */
#define REVIEW_DECISIONS " FROM audit_log WHERE action IN ('match.approve', 'match.reject')" \
                         " AND at >= strftime('%Y-%m-%dT%H:%M:%SZ', ?1)"
static st_sql SQL_QUEUE_FIGURES = ST_SQL("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1),"
                                         " (SELECT count(*) FROM matches WHERE status = 'suggested'),"
                                         " (SELECT id FROM matches WHERE status = 'suggested'"
                                         " ORDER BY created_at, id LIMIT 1),"
                                         " (SELECT count(*)" REVIEW_DECISIONS "),"
                                         " (SELECT count(*)" REVIEW_DECISIONS " AND user_id = ?2)");

static int queue_figures_row(void *ctx, sqlite3_stmt *row)
{
    queue_figures *q = ctx;
    if (sqlite3_column_type(row, 0) == SQLITE_NULL)
        return TM_ERR_INVALID;
    st_col_copy(q->since, sizeof q->since, row, 0);
    q->waiting = sqlite3_column_int64(row, 1);
    q->oldest_id = sqlite3_column_int64(row, 2);
    q->decisions = sqlite3_column_int64(row, 3);
    q->mine = sqlite3_column_int64(row, 4);
    return 0;
}

int store_queue_figures(store *s, const char *since, int64_t user_id, queue_figures *out)
{
    memset(out, 0, sizeof *out);
    return st_read_one(s, &SQL_QUEUE_FIGURES, ST_ARGS(A_TEXT(since), A_INT(user_id)), queue_figures_row, out,
                       "queue figures");
}
