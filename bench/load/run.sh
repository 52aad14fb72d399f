#!/bin/sh
# run.sh: the load test of bench/load (make load; a short run in make test).
#
# Seeds a fresh database in a temporary directory, starts techmatch on a free
# loopback port, drives it with wrk and mixed.lua (reads of listings and
# matches, searches, new listings matched as they are stored, logins), then
# compares one read, GET /api/achievements?limit=20, with Debian's nginx
# serving the same bytes from a file, both with wrk and static.lua.  The server
# is then stopped with SIGTERM and the database checked: PRAGMA integrity_check,
# FTS5's integrity-check, and every write the server acknowledged with a 201.
#
# Environment: LOAD_SECONDS (60) and LOAD_CONNECTIONS (64) for each of the three
# wrk runs; LOAD_THREADS (2) wrk threads; LOAD_ACHIEVEMENTS (5000) and
# LOAD_DEMANDS (2000) seeded; LOAD_TIMEOUT (10) seconds before wrk gives up on
# an answer; LOAD_KEEP=1 keeps the directory.  TECHMATCH_BIN and LOAD_TOOL name
# the binaries (build/release/...).
#
# Exits 0 when every answer was the expected one, the database is intact and
# no acknowledged write is missing; 1 otherwise.  Only processes started here
# are signalled, by their PID.
set -eu
cd "$(dirname "$0")/../.."

bin=${TECHMATCH_BIN:-build/release/techmatch}
tool=${LOAD_TOOL:-build/release/load_tool}
seconds=${LOAD_SECONDS:-60}
conns=${LOAD_CONNECTIONS:-64}
threads=${LOAD_THREADS:-2}
achievements=${LOAD_ACHIEVEMENTS:-5000}
demands=${LOAD_DEMANDS:-2000}
answer_timeout=${LOAD_TIMEOUT:-10}
nginx=$(command -v nginx || echo /usr/sbin/nginx)
read_path="/api/achievements?limit=20"

for v in "$seconds" "$conns" "$threads" "$achievements" "$demands" "$answer_timeout"; do
    case $v in '' | *[!0-9]*) echo "load: numbers only, not '$v'" >&2; exit 2 ;; esac
done
# Each wrk thread logs in with its own account, at most one login at a time
# (mixed.lua), so at most LOAD_THREADS logins are ever in flight: below the
# limiter's 5 an account and 20 an address.
if [ "$threads" -lt 1 ] || [ "$threads" -gt 16 ] || [ "$conns" -lt "$threads" ] || [ "$seconds" -lt 1 ]; then
    echo "load: need 1 <= LOAD_THREADS <= 16, LOAD_CONNECTIONS >= LOAD_THREADS, LOAD_SECONDS >= 1" >&2
    exit 2
fi
for f in "$bin" "$tool" "$nginx"; do
    [ -x "$f" ] || { echo "load: $f is missing (make load builds and installs what it needs)" >&2; exit 2; }
done
command -v wrk >/dev/null 2>&1 || { echo "load: wrk is missing (make deps)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/techmatch-load-XXXXXX")
server=""
ngx=""
status=1

# Sends SIGTERM to pid $1 and reaps it; SIGKILL after 30 s.  Returns its exit status.
stop() {
    kill -TERM "$1" 2>/dev/null || true
    (sleep 30 && kill -KILL "$1" 2>/dev/null) >/dev/null 2>&1 &
    dog=$!
    rc=0
    wait "$1" || rc=$?
    kill "$dog" 2>/dev/null || true
    return $rc
}

cleanup() {
    if [ -n "$ngx" ]; then stop "$ngx" || true; fi
    if [ -n "$server" ]; then stop "$server" || true; fi
    if [ "$status" = 0 ] && [ -z "${LOAD_KEEP:-}" ]; then
        rm -rf "$dir"
    else
        echo "load: the files of this run are in $dir"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "load: FAIL: $*"
    exit 1
}

