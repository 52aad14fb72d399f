/*
 * app.c: what the app does for the HTTP server that the server itself must
 * not know: what a session token means.  The server calls app_authenticate
 * through the hook it was started with, so http.c needs neither the store nor
 * the token hashing.
 */
#include "app.h"
#include <time.h>

int app_authenticate(app *a, const char *token, principal *out)
{
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    int status = auth_token_hash(token, hash);
    if (status != TM_OK)
        return status;
    return store_session_principal(a->store, hash, sizeof hash, (int64_t)time(NULL), out);
}
