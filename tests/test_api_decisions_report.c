/*
 * test_api_decisions_report.c: GET /api/review/decisions-report over HTTP on
 * a real server.  Brokers and an admin approve and reject real matches of the
 * world; the matches' scores are then set to
 * known values in the database file, so the report's bands, fields, reasons,
 * the current threshold's precision and recall, and the suggested threshold
 * have exact expected values.  Also: since= and field= narrowing to too few
 * decisions (no suggestion, said in Chinese when asked), the current cut
 * following a policy change, 401 anonymous, 403 for an enterprise and a
 * university, a malformed since= or field= named in problem+json, the
 * policy's auto-approvals left out, and a match approved and then rejected
 * counted once, as rejected.
 */
#include "api_world.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDEC 20

/* The known decisions: the score each decided match gets, whether it was approved, a rejection's reason. */
static const struct planned {
    double score;
    int approved;
    const char *reason;
    int second_demand;    /* on the other enterprise's demand (field B06 only) */
} plan[NDEC] = {
    { 0.31, 0, "out_of_scope", 0 }, { 0.33, 0, "out_of_scope", 0 }, { 0.35, 0, "description_vague", 0 },
    { 0.38, 1, NULL, 0 },
    { 0.40, 0, "out_of_scope", 0 }, { 0.42, 1, NULL, 0 }, { 0.45, 0, "benefit_unclear", 0 }, { 0.47, 1, NULL, 0 },
    { 0.50, 1, NULL, 0 }, { 0.55, 1, NULL, 0 }, { 0.58, 0, "too_early_stage", 0 },
    { 0.61, 1, NULL, 0 }, { 0.66, 1, NULL, 0 }, { 0.69, 1, NULL, 0 },
    { 0.70, 1, NULL, 0 }, { 0.75, 1, NULL, 0 }, { 0.79, 0, "other", 0 },
    { 0.85, 1, NULL, 0 },
    { 0.93, 1, NULL, 1 }, { 1.00, 1, NULL, 1 },
};

static test_resp *get_report(world *w, int role, const char *query, const char *header)
{
    char path[256];
    snprintf(path, sizeof path, "/api/review/decisions-report%s", query);
    return test_http_ex(&w->srv, "GET", path, w->tok[role], NULL, NULL, 0, header, 10000);
}

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* Checks one {approved, rejected, precision} object. */
static void expect_counts(const cJSON *o, long approved, long rejected, const char *what, int line)
{
    const cJSON *p = cJSON_GetObjectItem(o, "precision");
    double want = approved + rejected ? (double)approved / (double)(approved + rejected) : -1;
    if (o == NULL || (long)test_jnum(o, "approved") != approved || (long)test_jnum(o, "rejected") != rejected ||
        (want < 0 ? !cJSON_IsNull(p) : !(cJSON_IsNumber(p) && near(p->valuedouble, want))))
        test_fail(__FILE__, line, "%s: expected %ld approved, %ld rejected, got %s", what, approved, rejected,
                  o ? cJSON_PrintUnformatted(o) : "nothing");
}

/* Checks one cut {threshold, decided, approved, precision, recall}. */
static void expect_cut(const cJSON *c, double threshold, long decided, long approved, long approvals, int line)
{
    if (c == NULL || !cJSON_IsObject(c)) {
        test_fail(__FILE__, line, "no cut at %.2f", threshold);
        return;
    }
    if (!near(test_jnum(c, "threshold"), threshold) || (long)test_jnum(c, "decided") != decided ||
        (long)test_jnum(c, "approved") != approved ||
        !near(test_jnum(c, "precision"), (double)approved / (double)decided) ||
        !near(test_jnum(c, "recall"), (double)approved / (double)approvals))
        test_fail(__FILE__, line, "cut at %.2f: expected %ld decided, %ld approved of %ld; got %s", threshold, decided,
                  approved, approvals, cJSON_PrintUnformatted(c));
}

/* The band [from, from + 0.1) of a report's bands, or NULL. */
static const cJSON *band(const cJSON *report, double from)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(report, "bands"))
        if (near(test_jnum(b, "from"), from))
            return b;
    return NULL;
}

