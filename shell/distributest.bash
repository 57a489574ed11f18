# bash completion for distributest(1)

# The word as typed, without the quoting readline will add back (-o
# filenames): a leading quote, and backslashes before characters.
_distributest_dequote() {
	local w=$1
	case $w in
	\"* | \'*) w=${w:1} ;;
	esac
	w=${w//\\\\/$'\001'}
	w=${w//\\/}
	printf '%s' "${w//$'\001'/\\}"
}

# Directories, and the files the frameworks take for tests; one a line,
# so that names with blanks stay whole.
_distributest_paths() {
	local f
	while IFS= read -r f; do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f")
			continue
		fi
		case ${f##*/} in
		*_spec.rb | spec_*.rb | *_test.rb | test_*.rb | test_*.py | \
		    *_test.py | *.t)
			COMPREPLY+=("$f") ;;
		esac
	done < <(compgen -f -- "$1")
}

# The value prev takes: -C, -c, -j, -n or -s, alone or last of bundled
# short options (-vj), or a long option, with "=" when bash split there.
_distributest_value() {
	local prev=$1 cur=$2 jobs="auto 1 2 4 8 16 32" n

	n=$(nproc 2>/dev/null)
	[[ -z $n || " $jobs " == *" $n "* ]] || jobs+=" $n"
	case $prev in
	--jobs | --jobs= | -*[jn])
		mapfile -t COMPREPLY < <(compgen -W "$jobs" -- "$cur") ;;
	--color=)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- \
		    "$cur") ;;
	--format | --format=)
		mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur") ;;
	--partition | --partition=)
		mapfile -t COMPREPLY < <(compgen -W "1/2 2/2 1/4 2/4 3/4 4/4" \
		    -- "$cur") ;;
	--retry | --retry=)
		mapfile -t COMPREPLY < <(compgen -W "0 1 2 3" -- "$cur") ;;
	--junit | --junit=)
		mapfile -t COMPREPLY < <(compgen -f -- \
		    "$(_distributest_dequote "$cur")") ;;
	-*C)
		mapfile -t COMPREPLY < <(compgen -d -- \
		    "$(_distributest_dequote "$cur")") ;;
	-*c)
		mapfile -t COMPREPLY < <(compgen -f -- \
		    "$(_distributest_dequote "$cur")") ;;
	esac
}

_distributest() {
	local cur prev w i state=option
	local opts="-C -c -d -h -j -n -p -q -S -s -t -V -v --color --dry-run
	    --failed --format --help --jobs --junit --no-split --nodes
	    --partition --print-config --quiet --retry --seed --timings
	    --verbose --version"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	# bash splits --jobs=4 into three words; the value is after "=".
	if [[ $cur == = ]]; then
		prev=$prev= cur=
	elif [[ $prev == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD-2]}=
	fi
	# As the front end reads them: options up to "--" or the first path.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $state,$w in
		value,*) state=option ;;
		option,--) state=rest ;;
		option,--jobs | option,--seed | option,--format | \
		option,--junit | option,--partition | option,--retry)
			[[ ${COMP_WORDS[i+1]} == = ]] || state=value ;;
		option,=) state=value ;;
		option,-[!-]*) [[ -n ${w#*[Ccjns]} ]] || state=value ;;
		option,-*) ;;
		option,*) state=paths ;;
		esac
	done
	[[ ${COMP_WORDS[COMP_CWORD]} == = ]] && state=value
	case $state,$cur in
	value,*)
		_distributest_value "$prev" "$cur" ;;
	rest,*)
		mapfile -t COMPREPLY < <(compgen -f -- \
		    "$(_distributest_dequote "$cur")") ;;
	option,--color=* | option,--jobs=* | option,--format=* | \
	option,--junit=* | option,--partition=* | option,--retry=*)
		w=${cur%%=*}=
		[[ $w == --jobs= ]] && prev=--jobs || prev=$w
		_distributest_value "$prev" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/$w}") ;;
	option,-*)
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur") ;;
	*)
		_distributest_paths "$(_distributest_dequote "$cur")" ;;
	esac
}
complete -o filenames -F _distributest distributest
