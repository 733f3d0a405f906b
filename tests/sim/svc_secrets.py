"""Secrets Manager (awsJson 1.1): DescribeSecret, and GetSecretValue as a trap - fleetdeck
must never call it, so tests check its counter stays at zero and that the seeded
values (all containing "sim-secret-value") never reach fleetdeck's output or cache.

Seeded secrets: one per function whose environment holds DB_SECRET_ARN (the fleet's
`secret_arn_env`), plus the ones extra_env() adds to the interesting functions:

* orders-api/db: rotation every 30 days, last rotated 12 days ago (fine);
* payments/ledger-api: rotation enabled but last rotated 200 days ago, customer KMS key;
* report-generator/api-key: no rotation, and reporting-role cannot read it.
Other functions' secrets rotate, do not rotate, or stopped rotating, by a hash."""

import os

import protocol
from fleet import INTERESTING, mix
from protocol import ApiError

HERE = os.path.dirname(os.path.abspath(__file__))

protocol.SERVICES["secretsmanager"] = {"model": os.path.join(HERE, "models", "secretsmanager"),
                                       "protocol": "json", "version": "1.1",
                                       "target": "secretsmanager"}
protocol.TARGETS["secretsmanager"] = "secretsmanager"
protocol.COMMON["secretsmanager"] = dict(protocol.COMMON["logs"])
protocol.COMMON["secretsmanager"].update({
    "validation": ("InvalidParameterException", 400, None),
    "internal": ("InternalServiceError", 500, None)})

DAY = 86400


def secret_arn(fleet, name):
    suffix = "%06x" % (mix(fleet.seed, name, "suffix") & 0xFFFFFF)
    return "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (fleet.region, fleet.account, name,
                                                         suffix)


def extra_env(fleet, fn):
    """Environment the interesting functions get on top of lambda_config's: secret and
    parameter references and log levels for the secret and DEBUG checks."""
    kind = {v: k for k, v in INTERESTING.items()}.get(fn.name)
    if kind == "errors":
        return {"LEDGER_SECRET_ARN": secret_arn(fleet, "payments/ledger-api")}
    if kind == "timeout":
        return {"REPORT_API_SECRET_NAME": "report-generator/api-key",
                "POWERTOOLS_LOG_LEVEL": "DEBUG"}
    if kind == "dlq":
        return {"SMTP_PASSWORD_PARAM": "/notifications/smtp-password",
                "POWERTOOLS_PARAMETERS_MAX_AGE": "300",
                "POWERTOOLS_PARAMETERS_SSM_DECRYPT": "true", "LOG_LEVEL": "DEBUG"}
    if kind == "throttled":
        return {"CONFIG_PARAMETER": "/media/config"}
    return {}


class SecretsData:
    def __init__(self, fleet):
        now = int(fleet.clock.now())
        self.by_name = {}
        self._add(fleet, "orders-api/db", now, rotation=(30, 12), kms=None, suffix="AbC000")
        self._add(fleet, "payments/ledger-api", now, rotation=(30, 200),
                  kms="arn:aws:kms:%s:%s:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
                      % (fleet.region, fleet.account))
        self._add(fleet, "report-generator/api-key", now, rotation=None, kms=None)
        for fn in fleet.functions:
            if fn.secret_arn_env and fn.name != "orders-api":
                h = mix(fleet.seed, fn.idx, "rotation") % 3
                rot = [(30, 5 + fn.idx % 20), None, (60, 120 + fn.idx % 200)][h]
                self._add(fleet, "%s/db" % fn.name, now, rotation=rot, kms=None,
                          suffix="AbC%03d" % (fn.idx % 1000))

    def _add(self, fleet, name, now, rotation, kms, suffix=None):
        arn = secret_arn(fleet, name) if suffix is None else (
            "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (fleet.region, fleet.account, name,
                                                          suffix))
        created = now - 400 * DAY
        doc = {"ARN": arn, "Name": name, "Description": "fleetsim secret %s" % name,
               "LastChangedDate": float(now - 30 * DAY), "CreatedDate": float(created),
               "LastAccessedDate": float((now // DAY - 1) * DAY),
               "RotationEnabled": rotation is not None,
               "VersionIdsToStages": {"%032x" % (mix(name) & ((1 << 128) - 1)):
                                      ["AWSCURRENT"]},
               "Tags": [{"Key": "owner", "Value": name.split("/")[0]}]}
        if kms:
            doc["KmsKeyId"] = kms
        if rotation is not None:
            every, ago = rotation
            doc["RotationLambdaARN"] = "arn:aws:lambda:%s:%s:function:secret-rotator" % (
                fleet.region, fleet.account)
            doc["RotationRules"] = {"AutomaticallyAfterDays": every}
            doc["LastRotatedDate"] = float(now - ago * DAY)
            doc["NextRotationDate"] = float(now - ago * DAY + every * DAY)
        value = "sim-secret-value-%s-%08x" % (name.replace("/", "-"), mix(name, "v") & 0xFFFFFFFF)
        self.by_name[name] = {"doc": doc, "value": value}

    def find(self, secret_id):
        """By name, full ARN, or ARN without the random suffix (as AWS accepts)."""
        if secret_id in self.by_name:
            return self.by_name[secret_id]
        for s in self.by_name.values():
            arn = s["doc"]["ARN"]
            if secret_id == arn or (secret_id.startswith("arn:") and
                                    arn.startswith(secret_id + "-")):
                return s
        return None


def secrets_data(fleet):
    data = getattr(fleet, "_secrets_data", None)
    if data is None:
        data = fleet._secrets_data = SecretsData(fleet)
    return data


class Secrets:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"DescribeSecret": self.describe_secret,
                    "GetSecretValue": self.get_secret_value}

    def _find(self, params):
        s = secrets_data(self.sim.fleet).find(params["SecretId"])
        if s is None:
            raise ApiError("ResourceNotFoundException",
                           "Secrets Manager can't find the specified secret.", 400)
        return s

    def describe_secret(self, req, params):
        return dict(self._find(params)["doc"])

    def get_secret_value(self, req, params):
        s = self._find(params)
        doc = s["doc"]
        return {"ARN": doc["ARN"], "Name": doc["Name"], "SecretString": s["value"],
                "VersionId": list(doc["VersionIdsToStages"])[0],
                "VersionStages": ["AWSCURRENT"], "CreatedDate": doc["LastChangedDate"]}
