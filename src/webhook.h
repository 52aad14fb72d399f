/*
 * webhook.h: delivering the outbox to the endpoints enterprises register,
 * as the Standard Webhooks specification says.
 *
 * Each delivery is a POST of the event's JSON with the headers webhook-id
 * (the same on every retry), webhook-timestamp (Unix seconds of the attempt)
 * and webhook-signature ("v1," + base64 HMAC-SHA256 of id.timestamp.body with
 * the endpoint's key; see auth.h).  One sender thread drives libcurl's multi
 * interface: each endpoint gets its oldest pending delivery, one at a time,
 * so deliveries arrive in order; a non-2xx answer or a timeout is retried
 * with exponential backoff and jitter; after the last attempt (or a 410) the
 * endpoint is disabled and its owner gets an inbox notification.  Deliveries
 * live in the database, so a crash or restart resumes them: at least once.
 * An attempt whose result the store refuses (a full disk) is held and its
 * recording retried with backoff; nothing is sent until it is recorded, so no
 * delivery goes out again only because its answer could not be written down.
 *
 * Endpoints must be http or https; TLS certificates are verified; redirects
 * are not followed.  Unless private addresses are allowed (tests), a URL
 * whose host is, or resolves to, a private, loopback, link-local or other
 * non-public address is refused at registration, and a connection to such an
 * address is refused at delivery time too (a name that changed meanwhile).
 *
 * Thread-safe: webhook_url_check anywhere; the sender has its own thread.
 */
#ifndef TM_WEBHOOK_H
#define TM_WEBHOOK_H
#include "err.h"
#include "store.h"
#include <stddef.h>

typedef struct webhook_config {
    int allow_private;       /* 1: loopback and private addresses allowed (tests, closed networks) */
    int attempts;            /* attempts before an endpoint is disabled (default 8) */
    long retry_ms;           /* first retry delay; doubles each time, with +-20% jitter (default 5000) */
    long timeout_ms;         /* one attempt, connection included (default 10000) */
} webhook_config;

void webhook_config_default(webhook_config *c);

/*
 * Checks an endpoint URL: TM_OK, or TM_ERR_INVALID with a one-sentence
 * reason in why (for the API's errors list).
 */
TM_MUST_CHECK int webhook_url_check(const char *url, int allow_private, char *why, size_t why_len);

struct sockaddr;
/*
 * Whether a connection to sa must be refused (1) or may be made (0): the one
 * rule of registration (each address a host resolves to) and of connect time.
 */
int webhook_address_refused(const struct sockaddr *sa);

typedef struct webhook_sender webhook_sender;

/* Starts the sender thread.  NULL on failure (logged). */
webhook_sender *webhook_sender_start(store *s, const webhook_config *cfg);
/* Makes the sender look for due deliveries now (a store notify hook; ctx is the sender). */
void webhook_sender_wake(void *sender);
/* Stops the thread; deliveries in flight stay pending and are sent after the next start.  Accepts NULL. */
void webhook_sender_stop(webhook_sender *w);

#endif
