/*
 * test_api_register_mail.c: registration tells no one who is registered
 * (issue 13, items 5 and 3), over HTTP against a real SMTP server that is not
 * ours: Debian's aiosmtpd, started on a free loopback port by a few lines of
 * Python below that write each message it receives, decoded by Python's own
 * email package, as one JSON file in a folder.
 *
 * With mail configured, a new and a taken email (or organisation name) get
 * the same 202 and body; the mails say what each case needs; the mailed
 * link's token completes the registration once, and not after it expired.
 * Without mail, a taken email is refused before any password is hashed, and
 * every server limits registrations per client address.
 */
#include "api_world.h"
#include "parse.h"
#include "sbuf.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PUBLIC_URL "http://techmatch.test"
#define MAIL_FROM "techmatch@example.org"

/* The SMTP sink: aiosmtpd's Controller on 127.0.0.1:PORT, each message to FOLDER/NNN.json. */
static const char sink_py[] =
    "import email, email.policy, json, os, sys, threading\n"
    "from aiosmtpd.controller import Controller\n"
    "folder, port = sys.argv[1], int(sys.argv[2])\n"
    "class Sink:\n"
    "    n = 0\n"
    "    async def handle_DATA(self, server, session, envelope):\n"
    "        m = email.message_from_bytes(envelope.content, policy=email.policy.default)\n"
    "        Sink.n += 1\n"
    "        doc = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos, 'from': str(m['From']),\n"
    "               'to': str(m['To']), 'subject': str(m['Subject']), 'message_id': str(m['Message-ID']),\n"
    "               'date': str(m['Date']), 'body': m.get_content()}\n"
    "        tmp = os.path.join(folder, '.%d.tmp' % Sink.n)\n"
    "        with open(tmp, 'w') as f:\n"
    "            json.dump(doc, f)\n"
    "        os.rename(tmp, os.path.join(folder, '%03d.json' % Sink.n))\n"
    "        return '250 OK'\n"
    "c = Controller(Sink(), hostname='127.0.0.1', port=port)\n"
    "c.start()\n"
    "print('ready', flush=True)\n"
    "threading.Event().wait()\n";

typedef struct smtp_sink {
    pid_t pid;
    int fd;
    int port;
    char folder[512];
} smtp_sink;

/* A loopback port that was free a moment ago. */
static int free_port(void)
{
    struct sockaddr_in a = { 0 };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Starts the sink on port (writing into test_path(name)); 0, or -1 after a test_fail. */
static int sink_start(smtp_sink *k, const char *name, int port)
{
    char ports[16];
    snprintf(k->folder, sizeof k->folder, "%s", test_path(name));
    mkdir(k->folder, 0700);
    snprintf(ports, sizeof ports, "%d", port);
    k->port = port;
    const char *argv[] = { "/usr/bin/python3", "-c", sink_py, k->folder, ports, NULL };
    k->fd = test_spawn_reader(argv, &k->pid);
    char line[64];
    if (k->fd < 0 || test_read_line(k->fd, line, sizeof line, 20000) != 0 || strcmp(line, "ready") != 0) {
        test_fail(__FILE__, __LINE__, "the aiosmtpd sink did not start (python3-aiosmtpd installed?)");
        return -1;
    }
    return 0;
}

/* Ends the sink by its pid. */
static void sink_stop(smtp_sink *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
        k->pid = 0;
    }
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
}

/* The sink's n-th message (1-based), waiting up to timeout_ms for it; NULL after a test_fail.  cJSON_Delete it. */
static cJSON *sink_message(const smtp_sink *k, int n, int timeout_ms)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%03d.json", k->folder, n);
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        FILE *f = fopen(path, "r");
        if (f) {
            sbuf b;
            char chunk[4096];
            size_t got;
            sbuf_init(&b);
            while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
                sbuf_add(&b, chunk, got);
            fclose(f);
            cJSON *doc = cJSON_Parse(b.buf);
            sbuf_cleanup(&b);
            return doc;
        }
        usleep(50 * 1000);
    }
    test_fail(__FILE__, __LINE__, "mail %d did not arrive within %d ms", n, timeout_ms);
    return NULL;
}

/* 1 if the sink holds message n already (no waiting). */
static int sink_has(const smtp_sink *k, int n)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%03d.json", k->folder, n);
    return access(path, F_OK) == 0;
}

