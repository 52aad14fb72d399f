/* json.c: pre-parse checks and builders over cJSON. */
#include "json.h"
#include "mem.h"
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
        snprintf(msg, msglen, "the request body is empty; a JSON document was expected");
        return TM_ERR_INVALID;
    }
    if (!mt_utf8_valid(text, len, &bad)) {
        snprintf(msg, msglen, "the body is not valid UTF-8 (byte %zu)", bad);
        return TM_ERR_INVALID;
    }
    if (nesting_depth(text, len) > max_depth) {
        snprintf(msg, msglen, "JSON nesting is deeper than %d levels", max_depth);
        return TM_ERR_INVALID;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root == NULL) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        snprintf(msg, msglen, "malformed JSON near byte %zu", at);
        return TM_ERR_INVALID;
    }
    /* Only whitespace may follow the document. */
    while (end && (size_t)(end - text) < len && *end != '\0' && strchr(" \t\r\n", *end) != NULL)
        end++;
    if (end && (size_t)(end - text) < len) {
        cJSON_Delete(root);
        snprintf(msg, msglen, "unexpected data after the JSON document at byte %zu", (size_t)(end - text));
        return TM_ERR_INVALID;
    }
    const char *dup = duplicate_member(root);
    if (dup) {
        snprintf(msg, msglen, "the member \"%.60s\" appears twice in one object", dup);
        cJSON_Delete(root);
        return TM_ERR_INVALID;
    }
    *out = root;
    return TM_OK;
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
