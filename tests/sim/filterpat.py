"""CloudWatch Logs filter patterns, the subset fleetdeck uses: plain terms (all must
appear), "quoted phrases", ?term (any of), -term (none of), %regex%, and JSON
selectors { $.a.b = "x" } with = != < > <= >=, * wildcards, && and ||."""

import fnmatch
import json
import re

_JSON_CMP = re.compile(r"\s*\$\.([\w.\[\]-]+)\s*(=|!=|<=|>=|<|>)\s*(\"(?:[^\"\\]|\\.)*\"|"
                       r"[^\s&|)]+)\s*")


class PatternError(ValueError):
    pass


def compile_pattern(text):
    """Returns a predicate message(str) -> bool.  Raises PatternError."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("{"):
        return _json_pattern(text)
    if text.startswith("["):
        raise PatternError("space-delimited filter patterns are not simulated")
    return _term_pattern(text)


def _tokens(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        prefix = ""
        if text[i] in "?-" and i + 1 < n and not text[i + 1].isspace():
            prefix, i = text[i], i + 1
        if text[i] == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise PatternError("unterminated quote in filter pattern")
            out.append((prefix, "phrase", text[i + 1:j]))
            i = j + 1
        elif text[i] == "%":
            j = text.find("%", i + 1)
            if j < 0:
                raise PatternError("unterminated %regex% in filter pattern")
            try:
                out.append((prefix, "regex", re.compile(text[i + 1:j])))
            except re.error as e:
                raise PatternError("bad regular expression: %s" % e)
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            out.append((prefix, "term", text[i:j]))
            i = j
    return out


def _term_pattern(text):
    must, anyof, nots = [], [], []
    for prefix, kind, value in _tokens(text):
        test = (lambda m, r=value: r.search(m) is not None) if kind == "regex" else \
            (lambda m, s=value: s in m)
        {"": must, "?": anyof, "-": nots}[prefix].append(test)

    def match(msg):
        if any(not t(msg) for t in must):
            return False
        if anyof and not any(t(msg) for t in anyof):
            return False
        return not any(t(msg) for t in nots)
    return match


def _lookup(doc, path):
    cur = doc
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            idx = int(part[1:-1])
            if not isinstance(cur, list) or idx >= len(cur):
                return _MISSING
            cur = cur[idx]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return _MISSING
            cur = cur[part]
    return cur


_MISSING = object()


def _compare(value, op, literal):
    if value is _MISSING:
        return False
    if literal.startswith('"'):
        want = json.loads(literal)
        if not isinstance(value, str):
            value = json.dumps(value) if not isinstance(value, (int, float)) else str(value)
        hit = fnmatch.fnmatchcase(value, want) if "*" in want else value == want
        return hit if op == "=" else (not hit if op == "!=" else False)
    if literal in ("true", "false", "null"):
        hit = value == json.loads(literal)
        return hit if op == "=" else not hit
    try:
        num = float(literal)
    except ValueError:
        hit = fnmatch.fnmatchcase(str(value), literal)
        return hit if op == "=" else not hit
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return op == "!="
    return {"=": value == num, "!=": value != num, "<": value < num, ">": value > num,
            "<=": value <= num, ">=": value >= num}[op]


def _json_pattern(text):
    body = text.strip()
    if not body.endswith("}"):
        raise PatternError("unbalanced braces in JSON filter pattern")
    body = body[1:-1].strip().replace("(", " ").replace(")", " ")
    clauses = []
    joins = []
    pos = 0
    while True:
        m = _JSON_CMP.match(body, pos)
        if not m:
            raise PatternError("cannot parse JSON filter pattern near %r" % body[pos:pos + 30])
        clauses.append((m.group(1), m.group(2), m.group(3)))
        pos = m.end()
        if pos >= len(body):
            break
        op = body[pos:pos + 2]
        if op not in ("&&", "||"):
            raise PatternError("expected && or || in JSON filter pattern")
        joins.append(op)
        pos += 2

    def match(msg):
        s = msg.strip()
        if not s.startswith("{"):
            return False
        try:
            doc = json.loads(s)
        except ValueError:
            return False
        result = _compare(_lookup(doc, clauses[0][0]), clauses[0][1], clauses[0][2])
        for join, (path, op, lit) in zip(joins, clauses[1:]):
            v = _compare(_lookup(doc, path), op, lit)
            result = (result and v) if join == "&&" else (result or v)
        return result
    return match
