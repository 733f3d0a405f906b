# y in the log view under a real terminal multiplexer: tmux (set-clipboard on) turns
# the OSC 52 sequence into a paste buffer, which must hold the selected line's plain
# text exactly. Without the config switch nothing reaches the clipboard.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"
data="$(cd "$(dirname "$0")/../data/logs" && pwd)/screen.json"
want="START RequestId: 6f1d2c3b-aaaa-4bbb-8ccc-123456789abc Version: \$LATEST"

# copy_first_line: opens the saved events, selects the first line and presses y.
copy_first_line() {
	tmux_start 120 30 "\"$FD_BIN\"; sleep 60"
	tm set -s set-clipboard on
	wait_for "FUNCTION" 15 || finish
	tm send-keys -t fd ":logs @$data" Enter
	wait_for "orders-api" 10 || finish
	tm send-keys -t fd g y
}

mkdir -p "$XDG_CONFIG_HOME/fleetdeck"
copy_first_line
wait_for "y: copying is off" 5
[ -z "$(tm list-buffers 2>/dev/null)" ] || fail "a paste buffer appeared with copying off"

printf '[logs]\nosc52 = true\n' >"$XDG_CONFIG_HOME/fleetdeck/config"
copy_first_line
wait_for "copied the selected line (70 bytes) with OSC 52" 5
i=0
while [ $i -lt 30 ] && [ -z "$(tm list-buffers 2>/dev/null)" ]; do
	sleep 0.1
	i=$((i + 1))
done
got=$(tm show-buffer 2>/dev/null)
[ "$got" = "$want" ] || fail "clipboard holds '$got', expected '$want'"
finish
