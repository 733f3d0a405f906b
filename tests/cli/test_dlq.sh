# `fleetdeck queues` and `fleetdeck dlq ...` end to end: read-only refusals for every
# mutating command, prod confirmation, peek and its warning, dry run, filters,
# export -> import -> export byte-compared, purge and delete confirmations, the
# server-side move task, job history, and a damaged state.db left alone.
. "$(dirname "$0")/lib.sh"
fd_need_sim
fd_sim_env
REPO=${FD_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
export REPO
Q=cli$$

py() { # runs python with the simulator client as `c` and call(op, doc)
	python3 -c "
import json, os, sys
sys.path.insert(0, os.path.join(os.environ['REPO'], 'tests', 'sim'))
import simclient
c = simclient.Client(int(os.environ['FD_SIM_URL'].rsplit(':', 1)[1]))
def call(op, doc):
    r = c.json_call('sqs', op, doc)
    assert r.status == 200, r.body
    return r.json() if r.body else {}
def url(name):
    return call('GetQueueUrl', {'QueueName': name})['QueueUrl']
def depth(name):
    a = call('GetQueueAttributes', {'QueueUrl': url(name), 'AttributeNames': ['All']})['Attributes']
    return int(a['ApproximateNumberOfMessages']) + int(a['ApproximateNumberOfMessagesNotVisible'])
$1"
}

# A DLQ with 30 messages (JSON with ids, one text body, binary attributes) behind a source.
py "
dlq = call('CreateQueue', {'QueueName': '$Q-dlq'})['QueueUrl']
arn = call('GetQueueAttributes', {'QueueUrl': dlq, 'AttributeNames': ['QueueArn']})['Attributes']['QueueArn']
call('CreateQueue', {'QueueName': '$Q', 'Attributes': {'RedrivePolicy': json.dumps({'deadLetterTargetArn': arn, 'maxReceiveCount': 4})}})
call('CreateQueue', {'QueueName': '$Q-copy'})
for i in range(0, 30, 10):
    call('SendMessageBatch', {'QueueUrl': dlq, 'Entries': [{'Id': str(j),
        'MessageBody': json.dumps({'detail': {'orderId': str(j % 3)}, 'n': j}) if j != 7 else 'plain \u00e9 text \t #7',
        'MessageAttributes': {'bin': {'DataType': 'Binary', 'BinaryValue': 'AP8BAg=='},
                              'tenant': {'DataType': 'String', 'StringValue': 't%d' % (j % 2)}}}
        for j in range(i, i + 10)]})
" || fail "seeding"

# Read-only: every mutating command refuses before touching anything.
for args in "dlq redrive $Q-dlq" "dlq redrive $Q-dlq --server" "dlq redrive $Q-dlq --to $Q" \
	"dlq redrive $Q-dlq --to-function orders-api" "dlq redrive --resume 1" \
	"dlq import $T/none --to $Q" "dlq purge $Q-dlq --confirm $Q-dlq" \
	"dlq delete $Q-dlq some-id --confirm $Q-dlq"; do
	run "$FD_BIN" --read-only $args
	expect_rc 1 "--read-only $args"
	expect_err "read-only" "--read-only $args says why"
	run env FLEETDECK_READ_ONLY=1 "$FD_BIN" $args
	expect_rc 1 "FLEETDECK_READ_ONLY $args"
done
mkdir -p "$HOME/.aws"
printf '[profile ro]\nregion = us-east-1\nread_only = true\n[profile live]\nregion = us-east-1\nprod = true\n' >"$HOME/.aws/config"
run env AWS_CONFIG_FILE="$HOME/.aws/config" "$FD_BIN" --profile ro dlq purge "$Q-dlq" --confirm "$Q-dlq"
expect_rc 1 "read_only profile refuses purge"
expect_err "read_only = true" "read_only profile named"
run env AWS_CONFIG_FILE="$HOME/.aws/config" "$FD_BIN" --profile live dlq redrive "$Q-dlq"
expect_rc 1 "prod profile needs --yes"
expect_err "marked prod" "prod confirmation message"
[ "$(py "print(depth('$Q-dlq'))")" = 30 ] || fail "a refused command changed the DLQ"

# Reading is fine in read-only mode.
run "$FD_BIN" --read-only dlq peek "$Q-dlq" --max 3 --output json
expect_rc 0 "peek in read-only mode"
expect_out '"MessageId"' "peek json"
expect_err "ApproximateReceiveCount" "peek warns about receive counts"
run "$FD_BIN" dlq peek "$Q" --max 1
expect_err "redrive policy" "peeking a source queue warns about its DLQ"
run "$FD_BIN" dlq peek "$Q-dlq" --max 50 --filter '.detail.orderId == "1"'
expect_rc 0 "peek with a filter"
[ "$(grep -c '^message ' "$T/out")" = 9 ] || fail "peek filter: $(grep -c '^message ' "$T/out") messages, expected 9"
expect_out '"orderId": "1"' "peek pretty-prints JSON"
expect_out "00 ff 01 02" "peek shows binary attributes in hex"

# Dry run: the plan lists exactly what would move; nothing moves.
run "$FD_BIN" --read-only dlq redrive "$Q-dlq" --dry-run --filter 'attr.tenant == t1' --visibility 5
expect_rc 0 "dry run (allowed read-only)"
[ "$(grep -c '^  would move [^ ]' "$T/out")" = 15 ] || fail "dry run plan: $(grep -c '^  would move [^ ]' "$T/out") would move, expected 15"
[ "$(grep -c '^  stays' "$T/out")" = 15 ] || fail "dry run plan: stays"
[ "$(py "print(depth('$Q-dlq'), depth('$Q'))")" = "30 0" ] || fail "dry run moved something"

# Export, import into another queue, export again: same bytes.
run "$FD_BIN" dlq export "$Q-dlq" "$T/a.ndjson"
expect_rc 0 "export"
expect_err "exported 30 messages" "export count"
run "$FD_BIN" dlq import "$T/a.ndjson" --to "$Q-copy"
expect_rc 0 "import"
run "$FD_BIN" dlq export "$Q-copy" "$T/b.ndjson"
expect_rc 0 "export of the copy"
canon() { python3 -c "
import json, sys
keep = ('Body', 'MD5OfBody', 'MessageAttributes', 'MD5OfMessageAttributes')
rows = [json.dumps({k: v for k, v in json.loads(l).items() if k in keep}, sort_keys=True, ensure_ascii=False)
        for l in open(sys.argv[1], encoding='utf-8')]
sys.stdout.write('\n'.join(sorted(rows)) + '\n')" "$1"; }
canon "$T/a.ndjson" >"$T/a.canon" && canon "$T/b.ndjson" >"$T/b.canon"
cmp -s "$T/a.canon" "$T/b.canon" || fail "export/import round trip changed bytes"
[ "$(wc -l <"$T/a.canon")" = 30 ] || fail "export has $(wc -l <"$T/a.canon") lines"
printf '{"MessageId":"x","Body":"changed","MD5OfBody":"00000000000000000000000000000000"}\n' >"$T/bad.ndjson"
run "$FD_BIN" dlq import "$T/bad.ndjson" --to "$Q-copy"
expect_rc 1 "import refuses a tampered line"
expect_err "bad.ndjson:1" "import names file and line"

# Client-side redrive with a filter, then the job history.
run "$FD_BIN" dlq redrive "$Q-dlq" --filter '.detail.orderId == "2"' --visibility 5 --output json
expect_rc 0 "redrive with a filter"
expect_out '"moved":10' "moved exactly the matching messages"
[ "$(py "print(depth('$Q-dlq'), depth('$Q'))")" = "20 10" ] || fail "redrive counts"
run "$FD_BIN" dlq jobs
expect_rc 0 "jobs"
expect_out "$Q-dlq" "jobs lists the job"
expect_out "done" "jobs shows status"

# Server-side move task: started, followed to the end.
run "$FD_BIN" dlq redrive "$Q-dlq" --server --to "$Q" --rate 50
expect_rc 0 "server-side redrive"
expect_err "COMPLETED" "move task completed"
expect_err "no filters" "explains the move task's limits"
[ "$(py "print(depth('$Q-dlq'), depth('$Q'))")" = "0 30" ] || fail "move task counts"
run "$FD_BIN" dlq redrive "$Q-dlq" --server --cancel
expect_rc 1 "cancel without a running task"
expect_err "no running move task" "cancel message"

# Purge and delete want the queue's name typed.
run "$FD_BIN" dlq purge "$Q-copy"
expect_rc 2 "purge without --confirm"
run "$FD_BIN" dlq purge "$Q-copy" --confirm "$Q"
expect_rc 2 "purge with the wrong name"
[ "$(py "print(depth('$Q-copy'))")" = 30 ] || fail "an unconfirmed purge purged"
id=$(py "print(call('ReceiveMessage', {'QueueUrl': url('$Q'), 'VisibilityTimeout': 0})['Messages'][0]['MessageId'])")
run "$FD_BIN" dlq delete "$Q" "$id" --confirm "$Q"
expect_rc 0 "delete one message"
[ "$(py "print(depth('$Q'))")" = 29 ] || fail "delete removed $(py "print(30 - depth('$Q'))") messages"
run "$FD_BIN" dlq purge "$Q-copy" --confirm "$Q-copy"
expect_rc 0 "purge"
[ "$(py "print(depth('$Q-copy'))")" = 0 ] || fail "purge left messages"

# The queues board.
run "$FD_BIN" queues --filter "^$Q" --output json
expect_rc 0 "queues json"
expect_out "\"name\":\"$Q-dlq\"" "queues lists the DLQ"
expect_out "\"dlq\":\"$Q-dlq\"" "queues shows the redrive target"
expect_out "\"sources\":\"$Q\"" "queues maps the DLQ to its source"
run "$FD_BIN" dlq ls --output csv
expect_rc 0 "dlq ls"
expect_out "^name,fifo,visible" "dlq ls csv header"

# A damaged state.db is reported, named, and left exactly as it was.
mkdir -p "$XDG_STATE_HOME/fleetdeck"
cp "$XDG_STATE_HOME/fleetdeck/state.db" "$T/state.keep" 2>/dev/null
printf 'garbage garbage garbage garbage' >"$XDG_STATE_HOME/fleetdeck/state.db"
rm -f "$XDG_STATE_HOME/fleetdeck/state.db-wal" "$XDG_STATE_HOME/fleetdeck/state.db-shm"
run "$FD_BIN" dlq jobs
expect_rc 1 "damaged state.db"
expect_err "state.db is damaged" "damaged state.db message names the file"
[ "$(cat "$XDG_STATE_HOME/fleetdeck/state.db")" = "garbage garbage garbage garbage" ] || fail "state.db was touched"
finish
