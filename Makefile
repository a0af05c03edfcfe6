# SPDX-License-Identifier: GPL-2.0
#
# KVM arm64 PMU event-filter selftests.
#
#   make                 build every test (static arm64; cross from x86)
#   make unit            build and run the host-side unit tests (no KVM)
#   make run_tests       run the suite (natively on arm64 with /dev/kvm,
#                        else under QEMU: see run_tests.sh --help)
#   make install INSTALL_PATH=DIR
#   make check           shellcheck, unit tests, build, then the suite
#   make check-partitioned
#                        build Debian's 7.3 with the partitioned-PMU series
#                        (PPMU_PATCHES=DIR) and run the suite on it, both
#                        backends, then filter_api on a host PMU left whole
#
# OUTPUT=DIR puts every build product under DIR (kselftest convention).
#
# Copied or symlinked into a kernel tree as tools/testing/selftests/NAME,
# the same Makefile is a kselftest target: kselftest's lib.mk then owns
# all, install, run_tests, clean and emit_tests, and the tree's UAPI headers
# ($(KHDR_INCLUDES), after "make headers") come before the system's
# (scripts/kselftest-dropin.sh proves it with Debian's linux-source-7.3).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# kselftest's lib.mk: beside a copy.  Through a symlink $(TOP) is this
# repository (make -C resolves it); when the selftests Makefile runs us (it
# exports KHDR_INCLUDES), $(PWD) is still its directory: -C doesn't change it.
KSFT_LIB := $(firstword $(wildcard $(TOP)/../lib.mk $(if $(KHDR_INCLUDES),$(PWD)/lib.mk)))
OUTPUT ?= $(TOP)/build
INSTALL_PATH ?= $(OUTPUT)/install

ifeq ($(shell uname -m),aarch64)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
CC := $(CROSS_COMPILE)gcc
HOSTCC ?= cc

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	    -Wstrict-prototypes -Wshadow
# Guest code runs from the same binary with no TLS and no libc state:
# no stack protector, inline atomics.
CFLAGS ?= -O2 -g
# lib.mk adds -D_GNU_SOURCE= itself, and its UAPI headers go first.
CFLAGS += -std=gnu11 $(WARNINGS)$(if $(KSFT_LIB), $(KHDR_INCLUDES)) -I$(TOP)/include \
	  -fno-stack-protector -mno-outline-atomics$(if $(KSFT_LIB),, -D_GNU_SOURCE)
LDFLAGS += -static
# The unit tests run under AddressSanitizer and UBSan: host-side code must be clean.
HOSTCFLAGS := -O1 -g -std=gnu11 $(WARNINGS) -I$(TOP)/include -D_GNU_SOURCE \
	      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(KSFT_LIB),)
