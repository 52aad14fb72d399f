/*
 * test_api_listings.c: demands and achievements over HTTP: who sees their
 * private members, their lifecycle (create, patch, close), text stored
 * verbatim, search in Chinese and English, filters and cursor pages, and
 * import from CSV and JSON lines.
 */
#include "api_world.h"
#include <stdio.h>

/* ---------- who sees what ---------- */

void test_api_private_members_by_role(void)
{
    world w;
    if (world_setup(&w, "privacy.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    static const int sees[R_COUNT] = { 0, 1, 0, 0, 0, 1, 1 };
    static const int sees_achievement_contact[R_COUNT] = { 0, 0, 0, 1, 0, 1, 1 };
    for (int role = 0; role < R_COUNT; role++) {
        char path[64];
        snprintf(path, sizeof path, "/api/demands/%ld", w.demand_id);
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[role], NULL, NULL, 0);
        int has_budget = cJSON_GetObjectItem(r->json, "budget_min") != NULL;
        int has_contact = cJSON_GetObjectItem(r->json, "contact") != NULL;
        int has_org = cJSON_GetObjectItem(r->json, "org") != NULL;
        if (has_budget != sees[role] || has_contact != sees[role] || has_org != sees[role])
            test_fail(__FILE__, __LINE__, "demand as %s: budget %d contact %d org %d", world_role_names[role],
                      has_budget, has_contact, has_org);
        test_resp_free(r);

        /* The same rule holds in lists. */
        r = test_http(&w.srv, "GET", "/api/demands", w.tok[role], NULL, NULL, 0);
        const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
        if ((cJSON_GetObjectItem(first, "budget_max") != NULL) != sees[role])
            test_fail(__FILE__, __LINE__, "demand list as %s shows the budget wrongly", world_role_names[role]);
        test_resp_free(r);

        snprintf(path, sizeof path, "/api/achievements/%ld", w.achievement_id);
        r = test_http(&w.srv, "GET", path, w.tok[role], NULL, NULL, 0);
        if ((cJSON_GetObjectItem(r->json, "contact") != NULL) != sees_achievement_contact[role])
            test_fail(__FILE__, __LINE__, "achievement contact as %s shown wrongly", world_role_names[role]);
        CHECK(cJSON_GetObjectItem(r->json, "price") != NULL);
        test_resp_free(r);
    }
    /* Listing demands by another enterprise's id would unmask it. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?org=1", w.tok[R_UNI], NULL, NULL, 0);
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    world_teardown(&w);
}

/* ---------- listings ---------- */

void test_api_demand_lifecycle(void)
{
    world w;
    if (world_setup(&w, "demand.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", w.demand_id);
    test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "status"), "open");
    CHECK_INT(test_jnum(r->json, "budget_max"), 3000000);
    CHECK_STR(test_jstr(r->json, "deadline"), "2060-06-30");
    test_resp_free(r);

    r = test_json(&w.srv, "PATCH", path, w.tok[R_ENT], "{\"budget_max\":4000000,\"keywords\":[\"液压支架\",\"国产化\"]}");
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "budget_max"), 4000000);
    CHECK_INT(test_jnum(r->json, "budget_min"), 500000);
    CHECK_STR(test_jstr(r->json, "title"), "综采工作面液压支架电液控制系统国产化");
    test_resp_free(r);

    /* A PATCH that breaks a rule changes nothing. */
    r = test_json(&w.srv, "PATCH", path, w.tok[R_ENT], "{\"budget_min\":9000000,\"title\":\"changed\"}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "budget_min"));
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), "综采工作面液压支架电液控制系统国产化");
    test_resp_free(r);

    snprintf(path, sizeof path, "/api/demands/%ld/close", w.demand_id);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "status"), "closed");
    test_resp_free(r);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200); /* closing twice is harmless */
    test_resp_free(r);

    r = test_http(&w.srv, "GET", "/api/demands", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0); /* open ones by default */
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands?status=closed", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands/999999", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    r = test_http(&w.srv, "PATCH", "/api/demands/999999", w.tok[R_ENT], JSON, "{}", 2);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_achievement_lifecycle(void)
{
    world w;
    if (world_setup(&w, "achievement.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld", w.achievement_id);
    test_resp *r = test_json(&w.srv, "PATCH", path, w.tok[R_UNI], "{\"trl\":8,\"price\":null}");
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "trl"), 8);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "price")));
    CHECK_STR(test_jstr(r->json, "ip_type"), "invention_patent");
    test_resp_free(r);
    r = test_json(&w.srv, "PATCH", path, w.tok[R_UNI2], "{\"trl\":2}");
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    snprintf(path, sizeof path, "/api/achievements/%ld/close", w.achievement_id);
    r = test_http(&w.srv, "POST", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "status"), "closed");
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "achievements", R_UNI), 1);
    world_teardown(&w);
}

