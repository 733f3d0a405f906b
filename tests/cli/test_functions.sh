# fleetdeck functions / function / cache: output formats, --offline, usage errors,
# AWS errors, and secrets that never reach the output.
. "$(dirname "$0")/lib.sh"
fd_sim_env

json_ok() { # FILE: a JSON document (array or object)?
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}

# Usage errors: one clear line, exit 2, before any network or cache work.
run "$FD_BIN" functions --bogus
expect_rc 2 "unknown option"
expect_err 'unknown option "--bogus"' "unknown option message"
run "$FD_BIN" functions --window 2h
expect_rc 2 "bad --window"
expect_err "15m, 1h, 3h or 24h" "bad --window message"
run "$FD_BIN" functions --sort nope
expect_rc 2 "bad --sort"
run "$FD_BIN" functions --sort errors:sideways
expect_rc 2 "bad --sort direction"
run "$FD_BIN" functions --columns name,bogus
expect_rc 2 "bad --columns"
expect_err 'unknown column "bogus"' "bad --columns names the column"
run "$FD_BIN" functions --filter '('
expect_rc 2 "bad --filter"
expect_err "at offset 1:" "bad --filter gives the offset"
run "$FD_BIN" functions --filter
expect_rc 2 "--filter without value"
run "$FD_BIN" function
expect_rc 2 "function without NAME"
run "$FD_BIN" function a b
expect_rc 2 "function with two names"
run "$FD_BIN" cache
expect_rc 2 "cache without subcommand"
run "$FD_BIN" cache frob
expect_rc 2 "cache with a bad subcommand"
run "$FD_BIN" cache prune --max-age soon
expect_rc 2 "cache prune with a bad age"

# --offline with nothing cached: one line, exit 1.
run "$FD_BIN" functions --offline
expect_rc 1 "offline with an empty cache"
expect_err "nothing cached" "offline with an empty cache says so"

[ "$FD_FAILS" -eq 0 ] || finish # usage failures count even without a simulator
fd_sim_fresh 40

run "$FD_BIN" functions -o json
expect_rc 0 "functions json"
json_ok "$T/out" || fail "functions json is not JSON"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")
[ "$n" = 40 ] || fail "functions json: $n rows, expected 40"
keys=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))[0]))' "$T/out")
[ "$keys" = "name,runtime,memory_mb,timeout_s,last_modified,invocations,errors,error_pct,throttles,p50_ms,p99_ms,cold_start_pct,concurrency,cost_usd_month,risks" ] ||
	fail "functions json keys: $keys"
python3 - "$T/out" <<'EOF' || fail "functions json values"
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
busy = rows["orders-api"]
assert isinstance(busy["invocations"], int) and busy["invocations"] > 1000, busy
assert isinstance(busy["p99_ms"], float), busy
assert rows["payments-worker"]["errors"] > 0
assert busy["cold_start_pct"] is None, busy  # no invocation records cached
EOF

run "$FD_BIN" functions -o ndjson --stale-ok
expect_rc 0 "functions ndjson"
[ "$(wc -l <"$T/out")" -eq 40 ] || fail "ndjson: $(wc -l <"$T/out") lines"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" || fail "ndjson lines"

run "$FD_BIN" functions -o csv --columns name,invocations,p99_ms --stale-ok
expect_rc 0 "functions csv"
[ "$(head -1 "$T/out")" = "name,invocations,p99_ms" ] || fail "csv header: $(head -1 "$T/out")"
[ "$(wc -l <"$T/out")" -eq 41 ] || fail "csv lines"

run env COLUMNS=200 "$FD_BIN" functions --stale-ok
expect_rc 0 "functions table"
expect_out "FUNCTION" "table header"
expect_out "P99ms" "table p99 column"
expect_out "COLD%" "table cold-start column"
expect_out "orders-api" "table row"

run "$FD_BIN" functions --stale-ok --filter '^orders-' -o csv --columns name
expect_rc 0 "functions --filter"
grep -v '^name$' "$T/out" | grep -qv '^orders-' && fail "--filter let other names through"
expect_out "orders-api" "--filter keeps matches"

run "$FD_BIN" functions --stale-ok --sort invocations:desc -o csv --columns name
[ "$(sed -n 2p "$T/out")" = "orders-api" ] || fail "--sort invocations:desc: $(sed -n 2p "$T/out")"
run "$FD_BIN" functions --stale-ok --sort name:desc -o csv --columns name
[ "$(sed -n 2p "$T/out")" = "$(sed 1d "$T/out" | sort -r | head -1)" ] || fail "--sort name:desc"

# Offline: from the cache, even with the network gone, saying how old it is.
run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" functions --offline -o csv --columns name
expect_rc 0 "offline"
expect_err "data from cache, 0 min old" "offline age line"
[ "$(wc -l <"$T/out")" -eq 41 ] || fail "offline rows"

# One function: detail, never a secret value.
run "$FD_BIN" function payments-worker
expect_rc 0 "function text"
expect_out "DB_PASSWORD = <literal secret: not shown>" "literal secret placeholder"
expect_out "triggers *sqs" "function triggers"
expect_out "risk .*env-secret-literal" "function risks"
expect_no "hunter2-sim" "secret value"
expect_no "sk_live_sim" "secret value"
run "$FD_BIN" function orders-api -o json
expect_rc 0 "function json"
json_ok "$T/out" || fail "function json is not JSON"
python3 - "$T/out" <<'EOF' || fail "function json values"
import json, sys
f = json.load(open(sys.argv[1]))
assert f["name"] == "orders-api" and f["reserved_concurrency"] == 200, f
assert any(t["kind"] == "apigateway" for t in f["triggers"]), f["triggers"]
assert any(a["name"] == "live" and a["provisioned"] == 10 for a in f["aliases"]), f["aliases"]
assert f["metrics"]["window_s"] == 3600 and f["metrics"]["invocations"] > 0
EOF
run "$FD_BIN" function payments-worker -o json --offline
expect_no "hunter2-sim" "secret value in json"
run "$FD_BIN" function no-such-function
expect_rc 1 "function not found"
expect_err 'function "no-such-function" not found' "not found message"

# An AWS error: one line naming the call, exit 1.
sim_control POST faults '{"rules":[{"service":"lambda","op":"ListFunctions","kind":"error","status":500,"count":5}]}' >/dev/null
run env AWS_MAX_ATTEMPTS=1 "$FD_BIN" functions
expect_rc 1 "AWS error"
expect_err "Lambda.ListFunctions" "AWS error names the call"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "AWS error: $(wc -l <"$T/err") lines on stderr"
sim_control POST faults '{"rules":[]}' >/dev/null

# Cache management.
run "$FD_BIN" cache stats
expect_rc 0 "cache stats"
expect_out "functions" "cache stats lists tables"
expect_out "(file)" "cache stats file size"
run "$FD_BIN" cache stats -o json
json_ok "$T/out" || fail "cache stats json"
run "$FD_BIN" cache prune --max-age 1h
expect_rc 0 "cache prune"
run "$FD_BIN" cache clear
expect_rc 0 "cache clear"
run "$FD_BIN" functions --offline
expect_rc 1 "offline after clear"

finish
