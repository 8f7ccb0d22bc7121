#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vkms.sh [ENV] OUT - build vkms.ko, the kernel's virtual KMS display
# driver (with a writeback connector), into OUT for a Debian kernel that
# lacks it, so that the VM suite has a display importer on stock kernels.
#
# Debian's configs leave DRM_VKMS unset, while what it needs (drm,
# drm_kms_helper, drm_shmem_helper) are modules.  It is built out of tree
# from drivers/gpu/drm/vkms of the Debian linux-source of exactly the
# kernel's package version (source.sh), never of another one: the driver
# uses DRM's internal API, which changes between releases without a
# symbol version telling.  The compiler is the kernel's own, as for
# cenalloc.ko (kmake.sh).
#
#   ENV   an env file of fetch.sh or vm-debug/build-kernel.sh (KVER KDIR
#         MODDIR ARCH SUITE DEB_VERSION).  Without it, the kernel run-vm.sh
#         boots by default: KVER KDIR MODDIR (and CEN_VM_ARCH) from the
#         environment as run-vm.sh takes them, else the newest Debian 6.12
#         installed with its modules and headers; its suite is the host's,
#         its version the installed package's.
#
# A kernel that has vkms (its own module or built in) and whose source is
# not beside its build tree needs nothing: that is said, and OUT holds no
# vkms.ko.  Where it is (the debug kernels), vkms is built from it again,
# since the fixes of vkms-fixes.pl apply to every version.
# OUT/key records what vkms.ko was built from (kernel, source version, compiler): while they stay the same
# it is not rebuilt.  OUT/build.log has the compiler's output.
# Exit status: 0 built, up to date or not needed; 2 error; 3 no
# linux-source of the kernel's version (said why; callers go on without
# vkms).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=kmake.sh
. "$HERE/kmake.sh"
# Bump when a change here changes what is built.
BUILD_VERSION=3

say() { printf 'vkms: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

case $# in
1) ENV='' OUT=$1 ;;
2) ENV=$1 OUT=$2 ;;
*) echo "usage: ${0##*/} [KERNEL_ENV] OUTDIR" >&2; exit 2 ;;
esac

SUITE='' DEB_VERSION=''
if [[ -n $ENV ]]; then
	KVER='' KDIR='' MODDIR='' ARCH=''
	# shellcheck source=/dev/null
	. "$ENV"
	ARCH=${ARCH:-amd64}
else
	ARCH=${CEN_VM_ARCH:-amd64}
	if [[ -z ${KVER:-} ]]; then
		# As run-vm.sh picks its default kernel.
		KVER=$("$HERE/host-kernel.sh")
		[[ -n $KVER ]] || die "no Debian 6.12 kernel with its headers in /boot and /lib/modules (make vm-prep)"
	fi
	KDIR=${KDIR:-/lib/modules/$KVER/build}
	MODDIR=${MODDIR:-/lib/modules/$KVER}
fi
[[ -n $KVER && -f $KDIR/Makefile ]] || die "no headers for ${KVER:-the kernel} (KDIR ${KDIR:-unset})"
[[ -d $MODDIR ]] || die "no modules of $KVER ($MODDIR)"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
exec 7>"$OUT/.lock"
flock 7

# modprobe searches <base>/lib/modules/$KVER (as run-vm.sh does).
base=()
[[ $MODDIR == /lib/modules/"$KVER" || $MODDIR != */lib/modules/"$KVER" ]] ||
	base=(-d "${MODDIR%/lib/modules/"$KVER"}")
# A kernel built here from source (the debug kernels) has vkms, and its
# source beside its build tree: vkms is built again from that source, with
# the fixes.  One that has vkms without its source is taken as it is.
VKMS_SRC=''
if modprobe "${base[@]}" -S "$KVER" --show-depends vkms >/dev/null 2>&1; then
	if [[ ! -f $KDIR/source/drivers/gpu/drm/vkms/Makefile ]]; then
		say "$KVER has vkms (its own module or built in), without its source: nothing to build"
		rm -f "$OUT/vkms.ko" "$OUT/key"
		exit 0
	fi
	VKMS_SRC=$(cd "$KDIR/source/drivers/gpu/drm/vkms" && pwd -P)
