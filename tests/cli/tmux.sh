# tmux.sh - for the tests that drive the console in a real terminal: source it after
# lib.sh. Skips when tmux is missing, points fleetdeck at the simulator, and gives tm
# (tmux on a private server, no user config), wait_for and tmux_start.
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed" >&2; exit 77; }
fd_need_sim
fd_sim_env
export LC_ALL=C.UTF-8 TERM=xterm-256color
unset NO_COLOR TMUX || true

sock="$T/tmux.sock"
tm() { tmux -S "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

# wait_for TEXT [SECONDS]: until the pane shows TEXT; the pane lands in $T/pane.
wait_for() {
	i=0
	while [ $i -lt $((${2:-10} * 10)) ]; do
		tm capture-pane -p -t fd >"$T/pane" 2>/dev/null
		grep -q -- "$1" "$T/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "screen never showed '$1'; it shows:"
	sed 's/^/    /' "$T/pane" >&2
	return 1
}

# tmux_start COLS ROWS COMMAND: a fresh session "fd" running COMMAND, on a fresh
# server: a client that reaches a server still exiting after its last session was
# killed fails with "server exited unexpectedly".
tmux_n=0
tmux_start() {
	tm kill-server 2>/dev/null
	tmux_n=$((tmux_n + 1))
	sock="$T/tmux$tmux_n.sock"
	tm new-session -d -s fd -x "$1" -y "$2" "$3" || { fail "tmux new-session"; finish; }
}
