"""The seeded fleet: functions (configuration, versions, aliases, triggers, policies,
traffic profile), their queues, and the cheap per-minute traffic counts every data
generator (logs, metrics, traces) derives from.

Everything is a pure function of (seed, function index, absolute minute), so the
same seed and clock give the same data, and --functions N only appends functions.
The five interesting functions keep their names for every seed and N."""

import hashlib
import math
import random
import statistics
import zlib

M64 = (1 << 64) - 1
_NORMAL = statistics.NormalDist()
HISTORY_DAYS = 7
WINDOW_MIN = 30            # an execution environment (log stream) lives this long

PREFIXES = ["orders", "payments", "inventory", "users", "auth", "search", "billing",
            "shipping", "catalog", "reviews", "analytics", "email", "sms", "audit",
            "ledger", "fraud", "pricing", "cart", "checkout", "recommendations",
            "thumbnails", "geo", "sessions", "tokens", "webhooks", "exports", "imports",
            "etl", "alerts", "invoices"]
SUFFIXES = ["api", "worker", "consumer", "processor", "handler", "scheduler", "sync",
            "resolver", "authorizer", "stream", "cron", "indexer", "validator",
            "notifier", "router"]
RUNTIMES = [("python3.12", 22), ("python3.13", 14), ("nodejs20.x", 18), ("nodejs22.x", 16),
            ("java21", 8), ("provided.al2023", 8), ("go1.x", 2), ("python3.7", 2),
            ("nodejs16.x", 2)]
DEPRECATED = {"go1.x", "python3.7", "nodejs16.x"}
MEMORY = [128, 256, 512, 1024, 1536, 2048, 3008]
TIMEOUTS = [3, 5, 10, 15, 30, 60, 120, 300, 900]
RETENTIONS = [None, 1, 3, 7, 14, 30, 90, 365]
POWERTOOLS_LAYER = ("arn:aws:lambda:us-east-1:017000801446:layer:"
                    "AWSLambdaPowertoolsPythonV3-python312-x86_64:7")
RDS_PROXY = "orders-db-proxy"
# A second proxy that no function's environment names: fleetdeck finds it only through
# its config's [rds_proxy] section. Its metrics are constants (known answers).
RDS_PROXY_CONFIGURED = "reports-db-proxy"
RDS_PROXIES = (RDS_PROXY, RDS_PROXY_CONFIGURED)
TEAMS = ["checkout", "platform", "growth", "data", "identity", "fulfilment"]

INTERESTING = {
    "busy": "orders-api",
    "errors": "payments-worker",
    "throttled": "image-resizer",
    "timeout": "report-generator",
    "dlq": "notifications-dispatcher",
}


