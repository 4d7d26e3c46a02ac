#!/usr/bin/env bash
# mutate.sh - the mutation score: make each small bug of tests/mutations.txt
# in a copy of the source tree, one at a time, rebuild incrementally and
# run the test suite; a mutant some test fails on is killed, one the whole
# suite passes survived.  Not part of CI (it takes about half an hour).
#
#   tests/mutate.sh [-j JOBS] [-t SECONDS] [-d DIR] [N...]
#
#   -j JOBS     build and ctest parallelism (default 2: the machine is shared)
#   -t SECONDS  ctest's timeout for each test of a mutant (default 180; a
#               mutant that hangs a test is killed by the timeout)
#   -B          skip the run of the unmutated suite (it must pass; do this
#               only when an earlier run on the same tree showed it does)
#   -d DIR      work directory (default /tmp/candor-mutate): DIR/src is the
#               copy, DIR/build its build, DIR/report.txt the result
#   N...        only these mutants (1-based, in file order)
#
# Each mutant is a file, an exact one-line snippet that must occur exactly
# once in it, and its replacement; when the code has moved the mutant is
# reported "did not apply", and one that does not compile "did not build";
# neither counts in the score, nor does one whose only failures are ctest
# timeouts ("timed out": on a loaded machine they say nothing of the mutant).
# The score is killed / (killed + survived).
# A mutant's "?" tests run first; only when they pass does the rest of the
# suite run (stopping at its first failure).  $MUTATE_EXCLUDE (a ctest -E
# regex, default ^cli_report_browser$) names tests never run.
# The working tree is never touched: the copy is taken from the files git
# knows (committed or not), so run it on the checkout you want scored.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
JOBS=2
TIMEOUT=180
WORK=/tmp/candor-mutate
BASE=1
while getopts j:t:d:B o; do
	case $o in
	j) JOBS=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	d) WORK=$OPTARG ;;
	B) BASE=0 ;;
	*) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
only=" $* "
LIST=$SRC/tests/mutations.txt
# left out of every run: the report's headless-browser screenshots (a
# minute each; tests/cli/report.sh checks the same figures without one)
EXCLUDE=${MUTATE_EXCLUDE-^cli_report_browser\$}
for tool in perl cmake ctest git; do
	command -v $tool >/dev/null || { echo "mutate: $tool is missing" >&2; exit 1; }
done

mkdir -p "$WORK/src" "$WORK/logs"
REPORT=$WORK/report.txt
echo "mutate: copying $SRC to $WORK/src" >&2
# only files that differ are replaced (with a new mtime), so a second run
# rebuilds only what changed, and a copy left mutated is mended
rm -rf "$WORK/stage"
mkdir -p "$WORK/stage"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 tar cf - 2>/dev/null) | (cd "$WORK/stage" && tar xf -)
(cd "$WORK/stage" && find . -type f) | while IFS= read -r p; do
	if ! cmp -s "$WORK/stage/$p" "$WORK/src/$p"; then
		mkdir -p "$(dirname "$WORK/src/$p")"
		cp "$WORK/stage/$p" "$WORK/src/$p"
	fi
done
cmake -S "$WORK/src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
echo "mutate: building and running the unmutated suite" >&2
if ! cmake --build "$WORK/build" -j"$JOBS" >"$WORK/logs/base.build" 2>&1; then
	echo "mutate: the unmutated tree does not build (see $WORK/logs/base.build)" >&2
	exit 1
fi
if ((BASE)) && ! ctest --test-dir "$WORK/build" -j"$JOBS" --timeout "$TIMEOUT" -E "$EXCLUDE" \
	>"$WORK/logs/base.test" 2>&1; then
	echo "mutate: the unmutated suite fails (see $WORK/logs/base.test)" >&2
	exit 1
fi

