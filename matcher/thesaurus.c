/*
 * thesaurus.c: the equivalences of thesaurus.h (phrases kept as token
 * sequences in a hash, each with the pairs it is part of) and their use by a
 * prepared query: the phrases a query's text holds lend the other side's
 * terms, weighed below exact ones, each with the "a ≈ b" label that its
 * explanation shows.
 */
#include "thesaurus.h"
#include "index_int.h"
#include "tokenizer.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEP '\x1f'   /* between the tokens of a phrase's key */

typedef struct phrase {
    char *text;      /* the shortest writing given */
    char *key;       /* folded tokens joined by SEP: what queries match */
    char *toks;      /* the tokens as the tokenizer wrote them, joined by SEP: the terms lent */
    uint32_t *eq;    /* the pairs it is part of */
    uint32_t neq, cap;
    uint32_t nsenses; /* of those, live translations */
} phrase;

typedef struct equiv {
    uint32_t a, b;   /* phrase ids */
    uint8_t kind;
    uint8_t live;
} equiv;

/* An open-addressing map from strings (owned elsewhere) to ids. */
typedef struct strmap {
    const char **key;
    uint32_t *val;
    uint32_t n, cap;   /* cap: a power of two, or 0 */
} strmap;

struct mt_thesaurus {
    mt_tokenizer *t;
    phrase *ph;
    uint32_t nph, phcap;
    equiv *eq;
    uint32_t neq, eqcap;
    size_t live;
    strmap byk;        /* phrase key -> phrase id */
    strmap pre;        /* the keys' proper token prefixes (owned in pres): where a longer phrase may go on */
    char **pres;
    uint32_t npres, precap;
    strmap fold;       /* a word -> the index in folds of the spelling it stands for */
    char **folds;
    uint32_t nfolds, foldcap;
};

/* ---------- the string map ---------- */

static uint32_t map_slot(const strmap *m, const char *k, size_t len)
{
    uint32_t mask = m->cap - 1, i = (uint32_t)ix_hash_bytes(k, len) & mask;
    while (m->key[i] && !(strncmp(m->key[i], k, len) == 0 && m->key[i][len] == '\0'))
        i = (i + 1) & mask;
    return i;
}

/* The id of k[0..len), or UINT32_MAX. */
static uint32_t map_get(const strmap *m, const char *k, size_t len)
{
    if (m->cap == 0)
        return UINT32_MAX;
    uint32_t i = map_slot(m, k, len);
    return m->key[i] ? m->val[i] : UINT32_MAX;
}

static int map_put(strmap *m, const char *k, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        strmap g = { NULL, NULL, 0, m->cap ? m->cap * 2 : 1024 };
        g.key = calloc(g.cap, sizeof *g.key);
        g.val = malloc(g.cap * sizeof *g.val);
        if (!g.key || !g.val) {
            free(g.key);
            free(g.val);
            return MT_ERR_NOMEM;
        }
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                uint32_t s = map_slot(&g, m->key[i], strlen(m->key[i]));
                g.key[s] = m->key[i];
                g.val[s] = m->val[i];
                g.n++;
            }
        free(m->key);
        free(m->val);
        *m = g;
    }
    uint32_t s = map_slot(m, k, strlen(k));
    if (m->key[s] == NULL)
        m->n++;
    m->key[s] = k;
    m->val[s] = v;
    return MT_OK;
}

static void map_free(strmap *m)
{
    free(m->key);
    free(m->val);
}

/* ---------- a phrase's tokens ---------- */

/* A growing byte string. */
typedef struct buf {
    char *s;
    size_t n, cap;
    int failed;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *g = realloc(b->s, cap);
        if (g == NULL) {
            b->failed = 1;
            return;
        }
        b->s = g;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

/* The spelling a word stands for (itself unless a fold says otherwise). */
static const char *folded(const mt_thesaurus *th, const char *w, size_t len, size_t *outlen)
{
    uint32_t f = map_get(&th->fold, w, len);
    if (f == UINT32_MAX) {
        *outlen = len;
        return w;
    }
    *outlen = strlen(th->folds[f]);
    return th->folds[f];
}

typedef struct keyer {
    const mt_thesaurus *th;
    buf key, toks;
    size_t ntok;
} keyer;

static int key_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    keyer *k = ctx;
    size_t flen;
    const char *f = folded(k->th, tok, len, &flen);
    (void)start;
    (void)end;
    if (k->ntok > 0) {
        buf_add(&k->key, (const char[]){ SEP }, 1);
        buf_add(&k->toks, (const char[]){ SEP }, 1);
    }
    buf_add(&k->key, f, flen);
    buf_add(&k->toks, tok, len);
    k->ntok++;
    return k->ntok > MT_THESAURUS_MAX_TOKENS;
}

