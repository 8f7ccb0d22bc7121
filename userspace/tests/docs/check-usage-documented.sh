#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# check-usage-documented.sh TOOL MAN_PAGE COMPLETION
#
# Every command `TOOL --help` lists, and every option each command's
# --help lists, must appear in the manual page and in the bash completion,
# so that the three cannot drift apart.
set -euo pipefail

tool=$1 page=$2 completion=$3

# The page as text: roff's \- is -, font changes are nothing.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page")
status=0

missing()
{
	echo "$1 is not in $2" >&2
	status=1
}

check()
{
	local word=$1
	grep -qF -- "$word" <<<"$man_text" || missing "$word" "$page"
	grep -qwF -- "$word" "$completion" || missing "$word" "$completion"
}

# "  profile load FILE.json   summary": the command is its first word, and
# for "profile" its second.
commands=$("$tool" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' |
	awk '{ c = $1; if (c == "profile") c = c " " $2; print c }')
[[ -n $commands ]] || { echo "no commands in $tool --help" >&2; exit 1; }

for top in -h --help -V --version; do
	check "$top"
done
while read -r cmd; do
	check "$cmd"
	# shellcheck disable=SC2086 # "profile load" is two words
	options=$("$tool" $cmd --help | sed -n '/^options:/,/^$/p' |
		grep -oE '(^|[ ,])-(-[a-z][a-z-]*|[a-zA-Z])\b' | tr -d ' ,')
	while read -r opt; do
		check "$opt"
		# The completion lists a command's options together.
		grep -qE -- "^[[:space:]]*\"?$cmd\"?\).*(^| |\")$opt( |\")" \
			"$completion" ||
			missing "$opt (of $cmd)" "$completion"
	done <<<"$options"
	echo "documented: $cmd ($(echo $options))"
done <<<"$commands"
exit $status
