"""Logs StartLiveTail: an event-stream response with a sessionStart event, then a
sessionUpdate every second holding the events ingested in that second (sampled to
500 with sessionMetadata.sampled=true when there are more), closed with a
SessionTimeoutException after the configured session length."""

import asyncio
import time
import uuid

import eventstream
import filterpat
from protocol import ApiError
from server import Response

MAX_EVENTS = 500


def _err(message):
    return ApiError("InvalidParameterException", message, 400)


def start(logs, req, params):
    idents = params["logGroupIdentifiers"]
    groups = []
    for ident in idents:
        name, fn = logs.group_by_identifier(ident)
        groups.append((name, fn, logs.group_arn(name, False)))
    names = params.get("logStreamNames") or []
    prefixes = params.get("logStreamNamePrefixes") or []
    if (names or prefixes) and len(groups) != 1:
        raise _err("logStreamNames and logStreamNamePrefixes can only be used with exactly "
                   "one log group.")
    if names and prefixes:
        raise _err("logStreamNames and logStreamNamePrefixes are mutually exclusive.")
    try:
        match = filterpat.compile_pattern(params.get("logEventFilterPattern"))
    except filterpat.PatternError as e:
        raise _err("Invalid filter pattern: %s" % e)
    session = {"requestId": str(uuid.uuid4()), "sessionId": str(uuid.uuid4()),
               "logGroupIdentifiers": idents}
    for key in ("logStreamNames", "logStreamNamePrefixes", "logEventFilterPattern"):
        if params.get(key):
            session[key] = params[key]
    tail = Tail(logs, groups, set(names), prefixes, match)
    stream = tail.run(session, logs.livetail_session_s, logs.livetail_multiplier)
    return Response(200, headers=[("Content-Type", "application/vnd.amazon.eventstream")],
                    stream=stream)


class Tail:
    def __init__(self, logs, groups, names, prefixes, match):
        self.logs = logs
        self.groups = groups
        self.names = names
        self.prefixes = prefixes
        self.match = match

    def wanted(self, ev):
        if self.names and ev[2] not in self.names:
            return False
        if self.prefixes and not any(ev[2].startswith(p) for p in self.prefixes):
            return False
        return self.match is None or self.match(ev[3])

    def collect(self, lo, hi, multiplier):
        """Events ingested in [lo, hi) ms across the session's groups."""
        out = []
        gen = self.logs.gen
        for name, fn, arn in self.groups:
            for minute in range((lo - 3000) // 60000, hi // 60000 + 1):
                evs = list(gen.bucket(fn, minute)) + list(gen.extras_in(name, minute))
                for ev in evs:
                    if lo <= ev[4] < hi and self.wanted(ev):
                        doc = {"logStreamName": ev[2], "logGroupIdentifier": arn,
                               "message": ev[3], "timestamp": ev[0], "ingestionTime": ev[4]}
                        out.extend([doc] * multiplier)
        out.sort(key=lambda d: d["timestamp"])
        return out

    async def run(self, session, session_s, multiplier):
        yield eventstream.event("sessionStart", session)
        clock = self.logs.sim.clock
        t0_real = time.monotonic()
        base = int(clock.now() * 1000)
        last = base
        while True:
            await asyncio.sleep(1.0)
            elapsed = time.monotonic() - t0_real
            if elapsed >= session_s:
                yield eventstream.exception("SessionTimeoutException",
                                            "Session timed out after %d seconds"
                                            % int(session_s))
                return
            cur = base + int(elapsed * 1000)
            events = self.collect(last, cur, multiplier)
            last = cur
            sampled = len(events) > MAX_EVENTS
            if sampled:
                step = len(events) / float(MAX_EVENTS)
                events = [events[int(i * step)] for i in range(MAX_EVENTS)]
            yield eventstream.event("sessionUpdate", {
                "sessionMetadata": {"sampled": sampled}, "sessionResults": events})
