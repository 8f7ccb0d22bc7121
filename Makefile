# cenalloc entry points.  As root on a fresh Debian 12:
#   make demo     the solver's decisions, then vivid capturing in a VM
#   make check    every test suite (what CI runs)
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CLANG      ?= clang-14
CLANGXX    ?= clang++-14

# Debian 12 packages the userspace build needs (deps installs the missing).
DEB_PACKAGES := make cmake g++ clang-14 libclang-rt-14-dev \
		libgtest-dev libbenchmark-dev nlohmann-json3-dev pkgconf

# The suites `make check` runs.  Other suites add themselves: a folder
# solver-tests/<name>/ that brings a Makefile.inc defining check-<name> is
# included and check-<name> appended here (solver-tests/vm -> check-vm).
# Anything else may extend CHECK_SUITES from its own Makefile.inc.
CHECK_SUITES := check-unit check-userspace check-sanitize check-fuzz
SUITE_INCS := $(wildcard solver-tests/*/Makefile.inc)
CHECK_SUITES += $(foreach f,$(SUITE_INCS),check-$(notdir $(patsubst %/,%,$(dir $(f)))))
include $(SUITE_INCS)

TESTS = $(1)/solver-tests/cen-solver-tests --gtest_brief=1

.PHONY: deps build configure-asan check-unit check-userspace check-sanitize \
	check-fuzz bench demo check

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# ASan + UBSan build with clang; it also holds the libFuzzer target.
configure-asan: deps
	CC=$(CLANG) CXX=$(CLANGXX) cmake -S . -B $(BUILD_ASAN) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCEN_SANITIZE=ON \
		-DCEN_FUZZ=ON -DCEN_BENCH=OFF

check-unit: deps build
	$(call TESTS,$(BUILD))

# libcenalloc, the JSON layer and the cenalloc tool (ctest label
# "userspace"), and a program built against the installed library.
check-userspace: deps build
	cd $(BUILD) && ctest -L userspace --output-on-failure

# The solver's tests, then libcenalloc's and the tool's (the tool under
# test is the sanitized build too).
check-sanitize: deps configure-asan
	cmake --build $(BUILD_ASAN) -j $(JOBS) --target cen-solver-tests \
		cenalloc-tests
	$(call TESTS,$(BUILD_ASAN))
	$(BUILD_ASAN)/userspace/tests/cenalloc-tests --gtest_brief=1

check-fuzz: deps configure-asan
	cmake --build $(BUILD_ASAN) -j $(JOBS) --target cen-fuzz
	mkdir -p $(BUILD_ASAN)/fuzz-corpus
	CEN_FUZZ_STATS=1 $(BUILD_ASAN)/solver-tests/fuzz/cen-fuzz \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(BUILD_ASAN)/ \
		$(BUILD_ASAN)/fuzz-corpus

# The solver's merge and solve, then migration against memcpy in a VM.
bench: deps build
	$(BUILD)/bench/cen-bench --benchmark_repetitions=5 \
		--benchmark_report_aggregates_only=true
	$(MAKE) --no-print-directory bench-vm

# The solver's decisions offline, then the real thing in a VM: vivid
# capturing into cenalloc buffers next to the system heap failing.
demo: deps build
	$(BUILD)/userspace/examples/solver-demo
	$(MAKE) --no-print-directory vm-demo

# Suites run one after the other, in the order listed.
check: deps
	@for s in $(CHECK_SUITES); do \
		echo "=== make $$s"; $(MAKE) --no-print-directory $$s || exit 1; \
	done
	@echo "=== all suites passed: $(CHECK_SUITES)"
