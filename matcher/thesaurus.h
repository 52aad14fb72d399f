/*
 * thesaurus.h: equivalences between phrases (a translation between Chinese
 * and English, or a synonym within one language) that let a query meet
 * listings written in other words.
 *
 * A thesaurus holds pairs "a <-> b" of some kind.  Each phrase is kept as the
 * index's tokenizer cuts it (English stems, Chinese bigrams), so a query finds
 * the phrases it contains by its own tokens, and the other side of each pair
 * becomes query terms of origin MT_FROM_TRANSLATION or MT_FROM_SYNONYM,
 * weighed below an exact term (mt_params.xl_weight, syn_weight), which the
 * explanation shows as "激光熔覆 ≈ laser cladding" with its share.
 *
 * Sources: the shipped CC-CEDICT subset (seeds/cedict/), the taxonomy's
 * zh/en names, the reviewed synonym lists (seeds/synonyms/), and entries
 * added at run time (brokers' thesaurus).
 *
 * Spelling folds: a synonym pair of two single English words ("aluminium",
 * "aluminum") also makes them one word when phrases are matched, for phrases
 * added after it (load the synonym lists first; rebuild to apply a new fold to
 * older entries).
 *
 * Ownership and threads: a thesaurus copies what it is given and owns a
 * tokenizer of its own.  Adds and removes need it to themselves; lookups (the
 * queries of an index it is set on) only read it.  A caller that changes the
 * thesaurus of a live index either changes it under the index's write lock, or
 * builds a new one and swaps it in with mt_index_set_thesaurus under that
 * lock, then frees the old one.  Errors: 0 or MT_ERR_* (index.h).
 */
#ifndef MT_THESAURUS_H
#define MT_THESAURUS_H
#include "index.h"
#include <stddef.h>

typedef enum mt_equiv_kind {
    MT_EQUIV_TRANSLATION = 0,  /* between languages: weighs xl_weight */
    MT_EQUIV_SYNONYM = 1       /* within a language: weighs syn_weight */
} mt_equiv_kind;

/* Phrases of more tokens than this are not kept (they would rarely match). */
#define MT_THESAURUS_MAX_TOKENS 6

/*
 * A phrase with more translations than this (a common English word, "system",
 * has dozens of Chinese words in CC-CEDICT) lends none of them to queries: it
 * would add noise, not meaning.  Synonyms are not capped.
 */
#define MT_THESAURUS_MAX_SENSES 6

typedef struct mt_thesaurus mt_thesaurus;

/* Returns a new empty thesaurus, or NULL when out of memory (or the tokenizer cannot start). */
mt_thesaurus *mt_thesaurus_new(void);
void mt_thesaurus_free(mt_thesaurus *th);

/*
 * Adds a <-> b.  Phrases are matched by their tokens, so "Laser Cladding" and
 * "laser cladding" are one phrase.  A pair already there, a phrase with no
 * token (only stop words) or of more than MT_THESAURUS_MAX_TOKENS, or a == b,
 * is ignored (MT_OK).  MT_ERR_NOMEM on failure.
 */
int mt_thesaurus_add(mt_thesaurus *th, const char *a, const char *b, mt_equiv_kind kind);

/* Removes the pair a <-> b (either order, any kind); MT_ERR_NOT_FOUND if it is not there. */
int mt_thesaurus_remove(mt_thesaurus *th, const char *a, const char *b);

/* Live pairs held. */
size_t mt_thesaurus_count(const mt_thesaurus *th);

/*
 * Adds the pairs of a TSV text: lines "a<TAB>b" ('#' lines and blank lines
 * skipped); with split_senses, b may hold several senses separated by '/'
 * (the CC-CEDICT subset's format), each paired with a.  Columns after b are
 * ignored.  *added (may be NULL) receives the pairs added.  MT_ERR_NOMEM.
 */
int mt_thesaurus_add_tsv(mt_thesaurus *th, const char *text, size_t len, mt_equiv_kind kind, int split_senses,
                         size_t *added);

/*
 * Sets the thesaurus the index's queries look phrases up in (NULL: none).
 * Borrowed: it must outlive its use by the index.  Needs the index to itself
 * (the caller's write lock), like an add.
 */
void mt_index_set_thesaurus(mt_index *ix, const mt_thesaurus *th);

#endif
