#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the cenalloc test initramfs (busybox ash; run-vm.sh installs it).
#
# Loads the modules of /etc/centest/modules.list, runs the programs of
# /etc/centest/tests.list (<label> <program> [args]), unloads the modules again and powers off.
# Result lines go to the console and to the results channel (the second
# serial port, /dev/ttyS1, that the host reads):
#
#   CENTEST <name> PASS|FAIL|SKIP <detail>
#   CENTEST-RUN <name>              a program starts
#   CENTEST-FILE <name> <bytes>     a file a test left in $CENTEST_FILES,
#   CENTEST-B64 <base64>            its bytes (results channel only)
#   CENTEST-TIME boot=... tests=... total=...
#   CENTEST-DONE <rc>               last line; rc 0 = everything passed
export PATH=/bin
TEST_TIMEOUT=@TEST_TIMEOUT@

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/null
# DMA-API debug (debug kernel) reports only its first error by default:
# report them all, so that an error a test provokes on purpose cannot hide
# a real one after it.
[ -w /sys/kernel/debug/dma-api/all_errors ] && echo 1 >/sys/kernel/debug/dma-api/all_errors

# The results channel (run-vm.sh: ttyS1 on x86, the virtio console hvc0
# on arm64), whose drivers some kernels build as modules.
while read -r m; do
	[ -n "$m" ] && modprobe "$m"
done </etc/centest/preload.list
OUT=/dev/@RESULTS_TTY@
i=0
while [ ! -c "$OUT" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -c "$OUT" ] || OUT=/dev/console
stty -F "$OUT" raw -echo 2>/dev/null

emit() {
	echo "$*"
	echo "$*" >>"$OUT"
}

