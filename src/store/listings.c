/*
 * listings.c: demands and achievements (see store.h, "listings" and
 * "matching"): rows and their audit trail, reads one at a time and in
 * batches, the list and search pages, import, the matcher's reads and the
 * match queue.  Statements come in pairs indexed by listing_kind.
 */
#include "store_int.h"
#include "fts.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The select list shared by both kinds, in the column order listing_row reads. */
#define D_COLS "l.id, l.org_id, o.name, l.ref, l.title, l.description, l.keywords, l.fields, " \
    "l.region, l.cooperation_modes, l.contact, l.status, l.created_at, l.updated_at, " \
    "l.budget_min, l.budget_max, l.deadline, NULL, NULL, '', NULL"
#define A_COLS "l.id, l.org_id, o.name, l.ref, l.title, l.abstract, l.keywords, l.fields, " \
    "l.region, l.transfer_modes, l.contact, l.status, l.created_at, l.updated_at, " \
    "NULL, NULL, NULL, l.trl, l.ip_type, l.patent_no, l.price"
#define D_FROM " FROM demands l JOIN orgs o ON o.id = l.org_id"
#define A_FROM " FROM achievements l JOIN orgs o ON o.id = l.org_id"

/* ---------- rows ---------- */

static void strlist_from_json_text(strlist *dst, const char *text)
{
    cJSON *a = text ? cJSON_Parse(text) : NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, a) {
        if (cJSON_IsString(item))
            strlist_push(dst, item->valuestring);
    }
    cJSON_Delete(a);
}

static int64_t col_money(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? LISTING_NO_MONEY : sqlite3_column_int64(st, col);
}

/* Reads a row of D_COLS / A_COLS into a new listing (caller frees). */
static listing *listing_row(listing_kind kind, sqlite3_stmt *st)
{
    listing *l = listing_new(kind);
    l->id = sqlite3_column_int64(st, 0);
    l->org_id = sqlite3_column_int64(st, 1);
    l->org_name = st_col_dup(st, 2);
    l->ref = st_col_dup(st, 3);
    free(l->title);
    l->title = st_col_dup(st, 4);
    free(l->body);
    l->body = st_col_dup(st, 5);
    strlist_from_json_text(&l->keywords, (const char *)sqlite3_column_text(st, 6));
    strlist_from_json_text(&l->fields, (const char *)sqlite3_column_text(st, 7));
    free(l->region);
    l->region = st_col_dup(st, 8);
    strlist_from_json_text(&l->modes, (const char *)sqlite3_column_text(st, 9));
    free(l->contact);
    l->contact = st_col_dup(st, 10);
    free(l->status);
    l->status = st_col_dup(st, 11);
    l->created_at = st_col_dup(st, 12);
    l->updated_at = st_col_dup(st, 13);
    l->budget_min = col_money(st, 14);
    l->budget_max = col_money(st, 15);
    l->deadline = st_col_dup(st, 16);
    l->trl = sqlite3_column_type(st, 17) == SQLITE_NULL ? LISTING_NO_TRL : sqlite3_column_int(st, 17);
    l->ip_type = st_col_dup(st, 18);
    free(l->patent_no);
    l->patent_no = st_col_dup(st, 19);
    l->price = col_money(st, 20);
    return l;
}

/* A row callback's context: the kind read, and where the one listing goes. */
typedef struct listing_one {
    listing_kind kind;
    listing **out;
} listing_one;

static int listing_one_row(void *ctx, sqlite3_stmt *row)
{
    listing_one *x = ctx;
    *x->out = listing_row(x->kind, row);
    return TM_OK;
}

static st_sql SQL_GET[2] = {
    ST_SQL("SELECT " D_COLS D_FROM " WHERE l.id = ?1"),
    ST_SQL("SELECT " A_COLS A_FROM " WHERE l.id = ?1"),
};

int sx_listing_get_in(conn *c, listing_kind kind, int64_t id, listing **out)
{
    listing_one x = { kind, out };
    *out = NULL;
    return st_one(c, &SQL_GET[kind], ST_ARGS(A_INT(id)), listing_one_row, &x, "get listing");
}

int store_listing_get(store *s, listing_kind kind, int64_t id, listing **out)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_listing_get_in(c, kind, id, out);
    st_release(s, c);
    return status;
}

/* ---------- batch reads ---------- */

