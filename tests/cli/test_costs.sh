# fleetdeck costs: the per-function and fleet log cost arithmetic checked from the
# json output, configurable prices, formats, --stale-ok / --offline from the cache, the
# session spend ("not tracked yet" where there is no counter), no secret values.
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
fd_need_sim
command -v python3 >/dev/null 2>&1 || { echo "python3 missing" >&2; exit 77; }
sim_control POST reset '{"functions":5}' >/dev/null
sim_control POST faults '{"rules":[]}' >/dev/null

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
s = d["session"]
assert s["get_metric_data_metrics"] >= 5 and s["insights_bytes_scanned"] == "not tracked yet"
assert s["live_tail_minutes"] == "not tracked yet"
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
expect_out "not tracked yet" "untracked spend said so"
expect_out "top talkers: orders-api" "top talkers line"
[ "$(grep -c '/aws/lambda' "$T/out")" -eq 2 ] || fail "--top 2 rows"

run env FLEETDECK_LOG_INGEST_PRICE=2 AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" costs \
	--offline --since 3d -o csv
expect_rc 0 "costs --offline csv"
expect_out "^function,log_group,retention_days" "csv header"
expect_err "at \$2.00/GB ingested" "price from the environment"
expect_no "sim-secret-value" "secret value"
expect_no "hunter2-sim" "literal secret"

finish
