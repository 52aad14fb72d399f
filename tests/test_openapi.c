/* test_openapi.c: the served API description covers every route and passes an OpenAPI linter. */
#include "test.h"
#include "embedded.h"
#include "http.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void test_openapi_documents_every_route(void)
{
    cJSON *doc = cJSON_Parse(embedded_openapi_json);
    REQUIRE(doc != NULL);
    const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
    size_t documented = 0;
    for (size_t i = 0; i < http_routes_count; i++) {
        char method[16];
        size_t k = 0;
        for (; http_routes[i].method[k] && k < sizeof method - 1; k++)
            method[k] = (char)tolower((unsigned char)http_routes[i].method[k]);
        method[k] = '\0';
        const cJSON *op = cJSON_GetObjectItem(cJSON_GetObjectItem(paths, http_routes[i].pattern), method);
        if (op == NULL)
            test_fail(__FILE__, __LINE__, "%s %s is not in docs/openapi.json", http_routes[i].method,
                      http_routes[i].pattern);
        else
            documented++;
    }
    /* And nothing is documented that the server does not serve. */
    size_t ops = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, paths) {
        const cJSON *m;
        cJSON_ArrayForEach(m, p)
            ops += strcmp(m->string, "parameters") != 0;
    }
    CHECK_INT(ops, documented);
    cJSON_Delete(doc);
}

void test_openapi_served_document_lints_clean(void)
{
    test_server s;
    unlink(test_path("openapi.db"));
    REQUIRE(test_server_start(&s, test_path("openapi.db"), NULL) == 0);
    test_resp *r = test_http(&s, "GET", "/api/openapi.json", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "openapi"), "3.1.0");
    const char *file = test_path("openapi.json");
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    fwrite(r->body, 1, r->len, f);
    fclose(f);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);

    const char *argv[] = { "tests/node_modules/.bin/redocly", "lint", "--format", "stylish", file, NULL };
    char *out = NULL, *err = NULL;
    int rc = test_run(argv, NULL, &out, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "redocly lint failed (%d): %s %s", rc, out, err);
    CHECK_CONTAINS(err, "valid");
    free(out);
    free(err);
}
