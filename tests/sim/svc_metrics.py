"""CloudWatch metrics (awsJson 1.0, awsQueryCompatible): GetMetricData and ListMetrics.

GetMetricData pages by datapoints: a page holds at most MaxDatapoints points; the
query cut short is marked PartialData and the rest (including the queries not yet
reached) come with NextToken.  Clients merge results by Id across pages."""

import ast
import base64
import json

import metricgen
from fleet import RDS_PROXIES
from metricgen import MetricGen, aggregate
from protocol import ApiError

MAX_QUERIES = 500
RETENTION_S = 15 * 86400


def _invalid(message, code="InvalidParameterValueException", qcode="InvalidParameterValue"):
    return ApiError(code, message, 400, query_code=qcode)


def _token(doc):
    return base64.b64encode(json.dumps(doc).encode()).decode()


def _untoken(tok):
    try:
        doc = json.loads(base64.b64decode(tok))
        return int(doc["q"]), int(doc["o"])
    except (ValueError, KeyError, TypeError):
        raise ApiError("InvalidNextToken", "The service couldn't process the provided token",
                       400, query_code="InvalidNextToken")


class Metrics:
    def __init__(self, sim):
        self.sim = sim
        self.gen = MetricGen(sim)
        self.cache = {}
        self.ops = {"GetMetricData": self.get_metric_data, "ListMetrics": self.list_metrics}

    def reset(self):
        self.cache = {}

    # --- GetMetricData --------------------------------------------------------------

    def _check(self, params):
        queries = params["MetricDataQueries"]
        if not queries:
            raise _invalid("The parameter MetricDataQueries must not be empty.")
        if len(queries) > MAX_QUERIES:
            raise _invalid("The collection MetricDataQueries must not have a size greater "
                           "than %d." % MAX_QUERIES)
        ids = set()
        for i, q in enumerate(queries, 1):
            if q["Id"] in ids:
                raise _invalid("The value %s for parameter MetricDataQueries.member.%d.Id is "
                               "a duplicate." % (q["Id"], i))
            ids.add(q["Id"])
            if not q["Id"][:1].islower():
                raise _invalid("The value %s for parameter MetricDataQueries.member.%d.Id is "
                               "not valid. It must start with a lowercase letter." % (q["Id"], i))
            if bool(q.get("MetricStat")) == bool(q.get("Expression")):
                raise _invalid("Exactly one element of MetricStat and Expression must be "
                               "specified for MetricDataQueries.member.%d." % i)
            stat = q.get("MetricStat")
            if stat:
                self._check_stat(stat, i)
        if params["EndTime"] <= params["StartTime"]:
            raise _invalid("The parameter StartTime must be less than the parameter EndTime.")

    @staticmethod
    def _check_stat(stat, i):
        period = stat["Period"]
        if period not in (1, 5, 10, 30) and period % 60:
            raise _invalid("The parameter MetricDataQueries.member.%d.MetricStat.Period must "
                           "be a multiple of 60." % i)
        try:
            metricgen.check_stat(stat["Stat"])
        except metricgen.StatError:
            raise _invalid("The value %s for parameter MetricDataQueries.member.%d.MetricStat"
                           ".Stat is not a valid statistic." % (stat["Stat"], i))

    def series(self, q, start, end):
        stat = q["MetricStat"]
        metric = stat["Metric"]
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
        period = max(60, stat["Period"])
        horizon = int(self.sim.clock.horizon())
        lo = max(int(start) // period * period, horizon - RETENTION_S)
        hi = min(int(end), horizon)
        ns, name = metric.get("Namespace"), metric.get("MetricName")
        key = (ns, name, tuple(sorted(dims.items())), stat["Stat"], period, lo, hi)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        fast = self._count_source(ns, name, dims, stat["Stat"])
        out = []
        for t in range(lo, hi, period):
            minutes = range(t // 60, min((t + period) // 60, (hi + 59) // 60))
            if fast is not None:
                v = fast(minutes)
            else:
                v = aggregate([self.gen.minute(ns, name, dims, m) for m in minutes],
                              stat["Stat"])
            if v is not None:
                out.append((t, round(v, 4)))
        if ns != "AWS/SQS":
            if len(self.cache) > 20000:
                self.cache.clear()
            self.cache[key] = out
        return out

    def _count_source(self, ns, name, dims, stat):
        """A fast path for per-function Invocations/Errors/Throttles sums."""
        if ns != "AWS/Lambda" or set(dims) != {"FunctionName"} or \
                name not in ("Invocations", "Errors", "Throttles") or \
                stat not in ("Sum", "SampleCount"):
            return None
        fn = self.sim.fleet.lookup(dims["FunctionName"])
        if fn is None:
            return lambda minutes: None
        counts = self.sim.fleet.counts
        attr = {"Invocations": "invocations", "Errors": "errors", "Throttles": "throttles"}[name]

        def total(minutes):
            cs = [counts(fn, m) for m in minutes]
            live = [c for c in cs if c.invocations or c.throttles]
            if not live:
                return None
            return float(sum(getattr(c, attr) for c in live))
        return total

    def get_metric_data(self, req, params):
        self._check(params)
        queries = params["MetricDataQueries"]
        start, end = params["StartTime"], params["EndTime"]
        budget = params.get("MaxDatapoints") or 100800
        desc = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        qi, offset = _untoken(params["NextToken"]) if params.get("NextToken") else (0, 0)
        computed = {}
        for q in queries:
            if q.get("MetricStat"):
                computed[q["Id"]] = self.series(q, start, end)
        for q in queries:
            if q.get("Expression"):
                computed[q["Id"]] = self._expression(q, computed)
        results, token = [], None
        visible = [q for q in queries if q.get("ReturnData", True)]
        for idx in range(qi, len(visible)):
            q = visible[idx]
            points = computed[q["Id"]]
            if desc:
                points = points[::-1]
            chunk = points[offset:offset + budget]
            budget -= len(chunk)
            partial = offset + len(chunk) < len(points)
            results.append(self._result(q, chunk, partial))
            if partial:
                token = _token({"q": idx, "o": offset + len(chunk)})
                break
            offset = 0
            if budget <= 0 and idx + 1 < len(visible):
                token = _token({"q": idx + 1, "o": 0})
                break
        out = {"MetricDataResults": results, "Messages": []}
        if token:
            out["NextToken"] = token
        return out

    @staticmethod
    def _result(q, points, partial):
        label = q.get("Label") or (q["MetricStat"]["Metric"].get("MetricName")
                                   if q.get("MetricStat") else q["Id"])
        return {"Id": q["Id"], "Label": label, "Timestamps": [t for t, _ in points],
                "Values": [v for _, v in points],
                "StatusCode": "PartialData" if partial else "Complete", "Messages": []}

    def _expression(self, q, computed):
        try:
            tree = ast.parse(q["Expression"], mode="eval")
            fn = _compile(tree.body, computed)
        except (SyntaxError, ValueError) as e:
            raise _invalid("Error in expression '%s': %s" % (q["Id"], e))
        stamps = sorted({t for s in computed.values() for t, _ in s})
        out = []
        for t in stamps:
            try:
                v = fn(t)
            except ZeroDivisionError:
                v = None
            if v is not None:
                out.append((t, round(v, 4)))
        return out

    # --- ListMetrics ----------------------------------------------------------------

    def _all_metrics(self):
        fleet = self.sim.fleet
        for fn in fleet.functions:
            for name in metricgen.LAMBDA_METRICS[:6]:
                yield "AWS/Lambda", name, [("FunctionName", fn.name)]
            for alias in sorted(fn.aliases):
                for name in ("Invocations", "Errors", "Duration"):
                    yield "AWS/Lambda", name, [("FunctionName", fn.name),
                                               ("Resource", "%s:%s" % (fn.name, alias))]
        for name in metricgen.ACCOUNT_METRICS:
            yield "AWS/Lambda", name, []
        for q in fleet.queues:
            for name in metricgen.SQS_METRICS:
                yield "AWS/SQS", name, [("QueueName", q["name"])]
        for group in sorted(fleet.groups):
            for name in metricgen.LOGS_METRICS:
                yield "AWS/Logs", name, [("LogGroupName", group)]
        for proxy in RDS_PROXIES:
            for name in metricgen.RDS_METRICS:
                yield "AWS/RDS", name, [("ProxyName", proxy)]

    def list_metrics(self, req, params):
        want_ns, want_name = params.get("Namespace"), params.get("MetricName")
        filters = params.get("Dimensions") or []
        start = 0
        if params.get("NextToken"):
            start = _untoken(params["NextToken"])[1]
        out, n = [], 0
        for ns, name, dims in self._all_metrics():
            if want_ns and ns != want_ns or want_name and name != want_name:
                continue
            dmap = dict(dims)
            if any(f["Name"] not in dmap or ("Value" in f and dmap[f["Name"]] != f["Value"])
                   for f in filters):
                continue
            if n >= start:
                if len(out) == 500:
                    return {"Metrics": out, "NextToken": _token({"q": 0, "o": n})}
                out.append({"Namespace": ns, "MetricName": name,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in dims]})
            n += 1
        return {"Metrics": out}


def _compile(node, computed):
    """A tiny, safe evaluator for metric math over ids: + - * /, numbers, FILL(x, n)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return lambda t, v=float(node.value): v
    if isinstance(node, ast.Name):
        if node.id not in computed:
            raise ValueError("unknown id %s" % node.id)
        series = dict(computed[node.id])
        return lambda t: series.get(t)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _compile(node.operand, computed)
        return lambda t: None if inner(t) is None else -inner(t)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b, op = _compile(node.left, computed), _compile(node.right, computed), \
            _OPS[type(node.op)]
        return lambda t: (lambda x, y: None if x is None or y is None else op(x, y))(a(t),
                                                                                  b(t))
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FILL" and \
            len(node.args) == 2:
        inner, fill = _compile(node.args[0], computed), _compile(node.args[1], computed)
        return lambda t: inner(t) if inner(t) is not None else fill(t)
    raise ValueError("unsupported expression")


_OPS = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y,
        ast.Mult: lambda x, y: x * y, ast.Div: lambda x, y: x / y}
