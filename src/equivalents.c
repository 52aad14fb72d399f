/*
 * equivalents.c: loads the shipped equivalences into one thesaurus (see
 * equivalents.h): synonyms first, so that their spelling folds apply to the
 * dictionary's phrases, then the taxonomy's names, then CC-CEDICT.
 */
#include "equivalents.h"
#include "cli.h"
#include "embedded.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Adds the pairs of dir/rel, or of the compiled-in copy when dir is NULL; a
 * missing file is logged and skipped.  Returns MT_OK or MT_ERR_NOMEM.
 */
static int load_file(mt_thesaurus *th, const char *dir, const char *rel, const char *embedded, mt_equiv_kind kind,
                     int split)
{
    char path[4096];
    size_t len = 0, added = 0;
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "(built in)", rel);
    char *text = dir ? cli_read_file(path, &len) : NULL;
    if (dir != NULL && text == NULL) {
        log_warn("matcher: %s not found; matching goes on without its %s", path,
                 kind == MT_EQUIV_TRANSLATION ? "translations" : "synonyms");
        return MT_OK;
    }
    int rc = dir ? mt_thesaurus_add_tsv(th, text, len, kind, split, &added)
                 : mt_thesaurus_add_tsv(th, embedded, strlen(embedded), kind, split, &added);
    free(text);
    log_info("matcher: %zu %s from %s", added, kind == MT_EQUIV_TRANSLATION ? "translations" : "synonyms", path);
    return rc;
}

/* The taxonomy's name_zh <-> name_en (columns 4 and 5 of the compiled-in TSV). */
static int load_taxonomy(mt_thesaurus *th)
{
    const char *s = embedded_taxonomy_tsv;
    int rc = MT_OK;
    s = strchr(s, '\n'); /* the header line */
    while (s != NULL && *++s && rc == MT_OK) {
        const char *end = strchr(s, '\n'), *col[6] = { s };
        size_t n = 1;
        if (end == NULL)
            end = s + strlen(s);
        for (const char *c = s; c < end && n < 6; c++)
            if (*c == '\t')
                col[n++] = c + 1;
        if (n >= 5) {
            const char *zh_end = col[4] - 1, *en_end = n > 5 ? col[5] - 1 : end;
            char zh[256], en[256];
            snprintf(zh, sizeof zh, "%.*s", (int)(zh_end - col[3]), col[3]);
            snprintf(en, sizeof en, "%.*s", (int)(en_end - col[4]), col[4]);
            rc = mt_thesaurus_add(th, zh, en, MT_EQUIV_TRANSLATION);
        }
        s = *end ? end : NULL;
    }
    return rc;
}

mt_thesaurus *equivalents_load(const char *dir)
{
    mt_thesaurus *th = mt_thesaurus_new();
    if (th == NULL)
        return NULL;
    int rc = load_file(th, dir, "synonyms/synonyms.tsv", embedded_synonyms_tsv, MT_EQUIV_SYNONYM, 0);
    if (rc == MT_OK)
        rc = load_taxonomy(th);
    if (rc == MT_OK)
        rc = load_file(th, dir, "cedict/cedict-terms.tsv", embedded_cedict_tsv, MT_EQUIV_TRANSLATION, 1);
    if (rc != MT_OK) {
        mt_thesaurus_free(th);
        return NULL;
    }
    return th;
}
