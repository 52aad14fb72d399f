/*
 * test_web_listings.c: the listings in the browser UI and the API members they
 * stand on.  Over HTTP: a list's bounded total and a search's sort, and a
 * listing's live matches stopping at the policy's suggest threshold.  In a real
 * browser (tests/browser/listings.mjs): posting, showing, editing and closing a
 * demand and an achievement with every member, lists that page past 50 with
 * their filters in the URL, search counts and highlights, the field picker.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEEDED 60

/* Posts SEEDED achievements for tok (words the demand of the browser test shares); 0 when all were stored. */
static int seed_achievements(const test_server *s, const char *tok)
{
    int failed = 0;
    for (int i = 1; i <= SEEDED; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"title\":\"液压支架电液控制成果 %d\",\"abstract\":\"综采工作面液压支架电液控制与智能监测，第 %d 号。\","
                 "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"%s\"],\"region\":\"%s\",\"trl\":%d,"
                 "\"price\":%d}",
                 i, i, i % 3 ? "B06" : "C38", i % 2 ? "贵州省六盘水市" : "江苏省苏州市", 1 + i % 9, 10000 * i);
        test_resp *r = test_json(s, "POST", "/api/achievements", tok, body);
        failed += r->status != 201;
        test_resp_free(r);
    }
    return failed;
}

void test_web_listings_total_sort_and_threshold(void)
{
    test_server s;
    unlink(test_path("ls_api.db"));
    REQUIRE(test_server_start(&s, test_path("ls_api.db"), NULL) == 0);
    char *uni = test_signup(&s, "Seed University", "university", "seed-ls@example.edu");
    char *ent = test_signup(&s, "Seed Works", "enterprise", "ent-api-ls@example.com");
    char *admin = test_add_staff(&s, "admin", "admin-ls@example.org");
    REQUIRE(uni != NULL && ent != NULL && admin != NULL);
    CHECK_INT(seed_achievements(&s, uni), 0);

    /* The total counts every page; the pages together hold it. */
    test_resp *r = test_http(&s, "GET", "/api/achievements?limit=50&total=true", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT((long)test_jnum(r->json, "total"), SEEDED);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "total_capped")));
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 50);
    char path[256];
    snprintf(path, sizeof path, "/api/achievements?limit=50&total=1&cursor=%s", test_jstr(r->json, "next_cursor"));
    test_resp_free(r);
    r = test_http(&s, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), SEEDED - 50);
    CHECK_INT((long)test_jnum(r->json, "total"), SEEDED);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    test_resp_free(r);
    /* Without total=true a page does not count (counting reads every matching row); a bad value is 400. */
    r = test_http(&s, "GET", "/api/achievements?limit=5", NULL, NULL, NULL, 0);
    CHECK(cJSON_GetObjectItem(r->json, "total") == NULL);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/achievements?limit=5&total=yes", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "total"));
    test_resp_free(r);
    /* With filters, the same filters count: 20 of the 60 are C38, 30 in 江苏. */
    r = test_http(&s, "GET", "/api/achievements?field=C38&limit=5&total=true", NULL, NULL, NULL, 0);
    CHECK_INT((long)test_jnum(r->json, "total"), SEEDED / 3);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/achievements?region=%E6%B1%9F%E8%8B%8F&field=B06&total=true", NULL, NULL, NULL, 0);
    CHECK_INT((long)test_jnum(r->json, "total"), 20); /* even i (江苏) not divisible by 3 */
    test_resp_free(r);

    /* A search counts its matches and sorts by relevance or newest. */
    r = test_http(&s, "GET", "/api/achievements?q=%E6%B6%B2%E5%8E%8B&field=C38&sort=newest&limit=3&total=true",
                  NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT((long)test_jnum(r->json, "total"), SEEDED / 3);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    CHECK_INT(cJSON_GetArraySize(items), 3);
    double prev = 1e18;
    for (int i = 0; i < cJSON_GetArraySize(items); i++) {
        double id = test_jnum(cJSON_GetArrayItem(items, i), "id");
        CHECK(id < prev); /* newest first */
        prev = id;
    }
    CHECK(cJSON_GetObjectItem(r->json, "search") != NULL);
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/achievements?q=x&sort=best", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "sort"));
    test_resp_free(r);

    /* A demand's live matches: with the threshold at 0 all candidates show; raised above the weakest, it goes. */
    r = test_json(&s, "POST", "/api/demands", ent,
                  "{\"title\":\"液压支架电液控制\",\"description\":\"综采工作面液压支架电液控制\","
                  "\"keywords\":[\"液压支架\"],\"fields\":[\"B06\"]}");
    CHECK_INT(r->status, 201);
    snprintf(path, sizeof path, "/api/demands/%lld/matches?limit=50", (long long)test_jnum(r->json, "id"));
    test_resp_free(r);
    r = test_json(&s, "PUT", "/api/policy", admin, "{\"suggest_threshold\":0}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&s, "GET", path, ent, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    items = cJSON_GetObjectItem(r->json, "items");
    int all = cJSON_GetArraySize(items);
    double low = 2, high = -1;
    for (int i = 0; i < all; i++) {
        double sc = test_jnum(cJSON_GetArrayItem(items, i), "score");
        low = sc < low ? sc : low;
        high = sc > high ? sc : high;
    }
    test_resp_free(r);
    CHECK(all >= 2 && low < high); /* C38 achievements share words but not the field: they score lower */
    char policy[96];
    snprintf(policy, sizeof policy, "{\"suggest_threshold\":%.6f}", (low + high) / 2);
    r = test_json(&s, "PUT", "/api/policy", admin, policy);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = test_http(&s, "GET", path, ent, NULL, NULL, 0);
    items = cJSON_GetObjectItem(r->json, "items");
    CHECK(cJSON_GetArraySize(items) > 0 && cJSON_GetArraySize(items) < all);
    for (int i = 0; i < cJSON_GetArraySize(items); i++)
        CHECK(test_jnum(cJSON_GetArrayItem(items, i), "score") >= (low + high) / 2);
    test_resp_free(r);
    free(uni);
    free(ent);
    free(admin);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_web_browser_listings(void)
{
    test_server s;
    unlink(test_path("ls_browser.db"));
    REQUIRE(test_server_start(&s, test_path("ls_browser.db"), NULL) == 0);
    char *uni = test_signup(&s, "六盘水理工学院", "university", "uni-ls@example.edu");
    char *ent = test_signup(&s, "凉都矿业集团", "enterprise", "ent-ls@example.com");
    REQUIRE(uni != NULL && ent != NULL);
    CHECK_INT(seed_achievements(&s, uni), 0);
    const char *const args[] = { "ent-ls@example.com", "uni-ls@example.edu", TEST_PASSWORD,NULL };
    char *out = test_browser("listings.mjs", &s, args);
    CHECK(out && strstr(out, "ok five-0 refused beside the budget") != NULL);
    CHECK(out && strstr(out, "ok the list pages past 50 with its total") != NULL);
    CHECK(out && strstr(out, "ok filters survive a reload") != NULL);
    free(out);
    free(uni);
    free(ent);
    CHECK_INT(test_server_stop(&s), 0);
}
