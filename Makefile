# codesift - build, test, install.
#
#   make            build every program of filters/ into bin/
#   make test       install missing Debian packages, build, run every test
#   make demo       run the pipeline on the sample shipped in the repo
#   make sanitize   build with ASan+UBSan into build/sanitize and run the tests
#   make fuzz       build the libFuzzer targets with clang and run each a while
#   make bench      run the benchmarks (needs ../shared or CORPUS=...)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Each filters/<prog>/module.mk adds its program to PROGS and lists its
# sources as <prog>_SRCS; tests/unit/module.mk lists the unit tests.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/codesift

BUILD	?= build/release
BIN	?= bin
CC	?= cc
OPT	?= -O2 -g
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer

PKGS	= libcurl openssl libpcre2-8 json-c libxxhash libzstd zlib
# '=' (not ':='): evaluated when a rule runs, after 'make deps'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	= -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Werror
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(EXTRA_CFLAGS) \
	  -Icommon -DCODESIFT_DATADIR='"$(DATADIR)"' $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

COMMON_SRCS = $(wildcard common/*.c)
COMMON_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRCS))
LIBCOMMON   = $(BUILD)/libcommon.a

PROGS :=
UNIT_TESTS :=
FUZZ_TARGETS :=
include $(sort $(wildcard filters/*/module.mk))
include tests/unit/module.mk
include tests/fuzz/module.mk

BINS = $(addprefix $(BIN)/,$(PROGS))
UNIT_BINS = $(addprefix $(BUILD)/tests/unit/,$(UNIT_TESTS))

.PHONY: all test check deps demo sanitize fuzz bench install install-only uninstall \
	clean golden-update unit manlint
.DEFAULT_GOAL := all

all: $(BINS) $(UNIT_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(TEST_INC) -MMD -MP -c -o $@ $<

# unit tests and fuzz targets include their filter's headers
$(BUILD)/tests/%.o: TEST_INC = -Itests/unit $(addprefix -I,$(wildcard filters/*))

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

define PROG_rule
$(BIN)/$(1): $$(patsubst %.c,$(BUILD)/%.o,$$($(1)_SRCS)) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(CC) $$(OPT) $$(EXTRA_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach p,$(PROGS),$(eval $(call PROG_rule,$(p))))

# a unit test: tests/unit/<name>.c plus <name>_SRCS (algorithm files)
define UNIT_rule
$(BUILD)/tests/unit/$(1): $(BUILD)/tests/unit/$(1).o \
    $$(patsubst %.c,$(BUILD)/%.o,$$($(1)_SRCS)) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(CC) $$(OPT) $$(EXTRA_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_rule,$(t))))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- tests ----

deps:
	@sh tests/lib/deps.sh configs/debian-packages.txt

# 'make test' is what CI runs: packages, build, every test, one summary.
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check

check: all
	@CODESIFT_BIN=$(abspath $(BIN)) CODESIFT_UNIT=$(abspath $(BUILD))/tests/unit \
	    UNIT_TESTS="$(UNIT_TESTS)" bash tests/run.sh

unit: $(UNIT_BINS)
	@CODESIFT_BIN=$(abspath $(BIN)) CODESIFT_UNIT=$(abspath $(BUILD))/tests/unit \
	    UNIT_TESTS="$(UNIT_TESTS)" bash tests/run.sh unit

manlint:
	@bash tests/run.sh man

golden-update: all
	@CODESIFT_BIN=$(abspath $(BIN)) bash tests/golden/run.sh --update

sanitize:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/sanitize BIN=build/sanitize/bin \
	    OPT="-O1 -g" EXTRA_CFLAGS="$(SAN_FLAGS)" \
	    CODESIFT_SANITIZE=1 check

# ---- fuzzing: clang + libFuzzer, FUZZ_SECONDS per target ----

FUZZ_SECONDS ?= 30
FUZZ_BUILD = build/fuzz
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

define FUZZ_rule
$(FUZZ_BUILD)/bin/$(1): tests/fuzz/$(1).c $$($(1)_SRCS) $(COMMON_SRCS)
	@mkdir -p $$(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Icommon \
	    $$(addprefix -I,$$(wildcard filters/*)) $$(PKG_CFLAGS) \
	    -DCODESIFT_DATADIR='"$(DATADIR)"' -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach f,$(FUZZ_TARGETS),$(eval $(call FUZZ_rule,$(f))))

fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(addprefix $(FUZZ_BUILD)/bin/,$(FUZZ_TARGETS))
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BIN=$(FUZZ_BUILD)/bin \
	    bash tests/fuzz/run.sh $(FUZZ_TARGETS)

# ---- demo and benchmarks ----

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@bash pipelines/demo.sh

bench: all
	@bash bench/run-all.sh

# ---- install ----

install: all
	@$(MAKE) --no-print-directory install-only

# install what is built, without building (tests install the build under test)
install-only:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/
	cp -R configs/. $(DESTDIR)$(DATADIR)/
	rm -f $(DESTDIR)$(DATADIR)/debian-packages.txt

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7)))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build bin
