#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh - boot a kernel under QEMU (TCG) with a busybox initramfs,
# load cenalloc.ko, cen_importer.ko, vivid and vgem, run the in-VM test
# programs and judge the result from the serial logs.
#
#   solver-tests/vm/run-vm.sh            # tests/tests.list, Debian 12's 6.12
#   solver-tests/vm/run-vm.sh --demo     # demo.list
#   CEN_VM_KERNEL_ENV=<env> run-vm.sh    # another kernel, x86_64 or arm64
#   solver-tests/vm/run-vm.sh --help
#
# CEN_VM_KERNEL_ENV names an env file of solver-tests/kernels/fetch.sh (a
# Debian kernel of any series, amd64 or arm64) or of the debug kernel's
# build-kernel.sh: KVER KERNEL MODDIR KDIR, and ARCH and SUITE, which say
# how to boot it and with which compiler (kernels/kbuild.sh) its modules
# are built.
#
# vkms, which Debian's kernels lack, is built for them out of tree from the
# Debian source of the kernel's own version (kernels/vkms.sh, into
# $CEN_VM_OUT/vkms) and packed like this project's modules; where no such
# source exists the run goes on without it and says so.  The debug
# kernels' own vkms is built again from their source the same way: the
# build carries fixes for two vkms bugs (kernels/vkms-fixes.pl).
#
# The guest prints "CENTEST <name> PASS|FAIL|SKIP <detail>" lines and a
# final "CENTEST-DONE <rc>" on its second serial port (build/vm/results.log);
# the console, kernel messages included, goes to build/vm/guest.log.  The
# run fails if a test fails, if CENTEST-DONE is missing (crash, hang,
# timeout) or if the kernel log shows a BUG/WARNING/Oops/lockdep/KASAN/hung
# task report.  Exit status: 0 pass, 1 test or kernel failure, 2 setup error.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)

# The Debian 12 kernel of the 6.12 line: the newest installed with its
# modules and headers (vm-prep installs the metapackages
# linux-image-6.12-amd64 and linux-headers-6.12-amd64, which bring the
# newest; a Debian kernel update changes the ABI name 6.12.<n>+deb12).
ARCH=${CEN_VM_ARCH:-amd64}
KERNEL_ENV=${CEN_VM_KERNEL_ENV:-}
if [[ -n $KERNEL_ENV ]]; then
	# shellcheck source=/dev/null
	. "$KERNEL_ENV"
	ARCH=${ARCH:-amd64}
fi
if [[ -z ${KVER:-} ]]; then
	KVER=$("$ROOT/solver-tests/kernels/host-kernel.sh")
	[[ -n $KVER ]] || {
		echo "vm: error: no Debian 6.12 kernel with its headers in /boot and /lib/modules (make vm-prep)" >&2
		exit 2
	}
fi
KDIR=${KDIR:-/lib/modules/$KVER/build}
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
MODDIR=${MODDIR:-/lib/modules/$KVER}
# modprobe finds modules under <base>/lib/modules/$KVER: a MODDIR of that
# shape elsewhere (make modules_install INSTALL_MOD_PATH=<base>) is searched
# with -d <base>.
MODPROBE_BASE=()
if [[ $MODDIR != /lib/modules/"$KVER" && $MODDIR == */lib/modules/"$KVER" ]]; then
	MODPROBE_BASE=(-d "${MODDIR%/lib/modules/"$KVER"}")
