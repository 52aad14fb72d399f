/*
 * registration.h: sign-up confirmed by email, for a server started with mail
 * (README "Configuration"), so that registering tells no one whether an
 * address or an organisation is already on the platform (OWASP's advice).
 *
 * POST /api/auth/register validates and hashes the password as before, then
 * calls registration_request, whatever the names, and always answers the
 * same.  Which mail goes out is decided here: a link with a new single-use
 * token (only its hash is stored, with the hashed password, until it
 * expires), or a notice to an address that has an account already, or a
 * notice that the organisation name is taken.  POST /api/auth/verify calls
 * registration_verify, which creates the organisation and its first user as
 * registration without mail does.
 *
 * Ownership: a registration_config borrows its store, sender and URL (the
 * app's).  Thread-safe (the store and the sender are).
 */
#ifndef TM_REGISTRATION_H
#define TM_REGISTRATION_H
#include "err.h"
#include "mail.h"
#include "principal.h"
#include "store.h"
#include <stdint.h>

typedef struct registration_config {
    store *store;
    mail_sender *mail;        /* NULL: no mail, registration is immediate (409 for a taken name) */
    const char *public_url;   /* the link's base, as given to --public-url (a trailing / is fine) */
    int64_t ttl;              /* seconds a link lives */
} registration_config;

/*
 * Handles a validated registration (reg's password_hash already made) at now
 * (Unix seconds): when neither name is taken, stores it pending and mails the
 * link; when the email has an account, mails that address that someone tried
 * to register with it and that its owner can sign in; when only the
 * organisation name is taken, mails the address so.  Returns TM_OK in each of
 * these cases (a mail that cannot be queued is logged, not told), or a store
 * error.
 */
TM_MUST_CHECK int registration_request(const registration_config *cfg, const pending_registration *reg, int64_t now);

/*
 * Completes the registration whose link held token, at now: TM_OK and *out
 * is the new user; TM_ERR_INVALID when token is not shaped like one;
 * TM_ERR_NOT_FOUND when it is unknown, used already or expired;
 * TM_ERR_CONFLICT with *conflict ("email" or "org_name") when a name was
 * taken since; or a store error.
 */
TM_MUST_CHECK int registration_verify(store *s, const char *token, int64_t now, principal *out,
                                      const char **conflict);

#endif
