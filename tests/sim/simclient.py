"""A minimal signed AWS client for the smoke tests (keep-alive, SigV4 via sigv4.sign)."""

import gzip
import http.client
import json
import urllib.parse

import sigv4
from creds import STATIC_ACCESS_KEY, STATIC_SECRET_KEY

JSON_TARGETS = {"logs": ("Logs_20140328", "1.1"), "sqs": ("AmazonSQS", "1.0"),
                "monitoring": ("GraniteServiceVersion20100801", "1.0"),
                "events": ("AWSEvents", "1.1")}


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode("utf-8", "surrogateescape"))

    def error_code(self):
        code = self.header("x-amzn-query-error") or self.header("x-amzn-errortype")
        if code:
            return code.split(";")[0].split(":")[0]
        try:
            return self.json().get("__type", "").split("#")[-1]
        except ValueError:
            return None


class Client:
    def __init__(self, port, host="127.0.0.1", access_key=STATIC_ACCESS_KEY,
                 secret=STATIC_SECRET_KEY, token=None, region="us-east-1", timeout=30):
        self.port = port
        self.host = host
        self.access_key, self.secret, self.token = access_key, secret, token
        self.region = region
        self.timeout = timeout
        self.conn = None
        self.clock_offset = 0.0

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def raw(self, method, path, body=b"", headers=None, sign_as=None, query=""):
        hdrs = [("Host", "%s:%d" % (self.host, self.port))] + list(headers or [])
        if sign_as:
            import time
            hdrs = sigv4.sign(method, path, query, hdrs, body, self.access_key, self.secret,
                              self.region, sign_as, now=time.time() + self.clock_offset,
                              token=self.token)
        target = path + ("?" + query if query else "")
        conn = self._conn()
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for n, v in hdrs:
                conn.putheader(n, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        h = {k.lower(): v for k, v in resp.getheaders()}
        if h.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        if resp.will_close:
            self.close()
        return Reply(resp.status, h, data)

    def json_call(self, service, op, doc=None):
        target, ver = JSON_TARGETS[service]
        body = json.dumps(doc or {}).encode()
        hdrs = [("X-Amz-Target", "%s.%s" % (target, op)),
                ("Content-Type", "application/x-amz-json-%s" % ver)]
        if service in ("sqs", "monitoring"):
            hdrs.append(("x-amzn-query-mode", "true"))
        return self.raw("POST", "/", body, hdrs, sign_as=service)

    def rest_call(self, service, method, path, query=None, doc=None, headers=None,
                  body=None):
        q = urllib.parse.urlencode(query or {}, quote_via=urllib.parse.quote)
        if body is None:
            body = json.dumps(doc).encode() if doc is not None else b""
        hdrs = list(headers or [])
        if doc is not None:
            hdrs.append(("Content-Type", "application/json"))
        return self.raw(method, path, body, hdrs, sign_as=service, query=q)

    def sts(self, action, params=None, signed=True):
        form = dict(params or {})
        form.update(Action=action, Version="2011-06-15")
        body = urllib.parse.urlencode(form).encode()
        hdrs = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        return self.raw("POST", "/", body, hdrs, sign_as="sts" if signed else None)

    def control(self, method, name, doc=None, query=""):
        body = json.dumps(doc).encode() if doc is not None else b""
        return self.raw(method, "/_sim/" + name, body, [("Content-Type", "application/json")],
                        query=query)
