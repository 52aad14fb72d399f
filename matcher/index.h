/*
 * index.h: an in-memory inverted index of listings of one side (achievements
 * or demands), and the scoring of a listing of the other side against it.
 *
 * A listing is given as plain text (mt_doc); the index tokenizes it with the
 * one tokenizer, weighs title and keywords above body text, and keeps for each
 * term a postings list of (document number, quantised BM25 weight): 5 bytes a
 * posting.  Querying with a listing of the other side gives the best matches:
 *
 *   score = wk * K + wf * F      (score = K when either side has no field)
 *   K = sum over shared terms of q(t) * w(t, d), divided by the most the
 *       query could score (sum of q(t)), so K is in [0, 1];
 *   q(t) = idf(t) * saturated, weighted query term frequency;
 *   w(t, d) = BM25 term weight of t in d, scaled to [0, 1];
 *   F = the best agreement of the two sides' field codes in the taxonomy tree:
 *       codes are hierarchical prefixes ("B" > "B06" > "B061"); two codes
 *       sharing L levels of a deeper one of D levels agree L / D.
 *
 * Scores are integer sums (quantised weights), so the pruned top-k equals
 * exhaustive scoring exactly.  The rank command adds pseudo-relevance feedback
 * (mt_params.prf_*); the service turns it off so that scores equal their
 * explanations.
 *
 * Ownership: the index copies what it needs from an mt_doc.  Thread-safety:
 * adds and removes need the index to themselves; queries and explanations
 * only read it (each thread keeps its own scratch memory), so callers guard an
 * index with a read-write lock.  Errors: functions return 0 or MT_ERR_*.
 */
#ifndef MT_INDEX_H
#define MT_INDEX_H
#include "tokenizer.h"
#include <stddef.h>
#include <stdint.h>

#define MT_OK 0
#define MT_ERR_NOMEM 1
#define MT_ERR_NOT_FOUND 2

typedef struct mt_doc {
    const char *title;               /* may be NULL */
    const char *body;                /* description or abstract; may be NULL */
    const char *const *keywords;
    size_t nkeywords;
    const char *const *fields;       /* hierarchical codes */
    size_t nfields;
} mt_doc;

typedef struct mt_params {
    double k1, b;            /* BM25 saturation and length normalisation */
    double w_title;          /* term frequency weights by where a term stands */
    double w_keywords;
    double w_body;
    double wk, wf;           /* score = wk * K + wf * F (wk + wf = 1) */
    /*
     * Pseudo-relevance feedback (RM3): the prf_docs best listings of a first
     * pass lend their prf_terms most typical terms to the query, which then
     * weighs prf_weight of the second pass.  prf_terms = 0 turns it off.
     */
    int prf_docs, prf_terms;
    double prf_weight;
} mt_params;

/* The documented defaults (see README, "Matching"). */
void mt_params_default(mt_params *p);

typedef struct mt_index mt_index;

/* Returns a new empty index (NULL when out of memory).  p may be NULL for defaults. */
mt_index *mt_index_new(const mt_params *p);
void mt_index_free(mt_index *ix);

/* Adds (or replaces) the listing with this id.  MT_ERR_NOMEM on failure. */
int mt_index_add(mt_index *ix, mt_tokenizer *t, int64_t id, const mt_doc *doc);
/* Removes the listing; MT_ERR_NOT_FOUND if it is not there. */
int mt_index_remove(mt_index *ix, int64_t id);
/*
 * Starts a bulk build: adds then only record their listings, and
 * mt_index_finalize writes all postings at once (much faster for a large
 * build).  The index must not be queried until finalize.
 */
void mt_index_bulk(mt_index *ix);
/*
 * Rewrites every postings list, sized exactly, with the final collection
 * statistics (the average document length), dropping removed listings, and
 * ends a bulk build.  Call after a bulk build; incremental adds use the
 * statistics of their moment.  MT_ERR_NOMEM on failure (the index is then
 * unusable).
 */
int mt_index_finalize(mt_index *ix);
/* Live listings. */
size_t mt_index_count(const mt_index *ix);
/* Postings held (tombstoned ones included until finalize) and the bytes allocated for them. */
void mt_index_memory(const mt_index *ix, size_t *postings, size_t *bytes);

typedef struct mt_hit {
    int64_t id;
    double score;   /* wk * K + wf * F, or K */
    double k, f;
} mt_hit;

/*
 * Scores the index's listings against q and writes the best k, best first
 * (ties by smaller id), to out (room for k).  *n receives how many were
 * written; listings sharing no term score 0 and are not returned.  Top-k
 * with MaxScore pruning (per-term upper bounds), so the cost follows the
 * postings that can still change the top k.
 */
int mt_index_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                   mt_hit *out, size_t *n);

/*
 * The same answer as mt_index_query, found by scoring every listing that
 * shares a term (no pruning): the reference the pruned search is tested
 * against.  Slower; not for the service.
 */
int mt_index_query_exhaustive(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                              mt_hit *out, size_t *n);

/* ---- explanations ---- */

#define MT_EXPLAIN_TERMS 8
#define MT_PHRASE_MAX 96

typedef struct mt_term_share {
    char text[MT_PHRASE_MAX];  /* as written in the query listing; Chinese bigrams merged into phrases */
    double share;              /* of the keyword score K, so the shares sum to 1 */
} mt_term_share;

typedef struct mt_explanation {
    double score, k, f;
    mt_term_share terms[MT_EXPLAIN_TERMS];   /* best first */
    size_t nterms;
    char field_q[32], field_d[32];           /* the best-agreeing pair of codes, or "" */
    int field_level;                         /* levels they share (0 = none) */
} mt_explanation;

/*
 * Explains how q (a listing of the other side) scores against d (a listing of
 * this index's side, indexed or not), with the index's statistics and without
 * feedback terms: the same score as mt_index_query when prf_terms is 0.
 * Shared terms are reported as the query listing wrote them, and runs of
 * adjacent shared Chinese bigrams become the phrase they spell when d holds
 * that phrase too ("采煤机械", not "采煤, 煤机, 机械").
 */
int mt_explain(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_doc *d, mt_explanation *out);

/* Returns F for two lists of field codes (0 when either is empty). */
double mt_field_agreement(const char *const *a, size_t na, const char *const *b, size_t nb);

#endif
