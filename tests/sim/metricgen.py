"""Deterministic metric values: AWS/Lambda from fleet.counts() (so Invocations equals
the number of START lines in that minute), AWS/SQS from the live queue state, AWS/Logs
from the generated volume, AWS/RDS for the seeded proxy."""

import math
import re

from fleet import RDS_PROXY, RDS_PROXY_CONFIGURED, mix, unit

LAMBDA_METRICS = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions",
                  "DeadLetterErrors", "DestinationDeliveryFailures", "AsyncEventsReceived",
                  "AsyncEventsDropped", "AsyncEventAge", "ProvisionedConcurrencyUtilization",
                  "ProvisionedConcurrentExecutions", "UnreservedConcurrentExecutions",
                  "ClaimedAccountConcurrency"]
ACCOUNT_METRICS = ["ConcurrentExecutions", "UnreservedConcurrentExecutions", "Invocations",
                   "Errors", "Throttles", "ClaimedAccountConcurrency"]
SQS_METRICS = ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
               "ApproximateAgeOfOldestMessage", "NumberOfMessagesSent",
               "NumberOfMessagesReceived", "NumberOfMessagesDeleted"]
LOGS_METRICS = ["IncomingBytes", "IncomingLogEvents"]
RDS_METRICS = ["DatabaseConnections", "ClientConnections", "QueryRequests",
               "AvailabilityPercentage", "DatabaseConnectionsBorrowLatency",
               "QueryDatabaseResponseLatency", "DatabaseConnectionsCurrentlySessionPinned"]
# The configured-only proxy's values, the same every minute.
RDS_CONSTANTS = {"DatabaseConnections": 4.0, "ClientConnections": 9.0, "QueryRequests": 30.0,
                 "AvailabilityPercentage": 100.0, "DatabaseConnectionsBorrowLatency": 700.0,
                 "QueryDatabaseResponseLatency": 2500.0,
                 "DatabaseConnectionsCurrentlySessionPinned": 1.0}
_STAT = re.compile(r"^(Sum|Average|Maximum|Minimum|SampleCount|IQM|[pP]\d{1,2}(\.\d+)?|"
                   r"tm\d{1,2}(\.\d+)?|TM\(.*\)|wm\d{1,2})$")


class StatError(ValueError):
    pass


def check_stat(stat):
    if not _STAT.match(stat or ""):
        raise StatError(stat)


class Minute:
    """Samples of one metric-minute: count, sum, min, max, and a percentile hint."""
    __slots__ = ("n", "total", "lo", "hi", "p50", "p90", "p99")

    def __init__(self, n, total, lo, hi, p50=None, p90=None, p99=None):
        self.n, self.total, self.lo, self.hi = n, total, lo, hi
        self.p50, self.p90, self.p99 = p50, p90, p99


def _count_minute(v):
    return Minute(max(v, 1), float(v), float(v), float(v))


