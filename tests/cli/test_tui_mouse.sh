# The console's mouse under tmux against the simulator: the terminal is asked for
# mouse reports; a click selects the row clicked, a double click opens it, the wheel
# moves the selection three rows; `mouse = false` in the config's [console] section
# leaves the mouse to the terminal. Mouse reports are typed into the pane as a
# terminal sends them (X10 encoding: ESC [ M, then button, column and row + 32).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"
# A fleet with rows enough to click on, whatever the tests before left.
sim_control POST reset '{"functions":40}' >/dev/null

start() { # [ENV...]
	tmux_start 120 40 "env $* \"$FD_BIN\"; echo \"EXITED rc=\$?\"; sleep 60"
	wait_for "FUNCTION" 15 || finish
}

byte() { printf "\\$(printf %o "$1")"; }

# report BUTTON ROW: one report for the 0-based screen row (column 5).
report() { printf '\033[M%s%s%s' "$(byte $(($1 + 32)))" "$(byte 38)" "$(byte $(($2 + 33)))"; }
# Press and release (twice for a double click) go in one write, as a terminal sends
# them: a busy machine must not stretch a click past curses' click interval.
mouse() { tm send-keys -t fd -l "$(report "$1" "$2")"; }
click() { tm send-keys -t fd -l "$(report 0 "$1")$(report 3 "$1")"; }
double_click() { tm send-keys -t fd -l "$(report 0 "$1")$(report 3 "$1")$(report 0 "$1")$(report 3 "$1")"; }

name_at() { sed -n "$(($1 + 1))p" "$T/pane" | awk '{print $1}'; }

start
[ "$(tm display -p -t fd '#{mouse_any_flag}')" = 1 ] || fail "the console did not ask for mouse reports"
wait_for "data [0-9]*s old" 20 || finish
first=$(name_at 5)
eighth=$(name_at 12)
[ -n "$first" ] && [ -n "$eighth" ] || { fail "no function rows on the dashboard"; finish; }

# A click on the eighth function's row, then Enter, opens that function.
click 12
sleep 0.5
tm send-keys -t fd Enter
wait_for "functions › $eighth" 10
tm send-keys -t fd Escape
wait_for "sorted by"

# A double click opens the row clicked: the first function.
double_click 5
wait_for "functions › $first" 10
tm send-keys -t fd Escape
wait_for "sorted by"

# The wheel: down twice from the first row (6 rows), up once (3): the fourth row.
tm send-keys -t fd g
fourth=$(name_at 8)
mouse 65 10
mouse 65 10
mouse 64 10
sleep 0.3
tm send-keys -t fd Enter
wait_for "functions › $fourth" 10
tm send-keys -t fd q
wait_for "EXITED rc=0" 10

# [console] mouse = false: no mouse reports asked for.
mkdir -p "$T/config/fleetdeck"
printf '[console]\nmouse = false\n' >"$T/config/fleetdeck/config"
start "XDG_CONFIG_HOME=$T/config"
[ "$(tm display -p -t fd '#{mouse_any_flag}')" = 0 ] || fail "mouse = false still asked for mouse reports"
tm send-keys -t fd q
wait_for "EXITED rc=0" 10
finish
