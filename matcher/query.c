/*
 * query.c: the prepared query (mt_query): the listing's own terms, the
 * pseudo-relevance feedback terms (prf.c), and the two stages that top-k and
 * explanations share (stage 1 in topk.c, stage 2 re-scores its candidates).
 */
#include "index_int.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
/* ---------- prepared queries ---------- */

/* A qterm array of the prepared query's terms, with integer weights and bounds, for one top-k. */
static qterm *query_qterms(const mt_index *ix, const mt_query *mq)
{
    qterm *qt = malloc((mq->nterms ? mq->nterms : 1) * sizeof *qt);
    if (qt == NULL)
        return NULL;
    for (size_t i = 0; i < mq->nterms; i++) {
        qt[i].term = mq->terms[i].term;
        qt[i].weight = mq->terms[i].weight;
        qt[i].qi = mq->terms[i].qi;
        qt[i].ub = qt[i].qi * ix->terms[qt[i].term].maxw;
    }
    return qt;
}

int ix_fix_weights(const mt_index *ix, mt_query *mq)
{
    qterm *qt = malloc((mq->nterms ? mq->nterms : 1) * sizeof *qt);
    if (qt == NULL)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < mq->nterms; i++)
        qt[i] = (qterm){ mq->terms[i].term, mq->terms[i].weight, 0, 0 };
    mq->qmax = ix_prepare_terms(ix, qt, mq->nterms);
    for (size_t i = 0; i < mq->nterms; i++) /* lent terms are alternatives, not more to match (ix_k) */
        if (mq->terms[i].origin == MT_FROM_TRANSLATION || mq->terms[i].origin == MT_FROM_SYNONYM)
            mq->qmax -= qt[i].qi * 255;
    if (mq->qmax < 1)
        mq->qmax = 1;
    if (mq->confidence < 1.0) /* K = raw / qmax then weighs the confidence */
        mq->qmax = (int64_t)ceil((double)mq->qmax / mq->confidence);
    for (size_t i = 0; i < mq->nterms; i++)
        mq->terms[i].qi = qt[i].qi;
    free(qt);
    return MT_OK;
}

/* The live document numbers of hits h[0..nh), ascending, in *out (caller frees); their number in *nout. */
static int docnos_of_hits(const mt_index *ix, const mt_hit *h, size_t nh, uint32_t **out, size_t *nout)
{
    uint32_t *d = malloc((nh ? nh : 1) * sizeof *d);
    size_t n = 0;
    if (d == NULL)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < nh; i++) {
        uint32_t x = ix_docno_of(ix, h[i].id);
        if (x != UINT32_MAX && ix->alive[x])
            d[n++] = x;
    }
    qsort(d, n, sizeof *d, ix_cmp_u32);
    *out = d;
    *nout = n;
    return MT_OK;
}

/*
 * Stage 2: scores only the stage-1 candidates with every final term, each
 * term's postings searched for the candidates in document order (galloping
 * through long lists), so the weights are the postings' own, and keeps the
 * best k.
 */
static int rerank(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n)
{
    scratch *sc = ix_scratch_get(ix);
    uint32_t *cand = NULL;
    size_t nc = 0;
    if (sc == NULL || docnos_of_hits(ix, mq->cand, mq->ncand, &cand, &nc) != MT_OK)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < mq->nterms; i++)
        ix_add_to_candidates(&ix->terms[mq->terms[i].term], (uint32_t)mq->terms[i].qi, sc->acc, cand, nc);
    for (size_t c = 0; c < nc; c++) {
        if (sc->acc[cand[c]] > 0) {
            mt_hit h = ix_make_hit(ix, sc, &mq->doc, cand[c], sc->acc[cand[c]], mq->qmax);
            ix_heap_push(out, n, k, &h);
        }
        sc->acc[cand[c]] = 0;
    }
    free(cand);
    return MT_OK;
}

