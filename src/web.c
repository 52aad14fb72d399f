/* web.c: the embedded browser UI (see web.h). */
#include "web.h"
#include "embedded.h"
#include <string.h>

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return "application/octet-stream";
}

static const struct embedded_file *lookup(const char *path)
{
    for (const struct embedded_file *f = embedded_web; f->path; f++)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}

int web_find(const char *path, const char **body, size_t *len, const char **type)
{
    /* The app's pages are in the location hash (#/review), so "/" is the only page path. */
    const struct embedded_file *f = lookup(strcmp(path, "/") == 0 ? "/index.html" : path);
    if (f == NULL)
        return 0;
    *body = f->body;
    *len = f->len;
    *type = type_of(f->path);
    return 1;
}
