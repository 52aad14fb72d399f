/* test_store_outbox.c: subscriptions and notifications at the store level (src/store/outbox.c). */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

void test_store_outbox_subscription_defaults_and_changes(void)
{
    store *s = fixture_store("outbox_sub.db");
    REQUIRE(s != NULL);
    int64_t org = fixture_org(s, "Kappa Steel", "enterprise");
    subscription sub;
    REQUIRE(store_subscription_get(s, org, &sub) == TM_OK);
    CHECK(sub.stream == 1 && sub.webhook == 1 && sub.digest == 0 && sub.min_score == 0.0);
    subscription want = { 0, 1, 0.75, 1 };
    REQUIRE(store_subscription_set(s, org, &want, 0) == TM_OK);
    REQUIRE(store_subscription_get(s, org, &sub) == TM_OK);
    CHECK(sub.stream == 0 && sub.webhook == 1 && sub.digest == 1 && sub.min_score == 0.75);
    CHECK_INT(test_sqlite_int(test_path("outbox_sub.db"),
                              "SELECT count(*) FROM audit_log WHERE action = 'subscription.update'"), 1);
    store_close(s);
}

void test_store_outbox_notifications_page_and_read(void)
{
    store *s = fixture_store("outbox_notes.db");
    REQUIRE(s != NULL);
    int64_t ent = fixture_org(s, "Lambda Coal", "enterprise"), uni = fixture_org(s, "Mu U", "university");
    int64_t other = fixture_org(s, "Nu Coal", "enterprise");
    for (int i = 0; i < 3; i++) {
        listing *d = fixture_listing(s, LISTING_DEMAND, ent, "demand", "B06");
        listing *a = fixture_listing(s, LISTING_ACHIEVEMENT, uni, "achievement", "B06");
        REQUIRE(d != NULL && a != NULL);
        int64_t id = fixture_match(s, d->id, a->id, 0.5);
        match m;
        int64_t nid = 0;
        REQUIRE(id > 0 && store_match_approve(s, id, 0, fixture_payload, NULL, &m, &nid) == TM_OK);
        CHECK_INT(nid, i + 1);
        match_cleanup(&m);
        listing_free(d);
        listing_free(a);
    }
    notification_page page;
    REQUIRE(store_notifications_list(s, ent, 0, 2, &page) == TM_OK);
    CHECK_INT(page.n, 2);
    CHECK_INT(page.more, 1);
    if (page.n == 2) {
        CHECK_INT(page.items[0].id, 1);
        CHECK_STR(page.items[1].type, "match.pushed");
        CHECK_INT(page.items[1].read, 0);
    }
    store_notification_page_cleanup(&page);
    REQUIRE(store_notifications_list(s, ent, 2, 2, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    CHECK_INT(page.more, 0);
    store_notification_page_cleanup(&page);
    REQUIRE(store_notifications_list(s, other, 0, 10, &page) == TM_OK);
    CHECK_INT(page.n, 0);
    store_notification_page_cleanup(&page);

    int64_t unread = 0;
    REQUIRE(store_notifications_unread(s, ent, &unread) == TM_OK);
    CHECK_INT(unread, 3);
    REQUIRE(store_notification_read(s, ent, 2) == TM_OK);
    CHECK_INT(store_notification_read(s, other, 3), TM_ERR_NOT_FOUND);
    REQUIRE(store_notifications_unread(s, ent, &unread) == TM_OK);
    CHECK_INT(unread, 2);
    store_close(s);
}
