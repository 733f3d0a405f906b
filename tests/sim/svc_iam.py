"""IAM over the awsQuery protocol (read-only): GetRole, ListRolePolicies,
ListAttachedRolePolicies, GetRolePolicy, GetPolicy, GetPolicyVersion.  Answers are the
real XML shapes, with policy documents percent-encoded as IAM sends them.

The seeded roles: a few roles shared by many functions (by a hash of the function
index), and one role per interesting function, each carrying the risks the
least-privilege checks look for:

* orders-api: its own least-privilege role (nothing risky; the negative fixture);
* payments-worker: `Action "*"` on `"*"` inline, AdministratorAccess attached, and a
  trust policy that also trusts another account (with an ExternalId condition);
* image-resizer and notifications-dispatcher share `media-pipeline-role`: `s3:*` on
  `"*"`, write access to `"*"` for SNS, SQS and kms:Decrypt, AmazonS3FullAccess;
* report-generator: `iam:PassRole` on `"*"` as a single-statement object, and a
  pretty-printed customer managed policy with NotAction, NotResource, a condition,
  `dynamodb:Batch*Item` and a `+` in a resource ARN.
"""

import base64
import json
import os
import time
import urllib.parse

import protocol
from fleet import INTERESTING, mix
from protocol import ApiError, xml_escape
from server import Response

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"

# An absolute model path: the hand-written model beside the simulator (model.load joins
# it onto data/aws-models, and an absolute path wins).
protocol.SERVICES["iam"] = {"model": os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "models", "iam"), "protocol": "query"}
protocol.COMMON["iam"] = {
    "validation": ("ValidationError", 400, None),
    "throttle": ("Throttling", 400, None),
    "signature": ("SignatureDoesNotMatch", 403, None),
    "incomplete": ("IncompleteSignature", 403, None),
    "unknown_key": ("InvalidClientTokenId", 403, None),
    "expired_token": ("ExpiredToken", 403, None),
    "unknown_op": ("InvalidAction", 400, None),
    "internal": ("ServiceFailure", 500, None),
    "missing_auth": ("MissingAuthenticationToken", 403, None),
}

V = "2012-10-17"
LAMBDA = {"Service": "lambda.amazonaws.com"}


def _stmt(effect, actions, resources=None, **extra):
    st = {"Effect": effect, "Action": actions}
    if resources is not None:
        st["Resource"] = resources
    st.update(extra)
    return st


def _doc(*stmts):
    return {"Version": V, "Statement": list(stmts)}


def _trust(*principals):
    return _doc(*[{"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"}
                  for p in principals])


# AWS managed policies: name -> (path, default version, document).
AWS_MANAGED = {
    "AdministratorAccess": ("/", "v1", _doc(_stmt("Allow", "*", "*"))),
    "PowerUserAccess": ("/", "v5", _doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
         "Resource": "*"},
        _stmt("Allow", ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole",
                        "iam:ListRoles", "organizations:DescribeOrganization",
                        "account:ListRegions"], "*"))),
    "AmazonS3FullAccess": ("/", "v2", _doc(_stmt("Allow", ["s3:*", "s3-object-lambda:*"], "*"))),
    "AWSLambdaBasicExecutionRole": ("/service-role/", "v1", _doc(
        _stmt("Allow", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
              "*"))),
}


def aws_managed_arn(name):
    path = AWS_MANAGED[name][0]
    return "arn:aws:iam::aws:policy%s%s" % (path, name)


def role_name(fleet, fn):
    """The execution role of a seeded function (shared roles for most)."""
    kind = {v: k for k, v in INTERESTING.items()}.get(fn.name)
    if kind == "busy":
        return "orders-api-role"
    if kind == "errors":
        return "payments-admin-role"
    if kind in ("throttled", "dlq"):
        return "media-pipeline-role"
    if kind == "timeout":
        return "reporting-role"
    h = mix(fleet.seed, fn.idx, "iam-role") % 10
    if h < 4:
        return "lambda-basic-execution"
    if h < 6:
        return "%s-service-role" % fn.team
    if h == 6:
        return "media-pipeline-role"
    if h == 7:
        return "legacy-ops-role"
    if h == 8:
        return "app-data-role"
    return "%s-role" % fn.name


