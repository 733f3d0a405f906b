#!/bin/sh
# redrive.sh [BIN] - client-side DLQ redrive throughput against the simulator, batches
# of 10, journaling on (state.db, synchronous=FULL) and off (the hidden --journal-off:
# an in-memory journal), on two identical DLQs of N messages (default 3000).
# Prints messages/s for both and the journal's overhead; the goal is >= 300 msg/s with
# journaling on (FD_BENCH_STRICT=1 makes missing it an error).
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${1:-${FD_BIN:-$(pwd)/build/fleetdeck}}
N=${N:-3000}
GOAL=300
tmp=$(mktemp -d)
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -z "${FD_SIM_URL:-}" ]; then
	python3 tests/sim/fleetsim.py --port 0 --port-file "$tmp/port" --quiet &
	sim_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$tmp/port" ] || { echo "redrive bench: simulator did not start" >&2; exit 1; }
	FD_SIM_URL="http://127.0.0.1:$(head -1 "$tmp/port" | cut -d' ' -f1)"
fi
export FD_SIM_URL HOME="$tmp/home" XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state"
export XDG_CONFIG_HOME="$tmp/config" AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIDSIMULATOR0000001
export AWS_SECRET_ACCESS_KEY=sim-secret-key-0000000000000000000000001
export AWS_ENDPOINT_URL="$FD_SIM_URL"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
mkdir -p "$HOME"
Q=bench$$

python3 - "$Q" "$N" <<'EOF' || { echo "redrive bench: seeding failed" >&2; exit 1; }
import json, os, sys
sys.path.insert(0, "tests/sim")
import simclient
c = simclient.Client(int(os.environ["FD_SIM_URL"].rsplit(":", 1)[1]))
def call(op, doc):
    r = c.json_call("sqs", op, doc)
    assert r.status == 200, r.body
    return r.json() if r.body else {}
name, n = sys.argv[1], int(sys.argv[2])
for run in ("on", "off"):
    dlq = call("CreateQueue", {"QueueName": "%s-%s-dlq" % (name, run)})["QueueUrl"]
    arn = call("GetQueueAttributes", {"QueueUrl": dlq, "AttributeNames": ["QueueArn"]})["Attributes"]["QueueArn"]
    call("CreateQueue", {"QueueName": "%s-%s" % (name, run), "Attributes": {
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})}})
    for i in range(0, n, 10):
        call("SendMessageBatch", {"QueueUrl": dlq, "Entries": [
            {"Id": str(j), "MessageBody": json.dumps({"n": j, "orderId": "ord-%06d" % j, "pad": "x" * 200}),
             "MessageAttributes": {"tenant": {"DataType": "String", "StringValue": "t%d" % (j % 7)}}}
            for j in range(i, min(n, i + 10))]})
EOF

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

run_one() { # MODE [FLAGS]: prints the wall time in ms
	mode=$1
	shift
	t0=$(now_ms)
	"$BIN" dlq redrive "$Q-$mode-dlq" "$@" >"$tmp/$mode.out" 2>"$tmp/$mode.err" || {
		echo "redrive bench: journaling $mode failed: $(tail -2 "$tmp/$mode.err")" >&2
		exit 1
	}
	t1=$(now_ms)
	grep -q "moved       $N\$" "$tmp/$mode.out" || {
		echo "redrive bench: journaling $mode did not move $N messages" >&2
		cat "$tmp/$mode.out" >&2
		exit 1
	}
	echo $((t1 - t0))
}

on_ms=$(run_one on) || exit 1
off_ms=$(run_one off --journal-off) || exit 1
awk -v n="$N" -v on="$on_ms" -v off="$off_ms" -v goal="$GOAL" 'BEGIN {
	ron = n * 1000 / on; roff = n * 1000 / off
	printf "redrive: %d messages, batches of 10\n", n
	printf "  journaling on : %6.0f msg/s (%.2fs)\n", ron, on / 1000
	printf "  journaling off: %6.0f msg/s (%.2fs)\n", roff, off / 1000
	printf "  journal overhead: %+.1f%%\n", (on - off) * 100 / off
	met = ron >= goal
	printf "  goal >= %d msg/s with journaling: %s\n", goal, met ? "met" : "MISSED"
	if (!met)
		exit 3
}'
rc=$?
[ $rc -eq 3 ] && [ "${FD_BENCH_STRICT:-0}" != 1 ] && rc=0
exit $rc
