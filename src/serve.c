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
#include "import_job.h"
#include "limits.h"
#include "lexicon.h"
#include "log.h"
#include "mail.h"
#include "matching.h"
#include "metrics.h"
#include "parse.h"
#include "push.h"
#include "store.h"
#include "stream.h"
#include "webhook.h"
#include <curl/curl.h>
#include <sodium.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_SESSION_TTL (7 * 24 * 3600)
#define DEFAULT_DIGEST_PERIOD (24 * 3600)
#define DEFAULT_HEARTBEAT 15
#define DEFAULT_REGISTRATION_TTL (24 * 3600)
#define SYNC_SECONDS 2   /* how often the matcher catches up with writes of other processes */

static const char serve_usage[] =
    "usage: techmatch serve [--listen HOST:PORT] [--db PATH] [--session-ttl SECONDS]\n"
    "                       [--digest-period SECONDS] [--stream-heartbeat SECONDS]\n"
    "                       [--allow-private-webhooks] [--webhook-attempts N] [--webhook-retry-ms MS]\n"
    "                       [--webhook-timeout-ms MS] [--tls-cert FILE --tls-key FILE] [--public-url URL]\n"
    "                       [--smtp-url URL --mail-from ADDRESS] [--registration-ttl SECONDS] [--register-limit N]\n"
    "                       [--metrics-allow LIST] [--metrics-token-file FILE]\n"
    "                       [--max-conns-per-address N] [--max-streams-per-address N] [--header-timeout SECONDS]\n"
    "                       [--import-jobs N] [--lexicon FILE]\n"
    "\n"
    "  --listen HOST:PORT     address to serve on (default 127.0.0.1:8080; port 0 = any free port)\n"
    "  --db PATH              SQLite database file (default ./techmatch.db; created if missing)\n"
    "  --session-ttl SECONDS  how long a login token lives (default 604800, 7 days)\n"
    "  --digest-period SECONDS  how often an enterprise taking digests gets one (default 86400, a day)\n"
    "  --stream-heartbeat SECONDS  comment lines on idle live streams (default 15)\n"
    "  --allow-private-webhooks  allow webhook endpoints on loopback and private addresses\n"
    "  --webhook-attempts N   attempts before an endpoint is disabled (default 8)\n"
    "  --webhook-retry-ms MS  first retry delay, doubling each time (default 5000)\n"
    "  --webhook-timeout-ms MS  one delivery attempt, connection included (default 10000)\n"
    "  --tls-cert FILE, --tls-key FILE  serve HTTPS with this PEM certificate (chain) and key\n"
    "  --public-url URL       the http:// or https:// address users reach (a proxy in front); https makes\n"
    "                         the session cookie Secure\n"
    "  --smtp-url URL         send mail through this SMTP server (smtp://HOST:PORT, STARTTLS when offered, or\n"
    "                         smtps://); registration is then confirmed by a mailed link (needs --public-url)\n"
    "  --mail-from ADDRESS    the sender of those mails (required with --smtp-url)\n"
    "  --registration-ttl SECONDS  how long a mailed registration link works (default 86400, a day)\n"
    "  --register-limit N     registrations one client address may ask for an hour (default 20; 0: no limit)\n"
    "  --metrics-allow LIST   addresses and networks that may read GET /metrics, comma-separated, or none\n"
    "                         (default 127.0.0.0/8,::1; a request through a proxy needs the token)\n"
    "  --metrics-token-file FILE  a token (16+ printable characters) that lets anyone read GET /metrics\n"
    "                         with Authorization: Bearer TOKEN\n"
    "  --max-conns-per-address N  connections one client address may hold open (default 128; 0 = no limit)\n"
    "  --max-streams-per-address N  live streams one client address may hold open (default 32; 0 = no limit);\n"
    "                         behind a proxy every client has its address: set both to 0 and limit in the proxy\n"
    "  --header-timeout SECONDS  a request's headers must be in within this long, however slowly they\n"
    "                         come (default 10)\n"
    "  --import-jobs N        bulk imports queued or running at once, 1 to 8 (default 8); more are refused\n"
    "                         with 503 until one finishes\n"
    "  --lexicon FILE         the word list explanations cut shared Chinese terms at (default\n"
    "                         " MT_LEXICON_DEFAULT_PATH ", from friso-dict;\n"
    "                         \"\" for none: shared terms are then shown as runs of characters)\n"
    "\n"
    "Prints 'techmatch: listening on http://HOST:PORT' when ready. SIGINT or SIGTERM stops it.\n";

