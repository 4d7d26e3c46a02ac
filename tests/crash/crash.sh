#!/usr/bin/env bash
# Simulated power loss (tests/crash/crashfs.c) at every crash point of:
#   - the review journal (core/journal.c, driven by crash_journal): every
#     acknowledged decision survives, a torn line is never read as one;
#   - publish's ledger (core/ledger.c, driven by crash_ledger): an
#     acknowledged intent never reads as "never tried" (a double post), an
#     acknowledged outcome reads back;
#   - `candor batch -o OUT`: OUT is the old file or the whole new one, and
#     the whole new one once batch has exited 0;
#   - `candor train -o MODEL`: the same for the model file.
# Each scenario first counts its events (writes, syncs, renames, creating
# opens in the watched directory), then cuts the power before each of them
# and once after a normal exit.  Unsynced data is thrown away (and, with
# CRASHFS_TORN=1, half of an unsynced append is kept instead).
. "$(dirname "$0")/../cli/lib.sh"
CRASHFS=${CRASHFS:?set CRASHFS to the shim}
CJ=${CRASH_JOURNAL:?set CRASH_JOURNAL to the journal driver}
C=$CANDOR
# the shim must not be refused by an ASan build (it cannot come first)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
D=$TMP/d

# under N [TORN] -- CMD...: run CMD with the shim watching $D, power cut at
# event N (0: never); the exit status is in $st, the event count in $events.
under() {
	local n=$1 t=$2
	shift 3
	st=0
	env LD_PRELOAD="$CRASHFS" CRASHFS_DIR="$D" CRASHFS_AT="$n" CRASHFS_TORN="$t" \
		CRASHFS_COUNT="$TMP/count" "$@" || st=$?
	events=$(cat "$TMP/count" 2>/dev/null || echo 0)
}

fresh() { rm -rf "$D" "$TMP/count"; mkdir -p "$D"; }

# --- the shim itself: the strict POSIX model it promises ----------------------
OPS=${CRASH_OPS:?set CRASH_OPS to crash_ops}
fresh
under 0 0 -- "$OPS" w "$D/f" one s "$D/f" d "$D" w "$D/f" two
check "shim: counts events (open, write, 2 syncs, open, write: $events)" [ "$events" = 6 ]
fresh
under 7 0 -- "$OPS" w "$D/f" one s "$D/f" d "$D" w "$D/f" two
check "shim: a power cut after exit keeps the status" [ "$st" = 0 ]
check "shim: synced data and name survive, the unsynced append does not" \
	[ "$(cat "$D/f" 2>/dev/null)" = one ]
fresh
under 7 1 -- "$OPS" w "$D/f" one s "$D/f" d "$D" w "$D/f" twothree
check "shim: torn mode keeps half of an unsynced append" \
	[ "$(cat "$D/f" 2>/dev/null)" = onetwot ]
fresh
under 4 0 -- "$OPS" w "$D/f" one s "$D/f"
check "shim: a file whose directory was never synced is lost" [ ! -e "$D/f" ]
fresh
under 4 0 -- "$OPS" w "$D/f" one d "$D" w "$D/f" two
check "shim: a name synced before its data is an empty file" \
	[ -e "$D/f" ] && [ ! -s "$D/f" ]
fresh
printf old >"$D/f"
under 5 0 -- "$OPS" w "$D/g" new s "$D/g" r "$D/g" "$D/f"
check "shim: a rename not followed by a directory sync is undone" \
	[ "$(cat "$D/f" 2>/dev/null)" = old ]
fresh
printf old >"$D/f"
under 6 0 -- "$OPS" w "$D/g" new s "$D/g" r "$D/g" "$D/f" d "$D"
check "shim: a rename followed by a directory sync stays" \
	[ "$(cat "$D/f" 2>/dev/null)" = new ] && [ ! -e "$D/g" ]
fresh
under 3 0 -- "$OPS" w "$D/f" one s "$D/f"
check "shim: a power cut mid-run ends it with status 137 ($st)" [ "$st" = 137 ]

