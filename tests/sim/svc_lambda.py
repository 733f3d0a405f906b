"""Lambda (restJson): the read-only control plane fleetdeck uses plus Invoke."""

import asyncio
import base64
import json
import random

import lambda_config
from lambda_config import Builder
from loggen import Invocation, iso_ms, request_id, render_invocation
from fleet import mix
from protocol import ApiError, common_error

PAGE_MAX = 50
SYNC_LIMIT = 6 * 1024 * 1024
ASYNC_LIMIT = 1024 * 1024
TAIL_BYTES = 4096


def _not_found(message):
    return ApiError("ResourceNotFoundException", message, 404)


def _invalid(message):
    return ApiError("InvalidParameterValueException", message, 400)


def _marker(offset):
    return base64.b64encode(json.dumps({"o": offset, "v": 1}).encode()).decode()


def _unmarker(marker):
    try:
        return int(json.loads(base64.b64decode(marker))["o"])
    except (ValueError, KeyError, TypeError):
        raise _invalid("Invalid marker: %s" % marker)


def _page(items, params, key):
    start = _unmarker(params["Marker"]) if params.get("Marker") else 0
    size = min(params.get("MaxItems") or PAGE_MAX, PAGE_MAX)
    out = {key: items[start:start + size]}
    if start + size < len(items):
        out["NextMarker"] = _marker(start + size)
    return out


