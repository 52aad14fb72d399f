/*
 * judged.c: brokers' decisions as relevance feedback on a prepared query
 * (mt_query_add_judgements, see index.h), Rocchio-style: the approved
 * listings' typical terms are mixed in (origin MT_FROM_BROKER), and the query
 * terms that only the rejected listings hold are weighed down.  Scores are
 * sums of positive integers (the accumulators are unsigned), so a rejection
 * cannot subtract: it lowers the weight of what the rejected share with the
 * query, never below one quantum.
 *
 * Measured on the residual collection (bench/eval.c, tuned on npl) and not
 * kept, as none lifted npl or cacm: penalty terms (the rejected listings'
 * own words, subtracted over a re-ranked pool of the best 100), feedback
 * recomputed without the rejected and with the approved listings weighing
 * more, a second feedback pass over the judged ranking, weights by the number
 * approved, Robertson-Sparck Jones reweighting of the query's own terms, and
 * a re-ranking by cosine to the approved and rejected listings.
 */
#include "index_int.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One term of a judged model: summed over the judged listings. */
typedef struct jterm {
    uint32_t term;
    double w;
} jterm;

static int cmp_jterm_id(const void *a, const void *b)
{
    const jterm *x = a, *y = b;
    return (x->term > y->term) - (x->term < y->term);
}

static int cmp_jterm_desc(const void *a, const void *b)
{
    const jterm *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return (x->term > y->term) - (x->term < y->term);
}

/* The document number of a live id, or UINT32_MAX. */
static uint32_t live_docno(const mt_index *ix, int64_t id)
{
    uint32_t slot = ix_id_slot(ix, id);
    if (slot == UINT32_MAX)
        return UINT32_MAX;
    uint32_t d = ix->id_slots[slot] - 1;
    return ix->alive[d] ? d : UINT32_MAX;
}

static double idf(const mt_index *ix, uint32_t tid)
{
    double N = ix->nlive, df = ix->terms[tid].df;
    return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

/*
 * The model of the listings ids[0..n): for each term, the mean over the live
 * ones of (its share of the listing's length) when by_share, else of 1 (so
 * w is the fraction of them holding it), merged by term id ascending.
 * *out (caller frees) and *nout; *nlive receives how many were live.
 */
static int model_of(const mt_index *ix, const int64_t *ids, size_t n, int by_share, jterm **out, size_t *nout,
                    size_t *nlive)
{
    size_t cap = 0, live = 0;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = live_docno(ix, ids[i]);
        if (d != UINT32_MAX) {
            cap += ix->docs[d].nterms;
            live++;
        }
    }
    *nlive = live;
    jterm *v = malloc((cap ? cap : 1) * sizeof *v);
    if (v == NULL)
        return MT_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = live_docno(ix, ids[i]);
        if (d == UINT32_MAX)
            continue;
        const doc *dc = &ix->docs[d];
        double len = dc->len > 0 ? dc->len : 1;
        for (uint32_t k = 0; k < dc->nterms; k++)
            v[m++] = (jterm){ dc->terms[k], (by_share ? dc->tf[k] / len : 1.0) / (double)live };
    }
    if (m > 0)
        qsort(v, m, sizeof *v, cmp_jterm_id);
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (u > 0 && v[u - 1].term == v[i].term)
            v[u - 1].w += v[i].w;
        else
            v[u++] = v[i];
    }
    *out = v;
    *nout = u;
    return MT_OK;
}

static const jterm *find_jterm(const jterm *v, size_t n, uint32_t tid)
{
    jterm key = { tid, 0 };
    return n ? bsearch(&key, v, n, sizeof *v, cmp_jterm_id) : NULL;
}

/*
 * The terms making up most of the approved listings (by their mean share of
 * a listing's length), at most keep, each weighing that share * idf^2 (as a
 * tf-idf centroid scored against tf-idf listings would), normalised to sum
 * 1, in *top (caller frees): chosen by share, a rare word one approved
 * listing happens to hold does not crowd out the words they are about.  held
 * (the same terms in the same order) gives the fraction of the nlive approved
 * listings holding each: a term only they hold is skipped, as it can find no
 * other listing.
 */
static int approved_terms(const mt_index *ix, const jterm *model, const jterm *held, size_t nlive, size_t n,
                          size_t keep, jterm **top, size_t *ntop)
{
    jterm *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    double sum = 0;
    if (v == NULL)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (ix->terms[model[i].term].df > (uint32_t)lround(held[i].w * (double)nlive) && model[i].w > 0)
            v[m++] = model[i];
    if (m > 0)
        qsort(v, m, sizeof *v, cmp_jterm_desc);
    if (m > keep)
        m = keep;
    for (size_t i = 0; i < m; i++) {
        double f = idf(ix, v[i].term);
        v[i].w *= f * f;
        sum += v[i].w;
    }
    for (size_t i = 0; i < m && sum > 0; i++)
        v[i].w /= sum;
    *top = v;
    *ntop = sum > 0 ? m : 0;
    return MT_OK;
}