/* Tokenizes a phrase into its key and tokens (caller frees both); 0 tokens or too many give NULLs. */
static int phrase_key(mt_thesaurus *th, const char *text, char **key, char **toks)
{
    keyer k = { th, { 0 }, { 0 }, 0 };
    *key = *toks = NULL;
    mt_tokenize(th->t, text, strlen(text), key_token, &k);
    if (k.key.failed || k.toks.failed || k.ntok == 0 || k.ntok > MT_THESAURUS_MAX_TOKENS) {
        int rc = k.key.failed || k.toks.failed ? MT_ERR_NOMEM : MT_OK;
        free(k.key.s);
        free(k.toks.s);
        return rc;
    }
    *key = k.key.s;
    *toks = k.toks.s;
    return MT_OK;
}

/* ---------- building ---------- */

mt_thesaurus *mt_thesaurus_new(void)
{
    mt_thesaurus *th = calloc(1, sizeof *th);
    if (th == NULL)
        return NULL;
    th->t = mt_tokenizer_new();
    if (th->t == NULL) {
        free(th);
        return NULL;
    }
    return th;
}

void mt_thesaurus_free(mt_thesaurus *th)
{
    if (th == NULL)
        return;
    for (uint32_t i = 0; i < th->nph; i++) {
        free(th->ph[i].text);
        free(th->ph[i].key);
        free(th->ph[i].toks);
        free(th->ph[i].eq);
    }
    for (uint32_t i = 0; i < th->npres; i++)
        free(th->pres[i]);
    free(th->pres);
    map_free(&th->pre);
    for (uint32_t i = 0; i < th->nfolds; i++)
        free(th->folds[i]);
    free(th->folds);
    free(th->ph);
    free(th->eq);
    map_free(&th->byk);
    map_free(&th->fold);
    mt_tokenizer_free(th->t);
    free(th);
}

/* Records the proper token prefixes of a new phrase's key, so that lookups stop where no phrase goes on. */
static int prefixes_add(mt_thesaurus *th, const char *key)
{
    for (const char *sep = strchr(key, SEP); sep; sep = strchr(sep + 1, SEP)) {
        size_t len = (size_t)(sep - key);
        if (map_get(&th->pre, key, len) != UINT32_MAX)
            continue;
        if (th->npres == th->precap) {
            uint32_t cap = th->precap ? th->precap * 2 : 1024;
            char **g = realloc(th->pres, cap * sizeof *g);
            if (g == NULL)
                return MT_ERR_NOMEM;
            th->pres = g;
            th->precap = cap;
        }
        char *p = ix_dup_n(key, len);
        if (p == NULL)
            return MT_ERR_NOMEM;
        th->pres[th->npres++] = p;
        if (map_put(&th->pre, p, 0) != MT_OK)
            return MT_ERR_NOMEM;
    }
    return MT_OK;
}

/* The phrase with this key (taking key and toks), or a new one; UINT32_MAX when out of memory. */
static uint32_t phrase_intern(mt_thesaurus *th, const char *text, char *key, char *toks)
{
    uint32_t id = map_get(&th->byk, key, strlen(key));
    if (id != UINT32_MAX) {
        /* One phrase, several writings ("tea", "only tea" once "only" is dropped): show the shortest. */
        char *shorter = strlen(text) < strlen(th->ph[id].text) ? ix_dup_n(text, strlen(text)) : NULL;
        if (shorter) {
            free(th->ph[id].text);
            th->ph[id].text = shorter;
        }
        free(key);
        free(toks);
        return id;
    }
    if (th->nph == th->phcap) {
        uint32_t cap = th->phcap ? th->phcap * 2 : 1024;
        phrase *g = realloc(th->ph, cap * sizeof *g);
        if (g == NULL)
            goto nomem;
        th->ph = g;
        th->phcap = cap;
    }
    phrase *p = &th->ph[th->nph];
    *p = (phrase){ ix_dup_n(text, strlen(text)), key, toks, NULL, 0, 0, 0 };
    if (p->text == NULL || prefixes_add(th, key) != MT_OK || map_put(&th->byk, key, th->nph) != MT_OK) {
        free(p->text);
        goto nomem;
    }
    return th->nph++;
nomem:
    free(key);
    free(toks);
    return UINT32_MAX;
}

