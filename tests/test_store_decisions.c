/*
 * test_store_decisions.c: store_match_decisions, what the matcher learns from:
 * a demand's achievements a broker approved (also once pushed further) and
 * rejected, not its suggestions, not an approval by the policy's auto-approve
 * score, and not another demand's decisions.
 */
#include "test.h"
#include "mem.h"
#include "store_fixture.h"
#include <stdlib.h>
#include <string.h>

static int to_rejected(void *ctx, match *m)
{
    (void)ctx;
    free(m->status);
    m->status = xstrdup("rejected");
    free(m->reason);
    m->reason = xstrdup("out_of_scope");
    return TM_OK;
}

static int holds(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return 1;
    return 0;
}

void test_store_decisions_are_a_demands_broker_approvals_and_rejections(void)
{
    store *s = fixture_store("decisions.db");
    REQUIRE(s != NULL);
    int64_t ent = fixture_org(s, "Eta Mining", "enterprise"), uni = fixture_org(s, "Theta U", "university");
    int64_t broker = 0;
    REQUIRE(store_user_add(s, "b@iota.test", "broker", "Iota Agency", "Bo", "h", &broker) == TM_OK);
    listing *d = fixture_listing(s, LISTING_DEMAND, ent, "demand", "B06");
    listing *d2 = fixture_listing(s, LISTING_DEMAND, ent, "other demand", "B06");
    listing *a[5];
    for (int i = 0; i < 5; i++)
        a[i] = fixture_listing(s, LISTING_ACHIEVEMENT, uni, "achievement", "B06");
    REQUIRE(d && d2 && a[0] && a[1] && a[2] && a[3] && a[4]);
    /* Four suggestions of d (one transaction, as the matcher records them) and one of d2. */
    match_row rows[4];
    for (int i = 0; i < 4; i++)
        rows[i] = (match_row){ d->id, a[i]->id, 0.4, 0.4, 0, "{}" };
    REQUIRE(store_matches_record(s, LISTING_DEMAND, d->id, rows, 4, fixture_payload, NULL) == TM_OK);
    int64_t other = fixture_match(s, d2->id, a[4]->id, 0.4);
    REQUIRE(other > 0);
    match_filter f = { .status = "suggested", .max_score = 1.0, .demand_id = d->id, .assigned_to = -1, .limit = 10 };
    match_page page;
    REQUIRE(store_match_list(s, &f, &page) == TM_OK);
    REQUIRE(page.n == 4);
    int64_t id_of[4] = { 0 };
    for (size_t i = 0; i < page.n; i++)
        for (int k = 0; k < 4; k++)
            if (page.items[i].achievement_id == a[k]->id)
                id_of[k] = page.items[i].id;
    store_match_page_cleanup(&page);

    match_decisions dec;
    REQUIRE(store_match_decisions(s, d->id, &dec) == TM_OK);
    CHECK(dec.napproved == 0 && dec.nrejected == 0); /* suggestions are no decisions */
    match_decisions_cleanup(&dec);

    match m;
    int64_t nid = 0;
    REQUIRE(store_match_approve(s, id_of[0], broker, fixture_payload, NULL, &m, &nid) == TM_OK); /* pushed on */
    match_cleanup(&m);
    REQUIRE(store_match_approve(s, id_of[1], 0, fixture_payload, NULL, &m, &nid) == TM_OK); /* no reviewer */
    match_cleanup(&m);
    REQUIRE(store_match_edit(s, id_of[2], broker, "match.reject", 1, to_rejected, NULL, &m) == TM_OK);
    match_cleanup(&m);
    REQUIRE(store_match_edit(s, other, broker, "match.reject", 1, to_rejected, NULL, &m) == TM_OK);
    match_cleanup(&m);

    REQUIRE(store_match_decisions(s, d->id, &dec) == TM_OK);
    CHECK_INT(dec.napproved, 1);
    CHECK(holds(dec.approved, dec.napproved, a[0]->id));
    CHECK_INT(dec.nrejected, 1);
    CHECK(holds(dec.rejected, dec.nrejected, a[2]->id));
    CHECK(!holds(dec.rejected, dec.nrejected, a[4]->id)); /* d2's decision is d2's */
    match_decisions_cleanup(&dec);
    CHECK(dec.approved == NULL && dec.napproved == 0);

    listing_free(d);
    listing_free(d2);
    for (int i = 0; i < 5; i++)
        listing_free(a[i]);
    store_close(s);
}
