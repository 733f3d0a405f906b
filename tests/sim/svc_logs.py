"""CloudWatch Logs (awsJson 1.1): log groups, streams, FilterLogEvents, GetLogEvents,
Logs Insights queries (insights.py) and StartLiveTail (livetail.py)."""

import base64
import bisect
import calendar
import json
import time

import filterpat
import insights
import livetail
from fleet import WINDOW_MIN, mix
from loggen import INVOKE_STREAM_ENV, LogGen, fragment
from protocol import ApiError
from server import Response

PAGE_BYTES = 1024 * 1024
EVENT_OVERHEAD = 26        # bytes CloudWatch Logs counts per event on top of its message
SCAN_EVENTS = 60000        # events examined per FilterLogEvents call before it pages
SCAN_MINUTES = 1440


def _err(message, code="InvalidParameterException"):
    return ApiError(code, message, 400)


def _not_found(message="The specified log group does not exist."):
    return ApiError("ResourceNotFoundException", message, 400)


def _token(doc):
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _untoken(tok):
    try:
        doc = json.loads(base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)))
    except (ValueError, TypeError):
        raise _err("The specified nextToken is invalid.")
    if not isinstance(doc, dict):
        raise _err("The specified nextToken is invalid.")
    return doc


def merged(gen, extras):
    if not extras:
        return gen
    return sorted(list(gen) + list(extras), key=lambda e: e[1])


def is_extra(ev):
    return ev[1][40] == "1"


