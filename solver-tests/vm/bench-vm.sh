#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-vm.sh - the VM benchmarks (bench.list) in one VM run per kernel,
# their "bench:" lines kept per kernel and the ratios plotted:
#
#   solver-tests/vm/bench-vm.sh [run-vm.sh options]
#   CEN_BENCH_KERNELS="6.12 newest"  the kernels (default): fetch.sh
#                     series, x86_64; 6.12 is the host's Debian 12 kernel
#                     (check-vm's), the others are fetched and cached
#   CEN_VM_KERNEL_ENV=<env>  one kernel instead, as for run-vm.sh
#   CEN_BENCH_DIR     where the results go (default build/bench)
#
# Each kernel's lines go to $CEN_BENCH_DIR/<kernel release>.txt and to the
# terminal; bench-plot.sh draws the ratios cenalloc / system heap of the
# kernels of this run into $CEN_BENCH_DIR/alloc-ratios.png.  x86_64 only:
# Debian's arm64 kernels have no dma-heaps to compare with.  Exit status:
# 0 when every run passed, 1 when one failed (the others still run and
# are plotted), 2 on a setup error.
set -uo pipefail
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)
OUT=${CEN_BENCH_DIR:-$ROOT/build/bench}
KERNELS=${CEN_BENCH_KERNELS:-"6.12 newest"}
mkdir -p "$OUT"

say() { printf 'bench-vm: %s\n' "$*" >&2; }

# The env file of a kernel series, "" for the host's 6.12.
kernel_env() {
	case $1 in
	6.12) echo "" ;;
	*) "$ROOT/solver-tests/kernels/fetch.sh" "$1" amd64 ;;
	esac
}

# One VM run of bench.list on the kernel of env file $1, logs under $2.
# Guest RAM is taken at start: QEMU's first touch of a page is a host
# cost that would land on whichever heap first used a fresh region.  A
# QEMU thread per vCPU, unlike the tests' single thread (run-vm.sh's
# ACCEL): two vCPUs interleaved on one thread make small system calls
# about twice as slow (6.12, ALLOC of 4 KiB: 36.7 against 18.5 us), where
# a real SoC has a core each.
bench_boot() {
	CEN_VM_ACCEL=${CEN_VM_ACCEL:-tcg} CEN_VM_MEM_PREALLOC=${CEN_VM_MEM_PREALLOC:-1} \
	CEN_VM_KERNEL_ENV=$1 CEN_VM_OUT=$2 \
		"$VM_DIR/run-vm.sh" --tests "$VM_DIR/bench.list" "${VM_ARGS[@]}" |
		tail -n 3 >&2
}

# Whether the failed run in directory $1 died of threaded TCG's stale
# INT3 before the guest loaded any module: QEMU's fault, not the kernel's
# nor cenalloc's, and worth one more boot.
died_of_stale_int3() {
	! grep -q '^CENTEST-MODULES' "$1/results.log" 2>/dev/null &&
		grep -q 'Oops: int3' "$1/guest.log" 2>/dev/null
}

# One VM run on the kernel of env file $1 ("" for the host's), logs under
# $2; the "bench:" lines to $OUT/<release>.txt, whose path is printed.
run_kernel() {
	local env=$1 vmout=$2 kver rc=0
	if [[ -n $env ]]; then
		kver=$(sed -n 's/^KVER=//p' "$env")
	else
		kver=$("$ROOT/solver-tests/kernels/host-kernel.sh")
	fi
	[[ -n $kver ]] || { say "error: no kernel release (make vm-prep)"; return 2; }
	local attempt failed=()
	for attempt in 1 2; do
		rc=0
		bench_boot "$env" "$vmout" || rc=$?
		# A failed run keeps its logs in failed-<date>-<time>-<pid>.
		failed=("$vmout"/failed-*)
		if ((rc == 0 || attempt == 2)) || ! died_of_stale_int3 "${failed[-1]}"; then
			break
		fi
		say "$kver: the guest died at boot on a stale INT3 of threaded TCG" \
			"(run-vm.sh, ACCEL), before any module of ours: booting it again"
	done
	local log=$vmout/guest.log
	((rc == 0)) || log=${failed[-1]}/guest.log
	grep -h '^bench: ' "$log" >"$OUT/$kver.txt" 2>/dev/null
	[[ -s $OUT/$kver.txt ]] && echo "$OUT/$kver.txt"
	return "$rc"
}

VM_ARGS=("$@")
results=()
worst=0
if [[ -n ${CEN_VM_KERNEL_ENV:-} ]]; then
	specs=("$CEN_VM_KERNEL_ENV")
else
	read -ra specs <<<"$KERNELS"
fi
for k in "${specs[@]}"; do
	if [[ -n ${CEN_VM_KERNEL_ENV:-} ]]; then
		env=$k name=$(basename "$(dirname "$k")")
	else
		env=$(kernel_env "$k") || { worst=2; continue; }
		name=$k
	fi
	say "== $name: bench.list in one VM run"
	rc=0
	file=$(run_kernel "$env" "$OUT/vm-$name") || rc=$?
	((rc > worst)) && worst=$rc
	[[ -n $file ]] || continue
	results+=("$file")
	echo
	echo "== $(basename "$file" .txt): benchmarks inside the VM (${file#"$ROOT"/}) =="
	sed -e 's/^bench: /  /' "$file"
done
((${#results[@]})) || exit "$((worst ? worst : 2))"
echo
"$VM_DIR/bench-plot.sh" "$OUT/alloc-ratios.png" "${results[@]}" || worst=2
echo "== plot: ${OUT#"$ROOT"/}/alloc-ratios.png"
exit "$worst"
