/*
 * matching.c: keeps the matcher's indexes in step with the store and turns
 * scores into recorded suggestions (see matching.h).
 */
#include "matching.h"
#include "equivalents.h"
#include "index.h"
#include "json.h"
#include "lexicon.h"
#include "log.h"
#include "mem.h"
#include "push.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CANDIDATES 50   /* listings of the other side considered for suggestions */

#define SEEN_MAX 256   /* listings remembered at the newest timestamp synced */

struct matching {
    pthread_rwlock_t lock;
    mt_index *ix[2];    /* by listing_kind */
    mt_thesaurus *th;   /* the shipped equivalences both indexes look phrases up in (may be NULL) */
    mt_lexicon *lexicon; /* the words explanations are cut at (the indexes borrow it), or NULL */
    /* Changes of each index (under the write lock): a listing's suggestions are recorded again when the other
     * side changed while they were computed, or the recording would withdraw a pair recorded meanwhile. */
    uint64_t gen[2];
    /* matching_sync's cursor: the newest updated_at seen, and the listings seen at it */
    char since[32];
    int64_t seen[2][SEEN_MAX];
    size_t nseen[2];
};

static mt_doc as_doc(const listing *l)
{
    mt_doc d = { l->title, l->body, (const char *const *)l->keywords.v, l->keywords.n,
                 (const char *const *)l->fields.v, l->fields.n };
    return d;
}

static int expired(const listing *l)
{
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    if (l->kind != LISTING_DEMAND || l->deadline == NULL)
        return 0;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    return strcmp(l->deadline, today) < 0;
}

typedef struct loader {
    matching *m;
    mt_tokenizer *t;
} loader;

static int load_one(void *ctx, const listing *l)
{
    loader *ld = ctx;
    mt_doc d = as_doc(l);
    return mt_index_add(ld->m->ix[l->kind], ld->t, l->id, &d) == MT_OK ? TM_OK : TM_ERR_INTERNAL;
}

