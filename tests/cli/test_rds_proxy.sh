# fleetdeck function NAME with an RDS Proxy (from the endpoint, and from the config's
# [rds_proxy] section), its json shape, config errors naming the line, and the
# sqs-no-redrive answers of fleetdeck risks (online and offline).
. "$(dirname "$0")/lib.sh"
fd_sim_env
fd_sim_fresh 5

# The proxy named by payments-worker's DB_PROXY_ENDPOINT, text and json.
run "$FD_BIN" function payments-worker
expect_rc 0 "function text"
expect_out "^proxy  *orders-db-proxy (from its endpoint)" "proxy line"
expect_out "db connections  *latest [0-9]" "connections line"
expect_out "query latency .* us$" "latency line with its unit"
expect_out "pinned connections" "pinning line"
run "$FD_BIN" function payments-worker -o json
expect_rc 0 "function json"
python3 - "$T/out" <<'PY' || fail "rds_proxy json shape"
import json, sys
p = json.load(open(sys.argv[1]))["rds_proxy"]
assert list(p) == ["name", "endpoint", "source", "window_s", "fetched_ms", "metrics"], list(p)
assert p["name"] == "orders-db-proxy" and p["source"] == "endpoint", p
assert p["endpoint"].startswith("orders-db-proxy.proxy-"), p
keys = ["database_connections", "client_connections", "query_latency_us", "session_pinned"]
assert list(p["metrics"]) == keys, list(p["metrics"])
for k in keys:
    assert list(p["metrics"][k]) == ["latest", "avg", "max"], p["metrics"][k]
c = p["metrics"]["database_connections"]
assert c["latest"] >= 10 and c["max"] >= c["avg"] > 0, c
PY
run "$FD_BIN" function orders-api -o json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["rds_proxy"] is None' "$T/out" ||
	fail "no proxy is null"

# The configured-only proxy: its constants are the simulator's known answers.
mkdir -p "$XDG_CONFIG_HOME/fleetdeck"
printf '[rds_proxy]\norders-api = reports-db-proxy\n' >"$XDG_CONFIG_HOME/fleetdeck/config"
run "$FD_BIN" function orders-api -o json
expect_rc 0 "configured proxy"
python3 - "$T/out" <<'PY' || fail "configured proxy values"
import json, sys
p = json.load(open(sys.argv[1]))["rds_proxy"]
assert p["name"] == "reports-db-proxy" and p["source"] == "config" and p["endpoint"] is None, p
m = p["metrics"]
assert m["query_latency_us"] == {"latest": 2500, "avg": 2500, "max": 2500}, m
assert m["client_connections"]["latest"] == 9 and m["session_pinned"]["max"] == 1, m
PY
run "$FD_BIN" function orders-api --offline
expect_out "^proxy  *reports-db-proxy (from the config)" "offline proxy from the cache"
expect_out "query latency  *latest 2500.0, avg 2500.0, max 2500.0 us" "offline values"
printf '[rds_proxy]\n\norders-api = 9-bad\n' >"$XDG_CONFIG_HOME/fleetdeck/config"
run "$FD_BIN" function orders-api
expect_rc 1 "bad proxy name"
expect_err "config:3: \[rds_proxy\] orders-api: \"9-bad\" is not an RDS Proxy name" "file:line"
rm -f "$XDG_CONFIG_HOME/fleetdeck/config"

# sqs-no-redrive: image-resizer-queue has no redrive policy; payments-queue-dlq holds
# 120 messages; orders-api has no SQS source.
run "$FD_BIN" risks -o json
expect_rc 0 "risks json"
python3 - "$T/out" <<'PY' || fail "sqs-no-redrive answers"
import json, sys
r = [x for x in json.load(open(sys.argv[1])) if x["check"] == "sqs-no-redrive"]
got = {x["function"]: x["reason"] for x in r}
assert "image-resizer-queue has no redrive policy" in got.get("image-resizer", ""), got
assert "DLQ payments-queue-dlq" in got.get("payments-worker", ""), got
assert "holds 120 messages" in got["payments-worker"], got
assert set(got) == {"image-resizer", "payments-worker"}, got
PY
run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" risks --offline -o csv
expect_rc 0 "offline risks"
expect_err "data from cache" "offline age line"
expect_out "^medium,sqs-no-redrive,image-resizer,.*image-resizer-queue has no redrive policy" \
	"offline no-redrive row"
expect_out "^medium,sqs-no-redrive,payments-worker,.*holds 120 messages" "offline DLQ row"

finish
