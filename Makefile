# cardrender: card-layout rendering engine.
#   make            library (static + shared), CLI, example program
#   make test       include check, unit tests, golden images; then the same under ASan+UBSan
#   make demo       renders the examples into out/demo
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       libFuzzer harnesses (fuzz/), FUZZ_SECONDS each (clang)
#   make mutate     mutation score of the test suite (mutate/mutations.txt)
.DEFAULT_GOAL := all

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/cardrender

VERSION := 0.1.0
SOMAJOR := 0
BUILD   ?= build

CC      ?= cc
MODULES := freetype2 harfbuzz icu-uc icu-i18n libpng libjpeg jansson libisal zlib
DEPS_STAMP := $(BUILD)/.deps-ok

# Before anything is built, check the Debian packages (and install them as
# root); pkg-config is asked only once they are known to be there.
NO_DEPS_GOALS := clean format uninstall check-includes
ifeq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else ifeq ($(wildcard $(DEPS_STAMP)),)
DEPS_RESULT := $(shell scripts/install-deps >&2 && mkdir -p $(BUILD) && touch $(DEPS_STAMP) && echo ok)
ifneq ($(DEPS_RESULT),ok)
$(error dependencies are missing: see the apt-get line above)
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(MODULES) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(MODULES) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags cmocka zlib 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs cmocka zlib 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
SANITIZE ?=
# The library lives in one folder per stage (render/model, text, image,
# paint, output, card, and base for what all share); each is on the include
# path, so a file names a header by its name alone. The library and the
# tools see every header; the CLI sees only the public header and the
# tools' (INCLUDES is set again for its objects below).
RENDER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard render/*/*.c render/*/*.h))))
INCLUDES := -Iinclude $(RENDER_DIRS:%=-I%) -Itools
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANITIZE) -fPIC -fvisibility=hidden $(INCLUDES) \
             -DCR_DATADIR='"$(DATADIR)"' $(PKG_CFLAGS) $(CFLAGS)
# libcsv (batch records) ships no pkg-config file.
LDLIBS_ALL := $(PKG_LIBS) -lcsv -lpthread -lm $(LDLIBS)

