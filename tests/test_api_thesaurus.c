/*
 * test_api_thesaurus.c: the thesaurus brokers curate, over HTTP: add, list
 * (filter, pages), delete, the audit log, who may call it, bad input named by
 * field (in English and Chinese), and a change re-matching the listings that
 * hold either term (and only those) through the matcher's own path.
 */
#include "api_world.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZH "Accept-Language: zh-CN"

/* POST /api/thesaurus as role; returns the response (the caller frees it). */
static test_resp *add_entry(const world *w, int role, const char *body)
{
    return test_json(&w->srv, "POST", "/api/thesaurus", w->tok[role], body);
}

/* POST /api/thesaurus as the broker, asking for Chinese; returns the response (the caller frees it). */
static test_resp *zh_add(const world *w, const char *body)
{
    return test_http_ex(&w->srv, "POST", "/api/thesaurus", w->tok[R_BROKER], JSON, body, strlen(body), ZH, 5000);
}

/* GET path as the broker; returns the response (the caller frees it). */
static test_resp *get_as_broker(const world *w, const char *path)
{
    return test_http(&w->srv, "GET", path, w->tok[R_BROKER], NULL, NULL, 0);
}

/* The number of items of a page. */
static int items_of(const test_resp *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
}

/* Counts the rows of the audit log with this action and entity 'thesaurus'. */
static int audit_count(const world *w, const char *action)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE entity = 'thesaurus' AND action = '%s'", action);
    return test_sqlite_int(w->srv.db, sql);
}

