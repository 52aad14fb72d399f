/*
 * test_web_journey.c: every role's whole job in one walk through the real UI
 * (tests/browser/journey.mjs in Debian's chromium): an enterprise and a university
 * register and post with every member, see each other's listings as matches, a
 * broker filters the review queue and approves, the enterprise's badge and inbox
 * follow live and it answers "interested", the broker introduces, records a deal,
 * notes, closes another match, and the statistics and the pipeline count the walk.
 * In Chinese and English, at desktop and phone width: four walks, each on a fresh
 * empty server (only a broker's and an admin's account, made here as an operator
 * makes them), so the funnel's figures are the walk's own.  Then what the pages did
 * is what the database holds.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The steps each walk must report. */
static const char *const steps[] = {
    "ok the enterprise registers and posts a demand with every member",
    "ok the university lists an achievement with every member and sees the demand it matches",
    "ok the enterprise sees its candidates on its home and its demand",
    "ok the university sees the matching demand on its home",
    "ok the broker filters the review queue by region, field and score range",
    "ok the broker approves the suggestion",
    "ok the approval reached the enterprise live: badge 1",
    "ok the inbox was read: badge 0",
    "ok the second push arrived live on the open inbox",
    "ok the enterprise answers \"interested\" and the items show their state",
    "ok the broker introduces, records the deal of the typed amount, and adds a note",
    "ok the broker closes the other match with a reason",
    "ok the statistics count the deal and the funnel of the walk",
    "ok the pipeline shows the deal in its column",
    "ok the home page shows the new push without a reload",
    "ok the enterprise opens the match and sees the deal and the other side",
    "ok the admin's home shows the funnel of the walk",
    "ok walk took ",
    NULL,
};

/* One walk in lang (zh, en) at width (desktop, phone) on a fresh server; then the database is checked. */
static void walk(const char *lang, const char *width)
{
    char db[64];
    snprintf(db, sizeof db, "journey-%s-%s.db", lang, width);
    unlink(test_path(db));
    test_server s;
    REQUIRE(test_server_start(&s, test_path(db), NULL) == 0);
    char *broker = test_add_staff(&s, "broker", "broker-journey@example.org");
    char *admin = test_add_staff(&s, "admin", "admin-journey@example.org");
    if (broker == NULL || admin == NULL) {
        test_fail(__FILE__, __LINE__, "the staff accounts could not be made");
        free(broker);
        free(admin);
        test_server_stop(&s);
        return;
    }
    free(broker);
    free(admin);
    const char *const args[] = { "broker-journey@example.org", TEST_PASSWORD, "admin-journey@example.org", lang, width,
                                 NULL };
    char *out = test_browser("journey.mjs", &s, args);
    for (size_t i = 0; steps[i]; i++)
        if (out == NULL || strstr(out, steps[i]) == NULL)
            test_fail(__FILE__, __LINE__, "the %s walk at %s width did not report \"%s\"", lang, width, steps[i]);
    const char *took = out ? strstr(out, "ok walk took ") : NULL;
    if (took)
        printf("    %s %s: %.*s\n", lang, width, (int)strcspn(took, "\n"), took);
    free(out);

    /* What the forms sent is what was stored: every member, money as typed (50万, 1,500,000). */
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM demands WHERE budget_min = 500000 AND budget_max = 1500000"
                                    " AND deadline = '2031-06-30' AND region = '贵州省六盘水市' AND ref = 'LD-2031-01'"
                                    " AND cooperation_modes = '[\"transfer\",\"license\"]'"
                                    " AND fields = '[\"B06\",\"C35\"]' AND contact <> ''"), 1);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM achievements WHERE price = 1200000 AND trl = 7"
                                    " AND ip_type = 'invention_patent' AND patent_no = 'ZL202010123456.7'"
                                    " AND region = '江苏省徐州市' AND transfer_modes LIKE '%license%'"
                                    " AND transfer_modes LIKE '%transfer%' AND ref = 'CUMT-7'"), 1);
    /* The broker's moves: one deal of 80万 by licence, assigned to the broker, one closed with its reason. */
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM matches WHERE status = 'deal' AND deal_amount = 800000"
                                    " AND transfer_mode = 'license' AND assigned_to IS NOT NULL"
                                    " AND introduced_at IS NOT NULL"), 1);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM matches WHERE status = 'closed'"
                                    " AND reason = 'benefit_unclear'"), 1);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM matches"), 2);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM match_notes"), 1);
    /* The enterprise read both pushes: the server's unread count is the badge's 0. */
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM notifications WHERE read_at IS NULL"), 0);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_web_journey_every_role_in_two_languages_at_two_widths(void)
{
    walk("zh", "desktop");
    walk("en", "phone");
    walk("en", "desktop");
    walk("zh", "phone");
}