class MetricGen:
    def __init__(self, sim):
        self.sim = sim

    @property
    def fleet(self):
        return self.sim.fleet

    def minute(self, ns, name, dims, m):
        """-> Minute or None (no data published that minute)."""
        if ns == "AWS/Lambda":
            return self._lambda(name, dims, m)
        if ns == "AWS/SQS":
            return self._sqs(name, dims, m)
        if ns == "AWS/Logs":
            return self._logs(name, dims, m)
        if ns == "AWS/RDS":
            return self._rds(name, dims, m)
        return None

    # --- AWS/Lambda -----------------------------------------------------------------

    def _lambda(self, name, dims, m):
        fname = dims.get("FunctionName")
        if fname is None:
            return self._account(name, dims, m)
        fname = fname.split(":")[0]
        fn = self.fleet.lookup(fname)
        if fn is None:
            return None
        c = self.fleet.counts(fn, m)
        share = 1.0
        res = dims.get("Resource")
        if res and res != fname:
            share = 0.7 if res.split(":")[-1] in fn.aliases else 0.3
        if c.invocations == 0 and c.throttles == 0 and name != "ProvisionedConcurrentExecutions":
            return None
        inv = int(round(c.invocations * share))
        if name == "Invocations":
            return _count_minute(inv)
        if name == "Errors":
            return _count_minute(int(round(c.errors * share)))
        if name == "Throttles":
            return _count_minute(int(round(c.throttles * share)))
        if name == "Duration":
            return self._duration(fn, c, m) if inv else None
        if name == "ConcurrentExecutions":
            return _count_minute(self._concurrency(fn, c, m))
        return self._lambda_async(fn, name, c, m)

    def _lambda_async(self, fn, name, c, m):
        h = mix(self.fleet.seed, fn.idx, m, name)
        if name in ("DeadLetterErrors", "DestinationDeliveryFailures"):
            bad = 1 if fn.role_kind == "dlq" and unit(h) < 0.1 else 0
            return _count_minute(bad) if fn.async_cfg or fn.dlq_queue else None
        if not fn.async_cfg:
            if name.startswith("Provisioned") and fn.provisioned:
                used = min(fn.provisioned, self._concurrency(fn, c, m))
                v = used if name == "ProvisionedConcurrentExecutions" else \
                    used / float(fn.provisioned)
                return Minute(1, v, v, v)
            return None
        if name == "AsyncEventsReceived":
            return _count_minute(c.invocations)
        if name == "AsyncEventsDropped":
            return _count_minute(c.async_dropped)
        if name == "AsyncEventAge":
            base = 40000.0 if fn.role_kind == "dlq" else 120.0
            v = base * (0.5 + unit(h))
            return Minute(c.invocations, v * c.invocations, v * 0.2, v * 2.5)
        return None

    def _concurrency(self, fn, c, m):
        busy = c.invocations / 60.0 * (fn.dur / 1000.0) * 4
        v = max(1, int(math.ceil(busy * (0.7 + 0.6 * unit(mix(fn.idx, m, "cx"))))))
        if fn.reserved is not None:
            v = min(v, fn.reserved)
        return v

    def _duration(self, fn, c, m):
        h = mix(self.fleet.seed, fn.idx, m, "dur")
        med = fn.dur * (0.85 + 0.3 * unit(h))
        p90, p99 = med * 1.9, med * 3.4
        hi = p99 * 1.4
        if c.timeouts:
            p99 = hi = fn.timeout * 1000.0
            if c.timeouts * 10 > c.invocations:
                p90 = hi
        lo = med * 0.35
        avg = med * 1.12 + (c.timeouts * fn.timeout * 1000.0 / c.invocations)
        return Minute(c.invocations, avg * c.invocations, lo, min(hi, fn.timeout * 1000.0),
                      med, p90, p99)

    def _account(self, name, dims, m):
        if dims:
            return None
        fleet = self.fleet
        total = sum(f.rate for f in fleet.functions)
        h = unit(mix(fleet.seed, m, "acct"))
        day = m % 1440
        inv = total * (0.7 + 0.3 * math.sin(2 * math.pi * day / 1440.0)) * (0.9 + 0.2 * h)
        conc = max(1, int(sum(f.rate * f.dur for f in fleet.functions[:2000]) / 60000.0 * 3
                          * (0.8 + 0.4 * h)))
        reserved = sum(f.reserved or 0 for f in fleet.functions)
        values = {"Invocations": inv, "Errors": inv * 0.02, "Throttles": inv * 0.004,
                  "ConcurrentExecutions": conc, "ClaimedAccountConcurrency": conc + reserved,
                  "UnreservedConcurrentExecutions": max(0, conc - reserved // 10)}
        v = values.get(name)
        if v is None:
            return None
        return Minute(1, float(int(v)), float(int(v)), float(int(v)))

    # --- other namespaces -----------------------------------------------------------

    def _sqs(self, name, dims, m):
        qname = dims.get("QueueName")
        sqs = self.sim.handlers.get("sqs")
        if not qname or sqs is None or not hasattr(sqs, "queue_state"):
            return None
        state = sqs.queue_state(qname)
        if state is None:
            return None
        visible, inflight, oldest_s, rate = state
        now_m = int(self.sim.clock.horizon() // 60)
        back = max(0, now_m - m)
        h = unit(mix(self.fleet.seed, qname, m))
        if name == "ApproximateNumberOfMessagesVisible":
            v = max(0, visible - back * rate * 0.02)
        elif name == "ApproximateNumberOfMessagesNotVisible":
            v = inflight
        elif name == "ApproximateAgeOfOldestMessage":
            v = max(0, oldest_s - back * 60) if visible else 0
        else:
            v = int(rate * (0.8 + 0.4 * h))
        v = float(int(v))
        return Minute(1, v, v, v)

    def _logs(self, name, dims, m):
        fn = self.fleet.groups.get(dims.get("LogGroupName", ""))
        if fn is None:
            return None
        c = self.fleet.counts(fn, m)
        if not c.invocations:
            return None
        per = 1100 if fn.powertools else 620
        v = float(c.invocations * (per if name == "IncomingBytes" else 5))
        return Minute(1, v, v, v)

    def _rds(self, name, dims, m):
        if dims.get("ProxyName") == RDS_PROXY_CONFIGURED:
            v = RDS_CONSTANTS.get(name)
            return None if v is None else Minute(1, v, v, v)
        if dims.get("ProxyName") != RDS_PROXY:
            return None
        users = [f for f in self.fleet.functions if f.rds_proxy]
        load = sum(self.fleet.counts(f, m).invocations for f in users)
        h = unit(mix(self.fleet.seed, m, "rds"))
        v = {"DatabaseConnections": 10 + load // 20, "ClientConnections": 5 + load // 4,
             "QueryRequests": load * 3, "AvailabilityPercentage": 100.0,
             "DatabaseConnectionsBorrowLatency": 900 + 400 * h,
             "QueryDatabaseResponseLatency": 1800 + 600 * h,
             "DatabaseConnectionsCurrentlySessionPinned": load // 50}.get(name)
        if v is None:
            return None
        return Minute(1, float(v), float(v), float(v))


def aggregate(minutes, stat):
    """Combines the Minutes of one period into the value of `stat`."""
    ms = [x for x in minutes if x is not None]
    if not ms:
        return None
    n = sum(x.n for x in ms)
    total = sum(x.total for x in ms)
    if stat == "Sum":
        return total
    if stat == "SampleCount":
        return float(n)
    if stat in ("Average", "IQM") or stat.startswith(("tm", "TM", "wm")):
        return total / n if n else 0.0
    if stat == "Maximum":
        return max(x.hi for x in ms)
    if stat == "Minimum":
        return min(x.lo for x in ms)
    return _percentile(ms, float(stat[1:]), n)


def _percentile(ms, p, n):
    vals = []
    for x in ms:
        if x.p50 is None:
            vals.append((x.hi, x.n))
            continue
        if p <= 50:
            v = x.lo + (x.p50 - x.lo) * p / 50.0
        elif p <= 90:
            v = x.p50 + (x.p90 - x.p50) * (p - 50) / 40.0
        elif p <= 99:
            v = x.p90 + (x.p99 - x.p90) * (p - 90) / 9.0
        else:
            v = x.p99 + (x.hi - x.p99) * (p - 99)
        vals.append((v, x.n))
    return sum(v * w for v, w in vals) / float(sum(w for _, w in vals) or 1)
