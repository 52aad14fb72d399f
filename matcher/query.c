/*
 * query.c: top-k queries: exhaustive term-at-a-time scoring, the pruned
 * (MaxScore-style) path that must equal it exactly, per-thread scratch space,
 * and the prepared query (mt_query): the listing's own terms plus the
 * pseudo-relevance feedback (RM3) terms, which top-k and explanations share.
 */
#include "index_int.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---------- queries ---------- */


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
        qsort(touched, ncand, sizeof *touched, ix_cmp_u32);
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

/* ---------- prepared queries ---------- */

/* One term of the relevance model: summed over the feedback documents (a sparse accumulator). */
typedef struct rm_term {
    uint32_t term;
    double w;
} rm_term;

static int cmp_rm_term(const void *a, const void *b)
{
    const rm_term *x = a, *y = b;
    return (x->term > y->term) - (x->term < y->term);
}

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
    uint32_t slot = ix_id_slot(ix, id);
    return slot == UINT32_MAX ? UINT32_MAX : ix->id_slots[slot] - 1;
}

/*
 * The relevance model of the best documents of a first pass (each weighs its
 * share of their scores; a term weighs its share of the document's length),
 * summed sparsely: every (term, weight) of the documents' bags goes in one
 * array, sorted by term and merged, so the cost follows the feedback
 * documents' lengths, not the vocabulary.  Returns the strongest terms,
 * strongest first, in *out (caller frees), their number in *nout.
 */
static int relevance_model(const mt_index *ix, const mt_hit *best, size_t m, size_t keep, rm_term **out,
                           size_t *nout)
{
    size_t cap = 0;
    double total = 0;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t d = docno_of(ix, best[i].id);
        cap += d == UINT32_MAX ? 0 : ix->docs[d].nterms;
        total += best[i].score;
    }
    rm_term *v = malloc((cap ? cap : 1) * sizeof *v);
    if (v == NULL)
        return MT_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < m && total > 0; i++) {
        uint32_t d = docno_of(ix, best[i].id);
        if (d == UINT32_MAX)
            continue;
        const doc *dc = &ix->docs[d];
        double share = best[i].score / total, len = dc->len > 0 ? dc->len : 1;
        for (uint32_t k = 0; k < dc->nterms; k++)
            v[n++] = (rm_term){ dc->terms[k], share * dc->tf[k] / len };
    }
    if (n > 0)
        qsort(v, n, sizeof *v, cmp_rm_term);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u > 0 && v[u - 1].term == v[i].term)
            v[u - 1].w += v[i].w;
        else
            v[u++] = v[i];
    }
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

static double idf_of(const mt_index *ix, uint32_t tid)
{
    double N = ix->nlive, df = ix->terms[tid].df;
    return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

/*
 * RM3: mixes the relevance model's strongest terms into the query, which
 * then weighs 1 - prf_weight; the idf of each term weighs the model's part
 * too.  Replaces mq->terms.
 */
static int expand_query(const mt_index *ix, mt_query *mq, const mt_params *p, const mt_hit *best, size_t m)
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
        double w = lambda * cand[i].w / rm_sum * idf_of(ix, cand[i].term) / mean_q;
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

/* Sets the terms' integer weights and the query's qmax (prepare_terms's rule). */
static int fix_weights(const mt_index *ix, mt_query *mq)
{
    qterm *qt = malloc((mq->nterms ? mq->nterms : 1) * sizeof *qt);
    if (qt == NULL)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < mq->nterms; i++)
        qt[i] = (qterm){ mq->terms[i].term, mq->terms[i].weight, 0, 0 };
    mq->qmax = prepare_terms(ix, qt, mq->nterms);
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
        uint32_t x = docno_of(ix, h[i].id);
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
    scratch *sc = scratch_get(ix);
    uint32_t *cand = NULL;
    size_t nc = 0;
    if (sc == NULL || docnos_of_hits(ix, mq->cand, mq->ncand, &cand, &nc) != MT_OK)
        return MT_ERR_NOMEM;
    for (size_t i = 0; i < mq->nterms; i++)
        add_to_candidates(&ix->terms[mq->terms[i].term], (uint32_t)mq->terms[i].qi, sc->acc, cand, nc);
    for (size_t c = 0; c < nc; c++) {
        if (sc->acc[cand[c]] > 0) {
            mt_hit h = make_hit(ix, sc, &mq->doc, cand[c], sc->acc[cand[c]], mq->qmax);
            heap_push(out, n, k, &h);
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
        rc = topk_exhaustive(ix, q1, mq->norig, mq->qmax1, &mq->doc, want, c1, &n1);
    if (rc == MT_OK)
        rc = topk_exhaustive(ix, qt, mq->nterms, mq->qmax, &mq->doc, ix->nlive, all, &nall);
    if (rc == MT_OK) {
        qsort(c1, n1, sizeof *c1, cmp_hit_id);
        for (size_t i = 0; i < nall; i++)
            if (bsearch(&all[i], c1, n1, sizeof *c1, cmp_hit_id))
                heap_push(out, n, k, &all[i]);
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
        qsort(out, *n, sizeof *out, cmp_hits);
        return rc;
    }
    qterm *qt = query_qterms(ix, mq);
    if (qt == NULL)
        return MT_ERR_NOMEM;
    int rc = exhaustive ? topk_exhaustive(ix, qt, mq->nterms, mq->qmax, &mq->doc, k, out, n)
                        : topk_pruned(ix, qt, mq->nterms, mq->qmax, &mq->doc, k, out, n);
    qsort(out, *n, sizeof *out, cmp_hits);
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

/* The query's own known terms (those some live listing holds), weighed q(t). */
static int own_terms(const mt_index *ix, mt_query *mq)
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
        double tf = b.tf[i];
        mt_query_term *qt = &mq->terms[mq->nterms++];
        qt->term = b.ids[i];
        qt->weight = idf_of(ix, b.ids[i]) * tf * (ix->p.k1 + 1.0) / (tf + ix->p.k1);
        qt->origin = MT_FROM_QUERY;
        qt->text = ix->terms[b.ids[i]].text;
    }
    ix_idbag_free(&b);
    return MT_OK;
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
        rc = own_terms(ix, mq);
    if (rc == MT_OK && ix->nlive > 0)
        rc = ix_add_equivalents(ix, mq, p); /* translations and synonyms (thesaurus.c) */
    if (rc == MT_OK)
        rc = fix_weights(ix, mq);
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
            rc = expand_query(ix, mq, p, first, m < (size_t)p->prf_docs ? m : (size_t)p->prf_docs);
        if (mq->cand == first)
            first = NULL;
        free(first);
        if (rc == MT_OK)
            rc = fix_weights(ix, mq);
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
