/*
 * harness.c: what the tests share: a temporary directory, child processes,
 * a real techmatch server on a loopback port, and an HTTP client (libcurl).
 */
#include "test.h"
#include "parse.h"
#include "sbuf.h"
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];

const char *test_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/techmatch-test-XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *test_path(const char *name)
{
    static char slots[8][512];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

const char *test_bin(void)
{
    const char *b = getenv("TECHMATCH_BIN");
    return b ? b : "build/release/techmatch";
}

/* ---------- SQLite ---------- */

int test_sqlite_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

int test_sqlite_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* ---------- processes ---------- */

static char *drain(int fd)
{
    sbuf b;
    char buf[4096];
    ssize_t n;
    sbuf_init(&b);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sbuf_add(&b, buf, (size_t)n);
    return sbuf_take(&b);
}

int test_run(const char *const *argv, const char *input, char **out, char **err)
{
    char outpath[600], errpath[600], inpath[600];
    static int seq;
    snprintf(outpath, sizeof outpath, "%s/run%d.out", test_tmpdir(), seq);
    snprintf(errpath, sizeof errpath, "%s/run%d.err", test_tmpdir(), seq);
    snprintf(inpath, sizeof inpath, "%s/run%d.in", test_tmpdir(), seq);
    seq++;
    FILE *f = fopen(inpath, "w");
    if (f == NULL)
        return -1;
    if (input)
        fputs(input, f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(inpath, O_RDONLY);
        int o = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    if (out) {
        int fd = open(outpath, O_RDONLY);
        *out = drain(fd);
        close(fd);
    }
    if (err) {
        int fd = open(errpath, O_RDONLY);
        *err = drain(fd);
        close(fd);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_spawn_reader(const char *const *argv, pid_t *pid)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    *pid = fork();
    if (*pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    return fd[0];
}

int test_read_line(int fd, char *buf, size_t len, int timeout_ms)
{
    size_t n = 0;
    struct pollfd p = { fd, POLLIN, 0 };
    while (n + 1 < len && poll(&p, 1, timeout_ms) > 0) {
        if (read(fd, buf + n, 1) != 1)
            break;
        if (buf[n] == '\n') {
            buf[n] = '\0';
            return 0;
        }
        n++;
    }
    buf[n] = '\0';
    return -1;
}

/* ---------- server ---------- */

int test_server_start(test_server *s, const char *db, const char *const *extra)
{
    static int seq;
    int pipefd[2];
    const char *argv[24];
    size_t n = 0;

    char dbpath[sizeof s->db];
    snprintf(dbpath, sizeof dbpath, "%s", db); /* db may point into *s */
    memset(s, 0, sizeof *s);
    snprintf(s->db, sizeof s->db, "%s", dbpath);
    snprintf(s->log, sizeof s->log, "%s/server%d.log", test_tmpdir(), seq++);
    argv[n++] = test_bin();
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--db";
    argv[n++] = s->db;
    for (size_t i = 0; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if (pipe(pipefd) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        int e = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(pipefd[1], 1);
        dup2(e, 2);
        close(pipefd[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t len = 0;
    struct pollfd pfd = { pipefd[0], POLLIN, 0 };
    /* Sanitizer builds start slower; wait up to 20 s for the line. */
    while (len < sizeof line - 1 && poll(&pfd, 1, 20000) > 0) {
        ssize_t got = read(pipefd[0], line + len, 1);
        if (got <= 0)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(pipefd[0]);
    const char *colon = strrchr(line, ':');
    int64_t port = 0;
    const char *end = NULL;
    if (strstr(line, "listening on") == NULL || colon == NULL ||
        parse_int64_prefix(colon + 1, 1, 65535, &port, &end) != TM_OK) {
        int status;
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
        return -1;
    }
    s->port = (int)port;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return 0;
}

test_server test_server_at(int port)
{
    test_server s;
    memset(&s, 0, sizeof s);
    s.port = port;
    snprintf(s.base, sizeof s.base, "http://127.0.0.1:%d", port);
    return s;
}

test_server test_server_from(const test_server *s, const char *source)
{
    test_server from = *s;
    snprintf(from.source, sizeof from.source, "%s", source);
    return from;
}

char *test_browser(const char *script, const test_server *s, const char *const *args)
{
    static const char shots[] = "build/test-output/screenshots";
    char path[256];
    const char *argv[32] = { "/usr/bin/env", "node", path, s->base, shots };
    size_t n = 5;
    char *out = NULL, *err = NULL;
    snprintf(path, sizeof path, "tests/browser/%s", script);
    for (size_t i = 0; args && args[i] && n + 1 < sizeof argv / sizeof argv[0]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    mkdir("build/test-output", 0755);
    mkdir(shots, 0755);
    int rc = test_run(argv, NULL, &out, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "%s failed (%d):\n%s\n%s", path, rc, out ? out : "", err ? err : "");
    free(err);
    return out;
}

char *test_server_log(const test_server *s)
{
    int fd = open(s->log, O_RDONLY);
    if (fd < 0)
        return calloc(1, 1);
    char *text = drain(fd);
    close(fd);
    return text;
}

int test_server_kill(test_server *s)
{
    int status = 0;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return 0;
}

int test_server_stop(test_server *s)
{
    int status = 0;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    char *log = test_server_log(s);
    if (strstr(log, "AddressSanitizer") || strstr(log, "runtime error:") || strstr(log, "LeakSanitizer"))
        test_fail(__FILE__, __LINE__, "the server's log (%s) has a sanitizer report", s->log);
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---------- HTTP ---------- */

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

/* The response's header block as an object of lower-case names (the last value of a repeated name). */
static cJSON *headers_object(const char *block)
{
    cJSON *o = cJSON_CreateObject();
    for (const char *p = block; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (eol == NULL)
            break;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon && strncmp(p, "HTTP/", 5) != 0) {
            char name[128], value[1024];
            size_t n = (size_t)(colon - p) < sizeof name - 1 ? (size_t)(colon - p) : sizeof name - 1;
            for (size_t i = 0; i < n; i++)
                name[i] = (char)tolower((unsigned char)p[i]);
            name[n] = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(eol - v), v);
            cJSON_DeleteItemFromObjectCaseSensitive(o, name);
            cJSON_AddStringToObject(o, name, value);
        }
        p = eol + 2;
    }
    return o;
}

/*
 * Appends one exchange to $TM_EXCHANGE_LOG (see test.h) with one write(2) on an
 * O_APPEND descriptor, so lines from threads or forked children do not interleave.
 * Only final responses are recorded (after a redirect or a 100, curl keeps the
 * last block's status; the header block is cut to the last response's).
 */
typedef struct sent_request {
    const char *method, *path, *content_type, *body;
    size_t len;
} sent_request;

static void record_exchange(const test_server *s, const sent_request *q, const test_resp *r, int complete)
{
    const char *file = getenv(TEST_EXCHANGE_LOG_ENV);
    if (file == NULL || *file == '\0' || s->pid <= 0 || r->status <= 0)
        return;
    const char *block = r->headers;
    for (const char *p = strstr(block, "\r\nHTTP/"); p; p = strstr(p + 2, "\r\nHTTP/"))
        block = p + 2;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "test", test_current_name());
    cJSON_AddStringToObject(o, "method", q->method);
    cJSON_AddStringToObject(o, "path", q->path);
    /* What was sent, so that a body the server accepted can be checked against the operation's requestBody. */
    if (q->content_type)
        cJSON_AddStringToObject(o, "request_content_type", q->content_type);
    if (q->body && q->len < 1024 * 1024 && memchr(q->body, '\0', q->len) == NULL) {
        char *copy = strndup(q->body, q->len);
        cJSON_AddStringToObject(o, "request_body", copy);
        free(copy);
    }
    cJSON_AddNumberToObject(o, "status", (double)r->status);
    cJSON *h = headers_object(block);
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(h, "content-type");
    if (cJSON_IsString(ct))
        cJSON_AddStringToObject(o, "content_type", ct->valuestring);
    else
        cJSON_AddNullToObject(o, "content_type");
    cJSON_AddItemToObject(o, "headers", h);
    /* A body with a NUL byte is not text the checks could use; its length is kept. */
    if (strlen(r->body) == r->len)
        cJSON_AddStringToObject(o, "body", r->body);
    else
        cJSON_AddNullToObject(o, "body");
    cJSON_AddNumberToObject(o, "length", (double)r->len);
    cJSON_AddBoolToObject(o, "complete", complete);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (line == NULL)
        return;
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, line, strlen(line));
    sbuf_add(&b, "\n", 1);
    free(line);
    int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        if (write(fd, b.buf, b.len) != (ssize_t)b.len)
            test_fail(__FILE__, __LINE__, "cannot append to %s", file);
        close(fd);
    }
    sbuf_cleanup(&b);
}

int test_conform(const char *only, char **report)
{
    const char *file = getenv(TEST_EXCHANGE_LOG_ENV);
    if (report)
        *report = NULL;
    if (file == NULL || access(file, R_OK) != 0)
        return -1;
    const char *input = file;
    char sub[600];
    if (only) {
        /* This test's lines only, in a file of their own. */
        static int seq;
        snprintf(sub, sizeof sub, "%s/conform%d.jsonl", test_tmpdir(), seq++);
        FILE *in = fopen(file, "r"), *out = fopen(sub, "w");
        char *line = NULL;
        size_t cap = 0;
        while (in && out && getline(&line, &cap, in) > 0) {
            cJSON *o = cJSON_Parse(line);
            const char *t = o ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "test")) : NULL;
            if (t && strcmp(t, only) == 0)
                fputs(line, out);
            cJSON_Delete(o);
        }
        free(line);
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        input = sub;
    }
    const char *argv[] = { "/usr/bin/env", "node", "tests/openapi_conform.mjs", "docs/openapi.json", input, NULL };
    char *out = NULL, *err = NULL;
    int rc = test_run(argv, NULL, &out, &err);
    if (report) {
        sbuf b;
        sbuf_init(&b);
        sbuf_adds(&b, out ? out : "");
        sbuf_adds(&b, err ? err : "");
        *report = sbuf_take(&b);
    }
    free(out);
    free(err);
    return rc;
}

test_resp *test_http(const test_server *s, const char *method, const char *path, const char *token,
                     const char *content_type, const char *body, size_t len)
{
    return test_http_ex(s, method, path, token, content_type, body, len, NULL, 60000);
}

test_resp *test_http_ex(const test_server *s, const char *method, const char *path, const char *token,
                        const char *content_type, const char *body, size_t len, const char *header,
                        long timeout_ms)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    sbuf b, hd;
    char url[4096], line[512];
    test_resp *r = calloc(1, sizeof *r);

    sbuf_init(&b);
    sbuf_init(&hd);
    snprintf(url, sizeof url, "%s%s", s->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (s->source[0]) {
        snprintf(line, sizeof line, "host!%s", s->source);
        curl_easy_setopt(c, CURLOPT_INTERFACE, line);
    }
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    }
    if (content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        h = curl_slist_append(h, line);
    } else {
        h = curl_slist_append(h, "Content-Type:");
    }
    h = curl_slist_append(h, "Expect:");
    for (const char *p = header; p && *p;) {
        /* Several header lines may come joined by newlines. */
        size_t n = strcspn(p, "\n");
        char one[512];
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        h = curl_slist_append(h, one);
        p += n + (p[n] == '\n');
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK || (rc == CURLE_OPERATION_TIMEDOUT && b.len > 0))
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status); /* a stream read until the timeout */
    else
        r->status = -1;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->len = b.len;
    r->body = sbuf_take(&b);
    r->headers = sbuf_take(&hd);
    sbuf_cleanup(&b);
    sbuf_cleanup(&hd);
    r->json = cJSON_Parse(r->body);
    sent_request q = { method, path, content_type, body, body ? len : 0 };
    record_exchange(s, &q, r, rc == CURLE_OK);
    return r;
}

test_resp *test_json(const test_server *s, const char *method, const char *path, const char *token,
                     const char *json)
{
    return test_http(s, method, path, token, "application/json", json, json ? strlen(json) : 0);
}

void test_resp_free(test_resp *r)
{
    if (r == NULL)
        return;
    free(r->body);
    free(r->headers);
    cJSON_Delete(r->json);
    free(r);
}

const char *test_resp_header(const test_resp *r, const char *name)
{
    static char value[1024];
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p; ) {
        const char *eol = strstr(p, "\r\n");
        if (eol == NULL)
            break;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(eol - v), v);
            return value;
        }
        p = eol + 2;
    }
    return NULL;
}

