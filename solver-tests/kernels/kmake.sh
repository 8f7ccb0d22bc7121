# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# kmake.sh - sourced: build out-of-tree modules with the compiler a Debian
# kernel was built with (kbuild.sh: cenalloc.ko and cen_importer.ko;
# vkms.sh: vkms.ko).
#
#   cen_kmake_args ARCH     sets KMAKE_ARGS, what make needs for an ARCH
#                           (amd64, arm64) kernel on this amd64 host
#   cen_kmake_run TOOLCHAIN KDIR OUT COMMAND
#                           runs the shell COMMAND with the compiler of
#                           TOOLCHAIN (toolchain.sh's answer for the
#                           kernel's suite)
#
#   Debian 12 kernels   TOOLCHAIN "/": the host's gcc-12 (cross:
#                       aarch64-linux-gnu-gcc-12)
#   Debian 13 kernels   gcc-14 in the trixie root of toolchain.sh, entered
#                       with chroot; the kernel's tree (KDIR's fetch.sh
#                       cache entry) and OUT, where COMMAND reads and
#                       writes, are bind-mounted into it at the same
#                       paths, in a mount namespace of their own
#                       (unshare -m) that ends with the build.

# shellcheck disable=SC2034 # KMAKE_ARGS is the caller's
cen_kmake_args() {
	KMAKE_ARGS=()
	if [[ $1 == arm64 ]]; then
		KMAKE_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	fi
}

cen_kmake_run() {
	local toolchain=$1 kdir=$2 out=$3 command=$4 ktree
	if [[ $toolchain == / ]]; then
		bash -c "$command"
		return
	fi
	# The kernel tree: the fetch.sh cache entry (…/kernels/<release>,
	# two levels above KDIR's usr/src) or the debug kernel's directory.
	ktree=$(cd "$kdir" && pwd -P)
	case $ktree in
	*/root/usr/src/*) ktree=${ktree%/root/usr/src/*} ;;
	esac
	# A mount namespace of our own, whose mounts end with the build.
	# unshare first makes / private in it, which fails where / is no
	# mount point (in a chroot, as fresh-check runs us): there its
	# propagation stays as it is, and the script unmounts what it
	# mounted itself, so that nothing can outlive the build even where
	# mounts propagate.
	local ns=(unshare -m)
	unshare -m true 2>/dev/null || ns=(unshare -m --propagation unchanged)
	# shellcheck disable=SC2016 # the script expands its own variables
	"${ns[@]}" bash -c '
		set -e
		tc=$1 command=$2; shift 2
		mounted=()
		trap '\''for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}"; done'\'' EXIT
		for d in "$@"; do
			mkdir -p "$tc$d"
			mount --bind "$d" "$tc$d"
			mounted+=("$tc$d")
		done
		# objtool reads its stack limit from /proc/self/maps.
		mount -t proc proc "$tc/proc"
		mounted+=("$tc/proc")
		chroot "$tc" /bin/bash -c "$command"
	' unshare "$toolchain" "$command" "$ktree" "$(cd "$out" && pwd -P)"
}
