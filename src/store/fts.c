/*
 * fts.c: an FTS5 tokenizer that calls mt_tokenize, and the builder of safe
 * FTS5 query strings (see fts.h).
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

static int count_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    (void)tok;
    (void)len;
    (void)start;
    (void)end;
    (*(int *)ctx)++;
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

char *store_fts_query(const char *q)
{
    mt_tokenizer *t = mt_tokenizer_new();
    sbuf out;
    int words = 0;
    const char *p = q;

    if (t == NULL)
        return NULL;
    sbuf_init(&out);
    while (*p && words < LIM_QUERY_TERMS) {
        size_t sp = space_len(p);
        if (sp) {
            p += sp;
            continue;
        }
        const char *w = p;
        while (*p && space_len(p) == 0)
            p++;
        int tokens = 0;
        mt_tokenize(t, w, (size_t)(p - w), count_token, &tokens);
        if (tokens == 0)
            continue;
        if (words++)
            sbuf_addc(&out, ' ');
        sbuf_addc(&out, '"');
        for (const char *c = w; c < p; c++) {
            if (*c == '"')
                sbuf_addc(&out, '"');
            sbuf_addc(&out, *c);
        }
        sbuf_addc(&out, '"');
    }
    mt_tokenizer_free(t);
    if (words == 0) {
        sbuf_cleanup(&out);
        return NULL;
    }
    return sbuf_take(&out);
}