static int phrase_link(phrase *p, uint32_t e)
{
    if (p->neq == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 2;
        uint32_t *g = realloc(p->eq, cap * sizeof *g);
        if (g == NULL)
            return MT_ERR_NOMEM;
        p->eq = g;
        p->cap = cap;
    }
    p->eq[p->neq++] = e;
    return MT_OK;
}

/* The live pair of phrases a and b, or UINT32_MAX. */
static uint32_t pair_find(const mt_thesaurus *th, uint32_t a, uint32_t b)
{
    const phrase *p = &th->ph[a];
    for (uint32_t i = 0; i < p->neq; i++) {
        const equiv *e = &th->eq[p->eq[i]];
        if ((e->a == a && e->b == b) || (e->a == b && e->b == a))
            return p->eq[i];
    }
    return UINT32_MAX;
}

static int is_latin_word(const char *key)
{
    if (*key == '\0')
        return 0;
    for (const char *s = key; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == SEP)
            return 0;
    return 1;
}

/* Two single English words that are synonyms: both stand for the smaller spelling from now on. */
static int fold_add(mt_thesaurus *th, const char *a, const char *b)
{
    if (!is_latin_word(a) || !is_latin_word(b))
        return MT_OK;
    const char *canon = strcmp(a, b) < 0 ? a : b;
    if (th->nfolds + 3 > th->foldcap) {
        uint32_t cap = th->foldcap ? th->foldcap * 2 : 64;
        char **g = realloc(th->folds, cap * sizeof *g);
        if (g == NULL)
            return MT_ERR_NOMEM;
        th->folds = g;
        th->foldcap = cap;
    }
    const char *words[2] = { a, b };
    char *c = ix_dup_n(canon, strlen(canon));
    if (c == NULL)
        return MT_ERR_NOMEM;
    th->folds[th->nfolds] = c;
    uint32_t f = th->nfolds++;
    for (int i = 0; i < 2; i++) {
        if (map_get(&th->fold, words[i], strlen(words[i])) != UINT32_MAX)
            continue; /* the first fold of a word stays */
        char *w = ix_dup_n(words[i], strlen(words[i]));
        if (w == NULL)
            return MT_ERR_NOMEM;
        th->folds[th->nfolds++] = w; /* owned here, keyed in the map */
        if (map_put(&th->fold, w, f) != MT_OK)
            return MT_ERR_NOMEM;
    }
    return MT_OK;
}

int mt_thesaurus_add(mt_thesaurus *th, const char *a, const char *b, mt_equiv_kind kind)
{
    char *ka, *ta, *kb, *tb;
    int rc = phrase_key(th, a, &ka, &ta);
    if (rc != MT_OK || ka == NULL)
        return rc;
    rc = phrase_key(th, b, &kb, &tb);
    if (rc != MT_OK || kb == NULL || strcmp(ka, kb) == 0) {
        free(ka);
        free(ta);
        free(kb);
        free(tb);
        return rc;
    }
    if (kind == MT_EQUIV_SYNONYM && (rc = fold_add(th, ta, tb)) != MT_OK) {
        free(ka);
        free(ta);
        free(kb);
        free(tb);
        return rc;
    }
    uint32_t pa = phrase_intern(th, a, ka, ta);
    uint32_t pb = pa == UINT32_MAX ? UINT32_MAX : phrase_intern(th, b, kb, tb);
    if (pa == UINT32_MAX) {
        free(kb);
        free(tb);
    }
    if (pa == UINT32_MAX || pb == UINT32_MAX)
        return MT_ERR_NOMEM;
    if (pa == pb || pair_find(th, pa, pb) != UINT32_MAX)
        return MT_OK;
    if (th->neq == th->eqcap) {
        uint32_t cap = th->eqcap ? th->eqcap * 2 : 1024;
        equiv *g = realloc(th->eq, cap * sizeof *g);
        if (g == NULL)
            return MT_ERR_NOMEM;
        th->eq = g;
        th->eqcap = cap;
    }
    th->eq[th->neq] = (equiv){ pa, pb, (uint8_t)kind, 1 };
    if (phrase_link(&th->ph[pa], th->neq) != MT_OK || phrase_link(&th->ph[pb], th->neq) != MT_OK)
        return MT_ERR_NOMEM; /* a half-linked pair is only ever reached from its linked side */
    if (kind == MT_EQUIV_TRANSLATION) {
        th->ph[pa].nsenses++;
        th->ph[pb].nsenses++;
    }
    th->neq++;
    th->live++;
    return MT_OK;
}