static void now_stamp(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Adds one entry of the brokers' thesaurus to the matcher's (ctx); non-zero when out of memory. */
static int add_curated(void *ctx, const thesaurus_entry *e)
{
    mt_equiv_kind kind = strcmp(e->kind, "synonym") == 0 ? MT_EQUIV_SYNONYM : MT_EQUIV_TRANSLATION;
    return mt_thesaurus_add(ctx, e->term_a, e->term_b, kind) == MT_OK ? 0 : 1;
}

/* The shipped equivalences plus the entries brokers curate: a new thesaurus, or NULL on failure. */
static mt_thesaurus *thesaurus_load(store *s)
{
    mt_thesaurus *th = equivalents_load(NULL);
    if (th != NULL && store_thesaurus_each(s, add_curated, th) != 0) {
        mt_thesaurus_free(th);
        return NULL;
    }
    return th;
}

static const char *lexicon_path = MT_LEXICON_DEFAULT_PATH;

void matching_set_lexicon_path(const char *path)
{
    lexicon_path = path;
}

/*
 * The words explanations are cut at: the word list at lexicon_path, then the
 * taxonomy's Chinese names.  NULL without a word list (logged): explanations
 * then cut shared terms at runs of bigrams, as before there was one.
 */
static mt_lexicon *load_lexicon(store *s)
{
    mt_lexicon *lx = lexicon_path && lexicon_path[0] ? mt_lexicon_new() : NULL;
    size_t words = 0;
    int rc = lx ? mt_lexicon_load(lx, lexicon_path, &words) : MT_ERR_NOT_FOUND;
    taxonomy *tax = NULL;
    if (rc == MT_OK && store_fields_load(s, &tax) == TM_OK)
        for (size_t i = 0; i < taxonomy_count(tax) && rc == MT_OK; i++)
            rc = mt_lexicon_add_name(lx, taxonomy_at(tax, i)->name_zh);
    taxonomy_free(tax);
    if (rc != MT_OK) {
        log_warn("matcher: no word list at %s; explanations show shared Chinese terms as runs of bigrams "
                 "(install friso-dict, or pass --lexicon)", lexicon_path && lexicon_path[0] ? lexicon_path : "(none)");
        mt_lexicon_free(lx);
        return NULL;
    }
    log_info("matcher: %zu words to cut explanations at (%zu from %s)", mt_lexicon_count(lx), words, lexicon_path);
    return lx;
}

int matching_open(store *s, matching **out)
{
    matching *m = xcalloc(1, sizeof *m);
    now_stamp(m->since, sizeof m->since); /* before loading: what comes after is synced later */
    mt_params p;
    mt_params_default(&p); /* the one ranking, feedback on: rank uses the same defaults */
    p.rerank_n = CANDIDATES; /* the second stage re-scores as many as are asked for */
    pthread_rwlock_init(&m->lock, NULL);
    m->ix[LISTING_DEMAND] = mt_index_new(&p);
    m->ix[LISTING_ACHIEVEMENT] = mt_index_new(&p);
    m->th = thesaurus_load(s);
    for (int k = 0; k < 2; k++)
        if (m->ix[k])
            mt_index_set_thesaurus(m->ix[k], m->th);
    loader ld = { m, mt_tokenizer_new() };
    int status = m->ix[0] && m->ix[1] && m->th && ld.t ? TM_OK : TM_ERR_INTERNAL;
    if (status == TM_OK) {
        mt_index_bulk(m->ix[0]);
        mt_index_bulk(m->ix[1]);
    }
    for (int k = 0; k < 2 && status == TM_OK; k++)
        status = store_listing_each_open(s, (listing_kind)k, load_one, &ld);
    mt_tokenizer_free(ld.t);
    if (status != TM_OK) {
        matching_close(m);
        return status;
    }
    m->lexicon = load_lexicon(s);
    mt_index_set_lexicon(m->ix[0], m->lexicon);
    mt_index_set_lexicon(m->ix[1], m->lexicon);
    if (mt_index_finalize(m->ix[0]) != MT_OK || mt_index_finalize(m->ix[1]) != MT_OK) {
        matching_close(m);
        return TM_ERR_INTERNAL;
    }
    log_info("matcher: %zu open demands, %zu open achievements indexed",
             mt_index_count(m->ix[LISTING_DEMAND]), mt_index_count(m->ix[LISTING_ACHIEVEMENT]));
    *out = m;
    return TM_OK;
}

void matching_close(matching *m)
{
    if (m == NULL)
        return;
    mt_index_free(m->ix[0]);
    mt_index_free(m->ix[1]);
    mt_thesaurus_free(m->th);
    mt_lexicon_free(m->lexicon);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

void matching_size_of(matching *m, listing_kind kind, matching_size *out)
{
    pthread_rwlock_rdlock(&m->lock);
    out->listings = mt_index_count(m->ix[kind]);
    mt_index_memory(m->ix[kind], &out->postings, &out->bytes);
    pthread_rwlock_unlock(&m->lock);
}

static cJSON *explanation_json(const mt_explanation *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "score", e->score);
    cJSON_AddNumberToObject(o, "k", e->k);
    cJSON_AddNumberToObject(o, "f", e->f);
    if (e->confidence < 1.0) /* too little text to judge: K was scaled by it */
        cJSON_AddNumberToObject(o, "confidence", e->confidence);
    cJSON *terms = cJSON_AddArrayToObject(o, "terms");
    for (size_t i = 0; i < e->nterms; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "text", e->terms[i].text);
        cJSON_AddNumberToObject(t, "share", e->terms[i].share);
        /* Where the term comes from: the listing's own text, feedback from its best matches, the thesaurus or
         * brokers' approvals. */
        mt_origin og = e->terms[i].origin;
        cJSON_AddStringToObject(t, "origin", og == MT_FROM_FEEDBACK      ? "feedback"
                                             : og == MT_FROM_TRANSLATION ? "translation"
                                             : og == MT_FROM_SYNONYM     ? "synonym"
                                             : og == MT_FROM_BROKER      ? "broker"
                                                                         : "query");
        if (e->terms[i].lowered) /* less like the rejected: brokers' rejections weighed it down */
            cJSON_AddBoolToObject(t, "less_like_rejected", 1);
        cJSON_AddItemToArray(terms, t);
    }
    if (e->field_q[0]) {
        cJSON *f = cJSON_AddObjectToObject(o, "fields");
        cJSON_AddStringToObject(f, "demand", e->field_q);
        cJSON_AddStringToObject(f, "achievement", e->field_d);
        json_add_int(f, "shared_levels", e->field_level);
    } else {
        cJSON_AddNullToObject(o, "fields");
    }
    if (e->approved + e->rejected > 0) { /* brokers' decisions on the demand's other matches shaped this score */
        cJSON *d = cJSON_AddObjectToObject(o, "decisions");
        json_add_int(d, "approved", e->approved);
        json_add_int(d, "rejected", e->rejected);
    }
    return o;
}

