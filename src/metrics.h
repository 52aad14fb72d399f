/*
 * metrics.h: GET /metrics, the server's figures in Prometheus's text
 * exposition format (version 0.0.4), for an operator's monitoring.
 *
 * Two kinds of figure.  Counters and latency histograms of the HTTP requests
 * are kept here, lock-free (C11 atomics, relaxed: each figure is exact, a
 * scrape is not one instant), fed by the dispatcher once per completed
 * request (metrics_request_done).  Requests are labelled by the route table's
 * pattern (/api/demands/{id}), never the path as sent, so the number of
 * series is bounded by the table; a request that matched no route (the web
 * UI's files, 404s) is route="other".  Gauges are read when scraped: open
 * live streams, the outbox's and the webhook deliveries' backlog, the match
 * queue, the matcher's index sizes, the login limiter's state and the
 * process's basics.
 *
 * Access: the route's role is ROLE_OPERATOR (http.h), so the dispatcher reads
 * no session for it and asks metrics_admit instead.  A client whose address
 * is in the allowed list (--metrics-allow; default 127.0.0.0/8 and ::1) is
 * let in, unless the request came through a proxy (it carries Forwarded or
 * X-Forwarded-For: behind nginx on the same machine every client would look
 * like loopback); anyone presenting Authorization: Bearer <the metrics token>
 * (--metrics-token-file) is let in.  Everyone else gets 403: the route is in
 * the published API description, so a 404 would hide nothing and would only
 * mislead an operator whose scrape is refused.
 *
 * Thread-safety: metrics_configure runs once before the server starts (not
 * thread-safe); everything else is safe from any thread.  The state is
 * process-wide (one server a process).  The token is kept only as its hash
 * (auth.h), never logged.
 */
#ifndef TM_METRICS_H
#define TM_METRICS_H
#include "http.h"

/*
 * Sets who may scrape, and marks the process's start.  allow is a
 * comma-separated list of IPv4 and IPv6 addresses and CIDR networks
 * ("127.0.0.0/8,::1", the default when NULL), or "none"; token_file (or NULL:
 * no token) names a file holding the token, at least 16 printable ASCII
 * characters without spaces (a final newline is ignored).  Returns NULL, or a
 * one-sentence problem (static) for the caller to print; then nothing changed.
 */
const char *metrics_configure(const char *allow, const char *token_file);

/*
 * Counts one completed request: rt is the route it matched (NULL for none),
 * method as sent (only known methods are kept as labels), status the code
 * answered (0: none was, and nothing is counted), seconds from its start to
 * its completion.  Lock-free; any thread.
 */
void metrics_request_done(const route *rt, const char *method, unsigned status, double seconds);

/*
 * The dispatcher's check for a ROLE_OPERATOR route: returns 1 when r may be
 * answered (see the top comment), else replies 403 and returns 0.
 */
int metrics_admit(http_request *r);

/* GET /metrics: answers text/plain; version=0.0.4 (the counters, then the gauges read now). */
void metrics_get(http_request *r);

#endif
