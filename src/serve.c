/*
 * serve.c: `techmatch serve`: opens the store, starts the HTTP server, and
 * waits for SIGINT or SIGTERM to shut down cleanly (requests in flight finish,
 * then the database is closed).
 *
 * Signals are blocked in every thread and taken synchronously (sigtimedwait)
 * in the main thread, so no handler runs in signal context; between signals
 * the main thread lets the matcher catch up with listings that other
 * processes (techmatch import) wrote to the same database.
 */
#include "app.h"
#include "auth.h"
#include "cli.h"
#include "http.h"
#include "log.h"
#include "matching.h"
#include "push.h"
#include "store.h"
#include "stream.h"
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_SESSION_TTL (7 * 24 * 3600)
#define DEFAULT_DIGEST_PERIOD (24 * 3600)
#define DEFAULT_HEARTBEAT 15
#define SYNC_SECONDS 2   /* how often the matcher catches up with writes of other processes */

static const char serve_usage[] =
    "usage: techmatch serve [--listen HOST:PORT] [--db PATH] [--session-ttl SECONDS]\n"
    "                       [--digest-period SECONDS] [--stream-heartbeat SECONDS]\n"
    "\n"
    "  --listen HOST:PORT     address to serve on (default 127.0.0.1:8080; port 0 = any free port)\n"
    "  --db PATH              SQLite database file (default ./techmatch.db; created if missing)\n"
    "  --session-ttl SECONDS  how long a login token lives (default 604800, 7 days)\n"
    "  --digest-period SECONDS  how often an enterprise taking digests gets one (default 86400, a day)\n"
    "  --stream-heartbeat SECONDS  comment lines on idle live streams (default 15)\n"
    "\n"
    "Prints 'techmatch: listening on http://HOST:PORT' when ready. SIGINT or SIGTERM stops it.\n";

int cli_parse_listen(const char *arg, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(arg, ':');
    char *end = NULL;
    if (colon == NULL || colon == arg)
        return -1;
    const char *h = arg;
    size_t n = (size_t)(colon - arg);
    if (h[0] == '[') {
        if (n < 2 || h[n - 1] != ']')
            return -1;
        h++;
        n -= 2;
    }
    if (n == 0 || n >= hostlen)
        return -1;
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (int)p;
    return 0;
}

int cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "db", required_argument, NULL, 'd' },
        { "session-ttl", required_argument, NULL, 't' },
        { "digest-period", required_argument, NULL, 'g' },
        { "stream-heartbeat", required_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *listen = "127.0.0.1:8080", *db = "techmatch.db";
    long ttl = DEFAULT_SESSION_TTL, digest_period = DEFAULT_DIGEST_PERIOD, heartbeat = DEFAULT_HEARTBEAT;
    char host[64];
    int port, c, bound = 0, status = 1;
    char *end;
    app a = { 0 };
    http_server *srv = NULL;
    sigset_t sigs;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'd': db = optarg; break;
        case 't':
            ttl = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || ttl < 1 || ttl > 366L * 24 * 3600) {
                fprintf(stderr, "techmatch serve: --session-ttl must be 1 to 31622400 seconds\n");
                return 2;
            }
            break;
        case 'g':
            digest_period = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || digest_period < 1 || digest_period > 31L * 24 * 3600) {
                fprintf(stderr, "techmatch serve: --digest-period must be 1 to 2678400 seconds\n");
                return 2;
            }
            break;
        case 'b':
            heartbeat = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || heartbeat < 1 || heartbeat > 3600) {
                fprintf(stderr, "techmatch serve: --stream-heartbeat must be 1 to 3600 seconds\n");
                return 2;
            }
            break;
        case 'h': fputs(serve_usage, stdout); return 0;
        default: fputs(serve_usage, stderr); return 2;
        }
    }
    if (optind < argc || cli_parse_listen(listen, host, sizeof host, &port) != 0) {
        fputs(serve_usage, stderr);
        return 2;
    }
    if (auth_init() != TM_OK) {
        log_error("libsodium failed to initialise");
        return 1;
    }
    a.session_ttl = ttl;
    if (store_open(db, &a.store) != TM_OK) {
        log_error("cannot start: the database %s could not be opened or migrated (see above)", db);
        return 1;
    }
    if (store_fields_load(a.store, &a.tax) != TM_OK)
        goto out;
    a.limiter = auth_limiter_new();
    if (matching_open(a.store, &a.matching) != TM_OK) {
        log_error("cannot start: the matcher's indexes could not be built");
        goto out;
    }

    /* Block the stop signals before any thread starts, so all threads inherit the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    a.streams = stream_hub_new(a.store, (int)heartbeat);
    if (a.streams == NULL)
        goto out;
    store_set_notify_hook(a.store, stream_hub_wake, a.streams);
    if (http_server_start(host, port, &a, &srv, &bound) != TM_OK)
        goto out;
    printf(strchr(host, ':') ? "techmatch: listening on http://[%s]:%d\n" : "techmatch: listening on http://%s:%d\n",
           host, bound);
    fflush(stdout);
    /*
     * Wait for a stop signal; meanwhile catch up with listings other processes
     * wrote, and send the digests that are due.
     */
    int sig;
    for (;;) {
        struct timespec every = { SYNC_SECONDS, 0 };
        sig = sigtimedwait(&sigs, NULL, &every);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (matching_sync(a.matching, a.store) != TM_OK)
            log_warn("matcher: could not catch up with listings written elsewhere; will retry");
        size_t sent = 0;
        if (store_digests_run(a.store, (int64_t)time(NULL), digest_period, push_match_payload, NULL, &sent) != TM_OK)
            log_warn("push: could not send the digests due; will retry");
        else if (sent > 0)
            log_info("push: sent %zu digest(s)", sent);
    }
    log_info("received %s; finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    stream_hub_close(a.streams);
    http_server_stop(srv);
    status = 0;
out:
    store_set_notify_hook(a.store, NULL, NULL);
    stream_hub_free(a.streams);
    matching_close(a.matching);
    auth_limiter_free(a.limiter);
    taxonomy_free(a.tax);
    store_close(a.store);
    if (status == 0)
        log_info("stopped cleanly");
    return status;
}
