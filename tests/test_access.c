/*
 * test_access.c: the access rules of src/access.h, one by one, as pure C:
 * for each rule the owner, another organisation, a broker, an admin and an
 * anonymous caller; a match before and after the introduction.  The owner
 * reader is a table here, and counts its reads.
 */
#include "test.h"
#include "access.h"
#include "vocab.h"
#include <stdio.h>
#include <stdlib.h>

#define ENT_ORG 10      /* owns demand 1 */
#define ENT2_ORG 11
#define UNI_ORG 20      /* owns achievement 2 */
#define UNI2_ORG 21
#define AGENCY_ORG 30

enum { ENT, ENT2, UNI, UNI2, BROKER, ADMIN, ANON, CALLERS };
static const char *const caller_names[CALLERS] = { "ent", "ent2", "uni", "uni2", "broker", "admin", "anonymous" };

/* The callers; ANON is NULL. */
static const principal *caller(int who)
{
    static principal p[CALLERS];
    static const struct {
        int64_t org;
        const char *role;
    } spec[CALLERS] = {
        { ENT_ORG, "enterprise" }, { ENT2_ORG, "enterprise" }, { UNI_ORG, "university" },
        { UNI2_ORG, "university" }, { AGENCY_ORG, "broker" }, { AGENCY_ORG, "admin" }, { 0, NULL },
    };
    if (spec[who].role == NULL)
        return NULL;
    p[who].user_id = 100 + who;
    p[who].org_id = spec[who].org;
    snprintf(p[who].role, sizeof p[who].role, "%s", spec[who].role);
    return &p[who];
}

/* The owner reader: demand 1 is ENT_ORG's, achievement 2 UNI_ORG's, anything else unreadable (0). */
static int reads;
static int64_t owner_of(void *ctx, listing_kind kind, int64_t id)
{
    (void)ctx;
    reads++;
    if (kind == LISTING_DEMAND && id == 1)
        return ENT_ORG;
    if (kind == LISTING_ACHIEVEMENT && id == 2)
        return UNI_ORG;
    return 0;
}

/* A match of demand 1 and achievement 2 in status, from origin, introduced or not. */
typedef struct test_match {
    match m;
    char status[16], origin[16], introduced[24];
} test_match;

static const match *make_match(test_match *t, const char *status, const char *origin, int introduced)
{
    memset(t, 0, sizeof *t);
    snprintf(t->status, sizeof t->status, "%s", status);
    snprintf(t->origin, sizeof t->origin, "%s", origin);
    snprintf(t->introduced, sizeof t->introduced, "2026-01-02T03:04:05Z");
    t->m.id = 7;
    t->m.demand_id = 1;
    t->m.achievement_id = 2;
    t->m.status = t->status;
    t->m.origin = t->origin;
    t->m.introduced_at = introduced ? t->introduced : NULL;
    t->m.deal_amount = -1;
    return &t->m;
}

/* Checks rule(caller) == want[caller] for every caller, naming the rule and the caller on failure. */
#define CHECK_EACH(rule_name, want, expr) \
    do { \
        for (int who_ = 0; who_ < CALLERS; who_++) { \
            const principal *p_ = caller(who_); \
            int got_ = (expr); \
            if (!!got_ != (want)[who_]) \
                test_fail(__FILE__, __LINE__, "%s as %s: %d, expected %d", rule_name, caller_names[who_], got_, \
                          (want)[who_]); \
        } \
    } while (0)

