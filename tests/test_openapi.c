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

/* Runs the conformance script on one synthetic exchange log; returns its exit status and output. */
static int conform_file(const char *name, const char *lines, char **out)
{
    const char *file = test_path(name);
    FILE *f = fopen(file, "w");
    if (f == NULL)
        return -1;
    fputs(lines, f);
    fclose(f);
    const char *argv[] = { "/usr/bin/env", "node", "tests/openapi_conform.mjs", "docs/openapi.json", file, NULL };
    return test_run(argv, NULL, out, NULL);
}

/*
 * The validator fails on drift: a status, a content type, a member or a header
 * the document does not declare, and a webhook message of an unknown shape, are
 * each reported with the test that caused it; conforming exchanges are not.
 */
void test_openapi_conformance_reports_drift(void)
{
    static const char *const good =
        "{\"test\":\"t_good\",\"method\":\"GET\",\"path\":\"/api/meta?x=1\",\"status\":401,"
        "\"content_type\":\"application/problem+json\",\"headers\":{\"www-authenticate\":\"Bearer\"},"
        "\"body\":\"{\\\"type\\\":\\\"about:blank\\\",\\\"title\\\":\\\"Unauthorized\\\",\\\"status\\\":401}\","
        "\"length\":60,\"complete\":true}\n"
        "{\"test\":\"t_good\",\"method\":\"GET\",\"path\":\"/api/nowhere\",\"status\":404,"
        "\"content_type\":\"application/problem+json\",\"headers\":{},"
        "\"body\":\"{\\\"type\\\":\\\"about:blank\\\",\\\"title\\\":\\\"Not Found\\\",\\\"status\\\":404}\","
        "\"length\":60,\"complete\":true}\n"
        "{\"test\":\"t_good\",\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"content_type\":\"text/html\","
        "\"headers\":{},\"body\":\"<html>\",\"length\":6,\"complete\":true}\n";
    char *out = NULL;
    int rc = conform_file("conform_good.jsonl", good, &out);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "conforming exchanges were refused (%d): %s", rc, out);
    CHECK_CONTAINS(out, "3 exchanges, 2 checked, 1 outside the API, 0 violations");
    free(out);

    static const struct { const char *line, *says; } drift[] = {
        /* a status getMe does not declare */
        { "{\"test\":\"t_status\",\"method\":\"GET\",\"path\":\"/api/me\",\"status\":418,\"content_type\":null,"
          "\"headers\":{},\"body\":\"\",\"length\":0,\"complete\":true}",
          "t_status: GET /api/me -> getMe: status 418 is not declared" },
        /* a member Me does not declare */
        { "{\"test\":\"t_member\",\"method\":\"GET\",\"path\":\"/api/healthz\",\"status\":404,"
          "\"content_type\":\"application/problem+json\",\"headers\":{},"
          "\"body\":\"{\\\"type\\\":\\\"about:blank\\\",\\\"title\\\":\\\"Not Found\\\",\\\"status\\\":404,"
          "\\\"stack\\\":\\\"x\\\"}\",\"length\":80,\"complete\":true}",
          "t_member: GET /api/healthz -> no operation: 404 body must NOT have unevaluated properties (stack)" },
        /* a content type the 200 of getMeta does not declare */
        { "{\"test\":\"t_type\",\"method\":\"GET\",\"path\":\"/api/meta\",\"status\":200,"
          "\"content_type\":\"text/html\",\"headers\":{},\"body\":\"<p>\",\"length\":3,\"complete\":true}",
          "t_type: GET /api/meta -> getMeta: 200 with content type text/html" },
        /* a 401 without the header the document requires */
        { "{\"test\":\"t_header\",\"method\":\"GET\",\"path\":\"/api/demands?org=me\",\"status\":401,"
          "\"content_type\":\"application/problem+json\",\"headers\":{},"
          "\"body\":\"{\\\"type\\\":\\\"about:blank\\\",\\\"title\\\":\\\"Unauthorized\\\",\\\"status\\\":401}\","
          "\"length\":60,\"complete\":true}",
          "t_header: GET /api/demands?org=me -> listDemands: 401 lacks the required header WWW-Authenticate" },
        /* a stream event whose data is not an Event */
        { "{\"test\":\"t_stream\",\"method\":\"GET\",\"path\":\"/api/stream\",\"status\":200,"
          "\"content_type\":\"text/event-stream\",\"headers\":{},\"body\":\"retry: 2000\\n\\nid: 7\\n"
          "event: match.lost\\ndata: {\\\"type\\\":\\\"match.lost\\\"}\\n\\n: keep\",\"length\":70,"
          "\"complete\":false}",
          "t_stream: GET /api/stream -> streamNotifications: event /type must be equal to constant" },
        /* a webhook message of a type the document does not list */
        { "{\"webhook\":true,\"test\":\"t_hook\",\"headers\":{\"webhook-id\":\"msg_1\",\"webhook-timestamp\":\"1\","
          "\"webhook-signature\":\"v1,AA==\"},\"body\":\"{\\\"type\\\":\\\"match.lost\\\",\\\"timestamp\\\":"
          "\\\"2026-01-01T00:00:00Z\\\",\\\"data\\\":{}}\"}",
          "t_hook: webhook message -> webhook message: type \"match.lost\" is not in the document's webhooks" },
    };
    for (size_t i = 0; i < sizeof drift / sizeof drift[0]; i++) {
        char lines[2048];
        snprintf(lines, sizeof lines, "%s%s\n", good, drift[i].line);
        rc = conform_file("conform_drift.jsonl", lines, &out);
        if (rc != 1 || strstr(out, drift[i].says) == NULL)
            test_fail(__FILE__, __LINE__, "case %zu: exit %d, expected \"%s\" in:\n%s", i, rc, drift[i].says, out);
        CHECK(strstr(out, "t_good") == NULL);
        free(out);
    }
}

/*
 * Every response the tests before this one received from a server they
 * started (test_http_ex records them; raw-socket tests, the browser and the
 * SSE client are not recorded) conforms to docs/openapi.json, and so does
 * every webhook message the tests' receivers got.  Registered last.
 */
void test_openapi_every_response_the_tests_received_conforms(void)
{
    char *report = NULL;
    int rc = test_conform(NULL, &report);
    if (rc == -1) {
        printf("    (no exchanges were recorded: no API test ran before this one)\n");
        return;
    }
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "responses break docs/openapi.json (%d):\n%s", rc, report ? report : "");
    else
        printf("    %s", report ? report : "");
    free(report);
}