fi
OUT=${CEN_VM_OUT:-$ROOT/build/vm}
# More than 4 GiB: memory nobody constrains then comes from above 4 GiB,
# out of reach of 32-bit devices, as on the SoCs cenalloc is for; the
# migration tests depend on it.
MEM=${CEN_VM_MEM:-5G}
SMP=${CEN_VM_SMP:-2}
# Benchmarks: QEMU takes host memory for guest RAM at the guest's first
# touch of each page, a cost real machines do not have, landing on
# whichever allocation first gets a region the guest never used (large
# orders, typically).  CEN_VM_MEM_PREALLOC=1 makes QEMU take it all at
# start, so timings compare the guest kernel's work only.
MEM_PREALLOC=()
[[ ${CEN_VM_MEM_PREALLOC:-0} == 1 ]] && MEM_PREALLOC=(-mem-prealloc)
TIMEOUT=${CEN_VM_TIMEOUT:-900}		# whole VM run, seconds
TEST_TIMEOUT=${CEN_VM_TEST_TIMEOUT:-300} # one test program, seconds
APPEND_EXTRA=${CEN_VM_APPEND:-}
TEST_LIST=$VM_DIR/tests/tests.list
# What differs between the two architectures: the QEMU machine, the
# console, the channel results come back on (a second UART on x86; on
# arm64 a virtio console, whose modules 6.1 does not build in), and the
# carveout, which only x86 supports (cenalloc refuses one where devices
# may be non-coherent).  ${CARVEOUT} in modules.list expands to it.
case $ARCH in
amd64)
	QEMU_SYS=(qemu-system-x86_64 -cpu max)
	# One host thread runs both vCPUs in turn.  With a thread per vCPU,
	# Debian 12's QEMU (7.2) lets a vCPU run code another vCPU has just
	# rewritten from a stale translation: an x86 guest that flips a
	# static key (INT3, rewrite, INT3 removed, each followed by an IPI)
	# can then trap on an INT3 already gone and die with "Oops: int3"
	# (7.3 at boot, in about one boot in ten).  arm64 rewrites one
	# instruction atomically and needs no INT3, so it keeps the faster
	# threaded mode.  The vCPUs still interleave, preempted by QEMU.
	ACCEL=${CEN_VM_ACCEL:-tcg,thread=single}
	CONSOLE=ttyS0
	RESULTS_DEV=(-serial "file:@RESULTS@")
	RESULTS_TTY=ttyS1
	STRIP='strip'
	PRELOAD=()
	CARVEOUT='carveout=32M@0x60000000'
	# 32 MiB at 1.5 GiB kept from the page allocator for the carveout;
	# 64 MiB of CMA below 4 GiB where the kernel has CMA for DMA.
	# shellcheck disable=SC2016 # memmap='s own \$ (size\$start: reserved)
	ARCH_APPEND='memmap=32M$0x60000000 cma=64M@0-4G'
	;;
arm64)
	# pauth-impdef: QEMU's own pointer-authentication hash, much cheaper
	# to emulate than the architected one.
	# shellcheck disable=SC2054 # QEMU's options take comma lists
	QEMU_SYS=(qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth-impdef=on)
	ACCEL=${CEN_VM_ACCEL:-tcg}
	CONSOLE=ttyAMA0
	# shellcheck disable=SC2054 # QEMU's options take comma lists
	RESULTS_DEV=(-device virtio-serial-pci -chardev "file,id=results,path=@RESULTS@"
		-device virtconsole,chardev=results)
	RESULTS_TTY=hvc0
	STRIP=aarch64-linux-gnu-strip
	PRELOAD=(virtio_pci virtio_console)
	CARVEOUT=''
	ARCH_APPEND=''
	;;
*) echo "vm: error: unknown architecture $ARCH" >&2; exit 2 ;;
esac
MODULE_LIST=$VM_DIR/modules.list
EXPORTER_DIR=$ROOT/kernel/exporter
CENALLOC_KO=${CENALLOC_KO:-$EXPORTER_DIR/cenalloc.ko}
# Build kernel/exporter first (1) or take cenalloc.ko as it is (0).
BUILD_EXPORTER=${CEN_VM_BUILD_EXPORTER:-1}
# Where cen_importer.ko is built (in place); another kernel's run builds a
# copy elsewhere so the two builds do not overwrite each other.
IMPORTER_DIR=${CEN_VM_IMPORTER_DIR:-$VM_DIR/importer}
BUILD=1
RUN_NAME=check