class Logs:
    def __init__(self, sim):
        self.sim = sim
        self.livetail_session_s = 3 * 3600.0
        self.livetail_multiplier = 1
        self.reset()
        self.ops = {
            "DescribeLogGroups": self.describe_log_groups,
            "DescribeLogStreams": self.describe_log_streams,
            "FilterLogEvents": self.filter_log_events,
            "GetLogEvents": self.get_log_events,
            "StartQuery": self.queries.start,
            "GetQueryResults": self.queries.results,
            "StopQuery": self.queries.stop,
            "DescribeQueries": self.queries.describe,
            "StartLiveTail": self.start_live_tail,
        }

    def reset(self):
        self.gen = LogGen(self.sim.fleet)
        if hasattr(self, "queries"):
            self.queries.reset(self)
        else:
            self.queries = insights.Queries(self)
        if hasattr(self, "ops"):
            self.ops["StartQuery"] = self.queries.start

    @property
    def fleet(self):
        return self.sim.fleet

    def horizon_ms(self):
        return int(self.sim.clock.horizon() * 1000)

    def now_ms(self):
        return int(self.sim.clock.now() * 1000)

    # --- groups ---------------------------------------------------------------------

    def group_arn(self, name, star=True):
        return "arn:aws:logs:%s:%s:log-group:%s%s" % (self.sim.region, self.sim.account, name,
                                                      ":*" if star else "")

    def resolve_group(self, params, required=True):
        name = params.get("logGroupName")
        ident = params.get("logGroupIdentifier")
        if name and ident:
            raise _err("LogGroup name and LogGroup identifier are mutually exclusive "
                       "parameters.")
        ident = ident or name
        if not ident:
            if not required:
                return None, None
            raise _err("Either logGroupName or logGroupIdentifier must be specified.")
        return self.group_by_identifier(ident)

    def group_by_identifier(self, ident):
        if ident.startswith("arn:"):
            parts = ident.split(":")
            ident = ":".join(parts[6:]) if len(parts) > 6 else ""
            if ident.endswith(":*"):
                ident = ident[:-2]
        fn = self.fleet.groups.get(ident)
        if fn is None:
            raise _not_found()
        return ident, fn

    def _group_doc(self, name, fn):
        doc = {"logGroupName": name, "creationTime": (fn.last_modified - 86400 * 30) * 1000,
               "metricFilterCount": 0, "arn": self.group_arn(name),
               "logGroupArn": self.group_arn(name, False), "logGroupClass": "STANDARD",
               "storedBytes": int(fn.rate * 1440 * 600 * (fn.retention or 400)),
               "deletionProtectionEnabled": False}
        if fn.retention is not None:
            doc["retentionInDays"] = fn.retention
        return doc

    def describe_log_groups(self, req, params):
        limit = params.get("limit", 50)
        prefix = params.get("logGroupNamePrefix")
        pattern = params.get("logGroupNamePattern")
        if prefix and pattern:
            raise _err("LogGroup name prefix and LogGroup name pattern are mutually "
                       "exclusive parameters.")
        names = sorted(self.fleet.groups)
        wanted = params.get("logGroupIdentifiers")
        if wanted:
            names = [n for n in names if n in {w.split(":log-group:")[-1] for w in wanted}]
        if prefix:
            names = names[bisect.bisect_left(names, prefix):]
            names = [n for n in names[:limit * 50 + 1000] if n.startswith(prefix)]
        if pattern:
            names = [n for n in names if pattern.lower() in n.lower()]
        start = 0
        if params.get("nextToken"):
            last = _untoken(params["nextToken"]).get("after", "")
            start = bisect.bisect_right(names, last)
        page = names[start:start + limit]
        out = {"logGroups": [self._group_doc(n, self.fleet.groups[n]) for n in page]}
        if start + limit < len(names):
            out["nextToken"] = _token({"after": page[-1]})
        return out

    # --- streams --------------------------------------------------------------------

    def streams(self, fn, group):
        """All streams of a function's group: dicts with name and event bounds."""
        horizon = self.horizon_ms()
        first_min = self.fleet.history_start_min(fn, horizon / 1000.0)
        last_min = horizon // 60000
        out = []
        for window in range(first_min // WINDOW_MIN, last_min // WINDOW_MIN + 1):
            out.extend(self._window_streams(fn, window, max(first_min, window * WINDOW_MIN),
                                            min(last_min, window * WINDOW_MIN + WINDOW_MIN - 1)))
        for name, (first, last) in self.gen.extra_streams(group).items():
            out.append({"name": name, "first": first, "last": last})
        return out

    def _window_streams(self, fn, window, m0, m1):
        """Streams alive in one window; event bounds are approximate (to the minute)."""
        firsts, lasts = {}, {}
        for m in range(m0, m1 + 1):
            active = min(fn.kenv, self.fleet.counts(fn, m).invocations)
            for e in range(active):
                firsts.setdefault(e, m)
                lasts[e] = m
        out = []
        for e in sorted(firsts):
            first = firsts[e] * 60000 + mix(fn.idx, window, e) % 1000
            last = min(lasts[e] * 60000 + 59000 + mix(fn.idx, e, window) % 999,
                       self.horizon_ms())
            out.append({"name": self.gen.stream_name(fn, window, e), "first": first,
                        "last": max(first, last), "window": window, "env": e})
        return out

    def _stream_doc(self, group, s):
        return {"logStreamName": s["name"], "creationTime": s["first"],
                "firstEventTimestamp": s["first"], "lastEventTimestamp": s["last"],
                "lastIngestionTime": s["last"] + 900, "uploadSequenceToken":
                "49039859%040d" % (s["last"] % 10 ** 40),
                "arn": "%s:log-stream:%s" % (self.group_arn(group, False), s["name"]),
                "storedBytes": 0}

    def describe_log_streams(self, req, params):
        group, fn = self.resolve_group(params)
        order = params.get("orderBy", "LogStreamName")
        prefix = params.get("logStreamNamePrefix")
        if prefix and order == "LastEventTime":
            raise _err("Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = self.streams(fn, group)
        if order == "LastEventTime":
            streams.sort(key=lambda s: (s["last"], s["name"]))
        else:
            streams.sort(key=lambda s: s["name"])
            if prefix:
                streams = [s for s in streams if s["name"].startswith(prefix)]
        if params.get("descending"):
            streams.reverse()
        limit = params.get("limit", 50)
        start = _untoken(params["nextToken"]).get("offset", 0) if params.get("nextToken") else 0
        page = streams[start:start + limit]
        out = {"logStreams": [self._stream_doc(group, s) for s in page]}
        if start + limit < len(streams):
            out["nextToken"] = _token({"offset": start + limit, "g": group})
        return out

    def find_stream(self, fn, group, name):
        """-> ('gen', window, env) or ('extra',) or None."""
        if name in self.gen.extra_streams(group):
            return ("extra",)
        try:
            day0 = calendar.timegm(time.strptime(name[:10], "%Y/%m/%d")) // 60
        except ValueError:
            return None
        for window in range(day0 // WINDOW_MIN, (day0 + 1440) // WINDOW_MIN):
            for e in list(range(fn.kenv)) + [INVOKE_STREAM_ENV]:
                if self.gen.stream_name(fn, window, e) == name:
                    return ("gen", window, e)
        return None

    # --- events ---------------------------------------------------------------------

    def minute_events(self, fn, group, minute, horizon):
        """Visible events of one minute (generated + run-time extras), in order."""
        extras = self.gen.extras_in(group, minute)
        if minute * 60000 > horizon:
            return list(extras)
        gen = self.gen.bucket(fn, minute)
        if minute * 60000 + 62500 > horizon:
            gen = [e for e in gen if e[4] <= horizon]
        return merged(gen, extras)

    def filter_log_events(self, req, params):
        group, fn = self.resolve_group(params)
        try:
            match = filterpat.compile_pattern(params.get("filterPattern"))
        except filterpat.PatternError as e:
            raise _err("Invalid filter pattern: %s" % e)
        horizon = self.horizon_ms()
        hist = self.fleet.history_start_min(fn, horizon / 1000.0) * 60000
        start = max(params.get("startTime", 0), hist)
        latest = max(self.now_ms(), horizon)
        end = min(params.get("endTime", latest), latest + 60000)
        names = set(params.get("logStreamNames") or ())
        if names and params.get("logStreamNamePrefix"):
            raise _err("logStreamNames and logStreamNamePrefix are mutually exclusive "
                       "parameters.")
        prefix = params.get("logStreamNamePrefix")
        limit = params.get("limit", 10000)
        minute, after = start // 60000, None
        if params.get("nextToken"):
            tok = _untoken(params["nextToken"])
            minute, after = tok.get("m", minute), tok.get("k")
        elif mix(start, group, self.fleet.seed) % 4 == 0:
            # As AWS sometimes does: an empty first page that still has a nextToken.
            return self._page([], {"m": minute})
        return self._filter_scan(fn, group, minute, after, start, end, names, prefix, match,
                                 limit, horizon)

    def _filter_scan(self, fn, group, minute, after, start, end, names, prefix, match, limit,
                     horizon):
        frags, size, scanned, minutes = [], 0, 0, 0
        end_min = end // 60000
        while minute <= end_min:
            evs = self.minute_events(fn, group, minute, horizon)
            i = bisect.bisect_right(evs, after, key=lambda e: e[1]) if after else 0
            for ev in evs[i:]:
                scanned += 1
                if ev[0] < start or ev[0] > end:
                    continue
                if names and ev[2] not in names or prefix and not ev[2].startswith(prefix):
                    continue
                if match is not None and not match(ev[3]):
                    continue
                ev_size = event_size(ev)
                if len(frags) >= limit or size + ev_size > PAGE_BYTES:
                    return self._page(frags, {"m": minute, "k": after})
                frags.append(fragment(ev))
                size += ev_size
                after = ev[1]
            minute, after, minutes = minute + 1, None, minutes + 1
            if (scanned >= SCAN_EVENTS or minutes >= SCAN_MINUTES) and minute <= end_min:
                return self._page(frags, {"m": minute})
        return self._page(frags, None)

    @staticmethod
    def _page(frags, tok):
        body = b'{"events":[' + b",".join(frags) + b'],"searchedLogStreams":[]'
        if tok is not None:
            body += b',"nextToken":"' + _token(tok).encode() + b'"'
        return Response(200, body + b"}", [("Content-Type", "application/x-amz-json-1.1")])

    def stream_events(self, fn, group, name):
        where = self.find_stream(fn, group, name)
        if where is None:
            raise _not_found("The specified log stream does not exist.")
        horizon = self.horizon_ms()
        if where[0] == "extra":
            evs = [e for evs in self.gen.extras.get(group, {}).values() for e in evs
                   if e[2] == name]
            return sorted(evs, key=lambda e: e[1])
        _, window, env = where
        out = []
        for m in range(window * WINDOW_MIN, window * WINDOW_MIN + WINDOW_MIN):
            if m * 60000 > horizon:
                break
            out.extend(e for e in self.minute_events(fn, group, m, horizon) if e[2] == name)
        return out

    def get_log_events(self, req, params):
        group, fn = self.resolve_group(params)
        evs = self.stream_events(fn, group, params["logStreamName"])
        start, end = params.get("startTime"), params.get("endTime")
        if start is not None or end is not None:
            evs = [e for e in evs if (start is None or e[0] >= start)
                   and (end is None or e[0] < end)]
        limit = params.get("limit", 10000)
        tok = params.get("nextToken")
        keys = [e[1] for e in evs]
        if tok and tok[:2] in ("f/", "b/"):
            pos = tok[2:]
            if tok[0] == "f":
                lo = bisect.bisect_right(keys, pos)
                page = _cap(evs[lo:lo + limit])
            else:
                hi = bisect.bisect_left(keys, pos)
                page = _cap(evs[max(0, hi - limit):hi], from_end=True)
        elif tok:
            raise _err("The specified nextToken is invalid.")
        elif params.get("startFromHead"):
            page = _cap(evs[:limit])
        else:
            page = _cap(evs[-limit:], from_end=True)
        if page:
            fwd, back = "f/" + page[-1][1], "b/" + page[0][1]
        else:
            fwd = tok if tok and tok[0] == "f" else "f/" + (keys[-1] if keys else "0" * 56)
            back = tok if tok and tok[0] == "b" else "b/" + (keys[0] if keys else "0" * 56)
        return {"events": [{"timestamp": e[0], "message": e[3], "ingestionTime": e[4]}
                           for e in page], "nextForwardToken": fwd, "nextBackwardToken": back}

    # --- ledger, invoke logs --------------------------------------------------------

    def ledger(self, group, start, end):
        fn = self.fleet.groups.get(group)
        if fn is None:
            return None
        horizon = self.horizon_ms()
        start = max(start, self.fleet.history_start_min(fn, horizon / 1000.0) * 60000)
        end = min(end, max(self.now_ms(), horizon) + 60000)
        ids = []
        for m in range(start // 60000, end // 60000 + 1):
            ids.extend(e[1] for e in self.minute_events(fn, group, m, horizon)
                       if start <= e[0] <= end)
        return ids

    def invoke_stream(self, fn, ts_ms):
        return self.gen.stream_name(fn, ts_ms // 60000 // WINDOW_MIN, INVOKE_STREAM_ENV)

    def append(self, fn, ts_ms, messages):
        self.gen.add_extra(fn.log_group, fn, ts_ms, messages, self.invoke_stream(fn, ts_ms))

    def start_live_tail(self, req, params):
        return livetail.start(self, req, params)


def event_size(ev):
    """An event's size as CloudWatch Logs counts it against the 1 MB page (and the
    PutLogEvents batch): its message in UTF-8 plus 26 bytes, not the JSON around it."""
    return len(ev[3].encode("utf-8", "surrogateescape")) + EVENT_OVERHEAD


def _cap(page, from_end=False):
    """Trims a GetLogEvents page to 1 MB."""
    size, out = 0, []
    seq = reversed(page) if from_end else page
    for e in seq:
        size += event_size(e)
        if size > PAGE_BYTES and out:
            break
        out.append(e)
    return out[::-1] if from_end else out
