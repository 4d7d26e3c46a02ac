#!/usr/bin/env bash
# CLI tests of shell completion: bash (the function called with the words
# of a command line, as bash calls it) and zsh (a real interactive zsh in
# tmux, TAB pressed), and that `cmake --install` puts both in place.
. "$(dirname "$0")/lib.sh"
BIN=$(cd "$(dirname "$CANDOR")" && pwd)
BUILD=${BUILD:?set BUILD to the build directory}
for tool in zsh tmux; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (.ci/deps installs it)"; exit 1; }
done

# complete WORDS...: COMPREPLY for the last word, one line, sorted
complete_bash() {
	bash -c '. "$1/cmd/completion/candor.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _candor
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$SRC" "$@"
}
is() { [[ $1 == "$2" ]] || { echo "  got: '$1'"; echo "  want: '$2'"; return 1; }; }

cmds=$("$CANDOR" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort | tr '\n' ' ')
check "bash: every command of --help" is "$(complete_bash "$CANDOR" "")" "$cmds"
check "bash: a command by its prefix" is "$(complete_bash "$CANDOR" tem)" "templates "
check "bash: past a global option's value" is "$(complete_bash "$CANDOR" -c x.ini sug)" "suggest "
check "bash: templates subcommands" is "$(complete_bash "$CANDOR" templates "")" "check list "
check "bash: model subcommands" is "$(complete_bash "$CANDOR" model "")" "dump info merge "
check "bash: a command's option" is "$(complete_bash "$CANDOR" batch --enc)" "--encoding "
check "bash: global and command options, once each" is "$(complete_bash "$CANDOR" suggest --he)" "--help "
check "bash: classify offers --jobs" is "$(complete_bash "$CANDOR" classify --jo)" "--jobs "
check "bash: suggest offers --jobs" is "$(complete_bash "$CANDOR" suggest --jo)" "--jobs "
jv=$(complete_bash "$CANDOR" classify --jobs "")
check "bash: --jobs values are thread counts from 1 ($jv)" eval '[[ $jv == "1 "* && $jv != *[!0-9\ ]* ]]'
check "bash: --lang values" is "$(complete_bash "$CANDOR" suggest --lang "")" "auto en ru "
check "bash: init --lang takes a list" is "$(complete_bash "$CANDOR" init x --lang "")" "en en,ru ru "
check "bash: --channel values" is "$(complete_bash "$CANDOR" --channel y)" "youtube "
mkdir -p "$TMP/files/sub"; touch "$TMP/files/comments.jsonl"
check "bash: files after the command" is "$(cd "$TMP/files" && complete_bash "$CANDOR" suggest com)" "comments.jsonl "
check "bash: folders for -t" is "$(cd "$TMP/files" && complete_bash "$CANDOR" -t s)" "sub "
opts=$("$CANDOR" batch --help | grep -oE '(^|[ ,[])--[a-z][a-z-]*' | sed 's/^[ ,[]*//' | sort -u)
missing=""
for o in $opts; do
	[[ " $(complete_bash "$CANDOR" batch "$o") " == *" $o "* ]] || missing+=" $o"
done
check "bash: every option of batch --help is offered" is "$missing" ""

# zsh: a real interactive shell, TAB pressed
sock=candor-zsh-$$
zsh_tab() { # zsh_tab LINE WANT: type LINE, press TAB, wait for WANT on screen
	tmux -L $sock send-keys -t z C-u "$1" Tab
	for _ in $(seq 1 50); do
		tmux -L $sock capture-pane -t z -p | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	tmux -L $sock capture-pane -t z -p | tail -3
	return 1
}
tmux -L $sock new-session -d -s z -x 160 -y 20 "env PATH=$BIN:$PATH HOME=$TMP zsh -f"
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
tmux -L $sock send-keys -t z "autoload -U compinit; compinit -u; source $SRC/cmd/completion/_candor; PS1='%% '" Enter
check "zsh: a subcommand" zsh_tab "candor templates ch" "% candor templates check"
check "zsh: an option" zsh_tab "candor batch --enc" "% candor batch --encoding"
check "zsh: a command" zsh_tab "candor expl" "% candor explain"

# installed where the shells look
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
check "installed: bash completion" test -s "$TMP/prefix/share/bash-completion/completions/candor"
check "installed: zsh completion" test -s "$TMP/prefix/share/zsh/vendor-completions/_candor"

finish
