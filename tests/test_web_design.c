/*
 * test_web_design.c: the design system, the shell and each role's home page in a
 * real browser (Debian's chromium driven by npm's playwright-core;
 * tests/browser/design.mjs): the homes of an enterprise, a university, a broker
 * and an admin at desktop and phone width in Chinese and English, the phone's
 * menu, toasts, the confirmation dialog by keyboard, the statistics' charts at
 * both widths, and the accessibility check on each of those screens.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


void test_web_design_homes_shell_and_dialogs(void)
{
    test_server s;
    unlink(test_path("design.db"));
    REQUIRE(test_server_start(&s, test_path("design.db"), NULL) == 0);
    char *broker = test_add_staff(&s, "broker", "broker-design@example.org");
    char *admin = test_add_staff(&s, "admin", "admin-design@example.org");
    REQUIRE(broker != NULL && admin != NULL);
    free(broker);
    free(admin);
    const char *const args[] = { "broker-design@example.org", TEST_PASSWORD, "admin-design@example.org",NULL };
    char *out = test_browser("design.mjs", &s, args);
    CHECK(out && strstr(out, "ok enterprise home shows its demand and its new match") != NULL);
    CHECK(out && strstr(out, "ok broker home counts the queue and today's decisions") != NULL);
    CHECK(out && strstr(out, "ok a home page answered late does not draw over the page opened since") != NULL);
    CHECK(out && strstr(out, "ok confirmAction: Escape cancels") != NULL);
    CHECK(out && strstr(out, "ok design walk done") != NULL);
    free(out);
    CHECK_INT(test_server_stop(&s), 0);
}
