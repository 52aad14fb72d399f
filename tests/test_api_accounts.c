/*
 * test_api_accounts.c: accounts over HTTP: registration, login, the session
 * token (expiry, forgeries, never stored in clear), the login rate limit and
 * staff added by an admin.
 */
#include "api_world.h"
#include "limits.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---------- accounts ---------- */

void test_api_register_login_me_logout(void)
{
    test_server s;
    unlink(test_path("accounts.db"));
    REQUIRE(test_server_start(&s, test_path("accounts.db"), NULL) == 0);
    test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL,
                             "{\"org_name\":\"湄潭翠芽茶业\",\"org_kind\":\"enterprise\",\"email\":\"Tea@Example.com\","
                             "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"茶叶张\"}");
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "role"), "enterprise");
    CHECK(cJSON_GetObjectItem(r->json, "password") == NULL);
    test_resp_free(r);

    /* Emails are matched without regard to case. */
    r = test_json(&s, "POST", "/api/auth/login", NULL,
                  "{\"email\":\"tea@example.com\",\"password\":\"" TEST_PASSWORD "\"}");
    CHECK_INT(r->status, 200);
    const char *tok = test_jstr(r->json, "token");
    REQUIRE(tok != NULL);
    char *token = strdup(tok);
    CHECK(strlen(token) >= 43); /* 256 bits, base64url */
    CHECK(test_jstr(r->json, "expires_at") != NULL);
    test_resp_free(r);

    r = test_http(&s, "GET", "/api/me", token, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "display_name"), "茶叶张");
    CHECK_STR(test_jstr(cJSON_GetObjectItem(r->json, "org"), "name"), "湄潭翠芽茶业");
    test_resp_free(r);

    r = test_http(&s, "POST", "/api/auth/logout", token, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/me", token, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    CHECK(test_resp_header(r, "WWW-Authenticate") != NULL);
    test_resp_free(r);

    r = test_json(&s, "POST", "/api/auth/login", NULL,
                  "{\"email\":\"tea@example.com\",\"password\":\"wrong password\"}");
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    r = test_json(&s, "POST", "/api/auth/login", NULL,
                  "{\"email\":\"nobody@example.com\",\"password\":\"wrong password\"}");
    CHECK_INT(r->status, 401);
    test_resp_free(r);

    /* Only the hash of a token is stored: the token text is nowhere in the database. */
    char *log = test_server_log(&s);
    CHECK(strstr(log, token) == NULL);
    CHECK(strstr(log, TEST_PASSWORD) == NULL);
    free(log);
    CHECK_INT(test_server_stop(&s), 0);
    FILE *f = fopen(s.db, "rb");
    REQUIRE(f != NULL);
    sbuf all;
    sbuf_init(&all);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sbuf_add(&all, buf, n);
    fclose(f);
    CHECK(memmem(all.buf, all.len, token, strlen(token)) == NULL);
    CHECK(memmem(all.buf, all.len, TEST_PASSWORD, strlen(TEST_PASSWORD)) == NULL);
    sbuf_cleanup(&all);
    free(token);
}

