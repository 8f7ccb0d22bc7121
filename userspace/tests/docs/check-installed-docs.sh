#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# check-installed-docs.sh BUILD_DIR WORK_DIR CMAKE
#
# Install the manual pages and the bash completion of the build in
# BUILD_DIR (component cenalloc-docs) into a temporary prefix under
# WORK_DIR, and check that each lands where man(1) and bash-completion
# look for it.  With groff at hand, the pages must also format without a
# warning.
set -euo pipefail

build=$1 work=$2 cmake=$3
prefix=$work/prefix

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" --component cenalloc-docs \
	>"$work/install.log"

status=0
for f in share/man/man1/cenalloc.1 share/man/man5/cenalloc-profile.5 \
	share/bash-completion/completions/cenalloc; do
	if [[ -s $prefix/$f ]]; then
		echo "installed: $f"
	else
		echo "not installed: $f" >&2
		status=1
	fi
done

bash -n "$prefix/share/bash-completion/completions/cenalloc" || status=1

if command -v groff >/dev/null; then
	for page in "$prefix"/share/man/man1/cenalloc.1 \
		"$prefix"/share/man/man5/cenalloc-profile.5; do
		# -ww: every warning; a page that warns is a page to fix.
		out=$(groff -man -ww -z "$page" 2>&1) || status=1
		[[ -z $out ]] || { echo "$page: $out" >&2; status=1; }
	done
else
	echo "groff not installed: the pages' formatting is not checked"
fi
exit $status
