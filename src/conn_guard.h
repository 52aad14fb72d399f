/*
 * conn_guard.h: the deadline for a request's headers, which bytes trickling
 * in do not restart (issue 13, item 2).
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that sends
 * one header byte every few seconds keeps its connection forever.  The guard
 * gives each connection a fixed deadline for a request's whole header block,
 * counted from the connection's start and again from the end of each request
 * on a keep-alive connection; a watcher thread shuts down (shutdown(2), never
 * close(2): the socket stays libmicrohttpd's) the socket of a connection whose
 * headers are late, and libmicrohttpd then closes it as a client gone.  The
 * deadline is off while a request is handled, its body read or its response
 * sent (a live stream included).
 *
 * Use: conn_guard_new before MHD_start_daemon; conn_guard_notify as
 * MHD_OPTION_NOTIFY_CONNECTION with the guard as its closure;
 * conn_guard_headers_in when the access handler is first called for a
 * request, conn_guard_request_done in the request-completed callback;
 * conn_guard_free after MHD_stop_daemon.
 *
 * Ownership: the guard owns one small record per open connection, made in
 * the STARTED notification and freed in the CLOSED one.  libmicrohttpd calls
 * CLOSED before it closes the socket, and the watcher touches a socket only
 * under the guard's lock, which CLOSED also takes, so no descriptor is used
 * after libmicrohttpd closed (and maybe reused) it.
 *
 * Thread-safe: every function may be called from any of the server's threads.
 */
#ifndef TM_CONN_GUARD_H
#define TM_CONN_GUARD_H
#include <microhttpd.h>

typedef struct conn_guard conn_guard;

/*
 * Starts a guard whose deadline is header_timeout_s seconds (at least 1) and
 * its watcher thread.  Returns it (the caller frees it with conn_guard_free),
 * or NULL when the thread cannot start (logged).
 */
conn_guard *conn_guard_new(unsigned header_timeout_s);
/* Stops the watcher and frees the guard; call once libmicrohttpd has stopped.  Accepts NULL. */
void conn_guard_free(conn_guard *g);

/* libmicrohttpd's MHD_NotifyConnectionCallback; cls is the guard. */
void conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe);
/* c's request has all its headers: its deadline is off.  Does nothing for a connection without a guard. */
void conn_guard_headers_in(struct MHD_Connection *c);
/* c's request has ended: the next request's headers are due within the deadline from now.  Same. */
void conn_guard_request_done(struct MHD_Connection *c);

#endif