# The value of key $1 in summary file $2 ("key value" lines).
get() {
    sed -n "s/^$1 //p" "$2"
}

# ---- seed and start
t0=$(date +%s)
"$tool" seed "$dir/load.db" "$achievements" "$demands" "$threads" "$dir" || fail "seeding"
"$bin" serve --db "$dir/load.db" --listen 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.log" &
server=$!
port=""
i=0
while [ -z "$port" ]; do
    [ $i -lt 600 ] || fail "the server did not start in 60 s (see $dir/serve.log)"
    sleep 0.1
    i=$((i + 1))
    port=$(sed -n 's|^techmatch: listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$dir/serve.out")
done
base="http://127.0.0.1:$port"
LOAD_TOKEN_ENTERPRISE=$("$tool" login "$port" enterprise@load.test) || fail "enterprise login"
LOAD_TOKEN_UNIVERSITY=$("$tool" login "$port" university@load.test) || fail "university login"
LOAD_TOKEN_BROKER=$("$tool" login "$port" broker@load.test) || fail "broker login"
export LOAD_TOKEN_ENTERPRISE LOAD_TOKEN_UNIVERSITY LOAD_TOKEN_BROKER
LOAD_DIR=$dir LOAD_OUT=$dir LOAD_ACHIEVEMENTS=$achievements LOAD_DEMANDS=$demands
export LOAD_DIR LOAD_OUT LOAD_ACHIEVEMENTS LOAD_DEMANDS
echo "load: $achievements achievements and $demands demands seeded, server up in $(($(date +%s) - t0)) s;" \
    "wrk: $conns connections, $threads threads, ${seconds} s a run"

# wrk, bounded: its own -d, and a hard stop well after it.
run_wrk() { # script url output
    timeout -s KILL $((seconds + 60)) wrk -t "$threads" -c "$conns" -d "${seconds}s" --timeout "${answer_timeout}s" \
        -s "$1" "$2" >"$3" 2>&1 || fail "wrk ($3): exit status $?"
}

# ---- the mixed workload
run_wrk bench/load/mixed.lua "$base" "$dir/wrk-mixed.txt"
[ -s "$dir/mixed.summary" ] || fail "wrk wrote no summary (see $dir/wrk-mixed.txt)"
grep '^mixed.lua: ' "$dir/wrk-mixed.txt" || true

# ---- read-only: techmatch, then nginx serving the same bytes
mkdir -p "$dir/nginx/www" "$dir/nginx/tmp"
"$tool" get "$base$read_path" >"$dir/nginx/www/achievements.json" || fail "GET $read_path"
size=$(wc -c <"$dir/nginx/www/achievements.json")
LOAD_NAME=techmatch run_wrk bench/load/static.lua "$base$read_path" "$dir/wrk-techmatch.txt"

# nginx in the foreground (daemon off), ours to stop by PID; its files in the
# directory; worker processes one a core, as techmatch's threads.  Run as
# root, its workers stay root (the directory is ours alone, mode 0700).
user=""
[ "$(id -u)" != 0 ] || user="user root;"
nport=""
for attempt in 1 2 3; do
    p=$("$tool" port)
    cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid "$dir/nginx/nginx.pid";
error_log "$dir/nginx/error.log";
$user
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    client_body_temp_path "$dir/nginx/tmp/body";
    proxy_temp_path "$dir/nginx/tmp/proxy";
    fastcgi_temp_path "$dir/nginx/tmp/fastcgi";
    uwsgi_temp_path "$dir/nginx/tmp/uwsgi";
    scgi_temp_path "$dir/nginx/tmp/scgi";
    server {
        listen 127.0.0.1:$p;
        root "$dir/nginx/www";
    }
}
EOF
    "$nginx" -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" </dev/null >>"$dir/nginx/out" 2>&1 &
    ngx=$!
    i=0
    while [ $i -lt 50 ]; do
        if "$tool" get "http://127.0.0.1:$p/achievements.json" >"$dir/nginx/probe" 2>/dev/null; then
            nport=$p
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    [ -z "$nport" ] || break
    stop "$ngx" || true
    ngx=""