/* The by_field row of code (NULL: the demands without a field), or NULL. */
static const cJSON *field_row(const cJSON *report, const char *code)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(report, "by_field")) {
        const char *got = test_jstr(f, "field");
        if (got && code && strcmp(got, code) == 0)
            return f;
    }
    return NULL;
}

/* Decides match id as role by the plan's row p: approve, or reject with its reason. */
static void decide(world *w, int role, long id, const struct planned *p)
{
    char path[96], body[128];
    test_resp *r;
    if (p->approved) {
        r = world_approve(w, role, id);
    } else {
        if (strcmp(p->reason, "other") == 0)
            snprintf(body, sizeof body, "{\"reason\":\"other\",\"text\":\"两者只共享通用词\"}");
        else
            snprintf(body, sizeof body, "{\"reason\":\"%s\"}", p->reason);
        snprintf(path, sizeof path, "/api/matches/%ld/reject", id);
        r = test_json(&w->srv, "POST", path, w->tok[role], body);
    }
    CHECK_INT(r->status, 200);
    test_resp_free(r);
}

/* Makes the plan's matches: NDEC achievements matching both demands; returns 0 or -1. */
static int make_matches(world *w, long demand2, long ids[NDEC])
{
    long ach[NDEC];
    for (int i = 0; i < NDEC; i++)
        ach[i] = world_matching_achievement(w, i + 1);
    for (int i = 0; i < NDEC; i++) {
        ids[i] = world_match_id(w, "suggested", plan[i].second_demand ? demand2 : w->demand_id, ach[i]);
        if (ids[i] == 0) {
            test_fail(__FILE__, __LINE__, "achievement %ld was not suggested for its demand", ach[i]);
            return -1;
        }
    }
    return 0;
}

/* Sets each planned match's score in the database file (after the decisions, which might re-score). */
static void set_scores(const long ids[NDEC])
{
    for (int i = 0; i < NDEC; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE matches SET score = %.2f WHERE id = %ld", plan[i].score, ids[i]);
        REQUIRE(test_sqlite_exec(test_path("decisions.db"), sql) == 0);
    }
}

/* The whole report over the planned decisions, the default threshold 0.3. */
static void expect_full_report(world *w)
{
    test_resp *r = get_report(w, R_BROKER, "", NULL);
    CHECK_INT(r->status, 200);
    const cJSON *j = r->json;
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "since")) && cJSON_IsNull(cJSON_GetObjectItem(j, "field")));
    CHECK(near(test_jnum(j, "target_precision"), 0.7));
    expect_counts(cJSON_GetObjectItem(j, "decisions"), 13, 7, "all", __LINE__);
    /* Bands from the lowest decided score's (0.3) to 0.9; 0.40, 0.50 and 0.70 sit in the band they open. */
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "bands")), 7);
    static const long want[7][2] = { { 1, 3 }, { 2, 2 }, { 2, 1 }, { 3, 0 }, { 2, 1 }, { 1, 0 }, { 2, 0 } };
    for (int b = 0; b < 7; b++) {
        char what[32];
        snprintf(what, sizeof what, "band %.1f", 0.3 + b / 10.0);
        expect_counts(band(j, 0.3 + b / 10.0), want[b][0], want[b][1], what, __LINE__);
    }
    CHECK(near(test_jnum(band(j, 0.9), "to"), 1.0));
    const cJSON *r3 = cJSON_GetObjectItem(band(j, 0.3), "reasons");
    CHECK((long)test_jnum(r3, "out_of_scope") == 2 && (long)test_jnum(r3, "description_vague") == 1);
    CHECK_INT(cJSON_GetArraySize((cJSON *)r3), 2);
    const cJSON *all = cJSON_GetObjectItem(j, "reasons");
    CHECK((long)test_jnum(all, "out_of_scope") == 3 && (long)test_jnum(all, "other") == 1 &&
          (long)test_jnum(all, "benefit_unclear") == 1 && (long)test_jnum(all, "too_early_stage") == 1);
    /* Fields: the world's demand is B06 and C35, the other one B06: sections B (both) and C (the first). */
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "by_field")), 2);
    expect_counts(field_row(j, "B"), 13, 7, "section B", __LINE__);
    expect_counts(field_row(j, "C"), 11, 7, "section C", __LINE__);
    /* At 0.3 every decision would be suggested: precision 13/20, recall 1.  At 0.4: 16 decided, 12 approved
     * (0.75 >= 0.7), the lowest boundary that reaches the target with 10 decisions or more. */
    expect_cut(cJSON_GetObjectItem(j, "current"), 0.3, 20, 13, 13, __LINE__);
    expect_cut(cJSON_GetObjectItem(j, "suggested"), 0.4, 16, 12, 13, __LINE__);
    CHECK_STR(test_jstr(cJSON_GetObjectItem(j, "verdict"), "code"), "suggested");
    test_resp_free(r);
}