class Lambda:
    def __init__(self, sim):
        self.sim = sim
        self.invoke_count = 0
        self.per_function = {}
        self.ops = {
            "ListFunctions": self.list_functions, "GetFunction": self.get_function,
            "GetFunctionConfiguration": self.get_function_configuration,
            "ListAliases": self.list_aliases, "GetAlias": self.get_alias,
            "ListVersionsByFunction": self.list_versions,
            "GetFunctionConcurrency": self.get_concurrency,
            "ListProvisionedConcurrencyConfigs": self.list_provisioned,
            "GetProvisionedConcurrencyConfig": self.get_provisioned,
            "ListEventSourceMappings": self.list_esms, "GetEventSourceMapping": self.get_esm,
            "GetPolicy": self.get_policy,
            "GetFunctionEventInvokeConfig": self.get_invoke_config,
            "ListFunctionEventInvokeConfigs": self.list_invoke_configs,
            "ListTags": self.list_tags, "GetAccountSettings": self.get_account_settings,
            "GetFunctionUrlConfig": self.get_url_config, "Invoke": self.invoke,
        }

    def reset(self):
        self.invoke_count = 0
        self.per_function = {}

    @property
    def fleet(self):
        return self.sim.fleet

    @property
    def build(self):
        return Builder(self.sim.fleet)

    # --- name resolution ------------------------------------------------------------

    def resolve(self, name, qualifier=None):
        """name | ARN | partial ARN | name:qualifier -> (function, qualifier or None)."""
        parts = name.split(":")
        fq = None
        if parts[0] == "arn":
            if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
                raise _invalid("Invalid function ARN: %s" % name)
            fname, fq = parts[6], parts[7] if len(parts) > 7 else None
            if parts[4] != self.sim.account or parts[3] != self.sim.region:
                raise _not_found("Function not found: %s" % name)
        elif len(parts) >= 3 and parts[1] == "function":
            fname, fq = parts[2], parts[3] if len(parts) > 3 else None
        else:
            fname, fq = parts[0], parts[1] if len(parts) > 1 else None
        if fq and qualifier and fq != qualifier:
            raise _invalid("The derived qualifier from the function name does not match the "
                           "specified qualifier.")
        q = qualifier or fq
        fn = self.fleet.lookup(fname)
        if fn is None or (q and not self._valid_qualifier(fn, q)):
            raise _not_found("Function not found: %s" % self.fleet.arn(fname, q))
        return fn, q

    @staticmethod
    def _valid_qualifier(fn, q):
        if q == "$LATEST" or q in fn.aliases:
            return True
        return q.isdigit() and 1 <= int(q) <= fn.versions

    @staticmethod
    def version_of(fn, q):
        if not q or q == "$LATEST":
            return "$LATEST"
        return fn.aliases.get(q, q)

    # --- read operations ------------------------------------------------------------

    def list_functions(self, req, params):
        b = self.build
        items = []
        everything = params.get("FunctionVersion") == "ALL"
        for fn in sorted(self.fleet.functions, key=lambda f: f.name):
            if everything:
                items.append((fn, "$LATEST"))
                items.extend((fn, str(v)) for v in range(1, fn.versions + 1))
            else:
                items.append((fn, "$LATEST"))
        out = _page(items, params, "Functions")
        out["Functions"] = [b.config(fn, v) for fn, v in out["Functions"]]
        return out

    def get_function_configuration(self, req, params):
        fn, q = self.resolve(params["FunctionName"], params.get("Qualifier"))
        return self.build.config(fn, self.version_of(fn, q))

    def get_function(self, req, params):
        fn, q = self.resolve(params["FunctionName"], params.get("Qualifier"))
        b = self.build
        out = {"Configuration": b.config(fn, self.version_of(fn, q)),
               "Code": {"RepositoryType": "S3",
                        "Location": "https://awslambda-%s-tasks.s3.%s.amazonaws.com/snapshots/"
                                    "%s/%s-%08x?X-Amz-Security-Token=sim&X-Amz-Signature=sim"
                                    % (self.sim.region, self.sim.region, self.sim.account,
                                       fn.name, mix(fn.name) & 0xFFFFFFFF)},
               "Tags": b.tags(fn)}
        if fn.reserved is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved}
        return out

    def list_aliases(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        b = self.build
        names = sorted(fn.aliases)
        if params.get("FunctionVersion"):
            names = [n for n in names if fn.aliases[n] == params["FunctionVersion"]]
        return _page([b.alias(fn, n) for n in names], params, "Aliases")

    def get_alias(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        if params["Name"] not in fn.aliases:
            raise _not_found("Alias not found: %s" % self.fleet.arn(fn.name, params["Name"]))
        return self.build.alias(fn, params["Name"])

    def list_versions(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        b = self.build
        items = [b.config(fn, "$LATEST")] + [b.config(fn, str(v))
                                             for v in range(1, fn.versions + 1)]
        return _page(items, params, "Versions")

    def get_concurrency(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        if fn.reserved is None:
            return {}
        return {"ReservedConcurrentExecutions": fn.reserved}

    def list_provisioned(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        return _page(self.build.provisioned(fn), params, "ProvisionedConcurrencyConfigs")

    def get_provisioned(self, req, params):
        fn, q = self.resolve(params["FunctionName"], params.get("Qualifier"))
        for item in self.build.provisioned(fn):
            if item["FunctionArn"].endswith(":" + q):
                return {k: v for k, v in item.items() if k != "FunctionArn"}
        raise ApiError("ProvisionedConcurrencyConfigNotFoundException",
                       "No Provisioned Concurrency Config found for this function", 404)

    def list_esms(self, req, params):
        fns = self.fleet.functions
        if params.get("FunctionName"):
            fns = [self.resolve(params["FunctionName"])[0]]
        b = self.build
        items = [d for d in (b.esm(fn) for fn in fns) if d]
        if params.get("EventSourceArn"):
            items = [d for d in items if d["EventSourceArn"] == params["EventSourceArn"]]
        return _page(items, params, "EventSourceMappings")

    def get_esm(self, req, params):
        b = self.build
        for fn in self.fleet.functions:
            d = b.esm(fn)
            if d and d["UUID"] == params["UUID"]:
                return d
        raise _not_found("The resource you requested does not exist.")

    def get_policy(self, req, params):
        fn, _ = self.resolve(params["FunctionName"], params.get("Qualifier"))
        policy = self.build.policy(fn)
        if policy is None:
            raise _not_found("The resource you requested does not exist.")
        return {"Policy": policy, "RevisionId": lambda_config.det_uuid(fn.name, "policy")}

    def get_invoke_config(self, req, params):
        fn, q = self.resolve(params["FunctionName"], params.get("Qualifier"))
        cfg = self.build.invoke_config(fn)
        if cfg is None or (q and q != "$LATEST"):
            raise _not_found("The function %s doesn't have an EventInvokeConfig"
                             % self.fleet.arn(fn.name, q or "$LATEST"))
        return cfg

    def list_invoke_configs(self, req, params):
        fn, _ = self.resolve(params["FunctionName"])
        cfg = self.build.invoke_config(fn)
        return _page([cfg] if cfg else [], params, "FunctionEventInvokeConfigs")

    def list_tags(self, req, params):
        res = params["Resource"]
        if not res.startswith("arn:"):
            raise _invalid("Invalid ARN: %s" % res)
        fn, _ = self.resolve(res)
        return {"Tags": self.build.tags(fn)}

    def get_account_settings(self, req, params):
        fns = self.fleet.functions
        reserved = sum(f.reserved or 0 for f in fns)
        limit = max(1000, (reserved // 1000 + 2) * 1000)
        return {"AccountLimit": {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000,
                                 "CodeSizeZipped": 52428800, "ConcurrentExecutions": limit,
                                 "UnreservedConcurrentExecutions": limit - reserved},
                "AccountUsage": {"TotalCodeSize": sum(f.code_size for f in fns),
                                 "FunctionCount": len(fns)}}

    def get_url_config(self, req, params):
        fn, _ = self.resolve(params["FunctionName"], params.get("Qualifier"))
        cfg = self.build.url_config(fn)
        if cfg is None:
            raise _not_found("The resource you requested does not exist.")
        return cfg

    # --- Invoke ---------------------------------------------------------------------

    async def invoke(self, req, params):
        fn, q = self.resolve(params["FunctionName"], params.get("Qualifier"))
        payload = params.get("Payload") or b""
        itype = params.get("InvocationType", "RequestResponse")
        limit = ASYNC_LIMIT if itype == "Event" else SYNC_LIMIT
        if len(payload) > limit:
            raise ApiError("RequestEntityTooLargeException", "Request must be smaller than "
                           "%d bytes for the InvokeFunction operation" % limit, 413)
        event = self._parse_event(payload)
        version = self.version_of(fn, q)
        if itype == "DryRun":
            return {"StatusCode": 204}
        self.invoke_count += 1
        self.per_function[fn.name] = self.per_function.get(fn.name, 0) + 1
        if fn.role_kind == "throttled" and self.per_function[fn.name] % 3 == 0:
            raise common_error("lambda", "throttle", "Rate Exceeded.",
                               fields={"Reason":
                                       "ReservedFunctionConcurrentInvocationLimitExceeded"})
        mode = self._mode(fn, event)
        if mode == "timeout":
            await asyncio.sleep(0.5)
        result, lines = self._run(fn, version, payload, mode)
        if itype == "Event":
            if result.get("FunctionError"):
                self._async_failure(fn, payload)
            return {"StatusCode": 202}
        out = {"StatusCode": 200, "ExecutedVersion": version, "Payload": result["Payload"]}
        if result.get("FunctionError"):
            out["FunctionError"] = result["FunctionError"]
        if params.get("LogType") == "Tail":
            text = "".join(m if m.endswith("\n") else m + "\n" for _, m in lines).encode(
                "utf-8", "surrogateescape")
            out["LogResult"] = base64.b64encode(text[-TAIL_BYTES:]).decode()
        return out

    @staticmethod
    def _parse_event(payload):
        if not payload.strip():
            return {}
        try:
            return json.loads(payload)
        except ValueError as e:
            raise ApiError("InvalidRequestContentException", "Could not parse request body "
                           "into json: Could not parse payload into json: %s" % e, 400)

    @staticmethod
    def _mode(fn, event):
        if isinstance(event, dict) and event.get("fleetsim") in ("echo", "error", "timeout",
                                                                 "ok"):
            return event["fleetsim"]
        return {"busy": "echo", "errors": "error", "timeout": "timeout"}.get(fn.role_kind,
                                                                           "ok")

    def _run(self, fn, version, payload, mode):
        """Runs one invocation: returns (result, log lines) and appends the logs."""
        now_ms = int(self.sim.clock.now() * 1000)
        inv = Invocation()
        inv.j, inv.minute, inv.ts = self.invoke_count, now_ms // 60000, now_ms
        inv.rid = request_id(mix(self.sim.fleet.seed, "invoke", self.invoke_count, now_ms))
        inv.env, inv.cold, inv.version = 99, self.invoke_count == 1, version
        inv.status = {"error": "error", "timeout": "timeout"}.get(mode, "ok")
        inv.dur = fn.timeout * 1000.0 if mode == "timeout" else round(fn.dur, 2)
        inv.init = fn.init_ms if inv.cold else 0.0
        inv.mem_used = max(40, int(fn.memory * fn.mem_frac))
        inv.trace = None
        lines = render_invocation(fn, inv, random.Random(self.invoke_count))
        self.sim.handlers["logs"].append(fn, now_ms, [m for _, m in lines])
        if mode == "echo":
            return {"Payload": payload or b"{}"}, lines
        if mode == "error":
            body = {"errorType": "Error", "errorMessage": "payment declined: card_expired",
                    "trace": ["Error: payment declined: card_expired",
                              "    at Runtime.handler (/var/task/index.js:27:11)"]}
            return {"Payload": json.dumps(body).encode(), "FunctionError": "Unhandled"}, lines
        if mode == "timeout":
            msg = "%s %s Task timed out after %.2f seconds" % (iso_ms(now_ms), inv.rid,
                                                              fn.timeout)
            return {"Payload": json.dumps({"errorMessage": msg}).encode(),
                    "FunctionError": "Unhandled"}, lines
        body = {"statusCode": 200, "body": json.dumps({"ok": True, "function": fn.name,
                                                       "requestId": inv.rid})}
        return {"Payload": json.dumps(body).encode()}, lines

    def _async_failure(self, fn, payload):
        queue = fn.dlq_queue or fn.destination_queue
        sqs = self.sim.handlers.get("sqs")
        if queue and sqs:
            sqs.add_failure(queue, fn, payload.decode("utf-8", "replace") or "{}")
