/*
 * test_main.c: the test runner.  Runs every test in tests/test_list.h (or
 * those whose name contains an argument), prints "ok"/"FAIL"/"skip" per test and one
 * closing line "LABEL: N passed, N failed"; exits 1 on any failure.
 */
#include "test.h"
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

#define ENTRY(name) { #name, name },
static const test_case cases[] = { TEST_LIST(ENTRY) };

static int current_failures;
static char current_skip[256]; /* the reason the running test was skipped, or "" */

void test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(current_skip, sizeof current_skip, fmt, ap);
    va_end(ap);
}

static const char *current_name = "";

const char *test_current_name(void)
{
    return current_name;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    current_failures++;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i]))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *label = getenv("TEST_LABEL");
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    log_set_quiet(1); /* in-process store tests would log migrations */
    /* Every exchange with a server is recorded for the OpenAPI conformance check, the last test. */
    setenv(TEST_EXCHANGE_LOG_ENV, test_path("exchanges.jsonl"), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!selected(cases[i].name, argc, argv))
            continue;
        struct timespec a, b;
        current_failures = 0;
        current_skip[0] = '\0';
        current_name = cases[i].name;
        setenv("TM_CURRENT_TEST", current_name, 1); /* for helpers it starts (tests/webhook_receiver.mjs) */
        clock_gettime(CLOCK_MONOTONIC, &a);
        cases[i].fn();
        clock_gettime(CLOCK_MONOTONIC, &b);
        current_name = "";
        double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        if (current_failures) {
            failed++;
            printf("FAIL %s\n", cases[i].name);
        } else if (current_skip[0]) {
            passed++;
            printf("skip %s: %s\n", cases[i].name, current_skip);
        } else {
            passed++;
            printf("ok   %s (%.0f ms)\n", cases[i].name, ms);
        }
    }
    if (failed == 0) {
        const char *rm[] = { "/bin/rm", "-rf", test_tmpdir(), NULL };
        test_run(rm, NULL, NULL, NULL);
    } else {
        printf("files of this run are kept in %s\n", test_tmpdir());
    }
    printf("%s: %d passed, %d failed\n", label ? label : "tests", passed, failed);
    return failed ? 1 : 0;
}
