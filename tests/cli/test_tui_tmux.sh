# The console end to end in a real terminal: under tmux (120x40) against the
# simulator, keys go in with send-keys and the screen comes back with capture-pane.
# Checks function names, the account line, drilling in and back, help, a resize, ctrl-z and fg,
# quitting with q and with SIGTERM, and that the terminal is restored each time (no
# alternate screen left).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

start() {
	tmux_start 120 40 "\"$FD_BIN\"; echo \"EXITED rc=\$?\"; sleep 60"
}

# The first run sits in an interactive shell with job control, as a user's would, so
# ctrl-z really stops it and fg brings it back.
if command -v bash >/dev/null 2>&1; then
	tmux_start 120 40 "env PS1='$ ' bash --norc --noprofile -i"
	tm send-keys -t fd "\"$FD_BIN\"" Enter
	job_control=1
else
	start
	job_control=0
fi
wait_for "fleetdeck" 10 || finish
wait_for "FUNCTION" 15 || finish
wait_for "data [0-9]*s old" 15
# The seeded fleet has dead-letter queues holding messages: the header says which.
wait_for "DLQs [0-9]* of [0-9]* hold [0-9]* messages (oldest" 20
# The account line: the window's concurrency peak against the account's limits.
wait_for "Concurrency [0-9]*/[0-9]* (unreserved [0-9]*)" 20
# The status bar's API budgets name each bucket once: an operation with its own quota
# by its name (GetFunction 2/49), a service's shared bucket by the service (lambda 7/6).
grep "│ GMD" "$T/pane" | sed 's/.*│ //' | python3 -c '
import re, sys
labels = re.findall(r"([A-Za-z-]+) [0-9]+/[0-9]+", sys.stdin.read())
assert len(labels) == len(set(labels)), labels' || fail "a budget label twice: $(grep "│ GMD" "$T/pane")"
# The status bar: what the 60 s auto-refresh costs in GetMetricData (11 metrics per
# function and the account's 2 per refresh at $0.01 per 1,000); p pauses it.
nfns=$(sed -n 's/.*Functions \([0-9]*\).*/\1/p' "$T/pane" | head -1)
want=$(python3 -c "print('GMD \$%.2f/h' % ((int('${nfns:-0}') * 11 + 2) * 0.01 / 1000 * 60))")
grep -qF "$want" "$T/pane" || fail "status bar lacks '$want' for $nfns functions: $(tail -2 "$T/pane")"
tm send-keys -t fd p
wait_for "GMD paused" 5
tm send-keys -t fd p
wait_for "GMD \$[0-9.]*/h" 5
first=$(sed -n '6p' "$T/pane" | awk '{print $1}')
[ -n "$first" ] || fail "no function row on the dashboard"
[ "$(tm display -p -t fd '#{alternate_on}')" = 1 ] || fail "the console does not use the alternate screen"

tm send-keys -t fd Enter
wait_for "Configuration" 10
grep -q "functions › $first" "$T/pane" || fail "breadcrumb does not name $first"
tm send-keys -t fd Escape
wait_for "sorted by"
tm send-keys -t fd '?'
wait_for "move-down"
tm send-keys -t fd '?'
wait_for "sorted by"

tm resize-window -t fd -x 80 -y 24
wait_for "RISK" 5
grep -q "P50ms" "$T/pane" && fail "P50ms column still shown at 80 columns"
tm resize-window -t fd -x 120 -y 40
wait_for "P50ms" 5

# Ctrl-z gives the terminal back; fg (SIGCONT) brings the console back.
alt_is() { # VALUE: waits up to 5 s for #{alternate_on} to become VALUE
	i=0
	while [ $i -lt 50 ]; do
		[ "$(tm display -p -t fd '#{alternate_on}')" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
if [ $job_control = 1 ]; then
	tm send-keys -t fd C-z
	alt_is 0 || fail "alternate screen still on after ctrl-z"
	wait_for "Stopped" 5
	tm send-keys -t fd "fg" Enter
	alt_is 1 || fail "the console did not come back after fg"
	wait_for "sorted by" 5
fi

tm send-keys -t fd q
[ $job_control = 1 ] && tm send-keys -t fd 'echo "EXITED rc=$?"' Enter
wait_for "EXITED rc=0" 10
[ "$(tm display -p -t fd '#{alternate_on}')" = 0 ] || fail "alternate screen left on after q"

# SIGTERM restores the terminal too.
start
wait_for "FUNCTION" 15 || finish
pane_pid=$(tm display -p -t fd '#{pane_pid}')
fd_pid=$(ps -o pid= --ppid "$pane_pid" | head -1 | tr -d ' ')
[ -n "$fd_pid" ] && kill -TERM "$fd_pid"
wait_for "EXITED rc=" 10
[ "$(tm display -p -t fd '#{alternate_on}')" = 0 ] || fail "alternate screen left on after SIGTERM"
finish