# The tests: every aarch64/*.c is one program.
TEST_GEN_PROGS := $(patsubst $(TOP)/aarch64/%.c,$(OUTPUT)/%,$(wildcard $(TOP)/aarch64/*.c))
else
# kselftest: the tests of tests.cfg in its order (lib.mk prefixes $(OUTPUT)/),
# with what they read beside them; lib.mk installs settings and config too.
TEST_GEN_PROGS := $(shell sed -e 's/\#.*//' $(TOP)/tests.cfg | awk 'NF { print $$1 }')
TEST_FILES := tests.cfg known-issues.cfg costs.cfg platforms.cfg
TEST_PROGS_EXTENDED := run_tests.sh
EXTRA_CLEAN := $(OUTPUT)/lib $(OUTPUT)/libkvm.a $(OUTPUT)/*.d
OVERRIDE_TARGETS := 1
include $(KSFT_LIB)
endif

LIBKVM_C := \
	lib/assert.c \
	lib/count_check.c \
	lib/guest_print.c \
	lib/guest_ram.c \
	lib/host_perf.c \
	lib/known_issues.c \
	lib/ktap.c \
	lib/pmu_cases.c \
	lib/pmu_encoding.c \
	lib/pmu_filter.c \
	lib/pmu_vm.c \
	lib/state.c \
	lib/test_seed.c \
	lib/ucall.c \
	lib/vcpu.c \
	lib/vm.c \
	lib/arm64/esr.c \
	lib/arm64/mmu.c \
	lib/arm64/pmu.c \
	lib/arm64/processor.c \
	lib/arm64/vgic.c
LIBKVM_S := lib/arm64/vectors.S
LIBKVM_O := $(patsubst %.c,$(OUTPUT)/%.o,$(LIBKVM_C)) \
	    $(patsubst %.S,$(OUTPUT)/%.o,$(LIBKVM_S))

# Host-side logic with unit tests, built for the build machine.
UNIT_LIB_C := \
	lib/assert.c \
	lib/guest_print.c \
	lib/guest_ram.c \
	lib/known_issues.c \
	lib/ktap.c \
	lib/pmu_encoding.c \
	lib/pmu_filter.c \
	lib/arm64/esr.c
UNIT_TESTS := $(patsubst $(TOP)/tests/unit/%.c,$(OUTPUT)/unit/%,$(wildcard $(TOP)/tests/unit/*.c))


ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif

all: $(TEST_GEN_PROGS)

need-cc:
	@command -v $(CC) >/dev/null || { echo "$(CC) not found: run scripts/setup.sh (it installs gcc-aarch64-linux-gnu)" >&2; exit 1; }

# Each object and program lists the headers it included (-MMD -MP, in
# its .d file beside it): a header change rebuilds only what includes it.
DEPFLAGS = -MMD -MP -MF $@.d

$(OUTPUT)/%.o: $(TOP)/%.c | need-cc
	@mkdir -p $(dir $@)
	$(say) CC $(@:$(OUTPUT)/%=%)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/%.o: $(TOP)/%.S | need-cc
	@mkdir -p $(dir $@)
	$(say) CC $(@:$(OUTPUT)/%=%)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libkvm.a: $(LIBKVM_O)
	$(say) AR $(@:$(OUTPUT)/%=%)
	$(Q)$(CROSS_COMPILE)ar rcs $@ $^

$(OUTPUT)/%: $(TOP)/aarch64/%.c $(OUTPUT)/libkvm.a
	$(say) LD $(@:$(OUTPUT)/%=%)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) $< $(OUTPUT)/libkvm.a -o $@

$(OUTPUT)/unit/%: $(TOP)/tests/unit/%.c $(addprefix $(TOP)/,$(UNIT_LIB_C))
	@mkdir -p $(dir $@)
	$(say) HOSTCC $(@:$(OUTPUT)/%=%)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(DEPFLAGS) $< $(addprefix $(TOP)/,$(UNIT_LIB_C)) -o $@

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/lib/*.d $(OUTPUT)/lib/arm64/*.d $(OUTPUT)/unit/*.d)

unit: $(UNIT_TESTS)
	@KPF_KNOWN_ISSUES=$(TOP)/known-issues.cfg $(TOP)/scripts/run-units.sh $(UNIT_TESTS)

ifeq ($(KSFT_LIB),)
run_tests: all
	$(TOP)/run_tests.sh --build-dir $(OUTPUT)
else
# kselftest's runner execs each program: where arm64 binaries can't run, the
# shell takes them for scripts and its exit 2 reads as XFAIL.  Refuse.
run_tests: can-run-arm64
can-run-arm64:
	@[ "$$(uname -m)" = aarch64 ] || [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || \
	{ echo "kvm-pmu-filter: $$(uname -m) can't run arm64 tests: install them on an arm64 KVM host (or see scripts/kselftest-dropin.sh for QEMU)" >&2; exit 1; }
endif

lint:
	shellcheck -x -e SC2012 $(TOP)/run_tests.sh $(TOP)/scripts/*.sh $(TOP)/.ci/run

check: lint unit all
	$(TOP)/run_tests.sh --build-dir $(OUTPUT)

# The series is not part of this repository: PPMU_PATCHES names a directory
# of its *.patch, by default shared/kernels/partitioned-pmu-v8 beside this
# checkout (where CI has it).  The target runs the whole suite on the
# series, on the series with this repository's candidate fixes, and
# filter_api and backend_differential on the series with the host PMU
# left whole (no arm_pmuv3.reserved_host_counters).
PPMU_PATCHES ?= $(abspath $(TOP)/../shared/kernels/partitioned-pmu-v8)
PPMU_FIXES := $(TOP)/findings/partitioned-pmu-v8-fixes
check-partitioned: all
	@[ -d "$(PPMU_PATCHES)" ] || { echo "check-partitioned: no series at $(PPMU_PATCHES) (set PPMU_PATCHES=DIR)" >&2; exit 2; }
	$(TOP)/run_tests.sh --build-dir $(OUTPUT) --kernel-patches $(PPMU_PATCHES)
	$(TOP)/run_tests.sh --build-dir $(OUTPUT) --kernel-patches $(PPMU_PATCHES) \
		--kernel-patches $(PPMU_FIXES)
	KPF_RESERVED_HOST_COUNTERS= $(TOP)/run_tests.sh --build-dir $(OUTPUT) \
		--kernel-patches $(PPMU_PATCHES) filter_api backend_differential

ifeq ($(KSFT_LIB),)
install: all
	mkdir -p $(INSTALL_PATH)
	install -m 0755 $(TEST_GEN_PROGS) $(INSTALL_PATH)/
	install -m 0644 $(TOP)/tests.cfg $(TOP)/settings $(TOP)/known-issues.cfg \
		$(TOP)/costs.cfg $(TOP)/platforms.cfg $(INSTALL_PATH)/
	install -m 0755 $(TOP)/run_tests.sh $(INSTALL_PATH)/
	mkdir -p $(INSTALL_PATH)/scripts
	install -m 0755 $(TOP)/scripts/*.sh $(INSTALL_PATH)/scripts/

clean:
	rm -rf $(OUTPUT)/lib $(OUTPUT)/libkvm.a $(OUTPUT)/unit $(TEST_GEN_PROGS) $(addsuffix .d,$(TEST_GEN_PROGS))
endif

.PHONY: all need-cc lint unit run_tests check check-partitioned install clean can-run-arm64
.SECONDARY:
