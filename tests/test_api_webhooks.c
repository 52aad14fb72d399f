/*
 * test_api_webhooks.c: webhooks over HTTP against a real receiver: signed,
 * ordered, retried and disabled deliveries, refused URLs, deliveries that
 * survive kill -9, and bad receivers that delay nothing else.
 */
#include "api_world.h"
#include "auth.h"
#include "parse.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The number at the start of text (the receiver's "port N" and "recv msg_N" lines), or -1. */
static long leading_number(const char *text)
{
    int64_t v = 0;
    const char *end = NULL;
    return parse_int64_prefix(text, 0, INT32_MAX, &v, &end) == TM_OK ? (long)v : -1;
}

/* ---------- push: webhooks ---------- */

/* Registers an endpoint at the receiver's path; returns its id and copies its secret. */
static long register_webhook(world *w, int port, const char *path, char *secret, size_t len)
{
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d%s\",\"description\":\"test %s\"}", port, path, path);
    test_resp *r = test_json(&w->srv, "POST", "/api/webhooks", w->tok[R_ENT], body);
    long id = r->status == 201 ? (long)test_jnum(r->json, "id") : 0;
    if (r->status != 201)
        test_fail(__FILE__, __LINE__, "register %s: %ld %s", path, r->status, r->body);
    else
        snprintf(secret, len, "%s", test_jstr(r->json, "secret"));
    test_resp_free(r);
    return id;
}

/* Sends the receiver a delivery signed with secret at timestamp ts (the body may be changed after signing). */
static long send_signed(int port, const char *secret, long long ts, const char *signed_body, const char *sent_body)
{
    unsigned char key[64];
    size_t key_len = 0;
    char sig[AUTH_WEBHOOK_SIGNATURE_CHARS + 1], hdr[256];
    sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &key_len, NULL,
                      sodium_base64_VARIANT_ORIGINAL);
    auth_webhook_sign(key, key_len, "msg_test", ts, signed_body, strlen(signed_body), sig);
    test_server rs = test_server_at(port);
    snprintf(hdr, sizeof hdr, "webhook-id: msg_test");
    /* Three signature headers: more than test_http_ex takes, so a small curl call of its own. */
    CURL *c = curl_easy_init();
    struct curl_slist *l = NULL;
    char url[128], line[160];
    snprintf(url, sizeof url, "%s/ok", rs.base);
    l = curl_slist_append(l, "Content-Type: application/json");
    l = curl_slist_append(l, hdr);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
    l = curl_slist_append(l, line);
    snprintf(line, sizeof line, "webhook-signature: %s", sig);
    l = curl_slist_append(l, line);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, sent_body);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long code = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(l);
    curl_easy_cleanup(c);
    return code;
}

/* The state, attempts and first try's status of an endpoint's ping delivery. */
static void ping_delivery(world *w, long endpoint, char *state, size_t len, int *attempts, int *first_status)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", endpoint);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *d = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if (strncmp(test_jstr(it, "msg_id"), "msg_ping_", 9) == 0)
            d = it;
    snprintf(state, len, "%s", d ? test_jstr(d, "state") : "");
    *attempts = d ? (int)test_jnum(d, "attempts") : -1;
    const cJSON *t = d ? cJSON_GetArrayItem(cJSON_GetObjectItem(d, "tries"), 0) : NULL;
    *first_status = t ? (int)test_jnum(t, "status_code") : -1;
    test_resp_free(r);
}

