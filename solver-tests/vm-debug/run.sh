#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - make check-vm-debug: the VM tests (solver-tests/vm,
# tests/tests.list) on one debug kernel (KASAN, lockdep, kmemleak, DMA-API
# debug, fault injection, CMA; see the debug*.config fragments).
#
#   solver-tests/vm-debug/run.sh [--series 6.12|newest] [--arch amd64|arm64]
#                                [run-vm.sh options]
#
# build-kernel.sh builds the kernel once into a cache outside the checkout;
# run-vm.sh then does what it does for any kernel (CEN_VM_KERNEL_ENV): the
# modules built in a copy with the kernel's compiler (kernels/kbuild.sh),
# the test programs of the kernel's architecture.  Logs:
# build/vm-debug[-<series>-<arch>]/.  Exit status as run-vm.sh: 0 pass,
# 1 test or kernel failure, 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERIES=6.12
ARCH=amd64
while (($#)); do
	case $1 in
	--series) SERIES=$2; shift 2 ;;
	--arch) ARCH=$2; shift 2 ;;
	*) break ;;
	esac
done
# The 6.12 x86_64 run keeps the directory it always had.
OUT=$ROOT/build/vm-debug
[[ $SERIES-$ARCH == 6.12-amd64 ]] || OUT=$ROOT/build/vm-debug-$SERIES-$ARCH
OUT=${CEN_VM_OUT:-$OUT}

say() { printf 'vm-debug: %s\n' "$*"; }

start=$SECONDS
env=$("$HERE/build-kernel.sh" --series "$SERIES" --arch "$ARCH") || exit 2
kernel_s=$((SECONDS - start))
export CEN_VM_KERNEL_ENV=$env
# The 6.12 entry's env predates ARCH= and SUITE=: it is x86_64, built
# with the host's compiler.
export CEN_VM_ARCH=$ARCH
export CEN_VM_OUT=$OUT
mkdir -p "$OUT"
# One debug run at a time: two KASAN guests under TCG would only slow
# each other down.
exec 7>"$ROOT/build/.vm-debug.lock"
flock 7
# DMA-API debug errors that negative tests provoke on purpose.
export CEN_VM_EXPECTED_REPORTS=${CEN_VM_EXPECTED_REPORTS:-$HERE/expected-reports}

# KASAN and lockdep under TCG run the tests several times slower than the
# stock kernel; the VM and each program get correspondingly more time.
export CEN_VM_TIMEOUT=${CEN_VM_TIMEOUT:-2400}
export CEN_VM_TEST_TIMEOUT=${CEN_VM_TEST_TIMEOUT:-1200}
# Every KASAN report, not only the first one (run-vm.sh places x86's CMA
# area below 4 GiB, as arm64 keeps it).  7.x always builds 5-level paging in, and -cpu max has LA57: no5lvl
# keeps the guest at 4 levels, away from the boot window in which KASAN
# once misjudged the direct map (debug-x86_64.config).
extra=
[[ $ARCH == amd64 ]] && extra=no5lvl
export CEN_VM_APPEND="kasan_multi_shot $extra ${CEN_VM_APPEND:-}"

rc=0
"$ROOT/solver-tests/vm/run-vm.sh" "$@" || rc=$?
say "kernel ready in ${kernel_s}s; whole run $((SECONDS - start))s (rc $rc)"
exit "$rc"
