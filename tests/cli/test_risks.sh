# fleetdeck risks: the board, --severity, --fail-on exit status, formats, offline.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" risks --severity bogus
expect_rc 2 "bad --severity"
expect_err "info, low, medium, high or critical" "bad --severity message"
run "$FD_BIN" risks --fail-on
expect_rc 2 "--fail-on without value"
run "$FD_BIN" risks --frob
expect_rc 2 "unknown option"

[ "$FD_FAILS" -eq 0 ] || finish # usage failures count even without a simulator
fd_sim_fresh 5

# Online: the whole inventory (detail included) is refreshed first.
run "$FD_BIN" risks -o json
expect_rc 0 "risks json"
python3 - "$T/out" <<'EOF' || fail "risks json content"
import json, sys
risks = json.load(open(sys.argv[1]))
assert all(set(r) == {"severity", "check", "function", "reason", "fix"} for r in risks)
got = {(r["function"], r["check"]) for r in risks}
for want in [("payments-worker", "env-secret-literal"), ("payments-worker", "log-no-retention"),
             ("report-generator", "async-no-dlq"), ("report-generator", "timeouts-observed")]:
    assert want in got, (want, sorted(got))
assert ("image-resizer", "async-no-dlq") not in got  # it has a DLQ
order = ["critical", "high", "medium", "low", "info"]
ranks = [order.index(r["severity"]) for r in risks]
assert ranks == sorted(ranks), ranks
EOF
expect_no "hunter2-sim" "secret value"

run "$FD_BIN" risks --stale-ok --fail-on high -o csv
expect_rc 3 "--fail-on high with high risks"
run "$FD_BIN" risks --stale-ok --fail-on critical
expect_rc 3 "--fail-on critical with the seeded admin role (iam-wildcard is critical)"
run "$FD_BIN" risks --stale-ok --severity high -o csv
expect_rc 0 "--severity high"
sed 1d "$T/out" | grep -v '^high,\|^critical,' && fail "--severity high shows lower severities"
expect_out "^high,env-secret-literal,payments-worker" "--severity high keeps high"
run "$FD_BIN" risks --stale-ok -o ndjson
[ "$(wc -l <"$T/out")" -ge 4 ] || fail "ndjson risks"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" || fail "ndjson"
run env COLUMNS=120 "$FD_BIN" risks --stale-ok
expect_out "SEVERITY" "table header"

run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" risks --offline --fail-on medium
expect_rc 3 "offline --fail-on"
expect_err "data from cache" "offline age line"

finish
