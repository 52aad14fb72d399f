/*
 * embedded.h: files compiled into the binary (build/gen/embedded.c), so that one
 * binary carries its schema, its default taxonomy, its equivalences (CC-CEDICT
 * subset, synonyms), its API description and its browser UI.
 */
#ifndef TM_EMBEDDED_H
#define TM_EMBEDDED_H

struct embedded_migration {
    const char *name; /* file name, e.g. "001_core.sql"; NULL ends the table */
    const char *sql;
};

/* In the order they apply; version N is the N-th entry. */
extern const struct embedded_migration embedded_migrations[];
/* seeds/fields/gbt4754-2017.tsv, header line included. */
extern const char embedded_taxonomy_tsv[];
/* seeds/cedict/cedict-terms.tsv (CC-CEDICT, CC BY-SA 4.0: see seeds/cedict/SOURCES.md), header included. */
extern const char embedded_cedict_tsv[];
/* seeds/synonyms/synonyms.tsv. */
extern const char embedded_synonyms_tsv[];
/* docs/openapi.json. */
extern const char embedded_openapi_json[];

struct embedded_file {
    const char *path;   /* "/index.html", "/app.js", ...; NULL ends the table */
    const char *body;
    unsigned long len;
};

/* The browser UI: every file of web/. */
extern const struct embedded_file embedded_web[];

#endif