/* since= and field= narrow the decisions; too few is said instead of a suggestion. */
static void expect_narrowed(world *w, const long ids[NDEC])
{
    /* The four decisions of band 0.3 were made in January (the approval and rejection rows both). */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE audit_log SET at = '2026-01-05T08:00:00Z' WHERE entity = 'match'"
             " AND entity_id IN (%ld, %ld, %ld, %ld)", ids[0], ids[1], ids[2], ids[3]);
    REQUIRE(test_sqlite_exec(test_path("decisions.db"), sql) == 0);
    test_resp *r = get_report(w, R_ADMIN, "?since=2026-02-01T00:00:00%2B08:00", "Accept-Language: zh-CN");
    CHECK_INT(r->status, 200);
    CHECK_STR(test_jstr(r->json, "since"), "2026-01-31T16:00:00Z");
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 12, 4, "since February", __LINE__);
    CHECK(near(test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "bands"), 0), "from"), 0.4));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r->json, "suggested")));
    const cJSON *v = cJSON_GetObjectItem(r->json, "verdict");
    CHECK_STR(test_jstr(v, "code"), "too_few_decisions");
    CHECK(test_jstr(v, "message") && strstr(test_jstr(v, "message"), "目前只有 16 条审核决定，满 20 条才建议阈值"));
    /* The current threshold (0.45 now) still gives its figures on what is there: 14 decided, 11 approved of 12. */
    expect_cut(cJSON_GetObjectItem(r->json, "current"), 0.45, 14, 11, 12, __LINE__);
    test_resp_free(r);

    /* field=C: the world's demand only (18 decisions), counted by division. */
    r = get_report(w, R_BROKER, "?field=C", NULL);
    CHECK_INT(r->status, 200);
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 11, 7, "field C", __LINE__);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "by_field")), 1);
    expect_counts(field_row(r->json, "C35"), 11, 7, "division C35", __LINE__);
    CHECK_STR(test_jstr(cJSON_GetObjectItem(r->json, "verdict"), "code"), "too_few_decisions");
    CHECK_STR(test_jstr(r->json, "field"), "C");
    test_resp_free(r);

    /* A field nobody decided in: nothing, no band, no precision. */
    r = get_report(w, R_BROKER, "?field=A01", NULL);
    CHECK_INT(r->status, 200);
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 0, 0, "field A01", __LINE__);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "bands")), 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "current"), "precision")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "current"), "recall")));
    test_resp_free(r);
}

/* Who may read it, and malformed parameters named. */
static void expect_refusals(world *w)
{
    static const int refused[] = { R_ANON, R_ENT, R_UNI };
    static const long status[] = { 401, 403, 403 };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        test_resp *r = get_report(w, refused[i], "", NULL);
        if (r->status != status[i])
            test_fail(__FILE__, __LINE__, "%s: %ld %s", world_role_names[refused[i]], r->status, r->body);
        test_resp_free(r);
    }
    static const char *const bad[][2] = { { "?since=2026-03-10", "since" }, { "?since=yesterday", "since" },
                                          { "?since=2026-03-10T00:00:00", "since" },
                                          { "?since=2026-13-45T00:00:00Z", "since" }, { "?field=b06", "field" },
                                          { "?field=B06%27--", "field" }, { "?field=B000000000", "field" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_resp *r = get_report(w, R_BROKER, bad[i][0], NULL);
        if (r->status != 400 || !test_problem_names(r, bad[i][1]) ||
            strncmp(test_resp_header(r, "Content-Type"), "application/problem+json", 24) != 0)
            test_fail(__FILE__, __LINE__, "%s: %ld %s", bad[i][0], r->status, r->body);
        test_resp_free(r);
    }
}

