/*
 * test_api_expensive.c: a few expensive requests do not stall everyone (issue
 * 13, item 3), over HTTP.  Password hashing runs off the request threads: while
 * more logins hash than the server has threads, /healthz from another client
 * is still answered, and logins beyond the hashing queue are refused at once
 * with 503 and Retry-After.  A long search is bounded: it searches its rarest
 * words, names the ones it dropped, and still finds the listing they describe.
 *
 * The flood is FLOOD_LOGINS logins of unknown emails (each burns one argon2id
 * run, as a wrong password does), sent at once on one libcurl multi handle
 * from FLOOD_ADDRESSES loopback addresses (127.0.1.x), so that neither the
 * failed-login limit of an address nor a per-address connection limit refuses
 * them before they hash.  Before the fix they queued on the request threads
 * (about 400 x 0.1 s of hashing on two threads), and /healthz waited behind them.
 */
#include "api_world.h"
#include "limits.h"
#include "parse.h"
#include "sbuf.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FLOOD_LOGINS 400
#define FLOOD_ADDRESSES 40
#define HEALTH_BOUND_MS 10000L /* generous: answered at once after the fix, after many seconds before it */

/* One login of the flood: its body, answer and headers. */
typedef struct flood_req {
    CURL *curl;
    struct curl_slist *headers;
    char body[160], iface[40];
    sbuf answer, head;
    long status;
} flood_req;

/* The flood, sent and read by its own thread; done counts the answers. */
typedef struct flood {
    const test_server *srv;
    flood_req req[FLOOD_LOGINS];
    atomic_int done;
} flood;

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

