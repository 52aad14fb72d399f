/*
 * stmt.c: the statement cache of a connection and the helpers that run its
 * statements: bind a list of arguments, step to the end with a row callback,
 * read one row or one integer, copy columns, grow arrays of rows.  The design
 * is described at the top of store_int.h.
 */
#include "store_int.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next free statement slot, shared by every st_sql of the process. */
static atomic_int next_slot;

/* The slot of q (0-based), assigning one on first use; -1 when the table is full. */
static int slot_of(st_sql *q)
{
    int have = atomic_load_explicit(&q->slot, memory_order_acquire);
    if (have > 0)
        return have - 1;
    int fresh = atomic_fetch_add(&next_slot, 1) + 1;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&q->slot, &expected, fresh))
        fresh = expected; /* another thread assigned it first; ours stays unused */
    return fresh <= ST_MAX_STATEMENTS ? fresh - 1 : -1;
}

sqlite3_stmt *st_prepare(conn *c, st_sql *q)
{
    int slot = slot_of(q);
    if (slot < 0) {
        log_error("the store has more than %d statements; raise ST_MAX_STATEMENTS (store_int.h)",
                  ST_MAX_STATEMENTS);
        return NULL;
    }
    if (c->st[slot] == NULL &&
        sqlite3_prepare_v3(c->db, q->text, -1, SQLITE_PREPARE_PERSISTENT, &c->st[slot], NULL) != SQLITE_OK) {
        log_error("SQLite cannot prepare \"%.60s\": %s", q->text, sqlite3_errmsg(c->db));
        c->st[slot] = NULL;
        return NULL;
    }
    return c->st[slot];
}

void st_done(conn *c, sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    atomic_fetch_add_explicit(&c->owner->statements, 1, memory_order_relaxed);
}

int st_error(conn *c, const char *what)
{
    log_error("SQLite, %s: %s", what, sqlite3_errmsg(c->db));
    return TM_ERR_DB;
}

int st_is_full(sqlite3 *db, int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return 1;
    /* An I/O error's errno tells a full disk from a failing one (the WAL index's growth, an fsync). */
    if ((rc & 0xff) != SQLITE_IOERR)
        return 0;
    int e = sqlite3_system_errno(db);
    return e == ENOSPC || e == EDQUOT;
}

int st_fail(conn *c, int rc, const char *what)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return TM_ERR_CONFLICT;
    if (!st_is_full(c->db, rc))
        return st_error(c, what);
    /* Once per episode: a full disk fails every write until someone frees space. */
    if (atomic_exchange(&c->owner->full, 1) == 0)
        log_error("storage is full (SQLite, %s: %s); no write is stored until space is freed", what,
                  sqlite3_errmsg(c->db));
    return TM_ERR_FULL;
}

static int bind_one(sqlite3_stmt *st, int i, const st_arg *a)
{
    switch (a->type) {
    case ST_A_INT:
        return sqlite3_bind_int64(st, i, a->i);
    case ST_A_DOUBLE:
        return sqlite3_bind_double(st, i, a->d);
    case ST_A_TEXT:
        return a->p ? sqlite3_bind_text(st, i, a->p, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
    case ST_A_BLOB:
        return sqlite3_bind_blob(st, i, a->p, (int)a->n, SQLITE_TRANSIENT);
    case ST_A_JSON:
        /* SQLite takes the printed text and frees it with free(). */
        return a->p ? sqlite3_bind_text(st, i, json_print(a->p), -1, free) : sqlite3_bind_null(st, i);
    case ST_A_NULL:
    default:
        return sqlite3_bind_null(st, i);
    }
}

int st_bind(conn *c, sqlite3_stmt *st, const st_arg *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bind_one(st, (int)i + 1, &a[i]) != SQLITE_OK)
            return st_error(c, "bind");
    return TM_OK;
}

int st_each(conn *c, sqlite3_stmt *st, st_row_fn row, void *ctx, const char *what)
{
    int rc, status = TM_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        status = row ? row(ctx, st) : TM_OK;
        if (status != TM_OK)
            break;
    }
    if (status == ST_STOP)
        status = TM_OK;
    else if (status == TM_OK && rc != SQLITE_DONE)
        status = st_fail(c, rc, what);
    st_done(c, st);
    /* SQLite may have rolled the whole write transaction back (a full disk, an I/O error): see store_int.h. */
    if (status != TM_OK && c->in_write && c->lost == TM_OK && sqlite3_get_autocommit(c->db))
        c->lost = status;
    return status;
}

int st_query(conn *c, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what)
{
    if (c->lost != TM_OK)
        return c->lost; /* its transaction is gone; running q now would commit it alone */
    sqlite3_stmt *st = st_prepare(c, q);
    if (st == NULL)
        return TM_ERR_DB;
    int status = st_bind(c, st, a, n);
    if (status != TM_OK) {
        st_done(c, st);
        return status;
    }
    return st_each(c, st, row, ctx, what);
}

int st_run(conn *c, st_sql *q, const st_arg *a, size_t n, const char *what)
{
    return st_query(c, q, a, n, NULL, NULL, what);
}

typedef struct first_row {
    st_row_fn row;
    void *ctx;
    int seen;
} first_row;

static int on_first_row(void *arg, sqlite3_stmt *row)
{
    first_row *f = arg;
    if (f->seen++)
        return TM_OK;
    return f->row ? f->row(f->ctx, row) : TM_OK;
}

int st_one(conn *c, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what)
{
    first_row f = { row, ctx, 0 };
    int status = st_query(c, q, a, n, on_first_row, &f, what);
    if (status == TM_OK && f.seen == 0)
        status = TM_ERR_NOT_FOUND;
    return status;
}

static int int_row(void *ctx, sqlite3_stmt *row)
{
    *(int64_t *)ctx = sqlite3_column_int64(row, 0);
    return TM_OK;
}

int st_int(conn *c, st_sql *q, const st_arg *a, size_t n, int64_t *out, const char *what)
{
    return st_one(c, q, a, n, int_row, out, what);
}

int st_read(store *s, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_query(c, q, a, n, row, ctx, what);
    st_release(s, c);
    return status;
}

int st_read_one(store *s, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_one(c, q, a, n, row, ctx, what);
    st_release(s, c);
    return status;
}

int st_read_int(store *s, st_sql *q, const st_arg *a, size_t n, int64_t *out, const char *what)
{
    return st_read_one(s, q, a, n, int_row, out, what);
}

char *st_col_dup(sqlite3_stmt *row, int col)
{
    const char *v = (const char *)sqlite3_column_text(row, col);
    return v ? xstrdup(v) : NULL;
}

void st_col_copy(char *dst, size_t len, sqlite3_stmt *row, int col)
{
    const char *v = (const char *)sqlite3_column_text(row, col);
    snprintf(dst, len, "%s", v ? v : "");
}

const char *st_col_text(sqlite3_stmt *row, int col)
{
    return sqlite3_column_type(row, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(row, col);
}

void *st_vec_push(st_vec *vec)
{
    if (*vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        *vec->v = xrealloc(*vec->v, vec->cap * vec->elem);
    }
    void *slot = (char *)*vec->v + (*vec->n)++ * vec->elem;
    memset(slot, 0, vec->elem);
    return slot;
}
