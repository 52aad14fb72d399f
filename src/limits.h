/*
 * limits.h: every bound techmatch puts on outside input, in one place.
 *
 * Each limit says what it protects.  Handlers, validators and parsers refer to
 * these names; no other file writes a literal bound for user input.
 */
#ifndef TM_LIMITS_H
#define TM_LIMITS_H

/* HTTP bodies, per route class (the route table picks one). */
#define LIM_BODY_SMALL        (16 * 1024)        /* login, register, small JSON */
#define LIM_BODY_LISTING      (128 * 1024)       /* one demand or achievement */
#define LIM_BODY_IMPORT       (16 * 1024 * 1024) /* bulk CSV / JSON Lines upload */

#define LIM_CONNECTIONS       10000  /* open HTTP connections at once, live streams included (the server raises its
                                        file-descriptor limit to fit, or lowers this to what the system allows) */
#define LIM_CONNS_PER_ADDRESS 128    /* default of --max-conns-per-address: connections one client address holds at
                                        once, so no one address takes all LIM_CONNECTIONS (browsers open about 6) */
#define LIM_STREAMS_PER_ADDRESS 32   /* default of --max-streams-per-address: live streams one address holds open */
#define LIM_HEADER_TIMEOUT_S  10     /* default of --header-timeout: seconds for a request's whole header block, from
                                        the connection's start or the end of its previous request; bytes trickling
                                        in do not restart it (libmicrohttpd's own 30 s timeout is an idle one) */
#define LIM_BODY_BUDGET       (256 * 1024 * 1024) /* bytes of request bodies buffered at once, all requests */
#define LIM_LOG_PATH          200    /* bytes of a request path written to the log */
#define LIM_LOG_MHD_LINES     10     /* libmicrohttpd's messages logged per LIM_LOG_MHD_WINDOW_S; the rest counted */
#define LIM_LOG_MHD_WINDOW_S  10
#define LIM_DEFERRED_THREADS  1      /* workers of deferred replies (argon2id: a core and 64 MiB each), so hashing
                                        never takes more than one core from the request threads */
#define LIM_DEFERRED_QUEUE    16     /* deferred replies waiting for a worker; more are 503 with Retry-After */

#define LIM_JSON_DEPTH        16     /* nesting of a request body; ours need 3 */
#define LIM_JSON_PATH         128    /* bytes of a member's path ("keywords[2]") named in an error */
#define LIM_URL_BYTES         2048   /* request target, checked before routing */
#define LIM_QUERY_PARAMS      64     /* parameters in one query string (ours use at most 10); more is 414.  Checked
                                        before libmicrohttpd stores them: each takes ~56 bytes of the connection's
                                        64 KiB, and 0.9.75 closes the connection without a reply when they overflow */
#define LIM_PATH_PARAMS       4      /* {id} captures in one route pattern */

/*
 * Ids and every integer read from a JSON body: 1..LIM_ID_MAX for an id, and
 * never beyond +-LIM_ID_MAX for any integer.  2^53 - 1 is the largest integer
 * a JSON number (an IEEE double, as in JavaScript) holds exactly; 2^53 + 1
 * already reads as 2^53, and 9223372036854775807 as 2^63, which no int64_t holds.
 */
#define LIM_ID_MAX            9007199254740991LL

/* Accounts. */
#define LIM_EMAIL             254    /* RFC 5321 path limit */
#define LIM_PASSWORD_MIN      10     /* characters (bytes of UTF-8) */
#define LIM_PASSWORD_MAX      512    /* bytes; argon2id takes any length, we bound it */
#define LIM_NAME              120    /* org_name, display_name: characters */
#define LIM_TOKEN             128    /* bytes of a bearer token as sent */

/* Failed-login limits (auth.h): an address is refused, an account only delayed. */
#define LIM_LOGIN_FAILS_ADDRESS  20     /* failures from one address in the window refuse it */
#define LIM_LOGIN_WINDOW_S       (15 * 60) /* an address's window; an account forgets failures this long past */
#define LIM_LOGIN_FREE_FAILS     3      /* failures in a row an account takes before any delay */
#define LIM_LOGIN_DELAY_MAX_S    8      /* an account's delay doubles from 1 s up to this */
#define LIM_LOGIN_TRACKED        4096   /* keys remembered; when full, least recent unrefused evicted first */

/* Registration (api_auth.c, registration.c): each address asks for few accounts; each request may send a mail. */
#define LIM_REGISTER_PER_ADDRESS 20     /* default of --register-limit: registrations per address in the window */
#define LIM_REGISTER_WINDOW_S    3600   /* the registration window of an address (shares the login table) */
#define LIM_MAIL_QUEUE           10000  /* messages waiting in the mail sender; more are refused and logged */

/* Listings (characters are Unicode code points, not bytes). */
#define LIM_TITLE             200
#define LIM_BODY_TEXT         10000  /* description / abstract */
#define LIM_KEYWORDS          20     /* items in keywords */
#define LIM_KEYWORD           40     /* characters per keyword */
#define LIM_FIELDS            8      /* field codes per listing */
#define LIM_MODES             5      /* cooperation / transfer modes (all of them) */
#define LIM_REGION            64
#define LIM_CONTACT           300
#define LIM_PATENT_NO         64
#define LIM_REF               100    /* external reference used by import */
#define LIM_MONEY_MAX         1000000000000LL /* yuan: one trillion, above any deal */

/* Lists and search. */
#define LIM_PAGE_DEFAULT      20
#define LIM_PAGE_MAX          100
#define LIM_QUERY             500    /* bytes of q= */
#define LIM_QUERY_TERMS       32     /* words of q= weighed (their rarity looked up); further ones are dropped */
#define LIM_SEARCH_TERMS      8      /* words of q= searched: the rarest (store/fts.h); the others are dropped */
#define LIM_SEARCH_ROWS       1000   /* matches a search ranks: the newest; beyond them it says "truncated" */
#define LIM_LIST_COUNT        10000  /* a list's total is counted up to this many; beyond it, "total_capped" */

/* Import. */
#define LIM_IMPORT_ROWS       20000  /* rows in one file */
#define LIM_IMPORT_LINE       (256 * 1024) /* bytes in one CSV record / JSONL line */
#define LIM_CSV_COLUMNS       40
#define LIM_IMPORT_BATCH      200    /* rows stored in one write transaction: other writes go on between batches */

/* Import jobs (import_job.h): imports run off the request threads, a bounded number at once. */
#define LIM_IMPORT_WORKERS    2      /* jobs running at once (threads); the rest wait in the queue */
#define LIM_IMPORT_JOBS       8      /* jobs queued or running; one more is 503 (serve --import-jobs lowers it) */
#define LIM_IMPORT_JOB_BYTES  (64 * 1024 * 1024) /* bytes of files held by jobs queued or running; more is 503
                                        (one file of any allowed size is always taken when no job holds any) */
#define LIM_IMPORT_KEPT       32     /* finished jobs kept for their creators to read; the oldest go first */
#define LIM_IMPORT_KEEP_S     3600   /* seconds a finished job is kept */

/* Push. */
#define LIM_DIGEST_MATCHES    100    /* matches in one digest event; the rest wait for the next */
#define LIM_NOTIFICATIONS_PAGE 100   /* notifications in one inbox page */
#define LIM_WEBHOOKS          20     /* endpoints an organisation may register */
#define LIM_WEBHOOK_DESCRIPTION 500  /* bytes of an endpoint's description */

/* The pipeline. */
#define LIM_REASON_TEXT       1000   /* bytes of a decision's free text */
#define LIM_NOTE              4000   /* bytes of a broker's note */
#define LIM_BULK              200    /* matches in one bulk decision */

/* The thesaurus brokers curate (api_thesaurus.c, store/thesaurus.c). */
#define LIM_THESAURUS_TERM    100    /* characters of a term */
#define LIM_THESAURUS_NOTE    200    /* characters of an entry's note */
#define LIM_THESAURUS_TOUCHED 1000   /* open listings of each side an entry change re-matches: the newest */

/* Tokenizer. */
#define LIM_TOKEN_BYTES       64     /* longer Latin words are cut at a character boundary */

#endif
