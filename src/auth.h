/*
 * auth.h: passwords, bearer tokens and the failed-login limiter.  The only
 * module that touches secrets.
 *
 * Passwords are hashed with libsodium's argon2id (crypto_pwhash_str, the
 * "interactive" limits).  A bearer token is 32 random bytes, written
 * "tm_" + base64url; only its BLAKE2b hash (AUTH_TOKEN_HASH_BYTES) is stored, so
 * a copy of the database lets nobody log in.  Comparisons of secrets are
 * constant-time (libsodium).  Nothing here logs.
 *
 * All functions are thread-safe after auth_init.
 */
#ifndef TM_AUTH_H
#define TM_AUTH_H
#include "err.h"
#include <stddef.h>
#include <stdint.h>

#define AUTH_TOKEN_HASH_BYTES 32
#define AUTH_TOKEN_CHARS 46           /* "tm_" + 43 base64url characters */
#define AUTH_HASH_STR_BYTES 128       /* room for a crypto_pwhash_str string */

/* Initialises libsodium.  TM_ERR_CRYPTO if it cannot. */
TM_MUST_CHECK int auth_init(void);

/* Hashes a password into out (AUTH_HASH_STR_BYTES).  TM_ERR_CRYPTO on failure (out of memory). */
TM_MUST_CHECK int auth_password_hash(const char *password, char *out);

/*
 * Writes a new random password into out (AUTH_RANDOM_PASSWORD_BYTES): 16
 * characters of an alphabet without look-alikes, in groups of four
 * ("k7dq-3mzp-..."), about 79 bits from libsodium's generator.  For accounts
 * whose password is printed once (the demo).
 */
#define AUTH_RANDOM_PASSWORD_BYTES 20
void auth_random_password(char out[AUTH_RANDOM_PASSWORD_BYTES]);

/* TM_OK if password matches hash, else TM_ERR_AUTH. */
TM_MUST_CHECK int auth_password_verify(const char *hash, const char *password);

/* Spends the same time as a verification, for logins with an unknown email. */
void auth_password_burn(const char *password);

/*
 * A password job: one hash, verification or burn, prepared on a request
 * thread and run on another (http.h, reply_deferred), so that argon2id never
 * holds a request thread.  The job keeps its own copies of the password and
 * hash (zeroed when freed).  auth_password_job_run may run on any thread;
 * read the results only after it has returned.
 */
typedef struct auth_password_job auth_password_job;

/* A job that hashes password (auth_password_hash).  Free with auth_password_job_free. */
auth_password_job *auth_password_job_hash(const char *password);
/* A job that verifies password against hash, or spends the same time (auth_password_burn) when hash is NULL. */
auth_password_job *auth_password_job_verify(const char *hash, const char *password);
/* Runs the job (an http_work_fn). */
void auth_password_job_run(void *job);
/* Its result: TM_OK (hashed; verified), TM_ERR_AUTH (a wrong password, or a burn), TM_ERR_CRYPTO. */
int auth_password_job_status(const auth_password_job *job);
/* The hash a hash job made (AUTH_HASH_STR_BYTES at most); borrowed until the job is freed. */
const char *auth_password_job_result(const auth_password_job *job);
/* Zeroes and frees the job (NULL is fine). */
void auth_password_job_free(auth_password_job *job);

/*
 * Makes a new token: writes its text (AUTH_TOKEN_CHARS + 1 bytes, terminated)
 * and its hash (AUTH_TOKEN_HASH_BYTES).
 */
void auth_token_new(char *token, unsigned char *hash);

/* Hashes a presented token.  TM_ERR_AUTH if it is not shaped like one of ours. */
TM_MUST_CHECK int auth_token_hash(const char *token, unsigned char *hash);

/* ---- operator secrets (the metrics token) ---- */

/* Hashes an operator's secret of len bytes (BLAKE2b) into hash (AUTH_TOKEN_HASH_BYTES); keep only the hash. */
void auth_secret_hash(const char *secret, size_t len, unsigned char *hash);
/* Returns 1 if presented (len bytes) hashes to hash (compared in constant time), else 0. */
int auth_secret_matches(const unsigned char *hash, const char *presented, size_t len);

/* ---- webhook secrets and signatures (Standard Webhooks) ---- */