def role_arn(fleet, fn):
    data = iam_data(fleet)
    return data.role_arn(data.roles[role_name(fleet, fn)])


class IamData:
    """Roles and customer managed policies for one fleet, built on first use."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.acct = fleet.account
        self.region = fleet.region
        self.created = int(fleet.created) - 400 * 86400
        self.roles = {}
        self.policies = {}   # arn -> {"name", "path", "versions": {vid: doc}, "default"}
        for name, (path, vid, doc) in AWS_MANAGED.items():
            self.policies[aws_managed_arn(name)] = {"name": name, "path": path,
                                                    "versions": {vid: doc}, "default": vid}
        self._seed_fixed()
        for fn in fleet.functions:
            self._ensure(role_name(fleet, fn), fn)

    def _arn(self, service, rest):
        return "arn:aws:%s:%s:%s:%s" % (service, self.region, self.acct, rest)

    def _customer(self, name, versions, default):
        arn = "arn:aws:iam::%s:policy/%s" % (self.acct, name)
        self.policies[arn] = {"name": name, "path": "/", "versions": versions,
                              "default": default}
        return arn

    def _role(self, name, path="/", trust=None, inline=None, attached=(), raw_inline=None):
        self.roles[name] = {"name": name, "path": path, "trust": trust or _trust(LAMBDA),
                            "inline": inline or {}, "raw_inline": raw_inline or {},
                            "attached": list(attached)}

    def _seed_fixed(self):
        basic = aws_managed_arn("AWSLambdaBasicExecutionRole")
        orders_data = self._customer("orders-api-data", {
            "v1": _doc(_stmt("Allow", "dynamodb:GetItem", self._arn("dynamodb",
                                                                  "table/orders"))),
            "v2": _doc(_stmt("Allow", ["dynamodb:GetItem", "dynamodb:PutItem",
                                       "dynamodb:Query"],
                             self._arn("dynamodb", "table/orders-api-table")),
                       _stmt("Allow", "secretsmanager:GetSecretValue",
                             self._arn("secretsmanager", "secret:orders-api/db-*")))}, "v2")
        self._role("orders-api-role", "/service-role/", attached=[basic, orders_data])
        self._role("payments-admin-role", trust=_doc(
            {"Effect": "Allow", "Principal": LAMBDA, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
             "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "fleetsim-partner"}}}),
            inline={"admin-everything": _doc(dict(_stmt("Allow", "*", "*"),
                                                  Sid="EverythingEverywhere"))},
            attached=[aws_managed_arn("AdministratorAccess"), basic])
        self._role("media-pipeline-role", inline={"media-access": _doc(
            _stmt("Allow", "s3:*", "*"),
            _stmt("Allow", ["sns:Publish", "sqs:SendMessage"], "*", Sid="FanOut"),
            _stmt("Allow", "kms:Decrypt", ["*"]))},
            attached=[aws_managed_arn("AmazonS3FullAccess"), basic])
        reporting = self._customer("reporting-data", {"v3": _REPORTING_DATA_TEXT % {
            "region": self.region, "acct": self.acct}}, "v3")
        self._role("reporting-role", raw_inline={"reporting-passrole": json.dumps(
            {"Version": V, "Statement": {"Effect": "Allow", "Action": "iam:PassRole",
                                         "Resource": "*"}})},
            attached=[reporting, basic])
        self._role("lambda-basic-execution", attached=[basic])
        self._role("legacy-ops-role", trust=_trust(
            {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}),
            attached=[aws_managed_arn("PowerUserAccess"), basic])
        app = self._customer("app-data-access", {"v4": _doc(
            _stmt("Allow", "dynamodb:*Item", "arn:aws:dynamodb:*:%s:table/*" % self.acct),
            {"Effect": "Deny", "Action": "dynamodb:DeleteTable",
             "NotResource": "arn:aws:dynamodb:*:%s:table/scratch-*" % self.acct})}, "v4")
        self._role("app-data-role", attached=[app, basic])

    def _ensure(self, name, fn):
        if name in self.roles:
            return
        basic = aws_managed_arn("AWSLambdaBasicExecutionRole")
        if name.endswith("-service-role"):
            team = name[:-len("-service-role")]
            pol = self._customer("%s-data-access" % team, {"v1": _doc(
                _stmt("Allow", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                      self._arn("dynamodb", "table/%s-*" % team)),
                _stmt("Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                      self._arn("sqs", "%s-*" % team)))}, "v1")
            self._role(name, attached=[pol, basic])
            return
        stmts = [_stmt("Allow", ["dynamodb:GetItem", "dynamodb:PutItem"],
                       self._arn("dynamodb", "table/%s-table" % fn.name))]
        if fn.secret_arn_env:
            stmts.append(_stmt("Allow", "secretsmanager:GetSecretValue",
                               self._arn("secretsmanager", "secret:%s/db-*" % fn.name)))
        self._role(name, "/service-role/", inline={"%s-access" % fn.name: _doc(*stmts)},
                   attached=[basic])

    def role_arn(self, role):
        return "arn:aws:iam::%s:role%s%s" % (self.acct, role["path"], role["name"])

    def inline_text(self, role, name):
        if name in role["raw_inline"]:
            return role["raw_inline"][name]
        return json.dumps(role["inline"][name])

    def inline_names(self, role):
        return sorted(list(role["inline"]) + list(role["raw_inline"]))


_REPORTING_DATA_TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
\t"Sid": "ReadReports",
\t"Effect": "Allow",
\t"Action": ["s3:GetObject", "s3:Get*Acl"],
\t"Resource": "arn:aws:s3:::reports+archive/*",
\t"Condition": {"StringEquals": {"aws:PrincipalTag/team": "caf\u00e9"}}
    },
    {
\t"Sid": "WriteRows",
\t"Effect": "Allow",
\t"Action": "dynamodb:Batch*Item",
\t"NotResource": ["arn:aws:dynamodb:%(region)s:%(acct)s:table/admin-*"]
    },
    {
\t"Sid": "OnlyOverTls",
\t"Effect": "Deny",
\t"NotAction": ["logs:*", "dynamodb:*"],
\t"Resource": "*",
\t"Condition": {"Bool": {"aws:SecureTransport": "false"}}
    }
  ]
}
"""


