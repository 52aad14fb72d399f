/*
 * test_store_matches.c: stored matches at the store level (src/store/matches.c
 * and pipeline.c): suggestions, approval and push, auto-approval, digests,
 * proposals, edits, notes and history.
 */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

/* A scratch store with one enterprise demand and one university achievement per pair asked for. */
typedef struct pairs {
    store *s;
    int64_t ent, uni;
    listing *d[3], *a[3];
} pairs;

static int pairs_open(pairs *p, const char *name)
{
    memset(p, 0, sizeof *p);
    p->s = fixture_store(name);
    if (p->s == NULL)
        return 0;
    p->ent = fixture_org(p->s, "Eta Mining", "enterprise");
    p->uni = fixture_org(p->s, "Theta U", "university");
    for (int i = 0; i < 3; i++) {
        p->d[i] = fixture_listing(p->s, LISTING_DEMAND, p->ent, "demand", "B06");
        p->a[i] = fixture_listing(p->s, LISTING_ACHIEVEMENT, p->uni, "achievement", "C26");
        if (p->d[i] == NULL || p->a[i] == NULL)
            return 0;
    }
    return 1;
}

static void pairs_close(pairs *p)
{
    for (int i = 0; i < 3; i++) {
        listing_free(p->d[i]);
        listing_free(p->a[i]);
    }
    store_close(p->s);
}

