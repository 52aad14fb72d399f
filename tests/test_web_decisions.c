/*
 * test_web_decisions.c: the decisions report on the admin's policy page in a
 * real browser (tests/browser/decisions.mjs) over the demo data: `techmatch
 * demo` seeds a database, the server runs on it with a broker and an admin
 * added, and the script has the broker decide the demo's suggestions over
 * the API, checks the page's tables and suggestion against the decisions, and
 * applies the suggestion.  What it applied is what the database holds.
 */
#include "test.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void test_web_decisions_report_on_the_policy_page(void)
{
    const char *db = test_path("web_decisions.db");
    unlink(db);
    const char *seed[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    char *out = NULL;
    REQUIRE(test_run(seed, NULL, &out, NULL) == 0);
    free(out);
    out = NULL;
    test_server s;
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    char *broker = test_add_staff(&s, "broker", "broker-decisions@example.org");
    char *admin = test_add_staff(&s, "admin", "admin-decisions@example.org");
    CHECK(broker != NULL && admin != NULL);
    free(broker);
    free(admin);
    const char *const args[] = { "broker-decisions@example.org", "admin-decisions@example.org", TEST_PASSWORD, NULL };
    out = test_browser("decisions.mjs", &s, args);
    CHECK(out && strstr(out, "ok zh: with no decision the page says so") != NULL);
    CHECK(out && strstr(out, "ok zh: five decisions are too few to suggest a threshold") != NULL);
    CHECK(out && strstr(out, "ok en: the tables and the suggestion (") != NULL);
    CHECK(out && strstr(out, "ok en: applying the suggestion changes the policy") != NULL);
    CHECK(out && strstr(out, "ok zh: the report in Chinese") != NULL);
    CHECK(out && strstr(out, "ok decisions walk done") != NULL);
    /* The threshold the page applied is the one the script found suggested, stored and audited. */
    const char *said = out ? strstr(out, "ok en: the tables and the suggestion (") : NULL;
    double suggested = -1;
    const char *end = NULL;
    if (said == NULL || parse_double_prefix(said + strlen("ok en: the tables and the suggestion ("), 0, 1, &suggested,
                                            &end) != TM_OK)
        suggested = -1;
    CHECK(suggested > 0.3 && suggested <= 1.0);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM policy WHERE abs(suggest_threshold - %.3f) < 1e-9", suggested);
    CHECK_INT(test_sqlite_int(db, sql), 1);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
                                  " WHERE a.action = 'policy.update' AND u.email = 'admin-decisions@example.org'"), 1);
    free(out);
    CHECK_INT(test_server_stop(&s), 0);
}
