#!/usr/bin/env bash
# --jobs N: classify, suggest and batch answer on N threads with the same
# bytes as --jobs 1 (stdout, stderr, --errors FILE, exit status), in input
# order, including bad lines, warnings and a --strict stop deep in the
# input; a line that arrives on a pipe is answered at once; a count of
# threads out of range is refused naming the limit.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
SAMPLES=$SRC/config/samples

# same_runs NAME CMD...: runs CMD with --jobs 1, 2 and 4 (the option goes
# right after the command name) and checks stdout, stderr, the --errors
# file (when the command writes $TMP/err.N) and the status are identical.
same_runs() {
	local name=$1 n st
	shift
	local cmd=$1
	shift
	for n in 1 2 4; do
		st=0
		rm -f "$TMP/errfile"
		"$C" "$cmd" --jobs $n "$@" >"$TMP/out.$n" 2>"$TMP/err.$n" </dev/null || st=$?
		echo "$st" >"$TMP/st.$n"
		if [[ -e $TMP/errfile ]]; then mv "$TMP/errfile" "$TMP/ef.$n"; else : >"$TMP/ef.$n"; fi
	done
	for n in 2 4; do
		check "$name: --jobs $n stdout = --jobs 1 ($(cmp "$TMP/out.1" "$TMP/out.$n" 2>&1 | head -1))" \
			cmp -s "$TMP/out.1" "$TMP/out.$n"
		check "$name: --jobs $n stderr = --jobs 1 ($(diff "$TMP/err.1" "$TMP/err.$n" | head -3 | tr '\n' ' '))" \
			cmp -s "$TMP/err.1" "$TMP/err.$n"
		check "$name: --jobs $n --errors file = --jobs 1" cmp -s "$TMP/ef.1" "$TMP/ef.$n"
		check "$name: --jobs $n status $(cat "$TMP/st.$n") = --jobs 1's $(cat "$TMP/st.1")" \
			cmp -s "$TMP/st.1" "$TMP/st.$n"
	done
}

