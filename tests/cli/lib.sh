# lib.sh - helpers for command-level tests. Source it; call fd_sim_env to point
# fleetdeck at the simulator with a throwaway HOME, then run "$FD_BIN" and assert.
set -u
FD_FAILS=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fd_need_sim() {
	if [ -z "${FD_SIM_URL:-}" ]; then
		echo "simulator not running" >&2
		exit 77
	fi
}

fd_sim_env() {
	export HOME="$T/home" XDG_CACHE_HOME="$T/cache" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
	mkdir -p "$HOME"
	export AWS_ACCESS_KEY_ID=AKIDSIMULATOR0000001
	export AWS_SECRET_ACCESS_KEY=sim-secret-key-0000000000000000000000001
	export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	export AWS_ENDPOINT_URL="${FD_SIM_URL:-http://127.0.0.1:9}"
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
}

# fd_sim_fresh FUNCTIONS: needs the simulator and python3; resets the simulator to a
# fleet of FUNCTIONS with no faults.
fd_sim_fresh() {
	fd_need_sim
	command -v python3 >/dev/null 2>&1 || { echo "python3 missing" >&2; exit 77; }
	sim_control POST reset "{\"functions\":$1}" >/dev/null
	sim_control POST faults '{"rules":[]}' >/dev/null
}

sim_control() { # METHOD PATH [JSON]
	curl -s -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$FD_SIM_URL/_sim/$2"
}

fail() {
	echo "FAIL: $*" >&2
	FD_FAILS=$((FD_FAILS + 1))
}

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $RC
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "$2: exit $RC, expected $1; stderr: $(head -3 "$T/err")"; }
expect_out() { grep -q -- "$1" "$T/out" || fail "$2: stdout lacks '$1': $(head -5 "$T/out")"; }
expect_err() { grep -q -- "$1" "$T/err" || fail "$2: stderr lacks '$1': $(head -5 "$T/err")"; }
expect_no() { ! grep -q -- "$1" "$T/out" "$T/err" || fail "$2: output contains '$1'"; }

finish() {
	[ "$FD_FAILS" -eq 0 ] && exit 0
	exit 1
}