/* ?1 is a JSON array of ids (bound as one text, so the statement is prepared once for any n). */
static st_sql SQL_GET_MANY[2] = {
    ST_SQL("SELECT " D_COLS D_FROM " WHERE l.id IN (SELECT value FROM json_each(?1))"),
    ST_SQL("SELECT " A_COLS A_FROM " WHERE l.id IN (SELECT value FROM json_each(?1))"),
};

/* An id asked for and where its answer goes. */
typedef struct wanted {
    int64_t id;
    size_t at;
} wanted;

typedef struct many_ctx {
    listing_kind kind;
    wanted *w;               /* sorted by id */
    size_t n;
    listing **out;
} many_ctx;

static int wanted_cmp(const void *a, const void *b)
{
    int64_t x = ((const wanted *)a)->id, y = ((const wanted *)b)->id;
    return (x > y) - (x < y);
}

/* Gives the row's listing to every out[i] that asked for its id. */
static int many_row(void *ctx, sqlite3_stmt *row)
{
    many_ctx *m = ctx;
    wanted key = { sqlite3_column_int64(row, 0), 0 };
    wanted *hit = bsearch(&key, m->w, m->n, sizeof *m->w, wanted_cmp);
    if (hit == NULL)
        return TM_OK;
    while (hit > m->w && hit[-1].id == key.id)
        hit--;
    for (; hit < m->w + m->n && hit->id == key.id; hit++)
        if (m->out[hit->at] == NULL)
            m->out[hit->at] = listing_row(m->kind, row);
    return TM_OK;
}

