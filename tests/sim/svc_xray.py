"""X-Ray (restJson): GetTraceSummaries, BatchGetTraces, GetServiceGraph.

Traces are the sampled invocations of actively traced functions (the first two of
each minute and about 1 in 20 after), with the same trace ids as the XRAY lines in
their REPORT log events.  Summaries page newest first."""

import base64
import json
import re

from fleet import RDS_PROXY, mix
from protocol import ApiError

MAX_RANGE_S = 24 * 3600
PAGE = 100
BUCKET_BUDGET = 600
_CLAUSE = re.compile(r"\s*(service\(\s*\"([^\"]*)\"\s*\)|error|fault|throttle|ok|"
                     r"responsetime\s*(>=|<=|>|<|=)\s*([\d.]+)|duration\s*(>=|<=|>|<|=)\s*"
                     r"([\d.]+))\s*", re.I)


def _invalid(message):
    return ApiError("InvalidRequestException", message, 400)


def _cmp(a, op, b):
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b, "=": a == b}[op]


def parse_filter(text):
    """-> (service name or None, predicate(summary dict)).  Clauses joined by and."""
    if not text or not text.strip():
        return None, lambda s: True
    service, tests = None, []
    for part in re.split(r"\s+(?:and|AND|&&)\s+", text.strip()):
        m = _CLAUSE.fullmatch(part)
        if not m:
            raise _invalid("Invalid filter expression: %s" % text)
        word = m.group(1).lower()
        if m.group(2) is not None:
            service = m.group(2)
        elif word in ("error", "fault", "throttle"):
            key = {"error": "HasError", "fault": "HasFault", "throttle": "HasThrottle"}[word]
            tests.append(lambda s, k=key: s[k])
        elif word == "ok":
            tests.append(lambda s: not (s["HasError"] or s["HasFault"]))
        elif m.group(3):
            tests.append(lambda s, o=m.group(3), v=float(m.group(4)): _cmp(s["ResponseTime"],
                                                                            o, v))
        else:
            tests.append(lambda s, o=m.group(5), v=float(m.group(6)): _cmp(s["Duration"], o,
                                                                            v))
    return service, lambda s: all(t(s) for t in tests)


def sampled(seed, fn, minute, j):
    return j < 2 or mix(seed, fn.idx, minute, j, "sample") % 20 == 0


