/*
 * webhooks.c: organisations' webhook endpoints, their deliveries and the
 * attempts at each (see store.h, "webhooks").  The deliveries of a
 * notification are written with it (outbox.c); this file reads them for the
 * sender and records how each attempt ended.
 */
#include "store_int.h"
#include "limits.h"
#include "mem.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WH_COLS "id, org_id, url, description, status, disabled_reason, created_at, updated_at"

static st_sql SQL_WH_INSERT = ST_SQL("INSERT INTO webhooks(org_id, url, description, secret) VALUES (?1, ?2, ?3, ?4)"
                                     " RETURNING id");
static st_sql SQL_WH_COUNT = ST_SQL("SELECT count(*) FROM webhooks WHERE org_id = ?1");
static st_sql SQL_WH_LIST = ST_SQL("SELECT " WH_COLS " FROM webhooks WHERE org_id = ?1 ORDER BY id");
static st_sql SQL_WH_GET = ST_SQL("SELECT " WH_COLS " FROM webhooks WHERE org_id = ?1 AND id = ?2");
static st_sql SQL_WH_DELETE = ST_SQL("DELETE FROM webhooks WHERE id = ?1 AND org_id = ?2");
static st_sql SQL_WH_SET_KEY = ST_SQL("UPDATE webhooks SET secret = ?3, updated_at = " ST_NOW
                                      " WHERE id = ?1 AND org_id = ?2");
static st_sql SQL_WH_SET_STATUS = ST_SQL("UPDATE webhooks SET status = ?3, disabled_reason = NULL, updated_at = " ST_NOW
                                         " WHERE id = ?1 AND org_id = ?2");
static st_sql SQL_WH_DISABLE = ST_SQL("UPDATE webhooks SET status = 'disabled', disabled_reason = ?2, updated_at = "
                                      ST_NOW " WHERE id = ?1");
static st_sql SQL_PING_INSERT = ST_SQL("INSERT INTO deliveries(webhook_id, msg_id, payload)"
                                       " VALUES (?1, 'msg_ping_' || lower(hex(randomblob(8))), ?2) RETURNING id");

void webhook_cleanup(webhook *w)
{
    free(w->url);
    free(w->description);
    free(w->disabled_reason);
    memset(w, 0, sizeof *w);
}

/* Reads the WH_COLS columns into w. */
static void webhook_read(sqlite3_stmt *st, webhook *w)
{
    w->id = sqlite3_column_int64(st, 0);
    w->org_id = sqlite3_column_int64(st, 1);
    w->url = st_col_dup(st, 2);
    w->description = st_col_dup(st, 3);
    st_col_copy(w->status, sizeof w->status, st, 4);
    w->disabled_reason = st_col_dup(st, 5);
    st_col_copy(w->created_at, sizeof w->created_at, st, 6);
    st_col_copy(w->updated_at, sizeof w->updated_at, st, 7);
}

static int webhook_one_row(void *ctx, sqlite3_stmt *row)
{
    webhook_read(row, ctx);
    return TM_OK;
}

static int webhook_list_row(void *ctx, sqlite3_stmt *row)
{
    webhook_read(row, st_vec_push(ctx));
    return TM_OK;
}

static int webhook_get_in(conn *c, int64_t org_id, int64_t id, webhook *out)
{
    memset(out, 0, sizeof *out);
    return st_one(c, &SQL_WH_GET, ST_ARGS(A_INT(org_id), A_INT(id)), webhook_one_row, out, "get webhook");
}

/* An audit row for an endpoint: after holds its url and status (never the secret). */
static int audit_webhook(conn *c, int64_t actor, const char *action, const webhook *w)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "url", w->url ? w->url : "");
    cJSON_AddStringToObject(a, "status", w->status);
    int status = sx_audit_row(c, actor, action, "webhook", w->id, NULL, a);
    cJSON_Delete(a);
    return status;
}

