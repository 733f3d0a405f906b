"""Logs Insights: StartQuery / GetQueryResults / StopQuery / DescribeQueries over the
generated events, for the query subset fleetdeck uses:
  fields a, b | filter <expr> | parse @message "x * y" as a, b | parse @message /(?<n>..)/
  | stats count(*), avg(f), sum(f), min(f), max(f), pct(f, 99), count_distinct(f)
    [as alias] by bin(5m), field | sort f [asc|desc] | limit N | display a, b
filter expressions: comparisons (= != < > <= >=), like /re/ or "text", not like, in [..],
ispresent(f), joined with and / or / not and parentheses.
Status goes Scheduled -> Running -> Complete over successive GetQueryResults polls."""

import fnmatch
import json
import re
import time
import uuid

from protocol import ApiError

MAX_SCAN = 1500000
_TOKEN = re.compile(r"\s*(?:(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(/(?:[^/\\]|\\.)+/)|"
                    r"(-?\d+(?:\.\d+)?)|(`[^`]+`|@?[A-Za-z_][\w.@-]*)|(<=|>=|!=|=~|=|<|>|\(|\)"
                    r"|\[|\]|,|\*))")
_REPORT = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration|"
                     r"Restore Duration): ([\d.]+)")
_REPORT_FIELDS = {"Duration": "@duration", "Billed Duration": "@billedDuration",
                  "Memory Size": "@memorySize", "Max Memory Used": "@maxMemoryUsed",
                  "Init Duration": "@initDuration", "Restore Duration": "@restoreDuration"}
_REQID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class QueryError(Exception):
    pass


def ts_text(ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000)) + ".%03d" % (ms % 1000)


def tokenize(text):
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError("unexpected character at %d: %r" % (pos, text[pos:pos + 10]))
        pos = m.end()
        s, rx, num, ident, op = m.groups()
        if s is not None:
            out.append(("str", s[1:-1].replace('\\"', '"').replace("\\'", "'")))
        elif rx is not None:
            out.append(("re", re.compile(rx[1:-1])))
        elif num is not None:
            out.append(("num", float(num)))
        elif ident is not None:
            out.append(("id", ident.strip("`")))
        else:
            out.append(("op", op))
    return out


# --- event fields ----------------------------------------------------------------------

def fields_of(ev, group, account):
    msg = ev[3]
    f = {"@timestamp": ev[0], "@message": msg, "@logStream": ev[2],
         "@log": "%s:%s" % (account, group), "@ingestionTime": ev[4]}
    head = msg[:7]
    if head.startswith("REPORT"):
        f["@type"] = "REPORT"
        f["@requestId"] = msg[18:54]
        for k, v in _REPORT.findall(msg):
            f[_REPORT_FIELDS[k]] = float(v)
        if "XRAY TraceId: " in msg:
            f["@xrayTraceId"] = msg.split("XRAY TraceId: ")[1].split("\t")[0]
    elif head.startswith(("START", "END")):
        f["@type"] = head.split(" ")[0]
        f["@requestId"] = msg.split("RequestId: ")[1][:36]
    elif msg.startswith("{"):
        _json_fields(msg, f)
    else:
        m = _REQID.search(msg[:120])
        if m:
            f["@requestId"] = m.group(0)
    return f


def _json_fields(msg, f):
    try:
        doc = json.loads(msg)
    except ValueError:
        return
    if not isinstance(doc, dict):
        return
    _flatten(doc, "", f)
    rec = doc.get("record") if isinstance(doc.get("record"), dict) else {}
    if "type" in doc:
        f["@type"] = doc["type"]
    rid = rec.get("requestId") or doc.get("requestId") or doc.get("function_request_id")
    if rid:
        f["@requestId"] = rid
    metrics = rec.get("metrics") if isinstance(rec.get("metrics"), dict) else {}
    for src, dst in (("durationMs", "@duration"), ("billedDurationMs", "@billedDuration"),
                     ("memorySizeMB", "@memorySize"), ("maxMemoryUsedMB", "@maxMemoryUsed"),
                     ("initDurationMs", "@initDuration")):
        if src in metrics and doc.get("type") == "platform.report":
            f[dst] = metrics[src]