int store_listings_get_many(store *s, listing_kind kind, const int64_t *ids, size_t n, listing **out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (n == 0)
        return TM_OK;
    many_ctx m = { kind, xcalloc(n, sizeof(wanted)), n, out };
    char *json = xmalloc(n * 21 + 3);
    size_t len = 0;
    json[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        m.w[i] = (wanted){ ids[i], i };
        len += (size_t)snprintf(json + len, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
    }
    json[len++] = ']';
    json[len] = '\0';
    qsort(m.w, n, sizeof *m.w, wanted_cmp);
    int status = st_read(s, &SQL_GET_MANY[kind], ST_ARGS(A_TEXT(json)), many_row, &m, "get listings");
    if (status != TM_OK)
        for (size_t i = 0; i < n; i++) {
            listing_free(out[i]);
            out[i] = NULL;
        }
    free(json);
    free(m.w);
    return status;
}

/* ---------- writes ---------- */

static void bind_list(sqlite3_stmt *st, int i, const strlist *s)
{
    cJSON *a = strlist_to_json(s);
    char *text = json_print(a);
    cJSON_Delete(a);
    /* SQLite takes ownership and frees with free(). */
    sqlite3_bind_text(st, i, text, -1, free);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_money(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == LISTING_NO_MONEY)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

/* Binds ?2..?13 of SQL_INSERT (after org_id) or SQL_UPDATE (after id); same order. */
static void bind_members(sqlite3_stmt *st, const listing *l)
{
    bind_text(st, 2, l->ref);
    bind_text(st, 3, l->title);
    bind_text(st, 4, l->body);
    bind_list(st, 5, &l->keywords);
    bind_list(st, 6, &l->fields);
    bind_text(st, 7, l->region);
    bind_list(st, 8, &l->modes);
    bind_text(st, 9, l->contact);
    if (l->kind == LISTING_DEMAND) {
        bind_money(st, 10, l->budget_min);
        bind_money(st, 11, l->budget_max);
        bind_text(st, 12, l->deadline);
    } else {
        if (l->trl == LISTING_NO_TRL)
            sqlite3_bind_null(st, 10);
        else
            sqlite3_bind_int(st, 10, l->trl);
        bind_text(st, 11, l->ip_type);
        bind_text(st, 12, l->patent_no);
        bind_money(st, 13, l->price);
    }
}

/* ?1 kind name, ?2 listing id: what the matcher still owes a pass (see store_queue_matching) */
static st_sql SQL_QUEUE_ADD = ST_SQL("INSERT OR IGNORE INTO match_queue(kind, listing_id) VALUES (?1, ?2)");
static st_sql SQL_QUEUE_DONE = ST_SQL("DELETE FROM match_queue WHERE kind = ?1 AND listing_id = ?2");
static st_sql SQL_QUEUE_LIST = ST_SQL("SELECT listing_id FROM match_queue WHERE kind = ?1 ORDER BY listing_id");

int sx_queue_in(conn *c, listing_kind kind, int64_t id, int add)
{
    return st_run(c, add ? &SQL_QUEUE_ADD : &SQL_QUEUE_DONE, ST_ARGS(A_TEXT(listing_kind_name(kind)), A_INT(id)),
                  "match queue");
}

/*
 * Every write of a listing passes here: its audit row, and (when the server
 * queues matching) its place in match_queue, in the write's own transaction.
 */
static int audit(conn *c, int64_t user_id, const char *action, const listing *before, const listing *after)
{
    const listing *l = after ? after : before;
    cJSON *b = before ? listing_to_json(before, 1) : NULL;
    cJSON *a = after ? listing_to_json(after, 1) : NULL;
    int status = sx_audit_row(c, user_id, action, listing_kind_name(l->kind), l->id, b, a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    if (status == TM_OK && c->queue_matching)
        status = sx_queue_in(c, l->kind, l->id, 1);
    return status;
}

static st_sql SQL_INSERT[2] = {
    ST_SQL("INSERT INTO demands(org_id, ref, title, description, keywords, fields, region,"
           " cooperation_modes, contact, budget_min, budget_max, deadline)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
           " RETURNING id, created_at, updated_at"),
    ST_SQL("INSERT INTO achievements(org_id, ref, title, abstract, keywords, fields, region,"
           " transfer_modes, contact, trl, ip_type, patent_no, price)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
           " RETURNING id, created_at, updated_at"),
};
static st_sql SQL_UPDATE[2] = {
    ST_SQL("UPDATE demands SET ref = ?2, title = ?3, description = ?4, keywords = ?5,"
           " fields = ?6, region = ?7, cooperation_modes = ?8, contact = ?9,"
           " budget_min = ?10, budget_max = ?11, deadline = ?12, updated_at = " ST_NOW
           " WHERE id = ?1 RETURNING updated_at"),
    ST_SQL("UPDATE achievements SET ref = ?2, title = ?3, abstract = ?4, keywords = ?5,"
           " fields = ?6, region = ?7, transfer_modes = ?8, contact = ?9,"
           " trl = ?10, ip_type = ?11, patent_no = ?12, price = ?13, updated_at = " ST_NOW
           " WHERE id = ?1 RETURNING updated_at"),
};

/* The RETURNING row of SQL_INSERT: id, created_at, updated_at. */
static int inserted_row(void *ctx, sqlite3_stmt *row)
{
    listing *l = ctx;
    l->id = sqlite3_column_int64(row, 0);
    free(l->created_at);
    free(l->updated_at);
    l->created_at = st_col_dup(row, 1);
    l->updated_at = st_col_dup(row, 2);
    return TM_OK;
}

/* The RETURNING row of SQL_UPDATE: updated_at. */
static int updated_row(void *ctx, sqlite3_stmt *row)
{
    listing *l = ctx;
    free(l->updated_at);
    l->updated_at = st_col_dup(row, 0);
    return TM_OK;
}

static int insert_in(conn *c, listing *l, int64_t actor)
{
    sqlite3_stmt *st = st_prepare(c, &SQL_INSERT[l->kind]);
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, l->org_id);
    bind_members(st, l);
    int status = st_each(c, st, inserted_row, l, "insert listing");
    if (status == TM_OK)
        status = audit(c, actor, "create", NULL, l);
    return status;
}

static int update_in(conn *c, listing *l, int64_t actor)
{
    listing *before = NULL;
    int status = sx_listing_get_in(c, l->kind, l->id, &before);
    sqlite3_stmt *st = status == TM_OK ? st_prepare(c, &SQL_UPDATE[l->kind]) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, l->id);
        bind_members(st, l);
        status = st_each(c, st, updated_row, l, "update listing");
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK)
        status = audit(c, actor, "update", before, l);
    listing_free(before);
    return status;
}

int store_listing_create(store *s, listing *l, int64_t actor_user_id)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    return st_write_end(s, c, insert_in(c, l, actor_user_id));
}

int store_listing_edit(store *s, listing_kind kind, int64_t id, int64_t actor_user_id,
                       listing_edit_fn edit, void *ctx, listing **out)
{
    listing *l = NULL;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_listing_get_in(c, kind, id, &l);
    if (status == TM_OK)
        status = edit(ctx, l);
    if (status == TM_OK)
        status = update_in(c, l, actor_user_id);
    status = st_write_end(s, c, status);
    if (status == TM_OK && out)
        *out = l;
    else
        listing_free(l);
    return status;
}