def iam_data(fleet):
    data = getattr(fleet, "_iam_data", None)
    if data is None:
        data = fleet._iam_data = IamData(fleet)
    return data


def _encode(text):
    if not isinstance(text, str):
        text = json.dumps(text)
    return urllib.parse.quote(text, safe="")


def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _render(op, inner):
    body = ("<%sResponse xmlns=\"%s\">\n  <%sResult>\n%s  </%sResult>\n"
            "  <ResponseMetadata>\n    <RequestId>@REQUESTID@</RequestId>\n"
            "  </ResponseMetadata>\n</%sResponse>\n" % (op, IAM_NS, op, inner, op, op))
    return Response(200, body.encode(), [("Content-Type", "text/xml")])


def _no_such(what, name):
    return ApiError("NoSuchEntity", "The %s with name %s cannot be found." % (what, name), 404)


def _page(items, params):
    """IAM paging: MaxItems (default 100) and an opaque Marker."""
    start = 0
    if params.get("Marker"):
        try:
            start = int(base64.b64decode(params["Marker"]).decode())
        except ValueError:
            raise ApiError("ValidationError", "Invalid Marker")
    limit = params.get("MaxItems", 100)
    chunk = items[start:start + limit]
    more = start + limit < len(items)
    tail = "    <IsTruncated>%s</IsTruncated>\n" % ("true" if more else "false")
    if more:
        tail += "    <Marker>%s</Marker>\n" % base64.b64encode(
            str(start + limit).encode()).decode()
    return chunk, tail


