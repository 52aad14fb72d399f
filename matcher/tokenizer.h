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
 *    ("GB/T", "TCP/IP") stay inside the word, so such tokens stay usable;
 *  - runs of CJK characters become overlapping character bigrams, one position
 *    each; a run of one character stays a unigram;
 *  - a token is at most MT_TOKEN_MAX bytes (longer words are cut at a character
 *    boundary).
 *
 * Thread-safety: an mt_tokenizer holds a Snowball stemmer, which is not
 * thread-safe; use one tokenizer per thread (they are cheap).
 */
#ifndef MT_TOKENIZER_H
#define MT_TOKENIZER_H
#include <stddef.h>

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

/* Returns 1 if the lower-case ASCII word w[0..len) is an English stop word. */
int mt_is_stopword(const char *w, size_t len);

#endif
