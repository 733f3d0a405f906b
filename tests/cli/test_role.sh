# fleetdeck role: a role by name, ARN or function; text, json and row formats; the
# risky statements marked; unknown roles; --offline from the cache; no secret values.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" role
expect_rc 2 "role without NAME"
expect_err "NAME or ARN, or --function" "role usage message"
run "$FD_BIN" role a b
expect_rc 2 "role with two names"
run "$FD_BIN" role a --function b
expect_rc 2 "role with NAME and --function"
run "$FD_BIN" role --frob
expect_rc 2 "role unknown option"

[ "$FD_FAILS" -eq 0 ] || finish
fd_sim_fresh 5

run "$FD_BIN" role --function report-generator
expect_rc 0 "role --function"
expect_out "^role *reporting-role" "role name"
expect_out "functions *1: report-generator" "functions using the role"
expect_out "RISK iam-passrole-star" "passrole statement marked"
expect_out "Batch\*Item on NotResource" "NotResource statement shown"
expect_out "limits: identity policies only" "evaluation limits stated"

run "$FD_BIN" role payments-admin-role -o json
expect_rc 0 "role json"
python3 - "$T/out" <<'PY' || fail "role json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["role"] == "payments-admin-role" and d["functions"] == ["payments-worker"], d
stars = [s for s in d["statements"] if "iam-wildcard" in s["risks"]]
assert stars and stars[0]["service"] == "*" and stars[0]["resources"] == ["*"], stars
assert any("iam-trust-broad" in t["risks"] and t["condition"] for t in d["trust"]), d["trust"]
assert any(p["name"] == "AdministratorAccess" and p["broad"] for p in d["policies"]), d["policies"]
assert "identity policies only" in d["limits"]
PY

run "$FD_BIN" role arn:aws:iam::123456789012:role/media-pipeline-role -o csv --stale-ok
expect_rc 0 "role by ARN, csv"
expect_out "^service,effect,statement,policy,risks" "csv header"
expect_out "^s3,Allow,Allow s3:\* on \*,media-access,iam-wildcard" "s3 wildcard row"

run "$FD_BIN" role no-such-role
expect_rc 1 "unknown role"
expect_err "NoSuchEntity" "unknown role message"

run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" role reporting-role --offline
expect_rc 0 "role --offline from the cache"
expect_out "RISK iam-passrole-star" "offline role still marked"
expect_no "sim-secret-value" "secret value"
expect_no "hunter2-sim" "literal secret"

# The console's role view: by function name, read in the background (r reads again).
mkdir -p "$T/screens"
printf '@wait-idle\n:role payments-worker<Enter>\n@wait-idle\nr\n@wait-idle\n@save role.screen\nq\n' \
	>"$T/role.keys"
run env FD_TUI_HEADLESS=1 FD_TUI_SIZE=140x45 FD_TUI_SCRIPT="$T/role.keys" \
	FD_TUI_SAVE_DIR="$T/screens" LC_ALL=C.UTF-8 TERM=xterm-256color "$FD_BIN" --refresh tui
expect_rc 0 "role view"
grep -q "role payments-admin-role" "$T/screens/role.screen" || fail "role view title"
grep -q "! Allow \* on \*  \[inline admin-everything #1\]  iam-wildcard" "$T/screens/role.screen" ||
	fail "role view marks the wildcard statement"
grep -q "iam-trust-broad" "$T/screens/role.screen" || fail "role view marks the trust policy"
grep -q "^Functions (1)" "$T/screens/role.screen" || fail "role view lists its functions"

finish
