#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host-kernel.sh - print the release of the Debian 12 kernel of the 6.12
# line that the VM suite boots by default: the newest installed with its
# modules and headers (make vm-prep installs the metapackages, which bring
# the newest; a Debian kernel update changes the ABI name 6.12.<n>+deb12).
# Prints nothing when there is none.
find /boot -maxdepth 1 -name 'vmlinuz-6.12.*-amd64' -printf '%f\n' 2>/dev/null |
	sed 's/^vmlinuz-//' | sort -rV |
	while read -r v; do
		[[ -d /lib/modules/$v/kernel && -f /lib/modules/$v/build/Makefile ]] &&
			{ echo "$v"; break; }
	done || true
