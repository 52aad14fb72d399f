#!/bin/sh
# run.sh: runs the style check, then the whole test suite twice: on the release
# build, then on the AddressSanitizer + UndefinedBehaviorSanitizer build (server
# and tests both), then a short load run and a few seconds of each fuzzer.
# Ends with one line "total: N passed, N failed"; exits non-zero on any failure.
cd "$(dirname "$0")/.."
passed=0
failed=0
status=0

# tally NAME COMMAND...: runs COMMAND (showing its output), whose last line is
# "WORD: N passed, N failed", and adds its counts; a run that ends otherwise
# (it crashed) counts as one failure.
tally() {
    name=$1
    shift
    out=$(mktemp)
    "$@" 2>&1 | tee "$out"
    rc=$(tail -n 1 "$out" | sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
    rm -f "$out"
    if [ -z "$rc" ]; then
        echo "run.sh: $name did not finish (crashed?)"
        failed=$((failed + 1))
        status=1
    else
        passed=$((passed + ${rc% *}))
        failed=$((failed + ${rc#* }))
        [ "${rc#* }" = 0 ] || status=1
    fi
}

# The style check (tests/checksrc.sh) first: one test, failed by any finding.
if [ $# = 0 ]; then
    if sh tests/checksrc.sh; then
        passed=$((passed + 1))
    else
        echo "run.sh: the style check found the problems above"
        failed=$((failed + 1))
        status=1
    fi
fi

for variant in release san; do
    tally "the $variant runner" env TECHMATCH_BIN=build/$variant/techmatch TEST_LABEL=$variant \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        build/$variant/test_runner "$@"
done
# Skipped when only some tests were asked for: the short load run
# (bench/load/run.sh: wrk, nginx, the database checked after), counted as one
# test; then each fuzzer replays its seeds and kept findings and fuzzes for a
# few seconds (tests/fuzz/run.sh; `make fuzz` runs them longer), one test each.
if [ $# = 0 ]; then
    if LOAD_SECONDS=3 LOAD_CONNECTIONS=16 sh bench/load/run.sh; then
        passed=$((passed + 1))
    else
        echo "run.sh: the short load run failed"
        failed=$((failed + 1))
        status=1
    fi
    tally "the fuzzers" sh tests/fuzz/run.sh "${FUZZ_TEST_SECONDS:-3}"
fi
echo "total: $passed passed, $failed failed"
exit $status