# the list as records: file, what, old, new, first tests (separated by \x1f)
records=$(awk '
	function flush() { if (have) printf "%s\x1f%s\x1f%s\x1f%s\x1f%s\n", f, w, old, new, first; have = 0 }
	/^@ / { flush(); sub(/^@ /, ""); f = $0; sub(/:.*/, "", f); w = $0; sub(/^[^:]*: */, "", w); first = ""; next }
	/^- / { sub(/^- /, ""); old = $0; next }
	/^\+ / { sub(/^\+ /, ""); new = $0; have = 1; next }
	/^\? / { sub(/^\? /, ""); first = $0; next }
	END { flush() }
' "$LIST")

# targets_for REGEX: the build targets the tests matching REGEX run
targets_for() {
	local t
	for t in $(ctest --test-dir "$WORK/build" -N -R "$1" | sed -n 's/^ *Test *#[0-9]*: //p'); do
		case $t in
		cli_*|crash|options_documented)
			echo candor default_model pty_driver crashfs crash_journal crash_ops ;;
		fuzz_*) echo "${t}_smoke" ;;
		*) echo "test_$t" ;;
		esac
	done | tr ' ' '\n' | sort -u | tr '\n' ' '
}

# put the file back on any exit, so an interrupted run leaves no mutant
restore=""
trap '[[ -n $restore ]] && cp "$WORK/orig" "$restore"' EXIT

n=0 killed=0 survived=0 noapply=0 nobuild=0 timedout=0
: >"$REPORT"
start=$(date +%s)
while IFS=$'\x1f' read -r file what old new first; do
	n=$((n + 1))
	[[ $only == "  " || $only == *" $n "* ]] || continue
	f=$WORK/src/$file
	line="$(printf '%2d' $n)  $file: $what"
	count=0
	[[ -f $f ]] && count=$(OLD=$old perl -0777 -ne '$c = () = /\Q$ENV{OLD}\E/g; print $c + 0' "$f")
	if [[ $count != 1 ]]; then
		noapply=$((noapply + 1))
		echo "did not apply ($count matches)  $line" | tee -a "$REPORT"
		continue
	fi
	cp "$f" "$WORK/orig"
	restore=$f
	OLD=$old NEW=$new perl -0777 -i -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$f"
	st=0 built=1
	: >"$WORK/logs/$n.test"
	: >"$WORK/logs/$n.build"
	# first the "?" tests, building only what they run
	if [[ -n $first ]]; then
		# shellcheck disable=SC2046
		if cmake --build "$WORK/build" -j"$JOBS" --target $(targets_for "$first") \
			>>"$WORK/logs/$n.build" 2>&1; then
			ctest --test-dir "$WORK/build" -j"$JOBS" --timeout "$TIMEOUT" -R "$first" \
				>>"$WORK/logs/$n.test" 2>&1 || st=$?
		else
			built=0
		fi
	fi
	# then, if they all passed, everything else
	if ((built && st == 0)); then
		if cmake --build "$WORK/build" -j"$JOBS" >>"$WORK/logs/$n.build" 2>&1; then
			ctest --test-dir "$WORK/build" -j"$JOBS" --timeout "$TIMEOUT" --stop-on-failure \
				-E "${first:+$first|}$EXCLUDE" >>"$WORK/logs/$n.test" 2>&1 || st=$?
		else
			built=0
		fi
	fi
	if ((!built)); then
		nobuild=$((nobuild + 1))
		echo "did not build  $line" | tee -a "$REPORT"
	elif ((st)) && ! grep -qE '\*\*\*(Failed|Exception)|[0-9]+ - [^ ]+ \((Failed|SEGFAULT|Subprocess|Child)' "$WORK/logs/$n.test"; then
		# only timeouts: on a loaded machine that says nothing about
		# the mutant (a mutant that hangs a test is found again on a
		# quiet one); not scored, run it again
		timedout=$((timedout + 1))
		echo "timed out      $line" | tee -a "$REPORT"
	else
		if ((st)); then
			killed=$((killed + 1))
			by=$(sed -nE 's/^[[:space:]]*[0-9]+ - ([^ ]+) \(.*/\1/p' "$WORK/logs/$n.test" | tr '\n' ' ')
			echo "killed         $line  [${by% }]" | tee -a "$REPORT"
		else
			survived=$((survived + 1))
			echo "SURVIVED       $line" | tee -a "$REPORT"
		fi
	fi
	cp "$WORK/orig" "$f"    # a new mtime: the next build recompiles it
	restore=""
done <<<"$records"

scored=$((killed + survived))
{
	echo
	echo "$n mutants: $killed killed, $survived survived, $noapply did not apply, $nobuild did not build, $timedout only timed out"
	if ((scored)); then
		echo "mutation score: $killed / $scored = $((100 * killed / scored))% killed ($(( ($(date +%s) - start) / 60 )) min)"
	fi
} | tee -a "$REPORT"
((survived == 0))
