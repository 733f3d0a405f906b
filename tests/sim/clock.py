"""The simulator's clock.  Real time by default; --now fixes it (frozen unless --live,
in which case it runs from that instant).  skew_s shifts it (POST /_sim/clock).

The data horizon is the instant up to which generated data (log events, metric
points, traces) exists: frozen at start/reset unless --live, so tests see stable
data while signatures are still checked against the running clock."""

import calendar
import time


def parse_now(value):
    """EPOCH seconds (int/float/str) or ISO-8601 ('2026-11-30T10:00:00Z') -> epoch."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip()
    try:
        return float(s)
    except ValueError:
        pass
    s = s.rstrip("Z").replace(" ", "T")
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            base = s.split(".")[0]
            frac = float("0." + s.split(".")[1]) if "." in s else 0.0
            return calendar.timegm(time.strptime(base, fmt)) + frac
        except ValueError:
            continue
    raise ValueError("cannot parse time %r" % value)


class Clock:
    def __init__(self, fixed=None, live=False):
        self.configure(fixed, live)

    def configure(self, fixed, live):
        self.fixed = fixed
        self.live = live
        self.base = fixed if fixed is not None else time.time()
        self.mono0 = time.monotonic()
        self.frozen = fixed is not None and not live
        self.skew = 0.0
        self.horizon0 = self.base

    def now(self):
        if self.frozen:
            return self.base + self.skew
        return self.base + (time.monotonic() - self.mono0) + self.skew

    def running(self):
        """Like now(), but always advancing (for SQS visibility timeouts and the like,
        which must expire even when --now froze the clock)."""
        return self.base + (time.monotonic() - self.mono0) + self.skew

    def horizon(self):
        """Seconds; generated data exists up to here."""
        if self.live:
            return self.now()
        return self.horizon0

    def set_skew(self, skew_s):
        self.skew = float(skew_s)
