#!/usr/bin/env bash
# report.sh - `candor report` end to end: synthetic inputs with a known
# truth (bench/report_data.py) give a page whose tables say exactly that
# (tests/cli/report_check.py parses the HTML and every SVG as XML); the
# order of the files does not matter; stdin, Russian, Markdown, the
# shipped samples through suggest and batch; bad lines, unknown files and
# write errors are reported with the right exit status.
. "$(dirname "$0")/lib.sh"
PY=python3
D=$TMP/d
$PY "$SRC/bench/report_data.py" 2000 "$D" >/dev/null

expect "html report" 0 '^$' '^$' -- "$CANDOR" report "$D/suggestions.jsonl" "$D/journal.jsonl" "$D/ledger.jsonl" -o "$TMP/r.html"
expect "markdown report" 0 '^$' '^$' -- "$CANDOR" report "$D/suggestions.jsonl" "$D/journal.jsonl" "$D/ledger.jsonl" -o "$TMP/r.md"
expect "tables match the input" 0 '^$' '^$' -- $PY "$SRC/tests/cli/report_check.py" "$TMP/r.html" "$TMP/r.md" "$D/truth.json"

# the speed chart shows publication as well as decision, in hours here
expect "speed chart: both timings" 0 '^ok$' '^$' -- $PY -c '
import json, re, sys
h = open(sys.argv[1]).read(); t = json.load(open(sys.argv[2]))
f = h[h.index("<section id=\"speed\""):]; f = f[:f.index("</figure>")]
bars = dict(re.findall(r"<title>all: ([^<]*) ([0-9.]+)</title>", f))
want = {"to decision, median": t["decide_median"], "to decision, 90th percentile": t["decide_p90"],
        "to publication, median": t["publish_median"], "to publication, 90th percentile": t["publish_p90"]}
bad = [k for k, v in want.items() if abs(float(bars.get(k, -1)) - v / 3600) > 0.006]
print("bad: %s %s" % (bad, bars) if bad else "ok")' "$TMP/r.html" "$D/truth.json"

# the most telling words: the model's, recomputed from its own dump
"$CANDOR" model dump "$(dirname "$CANDOR")/candor.model" >"$TMP/dump.json"
"$CANDOR" report "$D/journal.jsonl" -o "$TMP/jw.md"
expect "model words: the 8 best of the vocabulary" 0 '^$' '^$' -- $PY "$SRC/tests/cli/report_words_check.py" "$TMP/jw.md" "$TMP/dump.json" all
expect "model words: those of this crisis" 0 '^$' '^$' -- $PY "$SRC/tests/cli/report_words_check.py" "$TMP/r.md" "$TMP/dump.json" crisis
expect "model words: not the whole vocabulary's" 1 'want' '^$' -- $PY "$SRC/tests/cli/report_words_check.py" "$TMP/r.md" "$TMP/dump.json" all
check "model words in the HTML" grep -q '<table class="mwords">' "$TMP/r.html"
# --model as for classify: a tiny model of two labels
printf 'text,label\nrefund please refund,money\nlate refund,money\nlovely drink,praise\nlovely lovely,praise\n' >"$TMP/tiny.csv"
"$CANDOR" train --no-bigrams --no-stem --no-extras "$TMP/tiny.csv" -o "$TMP/tiny.model" 2>/dev/null
"$CANDOR" model dump "$TMP/tiny.model" >"$TMP/tiny.json"
expect "--model FILE" 0 '' '^$' -- "$CANDOR" report -m "$TMP/tiny.model" "$D/journal.jsonl" -f md
check "--model: its labels" grep -q '^| money | refund |' "$TMP/out"
check "--model: its numbers" $PY "$SRC/tests/cli/report_words_check.py" "$TMP/out" "$TMP/tiny.json" all
printf '{"id":"x1","text":"nothing in common","created_at":"2026-11-26T10:00:00Z"}\n' >"$TMP/none.jsonl"
expect "--model: no word in these comments" 0 "None of the model's words occurs" '^$' -- "$CANDOR" report -m "$TMP/tiny.model" "$TMP/none.jsonl" -f md
expect "--model missing" 66 '^$' "cannot open model '$TMP/nope.model'" -- "$CANDOR" report --model "$TMP/nope.model" "$D/journal.jsonl"

# the spikes marked are the events of monitor --replay on the same records
# in time order, with the brand's [crisis] settings
$PY -c 'import json,sys; rs=[json.loads(l) for l in open(sys.argv[1])]; rs.sort(key=lambda r: r["created_at"]); sys.stdout.write("".join(json.dumps(r)+"\n" for r in rs))' "$D/suggestions.jsonl" >"$TMP/sorted.jsonl"
"$CANDOR" monitor --replay --no-webhook "$TMP/sorted.jsonl" >"$TMP/mon.jsonl" 2>/dev/null
expect "spikes are monitor --replay's" 0 '^$' '^$' -- $PY "$SRC/tests/cli/report_spikes_check.py" "$TMP/r.md" "$TMP/mon.jsonl"
sed 's/^window = 5m/window = 20m/' "$SRC/config/candor.ini" >"$TMP/c20.ini"
"$CANDOR" -c "$TMP/c20.ini" monitor --replay --no-webhook "$TMP/sorted.jsonl" >"$TMP/mon20.jsonl" 2>/dev/null
"$CANDOR" -c "$TMP/c20.ini" report "$D/suggestions.jsonl" "$D/journal.jsonl" -o "$TMP/r20.md"
check "[crisis] window from the config" grep -q 'windows of 1200 s' "$TMP/r20.md"
expect "spikes with the config's window" 0 '^$' '^$' -- $PY "$SRC/tests/cli/report_spikes_check.py" "$TMP/r20.md" "$TMP/mon20.jsonl"
sed 's/^window = 5m/window = 5m\nmin_count = 100000/' "$SRC/config/candor.ini" >"$TMP/cmin.ini"
"$CANDOR" -c "$TMP/cmin.ini" report "$D/suggestions.jsonl" -o "$TMP/rmin.md"
check "[crisis] min_count from the config: no spike" grep -q 'raises on these comments (0; windows of 300 s)' "$TMP/rmin.md"

# the order of the files on the command line does not change the page
"$CANDOR" report "$D/ledger.jsonl" "$D/suggestions.jsonl" "$D/journal.jsonl" -o "$TMP/r2.html"
check "file order does not matter" cmp -s "$TMP/r.html" "$TMP/r2.html"
# standard input is a file like any other, and stdout the default output
"$CANDOR" report - "$D/suggestions.jsonl" "$D/ledger.jsonl" <"$D/journal.jsonl" >"$TMP/r3.html"
check "stdin and stdout" cmp -s "$TMP/r.html" <(sed 's#<td>&lt;stdin&gt;</td>#<td>'"$D"'/journal.jsonl</td>#' "$TMP/r3.html")
expect "-f md on stdout" 0 '^\| what \| count \| share \|$' '' -- "$CANDOR" report -f md "$D/journal.jsonl"

# Russian: titles, durations and month names
expect "russian page" 0 '' '^$' -- "$CANDOR" --lang ru report "$D/suggestions.jsonl" "$D/journal.jsonl" -o "$TMP/ru.html"
check "russian title" grep -q 'Отчёт о кризисе' "$TMP/ru.html"
check "russian months" grep -q '26 ноя 2026' "$TMP/ru.html"
check "russian durations" grep -Eq '[0-9]+ ч [0-9]+ мин' "$TMP/ru.html"
check "russian page is XML" $PY -c 'import sys,xml.etree.ElementTree as E; E.fromstring(open(sys.argv[1]).read().split("\n",1)[1])' "$TMP/ru.html"

# the shipped samples: suggest, and batch over a CSV made from them
"$CANDOR" suggest "$SRC/config/samples/comments.jsonl" >"$TMP/s.jsonl"
$PY - "$SRC/config/samples/comments.jsonl" "$TMP/c.csv" <<'PYEOF'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "author", "text", "created_at"])
    for r in rows:
        w.writerow([r["id"], r["author"], r["text"], r["created_at"]])
PYEOF
"$CANDOR" batch "$TMP/c.csv" -o "$TMP/b.csv"
expect "batch CSV alone" 0 '' '^$' -- "$CANDOR" report "$TMP/b.csv" -f md
check "batch CSV: 14 comments" grep -q '^| comments | 14 |' "$TMP/out"
check "batch CSV: timeline" grep -q '^| 20 Nov 2026 09:15 |' "$TMP/out"
expect "suggestions + comments" 0 '' '^$' -- "$CANDOR" report "$TMP/s.jsonl" "$SRC/config/samples/comments.jsonl" -f md
check "suggestions + comments: 14 comments" grep -q '^| comments | 14 |' "$TMP/out"
check "suggestions + comments: 14 undecided" grep -q '^| still undecided | 14 | 100.0% |' "$TMP/out"

# bad input: reported with file and line, skipped, exit 65, page written
cp "$D/journal.jsonl" "$TMP/j.jsonl"
echo 'not json' >>"$TMP/j.jsonl"
n=$(wc -l <"$TMP/j.jsonl")
expect "bad journal line" 65 '' "^candor: $TMP/j.jsonl:$n: not a JSON object" -- "$CANDOR" report "$TMP/j.jsonl" -o "$TMP/bad.html"
check "page written despite a bad line" test -s "$TMP/bad.html"
expect "bad line, --strict" 65 '' "j.jsonl:$n: not a JSON object" -- "$CANDOR" report --strict "$TMP/j.jsonl" -o "$TMP/strict.html"
check "--strict leaves no page" test ! -e "$TMP/strict.html"
echo '{"foo":1}' >"$TMP/what.jsonl"
expect "unknown kind" 65 '' 'what.jsonl: cannot tell what this file holds' -- "$CANDOR" report "$TMP/what.jsonl" "$D/journal.jsonl" -o "$TMP/w.html"
printf 'a,b\n1,2\n' >"$TMP/notbatch.csv"
expect "CSV that is not a batch CSV" 65 '' 'notbatch.csv:1: not a batch CSV: the header has no id column' -- "$CANDOR" report "$TMP/notbatch.csv" -f md
expect "an empty file is no error" 0 '^# Crisis report' '^$' -- "$CANDOR" report -f md /dev/null
expect "missing file" 66 '^$' "cannot open '$TMP/nope.jsonl'" -- "$CANDOR" report "$TMP/nope.jsonl"
expect "no file" 2 '^$' 'name at least one FILE' -- "$CANDOR" report
expect "bad format" 2 '^$' '--format must be html or md' -- "$CANDOR" report -f pdf "$D/journal.jsonl"
expect "unwritable output" 74 '^$' 'cannot create' -- "$CANDOR" report "$D/journal.jsonl" -o "$TMP/no/such/dir/r.html"
expect "help" 0 'usage: candor report' '^$' -- "$CANDOR" report --help
finish
