#!/usr/bin/env python3
"""Smoke tests for fleetsim (stdlib unittest).  Starts the simulator, signs requests
with sigv4.sign, checks a few operations per service, paging, faults, credentials,
and the keep-alive request rate.  When botocore is importable, also drives the
simulator with botocore's own signer and parsers.  Ends with "N passed, N failed"."""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import eventstream  # noqa: E402
import sigv4  # noqa: E402
from simclient import Client  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
VECTORS = os.path.join(REPO, "tests", "data", "sigv4")
SIM = {}


def start_sim(*extra):
    fd, port_file = tempfile.mkstemp(prefix="fleetsim-test.")
    os.close(fd)
    os.unlink(port_file)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fleetsim.py"), "--port", "0",
                             "--port-file", port_file, "--quiet"] + list(extra))
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                lines = f.read().split("\n")
            os.unlink(port_file)
            return proc, int(lines[0].split()[0]), lines
        if proc.poll() is not None:
            raise RuntimeError("simulator exited with %s" % proc.returncode)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("simulator did not start")


def setUpModule():
    proc, port, _ = start_sim("--functions", "40")
    SIM["proc"], SIM["port"] = proc, port


def tearDownModule():
    SIM["proc"].terminate()
    SIM["proc"].wait(10)


def client(**kw):
    return Client(SIM["port"], **kw)


def quoted(s):
    return urllib.parse.quote(s, safe="")


def filter_all(c, doc, max_pages=50):
    """FilterLogEvents until nextToken is absent (pages may be empty meanwhile)."""
    doc, events = dict(doc), []
    for _ in range(max_pages):
        r = c.json_call("logs", "FilterLogEvents", doc)
        if r.status != 200:
            return r, events
        page = r.json()
        events += page["events"]
        if not page.get("nextToken"):
            break
        doc["nextToken"] = page["nextToken"]
    return r, events


class Base(unittest.TestCase):
    def setUp(self):
        self.c = client()
        self.c.control("POST", "faults", {"rules": []})

    def tearDown(self):
        self.c.close()


class SigV4Vectors(unittest.TestCase):
    def test_vectors(self):
        """The verifier's canonical requests match the official and botocore vectors."""
        done = 0
        for suite in ("aws-c-auth-v4", "extra-botocore-generated"):
            base = os.path.join(VECTORS, suite)
            for case in sorted(os.listdir(base)):
                path = os.path.join(base, case)
                if not os.path.exists(os.path.join(path, "header-canonical-request.txt")):
                    continue
                with self.subTest(case=case):
                    self._case(path)
                    done += 1
        self.assertGreater(done, 40)

    def _case(self, path):
        ctx = json.load(open(os.path.join(path, "context.json")))
        raw = open(os.path.join(path, "header-signed-request.txt"), "rb").read().decode()
        head, _, body = raw.partition("\n\n")
        lines = head.split("\n")
        method, rest = lines[0].split(" ", 1)
        target = rest.rsplit(" ", 1)[0]
        headers = []
        for line in lines[1:]:
            if line.startswith((" ", "\t")):
                headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            else:
                n, _, v = line.partition(":")
                headers.append((n, v))
        auth = sigv4.Auth(dict(headers)["Authorization"])
        headers = [h for h in headers if h[0] != "Authorization"]
        hmap = {k.lower(): v for k, v in headers}
        payload = hmap.get("x-amz-content-sha256") or \
            sigv4.hashlib.sha256(body.encode()).hexdigest()
        path_, _, query = target.partition("?")
        creq = sigv4.canonical_request(method, path_, query, headers, auth.signed, payload,
                                       ctx.get("normalize", True))
        want = open(os.path.join(path, "header-canonical-request.txt")).read()
        self.assertEqual(creq, want)
        sts = sigv4.string_to_sign(hmap["x-amz-date"], auth.scope, creq)
        sig = sigv4.signature(ctx["credentials"]["secret_access_key"], auth.date, auth.region,
                              auth.service, sts)
        self.assertEqual(sig, open(os.path.join(path, "header-signature.txt")).read().strip())


