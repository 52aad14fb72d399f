/*
 * test_web_thesaurus.c: the thesaurus page in a real browser (Debian's chromium
 * driven by npm's playwright-core; tests/browser/thesaurus.mjs): a broker finds it
 * in the staff menu, reads what it is for on the empty list, sees a bad entry's
 * error under its field, adds 激光熔覆 ≈ laser cladding (re-matching the demand and
 * the achievement this test stored, which hold the two terms), filters, and deletes
 * it after confirming; in Chinese at desktop width and English at phone width, with
 * the accessibility check on each screen; and the admin, whose menu bar is full, finds
 * it from the policy page.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Posts body to path as token; returns 1 when it was created. */
static int created(const test_server *s, const char *path, const char *token, const char *body)
{
    test_resp *r = test_json(s, "POST", path, token, body);
    int ok = r->status == 201;
    if (!ok)
        test_fail(__FILE__, __LINE__, "POST %s: %ld %s", path, r->status, r->body);
    test_resp_free(r);
    return ok;
}

void test_web_thesaurus_broker_curates_in_the_browser(void)
{
    test_server s;
    unlink(test_path("web_thesaurus.db"));
    REQUIRE(test_server_start(&s, test_path("web_thesaurus.db"), NULL) == 0);
    char *broker = test_add_staff(&s, "broker", "broker-thesaurus@example.org");
    char *admin = test_add_staff(&s, "admin", "admin-thesaurus@example.org");
    char *ent = test_signup(&s, "熔覆再制造公司", "enterprise", "ent-thesaurus@example.org");
    char *uni = test_signup(&s, "Cladding Institute", "university", "uni-thesaurus@example.org");
    CHECK(broker && admin && ent && uni);
    if (ent && uni) {
        CHECK(created(&s, "/api/demands", ent, "{\"title\":\"液压支架立柱激光熔覆修复再制造\","
                      "\"keywords\":[\"激光熔覆\",\"再制造\"],\"fields\":[\"C34\"]}"));
        CHECK(created(&s, "/api/achievements", uni, "{\"title\":\"Laser cladding of Fe-based alloy coatings\","
                      "\"abstract\":\"Laser cladding repairs worn hydraulic support columns.\",\"fields\":[\"C34\"]}"));
    }
    const char *const args[] = { "broker-thesaurus@example.org", TEST_PASSWORD, "admin-thesaurus@example.org", NULL };
    char *out = test_browser("thesaurus.mjs", &s, args);
    static const char *const steps[] = {
        "ok zh: the empty thesaurus explains itself",
        "ok zh: a bad entry shows the error under its field",
        "ok zh: the broker adds an entry and sees it",
        "ok zh: the duplicate pair is refused under its field",
        "ok zh: the filter narrows the list and keeps to the address",
        "ok zh: the broker deletes the entry after confirming",
        "ok en: the broker adds an entry and sees it",
        "ok en: the duplicate pair is refused under its field",
        "ok en: the broker deletes the entry after confirming",
        "ok accessibility: thesaurus added en",
        "ok zh: the admin reaches the thesaurus from the policy page and adds a synonym",
        "ok thesaurus walk done",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (out == NULL || strstr(out, steps[i]) == NULL)
            test_fail(__FILE__, __LINE__, "the browser did not print \"%s\"", steps[i]);
    free(out);
    /* The page's adds and deletes reached the audit log. */
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM audit_log WHERE action = 'thesaurus.add'"), 3);
    CHECK_INT(test_sqlite_int(s.db, "SELECT count(*) FROM audit_log WHERE action = 'thesaurus.delete'"), 2);
    free(broker);
    free(admin);
    free(ent);
    free(uni);
    CHECK_INT(test_server_stop(&s), 0);
}
