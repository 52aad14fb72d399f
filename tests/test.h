/*
 * test.h: the assertion macros and helpers every tests/test_*.c uses.
 *
 * A failed CHECK records the failure and goes on; REQUIRE returns from the test.
 * Tests are registered in tests/test_list.h.
 */
#ifndef TM_TEST_H
#define TM_TEST_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Marks the running test skipped, with the reason the runner prints ("skip NAME: reason"); the test
 * then returns.  A skipped test counts as passed (the closing line keeps its form), so skip only what
 * the machine cannot do (mount a file system without root), never what the code gets wrong.
 */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond) \
    do { if (!(cond)) test_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define REQUIRE(cond) \
    do { if (!(cond)) { test_fail(__FILE__, __LINE__, "%s", #cond); return; } } while (0)
#define CHECK_INT(a, b) \
    do { long long a_ = (long long)(a), b_ = (long long)(b); \
         if (a_ != b_) test_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); } while (0)
#define CHECK_STR(a, b) \
    do { const char *a_ = (a), *b_ = (b); \
         if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) \
             test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", \
                       b_ ? b_ : "(null)"); \
    } while (0)
#define CHECK_CONTAINS(hay, needle) \
    do { const char *h_ = (hay), *n_ = (needle); \
         if (h_ == NULL || strstr(h_, n_) == NULL) \
             test_fail(__FILE__, __LINE__, "%s does not contain \"%s\"", #hay, n_); } while (0)

/* A directory for this run's files (made once, removed at exit when all passed). */
const char *test_tmpdir(void);
/* Returns a path inside test_tmpdir (static buffer rotated over 8 slots). */
const char *test_path(const char *name);
/* Path of the techmatch binary under test ($TECHMATCH_BIN). */
const char *test_bin(void);
/* The name of the test that is running (test_main.c), or "" between tests. */
const char *test_current_name(void);

/* ---- SQLite, to check what was stored ---- */

/* Runs sql on the database file; 0 on success. */
int test_sqlite_exec(const char *path, const char *sql);
/* Returns the first column of the first row of sql, or -1. Opens the file read-only. */
int test_sqlite_int(const char *path, const char *sql);

/* ---- processes ---- */

/*
 * Runs argv (argv[0] is a path), feeding input (may be NULL) to its standard
 * input; returns its exit status (or -1) and, if not NULL, its captured
 * standard output and error (malloc'd).
 */
int test_run(const char *const *argv, const char *input, char **out, char **err);

/*
 * Starts argv (argv[0] is looked up in PATH) with its standard output on a
 * pipe; returns the pipe's read end, or -1, and sets *pid.
 */
int test_spawn_reader(const char *const *argv, pid_t *pid);
/* Reads one line (without the newline) from fd within timeout_ms; 0 on success. */
int test_read_line(int fd, char *buf, size_t len, int timeout_ms);

/* ---- a real server ---- */

typedef struct test_server {
    pid_t pid;
    int port;
    char base[64];      /* http://127.0.0.1:PORT */
    char db[512];
    char log[512];
    char source[48];    /* the loopback address test_http's requests leave from; "" = the system's choice */
} test_server;

/*
 * Starts `techmatch serve --listen 127.0.0.1:0 --db DB [extra...]` (extra is a
 * NULL-terminated list or NULL) and waits for its "listening" line.  Returns 0,
 * or -1 if it exited or timed out (its log is then in s->log).
 */
int test_server_start(test_server *s, const char *db, const char *const *extra);
/*
 * Stops it with SIGTERM and waits.  Returns its exit status; a sanitizer
 * report in its log counts as a failure of the calling test.
 */
int test_server_stop(test_server *s);
/* Ends the server with SIGKILL (a crash: nothing is flushed or closed). */
int test_server_kill(test_server *s);
/* A test_server that only points at another local HTTP server on port (for test_http). */
test_server test_server_at(int port);
/*
 * Runs the browser script tests/browser/SCRIPT with node (Debian's chromium
 * through playwright-core): its arguments are s's base URL, the screenshot
 * folder build/test-output/screenshots (made if missing), then args (NULL
 * ends them).  A non-zero exit fails the calling test with the script's
 * output.  Returns what it printed (malloc'd, the caller frees; NULL if
 * nothing), for the caller to look for its "ok STEP" lines.
 */
char *test_browser(const char *script, const test_server *s, const char *const *args);
/* Reads the server's log so far (malloc'd). */
char *test_server_log(const test_server *s);
/*
 * A copy of s whose test_http requests leave from the loopback address source
 * (all of 127/8 is loopback, so "127.0.0.2" is another client to the server).
 */
test_server test_server_from(const test_server *s, const char *source);

/* ---- HTTP ---- */

/*
 * When $TM_EXCHANGE_LOG names a file (the runner sets it to exchanges.jsonl in
 * test_tmpdir unless it is set already), every exchange test_http_ex has with a
 * server test_server_start started is appended to it as one JSON line:
 * {test, method, path, request_content_type, request_body, status, content_type,
 * headers, body, length, complete}.
 * tests/openapi_conform.mjs checks each against docs/openapi.json
 * (test_openapi_every_response_the_tests_received_conforms, the last test).
 */
#define TEST_EXCHANGE_LOG_ENV "TM_EXCHANGE_LOG"
/*
 * Checks the recorded exchanges of the test named only (or all of them when
 * only is NULL) with tests/openapi_conform.mjs against docs/openapi.json.
 * Returns its exit status (0: all conform, 1: violations, 2: it could not run,
 * -1: no log) and, if report is not NULL, its output (malloc'd).
 */
int test_conform(const char *only, char **report);

typedef struct test_resp {
    long status;
    char *body;
    size_t len;
    char *headers;     /* raw header block */
    cJSON *json;       /* parsed body, or NULL */
} test_resp;

/*
 * Sends one request.  token (may be NULL) goes in Authorization: Bearer;
 * content_type may be NULL (then none is sent); body may be NULL.
 */
test_resp *test_http(const test_server *s, const char *method, const char *path, const char *token,
                     const char *content_type, const char *body, size_t len);
/* The same with a JSON body (application/json). */
/*
 * test_http with extra request header lines ("Name: value", several joined by
 * newlines, or NULL) and a
 * timeout; a response still streaming at the timeout keeps its status and
 * the bytes read so far.
 */
test_resp *test_http_ex(const test_server *s, const char *method, const char *path, const char *token,
                        const char *content_type, const char *body, size_t len, const char *header,
                        long timeout_ms);
test_resp *test_json(const test_server *s, const char *method, const char *path, const char *token,
                     const char *json);
void test_resp_free(test_resp *r);
/* Value of a response header (case-insensitive) in a static buffer, or NULL. */
const char *test_resp_header(const test_resp *r, const char *name);
/* Member lookups on r->json: string (or NULL), number (or -1). */
const char *test_jstr(const cJSON *obj, const char *name);
double test_jnum(const cJSON *obj, const char *name);
/* Returns 1 if the problem+json body has an errors[] entry whose field is field. */
int test_problem_names(const test_resp *r, const char *field);

/*
 * Registers (org_kind enterprise|university) and logs in; returns the token
 * (malloc'd) or NULL.
 */
char *test_signup(const test_server *s, const char *org_name, const char *org_kind, const char *email);
/* Logs in; returns the token (malloc'd) or NULL. */
char *test_login(const test_server *s, const char *email, const char *password);
/* Adds a broker or admin through the CLI on db, and logs in; returns the token. */
char *test_add_staff(const test_server *s, const char *role, const char *email);

#define TEST_PASSWORD "correct horse battery"

/* Every test's prototype, from the one list. */
#include "test_list.h"
#define TEST_DECLARE(name) void name(void);
TEST_LIST(TEST_DECLARE)

/*
 * A malloc'd text of words words (Chinese and English) drawn with rand_r(seed)
 * from a small vocabulary where low indexes are common, so that random
 * corpora share terms and feedback has material.  The caller frees it.
 */
char *test_words(unsigned *seed, int words);

#endif
