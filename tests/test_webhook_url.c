/*
 * test_webhook_url.c: which webhook endpoints are refused.  The address rule
 * (webhook_address_refused, the one rule of registration and connect time)
 * and webhook_url_check on every IPv4-in-IPv6 form, site-local, 6to4 and the
 * documentation ranges; over HTTP, one such registration refused, and the
 * limit of endpoints an organisation holds under parallel creates.
 */
#include "api_world.h"
#include "err.h"
#include "limits.h"
#include "webhook.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Whether the address rule refuses a literal (IPv4 or IPv6 text); -1 when it does not parse. */
static int literal_refused(const char *text)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    a4.sin_family = AF_INET;
    a6.sin6_family = AF_INET6;
    if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
        return webhook_address_refused((const struct sockaddr *)&a4);
    if (inet_pton(AF_INET6, text, &a6.sin6_addr) == 1)
        return webhook_address_refused((const struct sockaddr *)&a6);
    return -1;
}

/* Checks one literal both ways: the address rule (connect time) and the URL check (registration). */
static void expect_literal(const char *text, int refused)
{
    char url[128], why[160] = "";
    int v6 = strchr(text, ':') != NULL;
    snprintf(url, sizeof url, v6 ? "http://[%s]:8080/hook" : "http://%s:8080/hook", text);
    int got = literal_refused(text);
    if (got != refused)
        test_fail(__FILE__, __LINE__, "%s: address rule says %d, expected %d", text, got, refused);
    int rc = webhook_url_check(url, 0, why, sizeof why);
    if ((rc != TM_OK) != refused)
        test_fail(__FILE__, __LINE__, "%s: URL check says %s (%s)", url, tm_strerror(rc), why);
    /* Allowed when private addresses are (tests, closed networks): the address was the only reason. */
    rc = webhook_url_check(url, 1, why, sizeof why);
    if (rc != TM_OK)
        test_fail(__FILE__, __LINE__, "%s with private addresses allowed: %s (%s)", url, tm_strerror(rc), why);
}

