/*
 * mem.h: allocation that never returns NULL.
 *
 * In a long-running server, recovering from out-of-memory is futile, so these
 * wrappers print one line and abort.  Everything they return is freed with free().
 * Thread-safe.
 */
#ifndef TM_MEM_H
#define TM_MEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Copies a NUL-terminated string; NULL in gives NULL out. */
char *xstrdup(const char *s);
/* Copies n bytes and terminates them. */
char *xstrndup(const char *s, size_t n);

#endif
