#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The cma backend on the real target architecture: Debian's stock arm64
# 6.12 kernel (CMA 64 MiB) under qemu-system-aarch64 TCG.  cenalloc.ko is
# cross-built against the arm64 headers unpacked with dpkg-deb (their
# scripts/ and tools/ point at the host's kbuild of the same version), and a
# static probe asks for 16 MiB of contiguous memory: more than the buddy
# allocator's 4 MiB, so only CMA can serve it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/arm64
KVER=6.12.117+deb12
KREL=$KVER-arm64
mkdir -p "$OUT/debs"

need=()
for p in gcc-aarch64-linux-gnu qemu-system-arm cpio "linux-headers-$KVER-amd64"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		need+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -qq
fi
if ((${#need[@]})); then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
cd "$OUT/debs"
for p in "linux-image-$KREL-unsigned" "linux-headers-$KREL" busybox-static:arm64; do
	ls "${p%%:*}"_*.deb >/dev/null 2>&1 || apt-get download "$p" 2>/dev/null
done
if [ ! -d "$OUT/root/boot" ]; then
	for d in "$OUT"/debs/*.deb; do dpkg-deb -x "$d" "$OUT/root"; done
fi
HDR=$OUT/root/usr/src/linux-headers-$KREL
ln -sfn "/usr/lib/linux-kbuild-$KVER/scripts" "$HDR/scripts"
ln -sfn "/usr/lib/linux-kbuild-$KVER/tools" "$HDR/tools"

# Kbuild writes objects next to the sources: build a copy.
rm -rf "$OUT/src" && mkdir -p "$OUT/src"
cp -r "$ROOT/kernel" "$ROOT/uapi" "$OUT/src/"
find "$OUT/src" -name '*.o' -o -name '*.ko' -o -name '.*.cmd' | xargs rm -f
make -s -C "$OUT/src/kernel/exporter" KDIR="$HDR" ARCH=arm64 \
	CROSS_COMPILE=aarch64-linux-gnu- >/dev/null
aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -I"$ROOT/uapi" \
	-o "$OUT/cma_probe" "$ROOT/solver-tests/vm-arm64/cma_probe.c"

IR=$OUT/initramfs
rm -rf "$IR" && mkdir -p "$IR/bin" "$IR/proc" "$IR/sys" "$IR/dev"
cp "$OUT/root/bin/busybox" "$IR/bin/"
cp "$OUT/cma_probe" "$OUT/src/kernel/exporter/cenalloc.ko" "$IR/"
cat > "$IR/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev; mount -t debugfs debugfs /sys/kernel/debug
insmod /cenalloc.ko && cat /sys/kernel/debug/cenalloc/backends
/cma_probe; echo "CMAPROBE-RC $?"
rmmod cenalloc && echo "CMAPROBE-UNLOAD ok"
poweroff -f
INIT
chmod +x "$IR/init"
(cd "$IR" && find . | cpio -o -H newc 2>/dev/null | gzip) > "$OUT/initramfs.cpio.gz"

LOG=$OUT/guest.log
timeout 300 qemu-system-aarch64 -M virt -cpu max -accel tcg -m 1G -smp 2 \
	-nographic -no-reboot -kernel "$OUT/root/boot/vmlinuz-$KREL" \
	-initrd "$OUT/initramfs.cpio.gz" -append "console=ttyAMA0 panic=-1" \
	>"$LOG" 2>&1 || true
grep -E '^(system|contig|cma) |CMAPROBE' "$LOG" || true
fail=0
grep -q '^cma ' "$LOG" || { echo "FAIL: no cma backend registered"; fail=1; }
grep -q 'CMAPROBE backend=cma ' "$LOG" || { echo "FAIL: 16 MiB not from cma"; fail=1; }
grep -q 'CMAPROBE-RC 0' "$LOG" || { echo "FAIL: probe failed"; fail=1; }
grep -q 'CMAPROBE-UNLOAD ok' "$LOG" || { echo "FAIL: cenalloc did not unload"; fail=1; }
if grep -qE 'BUG:|WARNING:|Oops|KASAN|circular locking' "$LOG"; then
	echo "FAIL: kernel report in $LOG"; fail=1
fi
((fail)) && { echo "== arm64 FAIL (log: ${LOG#"$ROOT"/})"; exit 1; }
echo "== arm64 PASS: cma backend serves 16 MiB contiguous on $KREL"