static void phrase_unlink(mt_thesaurus *th, uint32_t pid, uint32_t e)
{
    phrase *p = &th->ph[pid];
    for (uint32_t i = 0; i < p->neq; i++)
        if (p->eq[i] == e) {
            p->eq[i] = p->eq[--p->neq];
            break;
        }
    if (th->eq[e].kind == MT_EQUIV_TRANSLATION)
        p->nsenses--;
}

int mt_thesaurus_remove(mt_thesaurus *th, const char *a, const char *b)
{
    char *ka, *ta, *kb, *tb;
    if (phrase_key(th, a, &ka, &ta) != MT_OK)
        return MT_ERR_NOMEM;
    if (ka == NULL)
        return MT_ERR_NOT_FOUND;
    uint32_t pa = map_get(&th->byk, ka, strlen(ka)), pb = UINT32_MAX;
    free(ka);
    free(ta);
    if (phrase_key(th, b, &kb, &tb) != MT_OK)
        return MT_ERR_NOMEM;
    if (kb != NULL)
        pb = map_get(&th->byk, kb, strlen(kb));
    free(kb);
    free(tb);
    uint32_t e = pa == UINT32_MAX || pb == UINT32_MAX ? UINT32_MAX : pair_find(th, pa, pb);
    if (e == UINT32_MAX)
        return MT_ERR_NOT_FOUND;
    phrase_unlink(th, pa, e);
    phrase_unlink(th, pb, e);
    th->eq[e].live = 0;
    th->live--;
    return MT_OK;
}

size_t mt_thesaurus_count(const mt_thesaurus *th)
{
    return th->live;
}

/* Adds one TSV line's pairs (a, then one or more senses in b). */
static int add_line(mt_thesaurus *th, const char *line, size_t len, mt_equiv_kind kind, int split, size_t *added)
{
    const char *tab = memchr(line, '\t', len);
    if (len == 0 || line[0] == '#' || tab == NULL)
        return MT_OK;
    const char *b = tab + 1, *end = line + len;
    const char *tab2 = memchr(b, '\t', (size_t)(end - b));
    if (tab2)
        end = tab2;
    char *a = ix_dup_n(line, (size_t)(tab - line));
    if (a == NULL)
        return MT_ERR_NOMEM;
    int rc = MT_OK;
    while (b < end && rc == MT_OK) {
        const char *stop = split ? memchr(b, '/', (size_t)(end - b)) : NULL;
        if (stop == NULL)
            stop = end;
        char *s = ix_dup_n(b, (size_t)(stop - b));
        size_t before = th->live;
        rc = s == NULL ? MT_ERR_NOMEM : mt_thesaurus_add(th, a, s, kind);
        *added += th->live - before;
        free(s);
        b = stop + 1;
    }
    free(a);
    return rc;
}

int mt_thesaurus_add_tsv(mt_thesaurus *th, const char *text, size_t len, mt_equiv_kind kind, int split_senses,
                         size_t *added)
{
    size_t n = 0;
    int rc = MT_OK;
    for (size_t i = 0; i < len && rc == MT_OK;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len, l = e - i;
        if (l > 0 && text[i + l - 1] == '\r')
            l--;
        rc = add_line(th, text + i, l, kind, split_senses, &n);
        i = e + 1;
    }
    if (added)
        *added = n;
    return rc;
}

