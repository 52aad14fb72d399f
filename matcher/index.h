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
 * exhaustive scoring exactly.  One ranking serves everyone: a listing is
 * first prepared into an mt_query (its final weighted terms, pseudo-relevance
 * feedback included), and top-k, exhaustive top-k and the explanation of a
 * pair all read that one term list, so a score equals its explanation by
 * construction.  The service and the rank command use mt_params_default.
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
    double k3;               /* saturation of a term's count in the query listing */
    int request_words;       /* 1: words of asking (need, looking for, 需求, 希望...) do not query */
    double w_title;          /* term frequency weights by where a term stands */
    double w_keywords;
    double w_body;
    /*
     * score = wk * K + wf * F * min(1, K / field_k0) when both sides have
     * fields, else K (wk + wf = 1): field agreement counts in full once the
     * texts agree to K >= field_k0, and in proportion below it, so two
     * listings of one industry sharing a word or two are not suggested for
     * their industry alone.  field_k0 = 0: F always counts in full.
     */
    double wk, wf, field_k0;
    /*
     * A query listing whose own terms (typed, or their translations and
     * synonyms) that the index knows weigh less than full_mass (the sum of
     * their q(t), idf units) has too little text to judge: its K is scaled by
     * its mass / full_mass (its confidence).  0 = every query fully trusted.
     * Each term counts at least term_mass_floor: a platform where every
     * listing shares the query's words (idf near 0) is not a reason to
     * distrust a listing with plenty of text.
     */
    double full_mass, term_mass_floor;
    /*
     * Pseudo-relevance feedback (RM3): the prf_docs best listings of a first
     * pass lend their prf_terms most typical terms to the query, which then
     * weighs prf_weight of the second pass.  prf_terms = 0 turns it off.
     */
    int prf_docs, prf_terms;
    double prf_weight;
    /*
     * Two stages when feedback is on: the query's own terms pick the best
     * rerank_n listings (stage 1, pruned), the feedback terms come from their
     * best prf_docs, and top-k re-scores only those rerank_n with every final
     * term (stage 2), so top-k returns at most rerank_n: a caller asking for
     * more raises it (the service to its 50 candidates, rank to --top).  0 =
     * one stage: the final query retrieves over all postings again.
     */
    int rerank_n;
    /*
     * Equivalent phrases (thesaurus.h, when the index has a thesaurus): a term
     * a query gains from a translation weighs xl_weight, from a synonym
     * syn_weight, of what it would weigh typed (0 turns that kind off).  Read
     * from the parameters given to mt_query_prepare.
     */
    double xl_weight, syn_weight;
    int xl_max_terms;        /* at most this many lent terms a query, the strongest (0 = all) */
    /*
     * Brokers' decisions (mt_query_add_judgements), Rocchio-style: the
     * judge_terms terms making up most of the approved listings (each
     * weighing its mean share of their length * idf^2) are mixed in to weigh
     * judge_weight of the query (0 = none added), and a query term
     * the rejected listings hold but no approved one does keeps
     * 1 - judge_reject * (the fraction of rejected listings holding it) of its
     * weight.
     */
    int judge_terms;
    double judge_weight;
    double judge_reject;
} mt_params;

/* The documented defaults (see README, "Matching"), feedback on: the service's and rank's ranking. */
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

/* ---- prepared queries: the one ranking ---- */

/*
 * Where a query term comes from: the query's text, RM3 feedback (prf.c),
 * the thesaurus (translations and synonyms, thesaurus.c) and brokers'
 * decisions (mt_query_add_judgements).  MT_FROM_PAIR is reserved for pairs of
 * adjacent words and not produced.
 */
typedef enum mt_origin {
    MT_FROM_QUERY = 0,       /* the query listing's own text */
    MT_FROM_FEEDBACK,        /* pseudo-relevance feedback (RM3) */
    MT_FROM_PAIR,
    MT_FROM_TRANSLATION,
    MT_FROM_SYNONYM,
    MT_FROM_BROKER           /* the listings brokers approved (mt_query_add_judgements) */
} mt_origin;

/*
 * A final weighted query term.  weight is q(t) (the feedback mix included);
 * qi is the integer weight every score sums (qi * w(t, d)).  text is the
 * term as the index holds it (a stem or a Chinese bigram), borrowed from the
 * index: valid while the index is not freed.
 */
typedef struct mt_query_term {
    uint32_t term;
    double weight;
    int64_t qi;
    mt_origin origin;        /* a term both typed and fed back counts as MT_FROM_QUERY */
    const char *text;
    const char *equiv;       /* a translation or synonym term: "激光熔覆 ≈ laser cladding" (the query's
                                phrase as written, then the thesaurus's), owned by the query; else NULL */
} mt_query_term;

typedef struct mt_query mt_query;

/*
 * Prepares q (a listing of the other side) against ix: tokenizes it, weighs
 * its known terms, and, when feedback is on, runs a first pass and mixes in
 * the feedback terms of its best listings.  p may be NULL for the index's
 * parameters; its query-side fields are read (k3, request_words, full_mass,
 * term_mass_floor, prf_*, rerank_n, xl_weight, syn_weight, xl_max_terms),
 * the posting-side ones (k1, b, field weights, wk, wf, field_k0) are the
 * index's, so that queries and postings weigh terms alike.  The query copies what it
 * needs from q and borrows t (t must outlive it; same thread as t).  Its
 * term ids and qmax hold for ix as it was: use it under the same read lock,
 * or accept that a later top-k or explanation sees the index as it is then.
 * Returns 0 and *out (free with mt_query_free) or MT_ERR_NOMEM.
 */
