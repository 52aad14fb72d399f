/*
 * index_int.h: what the files of the matcher's index share, private to them
 * (index.c, terms.c, fields.c, query.c, explain.c); callers use index.h.
 *
 * The structures: terms with their postings (document numbers ascending and
 * quantised weights), documents by number, the interned field codes and code
 * sets, and the index that holds them.  The ix_ functions are the helpers one
 * file defines and another calls; each says which file owns it.  Thread-safety
 * is index.h's: adds and removes are exclusive, queries may run in parallel.
 */
#ifndef MT_INDEX_INT_H
#define MT_INDEX_INT_H
#include "index.h"
#include <stddef.h>
#include <stdint.h>

/* ---------- structures ---------- */

typedef struct term {
    char *text;
    uint32_t hash;       /* of text, checked before comparing strings */
    uint32_t len;        /* bytes of text */
    uint32_t *docs;      /* document numbers, ascending */
    uint8_t *w;          /* BM25 weight scaled to 1..255 */
    uint32_t n, cap;
    uint32_t df;         /* live documents holding the term */
    uint8_t maxw;        /* the largest weight in the postings: the term's upper bound */
} term;

/*
 * A vocabulary hash slot: the term's hash, its id + 1 (0 = empty) and its
 * first 8 bytes, so that a probe for a term shorter than 8 bytes (every
 * Chinese bigram) is answered by the slot alone, without touching the term.
 */
typedef struct tslot {
    uint64_t head;       /* the first 8 bytes of the text, zero-padded */
    uint32_t hash;
    uint32_t id1;
} tslot;

typedef struct doc {
    int64_t id;
    float len;           /* weighted length */
    int live;
    uint32_t nterms;
    uint32_t *terms;     /* term ids of its bag */
    float *tf;           /* weighted term frequencies */
} doc;

/* Interned keys: the field codes, and the sets of field codes the documents hold. */
typedef struct strtab {
    char **key;          /* owned copies */
    uint32_t *len;
    uint32_t n, cap;
    uint32_t *slots;     /* id + 1, 0 = empty */
    uint32_t slots_cap;  /* power of two */
} strtab;

#define NO_SET UINT32_MAX

struct mt_index {
    mt_params p;
    term *terms;
    uint32_t nterms, terms_cap;
    tslot *term_slots;           /* hash slots: see tslot */
    uint32_t term_slots_cap;     /* power of two */
    doc *docs;
    uint32_t ndocs, docs_cap;
    uint32_t *id_slots;          /* hash slots: doc number + 1, 0 = empty */
    uint32_t id_slots_cap;
    uint32_t nlive;
    double total_len;            /* over live documents */
    float *scratch;              /* by term id: frequencies of the document being added, else 0 */
    uint8_t *alive;              /* by document number: 1 while live (compact, for the hot loops) */
    uint32_t *dset;              /* by document number: its set of field codes, or NO_SET */
    strtab codes;                /* field code texts */
    strtab sets;                 /* keys: sorted arrays of code ids */
    int bulk;                    /* adds record documents only; finalize writes the postings */
    const struct mt_thesaurus *th; /* equivalent phrases for queries (thesaurus.h), borrowed; may be NULL */
    const struct mt_lexicon *lexicon; /* borrowed: explanations cut shared terms at its words, or NULL */
};

/* ---------- bags (terms.c) ---------- */

typedef struct bag_entry {
    char *text;
    size_t len;
    float tf;
} bag_entry;

typedef struct bag {
    bag_entry *e;
    size_t n, cap;
    float weight;      /* the weight of the text being tokenized */
    int failed;
} bag;

typedef struct idbag {
    uint32_t *ids;
    float *tf;
    size_t n, cap;
    float weight;       /* of the text being tokenized */
    int failed;
    mt_index *ix;       /* the index of an add */
    const mt_index *ro; /* the index of a query: unknown terms are skipped */
} idbag;

/* ---------- scores (query.c, explain.c) ---------- */

/*
 * A query term.  Scores are sums of integers (qi * w), so every way of adding
 * them (term at a time, document at a time, pruned or not) gives the same
 * number, and the pruned top k equals the exhaustive one exactly.
 */
