/*
 * conn_guard.c: the fixed deadline for a request's headers (see
 * conn_guard.h).  Each connection has a record; a record whose headers are
 * awaited sits in one queue, ordered by deadline because every deadline is
 * "now plus the same timeout" taken under the lock.  The watcher thread sleeps
 * until the first deadline (and a quarter second more, so that a flood is cut
 * and logged in batches), shuts down the sockets that are due and drops them
 * from the queue, so each tick costs only the connections it cuts.
 */
#include "conn_guard.h"
#include "log.h"
#include "mem.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define NS_PER_S 1000000000LL
#define BATCH_NS (250 * 1000000LL) /* the watcher waits this long past a deadline, to cut (and log) in batches */

typedef struct guarded {
    conn_guard *guard;
    MHD_socket fd;
    int64_t deadline;          /* CLOCK_MONOTONIC nanoseconds, while queued */
    int queued;                /* its headers are awaited */
    struct guarded *prev, *next;
} guarded;

struct conn_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* on CLOCK_MONOTONIC: signalled only to stop the watcher */
    pthread_t thread;
    int stopping;
    int64_t timeout;           /* nanoseconds */
    guarded *head, *tail;      /* awaited headers, earliest deadline first */
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Takes e out of the queue if it is in it; caller holds the lock. */
static void dequeue_locked(conn_guard *g, guarded *e)
{
    if (!e->queued)
        return;
    if (e->prev)
        e->prev->next = e->next;
    else
        g->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        g->tail = e->prev;
    e->prev = e->next = NULL;
    e->queued = 0;
}

/* Puts e at the end of the queue, due one timeout from now; caller holds the lock. */
static void enqueue_locked(conn_guard *g, guarded *e)
{
    dequeue_locked(g, e);
    e->deadline = now_ns() + g->timeout;
    e->prev = g->tail;
    if (g->tail)
        g->tail->next = e;
    else
        g->head = e;
    g->tail = e;
    e->queued = 1;
}

/*
 * Shuts down every socket whose deadline has passed; caller holds the lock.
 * Returns how many.  shutdown() makes libmicrohttpd's poll see the end of the
 * stream, so it closes the connection as a client gone and says CLOSED.
 */
static size_t cut_late_locked(conn_guard *g, int64_t now)
{
    size_t n = 0;
    while (g->head && g->head->deadline <= now) {
        guarded *e = g->head;
        (void)shutdown(e->fd, SHUT_RDWR);
        dequeue_locked(g, e);
        n++;
    }
    return n;
}

static void *watcher_main(void *arg)
{
    conn_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        int64_t now = now_ns();
        size_t cut = cut_late_locked(g, now);
        if (cut > 0) {
            /* Logged outside the lock: a slow log must not hold up the requests that take it. */
            pthread_mutex_unlock(&g->lock);
            log_info("closed %zu connection(s) whose request headers were not in within %lld s", cut,
                     (long long)(g->timeout / NS_PER_S));
            pthread_mutex_lock(&g->lock);
            continue; /* look again: time has passed */
        }
        /*
         * With the queue empty, one timeout from now: whatever is queued meanwhile
         * (now read under this lock too) is due no sooner.  So no request needs to
         * wake the watcher.
         */
        int64_t wake = (g->head ? g->head->deadline : now + g->timeout) + BATCH_NS;
        struct timespec until = { (time_t)(wake / NS_PER_S), (long)(wake % NS_PER_S) };
        (void)pthread_cond_timedwait(&g->wake, &g->lock, &until);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

conn_guard *conn_guard_new(unsigned header_timeout_s)
{
    conn_guard *g = xcalloc(1, sizeof *g);
    pthread_condattr_t attr;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &attr);
    pthread_condattr_destroy(&attr);
    g->timeout = (int64_t)(header_timeout_s > 0 ? header_timeout_s : 1) * NS_PER_S;
    if (pthread_create(&g->thread, NULL, watcher_main, g) != 0) {
        log_error("cannot start the thread that closes connections whose headers are late");
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void conn_guard_free(conn_guard *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
    conn_guard *g = cls;
    if (g == NULL)
        return;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (fd == NULL)
            return; /* no socket to cut: the connection goes unguarded, as before */
        guarded *e = xcalloc(1, sizeof *e);
        e->guard = g;
        e->fd = fd->connect_fd;
        pthread_mutex_lock(&g->lock);
        enqueue_locked(g, e);
        pthread_mutex_unlock(&g->lock);
        *socket_context = e;
        return;
    }
    /* CLOSED comes before libmicrohttpd closes the socket: after this, the watcher cannot reach it. */
    guarded *e = *socket_context;
    if (e == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    dequeue_locked(g, e);
    pthread_mutex_unlock(&g->lock);
    free(e);
    *socket_context = NULL;
}

/* c's record, or NULL when it has none. */
static guarded *record_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void conn_guard_headers_in(struct MHD_Connection *c)
{
    guarded *e = record_of(c);
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->guard->lock);
    dequeue_locked(e->guard, e);
    pthread_mutex_unlock(&e->guard->lock);
}

void conn_guard_request_done(struct MHD_Connection *c)
{
    guarded *e = record_of(c);
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->guard->lock);
    enqueue_locked(e->guard, e);
    pthread_mutex_unlock(&e->guard->lock);
}