static void flood_req_init(flood_req *q, const test_server *s, int i)
{
    char url[128];
    q->curl = curl_easy_init();
    sbuf_init(&q->answer);
    sbuf_init(&q->head);
    q->status = -1;
    snprintf(q->body, sizeof q->body, "{\"email\":\"nobody%d@example.com\",\"password\":\"not a password %d\"}", i, i);
    snprintf(q->iface, sizeof q->iface, "host!127.0.1.%d", 1 + i % FLOOD_ADDRESSES);
    snprintf(url, sizeof url, "%s/api/auth/login", s->base);
    q->headers = curl_slist_append(NULL, "Content-Type: application/json");
    q->headers = curl_slist_append(q->headers, "Expect:");
    curl_easy_setopt(q->curl, CURLOPT_URL, url);
    curl_easy_setopt(q->curl, CURLOPT_INTERFACE, q->iface);
    curl_easy_setopt(q->curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(q->curl, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(q->curl, CURLOPT_HTTPHEADER, q->headers);
    curl_easy_setopt(q->curl, CURLOPT_POSTFIELDS, q->body);
    curl_easy_setopt(q->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(q->curl, CURLOPT_WRITEDATA, &q->answer);
    curl_easy_setopt(q->curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(q->curl, CURLOPT_HEADERDATA, &q->head);
    curl_easy_setopt(q->curl, CURLOPT_PRIVATE, q);
}

static void flood_req_cleanup(flood_req *q)
{
    curl_easy_cleanup(q->curl);
    curl_slist_free_all(q->headers);
    sbuf_cleanup(&q->answer);
    sbuf_cleanup(&q->head);
}

/* Sends every login at once and reads the answers as they come. */
static void *flood_main(void *arg)
{
    flood *f = arg;
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)FLOOD_LOGINS);
    for (int i = 0; i < FLOOD_LOGINS; i++)
        curl_multi_add_handle(m, f->req[i].curl);
    int running = 1;
    while (running) {
        CURLMsg *msg;
        int left;
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            flood_req *q = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
            if (msg->data.result == CURLE_OK)
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &q->status);
            atomic_fetch_add(&f->done, 1);
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < FLOOD_LOGINS; i++)
        curl_multi_remove_handle(m, f->req[i].curl);
    curl_multi_cleanup(m);
    return NULL;
}

/* Starts the flood on s from its own thread; returns 0, or -1 (after a test_fail). */
static int flood_start(flood *f, const test_server *s, pthread_t *th)
{
    f->srv = s;
    atomic_init(&f->done, 0);
    for (int i = 0; i < FLOOD_LOGINS; i++)
        flood_req_init(&f->req[i], s, i);
    if (pthread_create(th, NULL, flood_main, f) != 0) {
        test_fail(__FILE__, __LINE__, "cannot start the flood's thread");
        for (int i = 0; i < FLOOD_LOGINS; i++)
            flood_req_cleanup(&f->req[i]);
        return -1;
    }
    /* Let the logins reach the server before anyone else asks. */
    usleep(500 * 1000);
    return 0;
}

/* Waits for every answer; the requests stay readable until flood_free. */
static void flood_end(pthread_t th)
{
    pthread_join(th, NULL);
}

static void flood_free(flood *f, int started)
{
    for (int i = 0; f && started && i < FLOOD_LOGINS; i++)
        flood_req_cleanup(&f->req[i]);
    free(f);
}

void test_api_expensive_hashing_leaves_healthz_answered(void)
{
    test_server s;
    pthread_t th;
    flood *f = calloc(1, sizeof *f);
    unlink(test_path("hashing.db"));
    if (f == NULL || test_server_start(&s, test_path("hashing.db"), NULL) != 0) {
        free(f);
        test_fail(__FILE__, __LINE__, "the server did not start");
        return;
    }
    if (flood_start(f, &s, &th) == 0) {
        /* Another client (127.0.0.1; the flood comes from 127.0.1.x) while the logins hash. */
        test_resp *r = test_http_ex(&s, "GET", "/healthz", NULL, NULL, NULL, 0, NULL, HEALTH_BOUND_MS);
        int answered_during = atomic_load(&f->done);
        if (r->status != 200)
            test_fail(__FILE__, __LINE__, "/healthz during %d hashing logins: %ld (no answer within %ld ms)",
                      FLOOD_LOGINS, r->status, HEALTH_BOUND_MS);
        test_resp_free(r);
        flood_end(th);
        /* The check meant something only if logins were still hashing when /healthz was answered. */
        CHECK(answered_during < FLOOD_LOGINS);
        int hashed = 0;
        for (int i = 0; i < FLOOD_LOGINS; i++)
            hashed += f->req[i].status == 401;
        CHECK(hashed > 2); /* more logins hashed than the server has request threads */
        flood_free(f, 1);
    } else {
        flood_free(f, 0);
    }
    CHECK_INT(test_server_stop(&s), 0);
}

void test_api_expensive_hash_queue_overflow_is_503_with_retry_after(void)
{
    test_server s;
    pthread_t th;
    int refused = 0, hashed = 0, other = 0;
    flood *f = calloc(1, sizeof *f);
    unlink(test_path("overflow.db"));
    if (f == NULL || test_server_start(&s, test_path("overflow.db"), NULL) != 0) {
        free(f);
        test_fail(__FILE__, __LINE__, "the server did not start");
        return;
    }
    int started = flood_start(f, &s, &th) == 0;
    if (started) {
        flood_end(th);
        for (int i = 0; i < FLOOD_LOGINS; i++) {
            flood_req *q = &f->req[i];
            test_resp r = { q->status, q->answer.buf, q->answer.len, q->head.buf, NULL };
            if (q->status == 401) {
                hashed++;
                continue;
            }
            if (q->status != 503) {
                if (other++ == 0)
                    test_fail(__FILE__, __LINE__, "a flooded login answered %ld: %s", q->status, q->answer.buf);
                continue;
            }
            refused++;
            const char *after = test_resp_header(&r, "Retry-After");
            int64_t secs = 0;
            if (after == NULL || parse_int64(after, 1, 3600, &secs) != TM_OK) {
                test_fail(__FILE__, __LINE__, "a 503 without a Retry-After of whole seconds: %s", q->head.buf);
                break;
            }
            const char *type = test_resp_header(&r, "Content-Type");
            cJSON *body = cJSON_Parse(q->answer.buf);
            if (type == NULL || strcmp(type, "application/problem+json") != 0 || test_jnum(body, "status") != 503)
                test_fail(__FILE__, __LINE__, "a 503 that is no problem+json: %s %s", type ? type : "-",
                          q->answer.buf);
            cJSON_Delete(body);
        }
    }
    /* The queue holds LIM_DEFERRED_QUEUE; FLOOD_LOGINS sent at once overflow it. */
    CHECK(refused > 0);
    CHECK(hashed >= LIM_DEFERRED_QUEUE);
    CHECK_INT(other, 0);
    flood_free(f, started);
    CHECK_INT(test_server_stop(&s), 0);
}

/* Appends n words to b, separated by spaces. */
static void add_words(sbuf *b, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sbuf_printf(b, "%s%s", b->len ? " " : "", words[i]);
}

/* 1 if the JSON array arr holds the string s. */
static int array_has(const cJSON *arr, const char *s)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
            return 1;
    }
    return 0;
}

