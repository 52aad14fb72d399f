/*
 * test_api_input.c: input the server must refuse rather than change silently:
 * strings holding U+0000 (which cJSON would cut at the NUL) in bodies and
 * import rows, a request target holding %00, integers beyond the range of an
 * id, and a query with too many parameters.  Each case checks the status, the
 * problem+json naming the member, and that nothing was stored.  Targets that
 * curl would rewrite go over a raw socket.
 */
#include "api_world.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Whether r is a problem+json with this status whose errors name field (NULL: any or none). */
static int refused(const test_resp *r, long status, const char *field)
{
    const char *ct = test_resp_header(r, "Content-Type");
    if (r->status != status || ct == NULL || strncmp(ct, "application/problem+json", 24) != 0)
        return 0;
    return field == NULL || test_problem_names(r, field);
}

#define CHECK_REFUSED(resp, want, field)                                                                     \
    do {                                                                                                   \
        if (!refused((resp), (want), (field)))                                                             \
            test_fail(__FILE__, __LINE__, "expected %d naming %s, got %ld %s", (want),                     \
                      (field) ? (field) : "-", (resp)->status, (resp)->body ? (resp)->body : "");          \
    } while (0)

/*
 * Sends the bytes of req on a new connection to port and returns the reply
 * read until the server closes it or 5 s pass (malloc'd; "" when none came).
 */
static char *raw_exchange(int port, const char *req, size_t len)
{
    char *out = calloc(1, 65537);
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || write(fd, req, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        return out;
    }
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (got < 65536 && poll(&p, 1, 5000) > 0) {
        ssize_t n = read(fd, out + got, 65536 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return out;
}

/* Whether a raw reply has this status and a problem+json body. */
static int raw_refused(const char *reply, int status)
{
    char line[32];
    snprintf(line, sizeof line, "HTTP/1.1 %d ", status);
    return strncmp(reply, line, strlen(line)) == 0 && strstr(reply, "application/problem+json") != NULL &&
           strstr(reply, "\"status\":") != NULL;
}

static int count_rows(const world *w, const char *sql)
{
    return test_sqlite_int(w->srv.db, sql);
}

/* A demand whose title (or other member) is given as raw JSON text. */
static test_resp *post_demand(world *w, const char *members)
{
    char body[1024];
    snprintf(body, sizeof body, "{%s,\"fields\":[\"B06\"]}", members);
    return test_json(&w->srv, "POST", "/api/demands", w->tok[R_ENT], body);
}

void test_api_input_nul_in_json_strings_is_refused(void)
{
    world w;
    if (world_setup(&w, "input_nul.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    int demands = world_count_mine(&w, "demands", R_ENT);
    int users = count_rows(&w, "SELECT count(*) FROM users");
    int orgs = count_rows(&w, "SELECT count(*) FROM orgs");

    /* A title, a list item, a member's name and a nested value, each holding \u0000. */
    test_resp *r = post_demand(&w, "\"title\":\"Coal washing\\u0000 (hidden tail)\"");
    CHECK_REFUSED(r, 400, "title");
    test_resp_free(r);
    r = post_demand(&w, "\"title\":\"Coal washing\",\"keywords\":[\"coal\",\"wash\\u0000ing\"]");
    CHECK_REFUSED(r, 400, "keywords[1]");
    test_resp_free(r);
    r = post_demand(&w, "\"title\":\"Coal washing\",\"region\\u0000x\":\"贵州\"");
    CHECK_REFUSED(r, 400, "region");
    test_resp_free(r);
    /* A raw NUL byte inside a string is refused too. */
    static const char raw_nul[] = "{\"title\":\"Coal\0washing\",\"fields\":[\"B06\"]}";
    r = test_http(&w.srv, "POST", "/api/demands", w.tok[R_ENT], JSON, raw_nul, sizeof raw_nul - 1);
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), demands);

    /* Registration: an organisation's name, and a password that would be cut to its first 10 characters. */
    r = test_json(&w.srv, "POST", "/api/auth/register", NULL,
                  "{\"org_name\":\"Nul\\u0000 Mining\",\"org_kind\":\"enterprise\",\"email\":\"nul1@example.com\","
                  "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}");
    CHECK_REFUSED(r, 400, "org_name");
    test_resp_free(r);
    r = test_json(&w.srv, "POST", "/api/auth/register", NULL,
                  "{\"org_name\":\"Nul Mining\",\"org_kind\":\"enterprise\",\"email\":\"nul2@example.com\","
                  "\"password\":\"abcdefghij\\u0000 and the rest\",\"display_name\":\"x\"}");
    CHECK_REFUSED(r, 400, "password");
    test_resp_free(r);
    CHECK_INT(count_rows(&w, "SELECT count(*) FROM users"), users);
    CHECK_INT(count_rows(&w, "SELECT count(*) FROM orgs"), orgs);

    /* An escaped backslash before u0000 is text, not a NUL: stored as sent. */
    long id = world_create(&w.srv, "/api/demands", w.tok[R_ENT],
                           "{\"title\":\"Path C:\\\\u0000 kept\",\"fields\":[\"B06\"]}");
    CHECK(id > 0);
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", id);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "title"), "Path C:\\u0000 kept");
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_input_nul_in_import_rows_is_a_row_error(void)
{
    world w;
    if (world_setup(&w, "input_import.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    int demands = world_count_mine(&w, "demands", R_ENT);
    const char *jsonl = "{\"ref\":\"N1\",\"title\":\"Slag reuse\"}\n"
                        "{\"ref\":\"N2\",\"title\":\"Slag\\u0000 reuse\"}\n";
    test_resp *r = world_import(&w, R_ENT, "demands", "application/x-ndjson", jsonl, strlen(jsonl));
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 1);
    CHECK_INT(test_jnum(r->json, "failed"), 1);
    const cJSON *bad = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "rows"), 1);
    CHECK_INT(test_jnum(bad, "line"), 2);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(bad, "errors"), 0);
    CHECK(e != NULL && test_jstr(e, "field") && strcmp(test_jstr(e, "field"), "title") == 0);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), demands + 1);

    /* In CSV a NUL byte makes its record an error naming the line. */
    static const char csv[] = "ref,title\nC1,Slag\0 reuse\nC2,Fly ash bricks\n";
    r = world_import(&w, R_ENT, "demands", "text/csv", csv, sizeof csv - 1);
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 1);
    CHECK_INT(test_jnum(r->json, "failed"), 1);
    CHECK_INT(test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "rows"), 0), "line"), 2);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), demands + 2);
    world_teardown(&w);
}