#define QSCALE 4096.0

typedef struct qterm {
    uint32_t term;
    double weight;     /* q(t) */
    int64_t qi;        /* q(t) * QSCALE, rounded */
    int64_t ub;        /* qi * the term's largest posting weight */
} qterm;

/*
 * Per-thread scratch for queries: accumulators (kept all zero between
 * queries), the documents touched, room to select the k-th best, and the
 * field agreement of each set of field codes with the current query (valid
 * where fgen equals gen).  Freed when the thread ends.
 */
typedef struct scratch {
    uint32_t *acc;     /* sums stay under 2^31 (ix_prepare_terms) */
    uint32_t *touched;
    double *sel;
    size_t cap;
    double *fval;
    uint32_t *fgen;
    size_t fcap;
    uint32_t gen;
} scratch;

/*
 * A prepared query (index.h): its final terms, qmax, the tokenizer it
 * borrows, and owned copies of the query listing's texts and field codes
 * (doc points into strs), which the explanation walks and F compares.
 */
struct mt_query {
    mt_tokenizer *t;
    mt_query_term *terms;
    size_t nterms;
    int64_t qmax;
    mt_doc doc;
    char **strs;           /* every owned string, freed with the query */
    size_t nstrs;
    const char **kw;       /* doc.keywords */
    const char **fields;   /* doc.fields */
    /* Two stages (rerank_n > 0 and feedback applied): stage 1's candidates, best first, and its query. */
    mt_hit *cand;
    size_t ncand;
    mt_query_term *orig;   /* the query's own terms with stage 1's integer weights */
    size_t norig;
    int64_t qmax1;
    double confidence;     /* min(1, own and equivalent terms' mass / full_mass); qmax and qmax1 are divided by it */
    /* Brokers' decisions applied by mt_query_add_judgements (judged.c); the explanation reports them. */
    int napproved, nrejected;
    unsigned char *lowered; /* by term: 1 when rejections weighed it down (judged.c), or NULL */
};

/* ---------- defined in index.c ---------- */

/* A NUL-terminated malloc'd copy of the n bytes at s, or NULL when out of memory. */
char *ix_dup_n(const char *s, size_t n);

/* FNV-1a, then a murmur finaliser so that the low bits (the slot) mix well. */
uint64_t ix_hash_bytes(const char *s, size_t n);

/* Finds a term; returns its id or UINT32_MAX. */
uint32_t ix_term_find(const mt_index *ix, const char *s, size_t n);

/* Finds or adds a term whose hash is h; returns its id or UINT32_MAX when out of memory. */
uint32_t ix_term_intern(mt_index *ix, const char *s, size_t n, uint32_t h);

/* qsort's comparison of two uint32_t. */
int ix_cmp_u32(const void *a, const void *b);

/* Returns the slot index holding the live document id, or UINT32_MAX. */
uint32_t ix_id_slot(const mt_index *ix, int64_t id);

/* The average weighted length of the live documents (1 when there are none). */
double ix_avg_len(const mt_index *ix);

/* BM25 document-side weight of a term with weighted frequency tf, scaled to 1..255. */
uint8_t ix_quantised_weight(const mt_params *p, double tf, double len, double avg);

/* ---------- defined in terms.c ---------- */

/* Frees a bag's entries (not the bag itself, which is caller storage). */
void ix_bag_free(bag *b);

/* Tokenizes a document into a bag of distinct terms with weighted frequencies. */
int ix_bag_of(const mt_params *p, mt_tokenizer *t, const mt_doc *d, bag *b);

/* Frees an id bag's arrays (not the bag itself, which is caller storage). */
void ix_idbag_free(idbag *b);

/* A document's distinct terms, interned, with their weighted frequencies. */
int ix_idbag_of_doc(mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b);

/* A query's distinct known terms with their weighted frequencies (no writes to the index). */
int ix_idbag_of_query(const mt_index *ix, mt_tokenizer *t, const mt_doc *d, idbag *b);

/* ---------- defined in thesaurus.c ---------- */