/* Copies the token of the verify link in body into token (len bytes); 0, or -1 if there is none. */
static int link_token(const char *body, char *token, size_t len)
{
    const char *p = body ? strstr(body, PUBLIC_URL "/#/verify?token=") : NULL;
    size_t n = 0;
    if (p == NULL)
        return -1;
    p += strlen(PUBLIC_URL "/#/verify?token=");
    while (n + 1 < len && (p[n] == '_' || p[n] == '-' || (p[n] >= 'a' && p[n] <= 'z') ||
                           (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
        n++;
    memcpy(token, p, n);
    token[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* POST /api/auth/register; returns the response. */
static test_resp *do_register(const test_server *s, const char *org, const char *email)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"org_name\":\"%s\",\"org_kind\":\"enterprise\",\"email\":\"%s\",\"password\":\"%s\","
             "\"display_name\":\"Tester\"}", org, email, TEST_PASSWORD);
    return test_json(s, "POST", "/api/auth/register", NULL, body);
}

/* POST /api/auth/verify {token}; returns the response. */
static test_resp *do_verify(const test_server *s, const char *token)
{
    char body[256];
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", token);
    return test_json(s, "POST", "/api/auth/verify", NULL, body);
}

/* Starts a server whose mail goes to port, with extra arguments (NULL-terminated, may be NULL). */
static int mail_server_start(test_server *s, const char *db, int port, const char *const *more)
{
    char url[64];
    const char *extra[16] = { "--smtp-url", url, "--mail-from", MAIL_FROM, "--public-url", PUBLIC_URL };
    size_t n = 6;
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    for (size_t i = 0; more && more[i] && n + 1 < sizeof extra / sizeof extra[0]; i++)
        extra[n++] = more[i];
    extra[n] = NULL;
    unlink(db);
    return test_server_start(s, db, extra);
}

void test_api_register_mail_same_answer_for_new_and_taken(void)
{
    smtp_sink k = { 0, -1, 0, "" };
    test_server s;
    char token[128];
    const char *db = test_path("regmail.db");
    REQUIRE(sink_start(&k, "regmail-sink", free_port()) == 0);
    if (mail_server_start(&s, db, k.port, NULL) != 0) {
        test_fail(__FILE__, __LINE__, "the server did not start with --smtp-url");
        sink_stop(&k);
        return;
    }

    /* A new email: 202, a pending registration stored hashed, and a mail with the link. */
    test_resp *fresh = do_register(&s, "Mail Co", "new@example.com");
    CHECK_INT(fresh->status, 202);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM registrations WHERE length(token_hash) = 32"
                                  " AND password_hash LIKE '$argon2id$%' AND email = 'new@example.com'"), 1);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users WHERE email = 'new@example.com'"), 0);
    cJSON *m = sink_message(&k, 1, 15000);
    if (m) {
        CHECK_STR(test_jstr(m, "to"), "new@example.com");
        CHECK_STR(test_jstr(m, "mail_from"), MAIL_FROM);
        CHECK_STR(test_jstr(m, "from"), MAIL_FROM);
        CHECK_CONTAINS(test_jstr(m, "subject"), "confirm your registration");
        CHECK_CONTAINS(test_jstr(m, "body"), "Mail Co");
        CHECK(link_token(test_jstr(m, "body"), token, sizeof token) == 0);
    }
    cJSON_Delete(m);

    /* The link's token completes the registration once, signs in, and the session works. */
    test_resp *r = do_verify(&s, token);
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "email"), "new@example.com");
    CHECK_STR(test_jstr(r->json, "role"), "enterprise");
    const char *session = test_jstr(r->json, "token");
    CHECK(session != NULL && test_jstr(r->json, "expires_at") != NULL);
    test_resp *me = test_json(&s, "GET", "/api/me", session, NULL);
    CHECK_INT(me->status, 200);
    CHECK_STR(test_jstr(me->json, "email"), "new@example.com");
    CHECK_STR(test_jstr(cJSON_GetObjectItem(me->json, "org"), "name"), "Mail Co");
    test_resp_free(me);
    test_resp_free(r);
    r = do_verify(&s, token);
    CHECK_INT(r->status, 410);
    CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
    test_resp_free(r);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM registrations"), 0);
    char *login = test_login(&s, "new@example.com", TEST_PASSWORD);
    CHECK(login != NULL);
    free(login);

    /* A taken email, then a taken organisation name: the same status and body as the new one. */
    test_resp *taken = do_register(&s, "Another Mail Co", "NEW@example.com");
    CHECK_INT(taken->status, fresh->status);
    CHECK_STR(taken->body, fresh->body);
    test_resp *org = do_register(&s, "Mail Co", "other@example.com");
    CHECK_INT(org->status, fresh->status);
    CHECK_STR(org->body, fresh->body);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM registrations"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM orgs WHERE name = 'Another Mail Co'"), 0);
    /* The two notices, in whichever order they were delivered. */
    cJSON *second = sink_message(&k, 2, 15000), *third = sink_message(&k, 3, 15000);
    int swapped = second && strcmp(test_jstr(second, "to") ? test_jstr(second, "to") : "", "NEW@example.com") != 0;
    m = swapped ? third : second;
    if (m) {
        CHECK_STR(test_jstr(m, "to"), "NEW@example.com");
        CHECK_CONTAINS(test_jstr(m, "subject"), "someone tried to register with your address");
        CHECK_CONTAINS(test_jstr(m, "body"), PUBLIC_URL "/#/login");
        CHECK(strstr(test_jstr(m, "body"), "verify") == NULL);
        CHECK(strstr(test_jstr(m, "body"), "Another Mail Co") == NULL);
    }
    m = swapped ? second : third;
    if (m) {
        CHECK_STR(test_jstr(m, "to"), "other@example.com");
        CHECK_CONTAINS(test_jstr(m, "subject"), "the organisation name is taken");
        CHECK_CONTAINS(test_jstr(m, "body"), PUBLIC_URL "/#/register");
        CHECK(strstr(test_jstr(m, "body"), "verify") == NULL);
    }
    cJSON_Delete(second);
    cJSON_Delete(third);
    usleep(300 * 1000);
    CHECK(!sink_has(&k, 4));
    test_resp_free(fresh);
    test_resp_free(taken);
    test_resp_free(org);

    /* Bad input is still refused at once, naming the member. */
    r = do_register(&s, "Bad Mail Co", "not-an-address");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "email"));
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
    sink_stop(&k);
}

