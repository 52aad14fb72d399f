/*
 * equivalents.h: the matcher's shipped equivalences, loaded at start: the
 * CC-CEDICT subset (seeds/cedict/cedict-terms.tsv, translations), the
 * reviewed synonym list (seeds/synonyms/synonyms.tsv) and the taxonomy's
 * zh/en names (compiled in).  The files stay separate data (CC BY-SA 4.0 for
 * CC-CEDICT); a missing file is a warning, and matching then goes on without
 * it.
 */
#ifndef TM_EQUIVALENTS_H
#define TM_EQUIVALENTS_H
#include "thesaurus.h"

/* Where the files are looked for, relative to the working directory, like the demo's seeds. */
#define EQUIVALENTS_DIR_DEFAULT "seeds"

/*
 * Returns a new thesaurus of the shipped equivalences found under dir (NULL:
 * EQUIVALENTS_DIR_DEFAULT), or NULL when out of memory.  Free with
 * mt_thesaurus_free once no index uses it.
 */
mt_thesaurus *equivalents_load(const char *dir);

#endif
