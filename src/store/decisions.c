/*
 * decisions.c: what brokers decided about scored pairs, for the decisions
 * report (see store.h, "the decisions report"): each match's latest review
 * decision with its score and reason, and the same decisions counted by the
 * demand's field.  A file of its own rather than part of matches.c (which
 * records suggestions) or stats.c (the dashboard's funnel): it reads the
 * audit log's review rows, and its one caller is the report (decisions_report.h),
 * which turns the rows into bands, precision and a suggested threshold.
 */
#include "store_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The latest review decision of each match decided at or after ?1 (UTC text as audit_log.at holds it, or
 * NULL: every decision), of demands with a field code in [?2, ?3) (NULL: every demand).  A match approved and
 * then rejected counts as rejected; the policy's auto-approvals are not a broker's judgment and do not count.
 * (Grouping the review rows by match once is faster than a correlated max per row: 0.06 s against 0.10 s for
 * 100,000 decisions.)
 */
#define LATEST_DECISIONS \
    "WITH latest AS (SELECT max(id) AS id FROM audit_log WHERE entity = 'match'" \
    " AND action IN ('match.approve', 'match.reject') GROUP BY entity_id)," \
    " d AS (SELECT m.id, m.demand_id, m.score, a.action = 'match.approve' AS approved," \
    " coalesce(json_extract(a.after, '$.reason'), '') AS reason" \
    " FROM latest JOIN audit_log a ON a.id = latest.id JOIN matches m ON m.id = a.entity_id" \
    " WHERE (?1 IS NULL OR a.at >= ?1)" \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM demand_fields df WHERE df.demand_id = m.demand_id" \
    " AND df.code >= ?2 AND df.code < ?3))) "

static st_sql SQL_SINCE_UTC = ST_SQL("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1)");
static st_sql SQL_DECIDED = ST_SQL(LATEST_DECISIONS "SELECT score, approved, reason FROM d ORDER BY score DESC, id");
/* ?4: the length of a group's code (1 a section, 3 a division) */
static st_sql SQL_DECIDED_BY_FIELD = ST_SQL(LATEST_DECISIONS
                                            "SELECT coalesce(g.code, ''), sum(d.approved), sum(1 - d.approved) FROM d"
                                            " LEFT JOIN (SELECT DISTINCT demand_id, substr(code, 1, ?4) AS code"
                                            " FROM demand_fields WHERE ?2 IS NULL OR (code >= ?2 AND code < ?3)) g"
                                            " ON g.demand_id = d.demand_id GROUP BY 1 ORDER BY 1");

void store_review_decisions_cleanup(review_decisions *d)
{
    free(d->items);
    free(d->fields);
    memset(d, 0, sizeof *d);
}

static int since_row(void *ctx, sqlite3_stmt *row)
{
    review_decisions *out = ctx;
    if (sqlite3_column_type(row, 0) == SQLITE_NULL)
        return TM_ERR_INVALID;
    st_col_copy(out->since, sizeof out->since, row, 0);
    return TM_OK;
}

static int decided_row(void *ctx, sqlite3_stmt *row)
{
    review_decision *x = st_vec_push(ctx);
    x->score = sqlite3_column_double(row, 0);
    x->approved = sqlite3_column_int(row, 1) != 0;
    st_col_copy(x->reason, sizeof x->reason, row, 2);
    return TM_OK;
}

static int field_row(void *ctx, sqlite3_stmt *row)
{
    review_field_count *x = st_vec_push(ctx);
    st_col_copy(x->field, sizeof x->field, row, 0);
    x->approved = sqlite3_column_int64(row, 1);
    x->rejected = sqlite3_column_int64(row, 2);
    return TM_OK;
}

/* Both queries on c, in the read transaction the caller holds. */
static int review_decisions_in(conn *c, const char *since, const char *prefix, review_decisions *out)
{
    char upper[16];
    int has_field = prefix && prefix[0];
    if (has_field) {
        /* The codes starting with prefix are those in [prefix, prefix with its last character raised). */
        size_t n = strlen(prefix);
        if (n >= sizeof upper)
            return TM_ERR_INVALID;
        memcpy(upper, prefix, n + 1);
        upper[n - 1] = (char)(upper[n - 1] + 1);
    }
    int status = TM_OK;
    if (since)
        status = st_one(c, &SQL_SINCE_UTC, ST_ARGS(A_TEXT(since)), since_row, out, "decisions since");
    st_arg args[] = { since ? A_TEXT(out->since) : A_NULL, has_field ? A_TEXT(prefix) : A_NULL,
                      has_field ? A_TEXT(upper) : A_NULL, A_INT(has_field ? 3 : 1) };
    st_vec items = ST_VEC(&out->items, &out->n), fields = ST_VEC(&out->fields, &out->nfields);
    if (status == TM_OK)
        status = st_query(c, &SQL_DECIDED, args, 3, decided_row, &items, "review decisions");
    if (status == TM_OK)
        status = st_query(c, &SQL_DECIDED_BY_FIELD, args, 4, field_row, &fields, "review decisions by field");
    return status;
}

int store_review_decisions(store *s, const char *since, const char *field_prefix, review_decisions *out)
{
    memset(out, 0, sizeof *out);
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    /* One read transaction, so the bands and the fields describe the same decisions. */
    int status = st_exec_sql(c->db, "BEGIN");
    if (status == TM_OK) {
        status = review_decisions_in(c, since, field_prefix, out);
        (void)st_exec_sql(c->db, "COMMIT"); /* a read transaction: nothing to lose if it fails (logged) */
    }
    st_release(s, c);
    return status;
}
