/*
 * fuzz_tokenizer.c: the matcher's tokenizer on any bytes (invalid UTF-8,
 * full-width forms, CJK runs, long words).
 *
 * Invariants: every token is 1 to MT_TOKEN_MAX bytes; its source offsets are
 * inside the text, in order, and start < end.
 */
#include "tokenizer.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    size_t size;
    size_t last_start;
} seen;

static int check_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    seen *s = ctx;
    volatile char touch = 0;
    if (len == 0 || len > MT_TOKEN_MAX || start >= end || end > s->size || start < s->last_start)
        abort();
    for (size_t i = 0; i < len; i++)
        touch ^= tok[i]; /* every byte readable (ASan checks) */
    (void)touch;
    s->last_start = start;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mt_tokenizer *t;
    seen s = { size, 0 };
    if (t == NULL && (t = mt_tokenizer_new()) == NULL)
        abort();
    if (mt_tokenize(t, (const char *)data, size, check_token, &s) != 0)
        abort();
    return 0;
}