/* Whether id is one of the achievements the decisions judged (only the rejected ones with rejected_only). */
static int judged(const match_decisions *dec, int64_t id, int rejected_only)
{
    for (size_t i = 0; i < dec->napproved && !rejected_only; i++)
        if (dec->approved[i] == id)
            return 1;
    for (size_t i = 0; i < dec->nrejected; i++)
        if (dec->rejected[i] == id)
            return 1;
    return 0;
}

/*
 * Prepares demand q against the achievements, with the brokers' decisions
 * on its matches as relevance feedback (dec may be NULL or empty: none).
 * depth: the candidates its first stage keeps, as many as top-k will ask for,
 * or 0 when the query only explains pairs: then only the listings feedback
 * reads (the final terms, hence every score, are the same).  Caller holds the
 * lock.
 */
static int prepare_demand(matching *m, mt_tokenizer *t, const mt_doc *q, const match_decisions *dec, size_t depth,
                          mt_query **mq)
{
    const mt_index *ix = m->ix[LISTING_ACHIEVEMENT];
    mt_params p;
    mt_params_default(&p);
    p.rerank_n = depth > 0 ? (int)depth : p.prf_docs;
    int rc = mt_query_prepare(ix, t, q, &p, mq);
    if (rc == MT_OK && dec && dec->napproved + dec->nrejected > 0)
        rc = mt_query_add_judgements(ix, *mq, dec->approved, dec->napproved, dec->rejected, dec->nrejected, NULL);
    return rc;
}

/*
 * Explains demand against achievement with the achievements' statistics and
 * the demand's decisions (dec, or NULL for none), as the demand's own
 * matching scores the pair.  Caller holds the lock.
 */
static int explain_pair(matching *m, mt_tokenizer *t, const listing *demand, const match_decisions *dec,
                        const listing *achievement, mt_explanation *e)
{
    mt_doc q = as_doc(demand), d = as_doc(achievement);
    mt_query *mq = NULL;
    int rc = prepare_demand(m, t, &q, dec, 0, &mq);
    if (rc == MT_OK)
        rc = mt_query_explain(m->ix[LISTING_ACHIEVEMENT], mq, &d, e);
    mt_query_free(mq);
    return rc == MT_OK ? TM_OK : TM_ERR_INTERNAL;
}

/* The brokers' decisions on a demand's matches (none for an achievement), into *dec (cleanup after). */
static int decisions_of(store *s, const listing *l, match_decisions *dec)
{
    memset(dec, 0, sizeof *dec);
    return l->kind == LISTING_DEMAND ? store_match_decisions(s, l->id, dec) : TM_OK;
}

/* Loads the listings of kind for the hits; missing ones (deleted meanwhile) are left NULL. */
static listing **load_hits(store *s, listing_kind kind, const mt_hit *hits, size_t n)
{
    listing **out = xcalloc(n ? n : 1, sizeof *out);
    int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = hits[i].id;
    /* One read for all of them; on a store error every entry stays NULL (the hit is skipped, as a missing one). */
    if (store_listings_get_many(s, kind, ids, n, out) != TM_OK)
        memset(out, 0, (n ? n : 1) * sizeof *out);
    free(ids);
    return out;
}

