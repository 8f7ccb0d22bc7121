# SPDX-License-Identifier: GPL-2.0 OR MIT
# bash completion for cenalloc(1).  Installed as
# share/bash-completion/completions/cenalloc.  The test
# userspace-docs-match-usage checks that every command and option
# `cenalloc --help` lists is completed here.

_cenalloc_options()
{
	case $1 in
	backends) echo "--json --device --help -h" ;;
	alloc) echo "--name --hint --constraint --dynamic --populate --json --device --help -h" ;;
	info) echo "--fd --json --device --help -h" ;;
	"profile load") echo "--device --help -h" ;;
	"profile show") echo "--json --help -h" ;;
	"profile clear") echo "--all --device --help -h" ;;
	solve) echo "--profile --kernel-backends --json --device --help -h" ;;
	discover) echo "-o --output --unbound --sysfs --device --help -h" ;;
	esac
}

_cenalloc()
{
	local cur prev words cword
	_init_completion || return

	local commands="backends alloc info profile solve discover help"
	local i cmd=""
	# The command: the first word after "cenalloc"; "profile" takes a
	# second one.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		profile) cmd="profile" ;;
		load | show | clear)
			[[ $cmd == profile ]] && cmd="profile ${words[i]}" && break ;;
		*) [[ -z $cmd ]] && cmd=${words[i]} && break ;;
		esac
	done

	case $prev in
	--device)
		_filedir
		return ;;
	--output | -o | --profile)
		_filedir
		return ;;
	--sysfs)
		_filedir -d
		return ;;
	--constraint)
		mapfile -t COMPREPLY < <(compgen -S = -W "addr_limit max_segments max_seg_size seg_boundary_mask align iommu coherency" -- "$cur")
		compopt -o nospace
		return ;;
	--name | --hint | --fd)
		return ;;
	esac

	if [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help -h --version -V" -- "$cur")
		return
	fi
	if [[ $cmd == profile ]]; then
		mapfile -t COMPREPLY < <(compgen -W "load show clear --help" -- "$cur")
		return
	fi
	if [[ $cmd == help ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${commands% help}" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_cenalloc_options "$cmd")" -- "$cur")
		return
	fi
	case $cmd in
	solve | profile\ *) _filedir json ;;
	esac
} &&
	complete -F _cenalloc cenalloc
