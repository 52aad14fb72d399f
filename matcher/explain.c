/*
 * explain.c: the explanation of one pair's score, read from the prepared
 * query that ranked it: K and F, the shared terms (whole phrases where the
 * texts share a run of bigrams; feedback terms by origin) with their shares
 * of K, and the field pairs with their level.
 */
#include "index_int.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- explanations ---------- */

/* The shared terms of q and d with their integer contributions, by term text. */
typedef struct shared {
    const char *text;
    int64_t contrib;
    mt_origin origin;
    int used;          /* already reported inside a phrase or alone */
    const char *equiv; /* a translation or synonym: its "a ≈ b" label, which its terms share */
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

static void add_candidate(walk *w, const char *text, size_t len, int64_t contrib, mt_origin origin)
{
    if (contrib <= 0 || len == 0)
        return;
    for (size_t i = 0; i < w->ncand; i++)
        if (strncmp(w->cand[i].text, text, len) == 0 && w->cand[i].text[len] == '\0') {
            w->cand_contrib[i] += contrib; /* the terms of one "a ≈ b" add up */
            return;
        }
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
    w->cand[w->ncand].origin = origin;
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
        add_candidate(w, w->src + w->run_start + 3 * i, 3 * (j - i + 1), c, MT_FROM_QUERY);
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
        add_candidate(w, w->src + start, end - start, sh->contrib, sh->origin);
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

/* Finds text in d's sorted bag; returns its index or -1. */
static long bag_find(const bag *b, const char *text)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->e[mid].text, text);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The best field pair of q and d and how many levels it shares. */
static void best_fields(const mt_doc *q, const mt_doc *d, mt_explanation *out)
{
    double best = -1;
    for (size_t a = 0; a < q->nfields; a++)
        for (size_t b = 0; b < d->nfields; b++) {
            double x = mt_field_agreement(&q->fields[a], 1, &d->fields[b], 1);
            if (x > best) {
                best = x;
                snprintf(out->field_q, sizeof out->field_q, "%s", q->fields[a]);
                snprintf(out->field_d, sizeof out->field_d, "%s", d->fields[b]);
                size_t la = strlen(q->fields[a]), lb = strlen(d->fields[b]);
                int deep = ix_code_levels(la > lb ? la : lb);
                out->field_level = (int)lround(x * deep);
            }
        }
}

/*
 * Walks the query's text in order, to report its own terms as written and
 * merge bigram runs; then adds the shared terms no text holds (feedback).
 */
static void collect_shares(mt_tokenizer *t, const mt_doc *q, const char *dtext, shared *sh, size_t nsh, walk *w)
{
    *w = (walk){ sh, nsh, NULL, dtext ? dtext : "", NULL, sh, 0, 0, 0, 0, { 0 }, 0, NULL, NULL, 0, 0 };
    const char *parts[2] = { q->title, q->body };
    for (int p = 0; p < 2; p++)
        if (parts[p]) {
            w->src = parts[p];
            mt_tokenize(t, parts[p], strlen(parts[p]), walk_token, w);
            flush_run(w);
        }
    for (size_t k = 0; k < q->nkeywords; k++)
        if (q->keywords[k]) {
            w->src = q->keywords[k];
            mt_tokenize(t, q->keywords[k], strlen(q->keywords[k]), walk_token, w);
            flush_run(w);
        }
    for (size_t i = 0; i < nsh; i++)
        if (!sh[i].used) {
            sh[i].used = 1;
            const char *shown = sh[i].equiv ? sh[i].equiv : sh[i].text;
            add_candidate(w, shown, strlen(shown), sh[i].contrib, sh[i].origin);
        }
}

int mt_query_explain(const mt_index *ix, const mt_query *mq, const mt_doc *d, mt_explanation *out)
{
    bag bd;
    memset(out, 0, sizeof *out);
    int rc = ix_bag_of(&ix->p, mq->t, d, &bd);
    if (rc != MT_OK)
        return rc;
    double avg = ix_avg_len(ix), dlen = 0;
    for (size_t j = 0; j < bd.n; j++)
        dlen += bd.e[j].tf;
    shared *sh = calloc(mq->nterms ? mq->nterms : 1, sizeof *sh);
    char *dtext = doc_text(d);
    if (sh == NULL || dtext == NULL) {
        free(sh);
        free(dtext);
        ix_bag_free(&bd);
        return MT_ERR_NOMEM;
    }
    size_t nsh = 0;
    int64_t raw = 0;
    /* The same integers top-k sums: qi * w(t, d) over the prepared terms d holds. */
    for (size_t i = 0; i < mq->nterms; i++) {
        const mt_query_term *qt = &mq->terms[i];
        long j = bag_find(&bd, qt->text);
        if (j < 0)
            continue;
        int64_t c = qt->qi * ix_quantised_weight(&ix->p, bd.e[j].tf, dlen, avg);
        raw += c;
        sh[nsh++] = (shared){ qt->text, c, qt->origin, 0, qt->equiv };
    }
    const mt_doc *q = &mq->doc;
    out->raw = raw;
    out->qmax = mq->qmax;
    out->approved = mq->napproved;
    out->rejected = mq->nrejected;
    out->k = mq->qmax > 0 ? (double)raw / (double)mq->qmax : 0;
    out->f = mt_field_agreement(q->fields, q->nfields, d->fields, d->nfields);
    out->confidence = mq->confidence;
    out->score = ix_pair_score(&ix->p, out->k, out->f, q->nfields > 0 && d->nfields > 0);
    best_fields(q, d, out);
    walk w;
    collect_shares(mq->t, q, dtext, sh, nsh, &w);
    w.out = out;
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
    ix_bag_free(&bd);
    return MT_OK;
}

int mt_explain(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_doc *d, mt_explanation *out)
{
    mt_query *mq = NULL;
    int rc = mt_query_prepare(ix, t, q, NULL, &mq);
    if (rc == MT_OK)
        rc = mt_query_explain(ix, mq, d, out);
    else
        memset(out, 0, sizeof *out);
    mt_query_free(mq);
    return rc;
}
