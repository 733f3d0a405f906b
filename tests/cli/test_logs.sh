# `fleetdeck logs tail` and `fleetdeck logs query` against the simulator: every event
# of the range exactly once and in order (checked with the simulator's ledger), text
# output sanitized, json/ndjson fields, filters, throttling answered by retries and
# reported as gaps, access denied, --follow ended by SIGINT, Live Tail and its
# fallback, the log store offline, Insights with progress, more than 50 groups split
# and merged, StopQuery on SIGINT, usage errors.
. "$(dirname "$0")/lib.sh"
fd_sim_env
fd_need_sim

NOW=2026-12-04T12:00:00Z
NOW_MS=1796385600000
export FLEETDECK_NOW=$NOW TZ=UTC
sim_control POST reset "{\"seed\":1,\"functions\":60,\"now\":\"$NOW\"}" >/dev/null
trap 'sim_control POST reset "{\"seed\":1,\"functions\":40}" >/dev/null; rm -rf "$T"' EXIT

py() { python3 -c "$@"; }

# ---- usage ----
run "$FD_BIN" logs
expect_rc 2 "logs without subcommand"
run "$FD_BIN" logs tail
expect_rc 2 "tail without target"
expect_err "name at least one function" "tail without target message"
run "$FD_BIN" logs tail orders-api --since soon
expect_rc 2 "bad --since"
run "$FD_BIN" logs tail orders-api --level LOUD
expect_rc 2 "bad --level"
run "$FD_BIN" logs tail orders-api --filter '('
expect_rc 2 "bad --filter"
expect_err "filter" "bad --filter message"
run "$FD_BIN" --output csv logs tail orders-api
expect_rc 2 "tail --output csv"
run "$FD_BIN" logs query --groups /aws/lambda/orders-api --builtin nope
expect_rc 2 "unknown builtin"
run "$FD_BIN" logs query 'fields @message'
expect_rc 2 "query without groups"

# ---- tail: exactly once, in order, against the ledger ----
ledger_count() { # GROUP FROM_MS TO_MS
	sim_control GET "ledger?group=$1&start=$2&end=$3" | py 'import json,sys; print(json.load(sys.stdin)["count"])'
}
FROM=$((NOW_MS - 300000))
run "$FD_BIN" --output ndjson logs tail orders-api --since 5m
expect_rc 0 "tail ndjson"
want=$(ledger_count /aws/lambda/orders-api $FROM $NOW_MS)
got=$(py '
import json,sys
ids=[]; last=0; bad=0
for line in open(sys.argv[1]):
    d=json.loads(line)
    for k in ("timestamp","group","stream","eventId","function","request_id","level","message"):
        assert k in d, k
    bad += d["timestamp_ms"] < last; last=d["timestamp_ms"]; ids.append(d["eventId"])
assert len(ids)==len(set(ids)), "duplicate event ids"
assert bad==0, "out of order"
print(len(ids))' "$T/out" 2>&1)
[ "$got" = "$want" ] || fail "tail orders-api 5m: $got lines, ledger has $want"
[ "$want" -gt 1000 ] || fail "tail orders-api: ledger has only $want events"
cp "$T/out" "$T/online.ndjson"

# several functions interleaved; a custom log group; the level filter
run "$FD_BIN" --output ndjson logs tail orders-api payments-worker report-generator --since 3m --level ERROR
expect_rc 0 "tail three functions"
py '
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["level"] in ("ERROR","FATAL") for r in rows), "level filter"
ts=[r["timestamp_ms"] for r in rows]; assert ts==sorted(ts), "interleaving order"
' "$T/out" || fail "three functions, --level ERROR"

# text output: sanitized (the hostile function writes escape sequences), filters
run "$FD_BIN" --utc logs tail payments-worker --since 30m
expect_rc 0 "tail text"
expect_out "^2026-12-04 11:" "text timestamps in UTC"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out" "$T/err"; then fail "text output carries ESC"; fi
if LC_ALL=C grep -q "$(printf '\007')" "$T/out"; then fail "text output carries BEL"; fi
run "$FD_BIN" logs tail orders-api --since 2m --filter 'RequestId' --exclude '^END'
expect_rc 0 "tail --filter --exclude"
expect_out "START RequestId" "--filter keeps START"
expect_no "END RequestId" "--exclude drops END"

