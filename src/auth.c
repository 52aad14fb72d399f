/*
 * auth.c: libsodium-backed secrets.
 *
 * The limiter keeps a fixed table of LIM_LOGIN_TRACKED slots keyed by a short
 * BLAKE2b hash of the key (so emails and addresses are not kept in clear).
 * An address slot counts failures in a window and refuses at the limit; an
 * account slot counts failures in a row and only delays the next attempt.
 * A new key takes a free or expired slot, else evicts the least recent slot
 * that refuses nothing, else the least recent of all: the table never
 * refuses a key for being full.
 */
#include "auth.h"
#include "limits.h"
#include "mem.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "tm_"
#define TOKEN_RAW_BYTES 32

static char burn_hash[AUTH_HASH_STR_BYTES];
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

int auth_init(void)
{
    return sodium_init() < 0 ? TM_ERR_CRYPTO : TM_OK;
}

int auth_password_hash(const char *password, char *out)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return TM_ERR_CRYPTO;
    return TM_OK;
}

void auth_random_password(char out[AUTH_RANDOM_PASSWORD_BYTES])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = '-';
        out[o++] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    }
    out[o] = '\0';
}

int auth_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? TM_OK : TM_ERR_AUTH;
}

static void make_burn_hash(void)
{
    unsigned char noise[16];
    char pw[sizeof noise * 2 + 1];
    randombytes_buf(noise, sizeof noise);
    sodium_bin2hex(pw, sizeof pw, noise, sizeof noise);
    if (auth_password_hash(pw, burn_hash) != TM_OK)
        burn_hash[0] = '\0';
}

void auth_password_burn(const char *password)
{
    pthread_once(&burn_once, make_burn_hash);
    if (burn_hash[0] && crypto_pwhash_str_verify(burn_hash, password, strlen(password)) == 0)
        return; /* a random password matched: nothing to do either way */
}

/* ---- password jobs ---- */

enum { JOB_HASH, JOB_VERIFY, JOB_BURN };

struct auth_password_job {
    int kind;
    int status;
    char hash[AUTH_HASH_STR_BYTES];    /* the hash to verify against, or the one made */
    char password[LIM_PASSWORD_MAX + 1];
};

static auth_password_job *job_new(int kind, const char *hash, const char *password)
{
    auth_password_job *j = xcalloc(1, sizeof *j);
    j->kind = kind;
    j->status = TM_ERR_CRYPTO;
    if (hash)
        snprintf(j->hash, sizeof j->hash, "%s", hash);
    snprintf(j->password, sizeof j->password, "%s", password);
    return j;
}

auth_password_job *auth_password_job_hash(const char *password)
{
    return job_new(JOB_HASH, NULL, password);
}

auth_password_job *auth_password_job_verify(const char *hash, const char *password)
{
    return job_new(hash ? JOB_VERIFY : JOB_BURN, hash, password);
}

void auth_password_job_run(void *job)
{
    auth_password_job *j = job;
    if (j->kind == JOB_HASH) {
        j->status = auth_password_hash(j->password, j->hash);
    } else if (j->kind == JOB_VERIFY) {
        j->status = auth_password_verify(j->hash, j->password);
    } else {
        auth_password_burn(j->password);
        j->status = TM_ERR_AUTH;
    }
}

int auth_password_job_status(const auth_password_job *job)
{
    return job->status;
}

const char *auth_password_job_result(const auth_password_job *job)
{
    return job->hash;
}

void auth_password_job_free(auth_password_job *job)
{
    if (job == NULL)
        return;
    sodium_memzero(job, sizeof *job);
    free(job);
}

void auth_token_new(char *token, unsigned char *hash)
{
    unsigned char raw[TOKEN_RAW_BYTES];
    randombytes_buf(raw, sizeof raw);
    memcpy(token, TOKEN_PREFIX, 3);
    sodium_bin2base64(token + 3, AUTH_TOKEN_CHARS - 3 + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    crypto_generichash(hash, AUTH_TOKEN_HASH_BYTES, (const unsigned char *)token,
                       AUTH_TOKEN_CHARS, NULL, 0);
}

void auth_webhook_secret_new(unsigned char key[AUTH_WEBHOOK_KEY_BYTES], char *text)
{
    randombytes_buf(key, AUTH_WEBHOOK_KEY_BYTES);
    memcpy(text, "whsec_", 6);
    sodium_bin2base64(text + 6, AUTH_WEBHOOK_SECRET_CHARS - 6 + 1, key, AUTH_WEBHOOK_KEY_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
}

void auth_webhook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
                       const char *body, size_t body_len, char *out)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];
    int n = snprintf(ts, sizeof ts, "%lld", timestamp);
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, AUTH_WEBHOOK_SIGNATURE_CHARS - 3 + 1, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(&st, sizeof st);
}

