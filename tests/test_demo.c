/*
 * test_demo.c: `techmatch demo`, the seed of `make run`: a new database gets the
 * demo listings and one account per role, with random passwords printed once;
 * the accounts sign in, so a broker's approval reaches an inbox someone opens;
 * a second run makes no second set, and a database not seeded as the demo is
 * refused.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const demo_roles[] = { "enterprise", "university", "broker", "admin" };

/* The accounts `techmatch demo` printed: role, email and password per line. */
typedef struct demo_printed {
    char email[4][128], password[4][64];
    int n;
} demo_printed;

/* Reads the account lines of out ("  ROLE  EMAIL  PASSWORD  (ORG)") in the order of demo_roles. */
static void demo_parse(const char *out, demo_printed *p)
{
    memset(p, 0, sizeof *p);
    for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char one[512], role[32] = "", email[128] = "", password[64] = "";
        size_t len = strcspn(line, "\n");
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), line);
        if (sscanf(one, " %31s %127s %63s", role, email, password) != 3 || strchr(email, '@') == NULL)
            continue;
        for (int i = 0; i < 4; i++) {
            if (strcmp(role, demo_roles[i]) == 0) {
                snprintf(p->email[i], sizeof p->email[i], "%s", email);
                snprintf(p->password[i], sizeof p->password[i], "%s", password);
                p->n++;
            }
        }
    }
}

/* Seeds db with `techmatch demo`; returns its exit status and fills p from its output. */
static int demo_seed(const char *db, demo_printed *p)
{
    const char *argv[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    char *out = NULL;
    int rc = test_run(argv, NULL, &out, NULL);
    demo_parse(out ? out : "", p);
    free(out);
    return rc;
}

void test_demo_accounts_sign_in_with_the_printed_passwords(void)
{
    const char *db = test_path("demo-accounts.db");
    unlink(db);
    demo_printed p;
    REQUIRE(demo_seed(db, &p) == 0);
    REQUIRE(p.n == 4);
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM achievements") >= 60);
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM demands") >= 40);
    /* Each password is random (16 characters of the generator's alphabet), and stored only as its hash. */
    for (int i = 0; i < 4; i++) {
        CHECK_INT(strlen(p.password[i]), 19);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(p.password[i], p.password[j]) != 0);
    }
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users WHERE email LIKE '%@demo.techmatch.example'"
                                  " AND password_hash LIKE '$argon2id$%'"), 4);

    test_server s;
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    char *tok[4] = { NULL, NULL, NULL, NULL };
    for (int i = 0; i < 4; i++) {
        tok[i] = test_login(&s, p.email[i], p.password[i]);
        CHECK(tok[i] != NULL);
        if (tok[i] == NULL)
            continue;
        test_resp *r = test_http(&s, "GET", "/api/me", tok[i], NULL, NULL, 0);
        CHECK_STR(test_jstr(r->json, "role"), demo_roles[i]);
        test_resp_free(r);
    }
    /* README's walk: the broker approves the first suggestion of the review queue; it is the demo enterprise's. */
    long match = 0;
    if (tok[2]) {
        test_resp *q = test_http(&s, "GET", "/api/review?limit=1", tok[2], NULL, NULL, 0);
        CHECK_INT(q->status, 200);
        match = (long)test_jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(q->json, "items"), 0), "id");
        test_resp_free(q);
    }
    REQUIRE(match > 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM matches m JOIN demands d ON d.id = m.demand_id"
                              " JOIN users u ON u.org_id = d.org_id"
                              " WHERE m.id = %ld AND u.email = 'enterprise@demo.techmatch.example'", match);
    CHECK_INT(test_sqlite_int(db, sql), 1);
    if (tok[0] && tok[2]) {
        char path[128];
        snprintf(path, sizeof path, "/api/matches/%ld/approve", match);
        test_resp *r = test_http(&s, "POST", path, tok[2], NULL, NULL, 0);
        CHECK_INT(r->status, 200);
        test_resp_free(r);
        r = test_http(&s, "GET", "/api/notifications/unread", tok[0], NULL, NULL, 0);
        CHECK_INT(test_jnum(r->json, "unread"), 1);
        test_resp_free(r);
    }
    for (int i = 0; i < 4; i++)
        free(tok[i]);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_demo_seeds_once_with_new_passwords_each_database(void)
{
    const char *a = test_path("demo-a.db"), *b = test_path("demo-b.db");
    unlink(a);
    unlink(b);
    demo_printed pa, pb, again;
    REQUIRE(demo_seed(a, &pa) == 0);
    REQUIRE(demo_seed(b, &pb) == 0);
    REQUIRE(pa.n == 4 && pb.n == 4);
    for (int i = 0; i < 4; i++) {
        CHECK_STR(pa.email[i], pb.email[i]);
        CHECK(strcmp(pa.password[i], pb.password[i]) != 0);
    }
    int demands = test_sqlite_int(a, "SELECT count(*) FROM demands");
    int users = test_sqlite_int(a, "SELECT count(*) FROM users");
    /* A second run on the demo loads nothing twice, makes no accounts and prints no password. */
    const char *argv[] = { test_bin(), "demo", "--db", a, "--seeds", "seeds/demo", NULL };
    char *out = NULL;
    CHECK_INT(test_run(argv, NULL, &out, NULL), 0);
    CHECK_CONTAINS(out, "exist already");
    demo_parse(out ? out : "", &again);
    CHECK_INT(again.n, 0);
    free(out);
    CHECK_INT(test_sqlite_int(a, "SELECT count(*) FROM demands"), demands);
    CHECK_INT(test_sqlite_int(a, "SELECT count(*) FROM users"), users);
}

void test_demo_refuses_a_database_not_seeded_as_the_demo(void)
{
    /* A real database: organisations and users that `techmatch demo` did not make. */
    const char *db = test_path("demo-real.db");
    unlink(db);
    const char *add[] = { test_bin(), "user", "add", "--role", "broker", "--email", "b@example.org",
                          "--org", "贵州省技术市场", "--db", db, NULL };
    REQUIRE(test_run(add, TEST_PASSWORD "\n", NULL, NULL) == 0);
    const char *argv[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    char *out = NULL, *err = NULL;
    CHECK_INT(test_run(argv, NULL, &out, &err), 1);
    CHECK_CONTAINS(err, "not seeded as the demo");
    demo_printed p;
    demo_parse(out ? out : "", &p);
    CHECK_INT(p.n, 0);
    free(out);
    free(err);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users"), 1);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM demands"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM audit_log WHERE entity = 'demo'"), 0);
}
