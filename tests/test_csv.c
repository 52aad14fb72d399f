/* test_csv.c: RFC 4180 records, line numbers, errors. */
#include "test.h"
#include "csv.h"
#include "sbuf.h"

void test_csv_quoted_fields_and_line_numbers(void)
{
    const char *data = "title,keywords\n\"a, \"\"quoted\"\"\",x\n\"two\nlines\",y\r\nplain,z";
    csv_reader *r = csv_reader_new(data, strlen(data), 10, 1000);
    csv_record rec;
    char msg[100];
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(rec.line, 1);
    CHECK_INT(rec.n, 2);
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(rec.line, 2);
    CHECK_STR(rec.fields[0], "a, \"quoted\"");
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(rec.line, 3);
    CHECK_STR(rec.fields[0], "two\nlines");
    CHECK_STR(rec.fields[1], "y");
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(rec.line, 5);
    CHECK_STR(rec.fields[1], "z");
    CHECK_INT(csv_next(r, &rec, msg, sizeof msg), 0);
    csv_reader_free(r);
}

void test_csv_reports_malformed_records_and_goes_on(void)
{
    const char *data = "\xEF\xBB\xBFh1,h2\n\"open,x\n";
    csv_reader *r = csv_reader_new(data, strlen(data), 10, 1000);
    csv_record rec;
    char msg[100];
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_STR(rec.fields[0], "h1"); /* the byte-order mark is skipped */
    CHECK_INT(csv_next(r, &rec, msg, sizeof msg), -1);
    CHECK_INT(rec.line, 2);
    CHECK_CONTAINS(msg, "quoted field");
    csv_reader_free(r);

    data = "a,b,c\n1,2,3,4\nok,ok,ok\n";
    r = csv_reader_new(data, strlen(data), 3, 1000);
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(csv_next(r, &rec, msg, sizeof msg), -1);
    CHECK_CONTAINS(msg, "too many fields");
    REQUIRE(csv_next(r, &rec, msg, sizeof msg) == 1);
    CHECK_INT(rec.line, 3);
    csv_reader_free(r);
}

void test_csv_write_field_quotes_and_defuses_formulas(void)
{
    static const char *const in[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "+1", "-2", "@x", "",
                                      NULL };
    static const char *const want[] = { "plain", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "'=SUM(A1)",
                                         "'+1", "'-2", "'@x", "", "" };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sbuf b;
        sbuf_init(&b);
        csv_write_field(&b, in[i]);
        if (strcmp(b.buf ? b.buf : "", want[i]) != 0)
            test_fail(__FILE__, __LINE__, "field %zu: [%s], expected [%s]", i, b.buf ? b.buf : "", want[i]);
        sbuf_cleanup(&b);
    }
    /* What it writes reads back as the same text (after the ' guard). */
    sbuf b;
    sbuf_init(&b);
    csv_write_field(&b, "x,\"y\"\nz");
    sbuf_addc(&b, '\n');
    csv_reader *r = csv_reader_new(b.buf, b.len, 4, 1024);
    csv_record rec;
    char msg[128];
    CHECK_INT(csv_next(r, &rec, msg, sizeof msg), 1);
    CHECK(rec.n == 1 && strcmp(rec.fields[0], "x,\"y\"\nz") == 0);
    csv_reader_free(r);
    sbuf_cleanup(&b);
}

/*
 * Every OWASP CSV-injection trigger at the start of a cell (= + - @ tab CR)
 * gets the leading ', including a tab or carriage return before =.
 */
void test_csv_write_field_defuses_every_formula_trigger(void)
{
    static const char *const in[] = { "\t=1+2", "\r=1+2", "\t\r=cmd|' /C calc'!A0", "\tplain", "\r", "\t",
                                      "=1", "+1", "-1", "@SUM(A1)", " =1", "a=1" };
    static const char *const want[] = { "'\t=1+2", "\"'\r=1+2\"", "\"'\t\r=cmd|' /C calc'!A0\"", "'\tplain",
                                         "\"'\r\"", "'\t", "'=1", "'+1", "'-1", "'@SUM(A1)", " =1", "a=1" };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sbuf b;
        sbuf_init(&b);
        csv_write_field(&b, in[i]);
        if (strcmp(b.buf ? b.buf : "", want[i]) != 0)
            test_fail(__FILE__, __LINE__, "field %zu: [%s], expected [%s]", i, b.buf ? b.buf : "", want[i]);
        sbuf_cleanup(&b);
    }
}
