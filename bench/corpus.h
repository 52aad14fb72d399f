/*
 * corpus.h: the deterministic synthetic text every benchmark draws from.
 *
 * Words come with a skewed (Zipf-like) distribution from a vocabulary of
 * Chinese words of 2-4 characters (over 3,500 characters, themselves skewed,
 * so bigrams are as sparse as in real text) and English words of 2-4
 * syllables.  The same seed gives the same text.  Not thread-safe.
 */
#ifndef TM_BENCH_CORPUS_H
#define TM_BENCH_CORPUS_H
#include <stddef.h>

/* Builds the vocabulary (vocab words of each language) and seeds the stream. */
void corpus_init(int vocab, unsigned seed);
void corpus_free(void);
/* Restarts the random stream: the same calls then give the same text again. */
void corpus_reseed(unsigned seed);
unsigned corpus_rand(void);
/* One word (borrowed). */
const char *corpus_word(int english);
/* n words: English joined by spaces, Chinese run together with a comma every 7 (malloc'd). */
char *corpus_words(int english, int n);
/* A GB/T 4754 division code from a fixed list of 18 (borrowed). */
const char *corpus_field(void);

/* Wall-clock seconds (monotonic). */
double corpus_now(void);
/* Sorts v and gives its 50th and 99th percentiles. */
void corpus_percentiles(double *v, size_t n, double *p50, double *p99);

#endif
