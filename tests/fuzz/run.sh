#!/bin/sh
# run.sh SECONDS [TARGET...]: runs the libFuzzer targets built in build/fuzz/
# (all of them when none is named).  Each one first replays its seeds and kept
# findings (tests/fuzz/corpus/TARGET/), then fuzzes for SECONDS, growing its
# working corpus in build/fuzz/corpus/TARGET/.  Prints one line per target
# (executions, coverage, corpus) and ends with "fuzz: N passed, N failed";
# exits non-zero when a target found something.  A finding is saved as
# build/fuzz/findings/TARGET-crash-*; once fixed, copy it into
# tests/fuzz/corpus/TARGET/ so it is replayed from then on.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//' | grep -v '^fuzz_server$')}

# The in-process servers' databases go where fsync is free, and are removed here.
shm=/dev/shm
[ -w "$shm" ] || shm=${TMPDIR:-/tmp}
TM_FUZZ_DB_DIR=$(mktemp -d "$shm/techmatch-fuzz.XXXXXX")
export TM_FUZZ_DB_DIR
trap 'rm -rf "$TM_FUZZ_DB_DIR"' EXIT
mkdir -p build/fuzz/logs build/fuzz/findings

dict_of() {
    case $1 in
        fuzz_http_target) echo "-dict=tests/fuzz/http.dict" ;;
        fuzz_listing_json|fuzz_http_body|fuzz_import) echo "-dict=tests/fuzz/json.dict" ;;
        *) echo "" ;;
    esac
}

passed=0
failed=0
for t in $targets; do
    bin=build/fuzz/$t
    log=build/fuzz/logs/$t.log
    mkdir -p "build/fuzz/corpus/$t"
    # Replay: every seed and kept finding once.
    if ! "$bin" -runs=0 "tests/fuzz/corpus/$t" >"$log" 2>&1; then
        echo "fuzz: $t FAILED replaying tests/fuzz/corpus/$t (see $log)"
        tail -n 30 "$log"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2046
    if "$bin" -max_total_time="$seconds" -timeout=60 -print_final_stats=1 $(dict_of "$t") \
            -artifact_prefix="build/fuzz/findings/$t-" "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" >>"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        done=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed 's/.*DONE *//; s/ lim:.*//')
        edges=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | tail -n 1)
        printf 'fuzz: %-20s %ss  %s execs (%s/s)  %s  (of %s edges in the binary)\n' \
            "$t" "$seconds" "$execs" "$rate" "$done" "$edges"
        passed=$((passed + 1))
    else
        echo "fuzz: $t FOUND A PROBLEM (log: $log; input: build/fuzz/findings/$t-*)"
        grep -E 'ERROR|SUMMARY|runtime error|fuzz_server:|abort' "$log" | head -n 10
        failed=$((failed + 1))
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
