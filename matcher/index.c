/*
 * index.c: the index's structures and their upkeep: the vocabulary (an
 * open-addressing hash of term strings), the interned field codes and code
 * sets, documents by id, and adding, removing and finalizing documents with
 * their quantised BM25 postings.  See index.h for the model and index_int.h
 * for what the files of the matcher share.
 */
#include "index_int.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- small helpers ---------- */

char *ix_dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* FNV-1a, then a murmur finaliser so that the low bits (the slot) mix well. */
uint64_t ix_hash_bytes(const char *s, size_t n)
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

void mt_params_default(mt_params *p)
{
    p->k1 = 1.0;
    p->b = 0.6;
    p->k3 = 5.0;
    p->request_words = 1;
    p->w_title = 3.0;
    p->w_keywords = 3.0;
    p->w_body = 1.0;
    p->wk = 0.8;
    p->wf = 0.2;
    p->full_mass = 15.0;
    p->term_mass_floor = 1.5;
    p->field_k0 = 0.5;
    p->prf_docs = 10;
    p->prf_terms = 40;
    p->prf_weight = 0.3;
    p->rerank_n = 20;
    p->xl_weight = 0.7;
    p->syn_weight = 0.5;
    p->xl_max_terms = 16;
    p->judge_terms = 40;
    p->judge_weight = 0.4;
    p->judge_reject = 0.6;
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
uint32_t ix_term_find(const mt_index *ix, const char *s, size_t n)
{
    uint32_t slot;
    if (ix->term_slots_cap == 0)
        return UINT32_MAX;
    return term_probe(ix, s, n, (uint32_t)ix_hash_bytes(s, n), &slot);
}

/* Finds or adds a term whose hash is h; returns its id or UINT32_MAX when out of memory. */
uint32_t ix_term_intern(mt_index *ix, const char *s, size_t n, uint32_t h)
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
    tm->text = ix_dup_n(s, n);
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
        uint32_t i = (uint32_t)ix_hash_bytes(s->key[id], s->len[id]) & (cap - 1);
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
    uint32_t i = (uint32_t)ix_hash_bytes(k, n) & (s->slots_cap - 1);
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

int ix_cmp_u32(const void *a, const void *b)
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
    qsort(ids, n, sizeof ids[0], ix_cmp_u32);
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
uint32_t ix_id_slot(const mt_index *ix, int64_t id)
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

/* ---------- weights ---------- */

double ix_avg_len(const mt_index *ix)
{
    return ix->nlive ? ix->total_len / ix->nlive : 1.0;
}

/* BM25 document-side weight of a term with weighted frequency tf, scaled to 1..255. */
uint8_t ix_quantised_weight(const mt_params *p, double tf, double len, double avg)
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
    uint32_t slot = ix_id_slot(ix, id);
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
    int rc = ix_idbag_of_doc(ix, t, d, &b);
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
            ix_idbag_free(&b);
            return MT_ERR_NOMEM;
        }
        ix->dset = dset;
        ix->docs_cap = cap;
    }
    if ((ix->nlive + 1) * 2 > ix->id_slots_cap &&
        id_rehash(ix, ix->id_slots_cap ? ix->id_slots_cap * 2 : 1024) != MT_OK) {
        ix_idbag_free(&b);
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
    double avg = ix_avg_len(ix);
    for (uint32_t k = 0; k < dc->nterms; k++) {
        term *tm = &ix->terms[dc->terms[k]];
        if (posting_push(tm, docno, ix_quantised_weight(&ix->p, dc->tf[k], dc->len, avg)) != MT_OK)
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
    double avg = ix_avg_len(ix);
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
            tm->w[tm->n] = ix_quantised_weight(&ix->p, dc->tf[k], dc->len, avg);
            if (tm->w[tm->n] > tm->maxw)
                tm->maxw = tm->w[tm->n];
            tm->n++;
        }
    }
    ix->bulk = 0;
    return MT_OK;
}

/* The document number of a live id (the hits of a first pass are live). */
uint32_t ix_docno_of(const mt_index *ix, int64_t id)
{
    uint32_t slot = ix_id_slot(ix, id);
    return slot == UINT32_MAX ? UINT32_MAX : ix->id_slots[slot] - 1;
}

/* The BM25 idf of a term among the live listings. */
double ix_idf(const mt_index *ix, uint32_t tid)
{
    double N = ix->nlive, df = ix->terms[tid].df;
    return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

double ix_pair_score(const mt_params *p, double k, double f, int both_fields)
{
    if (!both_fields)
        return k;
    double trust = p->field_k0 > 0 && k < p->field_k0 ? k / p->field_k0 : 1.0;
    return p->wk * k + p->wf * f * trust;
}

double ix_pair_bound(const mt_params *p, double k, int query_fields)
{
    return query_fields ? ix_pair_score(p, k, 1.0, 1) > k ? ix_pair_score(p, k, 1.0, 1) : k : k;
}

double ix_pair_need(const mt_params *p, double theta, int query_fields)
{
    if (!query_fields)
        return theta;
    double knee = p->field_k0 > 0 ? p->field_k0 : 0, at_knee = ix_pair_score(p, knee, 1.0, 1);
    double k = theta <= at_knee && knee > 0 ? theta / (p->wk + p->wf / knee) : (theta - p->wf) / p->wk;
    return k < theta ? (k > 0 ? k : 0) : theta;
}

double ix_k(int64_t raw, int64_t qmax)
{
    double k = qmax > 0 ? (double)raw / (double)qmax : 0;
    return k < 1.0 ? k : 1.0;
}
