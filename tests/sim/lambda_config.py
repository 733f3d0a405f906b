"""Lambda resource documents built from a seeded fleet.Function: configurations,
aliases, event source mappings, resource policies, event invoke configs, tags."""

import base64
import json
import time

from fleet import POWERTOOLS_LAYER, RDS_PROXY, mix
from svc_iam import role_arn
from svc_secrets import extra_env

HANDLERS = {"python": "app.handler", "nodejs": "index.handler", "java": "com.example."
            "Handler::handleRequest", "provided": "bootstrap", "go": "main"}


def lambda_time(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".000+0000"


def det_uuid(*parts):
    x = "%016x%016x" % (mix(*parts), mix(*(parts + ("2",))))
    return "%s-%s-4%s-8%s-%s" % (x[:8], x[8:12], x[13:16], x[17:20], x[20:32])


def handler_for(runtime):
    for prefix, handler in HANDLERS.items():
        if runtime.startswith(prefix):
            return handler
    return "index.handler"


class Builder:
    def __init__(self, fleet):
        self.fleet = fleet
        self.region = fleet.region
        self.account = fleet.account

    def environment(self, fn):
        env = {"LOG_LEVEL": "INFO", "TABLE_NAME": fn.name + "-table",
               "STAGE": fn.env_name}
        if fn.powertools:
            env["POWERTOOLS_SERVICE_NAME"] = fn.name.split("-")[0]
        if fn.secret_env:
            env["DB_PASSWORD"] = "hunter2-sim-%04d" % fn.idx
            env["STRIPE_API_KEY"] = "sk_live_sim%024d" % fn.idx
        if fn.secret_arn_env:
            env["DB_SECRET_ARN"] = ("arn:aws:secretsmanager:%s:%s:secret:%s/db-AbC%03d"
                                    % (self.region, self.account, fn.name, fn.idx % 1000))
        if fn.rds_proxy:
            env["DB_PROXY_ENDPOINT"] = ("%s.proxy-c0ffee5e1a2b.%s.rds.amazonaws.com"
                                        % (RDS_PROXY, self.region))
        if fn.source_queue:
            env["QUEUE_URL"] = "https://sqs.%s.amazonaws.com/%s/%s" % (
                self.region, self.account, fn.source_queue)
        env.update(extra_env(self.fleet, fn))
        return env

    def config(self, fn, version="$LATEST"):
        arn = self.fleet.arn(fn.name)
        published = version != "$LATEST"
        lm = fn.last_modified - (fn.versions - int(version)) * 86400 * 3 if published \
            else fn.last_modified
        sha = base64.b64encode(fn.code_sha if not published else
                               mix(fn.name, version).to_bytes(8, "big") * 4).decode()
        cfg = {"FunctionName": fn.name, "FunctionArn": arn + (":" + version if published else ""),
               "Runtime": fn.runtime,
               "Role": role_arn(self.fleet, fn),
               "Handler": handler_for(fn.runtime), "CodeSize": fn.code_size,
               "Description": "%s (%s, team %s)" % (fn.name, fn.env_name, fn.team),
               "Timeout": fn.timeout, "MemorySize": fn.memory, "LastModified": lambda_time(lm),
               "CodeSha256": sha, "Version": version,
               "Environment": {"Variables": self.environment(fn)},
               "TracingConfig": {"Mode": fn.tracing},
               "RevisionId": det_uuid(fn.name, version, "rev"), "State": "Active",
               "LastUpdateStatus": "Successful", "PackageType": "Zip",
               "Architectures": [fn.arch], "EphemeralStorage": {"Size": 512},
               "SnapStart": {"ApplyOn": "PublishedVersions" if fn.snapstart else "None",
                             "OptimizationStatus": "On" if fn.snapstart and published
                             else "Off"},
               "RuntimeVersionConfig": {"RuntimeVersionArn": "arn:aws:lambda:%s::runtime:%064x"
                                        % (self.region, mix(fn.runtime) << 192)},
               "LoggingConfig": self.logging(fn), "Layers": self.layers(fn)}
        if fn.vpc:
            cfg["VpcConfig"] = {"SubnetIds": ["subnet-0a1b2c3d4e5f60718",
                                              "subnet-0b2c3d4e5f6071829"],
                                "SecurityGroupIds": ["sg-0c3d4e5f607182930"],
                                "VpcId": "vpc-0d4e5f60718293a4b",
                                "Ipv6AllowedForDualStack": False}
        if fn.dlq_queue:
            cfg["DeadLetterConfig"] = {"TargetArn": self.fleet.queue_arn(fn.dlq_queue)}
        if fn.runtime in ("go1.x", "python3.7", "nodejs16.x"):
            cfg["StateReasonCode"] = "Idle"
        return cfg

    @staticmethod
    def logging(fn):
        doc = {"LogFormat": fn.log_format, "LogGroup": fn.log_group}
        if fn.log_format == "JSON":
            doc["ApplicationLogLevel"] = "INFO"
            doc["SystemLogLevel"] = "INFO"
        return doc

    def layers(self, fn):
        out = []
        if fn.powertools:
            out.append({"Arn": POWERTOOLS_LAYER, "CodeSize": 2961031})
        if fn.idx % 4 == 1:
            out.append({"Arn": "arn:aws:lambda:%s:%s:layer:common-deps:%d"
                        % (self.region, self.account, 10 + fn.idx % 7), "CodeSize": 1048576})
        return out

    def alias(self, fn, name):
        return {"AliasArn": self.fleet.arn(fn.name, name), "Name": name,
                "FunctionVersion": fn.aliases[name],
                "Description": "%s traffic" % name, "RevisionId": det_uuid(fn.name, name)}

    def provisioned(self, fn):
        if not fn.provisioned:
            return []
        n = fn.provisioned
        return [{"FunctionArn": self.fleet.arn(fn.name, "live"),
                 "RequestedProvisionedConcurrentExecutions": n,
                 "AvailableProvisionedConcurrentExecutions": n,
                 "AllocatedProvisionedConcurrentExecutions": n, "Status": "READY",
                 "LastModified": lambda_time(fn.last_modified)}]

    def esm(self, fn):
        if not fn.source_queue:
            return None
        uid = det_uuid(fn.name, "esm")
        doc = {"UUID": uid, "BatchSize": 10, "MaximumBatchingWindowInSeconds": 0,
               "EventSourceArn": self.fleet.queue_arn(fn.source_queue),
               "FunctionArn": self.fleet.arn(fn.name), "LastModified": float(fn.last_modified),
               "State": "Enabled", "StateTransitionReason": "USER_INITIATED",
               "FunctionResponseTypes": ["ReportBatchItemFailures"] if fn.idx % 2 else [],
               "EventSourceMappingArn": "arn:aws:lambda:%s:%s:event-source-mapping:%s"
                                        % (self.region, self.account, uid)}
        if fn.idx % 3 == 0:
            doc["ScalingConfig"] = {"MaximumConcurrency": 5}
        return doc

    def policy(self, fn):
        arn = self.fleet.arn(fn.name)
        stmts = []
        for principal in fn.principals:
            short = principal.split(".")[0]
            st = {"Sid": "%s-invoke-%08x" % (short, mix(fn.name, principal) & 0xFFFFFFFF),
                  "Effect": "Allow", "Principal": {"Service": principal},
                  "Action": "lambda:InvokeFunction", "Resource": arn}
            source = {
                "apigateway": "arn:aws:execute-api:%s:%s:%010x/*/*/%s" % (
                    self.region, self.account, mix(fn.name, "api") & 0xFFFFFFFFFF,
                    fn.name.split("-")[0]),
                "s3": "arn:aws:s3:::%s-uploads-%s" % (fn.name.split("-")[0], self.account),
                "events": "arn:aws:events:%s:%s:rule/%s-schedule" % (self.region, self.account,
                                                                     fn.name),
                "sns": "arn:aws:sns:%s:%s:%s-topic" % (self.region, self.account,
                                                       fn.name.split("-")[0]),
            }[short]
            st["Condition"] = {"ArnLike": {"AWS:SourceArn": source}}
            if short == "s3":
                st["Condition"]["StringEquals"] = {"AWS:SourceAccount": self.account}
            stmts.append(st)
        if not stmts:
            return None
        return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": stmts},
                          separators=(",", ":"))

    def invoke_config(self, fn):
        if not fn.async_cfg:
            return None
        dest = {"OnSuccess": {}, "OnFailure": {}}
        if fn.destination_queue:
            dest["OnFailure"] = {"Destination": self.fleet.queue_arn(fn.destination_queue)}
        return {"LastModified": float(fn.last_modified),
                "FunctionArn": self.fleet.arn(fn.name, "$LATEST"),
                "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": dest}

    def tags(self, fn):
        tags = {"team": fn.team, "service": fn.name.split("-")[0], "env": fn.env_name}
        if fn.idx % 3 == 0:
            tags["aws:cloudformation:stack-name"] = "%s-stack" % fn.name.split("-")[0]
        if fn.role_kind:
            tags["fleetsim:role"] = fn.role_kind
        return tags

    def url_config(self, fn):
        if not fn.url:
            return None
        return {"FunctionUrl": "https://%032x.lambda-url.%s.on.aws/"
                               % (mix(fn.name, "url") << 64 | mix(fn.name, "u2"), self.region),
                "FunctionArn": self.fleet.arn(fn.name), "AuthType": "AWS_IAM",
                "CreationTime": lambda_time(fn.last_modified),
                "LastModifiedTime": lambda_time(fn.last_modified), "InvokeMode": "BUFFERED"}
