/*
 * parse.c: checked number and time-shape parsing (see parse.h), the only file that calls
 * strtoll and strtod directly.
 */
#include "parse.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether the number strtod would read at p is plain decimal (not hex, inf or nan). */
static int plain_decimal(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '0' && (p[1] == 'x' || p[1] == 'X'))
        return 0;
    return isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
}

int parse_int64_prefix(const char *text, int64_t lo, int64_t hi, int64_t *out, const char **end)
{
    char *stop = NULL;
    if (text == NULL)
        return TM_ERR_INVALID;
    errno = 0;
    long long v = strtoll(text, &stop, 10);
    if (stop == text || errno == ERANGE || v < lo || v > hi)
        return TM_ERR_INVALID;
    *out = (int64_t)v;
    *end = stop;
    return TM_OK;
}

int parse_int64(const char *text, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v = 0;
    const char *end = NULL;
    if (parse_int64_prefix(text, lo, hi, &v, &end) != TM_OK || *end != '\0')
        return TM_ERR_INVALID;
    *out = v;
    return TM_OK;
}

int parse_hex_prefix(const char *text, uint64_t max, uint64_t *out, const char **end)
{
    char *stop = NULL;
    if (text == NULL || !isxdigit((unsigned char)*text))
        return TM_ERR_INVALID;
    errno = 0;
    unsigned long long v = strtoull(text, &stop, 16);
    if (stop == text || errno == ERANGE || v > max)
        return TM_ERR_INVALID;
    *out = (uint64_t)v;
    *end = stop;
    return TM_OK;
}

int parse_double_prefix(const char *text, double lo, double hi, double *out, const char **end)
{
    char *stop = NULL;
    if (text == NULL || !plain_decimal(text))
        return TM_ERR_INVALID;
    errno = 0;
    double v = strtod(text, &stop);
    if (stop == text || errno == ERANGE || !isfinite(v) || !(v >= lo && v <= hi))
        return TM_ERR_INVALID;
    *out = v;
    *end = stop;
    return TM_OK;
}

int parse_double(const char *text, double lo, double hi, double *out)
{
    double v = 0;
    const char *end = NULL;
    if (parse_double_prefix(text, lo, hi, &v, &end) != TM_OK || *end != '\0')
        return TM_ERR_INVALID;
    *out = v;
    return TM_OK;
}

int parse_rfc3339(const char *text)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i]; i++) {
        char c = text[i];
        if (shape[i] == 'd' ? !(c >= '0' && c <= '9') : c != shape[i] && !(shape[i] == 'T' && c == 't'))
            return TM_ERR_INVALID;
    }
    if (text[i] == '.') {
        size_t from = ++i;
        while (text[i] >= '0' && text[i] <= '9')
            i++;
        if (i == from)
            return TM_ERR_INVALID;
    }
    if ((text[i] == 'Z' || text[i] == 'z') && text[i + 1] == '\0')
        return TM_OK;
    if (text[i] != '+' && text[i] != '-')
        return TM_ERR_INVALID;
    const char *z = text + i + 1;
    int ok = strlen(z) == 5 && z[0] >= '0' && z[0] <= '2' && z[1] >= '0' && z[1] <= '9' && z[2] == ':' &&
             z[3] >= '0' && z[3] <= '5' && z[4] >= '0' && z[4] <= '9';
    return ok ? TM_OK : TM_ERR_INVALID;
}
