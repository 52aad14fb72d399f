/* test_utf8.c: strict decoding and validation. */
#include "test.h"
#include "utf8.h"

void test_utf8_decodes_valid_sequences(void)
{
    uint32_t cp;
    CHECK_INT(mt_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(mt_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
    CHECK_INT(cp, 0xE9);
    CHECK_INT(mt_utf8_decode((const unsigned char *)"\xE7\x85\xA4", 3, &cp), 3); /* 煤 */
    CHECK_INT(cp, 0x7164);
    CHECK_INT(mt_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    CHECK_INT(cp, 0x1F600);
    CHECK_INT(mt_utf8_length("煤矿abc", strlen("煤矿abc")), 5);
}

void test_utf8_rejects_invalid(void)
{
    static const char *const bad[] = {
        "\xC0\x80",          /* overlong NUL */
        "\xE0\x80\xAF",      /* overlong '/' */
        "\xED\xA0\x80",      /* surrogate */
        "\xE4\xB8",          /* truncated */
        "\xF4\x90\x80\x80",  /* above U+10FFFF */
        "\xFF",
        "abc\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t at = 99;
        CHECK(!mt_utf8_valid(bad[i], strlen(bad[i]), &at));
        CHECK(at < strlen(bad[i]));
    }
    CHECK(!mt_utf8_valid("a\0b", 3, NULL));
    CHECK(mt_utf8_valid("磷石膏 phosphogypsum", strlen("磷石膏 phosphogypsum"), NULL));
}