void test_api_input_target_with_nul_is_refused(void)
{
    world w;
    if (world_setup(&w, "input_target.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const char *const targets[] = { "/healthz%00", "/healthz%00.html", "/api/demands?q=coal%00x",
                                           "/api/demands%00/1" };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        char req[256];
        int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", targets[i]);
        char *reply = raw_exchange(w.srv.port, req, (size_t)n);
        if (!raw_refused(reply, 400))
            test_fail(__FILE__, __LINE__, "GET %s: expected 400 problem+json, got %.60s", targets[i], reply);
        free(reply);
    }
    /* A percent-encoded percent sign followed by 00 is text. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?q=50%2500", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_input_integers_beyond_an_id_are_refused(void)
{
    world w;
    if (world_setup(&w, "input_ids.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long achievement = world_matching_achievement(&w, 1);
    long match = world_match_id(&w, "suggested", w.demand_id, achievement);
    if (match <= 0) {
        test_fail(__FILE__, __LINE__, "no suggested match to work on");
        world_teardown(&w);
        return;
    }
    /* 2^63 - 1 reads as 2^63, which no int64_t holds; 2^53 + 1 reads as 2^53; 1e300 is no id at all. */
    static const char *const huge[] = { "9223372036854775807", "9007199254740993", "9007199254740992", "1e300",
                                        "-9223372036854775808" };
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"action\":\"approve\",\"ids\":[%ld,%s]}", match, huge[i]);
        test_resp *r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER], body);
        CHECK_REFUSED(r, 400, "ids");
        test_resp_free(r);
        snprintf(body, sizeof body, "{\"demand_id\":%s,\"achievement_id\":%ld,\"statement\":\"ready\"}", huge[i],
                 w.achievement_id);
        r = test_json(&w.srv, "POST", "/api/proposals", w.tok[R_UNI], body);
        CHECK_REFUSED(r, 400, "demand_id");
        test_resp_free(r);
        snprintf(body, sizeof body, "{\"broker_id\":%s}", huge[i]);
        char path[64];
        snprintf(path, sizeof path, "/api/matches/%ld/assign", match);
        r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], body);
        CHECK_REFUSED(r, 400, "broker_id");
        test_resp_free(r);
    }
    /* Nothing moved: the match is still suggested and unassigned. */
    CHECK_INT(world_match_id(&w, "suggested", w.demand_id, achievement), match);
    CHECK_INT(count_rows(&w, "SELECT count(*) FROM matches WHERE assigned_to IS NOT NULL"), 0);
    /* The largest id a JSON number holds exactly is an id (of no match here). */
    test_resp *r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER],
                             "{\"action\":\"approve\",\"ids\":[9007199254740991]}");
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "results"), 0), "result"), "not_found");
    test_resp_free(r);
    world_teardown(&w);
}

/* GET /api/demands with n parameters a0=1&a1=1...; returns the raw reply (malloc'd). */
static char *get_with_params(int port, int n)
{
    size_t cap = (size_t)n * 12 + 128;
    char *req = malloc(cap);
    size_t o = (size_t)snprintf(req, cap, "GET /api/demands?limit=5");
    for (int i = 1; i < n; i++)
        o += (size_t)snprintf(req + o, cap - o, "&a%d=1", i);
    o += (size_t)snprintf(req + o, cap - o, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    char *reply = raw_exchange(port, req, o);
    free(req);
    return reply;
}

void test_api_input_too_many_query_parameters_is_414(void)
{
    world w;
    if (world_setup(&w, "input_query.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char *reply = get_with_params(w.srv.port, 1000);
    if (!raw_refused(reply, 414))
        test_fail(__FILE__, __LINE__, "1,000 parameters: expected 414 problem+json, got %.60s", reply);
    free(reply);
    reply = get_with_params(w.srv.port, 65);
    CHECK(raw_refused(reply, 414));
    free(reply);
    reply = get_with_params(w.srv.port, 64);
    CHECK(strncmp(reply, "HTTP/1.1 200 ", 13) == 0);
    free(reply);
    /* The server goes on serving. */
    test_resp *r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}
