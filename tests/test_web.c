/*
 * test_web.c: the browser UI as served (files, headers), the cookie session
 * and its CSRF guard, and each role's main path in a real browser (Debian's
 * chromium driven by npm's playwright-core; tests/browser/main_paths.mjs).
 */
#include "test.h"
#include <curl/curl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>


void test_web_serves_the_ui_with_a_strict_csp(void)
{
    test_server s;
    unlink(test_path("web.db"));
    REQUIRE(test_server_start(&s, test_path("web.db"), NULL) == 0);
    test_resp *r = test_http(&s, "GET", "/", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK(strncmp(test_resp_header(r, "Content-Type"), "text/html", 9) == 0);
    const char *csp = test_resp_header(r, "Content-Security-Policy");
    CHECK(csp && strstr(csp, "default-src 'self'") && strstr(csp, "frame-ancestors 'none'"));
    CHECK(csp && strstr(csp, "unsafe-inline") == NULL); /* no inline script, anywhere */
    CHECK(strcmp(test_resp_header(r, "X-Content-Type-Options"), "nosniff") == 0);
    CHECK(strcmp(test_resp_header(r, "Referrer-Policy"), "no-referrer") == 0);
    CHECK(strcmp(test_resp_header(r, "X-Frame-Options"), "DENY") == 0);
    CHECK(strstr(r->body, "<script type=\"module\" src=\"/app.js\">") != NULL);
    CHECK(strstr(r->body, "<script>") == NULL);
    test_resp_free(r);
    r = test_http(&s, "GET", "/app.js", NULL, NULL, NULL, 0);
    CHECK(r->status == 200 && strncmp(test_resp_header(r, "Content-Type"), "text/javascript", 15) == 0);
    CHECK(strstr(r->body, "innerHTML") == NULL); /* user text is always set as text */
    test_resp_free(r);
    r = test_http(&s, "GET", "/review", NULL, NULL, NULL, 0); /* pages live in the hash (#/review) */
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&s, "GET", "/nothing.js", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/nothing", NULL, NULL, NULL, 0);
    CHECK(r->status == 404 && strcmp(test_resp_header(r, "Content-Type"), "application/problem+json") == 0);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}

/* The value of the tm_session cookie a response set ("" when it cleared it), or NULL. */
static char *session_cookie(const test_resp *r)
{
    const char *set = test_resp_header(r, "Set-Cookie");
    if (set == NULL || strncmp(set, "tm_session=", 11) != 0)
        return NULL;
    size_t n = strcspn(set + 11, ";");
    char *v = malloc(n + 1);
    memcpy(v, set + 11, n);
    v[n] = '\0';
    return v;
}

void test_web_cookie_session_is_httponly_and_guarded(void)
{
    test_server s;
    unlink(test_path("cookie.db"));
    REQUIRE(test_server_start(&s, test_path("cookie.db"), NULL) == 0);
    char *tok = test_signup(&s, "Cookie Co", "enterprise", "cookie@example.com");
    REQUIRE(tok != NULL);
    free(tok);
    test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"cookie@example.com\",\"password\":\"" TEST_PASSWORD "\",\"cookie\":true}");
    CHECK_INT(r->status, 200);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "token"))); /* never in a body a script can read */
    const char *set = test_resp_header(r, "Set-Cookie");
    CHECK(set && strstr(set, "HttpOnly") && strstr(set, "SameSite=Strict") && strstr(set, "Path=/"));
    char *session = session_cookie(r);
    REQUIRE(session != NULL && strlen(session) > 10);
    test_resp_free(r);
    char cookie[160], both[200];
    snprintf(cookie, sizeof cookie, "Cookie: tm_session=%s", session);
    r = test_http_ex(&s, "GET", "/api/me", NULL, NULL, NULL, 0, cookie, 10000);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    /* A write by cookie without the guard header is refused (another site could send the cookie, not the header). */
    static const char body[] = "{\"title\":\"cookie demand\"}";
    r = test_http_ex(&s, "POST", "/api/demands", NULL, "application/json", body, strlen(body), cookie, 10000);
    CHECK_INT(r->status, 403);
    CHECK(strstr(r->body, "X-Techmatch") != NULL);
    test_resp_free(r);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM demands"), 0);
    snprintf(both, sizeof both, "%s\nX-Techmatch: 1", cookie);
    r = test_http_ex(&s, "POST", "/api/demands", NULL, "application/json", body, strlen(body), both, 10000);
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    /* Logging out by cookie clears it. */
    r = test_http_ex(&s, "POST", "/api/auth/logout", NULL, NULL, NULL, 0, both, 10000);
    CHECK_INT(r->status, 200);
    char *cleared_out = session_cookie(r);
    CHECK(cleared_out && cleared_out[0] == '\0');
    free(cleared_out);
    test_resp_free(r);
    /* A stale cookie on a public page: served anonymously, and the browser is told to drop it. */
    r = test_http_ex(&s, "GET", "/api/demands", NULL, NULL, NULL, 0, "Cookie: tm_session=tm_stale", 10000);
    CHECK_INT(r->status, 200);
    char *cleared = session_cookie(r);
    CHECK(cleared && cleared[0] == '\0');
    free(cleared);
    test_resp_free(r);
    free(session);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_web_browser_main_paths(void)
{
    test_server s;
    unlink(test_path("browser.db"));
    REQUIRE(test_server_start(&s, test_path("browser.db"), NULL) == 0);
    char *broker = test_add_staff(&s, "broker", "broker-ui@example.org");
    char *admin = test_add_staff(&s, "admin", "admin-ui@example.org");
    REQUIRE(broker != NULL && admin != NULL);
    free(broker);
    free(admin);
    const char *const args[] = { "broker-ui@example.org", TEST_PASSWORD, "admin-ui@example.org",NULL };
    char *out = test_browser("main_paths.mjs", &s, args);
    CHECK(out && strstr(out, "ok the pushed match arrived live") != NULL);
    CHECK(out && strstr(out, "ok the admin adds a broker account") != NULL);
    free(out);
    CHECK_INT(test_server_stop(&s), 0);
}