def _flatten(doc, prefix, out, depth=0):
    for k, v in doc.items():
        key = prefix + k
        if isinstance(v, dict) and depth < 3:
            _flatten(v, key + ".", out, depth + 1)
        elif not isinstance(v, (dict, list)):
            out.setdefault(key, v)


# --- filter expressions ----------------------------------------------------------------

class Parser:
    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    def peek(self, kind=None, value=None):
        if self.i >= len(self.t):
            return None
        tok = self.t[self.i]
        if kind and tok[0] != kind:
            return None
        if value is not None and (not isinstance(tok[1], str) or tok[1].lower() != value):
            return None
        return tok

    def take(self, kind=None, value=None):
        tok = self.peek(kind, value)
        if tok is None:
            raise QueryError("expected %s near token %d" % (value or kind, self.i))
        self.i += 1
        return tok

    def expr(self):
        left = self.conj()
        while self.peek("id", "or"):
            self.i += 1
            right = self.conj()
            left = (lambda a, b: lambda f: a(f) or b(f))(left, right)
        return left

    def conj(self):
        left = self.unary()
        while self.peek("id", "and"):
            self.i += 1
            right = self.unary()
            left = (lambda a, b: lambda f: a(f) and b(f))(left, right)
        return left

    def unary(self):
        if self.peek("id", "not"):
            self.i += 1
            inner = self.unary()
            return lambda f: not inner(f)
        if self.peek("op", "("):
            self.i += 1
            inner = self.expr()
            self.take("op", ")")
            return inner
        return self.comparison()

    def operand(self):
        tok = self.take()
        if tok[0] == "id" and tok[1].lower() == "ispresent" and self.peek("op", "("):
            self.take("op", "(")
            name = self.take("id")[1]
            self.take("op", ")")
            return ("present", name)
        return tok

    def comparison(self):
        left = self.operand()
        if left[0] == "present":
            return lambda f, n=left[1]: f.get(n) is not None
        negate = bool(self.peek("id", "not"))
        if negate:
            self.i += 1
        op = self.take()
        if op[1] in ("like", "=~") or (isinstance(op[1], str) and op[1].lower() == "like"):
            test = _like(self.take())
        elif isinstance(op[1], str) and op[1].lower() == "in":
            test = self._in_list()
        elif op[0] == "op" and op[1] in ("=", "!=", "<", ">", "<=", ">="):
            test = _cmp(op[1], self.take())
        else:
            raise QueryError("unsupported operator %r" % (op[1],))
        name = left[1]
        if negate:
            return lambda f: not test(f.get(name))
        return lambda f: test(f.get(name))

    def _in_list(self):
        self.take("op", "[")
        values = []
        while not self.peek("op", "]"):
            values.append(self.take()[1])
            if self.peek("op", ","):
                self.i += 1
        self.take("op", "]")
        return lambda v: v in values or (isinstance(v, (int, float)) and float(v) in values)


def _like(tok):
    if tok[0] == "re":
        rx = tok[1]
        return lambda v: v is not None and rx.search(str(v)) is not None
    s = str(tok[1])
    return lambda v: v is not None and s in str(v)


def _cmp(op, tok):
    lit = tok[1]

    def test(v):
        if v is None:
            return op == "!="
        a, b = v, lit
        if isinstance(b, float):
            try:
                a = float(a)
            except (TypeError, ValueError):
                return op == "!="
        else:
            a = str(a)
            if op in ("=", "!=") and "*" in b:
                hit = fnmatch.fnmatchcase(a, b)
                return hit if op == "=" else not hit
        return {"=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b,
                ">=": a >= b}[op]
    return test


# --- commands --------------------------------------------------------------------------

