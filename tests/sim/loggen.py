"""Deterministic invocations and Lambda log events, generated lazily one function-minute
(a "bucket") at a time from fleet.counts().

An event is a list [timestamp_ms, event_id, stream_name, message, ingestion_ms,
cached_json_fragment].  Event ids are 56 digits that sort like (timestamp, order),
so "after this event" is a string comparison.  Every event of an invocation falls in
its own minute, which keeps range queries exact."""

import collections
import json
import random
import time

from fleet import WINDOW_MIN, mix, smix

INVOKE_STREAM_ENV = 99     # the env index of streams that hold Invoke/live events

_APP_LINES = [
    ("INFO", "processing batch of %d records"), ("INFO", "fetched item from cache in %d ms"),
    ("INFO", "request completed status=200 items=%d"), ("DEBUG", "retry budget left: %d"),
    ("WARN", "slow downstream call took %d ms"), ("INFO", "published %d events"),
]
_PY_ERRORS = [
    "[ERROR] KeyError: 'order_id'\nTraceback (most recent call last):\n"
    "  File \"/var/task/app.py\", line 42, in handler\n    order = event[\"order_id\"]",
    "[ERROR] ClientError: An error occurred (ConditionalCheckFailedException) when calling "
    "the PutItem operation: The conditional request failed\nTraceback (most recent call "
    "last):\n  File \"/var/task/app.py\", line 88, in handler\n    table.put_item(**args)",
]
_NODE_ERROR = ('{"errorType":"Error","errorMessage":"payment declined: card_expired",'
               '"stack":["Error: payment declined: card_expired","    at Runtime.handler '
               '(/var/task/index.js:27:11)","    at process.processTicksAndRejections '
               '(node:internal/process/task_queues:95:5)"]}')
_HOSTILE = [
    "user agent: \x1b]52;c;ZWNobyBwd25lZA==\x07 clipboard write attempt",
    "colour bomb \x1b[31;1mRED\x1b[0m \x1b[2J\x1b[H cleared?",
    "latin-1 bytes: caf\udce9 na\udcefve \udcff\udcfe end",
    "bidi \u202etxt.exe\u202c and zero width \u200b\u200b",
]


def iso_ms(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def request_id(h):
    x = "%032x" % ((smix(h) << 64) | smix(h ^ 0x5555))
    return "%s-%s-4%s-a%s-%s" % (x[:8], x[8:12], x[13:16], x[17:20], x[20:32])


class SizedCache:
    """An LRU of lists, bounded by the total number of list items it holds."""

    def __init__(self, max_items):
        self.max_items = max_items
        self.items = 0
        self.data = collections.OrderedDict()

    def get(self, key):
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key, value):
        self.data[key] = value
        self.items += len(value) + 1
        while self.items > self.max_items and len(self.data) > 1:
            _, old = self.data.popitem(last=False)
            self.items -= len(old) + 1
        return value


class Invocation:
    __slots__ = ("ts", "rid", "env", "cold", "dur", "status", "trace", "mem_used", "init",
                 "j", "minute", "version")