int mt_query_prepare(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_params *p,
                     mt_query **out);
void mt_query_free(mt_query *mq);

/* The final terms (borrowed, *n of them) and qmax = sum of qi * 255, the most the query can score. */
const mt_query_term *mt_query_terms(const mt_query *mq, size_t *n);
int64_t mt_query_qmax(const mt_query *mq);

/*
 * Scores the index's listings against the prepared query and writes the
 * best k, best first (ties by smaller id), to out (room for k); *n receives
 * how many.  Listings sharing no term are not returned.  Pruned (MaxScore);
 * equal to mt_query_topk_exhaustive exactly.  With feedback and rerank_n > 0
 * (two stages) only the stage-1 candidates kept by prepare are scored, with
 * the final terms; the exhaustive reference then recomputes stage 1
 * exhaustively with the query's own terms and re-scores those candidates by
 * full term-at-a-time scoring, so equality means "pruned stage 1 ==
 * exhaustive stage 1, and the re-scored top k == a brute-force re-score of
 * the same candidates".  0 or MT_ERR_NOMEM.
 */
int mt_query_topk(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n);
int mt_query_topk_exhaustive(const mt_index *ix, const mt_query *mq, size_t k, mt_hit *out, size_t *n);

/*
 * Brokers' decisions as relevance feedback, after mt_query_prepare and
 * before top-k or explanations: approved[0..na) and rejected[0..nr) are ids
 * of listings of ix (those not live in ix are ignored).  The approved
 * listings' typical terms are added (origin MT_FROM_BROKER) or boosted; the
 * query terms the rejected hold and the approved do not are weighed down
 * (never to zero: weights stay positive).  The query then retrieves over the
 * whole index with its final terms (one stage), so listings like the
 * approved ones are found beyond the first stage's candidates.  Judged
 * listings are not excluded from top-k: the caller skips them.  p may be
 * NULL for the index's parameters (its judge_* fields are read).  Does
 * nothing when na + nr = 0.  0, or MT_ERR_NOMEM: the query may then be
 * partly changed and must only be freed.
 */
int mt_query_add_judgements(const mt_index *ix, mt_query *mq, const int64_t *approved, size_t na,
                            const int64_t *rejected, size_t nr, const mt_params *p);

/*
 * Prepares q with the index's parameters, queries, frees: the same answer as
 * mt_query_prepare + mt_query_topk (or _exhaustive).
 */
int mt_index_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                   mt_hit *out, size_t *n);
int mt_index_query_exhaustive(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, size_t k,
                              mt_hit *out, size_t *n);

/* ---- explanations ---- */

#define MT_EXPLAIN_TERMS 8
#define MT_PHRASE_MAX 96

typedef struct mt_term_share {
    char text[MT_PHRASE_MAX];  /* as written in the query listing; Chinese bigrams merged into phrases;
                                  a feedback term as d writes it (else as the index holds it) */
    double share;              /* of the keyword score K, so all shares sum to 1 */
    mt_origin origin;
    int lowered;               /* 1: it weighs less because listings brokers rejected hold it (and none
                                  they approved does): "less like the rejected" */
} mt_term_share;

typedef struct mt_explanation {
    double score, k, f;
    int64_t raw, qmax;                       /* K = raw / qmax: the integer sums top-k ranks by */
    double confidence;                       /* the query's (mt_params.full_mass); qmax holds it */
    mt_term_share terms[MT_EXPLAIN_TERMS];   /* best first (only the best MT_EXPLAIN_TERMS kept) */
    size_t nterms;
    char field_q[32], field_d[32];           /* the best-agreeing pair of codes, or "" */
    int field_level;                         /* levels they share (0 = none) */
    int approved, rejected;                  /* brokers' decisions that shaped the query (0, 0 = none) */
} mt_explanation;

/*
 * Explains how the prepared query scores against d (a listing of this
 * index's side, indexed or not) with the index's statistics: K comes from the
 * same integer sums as mt_query_topk, so for an indexed d (after finalize, or
 * added with today's statistics) score, k and f equal its hit's exactly.
 * Shared query terms are reported as the query listing wrote them, and runs
 * of adjacent shared Chinese bigrams become the phrase they spell when d
 * holds that phrase too ("采煤机械", not "采煤, 煤机, 机械"); with a lexicon
 * (lexicon.h, mt_index_set_lexicon) the phrases are cut at word boundaries
 * of both texts and trimmed of function words, filler and units.  Feedback
 * terms are reported with origin MT_FROM_FEEDBACK, as d writes them,
 * brokers' with MT_FROM_BROKER, and approved and rejected count the
 * decisions that shaped the query.  Every shared term's contribution is in
 * exactly one reported term.  0 or
 * MT_ERR_NOMEM.
 */
int mt_query_explain(const mt_index *ix, const mt_query *mq, const mt_doc *d, mt_explanation *out);

/* Prepares q with the index's parameters and explains d: mt_query_prepare + mt_query_explain. */
int mt_explain(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_doc *d, mt_explanation *out);

/* Returns F for two lists of field codes (0 when either is empty). */
double mt_field_agreement(const char *const *a, size_t na, const char *const *b, size_t nb);

#endif