void test_api_push_webhooks_signed_ordered_retried_disabled(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    char line[512], secret[128], secret2[128];
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = (int)leading_number(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-attempts", "3", "--webhook-retry-ms",
                                         "100", "--webhook-timeout-ms", "1000", NULL };
    world w;
    if (world_setup(&w, "webhooks.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    long ok = register_webhook(&w, port, "/ok", secret, sizeof secret);
    REQUIRE(ok > 0);
    CHECK(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) == 50);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    CHECK_INT(r->status, 204);
    test_resp_free(r);
    /* The list never shows the secret. */
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    CHECK(strstr(r->body, "whsec_") == NULL);
    test_resp_free(r);

    /* A ping, then three approvals: each verified by standardwebhooks, in order. */
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strstr(line, "recv msg_ping_") == line &&
          strstr(line, "webhook.ping") != NULL);
    long nids[3];
    for (int i = 0; i < 3; i++) {
        long a = world_matching_achievement(&w, 10 + i);
        r = world_approve(&w, R_BROKER, world_match_id(&w, "suggested", w.demand_id, a));
        CHECK_INT(r->status, 200);
        nids[i] = (long)test_jnum(r->json, "notification_id");
        test_resp_free(r);
    }
    for (int i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof want, "recv msg_%ld match.pushed", nids[i]);
        CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0);
        if (strcmp(line, want) != 0)
            test_fail(__FILE__, __LINE__, "receiver: '%s', expected '%s'", line, want);
    }

    /* The receiver rejects what the specification says to reject: a changed body, an old timestamp. */
    long long now = (long long)time(NULL);
    CHECK_INT(send_signed(port, secret, now, "{\"type\":\"x\"}", "{\"type\":\"y\"}"), 401);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject", 6) == 0);
    CHECK_INT(send_signed(port, secret, now - 3600, "{\"type\":\"x\"}", "{\"type\":\"x\"}"), 401);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject", 6) == 0);
    CHECK_INT(send_signed(port, secret, now, "{\"type\":\"x\"}", "{\"type\":\"x\"}"), 204);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "recv msg_test", 13) == 0);

    /* An endpoint that answers 500: three attempts, then disabled, and the owner is told. */
    long bad = register_webhook(&w, port, "/fail", secret2, sizeof secret2);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", bad);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    for (int i = 0; i < 3; i++)
        CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "fail msg_ping_", 14) == 0);
    char state[16] = "";
    int attempts = 0, first = 0;
    for (int tries = 0; tries < 100 && strcmp(state, "failed") != 0; tries++) {
        ping_delivery(&w, bad, state, sizeof state, &attempts, &first);
        if (strcmp(state, "failed") != 0)
            usleep(50 * 1000);
    }
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 3);
    CHECK_INT(first, 500);
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    const cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 1);
    CHECK(second && strcmp(test_jstr(second, "status"), "disabled") == 0);
    CHECK(second && strstr(test_jstr(second, "disabled_reason"), "500") != NULL);
    test_resp_free(r);
    r = world_inbox(&w, R_ENT, 0);
    CHECK(strstr(r->body, "\"webhook.disabled\"") != NULL);
    test_resp_free(r);
    /* That notification went to the healthy endpoint too, and nothing more to the disabled one. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strstr(line, "webhook.disabled") != NULL);

    /* A delivery can be sent again on demand, with the same webhook-id. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries?limit=100", ok);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *pushed = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if ((long)test_jnum(it, "notification_id") == nids[0])
            pushed = it;
    REQUIRE(pushed != NULL);
    CHECK(strcmp(test_jstr(pushed, "state"), "succeeded") == 0);
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries/%ld/resend", ok, (long)test_jnum(pushed, "id"));
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    char want[64];
    snprintf(want, sizeof want, "recv msg_%ld match.pushed", nids[0]);
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strcmp(line, want) == 0);
    /* Another organisation cannot see or touch these endpoints. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", ok);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT2], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);

    /* Rotation: the old secret stops verifying; pause holds deliveries, resume sends them. */
    snprintf(path, sizeof path, "/api/webhooks/%ld/pause", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "paused") == 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 1000) != 0); /* nothing while paused */
    snprintf(path, sizeof path, "/api/webhooks/%ld/rotate", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    char rotated[128];
    snprintf(rotated, sizeof rotated, "%s", test_jstr(r->json, "secret"));
    CHECK(strcmp(rotated, secret) != 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/resume", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "active") == 0);
    test_resp_free(r);
    /* Signed with the new key, so the receiver (still on the old one) rejects it: the old secret is dead. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "reject msg_ping_", 16) == 0);

    /* Delete. */
    snprintf(path, sizeof path, "/api/webhooks/%ld", bad);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
}

void test_api_push_webhook_urls_refused(void)
{
    world w;
    if (world_setup(&w, "ssrf.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const char *const bad[] = {
        "{\"url\":\"http://127.0.0.1:9/x\"}",          /* loopback */
        "{\"url\":\"http://localhost/x\"}",            /* a name for loopback */
        "{\"url\":\"http://10.1.2.3/x\"}",             /* private */
        "{\"url\":\"http://169.254.169.254/latest\"}", /* link-local (cloud metadata) */
        "{\"url\":\"http://[::1]/x\"}",                /* IPv6 loopback */
        "{\"url\":\"http://[::ffff:192.168.0.1]/x\"}", /* IPv4-mapped private */
        "{\"url\":\"ftp://example.com/x\"}",           /* not http(s) */
        "{\"url\":\"not a url\"}",
        "{\"url\":\"http://user:pw@example.com/\"}",
        "{\"url\":42}",
        "{\"description\":\"no url\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT], bad[i]);
        if (r->status != 400 || !test_problem_names(r, "url"))
            test_fail(__FILE__, __LINE__, "%s: %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
    }
    test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT],
                             "{\"url\":\"http://x.test/\",\"colour\":1}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "colour"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    world_teardown(&w);
}

/*
 * The durability test of the push issue: kill -9 while webhook deliveries are
 * pending (one in flight) and a stream is open; after a restart every event
 * reaches the endpoint at least once and in order, and the stream resumes.
 */
void test_api_push_survives_kill9_with_deliveries_pending(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid, spid;
    char line[512], secret[128];
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = (int)leading_number(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--stream-heartbeat", "1", NULL };
    world w;
    if (world_setup(&w, "kill9.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    REQUIRE(register_webhook(&w, port, "/slow", secret, sizeof secret) > 0);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    test_resp_free(r);
    enum { N = 5 };
    long m[N], nids[N];
    for (int i = 0; i < N; i++)
        m[i] = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 20 + i));
    char url[128];
    snprintf(url, sizeof url, "%s/api/stream", w.srv.base);
    const char *sse_argv[] = { "node", "tests/sse_client.mjs", url, w.tok[R_ENT], "5", "60000", NULL };
    int sfd = test_spawn_reader(sse_argv, &spid);
    REQUIRE(sfd >= 0);
    CHECK(test_read_line(sfd, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    for (int i = 0; i < N; i++) {
        r = world_approve(&w, R_BROKER, m[i]);
        CHECK_INT(r->status, 200);
        nids[i] = (long)test_jnum(r->json, "notification_id");
        test_resp_free(r);
    }
    /* The first delivery has arrived (its answer takes half a second): kill now. */
    CHECK(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "recv msg_", 9) == 0);
    long seen[4 * N];
    size_t nseen = 0;
    seen[nseen++] = leading_number(line + 9);
    char listen[32], db[sizeof w.srv.db];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", w.srv.port);
    snprintf(db, sizeof db, "%s", w.srv.db);
    CHECK_INT(test_server_kill(&w.srv), 0);
    const char *again[] = { "--listen", listen, "--allow-private-webhooks", "--stream-heartbeat", "1", NULL };
    REQUIRE(test_server_start(&w.srv, db, again) == 0);
    /* Every event arrives, at least once, in order (a repeat may follow the one in flight at the kill). */
    for (int tries = 0; tries < 3 * N && nseen < 4 * N; tries++) {
        int all = 1;
        for (int i = 0; i < N; i++) {
            int found = 0;
            for (size_t k = 0; k < nseen; k++)
                found |= seen[k] == nids[i];
            all &= found;
        }
        if (all)
            break;
        if (test_read_line(rfd, line, sizeof line, 20000) != 0)
            break;
        if (strncmp(line, "recv msg_", 9) == 0)
            seen[nseen++] = leading_number(line + 9);
    }
    size_t next = 0;
    for (size_t k = 0; k < nseen; k++) {
        if (next < N && seen[k] == nids[next])
            next++;
        else if (!(next > 0 && seen[k] == nids[next - 1]))
            test_fail(__FILE__, __LINE__, "delivery %zu was msg_%ld, out of order", k, seen[k]);
    }
    CHECK_INT(next, N);
    /* The stream client reconnected after the kill and got all five, in order, once each. */
    int events = 0, finished = 0;
    for (int i = 0; i < 30 && !finished && test_read_line(sfd, line, sizeof line, 20000) == 0; i++) {
        events += strncmp(line, "event ", 6) == 0;
        finished = strcmp(line, "done") == 0;
        if (strncmp(line, "error", 5) == 0)
            test_fail(__FILE__, __LINE__, "stream client: %s", line);
    }
    CHECK(finished);
    CHECK_INT(events, N);
    int status = 0;
    waitpid(spid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
    close(sfd);
}

/* Pings endpoint id and waits until its ping delivery is no longer pending; fills what the log says. */
static void ping_until_settled(world *w, long id, char *state, size_t len, int *attempts, int *first_status)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", id);
    test_resp *r = test_http(&w->srv, "POST", path, w->tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 202);
    test_resp_free(r);
    state[0] = '\0';
    for (int tries = 0; tries < 200; tries++) {
        ping_delivery(w, id, state, len, attempts, first_status);
        if (strcmp(state, "pending") != 0 && state[0])
            return;
        usleep(50 * 1000);
    }
}

/* The ping delivery's first try, as JSON text (for its error). */
static char *first_try_text(world *w, long id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/deliveries", id);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[R_ENT], NULL, NULL, 0);
    const cJSON *it, *d = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        if (strncmp(test_jstr(it, "msg_id"), "msg_ping_", 9) == 0)
            d = it;
    char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "tries"), 0));
    test_resp_free(r);
    return text ? text : strdup("");
}

void test_api_push_webhook_bad_receivers_delay_nothing_else(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    char line[512], secret[128], state[16];
    int attempts = 0, first = 0;
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    int port = (int)leading_number(line + 5);
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-attempts", "2", "--webhook-retry-ms",
                                         "50", "--webhook-timeout-ms", "700", NULL };
    world w;
    if (world_setup(&w, "badrecv.db", extra) != 0) {
        world_teardown(&w);
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        return;
    }
    long hang = register_webhook(&w, port, "/hang", secret, sizeof secret);
    long ok = register_webhook(&w, port, "/ok", secret, sizeof secret);
    test_server rs = test_server_at(port);
    test_resp *r = test_http(&rs, "POST", "/_secret", NULL, "text/plain", secret, strlen(secret));
    test_resp_free(r);
    /* A client that opens a stream and never reads it. */
    int lazy = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w.srv.port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(lazy, (struct sockaddr *)&sa, sizeof sa) == 0);
    char req[256];
    int rn = snprintf(req, sizeof req, "GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
                      w.tok[R_ENT]);
    CHECK(write(lazy, req, (size_t)rn) == rn);

    /* While the first endpoint hangs, a ping to the healthy one is delivered at once. */
    char path[96];
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", hang);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/webhooks/%ld/ping", ok);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    test_resp_free(r);
    CHECK(test_read_line(rfd, line, sizeof line, 600) == 0 && strncmp(line, "recv msg_ping_", 14) == 0);
    /* The hanging one times out twice, with the error in the log, and is disabled. */
    for (int tries = 0; tries < 200; tries++) {
        ping_delivery(&w, hang, state, sizeof state, &attempts, &first);
        if (strcmp(state, "failed") == 0)
            break;
        usleep(50 * 1000);
    }
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    CHECK_INT(first, -1); /* no answer: status_code null */
    char *t = first_try_text(&w, hang);
    CHECK(strstr(t, "imeout") != NULL || strstr(t, "timed out") != NULL);
    free(t);
    /* 410 disables at once; a dropped connection is an error, retried. */
    long gone = register_webhook(&w, port, "/gone", secret, sizeof secret);
    ping_until_settled(&w, gone, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 1);
    CHECK_INT(first, 410);
    long closer = register_webhook(&w, port, "/close", secret, sizeof secret);
    ping_until_settled(&w, closer, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    t = first_try_text(&w, closer);
    CHECK(strstr(t, "\"error\":null") == NULL);
    free(t);
    /* A redirect is not followed (it could lead to a private address): the 302 is a failed attempt. */
    long redirect = register_webhook(&w, port, "/redirect", secret, sizeof secret);
    ping_until_settled(&w, redirect, state, sizeof state, &attempts, &first);
    CHECK(strcmp(state, "failed") == 0);
    CHECK_INT(attempts, 2);
    CHECK_INT(first, 302);
    int redirects = 0, followed = 0;
    char redirected[128] = "(none)";
    while (test_read_line(rfd, line, sizeof line, 500) == 0) {
        if (strncmp(line, "redirect ", 9) == 0) {
            redirects++;
            snprintf(redirected, sizeof redirected, "recv %.100s ", line + 9);
        }
        followed += strncmp(line, redirected, strlen(redirected)) == 0;
    }
    CHECK_INT(redirects, 2);
    CHECK_INT(followed, 0);
    r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    close(lazy);
    world_teardown(&w);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
}

