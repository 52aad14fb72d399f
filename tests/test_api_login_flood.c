/*
 * test_api_login_flood.c: nobody can lock others out of login (issue 13,
 * item 1), over HTTP.  A flood of failed logins from one loopback address
 * (127.0.0.1) leaves a correct login from another (127.0.0.2; all of 127/8 is
 * loopback) untouched; wrong passwords delay an account and never lock it;
 * new passwords that are common, only spaces or one repeated character are
 * refused (registration, staff and the CLI's user add).  The flood speaks
 * through one keep-alive libcurl handle bound to its source address
 * (CURLOPT_INTERFACE "host!ADDR"), so thousands of requests take seconds.
 */
#include "api_world.h"
#include "limits.h"
#include "parse.h"
#include "sbuf.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A keep-alive HTTP client whose requests leave from one loopback address. */
typedef struct client {
    CURL *curl;
    char iface[40];
} client;

static void client_init(client *cl, const char *source)
{
    cl->curl = curl_easy_init();
    snprintf(cl->iface, sizeof cl->iface, "host!%s", source);
}

static void client_cleanup(client *cl)
{
    curl_easy_cleanup(cl->curl);
    cl->curl = NULL;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

/* POSTs a JSON body to path from the client's address; returns the response (status -1 if none), test_resp_free. */
static test_resp *client_post(client *cl, const test_server *s, const char *path, const char *json)
{
    test_resp *r = calloc(1, sizeof *r);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    sbuf b, hd;
    char url[512];
    sbuf_init(&b);
    sbuf_init(&hd);
    h = curl_slist_append(h, "Expect:");
    snprintf(url, sizeof url, "%s%s", s->base, path);
    curl_easy_setopt(cl->curl, CURLOPT_URL, url);
    curl_easy_setopt(cl->curl, CURLOPT_INTERFACE, cl->iface);
    curl_easy_setopt(cl->curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(cl->curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(cl->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
    curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(cl->curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(cl->curl, CURLOPT_HEADERDATA, &hd);
    r->status = -1;
    if (curl_easy_perform(cl->curl) == CURLE_OK)
        curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    r->len = b.len;
    r->body = sbuf_take(&b);
    r->headers = sbuf_take(&hd);
    sbuf_cleanup(&b);
    sbuf_cleanup(&hd);
    r->json = cJSON_Parse(r->body);
    return r;
}

/* A login from cl; returns the status and, on 429, the Retry-After seconds in *retry (else 0). */
static long login(client *cl, const test_server *s, const char *email, const char *password, int64_t *retry)
{
    char body[512];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    test_resp *r = client_post(cl, s, "/api/auth/login", body);
    long status = r->status;
    const char *after = test_resp_header(r, "Retry-After");
    *retry = 0;
    if (status == 429 && (after == NULL || parse_int64(after, 0, INT32_MAX, retry) != TM_OK))
        test_fail(__FILE__, __LINE__, "a 429 without a numeric Retry-After: %s", r->headers);
    test_resp_free(r);
    return status;
}

void test_api_login_flood_from_one_address_locks_out_no_one(void)
{
    test_server s;
    client flood, other;
    int64_t retry = 0;
    long counts[3] = { 0, 0, 0 }; /* 401, 429, anything else */
    unlink(test_path("flood.db"));
    REQUIRE(test_server_start(&s, test_path("flood.db"), NULL) == 0);
    char *tok = test_signup(&s, "Flood Victim Co", "enterprise", "victim@example.com");
    CHECK(tok != NULL);
    free(tok);
    client_init(&flood, "127.0.0.1");
    client_init(&other, "127.0.0.2");
    /* More different emails than the limiter has slots, all from 127.0.0.1. */
    for (int i = 0; i < LIM_LOGIN_TRACKED + 104; i++) {
        char email[64];
        snprintf(email, sizeof email, "guess%d@example.com", i);
        long status = login(&flood, &s, email, "not the password", &retry);
        counts[status == 401 ? 0 : status == 429 ? 1 : 2]++;
    }
    CHECK_INT(counts[0], LIM_LOGIN_FAILS_ADDRESS);
    CHECK_INT(counts[1], LIM_LOGIN_TRACKED + 104 - LIM_LOGIN_FAILS_ADDRESS);
    CHECK_INT(counts[2], 0);
    /* Another address logs in with the right password at once; the flooding one stays refused. */
    CHECK_INT(login(&other, &s, "victim@example.com", TEST_PASSWORD, &retry), 200);
    CHECK_INT(login(&other, &s, "VICTIM@example.com", TEST_PASSWORD, &retry), 200);
    CHECK_INT(login(&flood, &s, "victim@example.com", TEST_PASSWORD, &retry), 429);
    CHECK(retry > 0 && retry <= LIM_LOGIN_WINDOW_S);
    client_cleanup(&flood);
    client_cleanup(&other);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_login_failures_delay_an_account_never_lock_it(void)
{
    test_server s;
    client attacker, owner;
    int64_t retry = 0;
    int failures = 0;
    unlink(test_path("delay.db"));
    REQUIRE(test_server_start(&s, test_path("delay.db"), NULL) == 0);
    char *tok = test_signup(&s, "Delayed Co", "enterprise", "delayed@example.com");
    CHECK(tok != NULL);
    free(tok);
    client_init(&attacker, "127.0.0.1");
    client_init(&owner, "127.0.0.2");
    /* Five wrong passwords, each sent once the account's (short) delay allows it. */
    for (int i = 0; i < 20 && failures < 5; i++) {
        long status = login(&attacker, &s, "delayed@example.com", "not the password", &retry);
        if (status == 401) {
            failures++;
            continue;
        }
        CHECK_INT(status, 429);
        if (status != 429 || retry < 1 || retry > LIM_LOGIN_DELAY_MAX_S) {
            test_fail(__FILE__, __LINE__, "after %d failures: %ld, Retry-After %lld", failures, status,
                      (long long)retry);
            break;
        }
        sleep((unsigned)retry);
    }
    CHECK_INT(failures, 5);
    /* The owner, from an address that has not failed: the delay holds for the right password too, then it is in. */
    long status = login(&owner, &s, "delayed@example.com", TEST_PASSWORD, &retry);
    CHECK_INT(status, 429);
    if (status == 429 && retry >= 1 && retry <= LIM_LOGIN_DELAY_MAX_S) {
        sleep((unsigned)retry);
        CHECK_INT(login(&owner, &s, "delayed@example.com", TEST_PASSWORD, &retry), 200);
        /* A success forgets the failures: the next wrong password is answered at once. */
        CHECK_INT(login(&attacker, &s, "delayed@example.com", "not the password", &retry), 401);
    } else {
        test_fail(__FILE__, __LINE__, "the right password got %ld, Retry-After %lld", status, (long long)retry);
    }
    client_cleanup(&attacker);
    client_cleanup(&owner);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_new_passwords_refuse_common_and_trivial_ones(void)
{
    static const char *const bad[] = {
        "1234567890", "QWERTYuiop", "Password123", "1q2w3e4r5t", "          ", " \\t \\t      ",
        "　　　　　　　　　　", "aaaaaaaaaaaa", "中中中中中中中中中中",
    };
    world w;
    char body[512];
    if (world_setup(&w, "passwords.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body, "{\"org_name\":\"Pw Co %zu\",\"org_kind\":\"enterprise\","
                 "\"email\":\"pw%zu@example.com\",\"password\":\"%s\",\"display_name\":\"x\"}", i, i, bad[i]);
        test_resp *r = test_json(&w.srv, "POST", "/api/auth/register", NULL, body);
        if (r->status != 400 || !test_problem_names(r, "password"))
            test_fail(__FILE__, __LINE__, "register with \"%s\": %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
        snprintf(body, sizeof body, "{\"email\":\"staff%zu@example.org\",\"password\":\"%s\","
                 "\"display_name\":\"x\",\"role\":\"broker\"}", i, bad[i]);
        r = test_json(&w.srv, "POST", "/api/users", w.tok[R_ADMIN], body);
        if (r->status != 400 || !test_problem_names(r, "password"))
            test_fail(__FILE__, __LINE__, "staff with \"%s\": %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
    }
    /* The command line's user add shares the check. */
    const char *argv[] = { test_bin(), "user", "add", "--role", "broker", "--email", "cli@example.org",
                           "--org", "贵州省技术市场", "--db", w.srv.db, NULL };
    char *err = NULL;
    CHECK_INT(test_run(argv, "Password123\n", NULL, &err), 1);
    CHECK_CONTAINS(err, "common passwords");
    free(err);
    /* A password with spaces and repeats that is neither is fine. */
    test_resp *r = test_json(&w.srv, "POST", "/api/auth/register", NULL,
                             "{\"org_name\":\"Pw Co ok\",\"org_kind\":\"enterprise\",\"email\":\"pwok@example.com\","
                             "\"password\":\"aaaa bbbb cccc\",\"display_name\":\"x\"}");
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    world_teardown(&w);
}