void test_api_register_mail_link_expires_and_mail_is_retried(void)
{
    smtp_sink k = { 0, -1, 0, "" };
    test_server s;
    char token[128];
    const char *db = test_path("regmail-ttl.db");
    const char *ttl[] = { "--registration-ttl", "2", NULL };
    int port = free_port();
    /* The SMTP server is not up yet: the first attempt fails and the sender retries. */
    REQUIRE(mail_server_start(&s, db, port, ttl) == 0);
    test_resp *r = do_register(&s, "Expiring Co", "late@example.com");
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    /* The SMTP server comes up once the sender has logged its first failed attempt. */
    int failed_once = 0;
    for (int waited = 0; waited < 20000 && !failed_once; waited += 50) {
        char *log = test_server_log(&s);
        failed_once = log && strstr(log, "not delivered (attempt 1 of") != NULL;
        free(log);
        if (!failed_once)
            usleep(50 * 1000);
    }
    CHECK(failed_once);
    if (sink_start(&k, "regmail-ttl-sink", port) != 0) {
        CHECK_INT(test_server_stop(&s), 0);
        return;
    }
    cJSON *m = sink_message(&k, 1, 20000);
    CHECK(m != NULL && link_token(test_jstr(m, "body"), token, sizeof token) == 0);
    cJSON_Delete(m);
    /* The sender logs the delivery once the sink has answered; the log never holds the link's token. */
    char *log = NULL;
    for (int waited = 0; waited < 5000 && (log == NULL || strstr(log, "delivered (attempt 2)") == NULL); waited += 50) {
        free(log);
        usleep(50 * 1000);
        log = test_server_log(&s);
    }
    CHECK_CONTAINS(log, "delivered (attempt 2)");
    CHECK(log == NULL || strstr(log, token) == NULL);
    free(log);

    /* Past its two seconds the link is refused, and nothing was created. */
    sleep(3);
    r = do_verify(&s, token);
    CHECK_INT(r->status, 410);
    test_resp_free(r);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users WHERE email = 'late@example.com'"), 0);

    /* Bad tokens and bodies: 400 problem+json naming the member. */
    static const struct { const char *body, *field; } bad[] = {
        { "{\"token\":\"not a token\"}", "token" },
        { "{}", "token" },
        { "{\"token\":42}", "token" },
        { "{\"token\":\"tm_x\",\"cookie\":\"yes\"}", "cookie" },
        { "{\"token\":\"tm_x\",\"extra\":1}", "extra" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = test_json(&s, "POST", "/api/auth/verify", NULL, bad[i].body);
        CHECK_INT(r->status, 400);
        CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
        if (!test_problem_names(r, bad[i].field))
            test_fail(__FILE__, __LINE__, "%s: no error names %s: %s", bad[i].body, bad[i].field, r->body);
        test_resp_free(r);
    }
    CHECK_INT(test_server_stop(&s), 0);
    sink_stop(&k);
}

/* Registers org/email from source; returns the status, and Retry-After in *retry (-1 when none). */
static long register_from(const test_server *s, const char *source, const char *org, const char *email,
                          int64_t *retry)
{
    char body[512];
    test_server from = test_server_from(s, source);
    snprintf(body, sizeof body,
             "{\"org_name\":\"%s\",\"org_kind\":\"university\",\"email\":\"%s\",\"password\":\"%s\","
             "\"display_name\":\"Tester\"}", org, email, TEST_PASSWORD);
    test_resp *r = test_json(&from, "POST", "/api/auth/register", NULL, body);
    long status = r->status;
    const char *after = test_resp_header(r, "Retry-After");
    const char *end = NULL;
    if (after == NULL || parse_int64_prefix(after, 0, INT32_MAX, retry, &end) != TM_OK)
        *retry = -1;
    if (status == 429)
        CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
    test_resp_free(r);
    return status;
}

void test_api_register_is_limited_per_address(void)
{
    test_server s;
    int64_t retry = 0;
    const char *extra[] = { "--register-limit", "3", NULL };
    unlink(test_path("reglimit.db"));
    REQUIRE(test_server_start(&s, test_path("reglimit.db"), extra) == 0);
    CHECK_INT(register_from(&s, "127.0.0.1", "Limit U1", "u1@example.edu", &retry), 201);
    /* A refused registration counts as well: the limit is on asking. */
    CHECK_INT(register_from(&s, "127.0.0.1", "Limit U1", "u1b@example.edu", &retry), 409);
    CHECK_INT(register_from(&s, "127.0.0.1", "Limit U2", "u2@example.edu", &retry), 201);
    CHECK_INT(register_from(&s, "127.0.0.1", "Limit U3", "u3@example.edu", &retry), 429);
    CHECK(retry > 0 && retry <= 3600);
    CHECK_INT(register_from(&s, "127.0.0.2", "Limit U3", "u3@example.edu", &retry), 201);
    CHECK_INT(test_sqlite_int(test_path("reglimit.db"), "SELECT count(*) FROM orgs WHERE name LIKE 'Limit U%'"), 3);
    CHECK_INT(test_server_stop(&s), 0);
}

/* The CPU seconds (user + system, in clock ticks) process pid has used, or -1. */
static long cpu_ticks(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields 14 and 15 (utime, stime) follow the command name's closing parenthesis and 11 more fields. */
    char *p = strrchr(buf, ')');
    long utime = 0, stime = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
        return -1;
    return utime + stime;
}

/*
 * Without mail, a taken email is refused before argon2id runs.  Not a timing:
 * the server's own CPU time for a batch of registrations with a taken email
 * is compared with a batch of new ones (each hashes a password) in the same
 * run, so the ratio holds on any machine.  Before the fix both batches hashed.
 */
void test_api_register_conflict_is_checked_before_hashing(void)
{
    test_server s;
    enum { BATCH = 6 }; /* 1 + 2 * BATCH registrations stay within the default --register-limit */
    unlink(test_path("regcpu.db"));
    REQUIRE(test_server_start(&s, test_path("regcpu.db"), NULL) == 0);
    test_resp *r = do_register(&s, "Taken Co", "taken@example.com");
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    long t0 = cpu_ticks(s.pid);
    for (int i = 0; i < BATCH; i++) {
        char org[64];
        snprintf(org, sizeof org, "Conflict Co %d", i);
        r = do_register(&s, org, "taken@example.com");
        CHECK_INT(r->status, 409);
        test_resp_free(r);
    }
    long t1 = cpu_ticks(s.pid);
    for (int i = 0; i < BATCH; i++) {
        char org[64], email[64];
        snprintf(org, sizeof org, "Fresh Co %d", i);
        snprintf(email, sizeof email, "fresh%d@example.com", i);
        r = do_register(&s, org, email);
        CHECK_INT(r->status, 201);
        test_resp_free(r);
    }
    long t2 = cpu_ticks(s.pid);
    REQUIRE(t0 >= 0 && t1 >= 0 && t2 >= 0);
    long conflicts = t1 - t0, fresh = t2 - t1;
    printf("    CPU ticks: %d taken emails %ld, %d new ones %ld\n", BATCH, conflicts, BATCH, fresh);
    if (fresh < 4 || conflicts * 4 >= fresh)
        test_fail(__FILE__, __LINE__, "taken emails used %ld ticks of CPU, new ones %ld: the taken ones were hashed",
                  conflicts, fresh);
    CHECK_INT(test_server_stop(&s), 0);
}