void test_api_expensive_long_search_names_dropped_words_and_finds_by_rare_ones(void)
{
    /* Thirty words every test listing holds, and two only the target holds. */
    static const char *const common[] = {
        "turbine", "gearbox", "bearing", "hydraulic", "pressure", "valve", "sensor", "controller", "actuator",
        "coating", "polymer", "ceramic", "alloy", "welding", "casting", "forging", "machining", "grinding",
        "lubricant", "filter", "pump", "compressor", "nozzle", "membrane", "catalyst", "reactor", "furnace",
        "conveyor", "spindle", "chassis",
    };
    static const char *const rare[] = { "quixoplast", "vorticelline" };
    world w;
    sbuf text, q, body;
    long target = 0;
    if (world_setup(&w, "longsearch.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    sbuf_init(&text);
    sbuf_init(&q);
    sbuf_init(&body);
    add_words(&text, common, sizeof common / sizeof common[0]);
    for (int i = 0; i < 4; i++) {
        sbuf_reset(&body);
        sbuf_printf(&body, "{\"title\":\"Plant equipment%s\",\"abstract\":\"%s\",\"fields\":[\"C34\"]}",
                    i == 2 ? " quixoplast vorticelline" : "", text.buf);
        long id = world_create(&w.srv, "/api/achievements", w.tok[R_UNI], body.buf);
        if (i == 2)
            target = id;
    }
    REQUIRE(target > 0);
    /* 30 common words, the two rare ones, and a repeat: 33 words, 32 different. */
    add_words(&q, common, sizeof common / sizeof common[0]);
    add_words(&q, rare, 2);
    add_words(&q, common, 1);
    char *escaped = curl_easy_escape(NULL, q.buf, (int)q.len);
    char path[2048];
    snprintf(path, sizeof path, "/api/achievements?q=%s", escaped);
    curl_free(escaped);
    test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->json, "items");
    const cJSON *search = cJSON_GetObjectItemCaseSensitive(r->json, "search");
    const cJSON *used = cJSON_GetObjectItemCaseSensitive(search, "terms_used");
    const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(search, "terms_dropped");
    /* Found by its rare words: the only listing holding them. */
    CHECK_INT(cJSON_GetArraySize(items), 1);
    CHECK_INT((long)test_jnum(cJSON_GetArrayItem(items, 0), "id"), target);
    if (!cJSON_IsArray(used) || !cJSON_IsArray(dropped)) {
        test_fail(__FILE__, __LINE__, "the answer has no search member with terms_used and terms_dropped: %s",
                  r->body);
    } else {
        CHECK_INT(cJSON_GetArraySize(used), LIM_SEARCH_TERMS);
        CHECK_INT(cJSON_GetArraySize(dropped), 32 - LIM_SEARCH_TERMS);
        CHECK(array_has(used, rare[0]) && array_has(used, rare[1]));
        CHECK(!array_has(dropped, rare[0]) && !array_has(dropped, rare[1]));
        /* Every one of the 32 different words is named once, used or dropped. */
        for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
            CHECK(array_has(used, common[i]) != array_has(dropped, common[i]));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(search, "truncated")));
    }
    test_resp_free(r);
    /* A short search drops nothing and says so. */
    snprintf(path, sizeof path, "/api/achievements?q=%s", rare[1]);
    r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    search = cJSON_GetObjectItemCaseSensitive(r->json, "search");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(search, "terms_dropped")), 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(search, "truncated")));
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "items")), 1);
    test_resp_free(r);
    sbuf_cleanup(&text);
    sbuf_cleanup(&q);
    sbuf_cleanup(&body);
    world_teardown(&w);
}
