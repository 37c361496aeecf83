# cardrender: card-layout rendering engine.
#   make            library (static + shared), CLI, example program
#   make deps       installs the Debian packages the build and tests need (as root)
#   make test       include check, unit tests, golden images; then the same under ASan+UBSan;
#                   the PNG writer with zlib and the install path (zlib-test)
#   make demo       renders the examples into out/demo
#   make install    PREFIX=/usr/local DESTDIR= (library, header, tool, man pages)
#   make fuzz       libFuzzer harnesses (fuzz/), FUZZ_SECONDS each (clang)
#   make mutate     mutation score of the test suite (mutate/mutations.txt)
# CPPFLAGS, CFLAGS and LDFLAGS are honoured (after the project's own);
# PNG_DEFLATE=zlib writes PNGs with zlib instead of ISA-L (no libisal needed).
.DEFAULT_GOAL := all

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/cardrender
MANDIR  ?= $(PREFIX)/share/man
PYTHONDIR ?= $(PREFIX)/lib/python3/dist-packages

VERSION := 0.1.0
SOMAJOR := 0
BUILD   ?= build

CC      ?= cc
GOALS   := $(or $(MAKECMDGOALS),all)

# The build tree reads the checkout's font manifest (the library itself
# never looks in the working folder, only at the installed one): every
# test, script and tool these goals run gets it through the environment.
export CARDRENDER_FONT_MANIFEST ?= $(CURDIR)/fonts/manifest.json

# The PNG writer's deflate (render/output/png_deflate.h): isal, ISA-L's
# igzip, or zlib, for machines with no ISA-L package (LoongArch).
PNG_DEFLATE ?= isal
ifeq ($(filter $(PNG_DEFLATE),isal zlib),)
$(error PNG_DEFLATE is isal or zlib, not "$(PNG_DEFLATE)")
endif
ISAL_MODULE := $(if $(filter isal,$(PNG_DEFLATE)),libisal)
MODULES := freetype2 harfbuzz icu-uc icu-i18n libpng libjpeg jansson $(ISAL_MODULE) zlib

# Before anything is built, the Debian packages are checked; pkg-config is
# asked only once they are known to be there. Only the goals that set up a
# machine to try the project (make deps, demo, test, and bench, mutate and
# fuzz) install what is missing, as root with apt-get; a plain make or make
# install never does: it stops, naming the packages, and asks only for what
# compiling needs (not the tests' fonts and data).
INSTALL_DEPS_GOALS := deps demo test bench mutate fuzz
NO_DEPS_GOALS := clean format uninstall check-includes
BUILD_ONLY_GOALS := all install
DEPS_KIND := $(if $(filter-out $(BUILD_ONLY_GOALS) $(NO_DEPS_GOALS),$(GOALS)),all,build)
DEPS_FLAGS := $(if $(filter $(INSTALL_DEPS_GOALS),$(GOALS)),,--check) \
              $(if $(filter build,$(DEPS_KIND)),--build) $(if $(ISAL_MODULE),,--no-isal)
DEPS_STAMP := $(BUILD)/.deps-ok-$(DEPS_KIND)-$(PNG_DEFLATE)
ifeq ($(filter-out $(NO_DEPS_GOALS),$(GOALS)),)
else ifeq ($(wildcard $(DEPS_STAMP) $(BUILD)/.deps-ok-all-$(PNG_DEFLATE)),)
DEPS_RESULT := $(shell scripts/install-deps $(DEPS_FLAGS) >&2 && mkdir -p $(BUILD) && \
                 touch $(DEPS_STAMP) && echo ok)