# Kernel log lines that fail the run (extended regular expressions).
KERNEL_PROBLEMS=(
	'BUG:'
	'WARNING:'
	'Oops'
	'KASAN:'
	'UBSAN:'
	'kmemleak: [0-9]+ new suspected'
	'kmemleak: .*(disabled|pool empty)'
	'possible circular locking'
	'possible recursive locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'turning off the locking correctness validator'
	'DEBUG_LOCKS_WARN_ON'
	'lockdep'
	'INFO: task .* blocked'
	'rcu: INFO:'
	'detected stalls'
	'soft lockup'
	'hard LOCKUP'
	'Kernel panic'
	'general protection fault'
	'Call Trace:'
	'Call trace:'
	'Internal error:'
)
# Lines that match a pattern above and are no problem: what every kernel
# with lockdep prints while booting.
KERNEL_BENIGN=(
	'RCU lockdep checking is enabled'
)
# Reports tests provoke on purpose on a debug kernel (e.g. DMA-API debug
# complaining about a mapping a negative test makes): a file of extended
# regular expressions, one per line, matched against the line after
# "[ cut here ]" (without its time stamp); such a report, up to its
# "---[ end trace", is listed but fails nothing.
EXPECTED_REPORTS=${CEN_VM_EXPECTED_REPORTS:-}

usage() {
	cat <<EOF
usage: ${0##*/} [options]
  --tests FILE     list of in-VM test programs (default tests/tests.list)
  --demo           run demo.list instead of the tests
  --modules FILE   modules to load (default modules.list)
  --no-build       use what is already built
  --timeout SEC    kill the VM after SEC seconds (default $TIMEOUT)
  --append ARGS    extra kernel command line
  -h, --help       this text
Environment: CEN_VM_KERNEL_ENV KVER KDIR KERNEL MODDIR CEN_VM_ARCH
  CENALLOC_KO CEN_VM_BUILD_EXPORTER=0
  CEN_VM_IMPORTER_DIR CEN_VM_EXPECTED_REPORTS CEN_VM_OUT CEN_VM_MEM
  CEN_VM_SMP CEN_VM_TIMEOUT CEN_VM_TEST_TIMEOUT CEN_VM_APPEND
  CEN_VM_MEM_PREALLOC=1 (guest RAM taken at start: for benchmarks)
  CEN_VM_ACCEL (QEMU's -accel; default tcg,thread=single on x86_64, tcg on arm64)
  CEN_VM_VERBOSE=1 (console on the terminal too)
EOF
}

while (($#)); do
	case $1 in
	--tests) TEST_LIST=$(realpath "$2"); shift ;;
	--demo) TEST_LIST=$VM_DIR/demo.list; RUN_NAME=demo ;;
	--modules) MODULE_LIST=$(realpath "$2"); shift ;;
	--no-build) BUILD=0 ;;
	--timeout) TIMEOUT=$2; shift ;;
	--append) APPEND_EXTRA=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

say() { printf 'vm: %s\n' "$*"; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 2; }

# Entries of a list file: comments and blank lines dropped.
list_entries() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$1"; }
# Whether the kernel under test has a module (its own or built in).
has_module() { modprobe "${MODPROBE_BASE[@]}" -S "$KVER" --show-depends "$1" >/dev/null 2>&1; }

for tool in "${QEMU_SYS[0]}" busybox cpio depmod modprobe modinfo xz; do
	command -v "$tool" >/dev/null || die "$tool missing (make vm-prep)"
done
[[ -r $KERNEL ]] || die "$KERNEL missing (make vm-prep)"
[[ -d $MODDIR/kernel ]] || die "$MODDIR missing (make vm-prep)"
[[ -f $TEST_LIST ]] || die "no test list $TEST_LIST"
[[ -f $MODULE_LIST ]] || die "no module list $MODULE_LIST"
mkdir -p "$OUT"

# Each run has its own directory (initramfs, logs), so runs can overlap;
# building and packing are serialised by a lock.  A passing run leaves its
# logs as $OUT/guest.log and $OUT/results.log, a failing one its directory.
RUN_DIR=$(mktemp -d "$OUT/run-$RUN_NAME.XXXXXX")
trap 'rm -rf "$RUN_DIR"' EXIT
exec 9>"$OUT/.build.lock"
flock 9
# The test programs depend only on the architecture: one build of them per
# architecture (the tests Makefile's default place), which runs of every
# kernel share, under a lock of its own until they are packed.
BIN=${CEN_VM_BIN:-$ROOT/build/vm/bin}
[[ $ARCH == amd64 ]] || BIN=${CEN_VM_BIN:-$ROOT/build/vm-$ARCH/bin}
mkdir -p "$BIN"
exec 6>"$BIN.lock"
flock 6