class LogGen:
    def __init__(self, fleet):
        self.fleet = fleet
        self.seed = fleet.seed
        self.mask = mix(self.seed, "trace-mask") & ((1 << 36) - 1)
        self._buckets = SizedCache(400000)
        self._invs = SizedCache(800000)
        self.extras = {}           # log group -> {minute: [events]}

    # --- streams --------------------------------------------------------------------

    def stream_name(self, fn, window, env):
        start = window * WINDOW_MIN * 60
        day = time.strftime("%Y/%m/%d", time.gmtime(start))
        ver = fn.aliases.get("live", "$LATEST")
        return "%s/[%s]%032x" % (day, ver, (mix(self.seed, fn.idx, window, env) << 64 |
                                            mix(fn.idx, window, env, "s")) & ((1 << 128) - 1))

    def envs_before(self, fn, minute):
        """Highest env count active in this minute's window before this minute."""
        window_start = minute - minute % WINDOW_MIN
        best = 0
        for m in range(window_start, minute):
            best = max(best, min(fn.kenv, self.fleet.counts(fn, m).invocations))
        return best

    # --- invocations ----------------------------------------------------------------

    def invocations(self, fn, minute):
        key = (fn.idx, minute)
        invs = self._invs.get(key)
        if invs is None:
            invs = self._invs.put(key, self._make_invocations(fn, minute))
        return invs

    def _make_invocations(self, fn, minute):
        c = self.fleet.counts(fn, minute)
        n = c.invocations
        if n == 0:
            return []
        rng = random.Random(mix(self.seed, fn.idx, minute, "inv"))
        base = minute * 60000
        starts = sorted(rng.randrange(0, 59000) for _ in range(n))
        kinds = ["ok"] * n
        order = list(range(n))
        rng.shuffle(order)
        for i in order[:c.timeouts]:
            kinds[i] = "timeout"
        for i in order[c.timeouts:c.errors]:
            kinds[i] = "error"
        k = min(fn.kenv, n)
        prev = self.envs_before(fn, minute)
        out = []
        for j in range(n):
            inv = Invocation()
            inv.j, inv.minute, inv.ts = j, minute, base + starts[j]
            inv.rid = request_id(mix(self.seed, fn.idx, minute, j))
            inv.env = j % k
            inv.cold = j < k and j >= prev
            inv.status = kinds[j]
            inv.dur = self._duration(fn, rng, inv.status)
            inv.init = fn.init_ms * (0.8 + 0.4 * rng.random()) if inv.cold else 0.0
            inv.mem_used = max(40, int(fn.memory * fn.mem_frac * (0.9 + 0.2 * rng.random())))
            inv.trace = self.trace_id(fn, minute, j, inv.ts) if fn.tracing == "Active" else None
            inv.version = fn.aliases.get("live", "$LATEST")
            out.append(inv)
        return out

    @staticmethod
    def _duration(fn, rng, status):
        if status == "timeout":
            return fn.timeout * 1000.0
        d = fn.dur * rng.lognormvariate(0, 0.45)
        if rng.random() < 0.02:
            d *= 6
        return round(min(d, fn.timeout * 1000.0 - 1), 2)

    def trace_id(self, fn, minute, j, ts_ms):
        packed = ((fn.idx & 0xFFFFF) << 16 | (j & 0xFFFF)) ^ self.mask
        tail = mix(self.seed, fn.idx, minute, j, "trace") & ((1 << 60) - 1)
        return "1-%08x-%09x%015x" % (ts_ms // 1000, packed, tail)

    def decode_trace(self, trace_id):
        """trace id -> (function, minute, j) or None."""
        try:
            _, epoch, rest = trace_id.split("-")
            packed = int(rest[:9], 16) ^ self.mask
            ts = int(epoch, 16)
        except (ValueError, AttributeError):
            return None
        idx, j = packed >> 16, packed & 0xFFFF
        if idx >= len(self.fleet.functions):
            return None
        fn = self.fleet.functions[idx]
        minute = ts // 60
        invs = self.invocations(fn, minute)
        if j < len(invs) and invs[j].trace == trace_id:
            return fn, minute, j
        return None

    # --- events ---------------------------------------------------------------------

    def bucket(self, fn, minute):
        """All generated events of a function-minute, sorted by event id."""
        key = (fn.idx, minute)
        evs = self._buckets.get(key)
        if evs is None:
            evs = self._buckets.put(key, self._make_bucket(fn, minute))
        return evs

    def _make_bucket(self, fn, minute):
        invs = self.invocations(fn, minute)
        if not invs:
            return []
        rng = random.Random(mix(self.seed, fn.idx, minute, "lines"))
        window = minute // WINDOW_MIN
        streams = {}
        raw = []
        for inv in invs:
            stream = streams.get(inv.env)
            if stream is None:
                stream = streams[inv.env] = self.stream_name(fn, window, inv.env)
            for k, (ts, msg) in enumerate(render_invocation(fn, inv, rng)):
                raw.append((min(ts, minute * 60000 + 59999), inv.j, k, stream, msg))
        raw.sort()
        prefix = "%020d" % (mix(self.seed, fn.idx) % 10 ** 20)
        out = []
        for seq, (ts, j, k, stream, msg) in enumerate(raw):
            lag = 200 + (smix(mix(fn.idx, minute, seq)) % 2300)
            out.append([ts, "%020d%s%016d" % (ts, prefix, seq), stream, msg, ts + lag, None])
        return out

    def add_extra(self, group, fn, ts_ms, messages, stream):
        """Appends events written at run time (Invoke, live traffic)."""
        minute = ts_ms // 60000
        per = self.extras.setdefault(group, {}).setdefault(minute, [])
        prefix = "%020d" % (mix(self.seed, fn.idx) % 10 ** 20)
        for msg in messages:
            seq = 10 ** 15 + len(per)
            per.append([ts_ms, "%020d%s%016d" % (ts_ms, prefix, seq), stream, msg, ts_ms + 1,
                        None])
            ts_ms += 1
            if ts_ms // 60000 != minute:
                minute = ts_ms // 60000
                per = self.extras[group].setdefault(minute, [])

    def extras_in(self, group, minute):
        return self.extras.get(group, {}).get(minute, ())

    def extra_streams(self, group):
        names = {}
        for minute, evs in self.extras.get(group, {}).items():
            for ev in evs:
                first, last = names.get(ev[2], (ev[0], ev[0]))
                names[ev[2]] = (min(first, ev[0]), max(last, ev[0]))
        return names


def fragment(ev):
    """The FilteredLogEvent JSON of an event, as bytes (cached on the event)."""
    frag = ev[5]
    if frag is None:
        frag = ('{"logStreamName":%s,"timestamp":%d,"message":%s,"ingestionTime":%d,'
                '"eventId":"%s"}' % (json.dumps(ev[2]), ev[0],
                                     json.dumps(ev[3], ensure_ascii=False), ev[4], ev[1])
                ).encode("utf-8", "surrogateescape")
        ev[5] = frag
    return frag


# --- rendering -----------------------------------------------------------------------

def render_invocation(fn, inv, rng):
    """Returns [(timestamp_ms, message)] for one invocation."""
    if fn.log_format == "JSON":
        return _render_json(fn, inv, rng)
    return _render_text(fn, inv, rng)


def _runtime_version(fn):
    lang = fn.runtime.rstrip("0123456789.x").rstrip(".") or fn.runtime
    return ("%s:%s.v%d" % (lang, fn.runtime[len(lang):] or "1", 12 + fn.idx % 30),
            "arn:aws:lambda:us-east-1::runtime:%064x" % (mix(fn.runtime) << 192))


def _app_line(fn, inv, ts, rng, level, text):
    if fn.powertools:
        doc = {"level": level, "location": "handler:%d" % (30 + rng.randrange(60)),
               "message": text, "timestamp": iso_ms(ts).replace("Z", "+00:00"),
               "service": fn.name.split("-")[0], "cold_start": inv.cold,
               "function_name": fn.name, "function_memory_size": fn.memory,
               "function_request_id": inv.rid}
        if inv.trace:
            doc["xray_trace_id"] = inv.trace
        return json.dumps(doc, separators=(",", ":"))
    if fn.runtime.startswith("python"):
        return "[%s]\t%s\t%s\t%s\n" % (level, iso_ms(ts), inv.rid, text)
    return "%s\t%s\t%s\t%s\n" % (iso_ms(ts), inv.rid, level, text)


def _hostile(fn, inv, rng):
    if not fn.hostile or rng.random() > 0.01:
        return None
    if rng.random() < 0.1:
        return "very long line: " + "x" * (40000 + rng.randrange(30000))
    return rng.choice(_HOSTILE)


def _app_lines(fn, inv, t, rng):
    out = []
    for i in range(1 + (rng.random() < 0.5)):
        level, tmpl = _APP_LINES[rng.randrange(len(_APP_LINES))]
        ts = t + int(inv.dur * (i + 1) / 4)
        out.append((ts, _app_line(fn, inv, ts, rng, level, tmpl % rng.randrange(1, 500))))
    bad = _hostile(fn, inv, rng)
    if bad is not None:
        out.append((t + 1, bad))
    return out


def _error_line(fn, inv, ts, rng):
    if fn.runtime.startswith("python"):
        return rng.choice(_PY_ERRORS) + "\n"
    return "%s\t%s\tERROR\tInvoke Error \t%s\n" % (iso_ms(ts), inv.rid, _NODE_ERROR)


def _render_text(fn, inv, rng):
    t = inv.ts
    out = []
    rv, rv_arn = _runtime_version(fn)
    if inv.cold and fn.snapstart:
        out.append((t, "RESTORE_START Runtime Version: %s\tRuntime Version ARN: %s\n"
                    % (rv, rv_arn)))
        out.append((t, "RESTORE_REPORT Restore Duration: %.2f ms\n" % inv.init))
    elif inv.cold:
        out.append((t, "INIT_START Runtime Version: %s\tRuntime Version ARN: %s\n"
                    % (rv, rv_arn)))
    t += int(inv.init)
    out.append((t, "START RequestId: %s Version: %s\n" % (inv.rid, inv.version)))
    out.extend(_app_lines(fn, inv, t, rng))
    end = t + int(inv.dur)
    if inv.status == "error":
        out.append((end, _error_line(fn, inv, end, rng)))
    if inv.status == "timeout":
        out.append((end, "%s %s Task timed out after %.2f seconds\n\n"
                    % (iso_ms(end), inv.rid, fn.timeout)))
    out.append((end, "END RequestId: %s\n" % inv.rid))
    out.append((end, _report_text(fn, inv)))
    return out


def _report_text(fn, inv):
    parts = ["REPORT RequestId: %s" % inv.rid, "Duration: %.2f ms" % inv.dur,
             "Billed Duration: %d ms" % (int(inv.dur) + 1), "Memory Size: %d MB" % fn.memory,
             "Max Memory Used: %d MB" % inv.mem_used]
    if inv.cold and fn.snapstart:
        parts.append("Restore Duration: %.2f ms" % inv.init)
        parts.append("Billed Restore Duration: %d ms" % (int(inv.init) + 1))
    elif inv.cold:
        parts.append("Init Duration: %.2f ms" % inv.init)
    if inv.status == "timeout":
        parts.append("Status: timeout")
    elif inv.status == "error" and fn.runtime.startswith("python") and inv.j % 7 == 0:
        parts.append("Status: error\tError Type: Runtime.Unknown")
    text = "\t".join(parts) + "\t"
    if inv.trace:
        text += "\nXRAY TraceId: %s\tSegmentId: %016x\tSampled: true\t" % (
            inv.trace, smix(inv.ts ^ inv.j) & ((1 << 64) - 1))
    return text + "\n"


def _platform(ts, rtype, record):
    return json.dumps({"time": iso_ms(ts), "type": rtype, "record": record},
                      separators=(",", ":"))


def _render_json(fn, inv, rng):
    t = inv.ts
    out = []
    rv, rv_arn = _runtime_version(fn)
    if inv.cold:
        out.append((t, _platform(t, "platform.initStart", {
            "initializationType": "on-demand", "phase": "init", "runtimeVersion": rv,
            "runtimeVersionArn": rv_arn, "functionName": fn.name,
            "functionVersion": inv.version})))
        t += int(inv.init)
        out.append((t, _platform(t, "platform.initReport", {
            "initializationType": "on-demand", "phase": "init", "status": "success",
            "metrics": {"durationMs": round(inv.init, 3)}})))
    start = {"requestId": inv.rid, "version": inv.version}
    if inv.trace:
        start["tracing"] = {"spanId": "%016x" % (smix(inv.ts)), "type": "X-Amzn-Trace-Id",
                            "value": "Root=%s;Parent=%016x;Sampled=1" % (inv.trace,
                                                                         smix(inv.j))}
    out.append((t, _platform(t, "platform.start", start)))
    for ts, line in _app_lines(fn, inv, t, rng):
        level = rng.choice(["INFO", "INFO", "DEBUG", "WARN"])
        text = line if line in _HOSTILE or line.startswith("very long") else \
            "handled step %d" % rng.randrange(100)
        out.append((ts, json.dumps({"timestamp": iso_ms(ts), "level": level,
                                    "requestId": inv.rid, "message": text},
                                   separators=(",", ":"), ensure_ascii=False)))
    end = t + int(inv.dur)
    status = {"ok": "success", "error": "error", "timeout": "timeout"}[inv.status]
    if inv.status == "error":
        out.append((end, json.dumps({"timestamp": iso_ms(end), "level": "ERROR",
                                     "requestId": inv.rid, "message": "Invoke Error",
                                     "errorType": "Error",
                                     "errorMessage": "payment declined: card_expired",
                                     "stackTrace": ["Error: payment declined: card_expired",
                                                    "    at Runtime.handler "
                                                    "(/var/task/index.js:27:11)"]},
                                    separators=(",", ":"))))
    out.append((end, _platform(end, "platform.runtimeDone", {
        "requestId": inv.rid, "status": status,
        "metrics": {"durationMs": inv.dur, "producedBytes": 40 + inv.j % 200}})))
    metrics = {"durationMs": inv.dur, "billedDurationMs": int(inv.dur) + 1,
               "memorySizeMB": fn.memory, "maxMemoryUsedMB": inv.mem_used}
    if inv.cold:
        metrics["initDurationMs"] = round(inv.init, 3)
    out.append((end, _platform(end, "platform.report", {"requestId": inv.rid,
                                                        "metrics": metrics,
                                                        "status": status})))
    return out