void test_api_html_and_sql_are_stored_verbatim(void)
{
    world w;
    if (world_setup(&w, "verbatim.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *title = "Robert'); DROP TABLE demands;-- <script>alert(1)</script> & \\\"q\\\"";
    const char *expect = "Robert'); DROP TABLE demands;-- <script>alert(1)</script> & \"q\"";
    char body[512];
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"keywords\":[\"<b>bold</b>\",\"' OR 1=1 --\"]}", title);
    long id = world_create(&w.srv, "/api/demands", w.tok[R_ENT], body);
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld", id);
    test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), expect);
    CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "keywords"), 1)->valuestring, "' OR 1=1 --");
    CHECK_STR(test_resp_header(r, "Content-Type"), "application/json");
    CHECK_STR(test_resp_header(r, "X-Content-Type-Options"), "nosniff");
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/api/demands?q=DROP%20TABLE&region=%27%20OR%201%3D1", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), 2);
    world_teardown(&w);
}

/* ---------- search, filters, pages ---------- */

void test_api_search_in_chinese_and_english(void)
{
    world w;
    if (world_setup(&w, "search.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    world_create(&w.srv, "/api/achievements", w.tok[R_UNI],
                 "{\"title\":\"磷石膏无害化处理与高强石膏粉制备技术\",\"abstract\":\"湿法磷酸副产磷石膏经净化后制备建筑石膏。\","
                 "\"keywords\":[\"磷石膏\",\"建筑石膏\"],\"fields\":[\"C30\",\"C26\"]}");
    world_create(&w.srv, "/api/achievements", w.tok[R_UNI2],
                 "{\"title\":\"Tea withering machine with humidity control\","
                 "\"abstract\":\"Controls withering of green tea leaves.\","
                 "\"keywords\":[\"tea processing\"],\"fields\":[\"C35\"]}");
    static const struct { const char *q; const char *first_title_part; int n; } cases[] = {
        { "%E7%A3%B7%E7%9F%B3%E8%86%8F", "磷石膏", 1 },                 /* 磷石膏 */
        { "%E7%9F%B3%E8%86%8F", "磷石膏", 1 },                          /* 石膏: a two-character word */
        { "hydraulic%20supports", "Electro-hydraulic", 1 },             /* stemmed: support(s) */
        { "withered", "Tea withering", 1 },
        { "%E7%A3%B7%E7%9F%B3%E8%86%8F%20tea", NULL, 0 },              /* all words must match */
        { "the%20of%20and", NULL, 0 },                                   /* only stop words */
        { "%22%20NEAR(%20*", NULL, 0 },                                  /* FTS5 syntax is not interpreted */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/api/achievements?q=%s", cases[i].q);
        test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
        const cJSON *items = cJSON_GetObjectItem(r->json, "items");
        if (r->status != 200 || cJSON_GetArraySize(items) != cases[i].n)
            test_fail(__FILE__, __LINE__, "q=%s: %ld, %d items", cases[i].q, r->status, cJSON_GetArraySize(items));
        else if (cases[i].first_title_part)
            CHECK_CONTAINS(test_jstr(cJSON_GetArrayItem(items, 0), "title"), cases[i].first_title_part);
        test_resp_free(r);
    }
    /* Demands are searched the same way. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?q=%E6%B6%B2%E5%8E%8B%E6%94%AF%E6%9E%B6", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_filters_and_cursor_pages(void)
{
    world w;
    if (world_setup(&w, "pages.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (int i = 0; i < 25; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"title\":\"需求 %d 煤矿安全\",\"fields\":[\"%s\"],\"region\":\"%s\"}", i,
                 i % 2 ? "B06" : "I65", i % 3 ? "贵州省遵义市" : "贵州省贵阳市");
        world_create(&w.srv, "/api/demands", w.tok[R_ENT2], body);
    }
    /* Walk every page: no duplicates, nothing missing. */
    int seen = 0, pages = 0;
    char path[256] = "/api/demands?limit=7";
    long last = 1L << 40;
    for (;;) {
        test_resp *r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
        REQUIRE(r->status == 200);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            long id = (long)test_jnum(it, "id");
            CHECK(id < last); /* newest first, strictly */
            last = id;
            seen++;
        }
        pages++;
        const char *next = test_jstr(r->json, "next_cursor");
        if (next)
            snprintf(path, sizeof path, "/api/demands?limit=7&cursor=%s", next);
        test_resp_free(r);
        if (!next || pages > 10)
            break;
    }
    CHECK_INT(seen, 26);
    CHECK_INT(pages, 4);
    static const struct { const char *query; int n; } cases[] = {
        { "field=B", 13 }, { "field=B06", 13 }, { "field=I", 13 }, { "field=C35", 1 }, { "field=A", 0 },
        { "region=%E8%B4%B5%E5%B7%9E%E7%9C%81%E8%B4%B5%E9%98%B3%E5%B8%82", 9 },   /* 贵州省贵阳市 */
        { "region=%E8%B4%B5%E5%B7%9E%E7%9C%81", 26 },                              /* 贵州省 (a prefix) */
        { "field=B06&q=%E7%85%A4%E7%9F%BF", 12 },                                  /* 煤矿 */
        { "org=me", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "/api/demands?limit=100&%s", cases[i].query);
        test_resp *r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
        if (n != cases[i].n)
            test_fail(__FILE__, __LINE__, "%s: %d items, expected %d", cases[i].query, n, cases[i].n);
        test_resp_free(r);
    }
    /* Search pages too. */
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?limit=10&q=%E7%85%A4%E7%9F%BF", NULL, NULL, NULL, 0);
    const char *next = test_jstr(r->json, "next_cursor");
    REQUIRE(next != NULL);
    snprintf(path, sizeof path, "/api/demands?limit=10&q=%%E7%%85%%A4%%E7%%9F%%BF&cursor=%s", next);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 10);
    test_resp_free(r);
    world_teardown(&w);
}