/*
 * Prepares l as a query of the other side's index (a demand with its
 * decisions dec) and returns its candidates (caller frees *hits and *mq):
 * at most k besides the judged ones, which top-k may return too.  Caller
 * holds the read lock.
 */
static int candidates(matching *m, mt_tokenizer *t, const listing *l, const match_decisions *dec, size_t k,
                      mt_query **mq, mt_hit **hits, size_t *n)
{
    listing_kind other = l->kind == LISTING_DEMAND ? LISTING_ACHIEVEMENT : LISTING_DEMAND;
    mt_doc q = as_doc(l);
    k += dec->napproved + dec->nrejected;
    *hits = xcalloc(k, sizeof **hits);
    *n = 0;
    int rc = l->kind == LISTING_DEMAND ? prepare_demand(m, t, &q, dec, k > CANDIDATES ? k : CANDIDATES, mq)
                                       : mt_query_prepare(m->ix[other], t, &q, NULL, mq);
    if (rc == MT_OK)
        rc = mt_query_topk(m->ix[other], *mq, k, *hits, n);
    return rc == MT_OK ? TM_OK : TM_ERR_INTERNAL;
}

/*
 * Explains a candidate pair.  A demand's candidates are explained from the
 * prepared query that ranked them, so the stored score is the ranked one;
 * an achievement's candidates (demands) are scored the other way round, each
 * demand prepared against the achievements with its own decisions (odec).
 * Caller holds the read lock.
 */
static int explain_candidate(matching *m, mt_tokenizer *t, const mt_query *mq, const listing *l,
                             const listing *o, const match_decisions *odec, mt_explanation *e)
{
    if (l->kind == LISTING_DEMAND) {
        mt_doc d = as_doc(o);
        return mt_query_explain(m->ix[LISTING_ACHIEVEMENT], mq, &d, e) == MT_OK ? TM_OK : TM_ERR_INTERNAL;
    }
    return explain_pair(m, t, o, odec, l, e);
}

static void free_view_items(match_view *v, size_t n);

/*
 * The decisions of the demands o[0..n) (an achievement's candidates; NULL
 * entries stay empty), or NULL for a demand's candidates.  Free with
 * free_decisions.
 */
static match_decisions *decisions_of_others(store *s, const listing *l, listing **o, size_t n, int *status)
{
    if (l->kind == LISTING_DEMAND || *status != TM_OK)
        return NULL;
    match_decisions *dec = xcalloc(n ? n : 1, sizeof *dec);
    for (size_t i = 0; i < n && *status == TM_OK; i++)
        if (o[i])
            *status = decisions_of(s, o[i], &dec[i]);
    return dec;
}

static void free_decisions(match_decisions *dec, size_t n)
{
    for (size_t i = 0; dec && i < n; i++)
        match_decisions_cleanup(&dec[i]);
    free(dec);
}

/*
 * Whether the pair of l and its candidate o was decided by a broker (o is
 * judged in l's decisions, or l in o's; only rejected with rejected_only): it
 * keeps its stored decision and score, and is not a candidate again.
 */
static int decided(const listing *l, const match_decisions *dec, const listing *o, const match_decisions *odec,
                   int rejected_only)
{
    return l->kind == LISTING_DEMAND ? judged(dec, o->id, rejected_only) : judged(odec, l->id, rejected_only);
}

/*
 * The open, unexpired listings of the other side that the indexes find for l
 * (at most k), each explained with the pair's score (the demand scored against
 * the achievement, with the demand's brokers' decisions as relevance
 * feedback); in the indexes' order.  Pairs a broker decided are left out
 * (recording keeps their stored decision and score); with keep_approved only
 * the rejected ones are (the live lists show what brokers approved).  Free
 * with matching_views_free.
 */