# ---- build -------------------------------------------------------------

NOTES=()
if ((BUILD)) && [[ -n $KERNEL_ENV ]]; then
	# Both modules, in a copy, with the kernel's own compiler.
	say "building cenalloc.ko and cen_importer.ko for $KVER (kernels/kbuild.sh)"
	"$ROOT/solver-tests/kernels/kbuild.sh" "$KERNEL_ENV" "$OUT/kbuild" ||
		die "modules do not build against $KVER"
	CENALLOC_KO=$OUT/kbuild/src/kernel/exporter/cenalloc.ko
	IMPORTER_DIR=$OUT/kbuild/src/solver-tests/vm/importer
	BUILD_EXPORTER=0
fi
if ((BUILD && BUILD_EXPORTER)) && [[ $CENALLOC_KO == "$EXPORTER_DIR/cenalloc.ko" && -f $EXPORTER_DIR/Kbuild ]]; then
	say "building cenalloc.ko (kernel/exporter)"
	make -s -C "$EXPORTER_DIR" KDIR="$KDIR" >"$RUN_DIR/exporter-build.log" 2>&1 || {
		cat "$RUN_DIR/exporter-build.log" >&2
		die "cenalloc.ko build failed"
	}
fi
HAVE_CENALLOC=0
[[ -f $CENALLOC_KO ]] && HAVE_CENALLOC=1
if ((BUILD)) && [[ -z $KERNEL_ENV ]]; then
	if ((HAVE_CENALLOC)); then
		say "building cen_importer.ko against $(dirname "$CENALLOC_KO")/Module.symvers"
		make -s -C "$IMPORTER_DIR" KDIR="$KDIR" \
			EXPORTER_SYMVERS="$(dirname "$CENALLOC_KO")/Module.symvers" >/dev/null ||
			die "cen_importer.ko build failed"
	else
		say "cenalloc.ko not built ($CENALLOC_KO): cen_importer.ko cannot load;" \
			"building it only to check that it compiles"
		make -s -C "$IMPORTER_DIR" KDIR="$KDIR" ALLOW_UNRESOLVED=1 >/dev/null 2>&1 ||
			die "cen_importer.ko does not compile"
	fi
fi
if ((BUILD)); then
	say "building test programs from ${TEST_LIST#"$ROOT"/} ($ARCH)"
	make -s -C "$VM_DIR/tests" OUT="$BIN" LISTS="$TEST_LIST" \
		CEN_TARGET_ARCH="$ARCH" || die "test programs build failed"
fi
# vkms where the module list asks for it: built from the kernel's own
# source (exit status 3: there is none; a kernel with vkms and without
# its source keeps its own).
if ((BUILD)) &&
	list_entries "$MODULE_LIST" | awk '$1 == "vkms?" { f = 1 } END { exit !f }'; then
	rc=0
	KVER=$KVER KDIR=$KDIR MODDIR=$MODDIR CEN_VM_ARCH=$ARCH \
		"$ROOT/solver-tests/kernels/vkms.sh" ${KERNEL_ENV:+"$KERNEL_ENV"} "$OUT/vkms" || rc=$?
	case $rc in
	0) ;;
	3) NOTES+=("no vkms: $KVER lacks it and there is no Debian source of its version to build it from") ;;
	*) die "vkms does not build for $KVER (kernels/vkms.sh)" ;;
	esac
fi
if ((!HAVE_CENALLOC)); then
	NOTES+=("cenalloc.ko is not built: cenalloc and cen_importer were not loaded, tests that need /dev/cen_importer are skipped")
fi

# ---- initramfs ---------------------------------------------------------

STAGE=$RUN_DIR/initramfs
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,tests,etc/centest,lib/modules/"$KVER"/{kernel,extra}}

