# fleetdeck risks with the config's [mute] section: per function, "*", unknown ids,
# a malformed file.
. "$(dirname "$0")/lib.sh"
fd_sim_env
fd_sim_fresh 5
CFG="$XDG_CONFIG_HOME/fleetdeck/config"
mkdir -p "$(dirname "$CFG")"

# has CHECK FUNCTION...: each (function, check) pair is on the board in $T/out
pairs() {
	python3 - "$T/out" "$@" <<'PY'
import json, sys
got = {(r["function"], r["check"]) for r in json.load(open(sys.argv[1]))}
mode, check, fns = sys.argv[2], sys.argv[3], sys.argv[4:]
for fn in fns:
    assert ((fn, check) in got) == (mode == "has"), (mode, fn, check, sorted(got))
PY
}

# Unmuted: log-no-retention is on payments-worker and on others.
run "$FD_BIN" risks -o json
expect_rc 0 "risks json"
others=$(python3 -c 'import json,sys
print(" ".join(sorted({r["function"] for r in json.load(open(sys.argv[1]))
    if r["check"] == "log-no-retention" and r["function"] != "payments-worker"})))' "$T/out")
[ -n "$others" ] || fail "seed: no other function with log-no-retention"
# shellcheck disable=SC2086
pairs has log-no-retention payments-worker $others || fail "unmuted board"

cat >"$CFG" <<'INI'
# muted here, still shown elsewhere
[keys]
help = ?
[mute]
payments-worker = log-no-retention, no-such-check
INI
run "$FD_BIN" risks --stale-ok -o json
expect_rc 0 "risks with [mute]"
pairs lacks log-no-retention payments-worker || fail "muted check still listed"
pairs has env-secret-literal payments-worker || fail "other checks of the function kept"
# shellcheck disable=SC2086
pairs has log-no-retention $others || fail "muted for other functions too"
expect_err "config:5: \[mute\] payments-worker: unknown check id \"no-such-check\"" \
	"unknown id warning with file:line"

printf '[mute]\n* = log-no-retention\n' >"$CFG"
run "$FD_BIN" risks --stale-ok -o json
expect_rc 0 "risks with * = ..."
# shellcheck disable=SC2086
pairs lacks log-no-retention payments-worker $others || fail "* mutes every function"

printf '[mute]\npayments-worker log-no-retention\n' >"$CFG"
run "$FD_BIN" risks --stale-ok -o json
[ "$RC" -ne 0 ] || fail "malformed config accepted"
[ "$RC" -lt 128 ] || fail "malformed config crashed (exit $RC)"
expect_err "config:2: expected" "malformed config error names file:line"

finish
