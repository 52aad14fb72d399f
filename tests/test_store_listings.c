/* test_store_listings.c: listings at the store level (src/store/listings.c): batch reads, edits, import, the queue. */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

void test_store_listings_get_many_keeps_order_and_marks_missing(void)
{
    store *s = fixture_store("listings_many.db");
    REQUIRE(s != NULL);
    int64_t org = fixture_org(s, "Delta Mining", "enterprise");
    listing *a = fixture_listing(s, LISTING_DEMAND, org, "液压支架", "B06");
    listing *b = fixture_listing(s, LISTING_DEMAND, org, "coal washing", "B06");
    REQUIRE(a != NULL && b != NULL);
    const int64_t ids[5] = { b->id, 999999, a->id, b->id, -3 };
    listing *out[5];
    uint64_t before = store_statements_run(s);
    REQUIRE(store_listings_get_many(s, LISTING_DEMAND, ids, 5, out) == TM_OK);
    CHECK_INT(store_statements_run(s) - before, 1); /* one statement, not one per id */
    REQUIRE(out[0] != NULL && out[2] != NULL && out[3] != NULL);
    CHECK(out[1] == NULL);
    CHECK(out[4] == NULL);
    CHECK_INT(out[0]->id, b->id);
    CHECK_STR(out[0]->title, "coal washing");
    CHECK_STR(out[0]->org_name, "Delta Mining");
    CHECK_INT(out[2]->id, a->id);
    CHECK_STR(out[2]->fields.v[0], "B06");
    CHECK_INT(out[3]->id, b->id);
    CHECK(out[3] != out[0]); /* each entry is its own copy */
    for (int i = 0; i < 5; i++)
        listing_free(out[i]);
    /* The other kind has no listing with these ids; none at all is fine too. */
    REQUIRE(store_listings_get_many(s, LISTING_ACHIEVEMENT, ids, 2, out) == TM_OK);
    CHECK(out[0] == NULL && out[1] == NULL);
    CHECK_INT(store_listings_get_many(s, LISTING_DEMAND, ids, 0, out), TM_OK);
    /* store_listing_get costs one statement per call. */
    before = store_statements_run(s);
    listing *one = NULL;
    REQUIRE(store_listing_get(s, LISTING_DEMAND, a->id, &one) == TM_OK);
    CHECK_INT(store_statements_run(s) - before, 1);
    listing_free(one);
    listing_free(a);
    listing_free(b);
    store_close(s);
}

static int retitle(void *ctx, listing *l)
{
    free(l->title);
    l->title = strdup(ctx);
    return TM_OK;
}

static int refuse(void *ctx, listing *l)
{
    (void)ctx;
    (void)l;
    return TM_ERR_FORBIDDEN;
}

static int refuse_check(void *ctx, const listing *l)
{
    (void)ctx;
    (void)l;
    return TM_ERR_FORBIDDEN;
}

static int count_open(void *ctx, const listing *l)
{
    (void)l;
    (*(int *)ctx)++;
    return TM_OK;
}

