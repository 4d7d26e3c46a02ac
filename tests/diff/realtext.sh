#!/bin/bash
# realtext.sh - the differential check of a speed change on real text: run
# classify, suggest (jsonl, tsv, -v) and batch of two builds on the same
# file of many distinct real comments and compare every output byte for
# byte (docs/testing.md, "Differential check"; docs/performance.md).
#
#   tests/diff/realtext.sh OLD_BUILD NEW_BUILD TEXT.txt [MODEL...]
#
# OLD_BUILD is usually main built by tests/diff/baseline.sh (DIR/build),
# NEW_BUILD this tree's build; each holds candor and candor.model.  TEXT.txt
# holds one comment a line (plain text; 100,000 distinct real lines or more
# to exercise the word cache's evictions).  Both builds read config/ and
# templates/ of THIS tree (run it from the source tree; the flag and tone
# lists come from each build's own source, their paths masked in -v's
# report), each with its own default model and then with every MODEL
# given (e.g. one trained on real data).  Prints one line per output and exits 1 on the first
# difference set; the outputs stay in a temporary folder named at the end
# when something differs.
set -u
[[ $# -ge 3 ]] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OLD=$(cd "$1" && pwd); NEW=$(cd "$2" && pwd); TXT=$3; shift 3
[[ -r config/candor.ini && -d templates ]] ||
	{ echo "realtext.sh: run it from the source tree" >&2; exit 2; }
[[ -r $TXT ]] || { echo "realtext.sh: cannot read '$TXT'" >&2; exit 2; }
unset CANDOR_CONFIG CANDOR_MODEL XDG_CONFIG_HOME
export NO_COLOR=1
tmp=$(mktemp -d)
# the same comments as a CSV for batch (id, text; quotes doubled)
awk 'BEGIN { print "id,text" } { gsub(/"/, "\"\""); printf "%d,\"%s\"\n", NR, $0 }' \
	"$TXT" >"$tmp/in.csv"

# one(TAG ARGS...): run both builds, compare stdout, stderr and status
fail=0
one() {
	local tag=$1 b; shift
	for b in old new; do
		local C=$OLD; [[ $b == new ]] && C=$NEW
		local args=("$@") i
		for i in "${!args[@]}"; do    # DEFMODEL: that build's own model
			[[ ${args[$i]} == DEFMODEL ]] && args[$i]=$C/candor.model
		done
		"$C/candor" -c config/candor.ini -t templates "${args[@]}" \
			>"$tmp/$tag.$b.out" 2>"$tmp/$tag.$b.err" </dev/null
		echo "exit $?" >>"$tmp/$tag.$b.out"
		sed -i -e "s|$C|BUILD|g" -e 's|: /[^ ]*/config/|: CONFIG/|' \
			"$tmp/$tag.$b.err"
	done
	if cmp -s "$tmp/$tag.old.out" "$tmp/$tag.new.out" &&
	   cmp -s "$tmp/$tag.old.err" "$tmp/$tag.new.err"; then
		echo "same  $tag ($(wc -l <"$tmp/$tag.new.out") lines)"
	else
		echo "DIFF  $tag"
		fail=1
	fi
}

models=(DEFMODEL "$@")
for i in "${!models[@]}"; do
	m=${models[$i]}
	one "classify-$i" -m "$m" classify "$TXT"
	one "suggest-$i" -m "$m" suggest "$TXT"
	one "batch-$i" -m "$m" batch --no-progress "$tmp/in.csv"
done
one suggest-tsv -m DEFMODEL suggest --format tsv "$TXT"
one suggest-v -m DEFMODEL -v suggest "$TXT"
one suggest-ru -m DEFMODEL --lang ru suggest "$TXT"
one suggest-x -m DEFMODEL --channel x suggest "$TXT"
if [[ $fail -eq 0 ]]; then
	rm -rf "$tmp"
	echo "realtext.sh: identical"
else
	echo "realtext.sh: outputs differ; they are in $tmp" >&2
fi
exit $fail
