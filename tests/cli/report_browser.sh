#!/usr/bin/env bash
# report_browser.sh - the report as a person sees it: the example page made
# from the shipped samples (bench/report_example.sh) opened in headless
# Chromium, at a desktop width and a phone width.  The screenshots must
# not be blank (tests/cli/png_check.py reads the pixels), the page must
# log nothing to the console (a script error or a blocked request would),
# and the DOM Chromium built must hold the page's charts and tables.  A
# page that does make a request is run too, to show the console check
# catches it.  Chromium comes from .ci/deps (Debian package `chromium`).
. "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $CHROMIUM ]]; then
	echo "FAIL: chromium is not installed (bash .ci/deps installs it)"
	exit 1
fi
chrome() {      # chrome OUT-PREFIX URL ARGS...: stdout to OUT.dom, log to OUT.log
	local out=$1 url=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--no-first-run --user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@" "$url" >"$out.dom" 2>"$out.log"
}
no_console() {  # the console lines Chromium logged for a page
	! grep -E ':CONSOLE(\(|:)' "$1.log"
}

bash "$SRC/bench/report_example.sh" "$CANDOR" "$TMP/ex" >/dev/null
PAGE="file://$TMP/ex/report-example.html"

chrome "$TMP/desk" "$PAGE" --window-size=900,1400 --screenshot="$TMP/desk.png"
check "desktop screenshot taken" test -s "$TMP/desk.png"
expect "desktop screenshot is not blank" 0 'colours' '' -- python3 "$SRC/tests/cli/png_check.py" "$TMP/desk.png" 3 20
check "desktop: no console message" no_console "$TMP/desk"

chrome "$TMP/phone" "$PAGE" --window-size=390,1400 --screenshot="$TMP/phone.png"
expect "phone screenshot is not blank" 0 'colours' '' -- python3 "$SRC/tests/cli/png_check.py" "$TMP/phone.png" 3 20
check "phone: no console message" no_console "$TMP/phone"

chrome "$TMP/dom" "$PAGE" --dump-dom
check "dom: no console message" no_console "$TMP/dom"
check "dom: title" grep -q '<h1>Crisis report</h1>' "$TMP/dom.dom"
check "dom: charts" test "$(grep -o '<svg ' "$TMP/dom.dom" | wc -l)" -ge 5
check "dom: summary table" grep -q '<table class="sum">' "$TMP/dom.dom"

# the control: a page that tries to fetch something is caught
printf '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src '"'none'"'"/></head><body><p>x</p><img src="http://127.0.0.1:9/x.png"/></body></html>' >"$TMP/fetch.html"
chrome "$TMP/ctl" "file://$TMP/fetch.html" --dump-dom
check "control: a blocked request shows on the console" grep -qE ':CONSOLE(\(|:)' "$TMP/ctl.log"
finish
