#!/bin/sh
# run-shell-tests.sh - runs the command-level tests (tests/cli/*.sh) and the screen
# tests (tests/ui/run.sh) against one shared simulator. Each script exits 0 (pass),
# 77 (skip, with a reason on stderr) or anything else (fail).
set -u
cd "$(dirname "$0")/.." || exit 2
: "${FD_BIN:=$(pwd)/build/fleetdeck}"
export FD_BIN
export FD_REPO="$(pwd)"

sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
tmp=$(mktemp -d)

if [ -z "${FD_SIM_URL:-}" ] && command -v python3 >/dev/null 2>&1 && [ -f tests/sim/fleetsim.py ]; then
	python3 tests/sim/fleetsim.py --port 0 --port-file "$tmp/port" --quiet &
	sim_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	if [ -s "$tmp/port" ]; then
		FD_SIM_URL="http://127.0.0.1:$(head -1 "$tmp/port" | cut -d' ' -f1)"
		export FD_SIM_URL
	else
		echo "warning: simulator did not start; simulator tests skip" >&2
	fi
fi

passed=0 failed=0 skipped=0
for t in tests/cli/test_*.sh tests/ui/run.sh; do
	[ -f "$t" ] || continue
	out="$tmp/out"
	sh "$t" >"$out" 2>&1
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "ok   $t" ;;
	77) skipped=$((skipped + 1)); echo "skip $t: $(tail -1 "$out")" ;;
	*) failed=$((failed + 1)); echo "FAIL $t (exit $rc)"; sed 's/^/    /' "$out" | tail -40 ;;
	esac
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
