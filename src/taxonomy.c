/* taxonomy.c: an array of fields kept sorted by code for lookup. */
#include "taxonomy.h"
#include "mem.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct taxonomy {
    tax_field *fields;   /* insertion order */
    size_t n, cap;
    size_t *by_code;     /* indexes into fields, sorted by code */
};

taxonomy *taxonomy_new(void)
{
    return xcalloc(1, sizeof(taxonomy));
}

void taxonomy_free(taxonomy *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free((char *)t->fields[i].code);
        free((char *)t->fields[i].parent);
        free((char *)t->fields[i].name_zh);
        free((char *)t->fields[i].name_en);
    }
    free(t->fields);
    free(t->by_code);
    free(t);
}

int taxonomy_code_syntax_ok(const char *s)
{
    if (s == NULL || s[0] < 'A' || s[0] > 'Z')
        return 0;
    size_t n = strlen(s);
    if (n > 16)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Binary search; returns the position where code is or would be inserted. */
static size_t lower_bound(const taxonomy *t, const char *code, int *found)
{
    size_t lo = 0, hi = t->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->fields[t->by_code[mid]].code, code);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const tax_field *taxonomy_find(const taxonomy *t, const char *code)
{
    int found;
    if (t == NULL || code == NULL || t->n == 0)
        return NULL;
    size_t pos = lower_bound(t, code, &found);
    return found ? &t->fields[t->by_code[pos]] : NULL;
}

int taxonomy_add(taxonomy *t, const tax_field *f)
{
    int found;
    if (!taxonomy_code_syntax_ok(f->code) || f->level < 1 || f->level > 4)
        return TM_ERR_INVALID;
    if (f->parent != NULL && f->parent[0] != '\0' && taxonomy_find(t, f->parent) == NULL)
        return TM_ERR_INVALID;
    size_t pos = lower_bound(t, f->code, &found);
    if (found)
        return TM_ERR_INVALID;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 128;
        t->fields = xrealloc(t->fields, t->cap * sizeof *t->fields);
        t->by_code = xrealloc(t->by_code, t->cap * sizeof *t->by_code);
    }
    tax_field *dst = &t->fields[t->n];
    dst->code = xstrdup(f->code);
    dst->parent = (f->parent && f->parent[0]) ? xstrdup(f->parent) : NULL;
    dst->level = f->level;
    dst->name_zh = xstrdup(f->name_zh ? f->name_zh : "");
    dst->name_en = xstrdup(f->name_en ? f->name_en : "");
    memmove(&t->by_code[pos + 1], &t->by_code[pos], (t->n - pos) * sizeof *t->by_code);
    t->by_code[pos] = t->n;
    t->n++;
    return TM_OK;
}

size_t taxonomy_count(const taxonomy *t)
{
    return t ? t->n : 0;
}

const tax_field *taxonomy_at(const taxonomy *t, size_t i)
{
    return i < t->n ? &t->fields[i] : NULL;
}

/* Splits line in place at tabs into at most max columns; returns the count. */
static size_t split_tabs(char *line, char **cols, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        cols[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

int taxonomy_parse_tsv(const char *tsv, taxonomy **out, char *msg, size_t msglen)
{
    taxonomy *t = taxonomy_new();
    char *copy = xstrdup(tsv);
    char *line = copy;
    int rc = TM_OK;
    size_t lineno = 0;

    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (lineno > 1 && line[0] != '\0') {
            char *cols[8];
            size_t n = split_tabs(line, cols, 8);
            int64_t level = 0;
            int level_ok = n >= 3 && parse_int64(cols[2], INT32_MIN, INT32_MAX, &level) == TM_OK;
            tax_field f = { cols[0], n >= 2 ? cols[1] : NULL, (int)level,
                            n >= 4 ? cols[3] : NULL, n >= 5 ? cols[4] : NULL };
            if (n < 5 || !level_ok || taxonomy_add(t, &f) != TM_OK) {
                snprintf(msg, msglen, "taxonomy line %zu is malformed (code, parent, level, name_zh, name_en)", lineno);
                rc = TM_ERR_INVALID;
                break;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (rc != TM_OK) {
        taxonomy_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}
