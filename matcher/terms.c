/*
 * terms.c: a listing's text turned into bags of weighted terms: strings (for
 * explanations) and term ids (the fast path of adds and queries), each part of
 * the document weighed as mt_params says.
 */
#include "index_int.h"
#include "tokenizer.h"
#include <stdlib.h>
#include <string.h>

/* ---------- bags of weighted terms ---------- */


static int bag_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    bag *b = ctx;
    (void)start;
    (void)end;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        bag_entry *grown = realloc(b->e, cap * sizeof *grown);
        if (grown == NULL) {
            b->failed = 1;
            return 1;
        }
        b->e = grown;
        b->cap = cap;
    }
    b->e[b->n].text = ix_dup_n(tok, len);
    if (b->e[b->n].text == NULL) {
        b->failed = 1;
        return 1;
    }
    b->e[b->n].len = len;
    b->e[b->n].tf = b->weight;
    b->n++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const bag_entry *x = a, *y = b;
    return strcmp(x->text, y->text);
}

void ix_bag_free(bag *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->e[i].text);
    free(b->e);
}

/* Tokenizes a document into a bag of distinct terms with weighted frequencies. */
int ix_bag_of(const mt_params *p, mt_tokenizer *t, const mt_doc *d, bag *b)
{
    memset(b, 0, sizeof *b);
    if (d->title) {
        b->weight = (float)p->w_title;
        mt_tokenize(t, d->title, strlen(d->title), bag_token, b);
    }
    b->weight = (float)p->w_keywords;
    for (size_t i = 0; i < d->nkeywords && !b->failed; i++)
        if (d->keywords[i])
            mt_tokenize(t, d->keywords[i], strlen(d->keywords[i]), bag_token, b);
    if (d->body && !b->failed) {
        b->weight = (float)p->w_body;
        mt_tokenize(t, d->body, strlen(d->body), bag_token, b);
    }
    if (b->failed) {
        ix_bag_free(b);
        return MT_ERR_NOMEM;
    }
    if (b->n > 0)
        qsort(b->e, b->n, sizeof *b->e, cmp_entry);
    size_t out = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (out > 0 && strcmp(b->e[out - 1].text, b->e[i].text) == 0) {
            b->e[out - 1].tf += b->e[i].tf;
            free(b->e[i].text);
        } else {
            b->e[out++] = b->e[i];
        }
    }
    b->n = out;
    return MT_OK;
}

/* ---------- bags of term ids (the fast path of adds and queries) ---------- */


static int idbag_push(idbag *b, uint32_t id, float tf)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        uint32_t *ids = realloc(b->ids, cap * sizeof *ids);
        if (ids == NULL)
            return MT_ERR_NOMEM;
        b->ids = ids;
        float *f = realloc(b->tf, cap * sizeof *f);
        if (f == NULL)
            return MT_ERR_NOMEM;
        b->tf = f;
        b->cap = cap;
    }
    b->ids[b->n] = id;
    b->tf[b->n] = tf;
    b->n++;
    return MT_OK;
}

/*
 * Adds tokenize a whole document first, then intern: with every token's hash
 * known up front, the hash slots can be prefetched, so the cache misses of a
 * large vocabulary overlap instead of adding up.
 */
typedef struct tokent {
    uint32_t off, len, hash;
    float weight;
} tokent;

typedef struct tokbuf {
    char *text;
    size_t used, cap;
    tokent *t;
    size_t n, tcap;
    float weight;
    int failed;
} tokbuf;

static int collect_token(void *ctx, const char *s, size_t len, size_t start, size_t end)
{
    tokbuf *b = ctx;
    (void)start;
    (void)end;
    if (b->used + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->used + len)
            cap *= 2;
        char *text = realloc(b->text, cap);
        if (text == NULL) {
            b->failed = 1;
            return 1;
        }
        b->text = text;
        b->cap = cap;
    }
    if (b->n == b->tcap) {
        size_t cap = b->tcap ? b->tcap * 2 : 256;
        tokent *t = realloc(b->t, cap * sizeof *t);
        if (t == NULL) {
            b->failed = 1;
            return 1;
        }
        b->t = t;
        b->tcap = cap;
    }
    memcpy(b->text + b->used, s, len);
    b->t[b->n] = (tokent){ (uint32_t)b->used, (uint32_t)len, (uint32_t)ix_hash_bytes(s, len), b->weight };
    b->used += len;
    b->n++;
    return 0;
}