int cli_parse_listen(const char *arg, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(arg, ':');
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
    int64_t p = 0;
    if (parse_int64(colon + 1, 0, 65535, &p) != TM_OK)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (int)p;
    return 0;
}

/* What a commit that wrote notifications wakes: the live streams and the webhook sender. */
typedef struct channels {
    stream_hub *streams;
    webhook_sender *sender;
} channels;

static void wake_channels(void *ctx)
{
    channels *ch = ctx;
    stream_hub_wake(ch->streams);
    webhook_sender_wake(ch->sender);
}

/* Parses a whole-number option in [lo, hi]; prints the error and returns -1 when it is not one. */
static int long_arg(const char *arg, long lo, long hi, const char *name, long *out)
{
    int64_t v = 0;
    if (parse_int64(arg, lo, hi, &v) != TM_OK) {
        fprintf(stderr, "techmatch serve: %s must be %ld to %ld\n", name, lo, hi);
        return -1;
    }
    *out = (long)v;
    return 0;
}

/*
 * Checks the mail options: both or neither of --smtp-url and --mail-from, a
 * smtp:// or smtps:// URL, a plain address, and --public-url for the links.
 * Returns 0, or -1 after saying why on stderr.
 */
static int mail_args(const char *smtp_url, const char *mail_from, const char *public_url)
{
    const char *why = NULL;
    if ((smtp_url == NULL) != (mail_from == NULL))
        why = "--smtp-url and --mail-from go together";
    else if (smtp_url && strncasecmp(smtp_url, "smtp://", 7) != 0 && strncasecmp(smtp_url, "smtps://", 8) != 0)
        why = "--smtp-url must be an smtp:// or smtps:// URL";
    else if (mail_from && (strchr(mail_from, '@') == NULL || strpbrk(mail_from, " <>,;\r\n\t") != NULL))
        why = "--mail-from must be one address, such as techmatch@example.org";
    else if (smtp_url && public_url == NULL)
        why = "--smtp-url needs --public-url: the mailed links point there";
    if (why)
        fprintf(stderr, "techmatch serve: %s\n", why);
    return why ? -1 : 0;
}

/*
 * Reads --public-url: an http:// or https:// URL with a host and no spaces
 * or control characters; sets *https.  Returns 0, or -1 after saying why on
 * stderr.
 */
static int public_url_arg(const char *url, int *https)
{
    size_t scheme = 0;
    *https = 0;
    if (strncasecmp(url, "https://", 8) == 0) {
        scheme = 8;
        *https = 1;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        scheme = 7;
    }
    int ok = scheme > 0 && url[scheme] != '\0' && url[scheme] != '/';
    for (const char *p = url; ok && *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            ok = 0;
    }
    if (!ok) {
        fprintf(stderr, "techmatch serve: --public-url must be an http:// or https:// URL with a host, "
                        "such as https://techmatch.example.org\n");
        return -1;
    }
    return 0;
}

