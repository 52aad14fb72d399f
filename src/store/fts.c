/*
 * fts.c: an FTS5 tokenizer that calls mt_tokenize, and the planner of
 * searches: which words of the user's text are searched, as a safe FTS5 query
 * string (see fts.h).
 */
#include "fts.h"
#include "limits.h"
#include "log.h"
#include "mem.h"
#include "sbuf.h"
#include "tokenizer.h"
#include <stdlib.h>
#include <string.h>

typedef struct fts_call {
    void *ctx;
    int (*x_token)(void *, int, const char *, int, int, int);
} fts_call;

static int fts_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)args;
    (void)nargs;
    mt_tokenizer *t = mt_tokenizer_new();
    if (t == NULL)
        return SQLITE_NOMEM;
    mt_tokenizer_set_search(t, 1); /* a user may look up "18650" or "不低于" */
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *t)
{
    mt_tokenizer_free((mt_tokenizer *)t);
}

static int fts_emit(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    fts_call *c = ctx;
    return c->x_token(c->ctx, 0, tok, (int)len, (int)start, (int)end);
}

static int fts_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
                        int (*x_token)(void *, int, const char *, int, int, int))
{
    (void)flags;
    fts_call c = { ctx, x_token };
    if (len <= 0)
        return SQLITE_OK;
    return mt_tokenize((mt_tokenizer *)t, text, (size_t)len, fts_emit, &c);
}

int store_fts_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };

    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) {
        log_error("SQLite has no FTS5: %s", sqlite3_errmsg(db));
        return TM_ERR_DB;
    }
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        log_error("SQLite, fts5(): %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW || api == NULL || api->iVersion < 2) {
        log_error("SQLite's FTS5 API is missing or too old");
        return TM_ERR_DB;
    }
    if (api->xCreateTokenizer(api, "techmatch", NULL, &tok, NULL) != SQLITE_OK) {
        log_error("cannot register the techmatch FTS5 tokenizer");
        return TM_ERR_DB;
    }
    return TM_OK;
}

int store_fts_vocab_create(sqlite3 *db)
{
    /* The FTS5 tables may not exist yet (before the migrations): fts5vocab looks them up when read. */
    if (sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS " FTS_VOCAB_DEMANDS
                         " USING fts5vocab(main, demands_fts, row);"
                         "CREATE VIRTUAL TABLE IF NOT EXISTS " FTS_VOCAB_ACHIEVEMENTS
                         " USING fts5vocab(main, achievements_fts, row);", NULL, NULL, NULL) != SQLITE_OK) {
        log_error("cannot create the FTS5 vocabulary tables: %s", sqlite3_errmsg(db));
        return TM_ERR_DB;
    }
    return TM_OK;
}

/* One word of the text: where it is, its tokens (joined by 0x1F, to tell repeated words) and its rarity. */
typedef struct word {
    const char *text;
    size_t len;
    char *tokens;
    int64_t docs;      /* listings holding its rarest token */
    int keep;
} word;

static int add_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    sbuf *b = ctx;
    (void)start;
    (void)end;
    if (b->len)
        sbuf_addc(b, 0x1F);
    sbuf_add(b, tok, len);
    return 0;
}

/* Returns the byte length of the whitespace (ASCII or U+3000) at p, or 0. */
static size_t space_len(const char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        return 1;
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
        return 3;
    return 0;
}

/* Splits q into words with their tokens (words without one, and repeats, are left out); returns how many. */
static size_t split_words(mt_tokenizer *t, const char *q, word *w, size_t max)
{
    size_t n = 0;
    const char *p = q;
    while (*p && n < max) {
        size_t sp = space_len(p);
        if (sp) {
            p += sp;
            continue;
        }
        const char *start = p;
        while (*p && space_len(p) == 0)
            p++;
        sbuf toks;
        sbuf_init(&toks);
        mt_tokenize(t, start, (size_t)(p - start), add_token, &toks);
        int repeat = toks.len == 0;
        for (size_t i = 0; i < n && !repeat; i++)
            repeat = strcmp(w[i].tokens, toks.buf) == 0;
        if (repeat) {
            sbuf_cleanup(&toks);
            continue;
        }
        w[n] = (word){ start, (size_t)(p - start), sbuf_take(&toks), 0, 0 };
        sbuf_cleanup(&toks);
        n++;
    }
    return n;
}

/* Sets w->docs to the document count of its rarest token. */
static int word_docs(word *w, fts_doc_count_fn doc_count, void *ctx)
{
    const char *tok = w->tokens;
    w->docs = INT64_MAX;
    for (;;) {
        size_t len = strcspn(tok, "\x1F");
        int64_t docs = 0;
        int status = doc_count(ctx, tok, len, &docs);
        if (status != TM_OK)
            return status;
        if (docs < w->docs)
            w->docs = docs;
        if (tok[len] == '\0')
            return TM_OK;
        tok += len + 1;
    }
}

/* Appends word w as an FTS5 phrase: in double quotes, its own double quotes doubled. */
static void add_phrase(sbuf *out, const word *w)
{
    if (out->len)
        sbuf_addc(out, ' ');
    sbuf_addc(out, '"');
    for (size_t i = 0; i < w->len; i++) {
        if (w->text[i] == '"')
            sbuf_addc(out, '"');
        sbuf_addc(out, w->text[i]);
    }
    sbuf_addc(out, '"');
}

/* Marks the LIM_SEARCH_TERMS rarest of n words to keep (ties: the earlier). */
static void keep_rarest(word *w, size_t n)
{
    for (size_t k = 0; k < n && k < LIM_SEARCH_TERMS; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!w[i].keep && (best == n || w[i].docs < w[best].docs))
                best = i;
        w[best].keep = 1;
    }
}

int store_fts_plan(const char *q, fts_doc_count_fn doc_count, void *ctx, fts_plan *out)
{
    word w[LIM_QUERY / 2 + 1]; /* a word and a space take two bytes at least */
    sbuf query;
    size_t n = 0;
    int status = TM_OK;
    memset(out, 0, sizeof *out);
    mt_tokenizer *t = mt_tokenizer_new();
    if (t == NULL)
        return TM_ERR_DB;
    mt_tokenizer_set_search(t, 1); /* the same tokens as the FTS5 tokenizer above */
    n = split_words(t, q, w, sizeof w / sizeof w[0]);
    mt_tokenizer_free(t);
    /* Only the first LIM_QUERY_TERMS words are weighed; any further ones are dropped unread. */
    size_t weighed = n < LIM_QUERY_TERMS ? n : LIM_QUERY_TERMS;
    for (size_t i = 0; i < weighed && status == TM_OK; i++)
        status = word_docs(&w[i], doc_count, ctx);
    if (status == TM_OK)
        keep_rarest(w, weighed);
    sbuf_init(&query);
    for (size_t i = 0; i < n && status == TM_OK; i++) {
        char *text = xmalloc(w[i].len + 1);
        memcpy(text, w[i].text, w[i].len);
        text[w[i].len] = '\0';
        strlist_push(w[i].keep ? &out->used : &out->dropped, text);
        free(text);
        if (w[i].keep)
            add_phrase(&query, &w[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(w[i].tokens);
    if (status == TM_OK && query.len > 0)
        out->query = sbuf_take(&query);
    sbuf_cleanup(&query);
    return status;
}

void store_fts_plan_cleanup(fts_plan *p)
{
    free(p->query);
    strlist_clear(&p->used);
    strlist_clear(&p->dropped);
    memset(p, 0, sizeof *p);
}
