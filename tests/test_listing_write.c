/*
 * test_listing_write.c: the listing write use cases on a real store and
 * matcher: import stores its rows and matches the listings it stored, close
 * checks the owner and withdraws, and each leaves the match queue empty.
 */
#include "test.h"
#include "listing_write.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Achievements for the demands to meet: one on hydraulic supports, the others unrelated. */
static const char achievements[] =
    "{\"ref\":\"A1\",\"title\":\"液压支架电液控制系统\",\"abstract\":\"综采工作面液压支架电液控制 hydraulic support\","
    "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"]}\n"
    "{\"ref\":\"A2\",\"title\":\"红缨子高粱机械化收获\",\"abstract\":\"丘陵山地高粱收获机\",\"fields\":[\"A01\"]}\n"
    "{\"ref\":\"A3\",\"title\":\"磷石膏建筑石膏粉\",\"abstract\":\"phosphogypsum plaster\",\"fields\":[\"C30\"]}\n";

/* Opens a fresh store that queues matching (as the server does) with a university and an enterprise. */
static store *open_store(const char *name, taxonomy **tax, int64_t *university, int64_t *enterprise)
{
    const char *path = test_path(name);
    store *s = NULL;
    unlink(path);
    log_set_quiet(1);
    if (store_open(path, &s) != TM_OK)
        return NULL;
    store_queue_matching(s);
    if (store_fields_load(s, tax) != TM_OK || store_org_ensure(s, "贵州大学", "university", university) != TM_OK ||
        store_org_ensure(s, "盘江煤电", "enterprise", enterprise) != TM_OK) {
        store_close(s);
        return NULL;
    }
    return s;
}

void test_listing_write_import_matches_what_it_stored(void)
{
    const char *path = test_path("write-import.db");
    taxonomy *tax = NULL;
    int64_t uni = 0, ent = 0;
    store *s = open_store("write-import.db", &tax, &uni, &ent);
    REQUIRE(s != NULL);
    import_result res;

    /* Without a matcher of its own (as `techmatch import`): one is opened after the rows are stored. */
    REQUIRE(listing_write_import(s, NULL, tax, LISTING_ACHIEVEMENT, uni, 0, IMPORT_JSONL, achievements,
                                 strlen(achievements), NULL, NULL, &res) == TM_OK);
    CHECK_INT(res.created, 3);
    CHECK_INT(res.match_status, TM_OK);
    import_result_cleanup(&res);

    matching *m = NULL;
    REQUIRE(matching_open(s, &m) == TM_OK);
    const char demands[] =
        "{\"ref\":\"D1\",\"title\":\"液压支架\",\"fields\":[\"B06\"]}\n"
        "not json\n"
        "{\"ref\":\" D1 \",\"title\":\"液压支架电液控制系统国产化\",\"description\":\"综采工作面液压支架电液控制\","
        "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"]}\n"
        "{\"title\":\"\"}\n";
    REQUIRE(listing_write_import(s, m, tax, LISTING_DEMAND, ent, 0, IMPORT_JSONL, demands, strlen(demands), NULL, NULL,
                                 &res) == TM_OK);
    REQUIRE(res.nrows == 4);
    CHECK_INT(res.created, 1);
    CHECK_INT(res.updated, 1);
    CHECK_INT(res.failed, 2);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.rows[0].action, IMPORT_CREATED);
    CHECK_INT(res.rows[1].action, IMPORT_SKIPPED);
    CHECK_INT(res.rows[1].line, 2);
    CHECK(res.rows[1].nerrors > 0 && res.rows[1].errors[0].field == NULL && res.rows[1].stored == NULL);
    CHECK_INT(res.rows[2].action, IMPORT_UPDATED);
    CHECK_STR(res.rows[2].ref, " D1 ");
    CHECK_INT(res.rows[2].id, res.rows[0].id);
    CHECK_INT(res.rows[3].nerrors, 1);
    CHECK_STR(res.rows[3].errors[0].field, "title");
    /* Both D1 rows point to the listing as stored: the second row's version, as a read gives it. */
    REQUIRE(res.rows[0].stored != NULL && res.rows[0].stored == res.rows[2].stored);
    CHECK_INT(res.nstored, 1);
    listing *back = NULL;
    REQUIRE(store_listing_get(s, LISTING_DEMAND, res.rows[0].id, &back) == TM_OK);
    CHECK_INT(res.rows[0].stored->id, back->id);
    CHECK_STR(res.rows[0].stored->title, back->title);
    CHECK_STR(res.rows[0].stored->body, back->body);
    CHECK_STR(res.rows[0].stored->status, back->status);
    CHECK_INT(res.rows[0].stored->keywords.n, back->keywords.n);
    listing_free(back);
    CHECK_INT(res.rows[0].match_status, TM_OK);
    CHECK_INT(res.rows[2].match_status, TM_OK);
    int64_t d1 = res.rows[0].id;
    import_result_cleanup(&res);
    import_result_cleanup(&res); /* a clean result may be cleaned again */

    /* The demand met the hydraulic achievement, and the matcher owes nothing. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM matches m JOIN achievements a ON a.id = m.achievement_id"
             " WHERE m.demand_id = %lld AND a.ref = 'A1' AND m.status = 'suggested'", (long long)d1);
    CHECK_INT(test_sqlite_int(path, sql), 1);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM match_queue"), 0);

    /* A file unusable as a whole stores nothing and says why. */
    REQUIRE(listing_write_import(s, m, tax, LISTING_DEMAND, ent, 0, IMPORT_CSV, "nope,title\n", 11, NULL, NULL,
                                 &res) == TM_ERR_INVALID);
    CHECK_INT(res.nrows, 0);
    REQUIRE(res.nerrors == 1);
    CHECK_STR(res.errors[0].field, "nope");
    import_result_cleanup(&res);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM demands"), 1);

    matching_close(m);
    taxonomy_free(tax);
    store_close(s);
}