class Credentials(Base):
    def test_caller_identity_and_assume_role(self):
        r = self.c.sts("GetCallerIdentity")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<Account>123456789012</Account>", r.body)
        r = self.c.sts("AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/dev",
                                      "RoleSessionName": "t1"})
        self.assertEqual(r.status, 200, r.body)
        ak = r.body.split(b"<AccessKeyId>")[1].split(b"<")[0].decode()
        sk = r.body.split(b"<SecretAccessKey>")[1].split(b"<")[0].decode()
        tok = r.body.split(b"<SessionToken>")[1].split(b"<")[0].decode()
        temp = client(access_key=ak, secret=sk, token=tok)
        r = temp.sts("GetCallerIdentity")
        self.assertIn(b"assumed-role/dev/t1", r.body)
        bad = client(access_key=ak, secret=sk, token=tok[:-2] + "xx")
        r = bad.rest_call("lambda", "GET", "/2015-03-31/functions")
        self.assertEqual((r.status, r.error_code()), (403, "UnrecognizedClientException"))

    def test_expired_temporary_credentials(self):
        self.c.control("POST", "credentials", {"expires_in_s": 1})
        try:
            r = self.c.sts("AssumeRoleWithWebIdentity", {
                "RoleArn": "arn:aws:iam::123456789012:role/ci", "RoleSessionName": "ci",
                "WebIdentityToken": "eyJhbGciOi.sim.token"}, signed=False)
            self.assertEqual(r.status, 200, r.body)
        finally:
            self.c.control("POST", "credentials", {"expires_in_s": None})
        ak = r.body.split(b"<AccessKeyId>")[1].split(b"<")[0].decode()
        sk = r.body.split(b"<SecretAccessKey>")[1].split(b"<")[0].decode()
        tok = r.body.split(b"<SessionToken>")[1].split(b"<")[0].decode()
        time.sleep(1.2)
        r = client(access_key=ak, secret=sk, token=tok).json_call("sqs", "ListQueues")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.error_code(), "ExpiredToken")

    def test_unsigned_endpoints(self):
        r = self.c.raw("GET", "/federation/credentials",
                       headers=[("x-amz-sso_bearer_token", "sim-sso-token")],
                       query="role_name=admin&account_id=123456789012")
        self.assertEqual(r.status, 200, r.body)
        self.assertGreater(r.json()["roleCredentials"]["expiration"], time.time() * 1000)
        r = self.c.raw("GET", "/federation/credentials",
                       headers=[("x-amz-sso_bearer_token", "nope")],
                       query="role_name=admin&account_id=123456789012")
        self.assertEqual((r.status, r.header("x-amzn-errortype")), (401, "UnauthorizedException"))
        r = self.c.raw("POST", "/token", json.dumps({
            "clientId": "c", "clientSecret": "s", "grantType": "refresh_token",
            "refreshToken": "r"}).encode(), [("Content-Type", "application/json")])
        self.assertTrue(r.json()["accessToken"])
        r = self.c.raw("PUT", "/latest/api/token",
                       headers=[("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
        tok = r.body.decode()
        r = self.c.raw("GET", "/latest/meta-data/iam/security-credentials/",
                       headers=[("x-aws-ec2-metadata-token", tok)])
        role = r.body.decode()
        r = self.c.raw("GET", "/latest/meta-data/iam/security-credentials/" + role,
                       headers=[("x-aws-ec2-metadata-token", tok)])
        self.assertEqual(r.json()["Code"], "Success")
        r = self.c.raw("GET", "/_creds/container",
                       headers=[("Authorization", "sim-container-token")])
        self.assertTrue(r.json()["AccessKeyId"].startswith("ASIA"))

    def test_signature_errors(self):
        r = client(secret="wrong").rest_call("lambda", "GET", "/2015-03-31/functions")
        self.assertEqual((r.status, r.error_code()), (403, "InvalidSignatureException"))
        r = client(access_key="AKIDNOSUCHKEY0000000").json_call("sqs", "ListQueues")
        self.assertEqual((r.status, r.error_code()), (403, "InvalidClientTokenId"))
        r = client(secret="wrong").json_call("monitoring", "ListMetrics")
        self.assertEqual(r.header("x-amzn-query-error"), "SignatureDoesNotMatch;Sender")
        skewed = client()
        skewed.clock_offset = -1200
        r = skewed.json_call("logs", "DescribeLogGroups")
        self.assertEqual(r.status, 403)
        self.assertIn("Signature expired", r.json()["message"])
        self.assertTrue(r.header("date"))
        r = self.c.sts("GetCallerIdentity")
        stats = self.c.control("GET", "stats").json()
        self.assertGreaterEqual(stats["signature_failures"], 4)

    def test_clock_skew_control(self):
        self.c.control("POST", "clock", {"skew_s": 3600})
        try:
            r = self.c.json_call("logs", "DescribeLogGroups", {"limit": 1})
            self.assertEqual(r.status, 403)
            server = time.mktime(time.strptime(r.header("date"), "%a, %d %b %Y %H:%M:%S GMT"))
            self.assertGreater(server - time.mktime(time.gmtime()), 3000)
        finally:
            self.c.control("POST", "clock", {"skew_s": 0})


class LambdaTests(Base):
    def test_list_functions_paging(self):
        names, marker, pages = [], None, 0
        while True:
            q = {"MaxItems": "500"}
            if marker:
                q["Marker"] = marker
            r = self.c.rest_call("lambda", "GET", "/2015-03-31/functions", q)
            self.assertEqual(r.status, 200, r.body)
            doc = r.json()
            self.assertLessEqual(len(doc["Functions"]), 50)
            names += [f["FunctionName"] for f in doc["Functions"]]
            pages += 1
            marker = doc.get("NextMarker")
            if not marker:
                break
        self.assertEqual(len(names), 40)
        self.assertEqual(pages, 1)
        r = self.c.rest_call("lambda", "GET", "/2015-03-31/functions",
                             {"FunctionVersion": "ALL", "MaxItems": "10"})
        self.assertEqual(len(r.json()["Functions"]), 10)
        self.assertIn("NextMarker", r.json())

    def test_name_forms(self):
        for name in ("orders-api", "orders-api:live",
                     "arn:aws:lambda:us-east-1:123456789012:function:orders-api:prod",
                     "123456789012:function:orders-api"):
            r = self.c.rest_call("lambda", "GET", "/2015-03-31/functions/%s/configuration"
                                 % quoted(name))
            self.assertEqual(r.status, 200, (name, r.body))
            self.assertEqual(r.json()["FunctionName"], "orders-api")
        r = self.c.rest_call("lambda", "GET", "/2015-03-31/functions/orders-api:nope")
        self.assertEqual((r.status, r.error_code()), (404, "ResourceNotFoundException"))
        r = self.c.rest_call("lambda", "GET", "/2015-03-31/functions", {"MaxItems": "0"})
        self.assertEqual((r.status, r.error_code()), (400, "ValidationException"))

    def test_invoke(self):
        path = "/2015-03-31/functions/orders-api/invocations"
        r = self.c.rest_call("lambda", "POST", path, body=b'{"ping":42}',
                             headers=[("X-Amz-Log-Type", "Tail")])
        self.assertEqual((r.status, r.body), (200, b'{"ping":42}'))
        log = base64.b64decode(r.header("x-amz-log-result")).decode()
        self.assertIn("REPORT RequestId:", log)
        r = self.c.rest_call("lambda", "POST", "/2015-03-31/functions/payments-worker/"
                             "invocations", body=b"{}")
        self.assertEqual(r.header("x-amz-function-error"), "Unhandled")
        r = self.c.rest_call("lambda", "POST", path, body=b"{}",
                             headers=[("X-Amz-Invocation-Type", "DryRun")])
        self.assertEqual(r.status, 204)
        r = self.c.rest_call("lambda", "POST", path, body=b"{}",
                             headers=[("X-Amz-Invocation-Type", "Event")])
        self.assertEqual(r.status, 202)
        r = self.c.rest_call("lambda", "POST", path, body=b"[" + b"1," * 3200000 + b"1]")
        self.assertEqual((r.status, r.error_code()), (413, "RequestEntityTooLargeException"))


class LogsTests(Base):
    def test_filter_paging_matches_ledger(self):
        horizon = int(self.c.control("GET", "clock").json()["horizon"] * 1000)
        start, end = horizon - 5 * 60000, horizon
        ids, tok, pages = [], None, 0
        while True:
            doc = {"logGroupName": "/aws/lambda/orders-api", "startTime": start,
                   "endTime": end, "limit": 1000}
            if tok:
                doc["nextToken"] = tok
            r = self.c.json_call("logs", "FilterLogEvents", doc)
            self.assertEqual(r.status, 200, r.body[:300])
            page = r.json()
            ids += [e["eventId"] for e in page["events"]]
            pages += 1
            tok = page.get("nextToken")
            if not tok:
                break
        self.assertGreater(len(ids), 3000)
        self.assertEqual(len(ids), len(set(ids)))
        ledger = self.c.control("GET", "ledger", query="group=/aws/lambda/orders-api&start=%d"
                                "&end=%d" % (start, end)).json()["event_ids"]
        self.assertEqual(ids, ledger)

    def test_filter_patterns(self):
        horizon = int(self.c.control("GET", "clock").json()["horizon"] * 1000)
        _, events = filter_all(self.c, {
            "logGroupIdentifier": "/aws/lambda/payments-worker", "startTime": horizon - 3600000,
            "filterPattern": '{ $.level = "ERROR" }', "limit": 50}, 3)
        self.assertTrue(events)
        self.assertTrue(all(json.loads(e["message"])["level"] == "ERROR" for e in events))
        _, events = filter_all(self.c, {
            "logGroupName": "/aws/lambda-custom/report-generator",
            "startTime": horizon - 6 * 3600000, "filterPattern": '"Task timed out"',
            "limit": 5}, 3)
        self.assertTrue(events)
        _, events = filter_all(self.c, {
            "logGroupName": "/aws/lambda/orders-api", "startTime": horizon - 120000,
            "filterPattern": "?INIT_START ?Restore", "limit": 5}, 3)
        self.assertTrue(all("INIT_START" in e["message"] for e in events))
        r = self.c.json_call("logs", "FilterLogEvents", {"logGroupName": "/nope"})
        self.assertEqual(r.error_code(), "ResourceNotFoundException")

    def test_streams_and_get_log_events(self):
        r = self.c.json_call("logs", "DescribeLogStreams", {
            "logGroupName": "/aws/lambda/orders-api", "orderBy": "LastEventTime",
            "descending": True, "limit": 3})
        stream = r.json()["logStreams"][0]["logStreamName"]
        args = {"logGroupName": "/aws/lambda/orders-api", "logStreamName": stream,
                "startFromHead": True, "limit": 100}
        seen, tok = 0, None
        for _ in range(200):
            if tok:
                args["nextToken"] = tok
            page = self.c.json_call("logs", "GetLogEvents", args).json()
            seen += len(page["events"])
            if page["nextForwardToken"] == tok:
                break
            tok = page["nextForwardToken"]
        self.assertGreater(seen, 0)
        self.assertEqual(page["events"], [])

    def test_insights(self):
        now = int(self.c.control("GET", "clock").json()["horizon"])
        r = self.c.json_call("logs", "StartQuery", {
            "logGroupName": "/aws/lambda/orders-api", "startTime": now - 600, "endTime": now,
            "queryString": 'filter @type = "REPORT" | stats count(*) as n, '
                           'pct(@duration, 99) by bin(5m)'})
        qid = r.json()["queryId"]
        statuses = []
        for _ in range(3):
            doc = self.c.json_call("logs", "GetQueryResults", {"queryId": qid}).json()
            statuses.append(doc["status"])
        self.assertEqual(statuses, ["Scheduled", "Running", "Complete"])
        self.assertTrue(doc["results"])
        self.assertGreater(doc["statistics"]["recordsMatched"], 100)

    def test_live_tail(self):
        self.c.control("POST", "livetail", {"session_s": 2.5})
        try:
            r = self.c.json_call("logs", "StartLiveTail", {
                "logGroupIdentifiers": ["arn:aws:logs:us-east-1:123456789012:log-group:"
                                        "/aws/lambda/orders-api"]})
        finally:
            self.c.control("POST", "livetail", {"session_s": 10800})
        frames = eventstream.decode(r.body)
        kinds = [h.get(":event-type") or h.get(":exception-type") for h, _ in frames]
        self.assertEqual(kinds[0], "sessionStart")
        self.assertIn("sessionUpdate", kinds)
        self.assertEqual(kinds[-1], "SessionTimeoutException")
        results = [e for h, p in frames if h.get(":event-type") == "sessionUpdate"
                   for e in json.loads(p)["sessionResults"]]
        self.assertTrue(results)


class MetricsTests(Base):
    def test_invocations_match_logs(self):
        horizon = int(self.c.control("GET", "clock").json()["horizon"])
        minute = (horizon // 60 - 5) * 60
        r = self.c.json_call("monitoring", "GetMetricData", {
            "MetricDataQueries": [{"Id": "inv", "MetricStat": {"Metric": {
                "Namespace": "AWS/Lambda", "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": "payments-worker"}]},
                "Period": 60, "Stat": "Sum"}}],
            "StartTime": minute, "EndTime": minute + 60})
        self.assertEqual(r.status, 200, r.body)
        value = r.json()["MetricDataResults"][0]["Values"][0]
        _, events = filter_all(self.c, {
            "logGroupName": "/aws/lambda/payments-worker", "startTime": minute * 1000,
            "endTime": minute * 1000 + 59999, "filterPattern": '"platform.start"'})
        self.assertEqual(len(events), int(value))

    def test_paging_and_errors(self):
        now = int(time.time())
        q = [{"Id": "m%d" % i, "MetricStat": {"Metric": {
            "Namespace": "AWS/Lambda", "MetricName": "Duration",
            "Dimensions": [{"Name": "FunctionName", "Value": "orders-api"}]},
            "Period": 60, "Stat": "p99"}} for i in range(3)]
        doc = {"MetricDataQueries": q, "StartTime": now - 3 * 3600, "EndTime": now,
               "MaxDatapoints": 200}
        got = {}
        while True:
            page = self.c.json_call("monitoring", "GetMetricData", doc).json()
            for res in page["MetricDataResults"]:
                got.setdefault(res["Id"], []).extend(res["Values"])
            if not page.get("NextToken"):
                break
            doc["NextToken"] = page["NextToken"]
        self.assertEqual(sorted(got), ["m0", "m1", "m2"])
        self.assertEqual(len(got["m0"]), len(got["m2"]))
        r = self.c.json_call("monitoring", "GetMetricData", {"StartTime": 1, "EndTime": 2})
        self.assertEqual(r.header("x-amzn-query-error"), "MissingParameter;Sender")


class SqsTests(Base):
    def url(self, name):
        return self.c.json_call("sqs", "GetQueueUrl", {"QueueName": name}).json()["QueueUrl"]

    def test_send_receive_delete_and_redrive(self):
        self.c.json_call("sqs", "CreateQueue", {"QueueName": "t-dlq"})
        dlq_arn = "arn:aws:sqs:us-east-1:123456789012:t-dlq"
        url = self.c.json_call("sqs", "CreateQueue", {"QueueName": "t-src", "Attributes": {
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": 2})}}).json()["QueueUrl"]
        r = self.c.json_call("sqs", "SendMessage", {
            "QueueUrl": url, "MessageBody": "hello",
            "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}})
        self.assertEqual(r.json()["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592")
        for _ in range(2):
            m = self.c.json_call("sqs", "ReceiveMessage", {
                "QueueUrl": url, "VisibilityTimeout": 0, "AttributeNames": ["All"]}).json()
            self.assertEqual(len(m["Messages"]), 1)
        r = self.c.json_call("sqs", "ReceiveMessage", {"QueueUrl": url}).json()
        self.assertEqual(r, {})
        dlq = self.url("t-dlq")
        m = self.c.json_call("sqs", "ReceiveMessage", {
            "QueueUrl": dlq, "MessageSystemAttributeNames": ["All"]}).json()["Messages"][0]
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"],
                         "arn:aws:sqs:us-east-1:123456789012:t-src")
        r = self.c.json_call("sqs", "DeleteMessage", {"QueueUrl": dlq,
                                                      "ReceiptHandle": m["ReceiptHandle"]})
        self.assertEqual(r.status, 200)

    def test_fifo_dedup_and_group_lock(self):
        url = self.c.json_call("sqs", "CreateQueue", {"QueueName": "t.fifo", "Attributes": {
            "FifoQueue": "true"}}).json()["QueueUrl"]
        ids = [self.c.json_call("sqs", "SendMessage", {
            "QueueUrl": url, "MessageBody": "m%d" % i, "MessageGroupId": "g",
            "MessageDeduplicationId": "d%d" % min(i, 1)}).json()["MessageId"] for i in range(3)]
        self.assertEqual(ids[1], ids[2])
        first = self.c.json_call("sqs", "ReceiveMessage", {"QueueUrl": url}).json()
        self.assertEqual(first["Messages"][0]["Body"], "m0")
        self.assertEqual(self.c.json_call("sqs", "ReceiveMessage", {"QueueUrl": url}).json(),
                         {})
        r = self.c.json_call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "x"})
        self.assertEqual(r.error_code(), "MissingParameter")

    def test_long_poll_does_not_block(self):
        url = self.c.json_call("sqs", "CreateQueue", {"QueueName": "t-poll"}).json()["QueueUrl"]
        out = {}

        def poll():
            c = client()
            t = time.time()
            out["r"] = c.json_call("sqs", "ReceiveMessage", {"QueueUrl": url,
                                                             "WaitTimeSeconds": 5}).json()
            out["t"] = time.time() - t
        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.3)
        t = time.time()
        self.c.json_call("sqs", "ListQueues", {})
        self.assertLess(time.time() - t, 0.5)
        self.c.json_call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "wake"})
        th.join(10)
        self.assertEqual(out["r"]["Messages"][0]["Body"], "wake")
        self.assertLess(out["t"], 4)

    def test_move_task(self):
        dlq_arn = "arn:aws:sqs:us-east-1:123456789012:payments-queue-dlq"
        r = self.c.json_call("sqs", "StartMessageMoveTask", {
            "SourceArn": dlq_arn, "MaxNumberOfMessagesPerSecond": 100})
        self.assertEqual(r.status, 200, r.body)
        r2 = self.c.json_call("sqs", "StartMessageMoveTask", {"SourceArn": dlq_arn})
        self.assertEqual(r2.status, 400)
        time.sleep(0.6)
        tasks = self.c.json_call("sqs", "ListMessageMoveTasks", {"SourceArn": dlq_arn}).json()
        self.assertGreater(tasks["Results"][0]["ApproximateNumberOfMessagesMoved"], 10)
        r = self.c.json_call("sqs", "CancelMessageMoveTask", {
            "TaskHandle": r.json()["TaskHandle"]})
        self.assertEqual(r.status, 200, r.body)
        r = self.c.json_call("sqs", "StartMessageMoveTask", {
            "SourceArn": "arn:aws:sqs:us-east-1:123456789012:payments-queue"})
        self.assertEqual(r.error_code(), "InvalidParameterValue")


class XRayTests(Base):
    def test_summaries_and_traces(self):
        now = self.c.control("GET", "clock").json()["horizon"]
        r = self.c.rest_call("xray", "POST", "/TraceSummaries", doc={
            "StartTime": now - 300, "EndTime": now,
            "FilterExpression": 'service("orders-api")'})
        self.assertEqual(r.status, 200, r.body[:300])
        ids = [s["Id"] for s in r.json()["TraceSummaries"]][:5]
        self.assertTrue(ids)
        r = self.c.rest_call("xray", "POST", "/Traces", doc={"TraceIds": ids})
        traces = r.json()["Traces"]
        self.assertEqual(len(traces), len(ids))
        doc = json.loads(traces[0]["Segments"][1]["Document"])
        self.assertEqual(doc["origin"], "AWS::Lambda::Function")
        r = self.c.rest_call("xray", "POST", "/Traces", doc={"TraceIds": ids + ids})
        self.assertEqual(r.error_code(), "InvalidRequestException")


class FaultTests(Base):
    def test_throttle_then_recover(self):
        self.c.control("POST", "faults", {"rules": [
            {"service": "lambda", "op": "ListFunctions", "kind": "throttle", "count": 2}]})
        codes = [self.c.rest_call("lambda", "GET", "/2015-03-31/functions") for _ in range(3)]
        self.assertEqual([r.status for r in codes], [429, 429, 200])
        self.assertEqual(codes[0].header("retry-after"), "1")
        self.assertEqual(codes[0].json()["Reason"], "CallerRateLimitExceeded")

    def test_transport_faults(self):
        self.c.control("POST", "faults", {"rules": [
            {"service": "sqs", "op": "ListQueues", "kind": "reset", "count": 1},
            {"service": "sqs", "op": "GetQueueUrl", "kind": "html", "status": 503,
             "count": 1},
            {"service": "logs", "op": "*", "kind": "malformed", "count": 1}]})
        with self.assertRaises((ConnectionError, OSError, Exception)):
            self.c.json_call("sqs", "ListQueues")
        r = self.c.json_call("sqs", "GetQueueUrl", {"QueueName": "payments-queue"})
        self.assertEqual(r.status, 503)
        self.assertIn(b"<html>", r.body)
        r = self.c.json_call("logs", "DescribeLogGroups")
        with self.assertRaises(ValueError):
            r.json()

    def test_quotas_and_stats(self):
        self.c.control("POST", "stats/reset")
        self.c.control("POST", "enforce-quotas", {"on": True})
        try:
            rs = [self.c.json_call("logs", "FilterLogEvents", {
                "logGroupName": "/aws/lambda/image-resizer", "limit": 1,
                "startTime": int(time.time() * 1000) - 60000}) for _ in range(8)]
        finally:
            self.c.control("POST", "enforce-quotas", {"on": False})
        self.assertIn("ThrottlingException", [r.error_code() for r in rs])
        stats = self.c.control("GET", "stats").json()
        self.assertGreaterEqual(stats["max_per_second"]["logs:FilterLogEvents"], 6)
        reqs = self.c.control("GET", "requests", query="last=1").json()["requests"]
        self.assertTrue(any(h[0].lower() == "authorization" for h in reqs[0]["headers"]))


class Throughput(Base):
    def test_keep_alive_rate(self):
        """>= 2,000 signed requests/s over one keep-alive connection for 2 s."""
        body = json.dumps({"QueueName": "payments-queue"}).encode()
        hdrs = sigv4.sign("POST", "/", "", [
            ("Host", "127.0.0.1:%d" % SIM["port"]), ("X-Amz-Target", "AmazonSQS.GetQueueUrl"),
            ("Content-Type", "application/x-amz-json-1.0")], body,
            "AKIDSIMULATOR0000001", "sim-secret-key-0000000000000000000000001",
            "us-east-1", "sqs")
        raw = ("POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % h for h in hdrs) +
               "Content-Length: %d\r\n\r\n" % len(body)).encode() + body
        s = socket.create_connection(("127.0.0.1", SIM["port"]))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        n, t0 = 0, time.time()
        while time.time() - t0 < 2.0:
            s.sendall(raw)
            length = 0
            status = f.readline()
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            self.assertIn(b" 200 ", status)
            n += 1
        s.close()
        rate = n / (time.time() - t0)
        print("\n    keep-alive rate: %.0f requests/s" % rate)
        self.assertGreaterEqual(rate, 2000)


class BotocoreTests(Base):
    def setUp(self):
        super().setUp()
        try:
            import botocore.session  # noqa: F401
        except ImportError:
            self.skipTest("botocore not installed")

    def _client(self, service):
        import botocore.config
        import botocore.session
        session = botocore.session.get_session()
        return session.create_client(
            service, region_name="us-east-1", endpoint_url="http://127.0.0.1:%d" % SIM["port"],
            aws_access_key_id="AKIDSIMULATOR0000001",
            aws_secret_access_key="sim-secret-key-0000000000000000000000001",
            config=botocore.config.Config(retries={"max_attempts": 1}))

    def test_botocore_clients(self):
        lam = self._client("lambda")
        fns = lam.list_functions(MaxItems=5)
        self.assertEqual(len(fns["Functions"]), 5)
        cfg = lam.get_function_configuration(
            FunctionName="arn:aws:lambda:us-east-1:123456789012:function:orders-api:live")
        self.assertEqual(cfg["Version"], "3")
        sts = self._client("sts")
        self.assertEqual(sts.get_caller_identity()["Account"], "123456789012")
        sqs = self._client("sqs")
        url = sqs.get_queue_url(QueueName="payments-queue-dlq")["QueueUrl"]
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3,
                                   MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(msgs), 3)
        with self.assertRaises(sqs.exceptions.QueueDoesNotExist):
            sqs.get_queue_url(QueueName="no-such-queue")
        cw = self._client("cloudwatch")
        now = time.time()
        res = cw.get_metric_data(MetricDataQueries=[{"Id": "a", "MetricStat": {
            "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                       "Dimensions": [{"Name": "FunctionName", "Value": "payments-worker"}]},
            "Period": 300, "Stat": "Sum"}}], StartTime=now - 3600, EndTime=now)
        self.assertEqual(res["MetricDataResults"][0]["StatusCode"], "Complete")
        logs = self._client("logs")
        groups = logs.describe_log_groups(limit=5)["logGroups"]
        self.assertEqual(len(groups), 5)
        xray = self._client("xray")
        xray.get_trace_summaries(StartTime=now - 60, EndTime=now)


def main():
    result = unittest.TextTestRunner(verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed - len(result.skipped), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
