# Invoke and the test-event library, end to end against the simulator: guardrails
# (read-only, production confirmation, --yes), exit statuses (4 = function error),
# invocation types, local size limits, throttling with retry, batches, history,
# "invoke again", diffs, and the events commands with a fake $EDITOR.
. "$(dirname "$0")/lib.sh"
fd_need_sim
fd_sim_env
sim_control POST faults '{"rules":[]}' >/dev/null

# orders-api echoes its event; payments-worker always fails; both are tagged env=prod
# in the simulator's fleet, so scripts need --yes.

# --- guardrails ---
run "$FD_BIN" --read-only invoke orders-api --yes
expect_rc 1 "read-only refuses"
expect_err "refused: read-only mode" "read-only message"

run env FLEETDECK_READ_ONLY=1 "$FD_BIN" invoke orders-api --yes
expect_rc 1 "read-only from the environment refuses"

run "$FD_BIN" invoke orders-api </dev/null
expect_rc 1 "production needs a confirmation"
expect_err "invoke PRODUCTION function orders-api, version \$LATEST, in account [0-9]\{12\} (tag env=prod)" "confirmation names function, version and account"
expect_err "pass --yes" "says how to confirm in scripts"

# A profile marked prod makes every target production, tags or not.
staging=$(cd "$(dirname "$0")/../sim" && python3 -c '
import sys, simclient
c = simclient.Client(int(sys.argv[1]))
for f in c.rest_call("lambda", "GET", "/2015-03-31/functions", {"MaxItems": "50"}).json()["Functions"]:
    tags = c.rest_call("lambda", "GET", "/2015-03-31/functions/" + f["FunctionName"]).json()["Tags"]
    if tags.get("env") != "prod":
        print(f["FunctionName"])
        break
' "${FD_SIM_URL##*:}")
[ -n "$staging" ] || fail "the simulator has a function not tagged env=prod"
run "$FD_BIN" invoke "$staging" --dry-run
expect_rc 0 "DryRun of a staging function"
run "$FD_BIN" invoke "$staging" </dev/null
expect_rc 0 "a staging function needs no confirmation"
printf '[profile live]\nregion = us-east-1\nfleetdeck_prod = true\n' >"$T/awsconfig"
run env AWS_CONFIG_FILE="$T/awsconfig" AWS_PROFILE=live "$FD_BIN" invoke "$staging" </dev/null
expect_rc 1 "a prod profile needs a confirmation"
expect_err "marked prod: profile live" "the profile is named as the reason"
run env AWS_CONFIG_FILE="$T/awsconfig" AWS_PROFILE=live "$FD_BIN" invoke "$staging" --yes
expect_rc 0 "--yes confirms"
printf '[profile live]\nregion = us-east-1\nfleetdeck_prod = true\nread_only = true\n' >"$T/awsconfig"
run env AWS_CONFIG_FILE="$T/awsconfig" AWS_PROFILE=live "$FD_BIN" invoke "$staging" --yes
expect_rc 1 "a read-only profile refuses even with --yes"
expect_err "read_only = true" "read-only profile named"

run "$FD_BIN" --read-only invoke orders-api --dry-run
expect_rc 0 "DryRun runs nothing, so read-only allows it"
expect_out "status    204" "DryRun status"

# --- types, qualifiers, results ---
printf '{"ping": 42}\n' >"$T/ping.json"
run "$FD_BIN" invoke orders-api:live --event-file "$T/ping.json" --yes
expect_rc 0 "sync invoke"
expect_out "(version 3)" "alias resolved to its version"
expect_out '"ping": 42' "response pretty-printed"
expect_out "^REPORT    duration" "REPORT parsed"
expect_out "^--- log tail ---" "tail shown"
expect_out "^history   #" "history id shown"

run "$FD_BIN" invoke payments-worker --yes
expect_rc 4 "function error exits 4"
expect_out "function error: Unhandled" "function error shown"
expect_out "payment declined" "error payload shown"

run "$FD_BIN" invoke orders-api --async --template sns --yes -o json
expect_rc 0 "async invoke"
expect_out '"status":202' "Event answers 202"
expect_out '"event":"template:sns"' "template named in the record"

run "$FD_BIN" invoke orders-api --event-file "$T/ping.json" --qualifier nosuch --yes
expect_rc 1 "unknown qualifier"
expect_err "ResourceNotFoundException" "unknown qualifier message"

echo '{"fleetsim":"timeout"}' | "$FD_BIN" invoke orders-api --event - --yes >"$T/out" 2>"$T/err"
RC=$?
expect_rc 4 "timeout is a function error"
expect_out "timed out" "timeout shown"

# A payload over the async limit is refused before anything is sent.
python3 -c 'import sys; sys.stdout.write("[" + "1," * 600000 + "1]")' >"$T/big.json"
sim_control POST stats/reset '{}' >/dev/null
run "$FD_BIN" invoke orders-api --async --event-file "$T/big.json" --yes
expect_rc 1 "oversized async payload"
expect_err "at most 1048576 bytes (1 MiB)" "size limit named"
sim_control GET stats | grep -q '"lambda:Invoke"' && fail "oversized payload reached the simulator"

# Throttled once: retried after Retry-After, then fine.
sim_control POST faults '{"rules":[{"service":"lambda","op":"Invoke","kind":"throttle","count":1}]}' >/dev/null
run "$FD_BIN" invoke orders-api --event-file "$T/ping.json" --yes -o json
expect_rc 0 "throttled then retried"
expect_out '"attempts":2' "second attempt succeeded"
sim_control POST faults '{"rules":[{"service":"lambda","op":"Invoke","kind":"throttle"}]}' >/dev/null
run "$FD_BIN" invoke orders-api --event-file "$T/ping.json" --yes
expect_rc 1 "throttled on every attempt"
expect_err "TooManyRequestsException" "throttle named"
sim_control POST faults '{"rules":[]}' >/dev/null

# --- batches ---
run "$FD_BIN" invoke orders-api --event-file "$T/ping.json" --times 12 --concurrency 4 --yes
expect_rc 0 "batch"
expect_out "^12 invocations of orders-api (RequestResponse): 12 ok, 0 function errors" "batch summary"
expect_out "duration (REPORT) ms  p50" "percentiles"
run "$FD_BIN" invoke payments-worker --times 3 --yes -o json
expect_rc 4 "batch with function errors"
expect_out '"function_errors":3' "errors counted"

# --- history, again, diff ---
run "$FD_BIN" events history orders-api --max 5 -o json
expect_rc 0 "history"
first=$(sed -n 's/^\[{"id":\([0-9]*\).*/\1/p' "$T/out")
[ -n "$first" ] || fail "history json has ids: $(head -c 200 "$T/out")"
run "$FD_BIN" invoke --again "$first" --yes
expect_rc 0 "invoke again"
expect_out '"ping": 42' "same event sent again"
run "$FD_BIN" events history payments-worker --max 1 -o json
perr=$(sed -n 's/^\[{"id":\([0-9]*\).*/\1/p' "$T/out")
run "$FD_BIN" events diff "$first" "$perr"
expect_rc 1 "different responses"
expect_out '^-  "ping": 42' "diff shows the old line"
expect_out '^+  "errorType": "Error",' "diff shows the new line"
run "$FD_BIN" events diff "$first" "$first"
expect_rc 0 "same response"

# --- the library ---
run "$FD_BIN" events new orders-api ping --file "$T/ping.json"
expect_rc 0 "new from file"
run "$FD_BIN" events new orders-api ping --template sqs
expect_rc 1 "no silent overwrite"
run "$FD_BIN" events new orders-api order --template sqs
expect_rc 0 "new from template"
printf '{"shared": true}' | "$FD_BIN" events new --shared health --stdin 2>/dev/null || fail "new from stdin"
run "$FD_BIN" events ls orders-api
expect_out "^(shared) *health" "shared events listed"
expect_out "^orders-api *order .*template:sqs" "origin listed"
run "$FD_BIN" events show orders-api order
expect_out '"eventSource": "aws:sqs"' "show prints the event"
run "$FD_BIN" invoke orders-api --event order --yes
expect_rc 0 "invoke a saved event"
expect_out '"eventSource": "aws:sqs"' "saved event echoed"
run "$FD_BIN" invoke payments-worker --event health --yes
expect_rc 4 "shared events work for every function"

# Editor: the first save is broken, the second is fixed; the editor sees line:column.
cat >"$T/editor.sh" <<EOF
#!/bin/sh
n=\$(cat "$T/edits" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$T/edits"
cp "\$1" "$T/seen\$n"
if [ \$n -eq 1 ]; then printf '{\n  "a": 1\n  "b": 2\n}\n' >"\$1"; else printf '{"a": 1, "b": 2}\n' >"\$1"; fi
EOF
chmod +x "$T/editor.sh"
run env EDITOR="$T/editor.sh" VISUAL= "$FD_BIN" events edit orders-api ping
expect_rc 0 "edit"
grep -q "not JSON at line 5, column 3: expected ',' or '}'" "$T/seen2" || fail "editor reopened with the error: $(head -2 "$T/seen2")"
grep -q '"ping": 42' "$T/seen1" || fail "editor opened with the event"
run "$FD_BIN" events show orders-api ping
expect_out '{"a": 1, "b": 2}' "edited event saved"

# DLQ message (the `dlq export` line format) -> event.
printf '%s\n' '{"MessageId":"m-1","Body":"{\"orderId\":\"42\"}","Attributes":{"SentTimestamp":"1714557600000"},"MessageAttributes":{"ErrorCode":{"DataType":"Number","StringValue":"200"},"RequestID":{"DataType":"String","StringValue":"r-1"}}}' >"$T/msg.json"
run "$FD_BIN" events new orders-api replay --dlq-message "$T/msg.json"
expect_rc 0 "event from a DLQ message"
run "$FD_BIN" events show orders-api replay
expect_out '"orderId": "42"' "original event recovered"
run "$FD_BIN" events new orders-api wrapped --dlq-message "$T/msg.json" --wrap-sqs
run "$FD_BIN" events show orders-api wrapped
expect_out '"eventSource": "aws:sqs"' "wrapped as an SQS event"

# Files for git.
run "$FD_BIN" events export orders-api --dir "$T/ev"
expect_rc 0 "export"
[ -f "$T/ev/orders-api/order.json" ] || fail "export wrote files"
printf '{"from": "git"}\n' >"$T/ev/orders-api/fromgit.json"
printf '{"broken": }\n' >"$T/ev/orders-api/broken.json"
run "$FD_BIN" events import orders-api --dir "$T/ev"
expect_rc 0 "import"
expect_err "broken.json:1:12: not JSON" "broken file named with line:column"
run "$FD_BIN" events show orders-api fromgit
expect_out '"from": "git"' "imported"
# The Lambda console's shareable test events (EventBridge Schemas registry
# lambda-testevent-schemas): the simulator holds two for orders-api.
run "$FD_BIN" events import --console orders-api
expect_rc 0 "console import"
expect_err "imported 2 of 2 console test events for orders-api" "console import counted"
run "$FD_BIN" events ls orders-api
expect_out "^orders-api  *small-order .* console " "console event listed with its origin"
expect_out "^orders-api  *apigw-get .* console " "second console event listed"
run "$FD_BIN" events show orders-api small-order
expect_out '"orderId":"o-1001"' "console event body"
run "$FD_BIN" events import --console orders-api
expect_rc 0 "console import again"
expect_err "skipped console event small-order: exists (use --replace)" "existing events kept"
expect_err "imported 0 of 2" "nothing imported twice"
run "$FD_BIN" --read-only events import --console orders-api --replace
expect_rc 0 "console import with --replace (local only, so read-only allows it)"
expect_err "imported 2 of 2" "--replace overwrites"
run "$FD_BIN" events import --console payments-worker
expect_rc 1 "no console events"
expect_err "no shareable test events for payments-worker in this account/region" "404 said plainly"
run "$FD_BIN" events rm orders-api fromgit
expect_rc 0 "rm"
run "$FD_BIN" events show orders-api fromgit
expect_rc 1 "removed"

run "$FD_BIN" events templates
expect_out "^kinesis " "templates listed"
run "$FD_BIN" events templates s3-put --function thumbs
expect_out '"name": "thumbs-bucket"' "template for a function"

run "$FD_BIN" invoke orders-api --event nosuch --yes
expect_rc 1 "unknown event"
expect_err 'no event "nosuch"' "unknown event message"
run "$FD_BIN" invoke orders-api --times 0
expect_rc 2 "usage error"


# q while the console runs an invocation asks first; a second q quits (the Invoke
# answers after 4 s, so it is still running at both).
sim_control POST faults '{"rules":[{"service":"lambda","op":"Invoke","kind":"latency","latency_ms":4000}]}' >/dev/null
cat >"$T/q.keys" <<'KEYS'
:invoke image-resizer<Enter>
@wait-idle
/> Invoke<Enter>
<Enter>
<Enter>
@sleep 300
q
@save ask.screen
q
@save after.screen
KEYS
rm -rf "$T/screens" && mkdir -p "$T/screens"
run env FD_TUI_HEADLESS=1 FD_TUI_SIZE=140x40 FD_TUI_IDLE_TIMEOUT=60000 FD_TUI_SCRIPT="$T/q.keys" \
	FD_TUI_SAVE_DIR="$T/screens" "$FD_BIN" --stale-ok
expect_rc 0 "console quit with an invocation running"
grep -q "an invocation of image-resizer is running: q again quits" "$T/screens/ask.screen" 2>/dev/null ||
	fail "q did not ask with an invocation running"
[ -f "$T/screens/after.screen" ] && fail "the second q did not quit"
sim_control POST faults '{"rules":[]}' >/dev/null

finish
