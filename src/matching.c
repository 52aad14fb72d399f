/*
 * matching.c: keeps the matcher's indexes in step with the store and turns
 * scores into recorded suggestions (see matching.h).
 */
#include "matching.h"
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
    mt_lexicon *lexicon; /* the words explanations are cut at (the indexes borrow it), or NULL */
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
    pthread_rwlock_init(&m->lock, NULL);
    m->ix[LISTING_DEMAND] = mt_index_new(&p);
    m->ix[LISTING_ACHIEVEMENT] = mt_index_new(&p);
    loader ld = { m, mt_tokenizer_new() };
    int status = m->ix[0] && m->ix[1] && ld.t ? TM_OK : TM_ERR_INTERNAL;
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
    cJSON *terms = cJSON_AddArrayToObject(o, "terms");
    for (size_t i = 0; i < e->nterms; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "text", e->terms[i].text);
        cJSON_AddNumberToObject(t, "share", e->terms[i].share);
        /* Where the term comes from: the listing's own text or feedback from its best matches. */
        cJSON_AddStringToObject(t, "origin", e->terms[i].origin == MT_FROM_FEEDBACK ? "feedback" : "query");
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
    return o;
}

/* Explains demand against achievement with the achievements' statistics. Caller holds the lock. */
static int explain_pair(matching *m, mt_tokenizer *t, const listing *demand, const listing *achievement,
                        mt_explanation *e)
{
    mt_doc q = as_doc(demand), d = as_doc(achievement);
    return mt_explain(m->ix[LISTING_ACHIEVEMENT], t, &q, &d, e) == MT_OK ? TM_OK : TM_ERR_INTERNAL;
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
 * Prepares l as a query of the other side's index and returns its candidates
 * (caller frees *hits and *mq).  Caller holds the read lock.
 */
static int candidates(matching *m, mt_tokenizer *t, const listing *l, size_t k, mt_query **mq, mt_hit **hits,
                      size_t *n)
{
    listing_kind other = l->kind == LISTING_DEMAND ? LISTING_ACHIEVEMENT : LISTING_DEMAND;
    mt_doc q = as_doc(l);
    *hits = xcalloc(k, sizeof **hits);
    *n = 0;
    int rc = mt_query_prepare(m->ix[other], t, &q, NULL, mq);
    if (rc == MT_OK)
        rc = mt_query_topk(m->ix[other], *mq, k, *hits, n);
    return rc == MT_OK ? TM_OK : TM_ERR_INTERNAL;
}

/*
 * Explains a candidate pair.  A demand's candidates are explained from the
 * prepared query that ranked them, so the stored score is the ranked one;
 * an achievement's candidates (demands) are scored the other way round, each
 * demand prepared against the achievements.  Caller holds the read lock.
 */
static int explain_candidate(matching *m, mt_tokenizer *t, const mt_query *mq, const listing *l,
                             const listing *o, mt_explanation *e)
{
    if (l->kind == LISTING_DEMAND) {
        mt_doc d = as_doc(o);
        return mt_query_explain(m->ix[LISTING_ACHIEVEMENT], mq, &d, e) == MT_OK ? TM_OK : TM_ERR_INTERNAL;
    }
    return explain_pair(m, t, o, l, e);
}

static void free_view_items(match_view *v, size_t n);

/*
 * The open, unexpired listings of the other side that the indexes find for l
 * (at most k), each explained with the pair's score (the demand scored against
 * the achievement); in the indexes' order.  Free with matching_views_free.
 */
static int explained_candidates(matching *m, store *s, mt_tokenizer *t, const listing *l, size_t k,
                                match_view **out, size_t *n)
{
    mt_hit *hits = NULL;
    mt_query *mq = NULL;
    size_t nh = 0;
    *out = NULL;
    *n = 0;
    pthread_rwlock_rdlock(&m->lock);
    int status = candidates(m, t, l, k, &mq, &hits, &nh);
    pthread_rwlock_unlock(&m->lock);
    listing_kind other = l->kind == LISTING_DEMAND ? LISTING_ACHIEVEMENT : LISTING_DEMAND;
    listing **others = status == TM_OK ? load_hits(s, other, hits, nh) : NULL;
    match_view *v = xcalloc(nh ? nh : 1, sizeof *v);
    size_t nv = 0;
    /*
     * The index may change while the store is read; the explanation is then
     * computed with the statistics of this read, and it is what is stored.
     */
    pthread_rwlock_rdlock(&m->lock);
    for (size_t i = 0; status == TM_OK && i < nh; i++) {
        listing *o = others[i];
        if (o == NULL || strcmp(o->status, "open") != 0 || expired(o))
            continue;
        mt_explanation e;
        status = explain_candidate(m, t, mq, l, o, &e);
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
    mt_query_free(mq);
    if (status != TM_OK) {
        matching_views_free(v, nv);
        return status;
    }
    *out = v;
    *n = nv;
    return TM_OK;
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
    pthread_rwlock_unlock(&m->lock);
    if (rc != MT_OK || !open || expired(l)) {
        mt_tokenizer_free(t);
        return rc != MT_OK ? TM_ERR_INTERNAL : store_matches_withdraw(s, l->kind, l->id);
    }
    policy pol;
    match_view *v = NULL;
    size_t n = 0;
    int status = store_policy_get(s, &pol);
    double threshold = pol.suggest_threshold;
    if (status == TM_OK)
        status = explained_candidates(m, s, t, l, CANDIDATES, &v, &n);
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
    mt_tokenizer_free(t);
    return status;
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
    int status = explained_candidates(m, s, t, l, k + 10, &v, &nv);
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
    int rc = explain_pair(m, t, demand, achievement, &e);
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
