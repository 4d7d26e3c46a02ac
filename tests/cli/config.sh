#!/usr/bin/env bash
# CLI tests of configuration: lookup order, errors with file and line, and
# finding the shipped data from any directory and after `cmake --install`.
. "$(dirname "$0")/lib.sh"
not() { ! "$@"; }
C=$(cd "$(dirname "$CANDOR")" && pwd)/$(basename "$CANDOR")
SAMPLES=$SRC/config/samples
BUILD=${BUILD:?set BUILD to the build directory}

# lookup order: --config, $CANDOR_CONFIG, $XDG_CONFIG_HOME, shipped
mkdir -p "$TMP/xdg/candor"
printf '[brand]\nname = XdgBrand\n' >"$TMP/xdg/candor/candor.ini"
printf '[brand]\nname = EnvBrand\n' >"$TMP/env.ini"
printf '[brand]\nname = FlagBrand\n' >"$TMP/flag.ini"
expect "shipped config by default" 0 '' "config: .*config/candor.ini" -- env XDG_CONFIG_HOME="$TMP/none" $C -v tone --text "ok"
expect "XDG_CONFIG_HOME" 0 '' "config: $TMP/xdg/candor/candor.ini" -- env XDG_CONFIG_HOME="$TMP/xdg" $C -v tone --text "ok"
expect "CANDOR_CONFIG beats XDG" 0 '' "config: $TMP/env.ini" -- env XDG_CONFIG_HOME="$TMP/xdg" CANDOR_CONFIG="$TMP/env.ini" $C -v tone --text "ok"
expect "--config beats both" 0 '' "config: $TMP/flag.ini" -- env XDG_CONFIG_HOME="$TMP/xdg" CANDOR_CONFIG="$TMP/env.ini" $C -v --config "$TMP/flag.ini" tone --text "ok"
# the XDG brand, not the shipped one (whose name would pass if it were ignored)
expect "brand name reaches the reply" 0 'XdgBrand' '' -- env XDG_CONFIG_HOME="$TMP/xdg" $C suggest --lang en $SAMPLES/comments.txt
check "the shipped brand's name is not in the replies" not grep -q 'Sunny Juice' "$TMP/out"

# errors name the file and the line
printf '[brand]\nname = A\nslogan = B\n' >"$TMP/k.ini"
expect "unknown key with its line" 78 '^$' "k.ini:3: unknown key 'slogan' in \[brand\]" -- $C -c "$TMP/k.ini" tone --text ok
printf '[brand]\nname = A\n\n[brnad]\nname = B\n' >"$TMP/s.ini"
expect "unknown section with its line" 78 '^$' "s.ini:5: unknown section \[brnad\]" -- $C -c "$TMP/s.ini" tone --text ok
printf '[classifier]\nmin_confidence = lots\n' >"$TMP/n.ini"
expect "bad number names the range" 78 '^$' "n.ini:2: 'min_confidence' must be a number from 0 to 1, not 'lots'" -- $C -c "$TMP/n.ini" tone --text ok
# a number that starts well and ends in garbage is refused whole, not read as 0.7
printf '[classifier]\nmin_confidence = 0.7abc\n' >"$TMP/n2.ini"
expect "number with trailing garbage refused" 78 '^$' "n2.ini:2: 'min_confidence' must be a number from 0 to 1, not '0.7abc'" -- $C -c "$TMP/n2.ini" tone --text ok
{ printf '[brand]\ncompetitors = '; printf 'X%.0s' $(seq 1 250); printf '\n'; } >"$TMP/long.ini"
expect "long line names the limit" 78 '^$' "long.ini:2: line longer than 199 bytes" -- $C -c "$TMP/long.ini" tone --text ok
printf '[brand]\ncompetitors = Nimbus Air, The Big Juice Co Ltd\n' >"$TMP/w.ini"
expect "a competitor of 5 words names the limit" 78 '^$' "w.ini:2: competitor name 'The Big Juice Co Ltd' has more than 4 words" -- $C -c "$TMP/w.ini" tone --text ok
printf '[reply]\nchannel = myspace\n' >"$TMP/c.ini"
expect "unknown channel" 78 '^$' "c.ini:2: unknown channel 'myspace'" -- $C -c "$TMP/c.ini" tone --text ok
printf '[http]\ntimeout = 3\nretries = 2\nrate = 0\nbackoff = 0.1\n[tiktok]\napi_base = http://127.0.0.1:1\nresearch_base = http://127.0.0.1:2\nbusiness_id = 42\n' >"$TMP/h.ini"
expect "[http] and [tiktok] keys are known" 0 '' '' -- $C -c "$TMP/h.ini" tone --text ok
printf '[http]\ntimeout = 3\nproxy = x\n' >"$TMP/hp.ini"
expect "unknown [http] key with its line" 78 '^$' "hp.ini:3: unknown key 'proxy' in \\[http\\]" -- $C -c "$TMP/hp.ini" tone --text ok
printf '[http]\nretries = 99\n' >"$TMP/hr.ini"
expect "[http] retries range" 78 '^$' "hr.ini:2: 'retries' must be a number from 0 to 20" -- $C -c "$TMP/hr.ini" tone --text ok
printf 'just words\n' >"$TMP/m.ini"
expect "malformed line" 78 '^$' "m.ini:1: malformed line" -- $C -c "$TMP/m.ini" tone --text ok
expect "missing config file" 66 '^$' "cannot open '$TMP/nope.ini'" -- $C -c "$TMP/nope.ini" tone --text ok
printf '[reply]\nchannel = x\n' >"$TMP/x.ini"
expect "channel sets the limit" 1 'length' '' -- $C -c "$TMP/x.ini" tone --text "$(printf 'We hear you. %.0s' $(seq 1 30))"
expect "--channel overrides the config" 0 'score' '' -- $C -c "$TMP/x.ini" --channel youtube tone --text "$(printf 'We hear you. %.0s' $(seq 1 30))"

