/*
 * test_web_messages.c: the server's messages in the UI's language, in the
 * browser (tests/browser/messages.mjs, real chromium against a real server):
 * the UI sends Accept-Language with its language, so a refused login and a
 * refused registration read in Chinese in the Chinese UI and in English in the
 * English one, at desktop and phone width.  Screenshots:
 * build/test-output/screenshots/messages-*.png.
 */
#include "test.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


void test_web_messages_in_the_ui_language(void)
{
    test_server s;
    unlink(test_path("web_messages.db"));
    REQUIRE(test_server_start(&s, test_path("web_messages.db"), NULL) == 0);
    char *token = test_signup(&s, "语言测试企业", "enterprise", "taken-ui@example.org");
    REQUIRE(token != NULL);
    free(token);
    const char *const args[] = { "taken-ui@example.org",NULL };
    char *out = test_browser("messages.mjs", &s, args);
    CHECK(out && strstr(out, "ok registration problems are told in Chinese beside their fields-phone") != NULL);
    CHECK(out && strstr(out, "ok the English UI gets the English texts-phone") != NULL);
    free(out);
    CHECK_INT(test_server_stop(&s), 0);
}
