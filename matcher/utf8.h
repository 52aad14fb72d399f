/*
 * utf8.h: UTF-8 decoding that never reads past the end and never crashes on
 * invalid bytes.  Pure functions, thread-safe.
 */
#ifndef MT_UTF8_H
#define MT_UTF8_H
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one code point from s[0..len).  Returns the number of bytes consumed
 * (1..4) and stores the code point in *cp.  An invalid or truncated sequence
 * (overlong forms, surrogates, > U+10FFFF included) consumes 1 byte and stores
 * MT_UTF8_INVALID.  len must be > 0.
 */
#define MT_UTF8_INVALID 0xFFFFFFFFu
size_t mt_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Encodes cp into out (4 bytes of room); returns the bytes written. */
size_t mt_utf8_encode(uint32_t cp, char *out);

/*
 * Checks that s[0..len) is valid UTF-8 with no NUL byte.  Returns 1 if valid;
 * otherwise 0 and, if bad_at is not NULL, the offset of the first bad byte.
 */
int mt_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* Counts code points of valid UTF-8 (invalid bytes count one each). */
size_t mt_utf8_length(const char *s, size_t len);

#endif
