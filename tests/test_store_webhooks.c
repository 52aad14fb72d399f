/* test_store_webhooks.c: webhook endpoints, deliveries and attempts at the store level (src/store/webhooks.c). */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

void test_store_webhooks_endpoints_belong_to_their_organisation(void)
{
    store *s = fixture_store("webhooks_endpoints.db");
    REQUIRE(s != NULL);
    int64_t org = fixture_org(s, "Xi Chemicals", "enterprise"), other = fixture_org(s, "Omicron", "enterprise");
    const unsigned char key[32] = { 7 };
    webhook w;
    REQUIRE(store_webhook_create(s, org, "https://hooks.example/a", NULL, key, sizeof key, 0, &w) == TM_OK);
    CHECK_STR(w.status, "active");
    CHECK_STR(w.description, "");
    int64_t id = w.id;
    webhook_cleanup(&w);
    CHECK_INT(store_webhook_get(s, other, id, &w), TM_ERR_NOT_FOUND);
    CHECK_INT(store_webhook_set_status(s, other, id, "paused", 0), TM_ERR_NOT_FOUND);
    REQUIRE(store_webhook_set_status(s, org, id, "paused", 0) == TM_OK);
    REQUIRE(store_webhook_get(s, org, id, &w) == TM_OK);
    CHECK_STR(w.status, "paused");
    webhook_cleanup(&w);
    const unsigned char key2[32] = { 8 };
    REQUIRE(store_webhook_set_key(s, org, id, key2, sizeof key2, 0) == TM_OK);
    webhook *list = NULL;
    size_t n = 0;
    REQUIRE(store_webhook_list(s, org, &list, &n) == TM_OK);
    CHECK_INT(n, 1);
    for (size_t i = 0; i < n; i++)
        webhook_cleanup(&list[i]);
    free(list);
    CHECK_INT(test_sqlite_int(test_path("webhooks_endpoints.db"),
                              "SELECT count(*) FROM audit_log WHERE entity = 'webhook'"), 3);
    CHECK_INT(store_webhook_delete(s, other, id, 0), TM_ERR_NOT_FOUND);
    REQUIRE(store_webhook_delete(s, org, id, 0) == TM_OK);
    CHECK_INT(store_webhook_get(s, org, id, &w), TM_ERR_NOT_FOUND);
    store_close(s);
}

void test_store_webhooks_deliveries_retry_resend_and_disable(void)
{
    store *s = fixture_store("webhooks_deliveries.db");
    REQUIRE(s != NULL);
    int64_t org = fixture_org(s, "Pi Energy", "enterprise");
    const unsigned char key[32] = { 1, 2, 3, 4 };
    webhook w;
    REQUIRE(store_webhook_create(s, org, "https://hooks.example/p", "ops", key, sizeof key, 0, &w) == TM_OK);
    int64_t wid = w.id, ping_id = 0;
    webhook_cleanup(&w);
    REQUIRE(store_webhook_ping(s, org, wid, "{\"type\":\"ping\"}", &ping_id) == TM_OK);
    CHECK(ping_id > 0);
    due_delivery *due = NULL;
    size_t n = 0;
    REQUIRE(store_deliveries_due(s, 1000, 10, &due, &n) == TM_OK);
    REQUIRE(n == 1);
    CHECK_INT(due[0].id, ping_id);
    CHECK_INT(due[0].key_len, sizeof key);
    CHECK_INT(due[0].key[3], 4);
    CHECK_STR(due[0].payload, "{\"type\":\"ping\"}");
    /* A failed attempt with a retry: pending again, not due before its time. */
    attempt_result retry = { 503, NULL, 12, 0, 5000, NULL, NULL };
    const due_delivery *one[1] = { &due[0] };
    REQUIRE(store_delivery_results(s, one, &retry, 1) == TM_OK);
    store_due_free(due, n);
    REQUIRE(store_deliveries_due(s, 1000, 10, &due, &n) == TM_OK);
    CHECK_INT(n, 0);
    store_due_free(due, n);
    REQUIRE(store_deliveries_due(s, 5000, 10, &due, &n) == TM_OK);
    REQUIRE(n == 1);
    CHECK_INT(due[0].attempts, 1);
    /* The last attempt disables the endpoint and tells its owner. */
    attempt_result dead = { 0, "connection refused", 3, 0, 0, "too many failures", "{\"type\":\"webhook.disabled\"}" };
    one[0] = &due[0];
    REQUIRE(store_delivery_results(s, one, &dead, 1) == TM_OK);
    store_due_free(due, n);
    REQUIRE(store_webhook_get(s, org, wid, &w) == TM_OK);
    CHECK_STR(w.status, "disabled");
    CHECK_STR(w.disabled_reason, "too many failures");
    webhook_cleanup(&w);
    notification_page page;
    REQUIRE(store_notifications_list(s, org, 0, 10, &page) == TM_OK);
    REQUIRE(page.n == 1);
    CHECK_STR(page.items[0].type, "webhook.disabled");
    store_notification_page_cleanup(&page);

    /* Newest first: the notice of the disabling (kept for the endpoint's backlog), then the ping. */
    delivery *list = NULL;
    REQUIRE(store_deliveries_list(s, org, wid, 10, &list, &n) == TM_OK);
    REQUIRE(n == 2);
    CHECK_STR(list[0].state, "pending");
    CHECK_INT(list[1].id, ping_id);
    CHECK_STR(list[1].state, "failed");
    CHECK_INT(list[1].attempts, 2);
    REQUIRE(list[1].ntries == 2);
    CHECK_INT(list[1].tries[0].status_code, 503);
    CHECK_STR(list[1].tries[1].error, "connection refused");
    store_deliveries_free(list, n);
    CHECK_INT(store_delivery_resend(s, org + 1, wid, ping_id), TM_ERR_NOT_FOUND);
    REQUIRE(store_delivery_resend(s, org, wid, ping_id) == TM_OK);
    CHECK_INT(test_sqlite_int(test_path("webhooks_deliveries.db"), "SELECT state = 'pending' AND attempts = 0"
                              " FROM deliveries ORDER BY id LIMIT 1"), 1);
    store_close(s);
}
