#!/bin/sh
# demo.sh BIN - runs fleetdeck against the bundled simulated fleet: starts the
# simulator in live mode on a free loopback port, writes a throwaway AWS config
# with a "demo" profile pointing at it, opens the console, and stops the simulator
# when fleetdeck exits (however it exits).
set -u
bin=${1:-build/fleetdeck}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.." || exit 2
functions=${FD_DEMO_FUNCTIONS:-40}
dir=$(mktemp -d "${TMPDIR:-/tmp}/fleetdeck-demo.XXXXXX")
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 tests/sim/fleetsim.py --port 0 --port-file "$dir/port" --functions "$functions" \
	--live --quiet >"$dir/sim.log" 2>&1 &
sim_pid=$!
i=0
while [ ! -s "$dir/port" ]; do
	if ! kill -0 "$sim_pid" 2>/dev/null || [ $i -ge 200 ]; then
		echo "demo: the simulator did not start:" >&2
		cat "$dir/sim.log" >&2
		exit 1
	fi
	sleep 0.05
	i=$((i + 1))
done
port=$(head -1 "$dir/port" | cut -d' ' -f1)

cat >"$dir/config" <<CFG
[profile demo]
region = us-east-1
endpoint_url = http://127.0.0.1:$port
CFG
cat >"$dir/credentials" <<CFG
[demo]
aws_access_key_id = AKIDSIMULATOR0000001
aws_secret_access_key = sim-secret-key-0000000000000000000000001
CFG
chmod 600 "$dir/credentials"

echo "demo: simulated fleet of $functions functions on http://127.0.0.1:$port (stops when you quit)"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
	AWS_CONFIG_FILE="$dir/config" AWS_SHARED_CREDENTIALS_FILE="$dir/credentials" \
	AWS_EC2_METADATA_DISABLED=true XDG_CACHE_HOME="$dir/cache" \
	"$bin" --profile demo "$@"
