/*
 * index.c: vocabulary (open-addressing hash of term strings), postings
 * (parallel arrays of document numbers and quantised weights), documents
 * (id, length, term bag for re-weighting and removal, field codes), and
 * term-at-a-time scoring with a top-k heap.  See index.h for the model.
 */
#include "index.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- small helpers ---------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* FNV-1a, then a murmur finaliser so that the low bits (the slot) mix well. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_id(int64_t id)
{
    uint64_t x = (uint64_t)id;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* ---------- structures ---------- */

typedef struct term {
    char *text;
    uint32_t hash;       /* of text, checked before comparing strings */
    uint32_t len;        /* bytes of text */
    uint32_t *docs;      /* document numbers, ascending */
    uint8_t *w;          /* BM25 weight scaled to 1..255 */
    uint32_t n, cap;
    uint32_t df;         /* live documents holding the term */
    uint8_t maxw;        /* the largest weight in the postings: the term's upper bound */
} term;

/*
 * A vocabulary hash slot: the term's hash, its id + 1 (0 = empty) and its
 * first 8 bytes, so that a probe for a term shorter than 8 bytes (every
 * Chinese bigram) is answered by the slot alone, without touching the term.
 */
typedef struct tslot {
    uint64_t head;       /* the first 8 bytes of the text, zero-padded */
    uint32_t hash;
    uint32_t id1;
} tslot;

typedef struct doc {
    int64_t id;
    float len;           /* weighted length */
    int live;
    uint32_t nterms;
    uint32_t *terms;     /* term ids of its bag */
    float *tf;           /* weighted term frequencies */
} doc;

/* Interned keys: the field codes, and the sets of field codes the documents hold. */
typedef struct strtab {
    char **key;          /* owned copies */
    uint32_t *len;
    uint32_t n, cap;
    uint32_t *slots;     /* id + 1, 0 = empty */
    uint32_t slots_cap;  /* power of two */
} strtab;

#define NO_SET UINT32_MAX

struct mt_index {
    mt_params p;
    term *terms;
    uint32_t nterms, terms_cap;
    tslot *term_slots;           /* hash slots: see tslot */
    uint32_t term_slots_cap;     /* power of two */
    doc *docs;
    uint32_t ndocs, docs_cap;
    uint32_t *id_slots;          /* hash slots: doc number + 1, 0 = empty */
    uint32_t id_slots_cap;
    uint32_t nlive;
    double total_len;            /* over live documents */
    float *scratch;              /* by term id: frequencies of the document being added, else 0 */
    uint8_t *alive;              /* by document number: 1 while live (compact, for the hot loops) */
    uint32_t *dset;              /* by document number: its set of field codes, or NO_SET */
    strtab codes;                /* field code texts */
    strtab sets;                 /* keys: sorted arrays of code ids */
    int bulk;                    /* adds record documents only; finalize writes the postings */
};

void mt_params_default(mt_params *p)
{
    p->k1 = 1.2;
    p->b = 0.4;
    p->w_title = 3.0;
    p->w_keywords = 3.0;
    p->w_body = 1.0;
    p->wk = 0.8;
    p->wf = 0.2;
    p->prf_docs = 10;
    p->prf_terms = 20;
    p->prf_weight = 0.3;
}

mt_index *mt_index_new(const mt_params *p)
{
    mt_index *ix = calloc(1, sizeof *ix);
    if (ix == NULL)
        return NULL;
    if (p)
        ix->p = *p;
    else
        mt_params_default(&ix->p);
    return ix;
}

static void doc_clear(doc *d)
{
    free(d->terms);
    free(d->tf);
    memset(d, 0, sizeof *d);
}

static void strtab_free(strtab *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        free(s->key[i]);
    free(s->key);
    free(s->len);
    free(s->slots);
}

void mt_index_free(mt_index *ix)
{
    if (ix == NULL)
        return;
    for (uint32_t i = 0; i < ix->nterms; i++) {
        free(ix->terms[i].text);
        free(ix->terms[i].docs);
        free(ix->terms[i].w);
    }
    for (uint32_t i = 0; i < ix->ndocs; i++)
        doc_clear(&ix->docs[i]);
    free(ix->terms);
    free(ix->scratch);
    free(ix->term_slots);
    free(ix->docs);
    free(ix->alive);
    free(ix->dset);
    strtab_free(&ix->codes);
    strtab_free(&ix->sets);
    free(ix->id_slots);
    free(ix);
}

size_t mt_index_count(const mt_index *ix)
{
    return ix->nlive;
}

void mt_index_memory(const mt_index *ix, size_t *postings, size_t *bytes)
{
    *postings = 0;
    *bytes = 0;
    for (uint32_t t = 0; t < ix->nterms; t++) {
        *postings += ix->terms[t].n;
        *bytes += (size_t)ix->terms[t].cap * (sizeof(uint32_t) + sizeof(uint8_t));
    }
}

/* ---------- the vocabulary ---------- */

/* The first 8 bytes of s[0..n), zero-padded (tokens hold no zero bytes). */
static uint64_t text_head(const char *s, size_t n)
{
    uint64_t h = 0;
    memcpy(&h, s, n < 8 ? n : 8);
    return h;
}

static int term_rehash(mt_index *ix, uint32_t cap)
{
    tslot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return MT_ERR_NOMEM;
    for (uint32_t t = 0; t < ix->nterms; t++) {
        uint32_t i = ix->terms[t].hash & (cap - 1);
        while (slots[i].id1)
            i = (i + 1) & (cap - 1);
        slots[i] = (tslot){ text_head(ix->terms[t].text, ix->terms[t].len), ix->terms[t].hash, t + 1 };
    }
    free(ix->term_slots);
    ix->term_slots = slots;
    ix->term_slots_cap = cap;
    return MT_OK;
}

/* Finds the term with hash h; returns its id, or UINT32_MAX with *slot = the empty slot to use. */
static uint32_t term_probe(const mt_index *ix, const char *s, size_t n, uint32_t h, uint32_t *slot)
{
    uint64_t head = text_head(s, n);
    uint32_t i = h & (ix->term_slots_cap - 1);
    while (ix->term_slots[i].id1) {
        const tslot *v = &ix->term_slots[i];
        if (v->hash == h && v->head == head) {
            uint32_t id = v->id1 - 1;
            if (n < 8)
                return id; /* the zero padding means the slot's term is n bytes too */
            const term *tm = &ix->terms[id];
            if (tm->len == n && memcmp(tm->text, s, n) == 0)
                return id;
        }
        i = (i + 1) & (ix->term_slots_cap - 1);
    }
    *slot = i;
    return UINT32_MAX;
}

/* Finds a term; returns its id or UINT32_MAX. */
static uint32_t term_find(const mt_index *ix, const char *s, size_t n)
{
    uint32_t slot;
    if (ix->term_slots_cap == 0)
        return UINT32_MAX;
    return term_probe(ix, s, n, (uint32_t)hash_bytes(s, n), &slot);
}

/* Finds or adds a term whose hash is h; returns its id or UINT32_MAX when out of memory. */
static uint32_t term_intern(mt_index *ix, const char *s, size_t n, uint32_t h)
{
    uint32_t slot = 0;
    if (ix->term_slots_cap > 0) {
        uint32_t t = term_probe(ix, s, n, h, &slot);
        if (t != UINT32_MAX)
            return t;
    }
    if ((ix->nterms + 1) * 2 > ix->term_slots_cap) {
        if (term_rehash(ix, ix->term_slots_cap ? ix->term_slots_cap * 2 : 1024) != MT_OK)
            return UINT32_MAX;
        (void)term_probe(ix, s, n, h, &slot);
    }
    if (ix->nterms == ix->terms_cap) {
        uint32_t cap = ix->terms_cap ? ix->terms_cap * 2 : 1024;
        term *grown = realloc(ix->terms, cap * sizeof *grown);
        if (grown == NULL)
            return UINT32_MAX;
        ix->terms = grown;
        float *sc = realloc(ix->scratch, cap * sizeof *sc);
        if (sc == NULL)
            return UINT32_MAX;
        memset(sc + ix->terms_cap, 0, (cap - ix->terms_cap) * sizeof *sc);
        ix->scratch = sc;
        ix->terms_cap = cap;
    }
    term *tm = &ix->terms[ix->nterms];
    memset(tm, 0, sizeof *tm);
    tm->text = dup_n(s, n);
    if (tm->text == NULL)
        return UINT32_MAX;
    tm->hash = h;
    tm->len = (uint32_t)n;
    ix->term_slots[slot] = (tslot){ text_head(s, n), h, ix->nterms + 1 };
    return ix->nterms++;
}

/* ---------- interned keys ---------- */

static int strtab_grow(strtab *s)
{
    uint32_t cap = s->slots_cap ? s->slots_cap * 2 : 64;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return MT_ERR_NOMEM;
    for (uint32_t id = 0; id < s->n; id++) {
        uint32_t i = (uint32_t)hash_bytes(s->key[id], s->len[id]) & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = id + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->slots_cap = cap;
    return MT_OK;
}

/* Returns the id of the key k[0..n), adding it when new; UINT32_MAX when out of memory. */
static uint32_t strtab_intern(strtab *s, const char *k, size_t n)
{
    if ((s->n + 1) * 2 > s->slots_cap && strtab_grow(s) != MT_OK)
        return UINT32_MAX;
    uint32_t i = (uint32_t)hash_bytes(k, n) & (s->slots_cap - 1);
    while (s->slots[i]) {
        uint32_t id = s->slots[i] - 1;
        if (s->len[id] == n && memcmp(s->key[id], k, n) == 0)
            return id;
        i = (i + 1) & (s->slots_cap - 1);
    }
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 64;
        char **key = realloc(s->key, cap * sizeof *key);
        if (key == NULL)
            return UINT32_MAX;
        s->key = key;
        uint32_t *len = realloc(s->len, cap * sizeof *len);
        if (len == NULL)
            return UINT32_MAX;
        s->len = len;
        s->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return UINT32_MAX;
    memcpy(copy, k, n);
    copy[n] = '\0';
    s->key[s->n] = copy;
    s->len[s->n] = (uint32_t)n;
    s->slots[i] = s->n + 1;
    return s->n++;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The id of the set of d's field codes (NO_SET when it has none); UINT32_MAX - 1 when out of memory. */
#define SET_NOMEM (UINT32_MAX - 1)
static uint32_t field_set_of(mt_index *ix, const mt_doc *d)
{
    uint32_t ids[16];
    size_t n = 0;
    for (size_t i = 0; i < d->nfields && n < sizeof ids / sizeof ids[0]; i++) {
        if (d->fields[i] == NULL)
            continue;
        uint32_t c = strtab_intern(&ix->codes, d->fields[i], strlen(d->fields[i]));
        if (c == UINT32_MAX)
            return SET_NOMEM;
        ids[n++] = c;
    }
    if (n == 0)
        return NO_SET;
    qsort(ids, n, sizeof ids[0], cmp_u32);
    size_t u = 1;
    for (size_t i = 1; i < n; i++)
        if (ids[i] != ids[u - 1])
            ids[u++] = ids[i];
    uint32_t set = strtab_intern(&ix->sets, (const char *)ids, u * sizeof ids[0]);
    return set == UINT32_MAX ? SET_NOMEM : set;
}

/* ---------- documents by id ---------- */

static int id_rehash(mt_index *ix, uint32_t cap)
{
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return MT_ERR_NOMEM;
    for (uint32_t d = 0; d < ix->ndocs; d++) {
        if (!ix->docs[d].live)
            continue;
        uint32_t i = (uint32_t)hash_id(ix->docs[d].id) & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = d + 1;
    }
    free(ix->id_slots);
    ix->id_slots = slots;
    ix->id_slots_cap = cap;
    return MT_OK;
}

/* Returns the slot index holding the live document id, or UINT32_MAX. */
static uint32_t id_slot(const mt_index *ix, int64_t id)
{
    if (ix->id_slots_cap == 0)
        return UINT32_MAX;
    uint32_t i = (uint32_t)hash_id(id) & (ix->id_slots_cap - 1);
    while (ix->id_slots[i]) {
        if (ix->docs[ix->id_slots[i] - 1].id == id)
            return i;
        i = (i + 1) & (ix->id_slots_cap - 1);
    }
    return UINT32_MAX;
}

/* ---------- bags of weighted terms ---------- */

typedef struct bag_entry {
    char *text;
    size_t len;
    float tf;
} bag_entry;

typedef struct bag {
    bag_entry *e;
    size_t n, cap;
    float weight;      /* the weight of the text being tokenized */
    int failed;
} bag;

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
    b->e[b->n].text = dup_n(tok, len);
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

static void bag_free(bag *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->e[i].text);
    free(b->e);
}

/* Tokenizes a document into a bag of distinct terms with weighted frequencies. */
static int bag_of(const mt_params *p, mt_tokenizer *t, const mt_doc *d, bag *b)
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
        bag_free(b);
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

typedef struct idbag {
    uint32_t *ids;
    float *tf;
    size_t n, cap;
    float weight;       /* of the text being tokenized */
    int failed;
    mt_index *ix;       /* the index of an add */
    const mt_index *ro; /* the index of a query: unknown terms are skipped */
} idbag;

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
    b->t[b->n] = (tokent){ (uint32_t)b->used, (uint32_t)len, (uint32_t)hash_bytes(s, len), b->weight };
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
    uint32_t tid = term_find(b->ro, tok, len);
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

static void idbag_free(idbag *b)
{
    free(b->ids);
    free(b->tf);
}

/* A document's distinct terms, interned, with their weighted frequencies. */
static int idbag_of_doc(mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b)
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
        uint32_t tid = term_intern(ix, tb.text + tb.t[i].off, tb.t[i].len, tb.t[i].hash);
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
        idbag_free(b);
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
static int idbag_of_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b)
{
    memset(b, 0, sizeof *b);
    b->ro = ix;
    idbag_tokenize(&ix->p, t, d, b, find_token);
    if (b->failed) {
        idbag_free(b);
        return MT_ERR_NOMEM;
    }
    idtf *v = malloc((b->n ? b->n : 1) * sizeof *v);
    if (v == NULL) {
        idbag_free(b);
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

/* ---------- weights ---------- */

static double avg_len(const mt_index *ix)
{
    return ix->nlive ? ix->total_len / ix->nlive : 1.0;
}

/* BM25 document-side weight of a term with weighted frequency tf, scaled to 1..255. */
static uint8_t quantised_weight(const mt_params *p, double tf, double len, double avg)
{
    double norm = p->k1 * (1.0 - p->b + p->b * (avg > 0 ? len / avg : 1.0));
    double w = tf / (tf + norm);          /* = tf (k1 + 1) / (tf + norm) / (k1 + 1), in (0, 1) */
    long q = lround(w * 255.0);
    return (uint8_t)(q < 1 ? 1 : q > 255 ? 255 : q);
}

static int posting_push(term *tm, uint32_t docno, uint8_t w)
{
    if (tm->n == tm->cap) {
        uint32_t cap = tm->cap ? tm->cap * 2 : 4;
        uint32_t *docs = realloc(tm->docs, cap * sizeof *docs);
        if (docs == NULL)
            return MT_ERR_NOMEM;
        tm->docs = docs;
        uint8_t *w8 = realloc(tm->w, cap * sizeof *w8);
        if (w8 == NULL)
            return MT_ERR_NOMEM;
        tm->w = w8;
        tm->cap = cap;
    }
    tm->docs[tm->n] = docno;
    tm->w[tm->n] = w;
    tm->n++;
    if (w > tm->maxw)
        tm->maxw = w;
    return MT_OK;
}

/* ---------- add, remove, finalize ---------- */

int mt_index_remove(mt_index *ix, int64_t id)
{
    uint32_t slot = id_slot(ix, id);
    if (slot == UINT32_MAX)
        return MT_ERR_NOT_FOUND;
    doc *d = &ix->docs[ix->id_slots[slot] - 1];
    for (uint32_t i = 0; i < d->nterms; i++)
        ix->terms[d->terms[i]].df--;
    ix->total_len -= d->len;
    ix->nlive--;
    /* Postings of a dead document stay until finalize compacts them; the tombstone filters them. */
    ix->alive[ix->id_slots[slot] - 1] = 0;
    doc_clear(d);
    ix->id_slots[slot] = 0;
    /* Re-insert the following cluster so lookups stay correct (linear probing). */
    uint32_t i = (slot + 1) & (ix->id_slots_cap - 1);
    while (ix->id_slots[i]) {
        uint32_t dn = ix->id_slots[i] - 1;
        ix->id_slots[i] = 0;
        uint32_t j = (uint32_t)hash_id(ix->docs[dn].id) & (ix->id_slots_cap - 1);
        while (ix->id_slots[j])
            j = (j + 1) & (ix->id_slots_cap - 1);
        ix->id_slots[j] = dn + 1;
        i = (i + 1) & (ix->id_slots_cap - 1);
    }
    return MT_OK;
}

int mt_index_add(mt_index *ix, mt_tokenizer *t, int64_t id, const mt_doc *d)
{
    idbag b;
    (void)mt_index_remove(ix, id);
    int rc = idbag_of_doc(ix, t, d, &b);
    if (rc != MT_OK)
        return rc;
    if (ix->ndocs == ix->docs_cap) {
        uint32_t cap = ix->docs_cap ? ix->docs_cap * 2 : 1024;
        doc *grown = realloc(ix->docs, cap * sizeof *grown);
        if (grown)
            ix->docs = grown;
        uint8_t *alive = grown ? realloc(ix->alive, cap) : NULL;
        if (alive)
            ix->alive = alive;
        uint32_t *dset = alive ? realloc(ix->dset, cap * sizeof *dset) : NULL;
        if (dset == NULL) {
            idbag_free(&b);
            return MT_ERR_NOMEM;
        }
        ix->dset = dset;
        ix->docs_cap = cap;
    }
    if ((ix->nlive + 1) * 2 > ix->id_slots_cap &&
        id_rehash(ix, ix->id_slots_cap ? ix->id_slots_cap * 2 : 1024) != MT_OK) {
        idbag_free(&b);
        return MT_ERR_NOMEM;
    }
    uint32_t docno = ix->ndocs;
    doc *dc = &ix->docs[docno];
    memset(dc, 0, sizeof *dc);
    dc->id = id;
    /* The bag's arrays become the document's (trimmed to size). */
    uint32_t *ids = realloc(b.ids, (b.n ? b.n : 1) * sizeof *ids);
    if (ids != NULL)
        b.ids = ids;
    float *tf = realloc(b.tf, (b.n ? b.n : 1) * sizeof *tf);
    if (tf != NULL)
        b.tf = tf;
    dc->terms = b.ids;
    dc->tf = b.tf;
    dc->nterms = (uint32_t)b.n;
    uint32_t set = field_set_of(ix, d);
    if (set == SET_NOMEM) {
        doc_clear(dc);
        return MT_ERR_NOMEM;
    }
    ix->dset[docno] = set;
    for (uint32_t k = 0; k < dc->nterms; k++)
        dc->len += dc->tf[k];
    ix->ndocs++;
    dc->live = 1;
    ix->alive[docno] = 1;
    ix->nlive++;
    ix->total_len += dc->len;
    uint32_t i = (uint32_t)hash_id(id) & (ix->id_slots_cap - 1);
    while (ix->id_slots[i])
        i = (i + 1) & (ix->id_slots_cap - 1);
    ix->id_slots[i] = docno + 1;
    for (uint32_t k = 0; k < dc->nterms; k++)
        ix->terms[dc->terms[k]].df++;
    if (ix->bulk)
        return MT_OK; /* finalize writes the postings */
    double avg = avg_len(ix);
    for (uint32_t k = 0; k < dc->nterms; k++) {
        term *tm = &ix->terms[dc->terms[k]];
        if (posting_push(tm, docno, quantised_weight(&ix->p, dc->tf[k], dc->len, avg)) != MT_OK)
            return MT_ERR_NOMEM;
    }
    return MT_OK;
}

void mt_index_bulk(mt_index *ix)
{
    ix->bulk = 1;
}

int mt_index_finalize(mt_index *ix)
{
    double avg = avg_len(ix);
    /* Each list gets exactly its live postings (df of them): 5 bytes a posting. */
    for (uint32_t t = 0; t < ix->nterms; t++) {
        term *tm = &ix->terms[t];
        tm->n = 0;
        tm->maxw = 0;
        if (tm->cap == tm->df)
            continue;
        uint32_t size = tm->df ? tm->df : 1;
        uint32_t *docs = realloc(tm->docs, size * sizeof *docs);
        if (docs == NULL)
            return MT_ERR_NOMEM;
        tm->docs = docs;
        uint8_t *w = realloc(tm->w, size * sizeof *w);
        if (w == NULL)
            return MT_ERR_NOMEM;
        tm->w = w;
        tm->cap = tm->df;
    }
    for (uint32_t d = 0; d < ix->ndocs; d++) {
        doc *dc = &ix->docs[d];
        if (!dc->live)
            continue;
        for (uint32_t k = 0; k < dc->nterms; k++) {
            term *tm = &ix->terms[dc->terms[k]];
            tm->docs[tm->n] = d;
            tm->w[tm->n] = quantised_weight(&ix->p, dc->tf[k], dc->len, avg);
            if (tm->w[tm->n] > tm->maxw)
                tm->maxw = tm->w[tm->n];
            tm->n++;
        }
    }
    ix->bulk = 0;
    return MT_OK;
}

/* ---------- fields ---------- */

static int ascii_code(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Levels of a hierarchical code: "B" 1, "B06" 2, "B061" 3, "B0610" 4. */
static int code_levels(size_t len)
{
    return len <= 1 ? 1 : len <= 3 ? 2 : (int)len - 1;
}

static size_t level_prefix(int level)
{
    return level <= 1 ? 1 : level == 2 ? 3 : (size_t)level + 1;
}

static double code_agreement(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1.0;
    if (!ascii_code(a) || !ascii_code(b))
        return 0.0; /* free-text field names agree only when equal */
    size_t la = strlen(a), lb = strlen(b);
    int da = code_levels(la), db = code_levels(lb);
    int deep = da > db ? da : db, shared = 0;
    for (int l = 1; l <= deep; l++) {
        size_t p = level_prefix(l);
        if (p > la || p > lb || strncmp(a, b, p) != 0)
            break;
        shared = l;
    }
    return (double)shared / deep;
}

double mt_field_agreement(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    double best = 0.0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            double x = code_agreement(a[i], b[j]);
            if (x > best)
                best = x;
        }
    return best;
}

/* ---------- queries ---------- */

/*
 * A query term.  Scores are sums of integers (qi * w), so every way of adding
 * them (term at a time, document at a time, pruned or not) gives the same
 * number, and the pruned top k equals the exhaustive one exactly.
 */
#define QSCALE 4096.0

typedef struct qterm {
    uint32_t term;
    double weight;     /* q(t) */
    int64_t qi;        /* q(t) * QSCALE, rounded */
    int64_t ub;        /* qi * the term's largest posting weight */
} qterm;

/* Min-heap of hits by (score, then larger id is worse). */
static int worse(const mt_hit *a, const mt_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static void heap_push(mt_hit *h, size_t *n, size_t k, const mt_hit *x)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = *x;
        while (i > 0 && worse(&h[i], &h[(i - 1) / 2])) {
            mt_hit tmp = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
        return;
    }
    if (!worse(&h[0], x))
        return;
    h[0] = *x;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && worse(&h[l], &h[m]))
            m = l;
        if (r < *n && worse(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        mt_hit tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

static int cmp_hits(const void *a, const void *b)
{
    const mt_hit *x = a, *y = b;
    if (worse(x, y))
        return 1;
    if (worse(y, x))
        return -1;
    return 0;
}

/* Sets the integer weights and bounds of the query terms; returns the most the query can score. */
static int64_t prepare_terms(const mt_index *ix, qterm *qt, size_t nq)
{
    /* The scale keeps every sum under 2^31, so 32-bit accumulators cannot overflow. */
    double total = 0, scale = QSCALE;
    for (size_t i = 0; i < nq; i++)
        total += qt[i].weight;
    double room = (2147483647.0 / 255.0 - (double)nq - 1.0) / (total > 0 ? total : 1);
    if (room < scale)
        scale = room < 1.0 ? 1.0 : room;
    int64_t qmax = 0;
    for (size_t i = 0; i < nq; i++) {
        qt[i].qi = llround(qt[i].weight * scale);
        if (qt[i].qi < 1)
            qt[i].qi = 1;
        qt[i].ub = qt[i].qi * ix->terms[qt[i].term].maxw;
        qmax += qt[i].qi * 255;
    }
    return qmax;
}

/*
 * Per-thread scratch for queries: accumulators (kept all zero between
 * queries), the documents touched, room to select the k-th best, and the
 * field agreement of each set of field codes with the current query (valid
 * where fgen equals gen).  Freed when the thread ends.
 */
typedef struct scratch {
    uint32_t *acc;     /* sums stay under 2^31 (prepare_terms) */
    uint32_t *touched;
    double *sel;
    size_t cap;
    double *fval;
    uint32_t *fgen;
    size_t fcap;
    uint32_t gen;
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    scratch *sc = p;
    if (sc) {
        free(sc->acc);
        free(sc->touched);
        free(sc->sel);
        free(sc->fval);
        free(sc->fgen);
        free(sc);
    }
}

static void scratch_key_make(void)
{
    (void)pthread_key_create(&scratch_key, scratch_free);
}

static int scratch_fit_docs(scratch *sc, size_t ndocs)
{
    if (sc->cap >= ndocs)
        return MT_OK;
    size_t cap = ndocs + ndocs / 2 + 1024;
    uint32_t *acc = calloc(cap, sizeof *acc);
    uint32_t *touched = malloc(cap * sizeof *touched);
    double *sel = malloc(cap * sizeof *sel);
    if (!acc || !touched || !sel) {
        free(acc);
        free(touched);
        free(sel);
        return MT_ERR_NOMEM;
    }
    free(sc->acc);
    free(sc->touched);
    free(sc->sel);
    sc->acc = acc;
    sc->touched = touched;
    sc->sel = sel;
    sc->cap = cap;
    return MT_OK;
}

static int scratch_fit_sets(scratch *sc, size_t nsets)
{
    if (sc->fcap >= nsets)
        return MT_OK;
    size_t cap = nsets + nsets / 2 + 64;
    double *fval = malloc(cap * sizeof *fval);
    uint32_t *fgen = calloc(cap, sizeof *fgen);
    if (!fval || !fgen) {
        free(fval);
        free(fgen);
        return MT_ERR_NOMEM;
    }
    free(sc->fval);
    free(sc->fgen);
    sc->fval = fval;
    sc->fgen = fgen;
    sc->fcap = cap;
    sc->gen = 0;
    return MT_OK;
}

/* This thread's scratch, sized for ix, with the field agreements of a previous query forgotten. */
static scratch *scratch_get(const mt_index *ix)
{
    pthread_once(&scratch_once, scratch_key_make);
    scratch *sc = pthread_getspecific(scratch_key);
    if (sc == NULL) {
        sc = calloc(1, sizeof *sc);
        if (sc == NULL || pthread_setspecific(scratch_key, sc) != 0) {
            free(sc);
            return NULL;
        }
    }
    if (scratch_fit_docs(sc, ix->ndocs) != MT_OK || scratch_fit_sets(sc, ix->sets.n) != MT_OK)
        return NULL;
    if (++sc->gen == 0) {
        memset(sc->fgen, 0, sc->fcap * sizeof *sc->fgen);
        sc->gen = 1;
    }
    return sc;
}

/* F of the query and a set of field codes, computed once per query and set. */
static double set_agreement(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t set)
{
    if (sc->fgen[set] == sc->gen)
        return sc->fval[set];
    double best = 0;
    size_t n = ix->sets.len[set] / sizeof(uint32_t);
    for (size_t i = 0; i < n; i++) {
        uint32_t c;
        memcpy(&c, ix->sets.key[set] + i * sizeof c, sizeof c);
        const char *code = ix->codes.key[c];
        double x = mt_field_agreement(q->fields, q->nfields, &code, 1);
        if (x > best)
            best = x;
    }
    sc->fval[set] = best;
    sc->fgen[set] = sc->gen;
    return best;
}

/*
 * The score of document d with keyword sum raw: wk * K + wf * F, or K when
 * either side lacks fields.  It grows with raw, so with a partial sum it is a
 * lower bound of the final score, and with an upper bound of the sum an upper
 * bound of it.
 */
static double doc_score(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t d, int64_t raw,
                        int64_t qmax, double *f)
{
    double k = qmax > 0 ? (double)raw / (double)qmax : 0;
    uint32_t set = ix->dset[d];
    *f = 0;
    if (q->nfields == 0 || set == NO_SET)
        return k;
    *f = set_agreement(ix, sc, q, set);
    return ix->p.wk * k + ix->p.wf * *f;
}

static mt_hit make_hit(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t d, int64_t raw, int64_t qmax)
{
    mt_hit h = { ix->docs[d].id, 0, qmax > 0 ? (double)raw / (double)qmax : 0, 0 };
    h.score = doc_score(ix, sc, q, d, raw, qmax, &h.f);
    return h;
}

/* The best score a document not seen yet, with keyword sum at most raw, could reach. */
static double unseen_bound(const mt_index *ix, int64_t raw, int64_t qmax, const mt_doc *q)
{
    double k = qmax > 0 ? (double)raw / (double)qmax : 0;
    return q->nfields > 0 ? (ix->p.wk * k + ix->p.wf > k ? ix->p.wk * k + ix->p.wf : k) : k;
}

/* Exhaustive, term at a time: the reference the pruned search must equal. */
static int topk_exhaustive(const mt_index *ix, const qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                           size_t k, mt_hit *out, size_t *n)
{
    scratch *sc = scratch_get(ix);
    int64_t *acc = calloc(ix->ndocs ? ix->ndocs : 1, sizeof *acc);
    uint32_t *touched = malloc((ix->ndocs ? ix->ndocs : 1) * sizeof *touched);
    size_t ntouched = 0;
    if (!sc || !acc || !touched) {
        free(acc);
        free(touched);
        return MT_ERR_NOMEM;
    }
    for (size_t i = 0; i < nq; i++) {
        const term *tm = &ix->terms[qt[i].term];
        for (uint32_t p = 0; p < tm->n; p++) {
            uint32_t d = tm->docs[p];
            if (!ix->alive[d])
                continue;
            if (acc[d] == 0)
                touched[ntouched++] = d;
            acc[d] += qt[i].qi * tm->w[p];
        }
    }
    for (size_t i = 0; i < ntouched; i++) {
        mt_hit h = make_hit(ix, sc, q, touched[i], acc[touched[i]], qmax);
        heap_push(out, n, k, &h);
    }
    free(acc);
    free(touched);
    return MT_OK;
}

static int cmp_ub_desc(const void *a, const void *b)
{
    const qterm *x = a, *y = b;
    if (x->ub != y->ub)
        return x->ub < y->ub ? 1 : -1;
    return (x->term > y->term) - (x->term < y->term);
}

/* The k-th largest of v[0..n) (n >= k >= 1); reorders v. */
static double kth_largest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, want = k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

/*
 * A lower bound of the final k-th best score: the k-th best of the scores the
 * live documents in d[0..n) have with their sums so far (-1 when fewer than k).
 */
static double kth_floor(const mt_index *ix, scratch *sc, const mt_doc *q, const uint32_t *d, size_t n,
                        int64_t qmax, size_t k, double theta)
{
    /*
     * Sums only grow, so the previous theta is still a lower bound: documents
     * whose score cannot reach it, whatever their fields, need no field lookup.
     */
    double lift = q->nfields > 0 ? ix->p.wk : 1.0, room = q->nfields > 0 ? ix->p.wf : 0.0;
    double need = theta > room ? (theta - room) / lift * (double)qmax * (1.0 - 1e-9) : 0.0;
    uint32_t floor_acc = need >= 4294967295.0 ? UINT32_MAX : (uint32_t)need;
    size_t live = 0, below = 0;
    double f;
    for (size_t c = 0; c < n; c++) {
        if (sc->acc[d[c]] < floor_acc || !ix->alive[d[c]]) {
            below += ix->alive[d[c]];
            continue;
        }
        sc->sel[live++] = doc_score(ix, sc, q, d[c], sc->acc[d[c]], qmax, &f);
    }
    if (live >= k) {
        double kth = kth_largest(sc->sel, live, k);
        return kth > theta ? kth : theta;
    }
    return live + below >= k ? theta : -1.0;
}

/* First position at or after from whose document is >= d (galloping, then binary search). */
static uint32_t gallop(const term *tm, uint32_t from, uint32_t d)
{
    uint32_t step = 1, lo = from, hi = from;
    while (hi < tm->n && tm->docs[hi] < d) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > tm->n)
        hi = tm->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tm->docs[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Keeps the candidates (in cand[0..n), document order kept) that could still
 * reach theta with rem more to their sums; the others' accumulators are
 * cleared.  Returns how many are kept.
 */
static size_t keep_reachable(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t *cand, size_t n,
                             int64_t rem, int64_t qmax, double theta)
{
    size_t kept = 0;
    double f;
    for (size_t c = 0; c < n; c++) {
        uint32_t d = cand[c];
        if (ix->alive[d] && doc_score(ix, sc, q, d, (int64_t)sc->acc[d] + rem, qmax, &f) >= theta)
            cand[kept++] = d;
        else
            sc->acc[d] = 0;
    }
    return kept;
}

/* Adds term tm's contributions to the candidates cand[0..n) (in document order). */
static void add_to_candidates(const term *tm, uint32_t qi, uint32_t *acc, const uint32_t *cand, size_t n)
{
    uint32_t p = 0;
    if (n * 16 < tm->n) {
        /* Few candidates in a long list: jump to each. */
        for (size_t c = 0; c < n && p < tm->n; c++) {
            p = gallop(tm, p, cand[c]);
            if (p < tm->n && tm->docs[p] == cand[c])
                acc[cand[c]] += qi * tm->w[p];
        }
        return;
    }
    for (size_t c = 0; c < n && p < tm->n; c++) {
        while (p < tm->n && tm->docs[p] < cand[c])
            p++;
        if (p < tm->n && tm->docs[p] == cand[c])
            acc[cand[c]] += qi * tm->w[p];
    }
}

/*
 * Top-k, term at a time with pruning (the MaxScore bound in term-at-a-time
 * form).  Terms go in order of their upper bound, largest first.  theta, a
 * lower bound of the final k-th best score, comes from the scores (field
 * agreement included) of the documents seen so far.  Once even all the
 * remaining terms' bounds could not lift a document not seen yet to theta,
 * no new document can enter the top k: the remaining terms are then added
 * only to the documents that can still reach theta (which are dropped as the
 * bound falls).  So the cost follows the postings that can still change the
 * top k, and the answer is exactly the exhaustive one.
 */
static int topk_pruned(const mt_index *ix, qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                       size_t k, mt_hit *out, size_t *n)
{
    if (nq == 0)
        return MT_OK;
    scratch *sc = scratch_get(ix);
    int64_t *rem = malloc((nq + 1) * sizeof *rem);
    if (sc == NULL || rem == NULL) {
        free(rem);
        return MT_ERR_NOMEM;
    }
    qsort(qt, nq, sizeof *qt, cmp_ub_desc);
    rem[nq] = 0;
    for (size_t i = nq; i-- > 0;) {
        rem[i] = rem[i + 1] + qt[i].ub;
    }
    uint32_t *acc = sc->acc, *touched = sc->touched;
    size_t ntouched = 0, i = 0;
    double theta = -1.0;
    for (; i < nq; i++) {
        const term *tm = &ix->terms[qt[i].term];
        if (i > 0 && ntouched >= k) {
            if (unseen_bound(ix, rem[i], qmax, q) < theta)
                break;
            /* A new theta costs a pass over the documents seen: worth it before a long list. */
            if ((uint64_t)tm->n * 4 >= ntouched) {
                theta = kth_floor(ix, sc, q, touched, ntouched, qmax, k, theta);
                if (unseen_bound(ix, rem[i], qmax, q) < theta)
                    break;
            }
        }
        uint32_t qi = (uint32_t)qt[i].qi;
        for (uint32_t p = 0; p < tm->n; p++) {
            uint32_t d = tm->docs[p];
            if (acc[d] == 0)
                touched[ntouched++] = d;
            acc[d] += qi * tm->w[p];
        }
    }
    size_t ncand = ntouched;
    if (i < nq) {
        ncand = keep_reachable(ix, sc, q, touched, ntouched, rem[i], qmax, theta);
        qsort(touched, ncand, sizeof *touched, cmp_u32);
        for (size_t j = i; j < nq; j++) {
            add_to_candidates(&ix->terms[qt[j].term], (uint32_t)qt[j].qi, acc, touched, ncand);
            if (j + 1 < nq) {
                double t = kth_floor(ix, sc, q, touched, ncand, qmax, k, theta);
                if (t > theta)
                    theta = t;
                ncand = keep_reachable(ix, sc, q, touched, ncand, rem[j + 1], qmax, theta);
            }
        }
    }
    for (size_t c = 0; c < ncand; c++) {
        uint32_t d = touched[c];
        if (ix->alive[d]) {
            mt_hit h = make_hit(ix, sc, q, d, acc[d], qmax);
            heap_push(out, n, k, &h);
        }
        acc[d] = 0;
    }
    free(rem);
    return MT_OK;
}

typedef struct rm_term {
    uint32_t term;
    double w;
} rm_term;

static int cmp_rm_desc(const void *a, const void *b)
{
    const rm_term *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return (x->term > y->term) - (x->term < y->term);
}

/* The document number of a live id (the hits of a first pass are live). */
static uint32_t docno_of(const mt_index *ix, int64_t id)
{
    uint32_t slot = id_slot(ix, id);
    return slot == UINT32_MAX ? UINT32_MAX : ix->id_slots[slot] - 1;
}

/*
 * RM3: builds a relevance model from the best documents of a first pass
 * (each weighs its share of their scores; a term weighs its share of the
 * document's length), keeps its strongest terms, and mixes it with the
 * original query.  Replaces *qt / *nq.
 */
static int expand_query(const mt_index *ix, qterm **qt, size_t *nq, const mt_hit *best, size_t m)
{
    double *rm = calloc(ix->nterms ? ix->nterms : 1, sizeof *rm);
    rm_term *cand = malloc((ix->nterms ? ix->nterms : 1) * sizeof *cand);
    if (!rm || !cand) {
        free(rm);
        free(cand);
        return MT_ERR_NOMEM;
    }
    double total = 0;
    for (size_t i = 0; i < m; i++)
        total += best[i].score;
    for (size_t i = 0; i < m && total > 0; i++) {
        uint32_t d = docno_of(ix, best[i].id);
        if (d == UINT32_MAX)
            continue;
        const doc *dc = &ix->docs[d];
        double share = best[i].score / total;
        for (uint32_t k = 0; k < dc->nterms; k++)
            rm[dc->terms[k]] += share * dc->tf[k] / (dc->len > 0 ? dc->len : 1);
    }
    size_t nrm = 0;
    for (uint32_t t = 0; t < ix->nterms; t++)
        if (rm[t] > 0 && ix->terms[t].df > 0)
            cand[nrm++] = (rm_term){ t, rm[t] };
    qsort(cand, nrm, sizeof *cand, cmp_rm_desc);
    if (nrm > (size_t)ix->p.prf_terms)
        nrm = (size_t)ix->p.prf_terms;
    double rm_sum = 0, q_sum = 0;
    for (size_t i = 0; i < nrm; i++)
        rm_sum += cand[i].w;
    for (size_t i = 0; i < *nq; i++)
        q_sum += (*qt)[i].weight;
    qterm *mixed = calloc(*nq + nrm + 1, sizeof *mixed);
    if (mixed == NULL || rm_sum <= 0 || q_sum <= 0) {
        int rc = mixed == NULL ? MT_ERR_NOMEM : MT_OK;
        free(mixed);
        free(cand);
        free(rm);
        return rc;
    }
    /* Mix the two distributions; the idf of each term weighs the relevance model's part too. */
    double lambda = ix->p.prf_weight, N = ix->nlive, mean_q = q_sum / (double)*nq;
    size_t n = 0;
    for (size_t i = 0; i < *nq; i++) {
        mixed[n] = (*qt)[i];
        mixed[n].weight = (1.0 - lambda) * (*qt)[i].weight / q_sum;
        n++;
    }
    for (size_t i = 0; i < nrm; i++) {
        double df = ix->terms[cand[i].term].df;
        double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
        double w = lambda * cand[i].w / rm_sum * idf / mean_q;
        size_t k = 0;
        while (k < n && mixed[k].term != cand[i].term)
            k++;
        if (k == n)
            mixed[n++] = (qterm){ cand[i].term, 0, 0, 0 };
        mixed[k].weight += w;
    }
    free(*qt);
    *qt = mixed;
    *nq = n;
    free(cand);
    free(rm);
    return MT_OK;
}

static int run_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k, mt_hit *out,
                     size_t *n, int exhaustive)
{
    idbag b;
    *n = 0;
    if (k == 0 || ix->nlive == 0)
        return MT_OK;
    int rc = idbag_of_query(ix, t, q, &b);
    if (rc != MT_OK)
        return rc;
    qterm *qt = calloc(b.n ? b.n : 1, sizeof *qt);
    if (qt == NULL) {
        idbag_free(&b);
        return MT_ERR_NOMEM;
    }
    size_t nq = 0;
    double N = ix->nlive;
    for (size_t i = 0; i < b.n; i++) {
        double df = ix->terms[b.ids[i]].df;
        double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
        double tf = b.tf[i];
        qt[nq].term = b.ids[i];
        qt[nq].weight = idf * tf * (ix->p.k1 + 1.0) / (tf + ix->p.k1);
        nq++;
    }
    idbag_free(&b);
    if (ix->p.prf_terms > 0 && ix->p.prf_docs > 0 && nq > 0) {
        size_t m = 0;
        mt_hit *first = calloc((size_t)ix->p.prf_docs, sizeof *first);
        int64_t qmax = prepare_terms(ix, qt, nq);
        rc = first == NULL ? MT_ERR_NOMEM
             : exhaustive ? topk_exhaustive(ix, qt, nq, qmax, q, (size_t)ix->p.prf_docs, first, &m)
                          : topk_pruned(ix, qt, nq, qmax, q, (size_t)ix->p.prf_docs, first, &m);
        if (rc == MT_OK && m > 0) {
            qsort(first, m, sizeof *first, cmp_hits);
            rc = expand_query(ix, &qt, &nq, first, m);
        }
        free(first);
    }
    if (rc == MT_OK) {
        int64_t qmax = prepare_terms(ix, qt, nq);
        rc = exhaustive ? topk_exhaustive(ix, qt, nq, qmax, q, k, out, n)
                        : topk_pruned(ix, qt, nq, qmax, q, k, out, n);
    }
    qsort(out, *n, sizeof *out, cmp_hits);
    free(qt);
    return rc;
}

int mt_index_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                   mt_hit *out, size_t *n)
{
    return run_query(ix, t, q, k, out, n, 0);
}

int mt_index_query_exhaustive(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                              mt_hit *out, size_t *n)
{
    return run_query(ix, t, q, k, out, n, 1);
}

/* ---------- explanations ---------- */

/* The shared terms of q and d with their integer contributions, by term text. */
typedef struct shared {
    char *text;
    int64_t contrib;
    int used;          /* already reported inside a phrase or alone */
} shared;

typedef struct walk {
    const shared *sh;
    size_t nsh;
    const char *src;            /* the text being tokenized */
    const char *dtext;          /* all of d's text, to check phrases */
    mt_explanation *out;
    shared *mut;
    /* the current run of shared CJK bigrams */
    size_t run_start, run_end, run_bigrams;
    int64_t run_contrib;
    size_t run_terms[64];
    size_t nrun;
    /* collected phrases */
    mt_term_share *cand;
    int64_t *cand_contrib;
    size_t ncand, cap;
} walk;

static long find_shared(const walk *w, const char *tok, size_t len)
{
    for (size_t i = 0; i < w->nsh; i++)
        if (strncmp(w->sh[i].text, tok, len) == 0 && w->sh[i].text[len] == '\0')
            return (long)i;
    return -1;
}

static void add_candidate(walk *w, const char *text, size_t len, int64_t contrib)
{
    if (contrib <= 0 || len == 0)
        return;
    for (size_t i = 0; i < w->ncand; i++)
        if (strncmp(w->cand[i].text, text, len) == 0 && w->cand[i].text[len] == '\0')
            return;
    if (w->ncand == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        mt_term_share *c = realloc(w->cand, cap * sizeof *c);
        int64_t *cc = realloc(w->cand_contrib, cap * sizeof *cc);
        if (c)
            w->cand = c;
        if (cc)
            w->cand_contrib = cc;
        if (!c || !cc)
            return;
        w->cap = cap;
    }
    if (len >= MT_PHRASE_MAX)
        len = MT_PHRASE_MAX - 1;
    memcpy(w->cand[w->ncand].text, text, len);
    w->cand[w->ncand].text[len] = '\0';
    w->cand[w->ncand].share = 0;
    w->cand_contrib[w->ncand] = contrib;
    w->ncand++;
}

static int is_cjk_bigram(const char *tok, size_t len)
{
    return len == 6 && (unsigned char)tok[0] >= 0xE3 && (unsigned char)tok[3] >= 0xE3;
}

/* Whether d holds the query text src[from, to). */
static int d_holds(const walk *w, size_t from, size_t to)
{
    char phrase[MT_PHRASE_MAX];
    size_t len = to - from;
    if (len >= sizeof phrase)
        return 0;
    memcpy(phrase, w->src + from, len);
    phrase[len] = '\0';
    return strstr(w->dtext, phrase) != NULL;
}

/*
 * Ends the current run of shared bigrams (m bigrams over m + 1 characters of
 * 3 bytes): cuts it, greedily from the left, into the longest phrases that d
 * holds too, each reported once with the contributions of its bigrams.
 */
static void flush_run(walk *w)
{
    size_t m = w->nrun, i = 0;
    while (i < m) {
        size_t j = i + 1; /* characters i..j hold bigrams i..j-1 */
        while (j < m && d_holds(w, w->run_start + 3 * i, w->run_start + 3 * (j + 2)))
            j++;
        int64_t c = 0;
        for (size_t b = i; b < j; b++) {
            shared *sh = &w->mut[w->run_terms[b]];
            if (!sh->used) {
                c += sh->contrib;
                sh->used = 1;
            }
        }
        add_candidate(w, w->src + w->run_start + 3 * i, 3 * (j - i + 1), c);
        i = j;
    }
    w->nrun = 0;
}

static int walk_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    walk *w = ctx;
    long i = find_shared(w, tok, len);
    int bigram = is_cjk_bigram(tok, len);
    if (i < 0 || !bigram || (w->nrun > 0 && start != w->run_start + 3 * w->nrun)) {
        flush_run(w);
    }
    if (i < 0)
        return 0;
    if (bigram) {
        if (w->nrun == 0)
            w->run_start = start;
        if (w->nrun < 64)
            w->run_terms[w->nrun++] = (size_t)i;
        w->run_end = end;
        return 0;
    }
    shared *sh = &w->mut[i];
    if (!sh->used) {
        sh->used = 1;
        /* A Latin word is shown as written; a stem would read oddly. */
        add_candidate(w, w->src + start, end - start, sh->contrib);
    }
    return 0;
}

static int cmp_share_desc(const void *a, const void *b)
{
    const mt_term_share *x = a, *y = b;
    return (x->share < y->share) - (x->share > y->share);
}

static char *doc_text(const mt_doc *d)
{
    size_t len = (d->title ? strlen(d->title) : 0) + (d->body ? strlen(d->body) : 0) + 2;
    for (size_t i = 0; i < d->nkeywords; i++)
        len += d->keywords[i] ? strlen(d->keywords[i]) + 1 : 0;
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    const char *parts[2] = { d->title, d->body };
    for (int p = 0; p < 2; p++)
        if (parts[p]) {
            memcpy(s + o, parts[p], strlen(parts[p]));
            o += strlen(parts[p]);
            s[o++] = '\n';
        }
    for (size_t i = 0; i < d->nkeywords; i++)
        if (d->keywords[i]) {
            memcpy(s + o, d->keywords[i], strlen(d->keywords[i]));
            o += strlen(d->keywords[i]);
            s[o++] = '\n';
        }
    s[o] = '\0';
    return s;
}

int mt_explain(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_doc *d, mt_explanation *out)
{
    bag bq, bd;
    memset(out, 0, sizeof *out);
    int rc = bag_of(&ix->p, t, q, &bq);
    if (rc != MT_OK)
        return rc;
    rc = bag_of(&ix->p, t, d, &bd);
    if (rc != MT_OK) {
        bag_free(&bq);
        return rc;
    }
    double N = ix->nlive > 0 ? ix->nlive : 1, avg = avg_len(ix), dlen = 0;
    for (size_t j = 0; j < bd.n; j++)
        dlen += bd.e[j].tf;
    shared *sh = calloc(bq.n ? bq.n : 1, sizeof *sh);
    size_t nsh = 0;
    int64_t qmax = 0, raw = 0;
    size_t j = 0;
    for (size_t i = 0; i < bq.n && sh; i++) {
        uint32_t tid = term_find(ix, bq.e[i].text, bq.e[i].len);
        double df = tid == UINT32_MAX ? 0 : ix->terms[tid].df;
        if (df == 0)
            continue; /* as in scoring: a term no listing of this side has counts for nothing */
        double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
        double tf = bq.e[i].tf;
        int64_t qi = llround(idf * tf * (ix->p.k1 + 1.0) / (tf + ix->p.k1) * QSCALE);
        if (qi < 1)
            qi = 1;
        qmax += qi * 255;
        while (j < bd.n && strcmp(bd.e[j].text, bq.e[i].text) < 0)
            j++;
        if (j < bd.n && strcmp(bd.e[j].text, bq.e[i].text) == 0) {
            int64_t c = qi * quantised_weight(&ix->p, bd.e[j].tf, dlen, avg);
            raw += c;
            sh[nsh].text = bq.e[i].text;
            sh[nsh].contrib = c;
            nsh++;
        }
    }
    out->k = qmax > 0 ? (double)raw / (double)qmax : 0;
    out->f = mt_field_agreement(q->fields, q->nfields, d->fields, d->nfields);
    out->score = q->nfields > 0 && d->nfields > 0 ? ix->p.wk * out->k + ix->p.wf * out->f : out->k;
    /* The best field pair and how many levels it shares. */
    double best = -1;
    for (size_t a = 0; a < q->nfields; a++)
        for (size_t b = 0; b < d->nfields; b++) {
            double x = mt_field_agreement(&q->fields[a], 1, &d->fields[b], 1);
            if (x > best) {
                best = x;
                snprintf(out->field_q, sizeof out->field_q, "%s", q->fields[a]);
                snprintf(out->field_d, sizeof out->field_d, "%s", d->fields[b]);
                size_t la = strlen(q->fields[a]), lb = strlen(d->fields[b]);
                int deep = code_levels(la > lb ? la : lb);
                out->field_level = (int)lround(x * deep);
            }
        }
    /* Walk q's text in order to report terms as written and merge bigram runs. */
    char *dtext = doc_text(d);
    walk w = { sh, nsh, NULL, dtext ? dtext : "", out, sh, 0, 0, 0, 0, { 0 }, 0, NULL, NULL, 0, 0 };
    const char *parts[2] = { q->title, q->body };
    for (int p = 0; p < 2 && sh; p++)
        if (parts[p]) {
            w.src = parts[p];
            mt_tokenize(t, parts[p], strlen(parts[p]), walk_token, &w);
            flush_run(&w);
        }
    for (size_t k = 0; k < q->nkeywords && sh; k++)
        if (q->keywords[k]) {
            w.src = q->keywords[k];
            mt_tokenize(t, q->keywords[k], strlen(q->keywords[k]), walk_token, &w);
            flush_run(&w);
        }
    for (size_t c = 0; c < w.ncand; c++)
        w.cand[c].share = raw > 0 ? (double)w.cand_contrib[c] / (double)raw : 0;
    if (w.ncand > 0)
        qsort(w.cand, w.ncand, sizeof *w.cand, cmp_share_desc);
    for (size_t c = 0; c < w.ncand && out->nterms < MT_EXPLAIN_TERMS; c++)
        out->terms[out->nterms++] = w.cand[c];
    free(w.cand);
    free(w.cand_contrib);
    free(dtext);
    free(sh);
    bag_free(&bq);
    bag_free(&bd);
    return MT_OK;
}
