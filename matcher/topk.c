/*
 * topk.c: top-k over the postings: exhaustive term-at-a-time scoring, the
 * pruned (MaxScore-style) path that must equal it exactly, the candidates'
 * sums for a re-ranking stage, and the per-thread scratch space they share.
 */
#include "index_int.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
/* ---------- queries ---------- */

/* Min-heap of hits by (score, then larger id is worse). */
static int worse(const mt_hit *a, const mt_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

void ix_heap_push(mt_hit *h, size_t *n, size_t k, const mt_hit *x)
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

int ix_cmp_hits(const void *a, const void *b)
{
    const mt_hit *x = a, *y = b;
    if (worse(x, y))
        return 1;
    if (worse(y, x))
        return -1;
    return 0;
}

/* Sets the integer weights and bounds of the query terms; returns the most the query can score. */
int64_t ix_prepare_terms(const mt_index *ix, qterm *qt, size_t nq)
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
scratch *ix_scratch_get(const mt_index *ix)
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
 * The score of document d with keyword sum raw (ix_pair_score).  It grows with raw, so with a partial sum it is a
 * lower bound of the final score, and with an upper bound of the sum an upper
 * bound of it.
 */
static double doc_score(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t d, int64_t raw,
                        int64_t qmax, double *f)
{
    double k = ix_k(raw, qmax);
    uint32_t set = ix->dset[d];
    *f = 0;
    if (q->nfields == 0 || set == NO_SET)
        return k;
    *f = set_agreement(ix, sc, q, set);
    return ix_pair_score(&ix->p, k, *f, 1);
}

mt_hit ix_make_hit(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t d, int64_t raw, int64_t qmax)
{
    mt_hit h = { ix->docs[d].id, 0, ix_k(raw, qmax), 0 };
    h.score = doc_score(ix, sc, q, d, raw, qmax, &h.f);
    return h;
}

/* The best score a document not seen yet, with keyword sum at most raw, could reach. */
static double unseen_bound(const mt_index *ix, int64_t raw, int64_t qmax, const mt_doc *q)
{
    return ix_pair_bound(&ix->p, ix_k(raw, qmax), q->nfields > 0);
}

/* Exhaustive, term at a time: the reference the pruned search must equal. */
int ix_topk_exhaustive(const mt_index *ix, const qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                           size_t k, mt_hit *out, size_t *n)
{
    scratch *sc = ix_scratch_get(ix);
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
        mt_hit h = ix_make_hit(ix, sc, q, touched[i], acc[touched[i]], qmax);
        ix_heap_push(out, n, k, &h);
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
    double need = theta > 0 ? ix_pair_need(&ix->p, theta, q->nfields > 0) * (double)qmax * (1.0 - 1e-9) : 0.0;
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
void ix_add_to_candidates(const term *tm, uint32_t qi, uint32_t *acc, const uint32_t *cand, size_t n)
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
int ix_topk_pruned(const mt_index *ix, qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                       size_t k, mt_hit *out, size_t *n)
{
    if (nq == 0)
        return MT_OK;
    scratch *sc = ix_scratch_get(ix);
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
            ix_add_to_candidates(&ix->terms[qt[j].term], (uint32_t)qt[j].qi, acc, touched, ncand);
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
            mt_hit h = ix_make_hit(ix, sc, q, d, acc[d], qmax);
            ix_heap_push(out, n, k, &h);
        }
        acc[d] = 0;
    }
    free(rem);
    return MT_OK;
}
