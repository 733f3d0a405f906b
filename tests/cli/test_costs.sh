# fleetdeck costs: the per-function and fleet log cost arithmetic checked from the
# json output, configurable prices, formats, --stale-ok / --offline from the cache, no
# secret values; fleetdeck's own API spend recorded in the cache: the bytes a Logs
# Insights query scanned and the minutes of a Live Tail session, summed over --since.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" costs --since soon
expect_rc 2 "bad --since"
expect_err "1d to 15d" "bad --since message"
run "$FD_BIN" costs --ingest-price -1
expect_rc 2 "bad --ingest-price"
run "$FD_BIN" costs --top 0
expect_rc 2 "bad --top"
run "$FD_BIN" costs --frob
expect_rc 2 "unknown option"

[ "$FD_FAILS" -eq 0 ] || finish
fd_sim_fresh 5

run "$FD_BIN" costs -o json --since 3d
expect_rc 0 "costs json"
cp "$T/out" "$T/default.json"
python3 - "$T/out" <<'PY' || fail "costs arithmetic"
import json, sys
d = json.load(open(sys.argv[1]))
GB, p = 2.0 ** 30, d["prices"]
assert p == {"ingest_usd_per_gb": 0.5, "storage_usd_per_gb_month": 0.03}, p
assert d["window"]["days"] == 3 and d["window"]["to"] - d["window"]["from"] == 3 * 86400
rows = d["functions"]
assert len(rows) == 5 and d["fleet"]["functions"] == 5
def close(a, b, tol=0.006):
    return abs(a - b) <= tol
for r in rows:
    ing = r["ingest_bytes_per_day"] * 30 / GB * 0.5 if r["ingest_bytes_per_day"] is not None else 0
    sto = r["stored_bytes"] / GB * 0.03 if r["stored_bytes"] is not None else 0
    assert close(r["ingest_usd_month"] or 0, ing), r
    assert close(r["storage_usd_month"] or 0, sto), r
    assert close(r["total_usd_month"], ing + sto, 0.011), r
totals = [r["total_usd_month"] for r in rows]
assert totals == sorted(totals, reverse=True), totals
assert close(d["fleet"]["total_usd_month"], sum(totals), 0.05), d["fleet"]
assert d["top_talkers"][0] == "orders-api", d["top_talkers"]
levels = {r["function"]: r["log_level"] for r in rows}
assert levels["report-generator"] == "DEBUG" and levels["orders-api"] == "INFO", levels
for r in rows:
    assert r["init_usd_window"] is None and r["cost_usd_month"] == r["total_usd_month"], r
s = d["session"]
assert s["get_metric_data_metrics"] >= 5 and s["insights_bytes_scanned"] == 0, s
assert s["live_tail_minutes"] == 0 and close(s["get_metric_data_usd"],
                                             s["get_metric_data_metrics"] * 1e-5, 1e-9), s
a = d["api_spend"]
assert a["account"] and a["region"] == "us-east-1" and a["insights_bytes_scanned"] == 0, a
assert a["get_metric_data_metrics"] == s["get_metric_data_metrics"], (a, s)
PY

run "$FD_BIN" costs -o json --since 3d --stale-ok --ingest-price 1.0 --storage-price 0
expect_rc 0 "costs with prices"
python3 - "$T/default.json" "$T/out" <<'PY' || fail "costs at other prices"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert b["prices"] == {"ingest_usd_per_gb": 1.0, "storage_usd_per_gb_month": 0.0}
assert abs(b["fleet"]["ingest_usd_month"] - 2 * a["fleet"]["ingest_usd_month"]) < 0.01
assert b["fleet"]["storage_usd_month"] == 0
assert b["fleet"]["functions"] == 5
PY

