# `fleetdeck coldstarts`: usage errors, statistics from the cached records (json
# shape, provisioned concurrency and spill-over from the inventory, csv), the Logs
# Insights path (--server) and its refusal --offline.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" coldstarts --since nonsense
expect_rc 2 "bad --since"
run "$FD_BIN" coldstarts --price-per-gb-s cheap
expect_rc 2 "bad --price-per-gb-s"
run "$FD_BIN" --offline coldstarts --server
expect_rc 2 "--server needs the network"
expect_err "cannot run --offline" "--server --offline message"

fd_need_sim
# Data exists up to the simulator's horizon: move it to now, whatever ran before.
sim_control POST reset '{}' >/dev/null

json_check() { # FILE PYTHON-EXPRESSION-ON-d MESSAGE
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
		|| fail "$3: $(head -c 400 "$1")"
}

run "$FD_BIN" coldstarts orders-api image-resizer --since 30m --output json
expect_rc 0 "coldstarts json"
expect_err "percentiles are nearest-rank" "local footer"
cp "$T/out" "$T/cs.json"
json_check "$T/cs.json" "{r['function'] for r in d} == {'orders-api', 'image-resizer'}" "the two functions"
json_check "$T/cs.json" "set(d[0]) >= {'version','alias','runtime','architecture','memory_mb','invocations','cold_starts','cold_pct','init_p50_ms','init_p99_ms','restore_p50_ms','provisioned','spillover','init_gb_s','init_cost_usd','impact','trend'}" \
	"row keys"
json_check "$T/cs.json" "[r['impact'] for r in d] == sorted([r['impact'] for r in d], reverse=True)" \
	"by impact"
json_check "$T/cs.json" "any(r['function'] == 'orders-api' and r['provisioned'] == 10 and r['alias'] == 'live' for r in d)" \
	"orders-api's provisioned concurrency through its alias"
json_check "$T/cs.json" "all(sum(r['trend']) == r['cold_starts'] and len(r['trend']) == 6 for r in d)" \
	"trend: 6 buckets of 5 minutes summing to the cold starts"
json_check "$T/cs.json" "all(r['init_p50_ms'] is None and (r['cold_starts'] == 0 or r['restore_p50_ms']) for r in d if r['function'] == 'image-resizer')" \
	"image-resizer restores from SnapStart instead of INIT"

run "$FD_BIN" coldstarts orders-api --since 30m --output csv --no-backfill
expect_rc 0 "coldstarts csv"
expect_out "^function,version,alias,runtime" "csv header"

run "$FD_BIN" coldstarts orders-api payments-worker --since 30m --server --output json
expect_rc 0 "coldstarts --server"
expect_err "Logs Insights scanned" "scanned bytes shown"
json_check "$T/out" "{r['function'] for r in d} == {'orders-api', 'payments-worker'} and all(r['invocations'] > 0 for r in d)" \
	"Insights rows for both"
finish
