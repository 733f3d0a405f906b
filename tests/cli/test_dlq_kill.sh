# DLQ redrive never loses a message: `fleetdeck dlq redrive` is killed with SIGKILL
# at 20 random moments while the simulator injects ~10% throttling, 5xx and
# connection resets (some after SQS answered, so a receive's messages go missing
# until their visibility ends); then --resume finishes the job. Every message that
# matched the filter must be in the target once (or twice, at most one batch per
# kill), byte-identical with its attributes; none may remain in the DLQ; the ones
# that did not match must all be back in the DLQ. A FIFO run checks group order.
. "$(dirname "$0")/lib.sh"
fd_need_sim
fd_sim_env
REPO=${FD_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
SEED=${FD_KILL_SEED:-$$}

cat >"$T/sqs.py" <<'EOF'
import base64, json, os, random, re, sys
sys.path.insert(0, os.path.join(os.environ["REPO"], "tests", "sim"))
import simclient

c = simclient.Client(int(os.environ["FD_SIM_URL"].rsplit(":", 1)[1]), timeout=60)

def call(op, doc):
    r = c.json_call("sqs", op, doc)
    if r.status != 200:
        sys.exit("%s: HTTP %d %s" % (op, r.status, r.body[:300]))
    return r.json() if r.body else {}

def control(path, doc):
    r = c.control("POST", path, doc)
    assert r.status == 200, r.body

def make(name, fifo, attrs=None):
    a = dict(attrs or {})
    if fifo:
        a["FifoQueue"] = "true"
    return call("CreateQueue", {"QueueName": name, "Attributes": a})["QueueUrl"]

def body_of(i, rng):
    kind = i % 10
    if i % 97 == 5:
        return json.dumps({"n": i, "kind": "big", "blob": "x" * (256 * 1024 - 64)})[:256 * 1024]
    if kind == 3:
        return json.dumps({"n": i, "kind": "skip", "why": "stays in the DLQ"})
    if kind == 7:
        return "plain #%d \t tab, \u00e9t\u00e9, \u2603, \U0001F600, \r\n and \ufffd" % i
    if kind == 8:
        return "blob#%d " % i + base64.b64encode(bytes(rng.randrange(256) for _ in range(300))).decode()
    return json.dumps({"n": i, "kind": "order", "detail": {"orderId": "ord-%06d" % i,
                       "amount": rng.randrange(10000) / 100.0}}, separators=(",", ":"))

def attrs_of(i, rng):
    a = {"trace": {"DataType": "String", "StringValue": "t-%d-\u00fc" % i},
         "retries": {"DataType": "Number", "StringValue": str(i % 5)}}
    if i % 3 == 0:
        a["sig"] = {"DataType": "Binary", "BinaryValue": base64.b64encode(
            bytes(rng.randrange(256) for _ in range(1 + i % 40))).decode()}
    if i % 4 == 0:
        a["tenant"] = {"DataType": "String.custom", "StringValue": "acme-%d" % (i % 9)}
    return a

def seed(name, n, fifo):
    rng = random.Random(int(os.environ.get("SEED", "1")))
    suffix = ".fifo" if fifo else ""
    dlq = make(name + "-dlq" + suffix, fifo)
    arn = call("GetQueueAttributes", {"QueueUrl": dlq, "AttributeNames": ["QueueArn"]})["Attributes"]["QueueArn"]
    make(name + suffix, fifo, {"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})})
    expected = {}
    entries = []
    for i in range(n):
        e = {"Id": str(len(entries)), "MessageBody": body_of(i, rng), "MessageAttributes": attrs_of(i, rng)}
        if fifo:
            e["MessageGroupId"] = "g%d" % (i % 5)
            e["MessageDeduplicationId"] = "d%d" % i
        expected[i] = {"Body": e["MessageBody"], "MessageAttributes": e["MessageAttributes"],
                       "group": e.get("MessageGroupId")}
        entries.append(e)
        size = sum(len(x["MessageBody"].encode()) for x in entries)
        if len(entries) == 10 or size > 700 * 1024 or i == n - 1:
            r = call("SendMessageBatch", {"QueueUrl": dlq, "Entries": entries})
            assert not r.get("Failed"), r["Failed"]
            entries = []
    json.dump(expected, open(os.environ["T"] + "/expected-%s.json" % name, "w"))

def index(body):
    m = re.search(r'"n": ?(\d+)|#(\d+)', body)
    return int(m.group(1) or m.group(2))

def drain(name):
    url = call("GetQueueUrl", {"QueueName": name})["QueueUrl"]
    out = []
    while True:
        ms = call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0,
                                     "VisibilityTimeout": 300, "AttributeNames": ["All"],
                                     "MessageAttributeNames": ["All"]}).get("Messages", [])
        if not ms:
            return out
        out += ms
        if name.endswith(".fifo"):  # FIFO hides a group while its messages are in flight
            call("DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(ms)]})

def verify(name, fifo, kills, filtered):
    expected = {int(k): v for k, v in json.load(open(os.environ["T"] + "/expected-%s.json" % name)).items()}
    suffix = ".fifo" if fifo else ""
    target, dlq = drain(name + suffix), drain(name + "-dlq" + suffix)
    errors, seen, order = [], {}, {}
    for m in target:
        i = index(m["Body"])
        seen[i] = seen.get(i, 0) + 1
        want = expected[i]
        if m["Body"] != want["Body"]:
            errors.append("message %d: body differs" % i)
        if m.get("MessageAttributes", {}) != want["MessageAttributes"]:
            errors.append("message %d: attributes differ: %r" % (i, m.get("MessageAttributes")))
        if fifo:
            if m["Attributes"].get("MessageGroupId") != want["group"]:
                errors.append("message %d: group id lost" % i)
            order.setdefault(want["group"], []).append(i)
    moved = [i for i, v in expected.items() if not filtered or '"kind": "skip"' not in v["Body"]]
    stays = [i for i in expected if i not in moved]
    lost = [i for i in moved if i not in seen]
    dups = sum(seen[i] - 1 for i in seen)
    if lost:
        errors.append("%d messages lost: %s" % (len(lost), lost[:20]))
    if any(v > 2 for v in seen.values()):
        errors.append("a message arrived more than twice")
    if dups > 10 * kills:
        errors.append("%d duplicates for %d kills (more than one batch per kill)" % (dups, kills))
    if any(i in seen for i in stays):
        errors.append("a message that did not match the filter was moved")
    left = sorted(index(m["Body"]) for m in dlq)
    if left != sorted(stays):
        errors.append("DLQ holds %d messages, expected the %d that did not match (extra: %s)" % (
            len(left), len(stays), sorted(set(left) - set(stays))[:20]))
    for g, seq in order.items():
        firsts = []
        for i in seq:
            if i not in firsts:
                firsts.append(i)
        if firsts != sorted(firsts):
            errors.append("group %s out of order: %s" % (g, firsts[:30]))
    print("%s: %d moved (%d duplicates), %d stayed, %d kills" % (name, len(seen), dups, len(left), kills))
    for e in errors[:15]:
        print("FAIL: " + e)
    sys.exit(1 if errors else 0)

cmd = sys.argv[1]
if cmd == "seed":
    seed(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "fifo")
elif cmd == "faults":
    rules = [] if sys.argv[2] == "off" else [
        {"service": "sqs", "op": "*", "kind": "throttle", "probability": 0.04},
        {"service": "sqs", "op": "*", "kind": "error", "status": 500, "probability": 0.03},
        {"service": "sqs", "op": "*", "kind": "reset", "probability": 0.02},
        {"service": "sqs", "op": "ReceiveMessage", "kind": "reset", "when": "after", "probability": 0.03},
        {"service": "sqs", "op": "DeleteMessageBatch", "kind": "reset", "when": "after", "probability": 0.02}]
    control("faults", {"rules": rules})
elif cmd == "verify":
    verify(sys.argv[2], sys.argv[3] == "fifo", int(sys.argv[4]), sys.argv[5] == "filtered")
EOF
export REPO T SEED

rand_sleep() { # N LO SPAN: seconds in [lo, lo+span), the N-th draw of this run
	awk -v s="$SEED" -v k="$1" -v lo="$2" -v span="$3" \
		'BEGIN { srand(s % 100000 + k * 7919); printf "%.2f", lo + rand() * span }'
}

# kill_runs NAME KILLS ARGS...: first run creates the job; every later run resumes it.
kill_runs() {
	name=$1 want=$2
	shift 2
	"$FD_BIN" dlq redrive "$@" >"$T/$name.run.out" 2>"$T/$name.run.err" &
	pid=$! job="" i=0
	while [ -z "$job" ] && [ $i -lt 200 ]; do
		job=$(sed -n 's/^fleetdeck: redrive job \([0-9]*\):.*/\1/p' "$T/$name.run.err" 2>/dev/null | head -1)
		[ -n "$job" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$job" ] || { fail "$name: no job id: $(head -3 "$T/$name.run.err")"; kill -9 $pid; return 1; }
	kills=0 k=0
	while [ $k -lt "$want" ]; do
		sleep "$(rand_sleep "$((k + ${#name} * 100))" 0.15 0.5)"
		if kill -0 $pid 2>/dev/null; then
			kill -9 $pid
			kills=$((kills + 1))
		fi
		wait $pid 2>/dev/null
		k=$((k + 1))
		[ $k -lt "$want" ] || break
		"$FD_BIN" dlq redrive --resume "$job" >>"$T/$name.run.out" 2>>"$T/$name.run.err" &
		pid=$!
	done
	echo "$kills" >"$T/$name.kills"
	echo "$job" >"$T/$name.job"
}

start=$(date +%s)
STD=kstd$$ FIFO=kfifo$$ # the simulator outlives this script: fresh queues every run

# Standard queues: 1,000+ messages, 10% do not match the filter and must stay.
python3 "$T/sqs.py" seed $STD 1050 std || fail "seeding"
python3 "$T/sqs.py" faults on
kill_runs $STD 20 $STD-dlq --filter '.kind != "skip"' --visibility 3 --rate 120
run "$FD_BIN" dlq redrive --resume "$(cat "$T/$STD.job")"
expect_rc 0 "final resume of the standard job"
python3 "$T/sqs.py" faults off
python3 "$T/sqs.py" verify $STD std "$(cat "$T/$STD.kills")" filtered || fail "standard redrive lost or damaged messages"

# FIFO: group ids, dedup ids and per-group order survive kills and faults. (No filter:
# in a FIFO queue a message that stays holds back the rest of its group.)
python3 "$T/sqs.py" seed $FIFO 300 fifo || fail "seeding fifo"
python3 "$T/sqs.py" faults on
kill_runs $FIFO 8 $FIFO-dlq.fifo --visibility 3 --rate 100
run "$FD_BIN" dlq redrive --resume "$(cat "$T/$FIFO.job")"
expect_rc 0 "final resume of the FIFO job"
python3 "$T/sqs.py" faults off
python3 "$T/sqs.py" verify $FIFO fifo "$(cat "$T/$FIFO.kills")" all || fail "FIFO redrive broke order or lost messages"

run "$FD_BIN" dlq jobs "$(cat "$T/$STD.job")" --output json
expect_out '"status":"done"' "the job is recorded as done"
echo "kill test took $(($(date +%s) - start))s"
finish
