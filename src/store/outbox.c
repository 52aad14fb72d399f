/*
 * outbox.c: what organisations hear and how (see store.h, "push"): their
 * subscriptions, and the notifications of the outbox with the webhook
 * deliveries each one fans out to in its own transaction.
 */
#include "store_int.h"
#include "mem.h"
#include <stdlib.h>
#include <string.h>

/* ---------- subscriptions ---------- */

static st_sql SQL_SUB_GET = ST_SQL("SELECT stream, webhook, min_score, mode FROM subscriptions WHERE org_id = ?1");
static st_sql SQL_SUB_SET = ST_SQL("INSERT INTO subscriptions(org_id, stream, webhook, min_score, mode)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5)"
                                   " ON CONFLICT(org_id) DO UPDATE SET stream = excluded.stream,"
                                   " webhook = excluded.webhook, min_score = excluded.min_score,"
                                   " mode = excluded.mode, updated_at = " ST_NOW);

static int subscription_row(void *ctx, sqlite3_stmt *row)
{
    subscription *out = ctx;
    const char *mode = st_col_text(row, 3);
    out->stream = sqlite3_column_int(row, 0);
    out->webhook = sqlite3_column_int(row, 1);
    out->min_score = sqlite3_column_double(row, 2);
    out->digest = mode && strcmp(mode, "digest") == 0;
    return TM_OK;
}

int sx_subscription_in(conn *c, int64_t org_id, subscription *out)
{
    *out = (subscription){ 1, 1, 0.0, 0 };
    int status = st_one(c, &SQL_SUB_GET, ST_ARGS(A_INT(org_id)), subscription_row, out, "get subscription");
    return status == TM_ERR_NOT_FOUND ? TM_OK : status;
}

int store_subscription_get(store *s, int64_t org_id, subscription *out)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_subscription_in(c, org_id, out);
    st_release(s, c);
    return status;
}

static cJSON *subscription_json(const subscription *sub)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "stream", sub->stream);
    cJSON_AddBoolToObject(o, "webhook", sub->webhook);
    cJSON_AddNumberToObject(o, "min_score", sub->min_score);
    cJSON_AddStringToObject(o, "mode", sub->digest ? "digest" : "realtime");
    return o;
}

