/*
 * tokenizer.h: the one tokenizer of techmatch, used for the matcher's indexes,
 * its queries and the listing search (registered with SQLite FTS5 by the store).
 *
 * Rules:
 *  - input is UTF-8; invalid bytes are separators, never a crash;
 *  - full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space fold to ASCII;
 *  - Latin text is lower-cased and split into words; English stop words and
 *    one-character words are dropped; purely alphabetic words are stemmed with
 *    Snowball (English); a '.' between digits ("PM2.5") and a '/' between capitals
 *    ("GB/T", "TCP/IP") stay inside the word, so such tokens stay usable; a ','
 *    before a group of three digits is a thousands separator ("1,000" is 1000);
 *  - runs of CJK characters become overlapping character bigrams, one position
 *    each; a run of one character stays a unigram;
 *  - the matcher's rules (the default) also leave out bare numbers ("150"),
 *    Chinese comparison filler bigrams (小于, 不低, 以上) and one-character
 *    units (秒); the listing search keeps them (mt_tokenizer_set_search);
 *  - a token is at most MT_TOKEN_MAX bytes (longer words are cut at a character
 *    boundary).
 *
 * Thread-safety: an mt_tokenizer holds a Snowball stemmer, which is not
 * thread-safe; use one tokenizer per thread (they are cheap).
 */
#ifndef MT_TOKENIZER_H
#define MT_TOKENIZER_H
#include <stddef.h>
#include <stdint.h>

#define MT_TOKEN_MAX 64

typedef struct mt_tokenizer mt_tokenizer;

/* Returns a new tokenizer, or NULL if the stemmer cannot be created. Free with mt_tokenizer_free. */
mt_tokenizer *mt_tokenizer_new(void);
void mt_tokenizer_free(mt_tokenizer *t);

/*
 * Called once per token, in text order.  tok[0..len) is the normalised token
 * (not NUL-terminated, valid only during the call); start and end are the byte
 * offsets of the original text it came from.  Return 0 to go on, anything else
 * to stop: mt_tokenize then returns that value.
 */
typedef int (*mt_token_fn)(void *ctx, const char *tok, size_t len, size_t start, size_t end);

/* Tokenizes text[0..len).  Returns 0, or the first non-zero value fn returned. */
int mt_tokenize(mt_tokenizer *t, const char *text, size_t len, mt_token_fn fn, void *ctx);

/*
 * The listing search keeps more tokens than the matcher: with search set,
 * numbers, one-character units and Chinese comparison filler stay tokens (a
 * user may look up "18650" or "不低于"); without (the default: the matcher's
 * rules) they are left out, since they say how much, not what, and a term
 * that scores must be one an explanation can show.  English stop words are
 * dropped either way.
 */
void mt_tokenizer_set_search(mt_tokenizer *t, int search);

/* Returns 1 if the code point is one the tokenizer cuts into bigrams (Han, kana, Hangul). */
int mt_is_cjk(uint32_t cp);

/* Returns 1 if the lower-case ASCII word w[0..len) is an English stop word. */
int mt_is_stopword(const char *w, size_t len);

/* Returns 1 if w[0..len) is a number: digits with '.' or ',' between them ("150", "2.5", "1,000"). */
int mt_is_number(const char *w, size_t len);

/* Returns 1 if the CJK bigram w[0..len) is comparison filler the matcher leaves out (小于, 不低, 以上 ...). */
int mt_is_filler_bigram(const char *w, size_t len);

/* Returns 1 if the one CJK character w[0..len) is a unit or function character (秒, 吨, 的, 和 ...). */
int mt_is_stop_char(const char *w, size_t len);

#endif