DEPS_GOAL := make deps$(if $(ISAL_MODULE),, PNG_DEFLATE=zlib)
ifneq ($(DEPS_RESULT),ok)
$(error Debian packages are missing (listed above); `$(DEPS_GOAL)`, as root, installs them)
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(MODULES) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(MODULES) 2>/dev/null)
# The render service (tools/service.c, cli/cmd_serve.c): libmicrohttpd for
# HTTP, libsodium for base64 and a constant-time token comparison. libsodium
# is linked into the tool, the tests and the fuzzers, never into the
# library; libmicrohttpd is opened by `cardrender serve` when it starts
# (cmd_serve.c says why), by the soname of the library its header came with.
SERVICE_MODULES := libmicrohttpd libsodium
SERVICE_CFLAGS := $(shell pkg-config --cflags $(SERVICE_MODULES) 2>/dev/null)
SERVICE_LIBS   := $(shell pkg-config --libs libsodium 2>/dev/null)
MHD_SONAME := $(shell objdump -p "$$(pkg-config --variable=libdir libmicrohttpd 2>/dev/null)/libmicrohttpd.so" 2>/dev/null | awk '/SONAME/ {print $$2}')
TEST_CFLAGS := $(shell pkg-config --cflags cmocka zlib 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs cmocka zlib 2>/dev/null)

