/* json.c: pre-parse checks and builders over cJSON. */
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "messages.h"
#include "utf8.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns the deepest nesting of arrays and objects, ignoring brackets in strings. */
static int nesting_depth(const char *s, size_t len)
{
    int depth = 0, max = 0, in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
            if (depth > max)
                max = depth;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return max;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Returns a member name that appears twice in one object of the tree, or
 * NULL.  (cJSON keeps both; readers that look a name up would see the first
 * and readers that walk the members the last, so such a body means two things.)
 */
static const char *duplicate_member(const cJSON *item)
{
    size_t n = 0, i = 0;
    const cJSON *c;
    const char *dup = NULL;
    for (c = item->child; c; c = c->next) {
        n++;
        if ((dup = duplicate_member(c)) != NULL)
            return dup;
    }
    if (!cJSON_IsObject(item) || n < 2)
        return NULL;
    const char **names = xmalloc(n * sizeof *names);
    for (c = item->child; c; c = c->next)
        names[i++] = c->string;
    qsort(names, n, sizeof *names, compare_names);
    for (i = 1; i < n && dup == NULL; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            dup = names[i];
    free(names);
    return dup;
}

int json_parse_body(const char *text, size_t len, int max_depth, cJSON **out,
                    char *msg, size_t msglen)
{
    size_t bad = 0;
    const char *end = NULL;

    *out = NULL;
    if (len == 0) {
        snprintf(msg, msglen, N_("the request body is empty; a JSON document was expected"));
        return TM_ERR_INVALID;
    }
    if (!mt_utf8_valid(text, len, &bad)) {
        snprintf(msg, msglen, N_("the body is not valid UTF-8 (byte %zu)"), bad);
        return TM_ERR_INVALID;
    }
    if (nesting_depth(text, len) > max_depth) {
        snprintf(msg, msglen, N_("JSON nesting is deeper than %d levels"), max_depth);
        return TM_ERR_INVALID;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root == NULL) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        snprintf(msg, msglen, N_("malformed JSON near byte %zu"), at);
        return TM_ERR_INVALID;
    }
    /* Only whitespace may follow the document. */
    while (end && (size_t)(end - text) < len && *end != '\0' && strchr(" \t\r\n", *end) != NULL)
        end++;
    if (end && (size_t)(end - text) < len) {
        cJSON_Delete(root);
        snprintf(msg, msglen, N_("unexpected data after the JSON document at byte %zu"), (size_t)(end - text));
        return TM_ERR_INVALID;
    }
    const char *dup = duplicate_member(root);
    if (dup) {
        snprintf(msg, msglen, N_("the member \"%.60s\" appears twice in one object"), dup);
        cJSON_Delete(root);
        return TM_ERR_INVALID;
    }
    *out = root;
    return TM_OK;
}

/* A walk over a JSON text that names the first string holding U+0000 (json_find_nul). */
typedef struct nul_walk {
    const char *s;
    size_t len, i;
    char *path;
    size_t cap, plen;
} nul_walk;

static void path_add(nul_walk *w, const char *text, size_t n)
{
    while (n-- > 0 && w->plen + 1 < w->cap)
        w->path[w->plen++] = *text++;
    w->path[w->plen] = '\0';
}

static void path_cut(nul_walk *w, size_t plen)
{
    w->plen = plen;
    w->path[plen] = '\0';
}

static void skip_space(nul_walk *w)
{
    while (w->i < w->len && (w->s[w->i] == ' ' || w->s[w->i] == '\t' || w->s[w->i] == '\r' || w->s[w->i] == '\n'))
        w->i++;
}

/* Steps over the string at w->i; returns 1 if it holds U+0000.  A name is added to the path up to the NUL. */
static int walk_string(nul_walk *w, int is_name)
{
    int nul = 0;
    for (w->i++; w->i < w->len && w->s[w->i] != '"'; w->i += w->s[w->i] == '\\' ? 2 : 1) {
        const char *c = w->s + w->i;
        if (*c == '\0' || (*c == '\\' && w->len - w->i > 5 && memcmp(c + 1, "u0000", 5) == 0))
            nul = 1;
        if (is_name && !nul)
            path_add(w, c, *c == '\\' && w->len - w->i > 1 ? 2 : 1);
    }
    w->i++;
    return nul;
}

/* Steps over the value at w->i; returns 1 if a string in it holds U+0000 (w->path then names it). */
static int walk_value(nul_walk *w, int depth)
{
    skip_space(w);
    if (w->i >= w->len || depth > LIM_JSON_DEPTH)
        return 0;
    char open = w->s[w->i];
    if (open == '"')
        return walk_string(w, 0);
    if (open != '{' && open != '[') {
        while (w->i < w->len && strchr(",]} \t\r\n", w->s[w->i]) == NULL)
            w->i++;
        return 0;
    }
    size_t plen = w->plen, at = 0;
    for (w->i++;; at++) {
        skip_space(w);
        size_t before = w->i;
        if (w->i >= w->len || w->s[w->i] == (open == '{' ? '}' : ']'))
            break;
        if (open == '{') {
            if (w->s[w->i] != '"')
                return 0;
            if (plen > 0)
                path_add(w, ".", 1);
            if (walk_string(w, 1))
                return 1;
            skip_space(w);
            if (w->i < w->len && w->s[w->i] == ':')
                w->i++;
        } else {
            char index[32];
            path_add(w, index, (size_t)snprintf(index, sizeof index, "[%zu]", at));
        }
        if (walk_value(w, depth + 1))
            return 1;
        path_cut(w, plen);
        skip_space(w);
        if (w->i < w->len && w->s[w->i] == ',')
            w->i++;
        if (w->i == before)
            return 0; /* not JSON: stop rather than loop */
    }
    w->i++;
    return 0;
}

int json_find_nul(const char *text, size_t len, char *path, size_t pathlen)
{
    nul_walk w = { text, len, 0, path, pathlen, 0 };
    if (pathlen == 0)
        return 0;
    path[0] = '\0';
    /* Most texts hold no \u0000 and no NUL byte: say so without walking. */
    int any = 0;
    for (size_t k = 0; k < len && !any; k++) {
        if (text[k] == '\0') {
            any = 1;
        } else if (text[k] == '\\') {
            any = len - k > 5 && memcmp(text + k + 1, "u0000", 5) == 0;
            k++; /* the escaped character, so \\u0000 is text */
        }
    }
    return any && walk_value(&w, 0);
}

void json_error_add(cJSON *errors, const char *field, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cJSON *e = cJSON_CreateObject();
    json_add_string_or_null(e, "field", field);
    cJSON_AddStringToObject(e, "message", buf);
    cJSON_AddItemToArray(errors, e);
}

int json_reject_unknown(const cJSON *body, const char *const *allowed, cJSON *errors)
{
    char names[256] = "";
    size_t used = 0;
    int unknown = 0;
    for (size_t i = 0; allowed[i] && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", allowed[i]);
    const cJSON *object = cJSON_IsObject(body) ? body : NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, object) {
        size_t i = 0;
        while (allowed[i] && strcmp(m->string, allowed[i]) != 0)
            i++;
        if (allowed[i] == NULL) {
            json_error_add(errors, m->string, "is not a member of this request (%s)", names);
            unknown++;
        }
    }
    return unknown;
}

void json_add_string_or_null(cJSON *obj, const char *name, const char *value)
{
    if (value == NULL)
        cJSON_AddNullToObject(obj, name);
    else
        cJSON_AddStringToObject(obj, name, value);
}

void json_add_int(cJSON *obj, const char *name, int64_t value)
{
    cJSON_AddNumberToObject(obj, name, (double)value);
}

int json_get_int(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return 0;
    double d = item->valuedouble;
    if (min < -LIM_ID_MAX)
        min = -LIM_ID_MAX;
    if (max > LIM_ID_MAX)
        max = LIM_ID_MAX;
    if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max)
        return 0;
    *out = (int64_t)d;
    return 1;
}

char *json_print(const cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    if (s == NULL)
        s = xstrdup("null");
    return s;
}

void json_add_id_or_null(cJSON *obj, const char *name, int64_t id)
{
    if (id > 0)
        json_add_int(obj, name, id);
    else
        cJSON_AddNullToObject(obj, name);
}