# ---- throttling: retried and complete; with one attempt, gaps then resumed ----
sim_control POST faults '{"rules":[{"service":"logs","op":"FilterLogEvents","kind":"throttle","count":2}]}' >/dev/null
run "$FD_BIN" --output ndjson logs tail orders-api --since 5m
expect_rc 0 "tail under throttling"
[ "$(wc -l <"$T/out")" -eq "$want" ] || fail "throttled tail: $(wc -l <"$T/out") lines, want $want"
sim_control POST faults '{"rules":[{"service":"logs","op":"FilterLogEvents","kind":"throttle","count":1}]}' >/dev/null
run env AWS_MAX_ATTEMPTS=1 "$FD_BIN" --utc --output ndjson logs tail orders-api --since 5m
expect_rc 0 "tail with a refused call"
expect_err "gap: 11:55:00.*not fetched (throttled): orders-api" "gap banner"
expect_err "resumed: orders-api" "resumed banner"
[ "$(wc -l <"$T/out")" -eq "$want" ] || fail "after a gap: $(wc -l <"$T/out") lines, want $want"
sim_control POST faults '{"rules":[{"service":"logs","op":"FilterLogEvents","kind":"error","status":400,"code":"AccessDeniedException","message":"not allowed"}]}' >/dev/null
run "$FD_BIN" logs tail orders-api --since 1m
expect_rc 1 "access denied"
expect_err "group /aws/lambda/orders-api: AccessDeniedException" "access denied banner"
sim_control POST faults '{"rules":[]}' >/dev/null
run "$FD_BIN" logs tail no-such-function --since 1m
expect_rc 1 "missing group"
expect_err "ResourceNotFoundException" "missing group message"

# ---- the log store: what was tailed is there offline ----
run "$FD_BIN" --offline --output ndjson logs tail orders-api --since 5m
expect_rc 0 "offline tail"
expect_err "log store" "offline says where lines come from"
[ "$(wc -l <"$T/out")" -eq "$want" ] || fail "offline: $(wc -l <"$T/out") lines, want $want"

# ---- --follow until SIGINT; Live Tail; its fallback ----
follow_run() { # SECONDS ARGS...: runs in the background, then SIGINT
	secs=$1
	shift
	"$FD_BIN" "$@" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$secs"
	kill -INT "$pid"
	wait "$pid"
	RC=$?
}
sim_control POST reset '{"seed":1,"functions":60}' >/dev/null
unset FLEETDECK_NOW
follow_run 3 logs tail orders-api --since 30s --follow --poll
expect_rc 0 "--follow ends on SIGINT"
[ -s "$T/out" ] || fail "--follow printed nothing"
follow_run 4 logs tail orders-api payments-worker --since 10s --follow --live
expect_rc 0 "--live ends on SIGINT"
expect_err "live tail: started session for orders-api, payments-worker" "live session banner"
sim_control POST faults '{"rules":[{"service":"logs","op":"StartLiveTail","kind":"error","status":400,"code":"AccessDeniedException","message":"denied"}]}' >/dev/null
follow_run 3 logs tail orders-api --since 10s --follow --live
expect_rc 0 "--live fallback"
expect_err "live tail unavailable (AccessDeniedException: denied): polling instead" "fallback banner"
[ -s "$T/out" ] || fail "fallback printed nothing"
sim_control POST faults '{"rules":[]}' >/dev/null
sim_control POST reset "{\"seed\":1,\"functions\":60,\"now\":\"$NOW\"}" >/dev/null
export FLEETDECK_NOW=$NOW

# ---- Logs Insights ----
run "$FD_BIN" logs query --functions orders-api,payments-worker --since 1h 'stats count(*) as n by @log'
expect_rc 0 "query"
expect_out "n" "query table header"
expect_out "orders-api" "query rows"
expect_err "query: Complete, 1/1 part done" "query progress"
expect_err "MB scanned (~\$0.0" "query cost estimate"
run "$FD_BIN" --output json logs query --groups /aws/lambda/orders-api --since 1h --builtin timeouts
expect_rc 0 "builtin query json"
py 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "query --output json is not JSON"

groups=$(sim_control GET fleet | py 'import json,sys; print(",".join(json.load(sys.stdin)["log_groups"]))')
first=$(echo "$groups" | cut -d, -f1-30)
rest=$(echo "$groups" | cut -d, -f31-)
run "$FD_BIN" --output csv logs query --groups "$groups" --since 30m --builtin errors-by-function
expect_rc 0 "query over 60 groups"
expect_err "2 parts done" "60 groups run in two parts"
cp "$T/out" "$T/merged.csv"
run "$FD_BIN" --output csv logs query --groups "$first" --since 30m --builtin errors-by-function
cp "$T/out" "$T/a.csv"
run "$FD_BIN" --output csv logs query --groups "$rest" --since 30m --builtin errors-by-function
cp "$T/out" "$T/b.csv"
py '
import csv,sys
def load(p): return {r["@log"]: int(float(r["errors"])) for r in csv.DictReader(open(p))}
m=load(sys.argv[1]); a=load(sys.argv[2]); b=load(sys.argv[3])
want={}
for d in (a,b):
    for k,v in d.items(): want[k]=want.get(k,0)+v
assert m==want, (len(m), len(want))
vals=list(m.values()); assert vals==sorted(vals, reverse=True), "sort errors desc"
' "$T/merged.csv" "$T/a.csv" "$T/b.csv" || fail "merged errors-by-function differs from the parts"

"$FD_BIN" logs query --groups /aws/lambda/orders-api --since 1h 'fields @message' >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
kill -INT "$pid"
wait "$pid"
RC=$?
expect_rc 130 "query SIGINT"
stops=$(sim_control GET stats | py 'import json,sys; print(json.load(sys.stdin)["requests"].get("logs:StopQuery",0))')
[ "$stops" -ge 1 ] || fail "SIGINT sent no StopQuery"

finish
