/*
 * stream.c: Server-Sent Events of the outbox (see stream.h).  The hub keeps
 * a list of open streams under one lock; waking a stream and forgetting it
 * (when its connection ends) both happen under that lock, so a wake never
 * reaches a stream that is gone.
 *
 * A stream lives no longer than the session that opened it.  It keeps the
 * session's token hash and expiry: a logout ends the streams of its token at
 * once (stream_hub_end_session), the heartbeat thread also wakes at the
 * earliest expiry and ends the streams whose session expired, and on each
 * heartbeat a stream re-reads its session (one indexed read) so that a
 * session deleted any other way ends it too.
 *
 * One client address may hold only so many streams (the hub's per_address):
 * a new one is counted against the open ones under the hub's lock, in the
 * same hold that links it, so parallel opens cannot pass the limit.
 */
#include "stream.h"
#include "log.h"
#include "mem.h"
#include "messages.h"
#include "sbuf.h"
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS_PER_FILL 50   /* notifications read from the store at once */

typedef struct stream {
    stream_hub *hub;
    http_stream *hs;
    int64_t org_id;
    int64_t last_id;           /* the last notification sent */
    sbuf out;                  /* formatted, not yet sent */
    size_t sent;               /* bytes of out already sent */
    atomic_int heartbeat;      /* a comment line is due */
    atomic_int ended;          /* its session ended: the next fill ends the response */
    unsigned char token_hash[AUTH_TOKEN_HASH_BYTES]; /* the session that opened it */
    int64_t expires_at;        /* that session's expiry, Unix seconds */
    char addr[INET6_ADDRSTRLEN]; /* the client's address, as req_client_addr gave it */
    struct stream *prev, *next;
} stream;

struct stream_hub {
    store *store;
    int heartbeat_seconds;
    size_t per_address;        /* open streams one client address may hold; 0: no limit */
    pthread_mutex_t lock;
    pthread_cond_t tick;
    pthread_t thread;
    int thread_started;
    stream *head;
    size_t count;
    int64_t wait_until;        /* the Unix second the heartbeat thread waits for */
    atomic_int closing;
};

/* Wakes every stream; caller holds h->lock. */
static void wake_all_locked(stream_hub *h, int heartbeat)
{
    for (stream *s = h->head; s; s = s->next) {
        if (heartbeat)
            atomic_store(&s->heartbeat, 1);
        http_stream_wake(s->hs);
    }
}

/* The wall clock in Unix seconds, the clock of session expiries and of the heartbeat's waits. */
static int64_t now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/* The earliest expiry of a stream not yet ended, or INT64_MAX; caller holds h->lock. */
static int64_t earliest_expiry_locked(stream_hub *h)
{
    int64_t first = INT64_MAX;
    for (stream *s = h->head; s; s = s->next) {
        if (!atomic_load(&s->ended) && s->expires_at < first)
            first = s->expires_at;
    }
    return first;
}

/* Marks and wakes every stream whose session expired at now, so that it ends; caller holds h->lock. */
static void end_expired_locked(stream_hub *h, int64_t now)
{
    for (stream *s = h->head; s; s = s->next) {
        if (!atomic_load(&s->ended) && s->expires_at <= now) {
            atomic_store(&s->ended, 1);
            http_stream_wake(s->hs);
        }
    }
}

/* Wakes every stream each heartbeat, and the streams whose session expired as soon as it does. */
static void *heartbeat_main(void *arg)
{
    stream_hub *h = arg;
    pthread_mutex_lock(&h->lock);
    int64_t beat = now_seconds() + h->heartbeat_seconds;
    while (!atomic_load(&h->closing)) {
        int64_t until = earliest_expiry_locked(h);
        if (until > beat)
            until = beat;
        h->wait_until = until;
        struct timespec ts = { .tv_sec = (time_t)until, .tv_nsec = 0 };
        /* Signalled: closing, or a stream opened that expires sooner; either way the loop looks again. */
        if (pthread_cond_timedwait(&h->tick, &h->lock, &ts) == 0 || atomic_load(&h->closing))
            continue;
        int64_t now = now_seconds();
        end_expired_locked(h, now);
        if (now >= beat) {
            wake_all_locked(h, 1);
            beat = now + h->heartbeat_seconds;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

stream_hub *stream_hub_new(store *s, int heartbeat_seconds, size_t per_address)
{
    stream_hub *h = xcalloc(1, sizeof *h);
    h->store = s;
    h->heartbeat_seconds = heartbeat_seconds;
    h->per_address = per_address;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->tick, NULL);
    atomic_init(&h->closing, 0);
    if (pthread_create(&h->thread, NULL, heartbeat_main, h) != 0) {
        log_error("stream: cannot start the heartbeat thread");
        stream_hub_free(h);
        return NULL;
    }
    h->thread_started = 1;
    return h;
}

void stream_hub_wake(void *hub)
{
    stream_hub *h = hub;
    pthread_mutex_lock(&h->lock);
    wake_all_locked(h, 0);
    pthread_mutex_unlock(&h->lock);
}

void stream_hub_end_session(stream_hub *h, const unsigned char *token_hash)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->lock);
    for (stream *s = h->head; s; s = s->next) {
        if (sodium_memcmp(s->token_hash, token_hash, sizeof s->token_hash) == 0) {
            atomic_store(&s->ended, 1);
            http_stream_wake(s->hs);
        }
    }
    pthread_mutex_unlock(&h->lock);
}

void stream_hub_close(stream_hub *h)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->lock);
    atomic_store(&h->closing, 1);
    pthread_cond_broadcast(&h->tick);
    wake_all_locked(h, 0);
    pthread_mutex_unlock(&h->lock);
    if (h->thread_started) {
        pthread_join(h->thread, NULL);
        h->thread_started = 0;
    }
}

