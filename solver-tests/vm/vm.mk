# SPDX-License-Identifier: GPL-2.0
# solver-tests/vm/vm.mk - VM test targets, for `include` by the top-level
# Makefile:
#
#   make vm-prep    install the Debian packages the VM tests need
#   make check-vm   boot the 6.12 kernel under QEMU TCG, run tests/tests.list
#   make vm-demo    same VM, run demo.list
#   make bench-vm   same VM, run bench.list (migration against memcpy)
#
# run-vm.sh builds everything it packs itself: kernel/exporter (cenalloc.ko),
# cen_importer.ko against its Module.symvers, the static test programs.
# Knobs: CEN_VM_ARGS (extra run-vm.sh options) and the environment variables
# listed by `solver-tests/vm/run-vm.sh --help`.
ifndef CEN_VM_MK_INCLUDED
CEN_VM_MK_INCLUDED := 1
CEN_VM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CEN_VM_ARGS ?=
CEN_VM_PACKAGES := qemu-system-x86 busybox-static linux-image-6.12-amd64 \
	linux-headers-6.12-amd64 cpio kmod xz-utils libgtest-dev g++ make \
	cmake nlohmann-json3-dev pkgconf
CEN_VM_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

vm-prep:
	@missing=; for p in $(CEN_VM_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "vm-prep: everything is installed"; \
	else echo "vm-prep: installing$$missing"; \
		$(CEN_VM_SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(CEN_VM_SUDO) apt-get install -y \
			--no-install-recommends $$missing; fi

check-vm: vm-prep
	$(CEN_VM_DIR)/run-vm.sh $(CEN_VM_ARGS)

# The demo's story is what the programs print as 'demo:' lines and what
# the importers' drivers log about the buffers they were given.
vm-demo: vm-prep
	@$(CEN_VM_DIR)/run-vm.sh --demo $(CEN_VM_ARGS) | tail -n 3
	@echo; echo "== what happened inside the VM =="
	@grep -h -e 'demo: ' -e 'contiguous chunk is too small' \
		build/vm/guest.log | sed -e 's/^\[ *[0-9.]*\] /  kernel: /' \
		-e 's/^demo: /  /'

# Migration bandwidth against memcpy in the same VM run (bench.list): the
# medians and ratios the programs print as 'bench:' lines.
bench-vm: vm-prep
	@$(CEN_VM_DIR)/run-vm.sh --tests $(CEN_VM_DIR)/bench.list $(CEN_VM_ARGS) | tail -n 3
	@echo; echo "== migration benchmark (inside the VM) =="
	@grep -h 'bench: ' build/vm/guest.log | sed -e 's/^bench: /  /'

.PHONY: vm-prep check-vm vm-demo bench-vm

endif # CEN_VM_MK_INCLUDED
