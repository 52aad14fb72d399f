/*
 * test_api_slow_clients.c: slow clients cannot hold the server (issue 13,
 * item 2).  Many connections from one loopback address (127.0.0.1) that send
 * their headers a byte at a time take no more than that address's share
 * (--max-conns-per-address), while a client from another address (127.0.0.2;
 * all of 127/8 is loopback) is served at once; a connection still trickling
 * its headers is closed at the header deadline (--header-timeout) although it
 * never falls silent, on a fresh connection and after a keep-alive request; a
 * live stream outlives that deadline; and one address's streams beyond
 * --max-streams-per-address are 429.  The clients are raw sockets bound to
 * their source address, so each byte goes out when the test says.
 */
#include "test.h"
#include "limits.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOW_ADDR "127.0.0.1"
#define OTHER_ADDR "127.0.0.2"

/* A TCP connection from source (a loopback address) to the server's port; -1 on failure. */
static int connect_from(const char *source, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = 0 };
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (fd < 0)
        return -1;
    inet_pton(AF_INET, source, &from.sin_addr);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends text; 0 when all of it went out, -1 when the server has closed the connection. */
static int send_text(int fd, const char *text)
{
    size_t len = strlen(text);
    return send(fd, text, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static long ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * Reads what the server sends onto the text already in buf (NUL-terminated,
 * at most len bytes in all) until buf holds until (NULL: never), the server
 * ends the connection (*closed is then set) or timeout_ms pass.  Returns
 * whether buf holds until.
 */
static int read_until(int fd, char *buf, size_t len, int timeout_ms, const char *until, int *closed)
{
    size_t n = strlen(buf);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    *closed = 0;
    while (until == NULL || strstr(buf, until) == NULL) {
        long left = timeout_ms - ms_since(&start);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (n + 1 >= len || poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
            return 0;
        ssize_t got = recv(fd, buf + n, len - n - 1, 0);
        if (got <= 0) {
            *closed = 1;
            return 0;
        }
        n += (size_t)got;
        buf[n] = '\0';
    }
    return 1;
}

/* Whether the server has ended fd's connection, waiting at most timeout_ms; what it sent meanwhile goes to reply. */
static int ended_within(int fd, int timeout_ms, char *reply, size_t len)
{
    int closed = 0;
    reply[0] = '\0';
    read_until(fd, reply, len, timeout_ms, NULL, &closed);
    return closed;
}

/* The status of a whole GET from source (0 when the connection ended without one); the reply goes to buf. */
static int get_from(const char *source, int port, const char *path, const char *token, char *buf, size_t len)
{
    char request[512];
    int closed = 0, status = 0;
    int fd = connect_from(source, port);
    if (fd < 0)
        return -1;
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%sConnection: close\r\n\r\n", path,
             token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    buf[0] = '\0';
    if (send_text(fd, request) == 0)
        read_until(fd, buf, len, 20000, NULL, &closed);
    if (sscanf(buf, "HTTP/1.1 %d ", &status) != 1)
        status = 0;
    close(fd);
    return status;
}

/*
 * Many slow connections from one address hold only its share: the ones past
 * --max-conns-per-address are closed at once, a new one from that address is
 * too, another address is served throughout, and the held ones are answered
 * when their headers end.
 */
void test_api_slow_clients_hold_one_address_only(void)
{
    enum { SLOW = 300, LIMIT = 20 };
    int fds[SLOW], gone[SLOW] = { 0 };
    char reply[4096];
    test_server s;
    /* A deadline far beyond this test's steps: here only the address limit closes anything. */
    static const char *const extra[] = { "--max-conns-per-address", "20", "--header-timeout", "120", NULL };
    unlink(test_path("slow_conns.db"));
    REQUIRE(test_server_start(&s, test_path("slow_conns.db"), extra) == 0);
    for (int i = 0; i < SLOW; i++) {
        fds[i] = connect_from(SLOW_ADDR, s.port);
        REQUIRE(fds[i] >= 0);
        (void)send_text(fds[i], "GET /healthz HTTP/1.1\r\nHost: x\r\n"); /* fails when already closed */
    }
    /* Those past the limit are closed without a reply; wait (at most 30 s) until the server has seen them all. */
    int ended = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (ended < SLOW - LIMIT && ms_since(&start) < 30000) {
        for (int i = 0; i < SLOW; i++) {
            if (!gone[i] && ended_within(fds[i], 0, reply, sizeof reply)) {
                CHECK_STR(reply, "");
                gone[i] = 1;
                ended++;
            }
        }
        usleep(50 * 1000);
    }
    CHECK_INT(ended, SLOW - LIMIT);
    /* While they trickle on, another address is served at once, and this one gets no more connections. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < SLOW; i++) {
            if (!gone[i])
                CHECK_INT(send_text(fds[i], "X-Slow: a\r\n"), 0);
        }
        CHECK_INT(get_from(OTHER_ADDR, s.port, "/healthz", NULL, reply, sizeof reply), 200);
        CHECK_INT(get_from(SLOW_ADDR, s.port, "/healthz", NULL, reply, sizeof reply), 0);
        CHECK_STR(reply, "");
        usleep(200 * 1000);
    }
    /* The held connections end their headers and are answered. */
    int answered = 0;
    for (int i = 0; i < SLOW; i++) {
        int closed = 0;
        reply[0] = '\0';
        if (gone[i] || send_text(fds[i], "Connection: close\r\n\r\n") != 0)
            continue;
        read_until(fds[i], reply, sizeof reply, 20000, "\r\n\r\n", &closed);
        answered += strncmp(reply, "HTTP/1.1 200 ", 13) == 0;
    }
    CHECK_INT(answered, LIMIT);
    for (int i = 0; i < SLOW; i++)
        close(fds[i]);
    /* With them gone, the address is served again. */
    int status = 0;
    for (int tries = 0; tries < 100 && status != 200; tries++) {
        status = get_from(SLOW_ADDR, s.port, "/healthz", NULL, reply, sizeof reply);
        if (status != 200)
            usleep(100 * 1000);
    }
    CHECK_INT(status, 200);
    CHECK_INT(test_server_stop(&s), 0);
    /* The 280 refused connections took a few log lines, not one each. */
    char *log = test_server_log(&s);
    int lines = 0;
    for (const char *p = log ? strstr(log, "libmicrohttpd:") : NULL; p; p = strstr(p + 1, "libmicrohttpd:"))
        lines++;
    if (lines > 3 * LIM_LOG_MHD_LINES)
        test_fail(__FILE__, __LINE__, "%d lines from libmicrohttpd in the log", lines);
    CHECK(log != NULL && strstr(log, "more messages in") != NULL);
    free(log);
    /* Values out of range are a usage error (exit 2). */
    const char *const bad[][2] = { { "--max-conns-per-address", "-1" }, { "--max-streams-per-address", "x" },
                             { "--header-timeout", "0" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = { test_bin(), "serve", bad[i][0], bad[i][1], "--db", test_path("slow_bad.db"), NULL };
        CHECK_INT(test_run(argv, NULL, NULL, NULL), 2);
    }
}

/*
 * Sends a header line every 200 ms on fd until the server ends the
 * connection or limit_ms pass; returns whether it ended it, and checks that it
 * sent no reply.  Meanwhile another address is served.
 */
static int trickle_until_closed(const test_server *s, int fd, long limit_ms)
{
    char reply[4096] = "";
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rounds = 0;
    while (ms_since(&start) < limit_ms) {
        if (send_text(fd, "X-Slow: a\r\n") != 0 || ended_within(fd, 200, reply, sizeof reply)) {
            CHECK(strstr(reply, "HTTP/1.1 ") == NULL);
            return 1;
        }
        if (rounds++ % 10 == 0)
            CHECK_INT(get_from(OTHER_ADDR, s->port, "/healthz", NULL, reply, sizeof reply), 200);
    }
    return 0;
}

/*
 * The header deadline is fixed: a connection that keeps sending header lines
 * is closed when the deadline passes, on a fresh connection and after a
 * request on a keep-alive one.
 */
void test_api_slow_clients_header_deadline_is_fixed(void)
{
    char reply[4096];
    int closed = 0;
    test_server s;
    static const char *const extra[] = { "--header-timeout", "2", NULL };
    unlink(test_path("slow_headers.db"));
    REQUIRE(test_server_start(&s, test_path("slow_headers.db"), extra) == 0);

    /* A fresh connection: its deadline counts from the start (2 s; it is given 30 s to be closed). */
    int fd = connect_from(SLOW_ADDR, s.port);
    REQUIRE(fd >= 0);
    CHECK_INT(send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n"), 0);
    CHECK(trickle_until_closed(&s, fd, 30000));
    close(fd);

    /* A keep-alive connection: a request in time is answered, and the next one's deadline counts from its end. */
    fd = connect_from(SLOW_ADDR, s.port);
    REQUIRE(fd >= 0);
    CHECK_INT(send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
    reply[0] = '\0';
    read_until(fd, reply, sizeof reply, 20000, "\r\n\r\n", &closed);
    CHECK(strncmp(reply, "HTTP/1.1 200 ", 13) == 0);
    CHECK(!closed);
    CHECK_INT(send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n"), 0);
    CHECK(trickle_until_closed(&s, fd, 30000));
    close(fd);

    /* The server logged what it closed, and serves as before. */
    char *log = test_server_log(&s);
    CHECK_CONTAINS(log, "whose request headers were not in within 2 s");
    free(log);
    CHECK_INT(get_from(SLOW_ADDR, s.port, "/healthz", NULL, reply, sizeof reply), 200);
    CHECK_INT(test_server_stop(&s), 0);
}

/* Opens a live stream from source as token; returns the socket with the reply's head in buf, or -1. */
static int open_stream(const char *source, int port, const char *token, char *buf, size_t len)
{
    char request[512];
    int closed = 0;
    int fd = connect_from(source, port);
    if (fd < 0)
        return -1;
    snprintf(request, sizeof request, "GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
             token);
    if (send_text(fd, request) != 0) {
        close(fd);
        return -1;
    }
    buf[0] = '\0';
    if (read_until(fd, buf, len, 20000, "\r\n\r\n", &closed))
        read_until(fd, buf, len, 20000, strncmp(buf, "HTTP/1.1 200 ", 13) == 0 ? ": connected" : "}", &closed);
    return fd;
}

/* The open streams /healthz counts, polled until it is want (at most 30 s); the last count. */
static long streams_settle(const test_server *s, long want)
{
    long open_streams = -1;
    for (int tries = 0; tries < 300 && open_streams != want; tries++) {
        test_resp *r = test_http(s, "GET", "/healthz", NULL, NULL, NULL, 0);
        open_streams = (long)test_jnum(r->json, "streams");
        test_resp_free(r);
        if (open_streams != want)
            usleep(100 * 1000);
    }
    return open_streams;
}

/*
 * One address holds at most --max-streams-per-address live streams: the next
 * is 429 with Retry-After while another address opens one, and a stream that
 * closes frees its place.  Streams outlive the header deadline.
 */
void test_api_slow_clients_streams_per_address(void)
{
    char head[4096], more[4096];
    test_server s;
    static const char *const extra[] = { "--max-streams-per-address", "2", "--header-timeout", "1",
                                         "--stream-heartbeat", "1", NULL };
    unlink(test_path("slow_streams.db"));
    REQUIRE(test_server_start(&s, test_path("slow_streams.db"), extra) == 0);
    char *tok = test_signup(&s, "Streaming Co", "enterprise", "streams@example.com");
    REQUIRE(tok != NULL);

    int first = open_stream(SLOW_ADDR, s.port, tok, head, sizeof head);
    CHECK(strncmp(head, "HTTP/1.1 200 ", 13) == 0);
    CHECK_CONTAINS(head, ": connected");
    int second = open_stream(SLOW_ADDR, s.port, tok, head, sizeof head);
    CHECK(strncmp(head, "HTTP/1.1 200 ", 13) == 0);
    CHECK_INT(streams_settle(&s, 2), 2);

    /* A third from the same address is refused with problem+json and Retry-After; another address gets one. */
    int third = open_stream(SLOW_ADDR, s.port, tok, head, sizeof head);
    CHECK(strncmp(head, "HTTP/1.1 429 ", 13) == 0);
    CHECK(strstr(head, "Retry-After: 30\r\n") != NULL);
    CHECK(strstr(head, "Content-Type: application/problem+json\r\n") != NULL);
    CHECK_CONTAINS(head, "\"status\":429");
    if (third >= 0)
        close(third);
    int other = open_stream(OTHER_ADDR, s.port, tok, head, sizeof head);
    CHECK(strncmp(head, "HTTP/1.1 200 ", 13) == 0);
    CHECK_INT(streams_settle(&s, 3), 3);

    /* Past the header deadline (1 s) the streams are still open: a heartbeat comes on the first. */
    sleep(2);
    int closed = 0;
    more[0] = '\0';
    CHECK(read_until(first, more, sizeof more, 20000, ": keep-alive", &closed));
    CHECK(!closed);

    /* A closed stream frees its place (the server notices at a heartbeat). */
    close(first);
    CHECK_INT(streams_settle(&s, 2), 2);
    int again = open_stream(SLOW_ADDR, s.port, tok, head, sizeof head);
    CHECK(strncmp(head, "HTTP/1.1 200 ", 13) == 0);
    for (int i = 0; i < 3; i++) {
        int fd = i == 0 ? second : i == 1 ? other : again;
        if (fd >= 0)
            close(fd);
    }
    free(tok);
    CHECK_INT(test_server_stop(&s), 0);
}
