/*
 * test_web_modules.c: the browser UI's ES modules as the server hands them to a
 * browser.  Starting at /app.js and following every static import, each module is
 * served as JavaScript and none turns text into HTML; every .js file of web/ is
 * reached; and the closed vocabularies' codes are listed in vocab.js, nowhere else.
 */
#include "test.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODULES 64

/* The modules found so far, in the order found; path[i] and body[i] are malloc'd (body NULL until fetched). */
typedef struct module_set {
    char *path[MAX_MODULES];
    char *body[MAX_MODULES];
    size_t n;
} module_set;

/* Returns the index of path in set, or -1. */
static int module_index(const module_set *set, const char *path)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->path[i], path) == 0)
            return (int)i;
    return -1;
}

/* Adds path to set unless it is there already (or set is full, which fails the test). */
static void module_add(module_set *set, const char *path)
{
    if (module_index(set, path) >= 0)
        return;
    if (set->n == MAX_MODULES) {
        test_fail(__FILE__, __LINE__, "more than %d modules", MAX_MODULES);
        return;
    }
    set->path[set->n++] = strdup(path);
}

/* Adds to set each same-origin module body imports (from './NAME.js' or "./NAME.js"), as "/NAME.js". */
static void module_add_imports(module_set *set, const char *body)
{
    for (const char *p = strstr(body, "from "); p != NULL; p = strstr(p, "from ")) {
        p += 5;
        char quote = *p;
        if (quote != '\'' && quote != '"')
            continue;
        p++;
        size_t n = strcspn(p, quote == '\'' ? "'\n" : "\"\n");
        if (n > 2 && n < 200 && strncmp(p, "./", 2) == 0) {
            char path[256];
            snprintf(path, sizeof path, "/%.*s", (int)(n - 2), p + 2);
            module_add(set, path);
        } else {
            test_fail(__FILE__, __LINE__, "an import not relative to its module (./...): %.*s", (int)n, p);
        }
        p += n;
    }
}

/* Fetches module i of set from s, checks how it is served, and queues its imports. */
static void module_fetch(const test_server *s, module_set *set, size_t i)
{
    test_resp *r = test_http(s, "GET", set->path[i], NULL, NULL, NULL, 0);
    const char *type = test_resp_header(r, "Content-Type");
    if (r->status != 200 || r->body == NULL || type == NULL || strncmp(type, "text/javascript", 15) != 0) {
        test_fail(__FILE__, __LINE__, "%s is imported but served as %ld %s", set->path[i], r->status,
                  type ? type : "(no type)");
        test_resp_free(r);
        return;
    }
    /* User text is always set as text, in every module. */
    static const char *const html_sinks[] = { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", NULL };
    for (size_t k = 0; html_sinks[k]; k++)
        if (strstr(r->body, html_sinks[k]) != NULL)
            test_fail(__FILE__, __LINE__, "%s uses %s", set->path[i], html_sinks[k]);
    set->body[i] = strdup(r->body);
    module_add_imports(set, r->body);
    test_resp_free(r);
}

/* Returns 1 if path names a JavaScript file. */
static int is_js(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".js") == 0;
}

void test_web_modules_are_served_imported_and_list_codes_once(void)
{
    test_server s;
    module_set set = { 0 };
    unlink(test_path("modules.db"));
    REQUIRE(test_server_start(&s, test_path("modules.db"), NULL) == 0);
    module_add(&set, "/app.js");
    for (size_t i = 0; i < set.n; i++) /* set grows as imports are found */
        module_fetch(&s, &set, i);
    CHECK(set.n >= 4); /* app.js, ui.js, i18n.js, vocab.js at least */
    CHECK(module_index(&set, "/vocab.js") >= 0);
    /* Tests run from the top of the tree, as the browser test does (tests/browser/...). */
    DIR *web = opendir("web");
    CHECK(web != NULL);
    for (struct dirent *e = web ? readdir(web) : NULL; e != NULL; e = readdir(web)) {
        char path[300];
        snprintf(path, sizeof path, "/%s", e->d_name);
        if (is_js(path) && module_index(&set, path) < 0)
            test_fail(__FILE__, __LINE__, "web%s is not reached from /app.js (not imported, or not served)", path);
    }
    if (web != NULL)
        closedir(web);
    /*
     * Codes of each closed vocabulary (reasons, statuses, transfer modes, IP types,
     * delivery modes, stream events) that no page needs to name alone: only vocab.js
     * may list them (it may also take them from the server and list none).
     */
    static const char *const codes[] = { "'too_early_stage'", "'commercial_route_unclear'", "'withdrawn'",
                                         "'joint_development'", "'invention_patent'", "'digest'",
                                         "'match.pushed'", NULL };
    for (size_t c = 0; codes[c]; c++)
        for (size_t i = 0; i < set.n; i++)
            if (set.body[i] && strcmp(set.path[i], "/vocab.js") != 0 && strstr(set.body[i], codes[c]) != NULL)
                test_fail(__FILE__, __LINE__, "%s lists the code %s (only vocab.js may)", set.path[i], codes[c]);
    for (size_t i = 0; i < set.n; i++) {
        free(set.path[i]);
        free(set.body[i]);
    }
    CHECK_INT(test_server_stop(&s), 0);
}