/* ---------- import ---------- */

static const char import_csv[] =
    "ref,title,abstract,keywords,fields,trl,ip_type,transfer_modes,price,contact\n"
    "GZU-1,茶叶萎凋机智能温湿度控制,\"萎凋阶段温湿度闭环控制，\n能耗降低20%。\",萎凋;茶叶加工,C35;A01,6,utility_model,license;transfer,300000,王教授\n"
    "GZU-2,\"Chili capsaicin extraction, supercritical CO2\",High-purity capsaicin,"
        "capsaicin;chili,C14,5,know_how,service,,\n"
    "GZU-3,Bad TRL,x,,C35,11,other,license,100,\n"
    "GZU-4,Bad field,x,,Z01,3,other,license,100,\n"
    "GZU-5,\"unclosed,x\n";

void test_api_import_reports_bad_rows_and_reimports_idempotently(void)
{
    world w;
    if (world_setup(&w, "import.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    int before = world_count_mine(&w, "achievements", R_UNI);
    test_resp *r = world_import(&w, R_UNI, "achievements", "text/csv; charset=utf-8", import_csv,
                                 strlen(import_csv));
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 2);
    CHECK_INT(test_jnum(r->json, "updated"), 0);
    CHECK_INT(test_jnum(r->json, "failed"), 3);
    const cJSON *rows = cJSON_GetObjectItem(r->json, "rows");
    REQUIRE(cJSON_GetArraySize(rows) == 5);
    /* Line numbers follow the file, including the quoted line break of GZU-1. */
    static const int lines[] = { 2, 4, 5, 6, 7 };
    static const char *const status[] = { "created", "created", "invalid", "invalid", "invalid" };
    for (int i = 0; i < 5; i++) {
        const cJSON *row = cJSON_GetArrayItem(rows, i);
        CHECK_INT(test_jnum(row, "line"), lines[i]);
        CHECK_STR(test_jstr(row, "status"), status[i]);
    }
    const cJSON *err = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 2), "errors"), 0);
    CHECK_STR(test_jstr(err, "field"), "trl");
    err = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 3), "errors"), 0);
    CHECK_STR(test_jstr(err, "field"), "fields[0]");
    long first_id = (long)test_jnum(cJSON_GetArrayItem(rows, 0), "id");
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "achievements", R_UNI), before + 2);

    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld", first_id);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "abstract"), "萎凋阶段温湿度闭环控制，\n能耗降低20%。");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "transfer_modes")), 2);
    CHECK_STR(test_jstr(r->json, "ref"), "GZU-1");
    test_resp_free(r);

    /* The same file again: the two good rows update, nothing new. */
    r = world_import(&w, R_UNI, "achievements", "text/csv", import_csv, strlen(import_csv));
    CHECK_INT(test_jnum(r->json, "created"), 0);
    CHECK_INT(test_jnum(r->json, "updated"), 2);
    CHECK_INT((long)test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "rows"), 0), "id"), first_id);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "achievements", R_UNI), before + 2);

    /* A partial file changes only the members it has. */
    const char *partial = "ref,title\nGZU-1,茶叶萎凋机智能温湿度控制（第二版）\n";
    r = world_import(&w, R_UNI, "achievements", "text/csv", partial, strlen(partial));
    CHECK_INT(test_jnum(r->json, "updated"), 1);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", path, w.tok[R_UNI], NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "title"), "茶叶萎凋机智能温湿度控制（第二版）");
    CHECK_INT(test_jnum(r->json, "price"), 300000);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "transfer_modes")), 2);
    test_resp_free(r);

    /* Another university's refs are its own: the same file creates new rows there. */
    r = world_import(&w, R_UNI2, "achievements", "text/csv", import_csv, strlen(import_csv));
    CHECK_INT(test_jnum(r->json, "created"), 2);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_import_json_lines_and_whole_file_errors(void)
{
    world w;
    if (world_setup(&w, "importjsonl.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    const char *jsonl =
        "{\"ref\":\"D1\",\"title\":\"酱香型白酒窖池微生物群落调控\",\"fields\":[\"C15\"],\"budget_min\":1,\"budget_max\":2}\n"
        "\n"
        "not json\n"
        "[1,2]\n"
        "{\"ref\":\"D2\",\"title\":\"Sorghum seed selection\",\"deadline\":\"1999-01-01\"}\n"
        "{\"ref\":\"D3\",\"title\":\"Tea garden drone spraying\",\"cooperation_modes\":[\"service\"]}";
    test_resp *r = world_import(&w, R_ENT, "demands", "application/x-ndjson", jsonl, strlen(jsonl));
    CHECK_INT(r->status, 200);
    CHECK_INT(test_jnum(r->json, "created"), 2);
    CHECK_INT(test_jnum(r->json, "failed"), 3);
    const cJSON *rows = cJSON_GetObjectItem(r->json, "rows");
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 1), "line"), 3);
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 3), "line"), 5);
    CHECK_INT(test_jnum(cJSON_GetArrayItem(rows, 4), "line"), 6);
    test_resp_free(r);
    int after = world_count_mine(&w, "demands", R_ENT);

    /* A header naming an unknown column refuses the file and stores nothing. */
    const char *bad = "title,colour\nA,red\n";
    r = world_import(&w, R_ENT, "demands", "text/csv", bad, strlen(bad));
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "colour"));
    test_resp_free(r);
    r = world_import(&w, R_ENT, "demands", "text/csv", "", 0);
    CHECK_INT(r->status, 400);
    test_resp_free(r);
    r = world_import(&w, R_ENT, "demands", "application/json", "{}", 2);
    CHECK_INT(r->status, 415);
    test_resp_free(r);
    CHECK_INT(world_count_mine(&w, "demands", R_ENT), after);
    world_teardown(&w);
}