/* Queries: look the token up; frequencies are summed after sorting. */
static int find_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    idbag *b = ctx;
    (void)start;
    (void)end;
    uint32_t tid = ix_term_find(b->ro, tok, len);
    if (tid == UINT32_MAX || b->ro->terms[tid].df == 0)
        return 0;
    if (idbag_push(b, tid, b->weight) != MT_OK) {
        b->failed = 1;
        return 1;
    }
    return 0;
}

static void idbag_tokenize(const mt_params *p, mt_tokenizer *t, const mt_doc *d, idbag *b,
                           int (*fn)(void *, const char *, size_t, size_t, size_t))
{
    if (d->title) {
        b->weight = (float)p->w_title;
        mt_tokenize(t, d->title, strlen(d->title), fn, b);
    }
    b->weight = (float)p->w_keywords;
    for (size_t i = 0; i < d->nkeywords && !b->failed; i++)
        if (d->keywords[i])
            mt_tokenize(t, d->keywords[i], strlen(d->keywords[i]), fn, b);
    if (d->body && !b->failed) {
        b->weight = (float)p->w_body;
        mt_tokenize(t, d->body, strlen(d->body), fn, b);
    }
}

void ix_idbag_free(idbag *b)
{
    free(b->ids);
    free(b->tf);
}

/* A document's distinct terms, interned, with their weighted frequencies. */
int ix_idbag_of_doc(mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b)
{
    tokbuf tb = { 0 };
    memset(b, 0, sizeof *b);
    b->ix = ix;
    if (d->title) {
        tb.weight = (float)ix->p.w_title;
        mt_tokenize(t, d->title, strlen(d->title), collect_token, &tb);
    }
    tb.weight = (float)ix->p.w_keywords;
    for (size_t i = 0; i < d->nkeywords && !tb.failed; i++)
        if (d->keywords[i])
            mt_tokenize(t, d->keywords[i], strlen(d->keywords[i]), collect_token, &tb);
    if (d->body && !tb.failed) {
        tb.weight = (float)ix->p.w_body;
        mt_tokenize(t, d->body, strlen(d->body), collect_token, &tb);
    }
    if (ix->term_slots_cap > 0)
        for (size_t i = 0; i < tb.n; i++)
            __builtin_prefetch(&ix->term_slots[tb.t[i].hash & (ix->term_slots_cap - 1)]);
    for (size_t i = 0; i < tb.n && !tb.failed; i++) {
        uint32_t tid = ix_term_intern(ix, tb.text + tb.t[i].off, tb.t[i].len, tb.t[i].hash);
        if (tid == UINT32_MAX || (ix->scratch[tid] == 0.0f && idbag_push(b, tid, 0) != MT_OK)) {
            tb.failed = 1;
            break;
        }
        ix->scratch[tid] += tb.t[i].weight;
    }
    for (size_t i = 0; i < b->n; i++) {
        b->tf[i] = ix->scratch[b->ids[i]];
        ix->scratch[b->ids[i]] = 0.0f;
    }
    free(tb.text);
    free(tb.t);
    if (tb.failed) {
        ix_idbag_free(b);
        return MT_ERR_NOMEM;
    }
    return MT_OK;
}

typedef struct idtf {
    uint32_t id;
    float tf;
} idtf;

static int cmp_idtf(const void *a, const void *b)
{
    const idtf *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* A query's distinct known terms with their weighted frequencies (no writes to the index). */
int ix_idbag_of_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b)
{
    memset(b, 0, sizeof *b);
    b->ro = ix;
    idbag_tokenize(&ix->p, t, d, b, find_token);
    if (b->failed) {
        ix_idbag_free(b);
        return MT_ERR_NOMEM;
    }
    idtf *v = malloc((b->n ? b->n : 1) * sizeof *v);
    if (v == NULL) {
        ix_idbag_free(b);
        return MT_ERR_NOMEM;
    }
    for (size_t i = 0; i < b->n; i++)
        v[i] = (idtf){ b->ids[i], b->tf[i] };
    if (b->n > 0)
        qsort(v, b->n, sizeof *v, cmp_idtf);
    size_t out = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (out > 0 && b->ids[out - 1] == v[i].id) {
            b->tf[out - 1] += v[i].tf;
        } else {
            b->ids[out] = v[i].id;
            b->tf[out] = v[i].tf;
            out++;
        }
    }
    b->n = out;
    free(v);
    return MT_OK;
}
