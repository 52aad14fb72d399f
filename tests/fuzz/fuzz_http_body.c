/*
 * fuzz_http_body.c: every request body the API takes, through the real
 * server: its JSON parsing and each route's validation (listings, accounts,
 * decisions, policy, subscription, webhooks, bulk, proposals) and the CSV
 * and JSON Lines imports.
 *
 * Input: byte 0 picks the route, byte 1 the id in its path (1 to 6) and, for
 * the imports, the format; the rest is the body.  A finding is a crash, a
 * sanitizer report, a 500, or no answer (see fuzz_server.h).
 */
#include "fuzz_server.h"
#include <stdio.h>
#include <string.h>

typedef struct body_route {
    const char *method;
    const char *path;       /* %d: the id */
    fuzz_role role;
} body_route;

static const body_route routes[] = {
    { "POST", "/api/auth/register", FUZZ_ANON },
    { "POST", "/api/auth/login", FUZZ_ANON },
    { "POST", "/api/users", FUZZ_ADMIN },
    { "POST", "/api/demands", FUZZ_ENTERPRISE },
    { "PATCH", "/api/demands/%d", FUZZ_ENTERPRISE },
    { "POST", "/api/achievements", FUZZ_UNIVERSITY },
    { "PATCH", "/api/achievements/%d", FUZZ_UNIVERSITY },
    { "POST", "/api/proposals", FUZZ_UNIVERSITY },
    { "POST", "/api/matches/bulk", FUZZ_BROKER },
    { "POST", "/api/matches/%d/reject", FUZZ_BROKER },
    { "POST", "/api/matches/%d/declined", FUZZ_ENTERPRISE },
    { "POST", "/api/matches/%d/deal", FUZZ_BROKER },
    { "POST", "/api/matches/%d/close", FUZZ_BROKER },
    { "POST", "/api/matches/%d/assign", FUZZ_BROKER },
    { "POST", "/api/matches/%d/notes", FUZZ_BROKER },
    { "PUT", "/api/policy", FUZZ_ADMIN },
    { "PUT", "/api/subscription", FUZZ_ENTERPRISE },
    { "POST", "/api/webhooks", FUZZ_ENTERPRISE },
    { "POST", "/api/demands/import", FUZZ_ENTERPRISE },
    { "POST", "/api/achievements/import", FUZZ_UNIVERSITY },
};
#define NROUTES (sizeof routes / sizeof routes[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    if (size < 2)
        return 0;
    fuzz_server_start();
    const body_route *rt = &routes[data[0] % NROUTES];
    int import = strstr(rt->path, "/import") != NULL;
    snprintf(path, sizeof path, rt->path, 1 + data[1] % 6);
    const char *type = !import ? "application/json" : (data[1] & 0x80) ? "application/x-ndjson" : "text/csv";
    fuzz_request(rt->method, path, strlen(path), rt->role, type, NULL, data + 2, size - 2);
    return 0;
}
