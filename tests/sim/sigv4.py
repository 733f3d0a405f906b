"""SigV4 (AWS4-HMAC-SHA256) for the simulator: an independent implementation used to
verify incoming requests, and (in reverse) to sign requests in the smoke tests.

Only header signing is supported.  The canonical request is rebuilt from the raw
request line as it arrived on the wire: the path is normalised (dot segments and
duplicate slashes removed) and URI-encoded a second time, as every non-S3 service
does; the query is decoded, re-encoded and sorted by key then value."""

import calendar
import hashlib
import hmac
import re
import time
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_SAFE = "-_.~"
_WS = re.compile(r"\s+")
_AUTH_PART = re.compile(r"(Credential|SignedHeaders|Signature)\s*=\s*([^,\s]*)")


class SigError(Exception):
    """A request whose signature cannot be accepted.  kind is one of
    'incomplete' (malformed Authorization), 'mismatch', 'expired', 'scope'."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _quote(s, safe=_SAFE):
    return urllib.parse.quote(s, safe=safe)


def normalize_path(raw):
    """Removes '.' and '..' segments and collapses runs of '/' (non-S3 rule)."""
    if not raw:
        return "/"
    trailing = raw.endswith("/") and raw != "/"
    out = []
    for seg in raw.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    path = "/" + "/".join(out)
    if trailing and path != "/":
        path += "/"
    return path


def canonical_uri(raw_path, normalize=True, double_encode=True):
    path = normalize_path(raw_path) if normalize else (raw_path or "/")
    if not double_encode:
        return path
    return _quote(path, safe="/" + _SAFE)


def canonical_query(raw_query):
    if not raw_query:
        return ""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        k = _quote(urllib.parse.unquote(k))
        v = _quote(urllib.parse.unquote(v))
        pairs.append((k, v))
    pairs.sort()
    return "&".join(k + "=" + v for k, v in pairs)


def canonical_header_value(values):
    return ",".join(_WS.sub(" ", v.strip()) for v in values)


def canonical_request(method, raw_path, raw_query, headers, signed, payload_hash,
                      normalize=True):
    """headers: list of (name, value) in wire order; signed: lowercase names."""
    byname = {}
    for name, value in headers:
        byname.setdefault(name.lower(), []).append(value)
    lines = [method, canonical_uri(raw_path, normalize), canonical_query(raw_query)]
    for name in signed:
        lines.append(name + ":" + canonical_header_value(byname.get(name, [])))
    lines.append("")
    lines.append(";".join(signed))
    lines.append(payload_hash)
    return "\n".join(lines)


def string_to_sign(amz_date, scope, creq):
    digest = hashlib.sha256(creq.encode("utf-8", "surrogateescape")).hexdigest()
    return "\n".join((ALGORITHM, amz_date, scope, digest))


_key_cache = {}


def signing_key(secret, date, region, service):
    ck = (secret, date, region, service)
    key = _key_cache.get(ck)
    if key is None:
        key = ("AWS4" + secret).encode()
        for part in (date, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if len(_key_cache) > 4096:
            _key_cache.clear()
        _key_cache[ck] = key
    return key


def signature(secret, date, region, service, sts):
    key = signing_key(secret, date, region, service)
    return hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


class Auth:
    """The parsed Authorization header."""

    __slots__ = ("access_key", "date", "region", "service", "signed", "signature")

    def __init__(self, value):
        if not value.startswith(ALGORITHM + " "):
            raise SigError("incomplete", "Authorization header requires '%s' algorithm"
                           % ALGORITHM if not value.startswith("AWS4")
                           else "Unsupported AWS 'algorithm'")
        parts = dict(_AUTH_PART.findall(value[len(ALGORITHM):]))
        missing = [p for p in ("Credential", "SignedHeaders", "Signature") if not parts.get(p)]
        if missing:
            raise SigError("incomplete", "Authorization header requires '%s' parameter. "
                           "Authorization=%s" % (missing[0], value))
        cred = parts["Credential"].split("/")
        if len(cred) != 5 or cred[4] != "aws4_request":
            raise SigError("incomplete", "Credential should be scoped to a valid region. "
                           "Credential=%s" % parts["Credential"])
        self.access_key, self.date, self.region, self.service = cred[:4]
        self.signed = parts["SignedHeaders"].split(";")
        self.signature = parts["Signature"]

    @property
    def scope(self):
        return "/".join((self.date, self.region, self.service, "aws4_request"))


_date_cache = {}


def amz_date_to_epoch(s):
    t = _date_cache.get(s)
    if t is None:
        if len(s) != 16 or s[8] != "T" or s[15] != "Z" or not (s[:8] + s[9:15]).isdigit():
            return None
        try:
            t = calendar.timegm((int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[9:11]),
                                 int(s[11:13]), int(s[13:15]), 0, 0, 0))
        except (ValueError, OverflowError):
            return None
        if len(_date_cache) > 10000:
            _date_cache.clear()
        _date_cache[s] = t
    return t


def epoch_to_amz_date(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def check_clock(amz_date, now, tolerance=900):
    """Raises 'expired' SigError when amz_date is more than tolerance seconds away."""
    t = amz_date_to_epoch(amz_date)
    if t is None:
        raise SigError("incomplete", "Date must be in ISO-8601 'basic format'. Got '%s'. "
                       "See http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
    if now - t > tolerance:
        raise SigError("expired", "Signature expired: %s is now earlier than %s (%s - %d min.)"
                       % (amz_date, epoch_to_amz_date(now - tolerance),
                          epoch_to_amz_date(now), tolerance // 60))
    if t - now > tolerance:
        raise SigError("expired", "Signature expired: %s is now later than %s (%s + %d min.)"
                       % (amz_date, epoch_to_amz_date(now + tolerance),
                          epoch_to_amz_date(now), tolerance // 60))


def verify(method, raw_path, raw_query, headers, body, auth, secret):
    """Checks auth.signature against the request.  headers: list of (name, value)."""
    hmap = {}
    for name, value in headers:
        hmap.setdefault(name.lower(), value)
    if "host" not in auth.signed:
        raise SigError("incomplete", "'Host' or ':authority' must be a 'SignedHeader' in "
                       "the AWS Authorization.")
    if "x-amz-security-token" in hmap and "x-amz-security-token" not in auth.signed:
        raise SigError("incomplete", "'X-Amz-Security-Token' must be a 'SignedHeader' in "
                       "the AWS Authorization.")
    amz_date = hmap.get("x-amz-date") or ""
    if amz_date[:8] != auth.date:
        raise SigError("mismatch", "Date in Credential scope does not match YYYYMMDD from "
                       "ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
                       % (auth.date, amz_date[:8], amz_date))
    payload = hmap.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    creq = canonical_request(method, raw_path, raw_query, headers, auth.signed, payload)
    sts = string_to_sign(amz_date, auth.scope, creq)
    want = signature(secret, auth.date, auth.region, auth.service, sts)
    if not hmac.compare_digest(want, auth.signature):
        raise SigError("mismatch", "The request signature we calculated does not match the "
                       "signature you provided. Check your AWS Secret Access Key and signing "
                       "method. Consult the service documentation for details.\n\nThe "
                       "Canonical String for this request should have been\n'%s'\n\nThe "
                       "String-to-Sign should have been\n'%s'\n" % (creq, sts))


# Headers botocore never signs.
_UNSIGNED = {"user-agent", "expect", "x-amzn-trace-id", "connection", "keep-alive",
             "proxy-authenticate", "proxy-authorization", "te", "trailer",
             "transfer-encoding", "upgrade", "authorization", "content-length"}


def sign(method, url_path, raw_query, headers, body, access_key, secret, region, service,
         now=None, token=None):
    """Returns headers (list) with X-Amz-Date, X-Amz-Security-Token and Authorization
    added.  headers must include Host."""
    amz_date = epoch_to_amz_date(time.time() if now is None else now)
    hdrs = [(n, v) for n, v in headers if n.lower() not in ("authorization", "x-amz-date")]
    hdrs.append(("X-Amz-Date", amz_date))
    if token:
        hdrs.append(("X-Amz-Security-Token", token))
    signed = sorted({n.lower() for n, _ in hdrs if n.lower() not in _UNSIGNED})
    scope = "/".join((amz_date[:8], region, service, "aws4_request"))
    creq = canonical_request(method, url_path, raw_query, hdrs, signed,
                             hashlib.sha256(body).hexdigest())
    sig = signature(secret, amz_date[:8], region, service,
                    string_to_sign(amz_date, scope, creq))
    hdrs.append(("Authorization", "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                 % (ALGORITHM, access_key, scope, ";".join(signed), sig)))
    return hdrs
