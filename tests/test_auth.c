/* test_auth.c: tokens, password hashes and the login limiter. */
#include "test.h"
#include "auth.h"
#include "limits.h"
#include <stdio.h>

void test_auth_tokens_are_random_and_hash_alike(void)
{
    char a[AUTH_TOKEN_CHARS + 1], b[AUTH_TOKEN_CHARS + 1];
    unsigned char ha[AUTH_TOKEN_HASH_BYTES], hb[AUTH_TOKEN_HASH_BYTES], again[AUTH_TOKEN_HASH_BYTES];
    REQUIRE(auth_init() == TM_OK);
    auth_token_new(a, ha);
    auth_token_new(b, hb);
    CHECK_INT(strlen(a), AUTH_TOKEN_CHARS);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(auth_token_hash(a, again), TM_OK);
    CHECK(memcmp(ha, again, sizeof ha) == 0);
    CHECK(memcmp(ha, hb, sizeof ha) != 0);
    CHECK_INT(auth_token_hash("tm_short", again), TM_ERR_AUTH);
    a[10] = '*';
    CHECK_INT(auth_token_hash(a, again), TM_ERR_AUTH);
}

void test_auth_password_hash_verifies(void)
{
    char hash[AUTH_HASH_STR_BYTES];
    REQUIRE(auth_init() == TM_OK);
    REQUIRE(auth_password_hash("correct horse battery", hash) == TM_OK);
    CHECK_CONTAINS(hash, "$argon2id$");
    CHECK_INT(auth_password_verify(hash, "correct horse battery"), TM_OK);
    CHECK_INT(auth_password_verify(hash, "correct horse batterY"), TM_ERR_AUTH);
}

void test_auth_limiter_locks_then_frees(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0;
    /* An address: LIM_LOGIN_FAILS_ADDRESS failures (over several accounts) refuse it until the window passes. */
    char acct[32];
    for (int i = 0; i < LIM_LOGIN_FAILS_ADDRESS; i++) {
        snprintf(acct, sizeof acct, "acct:%d", i);
        CHECK_INT(auth_limiter_attempt(l, acct, "addr:x", (1000 + i) * 1000, &retry), TM_OK);
    }
    CHECK_INT(auth_limiter_attempt(l, "acct:new", "addr:x", 1030000, &retry), TM_ERR_LIMITED);
    CHECK_INT(retry, LIM_LOGIN_WINDOW_S - 30);
    CHECK_INT(auth_limiter_attempt(l, "acct:new", "addr:y", 1030000, &retry), TM_OK);
    /* The window has passed. */
    CHECK_INT(auth_limiter_attempt(l, "acct:new2", "addr:x", (1000 + LIM_LOGIN_WINDOW_S) * 1000, &retry), TM_OK);
    /* A released attempt does not count; a success takes back the address's attempt. */
    for (int i = 1; i < LIM_LOGIN_FAILS_ADDRESS; i++) {
        snprintf(acct, sizeof acct, "acct:z%d", i);
        CHECK_INT(auth_limiter_attempt(l, acct, "addr:z", 2000000, &retry), TM_OK);
    }
    auth_limiter_release(l, "acct:z1", "addr:z");
    CHECK_INT(auth_limiter_attempt(l, "acct:z1", "addr:z", 2000000, &retry), TM_OK);
    auth_limiter_succeeded(l, "acct:z1", "addr:z");
    CHECK_INT(auth_limiter_attempt(l, "acct:z1", "addr:z", 2000000, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:z2", "addr:z", 2000000, &retry), TM_OK); /* the limit's last */
    CHECK_INT(auth_limiter_attempt(l, "acct:z3", "addr:z", 2000000, &retry), TM_ERR_LIMITED);
    auth_limiter_free(l);
}

void test_auth_limiter_never_evicts_a_live_lock(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0;
    char key[32];
    for (int i = 0; i < LIM_LOGIN_FAILS_ADDRESS; i++) {
        snprintf(key, sizeof key, "acct:v%d", i);
        CHECK_INT(auth_limiter_attempt(l, key, "addr:victim", 1000000, &retry), TM_OK);
    }
    CHECK_INT(auth_limiter_attempt(l, "acct:v", "addr:victim", 1000000, &retry), TM_ERR_LIMITED);
    /* Fill every other slot with fresh keys: the table evicts them, not the lock, and refuses none. */
    int refused = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "addr:10.0.%d.%d", i / 256, i % 256);
        refused += auth_limiter_attempt(l, "acct:same", key, 1001000, &retry) == TM_ERR_LIMITED;
        auth_limiter_succeeded(l, "acct:same", key);
    }
    CHECK_INT(refused, 0);
    CHECK_INT(auth_limiter_attempt(l, "acct:v", "addr:victim", 1002000, &retry), TM_ERR_LIMITED);
    auth_limiter_free(l);
}
