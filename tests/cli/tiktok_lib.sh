# tiktok_lib.sh - start and stop tests/fake_tiktok.py for a CLI test
# (sourced after lib.sh).  Every server is started on an ephemeral loopback
# port by the test itself and killed when the test ends.
TOKEN=tok-secret-123
RTOKEN=research-secret-456
SRV=
trap 'server_stop; rm -rf "$TMP"' EXIT

# server_start ARGS...: a fresh server; writes $TMP/c.ini pointing at it.
server_start() {
	server_stop
	rm -f "$TMP/port" "$TMP/srv.log"
	python3 "$SRC/tests/fake_tiktok.py" --port-file "$TMP/port" \
		--log "$TMP/srv.log" "$@" </dev/null >/dev/null 2>&1 &
	SRV=$!
	local i
	for i in $(seq 1 300); do
		[[ -s $TMP/port ]] && break
		sleep 0.02
	done
	PORT=$(cat "$TMP/port")
	local scheme=${SCHEME:-http}
	printf "[tiktok]\napi_base = $scheme://127.0.0.1:%s\nresearch_base = $scheme://127.0.0.1:%s\nbusiness_id = b1\n[http]\ntimeout = %s\nretries = 3\nrate = 0\nbackoff = 0.01\n" \
		"$PORT" "$PORT" "${HTTP_TIMEOUT:-5}" >"$TMP/c.ini"
}

server_stop() {
	if [[ -n $SRV ]]; then
		kill -9 "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null
		SRV=
	fi
}

# stat EXPR: a Python expression over the server's /_stats as `s`
stat() {
	python3 -c "import json,ssl,sys,urllib.request
s=json.load(urllib.request.urlopen('${SCHEME:-http}://127.0.0.1:$PORT/_stats',
    context=ssl._create_unverified_context()))
print($1)"
}

# requests EP: how many requests the server logged to endpoint EP
requests() {
	if [[ -e $TMP/srv.log ]]; then
		grep -c "\"ep\": \"$1\"" "$TMP/srv.log" || true
	else
		echo 0
	fi
}
