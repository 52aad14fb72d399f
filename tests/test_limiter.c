/*
 * test_limiter.c: the failed-login limiter (auth.h) under floods: a full
 * table never refuses a key that has no failures, a refused address takes no
 * account slots, and an account is delayed after failures in a row, never
 * locked.
 */
#include "test.h"
#include "auth.h"
#include "limits.h"
#include <stdio.h>

void test_limiter_full_table_never_refuses_a_clean_key(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0;
    char acct[48], addr[48];
    int passed = 0, refused = 0;
    /* One address names more emails than the table has slots: it is refused after its limit. */
    for (int i = 0; i < LIM_LOGIN_TRACKED + 200; i++) {
        snprintf(acct, sizeof acct, "acct:guess%d@example.com", i);
        passed += auth_limiter_attempt(l, acct, "addr:127.0.0.1", 1000000, &retry) == TM_OK;
    }
    CHECK_INT(passed, LIM_LOGIN_FAILS_ADDRESS);
    CHECK_INT(auth_limiter_attempt(l, "acct:alice@example.com", "addr:127.0.0.2", 1001000, &retry), TM_OK);
    auth_limiter_succeeded(l, "acct:alice@example.com", "addr:127.0.0.2");

    /* Many addresses, each failing on its own email, fill the table: nobody new is refused. */
    for (int i = 0; i < LIM_LOGIN_TRACKED + 200; i++) {
        snprintf(acct, sizeof acct, "acct:other%d@example.com", i);
        snprintf(addr, sizeof addr, "addr:10.%d.%d.1", i / 256, i % 256);
        refused += auth_limiter_attempt(l, acct, addr, 1002000, &retry) == TM_ERR_LIMITED;
    }
    CHECK_INT(refused, 0);
    /* The refused address was kept over slots that refuse nothing; a clean key still passes. */
    CHECK_INT(auth_limiter_attempt(l, "acct:x@example.com", "addr:127.0.0.1", 1003000, &retry), TM_ERR_LIMITED);
    CHECK_INT(auth_limiter_attempt(l, "acct:alice@example.com", "addr:127.0.0.2", 1003000, &retry), TM_OK);

    /* Even a table of keys that all refuse takes a new one (the least recent is evicted). */
    refused = 0;
    for (int i = 0; i < 3 * LIM_LOGIN_TRACKED; i++) {
        snprintf(acct, sizeof acct, "acct:locked%d@example.com", i / LIM_LOGIN_FREE_FAILS);
        snprintf(addr, sizeof addr, "addr:172.16.%d.%d", (i / LIM_LOGIN_FAILS_ADDRESS) / 256,
                 (i / LIM_LOGIN_FAILS_ADDRESS) % 256);
        refused += auth_limiter_attempt(l, acct, addr, 1004000, &retry) == TM_ERR_LIMITED;
    }
    CHECK_INT(refused, 0);
    CHECK_INT(auth_limiter_attempt(l, "acct:bob@example.com", "addr:127.0.0.3", 1004000, &retry), TM_OK);
    auth_limiter_free(l);
}

void test_limiter_account_is_delayed_never_locked(void)
{
    static const int64_t delays[] = { 0, 0, 0, 1, 2, 4, 8, 8 };
    for (int n = 0; n < 8; n++)
        CHECK_INT(auth_login_delay(n), delays[n] < LIM_LOGIN_DELAY_MAX_S ? delays[n] : LIM_LOGIN_DELAY_MAX_S);
    CHECK_INT(auth_login_delay(1000), LIM_LOGIN_DELAY_MAX_S);

    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0, now = 1000000; /* ms */
    char addr[48];
    /* Failures from ever new addresses: the account waits its delay, then takes the next attempt. */
    for (int n = 0; n < 40; n++) {
        snprintf(addr, sizeof addr, "addr:10.1.0.%d", n);
        if (auth_login_delay(n) > 0) {
            CHECK_INT(auth_limiter_attempt(l, "acct:admin", addr, now, &retry), TM_ERR_LIMITED);
            CHECK_INT(retry, auth_login_delay(n));
            now += retry * 1000;
        }
        CHECK_INT(auth_limiter_attempt(l, "acct:admin", addr, now, &retry), TM_OK);
    }
    /* The right password from an address that has not failed, once the delay passed: in, and forgotten. */
    now += LIM_LOGIN_DELAY_MAX_S * 1000;
    CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.1", now, &retry), TM_OK);
    auth_limiter_succeeded(l, "acct:admin", "addr:192.168.1.1");
    CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.1", now, &retry), TM_OK);
    /* Failures in a row are forgotten after a quiet window. */
    for (int n = 1; n < LIM_LOGIN_FREE_FAILS; n++)
        CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.2", now, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.2", now, &retry), TM_ERR_LIMITED);
    int64_t later = now + LIM_LOGIN_WINDOW_S * 1000;
    CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.2", later, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:admin", "addr:192.168.1.2", later, &retry), TM_OK);
    auth_limiter_free(l);
}

void test_limiter_delay_is_never_rounded_down(void)
{
    /* Whole seconds made a 1 s delay anything from 0 to 1 s: an attempt 999 ms later must still wait. */
    auth_limiter *l = auth_limiter_new();
    int64_t retry = 0, now = 5000123; /* ms, not on a second's boundary */
    for (int n = 0; n < LIM_LOGIN_FREE_FAILS; n++)
        CHECK_INT(auth_limiter_attempt(l, "acct:carol", "addr:10.9.0.1", now, &retry), TM_OK);
    CHECK_INT(auth_limiter_attempt(l, "acct:carol", "addr:10.9.0.2", now + 999, &retry), TM_ERR_LIMITED);
    CHECK_INT(retry, 1);
    CHECK_INT(auth_limiter_attempt(l, "acct:carol", "addr:10.9.0.2", now + 1000, &retry), TM_OK);
    auth_limiter_free(l);
}