void test_api_thesaurus_add_list_delete_audited(void)
{
    world w;
    if (world_setup(&w, "thesaurus.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /* Terms are trimmed (ASCII and ideographic spaces); the note is kept. */
    test_resp *r = add_entry(&w, R_BROKER, "{\"term_a\":\"\u3000激光熔覆 \",\"term_b\":\" laser cladding\","
                                           "\"kind\":\"translation\",\"note\":\"表面工程常用说法\"}");
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "term_a"), "激光熔覆");
    CHECK_STR(test_jstr(r->json, "term_b"), "laser cladding");
    CHECK_STR(test_jstr(r->json, "kind"), "translation");
    CHECK_STR(test_jstr(r->json, "note"), "表面工程常用说法");
    CHECK(test_jstr(r->json, "created_at") != NULL);
    CHECK(test_jnum(r->json, "created_by") > 0);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 0); /* no listing holds either term */
    long id = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    r = add_entry(&w, R_ADMIN, "{\"term_a\":\"综采\",\"term_b\":\"fully mechanized mining\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    long id2 = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    r = add_entry(&w, R_BROKER, "{\"term_a\":\"液压支柱\",\"term_b\":\"单体支柱\",\"kind\":\"synonym\",\"note\":null}");
    CHECK_INT(r->status, 201);
    CHECK_STR(test_jstr(r->json, "note"), "");
    test_resp_free(r);

    /* The same pair the other way round, in another case and full-width, is a conflict naming term_b. */
    r = add_entry(&w, R_ADMIN, "{\"term_a\":\"LASER  Cladding\",\"term_b\":\"激光熔覆\",\"kind\":\"synonym\"}");
    CHECK_INT(r->status, 409);
    CHECK(strncmp(test_jstr(r->json, "detail") ? test_jstr(r->json, "detail") : "", "term_b:", 7) == 0);
    test_resp_free(r);
    r = zh_add(&w, "{\"term_a\":\"ｌａｓｅｒ cladding\",\"term_b\":\"激光熔覆\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 409);
    CHECK_CONTAINS(r->body, "这对词语已在词表中");
    test_resp_free(r);

    /* Newest first; the filter finds either term (case folded) and the note; kind narrows. */
    r = get_as_broker(&w, "/api/thesaurus?total=true");
    CHECK_INT(r->status, 200);
    CHECK_INT(items_of(r), 3);
    CHECK_INT((long)test_jnum(r->json, "total"), 3);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    CHECK_STR(test_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 2), "term_a"), "激光熔覆");
    test_resp_free(r);
    r = get_as_broker(&w, "/api/thesaurus?q=LASER");
    CHECK_INT(items_of(r), 1);
    CHECK_INT((long)test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "id"), id);
    test_resp_free(r);
    r = get_as_broker(&w, "/api/thesaurus?q=%E8%A1%A8%E9%9D%A2"); /* 表面, in the note */
    CHECK_INT(items_of(r), 1);
    test_resp_free(r);
    r = get_as_broker(&w, "/api/thesaurus?kind=synonym");
    CHECK_INT(items_of(r), 1);
    CHECK_STR(test_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "kind"), "synonym");
    test_resp_free(r);
    r = get_as_broker(&w, "/api/thesaurus?q=mining&kind=synonym");
    CHECK_INT(items_of(r), 0);
    test_resp_free(r);

    /* Other roles: 403; anonymous: 401. */
    for (int role = R_ANON; role <= R_UNI2; role++) {
        long want = role == R_ANON ? 401 : 403;
        r = test_http(&w.srv, "GET", "/api/thesaurus", w.tok[role], NULL, NULL, 0);
        CHECK_INT(r->status, want);
        test_resp_free(r);
        r = add_entry(&w, role, "{\"term_a\":\"a\",\"term_b\":\"b\",\"kind\":\"synonym\"}");
        CHECK_INT(r->status, want);
        test_resp_free(r);
    }

    /* Delete: the admin deletes a broker's entry; again is 404. */
    char path[64];
    snprintf(path, sizeof path, "/api/thesaurus/%ld", id);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 403);
    test_resp_free(r);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_ADMIN], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "deleted")));
    CHECK_INT((long)test_jnum(r->json, "id"), id);
    test_resp_free(r);
    r = test_http_ex(&w.srv, "DELETE", path, w.tok[R_BROKER], NULL, NULL, 0, ZH, 5000);
    CHECK_INT(r->status, 404);
    CHECK_CONTAINS(r->body, "词表中没有此 id 的条目");
    test_resp_free(r);
    r = get_as_broker(&w, "/api/thesaurus?total=1");
    CHECK_INT((long)test_jnum(r->json, "total"), 2);
    CHECK(strstr(r->body, "激光熔覆") == NULL);
    test_resp_free(r);
    /* Deleted, the pair may be added again. */
    r = add_entry(&w, R_BROKER, "{\"term_a\":\"laser cladding\",\"term_b\":\"激光熔覆\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    test_resp_free(r);

    /* The audit log has each add and the delete, with who did it and the entry. */
    CHECK_INT(audit_count(&w, "thesaurus.add"), 4);
    CHECK_INT(audit_count(&w, "thesaurus.delete"), 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'thesaurus.delete' AND entity_id = %ld"
             " AND after IS NULL AND json_extract(before, '$.term_a') = '激光熔覆'"
             " AND user_id = (SELECT id FROM users WHERE role = 'admin' LIMIT 1)", id);
    CHECK_INT(test_sqlite_int(w.srv.db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'thesaurus.add' AND entity_id = %ld"
             " AND json_extract(after, '$.term_b') = 'fully mechanized mining'", id2);
    CHECK_INT(test_sqlite_int(w.srv.db, sql), 1);
    world_teardown(&w);
}

void test_api_thesaurus_bad_input_names_the_field(void)
{
    char long_term[4 * 101 + 64], at_limit[4 * 100 + 64], body[1200];
    sbuf t;
    sbuf_init(&t);
    for (int i = 0; i < 101; i++)
        sbuf_adds(&t, "熔");
    snprintf(long_term, sizeof long_term, "%s", t.buf);
    snprintf(at_limit, sizeof at_limit, "%s", t.buf + 3); /* 100 characters */
    sbuf_cleanup(&t);
    static const struct { const char *body; const char *field; } cases[] = {
        { "{\"term_b\":\"laser\",\"kind\":\"translation\"}", "term_a" },
        { "{\"term_a\":\"激光\",\"kind\":\"translation\"}", "term_b" },
        { "{\"term_a\":\" \u3000 \",\"term_b\":\"laser\",\"kind\":\"translation\"}", "term_a" },
        { "{\"term_a\":\"激光\",\"term_b\":\"\",\"kind\":\"translation\"}", "term_b" },
        { "{\"term_a\":7,\"term_b\":\"laser\",\"kind\":\"translation\"}", "term_a" },
        { "{\"term_a\":\"激光\",\"term_b\":\"laser\"}", "kind" },
        { "{\"term_a\":\"激光\",\"term_b\":\"laser\",\"kind\":\"antonym\"}", "kind" },
        { "{\"term_a\":\"激光\",\"term_b\":\"laser\",\"kind\":\"synonym\",\"weight\":2}", "weight" },
        { "{\"term_a\":\"激光\",\"term_b\":\"laser\",\"kind\":\"synonym\",\"note\":5}", "note" },
        /* the same once trimmed, cased and folded */
        { "{\"term_a\":\"Laser Cladding\",\"term_b\":\" ｌａｓｅｒ　 cladding \",\"kind\":\"synonym\"}", "term_b" },
        { "[\"激光\",\"laser\"]", NULL },
    };
    world w;
    if (world_setup(&w, "thesaurus_bad.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_resp *r = add_entry(&w, R_BROKER, cases[i].body);
        CHECK_INT(r->status, 400);
        CHECK_STR(test_resp_header(r, "Content-Type"), "application/problem+json");
        if (cases[i].field && !test_problem_names(r, cases[i].field))
            test_fail(__FILE__, __LINE__, "case %zu: no error names %s: %s", i, cases[i].field, r->body);
        test_resp_free(r);
    }
    /* Too long by one character, then exactly at the limit; a note too long. */
    snprintf(body, sizeof body, "{\"term_a\":\"%s\",\"term_b\":\"x\",\"kind\":\"synonym\"}", long_term);
    test_resp *r = add_entry(&w, R_BROKER, body);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "term_a"));
    CHECK_CONTAINS(r->body, "at most 100 characters");
    test_resp_free(r);
    snprintf(body, sizeof body, "{\"term_a\":\"x\",\"term_b\":\"y\",\"kind\":\"synonym\",\"note\":\"%s%sx\"}", at_limit,
             at_limit);
    r = add_entry(&w, R_BROKER, body);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "note"));
    test_resp_free(r);
    /* In Chinese, the message under the field is Chinese. */
    r = zh_add(&w, "{\"term_a\":\"激光\",\"term_b\":\"激光 \",\"kind\":\"synonym\"}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "term_b"));
    CHECK_CONTAINS(r->body, "不能与词语 A 相同");
    test_resp_free(r);
    /* Nothing was stored by any of them. */
    r = get_as_broker(&w, "/api/thesaurus?total=true");
    CHECK_INT((long)test_jnum(r->json, "total"), 0);
    test_resp_free(r);
    CHECK_INT(audit_count(&w, "thesaurus.add"), 0);
    snprintf(body, sizeof body, "{\"term_a\":\"%s\",\"term_b\":\"x\",\"kind\":\"synonym\"}", at_limit);
    r = add_entry(&w, R_BROKER, body);
    CHECK_INT(r->status, 201);
    test_resp_free(r);
    /* Bad query arguments of the list. */
    static const struct { const char *path; const char *field; } queries[] = {
        { "/api/thesaurus?kind=antonym", "kind" },
        { "/api/thesaurus?limit=0", "limit" },
        { "/api/thesaurus?limit=101", "limit" },
        { "/api/thesaurus?cursor=abc", "cursor" },
        { "/api/thesaurus?cursor=-3", "cursor" },
        { "/api/thesaurus?total=maybe", "total" },
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        r = get_as_broker(&w, queries[i].path);
        CHECK_INT(r->status, 400);
        if (!test_problem_names(r, queries[i].field))
            test_fail(__FILE__, __LINE__, "%s: no error names %s: %s", queries[i].path, queries[i].field, r->body);
        test_resp_free(r);
    }
    r = test_http(&w.srv, "DELETE", "/api/thesaurus/999999", w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_thesaurus_pages_by_cursor(void)
{
    world w;
    if (world_setup(&w, "thesaurus_pages.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    char body[128];
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body, "{\"term_a\":\"术语%d\",\"term_b\":\"term %d\",\"kind\":\"translation\"}", i, i);
        test_resp *r = add_entry(&w, R_BROKER, body);
        CHECK_INT(r->status, 201);
        test_resp_free(r);
    }
    char path[160] = "/api/thesaurus?limit=2&total=true";
    int seen[5] = { 0 }, pages = 0;
    for (;;) {
        test_resp *r = get_as_broker(&w, path);
        REQUIRE(r->status == 200);
        pages++;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
            int n = -1;
            if (sscanf(test_jstr(it, "term_b"), "term %d", &n) == 1 && n >= 0 && n < 5)
                seen[n]++;
        }
        if (pages == 1)
            CHECK_INT((long)test_jnum(r->json, "total"), 5);
        const char *next = test_jstr(r->json, "next_cursor");
        if (next == NULL || pages > 5) {
            test_resp_free(r);
            break;
        }
        snprintf(path, sizeof path, "/api/thesaurus?limit=2&cursor=%s", next);
        test_resp_free(r);
    }
    CHECK_INT(pages, 3);
    for (int i = 0; i < 5; i++)
        CHECK_INT(seen[i], 1);
    world_teardown(&w);
}

/* PUT /api/policy with this suggest threshold, as the admin. */
static void set_threshold(world *w, const char *threshold)
{
    char body[96];
    snprintf(body, sizeof body, "{\"suggest_threshold\":%s,\"auto_approve_score\":null}", threshold);
    test_resp *r = test_json(&w->srv, "PUT", "/api/policy", w->tok[R_ADMIN], body);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
}

void test_api_thesaurus_change_rematches_the_listings_it_touches(void)
{
    world w;
    if (world_setup(&w, "thesaurus_rematch.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /* A second pair, about tea, that holds neither term of the entry below. */
    long tea_d = world_create(&w.srv, "/api/demands", w.tok[R_ENT2],
                              "{\"title\":\"茶叶全程质量追溯与防伪系统\",\"description\":\"茶叶从茶园到销售的质量追溯。\","
                              "\"keywords\":[\"茶叶\",\"质量追溯\"],\"fields\":[\"A01\"]}");
    long tea_a = world_create(&w.srv, "/api/achievements", w.tok[R_UNI2],
                              "{\"title\":\"茶叶质量追溯与防伪系统\",\"abstract\":\"茶叶全程质量追溯，茶园到销售。\","
                              "\"keywords\":[\"茶叶\",\"质量追溯\"],\"fields\":[\"A01\"]}");
    long hyd_a = world_matching_achievement(&w, 1); /* 液压支架, as the world's demand */
    REQUIRE(tea_d > 0 && tea_a > 0 && hyd_a > 0);
    CHECK(world_match_id(&w, "suggested", w.demand_id, hyd_a) != 0);
    CHECK(world_match_id(&w, "suggested", tea_d, tea_a) != 0);

    /*
     * With the threshold above every score, a listing that is re-matched
     * loses its suggestions; one that is not keeps them.  The entry's terms
     * are in the world's demand and hyd_a (液压支架) and the world's
     * achievement ("hydraulic supports", stemmed as the matcher stems), not
     * in the tea pair.
     */
    set_threshold(&w, "0.99");
    test_resp *r = add_entry(&w, R_BROKER,
                             "{\"term_a\":\"液压支架\",\"term_b\":\"hydraulic support\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 3);
    long id = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    CHECK_INT(world_match_id(&w, "suggested", w.demand_id, hyd_a), 0);
    CHECK(world_match_id(&w, "all", w.demand_id, hyd_a) != 0); /* withdrawn, not gone */
    CHECK(world_match_id(&w, "suggested", tea_d, tea_a) != 0);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM match_queue"), 0);

    /* A closed listing holding the term is not re-matched. */
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld/close", w.demand_id);
    r = test_http(&w.srv, "POST", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);

    /* Deleting the entry re-matches the two open achievements holding its terms. */
    snprintf(path, sizeof path, "/api/thesaurus/%ld", id);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 2);
    test_resp_free(r);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM match_queue"), 0);

    /* A re-match withdraws (threshold 0.99) and records (threshold 0.05) the tea pair's suggestion. */
    r = add_entry(&w, R_ADMIN, "{\"term_a\":\"茶叶\",\"term_b\":\"tea\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 2);
    test_resp_free(r);
    CHECK_INT(world_match_id(&w, "suggested", tea_d, tea_a), 0);
    set_threshold(&w, "0.05");
    r = add_entry(&w, R_ADMIN, "{\"term_a\":\"质量追溯\",\"term_b\":\"quality traceability\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 2);
    test_resp_free(r);
    CHECK(world_match_id(&w, "suggested", tea_d, tea_a) != 0);
    /* Terms are searched as phrases: FTS5 syntax and words without a token find nothing and break nothing. */
    r = add_entry(&w, R_BROKER, "{\"term_a\":\"the\",\"term_b\":\"\\\"茶叶\\\" OR NEAR(*\",\"kind\":\"synonym\"}");
    CHECK_INT(r->status, 201);
    CHECK_INT((long)test_jnum(r->json, "rematched"), 0);
    test_resp_free(r);
    world_teardown(&w);
}

/* The live matches of demand d as the enterprise token sees them: whether achievement a is among them, and its term. */
static int live_has(const world *w, int role, long d, long a, const char *term)
{
    char path[64];
    snprintf(path, sizeof path, "/api/demands/%ld/matches?limit=50", d);
    test_resp *r = test_http(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    int found = 0;
    const cJSON *it, *t;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
        if ((long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id") != a)
            continue;
        found = term == NULL;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(it, "explanation"), "terms"))
            found |= term && strcmp(test_jstr(t, "text"), term) == 0 &&
                     strcmp(test_jstr(t, "origin"), "translation") == 0;
    }
    test_resp_free(r);
    return found;
}

/*
 * What a broker adds is in effect at once: a Chinese demand and an English achievement that share no word
 * and no dictionary entry meet through the broker's entry, shown "a ≈ b" with origin translation, the pair is
 * suggested; deleting the entry parts them again; and the entry survives a restart (loaded at start).
 */
void test_api_thesaurus_entry_makes_chinese_and_english_meet(void)
{
    world w;
    if (world_setup(&w, "thesaurus_meet.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    set_threshold(&w, "0.05");
    long d = world_create(&w.srv, "/api/demands", w.tok[R_ENT2],
                          "{\"title\":\"氪钯涂层\",\"description\":\"氪钯涂层，氪钯涂层。\","
                          "\"keywords\":[\"氪钯涂层\"],\"fields\":[\"C33\"]}");
    long a = world_create(&w.srv, "/api/achievements", w.tok[R_UNI2],
                          "{\"title\":\"Zorblite plating\",\"abstract\":\"Zorblite plating of"
                          " quaxite.\",\"keywords\":[\"zorblite plating\"],\"fields\":[\"C33\"]}");
    REQUIRE(d > 0 && a > 0);
    CHECK(!live_has(&w, R_ENT2, d, a, NULL));
    test_resp *r =
        add_entry(&w, R_BROKER, "{\"term_a\":\"氪钯涂层\",\"term_b\":\"zorblite plating\",\"kind\":\"translation\"}");
    CHECK_INT(r->status, 201);
    CHECK((long)test_jnum(r->json, "rematched") >= 2);
    long id = (long)test_jnum(r->json, "id");
    test_resp_free(r);
    CHECK(live_has(&w, R_ENT2, d, a, "氪钯涂层 ≈ zorblite plating"));
    CHECK(world_match_id(&w, "suggested", d, a) != 0);

    CHECK_INT(test_server_stop(&w.srv), 0);
    REQUIRE(test_server_start(&w.srv, w.srv.db, NULL) == 0);
    CHECK(live_has(&w, R_ENT2, d, a, "氪钯涂层 ≈ zorblite plating"));

    char path[64];
    snprintf(path, sizeof path, "/api/thesaurus/%ld", id);
    r = test_http(&w.srv, "DELETE", path, w.tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK(!live_has(&w, R_ENT2, d, a, NULL));
    CHECK(world_match_id(&w, "suggested", d, a) == 0);
    world_teardown(&w);
}
