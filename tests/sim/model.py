"""The botocore service models: operation lookup, restJson routing and request
binding, input validation (required, types, enums, lengths, ranges, patterns) and
restJson output binding (headers, status code, payload)."""

import base64
import json
import os
import re
import urllib.parse

MODELS_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "..", "..", "data", "aws-models"))
_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")


def _lower_first(name):
    return name[:1].lower() + name[1:]


class Route:
    __slots__ = ("op", "method", "regex", "labels", "query_literal", "weight")

    def __init__(self, op, method, uri):
        self.op = op
        self.method = method
        path, _, query = uri.partition("?")
        self.query_literal = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.labels = []
        pattern = ""
        pos = 0
        for m in _LABEL.finditer(path):
            pattern += re.escape(path[pos:m.start()])
            self.labels.append(m.group(1))
            pattern += "(.+)" if m.group(2) else "([^/]+)"
            pos = m.end()
        pattern += re.escape(path[pos:])
        self.regex = re.compile("^" + pattern + "/?$")
        # Literal segments win over labels; query literals win over none.
        self.weight = (len(path) - sum(len(x) + 2 for x in self.labels), len(self.query_literal))


class ServiceModel:
    def __init__(self, name):
        with open(os.path.join(MODELS_DIR, name, "service-2.json"), encoding="utf-8") as f:
            data = json.load(f)
        self.name = name
        self.meta = data["metadata"]
        self.ops = data["operations"]
        self.shapes = data["shapes"]
        self.routes = []
        self._patterns = {}
        if self.meta.get("protocol") == "rest-json":
            for op, spec in self.ops.items():
                http = spec["http"]
                self.routes.append(Route(op, http["method"], http["requestUri"]))
            self.routes.sort(key=lambda r: r.weight, reverse=True)

    def input_shape(self, op):
        spec = self.ops.get(op, {}).get("input")
        return spec["shape"] if spec else None

    def output_shape(self, op):
        spec = self.ops.get(op, {}).get("output")
        return spec["shape"] if spec else None

    # --- restJson routing and binding -------------------------------------------

    def route(self, method, path, query):
        """Returns (op, {label: decoded value}) or (None, None)."""
        matched_path = False
        for r in self.routes:
            m = r.regex.match(path)
            if not m:
                continue
            matched_path = True
            if r.method != method:
                continue
            if any(query.get(k, [None])[0] != v for k, v in r.query_literal.items()):
                continue
            labels = {n: urllib.parse.unquote(v) for n, v in zip(r.labels, m.groups())}
            return r.op, labels
        return (None, "method") if matched_path else (None, None)

    def rest_input(self, op, labels, req):
        """Binds uri labels, query, headers and the body into one params dict.
        Returns (params, errors)."""
        shape = self.shapes[self.input_shape(op)] if self.input_shape(op) else {"members": {}}
        params, errors = {}, []
        body_members = {}
        for name, mem in shape.get("members", {}).items():
            loc = mem.get("location")
            wire = mem.get("locationName", name)
            if loc == "uri":
                if wire in labels:
                    params[name] = self._from_text(mem["shape"], labels[wire], name, errors)
            elif loc == "querystring":
                self._bind_query(params, name, mem, req, errors)
            elif loc == "header":
                v = req.header(wire.lower())
                if v is not None:
                    params[name] = self._from_text(mem["shape"], v, name, errors)
            elif loc == "headers":
                pre = wire.lower()
                params[name] = {n[len(pre):]: v for n, v in req.headers
                                if n.lower().startswith(pre)}
            else:
                body_members[name] = mem
        payload = shape.get("payload")
        if payload:
            ptype = self.shapes[shape["members"][payload]["shape"]]["type"]
            if ptype in ("blob", "string"):
                params[payload] = req.body
            elif req.body:
                params[payload] = self._json_body(req.body, errors)
        elif body_members and req.body:
            doc = self._json_body(req.body, errors)
            if isinstance(doc, dict):
                for name, mem in body_members.items():
                    key = mem.get("locationName", name)
                    if key in doc:
                        params[name] = doc[key]
        return params, errors

    @staticmethod
    def _json_body(body, errors):
        try:
            return json.loads(body)
        except ValueError:
            errors.append("Could not parse request body into json: Unexpected character")
            return None

    def _bind_query(self, params, name, mem, req, errors):
        wire = mem.get("locationName", name)
        values = req.query.get(wire)
        if values is None:
            return
        target = self.shapes[mem["shape"]]
        if target["type"] == "list":
            params[name] = [self._from_text(target["member"]["shape"], v, name, errors)
                            for v in values]
        else:
            params[name] = self._from_text(mem["shape"], values[0], name, errors)

    def _from_text(self, shape_name, text, member, errors):
        t = self.shapes[shape_name]["type"]
        try:
            if t in ("integer", "long"):
                return int(text)
            if t in ("double", "float"):
                return float(text)
            if t == "boolean":
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                return text.lower() == "true"
        except ValueError:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must be "
                          "of type %s" % (text, _lower_first(member), t))
            return text
        return text

    def rest_output(self, op, result):
        """Returns (status or None, headers list, body bytes, content_type)."""
        out_name = self.output_shape(op)
        shape = self.shapes[out_name] if out_name else {"members": {}}
        status, headers, doc = None, [], {}
        for name, value in result.items():
            mem = shape.get("members", {}).get(name)
            loc = mem.get("location") if mem else None
            if loc == "header":
                headers.append((mem.get("locationName", name), str(value)))
            elif loc == "statusCode":
                status = int(value)
            elif mem is None or name != shape.get("payload"):
                doc[mem.get("locationName", name) if mem else name] = value
        payload = shape.get("payload")
        if payload and payload not in result:
            return status, headers, b"", None
        if payload and payload in result:
            value = result[payload]
            if isinstance(value, (bytes, bytearray)):
                return status, headers, bytes(value), None
            return status, headers, json.dumps(value, separators=(",", ":")).encode(), None
        return status, headers, json.dumps(doc, separators=(",", ":")).encode(), None

    # --- validation -------------------------------------------------------------

    def validate(self, op, params):
        """Returns a list of AWS-style constraint messages (empty when valid)."""
        name = self.input_shape(op)
        errors = []
        if name:
            self._check_struct(name, params if params is not None else {}, "", errors)
        return errors

    def _check(self, shape_name, value, path, errors):
        shape = self.shapes[shape_name]
        t = shape["type"]
        check = _CHECKS.get(t)
        if check is None:
            return
        if not check(value):
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must be "
                          "of type %s" % (_short(value), path, t))
            return
        if t == "structure":
            self._check_struct(shape_name, value, path + ".", errors)
        elif t == "list":
            self._check_size(shape, len(value), value, path, errors, "length")
            for i, item in enumerate(value):
                self._check(shape["member"]["shape"], item, "%s.%d.member" % (path, i + 1),
                            errors)
        elif t == "map":
            self._check_size(shape, len(value), value, path, errors, "length")
            for k, v in value.items():
                self._check(shape["key"]["shape"], k, path + ".key", errors)
                self._check(shape["value"]["shape"], v, path + ".value", errors)
        elif t == "string":
            self._check_string(shape_name, shape, value, path, errors)
        elif t in ("integer", "long", "double", "float"):
            self._check_range(shape, value, path, errors)

    def _check_struct(self, shape_name, value, prefix, errors):
        shape = self.shapes[shape_name]
        members = shape.get("members", {})
        for req in shape.get("required", []):
            if value.get(req) is None:
                errors.append("Value null at '%s%s' failed to satisfy constraint: Member "
                              "must not be null" % (prefix, _lower_first(req)))
        for name, v in value.items():
            mem = members.get(name)
            if mem is None or v is None:
                continue
            self._check(mem["shape"], v, prefix + _lower_first(name), errors)

    @staticmethod
    def _check_size(shape, n, value, path, errors, what):
        if "min" in shape and n < shape["min"]:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                          "%s greater than or equal to %d" % (_short(value), path, what,
                                                             shape["min"]))
        if "max" in shape and n > shape["max"]:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                          "%s less than or equal to %d" % (_short(value), path, what,
                                                          shape["max"]))

    def _check_string(self, shape_name, shape, value, path, errors):
        self._check_size(shape, len(value), value, path, errors, "length")
        enum = shape.get("enum")
        if enum and value not in enum:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must "
                          "satisfy enum value set: [%s]" % (_short(value), path,
                                                           ", ".join(enum)))
        pat = self._pattern(shape_name, shape)
        if pat is not None and value and not pat.fullmatch(value):
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must "
                          "satisfy regular expression pattern: %s" % (_short(value), path,
                                                                      shape["pattern"]))

    def _pattern(self, shape_name, shape):
        if "pattern" not in shape:
            return None
        if shape_name not in self._patterns:
            try:
                self._patterns[shape_name] = re.compile(shape["pattern"], re.S)
            except re.error:
                self._patterns[shape_name] = None
        return self._patterns[shape_name]

    @staticmethod
    def _check_range(shape, value, path, errors):
        if "min" in shape and value < shape["min"]:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                          "value greater than or equal to %s" % (value, path, shape["min"]))
        if "max" in shape and value > shape["max"]:
            errors.append("Value '%s' at '%s' failed to satisfy constraint: Member must have "
                          "value less than or equal to %s" % (value, path, shape["max"]))


def _short(value):
    s = value if isinstance(value, str) else json.dumps(value)[:200]
    return s if len(s) <= 200 else s[:200] + "..."


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_blob(v):
    return isinstance(v, (str, bytes, bytearray))


_CHECKS = {
    "structure": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "map": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "long": _is_int,
    "double": _is_num,
    "float": _is_num,
    "boolean": lambda v: isinstance(v, bool),
    "timestamp": lambda v: _is_num(v) or isinstance(v, str),
    "blob": _is_blob,
}


def format_errors(errors, limit=10):
    n = len(errors)
    head = "%d validation error%s detected: " % (n, "" if n == 1 else "s")
    return head + "; ".join(errors[:limit])


def decode_blob(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return base64.b64decode(value)


_cache = {}


def load(name):
    m = _cache.get(name)
    if m is None:
        m = _cache[name] = ServiceModel(name)
    return m