void test_store_matches_approve_pushes_once_and_auto_approves(void)
{
    pairs p;
    REQUIRE(pairs_open(&p, "matches_approve.db"));
    int64_t id = fixture_match(p.s, p.d[0]->id, p.a[0]->id, 0.4);
    REQUIRE(id > 0);
    match m;
    int64_t nid = 0;
    REQUIRE(store_match_approve(p.s, id, 0, fixture_payload, NULL, &m, &nid) == TM_OK);
    CHECK_STR(m.status, "pushed"); /* no subscription: real time, every score */
    CHECK(nid > 0);
    match_cleanup(&m);
    CHECK_INT(store_match_approve(p.s, id, 0, fixture_payload, NULL, &m, &nid), TM_ERR_CONFLICT);
    CHECK_STR(m.status, "pushed");
    match_cleanup(&m);
    CHECK_INT(store_match_approve(p.s, 777777, 0, fixture_payload, NULL, &m, &nid), TM_ERR_NOT_FOUND);

    /* With auto-approval at 0.5, a pair scored 0.9 is pushed as it is recorded; one at 0.3 waits. */
    policy pol;
    REQUIRE(store_policy_get(p.s, &pol) == TM_OK);
    pol.auto_approve = 1;
    pol.auto_approve_score = 0.5;
    REQUIRE(store_policy_set(p.s, &pol, 0) == TM_OK);
    REQUIRE(store_policy_get(p.s, &pol) == TM_OK);
    CHECK(pol.auto_approve && pol.auto_approve_score == 0.5);
    int64_t hi = fixture_match(p.s, p.d[1]->id, p.a[1]->id, 0.9);
    int64_t lo = fixture_match(p.s, p.d[2]->id, p.a[2]->id, 0.3);
    REQUIRE(hi > 0 && lo > 0);
    REQUIRE(store_match_get(p.s, hi, &m) == TM_OK);
    CHECK_STR(m.status, "pushed");
    match_cleanup(&m);
    REQUIRE(store_match_get(p.s, lo, &m) == TM_OK);
    CHECK_STR(m.status, "suggested");
    match_cleanup(&m);
    int64_t last = 0;
    REQUIRE(store_notifications_last_id_of(p.s, p.ent, &last) == TM_OK);
    CHECK_INT(last, 2);
    /* Closing the low pair's demand withdraws its suggestion. */
    REQUIRE(store_matches_withdraw(p.s, LISTING_DEMAND, p.d[2]->id) == TM_OK);
    REQUIRE(store_match_get(p.s, lo, &m) == TM_OK);
    CHECK_STR(m.status, "withdrawn");
    match_cleanup(&m);
    match_filter f = { .status = "pushed", .min_score = 0.0, .max_score = 1.0, .assigned_to = -1, .limit = 1 };
    match_page page;
    REQUIRE(store_match_list(p.s, &f, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    if (page.n == 1)
        CHECK_INT(page.items[0].id, hi); /* best score first */
    REQUIRE(page.next_cursor != NULL);
    f.cursor = page.next_cursor;
    match_page next;
    REQUIRE(store_match_list(p.s, &f, &next) == TM_OK);
    CHECK_INT(next.n, 1);
    if (next.n == 1)
        CHECK_INT(next.items[0].id, id);
    CHECK(next.next_cursor == NULL);
    store_match_page_cleanup(&next);
    store_match_page_cleanup(&page);
    f.cursor = "0.5:x";
    CHECK_INT(store_match_list(p.s, &f, &page), TM_ERR_INVALID);
    pairs_close(&p);
}

void test_store_matches_digest_gathers_approved_matches(void)
{
    pairs p;
    REQUIRE(pairs_open(&p, "matches_digest.db"));
    subscription sub = { 1, 1, 0.0, 1 };
    REQUIRE(store_subscription_set(p.s, p.ent, &sub, 0) == TM_OK);
    int64_t ids[2];
    for (int i = 0; i < 2; i++) {
        match m;
        int64_t nid = 1;
        ids[i] = fixture_match(p.s, p.d[i]->id, p.a[i]->id, 0.6 + 0.1 * i);
        REQUIRE(ids[i] > 0);
        REQUIRE(store_match_approve(p.s, ids[i], 0, fixture_payload, NULL, &m, &nid) == TM_OK);
        CHECK_STR(m.status, "approved"); /* waits for the digest */
        CHECK_INT(nid, 0);
        match_cleanup(&m);
    }
    size_t sent = 0;
    REQUIRE(store_digests_run(p.s, 4000000000LL, 3600, fixture_payload, NULL, &sent) == TM_OK);
    CHECK_INT(sent, 1);
    notification_page page;
    REQUIRE(store_notifications_list(p.s, p.ent, 0, 10, &page) == TM_OK);
    REQUIRE(page.n == 1);
    CHECK_STR(page.items[0].type, "match.digest");
    CHECK_CONTAINS(page.items[0].payload, "\"n\":2");
    store_notification_page_cleanup(&page);
    match m;
    REQUIRE(store_match_get(p.s, ids[0], &m) == TM_OK);
    CHECK_STR(m.status, "pushed");
    match_cleanup(&m);
    /* Nothing waits any more: the next run sends nothing. */
    REQUIRE(store_digests_run(p.s, 4000000000LL + 7200, 3600, fixture_payload, NULL, &sent) == TM_OK);
    CHECK_INT(sent, 0);
    pairs_close(&p);
}

typedef struct reject_ctx {
    const char *from;
} reject_ctx;

static int reject_if(void *ctx, match *m)
{
    reject_ctx *c = ctx;
    if (strcmp(m->status, c->from) != 0)
        return TM_ERR_CONFLICT;
    free(m->status);
    m->status = strdup("rejected");
    m->reason = strdup("field_mismatch");
    return TM_OK;
}

void test_store_matches_pipeline_edits_notes_history_and_proposals(void)
{
    pairs p;
    REQUIRE(pairs_open(&p, "matches_pipeline.db"));
    int64_t broker = 0;
    REQUIRE(store_user_add(p.s, "b@iota.test", "broker", "Iota Agency", "Bo", "h", &broker) == TM_OK);
    int64_t id = fixture_match(p.s, p.d[0]->id, p.a[0]->id, 0.5);
    REQUIRE(id > 0);
    match m;
    reject_ctx wrong = { "approved" }, right = { "suggested" };
    CHECK_INT(store_match_edit(p.s, id, broker, "match.reject", 1, reject_if, &wrong, &m), TM_ERR_CONFLICT);
    CHECK_STR(m.status, "suggested"); /* the match as it still is */
    match_cleanup(&m);
    REQUIRE(store_match_edit(p.s, id, broker, "match.reject", 1, reject_if, &right, &m) == TM_OK);
    CHECK_STR(m.status, "rejected");
    match_cleanup(&m);
    REQUIRE(store_match_get(p.s, id, &m) == TM_OK);
    CHECK_STR(m.reason, "field_mismatch");
    match_cleanup(&m);
    CHECK_INT(store_match_edit(p.s, 888888, broker, "match.reject", 1, reject_if, &right, &m), TM_ERR_NOT_FOUND);

    int64_t note = 0;
    REQUIRE(store_match_note_add(p.s, id, broker, "called them", &note) == TM_OK);
    CHECK(note > 0);
    CHECK_INT(store_match_note_add(p.s, 888888, broker, "lost", &note), TM_ERR_NOT_FOUND);
    match_note *notes = NULL;
    size_t nn = 0;
    REQUIRE(store_match_notes(p.s, id, &notes, &nn) == TM_OK);
    REQUIRE(nn == 1);
    CHECK_STR(notes[0].author, "Bo");
    CHECK_STR(notes[0].text, "called them");
    store_match_notes_free(notes, nn);
    history_item *h = NULL;
    size_t nh = 0;
    REQUIRE(store_match_history(p.s, id, &h, &nh) == TM_OK);
    REQUIRE(nh == 2);
    CHECK_STR(h[0].action, "match.reject");
    CHECK_STR(h[0].who, "Bo");
    CHECK_CONTAINS(h[0].after, "rejected");
    CHECK_STR(h[1].action, "match.note");
    store_history_free(h, nh);

    /* A proposal of the rejected pair is a conflict naming it; a new pair becomes a suggested proposal. */
    match_row pair = { p.d[0]->id, p.a[0]->id, 0.5, 0.5, 0.0, "{}" };
    CHECK_INT(store_match_propose(p.s, &pair, "we can", broker, &m), TM_ERR_CONFLICT);
    CHECK_INT(m.id, id);
    match_cleanup(&m);
    pair.demand_id = p.d[1]->id;
    REQUIRE(store_match_propose(p.s, &pair, "we can", broker, &m) == TM_OK);
    CHECK_STR(m.origin, "proposal");
    CHECK_STR(m.status, "suggested");
    CHECK_STR(m.statement, "we can");
    match_cleanup(&m);
    pairs_close(&p);
}
