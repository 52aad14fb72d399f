/*
 * test_web_accounts.c: the account pages in a real browser (Debian's chromium
 * driven by npm's playwright-core; tests/browser/accounts.mjs): registering and
 * signing in (errors beside the fields, landing on the home page or back on a deep
 * link), the admin's accounts page, an enterprise's push settings and webhook
 * endpoints (the secret shown once verifies a ping at a real receiver,
 * tests/webhook_receiver.mjs), and a university's bulk import with a bad line, in
 * Chinese and English at desktop and phone width, with the accessibility check on
 * each page.
 */
#include "test.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


void test_web_accounts_pages_in_the_browser(void)
{
    const char *recv_argv[] = { "node", "tests/webhook_receiver.mjs", NULL };
    pid_t rpid;
    char line[256];
    int rfd = test_spawn_reader(recv_argv, &rpid);
    REQUIRE(rfd >= 0);
    REQUIRE(test_read_line(rfd, line, sizeof line, 20000) == 0 && strncmp(line, "port ", 5) == 0);
    const char *port = line + 5;
    test_server s;
    unlink(test_path("accounts.db"));
    static const char *const extra[] = { "--allow-private-webhooks", "--webhook-retry-ms", "200", NULL };
    if (test_server_start(&s, test_path("accounts.db"), extra) != 0) {
        kill(rpid, SIGKILL);
        waitpid(rpid, NULL, 0);
        close(rfd);
        REQUIRE(0);
    }
    char *admin = test_add_staff(&s, "admin", "admin-accounts@example.org");
    CHECK(admin != NULL);
    free(admin);
    const char *const args[] = { "admin-accounts@example.org", TEST_PASSWORD, port, NULL };
    char *out = test_browser("accounts.mjs", &s, args);
    CHECK(out && strstr(out, "ok zh: register shows errors beside the fields and lands on the home page") != NULL);
    CHECK(out && strstr(out, "ok en: a deep link opened signed out lands back after sign-in") != NULL);
    CHECK(out && strstr(out, "ok zh: the admin adds a broker after a bad email") != NULL);
    CHECK(out && strstr(out, "ok en: the webhook secret shown once verifies a ping") != NULL);
    CHECK(out && strstr(out, "ok zh: the import names the bad line and counts the imported") != NULL);
    CHECK(out && strstr(out, "ok accounts walk done") != NULL);
    free(out);
    CHECK_INT(test_server_stop(&s), 0);
    kill(rpid, SIGTERM);
    waitpid(rpid, NULL, 0);
    close(rfd);
}
