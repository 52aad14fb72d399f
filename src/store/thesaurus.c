/*
 * thesaurus.c: the thesaurus brokers curate (see store.h, "thesaurus"): its
 * entries, stored once a pair whichever way round (a unique index over the
 * normalised terms, schema/010), listed and paged, added and deleted with
 * their audit rows.  Each change also finds the open listings it touches
 * (FTS5, tokenized as the matcher does) so that the caller re-matches them;
 * with the store's match queue on they enter the queue in the change's own
 * transaction.
 */
#include "store_int.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TH_COLS "t.id, t.term_a, t.term_b, t.kind, t.note, coalesce(t.created_by, 0), coalesce(u.display_name, ''), " \
                "t.created_at FROM thesaurus t LEFT JOIN users u ON u.id = t.created_by"

static st_sql SQL_TH_INSERT = ST_SQL("INSERT INTO thesaurus(term_a, term_b, norm_a, norm_b, kind, note, created_by)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
/* The stored pair of two normalised terms, in either order (the expression of the unique index). */
static st_sql SQL_TH_PAIR = ST_SQL("SELECT " TH_COLS " WHERE min(t.norm_a, t.norm_b) = min(?1, ?2)"
                                   " AND max(t.norm_a, t.norm_b) = max(?1, ?2)");
static st_sql SQL_TH_GET = ST_SQL("SELECT " TH_COLS " WHERE t.id = ?1");
static st_sql SQL_TH_DELETE = ST_SQL("DELETE FROM thesaurus WHERE id = ?1");
/* ?1 normalised text, ?2 kind, ?3 cursor (ids below it), ?4 limit */
#define TH_WHERE " WHERE (?1 IS NULL OR instr(t.norm_a, ?1) > 0 OR instr(t.norm_b, ?1) > 0" \
                 " OR instr(lower(t.note), ?1) > 0) AND (?2 IS NULL OR t.kind = ?2) AND (?3 IS NULL OR t.id < ?3)"
static st_sql SQL_TH_LIST = ST_SQL("SELECT " TH_COLS TH_WHERE " ORDER BY t.id DESC LIMIT ?4");
static st_sql SQL_TH_COUNT = ST_SQL("SELECT count(*) FROM thesaurus t" TH_WHERE);
static st_sql SQL_TH_EACH = ST_SQL("SELECT " TH_COLS " ORDER BY t.id");
/* The open listings holding either phrase of ?1 (an FTS5 query), newest first, at most ?2. */
static st_sql SQL_TOUCHED[2] = {
    ST_SQL("SELECT d.id FROM demands d WHERE d.status = 'open'"
           " AND d.id IN (SELECT rowid FROM demands_fts WHERE demands_fts MATCH ?1) ORDER BY d.id DESC LIMIT ?2"),
    ST_SQL("SELECT a.id FROM achievements a WHERE a.status = 'open'"
           " AND a.id IN (SELECT rowid FROM achievements_fts WHERE achievements_fts MATCH ?1)"
           " ORDER BY a.id DESC LIMIT ?2"),
};

/* ---------- normalising ---------- */

static int is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000;
}

/*
 * The form two terms are compared in (malloc'd): full-width ASCII (U+FF01..
 * U+FF5E) folded to ASCII, ASCII letters in lower case, white space (ASCII
 * and U+3000) trimmed and each run of it one space.
 */
static char *normalized(const char *text)
{
    sbuf b;
    sbuf_init(&b);
    size_t len = strlen(text), i = 0;
    int space = 0;
    while (i < len) {
        uint32_t cp = 0;
        i += mt_utf8_decode((const unsigned char *)text + i, len - i, &cp);
        if (is_space(cp)) {
            space = b.len > 0;
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if (space)
            sbuf_addc(&b, ' ');
        space = 0;
        char out[4];
        if (cp == MT_UTF8_INVALID)
            cp = 0xFFFD;
        sbuf_add(&b, out, mt_utf8_encode(cp, out));
    }
    char *s = sbuf_take(&b);
    sbuf_cleanup(&b);
    return s ? s : xstrdup("");
}

/* ---------- rows ---------- */

static void entry_read(sqlite3_stmt *row, thesaurus_entry *e)
{
    e->id = sqlite3_column_int64(row, 0);
    st_col_copy(e->term_a, sizeof e->term_a, row, 1);
    st_col_copy(e->term_b, sizeof e->term_b, row, 2);
    st_col_copy(e->kind, sizeof e->kind, row, 3);
    st_col_copy(e->note, sizeof e->note, row, 4);
    e->created_by = sqlite3_column_int64(row, 5);
    st_col_copy(e->created_by_name, sizeof e->created_by_name, row, 6);
    st_col_copy(e->created_at, sizeof e->created_at, row, 7);
}

static int entry_one_row(void *ctx, sqlite3_stmt *row)
{
    entry_read(row, ctx);
    return TM_OK;
}

/* The entry as the audit log records it. */
static cJSON *entry_json(const thesaurus_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "term_a", e->term_a);
    cJSON_AddStringToObject(o, "term_b", e->term_b);
    cJSON_AddStringToObject(o, "kind", e->kind);
    cJSON_AddStringToObject(o, "note", e->note);
    return o;
}