/* Opens a TCP connection to the server; -1 on failure. */
static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/*
 * Slow and oversized requests: 64 clients that send their request a byte at a
 * time hold no worker (the server is event-driven), so normal requests are
 * answered meanwhile; a header block larger than the per-connection limit is
 * refused, and the server stays up.
 */
void test_web_slow_and_huge_requests_hold_nothing(void)
{
    enum { SLOW = 64 };
    test_server s;
    unlink(test_path("slow.db"));
    REQUIRE(test_server_start(&s, test_path("slow.db"), NULL) == 0);
    int fds[SLOW];
    static const char partial[] = "GET /api/demands HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (int i = 0; i < SLOW; i++) {
        fds[i] = raw_connect(s.port);
        CHECK(fds[i] >= 0);
    }
    for (size_t k = 0; k < 3; k++) {
        for (int i = 0; i < SLOW; i++)
            if (fds[i] >= 0 && write(fds[i], partial + k, 1) != 1)
                CHECK(0);
        /* Between the trickles, real requests are answered at once. */
        test_resp *r = test_http_ex(&s, "GET", "/api/demands", NULL, NULL, NULL, 0, NULL, 5000);
        CHECK_INT(r->status, 200);
        test_resp_free(r);
        usleep(300 * 1000);
    }
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    /* A header block over the connection's memory limit (64 KiB) is refused. */
    int fd = raw_connect(s.port);
    REQUIRE(fd >= 0);
    char *big = malloc(100 * 1024 + 128);
    int n = snprintf(big, 128, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + n, 'a', 100 * 1024);
    memcpy(big + n + 100 * 1024, "\r\n\r\n", 4);
    ssize_t sent = write(fd, big, (size_t)n + 100 * 1024 + 4);
    (void)sent;
    char reply[256] = "";
    ssize_t got = read(fd, reply, sizeof reply - 1);
    reply[got > 0 ? got : 0] = '\0';
    CHECK(got > 0 && strncmp(reply, "HTTP/1.1 431 ", 13) == 0); /* Request Header Fields Too Large */
    close(fd);
    free(big);
    test_resp *r = test_http(&s, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}

static size_t discard_body(char *data, size_t size, size_t n, void *ctx)
{
    (void)data;
    (void)ctx;
    return size * n;
}

/* GET url over TLS, trusting only ca; returns the status (-1 when the connection or the check failed). */
static long tls_get(const char *url, const char *ca)
{
    CURL *c = curl_easy_init();
    long code = -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code;
}

