/*
 * rank.c: `techmatch rank`, the rank contract of DESIGN.md: build the indexes
 * in memory from two JSON Lines files (no database), rank achievements for
 * every demand, print a TREC run on standard output.
 */
#include "cli.h"
#include "embedded.h"
#include "equivalents.h"
#include "index.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "parse.h"
#include "taxonomy.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rank_usage[] =
    "usage: techmatch rank --achievements A.jsonl --demands D.jsonl [--top K]\n"
    "\n"
    "Ranks the achievements for every demand and prints a TREC run on standard output:\n"
    "  demand_id Q0 achievement_id rank score techmatch\n"
    "best first, at most K lines a demand (default 100).  Each input line is a JSON object:\n"
    "achievements {id, title, abstract, keywords, fields}, demands {id, title, description,\n"
    "keywords, fields}; any member may be empty, others are ignored.  Bad lines, and field\n"
    "codes that are not in the GB/T 4754-2017 taxonomy, are reported on standard error with\n"
    "their line number and skipped.\n";

/* One listing read from a file, as plain strings the matcher takes. */
typedef struct item {
    char *id;
    char *title, *body;
    char **keywords;
    size_t nkeywords;
    char **fields;
    size_t nfields;
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static void items_free(items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        free(x->id);
        free(x->title);
        free(x->body);
        for (size_t k = 0; k < x->nkeywords; k++)
            free(x->keywords[k]);
        free(x->keywords);
        for (size_t k = 0; k < x->nfields; k++)
            free(x->fields[k]);
        free(x->fields);
    }
    free(it->v);
}

static char *string_or_empty(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

/* Field codes already warned about, so that each unknown code is reported once. */
typedef struct warned {
    char **codes;
    size_t n;
} warned;

static int warn_once(warned *w, const char *code)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->codes[i], code) == 0)
            return 0;
    w->codes = xrealloc(w->codes, (w->n + 1) * sizeof *w->codes);
    w->codes[w->n++] = xstrdup(code);
    return 1;
}

static warned unknown_codes;

/* Copies the strings of an array member; warns (once a code) about field codes the taxonomy lacks. */
static char **string_list(const cJSON *obj, const char *name, size_t *n, const taxonomy *tax,
                          const char *file, size_t line)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, name);
    const cJSON *v;
    char **out = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *out);
    *n = 0;
    cJSON_ArrayForEach(v, a) {
        if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
            continue;
        if (tax && taxonomy_find(tax, v->valuestring) == NULL) {
            if (warn_once(&unknown_codes, v->valuestring))
                fprintf(stderr, "%s:%zu: field code '%s' is not in the taxonomy; skipped (here and below)\n",
                        file, line, v->valuestring);
            continue;
        }
        out[(*n)++] = xstrdup(v->valuestring);
    }
    return out;
}

/* Reads a JSON Lines file; bad lines go to stderr with their number. Returns -1 if unreadable. */
static int read_items(const char *file, const char *body_member, const taxonomy *tax, items *out)
{
    FILE *f = fopen(file, "rb");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    if (f == NULL) {
        fprintf(stderr, "techmatch rank: cannot read %s\n", file);
        return -1;
    }
    memset(out, 0, sizeof *out);
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        cJSON *obj = NULL;
        char msg[200];
        if (json_parse_body(line, (size_t)len, LIM_JSON_DEPTH, &obj, msg, sizeof msg) != TM_OK) {
            fprintf(stderr, "%s:%zu: %s; skipped\n", file, lineno, msg);
            continue;
        }
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
        char idbuf[32];
        if (!cJSON_IsObject(obj) || (!cJSON_IsString(id) && !cJSON_IsNumber(id))) {
            fprintf(stderr, "%s:%zu: not a JSON object with an id; skipped\n", file, lineno);
            cJSON_Delete(obj);
            continue;
        }
        if (cJSON_IsNumber(id))
            snprintf(idbuf, sizeof idbuf, "%.0f", id->valuedouble);
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 1024;
            out->v = xrealloc(out->v, out->cap * sizeof *out->v);
        }
        item *x = &out->v[out->n++];
        x->id = xstrdup(cJSON_IsString(id) ? id->valuestring : idbuf);
        x->title = string_or_empty(obj, "title");
        x->body = string_or_empty(obj, body_member);
        x->keywords = string_list(obj, "keywords", &x->nkeywords, NULL, file, lineno);
        x->fields = string_list(obj, "fields", &x->nfields, tax, file, lineno);
        cJSON_Delete(obj);
    }
    free(line);
    fclose(f);
    return 0;
}

