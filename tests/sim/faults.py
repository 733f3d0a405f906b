"""Fault injection rules and per-operation quota enforcement.

A rule: {"service": "logs"|"*", "op": "FilterLogEvents"|"*", "kind": "throttle|error|
latency|reset|truncate|malformed|html|skew", "status": 500, "code": "...",
"message": "...", "latency_ms": 2000, "probability": 1.0, "count": N, "after": N,
"tolerance_s": 60}.  'after' skips the first N matching requests; 'count' limits how
many times the rule fires (absent = unlimited).  Probability draws come from a
seeded generator so a run is repeatable."""

import random
import time

from protocol import ApiError, common_error

KINDS = {"throttle", "error", "latency", "reset", "truncate", "malformed", "html", "skew"}

# Documented per-account quotas (requests per second), by "service:Op" or group.
QUOTAS = {
    "logs:FilterLogEvents": 5,
    "logs:DescribeLogStreams": 25,
    "monitoring:GetMetricData": 50,
    "lambda:GetFunction": 100,
    "lambda:GetPolicy": 15,
}
LAMBDA_DATA_PLANE = {"Invoke", "InvokeAsync", "InvokeWithResponseStream"}


class Rule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a rule must be an object")
        self.service = spec.get("service", "*")
        self.op = spec.get("op", "*")
        self.kind = spec.get("kind", "error")
        if self.kind not in KINDS:
            raise ValueError("unknown fault kind %r" % self.kind)
        self.status = int(spec.get("status", 500))
        self.code = spec.get("code")
        self.message = spec.get("message")
        self.latency_ms = int(spec.get("latency_ms", 1000))
        self.probability = float(spec.get("probability", 1.0))
        self.count = spec.get("count")
        self.after = int(spec.get("after", 0))
        self.tolerance_s = float(spec.get("tolerance_s", 60))
        self.seen = 0
        self.fired = 0
        self.spec = spec

    def matches(self, service, op):
        return self.service in ("*", service) and self.op in ("*", op)

    def take(self, rng):
        """Counts one matching request; True when the rule fires for it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.count is not None and self.fired >= int(self.count):
            return False
        if self.probability < 1.0 and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def describe(self):
        d = dict(self.spec)
        d.update(seen=self.seen, fired=self.fired)
        return d


class Faults:
    def __init__(self, seed=1):
        self.rules = []
        self.rng = random.Random(seed)

    def set_rules(self, specs, seed=1):
        rules = [Rule(s) for s in specs]
        self.rules = rules
        self.rng = random.Random(seed)

    def pick(self, service, op):
        """Returns the first rule that fires for this request, or None."""
        for rule in self.rules:
            if rule.matches(service, op) and rule.take(self.rng):
                return rule
        return None


def fault_error(service, rule):
    """The ApiError for 'throttle' and 'error' kinds."""
    if rule.kind == "throttle":
        return common_error(service, "throttle", rule.message or "Rate exceeded")
    code = rule.code or common_error(service, "internal", "").code
    return ApiError(code, rule.message or "We encountered an internal error. Please try "
                    "again.", rule.status, query_code=rule.code, sender=rule.status < 500)


class Quotas:
    """Counts requests per quota bucket per whole second of real time."""

    def __init__(self):
        self.enabled = False
        self.windows = {}

    @staticmethod
    def bucket(service, op):
        key = service + ":" + op
        if key in QUOTAS:
            return key, QUOTAS[key]
        if service == "lambda" and op not in LAMBDA_DATA_PLANE:
            return "lambda:control-plane", 15
        return None, None

    def exceeded(self, service, op):
        if not self.enabled:
            return False
        key, limit = self.bucket(service, op)
        if key is None:
            return False
        sec = int(time.monotonic())
        start, n = self.windows.get(key, (sec, 0))
        if start != sec:
            start, n = sec, 0
        n += 1
        self.windows[key] = (start, n)
        return n > limit
