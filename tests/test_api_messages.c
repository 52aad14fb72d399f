/*
 * test_api_messages.c: the language of the server's messages over HTTP.  A
 * representative set of refusals (the dispatcher's, a body's, a listing's
 * members, registration, a match's move, a proposal, an import's rows) is
 * asked for with Accept-Language: zh-CN, and their title, detail and each
 * errors[].message must be Chinese (no English sentence left); the same
 * requests without the header answer the English texts as before.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZH "Accept-Language: zh-CN,zh;q=0.9,en;q=0.8"

/* Whether s holds a byte beyond ASCII. */
static int non_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if (*p >= 0x80)
            return 1;
    return 0;
}

/* Writes unit n times into out (len bytes), NUL-terminated. */
static void repeat(char *out, size_t len, const char *unit, int n)
{
    size_t used = 0, u = strlen(unit);
    for (int i = 0; i < n && used + u < len; i++, used += u)
        memcpy(out + used, unit, u);
    out[used] = '\0';
}

/* Sends the request with header (NULL: none); body as JSON when it is not NULL. */
static test_resp *ask(const world *w, const char *method, const char *path, int role, const char *body,
                      const char *header)
{
    return test_http_ex(&w->srv, method, path, w->tok[role], body ? JSON : NULL, body, body ? strlen(body) : 0,
                        header, 10000);
}

/*
 * Checks a problem answer: its status, and that title, detail and every
 * errors[].message are Chinese (zh) or ASCII English (!zh); want (may be NULL)
 * must be in the detail or one of the messages.
 */
static void check_problem(const char *file, int line, test_resp *r, long status, int zh, const char *want)
{
    if (r->status != status || r->json == NULL) {
        test_fail(file, line, "status %ld (want %ld): %.300s", r->status, status, r->body ? r->body : "");
        test_resp_free(r);
        return;
    }
    const char *lang = test_resp_header(r, "Content-Language");
    if (lang == NULL || strcmp(lang, zh ? "zh" : "en") != 0)
        test_fail(file, line, "Content-Language is %s", lang ? lang : "absent");
    const char *title = test_jstr(r->json, "title"), *detail = test_jstr(r->json, "detail");
    if (non_ascii(title) != zh || (detail && non_ascii(detail) != zh))
        test_fail(file, line, "title \"%s\", detail \"%s\" are not in %s", title ? title : "", detail ? detail : "",
                  zh ? "Chinese" : "English");
    int seen = want == NULL || (detail && strstr(detail, want));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(r->json, "errors")) {
        const char *m = test_jstr(e, "message");
        if (m == NULL || non_ascii(m) != zh)
            test_fail(file, line, "errors[].message \"%s\" is not in %s", m ? m : "(none)", zh ? "Chinese" : "English");
        seen |= m && want && strstr(m, want) != NULL;
    }
    if (!seen)
        test_fail(file, line, "\"%s\" is not in %.400s", want, r->body);
    test_resp_free(r);
}
#define CHECK_PROBLEM(r, status, zh, want) check_problem(__FILE__, __LINE__, r, status, zh, want)

/* Asks the same as role in both languages: Chinese text zh_want with the header, English en_want without. */
static void both(const char *file, int line, const world *w, const char *method, const char *path, int role,
                 const char *body, long status, const char *zh_want, const char *en_want)
{
    check_problem(file, line, ask(w, method, path, role, body, ZH), status, 1, zh_want);
    check_problem(file, line, ask(w, method, path, role, body, NULL), status, 0, en_want);
}
#define BOTH(method, path, role, body, status, zh_want, en_want) \
    both(__FILE__, __LINE__, &w, method, path, role, body, status, zh_want, en_want)

