/*
 * fields.c: how far two sets of taxonomy codes agree (the F of a score): the
 * deepest level of the code tree two codes share.
 */
#include "index_int.h"
#include <string.h>

/* ---------- fields ---------- */

static int ascii_code(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Levels of a hierarchical code: "B" 1, "B06" 2, "B061" 3, "B0610" 4. */
int ix_code_levels(size_t len)
{
    return len <= 1 ? 1 : len <= 3 ? 2 : (int)len - 1;
}

static size_t level_prefix(int level)
{
    return level <= 1 ? 1 : level == 2 ? 3 : (size_t)level + 1;
}

static double code_agreement(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1.0;
    if (!ascii_code(a) || !ascii_code(b))
        return 0.0; /* free-text field names agree only when equal */
    size_t la = strlen(a), lb = strlen(b);
    int da = ix_code_levels(la), db = ix_code_levels(lb);
    int deep = da > db ? da : db, shared = 0;
    for (int l = 1; l <= deep; l++) {
        size_t p = level_prefix(l);
        if (p > la || p > lb || strncmp(a, b, p) != 0)
            break;
        shared = l;
    }
    return (double)shared / deep;
}

double mt_field_agreement(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    double best = 0.0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            double x = code_agreement(a[i], b[j]);
            if (x > best)
                best = x;
        }
    return best;
}
