/*
 * sbuf.h: a growable, always NUL-terminated string builder.
 *
 * The caller owns the sbuf storage (sbuf_init / sbuf_cleanup); the bytes are
 * heap memory that sbuf_take hands over (free() them).  Not thread-safe: one
 * builder, one thread.
 */
#ifndef TM_SBUF_H
#define TM_SBUF_H
#include <stddef.h>

typedef struct sbuf {
    char *buf;   /* NUL-terminated; NULL only after sbuf_take, until the next add */
    size_t len;  /* bytes before the terminator */
    size_t cap;
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_cleanup(sbuf *b);
void sbuf_add(sbuf *b, const char *s, size_t n);
void sbuf_adds(sbuf *b, const char *s);
void sbuf_addc(sbuf *b, char c);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(sbuf *b);
/* Returns the heap string (free() it) and leaves b empty; b needs no cleanup then. */
char *sbuf_take(sbuf *b);

#endif