void test_webhook_url_refuses_ipv4_in_ipv6_and_reserved_ranges(void)
{
    static const char *const refused[] = {
        "::127.0.0.1",            /* IPv4-compatible (::/96) of loopback */
        "::10.0.0.1",             /* IPv4-compatible of a private address */
        "::ffff:0:127.0.0.1",     /* IPv4-translated (::ffff:0:0/96) of loopback */
        "::ffff:0:192.168.1.1",   /* IPv4-translated of a private address */
        "::ffff:127.0.0.1",       /* IPv4-mapped of loopback */
        "fec0::1",                /* site-local fec0::/10 */
        "feff::1",                /* the end of site-local */
        "2002:7f00:1::",          /* 6to4 of 127.0.0.1 */
        "2002:a00:1::1",          /* 6to4 of 10.0.0.1 */
        "2002:c000:201::1",       /* 6to4 of 192.0.2.1 (documentation) */
        "64:ff9b::7f00:1",        /* NAT64 of loopback */
        "64:ff9b::c633:6401",     /* NAT64 of 198.51.100.1 (documentation) */
        "64:ff9b:1::8.8.8.8",     /* local-use NAT64 64:ff9b:1::/48 */
        "2001:db8::1",            /* documentation 2001:db8::/32 */
        "2001:db8:ffff::1",
        "100::1",                 /* discard-only 100::/64 */
        "::",                     /* unspecified */
        "::1",                    /* loopback */
        "fd00::1",                /* unique local */
        "fe80::1",                /* link-local */
        "ff02::1",                /* multicast */
        "192.0.2.1",              /* TEST-NET-1 */
        "192.0.2.255",
        "198.51.100.7",           /* TEST-NET-2 */
        "203.0.113.200",          /* TEST-NET-3 */
        "127.0.0.1",
        "0.0.0.0",
    };
    static const char *const allowed[] = {
        "8.8.8.8",
        "192.0.3.1",              /* just past TEST-NET-1 */
        "198.51.101.1",           /* just past TEST-NET-2 */
        "203.0.112.255",          /* just before TEST-NET-3 */
        "2606:4700:4700::1111",   /* global unicast */
        "::ffff:8.8.8.8",         /* IPv4-mapped of a public address */
        "::8.8.8.8",              /* IPv4-compatible: the IPv4 rule decides, as for every embedding */
        "2002:808:808::1",        /* 6to4 of 8.8.8.8 */
        "64:ff9b::808:808",       /* NAT64 of 8.8.8.8 */
        "2001:db9::1",            /* just past the documentation prefix */
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_literal(refused[i], 1);
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        expect_literal(allowed[i], 0);
}

void test_api_push_webhook_url_forms_refused_over_http(void)
{
    world w;
    if (world_setup(&w, "hook_forms.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const char *const bad[] = {
        "{\"url\":\"http://[::127.0.0.1]:9/x\"}",
        "{\"url\":\"http://[::ffff:0:127.0.0.1]:9/x\"}",
        "{\"url\":\"http://[fec0::1]/x\"}",
        "{\"url\":\"http://[2002:7f00:1::]/x\"}",
        "{\"url\":\"https://203.0.113.5/x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_resp *r = test_json(&w.srv, "POST", "/api/webhooks", w.tok[R_ENT], bad[i]);
        if (r->status != 400 || !test_problem_names(r, "url"))
            test_fail(__FILE__, __LINE__, "%s: %ld %s", bad[i], r->status, r->body);
        test_resp_free(r);
    }
    test_resp *r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    test_resp_free(r);
    world_teardown(&w);
}

/* ---------- the limit under parallel creates ---------- */

enum { CREATES = 60, CREATORS = 60 }; /* creates, and the threads that send them (CREATES / CREATORS each) */

/* Holds the threads until all are made, so their creates arrive together. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t opened;
    int open;
} gate;

typedef struct creator {
    const world *w;
    gate *go;
    int first;                  /* the index of this thread's first create */
    long status[CREATES / CREATORS];
    int names_url[CREATES / CREATORS];
} creator;

/* Sends this thread's creates, one request (and curl handle) after another; records each answer. */
static void *create_some(void *arg)
{
    creator *c = arg;
    pthread_mutex_lock(&c->go->lock);
    while (!c->go->open)
        pthread_cond_wait(&c->go->opened, &c->go->lock);
    pthread_mutex_unlock(&c->go->lock);
    for (int i = 0; i < CREATES / CREATORS; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:9/hook%d\"}", c->first + i);
        test_resp *r = test_json(&c->w->srv, "POST", "/api/webhooks", c->w->tok[R_ENT], body);
        c->status[i] = r->status;
        c->names_url[i] = r->status == 400 && test_problem_names(r, "url") &&
                          r->body != NULL && strstr(r->body, "at most") != NULL;
        test_resp_free(r);
    }
    return NULL;
}

void test_api_push_webhook_limit_holds_under_parallel_creates(void)
{
    static const char *const extra[] = { "--allow-private-webhooks", NULL };
    world w;
    if (world_setup(&w, "hook_limit.db", extra) != 0) {
        world_teardown(&w);
        return;
    }
    creator cs[CREATORS];
    pthread_t th[CREATORS];
    gate go = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
    int started = 0;
    for (int i = 0; i < CREATORS; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].w = &w;
        cs[i].go = &go;
        cs[i].first = i * (CREATES / CREATORS);
        if (pthread_create(&th[i], NULL, create_some, &cs[i]) != 0)
            break;
        started++;
    }
    pthread_mutex_lock(&go.lock);
    go.open = 1;
    pthread_cond_broadcast(&go.opened);
    pthread_mutex_unlock(&go.lock);
    CHECK_INT(started, CREATORS);
    int created = 0, limited = 0, other = (CREATORS - started) * (CREATES / CREATORS);
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        for (int j = 0; j < CREATES / CREATORS; j++) {
            if (cs[i].status[j] == 201)
                created++;
            else if (cs[i].names_url[j])
                limited++;
            else
                other++;
        }
    }
    CHECK_INT(created, LIM_WEBHOOKS);
    CHECK_INT(limited, CREATES - LIM_WEBHOOKS);
    CHECK_INT(other, 0);
    test_resp *r = test_http(&w.srv, "GET", "/api/webhooks", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), LIM_WEBHOOKS);
    test_resp_free(r);
    world_teardown(&w);
}
