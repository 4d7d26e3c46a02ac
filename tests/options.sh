#!/usr/bin/env bash
# Every documented option has a test that names it.
#
# Reads the options of each command from the "## Options" section of
# docs/commands/NAME.md: the option column of its --help text, every option
# the page writes as code (the table, the prose), and the global options a
# line saying "Global ..." names.  An option counts as
# tested when a line of a test script (tests/**/*.sh, backslash-continued
# lines joined) names both the command and the option as words.  Prints
# each one with no test and fails when there is any.
#   usage: options.sh SRC     (or SRC in the environment)
set -u
SRC=${1:-${SRC:?usage: options.sh SRC}}
cd "$SRC" || exit 2

# all test lines, continuations joined, one per line
lines=$(find tests -name '*.sh' -print0 | xargs -0 awk '
	{ if (sub(/\\$/, "")) { acc = acc $0 " "; next } print acc $0; acc = "" }')

missing=0
checked=0
for md in docs/commands/*.md; do
	cmd=$(basename "$md" .md)
	section=$(sed -n '/^## Options/,/^## [^O]/p' "$md")
	opts=$( {
		# the help text: the option column of lines that start with one
		printf '%s\n' "$section" | awk '/^```/ { code = !code; next }
			code && /^ +--?[A-Za-z]/' |
			sed -E 's/^ +//; s/  .*//' | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*'
		# the global options the help or the page says apply
		printf '%s\n' "$section" | awk '/Global/ { on = 1 } /^$|^```/ { on = 0 } on' |
			grep -oE -- '(^|[ ,(`])--?[A-Za-z][A-Za-z0-9-]*'
		# every option the page writes as code: tables and prose
		printf '%s\n' "$section" | awk '/^```/ { code = !code; next } !code' |
			grep -oE -- '`--?[A-Za-z][A-Za-z0-9-]*'
		} | tr -d '`, (' | sort -u)
	if [[ -z $opts ]]; then
		echo "$md: no options table found under '## Options'"
		missing=$((missing + 1))
		continue
	fi
	cmdlines=$(printf '%s\n' "$lines" | grep -E "(^|[[:space:]\"'])$cmd([[:space:]\"']|\$)")
	for o in $opts; do
		checked=$((checked + 1))
		if ! printf '%s\n' "$cmdlines" |
			grep -qE -- "(^|[[:space:]\"'])$o([[:space:]\"'=]|\$)"; then
			echo "untested: $cmd $o   ($md)"
			missing=$((missing + 1))
		fi
	done
done
echo "$checked documented options, $missing without a test"
((missing == 0))
