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
NEED=$ROOT/scripts/need-packages
# need-packages fetches the package lists at most once per id: one for
# this run unless make gave one.
export CEN_APT_RUN=${CEN_APT_RUN:-arm64.$$.$(date +%s.%N)}

say() { printf 'arm64: %s\n' "$*"; }
die() { printf 'arm64: error: %s\n' "$*" >&2; exit 2; }

# The cross compiler, qemu, and the arm64 architecture for the downloads.
"$NEED" @arm64

# The newest arm64 kernel of Debian 12's 6.12 line, found at run time (a
# Debian kernel update changes its ABI name, 6.12.<n>+deb12): the one the
# metapackage linux-image-6.12-arm64 depends on.
kver() {
	apt-cache depends linux-image-6.12-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.12\.[^ :]*\)-arm64\(:arm64\)\{0,1\}$/\1/p' |
		sort -V | tail -n 1
}
# The arm64 kernel, its headers and busybox are downloaded (the packages
# cannot be installed next to the amd64 ones) into debs/ and unpacked into
# root-$KREL; those of other versions go.
OUT_DEBS=$OUT/debs
# The newest downloaded .deb of a package.
deb() { ls -1 "$OUT_DEBS/$1"_*_arm64.deb 2>/dev/null | sort -V | tail -n 1; }
pkgs() { echo "linux-image-$1-arm64-unsigned linux-headers-$1-arm64 busybox-static"; }
ready() {
	local p
	[[ -n $1 ]] || return 1
	dpkg-query -W -f='${Status}' "linux-headers-$1-amd64" 2>/dev/null |
		grep -q 'install ok installed' || return 1
	for p in $(pkgs "$1"); do [[ -n $(deb "$p") ]] || return 1; done
}
KVER=$(kver)
# Something to fetch: with the lists of this run (once per make
# invocation), which may name a newer kernel, and must when the archive
# has dropped the version older lists name.
ready "$KVER" || { "$NEED" --update && KVER=$(kver); }
[[ -n $KVER ]] || die "no linux-image-6.12-arm64 in the package lists (apt-cache depends linux-image-6.12-arm64:arm64)"
KREL=$KVER-arm64
# The arm64 headers' scripts/ and tools/ are symbolic links to the host's
# kbuild of the same version, which the amd64 headers of that version bring.
"$NEED" "linux-headers-$KVER-amd64"
KBUILD=/usr/lib/linux-kbuild-$KVER
[[ -d $KBUILD/scripts ]] || die "$KBUILD missing (linux-kbuild-$KVER)"

mkdir -p "$OUT_DEBS"
for p in $(pkgs "$KVER"); do
	[[ -n $(deb "$p") ]] && continue
	say "downloading $p:arm64"
	# As root apt-get notes that it downloads unsandboxed: not news.
	(cd "$OUT_DEBS" && apt-get download -q "$p:arm64" 2>&1) | grep -v unsandboxed || true
	[[ -n $(deb "$p") ]] || die "apt-get download $p:arm64 failed"
done
for d in "$OUT_DEBS"/linux-*_arm64.deb; do
	[[ $d == "$(deb "linux-image-$KREL-unsigned")" || $d == "$(deb "linux-headers-$KREL")" ]] ||
		rm -f "$d"
done
ROOTFS=$OUT/root-$KREL
for r in "$OUT"/root "$OUT"/root-*; do
	[[ $r == "$ROOTFS" ]] || rm -rf "$r"
done
if [[ ! -f $ROOTFS/.complete ]]; then
	rm -rf "$ROOTFS"
	for p in $(pkgs "$KVER"); do dpkg-deb -x "$(deb "$p")" "$ROOTFS"; done
	touch "$ROOTFS/.complete"
fi
HDR=$ROOTFS/usr/src/linux-headers-$KREL
ln -sfn "$KBUILD/scripts" "$HDR/scripts"
ln -sfn "$KBUILD/tools" "$HDR/tools"

# Kbuild writes objects next to the sources: build a copy.
rm -rf "$OUT/src" && mkdir -p "$OUT/src"
cp -r "$ROOT/kernel" "$ROOT/uapi" "$OUT/src/"
find "$OUT/src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
make -s -C "$OUT/src/kernel/exporter" KDIR="$HDR" ARCH=arm64 \
	CROSS_COMPILE=aarch64-linux-gnu- >/dev/null
aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -I"$ROOT/uapi" \
	-o "$OUT/cma_probe" "$ROOT/solver-tests/vm-arm64/cma_probe.c"

IR=$OUT/initramfs
rm -rf "$IR" && mkdir -p "$IR/bin" "$IR/proc" "$IR/sys" "$IR/dev"
cp "$ROOTFS/bin/busybox" "$IR/bin/"
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
	-nographic -nic none -no-reboot -kernel "$ROOTFS/boot/vmlinuz-$KREL" \
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
