#!/usr/bin/env bash
# Exactly once through crashes (SPEC section 7, a property test): rounds of
# `candor publish --reconcile` killed with SIGKILL at random moments while
# the fake server answers each request after a random delay, then one run
# left to finish; after every round each approved reply must exist exactly
# once on the server, and each hide must have been asked for.  The seed is
# printed, so a failure can be replayed with SEED=N.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiktok_lib.sh"
C=$CANDOR
export CANDOR_TIKTOK_TOKEN=$TOKEN
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
ROUNDS=${ROUNDS:-10}
KILLS=${KILLS:-5}
echo "seed $SEED, $ROUNDS rounds of $KILLS kills"
RANDOM=$SEED
server_start --video 77:5 --delay 0.06 --seed "$SEED"
runs=0
for round in $(seq 1 "$ROUNDS"); do
	J=$TMP/round$round.jsonl
	for k in 1 2 3 4 5 6; do
		printf '{"id":"%s%02d","video_id":"77","decision":"%s","category":"question","reply":"Thanks for asking, round %s number %s. The answer is on our FAQ.","approver":"t","ts":"2026-12-07T10:00:00Z"}\n' \
			"9$round" "$k" "$([[ $k == 6 ]] && echo hide || echo approve)" "$round" "$k"
	done >"$J"
	for kill in $(seq 1 "$KILLS"); do
		# a random kill point: once the server has taken 1 to 3 more
		# requests, plus 0 to 39 ms (inside a request, between two, or
		# between a request and its ledger line)
		base=$(($(requests reply) + $(requests hide) + $(requests replies)))
		target=$((base + 1 + RANDOM % 3))
		$C -q -c "$TMP/c.ini" publish --reconcile "$J" >/dev/null 2>&1 &
		pid=$!
		while kill -0 $pid 2>/dev/null &&
		      (( $(requests reply) + $(requests hide) + $(requests replies) < target )); do
			sleep 0.005
		done
		sleep "0.0$(printf '%02d' $((RANDOM % 40)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		runs=$((runs + 1))
	done
	status=0
	$C -q -c "$TMP/c.ini" publish --reconcile "$J" >"$TMP/final.out" 2>"$TMP/final.err" || status=$?
	runs=$((runs + 1))
	check "round $round: the last run finishes (status $status: $(head -c 300 "$TMP/final.err"))" [ "$status" = 0 ]
	counts=$(stat "' '.join(str(len(s['replies'].get('9${round}%02d' % k, []))) for k in range(1, 6))")
	check "round $round: each reply exactly once ($counts)" [ "$counts" = "1 1 1 1 1" ]
	check "round $round: the hide was sent" [ "$(stat "s['hidden'].get('9${round}06', 0) >= 1")" = True ]
	check "round $round: no secret in the ledger" [ "$(grep -c "$TOKEN" "$J.ledger")" = 0 ]
done
check "at least 50 runs ($runs)" [ "$runs" -ge 50 ]
# the kills did land between requests and answers: some intents have no
# outcome of their own, and some were settled by listing the replies
left=$(cat "$TMP"/round*.jsonl.ledger | grep -c '"state":"intent"')
settled=$(cat "$TMP"/round*.jsonl.ledger | grep -c 'reconciled')
echo "intents $left for $((ROUNDS * 6)) actions, $settled settled by --reconcile"
check "some kills landed mid-request ($left intents and $settled reconciled for $((ROUNDS * 6)) actions)" [ $((left + settled)) -gt $((ROUNDS * 6)) ]
server_stop
finish
