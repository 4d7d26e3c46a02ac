# lib.sh - helpers for candor's CLI tests (sourced by tests/cli/*.sh).
#
#   expect NAME STATUS STDOUT-PATTERN STDERR-PATTERN -- COMMAND...
#
# runs COMMAND, and checks its exit status and that stdout and stderr match
# the extended regular expressions (an empty pattern matches anything; "^$"
# demands empty output).  At the end, `finish` prints "N passed, M failed".
set -u
CANDOR=${CANDOR:?set CANDOR to the candor binary}
SRC=${SRC:?set SRC to the source tree}
TMP=$(mktemp -d /tmp/candor-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export NO_COLOR=1
unset CANDOR_CONFIG CANDOR_MODEL
pass=0
fail=0

expect() {
	local name=$1 want_status=$2 out_re=$3 err_re=$4
	shift 5
	local status=0
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null || status=$?
	local ok=1
	[[ $status == "$want_status" ]] || ok=0
	if [[ -n $out_re ]] && ! grep -Eq -- "$out_re" "$TMP/out" && ! { [[ $out_re == '^$' ]] && [[ ! -s $TMP/out ]]; }; then ok=0; fi
	if [[ -n $err_re ]] && ! grep -Eq -- "$err_re" "$TMP/err" && ! { [[ $err_re == '^$' ]] && [[ ! -s $TMP/err ]]; }; then ok=0; fi
	if [[ $out_re == '^$' && -s $TMP/out ]]; then ok=0; fi
	if [[ $err_re == '^$' && -s $TMP/err ]]; then ok=0; fi
	if (( ok )); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name (status $status, want $want_status)"
		echo "  command: $*"
		echo "  stdout: $(head -c 600 "$TMP/out")"
		echo "  stderr: $(head -c 600 "$TMP/err")"
	fi
}

# check NAME CONDITION...: a plain assertion evaluated by bash.
check() {
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
	fi
}

finish() {
	echo "$pass passed, $fail failed"
	(( fail == 0 ))
}