/* ---------- the listings a change touches ---------- */

void store_thesaurus_touched_cleanup(thesaurus_touched *t)
{
    free(t->ids[0]);
    free(t->ids[1]);
    memset(t, 0, sizeof *t);
}

/* Appends text as an FTS5 phrase: in double quotes, its own double quotes doubled. */
static void add_phrase(sbuf *q, const char *text)
{
    sbuf_addc(q, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            sbuf_addc(q, '"');
        sbuf_addc(q, *p);
    }
    sbuf_addc(q, '"');
}

static int touched_row(void *ctx, sqlite3_stmt *row)
{
    int64_t *id = st_vec_push(ctx);
    *id = sqlite3_column_int64(row, 0);
    return TM_OK;
}

/*
 * Reads the open listings holding term a or b into *t and, when the store
 * queues matching, enters them in match_queue.  Inside the write transaction.
 */
static int touched_in(conn *c, const char *a, const char *b, thesaurus_touched *t)
{
    sbuf q;
    sbuf_init(&q);
    add_phrase(&q, a);
    sbuf_add(&q, " OR ", 4);
    add_phrase(&q, b);
    int status = TM_OK;
    for (int k = 0; k < 2 && status == TM_OK; k++) {
        st_vec v = ST_VEC(&t->ids[k], &t->n[k]);
        status = st_query(c, &SQL_TOUCHED[k], ST_ARGS(A_TEXT(q.buf), A_INT(LIM_THESAURUS_TOUCHED)), touched_row, &v,
                          "listings a thesaurus entry touches");
        for (size_t i = 0; i < t->n[k] && status == TM_OK && c->queue_matching; i++)
            status = sx_queue_in(c, (listing_kind)k, t->ids[k][i], 1);
    }
    sbuf_cleanup(&q);
    return status;
}

/* ---------- add and delete ---------- */

int store_thesaurus_add(store *s, const thesaurus_input *in, int64_t actor_user_id, thesaurus_entry *out,
                        thesaurus_touched *touched)
{
    memset(out, 0, sizeof *out);
    memset(touched, 0, sizeof *touched);
    char *na = normalized(in->term_a), *nb = normalized(in->term_b);
    if (na[0] == '\0' || nb[0] == '\0' || strcmp(na, nb) == 0) {
        free(na);
        free(nb);
        return TM_ERR_INVALID;
    }
    int64_t id = 0;
    conn *c = st_write_begin(s);
    int status = c ? TM_OK : TM_ERR_DB;
    if (status == TM_OK) {
        /* A pair stored already is a conflict that names the entry (read under the write lock). */
        status = st_one(c, &SQL_TH_PAIR, ST_ARGS(A_TEXT(na), A_TEXT(nb)), entry_one_row, out, "find thesaurus pair");
        status = status == TM_OK ? TM_ERR_CONFLICT : status == TM_ERR_NOT_FOUND ? TM_OK : status;
    }
    if (status == TM_OK)
        status = st_int(c, &SQL_TH_INSERT, ST_ARGS(A_TEXT(in->term_a), A_TEXT(in->term_b), A_TEXT(na), A_TEXT(nb),
                                                   A_TEXT(in->kind), A_TEXT(in->note ? in->note : ""),
                                                   A_ID(actor_user_id)), &id, "add thesaurus entry");
    if (status == TM_OK)
        status = st_one(c, &SQL_TH_GET, ST_ARGS(A_INT(id)), entry_one_row, out, "read thesaurus entry");
    if (status == TM_OK) {
        cJSON *after = entry_json(out);
        status = sx_audit_row(c, actor_user_id, "thesaurus.add", "thesaurus", id, NULL, after);
        cJSON_Delete(after);
    }
    if (status == TM_OK)
        status = touched_in(c, out->term_a, out->term_b, touched);
    if (c)
        status = st_write_end(s, c, status);
    free(na);
    free(nb);
    if (status != TM_OK) {
        store_thesaurus_touched_cleanup(touched);
        if (status != TM_ERR_CONFLICT)
            memset(out, 0, sizeof *out);
    }
    return status;
}