void mt_index_set_thesaurus(mt_index *ix, const mt_thesaurus *th)
{
    ix->th = th;
}

/* ---------- a query's equivalents ---------- */

/* A token of the query listing: folded text in the arena, source span, part and its weight. */
typedef struct qtok {
    size_t off, len;     /* in the arena */
    size_t start, end;   /* in the part's text */
    uint32_t part;
    float w;
} qtok;

typedef struct qtoks {
    const mt_thesaurus *th;
    qtok *v;
    size_t n, cap;
    buf arena;
    const char *src[64]; /* the parts' texts, by part; parts beyond 64 are not read */
    uint32_t part;
    float w;
    int failed;
} qtoks;

static int collect_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    qtoks *q = ctx;
    size_t flen;
    const char *f = folded(q->th, tok, len, &flen);
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        qtok *g = realloc(q->v, cap * sizeof *g);
        if (g == NULL) {
            q->failed = 1;
            return 1;
        }
        q->v = g;
        q->cap = cap;
    }
    q->v[q->n++] = (qtok){ q->arena.n, flen, start, end, q->part, q->w };
    buf_add(&q->arena, f, flen);
    buf_add(&q->arena, "", 1); /* NUL-separated */
    return q->arena.failed;
}

static void collect_part(qtoks *q, mt_tokenizer *t, const char *text, double w)
{
    if (text == NULL || q->part >= 64 || q->failed)
        return;
    q->src[q->part] = text;
    q->w = (float)w;
    mt_tokenize(t, text, strlen(text), collect_token, q);
    q->part++;
}

/* Whether the gap between two Latin tokens of a phrase holds only spaces, hyphens and dropped words. */
static int joinable(const char *src, const qtok *a, const qtok *b)
{
    for (size_t i = a->end; i < b->start; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c >= 0x80 || strchr(".,;:!?()[]{}\"'", c) != NULL)
            return 0;
    }
    return 1;
}

/* A phrase of the query: tokens [i, i + len) of one part. */
typedef struct match {
    size_t i, len;
    uint32_t pid;
    int covered;   /* inside a longer match holding translations: its own translations are not lent */
} match;

typedef struct matches {
    match *v;
    size_t n, cap;
} matches;

static int match_add(matches *m, size_t i, size_t len, uint32_t pid)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        match *g = realloc(m->v, cap * sizeof *g);
        if (g == NULL)
            return MT_ERR_NOMEM;
        m->v = g;
        m->cap = cap;
    }
    m->v[m->n++] = (match){ i, len, pid, 0 };
    return MT_OK;
}

/* Whether a phrase's translations are lent (it has some, and not too many). */
static int lends_senses(const phrase *p)
{
    return p->nsenses > 0 && p->nsenses <= MT_THESAURUS_MAX_SENSES;
}

/* Every phrase of the thesaurus the query's tokens spell, in one part, adjacent tokens only. */
static int find_matches(const mt_thesaurus *th, const qtoks *q, matches *m)
{
    buf key = { 0 };
    int rc = MT_OK;
    for (size_t i = 0; i < q->n && rc == MT_OK; i++) {
        key.n = 0;
        for (size_t l = 0; l < MT_THESAURUS_MAX_TOKENS && i + l < q->n; l++) {
            const qtok *t = &q->v[i + l];
            if (l > 0 && (t->part != q->v[i].part || !joinable(q->src[t->part], &q->v[i + l - 1], t)))
                break;
            if (l > 0)
                buf_add(&key, (const char[]){ SEP }, 1);
            buf_add(&key, q->arena.s + t->off, t->len);
            if (key.failed) {
                rc = MT_ERR_NOMEM;
                break;
            }
            uint32_t pid = map_get(&th->byk, key.s, key.n);
            if (pid != UINT32_MAX && th->ph[pid].neq > 0)
                rc = match_add(m, i, l + 1, pid);
            if (map_get(&th->pre, key.s, key.n) == UINT32_MAX)
                break; /* no longer phrase starts so */
        }
    }
    free(key.s);
    /* A phrase inside a longer one that has translations lends none of its own (铝合金, not 合金 too). */
    for (size_t a = 0; a < m->n; a++)
        for (size_t b = 0; b < m->n && !m->v[a].covered; b++)
            if (m->v[b].len > m->v[a].len && m->v[b].i <= m->v[a].i &&
                m->v[b].i + m->v[b].len >= m->v[a].i + m->v[a].len && lends_senses(&th->ph[m->v[b].pid]))
                m->v[a].covered = 1;
    return rc;
}