void test_web_serves_https_with_a_certificate(void)
{
    char cert[600], key[600], url[128];
    snprintf(cert, sizeof cert, "%s", test_path("cert.pem"));
    snprintf(key, sizeof key, "%s", test_path("key.pem"));
    /* A self-signed certificate for 127.0.0.1, made here. */
    const char *gen[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                          "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                          "-addext", "subjectAltName=IP:127.0.0.1", NULL };
    REQUIRE(test_run(gen, NULL, NULL, NULL) == 0);
    test_server s;
    const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
    unlink(test_path("tls.db"));
    REQUIRE(test_server_start(&s, test_path("tls.db"), extra) == 0);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/healthz", s.port);
    CHECK_INT(tls_get(url, cert), 200);
    /* Plain HTTP to the TLS port gets nothing served. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", s.port);
    CHECK(tls_get(url, cert) != 200);
    CHECK_INT(test_server_stop(&s), 0);
    /* One without the other is a usage error. */
    const char *half[] = { test_bin(), "serve", "--tls-cert", cert, "--db", test_path("tls.db"), NULL };
    CHECK_INT(test_run(half, NULL, NULL, NULL), 2);
}

/* Waits up to 10 s for text to appear in the server's log. */
static int log_shows(const test_server *s, const char *text)
{
    for (int i = 0; i < 100; i++) {
        char *log = test_server_log(s);
        int found = strstr(log, text) != NULL;
        free(log);
        if (found)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

void test_web_no_secret_reaches_the_log(void)
{
    test_server s;
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-attempts", "1", NULL };
    char *secrets[16];
    size_t n = 0;
    unlink(test_path("secrets.db"));
    REQUIRE(test_server_start(&s, test_path("secrets.db"), extra) == 0);

    /* Passwords: a sign-up, a wrong one at login, one inside a body refused for another member. */
    char *tok = test_signup(&s, "Secret Keeping Co", "enterprise", "keeper@example.com");
    REQUIRE(tok != NULL);
    secrets[n++] = tok;
    secrets[n++] = strdup(TEST_PASSWORD);
    test_resp *r = test_json(&s, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"keeper@example.com\",\"password\":\"Wrong-Password-Zebra-42\"}");
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    secrets[n++] = strdup("Wrong-Password-Zebra-42");
    r = test_json(&s, "POST", "/api/auth/register", NULL,
                  "{\"org_name\":\"X\",\"org_kind\":\"enterprise\",\"email\":\"not an email\","
                  "\"password\":\"Sekrit-In-A-Bad-Body-77\",\"display_name\":\"X\"}");
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    secrets[n++] = strdup("Sekrit-In-A-Bad-Body-77");

    /* Session tokens: the browser's cookie, and a forged bearer token. */
    r = test_json(&s, "POST", "/api/auth/login", NULL,
                  "{\"email\":\"keeper@example.com\",\"password\":\"" TEST_PASSWORD "\",\"cookie\":true}");
    CHECK_INT(r->status, 200);
    char *cookie = session_cookie(r);
    test_resp_free(r);
    REQUIRE(cookie != NULL && cookie[0]);
    secrets[n++] = cookie;
    r = test_http(&s, "GET", "/api/me", "forged-token-Q7YXW2", NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    secrets[n++] = strdup("forged-token-Q7YXW2");

    /* Webhooks: the signing secret, the rotated one, and a key in the endpoint's query string. */
    r = test_json(&s, "POST", "/api/webhooks", tok,
                  "{\"url\":\"http://127.0.0.1:1/hook?key=QUERY-KEY-5521\",\"description\":\"closed port\"}");
    CHECK_INT(r->status, 201);
    long id = r->json ? (long)test_jnum(r->json, "id") : 0;
    const char *secret = r->json ? test_jstr(r->json, "secret") : NULL;
    REQUIRE(secret != NULL && strncmp(secret, "whsec_", 6) == 0);
    secrets[n++] = strdup(secret + 6);
    test_resp_free(r);
    secrets[n++] = strdup("QUERY-KEY-5521");
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/rotate", id);
    r = test_http(&s, "POST", path, tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    secret = r->json ? test_jstr(r->json, "secret") : NULL;
    REQUIRE(secret != NULL && strncmp(secret, "whsec_", 6) == 0);
    secrets[n++] = strdup(secret + 6);
    test_resp_free(r);
    /* A delivery to the closed port fails once and disables the endpoint: the sender logs that. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", id);
    r = test_http(&s, "POST", path, tok, NULL, NULL, 0);
    CHECK(r->status == 200 || r->status == 202);
    test_resp_free(r);
    char disabled[64];
    snprintf(disabled, sizeof disabled, "webhook %ld disabled", id);
    CHECK(log_shows(&s, disabled));

    CHECK_INT(test_server_stop(&s), 0);
    char *log = test_server_log(&s);
    CHECK_CONTAINS(log, "POST /api/webhooks 201");   /* the requests were logged, */
    CHECK_CONTAINS(log, "POST /api/auth/login 401"); /* the refusals too */
    for (size_t i = 0; i < n; i++) {                  /* but nothing secret */
        if (strstr(log, secrets[i]) != NULL)
            test_fail(__FILE__, __LINE__, "the log holds the secret \"%s\"", secrets[i]);
        free(secrets[i]);
    }
    free(log);
}
