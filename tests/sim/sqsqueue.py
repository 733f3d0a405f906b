"""SQS queue mechanics: messages, visibility, receive counts, redrive to the DLQ,
FIFO ordering with per-group locking and the 5-minute deduplication window, and the
MD5 digests SQS returns."""

import asyncio
import base64
import hashlib
import json
import secrets
import struct

DEDUP_WINDOW_S = 300
_ALLOWED = set(range(0x20, 0xD800)) | {0x9, 0xA, 0xD}


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def _lb(b):
    return struct.pack(">I", len(b)) + b


def md5_attributes(attrs):
    """MD5 of message attributes as SQS computes it (sorted names; each name, data
    type, a transport byte 1=string 2=binary, then the value, length-prefixed)."""
    buf = bytearray()
    for name in sorted(attrs):
        a = attrs[name]
        dtype = a.get("DataType", "")
        buf += _lb(name.encode()) + _lb(dtype.encode())
        if dtype.startswith("Binary"):
            value = a.get("BinaryValue", "")
            raw = base64.b64decode(value) if isinstance(value, str) else bytes(value)
            buf += b"\x02" + _lb(raw)
        else:
            buf += b"\x01" + _lb(a.get("StringValue", "").encode())
    return md5_hex(bytes(buf))


def valid_body(body):
    return all(ord(ch) in _ALLOWED or 0xE000 <= ord(ch) <= 0xFFFD or
               0x10000 <= ord(ch) <= 0x10FFFF for ch in body)


class Message:
    __slots__ = ("id", "body", "md5", "attrs", "md5_attrs", "sys_attrs", "sent",
                 "receive_count", "first_receive", "visible_at", "receipt", "group",
                 "dedup", "seq", "source_arn")

    def __init__(self, mid, body, attrs, sent, visible_at):
        self.id = mid
        self.body = body
        self.md5 = md5_hex(body.encode("utf-8", "surrogateescape"))
        self.attrs = attrs or {}
        self.md5_attrs = md5_attributes(self.attrs) if self.attrs else None
        self.sys_attrs = {}
        self.sent = sent
        self.receive_count = 0
        self.first_receive = None
        self.visible_at = visible_at
        self.receipt = None
        self.group = None
        self.dedup = None
        self.seq = None
        self.source_arn = None

    def size(self):
        n = len(self.body.encode("utf-8", "surrogateescape"))
        for name, a in self.attrs.items():
            n += len(name) + len(a.get("DataType", ""))
            n += len(a.get("StringValue", "") or "") + len(a.get("BinaryValue", "") or "")
        return n


class Queue:
    def __init__(self, name, arn, account, created, fifo=False):
        self.name = name
        self.arn = arn
        self.account = account
        self.fifo = fifo
        self.created = int(created)
        self.modified = int(created)
        self.attrs = {"VisibilityTimeout": "30", "MaximumMessageSize": "1048576",
                      "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
                      "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}
        if fifo:
            self.attrs.update(FifoQueue="true", ContentBasedDeduplication="false",
                              DeduplicationScope="queue", FifoThroughputLimit="perQueue")
        self.messages = []
        self.dedup = {}
        self.seq = 10 ** 19
        self.last_purge = None
        self.event = asyncio.Event()
        self.sent_count = 0

    # --- attributes -----------------------------------------------------------------

    def redrive(self):
        raw = self.attrs.get("RedrivePolicy")
        if not raw:
            return None
        try:
            doc = json.loads(raw)
            return doc["deadLetterTargetArn"], int(doc["maxReceiveCount"])
        except (ValueError, KeyError, TypeError):
            return None

    def counts(self, now):
        visible = inflight = delayed = 0
        for m in self.messages:
            if m.visible_at <= now:
                visible += 1
            elif m.receipt is None:
                delayed += 1
            else:
                inflight += 1
        return visible, inflight, delayed

    def attributes(self, now):
        visible, inflight, delayed = self.counts(now)
        out = dict(self.attrs)
        out.update(QueueArn=self.arn, ApproximateNumberOfMessages=str(visible),
                   ApproximateNumberOfMessagesNotVisible=str(inflight),
                   ApproximateNumberOfMessagesDelayed=str(delayed),
                   CreatedTimestamp=str(self.created), LastModifiedTimestamp=str(self.modified))
        return out

    def notify(self):
        self.event.set()
        self.event = asyncio.Event()

    # --- send -----------------------------------------------------------------------

    def add(self, msg, now, delay=0, group=None, dedup=None):
        """Adds a message; for FIFO returns the earlier message on a dedup hit."""
        if self.fifo:
            self._expire_dedup(now)
            if dedup in self.dedup:
                return self.dedup[dedup][1]
            msg.group, msg.dedup = group, dedup
            self.seq += 1
            msg.seq = "%020d" % self.seq
            self.dedup[dedup] = (now, msg)
        elif group is not None:
            msg.group = group
        msg.visible_at = now + delay
        self.messages.append(msg)
        self.sent_count += 1
        self.notify()
        return msg

    def _expire_dedup(self, now):
        cutoff = now - DEDUP_WINDOW_S
        for k in [k for k, v in self.dedup.items() if v[0] <= cutoff]:
            del self.dedup[k]

    # --- receive --------------------------------------------------------------------

    def next_visible(self, now):
        later = [m.visible_at for m in self.messages if m.visible_at > now]
        return min(later) if later else None

    def receivable(self, now, limit):
        """Visible messages in delivery order, honouring FIFO group locks."""
        if not self.fifo:
            return [m for m in self.messages if m.visible_at <= now][:limit]
        locked = {m.group for m in self.messages if m.visible_at > now and m.receipt}
        out = []
        blocked = set(locked)
        for m in self.messages:
            if m.group in blocked:
                continue
            if m.visible_at > now:
                blocked.add(m.group)
                continue
            out.append(m)
            if len(out) >= limit:
                break
        return out

    def take(self, msg, now, visibility):
        msg.receive_count += 1
        if msg.first_receive is None:
            msg.first_receive = int(now * 1000)
        msg.visible_at = now + visibility
        msg.receipt = "AQEB" + base64.b64encode(secrets.token_bytes(96)).decode()
        return msg.receipt

    def remove(self, msg):
        try:
            self.messages.remove(msg)
        except ValueError:
            return False
        return True
