# bash completion for candor                               -*- shell-script -*-
#
# Commands, options and subcommands are read from the program's own help
# (`candor --help`, `candor CMD --help`), once per shell for each command,
# so the completion stays in step with the binary it completes: a new
# command or option needs no change here.  Values: --lang, --channel and
# --format words; files for everything else.

# The words of one help text: options, or (for "commands") command names.
_candor_help_words()
{
	local prog=$1 cmd=$2 what=$3 key help
	key="${prog}|${cmd}|${what}"
	key=${key//[^A-Za-z0-9_]/_}
	if [[ -z ${_candor_cache[$key]+set} ]]; then
		if [[ -z $cmd ]]; then
			help=$("$prog" --help 2>/dev/null)
		else
			help=$("$prog" "$cmd" --help 2>/dev/null)
		fi
		case $what in
		commands)
			_candor_cache[$key]=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help") ;;
		options)
			_candor_cache[$key]=$(grep -oE '(^|[ ,[])--?[A-Za-z][A-Za-z-]*' <<<"$help" |
				sed 's/^[ ,[]*//' | sort -u) ;;
		subcommands)
			_candor_cache[$key]=$(sed -n "s/^\(usage:\)\{0,1\} *candor $cmd \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\2/p" <<<"$help" |
				grep -vE '^(options|args)$' | sort -u) ;;
		esac
	fi
	printf '%s\n' "${_candor_cache[$key]}"
}

_candor()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} cmd="" sub="" i w skip=0
	declare -gA _candor_cache 2>/dev/null || true
	COMPREPLY=()

	# the command and its subcommand: the first bare words, past the
	# values of the global options that take one
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then skip=0; continue; fi
		case $w in
		-c|--config|-m|--model|-t|--templates|--lang|--channel) skip=1 ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
			elif [[ -z $sub ]]; then
				sub=$w
			fi ;;
		esac
	done

	case $prev in
	--lang)
		if [[ $cmd == init ]]; then
			COMPREPLY=($(compgen -W "en ru en,ru" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "auto en ru" -- "$cur"))
		fi
		return ;;
	--channel)
		COMPREPLY=($(compgen -W "tiktok instagram youtube x" -- "$cur")); return ;;
	-f|--format)
		COMPREPLY=($(compgen -W "json pretty tsv" -- "$cur")); return ;;
	--escape)
		COMPREPLY=($(compgen -W "html none" -- "$cur")); return ;;
	--encoding)
		COMPREPLY=($(compgen -W "utf-8 cp1251 utf-16le utf-16be koi8-r" -- "$cur")); return ;;
	--jobs)
		COMPREPLY=($(compgen -W "$(seq 1 "$(nproc 2>/dev/null || echo 1)")" -- "$cur")); return ;;
	--delimiter)
		COMPREPLY=($(compgen -W ", ';' tab" -- "$cur")); return ;;
	-t|--templates|--partials)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-c|--config|-m|--model|-o|--output|-j|--journal|--errors|--test|--data|--update|--state|--ledger|--cacert|--output-csv|--from-journal)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$({ _candor_help_words "$prog" "" options
			[[ -z $cmd ]] || _candor_help_words "$prog" "$cmd" options
			} | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$(_candor_help_words "$prog" "" commands)" -- "$cur"))
		return
	fi
	if [[ -z $sub ]]; then
		local subs
		subs=$(_candor_help_words "$prog" "$cmd" subcommands)
		if [[ -n $subs ]]; then
			COMPREPLY=($(compgen -W "$subs" -- "$cur"))
			return
		fi
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -o bashdefault -F _candor candor