# The static busybox of the guest's architecture.
BUSYBOX=$("$ROOT/solver-tests/kernels/busybox.sh" "$ARCH") || die "no busybox for $ARCH"
install -m755 "$BUSYBOX" "$STAGE/bin/busybox"
for applet in $(busybox --list); do
	[[ $applet == busybox ]] || ln -s busybox "$STAGE/bin/$applet"
done
if ((EUID == 0)); then
	mknod -m 600 "$STAGE/dev/console" c 5 1
	mknod -m 666 "$STAGE/dev/null" c 1 3
fi

# Copy one module file into the initramfs, decompressed; echo its name.
declare -A PACKED=()
pack_module_file() {
	local src=$1 dst
	case $src in
	"$MODDIR"/*) dst=$STAGE/lib/modules/$KVER/${src#"$MODDIR"/} ;;
	*) dst=$STAGE/lib/modules/$KVER/extra/$(basename "$src") ;;
	esac
	dst=${dst%.xz}
	[[ -n ${PACKED[$dst]:-} ]] && return 0
	PACKED[$dst]=1
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.xz) xz -dc "$src" >"$dst" ;;
	*.zst) zstd -qdc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
}

# A Debian module and what it needs, in load order.
pack_distro_module() {
	local deps line
	deps=$(modprobe "${MODPROBE_BASE[@]}" -S "$KVER" --show-depends "$1" 2>/dev/null) ||
		die "no module $1 in $MODDIR"
	while read -r line; do
		case $line in
		insmod\ *) line=${line#insmod }; pack_module_file "${line%% *}" ;;
		esac
	done <<<"$deps"
}

# A module of this project, and the Debian modules it depends on.
pack_project_module() {
	local ko=$1 dep
	pack_module_file "$ko"
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		case $dep in
		cenalloc | cen_importer) ;;
		# The real dma-heap's module, built beside cenalloc.ko.
		cenalloc_heap) pack_module_file "$(dirname "$CENALLOC_KO")/cenalloc_heap.ko" ;;
		*) pack_distro_module "$dep" ;;
		esac
	done
}

: >"$STAGE/etc/centest/modules.list"
# Modules the guest loads before anything else (the results channel).
: >"$STAGE/etc/centest/preload.list"
for name in "${PRELOAD[@]}"; do
	if has_module "$name"; then
		pack_distro_module "$name"
		echo "$name" >>"$STAGE/etc/centest/preload.list"
	fi
done
while read -r name params; do
	# shellcheck disable=SC2016 # the literal ${CARVEOUT} of modules.list
	params=${params//'${CARVEOUT}'/$CARVEOUT}
	case $name in
	cenalloc)
		((HAVE_CENALLOC)) || { say "not packing cenalloc: not built"; continue; }
		pack_project_module "$CENALLOC_KO" ;;
	cen_importer)
		((HAVE_CENALLOC)) || { say "not packing cen_importer: needs cenalloc.ko"; continue; }
		pack_project_module "$IMPORTER_DIR/cen_importer.ko" ;;
	*\?)
		# Optional: the build of $OUT/<name>/ (vkms: kernels/vkms.sh)
		# first, the vermagic check keeping another kernel's out, then
		# the kernel's own; else nothing.
		name=${name%\?}
		ko=$OUT/$name/$name.ko
		if [[ -f $ko && $(modinfo -F vermagic "$ko") == "$KVER "* ]]; then
			say "packing $name built from the kernel's source (${ko#"$ROOT"/})"
			pack_project_module "$ko"
		elif has_module "$name"; then
			pack_distro_module "$name"
		else
			say "not packing $name: not in this kernel (optional)"
			continue
		fi ;;
	*)
		pack_distro_module "$name" ;;
	esac
	printf '%s %s\n' "$name" "$params" >>"$STAGE/etc/centest/modules.list"
done < <(list_entries "$MODULE_LIST")
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[[ -f $MODDIR/$f ]] && cp "$MODDIR/$f" "$STAGE/lib/modules/$KVER/"
done
depmod -b "$STAGE" "$KVER"
# The configuration of the kernel under test, for tests whose expectations
# depend on it (CONFIG_DMABUF_MOVE_NOTIFY, CONFIG_DMA_CMA...).
[[ -f $KDIR/.config ]] && cp "$KDIR/.config" "$STAGE/etc/centest/kernel.config"

: >"$STAGE/etc/centest/tests.list"
while read -r name args; do
	# "+<program>": packed into /tests for a script of the list, not run.
	run=1
	[[ $name == +* ]] && { run=0; name=${name#+}; }
	if [[ $name == */* ]]; then
		src=$ROOT/$name
		# The arm64 CMake build is build/arm64 (tests/arm64.mk).
		[[ $ARCH == arm64 && $name == build/* ]] && src=$ROOT/build/arm64/${name#build/}
		[[ $name == /* ]] && src=$name
	else
		src=$BIN/$name
	fi
	[[ -x $src ]] || die "test program $src missing"
	prog=$(basename "$name")
	[[ -e $STAGE/tests/$prog ]] || "$STRIP" -o "$STAGE/tests/$prog" "$src" 2>/dev/null ||
		cp "$src" "$STAGE/tests/$prog"
	# Results are named by a label: the program, made unique with #<n>.
	label=$prog
	n=1
	while grep -q "^$label " "$STAGE/etc/centest/tests.list"; do
		n=$((n + 1))
		label=$prog#$n
	done
	((run)) || continue
	printf '%s %s %s\n' "$label" "$prog" "$args" >>"$STAGE/etc/centest/tests.list"
done < <(list_entries "$TEST_LIST")
if [[ ! -s $STAGE/etc/centest/tests.list ]]; then
	NOTES+=("${TEST_LIST#"$ROOT"/} lists no programs")
fi

sed -e "s/@TEST_TIMEOUT@/$TEST_TIMEOUT/" -e "s/@RESULTS_TTY@/${RESULTS_TTY}/" \
	"$VM_DIR/init.sh" >"$STAGE/init"
chmod 755 "$STAGE/init"

INITRD=$RUN_DIR/initramfs.cpio
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$INITRD"
flock -u 9
flock -u 6
say "initramfs: $(du -h "$INITRD" | cut -f1), $(wc -l <"$STAGE/etc/centest/modules.list") modules," \
	"$(wc -l <"$STAGE/etc/centest/tests.list") test programs"

# ---- boot --------------------------------------------------------------

GUEST_LOG=$RUN_DIR/guest.log
RESULTS=$RUN_DIR/results.log
APPEND="console=$CONSOLE panic=-1 oops=panic rdinit=/init $ARCH_APPEND"
APPEND+=" hung_task_timeout_secs=60 $APPEND_EXTRA"
QEMU=("${QEMU_SYS[@]}" -accel "$ACCEL" -m "$MEM" "${MEM_PREALLOC[@]}" -smp "$SMP"
	-nographic -nodefaults -no-reboot -monitor none
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
	-serial stdio "${RESULTS_DEV[@]//@RESULTS@/$RESULTS}")

say "booting $KVER ($ARCH, timeout ${TIMEOUT}s): console -> ${GUEST_LOG#"$ROOT"/}"
start=$(date +%s.%N)
qrc=0
if [[ ${CEN_VM_VERBOSE:-0} == 1 ]]; then
	timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 | tee "$GUEST_LOG" || qrc=$?
else
	timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$GUEST_LOG" 2>&1 || qrc=$?
fi
end=$(date +%s.%N)
WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
touch "$RESULTS"
# The console is a tty: drop its carriage returns.
sed -i 's/\r$//' "$GUEST_LOG" "$RESULTS"

# ---- verdict -----------------------------------------------------------

FAILED=()
echo
echo "== results (${RUN_NAME}, ${KVER}) =="
grep -E '^CENTEST ' "$RESULTS" | sed 's/^CENTEST /  /' || true
while read -r _ name verdict _; do
	[[ $verdict == FAIL ]] && FAILED+=("$name")
done < <(grep -E '^CENTEST [^ ]+ FAIL' "$RESULTS" || true)

# The test program running when a line of the console was printed.
running_at() {
	awk -v n="$1" 'NR > n { exit } /CENTEST-RUN / { t = $2 } /CENTEST-MODULES/ { t = "module loading" }
		END { print (t == "" ? "boot" : t) }' "$GUEST_LOG"
}

# The console with the expected reports blanked out (line numbers kept).
SCAN_LOG=$RUN_DIR/guest.scan
awk -v list="$EXPECTED_REPORTS" '
	BEGIN { if (list != "") while ((getline l < list) > 0)
		if (l !~ /^[[:space:]]*(#|$)/) pat[++n] = l }
	skip { print ""; if (/---\[ end trace/) skip = 0; next }
	held != "" {
		m = $0; sub(/^\[ *[0-9.]+\] /, "", m)	# printk time
		for (i = 1; i <= n; i++) if (m ~ pat[i]) break
		if (i <= n) {
			print "expected: " $0 > "/dev/stderr"
			print ""; print ""; skip = 1; held = ""; next
		}
		print held; held = ""
	}
	/\[ cut here \]/ && n { held = $0; next }
	{ print }
	END { if (held != "") print held }
' "$GUEST_LOG" >"$SCAN_LOG" 2>"$RUN_DIR/expected.txt"
if [[ -s $RUN_DIR/expected.txt ]]; then
	echo "== kernel reports the tests provoke on purpose (${EXPECTED_REPORTS#"$ROOT"/}) =="
	sed 's/^expected: /  /' "$RUN_DIR/expected.txt"
fi
pattern=$(IFS='|'; echo "${KERNEL_PROBLEMS[*]}")
benign=$(IFS='|'; echo "${KERNEL_BENIGN[*]}")
KPROBLEMS=$(grep -nE "$pattern" "$SCAN_LOG" | grep -v 'CENTEST' | grep -vE "$benign" || true)
if [[ -n $KPROBLEMS ]]; then
	# The first 20 lines are shown; every program with a report fails
	# (a debug kernel may print hundreds of lines for one test).
	echo "== kernel reports =="
	shown=0
	while IFS= read -r hit; do
		at=$(running_at "${hit%%:*}")
		((shown++ < 20)) && echo "  [during $at] ${hit#*:}"
		during="kernel-log:$at"
		[[ " ${FAILED[*]} " == *" $during "* ]] || FAILED+=("$during")
	done <<<"$KPROBLEMS"
	((shown <= 20)) || echo "  ... $((shown - 20)) more, see the console log"
fi

DONE=$(sed -n 's/^CENTEST-DONE \([0-9]*\).*/\1/p' "$RESULTS" | tail -1)
if [[ -z $DONE ]]; then
	last=$(running_at "$(wc -l <"$GUEST_LOG")")
	if ((qrc == 124 || qrc == 137)); then
		why="timed out after ${TIMEOUT}s"
	else
		why="guest stopped early, qemu rc $qrc"
	fi
	FAILED+=("no-CENTEST-DONE(${why}, last running: ${last})")
	tail -n 30 "$GUEST_LOG" | sed 's/^/  console: /'
elif ((DONE != 0)) && ((${#FAILED[@]} == 0)); then
	FAILED+=("guest-rc=$DONE")
fi

TIMES=$(sed -n 's/^CENTEST-TIME //p' "$RESULTS" | tail -1)
echo "== time: wall ${WALL}s (qemu start to power off); guest: ${TIMES:-n/a} =="
for note in "${NOTES[@]}"; do echo "== note: $note"; done
npass=$(grep -cE '^CENTEST [^ ]+ PASS' "$RESULTS" || true)
nskip=$(grep -cE '^CENTEST [^ ]+ SKIP' "$RESULTS" || true)

if ((${#FAILED[@]})); then
	keep=$OUT/failed-$RUN_NAME-$(date +%Y%m%d-%H%M%S)-$$
	rm -rf "$STAGE"
	mv "$RUN_DIR" "$keep"
	trap - EXIT
	echo "== FAIL: ${FAILED[*]}"
	echo "== logs kept in ${keep#"$ROOT"/}/"
	exit 1
fi
cp "$GUEST_LOG" "$RESULTS" "$OUT/"
echo "== PASS: $npass passed, $nskip skipped (logs: ${OUT#"$ROOT"/}/guest.log, results.log)"
