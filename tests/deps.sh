#!/bin/sh
# deps.sh: installs what techmatch needs to build, run and test, when it is missing.
# Debian packages through apt-get (as root, else through sudo); the test tools of
# tests/package.json through npm ci.  Does nothing when all is there.
set -eu
cd "$(dirname "$0")/.."

need=""
for p in libmicrohttpd-dev libsqlite3-dev libcjson-dev libsodium-dev \
         libcurl4-openssl-dev libstemmer-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
command -v cc >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need="$need build-essential"
command -v node >/dev/null 2>&1 || need="$need nodejs"
# The browser tests: Debian's chromium, and a font with Chinese glyphs for its screenshots.
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v openssl >/dev/null 2>&1 || need="$need openssl"   # the HTTPS test makes its certificate
# The word list that cuts explanations' shared Chinese terms at word boundaries (matcher/lexicon.h).
dpkg-query -W -f='${Status}' friso-dict 2>/dev/null | grep -q "install ok installed" || need="$need friso-dict"
dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q "install ok installed" || need="$need fonts-wqy-microhei"
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "install ok installed" || need="$need fonts-noto-color-emoji"
command -v npm >/dev/null 2>&1 || need="$need npm"
# make fuzz (tests/fuzz): clang, and its runtimes (libFuzzer, the sanitizers).
command -v clang >/dev/null 2>&1 || need="$need clang"
dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed" || need="$need libclang-rt-14-dev"
# make load (bench/load): the load generator and the static-file server it is compared with.
command -v wrk >/dev/null 2>&1 || need="$need wrk"
dpkg-query -W -f='${Status}' nginx 2>/dev/null | grep -q "install ok installed" || need="$need nginx"
# GET /metrics is checked by Prometheus's own promtool (tests/test_api_metrics.c).
command -v promtool >/dev/null 2>&1 || need="$need prometheus"
# Registration mail (tests/test_api_register_mail.c) goes to an SMTP server that is not ours: aiosmtpd.
dpkg-query -W -f='${Status}' python3-aiosmtpd 2>/dev/null | grep -q "install ok installed" || need="$need python3-aiosmtpd"

if [ -n "$need" ]; then
    echo "deps: installing$need"
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need
fi

# npm ci again whenever package-lock.json changed since the last install.  A tests/node_modules that
# is a symbolic link is another checkout's installed copy: npm ci would empty it under that checkout.
if [ -L tests/node_modules ]; then
    echo "deps: tests/node_modules is a link to another checkout's copy; not reinstalling it"
elif [ ! -f tests/node_modules/.package-lock.json ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    echo "deps: installing the test tools (npm ci in tests/)"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
