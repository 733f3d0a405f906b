"""The simulator application: state (clock, credentials, fleet, faults, stats) and the
request pipeline: route -> count -> authenticate -> quotas/faults -> validate ->
operation -> render."""

import asyncio
import inspect
import json
import random
import traceback
import urllib.parse

import control
import creds
import model
import protocol
import sigv4
from clock import Clock
from faults import Faults, Quotas, fault_error
from fleet import Fleet
from protocol import ApiError, SERVICES, common_error
from server import Response, http_date
from stats import Stats
from svc_events import Events
from svc_iam import Iam
from svc_lambda import Lambda
from svc_logs import Logs
from svc_metrics import Metrics
from svc_schemas import Schemas
from svc_secrets import Secrets
from svc_sqs import Sqs
from svc_ssm import Ssm
from svc_sts import Sts, UNSIGNED_OPS, query_params
from svc_xray import XRay

HTML_PAGE = (b"<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
             b"<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n")


class Sim:
    def __init__(self, opts):
        self.opts = opts
        self.clock = Clock(opts.now, opts.live)
        self.account = opts.account
        self.region = opts.region
        self.also_regions = set()  # more regions signed requests may name (same fleet)
        self.creds = creds.CredentialStore(self.clock, self.account)
        self.faults = Faults(opts.seed)
        self.quotas = Quotas()
        self.quotas.enabled = opts.enforce_quotas
        self.stats = Stats()
        self.fleet = Fleet(opts.seed, opts.functions, self.clock, self.account, self.region)
        self.handlers = {"sts": Sts(self), "lambda": Lambda(self), "logs": Logs(self),
                         "monitoring": Metrics(self), "sqs": Sqs(self), "xray": XRay(self),
                         "events": Events(self), "iam": Iam(self),
                         "secretsmanager": Secrets(self), "ssm": Ssm(self),
                         "schemas": Schemas(self)}
        self.control = control.Control(self)
        self.background = set()
        self.rid_rng = random.Random()

    def rebuild(self, seed, functions, now, enforce_quotas):
        self.opts.seed, self.opts.functions = seed, functions
        self.clock.configure(now, self.opts.live)
        self.creds.reset(self.account)
        self.faults = Faults(seed)
        self.quotas.enabled = enforce_quotas
        self.stats.reset()
        for h in self.handlers.values():
            stop = getattr(h, "stop", None)
            if stop:
                stop()
        self.fleet = Fleet(seed, functions, self.clock, self.account, self.region)
        self.handlers["logs"].livetail_session_s = 3 * 3600.0
        self.handlers["logs"].livetail_multiplier = 1
        for h in self.handlers.values():
            reset = getattr(h, "reset", None)
            if reset:
                reset()

    def start_background(self):
        """Starts the handlers' background loops (live traffic, SQS move tasks)."""
        for h in self.handlers.values():
            start = getattr(h, "start", None)
            if start:
                start()

    def spawn(self, coro):
        task = asyncio.get_running_loop().create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    # --- response decoration ------------------------------------------------------

    def decorate(self, req, resp):
        x = "%032x" % self.rid_rng.getrandbits(128)
        rid = "%s-%s-4%s-a%s-%s" % (x[:8], x[8:12], x[13:16], x[17:20], x[20:])
        if resp.body and b"@REQUESTID@" in resp.body[-200:]:
            resp.body = resp.body.replace(b"@REQUESTID@", rid.encode())
        resp.headers.append(("x-amzn-RequestId", rid))
        resp.headers.append(("Date", http_date(self.clock.now())))

    # --- pipeline -----------------------------------------------------------------

    async def handle(self, req):
        try:
            if req.path.startswith("/_sim/"):
                return await self.control.handle(req)
            route = creds.route(req)
            if route:
                return await self._credential_endpoint(req, *route)
            return await self._aws(req)
        except ApiError as e:
            return protocol.render_error(req.service or "logs", e)
        except Exception as e:  # a simulator bug: answer 500 and keep serving
            traceback.print_exc()
            return protocol.render_error(req.service or "logs", common_error(
                req.service or "logs", "internal", "fleetsim internal error: %r" % e))

    async def _credential_endpoint(self, req, service, op):
        req.service, req.op = service, op
        self.stats.count(service + ":" + op)
        entry = self.stats.record(req, service, op)
        rule = self.faults.pick(service, op)
        resp = await self._early_fault(req, rule)
        if resp is None:
            resp = creds.handle(self.creds, service, req)
        entry["status"] = resp.status
        return resp

    async def _aws(self, req):
        auth_value = req.header("authorization")
        auth = None
        if auth_value:
            try:
                auth = sigv4.Auth(auth_value)
            except sigv4.SigError as e:
                req.service = self._guess_service(req)
                self.stats.signature_failures += 1
                raise common_error(req.service, "incomplete", e.message)
            req.service = auth.service
        else:
            req.service = self._guess_service(req)
        if req.service not in SERVICES:
            return _not_found("no simulated service for '%s'" % req.service)
        svc = req.service
        op, extra = self._resolve_op(req)
        key = svc + ":" + (op or "Unknown")
        req.op = op
        self.stats.count(key)
        entry = self.stats.record(req, svc, op)
        resp = await self._pipeline(req, auth, op, extra, key)
        entry["status"] = resp.status
        return resp

    @staticmethod
    def _guess_service(req):
        target = req.header("x-amz-target", "")
        if target:
            return protocol.TARGETS.get(target.split(".")[0], "logs")
        if req.method == "POST" and "x-www-form-urlencoded" in req.header("content-type", ""):
            return "sts"
        if req.path.startswith("/20"):
            return "lambda"
        return "unsigned"

    def _resolve_op(self, req):
        """Returns (op or None, extra) where extra is labels (rest) or form (query)."""
        info = SERVICES[req.service]
        m = model.load(info["model"])
        proto = info["protocol"]
        if proto == "json":
            prefix, _, op = req.header("x-amz-target", "").partition(".")
            if req.method != "POST" or prefix != info["target"] or op not in m.ops:
                return None, None
            return op, None
        if proto == "rest-json":
            op, labels = m.route(req.method, req.path, req.query)
            return op, labels
        form = urllib.parse.parse_qs(req.body.decode("utf-8", "replace")
                                     if req.method == "POST" else req.raw_query,
                                     keep_blank_values=True)
        op = form.get("Action", [None])[0]
        return (op if op in m.ops else None), form

    async def _pipeline(self, req, auth, op, extra, key):
        svc = req.service
        rule = self.faults.pick(svc, op or "Unknown")
        if rule is not None:
            self.stats.faults[key] += 1
        if op is None:
            return self._unknown_op(req, extra)
        if auth is None and not (svc == "sts" and op in UNSIGNED_OPS):
            raise common_error(svc, "missing_auth", "Missing Authentication Token")
        if auth is not None:
            self._authenticate(req, auth, rule)
        if self.quotas.exceeded(svc, op):
            self.stats.throttled[key] += 1
            raise common_error(svc, "throttle", protocol.THROTTLE_MESSAGE)
        early = await self._early_fault(req, rule)
        if early is not None:
            if rule.kind == "throttle":
                self.stats.throttled[key] += 1
            return early
        resp = await self._operation(req, op, extra)
        return self._late_fault(resp, rule)

    def _unknown_op(self, req, labels):
        svc = req.service
        if SERVICES[svc]["protocol"] == "rest-json" and labels is None:
            return _not_found("no route for %s %s" % (req.method, req.path))
        if svc == "sts":
            action = (labels or {}).get("Action", [""])[0]
            raise ApiError("InvalidAction", "Could not find operation %s for version "
                           "2011-06-15" % action)
        raise common_error(svc, "unknown_op", None if svc != "lambda" else
                           "The requested operation is not supported")

    def _authenticate(self, req, auth, rule):
        svc = req.service
        try:
            if (auth.region != self.region and auth.region not in self.also_regions and
                    not (svc in ("sts", "iam") and auth.region == "us-east-1")):
                raise sigv4.SigError("signature", "Credential should be scoped to a valid "
                                     "region. ")
            cred = self.creds.lookup(auth.access_key)
            if cred is None:
                raise ApiErrorKind("unknown_key", "The security token included in the "
                                   "request is invalid.")
            self._check_token(req, cred)
            sigv4.check_clock(req.header("x-amz-date", ""), self.clock.now())
            if rule is not None and rule.kind == "skew":
                sigv4.check_clock(req.header("x-amz-date", ""), self.clock.now(),
                                  rule.tolerance_s)
            sigv4.verify(req.method, req.path, req.raw_query, req.headers, req.body, auth,
                         cred.secret)
        except sigv4.SigError as e:
            self.stats.signature_failures += 1
            kind = "incomplete" if e.kind == "incomplete" else "signature"
            raise common_error(svc, kind, e.message)
        except ApiErrorKind as e:
            self.stats.signature_failures += 1
            raise common_error(svc, e.kind, e.message)
        req.identity = cred

    def _check_token(self, req, cred):
        token = req.header("x-amz-security-token")
        if cred.token is None:
            if token:
                raise ApiErrorKind("unknown_key", "The security token included in the "
                                   "request is invalid.")
            return
        if token != cred.token:
            raise ApiErrorKind("unknown_key", "The security token included in the request "
                               "is invalid.")
        if cred.expires is not None and cred.expires <= self.clock.now():
            raise ApiErrorKind("expired_token", "The security token included in the "
                               "request is expired")

    async def _early_fault(self, req, rule):
        if rule is None or rule.kind in ("skew", "malformed", "truncate"):
            return None
        if rule.kind == "latency":
            await asyncio.sleep(rule.latency_ms / 1000.0)
            return None
        if rule.kind == "reset" and rule.spec.get("when", "before") == "before":
            resp = Response(500)
            resp.fault = "reset"
            return resp
        if rule.kind == "html":
            status = rule.status if rule.status != 500 else 502
            reason = {502: b"Bad Gateway", 503: b"Service Unavailable",
                      504: b"Gateway Timeout"}.get(status, b"Error")
            page = HTML_PAGE % (status, reason, status, reason)
            return Response(status, page, [("Content-Type", "text/html")])
        if rule.kind in ("throttle", "error"):
            return protocol.render_error(req.service or "logs",
                                         fault_error(req.service or "logs", rule))
        return None

    @staticmethod
    def _late_fault(resp, rule):
        if rule is None:
            return resp
        if rule.kind == "malformed" and resp.stream is None:
            body = resp.body or b"{}"
            resp.body = body[:max(1, len(body) // 2)] + b"\x00}{"
        elif rule.kind == "truncate" and resp.stream is None:
            resp.fault = "truncate"
        elif rule.kind == "reset" and rule.spec.get("when") == "after":
            resp.fault = "reset"
        return resp

    async def _operation(self, req, op, extra):
        svc = req.service
        info = SERVICES[svc]
        m = model.load(info["model"])
        params, errors = self._params(req, m, op, extra)
        if not errors:
            errors = m.validate(op, params)
        if errors:
            self.stats.validation_failures += 1
            raise protocol.validation_error(svc, errors)
        handler = self.handlers.get(svc)
        fn = handler.ops.get(op) if handler else None
        if fn is None:
            raise ApiError("NotImplementedException", "fleetsim does not implement %s.%s"
                           % (svc, op), 501, sender=False)
        result = fn(req, params)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, Response):
            return result
        if info["protocol"] == "rest-json":
            return protocol.render_rest_output(svc, op, result)
        return protocol.render_json_output(svc, result)

    @staticmethod
    def _params(req, m, op, extra):
        proto = m.meta["protocol"]
        if proto == "rest-json":
            return m.rest_input(op, extra, req)
        if proto == "query":
            return query_params(m, op, extra), []
        if not req.body:
            return {}, []
        try:
            doc = json.loads(req.body)
        except ValueError:
            raise ApiError("SerializationException", "Start of structure or map found where "
                           "not expected.", 400)
        if not isinstance(doc, dict):
            raise ApiError("SerializationException", "Expected a JSON object", 400)
        return doc, []


class ApiErrorKind(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _not_found(message):
    body = json.dumps({"message": message, "code": "NotFound"}).encode()
    return Response(404, body, [("Content-Type", "application/json")])
