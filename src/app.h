/*
 * app.h: what every handler can reach, built once by `techmatch serve`, and
 * how the app authenticates a request for the HTTP server (app_authenticate,
 * given to http_server_start as its hook).
 * Read-only after start-up except through the objects' own thread-safe APIs.
 */
#ifndef TM_APP_H
#define TM_APP_H
#include "auth.h"
#include "matching.h"
#include "principal.h"
#include "registration.h"
#include "store.h"
#include "taxonomy.h"
#include <stdint.h>

typedef struct stream_hub stream_hub; /* stream.h (which needs http.h, which needs this) */
typedef struct import_jobs import_jobs; /* import_job.h */

typedef struct app {
    store *store;
    taxonomy *tax;          /* loaded from the store at start */
    auth_limiter *limiter;  /* failed logins */
    int64_t session_ttl;    /* seconds a login token lives */
    matching *matching;     /* the indexes; kept in step with every listing write */
    stream_hub *streams;    /* open live streams of notifications */
    import_jobs *imports;   /* bulk imports queued or running, and the finished ones kept */
    int allow_private_webhooks; /* --allow-private-webhooks: loopback and private endpoints allowed */
    const char *tls_cert;   /* PEM of --tls-cert, or NULL: plain HTTP */
    const char *tls_key;    /* PEM of --tls-key */
    int secure_cookie;      /* the session cookie is Secure: --tls-cert, or an https --public-url (TLS at a proxy) */
    registration_config registration; /* its mail is NULL unless --smtp-url: then sign-up is confirmed by email */
    int register_limit;     /* --register-limit: registrations an address may ask for an hour (0: no limit) */
} app;

/*
 * The HTTP server's authentication hook (http.h, http_auth_fn): hashes the
 * session token and looks its live session up in a->store.  Returns TM_OK
 * and fills *out; TM_ERR_DB when the store fails; another status when the
 * token is malformed, unknown or expired.  Thread-safe.
 */
TM_MUST_CHECK int app_authenticate(app *a, const char *token, principal *out);

#endif
