/*
 * serverkit.h: what the server benchmarks share: starting `techmatch serve`
 * on a loopback port, one HTTP request on a kept-alive libcurl handle, and
 * JSON string escaping.  Not thread-safe (one handle per thread).
 */
#ifndef TM_BENCH_SERVERKIT_H
#define TM_BENCH_SERVERKIT_H
#include "listing.h"
#include "sbuf.h"
#include "store.h"
#include <curl/curl.h>
#include <sys/types.h>

/*
 * Starts bin serve --listen 127.0.0.1:0 --db db plus extra (NULL-terminated,
 * may be NULL), its log to /dev/null; waits for the listening line.  Returns
 * the pid and fills *port, or -1.
 */
pid_t kit_start(const char *bin, const char *db, const char *const *extra, int *port);

/* One request on c (json NULL: a GET); returns the status (-1 on failure) and fills body. */
long kit_request(CURL *c, const char *url, const char *method, const char *token, const char *json, sbuf *body);

/*
 * Turns path (a template ending in XXXXXX, changed in place) into a fresh name
 * for a scratch database: unique, with no file left there.  0, or -1.
 */
int kit_scratch_db(char *path);

/* Logs in and copies the token (AUTH token size) to token; 0 on success. */
int kit_login(CURL *c, int port, const char *email, const char *password, char *token, size_t len);

/* Appends s to b escaped for a JSON string. */
void kit_json_text(sbuf *b, const char *s);


/* The import callback of a synthetic listing from corpus.h: title, body, 3 keywords, 1 field. */
int kit_fill_listing(void *ctx, size_t i, listing *l);
/* Stores n listings of kind for org straight into the store (not matched), 1,000 a transaction, made by fill. */
int kit_import_listings(store *s, listing_kind kind, int64_t org, long n, import_apply_fn fill);

/* An account the benchmarks register: its organisation, that organisation's kind, and its email. */
typedef struct kit_account {
    const char *org, *kind, *email;
} kit_account;

/* The password of every account kit_seed registers. */
#define KIT_PASSWORD "bench password 42"

/*
 * Fills the database db: n synthetic achievements of "Bench University"
 * (kit_fill_listing, not matched), then the n_accounts accounts, each with
 * KIT_PASSWORD.  0, or -1.
 */
int kit_seed(const char *db, long n, const kit_account *accounts, size_t n_accounts);

#endif
