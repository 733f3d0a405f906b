"""Seeded SQS contents (built lazily per queue) and the live traffic generator:
Lambda async failure messages in DLQs (RequestID / ErrorCode / ErrorMessage
attributes), OnFailure destination records, source-queue backlogs with redrive
history, JSON / binary-attribute / 256 KiB bodies."""

import base64
import json
import random

from fleet import mix
from lambda_config import det_uuid
from sqsqueue import Message, Queue

LARGE_BODY = 256 * 1024


def build_queue(sqs, spec):
    fleet = sqs.sim.fleet
    now = sqs.now()
    q = Queue(spec["name"], fleet.queue_arn(spec["name"]), fleet.account,
              fleet.created - 86400 * 90, fifo=spec["fifo"])
    kind = spec["kind"]
    if kind in ("async-dlq", "destination", "source-dlq"):
        q.attrs["MessageRetentionPeriod"] = "1209600"
    if spec.get("dlq"):
        dlq_arn = fleet.queue_arn(spec["dlq"])
        q.attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn,
                                               "maxReceiveCount": 3 + spec["idx"] % 3},
                                              separators=(",", ":"))
        q.attrs["VisibilityTimeout"] = "60"
    if kind == "source-dlq":
        q.attrs["RedriveAllowPolicy"] = '{"redrivePermission":"allowAll"}'
    if q.fifo and spec["idx"] % 2:
        q.attrs["ContentBasedDeduplication"] = "true"
    rng = random.Random(mix(fleet.seed, spec["name"], "msgs"))
    fn = fleet.lookup(spec["function"])
    for i in range(_seed_count(spec, fn, rng)):
        sent = now - rng.uniform(60, 4 * 86400)
        msg = _seed_message(sqs, q, spec, fn, rng, i, sent)
        msg.visible_at = now
        q.messages.append(msg)
    q.messages.sort(key=lambda m: m.sent)
    return q


def _seed_count(spec, fn, rng):
    kind, role = spec["kind"], fn.role_kind if fn else None
    if kind == "async-dlq":
        return 1500 if role == "dlq" else rng.randrange(0, 40)
    if kind == "source-dlq":
        return 120 if role == "errors" else rng.randrange(0, 60)
    if kind == "destination":
        return rng.randrange(0, 20)
    return rng.randrange(0, 50) if rng.random() < 0.5 else 0


def failure_message(sqs, fn, payload, sent, rid, error=None):
    attrs = {"RequestID": {"DataType": "String", "StringValue": rid},
             "ErrorCode": {"DataType": "Number", "StringValue": "200"},
             "ErrorMessage": {"DataType": "String",
                              "StringValue": error or "payment declined: card_expired"}}
    msg = Message(det_uuid(fn.name, rid, "msg"), payload, attrs, sent, sent)
    msg.sys_attrs["SenderId"] = "AROASIMLAMBDASERVICE:%s" % fn.name
    return msg


def _event_body(fn, rng, i):
    kind = rng.random()
    if kind < 0.6:
        return json.dumps({"orderId": "ord-%06d" % rng.randrange(10 ** 6),
                           "customerId": "cus-%05d" % rng.randrange(10 ** 5),
                           "amount": round(rng.uniform(1, 900), 2), "currency": "EUR",
                           "attempt": i % 4}, separators=(",", ":"))
    if kind < 0.85:
        return json.dumps({"Records": [{"eventSource": "aws:sns", "Sns": {
            "Message": "notify user %d" % rng.randrange(10 ** 5),
            "MessageId": det_uuid(fn.name, i, "sns")}}]})
    return "plain text event #%d from %s" % (i, fn.name)


def _seed_message(sqs, q, spec, fn, rng, i, sent):
    kind = spec["kind"]
    body = _event_body(fn, rng, i)
    if fn.role_kind == "dlq" and i in (7, 501, 1200):
        body = json.dumps({"blob": "x" * (LARGE_BODY - 64), "part": i})[:LARGE_BODY]
    if kind == "async-dlq":
        rid = det_uuid(fn.name, q.name, i, "rid")
        err = rng.choice(["payment declined: card_expired", "Task timed out after 10.00 "
                          "seconds", "RequestId: %s Error: Runtime exited with error: "
                          "signal: killed" % rid])
        msg = failure_message(sqs, fn, body, sent, rid, err)
        msg.id = det_uuid(q.name, i, "m")
        return msg
    if kind == "destination":
        body = json.dumps({"version": "1.0", "timestamp": "%d" % int(sent),
                           "requestContext": {"requestId": det_uuid(fn.name, i),
                                              "functionArn": sqs.sim.fleet.arn(fn.name,
                                                                               "$LATEST"),
                                              "condition": "RetriesExhausted",
                                              "approximateInvokeCount": 3},
                           "requestPayload": json.loads(body) if body.startswith("{") else body,
                           "responseContext": {"statusCode": 200,
                                               "executedVersion": "$LATEST",
                                               "functionError": "Unhandled"},
                           "responsePayload": {"errorType": "Error",
                                               "errorMessage": "downstream unavailable"}})
    attrs = {}
    if rng.random() < 0.3:
        attrs["traceparent"] = {"DataType": "String",
                                "StringValue": "00-%032x-%016x-01" % (mix(q.name, i),
                                                                     mix(i, q.name) >> 8)}
    if rng.random() < 0.15:
        attrs["checksum"] = {"DataType": "Binary", "BinaryValue": base64.b64encode(
            mix(q.name, i, "b").to_bytes(8, "big")).decode()}
    if rng.random() < 0.2:
        attrs["retries"] = {"DataType": "Number", "StringValue": str(rng.randrange(5))}
    msg = Message(det_uuid(q.name, i, "m"), body, attrs, sent, sent)
    msg.sys_attrs["SenderId"] = "AIDASIMPRODUCER%04d" % (spec["idx"] % 10000)
    if q.fifo:
        q.seq += 1
        msg.seq, msg.group = "%020d" % q.seq, "group-%d" % (i % 5)
        msg.dedup = det_uuid(q.name, i, "dedup")
    if kind == "source-dlq":
        msg.receive_count = 3 + spec["idx"] % 3
        msg.first_receive = int(sent * 1000) + 1500
        src = [s for s in sqs.sim.fleet.queues if s.get("dlq") == q.name]
        if src:
            msg.source_arn = sqs.sim.fleet.queue_arn(src[0]["name"])
    return msg


def live_tick(sqs, rng):
    """One second of live traffic: new failures in async DLQs of erroring functions,
    producers feeding source queues and the Lambda poller draining them."""
    now = sqs.now()
    for spec in sqs.sim.fleet.queues[:400]:
        fn = sqs.sim.fleet.lookup(spec["function"])
        if spec["kind"] == "async-dlq" and rng.random() < min(0.5, fn.err * fn.rate / 6.0):
            rid = det_uuid(fn.name, now, "live")
            sqs.queue(spec["name"]).add(failure_message(sqs, fn, _event_body(fn, rng, 0),
                                                        now, rid), now)
        elif spec["kind"] == "source" and spec["name"] in sqs.queues:
            q = sqs.queues[spec["name"]]
            if rng.random() < 0.5:
                msg = Message(det_uuid(q.name, now), _event_body(fn, rng, 1), {}, now, now)
                q.add(msg, now, group="group-1" if q.fifo else None,
                      dedup=msg.id if q.fifo else None)
            visible = [m for m in q.messages if m.visible_at <= now]
            if visible and rng.random() < 0.5:
                q.remove(visible[0])
