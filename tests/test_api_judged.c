/*
 * test_api_judged.c: the service learns from brokers' decisions, over HTTP: a
 * demand with several suggested achievements; a broker rejects one, then
 * approves another; after each decision the demand's remaining suggestions
 * are re-scored at once, those like the approved achievement up and those
 * like the rejected one down, their explanations name the broker origin and count the decisions,
 * and the decided pairs keep their status and score; an edit keeps the
 * decisions, and a bulk rejection counts too.
 */
#include "api_world.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { APPROVED, REJECTED, LIKE_APPROVED, LIKE_APPROVED2, LIKE_REJECTED, NACH };

static const char *const achievement_json[NACH] = {
    "{\"title\":\"Hydraulic roof support for longwall mining\",\"abstract\":\"Electro-hydraulic control of the"
    " longwall shearer and the roof support at the coal face.\",\"keywords\":[\"longwall\",\"shearer\"],"
    "\"fields\":[\"B06\"],\"trl\":6}",
    "{\"title\":\"Hydraulic press support frame\",\"abstract\":\"Forging press with a hydraulic cylinder and a"
    " welded support frame.\",\"keywords\":[\"forging\",\"press\"],\"fields\":[\"B06\"],\"trl\":6}",
    "{\"title\":\"Longwall shearer control\",\"abstract\":\"Electro-hydraulic control of the shearer at the"
    " longwall coal face.\",\"keywords\":[\"longwall\",\"shearer\"],\"fields\":[\"B06\"],\"trl\":6}",
    "{\"title\":\"Longwall face automation\",\"abstract\":\"Shearer and roof support automation at the longwall"
    " coal face.\",\"keywords\":[\"longwall\",\"automation\"],\"fields\":[\"B06\"],\"trl\":6}",
    "{\"title\":\"Forging press support\",\"abstract\":\"Hydraulic forging press cylinder and support frame.\","
    "\"keywords\":[\"forging\",\"press\"],\"fields\":[\"B06\"],\"trl\":6}",
};

/* The demand's stored matches: score, status and (for the asked achievement) explanation, by achievement. */
typedef struct stored {
    double score[NACH];
    char status[NACH][16];
    cJSON *explanation[NACH];
    long match_id[NACH];
} stored;

static void read_stored(const world *w, long demand, const long *ach, stored *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < NACH; i++)
        out->score[i] = -1;
    test_resp *r = test_http(&w->srv, "GET", "/api/matches?status=all&limit=100", w->tok[R_BROKER], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
        if ((long)test_jnum(cJSON_GetObjectItem(it, "demand"), "id") != demand)
            continue;
        long a = (long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id");
        for (int i = 0; i < NACH; i++)
            if (ach[i] == a) {
                out->score[i] = test_jnum(it, "score");
                out->match_id[i] = (long)test_jnum(it, "id");
                snprintf(out->status[i], sizeof out->status[i], "%s", test_jstr(it, "status"));
                out->explanation[i] = cJSON_Duplicate(cJSON_GetObjectItem(it, "explanation"), 1);
            }
    }
    test_resp_free(r);
}

static void free_stored(stored *s)
{
    for (int i = 0; i < NACH; i++)
        cJSON_Delete(s->explanation[i]);
}

/* Whether the explanation has a term of origin broker with a positive share, and counts a and r decisions. */
static int names_broker(const cJSON *e, int a, int r)
{
    int broker = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(e, "terms"))
        broker |= strcmp(test_jstr(t, "origin"), "broker") == 0 && test_jnum(t, "share") > 0;
    const cJSON *d = cJSON_GetObjectItem(e, "decisions");
    return broker && d && (int)test_jnum(d, "approved") == a && (int)test_jnum(d, "rejected") == r;
}