static int cmp_hit_id(const void *a, const void *b)
{
    const mt_hit *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/*
 * The reference of the two stages: stage 1 again, exhaustively, with the
 * query's own terms and the same number of candidates, then every listing
 * scored exhaustively with the final terms and only those candidates kept.
 */
static int rerank_exhaustive(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n)
{
    size_t n1 = 0, nall = 0, want = mq->ncand;
    qterm *q1 = malloc((mq->norig ? mq->norig : 1) * sizeof *q1);
    mt_hit *c1 = malloc((want ? want : 1) * sizeof *c1);
    mt_hit *all = malloc((ix->nlive ? ix->nlive : 1) * sizeof *all);
    qterm *qt = query_qterms(ix, mq);
    int rc = q1 && c1 && all && qt ? MT_OK : MT_ERR_NOMEM;
    for (size_t i = 0; rc == MT_OK && i < mq->norig; i++)
        q1[i] = (qterm){ mq->orig[i].term, mq->orig[i].weight, mq->orig[i].qi, 0 };
    if (rc == MT_OK && want > 0)
        rc = ix_topk_exhaustive(ix, q1, mq->norig, mq->qmax1, &mq->doc, want, c1, &n1);
    if (rc == MT_OK)
        rc = ix_topk_exhaustive(ix, qt, mq->nterms, mq->qmax, &mq->doc, ix->nlive, all, &nall);
    if (rc == MT_OK) {
        qsort(c1, n1, sizeof *c1, cmp_hit_id);
        for (size_t i = 0; i < nall; i++)
            if (bsearch(&all[i], c1, n1, sizeof *c1, cmp_hit_id))
                ix_heap_push(out, n, k, &all[i]);
    }
    free(q1);
    free(c1);
    free(all);
    free(qt);
    return rc;
}

static int run_topk(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n, int exhaustive)
{
    *n = 0;
    if (k == 0 || ix->nlive == 0 || mq->nterms == 0)
        return MT_OK;
    if (mq->cand != NULL) {
        int rc = exhaustive ? rerank_exhaustive(ix, mq, k, out, n) : rerank(ix, mq, k, out, n);
        qsort(out, *n, sizeof *out, ix_cmp_hits);
        return rc;
    }
    qterm *qt = query_qterms(ix, mq);
    if (qt == NULL)
        return MT_ERR_NOMEM;
    int rc = exhaustive ? ix_topk_exhaustive(ix, qt, mq->nterms, mq->qmax, &mq->doc, k, out, n)
                        : ix_topk_pruned(ix, qt, mq->nterms, mq->qmax, &mq->doc, k, out, n);
    qsort(out, *n, sizeof *out, ix_cmp_hits);
    free(qt);
    return rc;
}

int mt_query_topk(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n)
{
    return run_topk(ix, mq, k, out, n, 0);
}

int mt_query_topk_exhaustive(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n)
{
    return run_topk(ix, mq, k, out, n, 1);
}

/* An owned copy of s kept with the query (NULL stays NULL); sets *failed when out of memory. */
static const char *keep_str(mt_query *mq, const char *s, int *failed)
{
    if (s == NULL)
        return NULL;
    char *c = ix_dup_n(s, strlen(s));
    if (c == NULL) {
        *failed = 1;
        return NULL;
    }
    mq->strs[mq->nstrs++] = c;
    return c;
}

/* Copies the query listing's texts and codes into mq->doc. */
static int copy_doc(mt_query *mq, const mt_doc *q)
{
    int failed = 0;
    mq->strs = malloc((2 + q->nkeywords + q->nfields) * sizeof *mq->strs);
    mq->kw = malloc((q->nkeywords ? q->nkeywords : 1) * sizeof *mq->kw);
    mq->fields = malloc((q->nfields ? q->nfields : 1) * sizeof *mq->fields);
    if (!mq->strs || !mq->kw || !mq->fields)
        return MT_ERR_NOMEM;
    mq->doc.title = keep_str(mq, q->title, &failed);
    mq->doc.body = keep_str(mq, q->body, &failed);
    for (size_t i = 0; i < q->nkeywords; i++)
        mq->kw[i] = keep_str(mq, q->keywords[i], &failed);
    for (size_t i = 0; i < q->nfields; i++)
        mq->fields[i] = keep_str(mq, q->fields[i], &failed);
    mq->doc.keywords = mq->kw;
    mq->doc.nkeywords = q->nkeywords;
    mq->doc.fields = mq->fields;
    mq->doc.nfields = q->nfields;
    return failed ? MT_ERR_NOMEM : MT_OK;
}

/*
 * Words of asking, not of the subject: a need says it "needs", "looks for",
 * "希望" and "寻求" whatever it is about.  English entries are stems (the
 * tokenizer's Snowball English), Chinese ones the tokenizer's bigrams.
 * Sorted by strcmp.
 */
static const char *const request_words[] = {
    "anyth", "articl", "concern", "deal", "describ", "discuss", "especi", "exist", "find", "inform",
    "interest", "know", "like", "look", "need", "paper", "particular", "pleas", "report", "research",
    "seek", "someth", "studi", "want", "wish", "work",
    "寻求", "希望", "相关", "要求", "需求",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_request_word(const char *text)
{
    return bsearch(&text, request_words, sizeof request_words / sizeof *request_words, sizeof *request_words,
                   cmp_str) != NULL;
}

double ix_query_weight(const mt_index *ix, const mt_params *p, uint32_t tid, double tf)
{
    return ix_idf(ix, tid) * tf * (p->k3 + 1.0) / (tf + p->k3);
}

/* The query's own known terms (those some live listing holds), weighed q(t). */
static int own_terms(const mt_index *ix, mt_query *mq, const mt_params *p)
{
    idbag b;
    int rc = ix_idbag_of_query(ix, mq->t, &mq->doc, &b);
    if (rc != MT_OK)
        return rc;
    mq->terms = calloc(b.n ? b.n : 1, sizeof *mq->terms);
    if (mq->terms == NULL) {
        ix_idbag_free(&b);
        return MT_ERR_NOMEM;
    }
    for (size_t i = 0; i < b.n; i++) {
        if (ix->terms[b.ids[i]].df == 0)
            continue; /* a term no live listing holds counts for nothing, not even in qmax */
        if (p->request_words && is_request_word(ix->terms[b.ids[i]].text))
            continue;
        double tf = b.tf[i];
        mt_query_term *qt = &mq->terms[mq->nterms++];
        qt->term = b.ids[i];
        qt->weight = ix_query_weight(ix, p, b.ids[i], tf);
        qt->origin = MT_FROM_QUERY;
        qt->text = ix->terms[b.ids[i]].text;
    }
    ix_idbag_free(&b);
    return MT_OK;
}

/*
 * How far the query's own text can be trusted: min(1, mass / full_mass), at
 * least 0.001, where mass is the larger of its typed terms' (each at least
 * term_mass_floor) and its lent terms' (translations and synonyms are
 * another way to write the same text, not more of it).
 */
static double confidence_of(const mt_query *mq, const mt_params *p)
{
    double own = 0, lent = 0;
    for (size_t i = 0; i < mq->nterms; i++) {
        double w = mq->terms[i].weight;
        if (mq->terms[i].origin == MT_FROM_TRANSLATION || mq->terms[i].origin == MT_FROM_SYNONYM)
            lent += w;
        else /* a word every listing holds still says what the listing is about */
            own += w > p->term_mass_floor ? w : p->term_mass_floor;
    }
    double mass = own > lent ? own : lent; /* the text in one language or the other, not both summed */
    if (p->full_mass <= 0 || mass >= p->full_mass)
        return 1.0;
    return mass / p->full_mass > 0.001 ? mass / p->full_mass : 0.001;
}

int mt_query_prepare(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_params *p,
                     mt_query **out)
{
    *out = NULL;
    if (p == NULL)
        p = &ix->p;
    mt_query *mq = calloc(1, sizeof *mq);
    if (mq == NULL)
        return MT_ERR_NOMEM;
    mq->t = t;
    int rc = copy_doc(mq, q);
    if (rc == MT_OK && ix->nlive > 0)
        rc = own_terms(ix, mq, p);
    if (rc == MT_OK && ix->nlive > 0)
        rc = ix_add_equivalents(ix, mq, p); /* translations and synonyms (thesaurus.c) */
    mq->confidence = confidence_of(mq, p); /* of the evidence in the listing's own text, in either language */
    if (rc == MT_OK)
        rc = ix_fix_weights(ix, mq);
    if (rc == MT_OK && p->prf_terms > 0 && p->prf_docs > 0 && mq->nterms > 0) {
        /* Stage 1: the own terms' best max(rerank_n, prf_docs); feedback reads the first prf_docs. */
        size_t m = 0, want = (size_t)(p->rerank_n > p->prf_docs ? p->rerank_n : p->prf_docs);
        mt_hit *first = calloc(want, sizeof *first);
        rc = first == NULL ? MT_ERR_NOMEM : mt_query_topk(ix, mq, want, first, &m);
        if (rc == MT_OK && m > 0 && p->rerank_n > 0) {
            /* Stage 2 re-scores these candidates; the exhaustive reference redoes stage 1 with orig. */
            mq->orig = malloc(mq->nterms * sizeof *mq->orig);
            rc = mq->orig == NULL ? MT_ERR_NOMEM : MT_OK;
            if (rc == MT_OK) {
                memcpy(mq->orig, mq->terms, mq->nterms * sizeof *mq->orig);
                mq->norig = mq->nterms;
                mq->qmax1 = mq->qmax;
                mq->cand = first;
                mq->ncand = m;
            }
        }
        if (rc == MT_OK && m > 0)
            rc = ix_expand_query(ix, mq, p, first, m < (size_t)p->prf_docs ? m : (size_t)p->prf_docs);
        if (mq->cand == first)
            first = NULL;
        free(first);
        if (rc == MT_OK)
            rc = ix_fix_weights(ix, mq);
    }
    if (rc != MT_OK) {
        mt_query_free(mq);
        return rc;
    }
    *out = mq;
    return MT_OK;
}

void mt_query_free(mt_query *mq)
{
    if (mq == NULL)
        return;
    for (size_t i = 0; i < mq->nstrs; i++)
        free(mq->strs[i]);
    free(mq->strs);
    free(mq->kw);
    free(mq->fields);
    free(mq->terms);
    free(mq->cand);
    free(mq->orig);
    free(mq->lowered);
    free(mq);
}

const mt_query_term *mt_query_terms(const mt_query *mq, size_t *n)
{
    *n = mq->nterms;
    return mq->terms;
}

int64_t mt_query_qmax(const mt_query *mq)
{
    return mq->qmax;
}

static int prepare_and_run(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k, mt_hit *out,
                           size_t *n, int exhaustive)
{
    mt_query *mq = NULL;
    *n = 0;
    if (k == 0 || ix->nlive == 0)
        return MT_OK;
    int rc = mt_query_prepare(ix, t, q, NULL, &mq);
    if (rc == MT_OK)
        rc = run_topk(ix, mq, k, out, n, exhaustive);
    mt_query_free(mq);
    return rc;
}

int mt_index_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                   mt_hit *out, size_t *n)
{
    return prepare_and_run(ix, t, q, k, out, n, 0);
}

int mt_index_query_exhaustive(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                              mt_hit *out, size_t *n)
{
    return prepare_and_run(ix, t, q, k, out, n, 1);
}
