# SPDX-License-Identifier: GPL-2.0
# solver-tests/vm/vm.mk - VM test targets, for `include` by the top-level
# Makefile:
#
#   make vm-prep    install the Debian packages the VM tests need (the
#                   newest Debian 12 kernel of the 6.12 line, qemu...)
#   make check-vm   boot the 6.12 kernel under QEMU TCG, run tests/tests.list
#   make vm-demo    same VM, run demo.list
#   make bench-vm   bench.list in one VM run per kernel (bench-vm.sh):
#                   cenalloc against the stock dma-heaps, migration
#                   against memcpy; results and plot in build/bench/
#
# run-vm.sh builds everything it packs itself: kernel/exporter (cenalloc.ko),
# cen_importer.ko against its Module.symvers, the static test programs.
# Knobs: CEN_VM_ARGS (extra run-vm.sh options) and the environment variables
# listed by `solver-tests/vm/run-vm.sh --help`.
ifndef CEN_VM_MK_INCLUDED
CEN_VM_MK_INCLUDED := 1
CEN_VM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CEN_VM_ARGS ?=
# The Debian packages of these targets (groups of scripts/packages; the
# top-level Makefile's `make check` installs the union of its suites').
CEN_NEED_PACKAGES := $(abspath $(CEN_VM_DIR)/../../scripts/need-packages)
NEED_vm-prep  := @build @vm
NEED_check-vm := @build @vm
NEED_vm-demo  := @build @vm
# bench-vm: gnuplot (@bench); its second kernel is fetched (@kernels).
NEED_bench-vm := @build @vm @bench @kernels

# Install what the VM tests need (each target below does it first).
vm-prep:
	@$(CEN_NEED_PACKAGES) $(NEED_vm-prep)

check-vm: vm-prep
	$(CEN_VM_DIR)/run-vm.sh $(CEN_VM_ARGS)

# The demo's story is what the programs print as 'demo:' lines and what
# the importers' drivers log about the buffers they were given; the
# picture is the contact sheet the pipeline test left (captured frames
# next to what the display read back), in build/demo/.
# The demo's cenalloc has no carveout: like most x86 machines it has only
# the buddy allocator for contiguous memory (Debian's 6.12 has no CMA).
CEN_DEMO_DIR ?= build/demo
CEN_DEMO_MODULES := build/vm/demo-modules.list
vm-demo: vm-prep
	@mkdir -p $(dir $(CEN_DEMO_MODULES))
	@sed 's/ *\$${CARVEOUT}//' $(CEN_VM_DIR)/modules.list >$(CEN_DEMO_MODULES)
	@set -o pipefail; $(CEN_VM_DIR)/run-vm.sh --demo \
		--modules $(CEN_DEMO_MODULES) $(CEN_VM_ARGS) | tail -n 3
	@echo; echo "== what happened inside the VM =="
	@grep -h -e 'demo: ' -e 'contiguous chunk is too small' \
		build/vm/guest.log | sed -e 's/^\[ *[0-9.]*\] /  kernel: /' \
		-e 's/^demo: /  /'
	@echo; echo "== pictures (captured | read back, green border: identical) =="
	@$(CEN_VM_DIR)/guest-files.sh build/vm/results.log $(CEN_DEMO_DIR) | \
		sed 's/^/  /'

# The benchmarks of bench.list (cenalloc against the system heap, an
# empty buffer's memory, migration against memcpy), in one VM run per
# kernel: CEN_BENCH_KERNELS (default "6.12 newest": Debian 12's 6.12 and
# the newest of trixie-backports) or CEN_VM_KERNEL_ENV (one kernel).  The
# programs' 'bench:' lines are printed and kept per kernel in
# build/bench/<release>.txt; the ratios are plotted into
# build/bench/alloc-ratios.png.
bench-vm:
	@$(CEN_NEED_PACKAGES) $(NEED_bench-vm)
	@$(CEN_VM_DIR)/bench-vm.sh $(CEN_VM_ARGS)

.PHONY: vm-prep check-vm vm-demo bench-vm

endif # CEN_VM_MK_INCLUDED
