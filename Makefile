# techmatch build.  Entry points: deps, all, run, test, bench, load, fuzz, crash, eval, eval-demo, install,
# uninstall, clean
# (serve and check are run and test without the dependency step).
# Three builds live side by side: build/release (what `make run` serves),
# build/san (AddressSanitizer + UndefinedBehaviorSanitizer, what the tests also use)
# and build/fuzz (clang's libFuzzer with both sanitizers; `make fuzz`).

CC      ?= cc
WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -fno-common
CSTD    := -std=c11 -D_GNU_SOURCE
# The Debian packages put every header in the default include path, so no -I is
# needed, and naming the libraries needs no pkg-config (which `make deps` may only
# be about to install when this Makefile is read).
PKG_LIBS := -lmicrohttpd -lsqlite3 -lcjson -lsodium -lcurl -lstemmer -lpthread -lm

REL_FLAGS := -O2 -g
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CC   := clang
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

DB      ?= techmatch.db
LISTEN  ?= 127.0.0.1:8080

MATCHER_SRC := $(wildcard matcher/*.c)
APP_SRC     := $(filter-out src/main.c,$(wildcard src/*.c src/store/*.c))
TEST_SRC    := $(wildcard tests/*.c)
EMBED_IN    := $(sort $(wildcard schema/*.sql)) seeds/fields/gbt4754-2017.tsv seeds/cedict/cedict-terms.tsv \
               seeds/synonyms/synonyms.tsv docs/openapi.json \
               $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg))
HEADERS     := $(wildcard src/*.h src/store/*.h matcher/*.h tests/*.h tests/fuzz/*.h bench/*.h)

.PHONY: all deps run serve test check bench eval eval-demo fuzz fuzzers clean seed install uninstall

all: build/release/techmatch

# --- generated: SQL migrations, taxonomy and OpenAPI document compiled into the binary
build/gen/embedded.c: $(EMBED_IN) src/gen_embed.sh
	@mkdir -p $(@D)
	sh src/gen_embed.sh $(EMBED_IN) > $@.tmp && mv $@.tmp $@

# $(call variant,NAME,FLAGS,COMPILER)
define variant
build/$(1)/%.o: %.c $(HEADERS)
	@mkdir -p $$(@D)
	$(3) $$(CSTD) $$(WARN) $(2) -Isrc -Imatcher -c $$< -o $$@

build/$(1)/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $$(@D)
	$(3) $$(CSTD) $(2) -Isrc -c $$< -o $$@

build/$(1)/libtm.a: $(patsubst %.c,build/$(1)/%.o,$(MATCHER_SRC) $(APP_SRC)) build/$(1)/gen/embedded.o
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/techmatch: build/$(1)/src/main.o build/$(1)/libtm.a
	$$(CC) $(2) -o $$@ $$^ $$(PKG_LIBS)

build/$(1)/test_runner: $(patsubst %.c,build/$(1)/%.o,$(TEST_SRC)) build/$(1)/libtm.a
	$$(CC) $(2) -o $$@ $$^ $$(PKG_LIBS)
endef
$(eval $(call variant,release,$(REL_FLAGS),$$(CC)))
$(eval $(call variant,san,$(SAN_FLAGS),$$(CC)))
$(eval $(call variant,fuzz,$(FUZZ_FLAGS),$$(FUZZ_CC)))

deps:
	@sh tests/deps.sh

# Creates and seeds the database on first run, then serves.
# Each entry point installs what is missing first, then runs a sub-make, so the
# build starts only after `deps` has finished (also under make -j).
run: deps
	@$(MAKE) --no-print-directory serve

serve: all
	@test -s $(DB) || build/release/techmatch demo --db $(DB) --seeds seeds/demo
	build/release/techmatch serve --db $(DB) --listen $(LISTEN)

seed: all
	build/release/techmatch demo --db $(DB) --seeds seeds/demo

test: deps
	@$(MAKE) --no-print-directory check

check: build/release/techmatch build/release/test_runner build/san/techmatch build/san/test_runner fuzzers build/release/load_tool
	@sh tests/run.sh

BENCH_N ?= 20000
BENCH_ACHIEVEMENTS ?= 100000
BENCH_DEMANDS ?= 10000
BENCH_SERVER_ACHIEVEMENTS ?= 20000
BENCH_PUSH_DEMANDS ?= 100000
BENCH_PUSH_STREAMS ?= 1000
BENCH_FLOODS_LISTINGS ?= 20000
BENCH_FLOODS_SECONDS ?= 6
BENCH_FLOODS_ROUNDS ?= 3
bench: deps
	@$(MAKE) --no-print-directory build/release/techmatch build/release/bench_core build/release/bench_match build/release/bench_server build/release/bench_push build/release/bench_review build/release/bench_floods
	build/release/bench_core $(BENCH_N)
	build/release/bench_match $(BENCH_ACHIEVEMENTS) $(BENCH_DEMANDS)
	build/release/bench_server build/release/techmatch $(BENCH_SERVER_ACHIEVEMENTS)
	build/release/bench_push build/release/techmatch $(BENCH_PUSH_DEMANDS) $(BENCH_PUSH_STREAMS)
	build/release/bench_review
	build/release/bench_floods build/release/techmatch $(BENCH_FLOODS_LISTINGS) $(BENCH_FLOODS_SECONDS) $(BENCH_FLOODS_ROUNDS)

build/release/bench_floods: build/release/bench/bench_floods.o build/release/bench/corpus.o build/release/bench/serverkit.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

build/release/bench_server: build/release/bench/bench_server.o build/release/bench/corpus.o build/release/bench/serverkit.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

build/release/bench_push: build/release/bench/bench_push.o build/release/bench/corpus.o build/release/bench/serverkit.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

build/release/bench_match: build/release/bench/bench_match.o build/release/bench/corpus.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

build/release/bench_review: build/release/bench/bench_review.o build/release/bench/corpus.o build/release/bench/serverkit.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

build/release/bench_core: build/release/bench/bench_core.o build/release/bench/corpus.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

# The cross-language check on the demo data (bench/xl/README.md).
build/release/xl_eval: build/release/bench/xl/xl_eval.o build/release/tests/xl_demo.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

# The load test (bench/README.md, "bench/load"): wrk's mixed workload, then nginx on the same read.
# A short run (3 s, 16 connections) is part of `make test`.
.PHONY: load
LOAD_SECONDS ?= 60
LOAD_CONNECTIONS ?= 64
load: deps
	@$(MAKE) --no-print-directory build/release/techmatch build/release/load_tool
	LOAD_SECONDS=$(LOAD_SECONDS) LOAD_CONNECTIONS=$(LOAD_CONNECTIONS) sh bench/load/run.sh

build/release/load_tool: build/release/bench/load/load_tool.o build/release/bench/corpus.o build/release/bench/serverkit.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

# The long crash test (tests/test_crash.c; `make test` runs 3 rounds): CRASH_ROUNDS
# rounds of writes and kill -9, on the release build and then on the sanitizer build.
CRASH_ROUNDS ?= 20
.PHONY: crash
crash: deps
	@$(MAKE) --no-print-directory build/release/techmatch build/release/test_runner build/san/techmatch build/san/test_runner
	@TM_CRASH_ROUNDS=$(CRASH_ROUNDS) sh tests/run.sh crash

# The judged dev collections are not part of the repository: EVAL_DIR names their folder.  Then the
# demo seeds judged in bench/demo/qrels.tsv and the cross-language pairs of bench/xl/pairs.tsv.
eval:
	@if [ -z "$(EVAL_DIR)" ]; then \
	    echo "make eval: pass EVAL_DIR=DIR, a folder of collections (one subfolder each holding"; \
	    echo "achievements.jsonl, demands.jsonl and qrels.tsv), e.g. make eval EVAL_DIR=/path/to/eval"; \
	    exit 2; \
	fi
	@test -d "$(EVAL_DIR)" || { echo "make eval: EVAL_DIR=$(EVAL_DIR) is not a folder"; exit 2; }
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build/release/techmatch build/release/eval build/release/xl_eval
	build/release/eval build/release/techmatch $(EVAL_DIR)
	build/release/eval build/release/techmatch --demo seeds/demo bench/demo/qrels.tsv
	build/release/xl_eval seeds bench/xl/pairs.tsv heldout
	build/release/xl_eval seeds bench/xl/pairs.tsv named

# The demo seeds that `make run` loads, judged in bench/demo/qrels.tsv (see bench/demo/README.md).
eval-demo: deps
	@$(MAKE) --no-print-directory build/release/techmatch build/release/eval
	build/release/eval build/release/techmatch --demo seeds/demo bench/demo/qrels.tsv

build/release/eval: build/release/bench/eval.o build/release/libtm.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

# --- fuzzing (README, "Tests and benchmarks"): one libFuzzer binary per parser that takes outside input
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_LINK := -fsanitize=fuzzer,address,undefined -Wl,--wrap=getaddrinfo

fuzzers: $(addprefix build/fuzz/,$(filter-out fuzz_server,$(FUZZ_TARGETS)))
# Keep the objects the fuzzers' pattern rule makes (make would delete them as intermediate).
.SECONDARY: $(patsubst %.c,build/fuzz/%.o,$(wildcard tests/fuzz/*.c))

build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o build/fuzz/tests/fuzz/fuzz_server.o build/fuzz/tests/fuzz/no_dns.o \
		build/fuzz/libtm.a
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_LINK) -o $@ $^ $(PKG_LIBS)

# Each fuzzer replays its seeds and kept findings, then fuzzes for FUZZ_SECONDS.
fuzz: deps
	@$(MAKE) --no-print-directory fuzzers
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# --- installing (README, "Running in production"): the release binary and its systemd unit.
# The unit's source is docs/techmatch.service: it is an installed file and operator
# documentation at once (read it to see the sandbox), not C (src/) and not data (seeds/).
# @PREFIX@ in it becomes PREFIX, so ExecStart names the binary installed here.  Units go
# to PREFIX/lib/systemd/system, which systemd reads for /usr/local and /usr alike.
# install depends on the release binary only, so it never builds another variant.
PREFIX  ?= /usr/local
DESTDIR ?=
UNITDIR := $(PREFIX)/lib/systemd/system

install: build/release/techmatch docs/techmatch.service
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR)
	install -m 0755 build/release/techmatch $(DESTDIR)$(PREFIX)/bin/techmatch
	sed 's|@PREFIX@|$(PREFIX)|g' docs/techmatch.service > $(DESTDIR)$(UNITDIR)/techmatch.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/techmatch.service.tmp
	mv $(DESTDIR)$(UNITDIR)/techmatch.service.tmp $(DESTDIR)$(UNITDIR)/techmatch.service

# Leaves the database (/var/lib/techmatch) alone: it is the operator's data.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/techmatch $(DESTDIR)$(UNITDIR)/techmatch.service

clean:
	rm -rf build