# from any directory, and after an install that was moved elsewhere
expect "runs from another directory" 0 '"category"' '' -- sh -c "cd / && $C classify $SAMPLES/comments.txt"
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
mv "$TMP/prefix" "$TMP/moved"
expect "installed: model found beside the install" 0 '' "model: $TMP/moved/bin/../share/candor/candor.model" -- \
	sh -c "cd / && $TMP/moved/bin/candor -v classify $SAMPLES/comments.txt"
expect "installed: templates found beside the install" 0 '"template":"en/' "templates: $TMP/moved/bin/../share/candor/templates" -- \
	sh -c "cd / && XDG_CONFIG_HOME=$TMP/none $TMP/moved/bin/candor -v suggest $SAMPLES/comments.jsonl"

# category behaviour is data: [category.NAME] changes it (core/category.h)
CAT="[templates]\ndir = $SRC/templates\n[facts]\nfile = $SRC/config/facts.ini\n"
printf "$CAT[category.question]\naction = hide\n" >"$TMP/cat1.ini"
expect "[category.question] action = hide: a question is hidden" 0 '^4	question	[0-9.]+	false		hide	' '' -- $C -c "$TMP/cat1.ini" suggest --format tsv $SAMPLES/comments.txt
expect "without it a question gets a reply" 0 '^4	question	[0-9.]+	false		reply	' '' -- $C suggest --format tsv $SAMPLES/comments.txt
printf "$CAT[category.complaint]\nrequire = none\n" >"$TMP/cat2.ini"
expect "[category.complaint] require = none: no required finding" 0 '^score 90/100, 1 finding$' '' -- $C -c "$TMP/cat2.ini" tone --category complaint --text ok
expect "by default a complaint reply needs an acknowledgement" 0 'required: complaint reply has no acknowledgement' '' -- $C tone --category complaint --text ok
printf "$CAT[category.question]\nrequire = ack, source\n" >"$TMP/cat3.ini"
expect "[category.question] require = ack, source" 1 'required: correction has no source link' '' -- $C -c "$TMP/cat3.ini" tone --category question --text ok
expect "require = ack, source: the acknowledgement too" 1 'required: complaint reply has no acknowledgement' '' -- $C -c "$TMP/cat3.ini" tone --category question --text ok
expect "by default a question needs nothing" 0 '^score 90/100, 1 finding$' '' -- $C tone --category question --text ok
printf "$CAT[category.question]\necho_claim = yes\n" >"$TMP/cat4.ini"
expect "[category.question] echo_claim = yes: the claim is an echo" 1 "repeats the false claim: 'juice causes cancer in kids'" '' -- $C -c "$TMP/cat4.ini" tone --category question --comment "your juice causes cancer in kids" --text "your juice causes cancer in kids, not true"
expect "by default a question's echo of the comment is no claim" 0 '' '' -- $C tone --category question --comment "your juice causes cancer in kids" --text "your juice causes cancer in kids, not true"
check "  (no claim finding)" not grep -q 'false claim' "$TMP/out"
printf "$CAT[category.complaint]\ncite_fact = yes\n" >"$TMP/cat5.ini"
expect "[category.complaint] cite_fact = yes: no fact on file, no draft" 0 '"id":"1",.*"category":"complaint",.*"template":"","reply":"","note":"no fact on file"' '' -- $C -c "$TMP/cat5.ini" suggest $SAMPLES/comments.txt
printf "$CAT[category.fake_news]\naction = review\n" >"$TMP/cat6.ini"
expect "[category.fake_news] action: also when no fact is on file" 0 '^9	fake_news	[0-9.]+	false		review	ru/fake_news/' '' -- $C -c "$TMP/cat6.ini" suggest --format tsv $SAMPLES/comments.txt
printf '[category.question]\naction = delete\n' >"$TMP/cat7.ini"
expect "a bad action names file, line and the choices" 78 '^$' "cat7.ini:2: \[category.question\] 'action' is reply, reply\+escalate, hide, hide\+escalate, none or review, not 'delete'" -- $C -c "$TMP/cat7.ini" tone --text ok
printf '[category.question]\n\nrequire = ack kindness\n' >"$TMP/cat8.ini"
expect "a bad required element" 78 '^$' "cat8.ini:3: \[category.question\] 'require' takes ack, next_step, fact, source or none, not 'kindness'" -- $C -c "$TMP/cat8.ini" tone --text ok
printf '[category.question]\ncite_fact = maybe\n' >"$TMP/cat9.ini"
expect "a bad yes/no" 78 '^$' "cat9.ini:2: \[category.question\] 'cite_fact' is yes or no, not 'maybe'" -- $C -c "$TMP/cat9.ini" tone --text ok
printf '[category.question]\ncolour = red\n' >"$TMP/cat10.ini"
expect "an unknown key" 78 '^$' "cat10.ini:2: \[category.question\] unknown key 'colour'" -- $C -c "$TMP/cat10.ini" tone --text ok
{ printf '[category.'; printf 'x%.0s' $(seq 1 70); printf ']\naction = none\n'; } >"$TMP/cat11.ini"
expect "a long category name names the limit" 78 '^$' "cat11.ini:1: section name longer than 49 bytes" -- $C -c "$TMP/cat11.ini" tone --text ok