int store_subscription_set(store *s, int64_t org_id, const subscription *sub, int64_t actor_user_id)
{
    subscription before;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_subscription_in(c, org_id, &before);
    if (status == TM_OK)
        status = st_run(c, &SQL_SUB_SET, ST_ARGS(A_INT(org_id), A_INT(sub->stream ? 1 : 0), A_INT(sub->webhook ? 1 : 0),
                                                 A_DBL(sub->min_score), A_TEXT(sub->digest ? "digest" : "realtime")),
                        "set subscription");
    if (status == TM_OK) {
        cJSON *b = subscription_json(&before), *a = subscription_json(sub);
        status = sx_audit_row(c, actor_user_id, "subscription.update", "org", org_id, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    return st_write_end(s, c, status);
}

/* ---------- notifications ---------- */

static st_sql SQL_NOTIF_INSERT = ST_SQL("INSERT INTO notifications(org_id, type, payload) VALUES (?1, ?2, ?3)"
                                        " RETURNING id");
/* ?1 notification id, ?2 payload, ?3 organisation */
static st_sql SQL_DELIV_FANOUT = ST_SQL("INSERT INTO deliveries(webhook_id, notification_id, msg_id, payload)"
                                        " SELECT w.id, ?1, 'msg_' || ?1, ?2 FROM webhooks w WHERE w.org_id = ?3"
                                        " AND coalesce((SELECT webhook FROM subscriptions WHERE org_id = ?3), 1) = 1"
                                        " ORDER BY w.id");
static st_sql SQL_NOTIF_LIST = ST_SQL("SELECT id, org_id, type, payload, created_at, read_at IS NOT NULL"
                                      " FROM notifications WHERE org_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
/* The inbox's pages: a match.pushed event's match, read by its id (the primary key) for its status now. */
#define INBOX_COLUMNS "SELECT n.id, n.org_id, n.type, n.payload, n.created_at, n.read_at IS NOT NULL," \
    " (SELECT m.status FROM matches m WHERE n.type = 'match.pushed'" \
    " AND m.id = json_extract(n.payload, '$.data.match_id'))" \
    " FROM notifications n WHERE n.org_id = ?1"
static st_sql SQL_INBOX_AFTER = ST_SQL(INBOX_COLUMNS " AND n.id > ?2 ORDER BY n.id LIMIT ?3");
static st_sql SQL_INBOX_BEFORE = ST_SQL(INBOX_COLUMNS " AND n.id < ?2 ORDER BY n.id DESC LIMIT ?3");
static st_sql SQL_NOTIF_UNREAD = ST_SQL("SELECT count(*) FROM notifications WHERE org_id = ?1 AND read_at IS NULL");
static st_sql SQL_NOTIF_READ = ST_SQL("UPDATE notifications SET read_at = coalesce(read_at, " ST_NOW ")"
                                      " WHERE id = ?1 AND org_id = ?2");
static st_sql SQL_NOTIF_LAST_OF = ST_SQL("SELECT coalesce(max(id), 0) FROM notifications WHERE org_id = ?1");

int sx_notification_insert(conn *c, int64_t org_id, const char *type, const char *payload, int64_t *id)
{
    int status = st_int(c, &SQL_NOTIF_INSERT, ST_ARGS(A_INT(org_id), A_TEXT(type), A_TEXT(payload)), id,
                        "insert notification");
    if (status == TM_OK)
        status = st_run(c, &SQL_DELIV_FANOUT, ST_ARGS(A_INT(*id), A_TEXT(payload), A_INT(org_id)), "queue deliveries");
    if (status == TM_OK)
        c->notified = 1;
    return status;
}

void store_notification_page_cleanup(notification_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i].payload);
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* Rows of a notification page: at most limit, and whether a further row exists. */
typedef struct notif_ctx {
    notification_page *page;
    size_t limit;
} notif_ctx;

static int notification_row(void *ctx, sqlite3_stmt *row)
{
    notif_ctx *p = ctx;
    if (p->page->n == p->limit) {
        p->page->more = 1;
        return ST_STOP;
    }
    notification *x = &p->page->items[p->page->n++];
    x->id = sqlite3_column_int64(row, 0);
    x->org_id = sqlite3_column_int64(row, 1);
    st_col_copy(x->type, sizeof x->type, row, 2);
    x->payload = st_col_dup(row, 3);
    st_col_copy(x->created_at, sizeof x->created_at, row, 4);
    x->read = sqlite3_column_int(row, 5);
    if (sqlite3_column_count(row) > 6)
        st_col_copy(x->match_status, sizeof x->match_status, row, 6);
    return TM_OK;
}

int store_notifications_list(store *s, int64_t org_id, int64_t after, size_t limit, notification_page *out)
{
    memset(out, 0, sizeof *out);
    out->items = xcalloc(limit + 1, sizeof *out->items);
    notif_ctx p = { out, limit };
    int status = st_read(s, &SQL_NOTIF_LIST, ST_ARGS(A_INT(org_id), A_INT(after), A_INT((int64_t)limit + 1)),
                         notification_row, &p, "list notifications");
    if (status != TM_OK)
        store_notification_page_cleanup(out);
    return status;
}

int store_inbox_page(store *s, int64_t org_id, int64_t after, int64_t before, size_t limit, notification_page *out)
{
    memset(out, 0, sizeof *out);
    out->items = xcalloc(limit + 1, sizeof *out->items);
    notif_ctx p = { out, limit };
    int status = st_read(s, before > 0 ? &SQL_INBOX_BEFORE : &SQL_INBOX_AFTER,
                         ST_ARGS(A_INT(org_id), A_INT(before > 0 ? before : after), A_INT((int64_t)limit + 1)),
                         notification_row, &p, "read the inbox");
    if (status != TM_OK)
        store_notification_page_cleanup(out);
    return status;
}

int store_notifications_unread(store *s, int64_t org_id, int64_t *count)
{
    return st_read_int(s, &SQL_NOTIF_UNREAD, ST_ARGS(A_INT(org_id)), count, "unread notifications");
}

int store_notifications_last_id_of(store *s, int64_t org_id, int64_t *id)
{
    return st_read_int(s, &SQL_NOTIF_LAST_OF, ST_ARGS(A_INT(org_id)), id, "last notification of an organisation");
}

int store_notification_read(store *s, int64_t org_id, int64_t id)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_run(c, &SQL_NOTIF_READ, ST_ARGS(A_INT(id), A_INT(org_id)), "read notification");
    if (status == TM_OK && st_changes(c) == 0)
        status = TM_ERR_NOT_FOUND;
    return st_write_end(s, c, status);
}

/* ---------- the backlog ---------- */

static st_sql SQL_OUTBOX_BACKLOG = ST_SQL("SELECT (SELECT count(*) FROM matches WHERE status = 'approved'),"
                                          " (SELECT count(*) FROM notifications WHERE read_at IS NULL)");

static int backlog_row(void *ctx, sqlite3_stmt *row)
{
    outbox_backlog *out = ctx;
    out->matches_waiting = sqlite3_column_int64(row, 0);
    out->notifications_unread = sqlite3_column_int64(row, 1);
    return TM_OK;
}

int store_outbox_backlog(store *s, outbox_backlog *out)
{
    *out = (outbox_backlog){ 0, 0 };
    return st_read_one(s, &SQL_OUTBOX_BACKLOG, ST_NO_ARGS, backlog_row, out, "read the outbox backlog");
}