int store_webhook_create(store *s, int64_t org_id, const char *url, const char *description,
                         const unsigned char *key, size_t key_len, int64_t actor_user_id, webhook *out)
{
    int64_t id = 0;
    memset(out, 0, sizeof *out);
    int64_t held = 0;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    /* Counted under the write lock, so parallel creates cannot all see room for one more. */
    int status = st_int(c, &SQL_WH_COUNT, ST_ARGS(A_INT(org_id)), &held, "count webhooks");
    if (status == TM_OK && held >= LIM_WEBHOOKS)
        status = TM_ERR_LIMITED;
    if (status == TM_OK)
        status = st_int(c, &SQL_WH_INSERT, ST_ARGS(A_INT(org_id), A_TEXT(url), A_TEXT(description ? description : ""),
                                                A_BLOB(key, key_len)), &id, "insert webhook");
    if (status == TM_OK)
        status = webhook_get_in(c, org_id, id, out);
    if (status == TM_OK)
        status = audit_webhook(c, actor_user_id, "webhook.create", out);
    status = st_write_end(s, c, status);
    if (status != TM_OK)
        webhook_cleanup(out);
    return status;
}

int store_webhook_list(store *s, int64_t org_id, webhook **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    st_vec v = ST_VEC(out, n);
    return st_read(s, &SQL_WH_LIST, ST_ARGS(A_INT(org_id)), webhook_list_row, &v, "list webhooks");
}

int store_webhook_get(store *s, int64_t org_id, int64_t id, webhook *out)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, out);
    st_release(s, c);
    return status;
}

/*
 * Runs a change (?1 id, ?2 org, ?3 arg3 when given) to one of the
 * organisation's endpoints with its audit row; TM_ERR_NOT_FOUND when it is
 * not theirs.  status_value, when not NULL, is the endpoint's new status.
 */
static int webhook_change(store *s, int64_t org_id, int64_t id, int64_t actor, const char *action,
                          st_sql *q, st_arg arg3, const char *status_value)
{
    webhook w;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, &w);
    if (status == TM_OK)
        status = st_query(c, q, (const st_arg[]){ A_INT(id), A_INT(org_id), arg3 }, arg3.type == ST_A_NULL ? 2 : 3,
                          NULL, NULL, action);
    if (status == TM_OK) {
        if (status_value)
            snprintf(w.status, sizeof w.status, "%s", status_value);
        status = audit_webhook(c, actor, action, &w);
    }
    webhook_cleanup(&w);
    return st_write_end(s, c, status);
}

int store_webhook_delete(store *s, int64_t org_id, int64_t id, int64_t actor_user_id)
{
    return webhook_change(s, org_id, id, actor_user_id, "webhook.delete", &SQL_WH_DELETE, A_NULL, NULL);
}

int store_webhook_set_key(store *s, int64_t org_id, int64_t id, const unsigned char *key, size_t key_len,
                          int64_t actor_user_id)
{
    return webhook_change(s, org_id, id, actor_user_id, "webhook.rotate", &SQL_WH_SET_KEY, A_BLOB(key, key_len), NULL);
}

int store_webhook_set_status(store *s, int64_t org_id, int64_t id, const char *status_value, int64_t actor_user_id)
{
    int rc = webhook_change(s, org_id, id, actor_user_id, "webhook.status", &SQL_WH_SET_STATUS, A_TEXT(status_value),
                            status_value);
    if (rc == TM_OK && s->notify)
        s->notify(s->notify_ctx); /* a resumed endpoint has deliveries waiting */
    return rc;
}

int store_webhook_ping(store *s, int64_t org_id, int64_t id, const char *payload, int64_t *delivery_id)
{
    webhook w;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, &w);
    if (status == TM_OK)
        status = st_int(c, &SQL_PING_INSERT, ST_ARGS(A_INT(id), A_TEXT(payload)), delivery_id, "queue ping");
    if (status == TM_OK)
        c->notified = 1; /* wakes the sender */
    webhook_cleanup(&w);
    return st_write_end(s, c, status);
}

/* ---------- deliveries and attempts ---------- */

static st_sql SQL_DELIV_LIST = ST_SQL("SELECT d.id, d.webhook_id, coalesce(d.notification_id, 0), d.msg_id, d.state,"
                                      " d.attempts, d.next_attempt_at, d.created_at, d.updated_at FROM deliveries d"
                                      " JOIN webhooks w ON w.id = d.webhook_id"
                                      " WHERE w.org_id = ?1 AND d.webhook_id = ?2 ORDER BY d.id DESC LIMIT ?3");
static st_sql SQL_ATTEMPT_LIST = ST_SQL("SELECT attempted_at, coalesce(status_code, 0), error, duration_ms"
                                        " FROM delivery_attempts WHERE delivery_id = ?1 ORDER BY id");
static st_sql SQL_DELIV_RESEND = ST_SQL("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0,"
                                        " updated_at = " ST_NOW " WHERE id = ?1"
                                        " AND webhook_id = (SELECT id FROM webhooks WHERE id = ?2 AND org_id = ?3)");
