#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - make check-vm-debug: the x86_64 VM tests (solver-tests/vm,
# tests/tests.list) on a debug kernel built from Debian's linux-source-6.12
# (KASAN, lockdep, kmemleak, DMA-API debug, fault injection, CMA,
# DMABUF_MOVE_NOTIFY; see debug.config).
#
#   solver-tests/vm-debug/run.sh [run-vm.sh options]
#
# build-kernel.sh builds the kernel once into a cache outside the checkout;
# run-vm.sh then does what it does for the stock kernel, pointed at that
# kernel, its modules and its build tree.  cenalloc.ko and cen_importer.ko
# are built in a copy under build/vm-debug/src: building them in place
# against another kernel would overwrite the stock suite's modules (and the
# work of whoever is editing kernel/exporter).  Logs: build/vm-debug/.
# Exit status as run-vm.sh: 0 pass, 1 test or kernel failure, 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${CEN_VM_OUT:-$ROOT/build/vm-debug}
SRC=$OUT/src

say() { printf 'vm-debug: %s\n' "$*"; }
die() { printf 'vm-debug: error: %s\n' "$*" >&2; exit 2; }

start=$SECONDS
env=$("$HERE/build-kernel.sh") || exit 2
# KERNEL KDIR MODDIR KVER of the cached debug kernel.
# shellcheck source=/dev/null
. "$env"
export KERNEL KDIR MODDIR KVER
kernel_s=$((SECONDS - start))

mkdir -p "$OUT"
# One debug run at a time: the copy below is shared by the runs, and two
# KASAN guests under TCG would only slow each other down.
exec 7>"$OUT/.run.lock"
flock 7

# A fresh copy of what the two modules are built from: the exporter, the
# constraint code it compiles in, the uapi headers and the test importer
# (without build products, which belong to the stock kernel).
say "building cenalloc.ko against $KVER in ${SRC#"$ROOT"/}"
rm -rf "$SRC"
mkdir -p "$SRC"
tar -C "$ROOT" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude=Module.symvers --exclude=modules.order \
	kernel uapi solver-tests/vm/importer | tar -C "$SRC" -xf -
make -s -C "$SRC/kernel/exporter" KDIR="$KDIR" >"$OUT/exporter-build.log" 2>&1 || {
	cat "$OUT/exporter-build.log" >&2
	die "cenalloc.ko does not build against the debug kernel"
}
# The test programs are static userspace binaries, the same for both
# kernels: start from the stock suite's build (taken under its lock), so
# that `make check` compiles them once.
if [[ -d $ROOT/build/vm/bin ]]; then
	mkdir -p "$OUT/bin"
	flock "$ROOT/build/vm/.build.lock" cp -au "$ROOT/build/vm/bin/." "$OUT/bin/"
fi
export CENALLOC_KO=$SRC/kernel/exporter/cenalloc.ko
export CEN_VM_IMPORTER_DIR=$SRC/solver-tests/vm/importer
export CEN_VM_OUT=$OUT
# DMA-API debug errors that negative tests provoke on purpose.
export CEN_VM_EXPECTED_REPORTS=${CEN_VM_EXPECTED_REPORTS:-$HERE/expected-reports}

# KASAN and lockdep under TCG run the tests several times slower than the
# stock kernel; the VM and each program get correspondingly more time.
export CEN_VM_TIMEOUT=${CEN_VM_TIMEOUT:-2400}
export CEN_VM_TEST_TIMEOUT=${CEN_VM_TEST_TIMEOUT:-1200}
# Every KASAN report, not only the first one.  The CMA area (64 MiB,
# debug.config) below 4 GiB, where arm64, the target, keeps it: x86 puts
# it above 4 GiB when the guest has more memory than that (run-vm.sh gives
# it 5 GiB), out of reach of the 32-bit devices the tests create.
export CEN_VM_APPEND="kasan_multi_shot cma=64M@0-4G ${CEN_VM_APPEND:-}"

rc=0
"$ROOT/solver-tests/vm/run-vm.sh" "$@" || rc=$?
say "kernel ready in ${kernel_s}s; whole run $((SECONDS - start))s (rc $rc)"
exit "$rc"
