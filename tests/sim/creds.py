"""Credentials the simulator accepts: the static key pair and every temporary
credential it issued (STS, SSO portal, IMDS, container endpoint).  Also serves the
unsigned credential endpoints: SSO portal, SSO OIDC, IMDSv2 and the container
credentials endpoint."""

import json
import secrets
import time
import urllib.parse

from server import Response

STATIC_ACCESS_KEY = "AKIDSIMULATOR0000001"
STATIC_SECRET_KEY = "sim-secret-key-0000000000000000000000001"
SSO_FIXED_TOKEN = "sim-sso-token"
CONTAINER_TOKEN = "sim-container-token"
IMDS_ROLE = "sim-instance-role"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class Credential:
    __slots__ = ("access_key", "secret", "token", "expires", "arn", "account", "user_id",
                 "source")

    def __init__(self, access_key, secret, token, expires, arn, account, user_id, source):
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.expires = expires
        self.arn = arn
        self.account = account
        self.user_id = user_id
        self.source = source


def iso8601(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class CredentialStore:
    def __init__(self, clock, account):
        self.clock = clock
        self.account = account
        self.default_ttl = 3600
        self.ttl_override = None
        self.sso_tokens = {SSO_FIXED_TOKEN}
        self.refresh_tokens = {}
        self.imds_tokens = {}
        self.issued = {}
        self.static = Credential(STATIC_ACCESS_KEY, STATIC_SECRET_KEY, None, None,
                                 "arn:aws:iam::%s:user/sim-user" % account, account,
                                 "AIDASIMULATORUSER0001", "static")

    def reset(self, account):
        self.__init__(self.clock, account)

    def lookup(self, access_key):
        if access_key == STATIC_ACCESS_KEY:
            return self.static
        return self.issued.get(access_key)

    def issue(self, arn, user_id, source, ttl=None):
        if self.ttl_override is not None:
            ttl = self.ttl_override
        elif ttl is None:
            ttl = self.default_ttl
        ak = "ASIA" + "".join(secrets.choice(_ALNUM) for _ in range(16))
        cred = Credential(ak, secrets.token_urlsafe(30)[:40],
                          "FwoGZXIvYXdzE" + secrets.token_urlsafe(180),
                          self.clock.now() + ttl, arn, self.account, user_id, source)
        self.issued[ak] = cred
        return cred

    def issue_role(self, role_arn, session_name, source, ttl=None):
        role = role_arn.rsplit("/", 1)[-1] if "/" in role_arn else role_arn
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else self.account
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account or self.account, role,
                                                      session_name)
        uid = "AROASIMULATORROLE%04d:%s" % (len(self.issued) % 10000, session_name)
        return self.issue(arn, uid, source, ttl)


def _json_resp(status, doc, headers=None):
    body = json.dumps(doc).encode()
    return Response(status, body, [("Content-Type", "application/json")] + (headers or []))


def _plain(status, text):
    return Response(status, text.encode(), [("Content-Type", "text/plain")])


def sso_get_role_credentials(store, req):
    token = req.header("x-amz-sso_bearer_token")
    if not token or token not in store.sso_tokens:
        return _json_resp(401, {"message": "Session token not found or invalid"},
                          [("x-amzn-ErrorType", "UnauthorizedException")])
    role = req.qget("role_name")
    account = req.qget("account_id")
    if not role or not account:
        return _json_resp(400, {"message": "role_name and account_id are required"},
                          [("x-amzn-ErrorType", "InvalidRequestException")])
    cred = store.issue_role("arn:aws:iam::%s:role/%s" % (account, role), "sso-user",
                            "sso")
    return _json_resp(200, {"roleCredentials": {
        "accessKeyId": cred.access_key, "secretAccessKey": cred.secret,
        "sessionToken": cred.token, "expiration": int(cred.expires * 1000)}})


def oidc_create_token(store, req):
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not doc.get("clientId") or not doc.get("grantType"):
        return _json_resp(400, {"error": "invalid_request",
                                "error_description": "clientId and grantType are required"},
                          [("x-amzn-ErrorType", "InvalidRequestException")])
    if doc["grantType"] != "refresh_token" or not doc.get("refreshToken"):
        return _json_resp(400, {"error": "unsupported_grant_type"},
                          [("x-amzn-ErrorType", "UnsupportedGrantTypeException")])
    access = "sim-sso-access-" + secrets.token_hex(16)
    refresh = "sim-sso-refresh-" + secrets.token_hex(16)
    store.sso_tokens.add(access)
    return _json_resp(200, {"accessToken": access, "tokenType": "Bearer",
                            "expiresIn": 28800, "refreshToken": refresh})


def imds(store, req):
    path = req.path
    if path == "/latest/api/token":
        if req.method != "PUT":
            return _plain(405, "Method Not Allowed")
        try:
            ttl = int(req.header("x-aws-ec2-metadata-token-ttl-seconds", ""))
        except ValueError:
            return _plain(400, "Bad Request")
        if not 1 <= ttl <= 21600:
            return _plain(400, "Bad Request")
        tok = "sim-imds-" + secrets.token_urlsafe(24)
        store.imds_tokens[tok] = store.clock.now() + ttl
        return Response(200, tok.encode(), [("Content-Type", "text/plain"),
                                            ("x-aws-ec2-metadata-token-ttl-seconds",
                                             str(ttl))])
    tok = req.header("x-aws-ec2-metadata-token")
    if not tok or store.imds_tokens.get(tok, 0) < store.clock.now():
        return _plain(401, "Unauthorized")
    base = "/latest/meta-data/iam/security-credentials/"
    if path == base:
        return _plain(200, IMDS_ROLE)
    if path.startswith(base) and urllib.parse.unquote(path[len(base):]) == IMDS_ROLE:
        cred = store.issue_role("arn:aws:iam::%s:role/%s" % (store.account, IMDS_ROLE),
                                "i-0123456789abcdef0", "imds", ttl=6 * 3600)
        return _json_resp(200, {"Code": "Success", "LastUpdated": iso8601(store.clock.now()),
                                "Type": "AWS-HMAC", "AccessKeyId": cred.access_key,
                                "SecretAccessKey": cred.secret, "Token": cred.token,
                                "Expiration": iso8601(cred.expires)})
    return _plain(404, "Not Found")


def container(store, req):
    if req.header("authorization") != CONTAINER_TOKEN:
        return _json_resp(403, {"code": "AccessDenied", "message": "Access denied"})
    cred = store.issue_role("arn:aws:iam::%s:role/sim-task-role" % store.account,
                            "sim-task", "container")
    return _json_resp(200, {"RoleArn": "arn:aws:iam::%s:role/sim-task-role" % store.account,
                            "AccessKeyId": cred.access_key, "SecretAccessKey": cred.secret,
                            "Token": cred.token, "Expiration": iso8601(cred.expires)})


def route(req):
    """Returns (service, op) for an unsigned credential endpoint, or None."""
    p = req.path
    if p == "/federation/credentials" and req.method == "GET":
        return "sso", "GetRoleCredentials"
    if p == "/token" and req.method == "POST" and "authorization" not in req.hmap:
        return "sso-oidc", "CreateToken"
    if p.startswith("/latest/"):
        return "imds", "GetCredentials" if "security-credentials" in p else "GetToken"
    if p == "/_creds/container":
        return "container", "GetCredentials"
    return None


def handle(store, service, req):
    if service == "sso":
        return sso_get_role_credentials(store, req)
    if service == "sso-oidc":
        return oidc_create_token(store, req)
    if service == "imds":
        return imds(store, req)
    return container(store, req)