static int explained_candidates(matching *m, store *s, mt_tokenizer *t, const listing *l, size_t k,
                                int keep_approved, match_view **out, size_t *n)
{
    mt_hit *hits = NULL;
    mt_query *mq = NULL;
    size_t nh = 0;
    match_decisions dec;
    *out = NULL;
    *n = 0;
    int status = decisions_of(s, l, &dec); /* read before the lock: the store is slower than the index */
    if (status == TM_OK) {
        pthread_rwlock_rdlock(&m->lock);
        status = candidates(m, t, l, &dec, k, &mq, &hits, &nh);
        pthread_rwlock_unlock(&m->lock);
    }
    listing_kind other = l->kind == LISTING_DEMAND ? LISTING_ACHIEVEMENT : LISTING_DEMAND;
    listing **others = status == TM_OK ? load_hits(s, other, hits, nh) : NULL;
    match_decisions *odec = decisions_of_others(s, l, others, nh, &status);
    match_view *v = xcalloc(nh ? nh : 1, sizeof *v);
    size_t nv = 0;
    /*
     * The index may change while the store is read; the explanation is then
     * computed with the statistics of this read, and it is what is stored.
     */
    pthread_rwlock_rdlock(&m->lock);
    for (size_t i = 0; status == TM_OK && i < nh && nv < k; i++) {
        listing *o = others[i];
        if (o == NULL || strcmp(o->status, "open") != 0 || expired(o) ||
            decided(l, &dec, o, odec ? &odec[i] : NULL, keep_approved))
            continue;
        mt_explanation e;
        status = explain_candidate(m, t, mq, l, o, odec ? &odec[i] : NULL, &e);
        if (status != TM_OK || e.score <= 0)
            continue;
        v[nv].other = o;
        others[i] = NULL;
        v[nv].score = e.score;
        v[nv].k = e.k;
        v[nv].f = e.f;
        v[nv].explanation = explanation_json(&e);
        nv++;
    }
    pthread_rwlock_unlock(&m->lock);
    for (size_t i = 0; others && i < nh; i++)
        listing_free(others[i]);
    free(others);
    free(hits);
    free_decisions(odec, nh);
    match_decisions_cleanup(&dec);
    mt_query_free(mq);
    if (status != TM_OK) {
        matching_views_free(v, nv);
        return status;
    }
    *out = v;
    *n = nv;
    return TM_OK;
}

/* The other side's index changes so far (read under the read lock). */
static uint64_t other_gen(matching *m, listing_kind kind)
{
    pthread_rwlock_rdlock(&m->lock);
    uint64_t g = m->gen[kind == LISTING_DEMAND ? LISTING_ACHIEVEMENT : LISTING_DEMAND];
    pthread_rwlock_unlock(&m->lock);
    return g;
}

/* Computes l's candidates at or above the suggest threshold and records them (store_matches_record). */
static int record_candidates(matching *m, store *s, mt_tokenizer *t, const listing *l)
{
    policy pol;
    match_view *v = NULL;
    size_t n = 0;
    int status = store_policy_get(s, &pol);
    double threshold = pol.suggest_threshold;
    if (status == TM_OK)
        status = explained_candidates(m, s, t, l, CANDIDATES, 0, &v, &n);
    match_row *rows = xcalloc(n ? n : 1, sizeof *rows);
    char **texts = xcalloc(n ? n : 1, sizeof *texts);
    size_t nrows = 0;
    for (size_t i = 0; status == TM_OK && i < n; i++) {
        if (v[i].score < threshold)
            continue;
        int64_t other = v[i].other->id;
        texts[nrows] = json_print(v[i].explanation);
        rows[nrows] = (match_row){ l->kind == LISTING_DEMAND ? l->id : other,
                                   l->kind == LISTING_DEMAND ? other : l->id,
                                   v[i].score, v[i].k, v[i].f, texts[nrows] };
        nrows++;
    }
    if (status == TM_OK)
        status = store_matches_record(s, l->kind, l->id, rows, nrows, push_match_payload, NULL);
    for (size_t i = 0; i < nrows; i++)
        free(texts[i]);
    free(texts);
    free(rows);
    matching_views_free(v, n);
    return status;
}