# [crisis] half-lives against the window: one left out follows a longer
# window (as if set to one window), one set shorter is refused naming both
# keys; monitor --window lifts them the same way
python3 - "$TMP/hl.jsonl" <<'EOS'
import sys
t0, w = 1767225600, 7200
with open(sys.argv[1], "w") as f:
    for k in range(21):                 # 10, 30, 10, ... then a spike
        n = 150 if k == 20 else (10 if k % 2 == 0 else 30)
        for i in range(n):
            f.write('{"id":"c%d-%d","category":"complaint","created_at":%d}\n'
                    % (k, i, t0 + k * w + i * w // (n + 1)))
        for i in range(10):
            f.write('{"id":"o%d-%d","category":"other","created_at":%d}\n'
                    % (k, i, t0 + k * w + 1 + i * w // 11))
EOS
printf '[crisis]\nwindow = 2h\n' >"$TMP/hl-a.ini"
printf '[crisis]\nwindow = 2h\nhalf_life = 6h\ncold_half_life = 2h\n' >"$TMP/hl-b.ini"
printf '[crisis]\ncold_half_life = 5h\nwindow = 2h\n' >"$TMP/hl-c.ini"
printf '[brand]\nname = x\n' >"$TMP/hl-d.ini"
expect "window = 2h alone loads: cold_half_life follows it" 0 '"level":"(watch|alert|crisis)"' '^$' -- $C -c "$TMP/hl-a.ini" monitor --replay "$TMP/hl.jsonl"
cp "$TMP/out" "$TMP/hl-a.out"
expect "the same with cold_half_life = 2h set" 0 '"level"' '^$' -- $C -c "$TMP/hl-b.ini" monitor --replay "$TMP/hl.jsonl"
check "window = 2h alone = cold_half_life set to one window" cmp -s "$TMP/hl-a.out" "$TMP/out"
expect "cold_half_life = 5h" 0 '"level"' '^$' -- $C -c "$TMP/hl-c.ini" monitor --replay "$TMP/hl.jsonl"
check "the stream tells half-lives apart (5h gives other baselines)" not cmp -s "$TMP/hl-a.out" "$TMP/out"
expect "monitor --window 2h lifts the default half-lives too" 0 '"level"' '^$' -- $C -c "$TMP/hl-d.ini" monitor --window 2h --replay "$TMP/hl.jsonl"
check "--window 2h = [crisis] window = 2h" cmp -s "$TMP/hl-a.out" "$TMP/out"
printf '[crisis]\nwindow = 8h\n' >"$TMP/hl-e.ini"
expect "window = 8h alone loads: half_life follows it too" 0 '' '^$' -- $C -c "$TMP/hl-e.ini" monitor --replay "$TMP/hl.jsonl"
printf '[crisis]\nwindow = 2h\ncold_half_life = 30m\n' >"$TMP/hl-f.ini"
expect "cold_half_life set below the window: refused naming both keys" 78 '^$' "hl-f.ini: \[crisis\] cold_half_life \(30m\) is shorter than window \(2h\): set cold_half_life to at least 2h, or leave it out to follow the window" -- $C -c "$TMP/hl-f.ini" monitor --replay "$TMP/hl.jsonl"
printf '[crisis]\nhalf_life = 90s\nwindow = 2m\n' >"$TMP/hl-g.ini"
expect "half_life set below the window: refused, in any key order" 78 '^$' "hl-g.ini: \[crisis\] half_life \(90s\) is shorter than window \(2m\): set half_life to at least 2m" -- $C -c "$TMP/hl-g.ini" tone --text ok

finish
