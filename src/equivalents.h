/*
 * equivalents.h: the matcher's shipped equivalences, loaded at start: the
 * CC-CEDICT subset (seeds/cedict/cedict-terms.tsv, translations), the
 * reviewed synonym list (seeds/synonyms/synonyms.tsv) and the taxonomy's
 * zh/en names, all compiled in.  The files stay separate data in seeds/
 * (CC BY-SA 4.0 for CC-CEDICT, attributed in the README and SOURCES.md); a
 * missing file (when a folder is named) is a warning, and matching goes on
 * without it.
 */
#ifndef TM_EQUIVALENTS_H
#define TM_EQUIVALENTS_H
#include "thesaurus.h"

/*
 * Returns a new thesaurus of the shipped equivalences: the copies compiled
 * into the binary (src/embedded.h) when dir is NULL, else the files under dir
 * (dir/synonyms/synonyms.tsv, dir/cedict/cedict-terms.tsv).  NULL when out of
 * memory.  Free with mt_thesaurus_free once no index uses it.
 */
mt_thesaurus *equivalents_load(const char *dir);

#endif
