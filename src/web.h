/*
 * web.h: the browser UI's files (web/, compiled into the binary), served by
 * techmatch itself at every GET path that is not an API route.
 */
#ifndef TM_WEB_H
#define TM_WEB_H
#include <stddef.h>

/*
 * Finds the file for a request path ("/" is /index.html; the app's pages live
 * in the location hash).  Returns 1 and fills body, len and content type (all
 * static), or 0 (not found: the caller answers 404).
 */
int web_find(const char *path, const char **body, size_t *len, const char **type);

#endif