done
[ -n "$nport" ] || fail "nginx did not start (see $dir/nginx/error.log)"
cmp -s "$dir/nginx/probe" "$dir/nginx/www/achievements.json" || fail "nginx serves other bytes"
LOAD_NAME=nginx run_wrk bench/load/static.lua "http://127.0.0.1:$nport/achievements.json" "$dir/wrk-nginx.txt"
stop "$ngx" || true
ngx=""

# ---- stop the server, then check what it stored
rc=0
stop "$server" || rc=$?
server=""
[ "$rc" = 0 ] || fail "the server exited with status $rc (see $dir/serve.log)"
check=$("$tool" check "$dir/load.db" "$dir/acks.txt") || {
    echo "$check"
    fail "the database check (above)"
}
s5=$(grep -c ' 5[0-9][0-9] [0-9.]*ms$' "$dir/serve.log" || true)
odd=$(grep -v -c '^[-0-9T:]*Z info ' "$dir/serve.log" || true)

# ---- the report
m=$dir/mixed.summary
t=$dir/techmatch.summary
n=$dir/nginx.summary
unexpected=$(get unexpected "$m")
ro_errors=$(($(get unexpected "$t") + $(get unexpected "$n")))
echo
printf '%-38s %12s %9s %9s %8s\n' "" "requests/s" "p50 ms" "p99 ms" "errors"
awk -v name="mixed workload (techmatch)" -v e="$unexpected" \
    '$1=="seconds"{s=$2} $1=="requests"{r=$2} $1=="p50_ms"{p5=$2} $1=="p99_ms"{p9=$2}
     END{printf "%-38s %12.1f %9.2f %9.2f %8d\n", name, r/s, p5, p9, e}' "$m"
for f in "$t" "$n"; do
    name="read-only, techmatch"
    [ "$f" = "$t" ] || name="read-only, nginx (same $size bytes)"
    awk -v name="$name" \
        '$1=="seconds"{s=$2} $1=="requests"{r=$2} $1=="p50_ms"{p5=$2} $1=="p99_ms"{p9=$2} $1=="unexpected"{e=$2}
         END{printf "%-38s %12.1f %9.2f %9.2f %8d\n", name, r/s, p5, p9, e}' "$f"
done
awk '$1=="seconds"{s=$2} $1=="requests"{r=$2} END{printf "%.6f\n", r/s}' "$t" >"$dir/t.rate"
awk '$1=="seconds"{s=$2} $1=="requests"{r=$2} END{printf "%.6f\n", r/s}' "$n" >"$dir/n.rate"
awk -v a="$(cat "$dir/t.rate")" -v b="$(cat "$dir/n.rate")" \
    'BEGIN{printf "read-only throughput, techmatch / nginx: %.3f\n", (b > 0 ? a / b : 0)}'
echo
echo "mixed requests sent: $(sed -n 's/^sent \([a-z_]*\) \([0-9]*\)$/\1 \2/p' "$m" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
echo "mixed answers: $(get 'ok read' "$m") reads (200), $(get 'ok create' "$m") listings created (201)," \
    "$(get 'ok login' "$m") logins (200); unexpected: $unexpected" \
    "(socket: $(get socket_detail "$m")$(sed -n 's/^unexpected_status \(.*\) \([0-9]*\)$/; status \1: \2/p' "$m" | tr -d '\n'))"
echo "$check"
echo "server log: $s5 answers 5xx, $odd lines other than info"
[ "$odd" = 0 ] || grep -v '^[-0-9T:]*Z info ' "$dir/serve.log" | head -5

[ "$unexpected" = 0 ] || fail "$unexpected unexpected errors in the mixed workload"
[ "$ro_errors" = 0 ] || fail "$ro_errors errors in the read-only runs"
[ "$s5" = 0 ] || fail "the server answered 5xx"
status=0
echo "load: PASS"