static st_sql SQL_STATUS[2] = {
    ST_SQL("UPDATE demands SET status = ?2, updated_at = " ST_NOW " WHERE id = ?1"),
    ST_SQL("UPDATE achievements SET status = ?2, updated_at = " ST_NOW " WHERE id = ?1"),
};

int store_listing_set_status(store *s, listing_kind kind, int64_t id, const char *status_value,
                             int64_t actor_user_id, listing_check_fn check, void *ctx, listing **out)
{
    listing *before = NULL, *after = NULL;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_listing_get_in(c, kind, id, &before);
    if (status == TM_OK && check)
        status = check(ctx, before);
    int change = status == TM_OK && strcmp(before->status, status_value) != 0;
    if (change)
        status = st_run(c, &SQL_STATUS[kind], ST_ARGS(A_INT(id), A_TEXT(status_value)), "set status");
    if (status == TM_OK && change)
        status = sx_listing_get_in(c, kind, id, &after);
    if (status == TM_OK && change)
        status = audit(c, actor_user_id, status_value, before, after);
    status = st_write_end(s, c, status);
    if (status == TM_OK && out) { /* the listing as stored: as it was when nothing changed */
        *out = change ? after : before;
        if (change)
            after = NULL;
        else
            before = NULL;
    }
    listing_free(before);
    listing_free(after);
    return status;
}

/* ---------- list and search pages ---------- */

/* Filters of the list routes: ?1..?2 field range, ?3 region prefix, ?4 status, ?5 org. */
#define FILTERS(FT, FID) \
    " WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM " FT " f WHERE f." FID " = l.id" \
    " AND f.code >= ?1 AND f.code < ?2))" \
    " AND (?3 IS NULL OR instr(l.region, ?3) = 1)" \
    " AND (?4 IS NULL OR l.status = ?4) AND (?5 IS NULL OR l.org_id = ?5)"

#define LIST_SQL(COLS, T, FT, FID) \
    "SELECT " COLS " FROM " T " l JOIN orgs o ON o.id = l.org_id" FILTERS(FT, FID) \
    " AND (?6 IS NULL OR l.id < ?6) ORDER BY l.id DESC LIMIT ?7"
/*
 * Search ranks rowids alone (FTS5's rank = the bm25 weights set in schema/) and
 * joins the full rows only for the page, so the sorter never carries text.  It
 * ranks at most ?9 (LIM_SEARCH_ROWS) matches, the newest: FTS5 walks its
 * postings by descending rowid and stops there, so no search reads them all.
 */
#define SEARCH_SQL(COLS, T, FT, FID, FTS, BY) \
    "SELECT " COLS " FROM (SELECT c.rid, c.score FROM (SELECT rowid AS rid, rank AS score FROM " FTS \
    " WHERE " FTS " MATCH ?6 ORDER BY rowid DESC LIMIT ?9) c" \
    " JOIN " T " l ON l.id = c.rid" FILTERS(FT, FID) \
    " ORDER BY " BY " LIMIT ?7 OFFSET ?8) m" \
    " JOIN " T " l ON l.id = m.rid JOIN orgs o ON o.id = l.org_id ORDER BY " BY
/* The orders of a search's matches: relevance (bm25, then newest) or newest; both name the alias m of SEARCH_SQL's
 * outer query as c in its inner one, so each is written for both. */
#define BY_RANK "score, rid DESC"
#define BY_NEWEST "rid DESC"
/*
 * A page's total: the listings the same filters keep, counted up to ?6 (LIM_LIST_COUNT) so a count never reads
 * more rows than that; a search's, its ranked matches (at most ?7, LIM_SEARCH_ROWS) that the filters keep.
 */
#define COUNT_SQL(T, FT, FID) "SELECT count(*) FROM (SELECT 1 FROM " T " l" FILTERS(FT, FID) " LIMIT ?6)"
#define COUNT_SEARCH_SQL(T, FT, FID, FTS) \
    "SELECT count(*) FROM (SELECT rowid AS rid FROM " FTS " WHERE " FTS " MATCH ?6 ORDER BY rowid DESC LIMIT ?7) c" \
    " JOIN " T " l ON l.id = c.rid" FILTERS(FT, FID)