/*
 * Adds to mq's terms the equivalents (translations, synonyms) of the phrases
 * its listing holds, from ix's thesaurus, weighed by p's xl_weight and
 * syn_weight; terms the query already holds are left alone.  MT_ERR_NOMEM.
 */
int ix_add_equivalents(const mt_index *ix, mt_query *mq, const mt_params *p);

/* ---------- defined in fields.c ---------- */

/* Levels of a hierarchical code: "B" 1, "B06" 2, "B061" 3, "B0610" 4. */
int ix_code_levels(size_t len);

/* The document number of a live id, or UINT32_MAX. */
uint32_t ix_docno_of(const mt_index *ix, int64_t id);

/* The BM25 idf of a term among the live listings. */
double ix_idf(const mt_index *ix, uint32_t tid);

/*
 * K of a keyword sum: raw / qmax, at most 1.  qmax counts the query's own and
 * feedback terms, not the translations and synonyms lent to it: a lent term is
 * another way to write a phrase the query holds, not more of what it asks, so
 * a listing in the query's language can still reach K = 1 and one matching
 * through translations alone reaches about xl_weight of it; a listing holding
 * both is clipped at 1.
 */
double ix_k(int64_t raw, int64_t qmax);

/* The one rule of a pair's score from K and F (mt_params.field_k0); it grows with k. */
double ix_pair_score(const mt_params *p, double k, double f, int both_fields);

/* The most a pair with keyword score k can score, whatever the listing's fields. */
double ix_pair_bound(const mt_params *p, double k, int query_fields);

/* The least k whose ix_pair_bound reaches theta (at most theta). */
double ix_pair_need(const mt_params *p, double theta, int query_fields);

/* ---------- defined in topk.c ---------- */

/* Adds x to the min-heap h of at most k hits (a worse hit than all k is dropped). */
void ix_heap_push(mt_hit *h, size_t *n, size_t k, const mt_hit *x);

/* qsort order of hits: best first (score, then the smaller id). */
int ix_cmp_hits(const void *a, const void *b);

/* Sets the integer weights and bounds of the query terms; returns the most the query can score. */
int64_t ix_prepare_terms(const mt_index *ix, qterm *qt, size_t nq);

/* This thread's scratch, sized for ix, or NULL when out of memory. */
scratch *ix_scratch_get(const mt_index *ix);

/* The hit of document d with keyword sum raw (K = raw / qmax, F from the query's fields). */
mt_hit ix_make_hit(const mt_index *ix, scratch *sc, const mt_doc *q, uint32_t d, int64_t raw, int64_t qmax);

/* Exhaustive, term at a time: the best k of every listing, unsorted in out. */
int ix_topk_exhaustive(const mt_index *ix, const qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                       size_t k, mt_hit *out, size_t *n);

/* Pruned (MaxScore): exactly ix_topk_exhaustive's hits, unsorted in out. */
int ix_topk_pruned(const mt_index *ix, qterm *qt, size_t nq, int64_t qmax, const mt_doc *q,
                   size_t k, mt_hit *out, size_t *n);

/* Adds qi * w(t, d) to acc[d] for each candidate d of cand[0..n) (ascending) that term tm holds. */
void ix_add_to_candidates(const term *tm, uint32_t qi, uint32_t *acc, const uint32_t *cand, size_t n);

/* ---------- defined in query.c ---------- */

/* Sets the terms' integer weights and the query's qmax (ix_prepare_terms's rule, over the confidence). */
int ix_fix_weights(const mt_index *ix, mt_query *mq);

/* q(t) of a query term counted tf times: idf * tf (k3 + 1) / (tf + k3), the one rule for every origin. */
double ix_query_weight(const mt_index *ix, const mt_params *p, uint32_t tid, double tf);

/* ---------- defined in prf.c ---------- */

/* RM3: mixes the relevance model of best[0..m) into mq's terms (replaced), as MT_FROM_FEEDBACK terms. */
int ix_expand_query(const mt_index *ix, mt_query *mq, const mt_params *p, const mt_hit *best, size_t m);

#endif
