/*
 * matching.h: the matcher inside the service.
 *
 * Owns the two in-memory indexes (open achievements, open demands), built from
 * the store at start-up and kept in step with every write through this API.
 * When a listing is written it is matched against the other side at once: the
 * pairs scoring at or above the policy's suggest threshold are recorded as
 * suggested matches with their explanation (one transaction).  The score of a
 * pair is always the demand scored against the achievement (the direction of
 * the rank contract), whichever side was written.  Gates: both listings
 * open, the demand's deadline not passed.
 *
 * A demand's matches are ranked with the brokers' decisions on its other
 * matches as relevance feedback (mt_query_add_judgements): approvals lend
 * their terms, rejections weigh down what only they share with the demand;
 * a decision re-matches the demand (matching_decided).
 *
 * Thread-safe: a read-write lock guards the indexes; queries share it and
 * updates hold it briefly.  The service ranks as `techmatch rank` does
 * (mt_params_default, feedback on); each pair's explanation comes from the
 * prepared query that scored it, so every stored score equals its explanation.
 */
#ifndef TM_MATCHING_H
#define TM_MATCHING_H
#include "err.h"
#include "listing.h"
#include "store.h"
#include <cjson/cJSON.h>

typedef struct matching matching;

/*
 * The word list explanations cut shared Chinese terms at (one word a line,
 * friso's lex-main.lex by default: matcher/lexicon.h); "" for none.  Read by
 * matching_open, with the taxonomy's names added; a missing file is a
 * warning, not an error.  Call before matching_open; path is borrowed.
 */
void matching_set_lexicon_path(const char *path);

/* Builds both indexes from the store's open listings. */
TM_MUST_CHECK int matching_open(store *s, matching **out);
void matching_close(matching *m);

/*
 * After l (as stored) was created, edited or imported: re-indexes it and
 * records its matches (an open listing) or withdraws them (a closed one).
 */
TM_MUST_CHECK int matching_listing_written(matching *m, store *s, const listing *l);

/*
 * After a broker approved or rejected a match of demand demand_id: re-matches
 * that demand as an edit does, so that its remaining candidates are re-ranked
 * with the brokers' decisions on its matches as relevance feedback (more like
 * the approved achievements, less like the rejected); decided pairs keep
 * their decision and score.  A closed or missing demand has nothing to
 * re-rank (TM_OK).
 */
TM_MUST_CHECK int matching_decided(matching *m, store *s, int64_t demand_id);

/*
 * The one hook for a change of the thesaurus brokers curate: call it after
 * store_thesaurus_add or store_thesaurus_delete stored the change, with the
 * listings it touched.  The matcher takes the change in first (a new
 * thesaurus: the shipped equivalences plus every entry of
 * store_thesaurus_each, swapped in under the write lock), so the change is in
 * effect for the re-match; then each touched listing that is still stored is
 * read afresh and re-matched through matching_listing_written (re-indexed,
 * suggestions recorded or withdrawn).
 * *rematched receives how many were re-matched.  Returns TM_OK, or the first
 * failure (the others are still re-matched; a listing not re-matched stays
 * in the store's match queue when the store queues matching).
 */
TM_MUST_CHECK int matching_thesaurus_changed(matching *m, store *s, const thesaurus_touched *touched,
                                             size_t *rematched);

/*
 * Matches the listings still in the store's match queue (see
 * store_queue_matching): those whose matching a crash interrupted.  Runs at
 * start-up, before requests are served; *n receives how many it matched.
 */
TM_MUST_CHECK int matching_recover(matching *m, store *s, size_t *n);

/*
 * Catches up with listings written by other processes (techmatch import on
 * the same file; they matched themselves): re-indexes every listing written
 * since the last sync (or since matching_open).  The server calls it every
 * few seconds.  A listing this process wrote is re-indexed once more, which
 * is harmless.
 */
TM_MUST_CHECK int matching_sync(matching *m, store *s);

/* A live match of a listing: the other side's listing and the explained score. */
typedef struct match_view {
    listing *other;
    double score, k, f;
    cJSON *explanation;   /* owned */
} match_view;

/*
 * The best k listings of the other side for l, live from the indexes, best
 * first, each explained.  Free with matching_views_free.
 */
TM_MUST_CHECK int matching_top(matching *m, store *s, const listing *l, size_t k,
                               match_view **out, size_t *n);
void matching_views_free(match_view *v, size_t n);

/*
 * Scores one pair as the matcher does (the demand against the achievement,
 * with the achievements' statistics), explained: fills *score, *k, *f and
 * *explanation (malloc'd JSON text, caller frees).
 */
TM_MUST_CHECK int matching_pair(matching *m, const listing *demand, const listing *achievement, double *score,
                                double *k, double *f, char **explanation);

/* The size of one side's index (for GET /metrics). */
typedef struct matching_size {
    size_t listings;   /* open listings indexed */
    size_t postings;   /* postings held (a removed listing's too, until its terms' lists are rewritten) */
    size_t bytes;      /* bytes allocated for the postings */
} matching_size;

/* Fills *out with the size of kind's index, under the read lock (it walks the index's vocabulary once). */
void matching_size_of(matching *m, listing_kind kind, matching_size *out);

#endif