void test_store_listings_edit_status_and_queue(void)
{
    const char *path = test_path("listings_edit.db");
    store *s = fixture_store("listings_edit.db");
    REQUIRE(s != NULL);
    store_queue_matching(s);
    int64_t org = fixture_org(s, "Epsilon U", "university");
    listing *a = fixture_listing(s, LISTING_ACHIEVEMENT, org, "old title", "C26");
    listing *b = fixture_listing(s, LISTING_ACHIEVEMENT, org, "second", "C26");
    REQUIRE(a != NULL && b != NULL);
    int64_t *queued = NULL;
    size_t nq = 0;
    REQUIRE(store_match_queue(s, LISTING_ACHIEVEMENT, &queued, &nq) == TM_OK);
    CHECK_INT(nq, 2);
    if (nq == 2)
        CHECK_INT(queued[0], a->id);
    free(queued);

    listing *edited = NULL;
    REQUIRE(store_listing_edit(s, LISTING_ACHIEVEMENT, a->id, 0, retitle, "new title", &edited) == TM_OK);
    CHECK_STR(edited->title, "new title");
    listing_free(edited);
    CHECK_INT(store_listing_edit(s, LISTING_ACHIEVEMENT, a->id, 0, refuse, NULL, NULL), TM_ERR_FORBIDDEN);
    CHECK_INT(store_listing_edit(s, LISTING_ACHIEVEMENT, 424242, 0, retitle, "x", NULL), TM_ERR_NOT_FOUND);
    CHECK_INT(store_listing_set_status(s, LISTING_ACHIEVEMENT, b->id, "closed", 0, refuse_check, NULL, NULL),
              TM_ERR_FORBIDDEN);
    listing *closed = NULL;
    REQUIRE(store_listing_set_status(s, LISTING_ACHIEVEMENT, b->id, "closed", 0, NULL, NULL, &closed) == TM_OK);
    CHECK_STR(closed->status, "closed");
    listing_free(closed);
    /* Closing it again writes nothing (no audit row) and answers the listing as stored. */
    REQUIRE(store_listing_set_status(s, LISTING_ACHIEVEMENT, b->id, "closed", 0, NULL, NULL, NULL) == TM_OK);
    CHECK_INT(store_listing_set_status(s, LISTING_ACHIEVEMENT, 424242, "closed", 0, NULL, NULL, NULL),
              TM_ERR_NOT_FOUND);
    listing *back = NULL;
    REQUIRE(store_listing_get(s, LISTING_ACHIEVEMENT, a->id, &back) == TM_OK);
    CHECK_STR(back->title, "new title");
    listing_free(back);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM audit_log WHERE entity = 'achievement'"), 4);
    int open = 0;
    REQUIRE(store_listing_each_open(s, LISTING_ACHIEVEMENT, count_open, &open) == TM_OK);
    CHECK_INT(open, 1);
    listing_page page;
    REQUIRE(store_listing_changed_since(s, LISTING_ACHIEVEMENT, "2000-01-01T00:00:00Z", 1, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    store_page_cleanup(&page);
    /* Recording a listing's matches takes it out of the queue. */
    REQUIRE(store_matches_record(s, LISTING_ACHIEVEMENT, a->id, NULL, 0, fixture_payload, NULL) == TM_OK);
    REQUIRE(store_match_queue(s, LISTING_ACHIEVEMENT, &queued, &nq) == TM_OK);
    CHECK_INT(nq, 1);
    free(queued);
    listing_free(a);
    listing_free(b);
    store_close(s);
}

/* Import rows: a ref and a title each (a NULL title refuses the row). */
typedef struct rows {
    const char *const *refs, *const *titles;
} rows;

static int apply_title(void *ctx, size_t i, listing *l)
{
    const rows *r = ctx;
    if (r->titles[i] == NULL)
        return TM_ERR_INVALID;
    free(l->title);
    l->title = strdup(r->titles[i]);
    free(l->ref);
    l->ref = r->refs[i] ? strdup(r->refs[i]) : NULL;
    return TM_OK;
}

void test_store_listings_import_updates_by_ref(void)
{
    store *s = fixture_store("listings_import.db");
    REQUIRE(s != NULL);
    int64_t org = fixture_org(s, "Zeta Works", "enterprise");
    const char *refs[3] = { "R1", "R2", NULL };
    const char *titles[3] = { "first", NULL, "third" };
    int64_t ids[3];
    import_action actions[3];
    rows first_rows = { refs, titles };
    REQUIRE(store_listing_import(s, LISTING_DEMAND, org, 3, refs, 0, apply_title, &first_rows, ids, actions, NULL,
                                 NULL) == TM_OK);
    CHECK_INT(actions[0], IMPORT_CREATED);
    CHECK_INT(actions[1], IMPORT_SKIPPED);
    CHECK_INT(actions[2], IMPORT_CREATED);
    int64_t first = ids[0];
    const char *again[3] = { "first, again", "second", NULL };
    rows again_rows = { refs, again };
    REQUIRE(store_listing_import(s, LISTING_DEMAND, org, 3, refs, 0, apply_title, &again_rows, ids, actions, NULL,
                                 NULL) == TM_OK);
    CHECK_INT(actions[0], IMPORT_UPDATED);
    CHECK_INT(ids[0], first);
    CHECK_INT(actions[1], IMPORT_CREATED);
    listing *l = NULL;
    REQUIRE(store_listing_get(s, LISTING_DEMAND, first, &l) == TM_OK);
    CHECK_STR(l->title, "first, again");
    listing_free(l);
    listing_filter f = { .org_id = org, .limit = 2 };
    listing_page page;
    REQUIRE(store_listing_list(s, LISTING_DEMAND, &f, &page) == TM_OK);
    CHECK_INT(page.n, 2);
    CHECK(page.next_cursor != NULL);
    store_page_cleanup(&page);
    store_close(s);
}
