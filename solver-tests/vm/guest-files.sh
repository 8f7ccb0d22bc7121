#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-files.sh RESULTS DIR - the files the in-VM tests left for the host
# (init.sh sends each as "CENTEST-FILE <name> <bytes>" and its base64 in
# "CENTEST-B64 " lines on the results channel), decoded into DIR.  Prints
# the path of each and fails when one's size is not what the guest said.
set -euo pipefail

results=$1 dir=$2
mkdir -p "$dir"
while read -r name bytes; do
	# A name is the guest's file name: no directories, nothing hidden.
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || {
		echo "guest-files: bad file name '$name'" >&2
		exit 1
	}
	awk -v want="$name" '
		/^CENTEST-FILE / { on = ($2 == want); next }
		on && /^CENTEST-B64 / { print $2; next }
		{ on = 0 }
	' "$results" | base64 -d >"$dir/$name"
	got=$(stat -c %s "$dir/$name")
	((got == bytes)) || {
		echo "guest-files: $name: $got bytes, the guest sent $bytes" >&2
		exit 1
	}
	echo "$dir/$name"
done < <(sed -n 's/^CENTEST-FILE //p' "$results")
