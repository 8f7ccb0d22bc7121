# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# apt.sh - sourced: apt-get and apt-cache on a Debian suite other than the
# host's, with a private state directory, so that the system's apt
# configuration is never touched and nothing is installed into the host.
#
#   cen_apt_init SUITE      bookworm or trixie (with its backports)
#   cen_apt get|cache ARGS  apt-get / apt-cache on that suite's lists
#
# The lists are those of the host's own mirrors (debian.sources or
# sources.list), for amd64 and arm64, under $CEN_CACHE/apt-SUITE; they are
# fetched at most once per CEN_APT_RUN (the id the top-level Makefile gives
# each make invocation) and at least once a day otherwise.
CEN_CACHE=${CEN_CACHE:-/var/cache/cenalloc}

# The host's mirrors: "<main URI> <security URI>".
cen_apt_mirrors() {
	local main='' sec='' uri
	if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
		while read -r uri; do
			case $uri in
			*-security*) [[ -n $sec ]] || sec=$uri ;;
			*) [[ -n $main ]] || main=$uri ;;
			esac
		done < <(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
			/etc/apt/sources.list.d/debian.sources)
	fi
	if [[ -z $main && -f /etc/apt/sources.list ]]; then
		main=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++)
			if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
		sec=$(awk '$1 == "deb" && /security/ { for (i = 2; i <= NF; i++)
			if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	echo "${main:-http://deb.debian.org/debian} ${sec:-http://deb.debian.org/debian-security}"
}

cen_apt_init() {
	local suite=$1 main sec d stamp
	read -r main sec <<<"$(cen_apt_mirrors)"
	# For fetch.sh: the mirror whose pool holds files the lists no
	# longer name.
	export CEN_APT_MIRROR=$main
	d=$CEN_CACHE/apt-$suite
	mkdir -p "$d"/lists/partial "$d"/cache/archives/partial
	local key='[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64,arm64]'
	case $suite in
	bookworm) printf 'deb %s %s main\n' "$key $main" bookworm "$key $main" \
		bookworm-updates "$key $sec" bookworm-security >"$d/sources.list" ;;
	trixie) printf 'deb %s %s main\n' "$key $main" trixie "$key $main" \
		trixie-backports "$key $sec" trixie-security >"$d/sources.list" ;;
	*) echo "apt.sh: unknown suite $suite" >&2; return 2 ;;
	esac
	CEN_APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list"
		-o Dir::Etc::sourceparts=/nonexistent
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Dir::State::status=/dev/null
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64
		-o Debug::NoLocking=1 -q)
	stamp=$d/updated
	if [[ ! -f $stamp || $(cat "$stamp") != "${CEN_APT_RUN:-}" ]] ||
		[[ -n $(find "$stamp" -mmin +1440) ]]; then
		(flock 9
		 apt-get "${CEN_APT_OPTS[@]}" update >"$d/update.log" 2>&1 ||
			{ cat "$d/update.log" >&2; exit 2; }
		 echo "${CEN_APT_RUN:-}" >"$stamp") 9>"$d/.lock" || return 2
	fi
}

cen_apt() {
	local tool=$1
	shift
	"apt-$tool" "${CEN_APT_OPTS[@]}" "$@"
}
