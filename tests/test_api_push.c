/*
 * test_api_push.c: pushing approved matches to enterprises: the inbox (once,
 * in the Standard Webhooks shape, private to its organisation), subscriptions,
 * the matching policy with auto-approval, digests, and the live event stream
 * resuming after the server is killed.
 */
#include "api_world.h"
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------- push: approval, the outbox, the inbox, subscriptions, policy ---------- */

static long unread(world *w, int role)
{
    test_resp *r = test_http(&w->srv, "GET", "/api/notifications/unread", w->tok[role], NULL, NULL, 0);
    long n = r->status == 200 ? (long)test_jnum(r->json, "unread") : -1;
    test_resp_free(r);
    return n;
}

void test_api_push_approval_reaches_the_inbox_once(void)
{
    world w;
    if (world_setup(&w, "push.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long a = world_matching_achievement(&w, 1);
    long m = world_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* Only brokers and admins approve; a university cannot. */
    test_resp *r = world_approve(&w, R_UNI, m);
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    CHECK(strcmp(test_jstr(r->json, "status"), "pushed") == 0);
    long nid = (long)test_jnum(r->json, "notification_id");
    CHECK(nid > 0);
    test_resp_free(r);
    /* A second decision is refused and names the state; nothing is pushed twice. */
    r = world_approve(&w, R_ADMIN, m);
    CHECK_INT(r->status, 409);
    CHECK(strstr(r->body, "pushed") != NULL);
    test_resp_free(r);
    r = world_approve(&w, R_BROKER, 987654);
    CHECK_INT(r->status, 404);
    test_resp_free(r);

    /* The enterprise's inbox holds one event in the Standard Webhooks shape. */
    CHECK_INT(unread(&w, R_ENT), 1);
    r = world_inbox(&w, R_ENT, 0);
    CHECK_INT(r->status, 200);
    const cJSON *items = cJSON_GetObjectItem(r->json, "items");
    CHECK_INT(cJSON_GetArraySize(items), 1);
    const cJSON *n0 = cJSON_GetArrayItem(items, 0);
    CHECK_INT((long)test_jnum(n0, "id"), nid);
    CHECK(strcmp(test_jstr(n0, "type"), "match.pushed") == 0);
    const cJSON *ev = cJSON_GetObjectItem(n0, "event");
    CHECK(strcmp(test_jstr(ev, "type"), "match.pushed") == 0);
    CHECK(strlen(test_jstr(ev, "timestamp")) == 20);
    const cJSON *data = cJSON_GetObjectItem(ev, "data");
    CHECK_INT((long)test_jnum(data, "match_id"), m);
    CHECK(test_jnum(data, "score") > 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "explanation"), "terms")) > 0);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(data, "demand"), "id"), w.demand_id);
    CHECK_INT((long)test_jnum(cJSON_GetObjectItem(data, "achievement"), "id"), a);
    /* Public members only: the inventor's contact is not in the event. */
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(data, "achievement"), "contact") == NULL);
    CHECK(strstr(r->body, "secret@uni") == NULL);
    test_resp_free(r);

    /* Another enterprise sees none of it and cannot mark it read. */
    r = world_inbox(&w, R_ENT2, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    char path[64];
    snprintf(path, sizeof path, "/api/notifications/%ld/read", nid);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT2], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* The cursor: nothing after the last id; a bad cursor is named. */
    r = world_inbox(&w, R_ENT, nid);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/notifications?after=abc", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "after"));
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_push_subscription_policy_and_digest(void)
{
    world w;
    /* Digests every 3 s: the server's digest tick may fall anywhere below, so the digests are checked
       whatever it splits. */
    static const char *const extra[] = { "--digest-period", "3", NULL };
    if (world_setup(&w, "subscription.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    /* The defaults, then a minimum score that holds a match back. */
    test_resp *r = test_http(&w.srv, "GET", "/api/subscription", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "channels")), 3);
    CHECK(strcmp(test_jstr(r->json, "mode"), "realtime") == 0);
    test_resp_free(r);
    static const char *const bad[][2] = {
        { "{\"mode\":\"weekly\"}", "mode" },
        { "{\"channels\":[\"fax\"]}", "channels" },
        { "{\"min_score\":1.5}", "min_score" },
        { "{\"colour\":1}", "colour" },
    };
    for (size_t i = 0; i < 4; i++) {
        r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], bad[i][0]);
        CHECK_INT(r->status, 400);
        CHECK(test_problem_names(r, bad[i][1]));
        test_resp_free(r);
    }
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"min_score\":0.99,\"channels\":[\"inbox\"]}");
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "channels")), 1);
    test_resp_free(r);
    long a1 = world_matching_achievement(&w, 1);
    long m1 = world_match_id(&w, "suggested", w.demand_id, a1);
    REQUIRE(m1 > 0);
    r = world_approve(&w, R_BROKER, m1);
    CHECK_INT(r->status, 200);
    CHECK(strcmp(test_jstr(r->json, "status"), "approved") == 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "notification_id")));
    test_resp_free(r);
    CHECK_INT(unread(&w, R_ENT), 0);

    /* Policy: brokers read it, only admins change it, bad values are named. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_BROKER], "{\"auto_approve_score\":0.1}");
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"suggest_threshold\":2}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "suggest_threshold"));
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "[1]");
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    /* Auto-approval: a new suggestion above the score is pushed with no review. */
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"min_score\":0}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"auto_approve_score\":0.3}");
    CHECK_INT(r->status, 200);
    CHECK(test_jnum(r->json, "auto_approve_score") == 0.3);
    CHECK(test_jnum(r->json, "updated_by") > 0);
    CHECK(strlen(test_jstr(r->json, "updated_by_name")) > 0);
    test_resp_free(r);
    long a2 = world_matching_achievement(&w, 2);
    CHECK(world_match_id(&w, "pushed", w.demand_id, a2) > 0);
    CHECK_INT(unread(&w, R_ENT), 1);

    /* A digest: approved matches wait, then arrive together, several in one event. */
    r = test_json(&w.srv, "PUT", "/api/subscription", w.tok[R_ENT], "{\"mode\":\"digest\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long a3 = world_matching_achievement(&w, 3), a4 = world_matching_achievement(&w, 4);
    /* m1 waits too: it was approved below the minimum score, which is now 0.  All three are pushed by digests. */
    int digests = 0, in_digests = 0, largest = 0;
    for (int tries = 0; tries < 150 && in_digests < 3; tries++) {
        digests = in_digests = largest = 0;
        r = world_inbox(&w, R_ENT, 0);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
            if (strcmp(test_jstr(it, "type"), "match.digest") == 0) {
                const cJSON *list =
                    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "event"), "data"), "matches");
                int n = cJSON_GetArraySize(list);
                digests++;
                in_digests += n;
                largest = n > largest ? n : largest;
            }
        test_resp_free(r);
        if (in_digests < 3)
            usleep(100 * 1000);
    }
    CHECK_INT(in_digests, 3);
    CHECK(digests >= 1 && digests <= 2); /* the first at once, the next a period later at most */
    CHECK(largest >= 2);                 /* matches approved together arrive as one event */
    CHECK(world_match_id(&w, "pushed", w.demand_id, a3) > 0);
    CHECK(world_match_id(&w, "pushed", w.demand_id, a4) > 0);
    world_teardown(&w);
}

