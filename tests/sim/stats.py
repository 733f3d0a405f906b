"""Request counters (per "service:Op", with the highest count seen in any sliding
1-second window) and a ring of the most recent requests for exact-request tests."""

import collections
import time

RING = 500
BODY_CAP = 64 * 1024


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.requests = collections.Counter()
        self.max_per_second = {}
        self.windows = {}
        self.signature_failures = 0
        self.validation_failures = 0
        self.throttled = collections.Counter()
        self.faults = collections.Counter()
        self.ring = collections.deque(maxlen=RING)

    def count(self, key):
        self.requests[key] += 1
        now = time.monotonic()
        win = self.windows.get(key)
        if win is None:
            win = self.windows[key] = collections.deque()
        win.append(now)
        while win and win[0] <= now - 1.0:
            win.popleft()
        if len(win) > self.max_per_second.get(key, 0):
            self.max_per_second[key] = len(win)

    def record(self, req, service, op):
        """Adds the request to the ring; returns the entry so the status can be set."""
        entry = {"time": time.time(), "method": req.method, "path": req.path,
                 "query": req.raw_query, "headers": [[n, v] for n, v in req.headers],
                 "body": req.body[:BODY_CAP].decode("utf-8", "replace"),
                 "body_length": len(req.body), "service": service, "op": op,
                 "status": None}
        self.ring.append(entry)
        return entry

    def last(self, n):
        items = list(self.ring)
        return items[-n:] if n > 0 else []

    def snapshot(self):
        return {"requests": dict(self.requests), "max_per_second": dict(self.max_per_second),
                "signature_failures": self.signature_failures,
                "validation_failures": self.validation_failures,
                "throttled": dict(self.throttled), "faults": dict(self.faults)}
