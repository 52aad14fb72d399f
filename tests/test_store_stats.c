/* test_store_stats.c: the statistics and the decisions export at the store level (src/store/stats.c). */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

static int count_decision(void *ctx, const decision_row *d)
{
    if (d->action && strcmp(d->action, "match.approve") == 0)
        (*(int *)ctx)++;
    return TM_OK;
}

/* A store with two pushed matches (one a deal-less approval) and one broker. */
static store *stats_store(const char *name)
{
    store *s = fixture_store(name);
    if (s == NULL)
        return NULL;
    int64_t ent = fixture_org(s, "Rho Mining", "enterprise"), uni = fixture_org(s, "Sigma U", "university");
    int64_t broker = 0;
    if (store_user_add(s, "b@tau.test", "broker", "Tau Agency", "Tess", "h", &broker) != TM_OK)
        return s;
    for (int i = 0; i < 2; i++) {
        listing *d = fixture_listing(s, LISTING_DEMAND, ent, "demand", i ? "B07" : "B06");
        listing *a = fixture_listing(s, LISTING_ACHIEVEMENT, uni, "achievement", "C26");
        int64_t id = d && a ? fixture_match(s, d->id, a->id, 0.35 + 0.5 * i) : 0;
        match m;
        int64_t nid = 0;
        if (id > 0 && store_match_approve(s, id, broker, fixture_payload, NULL, &m, &nid) == TM_OK)
            match_cleanup(&m);
        listing_free(d);
        listing_free(a);
    }
    return s;
}

void test_store_stats_counts_the_funnel_and_exports_decisions(void)
{
    store *s = stats_store("stats_counts.db");
    REQUIRE(s != NULL);
    stats st;
    REQUIRE(store_stats(s, &st) == TM_OK);
    CHECK_INT(st.overall.n[FUNNEL_SUGGESTED], 2);
    CHECK_INT(st.overall.n[FUNNEL_APPROVED], 2);
    CHECK_INT(st.overall.n[FUNNEL_PUSHED], 2);
    CHECK_INT(st.overall.n[FUNNEL_DEALS], 0);
    CHECK_INT(st.nfield, 2);
    CHECK_INT(st.nmonth, 1);
    CHECK_INT(st.npushed, 2);
    CHECK_INT(st.nworkload, 1);
    CHECK_INT(st.approved_scores[3], 1);
    CHECK_INT(st.approved_scores[8], 1);
    store_stats_cleanup(&st);
    int approvals = 0;
    REQUIRE(store_decisions_each(s, count_decision, &approvals) == TM_OK);
    CHECK_INT(approvals, 2);
    store_close(s);
}

void test_store_stats_fails_whole_on_a_failing_query(void)
{
    const char *path = test_path("stats_fail.db");
    store *s = stats_store("stats_fail.db");
    REQUIRE(s != NULL);
    stats st;
    REQUIRE(store_stats(s, &st) == TM_OK); /* every statistics statement is now prepared on the reader */
    store_stats_cleanup(&st);
    /*
     * Without the users table the workload query (the sixth of eight) fails
     * when stepped, after the funnels, reasons and push hours were read: the
     * call fails and returns nothing, rather than partial figures.
     */
    REQUIRE(test_sqlite_exec(path, "PRAGMA foreign_keys = OFF; DROP TABLE users;") == 0);
    memset(&st, 0x5a, sizeof st);
    CHECK_INT(store_stats(s, &st), TM_ERR_DB);
    CHECK(st.by_field == NULL && st.by_month == NULL && st.hours_to_push == NULL && st.workload == NULL);
    CHECK_INT(st.nfield, 0);
    CHECK_INT(st.overall.n[FUNNEL_SUGGESTED], 0);
    store_close(s);
}