/* the oldest pending delivery of each active endpoint, if due at ?1 (ms) */
static st_sql SQL_DUE = ST_SQL("SELECT d.id, d.webhook_id, w.org_id, w.url, d.payload, d.msg_id, w.secret, d.attempts"
                               " FROM webhooks w JOIN deliveries d ON d.id = (SELECT min(p.id) FROM deliveries p"
                               " WHERE p.webhook_id = w.id AND p.state = 'pending')"
                               " WHERE w.status = 'active' AND d.next_attempt_at <= ?1 ORDER BY d.id LIMIT ?2");
static st_sql SQL_ATTEMPT_INSERT = ST_SQL("INSERT INTO delivery_attempts(delivery_id, status_code, error, duration_ms)"
                                          " SELECT ?1, ?2, ?3, ?4"
                                          " WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = ?1)");
static st_sql SQL_DELIV_UPDATE = ST_SQL("UPDATE deliveries SET state = ?2, attempts = attempts + 1,"
                                        " next_attempt_at = ?3, updated_at = " ST_NOW " WHERE id = ?1");

void store_deliveries_free(delivery *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d[i].ntries; k++)
            free(d[i].tries[k].error);
        free(d[i].tries);
    }
    free(d);
}

static int attempt_row(void *ctx, sqlite3_stmt *row)
{
    delivery_attempt *a = st_vec_push(ctx);
    st_col_copy(a->attempted_at, sizeof a->attempted_at, row, 0);
    a->status_code = sqlite3_column_int(row, 1);
    a->error = st_col_dup(row, 2);
    a->duration_ms = sqlite3_column_int64(row, 3);
    return TM_OK;
}

/* Rows into a fixed array of at most max elements (its count in *n). */
typedef struct bounded {
    void *v;
    size_t *n, max;
} bounded;

static int delivery_row(void *ctx, sqlite3_stmt *row)
{
    bounded *b = ctx;
    if (*b->n == b->max)
        return ST_STOP;
    delivery *d = &((delivery *)b->v)[(*b->n)++];
    d->id = sqlite3_column_int64(row, 0);
    d->webhook_id = sqlite3_column_int64(row, 1);
    d->notification_id = sqlite3_column_int64(row, 2);
    st_col_copy(d->msg_id, sizeof d->msg_id, row, 3);
    st_col_copy(d->state, sizeof d->state, row, 4);
    d->attempts = sqlite3_column_int(row, 5);
    d->next_attempt_at = sqlite3_column_int64(row, 6);
    st_col_copy(d->created_at, sizeof d->created_at, row, 7);
    st_col_copy(d->updated_at, sizeof d->updated_at, row, 8);
    return TM_OK;
}

int store_deliveries_list(store *s, int64_t org_id, int64_t webhook_id, size_t limit, delivery **out, size_t *n)
{
    *out = xcalloc(limit ? limit : 1, sizeof **out);
    *n = 0;
    conn *c = st_reader(s);
    if (c == NULL) {
        free(*out);
        *out = NULL;
        return TM_ERR_DB;
    }
    bounded b = { *out, n, limit };
    int status = st_query(c, &SQL_DELIV_LIST, ST_ARGS(A_INT(org_id), A_INT(webhook_id), A_INT((int64_t)limit)),
                          delivery_row, &b, "list deliveries");
    for (size_t i = 0; i < *n && status == TM_OK; i++) {
        delivery *d = &(*out)[i];
        st_vec v = ST_VEC(&d->tries, &d->ntries);
        status = st_query(c, &SQL_ATTEMPT_LIST, ST_ARGS(A_INT(d->id)), attempt_row, &v, "list attempts");
    }
    st_release(s, c);
    if (status != TM_OK) {
        store_deliveries_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return status;
}

int store_delivery_resend(store *s, int64_t org_id, int64_t webhook_id, int64_t delivery_id)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_run(c, &SQL_DELIV_RESEND, ST_ARGS(A_INT(delivery_id), A_INT(webhook_id), A_INT(org_id)),
                        "resend delivery");
    if (status == TM_OK && st_changes(c) == 0)
        status = TM_ERR_NOT_FOUND;
    if (status == TM_OK)
        c->notified = 1; /* wakes the sender */
    return st_write_end(s, c, status);
}

