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

finish