/* Whether a search matches more than it ranks: the matches, counted up to ?2. */
#define MATCHES_SQL(FTS) "SELECT count(*) FROM (SELECT rowid FROM " FTS " WHERE " FTS " MATCH ?1 LIMIT ?2)"

static st_sql SQL_LIST[2] = {
    ST_SQL(LIST_SQL(D_COLS, "demands", "demand_fields", "demand_id")),
    ST_SQL(LIST_SQL(A_COLS, "achievements", "achievement_fields", "achievement_id")),
};
static st_sql SQL_SEARCH[2] = {
    ST_SQL(SEARCH_SQL(D_COLS, "demands", "demand_fields", "demand_id", "demands_fts", BY_RANK)),
    ST_SQL(SEARCH_SQL(A_COLS, "achievements", "achievement_fields", "achievement_id", "achievements_fts", BY_RANK)),
};
static st_sql SQL_SEARCH_NEWEST[2] = {
    ST_SQL(SEARCH_SQL(D_COLS, "demands", "demand_fields", "demand_id", "demands_fts", BY_NEWEST)),
    ST_SQL(SEARCH_SQL(A_COLS, "achievements", "achievement_fields", "achievement_id", "achievements_fts", BY_NEWEST)),
};
static st_sql SQL_COUNT[2] = {
    ST_SQL(COUNT_SQL("demands", "demand_fields", "demand_id")),
    ST_SQL(COUNT_SQL("achievements", "achievement_fields", "achievement_id")),
};
static st_sql SQL_COUNT_SEARCH[2] = {
    ST_SQL(COUNT_SEARCH_SQL("demands", "demand_fields", "demand_id", "demands_fts")),
    ST_SQL(COUNT_SEARCH_SQL("achievements", "achievement_fields", "achievement_id", "achievements_fts")),
};
static st_sql SQL_MATCHES[2] = { ST_SQL(MATCHES_SQL("demands_fts")), ST_SQL(MATCHES_SQL("achievements_fts")) };
static st_sql SQL_TOKEN_DOCS[2] = {
    ST_SQL("SELECT doc FROM " FTS_VOCAB_DEMANDS " WHERE term = ?1"),
    ST_SQL("SELECT doc FROM " FTS_VOCAB_ACHIEVEMENTS " WHERE term = ?1"),
};

/* The planner's question (store/fts.h, fts_doc_count_fn) on the search's own reader. */
typedef struct token_ctx {
    conn *c;
    listing_kind kind;
} token_ctx;

static int token_docs(void *ctx, const char *token, size_t len, int64_t *out)
{
    token_ctx *t = ctx;
    char *text = xmalloc(len + 1);
    memcpy(text, token, len);
    text[len] = '\0';
    int status = st_int(t->c, &SQL_TOKEN_DOCS[t->kind], ST_ARGS(A_TEXT(text)), out, "search vocabulary");
    free(text);
    if (status == TM_ERR_NOT_FOUND) {
        *out = 0;
        status = TM_OK;
    }
    return status;
}

/*
 * Plans f's search on c (the page's terms and truncation are filled in out)
 * and counts whether it matches more than LIM_SEARCH_ROWS; *query gets the
 * FTS5 query (malloc'd), or NULL when nothing is searchable.
 */
static int plan_search(conn *c, listing_kind kind, const char *q, listing_page *out, char **query)
{
    fts_plan plan;
    token_ctx t = { c, kind };
    int64_t matches = 0;
    *query = NULL;
    int status = store_fts_plan(q, token_docs, &t, &plan);
    if (status == TM_OK && plan.query)
        status = st_int(c, &SQL_MATCHES[kind], ST_ARGS(A_TEXT(plan.query), A_INT(LIM_SEARCH_ROWS + 1)), &matches,
                        "count search matches");
    if (status == TM_OK) {
        out->terms_used = plan.used;
        out->terms_dropped = plan.dropped;
        out->truncated = plan.dropped.n > 0 || matches > LIM_SEARCH_ROWS;
        out->total_capped = matches > LIM_SEARCH_ROWS; /* more match than are ranked, and so counted */
        *query = plan.query;
        memset(&plan, 0, sizeof plan);
    }
    store_fts_plan_cleanup(&plan);
    return status;
}

void store_page_cleanup(listing_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        listing_free(p->items[i]);
    free(p->items);
    free(p->next_cursor);
    strlist_clear(&p->terms_used);
    strlist_clear(&p->terms_dropped);
    memset(p, 0, sizeof *p);
}