int cli_serve(int argc, char **argv)
{
    long wcfg_attempts = 0, wcfg_retry = 0, wcfg_timeout = 0;
    const char *tls_cert_path = NULL, *tls_key_path = NULL;
    const char *smtp_url = NULL, *mail_from = NULL, *public_url = NULL;
    long registration_ttl = DEFAULT_REGISTRATION_TTL, register_limit = LIM_REGISTER_PER_ADDRESS;
    mail_config mcfg;
    const char *metrics_allow = NULL, *metrics_token_file = NULL;
    char *tls_cert = NULL, *tls_key = NULL;
    int wcfg_private = 0, public_https = 0;
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "db", required_argument, NULL, 'd' },
        { "session-ttl", required_argument, NULL, 't' },
        { "digest-period", required_argument, NULL, 'g' },
        { "stream-heartbeat", required_argument, NULL, 'b' },
        { "allow-private-webhooks", no_argument, NULL, 'p' },
        { "webhook-attempts", required_argument, NULL, 'n' },
        { "webhook-retry-ms", required_argument, NULL, 'r' },
        { "webhook-timeout-ms", required_argument, NULL, 'o' },
        { "tls-cert", required_argument, NULL, 'C' },
        { "tls-key", required_argument, NULL, 'K' },
        { "public-url", required_argument, NULL, 'u' },
        { "smtp-url", required_argument, NULL, 'S' },
        { "mail-from", required_argument, NULL, 'F' },
        { "registration-ttl", required_argument, NULL, 'R' },
        { "register-limit", required_argument, NULL, 'L' },
        { "metrics-allow", required_argument, NULL, 'm' },
        { "metrics-token-file", required_argument, NULL, 'T' },
        { "max-conns-per-address", required_argument, NULL, 'A' },
        { "max-streams-per-address", required_argument, NULL, 'Q' },
        { "header-timeout", required_argument, NULL, 'H' },
        { "import-jobs", required_argument, NULL, 'j' },
        { "lexicon", required_argument, NULL, 'X' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *listen = "127.0.0.1:8080", *db = "techmatch.db";
    long max_imports = LIM_IMPORT_JOBS;
    long ttl = DEFAULT_SESSION_TTL, digest_period = DEFAULT_DIGEST_PERIOD, heartbeat = DEFAULT_HEARTBEAT;
    long conns_per_address = LIM_CONNS_PER_ADDRESS, streams_per_address = LIM_STREAMS_PER_ADDRESS;
    long header_timeout = LIM_HEADER_TIMEOUT_S;
    char host[64];
    int port, c, bound = 0, status = 1;
    app a = { 0 };
    webhook_config wcfg;
    webhook_sender *sender = NULL;
    channels ch = { NULL, NULL };
    http_server *srv = NULL;
    sigset_t sigs;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'd': db = optarg; break;
        case 't':
            if (long_arg(optarg, 1, 366L * 24 * 3600, "--session-ttl", &ttl) != 0)
                return 2;
            break;
        case 'g':
            if (long_arg(optarg, 1, 31L * 24 * 3600, "--digest-period", &digest_period) != 0)
                return 2;
            break;
        case 'b':
            if (long_arg(optarg, 1, 3600, "--stream-heartbeat", &heartbeat) != 0)
                return 2;
            break;
        case 'p': wcfg_private = 1; break;
        case 'n':
            if (long_arg(optarg, 1, 100, "--webhook-attempts", &wcfg_attempts) != 0)
                return 2;
            break;
        case 'r':
            if (long_arg(optarg, 1, 3600L * 1000, "--webhook-retry-ms", &wcfg_retry) != 0)
                return 2;
            break;
        case 'o':
            if (long_arg(optarg, 100, 600L * 1000, "--webhook-timeout-ms", &wcfg_timeout) != 0)
                return 2;
            break;
        case 'C': tls_cert_path = optarg; break;
        case 'K': tls_key_path = optarg; break;
        case 'u':
            if (public_url_arg(optarg, &public_https) != 0)
                return 2;
            public_url = optarg;
            break;
        case 'S': smtp_url = optarg; break;
        case 'F': mail_from = optarg; break;
        case 'R':
            if (long_arg(optarg, 1, 30L * 24 * 3600, "--registration-ttl", &registration_ttl) != 0)
                return 2;
            break;
        case 'L':
            if (long_arg(optarg, 0, 1000000, "--register-limit", &register_limit) != 0)
                return 2;
            break;
        case 'm': metrics_allow = optarg; break;
        case 'T': metrics_token_file = optarg; break;
        case 'A':
            if (long_arg(optarg, 0, LIM_CONNECTIONS, "--max-conns-per-address", &conns_per_address) != 0)
                return 2;
            break;
        case 'Q':
            if (long_arg(optarg, 0, LIM_CONNECTIONS, "--max-streams-per-address", &streams_per_address) != 0)
                return 2;
            break;
        case 'H':
            if (long_arg(optarg, 1, 3600, "--header-timeout", &header_timeout) != 0)
                return 2;
            break;
        case 'j':
            if (long_arg(optarg, 1, LIM_IMPORT_JOBS, "--import-jobs", &max_imports) != 0)
                return 2;
            break;
        case 'X': matching_set_lexicon_path(optarg); break;
        case 'h': fputs(serve_usage, stdout); return 0;
        default: fputs(serve_usage, stderr); return 2;
        }
    }
    if (optind < argc || cli_parse_listen(listen, host, sizeof host, &port) != 0) {
        fputs(serve_usage, stderr);
        return 2;
    }
    if (mail_args(smtp_url, mail_from, public_url) != 0)
        return 2;
    if ((tls_cert_path == NULL) != (tls_key_path == NULL)) {
        fprintf(stderr, "techmatch serve: --tls-cert and --tls-key go together\n");
        return 2;
    }
    const char *metrics_problem = metrics_configure(metrics_allow, metrics_token_file);
    if (metrics_problem) {
        fprintf(stderr, "techmatch serve: %s\n", metrics_problem);
        return 2;
    }
    if (tls_cert_path) {
        size_t n;
        tls_cert = cli_read_file(tls_cert_path, &n);
        tls_key = tls_cert ? cli_read_file(tls_key_path, &n) : NULL;
        if (tls_key == NULL) {
            fprintf(stderr, "techmatch serve: cannot read %s\n", tls_cert ? tls_key_path : tls_cert_path);
            free(tls_cert);
            return 1;
        }
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("libcurl failed to initialise");
        return 1;
    }
    if (auth_init() != TM_OK) {
        log_error("libsodium failed to initialise");
        return 1;
    }
    a.session_ttl = ttl;
    a.tls_cert = tls_cert;
    a.tls_key = tls_key;
    a.secure_cookie = tls_cert != NULL || public_https;
    a.register_limit = (int)register_limit;
    a.registration.public_url = public_url;
    a.registration.ttl = registration_ttl;
    if (store_open(db, &a.store) != TM_OK) {
        log_error("cannot start: the database %s could not be opened or migrated (see above)", db);
        return 1;
    }
    store_queue_matching(a.store); /* every listing this server writes is matched, even across a crash */
    if (store_fields_load(a.store, &a.tax) != TM_OK)
        goto out;
    a.limiter = auth_limiter_new();
    a.registration.store = a.store;
    if (smtp_url) {
        mail_config_default(&mcfg);
        mcfg.url = smtp_url;
        mcfg.from = mail_from;
        a.registration.mail = mail_sender_start(&mcfg);
        if (a.registration.mail == NULL)
            goto out;
    }
    if (matching_open(a.store, &a.matching) != TM_OK) {
        log_error("cannot start: the matcher's indexes could not be built");
        goto out;
    }
    size_t recovered = 0;
    if (matching_recover(a.matching, a.store, &recovered) != TM_OK)
        log_warn("matcher: could not match every listing left unmatched by a crash; will retry at the next start");
    else if (recovered > 0)
        log_info("matcher: matched %zu listing(s) left unmatched by a crash", recovered);

    /* Block the stop signals before any thread starts, so all threads inherit the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    a.streams = stream_hub_new(a.store, (int)heartbeat, (size_t)streams_per_address);
    if (a.streams == NULL)
        goto out;
    a.imports = import_jobs_start(a.store, a.matching, a.tax, (size_t)max_imports);
    if (a.imports == NULL)
        goto out;
    webhook_config_default(&wcfg);
    wcfg.allow_private = wcfg_private;
    a.allow_private_webhooks = wcfg_private;
    if (wcfg_attempts > 0)
        wcfg.attempts = (int)wcfg_attempts;
    if (wcfg_retry > 0)
        wcfg.retry_ms = wcfg_retry;
    if (wcfg_timeout > 0)
        wcfg.timeout_ms = wcfg_timeout;
    sender = webhook_sender_start(a.store, &wcfg);
    if (sender == NULL)
        goto out;
    ch.streams = a.streams;
    ch.sender = sender;
    store_set_notify_hook(a.store, wake_channels, &ch);
    http_config hc = { .app = &a, .authenticate = app_authenticate, .tls_cert = a.tls_cert, .tls_key = a.tls_key,
                       .conns_per_address = (unsigned)conns_per_address, .header_timeout_s = (unsigned)header_timeout };
    if (http_server_start(host, port, &hc, &srv, &bound) != TM_OK)
        goto out;
    printf(strchr(host, ':') ? "techmatch: listening on %s://[%s]:%d\n" : "techmatch: listening on %s://%s:%d\n",
           tls_cert ? "https" : "http", host, bound);
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
        int rc = store_digests_run(a.store, (int64_t)time(NULL), digest_period, push_match_payload, NULL, &sent);
        /* A full disk is logged once by the store; the digests wait for space, tried again each tick. */
        if (rc != TM_OK && rc != TM_ERR_FULL)
            log_warn("push: could not send the digests due; will retry");
        else if (sent > 0)
            log_info("push: sent %zu digest(s)", sent);
    }
    log_info("received %s; finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    stream_hub_close(a.streams);
    http_server_stop(srv);
    import_jobs_stop(a.imports); /* after the server: no job is submitted or read any more */
    a.imports = NULL;
    webhook_sender_stop(sender);
    sender = NULL;
    mail_sender_stop(a.registration.mail);
    a.registration.mail = NULL;
    status = 0;
out:
    if (a.store)
        store_set_notify_hook(a.store, NULL, NULL);
    webhook_sender_stop(sender);
    import_jobs_stop(a.imports);
    stream_hub_free(a.streams);
    matching_close(a.matching);
    mail_sender_stop(a.registration.mail);
    auth_limiter_free(a.limiter);
    taxonomy_free(a.tax);
    store_close(a.store);
    curl_global_cleanup();
    free(tls_cert);
    if (tls_key) {
        sodium_memzero(tls_key, strlen(tls_key));
        free(tls_key);
    }
    if (status == 0)
        log_info("stopped cleanly");
    return status;
}
