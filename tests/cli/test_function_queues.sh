# fleetdeck function NAME reads its own SQS event-source queues (and no others) for
# sqs-no-redrive, caches what it read, and prints the rest when SQS, its metrics or
# its log group cannot be read (each a warning on stderr).
. "$(dirname "$0")/lib.sh"
fd_sim_env
fd_sim_fresh 5

# payments-queue redrives to payments-queue-dlq; emptied, it is a proper redrive.
run "$FD_BIN" dlq purge payments-queue-dlq --confirm payments-queue-dlq
expect_rc 0 "purge payments-queue-dlq"
rm -rf "$XDG_CACHE_HOME" # a fresh cache: no facts from anything earlier

# sqs_read FILE: the QueueName / QueueUrl each SQS request of the last run named.
sqs_read() {
	sim_control GET 'requests?last=500' | python3 -c '
import json, sys
for r in json.load(sys.stdin)["requests"]:
    if r["service"] == "sqs":
        b = json.loads(r["body"] or "{}")
        print(r["op"], b.get("QueueName") or b.get("QueueUrl", "").rsplit("/", 1)[-1])
' | sort >"$1"
}

# sqs_risk FILE: the sqs-no-redrive reason of a function json, "none" without one.
sqs_risk() {
	python3 -c '
import json, sys
r = [x["reason"] for x in json.load(open(sys.argv[1]))["risks"] if x["check"] == "sqs-no-redrive"]
print(r[0] if r else "none")
' "$1"
}

sim_control POST stats/reset >/dev/null
run "$FD_BIN" function image-resizer --output json
expect_rc 0 "function image-resizer"
case $(sqs_risk "$T/out") in
*"image-resizer-queue has no redrive policy"*) ;;
*) fail "image-resizer: no sqs-no-redrive risk: $(sqs_risk "$T/out")" ;;
esac
sqs_read "$T/sqs"
printf 'GetQueueAttributes image-resizer-queue\nGetQueueUrl image-resizer-queue\n' >"$T/want"
cmp -s "$T/sqs" "$T/want" || fail "image-resizer read other queues: $(cat "$T/sqs")"

sim_control POST stats/reset >/dev/null
run "$FD_BIN" function payments-worker --output json
expect_rc 0 "function payments-worker"
[ "$(sqs_risk "$T/out")" = none ] || fail "payments-worker: $(sqs_risk "$T/out")"
sqs_read "$T/sqs"
printf '%s\n' "GetQueueAttributes payments-queue" "GetQueueAttributes payments-queue-dlq" \
	"GetQueueUrl payments-queue" "GetQueueUrl payments-queue-dlq" >"$T/want"
cmp -s "$T/sqs" "$T/want" || fail "payments-worker read other queues: $(cat "$T/sqs")"

# orders-api has no SQS source: no SQS call at all.
sim_control POST stats/reset >/dev/null
run "$FD_BIN" function orders-api --output json
expect_rc 0 "function orders-api"
sqs_read "$T/sqs"
[ -s "$T/sqs" ] && fail "orders-api read queues: $(cat "$T/sqs")"

# Cached: offline answers from both reads (neither replaced the other's facts).
run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" function image-resizer --offline -o json
case $(sqs_risk "$T/out") in
*"no redrive policy"*) ;;
*) fail "offline image-resizer: $(sqs_risk "$T/out")" ;;
esac
run env AWS_ENDPOINT_URL=http://127.0.0.1:9 "$FD_BIN" risks --offline -o csv
expect_out "^medium,sqs-no-redrive,image-resizer," "offline risks keep image-resizer's fact"
grep -q "sqs-no-redrive,payments-worker" "$T/out" && fail "offline risks: payments-worker flagged"

# SQS failing is a warning: the function is printed, the cached fact still judges.
sim_control POST faults '{"rules":[{"service":"sqs","op":"*","kind":"error","status":500}]}' >/dev/null
run "$FD_BIN" function image-resizer --output json
expect_rc 0 "function with SQS failing"
expect_err "warning: SQS queues: queue image-resizer-queue" "SQS failure on stderr"
case $(sqs_risk "$T/out") in
*"no redrive policy"*) ;;
*) fail "SQS failing: cached fact lost: $(sqs_risk "$T/out")" ;;
esac
run "$FD_BIN" function image-resizer
expect_rc 0 "text with SQS failing"
expect_out "^name  *image-resizer" "text printed with SQS failing"

# The same for the other parts: GetMetricData (the function's and its proxy's metrics)
# and DescribeLogGroups answering 500 are warnings; configuration and wiring print.
sim_control POST faults '{"rules":[{"service":"monitoring","op":"GetMetricData","kind":"error","status":500},{"service":"logs","op":"DescribeLogGroups","kind":"html","status":502}]}' >/dev/null
run "$FD_BIN" function orders-api --output json
expect_rc 0 "function with metrics and log groups failing"
expect_err "warning: metrics: " "metrics failure on stderr"
expect_err "warning: log group: " "log group failure on stderr"
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["name"] == "orders-api", d' \
	"$T/out" || fail "json with parts failing: $(head -c 300 "$T/out")"
run "$FD_BIN" function orders-api
expect_rc 0 "text with metrics failing"
expect_out "^name  *orders-api" "text printed with metrics failing"
run "$FD_BIN" function no-such-function
expect_rc 1 "unknown function still fails"
sim_control POST faults '{"rules":[]}' >/dev/null

finish