/* A term the query gains: its summed frequency, best weight factor, origin and label. */
typedef struct gain {
    uint32_t term;
    double tf, factor;
    mt_origin origin;
    const char *label;
} gain;

typedef struct gains {
    gain *v;
    size_t n, cap;
    char **labels;   /* owned until handed to the query */
    size_t nlabels, lcap;
} gains;

/* The label "surface ≈ other" for a match, owned by g (NULL when out of memory). */
static const char *make_label(gains *g, const qtoks *q, const match *mt, const phrase *other)
{
    const qtok *first = &q->v[mt->i], *last = &q->v[mt->i + mt->len - 1];
    const char *src = q->src[first->part];
    size_t end = last->end > first->end ? last->end : first->end, slen = end - first->start;
    buf b = { 0 };
    buf_add(&b, src + first->start, slen);
    buf_add(&b, " \xe2\x89\x88 ", 5); /* " ≈ " */
    buf_add(&b, other->text, strlen(other->text));
    if (b.failed)
        return NULL;
    if (b.n >= MT_PHRASE_MAX) { /* an explanation's text holds less: cut at a character boundary */
        b.n = MT_PHRASE_MAX - 1;
        while (b.n > 0 && ((unsigned char)b.s[b.n] & 0xC0) == 0x80)
            b.n--;
        b.s[b.n] = '\0';
    }
    if (g->nlabels == g->lcap) {
        size_t cap = g->lcap ? g->lcap * 2 : 16;
        char **grown = realloc(g->labels, cap * sizeof *grown);
        if (grown == NULL) {
            free(b.s);
            return NULL;
        }
        g->labels = grown;
        g->lcap = cap;
    }
    g->labels[g->nlabels++] = b.s;
    return b.s;
}

static int in_query(const mt_query *mq, uint32_t tid)
{
    for (size_t i = 0; i < mq->nterms; i++)
        if (mq->terms[i].term == tid)
            return 1;
    return 0;
}

/* Lends the terms of phrase other (as the tokenizer wrote them, and folded) to the gains. */
static int lend(const mt_index *ix, const mt_query *mq, gains *g, const qtoks *q, const match *mt,
                const phrase *other, double factor, mt_origin origin)
{
    const char *label = NULL;
    for (const char *s = other->toks; *s;) {
        const char *e = strchr(s, SEP);
        size_t len = e ? (size_t)(e - s) : strlen(s);
        uint32_t tid = ix_term_find(ix, s, len);
        s += len + (e != NULL);
        if (tid == UINT32_MAX || ix->terms[tid].df == 0 || in_query(mq, tid))
            continue;
        size_t k = 0;
        while (k < g->n && g->v[k].term != tid)
            k++;
        if (k == g->n) {
            if (label == NULL && (label = make_label(g, q, mt, other)) == NULL)
                return MT_ERR_NOMEM;
            if (g->n == g->cap) {
                size_t cap = g->cap ? g->cap * 2 : 32;
                gain *grown = realloc(g->v, cap * sizeof *grown);
                if (grown == NULL)
                    return MT_ERR_NOMEM;
                g->v = grown;
                g->cap = cap;
            }
            g->v[g->n++] = (gain){ tid, 0, factor, origin, label };
        }
        g->v[k].tf += q->v[mt->i].w;
        if (factor > g->v[k].factor) {
            g->v[k].factor = factor;
            g->v[k].origin = origin;
        }
    }
    return MT_OK;
}

