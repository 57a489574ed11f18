# bash completion for distributest(1)
_distributest() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	# A value for -C, -c or -j, alone or last of bundled options (-vj).
	if [[ $prev == -[!-]* && -z ${prev#*[Ccj]} ]]; then
		case $prev in
		*C) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		*c) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		*j) COMPREPLY=($(compgen -W "1 2 4 8 16 32" -- "$cur")); return ;;
		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-C -c -d -h -j -n -p -S -t -V -v --dry-run --help --no-split --nodes --print-config --timings --version" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _distributest distributest