int matching_listing_written(matching *m, store *s, const listing *l)
{
    int open = strcmp(l->status, "open") == 0;
    mt_tokenizer *t = mt_tokenizer_new();
    if (t == NULL)
        return TM_ERR_INTERNAL;
    pthread_rwlock_wrlock(&m->lock);
    int rc = MT_OK;
    if (open) { /* replaces the listing when it is already indexed */
        mt_doc d = as_doc(l);
        rc = mt_index_add(m->ix[l->kind], t, l->id, &d);
    } else {
        (void)mt_index_remove(m->ix[l->kind], l->id);
    }
    m->gen[l->kind]++;
    pthread_rwlock_unlock(&m->lock);
    if (rc != MT_OK || !open || expired(l)) {
        mt_tokenizer_free(t);
        return rc != MT_OK ? TM_ERR_INTERNAL : store_matches_withdraw(s, l->kind, l->id);
    }
    /*
     * A listing of the other side written meanwhile may have recorded its pair with l already, which this
     * recording (computed without it) would withdraw: record again until the other side held still (a few
     * rounds at most; the other listing's own recording then holds the pair).
     */
    int status = TM_OK;
    for (int round = 0; round < 8; round++) {
        uint64_t before = other_gen(m, l->kind);
        status = record_candidates(m, s, t, l);
        if (status != TM_OK || other_gen(m, l->kind) == before)
            break;
    }
    mt_tokenizer_free(t);
    return status;
}

int matching_decided(matching *m, store *s, int64_t demand_id)
{
    listing *l = NULL;
    int rc = store_listing_get(s, LISTING_DEMAND, demand_id, &l);
    if (rc == TM_OK && strcmp(l->status, "open") == 0)
        rc = matching_listing_written(m, s, l);
    listing_free(l);
    return rc == TM_ERR_NOT_FOUND ? TM_OK : rc;
}

int matching_recover(matching *m, store *s, size_t *n)
{
    int status = TM_OK;
    *n = 0;
    for (int k = 0; k < 2 && status == TM_OK; k++) {
        int64_t *ids = NULL;
        size_t count = 0;
        status = store_match_queue(s, (listing_kind)k, &ids, &count);
        for (size_t i = 0; i < count && status == TM_OK; i++) {
            listing *l = NULL;
            int rc = store_listing_get(s, (listing_kind)k, ids[i], &l);
            if (rc == TM_OK)
                status = matching_listing_written(m, s, l);
            else if (rc == TM_ERR_NOT_FOUND) /* gone since: nothing to match, only the queue to clear */
                status = store_matches_withdraw(s, (listing_kind)k, ids[i]);
            else
                status = rc;
            listing_free(l);
            *n += status == TM_OK;
        }
        free(ids);
    }
    return status;
}

int matching_thesaurus_changed(matching *m, store *s, const thesaurus_touched *touched, size_t *rematched)
{
    int first = TM_OK;
    *rematched = 0;
    /* The matcher takes the change in before the re-match: a new thesaurus, swapped in under the write lock. */
    mt_thesaurus *th = thesaurus_load(s), *old = NULL;
    if (th == NULL)
        return TM_ERR_INTERNAL;
    pthread_rwlock_wrlock(&m->lock);
    for (int k = 0; k < 2; k++)
        mt_index_set_thesaurus(m->ix[k], th);
    old = m->th;
    m->th = th;
    pthread_rwlock_unlock(&m->lock);
    mt_thesaurus_free(old); /* no reader holds it: readers hold the read lock while they query */
    for (int k = 0; k < 2; k++) {
        size_t n = touched->n[k];
        listing **ls = xcalloc(n ? n : 1, sizeof *ls);
        int status = n ? store_listings_get_many(s, (listing_kind)k, touched->ids[k], n, ls) : TM_OK;
        for (size_t i = 0; i < n && status == TM_OK; i++) {
            int rc = ls[i] ? matching_listing_written(m, s, ls[i]) : TM_OK; /* NULL: deleted since */
            *rematched += ls[i] && rc == TM_OK;
            if (rc != TM_OK && first == TM_OK)
                first = rc;
            listing_free(ls[i]);
        }
        if (status != TM_OK && first == TM_OK)
            first = status;
        free(ls);
    }
    return first;
}