void test_api_judged_decisions_rerank_the_demands_remaining_matches(void)
{
    world w;
    if (world_setup(&w, "judged.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    /*
     * Every candidate is suggested, so that the broker can decide on them and the others are stored: in a
     * platform of five listings sharing their words the matcher has little evidence (idf near 0) and trusts
     * the demand little, so its scores are small.
     */
    test_resp *r = test_json(&w.srv, "PUT", "/api/policy", w.tok[R_ADMIN], "{\"suggest_threshold\":0}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    long ach[NACH];
    for (int i = 0; i < NACH; i++)
        ach[i] = world_create(&w.srv, "/api/achievements", w.tok[R_UNI], achievement_json[i]);
    long demand = world_create(&w.srv, "/api/demands", w.tok[R_ENT],
                               "{\"title\":\"Hydraulic roof support\",\"description\":\"Hydraulic support for the"
                               " roof.\",\"keywords\":[\"hydraulic support\"],\"fields\":[\"B06\"]}");
    stored before, after;
    read_stored(&w, demand, ach, &before);
    for (int i = 0; i < NACH; i++) {
        CHECK_STR(before.status[i], "suggested");
        CHECK(before.explanation[i] == NULL || cJSON_GetObjectItem(before.explanation[i], "decisions") == NULL);
    }
    /* Before any decision, the forging press outranks the longwall listings that share fewer typed words. */
    CHECK(before.score[LIKE_REJECTED] > before.score[LIKE_APPROVED]);

    char path[96];
    snprintf(path, sizeof path, "/api/matches/%ld/reject", before.match_id[REJECTED]);
    r = test_json(&w.srv, "POST", path, w.tok[R_BROKER], "{\"reason\":\"out_of_scope\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    stored mid; /* the rejection alone re-scored the others already */
    read_stored(&w, demand, ach, &mid);
    REQUIRE(mid.explanation[APPROVED] != NULL);
    CHECK(cJSON_GetObjectItem(mid.explanation[APPROVED], "decisions") != NULL);
    CHECK(mid.score[LIKE_REJECTED] < before.score[LIKE_REJECTED]);
    r = world_approve(&w, R_BROKER, before.match_id[APPROVED]);
    CHECK_INT(r->status, 200);
    test_resp_free(r);

    read_stored(&w, demand, ach, &after);
    /* The decided pairs keep their decision and the score they had when decided. */
    CHECK_STR(after.status[REJECTED], "rejected");
    CHECK(strcmp(after.status[APPROVED], "approved") == 0 || strcmp(after.status[APPROVED], "pushed") == 0);
    CHECK(fabs(after.score[APPROVED] - mid.score[APPROVED]) < 1e-9);
    CHECK(fabs(after.score[REJECTED] - before.score[REJECTED]) < 1e-9);
    /* The remaining ones move towards the approved achievement and away from the rejected one. */
    CHECK_STR(after.status[LIKE_APPROVED], "suggested");
    CHECK(after.score[LIKE_APPROVED] > before.score[LIKE_APPROVED]);
    CHECK(after.score[LIKE_APPROVED2] > before.score[LIKE_APPROVED2]);
    CHECK(after.score[LIKE_REJECTED] < before.score[LIKE_REJECTED]);
    CHECK(after.score[LIKE_APPROVED] > after.score[LIKE_REJECTED]); /* the order changed */
    /* Their explanations say the brokers' decisions contributed, with a broker term and its share. */
    REQUIRE(after.explanation[LIKE_APPROVED] != NULL);
    CHECK(names_broker(after.explanation[LIKE_APPROVED], 1, 1));
    CHECK(fabs(test_jnum(after.explanation[LIKE_APPROVED], "score") - after.score[LIKE_APPROVED]) < 1e-9);

    /* The live list of the demand ranks the same way, shows the approved pair and leaves out the rejected one. */
    snprintf(path, sizeof path, "/api/demands/%ld/matches", demand);
    r = test_http(&w.srv, "GET", path, w.tok[R_ENT], NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    size_t pos_like = 99, pos_rej = 99, i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items")) {
        long a = (long)test_jnum(cJSON_GetObjectItem(it, "achievement"), "id");
        CHECK(a != ach[REJECTED]);
        if (a == ach[LIKE_APPROVED])
            pos_like = i;
        if (a == ach[LIKE_REJECTED])
            pos_rej = i;
        i++;
    }
    CHECK(pos_like < pos_rej && pos_rej < 99);
    test_resp_free(r);

    /* A later edit of the demand re-matches it with the same decisions. */
    snprintf(path, sizeof path, "/api/demands/%ld", demand);
    r = test_json(&w.srv, "PATCH", path, w.tok[R_ENT], "{\"description\":\"Hydraulic support for the roof, fast.\"}");
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    stored edited;
    read_stored(&w, demand, ach, &edited);
    REQUIRE(edited.explanation[LIKE_APPROVED] != NULL);
    CHECK(names_broker(edited.explanation[LIKE_APPROVED], 1, 1));
    CHECK_STR(edited.status[REJECTED], "rejected");

    /* A bulk rejection re-matches the demand once, with every decision. */
    char body[128];
    snprintf(body, sizeof body, "{\"action\":\"reject\",\"ids\":[%ld],\"reason\":\"out_of_scope\"}",
             edited.match_id[LIKE_REJECTED]);
    r = test_json(&w.srv, "POST", "/api/matches/bulk", w.tok[R_BROKER], body);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    stored bulk;
    read_stored(&w, demand, ach, &bulk);
    CHECK_STR(bulk.status[LIKE_REJECTED], "rejected");
    REQUIRE(bulk.explanation[LIKE_APPROVED] != NULL);
    CHECK(names_broker(bulk.explanation[LIKE_APPROVED], 1, 2));
    free_stored(&bulk);
    free_stored(&edited);
    free_stored(&mid);
    free_stored(&before);
    free_stored(&after);
    world_teardown(&w);
}