# --- the journal ---------------------------------------------------------------
for torn in 0 1; do
	fresh
	under 0 "$torn" -- "$CJ" write "$D/journal.jsonl" >"$TMP/ack"
	total=$events
	check "journal: the driver ran whole (status $st, $total events)" \
		[ "$st" = 0 ] && [ "$total" -gt 20 ]
	bad=""
	for ((n = 1; n <= total + 1; n++)); do
		fresh
		under "$n" "$torn" -- "$CJ" write "$D/journal.jsonl" >"$TMP/ack" 2>"$TMP/err"
		want=137
		((n > total)) && want=0
		if [[ $st != "$want" ]]; then
			bad+=" $n(status $st: $(head -c 200 "$TMP/err"))"
			continue
		fi
		acked=$(grep -c '^ACK' "$TMP/ack" || true)
		if ! "$CJ" verify "$D/journal.jsonl" "$acked" 2>"$TMP/err"; then
			bad+=" $n(acked $acked: $(head -c 300 "$TMP/err"))"
		fi
	done
	check "journal (torn=$torn): every acknowledged decision survives each of $((total + 1)) power cuts${bad:+; failed at:$bad}" \
		[ -z "$bad" ]
done

# --- publish's ledger: an acknowledged intent is never "never tried" ---------------
LG=${CRASH_LEDGER:?set CRASH_LEDGER to the ledger driver}
for torn in 0 1; do
	fresh
	under 0 "$torn" -- "$LG" write "$D/j.ledger" >"$TMP/ack"
	total=$events
	check "ledger: the driver ran whole (status $st, $total events)" [ "$st" = 0 ] && [ "$total" -gt 20 ]
	bad=""
	for ((n = 1; n <= total + 1; n++)); do
		fresh
		under "$n" "$torn" -- "$LG" write "$D/j.ledger" >"$TMP/ack" 2>"$TMP/err"
		want=137
		((n > total)) && want=0
		if [[ $st != "$want" ]]; then
			bad+=" $n(status $st: $(head -c 200 "$TMP/err"))"
			continue
		fi
		"$LG" verify "$D/j.ledger" "$TMP/ack" 2>"$TMP/err" || bad+=" $n($(head -c 300 "$TMP/err"))"
	done
	check "ledger (torn=$torn): nothing acknowledged lost at each of $((total + 1)) power cuts${bad:+; failed at:$bad}" \
		[ -z "$bad" ]
done

# --- atomic output: OUT is old or whole, and whole once acknowledged ------------
# crash_outputs NAME OUT EXPECTED -- CMD...: OUT already holds "old".
crash_outputs() {
	local name=$1 out=$2 expected=$3
	shift 4
	local n total bad got
	for old in yes no; do
		bad=""
		fresh
		[[ $old == yes ]] && printf 'old\n' >"$out"
		under 0 0 -- "$@" 2>/dev/null
		total=$events
		check "$name: ran whole under the shim (status $st, $total events)" \
			[ "$st" = 0 ] && [ "$total" -ge 3 ]
		for ((n = 1; n <= total + 1; n++)); do
			fresh
			[[ $old == yes ]] && printf 'old\n' >"$out"
			under "$n" 0 -- "$@" 2>/dev/null
			if [[ -e $out ]]; then
				got=new
				cmp -s "$out" "$expected" || got=other
				[[ $old == yes && $(cat "$out") == old ]] && got=old
			else
				got=none
			fi
			if ((n > total)); then
				# exited on its own with 0: acknowledged, must be whole
				[[ $st == 0 && $got == new ]] || bad+=" $n(exit $st, $got)"
			else
				[[ $st == 137 ]] || bad+=" $n(status $st)"
				case $old/$got in
				yes/old|yes/new|no/none|no/new) ;;
				*) bad+=" $n($got)" ;;
				esac
			fi
		done
		check "$name (old file: $old): old or whole after each of $((total + 1)) power cuts${bad:+; failed at:$bad}" \
			[ -z "$bad" ]
	done
}

printf 'id,text\n1,does the bread have gluten in it\n2,my order is late again\n3,"buy followers now, cheap"\n' >"$TMP/in.csv"
"$C" batch -o "$TMP/batch.expected" "$TMP/in.csv"
check "batch: reference output made" [ -s "$TMP/batch.expected" ]
crash_outputs "batch -o" "$D/out.csv" "$TMP/batch.expected" -- \
	"$C" batch -o "$D/out.csv" "$TMP/in.csv"

"$C" train -q -o "$TMP/model.expected" "$SRC/tests/data/train-small.csv"
check "train: reference model made" [ -s "$TMP/model.expected" ]
crash_outputs "train -o" "$D/m.model" "$TMP/model.expected" -- \
	"$C" train -q -o "$D/m.model" "$SRC/tests/data/train-small.csv"

finish
