#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The cma backend on the real target architecture: Debian's stock arm64
# 6.12 kernel (CMA 64 MiB) under qemu-system-aarch64 TCG, and the refusal
# of a carveout there.  A static probe asks for 16 MiB of contiguous
# memory: more than the buddy allocator's 4 MiB, so only CMA can serve it.
# (The whole VM suite runs on arm64 too: make check-kernels.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/arm64
NEED=$ROOT/scripts/need-packages
# need-packages fetches the package lists at most once per id: one for
# this run unless make gave one.
export CEN_APT_RUN=${CEN_APT_RUN:-arm64.$$.$(date +%s.%N)}

say() { printf 'arm64: %s\n' "$*"; }
die() { printf 'arm64: error: %s\n' "$*" >&2; exit 2; }

# The cross compiler and qemu.
"$NEED" @arm64

# Debian 12's newest arm64 6.12 kernel (its version found in the package
# lists at run time), downloaded and unpacked by kernels/fetch.sh, and
# cenalloc.ko built against its headers (kernels/kbuild.sh).
ENV=$("$ROOT/solver-tests/kernels/fetch.sh" 6.12 arm64) || die "cannot fetch the arm64 6.12 kernel"
# shellcheck source=/dev/null
. "$ENV"
KREL=$KVER
"$ROOT/solver-tests/kernels/kbuild.sh" "$ENV" "$OUT" || die "cenalloc.ko does not build for $KREL"
# The arm64 busybox of run-vm.sh's guests.
BUSYBOX=$("$ROOT/solver-tests/kernels/busybox.sh" arm64) || die "no arm64 busybox"
aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -I"$ROOT/uapi" \
	-o "$OUT/cma_probe" "$ROOT/solver-tests/vm-arm64/cma_probe.c"

IR=$OUT/initramfs
rm -rf "$IR" && mkdir -p "$IR/bin" "$IR/proc" "$IR/sys" "$IR/dev"
cp "$BUSYBOX" "$IR/bin/"
cp "$OUT/cma_probe" "$OUT/src/kernel/exporter/cenalloc.ko" "$IR/"
cat > "$IR/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev; mount -t debugfs debugfs /sys/kernel/debug
insmod /cenalloc.ko && cat /sys/kernel/debug/cenalloc/backends
/cma_probe; echo "CMAPROBE-RC $?"
rmmod cenalloc && echo "CMAPROBE-UNLOAD ok"
# Devices here may be non-coherent: a carveout outside the linear map
# could not get their cache maintenance, so loading with one must fail.
insmod /cenalloc.ko carveout=16M@0x48000000 || echo "CARVEOUT-REFUSED"
poweroff -f
INIT
chmod +x "$IR/init"
(cd "$IR" && find . | cpio -o -H newc 2>/dev/null | gzip) > "$OUT/initramfs.cpio.gz"

LOG=$OUT/guest.log
# No network (-nic none): the default NIC needs a boot ROM that
# qemu-system-arm only recommends (ipxe-qemu).
timeout 300 qemu-system-aarch64 -M virt -cpu max -accel tcg -m 1G -smp 2 \
	-nographic -nic none -no-reboot -kernel "$KERNEL" \
	-initrd "$OUT/initramfs.cpio.gz" -append "console=ttyAMA0 panic=-1" \
	>"$LOG" 2>&1 || true
grep -E '^(system|contig|cma) |CMAPROBE' "$LOG" || true
fail=0
grep -q '^cma ' "$LOG" || { echo "FAIL: no cma backend registered"; fail=1; }
grep -q 'CMAPROBE backend=cma ' "$LOG" || { echo "FAIL: 16 MiB not from cma"; fail=1; }
grep -q 'CMAPROBE-RC 0' "$LOG" || { echo "FAIL: probe failed"; fail=1; }
grep -q 'CMAPROBE-UNLOAD ok' "$LOG" || { echo "FAIL: cenalloc did not unload"; fail=1; }
grep -q 'CARVEOUT-REFUSED' "$LOG" && grep -q 'cenalloc: carveout refused' "$LOG" ||
	{ echo "FAIL: a carveout was accepted where devices may be non-coherent"; fail=1; }
if grep -qE 'BUG:|WARNING:|Oops|KASAN|circular locking' "$LOG"; then
	echo "FAIL: kernel report in $LOG"; fail=1
fi
if ((fail)); then
	tail -n 20 "$LOG" | sed 's/^/  console: /'
	echo "== arm64 FAIL (log: ${LOG#"$ROOT"/})"
	exit 1
fi
echo "== arm64 PASS: cma backend serves 16 MiB contiguous, a carveout is refused, on $KREL"