class XRay:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"GetTraceSummaries": self.get_trace_summaries,
                    "BatchGetTraces": self.batch_get_traces,
                    "GetServiceGraph": self.get_service_graph}

    @property
    def gen(self):
        return self.sim.handlers["logs"].gen

    def traced(self, name=None):
        fns = [f for f in self.sim.fleet.functions if f.tracing == "Active"]
        if name is not None:
            fns = [f for f in fns if f.name == name]
        return fns

    def _range(self, params):
        start, end = float(params["StartTime"]), float(params["EndTime"])
        if end <= start:
            raise _invalid("StartTime must be before EndTime")
        if end - start > MAX_RANGE_S:
            raise _invalid("Time range exceeds the maximum allowed range of 24 hours")
        return start, min(end, self.sim.clock.horizon())

    # --- summaries ------------------------------------------------------------------

    def summary(self, fn, inv):
        fault = inv.status in ("error", "timeout")
        dur = (inv.init + inv.dur) / 1000.0
        arn = self.sim.fleet.arn(fn.name)
        sid = {"Name": fn.name, "Names": [fn.name], "AccountId": self.sim.account,
               "Type": "AWS::Lambda::Function"}
        return {"Id": inv.trace, "StartTime": inv.ts / 1000.0, "Duration": round(dur, 3),
                "ResponseTime": round(dur, 3), "HasFault": fault,
                "HasError": not fault and inv.j % 37 == 5, "HasThrottle": False,
                "IsPartial": False, "Annotations": {}, "Users": [],
                "Http": {"HttpStatus": 502 if fault else 200, "HttpMethod": "POST",
                         "HttpURL": "https://lambda.%s.amazonaws.com/2015-03-31/functions/%s/"
                                    "invocations" % (self.sim.region, fn.name)},
                "ServiceIds": [sid, {"Name": fn.name, "Names": [fn.name],
                                     "AccountId": self.sim.account, "Type": "AWS::Lambda"}],
                "ResourceARNs": [{"ARN": arn}], "EntryPoint": sid, "Revision": 1,
                "MatchedEventTime": inv.ts / 1000.0}

    def get_trace_summaries(self, req, params):
        start, end = self._range(params)
        service, pred = parse_filter(params.get("FilterExpression"))
        fns = self.traced(service)
        cursor = int(end // 60)
        if params.get("NextToken"):
            try:
                cursor = int(json.loads(base64.b64decode(params["NextToken"]))["m"])
            except (ValueError, KeyError, TypeError):
                raise _invalid("Invalid NextToken")
        out, processed, buckets = [], 0, 0
        seed = self.sim.fleet.seed
        while cursor >= int(start // 60) and len(out) < PAGE and buckets < BUCKET_BUDGET:
            found = []
            for fn in fns:
                buckets += 1
                if not self.sim.fleet.counts(fn, cursor).invocations:
                    continue
                for inv in self.gen.invocations(fn, cursor):
                    if not sampled(seed, fn, cursor, inv.j) or \
                            not start <= inv.ts / 1000.0 <= end:
                        continue
                    processed += 1
                    s = self.summary(fn, inv)
                    if pred(s):
                        found.append(s)
            out.extend(sorted(found, key=lambda s: -s["StartTime"]))
            cursor -= 1
        doc = {"TraceSummaries": out, "ApproximateTime": int(end),
               "TracesProcessedCount": processed}
        if cursor >= int(start // 60):
            doc["NextToken"] = base64.b64encode(json.dumps({"m": cursor}).encode()).decode()
        return doc

    # --- traces ---------------------------------------------------------------------

    def batch_get_traces(self, req, params):
        ids = params["TraceIds"]
        if len(ids) > 5:
            raise _invalid("Too many trace IDs. A maximum of 5 trace IDs is allowed per "
                           "request.")
        traces, missing = [], []
        for tid in ids:
            hit = self.gen.decode_trace(tid)
            if hit is None:
                missing.append(tid)
                continue
            fn, minute, j = hit
            inv = self.gen.invocations(fn, minute)[j]
            if inv.ts > self.sim.clock.horizon() * 1000:
                missing.append(tid)
                continue
            traces.append(self.trace(fn, inv))
        return {"Traces": traces, "UnprocessedTraceIds": missing}

    def trace(self, fn, inv):
        seg1 = "%016x" % mix(inv.trace, "lambda")
        seg2 = "%016x" % mix(inv.trace, "function")
        t0 = inv.ts / 1000.0
        t_end = t0 + (inv.init + inv.dur) / 1000.0
        fault = inv.status in ("error", "timeout")
        arn = self.sim.fleet.arn(fn.name)
        outer = {"id": seg1, "name": fn.name, "start_time": t0, "end_time": t_end,
                 "trace_id": inv.trace, "origin": "AWS::Lambda", "resource_arn": arn,
                 "http": {"response": {"status": 200}}, "aws": {"request_id": inv.rid},
                 "fault": fault}
        inner = {"id": seg2, "name": fn.name, "start_time": t0, "end_time": t_end,
                 "trace_id": inv.trace, "parent_id": seg1, "origin": "AWS::Lambda::Function",
                 "aws": {"account_id": self.sim.account, "function_arn": arn,
                         "resource_names": [fn.name]},
                 "subsegments": self._subsegments(fn, inv, t0, t_end), "fault": fault}
        if fault:
            inner["cause"] = {"working_directory": "/var/task", "exceptions": [{
                "id": "%016x" % mix(inv.trace, "exc"),
                "message": "Task timed out" if inv.status == "timeout" else
                "payment declined: card_expired", "type": "Error"}]}
        segs = [{"Id": seg1, "Document": json.dumps(outer, separators=(",", ":"))},
                {"Id": seg2, "Document": json.dumps(inner, separators=(",", ":"))}]
        return {"Id": inv.trace, "Duration": round(t_end - t0, 3), "LimitExceeded": False,
                "Segments": segs}

    def _subsegments(self, fn, inv, t0, t_end):
        subs = []
        t = t0
        if inv.init:
            subs.append({"id": "%016x" % mix(inv.trace, "init"), "name": "Initialization",
                         "start_time": t, "end_time": t + inv.init / 1000.0})
            t += inv.init / 1000.0
        calls = [{"id": "%016x" % mix(inv.trace, "ddb"), "name": "DynamoDB",
                  "namespace": "aws", "start_time": t + 0.002, "end_time": t + 0.011,
                  "aws": {"operation": "GetItem", "table_name": fn.name + "-table",
                          "region": self.sim.region, "retries": 0},
                  "http": {"response": {"status": 200}}},
                 {"id": "%016x" % mix(inv.trace, "http"), "name": "api.partner.example",
                  "namespace": "remote", "start_time": t + 0.012, "end_time": t + 0.04,
                  "http": {"request": {"url": "https://api.partner.example/v1/charges",
                                       "method": "POST"},
                           "response": {"status": 502 if inv.status == "error" else 200}},
                  "fault": inv.status == "error"}]
        if fn.rds_proxy:
            calls.append({"id": "%016x" % mix(inv.trace, "sql"),
                          "name": "%s.proxy-c0ffee5e1a2b.%s.rds.amazonaws.com"
                                  % (RDS_PROXY, self.sim.region),
                          "namespace": "remote", "start_time": t + 0.041,
                          "end_time": t + 0.05,
                          "sql": {"database_type": "PostgreSQL", "user": "app",
                                  "url": "%s.proxy-c0ffee5e1a2b.%s.rds.amazonaws.com:5432/app"
                                         % (RDS_PROXY, self.sim.region)}})
        subs.append({"id": "%016x" % mix(inv.trace, "invoke"), "name": "Invocation",
                     "start_time": t, "end_time": t_end, "subsegments": calls})
        subs.append({"id": "%016x" % mix(inv.trace, "overhead"), "name": "Overhead",
                     "start_time": t_end, "end_time": t_end + 0.0004})
        return subs

    # --- service graph --------------------------------------------------------------

    def _stats(self, fns, start, end):
        ok = err = fault = 0
        total_rt = 0.0
        for fn in fns:
            for m in range(int(start // 60), int(end // 60) + 1):
                c = self.sim.fleet.counts(fn, m)
                ok += c.invocations - c.errors
                fault += c.errors
                total_rt += c.invocations * fn.dur / 1000.0
        total = ok + err + fault
        return {"OkCount": ok, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": err,
                                                   "TotalCount": err},
                "FaultStatistics": {"OtherCount": fault, "TotalCount": fault},
                "TotalCount": total, "TotalResponseTime": round(total_rt, 3)}

    def get_service_graph(self, req, params):
        start, end = self._range(params)
        fns = self.traced()[:50]
        services, ref = [], 0
        downstream = {"DynamoDB": (0, "AWS::DynamoDB::Table"),
                      "api.partner.example": (1, "remote")}
        for name, (rid, kind) in downstream.items():
            services.append({"ReferenceId": rid, "Name": name, "Names": [name], "Root": False,
                             "Type": kind, "State": "active", "StartTime": start,
                             "EndTime": end, "Edges": [],
                             "SummaryStatistics": self._stats(fns[:1], start, end)})
        ref = len(downstream)
        for fn in fns:
            stats = self._stats([fn], start, min(end, start + 3600))
            edges = [{"ReferenceId": rid, "StartTime": start, "EndTime": end,
                      "SummaryStatistics": stats, "Aliases": []}
                     for rid, _ in downstream.values()]
            services.append({"ReferenceId": ref, "Name": fn.name, "Names": [fn.name],
                             "Root": True, "AccountId": self.sim.account,
                             "Type": "AWS::Lambda::Function", "State": "active",
                             "StartTime": start, "EndTime": end, "Edges": edges,
                             "SummaryStatistics": stats,
                             "DurationHistogram": [{"Value": round(fn.dur / 1000.0, 3),
                                                    "Count": stats["TotalCount"]}],
                             "ResponseTimeHistogram": [{"Value": round(fn.dur / 1000.0, 3),
                                                        "Count": stats["TotalCount"]}]})
            ref += 1
        return {"StartTime": start, "EndTime": end, "Services": services,
                "ContainsOldGroupVersions": False}
