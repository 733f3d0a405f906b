# `fleetdeck traces` and `fleetdeck trace`: usage errors, summaries for a function
# and a filter expression, one trace as a waterfall (text) and a segment tree (json).
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" traces --since 2d
expect_rc 2 "more than 24 hours"
expect_err "24 hours" "X-Ray range message"
run "$FD_BIN" trace
expect_rc 2 "trace without an id"
run "$FD_BIN" --offline traces
expect_rc 2 "traces are not cached"
expect_err "drop --offline" "offline message"

fd_need_sim
# Data exists up to the simulator's horizon: move it to now, whatever ran before.
sim_control POST reset '{}' >/dev/null

json_check() { # FILE PYTHON-EXPRESSION-ON-d MESSAGE
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
		|| fail "$3: $(head -c 300 "$1")"
}

run "$FD_BIN" traces orders-api --since 10m --limit 20 --output json
expect_rc 0 "traces json"
json_check "$T/out" "len(d) == 20 and all(t['entry'] == 'orders-api' for t in d)" "20 orders-api traces"
json_check "$T/out" "[t['time'] for t in d] == sorted([t['time'] for t in d], reverse=True)" "newest first"
tid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['id'])" "$T/out")

run "$FD_BIN" traces --function payments-worker --filter fault --since 30m --output json
expect_rc 0 "fault filter"
json_check "$T/out" "len(d) > 0 and all(t['status'] == 'fault' and t['http_status'] == 502 for t in d)" \
	"only faults"

run "$FD_BIN" traces --filter 'bad((' --since 5m
expect_rc 1 "bad filter expression"
expect_err "InvalidRequestException" "X-Ray's answer"

run "$FD_BIN" trace "$tid"
expect_rc 0 "trace text"
expect_out "^trace $tid" "trace header"
expect_out "DynamoDB GetItem orders-api-table" "the DynamoDB call"
expect_out "POST https://api.partner.example/v1/charges" "the HTTP call"

run "$FD_BIN" trace "$tid" --output json
expect_rc 0 "trace json"
json_check "$T/out" "d['id'] == '$tid' and len(d['segments']) >= 6" "segments"
json_check "$T/out" "d['segments'][0]['parent'] == -1 and all(s['parent'] < i for i, s in enumerate(d['segments']))" \
	"tree order"
json_check "$T/out" "any(s['call'] == 'aws' and s['operation'] == 'GetItem' for s in d['segments'])" \
	"downstream AWS call"

run "$FD_BIN" trace 1-00000000-000000000000000000000000
expect_rc 1 "unknown trace"
expect_err "not found" "unknown trace message"
finish
