/*
 * xl_demo.h: the demo seeds (seeds/demo) as the service indexes them, for the
 * cross-language test (tests/test_crosslang.c) and its bench runner
 * (bench/xl/xl_eval.c): the achievements in one index with the shipped
 * equivalences, and each demand ranked against them.
 */
#ifndef TM_XL_DEMO_H
#define TM_XL_DEMO_H
#include "index.h"
#include "thesaurus.h"
#include <stddef.h>

typedef struct xl_demo xl_demo;

/*
 * Reads seeds_dir/demo/manifest.tsv and its JSONL files, loads the shipped
 * equivalences under seeds_dir (equivalents_load; with_thesaurus 0: none) and
 * indexes the achievements with p (NULL: mt_params_default).  NULL on failure.
 */
xl_demo *xl_demo_open(const char *seeds_dir, const mt_params *p, int with_thesaurus);
void xl_demo_free(xl_demo *d);

/*
 * Ranks the achievements for the demand with this ref (prepared with p, NULL:
 * the index's); returns the 1-based rank of the achievement want among the
 * first k, 0 when it is not there, -1 when a ref is unknown or on failure.
 */
int xl_demo_rank(xl_demo *d, const char *demand_ref, const char *want, size_t k, const mt_params *p);

/* The achievement ref ranked r-th (1-based) by the last xl_demo_rank, or NULL. */
const char *xl_demo_ranked(const xl_demo *d, size_t r);

/* The index, the demand's prepared query and an achievement's document, for explanations. */
const mt_index *xl_demo_index(const xl_demo *d);
mt_tokenizer *xl_demo_tokenizer(const xl_demo *d);
/* The mt_doc of a listing by ref (borrowed; valid until the next call); NULL when unknown. */
const mt_doc *xl_demo_doc(xl_demo *d, const char *ref);

#endif