void test_access_staff_and_listing_rules(void)
{
    listing *d = listing_new(LISTING_DEMAND), *a = listing_new(LISTING_ACHIEVEMENT);
    d->org_id = ENT_ORG;
    a->org_id = UNI_ORG;

    static const int staff[CALLERS] = { 0, 0, 0, 0, 1, 1, 0 };
    CHECK_EACH("staff", staff, access_is_staff(p_));

    /* Private members: the posting organisation and staff; nobody else, signed in or not. */
    static const int demand_private[CALLERS] = { 1, 0, 0, 0, 1, 1, 0 };
    static const int achievement_private[CALLERS] = { 0, 0, 1, 0, 1, 1, 0 };
    CHECK_EACH("demand private", demand_private, access_listing_private(p_, d));
    CHECK_EACH("achievement private", achievement_private, access_listing_private(p_, a));

    /* Changing (and proposing with) a listing: its own organisation only, not even staff. */
    static const int demand_owner[CALLERS] = { 1, 0, 0, 0, 0, 0, 0 };
    static const int achievement_owner[CALLERS] = { 0, 0, 1, 0, 0, 0, 0 };
    CHECK_EACH("demand owner", demand_owner, access_owns_listing(p_, d));
    CHECK_EACH("achievement owner", achievement_owner, access_owns_listing(p_, a));

    /* Live matches: like the private members. */
    CHECK_EACH("demand live matches", demand_private, access_listing_matches(p_, d));
    CHECK_EACH("achievement live matches", achievement_private, access_listing_matches(p_, a));

    /* Demands by organisation would unmask enterprises: their own and staff only; achievements for anyone. */
    static const int by_ent[CALLERS] = { 1, 0, 0, 0, 1, 1, 0 };
    static const int everyone[CALLERS] = { 1, 1, 1, 1, 1, 1, 1 };
    CHECK_EACH("demands of ENT_ORG", by_ent, access_list_by_org(p_, LISTING_DEMAND, ENT_ORG));
    CHECK_EACH("achievements of UNI_ORG", everyone, access_list_by_org(p_, LISTING_ACHIEVEMENT, UNI_ORG));
    static const int by_ent2[CALLERS] = { 0, 1, 0, 0, 1, 1, 0 };
    CHECK_EACH("demands of ENT2_ORG", by_ent2, access_list_by_org(p_, LISTING_DEMAND, ENT2_ORG));

    /* A principal with a role the server does not know is nobody special. */
    principal odd = *caller(BROKER);
    snprintf(odd.role, sizeof odd.role, "Broker");
    CHECK(!access_is_staff(&odd));
    CHECK(!access_listing_private(&odd, d));

    /* Events pushed out carry public members only. */
    free(d->contact);
    d->contact = strdup("13800000000");
    cJSON *event = listing_to_json(d, ACCESS_EVENT_SHOWS_PRIVATE);
    CHECK(cJSON_GetObjectItem(event, "contact") == NULL);
    CHECK(cJSON_GetObjectItem(event, "budget_min") == NULL);
    cJSON_Delete(event);
    listing_free(d);
    listing_free(a);
}

