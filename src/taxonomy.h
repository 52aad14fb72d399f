/*
 * taxonomy.h: the field taxonomy (default GB/T 4754-2017 sections and
 * divisions), held in memory for validation and for the /api/fields tree.
 *
 * A taxonomy is built once (parsed from TSV or loaded by the store) and then
 * only read, so concurrent readers need no lock.  Codes are ASCII: a section
 * letter, then two digits per finer level ("B", "B06").
 */
#ifndef TM_TAXONOMY_H
#define TM_TAXONOMY_H
#include "err.h"
#include <stddef.h>

typedef struct tax_field {
    const char *code;
    const char *parent;   /* NULL for a section */
    int level;            /* 1 = section, 2 = division, ... */
    const char *name_zh;
    const char *name_en;
} tax_field;

typedef struct taxonomy taxonomy;

taxonomy *taxonomy_new(void);
void taxonomy_free(taxonomy *t);

/*
 * Adds a field (the strings are copied).  Fields must come parents first.
 * Returns TM_ERR_INVALID if the code is malformed, already present, or its
 * parent is unknown.
 */
TM_MUST_CHECK int taxonomy_add(taxonomy *t, const tax_field *f);

/*
 * Parses the TSV format of seeds/fields/ (header line, then
 * code, parent, level, name_zh, name_en[, ...]).  Returns a new taxonomy in
 * *out, or TM_ERR_INVALID with the failing line number in msg.
 */
TM_MUST_CHECK int taxonomy_parse_tsv(const char *tsv, taxonomy **out, char *msg, size_t msglen);

/* Returns the field with this exact code, or NULL.  Borrowed pointer. */
const tax_field *taxonomy_find(const taxonomy *t, const char *code);

size_t taxonomy_count(const taxonomy *t);
/* Fields in insertion order (parents before children). Borrowed pointer. */
const tax_field *taxonomy_at(const taxonomy *t, size_t i);

/* Returns 1 if s looks like a code or code prefix: an upper-case letter then digits. */
int taxonomy_code_syntax_ok(const char *s);

#endif