def _split_commands(text):
    out, cur, quote, rx = [], [], None, False
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'/":
            quote = ch
        if ch == "|":
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return [c for c in out if c]


def _bin_ms(spec):
    m = re.fullmatch(r"(\d+)\s*(ms|s|m|h|d)", spec.strip())
    if not m:
        raise QueryError("bad bin period %r" % spec)
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000,
                              "d": 86400000}[m.group(2)]


class Query:
    """A compiled query: a list of steps over field dicts, plus stats/sort/limit."""

    def __init__(self, text):
        self.fields = None
        self.filters = []
        self.parses = []
        self.stats = None
        self.sort = None
        self.limit = None
        self.steps = []
        for cmd in _split_commands(text):
            word, _, rest = cmd.partition(" ")
            handler = getattr(self, "_cmd_" + word.lower(), None)
            if handler is None:
                raise QueryError("unknown command %r" % word)
            handler(rest.strip())

    def _cmd_fields(self, rest):
        names = [n.strip() for n in rest.split(",") if n.strip()]
        self.fields = [n.split(" as ")[-1].strip().strip("`") for n in names]
        self.steps.append(("alias", [(n.split(" as ")[0].strip().strip("`"),
                                      n.split(" as ")[-1].strip().strip("`"))
                                     for n in names if " as " in n]))

    _cmd_display = _cmd_fields

    def _cmd_filter(self, rest):
        p = Parser(tokenize(rest))
        pred = p.expr()
        if p.i != len(p.t):
            raise QueryError("unexpected tokens after filter expression")
        self.steps.append(("filter", pred))

    def _cmd_parse(self, rest):
        m = re.match(r"(@?[\w.]+)\s+(.*)$", rest, re.S)
        if not m:
            raise QueryError("bad parse command")
        src, spec = m.group(1), m.group(2).strip()
        if spec.startswith("/"):
            end = spec.rfind("/")
            rx = re.compile(spec[1:end].replace("(?<", "(?P<"))
            self.steps.append(("parse", (src, rx, list(rx.groupindex))))
            return
        pm = re.match(r"([\"'])(.*?)\1\s+as\s+(.*)$", spec, re.S)
        if not pm:
            raise QueryError("bad parse command")
        parts = [re.escape(x) for x in pm.group(2).split("*")]
        rx = re.compile("(.*?)".join(parts[:-1]) + "(.*)" + parts[-1] if len(parts) > 1
                        else re.escape(pm.group(2)))
        names = [n.strip() for n in pm.group(3).split(",")]
        self.steps.append(("parse", (src, rx, names)))

    def _cmd_stats(self, rest):
        body, _, by = rest.partition(" by ")
        aggs = []
        for part in _split_top(body):
            expr, _, alias = part.partition(" as ")
            m = re.fullmatch(r"(\w+)\s*\((.*)\)", expr.strip())
            if not m:
                raise QueryError("bad stats expression %r" % part)
            args = [a.strip().strip("`") for a in m.group(2).split(",")]
            aggs.append((m.group(1).lower(), args, (alias or expr).strip()))
        keys = []
        for part in _split_top(by) if by else []:
            bm = re.fullmatch(r"bin\s*\((.*)\)", part.strip())
            keys.append(("bin", _bin_ms(bm.group(1)), part.strip()) if bm
                        else ("field", part.strip().strip("`"), part.strip()))
        self.stats = (aggs, keys)

    def _cmd_sort(self, rest):
        parts = rest.split()
        if not parts:
            raise QueryError("sort needs a field")
        self.sort = (parts[0].strip("`"), len(parts) < 2 or parts[1].lower() != "asc")

    def _cmd_limit(self, rest):
        try:
            self.limit = int(rest)
        except ValueError:
            raise QueryError("limit needs a number")

    def apply(self, f):
        """Runs the row steps; returns the fields or None when filtered out."""
        for kind, arg in self.steps:
            if kind == "filter":
                if not arg(f):
                    return None
            elif kind == "parse":
                src, rx, names = arg
                m = rx.search(str(f.get(src, "")))
                if m:
                    for name, value in zip(names, m.groups()):
                        f[name] = value
            elif kind == "alias":
                for a, b in arg:
                    f[b] = f.get(a)
        return f