static int seen_before(const matching *m, listing_kind kind, int64_t id)
{
    for (size_t i = 0; i < m->nseen[kind]; i++)
        if (m->seen[kind][i] == id)
            return 1;
    return 0;
}

int matching_sync(matching *m, store *s)
{
    mt_tokenizer *t = mt_tokenizer_new();
    int status = t ? TM_OK : TM_ERR_INTERNAL;
    for (int k = 0; k < 2 && status == TM_OK; k++) {
        listing_page page;
        status = store_listing_changed_since(s, (listing_kind)k, m->since, 10000, &page);
        for (size_t i = 0; status == TM_OK && i < page.n; i++) {
            const listing *l = page.items[i];
            int at_cursor = l->updated_at && strcmp(l->updated_at, m->since) == 0;
            if (at_cursor && seen_before(m, l->kind, l->id))
                continue;
            mt_doc d = as_doc(l);
            pthread_rwlock_wrlock(&m->lock);
            if (strcmp(l->status, "open") == 0)
                status = mt_index_add(m->ix[l->kind], t, l->id, &d) == MT_OK ? TM_OK : TM_ERR_INTERNAL;
            else
                (void)mt_index_remove(m->ix[l->kind], l->id);
            m->gen[l->kind]++;
            pthread_rwlock_unlock(&m->lock);
            if (l->updated_at && strcmp(l->updated_at, m->since) > 0) {
                /* A newer timestamp: the cursor moves and its remembered listings start afresh. */
                snprintf(m->since, sizeof m->since, "%s", l->updated_at);
                m->nseen[0] = m->nseen[1] = 0;
            }
            if (m->nseen[l->kind] < SEEN_MAX)
                m->seen[l->kind][m->nseen[l->kind]++] = l->id;
        }
        store_page_cleanup(&page);
    }
    mt_tokenizer_free(t);
    return status;
}

static void free_view_items(match_view *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        listing_free(v[i].other);
        cJSON_Delete(v[i].explanation);
    }
}

static int cmp_views(const void *a, const void *b)
{
    const match_view *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->other->id > y->other->id) - (x->other->id < y->other->id);
}

int matching_top(matching *m, store *s, const listing *l, size_t k, match_view **out, size_t *n)
{
    mt_tokenizer *t = mt_tokenizer_new();
    match_view *v = NULL;
    size_t nv = 0;
    *out = NULL;
    *n = 0;
    if (t == NULL)
        return TM_ERR_INTERNAL;
    /* A few more than asked, as expired demands are dropped. */
    int status = explained_candidates(m, s, t, l, k + 10, 1, &v, &nv);
    mt_tokenizer_free(t);
    if (status != TM_OK)
        return status;
    qsort(v, nv, sizeof *v, cmp_views);
    if (nv > k) {
        free_view_items(v + k, nv - k);
        nv = k;
    }
    *out = v;
    *n = nv;
    return TM_OK;
}

void matching_views_free(match_view *v, size_t n)
{
    free_view_items(v, n);
    free(v);
}

int matching_pair(matching *m, const listing *demand, const listing *achievement, double *score, double *k,
                  double *f, char **explanation)
{
    mt_explanation e;
    mt_tokenizer *t = mt_tokenizer_new();
    if (t == NULL)
        return TM_ERR_INTERNAL;
    pthread_rwlock_rdlock(&m->lock);
    int rc = explain_pair(m, t, demand, NULL, achievement, &e);
    pthread_rwlock_unlock(&m->lock);
    mt_tokenizer_free(t);
    if (rc != TM_OK)
        return rc;
    *score = e.score;
    *k = e.k;
    *f = e.f;
    cJSON *j = explanation_json(&e);
    *explanation = json_print(j);
    cJSON_Delete(j);
    return TM_OK;
}
