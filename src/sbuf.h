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
    char *buf;   /* NUL-terminated; never NULL after sbuf_init */
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
/* Returns the heap string and leaves b empty but usable. */
char *sbuf_take(sbuf *b);

#endif