# --- inputs ---------------------------------------------------------------
# many distinct texts: the shipped corpus, each line made unique, shuffled
# (seeded), so a run spans many chunks of every worker
for f in "$SRC"/config/corpus/*.csv; do sed 1d "$f"; done |
	sed -E 's/,[a-z_]+,(en|ru)$//; s/^"//; s/"$//; s/""/"/g' |
	awk 'BEGIN { srand(16) } { printf "%.6f\t%s #%d\n", rand(), $0, NR }' |
	sort -n | cut -f2- >"$TMP/distinct.txt"
lines=$(wc -l <"$TMP/distinct.txt")
check "the distinct-text input is large ($lines lines)" [ "$lines" -gt 4000 ]
# bad lines spread through it: invalid UTF-8 (the tokenizer's), a line
# over 1 MiB (the reader's), blank lines
awk 'NR % 701 == 0 { printf "bad \xff\xfe bytes %d\n", NR } NR == 2000 { printf "\n\n" } { print }' \
	"$TMP/distinct.txt" >"$TMP/bad.txt"
{ head -3000 "$TMP/bad.txt"; head -c 1100000 /dev/zero | tr '\0' 'a'; echo; tail -n +3001 "$TMP/bad.txt"; } >"$TMP/bad-long.txt"
# JSONL with broken records and fake_news comments (facts cited with -v)
awk 'NR % 500 == 0 { print "{\"id\":" NR ",\"text\":" ; next }
	{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "{\"id\":\"c%d\",\"author\":\"u%d\",\"text\":\"%s\"}\n", NR, NR % 7, $0 }' \
	"$TMP/distinct.txt" | head -2500 >"$TMP/mixed.jsonl"
check "the JSONL input has broken lines" grep -q '"text":$' "$TMP/mixed.jsonl"

# --- classify -------------------------------------------------------------
same_runs "classify samples (text)" classify "$SAMPLES/comments.txt"
same_runs "classify samples (JSONL)" classify "$SAMPLES/comments.jsonl"
same_runs "classify distinct texts" classify "$TMP/distinct.txt"
same_runs "classify bad lines, --errors" classify --errors "$TMP/errfile" "$TMP/bad-long.txt"
check "classify bad lines: exit 65" [ "$(cat "$TMP/st.1")" = 65 ]
check "classify bad lines: the over-long line is reported" grep -q 'bad-long.txt:3001: line longer than' "$TMP/err.1"
nbad=$(LC_ALL=C grep -c $'^bad \xff' "$TMP/bad.txt")
check "classify bad lines: each invalid line reported ($nbad)" [ "$(grep -c 'invalid UTF-8' "$TMP/err.4")" = "$nbad" ]
check "classify bad lines: --errors holds them" [ "$(LC_ALL=C grep -c $'^bad \xff' "$TMP/ef.4")" = "$nbad" ]
check "classify bad lines: one record per good line" \
	[ "$(wc -l <"$TMP/out.4")" = "$(LC_ALL=C grep -vc -e $'^bad \xff' -e '^$' "$TMP/bad.txt")" ]
same_runs "classify -q bad lines" classify -q "$TMP/bad.txt"
check "classify -q: nothing on stderr" [ ! -s "$TMP/err.2" ]
same_runs "classify --strict deep in the input" classify --strict --errors "$TMP/errfile" "$TMP/bad.txt"
check "classify --strict: stops at line 701 (700 records)" [ "$(wc -l <"$TMP/out.2")" = 700 ]
same_runs "classify JSONL with broken lines" classify --errors "$TMP/errfile" "$TMP/mixed.jsonl"
check "classify JSONL: the ids come in input order" \
	cmp -s <(grep -o '"id":"c[0-9]*"' "$TMP/out.4") <(grep -o '"id":"c[0-9]*"' "$TMP/mixed.jsonl")
"$C" classify --jobs 2 "$TMP/distinct.txt" | head -1 >"$TMP/head.out"
check "classify --jobs 2: closed stdout stops quietly (status ${PIPESTATUS[0]})" [ "${PIPESTATUS[0]}" = 0 ]

# --- suggest --------------------------------------------------------------
same_runs "suggest samples (text)" suggest "$SAMPLES/comments.txt"
same_runs "suggest samples (JSONL)" suggest "$SAMPLES/comments.jsonl"
same_runs "suggest -f tsv" suggest -f tsv "$SAMPLES/comments.jsonl"
same_runs "suggest -f pretty" suggest -f pretty "$SAMPLES/comments.txt"
head -1500 "$TMP/bad.txt" >"$TMP/bad1500.txt"
same_runs "suggest -v bad lines, --errors" suggest -v --errors "$TMP/errfile" "$TMP/bad1500.txt"
check "suggest -v: facts named on stderr in order" grep -q "fact '.*' cited" "$TMP/err.4"
same_runs "suggest JSONL with broken lines" suggest -v --errors "$TMP/errfile" "$TMP/mixed.jsonl"
check "suggest JSONL: exit 65" [ "$(cat "$TMP/st.2")" = 65 ]
same_runs "suggest --strict" suggest --strict -f tsv "$TMP/bad1500.txt"
check "suggest --strict -f tsv: the header and 700 records" [ "$(wc -l <"$TMP/out.4")" = 701 ]

# --- CSV: batch, and classify/suggest reading a .csv -----------------------
# id,text,author rows of the distinct texts; every 300th row is broken in
# turn: bad quoting, a field too many, an author that is not UTF-8, a text
# that is not UTF-8 (the tokenizer's), a quoted text over two lines
awk 'BEGIN { print "id,text,author" }
	{ gsub(/"/, "\"\""); t = "\"" $0 "\"" }
	NR % 1500 == 300 { printf "%d,bad\"quote %d,u\n", NR, NR; next }
	NR % 1500 == 600 { printf "%d,%s,u%d,extra\n", NR, t, NR; next }
	NR % 1500 == 900 { printf "%d,%s,u\xff%d\n", NR, t, NR; next }
	NR % 1500 == 1200 { printf "%d,\"\xfe %d\",u\n", NR, NR; next }
	NR % 1500 == 1400 { printf "%d,\"two\nlines %d\",u%d\n", NR, NR, NR % 9; next }
	{ printf "%d,%s,u%d\n", NR, t, NR % 9 }' "$TMP/distinct.txt" >"$TMP/rows.csv"
same_runs "batch distinct rows, bad rows, --errors" batch --no-progress --errors "$TMP/errfile" "$TMP/rows.csv"
check "batch: exit 65" [ "$(cat "$TMP/st.1")" = 65 ]
check "batch: each kind of bad row reported" eval 'grep -q "malformed quoting" "$TMP/err.2" &&
	grep -q "fields, the header has 3" "$TMP/err.2" && grep -q "in the id or author column" "$TMP/err.2" &&
	grep -q "invalid UTF-8 at byte 1" "$TMP/err.2"'
check "batch: the bad rows, byte for byte, in --errors" [ "$(LC_ALL=C grep -c $'^[0-9]*,\\(bad"quote\\|.*,extra$\\|.*,u\xff\\|"\xfe\\)' "$TMP/ef.4")" -ge 12 ]
check "batch: the rows in input order" cmp -s <(cut -d, -f1 "$TMP/out.4" | grep -E '^[0-9]+$') \
	<(cut -d, -f1 "$TMP/out.1" | grep -E '^[0-9]+$')
head -1000 "$TMP/rows.csv" >"$TMP/rows1000.csv"
same_runs "batch --strict" batch --strict --no-progress "$TMP/rows1000.csv"
check "batch --strict: the header and the 299 rows before the first bad one" [ "$(wc -l <"$TMP/out.2")" = 300 ]
same_runs "batch --excel --delimiter ';'" batch --no-progress --excel --delimiter ';' "$TMP/rows1000.csv"
for n in 1 2; do
	"$C" batch --jobs $n --no-progress -o "$TMP/o$n.csv" "$TMP/rows.csv" 2>/dev/null
done
check "batch -o: the same file with --jobs 1 and 2" cmp -s "$TMP/o1.csv" "$TMP/o2.csv"
same_runs "classify a .csv" classify --errors "$TMP/errfile" "$TMP/rows.csv"
check "classify a .csv: exit 65, a record per good row" eval '[ "$(cat "$TMP/st.2")" = 65 ] && [ "$(wc -l <"$TMP/out.2")" -gt 4500 ]'
same_runs "suggest a .csv" suggest -f tsv "$TMP/rows1000.csv"
for n in 0 -3 65 x; do
	expect "batch --jobs '$n': refused naming the limit" 2 '^$' \
		"--jobs must be a number of threads from 1 to 64 \(the limit\), not '$n'" -- \
		"$C" batch --jobs "$n" "$TMP/rows1000.csv"
done

# --- streaming: each line is answered before the next is written --------
# stream CMD N: writes a line, reads its answer within a deadline, N times
stream() {
	local cmd=$1 n=$2 i ans ok=1
	rm -f "$TMP/in.fifo" "$TMP/out.fifo"
	mkfifo "$TMP/in.fifo" "$TMP/out.fifo"
	"$C" "$cmd" --jobs "$n" <"$TMP/in.fifo" >"$TMP/out.fifo" 2>"$TMP/stream.err" &
	local pid=$!
	exec 3>"$TMP/in.fifo" 4<"$TMP/out.fifo"
	for i in 1 2 3; do
		printf 'where is my refund, order %d\n' "$i" >&3
		if ! read -r -t 20 -u 4 ans || [[ $ans != *"\"id\":\"$i\""* ]]; then
			ok=0
			echo "  $cmd --jobs $n: no answer to line $i within 20 s: ${ans:-nothing}"
			break
		fi
	done
	exec 3>&-
	cat <&4 >/dev/null
	exec 4<&-
	wait "$pid"
	((ok))
}
check "classify --jobs 1: a line on a pipe is answered at once" stream classify 1
check "classify --jobs 2: a line on a pipe is answered at once" stream classify 2
check "suggest --jobs 1: a line on a pipe is answered at once" stream suggest 1
check "suggest --jobs 4: a line on a pipe is answered at once" stream suggest 4

# --- the count of threads -------------------------------------------------
for cmd in classify suggest; do
	for n in 0 -1 65 99999999999999999999 two ''; do
		expect "$cmd --jobs '$n': refused naming the limit" 2 '^$' \
			"--jobs must be a number of threads from 1 to 64 \(the limit\), not '$n'" -- \
			"$C" "$cmd" --jobs "$n" "$SAMPLES/comments.txt"
	done
	expect "$cmd --jobs 64: the limit itself is fine" 0 '"id":"1"' '' -- \
		"$C" "$cmd" --jobs 64 "$SAMPLES/comments.txt"
done

finish
