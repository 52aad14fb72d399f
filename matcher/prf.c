/*
 * prf.c: pseudo-relevance feedback (RM3): the relevance model of a first
 * pass's best listings, summed sparsely, mixed into a prepared query as
 * MT_FROM_FEEDBACK terms.
 */
#include "index_int.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One term of the relevance model: summed over the feedback documents (a sparse accumulator). */
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

/*
 * Adds w to term t's entry of the open-addressing table v (mask + 1 slots, a
 * power of two at least twice the entries), appending it at v[*n] when new.
 * slot[] holds 1 + the entry's index, 0 for a free slot.
 */
static void rm_add(rm_term *v, size_t *n, uint32_t *slot, size_t mask, uint32_t t, double w)
{
    size_t h = (size_t)(t * 2654435761u) & mask;
    while (slot[h] != 0 && v[slot[h] - 1].term != t)
        h = (h + 1) & mask;
    if (slot[h] == 0) {
        v[*n] = (rm_term){ t, 0 };
        slot[h] = (uint32_t)++*n;
    }
    v[slot[h] - 1].w += w;
}

/*
 * The relevance model of the best documents of a first pass (each weighs its
 * share of their scores; a term weighs its share of the document's length),
 * summed sparsely in a hash table sized by the documents' lengths, so the cost
 * follows them, not the vocabulary.  Returns the strongest terms, strongest
 * first, in *out (caller frees), their number in *nout.
 */
static int relevance_model(const mt_index *ix, const mt_hit *best, size_t m, size_t keep, rm_term **out,
                           size_t *nout)
{
    size_t cap = 0, mask = 15;
    double total = 0;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t d = ix_docno_of(ix, best[i].id);
        cap += d == UINT32_MAX ? 0 : ix->docs[d].nterms;
        total += best[i].score;
    }
    while (mask + 1 < 2 * cap)
        mask = 2 * mask + 1;
    rm_term *v = malloc((cap ? cap : 1) * sizeof *v);
    uint32_t *slot = calloc(mask + 1, sizeof *slot);
    if (v == NULL || slot == NULL) {
        free(v);
        free(slot);
        return MT_ERR_NOMEM;
    }
    size_t u = 0;
    for (size_t i = 0; i < m && total > 0; i++) {
        uint32_t d = ix_docno_of(ix, best[i].id);
        if (d == UINT32_MAX)
            continue;
        const doc *dc = &ix->docs[d];
        double share = best[i].score / total, len = dc->len > 0 ? dc->len : 1;
        for (uint32_t k = 0; k < dc->nterms; k++)
            rm_add(v, &u, slot, mask, dc->terms[k], share * dc->tf[k] / len);
    }
    free(slot);
    /* The strongest keep, strongest first, by insertion into v's front (v[kept..i) is already read). */
    size_t kept = 0;
    for (size_t i = 0; i < u && keep > 0; i++) {
        if (!(v[i].w > 0 && ix->terms[v[i].term].df > 0))
            continue;
        if (kept == keep && cmp_rm_desc(&v[i], &v[kept - 1]) >= 0)
            continue;
        rm_term x = v[i];
        size_t j = kept < keep ? kept++ : kept - 1;
        while (j > 0 && cmp_rm_desc(&x, &v[j - 1]) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    *out = v;
    *nout = kept;
    return MT_OK;
}

/*
 * RM3: mixes the relevance model's strongest terms into the query, which
 * then weighs 1 - prf_weight; the idf of each term weighs the model's part
 * too.  Replaces mq->terms.
 */
int ix_expand_query(const mt_index *ix, mt_query *mq, const mt_params *p, const mt_hit *best, size_t m)
{
    rm_term *cand = NULL;
    size_t nrm = 0;
    int rc = relevance_model(ix, best, m, (size_t)p->prf_terms, &cand, &nrm);
    if (rc != MT_OK)
        return rc;
    double rm_sum = 0, q_sum = 0;
    for (size_t i = 0; i < nrm; i++)
        rm_sum += cand[i].w;
    for (size_t i = 0; i < mq->nterms; i++)
        q_sum += mq->terms[i].weight;
    mt_query_term *mixed = calloc(mq->nterms + nrm + 1, sizeof *mixed);
    if (mixed == NULL || rm_sum <= 0 || q_sum <= 0) {
        rc = mixed == NULL ? MT_ERR_NOMEM : MT_OK;
        free(mixed);
        free(cand);
        return rc;
    }
    double lambda = p->prf_weight, mean_q = q_sum / (double)mq->nterms;
    size_t n = 0;
    for (size_t i = 0; i < mq->nterms; i++) {
        mixed[n] = mq->terms[i];
        mixed[n].weight = (1.0 - lambda) * mq->terms[i].weight / q_sum;
        n++;
    }
    for (size_t i = 0; i < nrm; i++) {
        double w = lambda * cand[i].w / rm_sum * ix_idf(ix, cand[i].term) / mean_q;
        size_t k = 0;
        while (k < n && mixed[k].term != cand[i].term)
            k++;
        if (k == n)
            mixed[n++] = (mt_query_term){ cand[i].term, 0, 0, MT_FROM_FEEDBACK, ix->terms[cand[i].term].text, NULL };
        mixed[k].weight += w;
    }
    free(mq->terms);
    mq->terms = mixed;
    mq->nterms = n;
    free(cand);
    return MT_OK;
}