# -Werror only when the project tests itself (these goals, and the sub-makes
# of make test): another compiler, or a distribution's CFLAGS, may warn
# where ours does not, and a plain build must not stop for it.
TEST_GOALS := test unit-test cli-test golden-test asan-test zlib-test zlib-suite install-test
WERROR   ?= $(if $(filter $(TEST_GOALS),$(GOALS)),-Werror)
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter $(WERROR)
OPT      ?= -O2 -g
SANITIZE ?=
# The library lives in one folder per stage (render/model, text, image,
# paint, output, card, and base for what all share); each is on the include
# path, so a file names a header by its name alone. The library and the
# tools see every header; the CLI sees only the public header and the
# tools' (INCLUDES is set again for its objects below).
RENDER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard render/*/*.c render/*/*.h))))
INCLUDES := -Iinclude $(RENDER_DIRS:%=-I%) -Itools
# Every compile: the project's flags, then CPPFLAGS and CFLAGS (a
# distribution's -O2 -D_FORTIFY_SOURCE=2 ...); every link: LINK_FLAGS,
# ending in LDFLAGS.
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANITIZE) -fPIC -fvisibility=hidden $(INCLUDES) \
             -DCR_DATADIR='"$(DATADIR)"' $(PKG_CFLAGS) $(SERVICE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LINK_FLAGS = $(OPT) $(SANITIZE) $(CFLAGS) $(LDFLAGS)
# libcsv (batch records) and libzint (barcode fields) ship no pkg-config file.
LDLIBS_ALL := $(PKG_LIBS) -lcsv -lzint -lpthread -lm $(LDLIBS)

# One of the two deflate backends is compiled (PNG_DEFLATE).
OTHER_DEFLATE := render/output/png_deflate_$(filter-out $(PNG_DEFLATE),isal zlib).c
LIB_SRC  := $(filter-out $(OTHER_DEFLATE),$(sort $(wildcard render/*/*.c)))
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
.PHONY: all deps test check-includes unit-test cli-test golden-test asan-test zlib-test zlib-suite \
        install-test demo install uninstall clean update-golden format bench png-table fuzz fuzz-run \
        mutate abi-baseline python-test

all: $(STATIC_LIB) $(SHARED_LIB) $(CLI) $(EXAMPLES)

deps:
	scripts/install-deps $(if $(ISAL_MODULE),,--no-isal)

# V=1 shows the compiler command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Everything is built again when the flags change (CFLAGS on the command
# line, the test goals' -Werror, PNG_DEFLATE), as git's GIT-CFLAGS; the
# installed manifest's folder, compiled in, apart: a PREFIX of its own
# rebuilds only what names it.
BUILD_FLAGS = $(CC) $(filter-out -DCR_DATADIR=%,$(CFLAGS_ALL)) | $(LINK_FLAGS) $(LDLIBS_ALL)
$(BUILD)/.flags: export CR_STAMP = $(BUILD_FLAGS)
$(BUILD)/.datadir: export CR_STAMP = $(DATADIR)
$(BUILD)/.flags $(BUILD)/.datadir: FORCE
	@mkdir -p $(BUILD)
	@printf '%s\n' "$$CR_STAMP" | cmp -s - $@ || printf '%s\n' "$$CR_STAMP" > $@
$(BUILD)/render/base/engine.o $(BUILD)/cli/main.o $(BUILD)/tests/test_fonts.o: $(BUILD)/.datadir
FORCE:

# The PNG writer's Huffman code as ISA-L's table (scripts/png_card_code.c),
# generated against the installed ISA-L with the build's own compiler, no
# sanitizer: it runs while building.
CARD_CODE_GEN := $(BUILD)/generated/png_card_code
$(CARD_CODE_GEN): scripts/png_card_code.c render/output/png_huffman_table.h $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(OPT) $(WARN) -Irender/output $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $$(pkg-config --cflags --libs libisal)
$(CARD_CODE_GEN).h: $(CARD_CODE_GEN)
	$(Q)$< $@.tmp && mv $@.tmp $@
$(BUILD)/render/output/png_deflate_isal.o: $(CARD_CODE_GEN).h
$(BUILD)/render/output/png_deflate_isal.o: INCLUDES += -I$(BUILD)/generated
# test_png_plan asserts that ISA-L's build of the code splices.
$(BUILD)/tests/test_png_plan.o: CFLAGS_ALL += -DCR_TEST_PNG_DEFLATE_$(PNG_DEFLATE)

$(STATIC_LIB): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ) $(BUILD)/.flags
	$(Q)$(CC) -shared -Wl,-soname,libcardrender.so.$(SOMAJOR) $(LINK_FLAGS) -o $@ $(LIB_OBJ) \
	    $(LDLIBS_ALL)
	$(Q)ln -sf libcardrender.so.$(VERSION) $(BUILD)/libcardrender.so.$(SOMAJOR)
	$(Q)ln -sf libcardrender.so.$(SOMAJOR) $(BUILD)/libcardrender.so

$(TOOLS_LIB): $(TOOLS_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(CLI_OBJ): INCLUDES := -Iinclude -Itools

# What `cardrender serve` serves from the binary: the studio page and the
# schemas (scripts/embed-files).
SERVED_FILES := $(foreach f,$(sort $(wildcard studio/*)),/$(f)=$(f)) \
                $(foreach f,$(sort $(wildcard schema/*.json)),/v1/$(f)=$(f))
SERVED_OBJ := $(BUILD)/cli/served_files.o
$(BUILD)/cli/served_files.c: scripts/embed-files $(sort $(wildcard studio/* schema/*.json))
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-files $@ $(SERVED_FILES)
$(SERVED_OBJ): $(BUILD)/cli/served_files.c $(BUILD)/.flags
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/cli/cmd_serve.o: CFLAGS_ALL += -DCR_MHD_SONAME='"$(or $(MHD_SONAME),libmicrohttpd.so.12)"'

$(CLI): $(CLI_OBJ) $(SERVED_OBJ) $(TOOLS_LIB) $(STATIC_LIB) $(BUILD)/.flags
	$(Q)$(CC) $(LINK_FLAGS) -o $@ $(CLI_OBJ) $(SERVED_OBJ) $(TOOLS_LIB) $(STATIC_LIB) \
	    $(SERVICE_LIBS) $(LDLIBS_ALL)

$(BUILD)/examples/%: examples/%.c $(STATIC_LIB) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $< $(STATIC_LIB) $(LDLIBS_ALL)

# Test programs are compiled once and linked again when the library
# changes (make mutate rebuilds after every one-line change).
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
.PRECIOUS: $(BUILD)/tests/%.o
$(BUILD)/tests/%.o: tests/%.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests -Ifuzz -MMD -MP -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(TOOLS_LIB) $(STATIC_LIB)
	$(Q)$(CC) $(LINK_FLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(TEST_EXTRA) $(TOOLS_LIB) $(STATIC_LIB) \
	    $(TEST_LIBS) $(SERVICE_LIBS) $(LDLIBS_ALL)

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
$(FAULT_SHIM): tests/faults/fault_inject.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -O2 -Wall -Wextra $(WERROR) $(CPPFLAGS) $(CFLAGS) -shared -fPIC $(LDFLAGS) \
	    -o $@ $< -ldl

cli-test: $(CLI) $(FAULT_SHIM) $(SHARED_LIB) $(EXAMPLES)
	tests/abi.sh $(SHARED_LIB) include/cardrender.h $(ABI_BASELINE)
	tests/cli.sh $(CLI)
	CR_SKIP_LOG=$(SKIP_LOG) tests/man.sh $(CLI)
	tests/batch.sh $(CLI)
	tests/golden.sh $(CLI)
	tests/faults.sh $(CLI) $(FAULT_SHIM)
	tests/outputs.sh $(CLI) $(FAULT_SHIM)
	$(PYTHON_ENV) $(PYTHON) -m pytest -q -rs -p no:cacheprovider tests/python

check-includes:
	@scripts/check-includes render

# The Python binding (python/cardrender) against this build's shared library
# and tool, with Debian's python3 and pytest. Under the sanitizers the
# runtimes are preloaded into python3, which was not built with them.
PYTHON ?= /usr/bin/python3
PYTHON_ENV = PYTHONPATH=python PYTHONDONTWRITEBYTECODE=1 CARDRENDER_CLI=$(CLI) \
             CARDRENDER_LIBRARY=$(BUILD)/libcardrender.so.$(SOMAJOR) \
             CARDRENDER_FONT_MANIFEST=$(CURDIR)/fonts/manifest.json \
             $(if $(SANITIZE),LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) \
             $$($(CC) -print-file-name=libubsan.so)" ASAN_OPTIONS=detect_leaks=0)
python-test: $(SHARED_LIB) $(CLI)
	$(PYTHON_ENV) $(PYTHON) -m pytest -q -rs -p no:cacheprovider tests/python

# The ABI that tests/abi.sh holds the shared library to: written from a
# plain build (with -g) when functions are added or the soname changes.
ABI_BASELINE := abi/libcardrender.abi
abi-baseline: $(SHARED_LIB)
	abidw --headers-dir include --drop-undefined-syms --no-corpus-path --out-file $(ABI_BASELINE) \
	    $(SHARED_LIB)

# Seven suites: unit, cli, golden, then the same under ASan+UBSan, then
# zlib-test. All run even after a failure; the last line counts suites that
# passed and failed and unit tests that were skipped (in every build; each
# listed above).
SUITES := unit-test cli-test golden-test
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SANITIZE="$(ASAN_FLAGS)"
ZLIB_BUILD := build-zlib
SKIP_LOGS := $(BUILD)/skipped-tests.txt build-asan/skipped-tests.txt $(ZLIB_BUILD)/skipped-tests.txt
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
	if $(MAKE) --no-print-directory zlib-test; then passed=$$((passed + 1)); \
	else failed=$$((failed + 1)); echo "make test: suite zlib-test FAILED"; fi; \
	skipped=$$(cat $(SKIP_LOGS) 2>/dev/null | wc -l); \
	echo "make test: unit, cli and golden suites, plain and under ASan+UBSan; PNG with zlib, install"; \
	if [ $$skipped != 0 ]; then echo "skipped tests (their reasons):"; \
	    cat $(SKIP_LOGS) 2>/dev/null | sed 's/^/  /'; fi; \
	echo "suites: $$passed passed, $$failed failed, $$skipped skipped"; \
	[ $$failed = 0 ]

asan-test:
	@$(ASAN_MAKE) $(SUITES)

# The PNG writer with zlib (PNG_DEFLATE=zlib), built into ZLIB_BUILD: the
# PNG unit tests (test_png, test_png_files, test_png_read, test_png_plan),
# the cards painted from the static cache against painted whole (the same
# bytes), the golden images (exactly the pixels zlib's files hold, read back
# by libpng), then the install path. Under a minute on 2 cores.
ZLIB_TESTS := $(BUILD)/tests/test_png $(BUILD)/tests/test_png_files $(BUILD)/tests/test_png_read \
    $(BUILD)/tests/test_png_plan $(BUILD)/tests/test_print
zlib-test:
	@$(MAKE) --no-print-directory BUILD=$(ZLIB_BUILD) PNG_DEFLATE=zlib zlib-suite

zlib-suite: $(ZLIB_TESTS) $(CLI)
	@rm -f $(SKIP_LOG); status=0; \
	for t in $(ZLIB_TESTS); do echo "== $$t"; CR_SKIP_LOG=$(SKIP_LOG) $$t || status=1; done; \
	exit $$status
	$(CLI) golden tests/golden
	@$(MAKE) --no-print-directory install-test

# make install into BUILD/install-test/before, then tests/install.sh: the
# installed tool run from a folder with a fonts/ of its own, the tree moved
# and found again through pkg-config, the API example built against it.
INSTALL_TEST = $(abspath $(BUILD))/install-test
install-test:
	@rm -rf $(INSTALL_TEST)
	@$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST)/before WERROR=$(WERROR) >/dev/null
	tests/install.sh $(INSTALL_TEST) $(PNG_DEFLATE)

# libFuzzer harnesses (fuzz/*.c), not part of `make test`: the library is
# built again with clang and the sanitizers into FUZZ_BUILD (the ordinary
# object rules, other CC and SANITIZE), then fuzz/run seeds each corpus from
# the repo and runs each harness for FUZZ_SECONDS (or until it has used
# FUZZ_CPU_SECONDS of CPU time, when that is set). Crashes land in
# FUZZ_BUILD/fuzz/artifacts/HARNESS/.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= template record image csv encoding memory png service
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
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/fuzz_paths.o \
	    $(TOOLS_LIB) $(STATIC_LIB) $(SERVICE_LIBS) $(LDLIBS_ALL)

# Mutation testing, not part of `make test` (about 10 minutes on 2 cores):
# each mutation of mutate/mutations.txt is applied to a scratch copy of the
# tree, which is rebuilt and put through the plain suite; prints killed or
# survived per mutation and the score. MUTATE_ONLY=id,id runs a few.
mutate:
	@scripts/mutate $(if $(MUTATE_ONLY),--only $(MUTATE_ONLY)) mutate/mutations.txt

# The engine against a Pango+Cairo program of the project's own, built with
# two PNG writers (bench/run says what is measured). Only this target needs
# Pango and Cairo; it needs ISA-L even with PNG_DEFLATE=zlib, for the
# headline peer pango_card_isal (bench/isal_png.c).
BENCH := $(BUILD)/bench
bench: $(STATIC_LIB) $(CLI)
	@scripts/install-deps --bench $(if $(ISAL_MODULE),,--no-isal)
	@mkdir -p $(BENCH)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $(BENCH)/engine_card bench/engine_card.c $(STATIC_LIB) \
	    $(LDLIBS_ALL)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $(BENCH)/png_encode bench/png_encode.c $(STATIC_LIB) \
	    $(LDLIBS_ALL)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $(BENCH)/pango_card bench/pango_card.c \
	    $$(pkg-config --cflags --libs pangocairo jansson libjpeg) -lm
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -DPNG_WRITER_ISAL $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) \
	    $(LDFLAGS) -o $(BENCH)/pango_card_isal bench/pango_card.c bench/isal_png.c \
	    $$(pkg-config --cflags --libs pangocairo jansson libjpeg libisal) -lm
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $(BENCH)/make_art bench/make_art.c $$(pkg-config --cflags --libs cairo) -lm
	bench/run $(BUILD)

# The Huffman code the PNG writer uses, counted on the edition golden cases
# rendered at 300 dpi, as the writer codes them (bench/train_png_table.c).
# Run again when templates, artwork or the writer's plans change much; the
# library is then built again with the new code.
png-table: $(STATIC_LIB)
	@mkdir -p $(BENCH)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $(BENCH)/train_png_table bench/train_png_table.c \
	    $(STATIC_LIB) $(LDLIBS_ALL)
	CARDRENDER_FONT_MANIFEST=$(CURDIR)/fonts/manifest.json \
	    $(BENCH)/train_png_table render/output/png_huffman_table.h 300 tests/golden/ed-*

demo: $(CLI) $(EXAMPLE)
	@scripts/demo $(CLI) $(EXAMPLE)

update-golden: $(CLI)
	$(CLI) golden tests/golden --update

# cardrender.pc finds the prefix from its own folder, ${pcfiledir}: an
# installed tree can move (a staging folder, a relocatable package). With
# LIBDIR = PREFIX/lib/x86_64-linux-gnu, prefix=${pcfiledir}/../../..; a
# LIBDIR outside PREFIX keeps the absolute prefix.
empty :=
space := $(empty) $(empty)
LIBDIR_IN_PREFIX := $(patsubst $(PREFIX)/%,%,$(filter $(PREFIX)/%,$(LIBDIR)))
PC_UP := $(patsubst %,..,$(subst /, ,$(LIBDIR_IN_PREFIX)) pkgconfig)
PC_PREFIX := $(if $(LIBDIR_IN_PREFIX),$${pcfiledir}/$(subst $(space),/,$(PC_UP)),$(PREFIX))
pc_path = $(if $(LIBDIR_IN_PREFIX),$(patsubst $(PREFIX)/%,$${prefix}/%,$(1)),$(1))

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(DATADIR)/fonts $(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5
	install -m 644 include/cardrender.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libcardrender.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcardrender.so.$(SOMAJOR)
	ln -sf libcardrender.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcardrender.so
	install -d $(DESTDIR)$(PYTHONDIR)/cardrender
	install -m 644 python/cardrender/__init__.py $(DESTDIR)$(PYTHONDIR)/cardrender/
	printf '# Written by make install: the library, relative to this folder.\nLIBRARY = "%s"\n' \
	    "$$(realpath -m --relative-to=$(PYTHONDIR)/cardrender $(LIBDIR))/libcardrender.so.$(SOMAJOR)" \
	    > $(DESTDIR)$(PYTHONDIR)/cardrender/_installed.py
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 fonts/manifest.json $(DESTDIR)$(DATADIR)/fonts/
	install -m 644 schema/template.schema.json schema/record.schema.json $(DESTDIR)$(DATADIR)/schema/
	for page in man1/cardrender.1 man5/cardrender-template.5; do \
	    sed 's|/usr/local/share/cardrender|$(DATADIR)|g' man/$${page#*/} \
	        > $(DESTDIR)$(MANDIR)/$$page && chmod 644 $(DESTDIR)$(MANDIR)/$$page || exit 1; \
	done
	sed -e 's|@PREFIX@|$(PC_PREFIX)|' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|' \
	    -e 's|@INCDIR@|$(call pc_path,$(INCDIR))|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@REQUIRES_PRIVATE@|$(MODULES)|' cardrender.pc.in \
	    > $(DESTDIR)$(LIBDIR)/pkgconfig/cardrender.pc

uninstall:
	rm -f $(DESTDIR)$(INCDIR)/cardrender.h $(DESTDIR)$(LIBDIR)/libcardrender.* \
	    $(DESTDIR)$(BINDIR)/cardrender $(DESTDIR)$(LIBDIR)/pkgconfig/cardrender.pc \
	    $(DESTDIR)$(MANDIR)/man1/cardrender.1 $(DESTDIR)$(MANDIR)/man5/cardrender-template.5
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(PYTHONDIR)/cardrender

format:
	clang-format -i include/*.h render/*/*.[ch] tools/*.[ch] cli/*.[ch] tests/*.[ch] examples/*.c \
	    bench/*.c fuzz/*.[ch]

clean:
	rm -rf build build-asan build-fuzz $(ZLIB_BUILD) out
