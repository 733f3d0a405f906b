"""SQS (awsJson 1.0, awsQueryCompatible): queues, messages, batches, redrive and
message move tasks.  Errors carry the legacy query codes in x-amzn-query-error."""

import asyncio
import random
import re
import urllib.parse

import sqsseed
from lambda_config import det_uuid
from protocol import ApiError
from sqsqueue import Message, Queue, md5_attributes, md5_hex, valid_body
from sqsmove import MoveTasks

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ATTR_NAMES = {"All", "Policy", "VisibilityTimeout", "MaximumMessageSize",
               "MessageRetentionPeriod", "ApproximateNumberOfMessages",
               "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
               "LastModifiedTimestamp", "QueueArn", "ApproximateNumberOfMessagesDelayed",
               "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue",
               "ContentBasedDeduplication", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
               "DeduplicationScope", "FifoThroughputLimit", "RedriveAllowPolicy",
               "SqsManagedSseEnabled"}


def err(shape, message, qcode=None, status=400):
    return ApiError(shape, message, status, query_code=qcode or shape)


def invalid(message):
    return err("InvalidParameterValue", message)


def no_queue():
    return err("QueueDoesNotExist", "The specified queue does not exist.",
               "AWS.SimpleQueueService.NonExistentQueue")


class Sqs:
    def __init__(self, sim):
        self.sim = sim
        self.rng = random.Random(7)
        self.reset()
        self.ops = {
            "ListQueues": self.list_queues, "GetQueueUrl": self.get_queue_url,
            "GetQueueAttributes": self.get_queue_attributes,
            "SetQueueAttributes": self.set_queue_attributes,
            "ReceiveMessage": self.receive_message, "SendMessage": self.send_message,
            "SendMessageBatch": self.send_message_batch, "DeleteMessage": self.delete_message,
            "DeleteMessageBatch": self.delete_message_batch,
            "ChangeMessageVisibility": self.change_visibility,
            "ChangeMessageVisibilityBatch": self.change_visibility_batch,
            "PurgeQueue": self.purge_queue,
            "ListDeadLetterSourceQueues": self.list_dead_letter_source_queues,
            "StartMessageMoveTask": self.moves.start, "ListMessageMoveTasks": self.moves.list,
            "CancelMessageMoveTask": self.moves.cancel,
            "CreateQueue": self.create_queue, "DeleteQueue": self.delete_queue,
        }

    def reset(self):
        self.queues = {}
        self.deleted = {}
        self.specs = {s["name"]: s for s in self.sim.fleet.queues}
        self.order = [s["name"] for s in self.sim.fleet.queues]
        self.receipts = {}
        if hasattr(self, "moves"):
            self.moves.reset()
        else:
            self.moves = MoveTasks(self)

    def stop(self):
        self.moves.stop()

    def start(self):
        if self.sim.opts.live:
            self.sim.spawn(self._live())

    async def _live(self):
        rng = random.Random(self.sim.fleet.seed)
        while True:
            await asyncio.sleep(1.0)
            sqsseed.live_tick(self, rng)

    def now(self):
        return self.sim.clock.running()

    # --- lookup ---------------------------------------------------------------------

    def queue(self, name):
        q = self.queues.get(name)
        if q is None and name in self.specs:
            q = self.queues[name] = sqsseed.build_queue(self, self.specs[name])
        return q

    def names(self):
        return self.order

    def url(self, req, name):
        return "%s://%s/%s/%s" % (req.scheme, req.host, self.sim.account, name)

    def by_url(self, url):
        parsed = urllib.parse.urlparse(url)
        parts = [p for p in parsed.path.split("/") if p]
        if not parsed.scheme or len(parts) != 2:
            raise err("InvalidAddress", "The address %s is not valid for this endpoint."
                      % url, status=404)
        if parts[0] != self.sim.account:
            raise no_queue()
        q = self.queue(urllib.parse.unquote(parts[1]))
        if q is None:
            raise no_queue()
        return q

    def by_arn(self, arn):
        parts = (arn or "").split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            raise invalid("Value %s for parameter SourceArn is invalid." % arn)
        return self.queue(parts[5])

    def queue_state(self, name):
        """For metrics: (visible, in flight, oldest age s, sends per minute) or None."""
        q = self.queue(name)
        if q is None:
            return None
        now = self.now()
        visible, inflight, _ = q.counts(now)
        oldest = min((m.sent for m in q.messages), default=now)
        spec = self.specs.get(name, {})
        fn = self.sim.fleet.lookup(spec.get("function", ""))
        rate = fn.rate * (fn.err if spec.get("kind") != "source" else 1.0) if fn else 0.0
        return visible, inflight, int(now - oldest), rate

    # --- queues ---------------------------------------------------------------------

    def list_queues(self, req, params):
        prefix = params.get("QueueNamePrefix") or ""
        names = [n for n in self.names() if n.startswith(prefix)]
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= limit <= 1000:
            raise invalid("Value %d for parameter MaxResults is invalid. Reason: MaxResults "
                          "must be an integer between 1 and 1000." % limit)
        start = 0
        if params.get("NextToken"):
            try:
                start = int(urllib.parse.unquote(params["NextToken"]).split(":")[1])
            except (IndexError, ValueError):
                raise invalid("Invalid NextToken value.")
        size = limit or 1000
        out = {"QueueUrls": [self.url(req, n) for n in names[start:start + size]]}
        if limit is not None and start + size < len(names):
            out["NextToken"] = "sim:%d:%s" % (start + size, det_uuid(prefix, start))
        return out

    def get_queue_url(self, req, params):
        owner = params.get("QueueOwnerAWSAccountId")
        if owner and owner != self.sim.account:
            raise no_queue()
        if self.queue(params["QueueName"]) is None:
            raise no_queue()
        return {"QueueUrl": self.url(req, params["QueueName"])}

    def get_queue_attributes(self, req, params):
        q = self.by_url(params["QueueUrl"])
        names = params.get("AttributeNames") or []
        for n in names:
            if n not in _ATTR_NAMES:
                raise err("InvalidAttributeName", "Unknown Attribute %s." % n)
        attrs = q.attributes(self.now())
        if "All" not in names:
            attrs = {k: v for k, v in attrs.items() if k in names}
        return {"Attributes": attrs} if attrs else {}

    def set_queue_attributes(self, req, params):
        q = self.by_url(params["QueueUrl"])
        for k, v in params["Attributes"].items():
            self._check_attribute(q, k, v)
        q.attrs.update(params["Attributes"])
        q.modified = int(self.now())
        return {}

    @staticmethod
    def _check_attribute(q, k, v):
        ranges = {"VisibilityTimeout": (0, 43200), "DelaySeconds": (0, 900),
                  "MaximumMessageSize": (1024, 1048576),
                  "MessageRetentionPeriod": (60, 1209600),
                  "ReceiveMessageWaitTimeSeconds": (0, 20)}
        if k not in _ATTR_NAMES or k == "All" or k.startswith("Approximate") or \
                k in ("QueueArn", "CreatedTimestamp", "LastModifiedTimestamp"):
            raise err("InvalidAttributeName", "Unknown Attribute %s." % k)
        if k in ranges:
            lo, hi = ranges[k]
            if not v.isdigit() or not lo <= int(v) <= hi:
                raise err("InvalidAttributeValue", "Invalid value for the parameter %s." % k)
        if k == "FifoQueue" and (v == "true") != q.fifo:
            raise err("InvalidAttributeValue", "Invalid value for the parameter FifoQueue.")

    def create_queue(self, req, params):
        name = params["QueueName"]
        attrs = dict(params.get("Attributes") or {})
        fifo = attrs.get("FifoQueue") == "true"
        base = name[:-5] if name.endswith(".fifo") else name
        if not _NAME.match(base) or fifo != name.endswith(".fifo"):
            raise invalid("Can only include alphanumeric characters, hyphens, or underscores. "
                          "1 to 80 in length")
        if self.deleted.get(name, -1e9) > self.now() - 60:
            raise err("QueueDeletedRecently", "You must wait 60 seconds after deleting a "
                      "queue before you can create another with the same name.",
                      "AWS.SimpleQueueService.QueueDeletedRecently")
        q = self.queue(name)
        if q is not None:
            if any(q.attrs.get(k) != v for k, v in attrs.items()):
                raise err("QueueNameExists", "A queue already exists with the same name and a "
                          "different value for attribute(s) %s" % ", ".join(sorted(attrs)),
                          "QueueAlreadyExists")
            return {"QueueUrl": self.url(req, name)}
        q = Queue(name, self.sim.fleet.queue_arn(name), self.sim.account, self.now(), fifo)
        for k, v in attrs.items():
            self._check_attribute(q, k, v)
        q.attrs.update(attrs)
        self.queues[name] = q
        self.order.append(name)
        return {"QueueUrl": self.url(req, name)}

    def delete_queue(self, req, params):
        q = self.by_url(params["QueueUrl"])
        del self.queues[q.name]
        self.specs.pop(q.name, None)
        self.order.remove(q.name)
        self.deleted[q.name] = self.now()
        return {}

    def purge_queue(self, req, params):
        q = self.by_url(params["QueueUrl"])
        now = self.now()
        if q.last_purge is not None and now - q.last_purge < 60:
            raise err("PurgeQueueInProgress", "Only one PurgeQueue operation on %s is allowed "
                      "every 60 seconds." % q.name,
                      "AWS.SimpleQueueService.PurgeQueueInProgress", 403)
        q.last_purge = now
        q.messages = []
        return {}

    def list_dead_letter_source_queues(self, req, params):
        q = self.by_url(params["QueueUrl"])
        out = []
        for name in self.names():
            other = self.queue(name) if name in self.queues or \
                self.specs.get(name, {}).get("dlq") == q.name else None
            if other is not None and (other.redrive() or ("",))[0] == q.arn:
                out.append(self.url(req, name))
        return {"queueUrls": out}

    # --- messages -------------------------------------------------------------------

    def _message_attrs(self, attrs):
        attrs = attrs or {}
        if len(attrs) > 10:
            raise invalid("Number of message attributes [%d] exceeds the allowed maximum "
                          "[10]." % len(attrs))
        for name, a in attrs.items():
            dtype = a.get("DataType", "")
            if not dtype.startswith(("String", "Number", "Binary")):
                raise invalid("The type of message (user) attribute '%s' is invalid. You must "
                              "use only the following supported type prefixes: Binary, "
                              "Number, String." % name)
            key = "BinaryValue" if dtype.startswith("Binary") else "StringValue"
            if not a.get(key):
                raise invalid("Message (user) attribute '%s' must contain a non-empty value "
                              "of type '%s'." % (name, dtype.split(".")[0]))
            if dtype.startswith("Number"):
                try:
                    float(a["StringValue"])
                except ValueError:
                    raise invalid("Can't cast the value of message (user) attribute '%s' to "
                                  "a number." % name)
        return attrs

    def _new_message(self, q, entry):
        body = entry["MessageBody"]
        if not body:
            raise err("MissingParameter", "The request must contain the parameter "
                      "MessageBody.")
        if not valid_body(body):
            raise err("InvalidMessageContents", "Invalid characters found. Valid unicode "
                      "characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                      "#x10000 to #x10FFFF")
        attrs = self._message_attrs(entry.get("MessageAttributes"))
        now = self.now()
        msg = Message(det_uuid(q.name, q.sent_count, now, "send"), body, attrs, now, now)
        limit = int(q.attrs.get("MaximumMessageSize", "1048576"))
        if msg.size() > limit:
            raise invalid("One or more parameters are invalid. Reason: Message must be "
                          "shorter than %d bytes." % limit)
        trace = (entry.get("MessageSystemAttributes") or {}).get("AWSTraceHeader")
        if trace:
            msg.sys_attrs["AWSTraceHeader"] = trace.get("StringValue", "")
        msg.sys_attrs["SenderId"] = self.sender_id()
        return msg, self._placement(q, entry, msg)

    def sender_id(self):
        return "AIDASIMULATORUSER0001"

    @staticmethod
    def _placement(q, entry, msg):
        delay = entry.get("DelaySeconds")
        if delay is not None and not 0 <= delay <= 900:
            raise invalid("Value %d for parameter DelaySeconds is invalid. Reason: must be "
                          "between 0 and 900, if provided." % delay)
        if not q.fifo:
            return (delay if delay is not None else int(q.attrs.get("DelaySeconds", "0")),
                    entry.get("MessageGroupId"), None)
        if delay:
            raise invalid("Value %d for parameter DelaySeconds is invalid. Reason: The request "
                          "include parameter that is not valid for this queue type." % delay)
        group = entry.get("MessageGroupId")
        if not group:
            raise err("MissingParameter", "The request must contain the parameter "
                      "MessageGroupId.")
        dedup = entry.get("MessageDeduplicationId")
        if not dedup:
            if q.attrs.get("ContentBasedDeduplication") != "true":
                raise invalid("The queue should either have ContentBasedDeduplication enabled "
                              "or MessageDeduplicationId provided explicitly")
            dedup = md5_hex(msg.body.encode()) + md5_hex(msg.body[::-1].encode())
        return int(q.attrs.get("DelaySeconds", "0")), group, dedup

    def _send(self, q, entry):
        msg, (delay, group, dedup) = self._new_message(q, entry)
        stored = q.add(msg, self.now(), delay, group, dedup)
        out = {"MD5OfMessageBody": msg.md5, "MessageId": stored.id}
        if msg.md5_attrs:
            out["MD5OfMessageAttributes"] = msg.md5_attrs
        if "AWSTraceHeader" in msg.sys_attrs:
            out["MD5OfMessageSystemAttributes"] = md5_attributes(
                {"AWSTraceHeader": {"DataType": "String",
                                    "StringValue": msg.sys_attrs["AWSTraceHeader"]}})
        if stored.seq:
            out["SequenceNumber"] = stored.seq
        return out

    def send_message(self, req, params):
        return self._send(self.by_url(params["QueueUrl"]), params)

    def _check_batch(self, entries, total=None):
        if not entries:
            raise err("EmptyBatchRequest", "There should be at least one "
                      "SendMessageBatchRequestEntry in the request.",
                      "AWS.SimpleQueueService.EmptyBatchRequest")
        if len(entries) > 10:
            raise err("TooManyEntriesInBatchRequest", "Maximum number of entries per request "
                      "are 10. You have sent %d." % len(entries),
                      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
        ids = [e.get("Id", "") for e in entries]
        if len(set(ids)) != len(ids):
            raise err("BatchEntryIdsNotDistinct", "Id %s repeated." % ids[0],
                      "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
        for i in ids:
            if not _BATCH_ID.match(i):
                raise err("InvalidBatchEntryId", "A batch entry id can only contain "
                          "alphanumeric characters, hyphens and underscores. It can be at most "
                          "80 letters long.", "AWS.SimpleQueueService.InvalidBatchEntryId")
        if total is not None and total > 1048576:
            raise err("BatchRequestTooLong", "Batch requests cannot be longer than 1048576 "
                      "bytes. You have sent %d bytes." % total,
                      "AWS.SimpleQueueService.BatchRequestTooLong")

    def send_message_batch(self, req, params):
        q = self.by_url(params["QueueUrl"])
        entries = params["Entries"]
        self._check_batch(entries, sum(len(e.get("MessageBody", "").encode())
                                       for e in entries))
        ok, failed = [], []
        for e in entries:
            try:
                res = self._send(q, e)
                res["Id"] = e["Id"]
                ok.append(res)
            except ApiError as x:
                failed.append({"Id": e["Id"], "SenderFault": True,
                               "Code": x.query_code or x.code, "Message": x.message})
        return {"Successful": ok, "Failed": failed}

    async def receive_message(self, req, params):
        q = self.by_url(params["QueueUrl"])
        n = params.get("MaxNumberOfMessages", 1)
        if not 1 <= n <= 10:
            raise invalid("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must "
                          "be between 1 and 10, if provided." % n)
        vis = params.get("VisibilityTimeout")
        if vis is not None and not 0 <= vis <= 43200:
            raise invalid("Value %d for parameter VisibilityTimeout is invalid. Reason: Must "
                          "be between 0 and 43200, if provided." % vis)
        wait = params.get("WaitTimeSeconds")
        if wait is None:
            wait = int(q.attrs.get("ReceiveMessageWaitTimeSeconds", "0"))
        if not 0 <= wait <= 20:
            raise invalid("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be "
                          ">= 0 and <= 20, if provided." % wait)
        deadline = self.now() + wait
        while True:
            got = self._receive(q, n, vis)
            now = self.now()
            if got or now >= deadline:
                return {"Messages": [self._message_doc(m, r, params) for m, r in got]} \
                    if got else {}
            nxt = q.next_visible(now)
            timeout = min(deadline, nxt) - now if nxt else deadline - now
            try:
                await asyncio.wait_for(q.event.wait(), max(0.01, timeout))
            except asyncio.TimeoutError:
                pass
            if q.name not in self.queues:
                raise no_queue()

    def _receive(self, q, n, vis):
        now = self.now()
        visibility = vis if vis is not None else int(q.attrs.get("VisibilityTimeout", "30"))
        redrive = q.redrive()
        out = []
        for m in q.receivable(now, n * 4 if redrive else n):
            if redrive and m.receive_count >= redrive[1]:
                self._to_dlq(q, m, redrive[0])
                continue
            if len(out) >= n:
                break
            if m.receipt:
                self.receipts.pop(m.receipt, None)
            receipt = q.take(m, now, visibility)
            self.receipts[receipt] = (q.name, m)
            out.append((m, receipt))
        return out

    def _to_dlq(self, q, m, dlq_arn):
        dlq = self.by_arn(dlq_arn)
        q.remove(m)
        if dlq is None:
            return
        m.source_arn = q.arn
        m.visible_at = self.now()
        m.receipt = None
        dlq.messages.append(m)
        dlq.notify()

    def _message_doc(self, m, receipt, params):
        doc = {"MessageId": m.id, "ReceiptHandle": receipt, "MD5OfBody": m.md5,
               "Body": m.body}
        wanted = set(params.get("AttributeNames") or []) | \
            set(params.get("MessageSystemAttributeNames") or [])
        if wanted:
            attrs = self._system_attrs(m)
            if "All" not in wanted:
                attrs = {k: v for k, v in attrs.items() if k in wanted}
            if attrs:
                doc["Attributes"] = attrs
        names = params.get("MessageAttributeNames") or []
        if m.attrs and names:
            sel = {k: v for k, v in m.attrs.items()
                   if "All" in names or ".*" in names or k in names or
                   any(n.endswith(".*") and k.startswith(n[:-2]) for n in names)}
            if sel:
                doc["MessageAttributes"] = sel
                doc["MD5OfMessageAttributes"] = md5_attributes(sel)
        return doc

    @staticmethod
    def _system_attrs(m):
        attrs = {"SenderId": m.sys_attrs.get("SenderId", "AIDASIMULATORUSER0001"),
                 "SentTimestamp": str(int(m.sent * 1000)),
                 "ApproximateReceiveCount": str(m.receive_count),
                 "ApproximateFirstReceiveTimestamp": str(m.first_receive or 0)}
        if "AWSTraceHeader" in m.sys_attrs:
            attrs["AWSTraceHeader"] = m.sys_attrs["AWSTraceHeader"]
        if m.seq:
            attrs.update(SequenceNumber=m.seq, MessageGroupId=m.group or "",
                         MessageDeduplicationId=m.dedup or "")
        elif m.group:
            attrs["MessageGroupId"] = m.group
        if m.source_arn:
            attrs["DeadLetterQueueSourceArn"] = m.source_arn
        return attrs

    def _by_receipt(self, q, receipt):
        hit = self.receipts.get(receipt)
        if hit is None or hit[0] != q.name:
            if not receipt.startswith("AQEB") or len(receipt) < 100:
                raise err("ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a "
                          "valid receipt handle." % receipt, status=404)
            return None
        return hit[1]

    def _delete(self, q, receipt):
        m = self._by_receipt(q, receipt)
        if m is not None:
            q.remove(m)
            self.receipts.pop(receipt, None)
            q.notify()

    def delete_message(self, req, params):
        self._delete(self.by_url(params["QueueUrl"]), params["ReceiptHandle"])
        return {}

    def _batch(self, q, entries, fn):
        self._check_batch(entries)
        ok, failed = [], []
        for e in entries:
            try:
                fn(q, e)
                ok.append({"Id": e["Id"]})
            except ApiError as x:
                failed.append({"Id": e["Id"], "SenderFault": True,
                               "Code": x.query_code or x.code, "Message": x.message})
        return {"Successful": ok, "Failed": failed}

    def delete_message_batch(self, req, params):
        return self._batch(self.by_url(params["QueueUrl"]), params["Entries"],
                           lambda q, e: self._delete(q, e["ReceiptHandle"]))

    def _change(self, q, receipt, timeout):
        if timeout is None or not 0 <= timeout <= 43200:
            raise invalid("Value %s for parameter VisibilityTimeout is invalid. Reason: Must "
                          "be between 0 and 43200." % timeout)
        m = self._by_receipt(q, receipt)
        now = self.now()
        if m is None or m.receipt != receipt or m.visible_at <= now:
            raise err("MessageNotInflight", "Message does not exist or is not available for "
                      "visibility timeout change.", "AWS.SimpleQueueService.MessageNotInflight")
        m.visible_at = now + timeout
        q.notify()

    def change_visibility(self, req, params):
        self._change(self.by_url(params["QueueUrl"]), params["ReceiptHandle"],
                     params.get("VisibilityTimeout"))
        return {}

    def change_visibility_batch(self, req, params):
        return self._batch(self.by_url(params["QueueUrl"]), params["Entries"],
                           lambda q, e: self._change(q, e["ReceiptHandle"],
                                                     e.get("VisibilityTimeout")))

    # --- used by Lambda Invoke ------------------------------------------------------

    def add_failure(self, queue_name, fn, payload):
        q = self.queue(queue_name)
        if q is None:
            return
        now = self.now()
        rid = det_uuid(fn.name, now, "async")
        q.add(sqsseed.failure_message(self, fn, payload, now, rid), now)