run env COLUMNS=160 "$FD_BIN" costs --stale-ok --since 3d --top 2
expect_rc 0 "costs table"
expect_out "TOTAL\$/MO" "table header"
expect_out "^orders-api" "top talker first"
expect_out "fleetdeck this session: GetMetricData [0-9]* metrics" "session spend line"
expect_out "fleetdeck over the last 3d ([0-9]* us-east-1): GetMetricData" "recorded spend line"
expect_out "top talkers: orders-api" "top talkers line"
[ "$(grep -c '/aws/lambda' "$T/out")" -eq 2 ] || fail "--top 2 rows"

run env FLEETDECK_LOG_INGEST_PRICE=2 AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" costs \
	--offline --since 3d -o csv
expect_rc 0 "costs --offline csv"
expect_out "^function,log_group,retention_days" "csv header"
expect_err "at \$2.00/GB ingested" "price from the environment"
expect_no "sim-secret-value" "secret value"
expect_no "hunter2-sim" "literal secret"

# ---- the COST column of `functions`: the same monthly numbers as `costs` (7 days) ----
run "$FD_BIN" costs --offline -o json
expect_rc 0 "costs offline json (7d)"
cp "$T/out" "$T/week.json"
run "$FD_BIN" functions --offline -o json --columns name,cost --sort cost
expect_rc 0 "functions --columns name,cost"
python3 - "$T/week.json" "$T/out" <<'PY' || fail "functions cost equals costs"
import json, sys
week, fns = (json.load(open(f)) for f in sys.argv[1:3])
want = {r["function"]: r["cost_usd_month"] for r in week["functions"]}
got = {r["name"]: r["cost_usd_month"] for r in fns}
assert list(fns[0]) == ["name", "cost_usd_month"], fns[0]
assert set(got) == set(want) and len(got) == 5, (got, want)
for k in want:
    assert got[k] is not None and abs(got[k] - want[k]) <= 1e-6 * max(1, want[k]), (k, got, want)
order = [r["cost_usd_month"] for r in fns]
assert order == sorted(order, reverse=True), order
PY
run env COLUMNS=120 "$FD_BIN" functions --offline --columns name,invocations,cost
expect_rc 0 "functions table with cost"
expect_out "COST" "cost column header"
expect_out '^orders-api .*\$[0-9]*\.[0-9][0-9]$' "cost cell in dollars"
run env COLUMNS=200 "$FD_BIN" functions --offline
expect_no "COST" "cost column only when asked for"

# ---- fleetdeck's own spend: Logs Insights bytes scanned ----
spend() { # FILE KEY: the recorded (api_spend) value of KEY in a costs json file
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_spend"][sys.argv[2]])' \
		"$1" "$2"
}
NOW=2026-12-04T12:00:00Z
sim_control POST reset "{\"functions\":5,\"now\":\"$NOW\"}" >/dev/null
run env FLEETDECK_NOW=$NOW "$FD_BIN" logs query --groups /aws/lambda/orders-api --since 1h \
	'stats count(*) as n by @logStream'
expect_rc 0 "logs query"
expect_err "MB scanned" "query statistics"
run env FLEETDECK_NOW=$NOW "$FD_BIN" costs --offline -o json --since 2d
expect_rc 0 "costs after a query"
cp "$T/out" "$T/one.json"
one=$(spend "$T/one.json" insights_bytes_scanned)
python3 - "$T/one.json" <<'PY' || fail "insights bytes and cost"
import json, sys
a = json.load(open(sys.argv[1]))["api_spend"]
assert a["insights_bytes_scanned"] > 0, a
def close(x, y):
    return abs(x - y) <= 1e-5 * abs(y)
assert close(a["insights_usd"], a["insights_bytes_scanned"] / 2.0 ** 30 * 0.005), a
assert a["live_tail_minutes"] == 0, a
assert close(a["total_usd"], a["insights_usd"] + a["get_metric_data_usd"]), a
PY
# The same query on the same data scans the same bytes again: the record doubles.
run env FLEETDECK_NOW=$NOW "$FD_BIN" logs query --groups /aws/lambda/orders-api --since 1h \
	'stats count(*) as n by @logStream'