void test_api_messages_follow_accept_language(void)
{
    world w;
    if (world_setup(&w, "messages.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /* The dispatcher: no route, not signed in, a role that may not, a malformed body. */
    BOTH("GET", "/api/nothing-here", R_ANON, NULL, 404, "没有这个接口", "no such route");
    BOTH("GET", "/api/notifications", R_ANON, NULL, 401, "请先登录", "sign in first");
    BOTH("GET", "/api/review", R_ENT, NULL, 403, "无权使用", "your role may not use this route");
    BOTH("POST", "/api/demands", R_ENT, "{\"title\": ", 400, "JSON 格式有误", "malformed JSON near byte");
    BOTH("GET", "/api/demands?limit=0", R_ANON, NULL, 400, "必须是 1 到", "must be a whole number from 1 to");

    /* A listing's members: each message beside its field, sizes in characters. */
    char long_name[400], long_title[700];
    repeat(long_name, sizeof long_name, "长", 121);
    repeat(long_title, sizeof long_title, "长", 201);
    char body[1024];
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"budget_max\":\"五十万\",\"deadline\":\"2020-01-01\",\"trl\":12,"
             "\"colour\":1}", long_title);
    BOTH("POST", "/api/demands", R_ENT, body, 400, "太长（最多 200 个字符）", "is too long (at most 200 characters)");
    BOTH("POST", "/api/demands", R_ENT, body, 400, "不能早于今天", "must not be in the past");
    BOTH("POST", "/api/demands", R_ENT, "{\"description\":\"x\"}", 400, "必填", "is required");

    /* Registration: a name too long, in characters. */
    char reg[1024];
    snprintf(reg, sizeof reg, "{\"org_name\":\"%s\",\"org_kind\":\"enterprise\",\"email\":\"new@example.org\","
             "\"password\":\"%s\"}", long_name, TEST_PASSWORD);
    BOTH("POST", "/api/auth/register", R_ANON, reg, 400, "需要 1 到 120 个字符", "must have 1 to 120 characters");

    test_resp *r = NULL;
    /* A move the lifecycle does not allow names the status and the allowed moves in words. */
    long m = world_match_id(&w, "suggested", w.demand_id, world_matching_achievement(&w, 1));
    CHECK(m > 0);
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/deal", m);
    BOTH("POST", path, R_BROKER, "{\"amount\":1,\"transfer_mode\":\"license\"}", 409,
         "该匹配当前为“待审核”，此时可以：批准、驳回", "the match is suggested; from there you may: approve, reject");
    snprintf(path, sizeof path, "/api/matches/%ld", m + 1000);
    BOTH("GET", path, R_BROKER, NULL, 404, "没有此 id 的匹配", "no match with this id");

    /* A proposal's statement is counted in characters: 1,000 Chinese characters pass the check, 1,001 do not. */
    char *text = malloc(4 * 1001), *statement = malloc(4 * 1001 + 200);
    repeat(text, 4 * 1001, "述", 1001);
    snprintf(statement, 4 * 1001 + 200, "{\"demand_id\":0,\"achievement_id\":0,\"statement\":\"%s\"}", text);
    BOTH("POST", "/api/proposals", R_UNI, statement, 400, "1 到 1000 个字符", "(1 to 1000 characters)");
    /* The same 1,000 characters (3,000 bytes) are a statement the size check takes: only the ids are refused. */
    text[3 * 1000] = '\0';
    snprintf(statement, 4 * 1001 + 200, "{\"demand_id\":0,\"achievement_id\":0,\"statement\":\"%s\"}", text);
    r = ask(&w, "POST", "/api/proposals", R_UNI, statement, NULL);
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "demand_id") && !test_problem_names(r, "statement"));
    test_resp_free(r);
    free(statement);
    free(text);

    /* An import's invalid rows, read from the job in the language of the reader. */
    const char *csv = "title,trl\n好标题,5\n,99\n";
    r = test_http(&w.srv, "POST", "/api/achievements/import", w.tok[R_UNI], "text/csv", csv, strlen(csv));
    CHECK_INT(r->status, 202);
    char loc[96] = "";
    if (test_resp_header(r, "Location"))
        snprintf(loc, sizeof loc, "%s", test_resp_header(r, "Location"));
    test_resp_free(r);
    r = loc[0] ? world_follow_job(&w.srv, w.tok[R_UNI], loc, NULL, NULL) : NULL;
    CHECK(r != NULL && r->status == 200);
    test_resp_free(r);
    for (int zh = 0; zh < 2 && loc[0]; zh++) {
        r = test_http_ex(&w.srv, "GET", loc, w.tok[R_UNI], NULL, NULL, 0, zh ? ZH : NULL, 10000);
        const cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "report"), "rows");
        const cJSON *errors = cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 1), "errors");
        CHECK(cJSON_GetArraySize(errors) >= 2);
        const cJSON *e;
        cJSON_ArrayForEach(e, errors)
            if (non_ascii(test_jstr(e, "message")) != zh)
                test_fail(__FILE__, __LINE__, "import row message \"%s\" in the wrong language",
                          test_jstr(e, "message"));
        test_resp_free(r);
    }

    /* English asked first, or Chinese not acceptable: English. */
    check_problem(__FILE__, __LINE__, ask(&w, "GET", "/api/nothing-here", R_ANON, NULL,
                                          "Accept-Language: en-GB, zh-CN;q=0.5"), 404, 0, "no such route");
    check_problem(__FILE__, __LINE__, ask(&w, "GET", "/api/nothing-here", R_ANON, NULL,
                                          "Accept-Language: zh;q=0, fr"), 404, 0, "no such route");
    /* A successful answer is unchanged by the header. */
    r = test_http_ex(&w.srv, "GET", "/api/demands", NULL, NULL, NULL, 0, ZH, 10000);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    world_teardown(&w);
}
