/* test_parse.c: the checked number parsers of parse.h, with bad text too. */
#include "test.h"
#include "parse.h"
#include <stdint.h>

void test_parse_int64_checks_the_whole_text_and_range(void)
{
    int64_t v = 7;
    CHECK_INT(parse_int64("42", 1, 100, &v), TM_OK);
    CHECK_INT(v, 42);
    CHECK_INT(parse_int64("-3", -5, 5, &v), TM_OK);
    CHECK_INT(v, -3);
    v = 7;
    CHECK(parse_int64("", 0, 100, &v) != TM_OK);
    CHECK(parse_int64("12x", 0, 100, &v) != TM_OK);
    CHECK(parse_int64("x12", 0, 100, &v) != TM_OK);
    CHECK(parse_int64("101", 0, 100, &v) != TM_OK);
    CHECK(parse_int64("0", 1, 100, &v) != TM_OK);
    CHECK(parse_int64("99999999999999999999", 0, INT64_MAX, &v) != TM_OK);
    CHECK(parse_int64(NULL, 0, 100, &v) != TM_OK);
    CHECK_INT(v, 7);
    CHECK_INT(parse_int64("9223372036854775807", 0, INT64_MAX, &v), TM_OK);
    CHECK(v == INT64_MAX);
}

void test_parse_prefix_reports_where_the_number_ends(void)
{
    int64_t id = 0;
    double score = 0;
    const char *end = NULL;
    CHECK_INT(parse_double_prefix("0.75:12", 0, 1, &score, &end), TM_OK);
    CHECK(score == 0.75);
    CHECK_STR(end, ":12");
    CHECK_INT(parse_int64_prefix(end + 1, 1, INT64_MAX, &id, &end), TM_OK);
    CHECK_INT(id, 12);
    CHECK_STR(end, "");
    CHECK(parse_int64_prefix(":", 0, 10, &id, &end) != TM_OK);
}

void test_parse_double_refuses_what_is_not_a_plain_number(void)
{
    double x = 0.5;
    CHECK_INT(parse_double("1", 0, 1, &x), TM_OK);
    CHECK(x == 1.0);
    CHECK_INT(parse_double(".25", 0, 1, &x), TM_OK);
    CHECK(x == 0.25);
    x = 0.5;
    CHECK(parse_double("nan", 0, 1, &x) != TM_OK);
    CHECK(parse_double("inf", 0, 1e300, &x) != TM_OK);
    CHECK(parse_double("0x1p-1", 0, 1, &x) != TM_OK);
    CHECK(parse_double("1e999", 0, 1e308, &x) != TM_OK);
    CHECK(parse_double("1.5", 0, 1, &x) != TM_OK);
    CHECK(parse_double("0.5 ", 0, 1, &x) != TM_OK);
    CHECK(parse_double("", 0, 1, &x) != TM_OK);
    CHECK(x == 0.5);
}

void test_parse_rfc3339_needs_an_offset(void)
{
    static const char *const good[] = { "2026-11-29T00:00:00Z", "2026-11-29t00:00:00z", "2026-11-29T00:00:00.5+08:00",
                                        "2026-03-09T11:00:00.000-05:00" };
    static const char *const bad[] = { "", "2026-11-29", "2026-11-29T00:00:00", "2026-11-29T00:00:00+8:00",
                                       "2026-11-29T00:00:00.Z", "2026-11-29 00:00:00Z", "2026-11-29T00:00:00+08:00x",
                                       "2026-11-29T00:00:00+38:00" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_INT(parse_rfc3339(good[i]), TM_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(parse_rfc3339(bad[i]), TM_ERR_INVALID);
}