run env FLEETDECK_NOW=$NOW "$FD_BIN" costs --offline -o json --since 2d
two=$(spend "$T/out" insights_bytes_scanned)
python3 -c "import sys; assert float('$two') == 2 * float('$one'), ('$one', '$two')" ||
	fail "second query: $two bytes after $one"
run env FLEETDECK_NOW=$NOW COLUMNS=200 "$FD_BIN" costs --offline --since 2d
expect_out "last 2d ([0-9]* us-east-1): GetMetricData [0-9]* metrics \$[0-9.]*; Logs Insights [0-9.]* [KM]B scanned" \
	"insights bytes in the table summary"
# Records carry their time: nine days later a 7-day window no longer holds them.
run env FLEETDECK_NOW=2026-12-13T12:00:00Z "$FD_BIN" costs --offline -o json --since 7d
[ "$(spend "$T/out" insights_bytes_scanned)" = 0 ] || fail "old records still in a 7d window"
run env FLEETDECK_NOW=2026-12-13T12:00:00Z "$FD_BIN" costs --offline -o json --since 10d
[ "$(spend "$T/out" insights_bytes_scanned)" = "$two" ] || fail "10d window lost the records"

# ---- Live Tail minutes: sessions end after 2 s (the simulator's session_s) and
# restart until SIGINT after 5 s; the time between sessionStart and the end counts ----
sim_control POST reset '{"functions":5}' >/dev/null
sim_control POST livetail '{"session_s":2}' >/dev/null
"$FD_BIN" logs tail orders-api --since 10s --follow --live >"$T/out" 2>"$T/err" &
pid=$!
sleep 5
kill -INT "$pid"
wait "$pid"
[ $? -eq 0 ] || fail "live tail: $(head -3 "$T/err")"
grep -q "live tail: started session" "$T/err" || fail "no live session: $(head -3 "$T/err")"
run "$FD_BIN" costs --offline -o json --since 2d
expect_rc 0 "costs after live tail"
python3 - "$T/out" <<'PY' || fail "live tail minutes and cost"
import json, sys
a = json.load(open(sys.argv[1]))["api_spend"]
m = a["live_tail_minutes"]
assert 1.0 / 60 <= m <= 5.5 / 60, a
assert abs(a["live_tail_usd"] - m * 0.01) <= 1e-5 * m * 0.01, a
PY
sim_control POST livetail '{"session_s":10800}' >/dev/null


# ---- the console's GetMetricData spend goes to the context that spent it: a refresh
# in us-east-1, a switch to us-west-2 (the simulator answers there too) and its
# refresh; each region's record holds its own refresh's metrics ----
export XDG_CACHE_HOME="$T/cache-ctx"
sim_control POST reset '{"functions":5,"also_regions":["us-west-2"]}' >/dev/null
mkdir -p "$HOME/.aws" "$T/screens"
printf '[default]\nregion = us-east-1\n' >"$HOME/.aws/config"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$HOME/.aws/credentials"
cat >"$T/ctx.keys" <<'KEYS'
@wait-idle
:ctx default us-west-2<Enter>
@wait-idle
@save ctx.screen
KEYS
run env FD_TUI_HEADLESS=1 FD_TUI_SIZE=140x40 FD_TUI_IDLE_TIMEOUT=60000 \
	FD_TUI_SCRIPT="$T/ctx.keys" FD_TUI_SAVE_DIR="$T/screens" "$FD_BIN"
expect_rc 0 "console with a context switch"
grep -q "us-west-2" "$T/screens/ctx.screen" || fail "context switch: $(tail -2 "$T/screens/ctx.screen")"
for r in us-east-1 us-west-2; do
	run "$FD_BIN" --region $r costs --offline -o json --since 1d
	[ "$(spend "$T/out" get_metric_data_metrics)" -gt 0 ] ||
		fail "$r: no GetMetricData spend recorded: $(spend "$T/out" get_metric_data_metrics)"
done
rm -f "$HOME/.aws/config" "$HOME/.aws/credentials"
sim_control POST reset '{"functions":5}' >/dev/null

finish
