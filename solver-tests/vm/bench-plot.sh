#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-plot.sh OUT.png RESULTS.txt... - plot the ratios of alloc_bench's
# "bench:" lines (bench-vm.sh keeps one RESULTS file per kernel, named
# <kernel release>.txt) against buffer size with gnuplot: one panel per
# path, one line per kernel and anchor (the system heap; a CMA heap where
# a kernel has one, dashed), log x axis, parity at 1.0.  The lines read:
#
#   bench: <path> <n> KiB|MiB: cenalloc X us, <anchor> heap Y us, ratio R ...
set -euo pipefail
PNG=${1:?usage: bench-plot.sh OUT.png RESULTS.txt...}
shift
(($#)) || { echo "usage: bench-plot.sh OUT.png RESULTS.txt..." >&2; exit 2; }
command -v gnuplot >/dev/null || {
	echo "bench-plot: gnuplot missing (scripts/need-packages @bench)" >&2
	exit 2
}
PATHS=(alloc-to-written alloc-to-map cycle)
declare -A TITLE=(
	[alloc-to-written]="ALLOC → mmap → SYNC → one write per page"
	[alloc-to-map]="ALLOC → attach → first device map"
	[cycle]="ALLOC → attach → map → unmap → detach → close"
)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# "<size in KiB> <ratio>" rows of one path and anchor (system, cma).
rows() {
	awk -v path="$2" -v anchor="$3" '
		$1 == "bench:" && $2 == path && $5 == "cenalloc" && $8 == anchor {
			kib = $3 * ($4 == "MiB:" ? 1024 : 1)
			for (i = 9; i < NF; i++) if ($i == "ratio") print kib, $(i + 1)
		}' "$1"
}

# One data file per path, kernel and anchor; the plot command of a panel
# lists those that have rows.
declare -A PLOT=()
n=0
for f in "$@"; do
	kver=$(basename "$f" .txt)
	kver=${kver%-amd64}
	n=$((n + 1))
	for anchor in system cma; do
		for p in "${PATHS[@]}"; do
			dat=$TMP/$p.$n.$anchor.dat
			rows "$f" "$p" "$anchor" >"$dat"
			[[ -s $dat ]] || continue
			style="lw 2 pt 7 lc $n"
			[[ $anchor == cma ]] && style="lw 2 pt 6 dt 2 lc $n"
			PLOT[$p]+="${PLOT[$p]:+, }'$dat' using 1:2 with linespoints $style title '$kver vs $anchor heap'"
		done
	done
done
((${#PLOT[@]})) || { echo "bench-plot: no ratio lines in $*" >&2; exit 1; }
# One y scale for every panel, so that they compare at a glance.
YMAX=$(cat "$TMP"/*.dat | awk '$2 > m { m = $2 } END { m = m < 1.4 ? 1.5 : m + 0.1; printf "%.1f", m }')

{
	cat <<'EOF'
set terminal pngcairo size 1500,520 font "sans,10"
set multiplot layout 1,3 title "cenalloc / stock dma-heap, time from ALLOC (medians, alternating samples; QEMU TCG, make bench)"
set logscale x 2
set xtics ("4K" 4, "64K" 64, "1M" 1024, "4M" 4096, "16M" 16384, "64M" 65536)
set xrange [3:90000]
set yrange [0:YMAX]
set xlabel "buffer size"
set ylabel "time ratio cenalloc / anchor (below 1: cenalloc faster)"
set grid ytics
set key bottom left
EOF
	for p in "${PATHS[@]}"; do
		printf 'set title "%s"\n' "${TITLE[$p]}"
		if [[ -n ${PLOT[$p]:-} ]]; then
			printf 'plot 1 with lines lc rgb "gray40" dt 3 title "parity", %s\n' "${PLOT[$p]}"
		else
			printf 'plot 1 with lines lc rgb "gray40" dt 3 title "parity (no lines)"\n'
		fi
	done
	echo "unset multiplot"
} >"$TMP/plot.gp"
gnuplot -e "YMAX = $YMAX; set output '$PNG'" "$TMP/plot.gp"
