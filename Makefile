# fleetdeck - terminal operations console for AWS Lambda fleets.
# Plain GNU make; dependencies through pkg-config. `make help` lists targets.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
BUILD    ?= build
PYTHON   ?= python3

PKGS := ncursesw libcurl libcrypto libcjson sqlite3 libpcre2-8
MISSING_PKGS := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))
ifneq ($(MISSING_PKGS),)
ifeq ($(filter deps help clean format check demo san,$(MAKECMDGOALS)),)
$(error missing libraries: $(MISSING_PKGS). Install them with: tools/deps.sh  (or `make deps`))
endif
endif

PKG_CFLAGS = $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Wshadow -Wconversion -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wnull-dereference -Wvla
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_XOPEN_SOURCE_EXTENDED -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) $(EXTRA_CFLAGS) -Iinclude -DFD_VERSION='"$(VERSION)"' \
             $(PKG_CFLAGS) $(CFLAGS)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
ifdef WERROR
CFLAGS_ALL += -Werror
endif

LIB_SRC  := $(sort $(wildcard src/*.c aws/*.c cache/*.c views/*.c))
LIB_SRC  := $(filter-out src/main.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))
BIN      := $(BUILD)/fleetdeck

.PHONY: all check check-run unit san demo install uninstall format tidy check-layers fuzz bench clean \
        deps help sim man-lint ui-test check-docs

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libfleetdeck.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(BUILD)/libfleetdeck.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(EXTRA_LDFLAGS)

$(BUILD)/test-unit: $(TEST_OBJ) $(BUILD)/libfleetdeck.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(EXTRA_LDFLAGS)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/src/main.d

# The README's test command: installs what is missing (tools/deps.sh), builds, and
# runs every suite; exits non-zero on any failure.
check:
	@sh tools/deps.sh --check-dev 2>/dev/null || sh tools/deps.sh --dev
	@$(MAKE) --no-print-directory check-run

check-run: all $(BUILD)/test-unit check-layers man-lint check-docs
	FD_BIN=$(abspath $(BIN)) $(BUILD)/test-unit
	FD_BIN=$(abspath $(BIN)) FD_LINK_FLAGS="$(EXTRA_LDFLAGS)" sh tests/run-shell-tests.sh

unit: $(BUILD)/test-unit
	FD_BIN=$(abspath $(BIN)) $(BUILD)/test-unit $(T)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
san:
	@sh tools/deps.sh --check-dev 2>/dev/null || sh tools/deps.sh --dev
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" check-run

check-layers:
	@sh tools/check-layers.sh

check-docs: $(BIN)
	@sh tools/check-docs.sh $(BIN)

man-lint:
	@if command -v mandoc >/dev/null 2>&1; then \
		mandoc -Tlint -W warning man/fleetdeck.1 && echo "man page: lint clean"; \
	else echo "man page: mandoc not installed, lint skipped (tools/deps.sh installs it)"; fi

# libFuzzer targets (clang). FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 10
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz-%)
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f | sed 's/^fuzz-//'); mkdir -p build-fuzz/corpus-$$n; \
		seeds=""; [ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
		echo "fuzz $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=0 \
			build-fuzz/corpus-$$n $$seeds 2>build-fuzz/$$n.log || { tail -40 build-fuzz/$$n.log; exit 1; }; \
	done; echo "fuzz: all targets ran clean"

# Fuzz targets link against an archive built by clang with coverage hooks, so each
# target pulls in only the objects it needs.
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined
build-fuzz/libfleetdeck.a: $(LIB_SRC)
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" \
		EXTRA_CFLAGS="$(FUZZ_FLAGS)" build-fuzz/libfleetdeck.a-real

$(BUILD)/libfleetdeck.a-real: $(LIB_OBJ)
	@rm -f $(BUILD)/libfleetdeck.a
	ar rcs $(BUILD)/libfleetdeck.a $^

build-fuzz/fuzz-%: tests/fuzz/%.c build-fuzz/libfleetdeck.a
	clang $(CSTD) -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) $< build-fuzz/libfleetdeck.a -o $@ $(LIBS)

bench: all
	sh tests/bench/run.sh $(abspath $(BIN))

demo:
	@sh tools/deps.sh --check || sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	sh tools/demo.sh $(abspath $(BIN))

sim:
	$(PYTHON) tests/sim/fleetsim.py --port 4566 --functions 40 --live

deps:
	sh tools/deps.sh

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/fleetdeck
	install -m 0644 man/fleetdeck.1 $(DESTDIR)$(MANDIR)/man1/fleetdeck.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fleetdeck $(DESTDIR)$(MANDIR)/man1/fleetdeck.1

format:
	clang-format -i $(LIB_SRC) src/main.c $(TEST_SRC) $(FUZZ_SRC) include/fleetdeck/*.h

tidy:
	clang-tidy $(LIB_SRC) src/main.c -- $(CSTD) -Iinclude $(PKG_CFLAGS)

clean:
	rm -rf build build-san build-fuzz

help:
	@echo "targets: all check unit san demo install uninstall format tidy check-layers fuzz bench clean deps"

# Regenerates the man page's KEYS list from the key table.
update-docs: $(BIN)
	@sh tools/man-keys.sh $(BIN) > $(BUILD)/keys.mdoc
	@awk -v f=$(BUILD)/keys.mdoc '/^\.\\" BEGIN KEYS/ { print; while ((getline l < f) > 0) print l; skip = 1; next } \
		/^\.\\" END KEYS/ { skip = 0 } !skip' man/fleetdeck.1 > $(BUILD)/fleetdeck.1.new
	@mv $(BUILD)/fleetdeck.1.new man/fleetdeck.1
	@echo "man/fleetdeck.1: KEYS regenerated"