/* The policy's auto-approvals are no broker's judgement; a match approved and then rejected counts once, rejected. */
static void expect_only_latest_human_decisions(world *w, long demand2)
{
    /* Auto-approval from 0.3: a new achievement's pairs with both demands are approved by the policy. */
    test_resp *r = test_json(&w->srv, "PUT", "/api/policy", w->tok[R_ADMIN],
                             "{\"suggest_threshold\":0.3,\"auto_approve_score\":0.3}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long auto_ach = world_matching_achievement(w, 100);
    CHECK(auto_ach > 0 && world_match_id(w, "all", w->demand_id, auto_ach) > 0);
    CHECK(test_sqlite_int(w->srv.db, "SELECT count(*) FROM audit_log WHERE action = 'match.auto_approve'") >= 1);
    r = test_json(&w->srv, "PUT", "/api/policy", w->tok[R_ADMIN], "{\"auto_approve_score\":null}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = get_report(w, R_BROKER, "", NULL);
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 13, 7, "after auto-approvals", __LINE__);
    test_resp_free(r);

    /* The other enterprise takes digests, so an approved match waits unpushed and may still be rejected. */
    r = test_json(&w->srv, "PUT", "/api/subscription", w->tok[R_ENT2], "{\"mode\":\"digest\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long ach = world_matching_achievement(w, 101);
    long id = ach > 0 ? world_match_id(w, "suggested", demand2, ach) : 0;
    REQUIRE(id > 0);
    r = world_approve(w, R_BROKER, id);
    CHECK(r->status == 200 && strcmp(test_jstr(r->json, "status"), "approved") == 0);
    test_resp_free(r);
    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/reject", id);
    r = test_json(&w->srv, "POST", path, w->tok[R_BROKER], "{\"reason\":\"duplicate\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = get_report(w, R_BROKER, "", NULL);
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 13, 8, "approved, then rejected", __LINE__);
    CHECK((long)test_jnum(cJSON_GetObjectItem(r->json, "reasons"), "duplicate") == 1);
    test_resp_free(r);
}

void test_api_decisions_report_bands_fields_and_suggested_threshold(void)
{
    world w;
    if (world_setup(&w, "decisions.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    long demand2 = world_create(&w.srv, "/api/demands", w.tok[R_ENT2],
                                "{\"title\":\"液压支架电液控制系统升级\",\"description\":\"综采工作面液压支架电液控制，"
                                "国产化替代。\",\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"]}");
    long ids[NDEC];
    if (demand2 <= 0 || make_matches(&w, demand2, ids) != 0) { /* failed above; the server still stops */
        CHECK(demand2 > 0);
        world_teardown(&w);
        return;
    }

    /* Before any decision: too few, nothing to suggest. */
    test_resp *r = get_report(&w, R_ADMIN, "", NULL);
    CHECK_INT(r->status, 200);
    expect_counts(cJSON_GetObjectItem(r->json, "decisions"), 0, 0, "none yet", __LINE__);
    CHECK_STR(test_jstr(cJSON_GetObjectItem(r->json, "verdict"), "code"), "too_few_decisions");
    test_resp_free(r);

    /* The broker decides most, the admin the rest; then the scores are set as planned. */
    for (int i = 0; i < NDEC; i++)
        decide(&w, i % 4 == 3 ? R_ADMIN : R_BROKER, ids[i], &plan[i]);
    set_scores(ids);
    expect_full_report(&w);

    /* The admin raises the suggest threshold to 0.45: 14 decided at or above, 11 approved of 13. */
    r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"suggest_threshold\":0.45}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    r = get_report(&w, R_BROKER, "", NULL);
    expect_cut(cJSON_GetObjectItem(r->json, "current"), 0.45, 14, 11, 13, __LINE__);
    expect_cut(cJSON_GetObjectItem(r->json, "suggested"), 0.4, 16, 12, 13, __LINE__);
    test_resp_free(r);

    expect_narrowed(&w, ids);
    expect_refusals(&w);
    expect_only_latest_human_decisions(&w, demand2);
    world_teardown(&w);
}