/* An edit that renames the listing, or refuses when ctx says so. */
static int rename_or_refuse(void *ctx, listing *l)
{
    const char *title = ctx;
    if (title == NULL)
        return TM_ERR_FORBIDDEN;
    free(l->title);
    l->title = strdup(title);
    return TM_OK;
}

void test_listing_write_close_checks_the_owner_and_withdraws(void)
{
    const char *path = test_path("write-close.db");
    taxonomy *tax = NULL;
    int64_t uni = 0, ent = 0;
    store *s = open_store("write-close.db", &tax, &uni, &ent);
    REQUIRE(s != NULL);
    import_result res;
    REQUIRE(listing_write_import(s, NULL, tax, LISTING_ACHIEVEMENT, uni, 0, IMPORT_JSONL, achievements,
                                 strlen(achievements), NULL, NULL, &res) == TM_OK);
    import_result_cleanup(&res);
    matching *m = NULL;
    REQUIRE(matching_open(s, &m) == TM_OK);

    listing *d = listing_new(LISTING_DEMAND);
    cJSON *body = cJSON_Parse("{\"title\":\"液压支架电液控制系统国产化\",\"description\":\"综采工作面液压支架电液控制\","
                              "\"keywords\":[\"液压支架\",\"电液控制\"],\"fields\":[\"B06\"]}");
    cJSON *errors = cJSON_CreateArray();
    d->org_id = ent;
    REQUIRE(listing_apply_json(d, body, tax, errors) == 0);
    cJSON_Delete(body);
    cJSON_Delete(errors);
    REQUIRE(listing_write_create(s, m, d, 0) == TM_OK);
    CHECK(d->id > 0);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM matches WHERE demand_id = %lld AND status = 'suggested'",
             (long long)d->id);
    CHECK_INT(test_sqlite_int(path, sql), 1);

    /* An edit the callback refuses stores nothing; one it makes is stored and returned. */
    listing *l = NULL;
    CHECK_INT(listing_write_edit(s, m, LISTING_DEMAND, d->id, 0, rename_or_refuse, NULL, &l), TM_ERR_FORBIDDEN);
    CHECK(l == NULL);
    REQUIRE(listing_write_edit(s, m, LISTING_DEMAND, d->id, 0, rename_or_refuse, "液压支架电液控制系统（二期）", &l) ==
            TM_OK);
    CHECK_STR(l->title, "液压支架电液控制系统（二期）");
    listing_free(l);
    l = NULL;
    CHECK_INT(test_sqlite_int(path, sql), 1);

    /* Only the owner closes; a missing listing is not found; neither writes anything. */
    principal owner = { .org_id = ent }, stranger = { .org_id = uni };
    CHECK_INT(listing_write_close(s, m, LISTING_DEMAND, d->id, &stranger, &l), TM_ERR_FORBIDDEN);
    CHECK_INT(listing_write_close(s, m, LISTING_DEMAND, d->id + 100, &owner, &l), TM_ERR_NOT_FOUND);
    CHECK(l == NULL);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM demands WHERE status = 'open'"), 1);

    /* The owner's close returns the listing as stored, and its suggestions are withdrawn. */
    REQUIRE(listing_write_close(s, m, LISTING_DEMAND, d->id, &owner, &l) == TM_OK);
    CHECK_STR(l->status, "closed");
    listing *back = NULL;
    REQUIRE(store_listing_get(s, LISTING_DEMAND, d->id, &back) == TM_OK);
    CHECK_STR(l->updated_at, back->updated_at);
    CHECK_STR(l->org_name, "盘江煤电");
    listing_free(back);
    listing_free(l);
    l = NULL;
    CHECK_INT(test_sqlite_int(path, sql), 0);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM audit_log WHERE action = 'closed'"), 1);

    /* Closing it again writes nothing and still answers with the listing. */
    REQUIRE(listing_write_close(s, m, LISTING_DEMAND, d->id, &owner, &l) == TM_OK);
    CHECK_STR(l->status, "closed");
    listing_free(l);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM audit_log WHERE action = 'closed'"), 1);
    CHECK_INT(test_sqlite_int(path, "SELECT count(*) FROM match_queue"), 0);

    listing_free(d);
    matching_close(m);
    taxonomy_free(tax);
    store_close(s);
}
