/* test_auth.c: tokens, password hashes and the login limiter. */
#include "test.h"
#include "auth.h"
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
    for (int i = 0; i < 3; i++)
        CHECK_INT(auth_limiter_attempt(l, "acct:x", 3, 60, 1000 + i, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:x", 3, 60, 1010, &retry), TM_ERR_LIMITED);
    CHECK_INT(retry, 50);
    CHECK_INT(auth_limiter_attempt(l, "acct:y", 3, 60, 1010, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:x", 3, 60, 1061, &retry), TM_OK); /* the window passed */
    /* A released attempt does not count; a reset forgets the key. */
    auth_limiter_release(l, "acct:y");
    CHECK_INT(auth_limiter_attempt(l, "acct:y", 1, 60, 1011, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:y", 1, 60, 1011, &retry), TM_ERR_LIMITED);
    auth_limiter_reset(l, "acct:y");
    CHECK_INT(auth_limiter_attempt(l, "acct:y", 1, 60, 1012, &retry), TM_OK);
    auth_limiter_free(l);
}

void test_auth_limiter_never_evicts_a_live_lock(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0;
    CHECK_INT(auth_limiter_attempt(l, "acct:victim", 1, 60, 1000, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:victim", 1, 60, 1000, &retry), TM_ERR_LIMITED);
    /* Fill every other slot with fresh keys: the table refuses rather than forgetting the lock. */
    char key[32];
    int refused = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "addr:10.0.%d.%d", i / 256, i % 256);
        refused += auth_limiter_attempt(l, key, 20, 60, 1001, &retry) == TM_ERR_LIMITED;
    }
    CHECK(refused > 0);
    CHECK_INT(auth_limiter_attempt(l, "acct:victim", 1, 60, 1002, &retry), TM_ERR_LIMITED);
    auth_limiter_free(l);
}