void store_due_free(due_delivery *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].url);
        free(d[i].payload);
        sodium_memzero(d[i].key, sizeof d[i].key);
    }
    free(d);
}

static int due_row(void *ctx, sqlite3_stmt *row)
{
    bounded *b = ctx;
    if (*b->n == b->max)
        return ST_STOP;
    due_delivery *d = &((due_delivery *)b->v)[(*b->n)++];
    d->id = sqlite3_column_int64(row, 0);
    d->webhook_id = sqlite3_column_int64(row, 1);
    d->org_id = sqlite3_column_int64(row, 2);
    d->url = st_col_dup(row, 3);
    d->payload = st_col_dup(row, 4);
    st_col_copy(d->msg_id, sizeof d->msg_id, row, 5);
    int len = sqlite3_column_bytes(row, 6);
    d->key_len = len > 0 && (size_t)len <= sizeof d->key ? (size_t)len : 0;
    if (d->key_len)
        memcpy(d->key, sqlite3_column_blob(row, 6), d->key_len);
    d->attempts = sqlite3_column_int(row, 7);
    return TM_OK;
}

int store_deliveries_due(store *s, int64_t now_ms, size_t max, due_delivery **out, size_t *n)
{
    *out = xcalloc(max ? max : 1, sizeof **out);
    *n = 0;
    bounded b = { *out, n, max };
    return st_read(s, &SQL_DUE, ST_ARGS(A_INT(now_ms), A_INT((int64_t)max)), due_row, &b, "deliveries due");
}

static int delivery_result_in(conn *c, const due_delivery *d, const attempt_result *r)
{
    const char *state = r->delivered ? "succeeded" : r->retry_at_ms > 0 ? "pending" : "failed";
    int status = st_run(c, &SQL_ATTEMPT_INSERT, ST_ARGS(A_INT(d->id), A_ID(r->status_code), A_TEXT(r->error),
                                                        A_INT(r->duration_ms)), "record attempt");
    if (status == TM_OK)
        status = st_run(c, &SQL_DELIV_UPDATE, ST_ARGS(A_INT(d->id), A_TEXT(state), A_INT(r->retry_at_ms)),
                        "update delivery");
    if (status == TM_OK && r->disable_reason) {
        status = st_run(c, &SQL_WH_DISABLE, ST_ARGS(A_INT(d->webhook_id), A_TEXT(r->disable_reason)),
                        "disable webhook");
        int64_t nid = 0;
        if (status == TM_OK && st_changes(c) > 0 && r->disabled_event)
            status = sx_notification_insert(c, d->org_id, "webhook.disabled", r->disabled_event, &nid);
    }
    return status;
}

int store_delivery_results(store *s, const due_delivery *const *d, const attempt_result *r, size_t n)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = TM_OK;
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = delivery_result_in(c, d[i], &r[i]);
    return st_write_end(s, c, status);
}

/* ---------- the backlog ---------- */

/* Counts pending deliveries on their partial index; the oldest is the least id (ids grow with time). */
static st_sql SQL_DELIVERY_BACKLOG = ST_SQL(
    "SELECT (SELECT count(*) FROM deliveries WHERE state = 'pending'),"
    " coalesce((SELECT max(0, CAST(strftime('%s', 'now') AS INTEGER) - CAST(strftime('%s', created_at) AS INTEGER))"
    "  FROM deliveries WHERE id = (SELECT min(id) FROM deliveries WHERE state = 'pending')), 0),"
    " (SELECT count(*) FROM webhooks WHERE status = 'active'),"
    " (SELECT count(*) FROM webhooks WHERE status = 'paused'),"
    " (SELECT count(*) FROM webhooks WHERE status = 'disabled')");

static int delivery_backlog_row(void *ctx, sqlite3_stmt *row)
{
    delivery_backlog *out = ctx;
    out->pending = sqlite3_column_int64(row, 0);
    out->oldest_pending_s = sqlite3_column_int64(row, 1);
    out->endpoints_active = sqlite3_column_int64(row, 2);
    out->endpoints_paused = sqlite3_column_int64(row, 3);
    out->endpoints_disabled = sqlite3_column_int64(row, 4);
    return TM_OK;
}

int store_delivery_backlog(store *s, delivery_backlog *out)
{
    *out = (delivery_backlog){ 0, 0, 0, 0, 0 };
    return st_read_one(s, &SQL_DELIVERY_BACKLOG, ST_NO_ARGS, delivery_backlog_row, out,
                       "read the delivery backlog");
}
