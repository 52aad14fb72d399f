/*
 * xl_demo.c: the demo seeds indexed as the service indexes them (see
 * xl_demo.h): listings read with cJSON, achievements in one index with the
 * shipped equivalences, demands ranked against it.
 */
#include "xl_demo.h"
#include "cli.h"
#include "equivalents.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XL_MAX 512
#define XL_KW 32

typedef struct rec {
    char *ref;
    int achievement;
    cJSON *obj;
} rec;

struct xl_demo {
    rec r[XL_MAX];
    size_t n;
    mt_index *ix;
    mt_thesaurus *th;
    mt_tokenizer *t;
    mt_hit hits[XL_MAX];
    size_t nhits;
    /* the mt_doc of xl_demo_doc */
    mt_doc doc;
    const char *kw[XL_KW], *fields[XL_KW];
};

static const char *str_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t list_of(const cJSON *o, const char *name, const char **out)
{
    size_t n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, name))
        if (cJSON_IsString(v) && n < XL_KW)
            out[n++] = v->valuestring;
    return n;
}

static void fill_doc(xl_demo *d, const rec *r)
{
    d->doc.title = str_of(r->obj, "title");
    d->doc.body = str_of(r->obj, r->achievement ? "abstract" : "description");
    d->doc.nkeywords = list_of(r->obj, "keywords", d->kw);
    d->doc.keywords = d->kw;
    d->doc.nfields = list_of(r->obj, "fields", d->fields);
    d->doc.fields = d->fields;
}

static int read_jsonl(xl_demo *d, const char *path, int achievement)
{
    size_t len = 0;
    char *text = cli_read_file(path, &len);
    if (text == NULL)
        return -1;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        cJSON *o = *line ? cJSON_Parse(line) : NULL;
        if (o && str_of(o, "ref") && d->n < XL_MAX)
            d->r[d->n++] = (rec){ (char *)str_of(o, "ref"), achievement, o };
        else
            cJSON_Delete(o);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return 0;
}

static int read_manifest(xl_demo *d, const char *seeds_dir)
{
    char path[1024];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/demo/manifest.tsv", seeds_dir);
    char *text = cli_read_file(path, &len);
    if (text == NULL)
        return -1;
    int rc = 0;
    for (char *line = text; line && *line && rc == 0;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = '\0';
            char file[1024];
            snprintf(file, sizeof file, "%s/demo/%s", seeds_dir, line);
            rc = read_jsonl(d, file, strncmp(tab + 1, "achievements", 12) == 0);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return rc;
}

xl_demo *xl_demo_open(const char *seeds_dir, const mt_params *p, int with_thesaurus)
{
    xl_demo *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->t = mt_tokenizer_new();
    d->ix = mt_index_new(p);
    d->th = with_thesaurus ? equivalents_load(seeds_dir) : NULL;
    if (!d->t || !d->ix || (with_thesaurus && !d->th) || read_manifest(d, seeds_dir) != 0) {
        xl_demo_free(d);
        return NULL;
    }
    mt_index_set_thesaurus(d->ix, d->th);
    mt_index_bulk(d->ix);
    for (size_t i = 0; i < d->n; i++) {
        if (!d->r[i].achievement)
            continue;
        fill_doc(d, &d->r[i]);
        if (mt_index_add(d->ix, d->t, (int64_t)i, &d->doc) != MT_OK) {
            xl_demo_free(d);
            return NULL;
        }
    }
    if (mt_index_finalize(d->ix) != MT_OK) {
        xl_demo_free(d);
        return NULL;
    }
    return d;
}

void xl_demo_free(xl_demo *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        cJSON_Delete(d->r[i].obj);
    mt_index_free(d->ix);
    mt_thesaurus_free(d->th);
    mt_tokenizer_free(d->t);
    free(d);
}

static long find_ref(const xl_demo *d, const char *ref)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->r[i].ref, ref) == 0)
            return (long)i;
    return -1;
}

int xl_demo_rank(xl_demo *d, const char *demand_ref, const char *want, size_t k, const mt_params *p)
{
    long q = find_ref(d, demand_ref), w = find_ref(d, want);
    d->nhits = 0;
    if (q < 0 || w < 0 || k > XL_MAX)
        return -1;
    fill_doc(d, &d->r[q]);
    mt_query *mq = NULL;
    if (mt_query_prepare(d->ix, d->t, &d->doc, p, &mq) != MT_OK ||
        mt_query_topk(d->ix, mq, k, d->hits, &d->nhits) != MT_OK) {
        mt_query_free(mq);
        return -1;
    }
    mt_query_free(mq);
    for (size_t i = 0; i < d->nhits; i++)
        if (d->hits[i].id == w)
            return (int)i + 1;
    return 0;
}

const char *xl_demo_ranked(const xl_demo *d, size_t r)
{
    return r >= 1 && r <= d->nhits ? d->r[d->hits[r - 1].id].ref : NULL;
}

const mt_index *xl_demo_index(const xl_demo *d)
{
    return d->ix;
}

mt_tokenizer *xl_demo_tokenizer(const xl_demo *d)
{
    return d->t;
}

const mt_doc *xl_demo_doc(xl_demo *d, const char *ref)
{
    long i = find_ref(d, ref);
    if (i < 0)
        return NULL;
    fill_doc(d, &d->r[i]);
    return &d->doc;
}