/* Parses a cursor: "<id>" for recency lists, "s<offset>" for search. Returns 1 if valid. */
static int parse_cursor(const char *cursor, int search, int64_t *value)
{
    const char *p = cursor;
    int64_t v = 0;
    if (search) {
        if (*p != 's')
            return 0;
        p++;
    }
    if (*p < '0' || *p > '9' || parse_int64(p, 0, INT64_C(1) << 53, &v) != TM_OK)
        return 0;
    *value = v;
    return 1;
}

/* ?1 and ?2 of FILTERS: the field prefix and the first code after every code that has it (upper). */
static void field_range(const char *prefix, char *upper, size_t upper_len)
{
    size_t n = strlen(prefix);
    snprintf(upper, upper_len, "%s", prefix);
    if (n < upper_len)
        upper[n - 1] = (char)(upper[n - 1] + 1);
}

/* Rows of a page: at most limit listings, and whether a further row exists. */
typedef struct page_ctx {
    listing_kind kind;
    listing_page *page;
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
    p->page->items[p->page->n++] = listing_row(p->kind, row);
    return TM_OK;
}

int store_listing_list(store *s, listing_kind kind, const listing_filter *f, listing_page *out)
{
    int search = f->q != NULL;
    int64_t cursor = 0;
    char upper[32];
    char *fts = NULL;
    int has_field = f->field_prefix && f->field_prefix[0];

    memset(out, 0, sizeof *out);
    if (f->cursor && !parse_cursor(f->cursor, search, &cursor))
        return TM_ERR_INVALID;
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = search ? plan_search(c, kind, f->q, out, &fts) : TM_OK;
    if (status != TM_OK || (search && fts == NULL)) {
        st_release(s, c);
        if (status != TM_OK)
            store_page_cleanup(out);
        return status; /* nothing searchable: an empty page */
    }
    if (has_field)
        field_range(f->field_prefix, upper, sizeof upper);
    /* ?6 is the search query, or the id a recency page continues below; ?8 and ?9 (search only) the offset
     * and the most matches ranked. */
    const st_arg args[9] = {
        has_field ? A_TEXT(f->field_prefix) : A_NULL, has_field ? A_TEXT(upper) : A_NULL,
        f->region && f->region[0] ? A_TEXT(f->region) : A_NULL, A_TEXT(f->status), A_ID(f->org_id),
        search ? A_TEXT(fts) : f->cursor ? A_INT(cursor) : A_NULL,
        A_INT((int64_t)f->limit + 1), /* one extra row tells whether there is a next page */
        A_INT(cursor), A_INT(LIM_SEARCH_ROWS),
    };
    out->items = xcalloc(f->limit + 1, sizeof *out->items);
    page_ctx p = { kind, out, f->limit, 0 };
    st_sql *sql = !search ? &SQL_LIST[kind] : f->newest ? &SQL_SEARCH_NEWEST[kind] : &SQL_SEARCH[kind];
    status = st_query(c, sql, args, search ? 9 : 7, page_row, &p, "list listings");
    /* The total: the same five filters (args[0..4]), then the bound (and a search's query before it). */
    const st_arg counted[7] = { args[0], args[1], args[2], args[3], args[4],
                                search ? A_TEXT(fts) : A_INT(LIM_LIST_COUNT), A_INT(LIM_SEARCH_ROWS) };
    out->total = -1;
    if (status == TM_OK && f->with_total)
        status = st_int(c, search ? &SQL_COUNT_SEARCH[kind] : &SQL_COUNT[kind], counted, search ? 7 : 6,
                        &out->total, "count listings");
    if (status == TM_OK && f->with_total && !search)
        out->total_capped = out->total >= LIM_LIST_COUNT;
    st_release(s, c);
    if (status == TM_OK && p.more) {
        char buf[32];
        if (search)
            snprintf(buf, sizeof buf, "s%lld", (long long)(cursor + (int64_t)f->limit));
        else
            snprintf(buf, sizeof buf, "%lld", (long long)out->items[out->n - 1]->id);
        out->next_cursor = xstrdup(buf);
    }
    free(fts);
    if (status != TM_OK)
        store_page_cleanup(out);
    return status;
}

/* ---------- import ---------- */