#define AUTH_WEBHOOK_KEY_BYTES 32
#define AUTH_WEBHOOK_SECRET_CHARS 50  /* "whsec_" + 44 base64 characters of the key */
#define AUTH_WEBHOOK_SIGNATURE_CHARS 47 /* "v1," + 44 base64 characters of the HMAC */

/* Makes a new endpoint key and its text form, "whsec_" + base64 (AUTH_WEBHOOK_SECRET_CHARS + 1 bytes). */
void auth_webhook_secret_new(unsigned char key[AUTH_WEBHOOK_KEY_BYTES], char *text);

/*
 * Signs a delivery: "v1," + base64 of HMAC-SHA256(key, msg_id "." timestamp
 * "." body), written to out (AUTH_WEBHOOK_SIGNATURE_CHARS + 1 bytes).
 */
void auth_webhook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
                       const char *body, size_t body_len, char *out);

/* ---- failed-login limiter ---- */

typedef struct auth_limiter auth_limiter;

/*
 * Two rules, after NIST SP 800-63B.  A client address with
 * LIM_LOGIN_FAILS_ADDRESS failures in LIM_LOGIN_WINDOW_S is refused until the
 * window passes.  An account is never locked, only delayed: after n failures
 * in a row its next attempt waits auth_login_delay(n) seconds from the last
 * one, so an outsider cannot aim a lockout at a victim.  The table holds
 * LIM_LOGIN_TRACKED keys; when full it evicts (least recent first) keys that
 * refuse nothing before keys that do, so it never refuses a new key, and a
 * refused address takes no account slot.  Thread-safe (one mutex).
 */

/* A new, empty limiter (abort on out of memory); auth_limiter_free frees it (NULL is fine). */
auth_limiter *auth_limiter_new(void);
void auth_limiter_free(auth_limiter *l);

/*
 * Returns the seconds an account waits after failures failed logins in a row:
 * 0 for the first LIM_LOGIN_FREE_FAILS, then 1, 2, 4, ... up to LIM_LOGIN_DELAY_MAX_S.
 */
int64_t auth_login_delay(int failures);

/*
 * Reserves one login attempt of account (a key naming the account) from
 * address (a key naming the client address) at now_ms (a monotonic clock in
 * milliseconds, so a delay is never rounded down), atomically: TM_ERR_LIMITED if
 * the address is refused or the account's delay has not passed (*retry_after
 * is then the whole seconds to wait, rounded up, at least 1); otherwise counts the attempt as a
 * failure of both and returns TM_OK.  The caller then calls
 * auth_limiter_succeeded on a right password, auth_limiter_release if it
 * could not tell, and nothing on a wrong one.
 */
TM_MUST_CHECK int auth_limiter_attempt(auth_limiter *l, const char *account, const char *address,
                                       int64_t now_ms, int64_t *retry_after);
/* A right password: forgets account's failures and takes back address's reserved attempt. */
void auth_limiter_succeeded(auth_limiter *l, const char *account, const char *address);
/* Takes back both reserved attempts (the login failed for another reason than the password). */
void auth_limiter_release(auth_limiter *l, const char *account, const char *address);

/*
 * Counts one registration asked for by address (a key naming the client
 * address, distinct from its login key) at now_ms, in the same table: an
 * address may ask for limit registrations in LIM_REGISTER_WINDOW_S (limit <= 0:
 * no limit).  Returns TM_OK and counts it, or TM_ERR_LIMITED (counting
 * nothing) with *retry_after the whole seconds until the window passes.
 */
TM_MUST_CHECK int auth_limiter_register(auth_limiter *l, const char *address, int limit, int64_t now_ms,
                                        int64_t *retry_after);
/* What the limiter holds at a moment (for GET /metrics); counts of keys, none named. */
typedef struct auth_limiter_state {
    size_t addresses, accounts;   /* keys remembered (their window or their failures in a row not yet past) */
    size_t refused_addresses;     /* addresses refused now */
    size_t delayed_accounts;      /* accounts whose next attempt must wait now */
    size_t capacity;              /* LIM_LOGIN_TRACKED */
} auth_limiter_state;

/* Fills *out with l's state at now_ms (the clock auth_limiter_attempt is given); read-only. */
void auth_limiter_read(auth_limiter *l, int64_t now_ms, auth_limiter_state *out);

#endif