int store_thesaurus_delete(store *s, int64_t id, int64_t actor_user_id, thesaurus_entry *out,
                           thesaurus_touched *touched)
{
    memset(out, 0, sizeof *out);
    memset(touched, 0, sizeof *touched);
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_one(c, &SQL_TH_GET, ST_ARGS(A_INT(id)), entry_one_row, out, "read thesaurus entry");
    if (status == TM_OK)
        status = st_run(c, &SQL_TH_DELETE, ST_ARGS(A_INT(id)), "delete thesaurus entry");
    if (status == TM_OK) {
        cJSON *before = entry_json(out);
        status = sx_audit_row(c, actor_user_id, "thesaurus.delete", "thesaurus", id, before, NULL);
        cJSON_Delete(before);
    }
    if (status == TM_OK)
        status = touched_in(c, out->term_a, out->term_b, touched);
    status = st_write_end(s, c, status);
    if (status != TM_OK) {
        store_thesaurus_touched_cleanup(touched);
        memset(out, 0, sizeof *out);
    }
    return status;
}

/* ---------- lists ---------- */

void store_thesaurus_page_cleanup(thesaurus_page *p)
{
    free(p->items);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

/* Rows of a page: at most limit, and whether a further row exists. */
typedef struct page_ctx {
    thesaurus_page *page;
    size_t limit;
    int more;
} page_ctx;

static int page_row(void *ctx, sqlite3_stmt *row)
{
    page_ctx *p = ctx;
    if (p->page->n == p->limit) {
        p->more = 1;
        return ST_STOP;
    }
    entry_read(row, &p->page->items[p->page->n++]);
    return TM_OK;
}

int store_thesaurus_list(store *s, const thesaurus_filter *f, thesaurus_page *out)
{
    int64_t cursor = 0;
    memset(out, 0, sizeof *out);
    out->total = -1;
    if (f->cursor && parse_int64(f->cursor, 1, INT64_MAX, &cursor) != TM_OK)
        return TM_ERR_INVALID;
    char *q = f->q && f->q[0] ? normalized(f->q) : NULL;
    out->items = xcalloc(f->limit + 1, sizeof *out->items);
    page_ctx p = { out, f->limit, 0 };
    st_arg args[] = { q && q[0] ? A_TEXT(q) : A_NULL, A_TEXT(f->kind), f->cursor ? A_INT(cursor) : A_NULL,
                      A_INT((int64_t)f->limit + 1) };
    size_t nargs = sizeof args / sizeof args[0];
    int status = st_read(s, &SQL_TH_LIST, args, nargs, page_row, &p, "list thesaurus");
    if (status == TM_OK && f->with_total) {
        args[2] = A_NULL; /* every page: no cursor */
        status = st_read_int(s, &SQL_TH_COUNT, args, nargs - 1, &out->total, "count thesaurus"); /* no limit */
    }
    if (status == TM_OK && p.more) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)out->items[out->n - 1].id);
        out->next_cursor = xstrdup(buf);
    }
    free(q);
    if (status != TM_OK)
        store_thesaurus_page_cleanup(out);
    return status;
}

/* Calls the caller's function for each row. */
typedef struct each_ctx {
    int (*fn)(void *ctx, const thesaurus_entry *e);
    void *ctx;
    int stopped;              /* fn's non-zero return, passed back */
    thesaurus_entry e;
} each_ctx;

static int each_row(void *ctx, sqlite3_stmt *row)
{
    each_ctx *x = ctx;
    entry_read(row, &x->e);
    x->stopped = x->fn(x->ctx, &x->e);
    return x->stopped ? ST_STOP : TM_OK;
}

int store_thesaurus_each(store *s, int (*fn)(void *ctx, const thesaurus_entry *e), void *ctx)
{
    each_ctx *x = xcalloc(1, sizeof *x); /* the entry is a few KiB: kept off the stack */
    x->fn = fn;
    x->ctx = ctx;
    int status = st_read(s, &SQL_TH_EACH, ST_NO_ARGS, each_row, x, "read the thesaurus");
    if (status == TM_OK && x->stopped)
        status = x->stopped;
    free(x);
    return status;
}
