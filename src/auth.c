/*
 * auth.c: libsodium-backed secrets.
 *
 * The limiter keeps a fixed table of LIM_LOGIN_TRACKED slots keyed by a short
 * BLAKE2b hash of the key (so emails and addresses are not kept in clear);
 * a slot is reused only once its window has passed.
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

/* ---- limiter ---- */

typedef struct slot {
    unsigned char key[16];
    int64_t window_start;
    int failures;
    int used;
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

static void key_hash(const char *key, unsigned char *out)
{
    crypto_generichash(out, 16, (const unsigned char *)key, strlen(key), NULL, 0);
}

/* Returns the slot for key, or NULL.  Caller holds the lock. */
static slot *find_slot(auth_limiter *l, const unsigned char *k)
{
    for (size_t i = 0; i < LIM_LOGIN_TRACKED; i++)
        if (l->slots[i].used && memcmp(l->slots[i].key, k, 16) == 0)
            return &l->slots[i];
    return NULL;
}

int auth_limiter_attempt(auth_limiter *l, const char *key, int max, int64_t window_s, int64_t now,
                         int64_t *retry_after)
{
    unsigned char k[16];
    int status = TM_OK;
    key_hash(key, k);
    pthread_mutex_lock(&l->lock);
    slot *s = find_slot(l, k);
    if (s == NULL) {
        /* A free slot, or one whose window has passed; a live lock is never evicted. */
        for (size_t i = 0; i < LIM_LOGIN_TRACKED && s == NULL; i++)
            if (!l->slots[i].used || now - l->slots[i].window_start >= window_s)
                s = &l->slots[i];
        if (s != NULL) {
            memcpy(s->key, k, 16);
            s->used = 1;
            s->failures = 0;
            s->window_start = now;
        }
    }
    if (s == NULL) {
        *retry_after = window_s;
        status = TM_ERR_LIMITED;
    } else {
        if (now - s->window_start >= window_s) {
            s->window_start = now;
            s->failures = 0;
        }
        if (s->failures >= max) {
            *retry_after = window_s - (now - s->window_start);
            status = TM_ERR_LIMITED;
        } else {
            s->failures++;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return status;
}

void auth_limiter_release(auth_limiter *l, const char *key)
{
    unsigned char k[16];
    key_hash(key, k);
    pthread_mutex_lock(&l->lock);
    slot *s = find_slot(l, k);
    if (s && s->failures > 0)
        s->failures--;
    pthread_mutex_unlock(&l->lock);
}

void auth_limiter_reset(auth_limiter *l, const char *key)
{
    unsigned char k[16];
    key_hash(key, k);
    pthread_mutex_lock(&l->lock);
    slot *s = find_slot(l, k);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&l->lock);
}
