/*
 * test_api_stream_session.c: a session bounds what it opened.  A live stream
 * (GET /api/stream, read by a client that is not ours, tests/sse_client.mjs)
 * ends when its session is logged out or expires, and delivers nothing after;
 * and the session cookie is Secure when the server is told its public URL is
 * https (--public-url, behind a proxy that ends TLS), though it speaks plain
 * HTTP itself.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Starts the SSE client on the world's stream as token, for count events within timeout_ms; -1 on failure. */
static int spawn_stream(world *w, const char *token, const char *count, const char *timeout_ms, pid_t *pid)
{
    char url[128];
    snprintf(url, sizeof url, "%s/api/stream", w->srv.base);
    const char *argv[] = { "node", "tests/sse_client.mjs", url, token, count, timeout_ms, NULL };
    return test_spawn_reader(argv, pid);
}

/*
 * Reads the client's lines until it exits; counts the events it printed and
 * whether the stream dropped.  Returns the client's exit status, -1 if unknown.
 */
static int drain_client(int fd, pid_t pid, int *events, int *dropped)
{
    char line[256];
    *events = 0;
    *dropped = 0;
    while (test_read_line(fd, line, sizeof line, 30000) == 0) {
        if (strncmp(line, "event ", 6) == 0)
            (*events)++;
        if (strcmp(line, "dropped") == 0)
            (*dropped)++;
    }
    close(fd);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Polls /healthz until want streams are open (an ended stream is forgotten as its connection ends); the last count. */
static long streams_settle(world *w, long want)
{
    long open_streams = -1;
    for (int tries = 0; tries < 100 && open_streams != want; tries++) {
        test_resp *r = test_http(&w->srv, "GET", "/healthz", NULL, NULL, NULL, 0);
        open_streams = (long)test_jnum(r->json, "streams");
        test_resp_free(r);
        if (open_streams != want)
            usleep(50 * 1000);
    }
    return open_streams;
}

void test_api_stream_session_ends_at_logout(void)
{
    /* A heartbeat far away: only the logout can end the stream in time. */
    static const char *const extra[] = { "--stream-heartbeat", "600", NULL };
    world w;
    if (world_setup(&w, "stream_logout.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    long a = world_matching_achievement(&w, 1);
    long m = world_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);
    /* Two sessions of the same enterprise user, each with its own stream. */
    char *second = test_login(&w.srv, "ent@example.com", TEST_PASSWORD);
    REQUIRE(second != NULL);
    char line[256];
    pid_t gone_pid, kept_pid;
    int gone = spawn_stream(&w, second, "1", "8000", &gone_pid);
    REQUIRE(gone >= 0);
    CHECK(test_read_line(gone, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    int kept = spawn_stream(&w, w.tok[R_ENT], "1", "20000", &kept_pid);
    REQUIRE(kept >= 0);
    CHECK(test_read_line(kept, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);

    test_resp *r = test_http(&w.srv, "POST", "/api/auth/logout", second, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);

    /* The other session's stream gets the event; the logged-out one ends without it and cannot come back. */
    int events = 0, dropped = 0;
    CHECK_INT(drain_client(kept, kept_pid, &events, &dropped), 0);
    CHECK_INT(events, 1);
    int status = drain_client(gone, gone_pid, &events, &dropped);
    CHECK_INT(events, 0);
    CHECK(dropped >= 1);
    CHECK_INT(status, 2); /* it waited out its timeout without an event */
    r = test_http(&w.srv, "GET", "/api/stream", second, NULL, NULL, 0);
    CHECK_INT(r->status, 401);
    test_resp_free(r);
    /* Only the kept stream is left: its client has gone, but the server notices that at a heartbeat. */
    CHECK_INT(streams_settle(&w, 1), 1);
    free(second);
    world_teardown(&w);
}

void test_api_stream_session_ends_at_expiry(void)
{
    world w;
    if (world_setup(&w, "stream_expiry.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long a = world_matching_achievement(&w, 1);
    long m = world_match_id(&w, "suggested", w.demand_id, a);
    REQUIRE(m > 0);
    /* Again on the same file, with sessions of 3 s and no heartbeat in sight: only the expiry ends the stream. */
    char db[sizeof w.srv.db];
    snprintf(db, sizeof db, "%s", w.srv.db);
    CHECK_INT(test_server_stop(&w.srv), 0);
    static const char *const again[] = { "--session-ttl", "3", "--stream-heartbeat", "600", NULL };
    REQUIRE(test_server_start(&w.srv, db, again) == 0);
    char *brief = test_login(&w.srv, "ent@example.com", TEST_PASSWORD);
    REQUIRE(brief != NULL);
    char line[256];
    pid_t pid;
    int fd = spawn_stream(&w, brief, "1", "8000", &pid);
    REQUIRE(fd >= 0);
    CHECK(test_read_line(fd, line, sizeof line, 20000) == 0 && strcmp(line, "open") == 0);
    /* Ended at expiry (3 s), before the client's own timeout (8 s) or a heartbeat (600 s). */
    CHECK(test_read_line(fd, line, sizeof line, 7000) == 0 && strcmp(line, "dropped") == 0);
    test_resp *r = world_approve(&w, R_BROKER, m);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    int events = 0, dropped = 0;
    CHECK_INT(drain_client(fd, pid, &events, &dropped), 2);
    CHECK_INT(events, 0);
    CHECK_INT(streams_settle(&w, 0), 0);
    free(brief);
    world_teardown(&w);
}

/* Logs in by cookie on s; returns whether the Set-Cookie it got is Secure (1, 0), or -1 without one. */
static int login_cookie_secure(const test_server *s)
{
    test_resp *r = test_json(s, "POST", "/api/auth/login", NULL,
                             "{\"email\":\"cookie@example.com\",\"password\":\"" TEST_PASSWORD "\",\"cookie\":true}");
    const char *set = r->status == 200 ? test_resp_header(r, "Set-Cookie") : NULL;
    int secure = set == NULL ? -1 : strstr(set, "; Secure") != NULL;
    test_resp_free(r);
    return secure;
}

void test_api_stream_session_cookie_secure_behind_an_https_proxy(void)
{
    /* Plain HTTP from the proxy, but users reach https://example.org: the cookie must be Secure. */
    const char *db = test_path("proxy_cookie.db");
    unlink(db);
    static const char *const behind[] = { "--public-url", "https://example.org", NULL };
    test_server s;
    REQUIRE(test_server_start(&s, db, behind) == 0);
    char *tok = test_signup(&s, "Cookie Co", "enterprise", "cookie@example.com");
    CHECK(tok != NULL);
    free(tok);
    CHECK_INT(login_cookie_secure(&s), 1);
    CHECK_INT(test_server_stop(&s), 0);
    /* The same server without it (plain HTTP, no TLS anywhere it knows of): not Secure, or browsers would drop it. */
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    CHECK_INT(login_cookie_secure(&s), 0);
    CHECK_INT(test_server_stop(&s), 0);
    static const char *const http_url[] = { "--public-url", "http://example.org", NULL };
    REQUIRE(test_server_start(&s, db, http_url) == 0);
    CHECK_INT(login_cookie_secure(&s), 0);
    CHECK_INT(test_server_stop(&s), 0);
    /* Anything but an http(s) URL with a host is refused at start, with exit status 2 and the option named. */
    static const char *const bad[] = { "ftp://example.org", "example.org", "https://", "https://exa mple.org", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = { test_bin(), "serve", "--listen", "127.0.0.1:0", "--db", db, "--public-url", bad[i],
                               NULL };
        char *err = NULL;
        CHECK_INT(test_run(argv, NULL, NULL, &err), 2);
        CHECK(err != NULL && strstr(err, "--public-url") != NULL);
        free(err);
    }
}