/*
 * Mixes the approved terms into the query: the query's terms keep
 * 1 - lambda of the weight they had, the approved model lambda (each part
 * normalised to sum 1).  A typed term keeps its origin; a pseudo-feedback
 * term the approved listings confirm, and a new one, are MT_FROM_BROKER.
 * Replaces mq->terms.
 */
static int mix_approved(const mt_index *ix, mt_query *mq, const jterm *top, size_t ntop, double lambda)
{
    double q_sum = 0;
    for (size_t i = 0; i < mq->nterms; i++)
        q_sum += mq->terms[i].weight;
    mt_query_term *mixed = calloc(mq->nterms + ntop + 1, sizeof *mixed);
    if (mixed == NULL)
        return MT_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < mq->nterms; i++) {
        mixed[n] = mq->terms[i];
        mixed[n].weight = q_sum > 0 ? (1.0 - lambda) * mq->terms[i].weight / q_sum : 0;
        n++;
    }
    for (size_t i = 0; i < ntop; i++) {
        size_t k = 0;
        while (k < n && mixed[k].term != top[i].term)
            k++;
        if (k == n)
            mixed[n++] = (mt_query_term){ top[i].term, 0, 0, MT_FROM_BROKER, ix->terms[top[i].term].text, NULL };
        if (mixed[k].origin == MT_FROM_FEEDBACK)
            mixed[k].origin = MT_FROM_BROKER;
        mixed[k].weight += lambda * top[i].w;
    }
    free(mq->terms);
    mq->terms = mixed;
    mq->nterms = n;
    free(mq->lowered); /* by the old terms: weigh_down_rejected marks the new ones */
    mq->lowered = NULL;
    return MT_OK;
}

/*
 * Weighs down the query terms the rejected hold (fraction r) and the approved
 * do not, and marks them in mq->lowered (by term) for the explanation.
 */
static int weigh_down_rejected(mt_query *mq, const jterm *rej, size_t nrej, const jterm *app, size_t napp,
                               double gamma)
{
    free(mq->lowered);
    mq->lowered = calloc(mq->nterms ? mq->nterms : 1, 1);
    if (mq->lowered == NULL)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < mq->nterms; i++) {
        const jterm *r = find_jterm(rej, nrej, mq->terms[i].term);
        if (r == NULL || find_jterm(app, napp, mq->terms[i].term) != NULL)
            continue;
        double keep = 1.0 - gamma * (r->w > 1 ? 1 : r->w);
        mq->terms[i].weight *= keep > 0.01 ? keep : 0.01;
        mq->lowered[i] = keep < 1.0;
    }
    return MT_OK;
}

/* Drops the two stages' candidates: the query now retrieves over the whole index with its final terms. */
static void one_stage(mt_query *mq)
{
    free(mq->cand);
    free(mq->orig);
    mq->cand = NULL;
    mq->orig = NULL;
    mq->ncand = mq->norig = 0;
    mq->qmax1 = 0;
}

int mt_query_add_judgements(const mt_index *ix, mt_query *mq, const int64_t *approved, size_t na,
                            const int64_t *rejected, size_t nr, const mt_params *p)
{
    if (p == NULL)
        p = &ix->p;
    if (na + nr == 0 || ix->nlive == 0)
        return MT_OK;
    jterm *app = NULL, *rej = NULL, *top = NULL, *held = NULL;
    size_t napp = 0, nrej = 0, ntop = 0, nh = 0, live_a = 0, live_r = 0;
    int rc = model_of(ix, approved, na, 1, &app, &napp, &live_a);
    if (rc == MT_OK)
        rc = model_of(ix, rejected, nr, 0, &rej, &nrej, &live_r);
    if (rc == MT_OK)
        rc = model_of(ix, approved, na, 0, &held, &nh, &live_a);
    if (rc == MT_OK && nh == napp && live_a + live_r > 0)
        rc = approved_terms(ix, app, held, live_a, napp, p->judge_terms > 0 ? (size_t)p->judge_terms : 0, &top,
                            &ntop);
    if (rc == MT_OK && ntop > 0 && p->judge_weight > 0)
        rc = mix_approved(ix, mq, top, ntop, p->judge_weight);
    if (rc == MT_OK && live_a + live_r > 0) { /* decisions on listings no longer indexed change nothing */
        rc = weigh_down_rejected(mq, rej, nrej, app, napp, p->judge_reject);
        if (rc == MT_OK)
            rc = ix_fix_weights(ix, mq);
        one_stage(mq);
        mq->napproved = (int)live_a;
        mq->nrejected = (int)live_r;
    }
    free(app);
    free(rej);
    free(top);
    free(held);
    return rc;
}