class Iam:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"GetRole": self.get_role, "ListRolePolicies": self.list_role_policies,
                    "ListAttachedRolePolicies": self.list_attached,
                    "GetRolePolicy": self.get_role_policy, "GetPolicy": self.get_policy,
                    "GetPolicyVersion": self.get_policy_version}

    def _data(self):
        return iam_data(self.sim.fleet)

    def _role(self, params):
        role = self._data().roles.get(params["RoleName"])
        if role is None:
            raise _no_such("role", params["RoleName"])
        return role

    def get_role(self, req, params):
        data = self._data()
        role = self._role(params)
        now = self.sim.clock.now()
        inner = ("    <Role>\n      <Path>%s</Path>\n      <Arn>%s</Arn>\n"
                 "      <RoleName>%s</RoleName>\n"
                 "      <AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>\n"
                 "      <CreateDate>%s</CreateDate>\n      <RoleId>AROA%016X</RoleId>\n"
                 "      <MaxSessionDuration>3600</MaxSessionDuration>\n"
                 "      <RoleLastUsed>\n        <LastUsedDate>%s</LastUsedDate>\n"
                 "        <Region>%s</Region>\n      </RoleLastUsed>\n    </Role>\n"
                 % (xml_escape(role["path"]), xml_escape(data.role_arn(role)),
                    xml_escape(role["name"]), _encode(role["trust"]), _iso(data.created),
                    mix(role["name"]) & 0xFFFFFFFFFFFFFFFF, _iso(now - 3600), data.region))
        return _render("GetRole", inner)

    def list_role_policies(self, req, params):
        role = self._role(params)
        names, tail = _page(self._data().inline_names(role), params)
        members = "".join("      <member>%s</member>\n" % xml_escape(n) for n in names)
        return _render("ListRolePolicies", "    <PolicyNames>\n%s    </PolicyNames>\n%s"
                       % (members, tail))

    def list_attached(self, req, params):
        data = self._data()
        role = self._role(params)
        arns, tail = _page(role["attached"], params)
        members = "".join("      <member>\n        <PolicyName>%s</PolicyName>\n"
                          "        <PolicyArn>%s</PolicyArn>\n      </member>\n"
                          % (xml_escape(data.policies[a]["name"]), xml_escape(a))
                          for a in arns)
        return _render("ListAttachedRolePolicies",
                       "    <AttachedPolicies>\n%s    </AttachedPolicies>\n%s" % (members, tail))

    def get_role_policy(self, req, params):
        data = self._data()
        role = self._role(params)
        name = params["PolicyName"]
        if name not in role["inline"] and name not in role["raw_inline"]:
            raise _no_such("policy", name)
        inner = ("    <RoleName>%s</RoleName>\n    <PolicyName>%s</PolicyName>\n"
                 "    <PolicyDocument>%s</PolicyDocument>\n"
                 % (xml_escape(role["name"]), xml_escape(name),
                    _encode(data.inline_text(role, name))))
        return _render("GetRolePolicy", inner)

    def _policy(self, params):
        pol = self._data().policies.get(params["PolicyArn"])
        if pol is None:
            raise ApiError("NoSuchEntity", "Policy %s does not exist or is not attachable."
                           % params["PolicyArn"], 404)
        return pol

    def get_policy(self, req, params):
        data = self._data()
        pol = self._policy(params)
        arn = params["PolicyArn"]
        users = sum(1 for r in data.roles.values() if arn in r["attached"])
        inner = ("    <Policy>\n      <PolicyName>%s</PolicyName>\n"
                 "      <DefaultVersionId>%s</DefaultVersionId>\n"
                 "      <PolicyId>ANPA%016X</PolicyId>\n      <Path>%s</Path>\n"
                 "      <Arn>%s</Arn>\n      <AttachmentCount>%d</AttachmentCount>\n"
                 "      <IsAttachable>true</IsAttachable>\n"
                 "      <CreateDate>%s</CreateDate>\n      <UpdateDate>%s</UpdateDate>\n"
                 "    </Policy>\n"
                 % (xml_escape(pol["name"]), pol["default"], mix(arn) & 0xFFFFFFFFFFFFFFFF,
                    xml_escape(pol["path"]), xml_escape(arn), users, _iso(data.created),
                    _iso(data.created + 86400)))
        return _render("GetPolicy", inner)

    def get_policy_version(self, req, params):
        pol = self._policy(params)
        vid = params["VersionId"]
        doc = pol["versions"].get(vid)
        if doc is None:
            raise ApiError("NoSuchEntity", "Policy %s version %s does not exist."
                           % (params["PolicyArn"], vid), 404)
        inner = ("    <PolicyVersion>\n      <Document>%s</Document>\n"
                 "      <VersionId>%s</VersionId>\n"
                 "      <IsDefaultVersion>%s</IsDefaultVersion>\n"
                 "      <CreateDate>%s</CreateDate>\n    </PolicyVersion>\n"
                 % (_encode(doc), vid, "true" if vid == pol["default"] else "false",
                    _iso(self._data().created)))
        return _render("GetPolicyVersion", inner)
