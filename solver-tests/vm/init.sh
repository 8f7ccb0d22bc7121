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

OUT=/dev/ttyS1
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

rc=0
boot=$(uptime_s)
emit "CENTEST-BOOT ${boot}s"

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

tests_start=$(uptime_s)
while read -r name prog args; do
	[ -n "$prog" ] || continue
	emit "CENTEST-RUN $name"
	t0=$(uptime_s)
	# shellcheck disable=SC2086 # args are separate words
	CENTEST_OUT=$OUT CENTEST_LABEL=$name \
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

end=$(uptime_s)
emit "CENTEST-TIME boot=${boot}s modules=$(elapsed "$boot" "$tests_start")s" \
	"tests=$(elapsed "$tests_start" "$tests_end")s total=${end}s"
emit "CENTEST-DONE $rc"
sync
poweroff -f
