/*
 * stream.h: the live stream of an organisation's notifications (Server-Sent
 * Events on GET /api/stream).
 *
 * Each open stream is a parked connection (no thread of its own): it sends
 * the organisation's notifications after the last id it sent, each as
 *   id: <notification id>\nevent: <type>\ndata: <the event's JSON>\n\n
 * then waits.  The hub wakes every stream when a commit wrote notifications
 * (stream_hub_wake is the store's notify hook), and every heartbeat seconds
 * so that each sends a comment line (proxies keep the connection open, and a
 * client that went away is noticed and cleaned up).
 *
 * A stream ends when the session that opened it ends: at logout
 * (stream_hub_end_session), at the session's expiry (the heartbeat thread
 * also wakes then), or when a heartbeat finds the session gone from the store.
 * A stream whose session ended sends nothing more.
 *
 * Thread-safe.  Order at shutdown: stream_hub_close (ends every stream), then
 * stop the HTTP server, then stream_hub_free.
 */
#ifndef TM_STREAM_H
#define TM_STREAM_H
#include "auth.h"
#include "err.h"
#include "http.h"
#include "store.h"
#include <stdint.h>

typedef struct stream_hub stream_hub;

/* Retry-After (seconds) of a stream refused because its address holds its limit of streams. */
#define STREAM_RETRY_AFTER "30"

/*
 * Starts the hub and its heartbeat thread; one client address may hold at
 * most per_address open streams (0: no limit).  NULL on failure (logged).
 */
stream_hub *stream_hub_new(store *s, int heartbeat_seconds, size_t per_address);
/* Wakes every open stream; a store notify hook (ctx is the hub). */
void stream_hub_wake(void *hub);
/* Ends the open streams of the session whose token hash (AUTH_TOKEN_HASH_BYTES) is given.  Accepts a NULL hub. */
void stream_hub_end_session(stream_hub *h, const unsigned char *token_hash);
/* Ends every open stream and refuses new ones; stops the heartbeat thread. */
void stream_hub_close(stream_hub *h);
/* Frees the hub once the HTTP server has stopped.  Accepts NULL. */
void stream_hub_free(stream_hub *h);
/* Open streams. */
size_t stream_hub_count(stream_hub *h);

/*
 * Reads a Last-Event-ID header value v (the client's last event): "" is 0
 * (from the start); else it must be plain decimal digits naming an id from 0
 * to latest (the caller's organisation's own latest notification id, so that
 * a refusal tells nothing of other organisations').  Returns NULL and sets *out, or a one-sentence problem (static)
 * to report about the header.
 */
const char *stream_parse_last_event_id(const char *v, int64_t latest, int64_t *out);

/*
 * Answers r with a stream of org_id's notifications with id > after, for as
 * long as the session of token_hash (AUTH_TOKEN_HASH_BYTES, copied) lives.
 * Nothing is sent on error: TM_ERR_CONFLICT when the hub is closing,
 * TM_ERR_AUTH when that session is gone or expired, TM_ERR_LIMITED when the
 * client's address (req_client_addr) already holds the hub's limit of open
 * streams, TM_ERR_DB when the store fails.
 */
TM_MUST_CHECK int stream_hub_open(stream_hub *h, http_request *r, int64_t org_id, int64_t after,
                                  const unsigned char *token_hash);

#endif
