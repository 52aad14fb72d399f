/* corpus.c: the synthetic text of the benchmarks (see corpus.h). */
#include "corpus.h"
#include "mem.h"
#include "sbuf.h"
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static char **zh, **en;
static int nvocab;
static unsigned rng = 88172645u;

unsigned corpus_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

void corpus_reseed(unsigned seed)
{
    rng = seed ? seed : 88172645u;
}

static double unit(void)
{
    return (double)(corpus_rand() % 1000000) / 1000000.0;
}

void corpus_init(int vocab, unsigned seed)
{
    static const char *const syl[] = { "pro", "con", "tion", "ma", "ter", "al", "sen", "sor", "hy", "dra", "lic",
                                       "gen", "er", "ate", "cat", "lyst", "ther", "mal", "flu", "id", "dy", "nam",
                                       "ic", "op", "ti", "cal", "mag", "net", "ion", "bat", "y", "cell", "poly",
                                       "mer", "fib", "re", "com", "pos", "ite", "mo", "tor", "dri", "ve", "se" };
    size_t nsyl = sizeof syl / sizeof syl[0];
    corpus_reseed(seed);
    nvocab = vocab;
    zh = xcalloc((size_t)vocab, sizeof *zh);
    en = xcalloc((size_t)vocab, sizeof *en);
    for (int i = 0; i < vocab; i++) {
        sbuf a, b;
        sbuf_init(&a);
        sbuf_init(&b);
        int len = 2 + (int)(corpus_rand() % 3);
        for (int k = 0; k < len; k++) {
            double u = unit();
            uint32_t cp = 0x4E00 + (uint32_t)(3500.0 * u * u);
            char enc[3] = { (char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)) };
            sbuf_add(&a, enc, 3);
            sbuf_adds(&b, syl[corpus_rand() % nsyl]);
        }
        zh[i] = sbuf_take(&a);
        en[i] = sbuf_take(&b);
    }
}

void corpus_free(void)
{
    for (int i = 0; i < nvocab; i++) {
        free(zh[i]);
        free(en[i]);
    }
    free(zh);
    free(en);
    zh = en = NULL;
    nvocab = 0;
}

const char *corpus_word(int english)
{
    double u = unit();
    size_t r = (size_t)((double)nvocab * u * u * u);
    if (r >= (size_t)nvocab)
        r = (size_t)nvocab - 1;
    return english ? en[r] : zh[r];
}

char *corpus_words(int english, int n)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < n; i++) {
        if (english && i)
            sbuf_addc(&b, ' ');
        sbuf_adds(&b, corpus_word(english));
        if (!english && i % 7 == 6)
            sbuf_adds(&b, "，");
    }
    return sbuf_take(&b);
}

const char *corpus_field(void)
{
    static const char *const codes[] = { "B06", "B07", "C26", "C27", "C15", "C13", "C35", "C34", "C30",
                                         "C32", "C39", "I64", "I65", "A01", "A04", "M73", "N77", "D44" };
    return codes[corpus_rand() % 18];
}

double corpus_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void corpus_percentiles(double *v, size_t n, double *p50, double *p99)
{
    qsort(v, n, sizeof *v, cmp_double);
    *p50 = v[n / 2];
    *p99 = v[n * 99 / 100];
}
