/* store_fixture.c: scratch stores for the per-noun store tests (see store_fixture.h). */
#include "store_fixture.h"
#include "test.h"
#include <stdio.h>
#include <stdlib.h>

store *fixture_store(const char *name)
{
    const char *path = test_path(name);
    store *s = NULL;
    store_remove_files(path);
    return store_open(path, &s) == TM_OK ? s : NULL;
}

int64_t fixture_org(store *s, const char *name, const char *kind)
{
    int64_t id = 0;
    return store_org_ensure(s, name, kind, &id) == TM_OK ? id : 0;
}

listing *fixture_listing(store *s, listing_kind kind, int64_t org, const char *title, const char *field)
{
    listing *l = listing_new(kind);
    l->org_id = org;
    free(l->title);
    l->title = strdup(title);
    strlist_push(&l->fields, field);
    if (store_listing_create(s, l, 0) != TM_OK) {
        listing_free(l);
        return NULL;
    }
    return l;
}

char *fixture_payload(void *ctx, const match *m, const listing *const *demands, const listing *const *achievements,
                      size_t n, const char **type)
{
    char buf[128];
    (void)ctx;
    if (demands[0] == NULL || achievements[0] == NULL)
        return NULL;
    *type = n == 1 ? "match.pushed" : "match.digest";
    snprintf(buf, sizeof buf, "{\"n\":%zu,\"first\":%lld}", n, (long long)m[0].id);
    return strdup(buf);
}

int64_t fixture_match(store *s, int64_t demand, int64_t achievement, double score)
{
    match_row row = { demand, achievement, score, score, 0.0, "{\"why\":\"test\"}" };
    match_filter f = { .min_score = 0.0, .max_score = 1.0, .assigned_to = -1, .demand_id = demand,
                       .achievement_id = achievement, .limit = 1 };
    match_page page;
    int64_t id = 0;
    if (store_matches_record(s, LISTING_DEMAND, demand, &row, 1, fixture_payload, NULL) != TM_OK)
        return 0;
    if (store_match_list(s, &f, &page) == TM_OK && page.n == 1)
        id = page.items[0].id;
    store_match_page_cleanup(&page);
    return id;
}