static st_sql SQL_BY_REF[2] = {
    ST_SQL("SELECT id FROM demands WHERE org_id = ?1 AND ref = ?2"),
    ST_SQL("SELECT id FROM achievements WHERE org_id = ?1 AND ref = ?2"),
};

int store_listing_import(store *s, listing_kind kind, int64_t org_id, size_t n,
                         const char *const *refs, int64_t actor_user_id,
                         import_apply_fn apply, void *apply_ctx,
                         int64_t *ids, import_action *actions,
                         void (*progress)(void *ctx, size_t done), void *progress_ctx)
{
    conn *c = st_write_begin(s);
    int status = TM_OK;
    if (c == NULL)
        return TM_ERR_DB;
    for (size_t i = 0; i < n && status == TM_OK; i++) {
        int64_t existing = 0;
        listing *l = NULL;
        ids[i] = 0;
        actions[i] = IMPORT_SKIPPED;
        status = refs[i] ? st_int(c, &SQL_BY_REF[kind], ST_ARGS(A_INT(org_id), A_TEXT(refs[i])), &existing,
                                  "find by ref")
                         : TM_ERR_NOT_FOUND;
        if (status == TM_OK) {
            status = sx_listing_get_in(c, kind, existing, &l);
        } else if (status == TM_ERR_NOT_FOUND) {
            l = listing_new(kind);
            l->org_id = org_id;
            status = TM_OK;
        }
        if (status == TM_OK && apply(apply_ctx, i, l) == TM_OK) {
            status = existing ? update_in(c, l, actor_user_id) : insert_in(c, l, actor_user_id);
            ids[i] = l->id;
            actions[i] = existing ? IMPORT_UPDATED : IMPORT_CREATED;
        }
        listing_free(l);
        if (progress)
            progress(progress_ctx, i + 1);
    }
    return st_write_end(s, c, status);
}

/* ---------- the matcher's reads and queue ---------- */

static st_sql SQL_OPEN[2] = {
    ST_SQL("SELECT " D_COLS D_FROM " WHERE l.status = 'open' ORDER BY l.id"),
    ST_SQL("SELECT " A_COLS A_FROM " WHERE l.status = 'open' ORDER BY l.id"),
};
static st_sql SQL_CHANGED[2] = {
    ST_SQL("SELECT " D_COLS D_FROM " WHERE l.updated_at >= ?1 ORDER BY l.updated_at, l.id LIMIT ?2"),
    ST_SQL("SELECT " A_COLS A_FROM " WHERE l.updated_at >= ?1 ORDER BY l.updated_at, l.id LIMIT ?2"),
};

typedef struct each_ctx {
    listing_kind kind;
    int (*fn)(void *ctx, const listing *l);
    void *ctx;
} each_ctx;

static int each_row(void *ctx, sqlite3_stmt *row)
{
    each_ctx *e = ctx;
    listing *l = listing_row(e->kind, row);
    int status = e->fn(e->ctx, l);
    listing_free(l);
    return status;
}

int store_listing_each_open(store *s, listing_kind kind, int (*fn)(void *ctx, const listing *l), void *ctx)
{
    each_ctx e = { kind, fn, ctx };
    return st_read(s, &SQL_OPEN[kind], ST_NO_ARGS, each_row, &e, "open listings");
}

int store_listing_changed_since(store *s, listing_kind kind, const char *since, size_t limit, listing_page *out)
{
    memset(out, 0, sizeof *out);
    out->items = xcalloc(limit ? limit : 1, sizeof *out->items);
    page_ctx p = { kind, out, limit, 0 };
    int status = st_read(s, &SQL_CHANGED[kind], ST_ARGS(A_TEXT(since), A_INT((int64_t)limit)), page_row, &p,
                         "changed listings");
    if (status != TM_OK)
        store_page_cleanup(out);
    return status;
}

void store_queue_matching(store *s)
{
    pthread_mutex_lock(&s->write_lock);
    s->writer->queue_matching = 1;
    pthread_mutex_unlock(&s->write_lock);
}

static int queue_row(void *ctx, sqlite3_stmt *row)
{
    *(int64_t *)st_vec_push(ctx) = sqlite3_column_int64(row, 0);
    return TM_OK;
}

int store_match_queue(store *s, listing_kind kind, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    st_vec v = ST_VEC(ids, n);
    return st_read(s, &SQL_QUEUE_LIST, ST_ARGS(A_TEXT(listing_kind_name(kind))), queue_row, &v, "match queue");
}