/* ---------- push: the live stream ---------- */

/* Reads lines until one starts with prefix (skipping "open"/"dropped"); 0 when found. */
static int expect_line(int fd, const char *prefix, char *line, size_t len)
{
    for (int i = 0; i < 20; i++) {
        if (test_read_line(fd, line, len, 20000) != 0)
            return -1;
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return 0;
        if (strcmp(line, "open") != 0 && strcmp(line, "dropped") != 0)
            return -1;
    }
    return -1;
}

void test_api_push_stream_resumes_after_kill(void)
{
    static const char *const extra[] = { "--stream-heartbeat", "1", NULL };
    world w;
    if (world_setup(&w, "stream.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    long m[3];
    for (int i = 0; i < 3; i++) {
        long a = world_matching_achievement(&w, i + 1);
        m[i] = world_match_id(&w, "suggested", w.demand_id, a);
        REQUIRE(m[i] > 0);
    }
    /* Heartbeats, and bad Last-Event-IDs named. */
    test_resp *r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, NULL, 2500);
    CHECK_INT(r->status, 200);
    CHECK(strstr(r->body, ": keep-alive") != NULL);
    CHECK(strcmp(test_resp_header(r, "Content-Type"), "text/event-stream") == 0);
    test_resp_free(r);
    /* That client has gone: the next heartbeat finds out and the stream is cleaned up. */
    long open_streams = -1;
    for (int tries = 0; tries < 100 && open_streams != 0; tries++) {
        r = test_http(&w.srv, "GET", "/healthz", NULL, NULL, NULL, 0);
        open_streams = (long)test_jnum(r->json, "streams");
        test_resp_free(r);
        if (open_streams != 0)
            usleep(50 * 1000);
    }
    CHECK_INT(open_streams, 0);
    static const char *const bad[] = { "Last-Event-ID: abc", "Last-Event-ID: -4", "Last-Event-ID: 99999" };
    for (int i = 0; i < 3; i++) {
        r = test_http_ex(&w.srv, "GET", "/api/stream", w.tok[R_ENT], NULL, NULL, 0, bad[i], 5000);
        CHECK_INT(r->status, 400);
        CHECK(test_problem_names(r, "Last-Event-ID"));
        test_resp_free(r);
    }
    r = test_http(&w.srv, "GET", "/api/stream", w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 403);
    test_resp_free(r);

    /* A client that is not ours gets the first event live... */
    char url[128], count[8] = "3", line[256];
    snprintf(url, sizeof url, "%s/api/stream", w.srv.base);
    const char *argv[] = { "node", "tests/sse_client.mjs", url, w.tok[R_ENT], count, "60000", NULL };
    pid_t pid;
    int fd = test_spawn_reader(argv, &pid);
    REQUIRE(fd >= 0);
    CHECK(test_read_line(fd, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    r = world_approve(&w, R_BROKER, m[0]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    /* ...then the server dies with kill -9, and a match is pushed before the client is back. */
    int port = w.srv.port;
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    CHECK_INT(test_server_kill(&w.srv), 0);
    const char *again[] = { "--listen", listen, "--stream-heartbeat", "1", NULL };
    char db[sizeof w.srv.db];
    snprintf(db, sizeof db, "%s", w.srv.db);
    REQUIRE(test_server_start(&w.srv, db, again) == 0);
    r = world_approve(&w, R_BROKER, m[1]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    /* The client reconnects with Last-Event-ID and gets the missed event, then a live one; no gap, no repeat. */
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    r = world_approve(&w, R_BROKER, m[2]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(expect_line(fd, "event ", line, sizeof line) == 0);
    CHECK(expect_line(fd, "done", line, sizeof line) == 0);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    world_teardown(&w);
}