int auth_token_hash(const char *token, unsigned char *hash)
{
    if (strlen(token) != AUTH_TOKEN_CHARS || memcmp(token, TOKEN_PREFIX, 3) != 0)
        return TM_ERR_AUTH;
    for (const char *p = token + 3; *p; p++) {
        int ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                 (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (!ok)
            return TM_ERR_AUTH;
    }
    crypto_generichash(hash, AUTH_TOKEN_HASH_BYTES, (const unsigned char *)token,
                       AUTH_TOKEN_CHARS, NULL, 0);
    return TM_OK;
}

void auth_secret_hash(const char *secret, size_t len, unsigned char *hash)
{
    crypto_generichash(hash, AUTH_TOKEN_HASH_BYTES, (const unsigned char *)secret, len, NULL, 0);
}

int auth_secret_matches(const unsigned char *hash, const char *presented, size_t len)
{
    unsigned char h[AUTH_TOKEN_HASH_BYTES];
    auth_secret_hash(presented, len, h);
    int same = sodium_memcmp(h, hash, sizeof h) == 0;
    sodium_memzero(h, sizeof h);
    return same;
}

/* ---- limiter ---- */

enum { KIND_ADDRESS = 1, KIND_ACCOUNT = 2, KIND_REGISTER = 3 };

typedef struct slot {
    unsigned char key[16];
    int64_t since;   /* ms; address: its window's start; account: its last failure */
    int64_t touched; /* ms; last attempt, for evicting the least recent */
    int failures;    /* address: in the window; account: in a row; register: registrations in the window */
    int cap;         /* register: registrations the window allows */
    int kind;        /* 0 when free */
} slot;

struct auth_limiter {
    pthread_mutex_t lock;
    slot slots[LIM_LOGIN_TRACKED];
};

auth_limiter *auth_limiter_new(void)
{
    auth_limiter *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

void auth_limiter_free(auth_limiter *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l);
}

int64_t auth_login_delay(int failures)
{
    if (failures < LIM_LOGIN_FREE_FAILS)
        return 0;
    int shift = failures - LIM_LOGIN_FREE_FAILS;
    if (shift > 16)
        return LIM_LOGIN_DELAY_MAX_S;
    int64_t d = (int64_t)1 << shift;
    return d < LIM_LOGIN_DELAY_MAX_S ? d : LIM_LOGIN_DELAY_MAX_S;
}

static void key_hash(const char *key, unsigned char *out)
{
    crypto_generichash(out, 16, (const unsigned char *)key, strlen(key), NULL, 0);
}

/* The milliseconds a slot of kind remembers from its since. */
static int64_t slot_window(int kind)
{
    return (kind == KIND_REGISTER ? LIM_REGISTER_WINDOW_S : LIM_LOGIN_WINDOW_S) * (int64_t)1000;
}

/* 1 if s has nothing left to remember at now (ms; its window passed, or its failures in a row are stale). */
static int slot_expired(const slot *s, int64_t now)
{
    return s->kind == 0 || now - s->since >= slot_window(s->kind);
}

/* Milliseconds s refuses attempts from now (ms), or 0 if it lets one through. */
static int64_t slot_wait(const slot *s, int64_t now)
{
    if (slot_expired(s, now))
        return 0;
    if (s->kind == KIND_ADDRESS)
        return s->failures >= LIM_LOGIN_FAILS_ADDRESS ? LIM_LOGIN_WINDOW_S * 1000 - (now - s->since) : 0;
    if (s->kind == KIND_REGISTER)
        return s->failures >= s->cap ? slot_window(KIND_REGISTER) - (now - s->since) : 0;
    int64_t until = s->since + auth_login_delay(s->failures) * 1000;
    return until > now ? until - now : 0;
}

/* Returns the slot for key, or NULL.  Caller holds the lock. */
static slot *find_slot(auth_limiter *l, const unsigned char *k)
{
    for (size_t i = 0; i < LIM_LOGIN_TRACKED; i++)
        if (l->slots[i].kind && memcmp(l->slots[i].key, k, 16) == 0)
            return &l->slots[i];
    return NULL;
}

/*
 * Returns the slot a new key takes: a free or expired one, else the least
 * recently touched of those that refuse nothing, else the least recently
 * touched of all (never keep, the slot this attempt already holds).  So a
 * full table never refuses a key with no failures.  Caller holds the lock.
 */
static slot *victim_slot(auth_limiter *l, int64_t now, const slot *keep)
{
    slot *open = NULL, *oldest = NULL;
    for (size_t i = 0; i < LIM_LOGIN_TRACKED; i++) {
        slot *s = &l->slots[i];
        if (s == keep)
            continue;
        if (slot_expired(s, now))
            return s;
        if (slot_wait(s, now) == 0 && (open == NULL || s->touched < open->touched))
            open = s;
        if (oldest == NULL || s->touched < oldest->touched)
            oldest = s;
    }
    return open ? open : oldest;
}

/* Returns key's slot, taking one (evicting, but not keep) for a new key.  Caller holds the lock. */
static slot *take_slot(auth_limiter *l, const unsigned char *k, int kind, int64_t now, const slot *keep)
{
    slot *s = find_slot(l, k);
    if (s != NULL && !slot_expired(s, now))
        return s;
    if (s == NULL)
        s = victim_slot(l, now, keep);
    memset(s, 0, sizeof *s);
    memcpy(s->key, k, 16);
    s->kind = kind;
    s->since = now;
    return s;
}

int auth_limiter_attempt(auth_limiter *l, const char *account, const char *address, int64_t now,
                         int64_t *retry_after)
{
    /* now is in milliseconds, so a delay of d seconds is never less than d (whole seconds would round it down). */
    unsigned char ka[16], kd[16];
    int status = TM_OK;
    key_hash(account, ka);
    key_hash(address, kd);
    pthread_mutex_lock(&l->lock);
    /* The address first: a refused address reaches no account, so it takes no account slots. */
    slot *addr = find_slot(l, kd);
    int64_t wait = addr ? slot_wait(addr, now) : 0;
    slot *acct = NULL;
    if (wait == 0) {
        acct = find_slot(l, ka);
        wait = acct ? slot_wait(acct, now) : 0;
    }
    if (wait > 0) {
        *retry_after = (wait + 999) / 1000;
        status = TM_ERR_LIMITED;
    } else {
        addr = take_slot(l, kd, KIND_ADDRESS, now, NULL);
        addr->failures++;
        addr->touched = now;
        acct = take_slot(l, ka, KIND_ACCOUNT, now, addr);
        acct->failures++;
        acct->since = now;
        acct->touched = now;
    }
    pthread_mutex_unlock(&l->lock);
    return status;
}

int auth_limiter_register(auth_limiter *l, const char *address, int limit, int64_t now, int64_t *retry_after)
{
    unsigned char k[16];
    int status = TM_OK;
    if (limit <= 0)
        return TM_OK;
    key_hash(address, k);
    pthread_mutex_lock(&l->lock);
    slot *s = take_slot(l, k, KIND_REGISTER, now, NULL);
    s->cap = limit;
    int64_t wait = slot_wait(s, now);
    if (wait > 0) {
        *retry_after = (wait + 999) / 1000;
        status = TM_ERR_LIMITED;
    } else {
        s->failures++;
        s->touched = now;
    }
    pthread_mutex_unlock(&l->lock);
    return status;
}

/* Takes back one reserved failure of key, if it is still remembered.  Caller holds the lock. */
static void take_back(auth_limiter *l, const char *key)
{
    unsigned char k[16];
    key_hash(key, k);
    slot *s = find_slot(l, k);
    if (s && s->failures > 0)
        s->failures--;
}

void auth_limiter_release(auth_limiter *l, const char *account, const char *address)
{
    pthread_mutex_lock(&l->lock);
    take_back(l, account);
    take_back(l, address);
    pthread_mutex_unlock(&l->lock);
}

void auth_limiter_succeeded(auth_limiter *l, const char *account, const char *address)
{
    unsigned char k[16];
    key_hash(account, k);
    pthread_mutex_lock(&l->lock);
    slot *s = find_slot(l, k);
    if (s)
        memset(s, 0, sizeof *s);
    take_back(l, address);
    pthread_mutex_unlock(&l->lock);
}

void auth_limiter_read(auth_limiter *l, int64_t now, auth_limiter_state *out)
{
    memset(out, 0, sizeof *out);
    out->capacity = LIM_LOGIN_TRACKED;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < LIM_LOGIN_TRACKED; i++) {
        const slot *s = &l->slots[i];
        if (slot_expired(s, now))
            continue;
        int waits = slot_wait(s, now) > 0;
        if (s->kind == KIND_ADDRESS) {
            out->addresses++;
            out->refused_addresses += (size_t)waits;
        } else {
            out->accounts++;
            out->delayed_accounts += (size_t)waits;
        }
    }
    pthread_mutex_unlock(&l->lock);
}