/* The gains of every match: each live pair of its phrase lends the other side. */
static int gather(const mt_index *ix, const mt_query *mq, const mt_params *p, const qtoks *q, const matches *m,
                  gains *g)
{
    const mt_thesaurus *th = ix->th;
    for (size_t i = 0; i < m->n; i++) {
        const phrase *ph = &th->ph[m->v[i].pid];
        /* Matched through a spelling fold ("aluminum" for "aluminium"): the phrase's own spelling is a synonym. */
        if (p->syn_weight > 0) {
            int rc = lend(ix, mq, g, q, &m->v[i], ph, p->syn_weight, MT_FROM_SYNONYM);
            if (rc != MT_OK)
                return rc;
        }
        for (uint32_t j = 0; j < ph->neq; j++) {
            const equiv *e = &th->eq[ph->eq[j]];
            int tr = e->kind == MT_EQUIV_TRANSLATION;
            double factor = tr ? p->xl_weight : p->syn_weight;
            if (!e->live || factor <= 0 || (tr && (m->v[i].covered || !lends_senses(ph))))
                continue;
            const phrase *other = &th->ph[e->a == m->v[i].pid ? e->b : e->a];
            int rc = lend(ix, mq, g, q, &m->v[i], other, factor,
                          tr ? MT_FROM_TRANSLATION : MT_FROM_SYNONYM);
            if (rc != MT_OK)
                return rc;
        }
    }
    return MT_OK;
}

/* Appends the gains to mq's terms (weighed like own terms, times their factor); the labels go to mq->strs. */
/* Strongest first; ties by term id, so the choice does not depend on the order of discovery. */
static int cmp_lent_desc(const void *a, const void *b)
{
    const mt_query_term *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return (x->term > y->term) - (x->term < y->term);
}

static int append_gains(const mt_index *ix, mt_query *mq, const mt_params *p, gains *g)
{
    mt_query_term *terms = realloc(mq->terms, (mq->nterms + g->n + 1) * sizeof *terms);
    if (terms == NULL)
        return MT_ERR_NOMEM;
    mq->terms = terms;
    char **strs = realloc(mq->strs, (mq->nstrs + g->nlabels + 1) * sizeof *strs);
    if (strs == NULL)
        return MT_ERR_NOMEM;
    mq->strs = strs;
    for (size_t i = 0; i < g->nlabels; i++)
        mq->strs[mq->nstrs++] = g->labels[i];
    g->nlabels = 0; /* owned by the query now */
    size_t from = mq->nterms, keep = p->xl_max_terms > 0 ? (size_t)p->xl_max_terms : g->n;
    for (size_t i = 0; i < g->n; i++) {
        const gain *x = &g->v[i];
        double w = x->factor * ix_query_weight(ix, p, x->term, x->tf);
        mq->terms[mq->nterms++] = (mt_query_term){ x->term, w, 0, x->origin, ix->terms[x->term].text, x->label };
    }
    if (g->n > keep) { /* the strongest keep: every lent term is one more postings list for the first stage */
        qsort(mq->terms + from, g->n, sizeof *mq->terms, cmp_lent_desc);
        mq->nterms = from + keep;
    }
    return MT_OK;
}

int ix_add_equivalents(const mt_index *ix, mt_query *mq, const mt_params *p)
{
    if (ix->th == NULL || ix->nlive == 0 || (p->xl_weight <= 0 && p->syn_weight <= 0))
        return MT_OK;
    const mt_doc *d = &mq->doc;
    qtoks q = { .th = ix->th };
    matches m = { 0 };
    gains g = { 0 };
    collect_part(&q, mq->t, d->title, ix->p.w_title);
    for (size_t i = 0; i < d->nkeywords; i++)
        collect_part(&q, mq->t, d->keywords[i], ix->p.w_keywords);
    collect_part(&q, mq->t, d->body, ix->p.w_body);
    int rc = q.failed || q.arena.failed ? MT_ERR_NOMEM : find_matches(ix->th, &q, &m);
    if (rc == MT_OK)
        rc = gather(ix, mq, p, &q, &m, &g);
    if (rc == MT_OK && g.n > 0)
        rc = append_gains(ix, mq, p, &g);
    for (size_t i = 0; i < g.nlabels; i++)
        free(g.labels[i]);
    free(g.labels);
    free(g.v);
    free(m.v);
    free(q.v);
    free(q.arena.s);
    return rc;
}
