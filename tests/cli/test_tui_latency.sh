# The console never waits for the network: with every Lambda/CloudWatch call slowed
# to 2 s by the simulator, a key still moves the selection and the next frame shows
# it while the refresh is in flight (key script, headless screen).
. "$(dirname "$0")/lib.sh"
fd_need_sim
fd_sim_env
export LC_ALL=C.UTF-8 TERM=xterm-256color FD_TUI_HEADLESS=1 FD_TUI_SIZE=120x30 FD_TUI_SAVE_DIR="$T"
trap 'sim_control POST faults "{\"rules\": []}" >/dev/null; rm -rf "$T"' EXIT

# Fill the cache first so there are rows to move through.
printf '@wait-idle\n@quit\n' >"$T/warm.keys"
FD_TUI_IDLE_TIMEOUT=120000 FD_TUI_SCRIPT="$T/warm.keys" run "$FD_BIN"
expect_rc 0 "warm-up run"

sim_control POST faults '{"rules": [
	{"service": "lambda", "kind": "latency", "latency_ms": 2000},
	{"service": "monitoring", "kind": "latency", "latency_ms": 2000},
	{"service": "logs", "kind": "latency", "latency_ms": 2000}]}' >/dev/null

printf '@sleep 100\n@save-roles before.roles\nj\n@save-roles after.roles\n@save after.screen\n@quit\n' \
	>"$T/slow.keys"
t0=$(date +%s%N)
FD_TUI_SCRIPT="$T/slow.keys" run "$FD_BIN"
t1=$(date +%s%N)
expect_rc 0 "run with slow calls"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 1800 ] || fail "the run took ${ms} ms: something waited for a 2 s call"
# Rows start on screen line 6 (title, totals, risks, filter line, column header).
before=$(grep -n '^S' "$T/before.roles" | head -1 | cut -d: -f1)
after=$(grep -n '^S' "$T/after.roles" | head -1 | cut -d: -f1)
[ "${before:-0}" = 6 ] || fail "selection before j on line ${before:-none}, expected 6"
[ "${after:-0}" = 7 ] || fail "selection after j on line ${after:-none}, expected 7"
grep -q "pending" "$T/after.screen" || fail "status bar shows no requests in flight: $(tail -2 "$T/after.screen")"
grep -q "refreshing" "$T/after.screen" || fail "status bar shows no refresh running"
finish