def _split_top(text):
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


# --- aggregation -----------------------------------------------------------------------

def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _aggregate(kind, args, rows):
    if kind == "count":
        if args[0] in ("*", ""):
            return len(rows)
        return sum(1 for r in rows if r.get(args[0]) is not None)
    if kind == "count_distinct":
        return len({str(r.get(args[0])) for r in rows if r.get(args[0]) is not None})
    vals = sorted(v for v in (_num(r.get(args[0])) for r in rows) if v is not None)
    if not vals:
        return None
    if kind == "avg":
        return sum(vals) / len(vals)
    if kind == "sum":
        return sum(vals)
    if kind == "min":
        return vals[0]
    if kind == "max":
        return vals[-1]
    if kind in ("pct", "percentile"):
        p = float(args[1]) if len(args) > 1 else 50.0
        idx = min(len(vals) - 1, max(0, int(round(p / 100.0 * len(vals) + 0.5)) - 1))
        return vals[idx]
    raise QueryError("unsupported stats function %s" % kind)


def _fmt(v):
    if v is None:
        return None
    if isinstance(v, float):
        return ("%.4f" % v).rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def run_stats(query, rows):
    aggs, keys = query.stats
    groups = {}
    for r in rows:
        key = []
        for kind, arg, _ in keys:
            if kind == "bin":
                key.append(r["@timestamp"] // arg * arg)
            else:
                key.append(r.get(arg))
        groups.setdefault(tuple(key), []).append(r)
    out = []
    for key in sorted(groups, key=lambda k: [str(x) if not isinstance(x, int) else x
                                             for x in k]):
        rec = []
        for (kind, _, label), value in zip(keys, key):
            rec.append({"field": label, "value": ts_text(value) if kind == "bin"
                        else _fmt(value)})
        for kind, args, label in aggs:
            rec.append({"field": label, "value": _fmt(_aggregate(kind, args,
                                                                   groups[key]))})
        out.append(rec)
    return out


def _sorted_rows(query, rows):
    if query.sort:
        name, desc = query.sort
        rows.sort(key=lambda r: (r.get(name) is None, _sortable(r.get(name))), reverse=desc)
    else:
        rows.sort(key=lambda r: r["@timestamp"], reverse=True)
    return rows


def _sortable(v):
    n = _num(v)
    return (0, n, "") if n is not None else (1, 0, str(v))


def _row_out(query, r, ptr):
    names = query.fields or ["@timestamp", "@message"]
    rec = []
    for n in names:
        v = r.get(n)
        if v is None:
            continue
        rec.append({"field": n, "value": ts_text(v) if n in ("@timestamp", "@ingestionTime")
                    and isinstance(v, int) else _fmt(v) if not isinstance(v, str) else v})
    rec.append({"field": "@ptr", "value": ptr})
    return rec


# --- the service side ------------------------------------------------------------------

class Queries:
    def __init__(self, logs):
        self.reset(logs)

    def reset(self, logs):
        self.logs = logs
        self.queries = {}

    def start(self, req, params):
        groups = list(params.get("logGroupNames") or [])
        if params.get("logGroupName"):
            groups.append(params["logGroupName"])
        groups += list(params.get("logGroupIdentifiers") or [])
        if not groups:
            raise ApiError("InvalidParameterException", "Query must specify at least one "
                           "log group", 400)
        resolved = [self.logs.group_by_identifier(g) for g in groups]
        if params["startTime"] > params["endTime"]:
            raise ApiError("InvalidParameterException", "endTime must be after startTime",
                           400)
        try:
            query = Query(params["queryString"])
        except (QueryError, re.error) as e:
            raise ApiError("MalformedQueryException", "Query is malformed: %s" % e, 400,
                           fields={"queryCompileError": {"message": str(e)}})
        qid = str(uuid.uuid4())
        limit = params.get("limit") or query.limit or 1000
        if query.limit:
            limit = min(limit, query.limit)
        results, stats = self._execute(query, resolved, params["startTime"] * 1000,
                                       params["endTime"] * 1000 + 999, limit)
        self.queries[qid] = {"status": "Scheduled", "polls": 0, "results": results,
                             "statistics": stats, "queryString": params["queryString"],
                             "createTime": int(time.time() * 1000),
                             "logGroupName": resolved[0][0]}
        return {"queryId": qid}

    def _execute(self, query, groups, start, end, limit):
        matched, scanned, nbytes, rows = 0, 0, 0, []
        horizon = self.logs.horizon_ms()
        end = min(end, max(horizon, self.logs.now_ms()) + 60000)
        account = self.logs.sim.account
        for name, fn in groups:
            lo = max(start, self.logs.fleet.history_start_min(fn, horizon / 1000.0) * 60000)
            for minute in range(lo // 60000, end // 60000 + 1):
                for ev in self.logs.minute_events(fn, name, minute, horizon):
                    if not start <= ev[0] <= end:
                        continue
                    scanned += 1
                    nbytes += len(ev[3])
                    r = query.apply(fields_of(ev, name, account))
                    if r is not None:
                        matched += 1
                        r["@ptr"] = ev[1]
                        rows.append(r)
                if scanned > MAX_SCAN:
                    break
        stats = {"recordsMatched": float(matched), "recordsScanned": float(scanned),
                 "estimatedRecordsSkipped": 0.0, "bytesScanned": float(nbytes),
                 "estimatedBytesSkipped": 0.0, "logGroupsScanned": float(len(groups))}
        if query.stats:
            results = run_stats(query, rows)
            if query.sort:
                name, desc = query.sort
                idx = lambda rec: next((_sortable(c["value"]) for c in rec
                                        if c["field"] == name), (2, 0, ""))
                results.sort(key=idx, reverse=desc)
            return results[:limit], stats
        rows = _sorted_rows(query, rows)[:limit]
        return [_row_out(query, r, r["@ptr"]) for r in rows], stats

    def _get(self, qid):
        q = self.queries.get(qid)
        if q is None:
            raise ApiError("ResourceNotFoundException", "Query does not exist", 400)
        return q

    def results(self, req, params):
        q = self._get(params["queryId"])
        q["polls"] += 1
        if q["status"] in ("Scheduled", "Running"):
            q["status"] = ("Scheduled", "Running", "Complete")[min(q["polls"] - 1, 2)]
        if q["status"] == "Scheduled":
            return {"results": [], "status": "Scheduled", "statistics": _zero()}
        if q["status"] == "Running":
            part = q["results"][:len(q["results"]) // 2]
            return {"results": part, "status": "Running", "statistics": _half(q)}
        return {"results": q["results"] if q["status"] == "Complete" else [],
                "status": q["status"], "statistics": q["statistics"]}

    def stop(self, req, params):
        q = self._get(params["queryId"])
        if q["status"] not in ("Scheduled", "Running"):
            raise ApiError("InvalidParameterException", "Query is not running", 400)
        q["status"] = "Cancelled"
        return {"success": True}

    def describe(self, req, params):
        out = []
        for qid, q in self.queries.items():
            if params.get("status") and q["status"] != params["status"]:
                continue
            out.append({"queryId": qid, "queryString": q["queryString"],
                        "status": q["status"], "createTime": q["createTime"],
                        "logGroupName": q["logGroupName"]})
        return {"queries": out[-(params.get("maxResults") or 1000):]}


def _zero():
    return {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0}


def _half(q):
    return {k: float(int(v / 2)) for k, v in q["statistics"].items()}
