/* test_csv.c: RFC 4180 records, line numbers, errors. */
#include "test.h"
#include "csv.h"

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
