"""SSM Parameter Store (awsJson 1.1): DescribeParameters (metadata, with ParameterFilters
and paging) and GetParameter as a trap - it returns the value, so fleetdeck must never
call it.  Seeded parameters: /notifications/smtp-password (SecureString, referenced by
notifications-dispatcher), /media/config (String, referenced by image-resizer) and a
few unreferenced ones."""

import base64
import os

import protocol
from fleet import mix
from protocol import ApiError

HERE = os.path.dirname(os.path.abspath(__file__))

protocol.SERVICES["ssm"] = {"model": os.path.join(HERE, "models", "ssm"), "protocol": "json",
                            "version": "1.1", "target": "AmazonSSM"}
protocol.TARGETS["AmazonSSM"] = "ssm"
protocol.COMMON["ssm"] = dict(protocol.COMMON["logs"])
protocol.COMMON["ssm"].update({"validation": ("ValidationException", 400, None),
                               "internal": ("InternalServerError", 500, None)})

DAY = 86400
SEEDED = [("/notifications/smtp-password", "SecureString"), ("/media/config", "String"),
          ("/platform/feature-flags", "StringList"), ("/payments/stripe-webhook", "SecureString")]


class SsmData:
    def __init__(self, fleet):
        now = int(fleet.clock.now())
        self.params = []
        for name, ptype in SEEDED:
            rest = name if name.startswith("/") else "/" + name
            doc = {"Name": name, "ARN": "arn:aws:ssm:%s:%s:parameter%s" % (
                fleet.region, fleet.account, rest), "Type": ptype,
                "LastModifiedDate": float(now - (mix(name) % 300) * DAY),
                "LastModifiedUser": "arn:aws:iam::%s:user/ops" % fleet.account,
                "Version": 1 + mix(name, "v") % 9, "Tier": "Standard", "Policies": [],
                "DataType": "text"}
            if ptype == "SecureString":
                doc["KeyId"] = "alias/aws/ssm"
            value = "sim-secret-value-param-%08x" % (mix(name, "value") & 0xFFFFFFFF)
            self.params.append({"doc": doc, "value": value})

    def find(self, name):
        for p in self.params:
            if name in (p["doc"]["Name"], p["doc"]["ARN"]):
                return p
        return None


def ssm_data(fleet):
    data = getattr(fleet, "_ssm_data", None)
    if data is None:
        data = fleet._ssm_data = SsmData(fleet)
    return data


def _matches(doc, filters):
    for f in filters or []:
        key, option, values = f.get("Key"), f.get("Option", "Equals"), f.get("Values", [])
        if key != "Name":
            raise ApiError("InvalidFilterKey", "fleetsim filters by Name only", 400)
        if option == "Equals" and doc["Name"] not in values:
            return False
        if option == "BeginsWith" and not any(doc["Name"].startswith(v) for v in values):
            return False
        if option not in ("Equals", "BeginsWith"):
            raise ApiError("InvalidFilterOption", "The filter option %s is not valid for "
                           "key Name" % option, 400)
    return True


class Ssm:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"DescribeParameters": self.describe_parameters,
                    "GetParameter": self.get_parameter}

    def describe_parameters(self, req, params):
        data = ssm_data(self.sim.fleet)
        found = [p["doc"] for p in data.params if _matches(p["doc"], params.get("ParameterFilters"))]
        start = 0
        if params.get("NextToken"):
            try:
                start = int(base64.b64decode(params["NextToken"]).decode())
            except ValueError:
                raise ApiError("InvalidNextToken", "The specified token is not valid.", 400)
        limit = params.get("MaxResults", 10)
        out = {"Parameters": [dict(d) for d in found[start:start + limit]]}
        if start + limit < len(found):
            out["NextToken"] = base64.b64encode(str(start + limit).encode()).decode()
        return out

    def get_parameter(self, req, params):
        p = ssm_data(self.sim.fleet).find(params["Name"])
        if p is None:
            raise ApiError("ParameterNotFound", "", 400)
        doc = p["doc"]
        return {"Parameter": {"Name": doc["Name"], "Type": doc["Type"], "Value": p["value"],
                              "Version": doc["Version"], "ARN": doc["ARN"],
                              "LastModifiedDate": doc["LastModifiedDate"],
                              "DataType": doc["DataType"]}}
