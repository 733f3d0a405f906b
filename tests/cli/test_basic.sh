# Basic commands: version, help, usage errors, whoami and doctor, bad input.
. "$(dirname "$0")/lib.sh"
fd_sim_env

run "$FD_BIN" --version
expect_rc 0 "--version"
expect_out "^fleetdeck [0-9]" "--version"

run "$FD_BIN" help
expect_rc 0 "help"
expect_out "whoami" "help lists commands"
expect_out "--read-only" "help lists global options"

run "$FD_BIN" help whoami
expect_out "usage: fleetdeck whoami" "help COMMAND"

run "$FD_BIN" frobnicate
expect_rc 2 "unknown command"
expect_err 'unknown command "frobnicate"' "unknown command message"

run "$FD_BIN" --output yaml whoami
expect_rc 2 "bad --output"
expect_err "--output takes" "bad --output message"

run "$FD_BIN" --profile
expect_rc 2 "--profile without value"
expect_err "--profile needs a value" "missing option value"

# Bad region: one clear line, non-zero exit, no crash.
run env AWS_REGION='us east 1!' "$FD_BIN" whoami
[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "bad region: exit $RC"
expect_err "region" "bad region message"

# Missing profile.
run "$FD_BIN" --profile nosuch whoami
[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "missing profile: exit $RC"
expect_err 'nosuch' "missing profile message"

# Malformed config file.
printf '[profile broken\nregion = us-east-1\n' >"$T/badconfig"
run env AWS_CONFIG_FILE="$T/badconfig" "$FD_BIN" whoami
[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "malformed config: exit $RC"
expect_err "badconfig:1" "malformed config names file and line"

# Unreadable config file.
if [ "$(id -u)" -ne 0 ]; then
	printf '[default]\n' >"$T/noread"; chmod 000 "$T/noread"
	run env AWS_CONFIG_FILE="$T/noread" "$FD_BIN" whoami
	[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "unreadable config: exit $RC"
fi

# Unreachable endpoint: a clear network error, quickly.
run env AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 "$FD_BIN" whoami
[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "unreachable endpoint: exit $RC"
expect_err "STS.GetCallerIdentity" "unreachable endpoint names the operation"

if [ -n "${FD_SIM_URL:-}" ]; then
	run "$FD_BIN" whoami
	expect_rc 0 "whoami"
	expect_out "account      123456789012" "whoami account"
	expect_out "credentials  environment" "whoami credential source"
	expect_no "sim-secret-key" "whoami never prints the secret"

	run "$FD_BIN" whoami --output json
	expect_rc 0 "whoami json"
	expect_out '"account":"123456789012"' "whoami json account"

	run "$FD_BIN" doctor
	expect_rc 0 "doctor"
	expect_out "identity" "doctor identity line"
	expect_out "clock skew" "doctor clock skew"
	expect_no "sim-secret-key" "doctor never prints the secret"

	run env AWS_SECRET_ACCESS_KEY=wrong "$FD_BIN" doctor
	expect_rc 1 "doctor with a bad key fails"
	expect_out "FAIL" "doctor shows the failing check"
fi
finish
