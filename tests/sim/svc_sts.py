"""STS over the awsQuery protocol: GetCallerIdentity, AssumeRole (signed) and
AssumeRoleWithWebIdentity (unsigned).  Answers are the real XML shapes."""

from creds import iso8601
from protocol import ApiError, render_query_output, xml_escape

UNSIGNED_OPS = {"AssumeRoleWithWebIdentity"}


def _credentials_xml(cred):
    return ("    <Credentials>\n      <AccessKeyId>%s</AccessKeyId>\n"
            "      <SecretAccessKey>%s</SecretAccessKey>\n"
            "      <SessionToken>%s</SessionToken>\n"
            "      <Expiration>%s</Expiration>\n    </Credentials>\n"
            % (cred.access_key, xml_escape(cred.secret), xml_escape(cred.token),
               iso8601(cred.expires)))


def _assumed_user_xml(cred):
    return ("    <AssumedRoleUser>\n      <AssumedRoleId>%s</AssumedRoleId>\n"
            "      <Arn>%s</Arn>\n    </AssumedRoleUser>\n"
            % (xml_escape(cred.user_id), xml_escape(cred.arn)))


def _role_arn(params):
    arn = params["RoleArn"]
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or \
            not parts[5].startswith("role/"):
        raise ApiError("ValidationError", "%s is invalid" % arn)
    return arn


class Sts:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"GetCallerIdentity": self.get_caller_identity,
                    "AssumeRole": self.assume_role,
                    "AssumeRoleWithWebIdentity": self.assume_role_with_web_identity}

    def get_caller_identity(self, req, params):
        ident = req.identity
        inner = ("    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n    <Account>%s</Account>\n"
                 % (xml_escape(ident.arn), xml_escape(ident.user_id), ident.account))
        return render_query_output("GetCallerIdentity", inner)

    def assume_role(self, req, params):
        arn = _role_arn(params)
        cred = self.sim.creds.issue_role(arn, params["RoleSessionName"], "assume-role",
                                         params.get("DurationSeconds"))
        inner = _credentials_xml(cred) + _assumed_user_xml(cred)
        inner += "    <PackedPolicySize>0</PackedPolicySize>\n" if params.get("Policy") else ""
        return render_query_output("AssumeRole", inner)

    def assume_role_with_web_identity(self, req, params):
        arn = _role_arn(params)
        token = params.get("WebIdentityToken", "")
        if not token.strip():
            raise ApiError("InvalidIdentityToken", "The web identity token is empty")
        cred = self.sim.creds.issue_role(arn, params["RoleSessionName"], "web-identity",
                                         params.get("DurationSeconds"))
        inner = (_credentials_xml(cred)
                 + "    <SubjectFromWebIdentityToken>sim-subject</SubjectFromWebIdentityToken>\n"
                 + _assumed_user_xml(cred)
                 + "    <Provider>sim-oidc-provider</Provider>\n"
                 + "    <Audience>sts.amazonaws.com</Audience>\n")
        return render_query_output("AssumeRoleWithWebIdentity", inner)


def query_params(model, op, form):
    """Form fields (dict name -> [values]) to a params dict, converting the top-level
    scalar members to their model types."""
    params = {}
    shape_name = model.input_shape(op)
    members = model.shapes[shape_name].get("members", {}) if shape_name else {}
    for name, values in form.items():
        mem = members.get(name)
        if mem is None:
            continue
        t = model.shapes[mem["shape"]]["type"]
        v = values[0]
        if t in ("integer", "long"):
            try:
                v = int(v)
            except ValueError:
                pass
        elif t == "boolean":
            v = v.lower() == "true"
        elif t in ("list", "structure", "map"):
            continue
        params[name] = v
    return params
