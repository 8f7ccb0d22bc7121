# cenalloc entry points.  As root on a fresh Debian 12:
#   make demo     the solver's decisions, then camera to display in a VM
#   make check    every test suite (what CI runs)
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CLANG      ?= clang-14
CLANGXX    ?= clang++-14

# Debian packages: every target first installs what it uses and lacks
# (scripts/need-packages; the groups are in scripts/packages), so that each
# works alone on a fresh Debian 12 with only make and git.  NEED_<target>
# names the groups of a target; `make check` installs those of all its
# suites at once.  CEN_APT_RUN lets need-packages fetch the package lists
# once per invocation, sub-makes included.
NEED_PACKAGES := $(CURDIR)/scripts/need-packages
ifndef CEN_APT_RUN
export CEN_APT_RUN := $(shell echo "$$PPID.$$(date +%s.%N)")
endif
NEED_build           := @build
NEED_check-unit      := @build
NEED_check-userspace := @build
NEED_check-abi       := @build @abi
NEED_check-sanitize  := @build @clang
NEED_check-fuzz      := @build @clang
NEED_bench           := @build @vm @bench @kernels
NEED_demo            := @build @vm

# The suites `make check` runs.  Other suites add themselves: a folder
# solver-tests/<name>/ that brings a Makefile.inc defining check-<name> is
# included and check-<name> appended here (solver-tests/vm -> check-vm).
# Anything else may extend CHECK_SUITES from its own Makefile.inc.
CHECK_SUITES := check-unit check-userspace check-abi check-sanitize check-fuzz
SUITE_INCS := $(wildcard solver-tests/*/Makefile.inc)
CHECK_SUITES += $(foreach f,$(SUITE_INCS),check-$(notdir $(patsubst %/,%,$(dir $(f)))))
include $(SUITE_INCS)

TESTS = $(1)/solver-tests/cen-solver-tests --gtest_brief=1

.PHONY: deps build configure-asan check-unit check-userspace check-abi check-sanitize \
	check-fuzz bench demo check

# need-<target>: install the packages of NEED_<target>.  A target lists
# its need-<target> first; make (without -j) builds prerequisites in order.
need-%:
	@$(NEED_PACKAGES) $(NEED_$*)

# Everything `make check` uses.
deps: need-check

build: need-build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# ASan + UBSan build with clang; it also holds the libFuzzer target.
configure-asan: need-check-sanitize
	CC=$(CLANG) CXX=$(CLANGXX) cmake -S . -B $(BUILD_ASAN) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCEN_SANITIZE=ON \
		-DCEN_FUZZ=ON -DCEN_BENCH=OFF

check-unit: need-check-unit build
	$(call TESTS,$(BUILD))

# libcenalloc, the JSON layer and the cenalloc tool (ctest label
# "userspace"), and a program built against the installed library.
check-userspace: need-check-userspace build
	cd $(BUILD) && ctest -L userspace --output-on-failure

# libcenalloc.so's ABI against the record in userspace/lib/abi/: exported
# symbols and abidiff of the public types (abigail-tools).
check-abi: need-check-abi build
	userspace/lib/abi/check-abi.sh $(BUILD)

# The solver's tests, then libcenalloc's and the tool's (the tool under
# test is the sanitized build too).
check-sanitize: need-check-sanitize configure-asan
	cmake --build $(BUILD_ASAN) -j $(JOBS) --target cen-solver-tests \
		cenalloc-tests
	$(call TESTS,$(BUILD_ASAN))
	$(BUILD_ASAN)/userspace/tests/cenalloc-tests --gtest_brief=1

check-fuzz: need-check-fuzz configure-asan
	cmake --build $(BUILD_ASAN) -j $(JOBS) --target cen-fuzz
	mkdir -p $(BUILD_ASAN)/fuzz-corpus
	CEN_FUZZ_STATS=1 $(BUILD_ASAN)/solver-tests/fuzz/cen-fuzz \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(BUILD_ASAN)/ \
		$(BUILD_ASAN)/fuzz-corpus

# The solver's merge and solve, then in a VM per kernel cenalloc against
# the stock dma-heaps and migration against memcpy (bench-vm: results
# and plot in build/bench/).
bench: need-bench build
	$(BUILD)/bench/cen-bench --benchmark_repetitions=5 \
		--benchmark_report_aggregates_only=true
	$(MAKE) --no-print-directory bench-vm

# The solver's decisions offline, then the real thing in a VM: vivid's
# frames shown by vkms through cenalloc buffers, in either import order,
# each read back and compared, next to the system heap refused; the
# contact sheet lands in build/demo/.
demo: need-demo build
	$(BUILD)/userspace/examples/solver-demo
	$(MAKE) --no-print-directory vm-demo

# Suites run one after the other, in the order listed.
NEED_check = $(sort $(foreach s,$(CHECK_SUITES),$(NEED_$(s))))
check: need-check
	@for s in $(CHECK_SUITES); do \
		echo "=== make $$s"; $(MAKE) --no-print-directory $$s || exit 1; \
	done
	@echo "=== all suites passed: $(CHECK_SUITES)"
