/*
 * push.h: the events an enterprise hears about.
 *
 * An event's body has the Standard Webhooks payload shape,
 *   {"type": "match.pushed", "timestamp": "2026-11-24T10:00:00Z", "data": {...}},
 * and is written once, into the outbox (the notifications table), in the same
 * transaction as the change that causes it; the inbox, the live stream and
 * the webhooks then carry that same text.  A pushed match's data holds the
 * match id, its score and parts, its explanation, and both listings' public
 * members; a digest's data holds a list of those.
 *
 * Thread-safe (no state).
 */
#ifndef TM_PUSH_H
#define TM_PUSH_H
#include "store.h"

/*
 * A push_payload_fn (see store.h): one match gives "match.pushed", several a
 * "match.digest".  Returns malloc'd JSON text; ctx is unused (may be NULL).
 */
char *push_match_payload(void *ctx, const match *m, const listing *const *demands,
                         const listing *const *achievements, size_t n, const char **type);

/* The event telling an owner that its endpoint was disabled (malloc'd JSON text). */
char *push_webhook_disabled_payload(int64_t webhook_id, const char *url, const char *reason);
/* The event POST /api/webhooks/{id}/ping sends (malloc'd JSON text). */
char *push_ping_payload(int64_t webhook_id);

/* The current time as the payload's timestamp (UTC, seconds): 20 bytes and a NUL. */
void push_timestamp(char out[21]);

#endif
