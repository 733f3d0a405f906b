# lib.sh - helpers for benchmarks: a private simulator, timing, peak RSS.
set -u
B=$(mktemp -d)
SIM_PID=""
trap 'bench_cleanup' EXIT INT TERM
bench_cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	rm -rf "$B"
}

# sim_start ARGS...: starts the simulator with ARGS, sets SIM_URL.
sim_start() {
	python3 tests/sim/fleetsim.py --port 0 --port-file "$B/port" --quiet "$@" >"$B/sim.log" 2>&1 &
	SIM_PID=$!
	i=0
	while [ ! -s "$B/port" ]; do
		kill -0 "$SIM_PID" 2>/dev/null || { cat "$B/sim.log"; return 1; }
		[ $i -gt 600 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
	SIM_URL="http://127.0.0.1:$(head -1 "$B/port" | cut -d' ' -f1)"
	export HOME="$B/home" XDG_CACHE_HOME="$B/cache" XDG_STATE_HOME="$B/state" XDG_CONFIG_HOME="$B/config"
	mkdir -p "$HOME"
	export AWS_ACCESS_KEY_ID=AKIDSIMULATOR0000001
	export AWS_SECRET_ACCESS_KEY=sim-secret-key-0000000000000000000000001
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	export AWS_ENDPOINT_URL="$SIM_URL"
}

sim_get() { curl -s "$SIM_URL/_sim/$1"; }
sim_post() { curl -s -X POST -H 'Content-Type: application/json' --data "$2" "$SIM_URL/_sim/$1"; }

# measure OUT CMD...: runs CMD, stdout to OUT; sets SECS (wall) and RSS_KB (peak).
measure() {
	out=$1
	shift
	python3 - "$out" "$@" <<'PY' >"$B/measure"
import resource, subprocess, sys, time
out = open(sys.argv[1], "wb")
t = time.monotonic()
p = subprocess.Popen(sys.argv[2:], stdout=out)
_, status, ru = __import__("os").wait4(p.pid, 0)
print("%.3f %d %d" % (time.monotonic() - t, ru.ru_maxrss, status >> 8))
PY
	read -r SECS RSS_KB RC <"$B/measure"
}

# first_byte CMD...: seconds until CMD writes its first byte of stdout.
first_byte() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
p.stdout.read(1)
first = time.monotonic() - t
p.stdout.read()
p.wait()
print("%.4f" % first)
PY
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.1f' % (a / b if b else 0))" "$1" "$2"; }