uptime_s() {
	read -r up _ </proc/uptime
	echo "$up"
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# One line, at most 200 characters, of a file.
summary() {
	tr '\n\t' '  ' <"$1" | cut -c1-200
}

# ---- kmemleak (kernels with CONFIG_DEBUG_KMEMLEAK only) ----------------
#
# Automatic scans are off in the debug kernel (they would race the tests);
# the guest scans at fixed points instead.  A scan reports objects that
# nothing points to and that are older than 5 s, and the kernel then logs
# "kmemleak: N new suspected memory leaks", which run-vm.sh counts as a
# kernel problem.  The scan before the modules load is the exception: what
# it finds was leaked while booting, before cenalloc existed (false
# positives of early-boot code are known to happen), so it is logged,
# quietly, and cleared.
KMEMLEAK=/sys/kernel/debug/kmemleak
# Modules whose leaks fail the run here even without the kernel's line.
OURS='cenalloc|cen_importer'

kmemleak_scan() {
	sleep 6	# older than kmemleak's minimum age of 5 s
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >/tmp/kmemleak.txt
}

# Boot-time suspects: the kernel's "new suspected" line stays out of the
# console (loglevel 4 hides pr_info), the report goes to it as a note.
kmemleak_boot() {
	[ -w "$KMEMLEAK" ] || return 0
	read -r level _ </proc/sys/kernel/printk
	echo 4 >/proc/sys/kernel/printk
	kmemleak_scan
	echo clear >"$KMEMLEAK"
	echo "$level" >/proc/sys/kernel/printk
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	emit "CENTEST-NOTE kmemleak: $n boot-time suspects ignored (before any test module)"
	[ "$n" -eq 0 ] || sed 's/^/kmemleak-boot: /' /tmp/kmemleak.txt
}

# Module sections, "x<16 hex digits> <module>", sorted: after a module is
# unloaded, kmemleak prints the frames that were in it as bare addresses,
# and this table says whose they were.
module_sections() {
	[ -w "$KMEMLEAK" ] || return 0
	for f in /sys/module/*/sections/.*; do
		[ -f "$f" ] || continue
		m=${f#/sys/module/}
		read -r a <"$f" && echo "x${a#0x} ${m%%/*}"
	done 2>/dev/null | sort >/tmp/sections.txt
}

# Scan, print every suspect with the module its frames belong to, and fail
# (CENTEST kmemleak:<phase> FAIL) when one involves cenalloc or
# cen_importer: a frame in them, by symbol or by address.
kmemleak_check() {
	[ -w "$KMEMLEAK" ] || return 0
	emit "CENTEST-RUN kmemleak:$1"
	kmemleak_scan
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	ours=$(awk -v ours="^($OURS)$" '
		FNR == NR { start[++ns] = $1; mod[ns] = $2; next }
		/^unreferenced object/ { obj = $3; if (seen != "") flush(); seen = obj; hit = "" }
		# symbolised frame of a loaded module: "func+0x1/0x2 [mod]"
		/^    \[<.*\] .* \[[a-z0-9_]+\]$/ {
			m = $NF; gsub(/[][]/, "", m); note(m)
		}
		# bare address: a module that is gone; the last section below it
		/^    \[<.*\] 0x[0-9a-f]+$/ {
			a = "x" substr($NF, 3); m = ""
			for (i = 1; i <= ns; i++) if (start[i] <= a) m = mod[i]
			if (m != "") { note(m); where = "  <- " m ", unloaded" }
		}
		{ print "kmemleak: " $0 where > "/dev/console"; where = "" }
		function note(m) { if (m ~ ours && index(hit, m) == 0) hit = hit " " m }
		function flush() { if (hit != "") { nours++; print "kmemleak: ^ involves" hit > "/dev/console" } }
		END { if (seen != "") flush(); print nours + 0 }
	' /tmp/sections.txt /tmp/kmemleak.txt)
	if [ "$ours" -gt 0 ]; then
		emit "CENTEST kmemleak:$1 FAIL $ours of $n suspected leaks involve cenalloc/cen_importer (console: kmemleak:)"
		rc=1
	else
		emit "CENTEST kmemleak:$1 PASS $n suspects, none from cenalloc/cen_importer"
	fi
}

rc=0
boot=$(uptime_s)
emit "CENTEST-BOOT ${boot}s"
kmemleak_boot

emit "CENTEST-MODULES"
loaded=
while read -r name params; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # params are separate words
	if modprobe "$name" $params >/tmp/modprobe.log 2>&1; then
		emit "CENTEST modprobe:$name PASS"
		loaded="$name $loaded"
	else
		emit "CENTEST modprobe:$name FAIL $(summary /tmp/modprobe.log)"
		rc=1
	fi
done </etc/centest/modules.list

# Files the tests leave for the host (the demo's contact sheet).
CENTEST_FILES=/tmp/centest-files
mkdir -p "$CENTEST_FILES"

tests_start=$(uptime_s)
while read -r name prog args; do
	[ -n "$prog" ] || continue
	emit "CENTEST-RUN $name"
	t0=$(uptime_s)
	# shellcheck disable=SC2086 # args are separate words
	CENTEST_OUT=$OUT CENTEST_LABEL=$name CENTEST_FILES=$CENTEST_FILES \
		timeout "$TEST_TIMEOUT" "/tests/$prog" $args </dev/null
	r=$?
	t=$(elapsed "$t0" "$(uptime_s)")
	if [ "$r" -eq 0 ]; then
		emit "CENTEST $name PASS ${t}s"
	elif [ "$r" -eq 124 ] || [ "$r" -eq 143 ]; then
		emit "CENTEST $name FAIL timeout after ${TEST_TIMEOUT}s"
		rc=1
	else
		emit "CENTEST $name FAIL exit $r after ${t}s"
		rc=1
	fi
done </etc/centest/tests.list
tests_end=$(uptime_s)
# Leaks of the tests, while the modules' symbols can still be printed.
module_sections
kmemleak_check tests

# Unload what the list loaded, in reverse order (dependencies that came
# with it stay): leaked references and bad teardown show up here.
emit "CENTEST-RUN module-unload"
for name in $loaded; do
	mod=$(echo "$name" | tr - _)
	if rmmod "$mod" >/tmp/modprobe.log 2>&1; then
		emit "CENTEST rmmod:$name PASS"
	else
		refs=$(cat "/sys/module/$mod/refcnt" 2>/dev/null)
		holders=
		for h in "/sys/module/$mod/holders"/*; do
			[ -e "$h" ] && holders="$holders ${h##*/}"
		done
		emit "CENTEST rmmod:$name FAIL refcnt=${refs:-?} holders=[${holders# }]" \
			"$(summary /tmp/modprobe.log)"
		rc=1
	fi
done

# Leaks of the teardown: what only the modules' data still pointed to.
kmemleak_check unload

# The tests' files, on the results channel alone (run-vm.sh decodes them).
for f in "$CENTEST_FILES"/*; do
	[ -f "$f" ] || continue
	echo "CENTEST-FILE ${f##*/} $(wc -c <"$f")" >>"$OUT"
	base64 "$f" | sed 's/^/CENTEST-B64 /' >>"$OUT"
done

end=$(uptime_s)
emit "CENTEST-TIME boot=${boot}s modules=$(elapsed "$boot" "$tests_start")s" \
	"tests=$(elapsed "$tests_start" "$tests_end")s total=${end}s"
emit "CENTEST-DONE $rc"
sync
poweroff -f