LIB_SRC  := $(sort $(wildcard render/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# tools/: what only the CLI, the tests and the fuzzers use (batch input and
# output, the layout report, picture comparison), outside the library.
TOOLS_SRC := $(sort $(wildcard tools/*.c))
TOOLS_OBJ := $(TOOLS_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(sort $(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))

STATIC_LIB := $(BUILD)/libcardrender.a
TOOLS_LIB  := $(BUILD)/libcardrender-tools.a
SHARED_LIB := $(BUILD)/libcardrender.so.$(VERSION)
CLI        := $(BUILD)/cardrender
EXAMPLE    := $(BUILD)/examples/api_example
EXAMPLES   := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

# check-includes: no circle among the library's modules (scripts/check-includes).
.PHONY: all deps test check-includes unit-test cli-test golden-test asan-test demo install uninstall clean \
        update-golden format bench png-table fuzz fuzz-run mutate abi-baseline

all: $(STATIC_LIB) $(SHARED_LIB) $(CLI) $(EXAMPLES)

deps:
	scripts/install-deps

# V=1 shows the compiler command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The installed manifest's folder is compiled in: rebuild when PREFIX changes.
$(BUILD)/.datadir: FORCE
	@mkdir -p $(BUILD)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(BUILD)/render/base/engine.o: $(BUILD)/.datadir
FORCE:

$(STATIC_LIB): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	$(Q)$(CC) -shared -Wl,-soname,libcardrender.so.$(SOMAJOR) $(SANITIZE) -o $@ $^ $(LDLIBS_ALL)
	$(Q)ln -sf libcardrender.so.$(VERSION) $(BUILD)/libcardrender.so.$(SOMAJOR)
	$(Q)ln -sf libcardrender.so.$(SOMAJOR) $(BUILD)/libcardrender.so

$(TOOLS_LIB): $(TOOLS_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(CLI_OBJ): INCLUDES := -Iinclude -Itools

$(CLI): $(CLI_OBJ) $(TOOLS_LIB) $(STATIC_LIB)
	$(Q)$(CC) $(SANITIZE) -o $@ $(CLI_OBJ) $(TOOLS_LIB) $(STATIC_LIB) $(LDLIBS_ALL)

$(BUILD)/examples/%: examples/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(STATIC_LIB) $(LDLIBS_ALL)

# Test programs are compiled once and linked again when the library
# changes (make mutate rebuilds after every one-line change).
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
.PRECIOUS: $(BUILD)/tests/%.o
$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests -Ifuzz -MMD -MP -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(TOOLS_LIB) $(STATIC_LIB)
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(TEST_SUPPORT_OBJ) $(TEST_EXTRA) $(TOOLS_LIB) $(STATIC_LIB) \
	    $(TEST_LIBS) $(LDLIBS_ALL)

# The fuzz regression test replays inputs through the harnesses' own code.
FUZZ_PATHS_OBJ := $(BUILD)/fuzz/fuzz_paths.o
$(BUILD)/tests/test_fuzz_regressions: TEST_EXTRA := $(FUZZ_PATHS_OBJ)
$(BUILD)/tests/test_fuzz_regressions: $(FUZZ_PATHS_OBJ)

-include $(LIB_OBJ:.o=.d) $(TOOLS_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
    $(TEST_SUPPORT_OBJ:.o=.d) $(BUILD)/fuzz/fuzz_paths.d

# Unit tests run from the project root so they find fonts/ and ../shared/.
# Each skipped test says why and adds a line to SKIP_LOG (tests/support.h);
# CR_REQUIRE_DATA=1 (.ci/run) turns a skip for missing data into a failure.
SKIP_LOG = $(BUILD)/skipped-tests.txt
unit-test: $(TEST_BIN)
	@rm -f $(SKIP_LOG); status=0; \
	for t in $(TEST_BIN); do echo "== $$t"; CR_SKIP_LOG=$(SKIP_LOG) $$t || status=1; done; \
	skipped=$$(cat $(SKIP_LOG) 2>/dev/null | wc -l); \
	echo "unit tests: $$skipped skipped$$( [ $$skipped = 0 ] || echo ' (see SKIPPED above)')"; \
	exit $$status

golden-test: $(CLI)
	$(CLI) golden tests/golden

# The fault shim (tests/faults.sh) is loaded into the tool with LD_PRELOAD:
# built plain, without the sanitizers, in every build.
FAULT_SHIM := $(BUILD)/tests/faults/fault_inject.so
$(FAULT_SHIM): tests/faults/fault_inject.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

cli-test: $(CLI) $(FAULT_SHIM) $(SHARED_LIB) $(EXAMPLES)
	tests/abi.sh $(SHARED_LIB) include/cardrender.h $(ABI_BASELINE)
	tests/cli.sh $(CLI)
	tests/batch.sh $(CLI)
	tests/golden.sh $(CLI)
	tests/faults.sh $(CLI) $(FAULT_SHIM)

check-includes:
	@scripts/check-includes render

# The ABI that tests/abi.sh holds the shared library to: written from a
# plain build (with -g) when functions are added or the soname changes.
ABI_BASELINE := abi/libcardrender.abi
abi-baseline: $(SHARED_LIB)
	abidw --headers-dir include --drop-undefined-syms --no-corpus-path --out-file $(ABI_BASELINE) \
	    $(SHARED_LIB)

# Six suites: unit, cli, golden, then the same under ASan+UBSan. All run
# even after a failure; the last line counts suites that passed and failed
# and unit tests that were skipped (in both builds; each listed above).
SUITES := unit-test cli-test golden-test
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SANITIZE="$(ASAN_FLAGS)"
test: check-includes
	@passed=0; failed=0; \
	for s in $(SUITES); do \
	    if $(MAKE) --no-print-directory $$s; then passed=$$((passed + 1)); \
	    else failed=$$((failed + 1)); echo "make test: suite $$s FAILED"; fi; \
	done; \
	for s in $(SUITES); do \
	    if $(ASAN_MAKE) $$s; then passed=$$((passed + 1)); \
	    else failed=$$((failed + 1)); echo "make test: suite $$s (ASan+UBSan) FAILED"; fi; \
	done; \
	skipped=$$(cat $(BUILD)/skipped-tests.txt build-asan/skipped-tests.txt 2>/dev/null | wc -l); \
	echo "make test: unit, cli and golden suites, plain and under ASan+UBSan"; \
	if [ $$skipped != 0 ]; then echo "skipped tests (their reasons):"; \
	    cat $(BUILD)/skipped-tests.txt build-asan/skipped-tests.txt 2>/dev/null | sed 's/^/  /'; fi; \
	echo "suites: $$passed passed, $$failed failed, $$skipped skipped"; \
	[ $$failed = 0 ]

asan-test:
	@$(ASAN_MAKE) $(SUITES)

# libFuzzer harnesses (fuzz/*.c), not part of `make test`: the library is
# built again with clang and the sanitizers into FUZZ_BUILD (the ordinary
# object rules, other CC and SANITIZE), then fuzz/run seeds each corpus from
# the repo and runs each harness for FUZZ_SECONDS. Crashes land in
# FUZZ_BUILD/fuzz/artifacts/HARNESS/.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= template record image csv
FUZZ_BUILD := $(if $(filter command line environment,$(origin BUILD)),$(BUILD),build-fuzz)
FUZZ_SANITIZE := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                 -fno-omit-frame-pointer
FUZZ_BIN := $(FUZZ_HARNESSES:%=$(BUILD)/fuzz/fuzz_%)
.SECONDARY: $(BUILD)/fuzz/fuzz_paths.o

fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
	    SANITIZE="$(FUZZ_SANITIZE)" fuzz-run

fuzz-run: $(FUZZ_BIN)
	@fuzz/run $(BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(BUILD)/fuzz/fuzz_paths.o $(TOOLS_LIB) \
                      $(STATIC_LIB)
	@$(if $(Q),echo "  FUZZ-CC $<")
	$(Q)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/fuzz_paths.o $(TOOLS_LIB) \
	    $(STATIC_LIB) $(LDLIBS_ALL)

# Mutation testing, not part of `make test` (about 10 minutes on 2 cores):
# each mutation of mutate/mutations.txt is applied to a scratch copy of the
# tree, which is rebuilt and put through the plain suite; prints killed or
# survived per mutation and the score. MUTATE_ONLY=id,id runs a few.
mutate:
	@scripts/mutate $(if $(MUTATE_ONLY),--only $(MUTATE_ONLY)) mutate/mutations.txt

# The engine against a Pango+Cairo program of the project's own (bench/run
# says what is measured). Only this target needs Pango and Cairo.
BENCH := $(BUILD)/bench
bench: $(STATIC_LIB) $(CLI)
	@scripts/install-deps --bench
	@mkdir -p $(BENCH)
	$(Q)$(CC) $(CFLAGS_ALL) -o $(BENCH)/engine_card bench/engine_card.c $(STATIC_LIB) $(LDLIBS_ALL)
	$(Q)$(CC) $(CFLAGS_ALL) -o $(BENCH)/png_encode bench/png_encode.c $(STATIC_LIB) $(LDLIBS_ALL)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -o $(BENCH)/pango_card bench/pango_card.c \
	    $$(pkg-config --cflags --libs pangocairo jansson libjpeg) -lm
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -o $(BENCH)/make_art bench/make_art.c \
	    $$(pkg-config --cflags --libs cairo) -lm
	bench/run $(BUILD)

# The Huffman code the PNG writer uses, counted on the edition golden cards
# (bench/train_png_table.c). Run again when templates or artwork change much.
png-table:
	@mkdir -p $(BENCH)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -o $(BENCH)/train_png_table \
	    bench/train_png_table.c $$(pkg-config --cflags --libs libpng libisal)
	$(BENCH)/train_png_table render/output/png_huffman_table.h tests/golden/ed-*/expected.png

demo: $(CLI) $(EXAMPLE)
	@scripts/demo $(CLI) $(EXAMPLE)

update-golden: $(CLI)
	$(CLI) golden tests/golden --update

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(DATADIR)/fonts
	install -m 644 include/cardrender.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libcardrender.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcardrender.so.$(SOMAJOR)
	ln -sf libcardrender.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcardrender.so
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 fonts/manifest.json $(DESTDIR)$(DATADIR)/fonts/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' cardrender.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/cardrender.pc

uninstall:
	rm -f $(DESTDIR)$(INCDIR)/cardrender.h $(DESTDIR)$(LIBDIR)/libcardrender.* \
	    $(DESTDIR)$(BINDIR)/cardrender $(DESTDIR)$(LIBDIR)/pkgconfig/cardrender.pc
	rm -rf $(DESTDIR)$(DATADIR)

format:
	clang-format -i include/*.h render/*/*.[ch] tools/*.[ch] cli/*.[ch] tests/*.[ch] examples/*.c \
	    bench/*.c fuzz/*.[ch]

clean:
	rm -rf build build-asan build-fuzz out
