/*
 * test_web_inbox.c: an enterprise's inbox, newest first with each match's status
 * now (GET /api/notifications?before=), and in a real browser
 * (tests/browser/inbox.mjs): the unread badge is the server's count (2 read and
 * 1 new show 1, before and after a reload, and 0 once read), a push moves it
 * live, items show their state and a relative time in Chinese and English, and
 * an answered match offers no second answer.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>


/* POST /api/notifications/ID/read as the enterprise. */
static void mark_read(world *w, long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/notifications/%ld/read", id);
    test_resp *r = test_http(&w->srv, "POST", path, w->tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
}

void test_web_inbox_badge_states_and_live_pushes(void)
{
    world w;
    if (world_setup(&w, "inbox.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long match[5] = { 0 };
    for (int i = 0; i < 5; i++) {
        long a = world_matching_achievement(&w, i + 1);
        match[i] = world_match_id(&w, "suggested", w.demand_id, a);
        if (match[i] <= 0)
            test_fail(__FILE__, __LINE__, "no suggestion for achievement %d (%ld)", i, a);
    }
    for (int i = 0; i < 3; i++) {
        test_resp *r = world_approve(&w, R_BROKER, match[i]);
        CHECK_INT(r->status, 200);
        test_resp_free(r);
    }
    /* Newest first, each with its match's status; the cursor goes to older ones. */
    test_resp *r = test_http(&w.srv, "GET", "/api/notifications?before=0&limit=2", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    REQUIRE(cJSON_GetArraySize(items) == 2);
    long newest = (long)test_jnum(cJSON_GetArrayItem(items, 0), "id");
    long second = (long)test_jnum(cJSON_GetArrayItem(items, 1), "id");
    CHECK(newest > second);
    CHECK_STR(test_jstr(cJSON_GetArrayItem(items, 0), "match_status"), "pushed");
    CHECK_INT(test_jnum(r->json, "next_before"), second);
    test_resp_free(r);
    char path[96];
    snprintf(path, sizeof path, "/api/notifications?before=%ld&limit=2", second);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_before")));
    long oldest = (long)test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "id");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/notifications?after=0&before=0", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "before"));
    test_resp_free(r);

    /* Two read, one new. */
    mark_read(&w, oldest);
    mark_read(&w, second);
    r = test_http(&w.srv, "GET", "/api/notifications/unread", w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(test_jnum(r->json, "unread"), 1);
    test_resp_free(r);

    char a[32], b[32];
    snprintf(a, sizeof a, "%ld", match[3]);
    snprintf(b, sizeof b, "%ld", match[4]);
    const char *const args[] = { "ent@example.com", TEST_PASSWORD, w.tok[R_BROKER], a, b,NULL };
    char *out = test_browser("inbox.mjs", &w.srv, args);
    static const char *const steps[] = {
        "ok two read and one new: badge 1", "ok after a reload: badge 1", "ok after reading the inbox: badge 0",
        "ok the inbox shows state and relative time in Chinese", "ok a push arrives live on the open inbox",
        "ok after \"interested\" the button is gone and the state shows",
        "ok a conflict refreshes the item instead of showing the server's text",
        "ok items show state and relative time in English", "ok a push while another page is open: badge 1",
        "ok accessibility: inbox (zh)", "ok accessibility: inbox (en)", "ok the inbox at phone width", NULL,
    };
    for (size_t i = 0; steps[i]; i++)
        if (out == NULL || strstr(out, steps[i]) == NULL)
            test_fail(__FILE__, __LINE__, "the browser did not report \"%s\"", steps[i]);
    free(out);
    /* What the page did is stored: the two answered matches are interested. */
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM matches WHERE status = 'interested'"), 2);
    world_teardown(&w);
}