void stream_hub_free(stream_hub *h)
{
    if (h == NULL)
        return;
    stream_hub_close(h);
    pthread_cond_destroy(&h->tick);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

size_t stream_hub_count(stream_hub *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->count;
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* Formats the organisation's notifications after last_id into s->out. */
static void load_events(stream *s)
{
    notification_page page;
    if (store_notifications_list(s->hub->store, s->org_id, s->last_id, EVENTS_PER_FILL, &page) != TM_OK)
        return; /* logged by the store; the next wake retries */
    for (size_t i = 0; i < page.n; i++) {
        const notification *n = &page.items[i];
        sbuf_printf(&s->out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)n->id, n->type, n->payload);
        s->last_id = n->id;
    }
    store_notification_page_cleanup(&page);
}

/*
 * Whether s's session has ended: a logout or the hub marked it, its expiry
 * passed, or (asked on a heartbeat only, to keep wakes cheap) the store no
 * longer has it.  A store error is not an end: the next heartbeat asks again.
 */
static int session_over(stream *s, int beat)
{
    int64_t now = now_seconds();
    if (atomic_load(&s->ended) || now >= s->expires_at)
        return 1;
    if (!beat)
        return 0;
    int64_t expires_at = 0;
    return store_session_expiry(s->hub->store, s->token_hash, sizeof s->token_hash, now, &expires_at) ==
           TM_ERR_NOT_FOUND;
}

static long stream_fill(void *ctx, char *buf, size_t max)
{
    stream *s = ctx;
    if (s->sent == s->out.len) {
        s->out.len = 0;
        s->sent = 0;
        int beat = atomic_exchange(&s->heartbeat, 0);
        if (atomic_load(&s->hub->closing) || session_over(s, beat))
            return -1;
        load_events(s);
        if (s->out.len == 0 && beat)
            sbuf_adds(&s->out, ": keep-alive\n\n");
        if (s->out.len == 0)
            return 0;
    }
    size_t n = s->out.len - s->sent;
    if (n > max)
        n = max;
    memcpy(buf, s->out.buf + s->sent, n);
    s->sent += n;
    return (long)n;
}

static void stream_done(void *ctx)
{
    stream *s = ctx;
    stream_hub *h = s->hub;
    pthread_mutex_lock(&h->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        h->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    h->count--;
    pthread_mutex_unlock(&h->lock);
    sbuf_cleanup(&s->out);
    free(s);
}

const char *stream_parse_last_event_id(const char *v, int64_t latest, int64_t *out)
{
    int64_t id = 0;
    *out = 0;
    if (*v == '\0')
        return NULL;
    for (const char *c = v; *c; c++) {
        if (*c < '0' || *c > '9' || c - v >= 18)
            return N_("must be the id of an event this stream sent");
        id = id * 10 + (*c - '0');
    }
    if (id > latest)
        return N_("is later than the latest event; reconnect without it");
    *out = id;
    return NULL;
}

/*
 * Whether addr already holds the hub's limit of open streams; caller holds
 * h->lock.  A walk over the open streams: an open is rare next to the events
 * the streams carry, and the list is bounded by the server's connections.
 */
static int address_full_locked(stream_hub *h, const char *addr)
{
    size_t n = 0;
    if (h->per_address == 0)
        return 0;
    for (stream *s = h->head; s && n < h->per_address; s = s->next) {
        if (strcmp(s->addr, addr) == 0)
            n++;
    }
    return n >= h->per_address;
}

int stream_hub_open(stream_hub *h, http_request *r, int64_t org_id, int64_t after, const unsigned char *token_hash)
{
    if (atomic_load(&h->closing))
        return TM_ERR_CONFLICT;
    int64_t expires_at = 0;
    int status = store_session_expiry(h->store, token_hash, AUTH_TOKEN_HASH_BYTES, now_seconds(), &expires_at);
    if (status != TM_OK)
        return status == TM_ERR_NOT_FOUND ? TM_ERR_AUTH : status;
    stream *s = xcalloc(1, sizeof *s);
    s->hub = h;
    s->org_id = org_id;
    s->last_id = after;
    s->expires_at = expires_at;
    memcpy(s->token_hash, token_hash, sizeof s->token_hash);
    snprintf(s->addr, sizeof s->addr, "%s", req_client_addr(r));
    atomic_init(&s->heartbeat, 0);
    atomic_init(&s->ended, 0);
    sbuf_init(&s->out);
    /* The first bytes go out at once, so the client knows the stream is open. */
    sbuf_adds(&s->out, "retry: 2000\n: connected\n\n");
    /*
     * Counted, answered and linked in one hold of the lock.  reply_stream only
     * builds the response (no byte is asked for before the handler returns, and
     * it calls nothing of the hub), so holding the lock over it is safe.
     */
    pthread_mutex_lock(&h->lock);
    int full = address_full_locked(h, s->addr);
    if (!full)
        s->hs = reply_stream(r, "text/event-stream", stream_fill, stream_done, s);
    if (s->hs == NULL) {
        pthread_mutex_unlock(&h->lock);
        sbuf_cleanup(&s->out);
        free(s);
        return full ? TM_ERR_LIMITED : TM_ERR_INTERNAL;
    }
    s->next = h->head;
    if (h->head)
        h->head->prev = s;
    h->head = s;
    h->count++;
    if (expires_at < h->wait_until)
        pthread_cond_broadcast(&h->tick); /* the heartbeat thread waits past this expiry: wake it to look again */
    pthread_mutex_unlock(&h->lock);
    return TM_OK;
}
