/*
 * test_store_thesaurus.c: the thesaurus brokers curate at the store level
 * (src/store/thesaurus.c): a pair stored once in either order, the listings a
 * change touches (open ones holding either term, entered in the match queue
 * when the store queues matching), and store_thesaurus_each, what the matcher
 * is fed with.
 */
#include "test.h"
#include "store_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects the entries store_thesaurus_each gives, stopping after stop_after when it is not 0. */
typedef struct seen {
    char terms[8][sizeof ((thesaurus_entry *)0)->term_a];
    size_t n, stop_after;
} seen;

static int collect(void *ctx, const thesaurus_entry *e)
{
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->terms[s->n], sizeof s->terms[0], "%s", e->term_a);
        s->n++;
    }
    return s->stop_after && s->n == s->stop_after ? TM_ERR_LIMITED : TM_OK;
}

void test_store_thesaurus_pairs_touched_listings_and_each(void)
{
    store *s = fixture_store("store_thesaurus.db");
    REQUIRE(s != NULL);
    store_queue_matching(s);
    int64_t ent = fixture_org(s, "Fu Remanufacturing", "enterprise");
    int64_t uni = fixture_org(s, "Cladding Lab", "university");
    listing *d = fixture_listing(s, LISTING_DEMAND, ent, "液压支架立柱激光熔覆修复", "C34");
    listing *a = fixture_listing(s, LISTING_ACHIEVEMENT, uni, "Laser cladding of Fe-based coatings", "C34");
    listing *other = fixture_listing(s, LISTING_ACHIEVEMENT, uni, "Blockchain traceability for tea", "A01");
    listing *closed = fixture_listing(s, LISTING_DEMAND, ent, "激光熔覆设备采购", "C34");
    REQUIRE(d && a && other && closed);
    REQUIRE(store_listing_set_status(s, LISTING_DEMAND, closed->id, "closed", 0, NULL, NULL, NULL) == TM_OK);
    /* Only the change's own entries stay in the queue below. */
    REQUIRE(test_sqlite_exec(test_path("store_thesaurus.db"), "DELETE FROM match_queue") == 0);

    thesaurus_entry *e = calloc(1, sizeof *e);
    REQUIRE(e != NULL);
    thesaurus_touched t;
    thesaurus_input in = { "激光熔覆", "laser cladding", "translation", "note" };
    REQUIRE(store_thesaurus_add(s, &in, 0, e, &t) == TM_OK);
    int64_t first = e->id;
    CHECK_STR(e->kind, "translation");
    CHECK_INT(e->created_by, 0);
    CHECK_INT(t.n[LISTING_DEMAND], 1);
    CHECK_INT(t.n[LISTING_ACHIEVEMENT], 1);
    CHECK(t.n[LISTING_DEMAND] == 1 && t.ids[LISTING_DEMAND][0] == d->id);
    CHECK(t.n[LISTING_ACHIEVEMENT] == 1 && t.ids[LISTING_ACHIEVEMENT][0] == a->id);
    store_thesaurus_touched_cleanup(&t);
    CHECK_INT(test_sqlite_int(test_path("store_thesaurus.db"), "SELECT count(*) FROM match_queue"), 2);

    /* The pair again, the other way round, cased and spaced otherwise: the stored entry comes back. */
    thesaurus_input again = { "  LASER   Cladding", "激光熔覆", "synonym", NULL };
    CHECK_INT(store_thesaurus_add(s, &again, 0, e, &t), TM_ERR_CONFLICT);
    CHECK(e->id == first);
    CHECK_STR(e->term_b, "laser cladding");
    CHECK_INT(t.n[0] + t.n[1], 0);
    thesaurus_input same = { "Ｌａｓｅｒ", "laser", "synonym", NULL };
    CHECK_INT(store_thesaurus_add(s, &same, 0, e, &t), TM_ERR_INVALID);

    thesaurus_input tea = { "茶叶", "tea", "translation", NULL }, ledger = { "区块链", "blockchain", "translation", "" };
    REQUIRE(store_thesaurus_add(s, &tea, 0, e, &t) == TM_OK);
    CHECK_INT(t.n[LISTING_DEMAND], 0);
    CHECK(t.n[LISTING_ACHIEVEMENT] == 1 && t.ids[LISTING_ACHIEVEMENT][0] == other->id);
    store_thesaurus_touched_cleanup(&t);
    REQUIRE(store_thesaurus_add(s, &ledger, 0, e, &t) == TM_OK);
    store_thesaurus_touched_cleanup(&t);

    /* Every entry, oldest first; a non-zero return stops the walk and is returned. */
    seen all = { .n = 0 };
    REQUIRE(store_thesaurus_each(s, collect, &all) == TM_OK);
    CHECK_INT(all.n, 3);
    CHECK_STR(all.terms[0], "激光熔覆");
    CHECK_STR(all.terms[2], "区块链");
    seen two = { .n = 0, .stop_after = 2 };
    CHECK_INT(store_thesaurus_each(s, collect, &two), TM_ERR_LIMITED);
    CHECK_INT(two.n, 2);

    /* Deleting touches the same listings; the entry is gone from the walk. */
    REQUIRE(store_thesaurus_delete(s, first, 0, e, &t) == TM_OK);
    CHECK_STR(e->term_a, "激光熔覆");
    CHECK_INT(t.n[0] + t.n[1], 2);
    store_thesaurus_touched_cleanup(&t);
    CHECK_INT(store_thesaurus_delete(s, first, 0, e, &t), TM_ERR_NOT_FOUND);
    seen left = { .n = 0 };
    REQUIRE(store_thesaurus_each(s, collect, &left) == TM_OK);
    CHECK_INT(left.n, 2);
    CHECK_INT(test_sqlite_int(test_path("store_thesaurus.db"),
                              "SELECT count(*) FROM audit_log WHERE entity = 'thesaurus'"), 4);
    free(e);
    listing_free(d);
    listing_free(a);
    listing_free(other);
    listing_free(closed);
    store_close(s);
}