fi

if [[ -z $SUITE ]]; then
	SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[[ -n $SUITE ]] || die "cannot tell the host's Debian suite (/etc/os-release)"
fi
if [[ -z $DEB_VERSION && -z $VKMS_SRC ]]; then
	DEB_VERSION=$(dpkg-query -W -f='${Version}' "linux-image-$KVER" 2>/dev/null) || true
	if [[ -z $DEB_VERSION ]]; then
		say "no vkms for $KVER: it is no installed Debian package (linux-image-$KVER)," \
			"so no linux-source can be matched to it"
		rm -f "$OUT/vkms.ko" "$OUT/key"
		exit 3
	fi
fi

TOOLCHAIN=$("$HERE/toolchain.sh" "$SUITE") || die "no $SUITE toolchain"
cen_kmake_args "$ARCH"
KEY=$({
	printf '%s\n' "script=$BUILD_VERSION" "kver=$KVER" "deb=$DEB_VERSION" "suite=$SUITE" \
		"arch=$ARCH" "toolchain=$TOOLCHAIN" "src=$VKMS_SRC"
	cat "$KDIR/Module.symvers" "$KDIR/.config" 2>/dev/null
} | sha256sum | cut -c1-16)
if [[ -f $OUT/vkms.ko && $(cat "$OUT/key" 2>/dev/null) == "$KEY" ]]; then
	say "vkms.ko for $KVER is up to date ($OUT/vkms.ko)"
	exit 0
fi
rm -f "$OUT/vkms.ko" "$OUT/key"

rc=0
[[ -n $VKMS_SRC ]] ||
	VKMS_SRC=$("$HERE/source.sh" "$SUITE" "$DEB_VERSION" drivers/gpu/drm/vkms) || rc=$?
case $rc in
0) ;;
3) say "no vkms for $KVER: no linux-source of its version $DEB_VERSION to build it from"; exit 3 ;;
*) die "cannot get the source of vkms for $KVER ($DEB_VERSION)" ;;
esac

say "building vkms.ko for $KVER from $VKMS_SRC"
start=$SECONDS
# A copy: make writes its objects beside the sources.
rm -rf "$OUT/src"
cp -r "$VKMS_SRC" "$OUT/src"
# Two vkms bugs the pipeline test meets under an emulated CPU (a silent
# hang, writebacks that never complete): vkms-fixes.pl says which.
perl "$HERE/vkms-fixes.pl" "$OUT/src" | while read -r line; do say "fixed: $line"; done
((PIPESTATUS[0] == 0)) || die "vkms of $KVER: the fixes do not apply (kernels/vkms-fixes.pl)"
# The kernel's config leaves DRM_VKMS unset; vkms's Makefile builds what
# the variable says.
printf -v build '%q ' make -C "$KDIR" M="$OUT/src" "${KMAKE_ARGS[@]}" CONFIG_DRM_VKMS=m modules
cen_kmake_run "$TOOLCHAIN" "$KDIR" "$OUT" "$build" >"$OUT/build.log" 2>&1 || {
	tail -n 30 "$OUT/build.log" >&2
	die "vkms does not build against $KVER (log: $OUT/build.log)"
}
vermagic=$(modinfo -F vermagic "$OUT/src/vkms.ko")
[[ $vermagic == "$KVER "* ]] || die "vkms.ko is for '$vermagic', not $KVER"
cp "$OUT/src/vkms.ko" "$OUT/vkms.ko"
echo "$KEY" >"$OUT/key"
say "built $OUT/vkms.ko for $KVER ($DEB_VERSION) in $((SECONDS - start))s"