void test_access_match_visibility_by_status_origin_and_owner(void)
{
    test_match t;
    /* The enterprise that owns the demand sees the match from its push on; staff always. */
    for (int s = 0; s < MATCH_STATUS_COUNT; s++) {
        const char *status = vocab_code(&vocab_match_statuses, s);
        int pushed = s == MATCH_PUSHED || s == MATCH_VIEWED || s == MATCH_INTERESTED || s == MATCH_DECLINED ||
                     s == MATCH_IN_TALKS || s == MATCH_DEAL || s == MATCH_CLOSED;
        const int want[CALLERS] = { pushed, 0, 0, 0, 1, 1, 0 };
        const match *m = make_match(&t, status, "matcher", 0);
        char name[64];
        snprintf(name, sizeof name, "matcher match %s", status);
        CHECK_EACH(name, want, access_match_visible(p_, m, owner_of, NULL));
    }

    /* The university that owns the achievement: once introduced, or when it proposed the match. */
    static const int hidden_from_uni[CALLERS] = { 1, 0, 0, 0, 1, 1, 0 };
    static const int seen_by_uni[CALLERS] = { 1, 0, 1, 0, 1, 1, 0 };
    CHECK_EACH("pushed, not introduced", hidden_from_uni,
               access_match_visible(p_, make_match(&t, "pushed", "matcher", 0), owner_of, NULL));
    CHECK_EACH("in talks, introduced", seen_by_uni,
               access_match_visible(p_, make_match(&t, "in_talks", "matcher", 1), owner_of, NULL));
    static const int proposal[CALLERS] = { 0, 0, 1, 0, 1, 1, 0 };
    CHECK_EACH("suggested proposal", proposal,
               access_match_visible(p_, make_match(&t, "suggested", "proposal", 0), owner_of, NULL));

    /* No read that the answer does not need: none for staff, none for an enterprise before the push. */
    reads = 0;
    CHECK(access_match_visible(caller(BROKER), make_match(&t, "suggested", "matcher", 0), owner_of, NULL));
    CHECK(!access_match_visible(caller(ENT), make_match(&t, "approved", "matcher", 0), owner_of, NULL));
    CHECK(!access_match_visible(caller(UNI), make_match(&t, "pushed", "matcher", 0), owner_of, NULL));
    CHECK(!access_match_visible(NULL, make_match(&t, "deal", "matcher", 1), owner_of, NULL));
    CHECK_INT(reads, 0);
    CHECK(access_match_visible(caller(ENT), make_match(&t, "viewed", "matcher", 0), owner_of, NULL));
    CHECK_INT(reads, 1);

    /* A listing that cannot be read (owner 0) hides the match. */
    make_match(&t, "pushed", "matcher", 1);
    t.m.demand_id = 99;
    t.m.achievement_id = 98;
    CHECK(!access_match_visible(caller(ENT), &t.m, owner_of, NULL));
    CHECK(!access_match_visible(caller(UNI), &t.m, owner_of, NULL));
    CHECK(access_match_visible(caller(ADMIN), &t.m, owner_of, NULL));

    /* The enterprise's moves: the organisation that owns the demand only. */
    static const int demand_side[CALLERS] = { 1, 0, 0, 0, 0, 0, 0 };
    CHECK_EACH("demand side", demand_side,
               access_match_demand_side(p_, make_match(&t, "pushed", "matcher", 0), owner_of, NULL));
}

void test_access_match_anonymity_until_introduction(void)
{
    test_match t;
    /* Before: each side sees its own listing's private members, not the other's; staff see both. */
    const match *before = make_match(&t, "interested", "matcher", 0);
    static const int demand_before[CALLERS] = { 1, 1, 0, 0, 1, 1, 0 };
    static const int achievement_before[CALLERS] = { 0, 0, 1, 1, 1, 1, 0 };
    CHECK_EACH("demand before introduction", demand_before,
               access_match_listing_private(p_, before, LISTING_DEMAND));
    CHECK_EACH("achievement before introduction", achievement_before,
               access_match_listing_private(p_, before, LISTING_ACHIEVEMENT));
    CHECK(!access_match_listing_private(caller(ENT), before, LISTING_ACHIEVEMENT));
    CHECK(!access_match_listing_private(caller(UNI), before, LISTING_DEMAND));

    /* After (in talks, and every status beyond): both sides see both. */
    static const char *const after[] = { "in_talks", "deal", "closed" };
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        const match *m = make_match(&t, after[i], "matcher", 1);
        CHECK(access_match_listing_private(caller(ENT), m, LISTING_ACHIEVEMENT));
        CHECK(access_match_listing_private(caller(ENT), m, LISTING_DEMAND));
        CHECK(access_match_listing_private(caller(UNI), m, LISTING_DEMAND));
        CHECK(access_match_listing_private(caller(UNI), m, LISTING_ACHIEVEMENT));
        CHECK(access_match_listing_private(caller(BROKER), m, LISTING_DEMAND));
    }

    /* The demand side's first look at a pushed match records it as viewed; nobody else's does. */
    static const int records[CALLERS] = { 1, 1, 0, 0, 0, 0, 0 };
    CHECK_EACH("pushed: look records a view", records,
               access_match_records_view(p_, make_match(&t, "pushed", "matcher", 0)));
    static const int none[CALLERS] = { 0, 0, 0, 0, 0, 0, 0 };
    CHECK_EACH("viewed: look records nothing", none,
               access_match_records_view(p_, make_match(&t, "viewed", "matcher", 0)));
}