static mt_doc as_doc(const item *x)
{
    mt_doc d = { x->title, x->body, (const char *const *)x->keywords, x->nkeywords,
                 (const char *const *)x->fields, x->nfields };
    return d;
}

int cli_rank(int argc, char **argv)
{
    static const struct option opts[] = {
        { "achievements", required_argument, NULL, 'a' },
        { "demands", required_argument, NULL, 'd' },
        { "top", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *afile = NULL, *dfile = NULL;
    int64_t top = 100;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'a': afile = optarg; break;
        case 'd': dfile = optarg; break;
        case 'k':
            if (parse_int64(optarg, 1, 100000, &top) != TM_OK) {
                fprintf(stderr, "techmatch rank: --top must be 1 to 100000\n");
                return 2;
            }
            break;
        case 'h': fputs(rank_usage, stdout); return 0;
        default: fputs(rank_usage, stderr); return 2;
        }
    }
    if (optind != argc || afile == NULL || dfile == NULL) {
        fputs(rank_usage, stderr);
        return 2;
    }
    taxonomy *tax = NULL;
    char msg[200];
    if (taxonomy_parse_tsv(embedded_taxonomy_tsv, &tax, msg, sizeof msg) != TM_OK)
        return 1;
    items achievements, demands;
    if (read_items(afile, "abstract", tax, &achievements) != 0) {
        taxonomy_free(tax);
        return 1;
    }
    if (read_items(dfile, "description", tax, &demands) != 0) {
        items_free(&achievements);
        taxonomy_free(tax);
        return 1;
    }
    int status = 1;
    mt_tokenizer *t = mt_tokenizer_new();
    mt_params p;
    mt_params_default(&p); /* the service's ranking (matching.c uses the same defaults) */
    if (top > p.rerank_n)
        p.rerank_n = (int)top; /* the second stage re-scores as many as are asked for */
    mt_index *ix = mt_index_new(&p);
    mt_thesaurus *th = equivalents_load(NULL); /* the service's equivalences (matching.c loads the same) */
    if (ix)
        mt_index_set_thesaurus(ix, th);
    mt_hit *hits = xcalloc((size_t)top, sizeof *hits);
    if (t == NULL || ix == NULL)
        goto out;
    mt_index_bulk(ix);
    for (size_t i = 0; i < achievements.n; i++) {
        mt_doc d = as_doc(&achievements.v[i]);
        if (mt_index_add(ix, t, (int64_t)i, &d) != MT_OK)
            goto out;
    }
    if (mt_index_finalize(ix) != MT_OK)
        goto out;
    for (size_t q = 0; q < demands.n; q++) {
        mt_doc d = as_doc(&demands.v[q]);
        size_t n = 0;
        if (mt_index_query(ix, t, &d, (size_t)top, hits, &n) != MT_OK)
            goto out;
        for (size_t r = 0; r < n; r++)
            printf("%s Q0 %s %zu %.6f techmatch\n", demands.v[q].id, achievements.v[hits[r].id].id, r + 1,
                   hits[r].score);
    }
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    free(hits);
    mt_index_free(ix);
    mt_thesaurus_free(th);
    mt_tokenizer_free(t);
    items_free(&achievements);
    items_free(&demands);
    taxonomy_free(tax);
    for (size_t i = 0; i < unknown_codes.n; i++)
        free(unknown_codes.codes[i]);
    free(unknown_codes.codes);
    memset(&unknown_codes, 0, sizeof unknown_codes);
    return status;
}