const char *test_jstr(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double test_jnum(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int test_problem_names(const test_resp *r, const char *field)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->json, "errors")) {
        const char *f = test_jstr(e, "field");
        if (f && strcmp(f, field) == 0)
            return 1;
    }
    return 0;
}

char *test_login(const test_server *s, const char *email, const char *password)
{
    char body[512];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    test_resp *r = test_json(s, "POST", "/api/auth/login", NULL, body);
    const char *tok = r->status == 200 ? test_jstr(r->json, "token") : NULL;
    char *out = tok ? strdup(tok) : NULL;
    test_resp_free(r);
    return out;
}

char *test_signup(const test_server *s, const char *org_name, const char *org_kind, const char *email)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"org_name\":\"%s\",\"org_kind\":\"%s\",\"email\":\"%s\",\"password\":\"%s\","
             "\"display_name\":\"Tester\"}",
             org_name, org_kind, email, TEST_PASSWORD);
    test_resp *r = test_json(s, "POST", "/api/auth/register", NULL, body);
    long status = r->status;
    test_resp_free(r);
    if (status != 201)
        return NULL;
    return test_login(s, email, TEST_PASSWORD);
}

char *test_add_staff(const test_server *s, const char *role, const char *email)
{
    const char *argv[] = { test_bin(), "user", "add", "--role", role, "--email", email,
                           "--org", "Provincial Technology Market", "--db", s->db, NULL };
    if (test_run(argv, TEST_PASSWORD "\n", NULL, NULL) != 0)
        return NULL;
    return test_login(s, email, TEST_PASSWORD);
}

/* A listing of a few words from a mixed vocabulary where low indexes are common (so feedback has material). */
char *test_words(unsigned *seed, int words)
{
    static const char *const vocab[] = {
        "煤矿", "液压支架", "电液控制", "磷石膏", "茶叶", "萎凋", "辣椒", "高粱", "酿造", "传感器", "算法",
        "coal", "hydraulic", "support", "longwall", "shearer", "tea", "sorghum", "sensor", "alloy",
        "battery", "cathode", "drone", "fibre", "catalyst", "mining", "safety", "monitoring", "cladding",
    };
    size_t nv = sizeof vocab / sizeof vocab[0];
    char *buf = malloc((size_t)words * 16 + 1);
    size_t len = 0;
    for (int i = 0; i < words; i++) {
        unsigned r = (unsigned)rand_r(seed);
        size_t v = (size_t)((double)nv * pow((double)(r % 10000) / 10000.0, 1.5));
        const char *w = vocab[v < nv ? v : nv - 1];
        size_t wl = strlen(w);
        memcpy(buf + len, w, wl);
        len += wl;
        buf[len++] = ' ';
    }
    buf[len] = '\0';
    return buf;
}
