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
#   -d DIR      work directory (default /tmp/candor-mutate): DIR/src is the
#               copy, DIR/build its build, DIR/report.txt the result
#   N...        only these mutants (1-based, in file order)
#
# Each mutant is a file, an exact one-line snippet that must occur exactly
# once in it, and its replacement; when the code has moved the mutant is
# reported "did not apply", and one that does not compile "did not build";
# neither counts in the score.  The score is killed / (killed + survived).
# The working tree is never touched: the copy is taken from the files git
# knows (committed or not), so run it on the checkout you want scored.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
JOBS=2
TIMEOUT=180
WORK=/tmp/candor-mutate
while getopts j:t:d: o; do
	case $o in
	j) JOBS=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	d) WORK=$OPTARG ;;
	*) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
only=" $* "
LIST=$SRC/tests/mutations.txt
for tool in perl cmake ctest git; do
	command -v $tool >/dev/null || { echo "mutate: $tool is missing" >&2; exit 1; }
done

mkdir -p "$WORK/src" "$WORK/logs"
REPORT=$WORK/report.txt
echo "mutate: copying $SRC to $WORK/src" >&2
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 tar cf - 2>/dev/null) | (cd "$WORK/src" && tar xf -)
cmake -S "$WORK/src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
echo "mutate: building and running the unmutated suite" >&2
if ! cmake --build "$WORK/build" -j"$JOBS" >"$WORK/logs/base.build" 2>&1; then
	echo "mutate: the unmutated tree does not build (see $WORK/logs/base.build)" >&2
	exit 1
fi
if ! ctest --test-dir "$WORK/build" -j"$JOBS" --timeout "$TIMEOUT" >"$WORK/logs/base.test" 2>&1; then
	echo "mutate: the unmutated suite fails (see $WORK/logs/base.test)" >&2
	exit 1
fi

# the list as records: file, what, old, new (separated by \x1f)
records=$(awk '
	/^@ / { sub(/^@ /, ""); f = $0; sub(/:.*/, "", f); w = $0; sub(/^[^:]*: */, "", w); next }
	/^- / { sub(/^- /, ""); old = $0; next }
	/^\+ / { sub(/^\+ /, ""); printf "%s\x1f%s\x1f%s\x1f%s\n", f, w, old, $0 }
' "$LIST")

n=0 killed=0 survived=0 noapply=0 nobuild=0
: >"$REPORT"
start=$(date +%s)
while IFS=$'\x1f' read -r file what old new; do
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
	OLD=$old NEW=$new perl -0777 -i -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$f"
	if ! cmake --build "$WORK/build" -j"$JOBS" >"$WORK/logs/$n.build" 2>&1; then
		nobuild=$((nobuild + 1))
		echo "did not build  $line" | tee -a "$REPORT"
	else
		st=0
		ctest --test-dir "$WORK/build" -j"$JOBS" --timeout "$TIMEOUT" --stop-on-failure \
			>"$WORK/logs/$n.test" 2>&1 || st=$?
		if ((st)); then
			killed=$((killed + 1))
			by=$(sed -n 's/^ *[0-9]* - \([^ ]*\) (.*/\1/p' "$WORK/logs/$n.test" | tr '\n' ' ')
			echo "killed         $line  [${by% }]" | tee -a "$REPORT"
		else
			survived=$((survived + 1))
			echo "SURVIVED       $line" | tee -a "$REPORT"
		fi
	fi
	cp "$WORK/orig" "$f"    # a new mtime: the next build recompiles it
done <<<"$records"

scored=$((killed + survived))
{
	echo
	echo "$n mutants: $killed killed, $survived survived, $noapply did not apply, $nobuild did not build"
	if ((scored)); then
		echo "mutation score: $killed / $scored = $((100 * killed / scored))% killed ($(( ($(date +%s) - start) / 60 )) min)"
	fi
} | tee -a "$REPORT"
# leave the copy built unmutated
cmake --build "$WORK/build" -j"$JOBS" >/dev/null 2>&1
((survived == 0))
