/* test_store.c: migrations, WAL, the taxonomy seed, search and import at the store level. */
#include "test.h"
#include "embedded.h"
#include "store.h"
#include <stdlib.h>
#include <unistd.h>

void test_store_migrates_an_empty_file(void)
{
    const char *path = test_path("migrate.db");
    store *s = NULL;
    int migrations = 0;
    while (embedded_migrations[migrations].name)
        migrations++;
    unlink(path);
    REQUIRE(store_open(path, &s) == TM_OK);
    CHECK_INT(store_schema_version(s), migrations);
    taxonomy *t = NULL;
    REQUIRE(store_fields_load(s, &t) == TM_OK);
    CHECK_INT(taxonomy_count(t), 117);
    taxonomy_free(t);
    store_close(s);
    CHECK_INT(test_sqlite_int(path, "PRAGMA user_version"), migrations);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM fields"), 117);
    CHECK_INT(test_sqlite_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    /* A second open applies nothing and loads no second taxonomy. */
    REQUIRE(store_open(path, &s) == TM_OK);
    store_close(s);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM fields"), 117);
}

void test_store_listing_round_trip_and_search(void)
{
    const char *path = test_path("roundtrip.db");
    store *s = NULL;
    int64_t org = 0;
    unlink(path);
    REQUIRE(store_open(path, &s) == TM_OK);
    REQUIRE(store_org_ensure(s, "贵州大学", "university", &org) == TM_OK);
    listing *a = listing_new(LISTING_ACHIEVEMENT);
    a->org_id = org;
    free(a->title);
    a->title = strdup("磷石膏制备高强建筑石膏粉");
    free(a->body);
    a->body = strdup("Phosphogypsum purified into building plaster");
    strlist_push(&a->fields, "C30");
    a->trl = 7;
    REQUIRE(store_listing_create(s, a, 0) == TM_OK);
    CHECK(a->id > 0);
    listing *back = NULL;
    REQUIRE(store_listing_get(s, LISTING_ACHIEVEMENT, a->id, &back) == TM_OK);
    CHECK_STR(back->title, a->title);
    CHECK_STR(back->org_name, "贵州大学");
    CHECK_INT(back->trl, 7);
    CHECK_STR(back->fields.v[0], "C30");
    listing_free(back);

    listing_filter f = { .q = "石膏", .limit = 10 };
    listing_page page;
    REQUIRE(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    store_page_cleanup(&page);
    f.q = "plasters";  /* stemmed alike */
    REQUIRE(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    store_page_cleanup(&page);
    f.q = "\"NEAR( OR *";  /* FTS5 syntax in user text is never interpreted */
    CHECK_INT(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page), TM_OK);
    store_page_cleanup(&page);
    f.q = NULL;
    f.field_prefix = "C";
    REQUIRE(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) == TM_OK);
    CHECK_INT(page.n, 1);
    store_page_cleanup(&page);
    f.field_prefix = "C31";
    REQUIRE(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) == TM_OK);
    CHECK_INT(page.n, 0);
    store_page_cleanup(&page);
    f.field_prefix = NULL;
    f.cursor = "s12";
    CHECK_INT(store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page), TM_ERR_INVALID);
    listing_free(a);
    store_close(s);
}
