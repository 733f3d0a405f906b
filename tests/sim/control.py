"""The unsigned control API under /_sim/ (documented in README.md)."""

import json

from clock import parse_now
from server import Response


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _json(status, doc):
    return Response(status, json.dumps(doc).encode(), [("Content-Type", "application/json")])


def _body(req):
    if not req.body.strip():
        return {}
    try:
        doc = json.loads(req.body)
    except ValueError:
        raise ControlError(400, "body is not JSON")
    if not isinstance(doc, dict):
        raise ControlError(400, "body must be a JSON object")
    return doc


def _int_arg(req, name, default=None):
    v = req.qget(name)
    if v is None:
        if default is None:
            raise ControlError(400, "missing query parameter %s" % name)
        return default
    try:
        return int(v)
    except ValueError:
        raise ControlError(400, "%s must be an integer" % name)


class Control:
    def __init__(self, sim):
        self.sim = sim
        self.routes = {
            ("GET", "health"): self.health,
            ("POST", "reset"): self.reset,
            ("GET", "faults"): self.get_faults,
            ("POST", "faults"): self.set_faults,
            ("POST", "clock"): self.clock,
            ("GET", "clock"): self.get_clock,
            ("GET", "stats"): self.stats,
            ("POST", "stats/reset"): self.stats_reset,
            ("GET", "requests"): self.requests,
            ("POST", "credentials"): self.credentials,
            ("POST", "sso-token"): self.sso_token,
            ("GET", "ledger"): self.ledger,
            ("GET", "fleet"): self.fleet,
            ("POST", "enforce-quotas"): self.enforce_quotas,
            ("POST", "livetail"): self.livetail,
        }

    async def handle(self, req):
        name = req.path[len("/_sim/"):].strip("/")
        fn = self.routes.get((req.method, name))
        if fn is None:
            known = sorted({n for _, n in self.routes})
            status = 405 if name in known else 404
            return _json(status, {"ok": False, "error": "no control endpoint %s %s"
                                  % (req.method, req.path), "endpoints": known})
        try:
            return _json(200, fn(req))
        except ControlError as e:
            return _json(e.status, {"ok": False, "error": str(e)})
        except (ValueError, TypeError) as e:
            return _json(400, {"ok": False, "error": str(e)})

    def health(self, req):
        return {"ok": True}

    def reset(self, req):
        doc = _body(req)
        opts = self.sim.opts
        seed = int(doc.get("seed", opts.seed))
        functions = int(doc.get("functions", opts.functions))
        if not 5 <= functions <= 10000:
            raise ControlError(400, "functions must be 5..10000")
        now = parse_now(doc["now"]) if doc.get("now") is not None else opts.now
        enforce = bool(doc.get("enforce_quotas", False))
        also = doc.get("also_regions", [])
        if not isinstance(also, list) or not all(isinstance(r, str) for r in also):
            raise ControlError(400, "also_regions must be a list of region names")
        self.sim.rebuild(seed, functions, now, enforce)
        self.sim.also_regions = set(also)
        return {"ok": True, "seed": seed, "functions": functions,
                "now": self.sim.clock.now(), "horizon": self.sim.clock.horizon()}

    def get_faults(self, req):
        return {"rules": [r.describe() for r in self.sim.faults.rules]}

    def set_faults(self, req):
        doc = _body(req)
        rules = doc.get("rules", [])
        if not isinstance(rules, list):
            raise ControlError(400, "rules must be a list")
        self.sim.faults.set_rules(rules, self.sim.opts.seed)
        return {"ok": True, "rules": len(rules)}

    def clock(self, req):
        doc = _body(req)
        if "skew_s" in doc:
            self.sim.clock.set_skew(doc["skew_s"])
        return self.get_clock(req)

    def get_clock(self, req):
        c = self.sim.clock
        return {"ok": True, "now": c.now(), "skew_s": c.skew, "horizon": c.horizon(),
                "frozen": c.frozen, "live": c.live}

    def stats(self, req):
        return self.sim.stats.snapshot()

    def stats_reset(self, req):
        self.sim.stats.reset()
        return {"ok": True}

    def requests(self, req):
        return {"requests": self.sim.stats.last(_int_arg(req, "last", 20))}

    def credentials(self, req):
        doc = _body(req)
        v = doc.get("expires_in_s")
        self.sim.creds.ttl_override = None if v is None else int(v)
        return {"ok": True, "expires_in_s": self.sim.creds.ttl_override}

    def sso_token(self, req):
        token = _body(req).get("token")
        if not isinstance(token, str) or not token:
            raise ControlError(400, "token must be a non-empty string")
        self.sim.creds.sso_tokens.add(token)
        return {"ok": True}

    def ledger(self, req):
        group = req.qget("group")
        if not group:
            raise ControlError(400, "missing query parameter group")
        start = _int_arg(req, "start", 0)
        end = _int_arg(req, "end", 2 ** 62)
        logs = self.sim.handlers["logs"]
        ids = logs.ledger(group, start, end)
        if ids is None:
            raise ControlError(404, "no log group %s" % group)
        return {"group": group, "start": start, "end": end, "count": len(ids),
                "event_ids": ids}

    def fleet(self, req):
        return self.sim.fleet.summary()

    def enforce_quotas(self, req):
        self.sim.quotas.enabled = bool(_body(req).get("on", True))
        return {"ok": True, "on": self.sim.quotas.enabled}

    def livetail(self, req):
        doc = _body(req)
        logs = self.sim.handlers["logs"]
        if "session_s" in doc:
            logs.livetail_session_s = float(doc["session_s"])
        if "rate_multiplier" in doc:
            logs.livetail_multiplier = max(1, int(doc["rate_multiplier"]))
        return {"ok": True, "session_s": logs.livetail_session_s,
                "rate_multiplier": logs.livetail_multiplier}