void test_api_register_rejects_bad_input(void)
{
    static const struct { const char *body; const char *field; } cases[] = {
        { "{\"org_kind\":\"enterprise\",\"email\":\"a@example.com\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_name" },
        { "{\"org_name\":\"A\",\"org_kind\":\"broker\",\"email\":\"a@example.com\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_kind" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"not-an-email\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "email" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\","
          "\"password\":\"short\",\"display_name\":\"x\"}", "password" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"\"}", "display_name" },
        { "{\"org_name\":\"A\",\"org_kind\":\"enterprise\",\"email\":\"a@example.com\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"admin\"}", "role" },
        { "{\"org_name\":7,\"org_kind\":\"enterprise\",\"email\":\"a@example.com\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}", "org_name" },
    };
    test_server s;
    unlink(test_path("register.db"));
    REQUIRE(test_server_start(&s, test_path("register.db"), NULL) == 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL, cases[i].body);
        CHECK_INT(r->status, 400);
        if (!test_problem_names(r, cases[i].field))
            test_fail(__FILE__, __LINE__, "case %zu: no error names %s: %s", i, cases[i].field, r->body);
        test_resp_free(r);
    }
    char *t = test_signup(&s, "Dup Co", "enterprise", "dup@example.com");
    CHECK(t != NULL);
    free(t);
    test_resp *r = test_json(&s, "POST", "/api/auth/register", NULL,
                             "{\"org_name\":\"Dup Co 2\",\"org_kind\":\"university\",\"email\":\"DUP@example.com\","
                             "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}");
    CHECK_INT(r->status, 409);
    CHECK_CONTAINS(r->body, "email");
    test_resp_free(r);
    r = test_json(&s, "POST", "/api/auth/register", NULL,
                  "{\"org_name\":\"Dup Co\",\"org_kind\":\"enterprise\",\"email\":\"dup2@example.com\","
                  "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\"}");
    CHECK_INT(r->status, 409);
    CHECK_CONTAINS(r->body, "org_name");
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_tokens_expire_and_forgeries_fail(void)
{
    static const char *const extra[] = { "--session-ttl", "3", NULL };
    test_server s;
    unlink(test_path("expiry.db"));
    REQUIRE(test_server_start(&s, test_path("expiry.db"), extra) == 0);
    char *tok = test_signup(&s, "Short Lived Co", "enterprise", "short@example.com");
    REQUIRE(tok != NULL);
    test_resp *r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    sleep(4);
    r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    CHECK_CONTAINS(r->body, "expired");
    test_resp_free(r);
    /* A well-formed token that was never issued, a malformed one, and a bad scheme. */
    static const char *const forged[] = {
        "tm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "tm_'; DROP TABLE sessions;--", "garbage",
    };
    for (size_t i = 0; i < 3; i++) {
        r = test_http(&s, "GET", "/api/demands", forged[i], NULL, NULL, 0);
        CHECK_INT(r->status, 401);
        test_resp_free(r);
    }
    r = test_http(&s, "GET", "/api/me", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    free(tok);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_login_is_rate_limited(void)
{
    test_server s;
    unlink(test_path("ratelimit.db"));
    REQUIRE(test_server_start(&s, test_path("ratelimit.db"), NULL) == 0);
    char *tok = test_signup(&s, "Limited Co", "enterprise", "limited@example.com");
    free(tok);
    /* Per account: failures in a row delay the next attempt, even for the right password (never a lock:
       tests/test_api_login_flood.c). */
    struct timespec last_failure, answered;
    for (int i = 0; i < LIM_LOGIN_FREE_FAILS; i++) {
        clock_gettime(CLOCK_MONOTONIC, &last_failure);
        test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                                 "{\"email\":\"limited@example.com\",\"password\":\"not the password\"}");
        CHECK_INT(r->status, 401);
        test_resp_free(r);
    }
    test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"LIMITED@example.com\",\"password\":\"" TEST_PASSWORD "\"}");
    clock_gettime(CLOCK_MONOTONIC, &answered);
    /* The server counted the last failure after it was sent, so if less than the 1 s delay passed between that
       send and this answer, the delay must hold; on a machine slow enough to take longer, it may have passed. */
    long elapsed_ms = (answered.tv_sec - last_failure.tv_sec) * 1000 +
                      (answered.tv_nsec - last_failure.tv_nsec) / 1000000;
    if (r->status != 429 && elapsed_ms < 1000)
        test_fail(__FILE__, __LINE__, "the right password %ld ms after 3 failures got %ld, not 429", elapsed_ms,
                  r->status);
    if (r->status == 429)
        CHECK(test_resp_header(r, "Retry-After") != NULL);
    test_resp_free(r);
    /* Per address: failures spread over many accounts lock the client address too. */
    int limited = 0;
    for (int i = 0; i < 20 && !limited; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"email\":\"guess%d@example.com\",\"password\":\"not the password\"}", i);
        r = test_json(&s, "POST", "/api/auth/login", NULL, body);
        limited = r->status == 429;
        test_resp_free(r);
    }
    CHECK(limited);
    CHECK_INT(test_server_stop(&s), 0);
}


void test_api_admin_adds_brokers(void)
{
    world w;
    if (world_setup(&w, "staff.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    test_resp *r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN],
                             "{\"email\":\"new-broker@example.org\",\"password\":\"" TEST_PASSWORD "\","
                             "\"display_name\":\"王经纪\",\"role\":\"broker\"}");
    CHECK_INT(r->status, 201);
    CHECK(strcmp(test_jstr(r->json, "role"), "broker") == 0);
    const char *made = test_jstr(r->json, "created_at"); /* the UI shows the date each account was added */
    CHECK(made != NULL && strlen(made) == 20 && made[10] == 'T' && made[19] == 'Z');
    test_resp_free(r);
    char *tok = test_login(&w.srv, "new-broker@example.org", TEST_PASSWORD);
    CHECK(tok != NULL);
    r = test_http(&w.srv, "GET", "/api/review", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    free(tok);
    /* A taken email is a conflict, as at registration (issue 13, item 14). */
    r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN],
                  "{\"email\":\"new-broker@example.org\","
                  "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"broker\"}");
    CHECK_INT(r->status, 409);
    test_resp_free(r);
    static const char *const bad[][2] = {
        { "{\"email\":\"b2@example.org\","
          "\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"enterprise\"}", "role" },
        { "{\"email\":\"b3@example.org\","
          "\"password\":\"short\",\"display_name\":\"x\",\"role\":\"broker\"}", "password" },
        { "{\"email\":\"b4@example.org\",\"password\":\"" TEST_PASSWORD "\",\"display_name\":\"x\",\"role\":\"broker\","
          "\"org_name\":\"凉都矿业集团\"}", "org_name" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN], bad[i][0]);
        if (r->status != 400 || !test_problem_names(r, bad[i][1]))
            test_fail(__FILE__, __LINE__, "case %zu: %ld %s", i, r->status, r->body);
        test_resp_free(r);
    }
    r = test_http(&w.srv, "GET", "/api/users", w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 3); /* broker, admin, the new one */
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    const char *since = first ? test_jstr(first, "created_at") : NULL;
    CHECK(since != NULL && strlen(since) == 20 && since[10] == 'T');
    CHECK(strstr(r->body, "password") == NULL);
    test_resp_free(r);
    world_teardown(&w);
}
