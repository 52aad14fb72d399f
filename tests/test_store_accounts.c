/* test_store_accounts.c: organisations, users, sessions and staff at the store level (src/store/accounts.c). */
#include "test.h"
#include "store_fixture.h"
#include <stdlib.h>

void test_store_accounts_register_rolls_back_a_conflict(void)
{
    store *s = fixture_store("accounts_register.db");
    REQUIRE(s != NULL);
    principal p;
    const char *conflict = NULL;
    REQUIRE(store_register(s, "Acme", "enterprise", "a@acme.test", "Ann", "hash-a", &p, &conflict) == TM_OK);
    CHECK(p.user_id > 0 && p.org_id > 0);
    CHECK_STR(p.role, "enterprise");
    CHECK(conflict == NULL);
    /* The same email under a new organisation: refused, and the organisation is not left behind. */
    CHECK_INT(store_register(s, "Beta", "university", "a@acme.test", "Bob", "hash-b", &p, &conflict), TM_ERR_CONFLICT);
    CHECK_STR(conflict, "email");
    int64_t id = 0;
    char kind[16] = "";
    CHECK_INT(store_org_find(s, "Beta", &id, kind), TM_ERR_NOT_FOUND);
    CHECK_INT(store_register(s, "Acme", "enterprise", "c@acme.test", "Cid", "hash-c", &p, &conflict), TM_ERR_CONFLICT);
    CHECK_STR(conflict, "org_name");
    REQUIRE(store_org_find(s, "Acme", &id, kind) == TM_OK);
    CHECK_STR(kind, "enterprise");
    /* An organisation of another kind under the same name is a conflict. */
    CHECK_INT(store_org_ensure(s, "Acme", "university", &id), TM_ERR_CONFLICT);

    int64_t uid = 0;
    char hash[64];
    REQUIRE(store_user_credentials(s, "a@acme.test", &uid, hash, sizeof hash) == TM_OK);
    CHECK_STR(hash, "hash-a");
    CHECK_INT(store_user_credentials(s, "nobody@acme.test", &uid, hash, sizeof hash), TM_ERR_NOT_FOUND);
    store_close(s);
}

void test_store_accounts_sessions_expire_and_staff_list(void)
{
    store *s = fixture_store("accounts_sessions.db");
    REQUIRE(s != NULL);
    principal p, who;
    const char *conflict = NULL;
    REQUIRE(store_register(s, "Gamma", "university", "g@gamma.test", "Gus", "h", &p, &conflict) == TM_OK);
    const unsigned char live[32] = { 1, 2, 3 }, old[32] = { 9, 9, 9 };
    REQUIRE(store_session_create(s, old, sizeof old, p.user_id, 100, 200) == TM_OK);
    REQUIRE(store_session_create(s, live, sizeof live, p.user_id, 1000, 5000) == TM_OK);
    REQUIRE(store_session_principal(s, live, sizeof live, 1001, &who) == TM_OK);
    CHECK_INT(who.user_id, p.user_id);
    CHECK_STR(who.org_name, "Gamma");
    CHECK_STR(who.org_kind, "university");
    CHECK_INT(store_session_principal(s, live, sizeof live, 5000, &who), TM_ERR_NOT_FOUND);
    /* The second create purged the session that had expired by then. */
    CHECK_INT(test_sqlite_int(test_path("accounts_sessions.db"), "SELECT count(*) FROM sessions"), 1);
    REQUIRE(store_session_delete(s, live, sizeof live) == TM_OK);
    CHECK_INT(store_session_principal(s, live, sizeof live, 1001, &who), TM_ERR_NOT_FOUND);

    int64_t broker = 0, admin = 0;
    REQUIRE(store_user_add(s, "b@agency.test", "broker", "Agency", "Bea", "h", &broker) == TM_OK);
    REQUIRE(store_user_add(s, "ad@agency.test", "admin", "Agency", "Ada", "h", &admin) == TM_OK);
    CHECK_INT(store_user_add(s, "x@gamma.test", "broker", "Gamma", "Xi", "h", &broker), TM_ERR_INVALID);
    CHECK_INT(store_user_add(s, "b@agency.test", "broker", "Agency", "Bea", "h", &broker), TM_ERR_CONFLICT);
    staff_user *staff = NULL;
    size_t n = 0;
    REQUIRE(store_staff_list(s, &staff, &n) == TM_OK);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(staff[0].role, "broker");
        CHECK_STR(staff[1].email, "ad@agency.test");
        CHECK_STR(staff[1].org_name, "Agency");
    }
    free(staff);
    char role[16];
    REQUIRE(store_user_role(s, admin, role) == TM_OK);
    CHECK_STR(role, "admin");
    REQUIRE(store_user_role(s, 999, role) == TM_OK);
    CHECK_STR(role, "");
    store_close(s);
}
