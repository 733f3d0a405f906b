# `fleetdeck invocations` and `fleetdeck invocation`: usage errors, records from the
# REPORT backfill (json shape, filters), one request's timeline (lines, phases,
# trace) as text and json, the same from the cache --offline, and no escape byte
# from hostile log lines ever reaching the output.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" invocations --status bogus
expect_rc 2 "bad --status"
expect_err "--status takes" "bad --status message"
run "$FD_BIN" invocations a b
expect_rc 2 "two functions"
run "$FD_BIN" invocations --since forever
expect_rc 2 "bad --since"
run "$FD_BIN" invocation
expect_rc 2 "invocation without an id"
expect_err "REQUEST_ID" "invocation usage names the id"

fd_need_sim
# Data exists up to the simulator's horizon: move it to now, whatever ran before.
sim_control POST reset '{}' >/dev/null

json_check() { # FILE PYTHON-EXPRESSION-ON-d MESSAGE
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
		|| fail "$3: $(head -c 300 "$1")"
}

run "$FD_BIN" invocations orders-api --since 10m --limit 50 --output json
expect_rc 0 "invocations json"
cp "$T/out" "$T/inv.json"
json_check "$T/inv.json" "len(d) == 50 and all(r['function'] == 'orders-api' for r in d)" \
	"50 orders-api records"
json_check "$T/inv.json" "set(d[0]) >= {'time','request_id','duration_ms','billed_ms','max_memory_mb','memory_mb','cold','init_ms','status','trace_id'}" \
	"record keys"
json_check "$T/inv.json" "all(r['trace_id'] and r['duration_ms'] > 0 for r in d)" \
	"orders-api is traced and has durations"
json_check "$T/inv.json" "[r['time'] for r in d] == sorted([r['time'] for r in d], reverse=True)" \
	"newest first"

run "$FD_BIN" invocations orders-api --since 30m --cold --output json
expect_rc 0 "cold only"
json_check "$T/out" "len(d) > 0 and all(r['cold'] and r['init_ms'] > 0 for r in d)" "cold records"

run "$FD_BIN" invocations payments-worker --since 30m --status error --output csv
expect_rc 0 "error records as csv"
expect_out "^time,function,version,request_id" "csv header"
rid=$(sed -n 2p "$T/out" | cut -d, -f4)
[ -n "$rid" ] || fail "no payments-worker error in 30 minutes"

run "$FD_BIN" invocation "$rid" --output json
expect_rc 0 "invocation json"
cp "$T/out" "$T/one.json"
json_check "$T/one.json" "d['request_id'] == '$rid' and d['status'] == 'error'" "the request, an error"
json_check "$T/one.json" "any(p['phase'] == 'invoke' for p in d['phases'])" "an invoke phase"
json_check "$T/one.json" "any('platform.report' in l['text'] for l in d['lines'])" "its REPORT line"
json_check "$T/one.json" "any(l['error'] for l in d['lines'])" "an error line"
json_check "$T/one.json" "any('DynamoDB' in s['label'] for s in d['trace'])" "its trace waterfall"

run "$FD_BIN" invocation "$rid"
expect_rc 0 "invocation text"
expect_out "^status    error" "status line"
expect_out "^timeline" "timeline section"
expect_out "^log lines" "lines section"
expect_out "^trace 1-" "trace section"
expect_out "RDS Proxy" "the RDS Proxy call"

run "$FD_BIN" --offline invocations payments-worker --since 30m --status error --output csv
expect_rc 0 "offline invocations"
expect_out "$rid" "offline listing holds the request"
run "$FD_BIN" --offline invocation "$rid"
expect_rc 0 "offline invocation from the cache"
expect_out "^request   $rid" "offline record"

run "$FD_BIN" invocation 00000000-0000-4000-8000-000000000000 --function orders-api --since 5m
expect_rc 1 "unknown request"
expect_err "not found" "unknown request message"

# The console online: the invocations view reads REPORT lines in the background, Enter
# fetches a request's lines and trace, the cold-start and traces views fill in.
cat >"$T/online.keys" <<'KEYS'
:invocations payments-worker<Enter>
@wait-idle
@save inv.screen
<Enter>
@wait-idle
@save req.screen
<Esc>
<Esc>
:coldstarts payments-worker<Enter>
@wait-idle
@save cold.screen
<Esc>
:traces payments-worker<Enter>
@wait-idle
<Enter>
@wait-idle
@save trace.screen
KEYS
mkdir -p "$T/screens"
# The trace answers 400 ms after the lines; the saved screen still shows it (an answer
# a view keeps for itself repaints the screen when it arrives).
sim_control POST faults '{"rules":[{"service":"xray","op":"BatchGetTraces","kind":"latency","latency_ms":400}]}' >/dev/null
run env FD_TUI_HEADLESS=1 FD_TUI_SIZE=140x40 FD_TUI_IDLE_TIMEOUT=120000 \
	FD_TUI_SCRIPT="$T/online.keys" FD_TUI_SAVE_DIR="$T/screens" "$FD_BIN" --stale-ok
sim_control POST faults '{"rules":[]}' >/dev/null
expect_rc 0 "console script"
grep -q "invocations payments-worker" "$T/screens/inv.screen" || fail "invocations view"
grep -q "records from .* REPORT lines" "$T/screens/inv.screen" || fail "background backfill"
grep -q "^TIMELINE" "$T/screens/req.screen" || fail "request timeline"
grep -q "^TRACE 1-" "$T/screens/req.screen" ||
	{ fail "request trace waterfall"; sed 's/^/    /' "$T/screens/req.screen" >&2; }
grep -q "Cold starts of payments-worker" "$T/screens/cold.screen" || fail "cold-start view"
grep -q "DynamoDB GetItem" "$T/screens/trace.screen" || fail "trace waterfall"

# payments-worker writes hostile lines (escape sequences, bad UTF-8): none gets out raw.
"$FD_BIN" invocations payments-worker --since 30m --limit 200 --output csv >"$T/many" 2>&1
for r in $(cut -d, -f4 "$T/many" | sed -n '2,40p'); do
	"$FD_BIN" --offline invocation "$r" >>"$T/all" 2>&1
	"$FD_BIN" invocation "$r" >>"$T/all" 2>&1
done
if grep -q "$(printf '\033')" "$T/all" "$T/many"; then
	fail "an escape byte reached the output"
fi
finish
