#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the VM suite (solver-tests/vm/tests/tests.list) on every Debian
# kernel cenalloc's users run, on x86_64 and arm64:
#
#   solver-tests/kernels/run.sh                 # the whole matrix below
#   solver-tests/kernels/run.sh 6.1:arm64 ...   # some of it
#
# Each kernel is fetched on first use (fetch.sh, cached outside the
# checkout), its modules built with its own compiler (kbuild.sh), and
# run-vm.sh boots it under QEMU TCG.  Logs: build/kernels/<series>-<arch>/.
# A summary table (kernel, architecture, passed, skipped, failed, time)
# goes to the terminal and to build/kernels/summary.txt.  Exit status: 0
# when every kernel passed, 1 when one failed, 2 when one could not be set
# up.  Knobs: CEN_KERNELS (the matrix), and run-vm.sh's CEN_VM_* variables.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# Debian 12's default and its 6.12, the 6.18 LTS line and the newest of
# Debian 13's backports; x86_64 and arm64.  check-vm runs 6.12 on x86_64.
CEN_KERNELS=${CEN_KERNELS:-"6.1:amd64 6.18:amd64 newest:amd64 6.1:arm64 6.12:arm64 6.18:arm64 newest:arm64"}
(($#)) && CEN_KERNELS="$*"
OUT=$ROOT/build/kernels
mkdir -p "$OUT"
export CEN_APT_RUN=${CEN_APT_RUN:-kernels.$$.$(date +%s.%N)}

say() { printf 'kernels: %s\n' "$*"; }

SUMMARY=$OUT/summary.txt
printf '%-22s %-6s %6s %6s %6s %8s  %s\n' kernel arch passed skipped failed seconds result >"$SUMMARY.new"
worst=0
for k in $CEN_KERNELS; do
	series=${k%:*} arch=${k#*:}
	start=$SECONDS
	log=$OUT/$series-$arch.log
	if ! env=$("$HERE/fetch.sh" "$series" "$arch" 2>"$log"); then
		cat "$log"
		printf '%-22s %-6s %6s %6s %6s %8s  %s\n' "$series" "$arch" - - - $((SECONDS - start)) \
			"SETUP FAILED" >>"$SUMMARY.new"
		worst=2
		continue
	fi
	kver=$(sed -n 's/^KVER=//p' "$env")
	say "== $kver ($arch)"
	CEN_VM_KERNEL_ENV=$env CEN_VM_OUT=$OUT/$series-$arch \
		"$ROOT/solver-tests/vm/run-vm.sh" >>"$log" 2>&1
	rc=$?
	# The results block and the verdict, without the build's chatter.
	sed -n '/^== results/,$p' "$log" | grep -vE '^  [^ ]+ PASS' || tail -n 20 "$log"
	res=$OUT/$series-$arch/results.log
	[[ $rc == 0 ]] || res=$(ls -d "$OUT/$series-$arch"/failed-* 2>/dev/null | tail -n 1)/results.log
	count() { awk -v v="$1" '$1 == "CENTEST" && $2 ~ /\// && $3 == v { n++ } END { print n + 0 }' "$res" 2>/dev/null; }
	case $rc in 0) verdict=PASS ;; 1) verdict=FAIL ;; *) verdict="SETUP FAILED" ;; esac
	printf '%-22s %-6s %6s %6s %6s %8s  %s\n' "$kver" "$arch" "$(count PASS)" "$(count SKIP)" \
		"$(count FAIL)" $((SECONDS - start)) "$verdict" >>"$SUMMARY.new"
	((rc > worst)) && worst=$rc
done
mv "$SUMMARY.new" "$SUMMARY"
echo
echo "== kernels (individual tests; build/kernels/summary.txt)"
cat "$SUMMARY"
exit "$worst"