def smix(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def mix(*parts):
    h = 0x243F6A8885A308D3
    for p in parts:
        if isinstance(p, str):
            p = zlib.crc32(p.encode()) | (len(p) << 32)
        elif isinstance(p, float):
            p = int(p * 1000)
        h = smix(h ^ (p & M64))
    return h


def unit(h):
    return (h >> 11) * (1.0 / (1 << 53))


def poisson(lam, u):
    if lam <= 0:
        return 0
    if lam > 30:
        z = _NORMAL.inv_cdf(min(max(u, 1e-9), 1 - 1e-9))
        return max(0, int(round(lam + math.sqrt(lam) * z)))
    k, p = 0, math.exp(-lam)
    cum = p
    while u > cum and k < 200:
        k += 1
        p *= lam / k
        cum += p
    return k


class Counts:
    __slots__ = ("invocations", "errors", "timeouts", "throttles", "async_dropped")

    def __init__(self, invocations, errors, timeouts, throttles, async_dropped):
        self.invocations = invocations
        self.errors = errors
        self.timeouts = timeouts
        self.throttles = throttles
        self.async_dropped = async_dropped


class Function:
    """One seeded function.  Traffic fields: rate (invocations/minute), err (error
    probability), tmo (timeout probability), thr (throttle fraction), dur (median ms)."""

    def __init__(self, idx, name):
        self.idx = idx
        self.name = name
        self.role_kind = None
        self.hname = mix(name)


class Fleet:
    def __init__(self, seed, n, clock, account, region):
        self.seed = seed
        self.n = n
        self.clock = clock
        self.account = account
        self.region = region
        self.created = int(clock.now())
        self.functions = []
        self.by_name = {}
        self.queues = []          # queue specs: dicts (see _queue)
        self.queue_names = set()
        self._counts = {}
        names = self._names(n)
        for i, name in enumerate(names):
            fn = self._function(i, name)
            self.functions.append(fn)
            self.by_name[name] = fn
        self.groups = {}
        for fn in self.functions:
            self.groups[fn.log_group] = fn

    # --- names ----------------------------------------------------------------------

    def _names(self, n):
        names = list(INTERESTING.values())[:n]
        used = set(names)
        rng = random.Random(mix(self.seed, "names"))
        while len(names) < n:
            base = "%s-%s" % (rng.choice(PREFIXES), rng.choice(SUFFIXES))
            name = base
            k = 2
            while name in used:
                name = "%s-%d" % (base, rng.randint(2, 99) if k < 50 else k)
                k += 1
            used.add(name)
            names.append(name)
        return names

    # --- functions ------------------------------------------------------------------

    def arn(self, name, qualifier=None):
        a = "arn:aws:lambda:%s:%s:function:%s" % (self.region, self.account, name)
        return a + ":" + qualifier if qualifier else a

    def queue_arn(self, qname):
        return "arn:aws:sqs:%s:%s:%s" % (self.region, self.account, qname)

    def _function(self, idx, name):
        fn = Function(idx, name)
        rng = random.Random(mix(self.seed, idx, "function"))
        fn.runtime = rng.choices([r for r, _ in RUNTIMES], [w for _, w in RUNTIMES])[0]
        fn.memory = rng.choice(MEMORY)
        fn.timeout = rng.choice(TIMEOUTS)
        fn.arch = "arm64" if rng.random() < 0.35 else "x86_64"
        fn.team = rng.choice(TEAMS)
        fn.env_name = "prod" if rng.random() < 0.7 else "staging"
        fn.log_format = "JSON" if rng.random() < 0.15 else "Text"
        fn.custom_group = rng.random() < 0.04
        fn.retention = rng.choice(RETENTIONS)
        fn.tracing = "Active" if rng.random() < 0.4 else "PassThrough"
        fn.powertools = fn.runtime.startswith("python") and rng.random() < 0.3
        fn.snapstart = fn.runtime == "java21" and rng.random() < 0.6
        fn.versions = rng.choice([0, 0, 1, 2, 3, 5])
        fn.reserved = rng.choice([None] * 8 + [5, 10, 50, 100])
        fn.provisioned = 0
        fn.secret_env = rng.random() < 0.15
        fn.secret_arn_env = rng.random() < 0.15
        fn.rds_proxy = False
        fn.vpc = rng.random() < 0.2
        fn.hostile = rng.random() < 0.05
        fn.url = rng.random() < 0.05
        fn.principals = [p for p, prob in (("apigateway.amazonaws.com", 0.25),
                                          ("s3.amazonaws.com", 0.1),
                                          ("events.amazonaws.com", 0.15),
                                          ("sns.amazonaws.com", 0.08)) if rng.random() < prob]
        fn.sqs_trigger = rng.random() < 0.12
        fn.trigger_redrive = rng.random() < 0.6
        fn.async_cfg = rng.random() < 0.12
        fn.async_dlq = fn.async_cfg and rng.random() < 0.6
        fn.on_failure = fn.async_cfg and rng.random() < 0.5
        fn.rate = math.exp(rng.gauss(0.3, 1.6)) if rng.random() > 0.15 else rng.random() * 0.05
        fn.err = min(0.2, abs(rng.gauss(0.0, 0.01)))
        fn.tmo = 0.0005 if fn.timeout <= 10 else 0.0
        fn.thr = 0.0
        fn.dur = math.exp(rng.gauss(4.2, 1.0))
        fn.init_ms = 150 + rng.random() * (2500 if fn.runtime == "java21" else 700)
        fn.phase = rng.random() * 1440
        fn.mem_frac = 0.2 + rng.random() * 0.6
        self._specialise(fn, rng)
        fn.dur = min(fn.dur, fn.timeout * 1000 * 0.8)
        fn.kenv = max(1, min(16, int(math.ceil(fn.rate / 40.0))))
        fn.aliases = {}
        if fn.versions:
            fn.aliases["live"] = str(fn.versions)
            fn.aliases["prod"] = str(max(1, fn.versions - 1))
        if fn.provisioned and "live" not in fn.aliases:
            fn.versions = max(fn.versions, 1)
            fn.aliases["live"] = str(fn.versions)
        fn.log_group = ("/aws/lambda-custom/%s" % name if fn.custom_group
                        else "/aws/lambda/%s" % name)
        fn.last_modified = self.created - int(rng.random() * 200 * 86400)
        fn.code_size = int(2000 + rng.random() * 40e6)
        fn.code_sha = hashlib.sha256(("%d:%s:code" % (self.seed, name)).encode()).digest()
        self._queues_for(fn)
        return fn

    def _specialise(self, fn, rng):
        """The interesting functions, by name."""
        kind = {v: k for k, v in INTERESTING.items()}.get(fn.name)
        fn.role_kind = kind
        if kind == "busy":
            fn.runtime, fn.memory, fn.timeout, fn.arch = "python3.12", 1024, 30, "x86_64"
            fn.rate, fn.err, fn.dur, fn.powertools = 560.0, 0.004, 45.0, True
            fn.tracing, fn.versions, fn.provisioned = "Active", 3, 10
            fn.log_format, fn.custom_group, fn.retention = "Text", False, 14
            fn.principals = ["apigateway.amazonaws.com"]
            fn.sqs_trigger = fn.async_cfg = fn.hostile = False
            fn.reserved, fn.url = 200, True
        elif kind == "errors":
            fn.runtime, fn.memory, fn.timeout, fn.arch = "nodejs20.x", 512, 30, "arm64"
            fn.rate, fn.err, fn.dur, fn.log_format = 60.0, 0.12, 220.0, "JSON"
            fn.sqs_trigger, fn.trigger_redrive, fn.secret_env = True, True, True
            fn.rds_proxy, fn.tracing, fn.hostile, fn.custom_group = True, "Active", True, False
            fn.retention, fn.async_cfg, fn.principals = None, False, []
        elif kind == "throttled":
            fn.runtime, fn.memory, fn.timeout, fn.arch = "java21", 2048, 60, "x86_64"
            fn.rate, fn.err, fn.dur, fn.snapstart = 90.0, 0.01, 900.0, True
            fn.reserved, fn.thr, fn.principals = 2, 0.35, ["s3.amazonaws.com"]
            fn.log_format, fn.custom_group, fn.sqs_trigger, fn.async_cfg = (
                "Text", False, True, False)
            fn.retention, fn.trigger_redrive = 30, False  # its source queue has no DLQ
        elif kind == "timeout":
            fn.runtime, fn.memory, fn.timeout, fn.arch = "python3.13", 256, 3, "arm64"
            fn.rate, fn.err, fn.tmo, fn.dur = 6.0, 0.02, 0.3, 2100.0
            fn.principals, fn.custom_group, fn.log_format = (["events.amazonaws.com"], True,
                                                             "Text")
            fn.sqs_trigger, fn.async_cfg, fn.retention = False, False, 7
        elif kind == "dlq":
            fn.runtime, fn.memory, fn.timeout, fn.arch = "provided.al2023", 128, 10, "arm64"
            fn.rate, fn.err, fn.dur = 30.0, 0.15, 80.0
            fn.async_cfg, fn.async_dlq, fn.on_failure = True, True, True
            fn.principals, fn.sqs_trigger, fn.log_format = ["sns.amazonaws.com"], False, "Text"
            fn.custom_group, fn.retention = False, None
        if kind is not None:
            fn.hname = mix(fn.name)
            fn.async_dlq = kind in ("throttled", "dlq")
            fn.on_failure = kind == "dlq"
            fn.vpc = kind == "errors"
            fn.secret_arn_env = kind == "busy"
            fn.versions = {"busy": 3, "throttled": 2, "dlq": 2}.get(kind, 0)
            fn.reserved = {"busy": 200, "throttled": 2, "dlq": 50}.get(kind)
            fn.provisioned = 10 if kind == "busy" else 0

    def _queues_for(self, fn):
        fn.dlq_queue = fn.source_queue = fn.source_dlq = fn.destination_queue = None
        if fn.async_dlq:
            fn.dlq_queue = self._queue(fn.name + "-dlq", fn, "async-dlq")
        if fn.on_failure:
            fn.destination_queue = self._queue(fn.name + "-failures", fn, "destination")
        if fn.sqs_trigger:
            base = fn.name.replace("-worker", "").replace("-consumer", "")
            fifo = (mix(self.seed, fn.idx, "fifo") % 5) == 0 and fn.role_kind is None
            suffix = ".fifo" if fifo else ""
            if fn.trigger_redrive:
                fn.source_dlq = self._queue(base + "-queue-dlq" + suffix, fn, "source-dlq",
                                            fifo=fifo)
            fn.source_queue = self._queue(base + "-queue" + suffix, fn, "source", fifo=fifo,
                                          dlq=fn.source_dlq)

    def _queue(self, name, fn, kind, fifo=False, dlq=None):
        while name in self.queue_names:
            name = name.replace(".fifo", "") + "-%d" % fn.idx + (".fifo" if fifo else "")
        self.queue_names.add(name)
        spec = {"name": name, "function": fn.name, "kind": kind, "fifo": fifo, "dlq": dlq,
                "idx": len(self.queues)}
        self.queues.append(spec)
        return name

    def lookup(self, name):
        return self.by_name.get(name)

    # --- traffic --------------------------------------------------------------------

    def counts(self, fn, minute):
        key = (fn.idx, minute)
        c = self._counts.get(key)
        if c is None:
            if len(self._counts) > 1000000:
                self._counts.clear()
            c = self._counts[key] = self._compute_counts(fn, minute)
        return c

    def rate_at(self, fn, minute):
        day = (minute + fn.phase) % 1440
        amp = 0.08 if fn.role_kind == "busy" else 0.35
        diurnal = 1.0 - amp + amp * math.sin(2 * math.pi * day / 1440.0)
        burst = 0.75 + 0.5 * unit(mix(self.seed, fn.idx, minute // 5, 0xB0057))
        return fn.rate * diurnal * burst

    def error_rate_at(self, fn, minute):
        if fn.role_kind == "errors" and (minute % 360) < 40:
            return 0.6
        return fn.err

    def _compute_counts(self, fn, minute):
        h = mix(self.seed, fn.idx, minute)
        lam = self.rate_at(fn, minute)
        total = poisson(lam, unit(h))
        throttles = int(total * fn.thr + unit(smix(h ^ 1)))if fn.thr else 0
        throttles = min(throttles, total)
        n = total - throttles
        timeouts = min(n, int(n * fn.tmo + unit(smix(h ^ 2))))
        errors = min(n - timeouts, int(n * self.error_rate_at(fn, minute) + unit(smix(h ^ 3))))
        dropped = 0
        if fn.async_cfg and errors and unit(smix(h ^ 4)) < 0.05:
            dropped = 1
        return Counts(n, errors + timeouts, timeouts, throttles, dropped)

    def history_start_min(self, fn, horizon_s):
        days = HISTORY_DAYS if fn.retention is None else min(HISTORY_DAYS, fn.retention)
        return int(horizon_s // 60) - days * 1440

    # --- summary --------------------------------------------------------------------

    def summary(self):
        return {"seed": self.seed, "functions": len(self.functions),
                "interesting": dict(INTERESTING),
                "names": [f.name for f in self.functions],
                "log_groups": [f.log_group for f in self.functions],
                "queues": [q["name"] for q in self.queues],
                "rds_proxy": RDS_PROXY,
                "rds_proxies": list(RDS_PROXIES),
                "horizon": self.clock.horizon(), "now": self.clock.now()}
