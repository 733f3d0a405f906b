# `fleetdeck logs query --saved/--list` against the simulator: saved queries from the
# [queries] section of fleetdeck's config file are listed (sanitized) next to the
# built-in ones, run like them, shadow a built-in of the same name with a note, and an
# unknown name is a usage error listing the known names.
. "$(dirname "$0")/lib.sh"
fd_sim_env
fd_need_sim

NOW=2026-12-04T12:00:00Z
export FLEETDECK_NOW=$NOW TZ=UTC
sim_control POST reset "{\"seed\":1,\"functions\":40,\"now\":\"$NOW\"}" >/dev/null
trap 'sim_control POST reset "{\"seed\":1,\"functions\":40}" >/dev/null; rm -rf "$T"' EXIT

mkdir -p "$XDG_CONFIG_HOME/fleetdeck"
printf '[keys]\nquit = q\n\n[queries]\n# per-group counts\nby-group = stats count(*) as n by @log\n  | sort n desc\ntimeouts = fields @timestamp, @message | limit 3\nodd = fields @message \033[31mred\n' \
	>"$XDG_CONFIG_HOME/fleetdeck/config"

# ---- --list ----
run "$FD_BIN" logs query --list
expect_rc 0 "--list"
expect_out "^by-group  *saved  *stats count(\*) as n by @log" "--list shows the saved query"
expect_out "^errors-by-function  *built-in" "--list shows the built-ins"
expect_out "^timeouts  *saved, shadows built-in  *fields @timestamp" "--list shows the shadowing query"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out"; then fail "--list prints ESC"; fi
expect_err "saved query \"timeouts\" .* shadows the built-in one" "shadow note"
run "$FD_BIN" --output json logs query --list
expect_rc 0 "--list json"
python3 -c '
import json,sys
d={r["name"]: r for r in json.load(open(sys.argv[1]))}
assert d["by-group"]["source"]=="saved", d["by-group"]
assert d["by-group"]["query"]=="stats count(*) as n by @log\n| sort n desc", d["by-group"]["query"]
assert d["cold-starts"]["source"]=="built-in"
assert d["timeouts"]["query"].startswith("fields @timestamp")
' "$T/out" || fail "--list --output json records"

# ---- --saved runs the query ----
run "$FD_BIN" --output csv logs query --functions orders-api,payments-worker --since 1h --saved by-group
expect_rc 0 "--saved"
expect_out "^@log,n" "--saved csv header"
expect_out "orders-api" "--saved rows"
expect_err "query: Complete, 1/1 part done" "--saved progress"
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "--saved by-group: $(wc -l <"$T/out") lines, want 3"
run "$FD_BIN" --output csv logs query --groups /aws/lambda/orders-api --since 1h --saved TimeOuts
expect_rc 0 "--saved shadowing name, any case"
expect_err "shadows the built-in one" "--saved shadow note"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "saved timeouts (limit 3): $(wc -l <"$T/out") lines, want 4"

# ---- usage errors ----
run "$FD_BIN" logs query --groups /aws/lambda/orders-api --saved nope
expect_rc 2 "unknown saved name"
expect_err "no query named \"nope\" (known: errors-by-function, top-errors, cold-starts, by-group, timeouts, odd)" \
	"unknown name lists the known names"
run "$FD_BIN" logs query --groups /aws/lambda/orders-api --saved by-group 'fields @message'
expect_rc 2 "--saved with a query string"
run "$FD_BIN" logs query --saved by-group
expect_rc 2 "--saved without groups"
printf '[queries]\nnot a query line\n' >"$XDG_CONFIG_HOME/fleetdeck/config"
run "$FD_BIN" logs query --list
expect_rc 1 "unreadable config"
expect_err "fleetdeck/config:2: expected" "config error names file and line"
rm "$XDG_CONFIG_HOME/fleetdeck/config"
run "$FD_BIN" logs query --list
expect_rc 0 "--list without a config file"
expect_out "^cold-starts  *built-in" "built-ins without a config file"

finish
