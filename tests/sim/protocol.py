"""Wire protocols: how each service reads its input and shapes its answers and errors
(awsJson 1.0/1.1 with or without awsQueryCompatible, restJson, awsQuery XML)."""

import json
import xml.sax.saxutils

import model
from server import Response

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

# service -> wire facts.  'ns' is the Smithy namespace used in __type for
# awsQueryCompatible services.
SERVICES = {
    "lambda": {"model": "lambda", "protocol": "rest-json"},
    "logs": {"model": "logs", "protocol": "json", "version": "1.1",
             "target": "Logs_20140328"},
    "monitoring": {"model": "monitoring", "protocol": "json", "version": "1.0",
                   "target": "GraniteServiceVersion20100801", "ns": "com.amazonaws.cloudwatch"},
    "sqs": {"model": "sqs", "protocol": "json", "version": "1.0", "target": "AmazonSQS",
            "ns": "com.amazonaws.sqs"},
    "xray": {"model": "xray", "protocol": "rest-json"},
    "sts": {"model": "sts", "protocol": "query"},
    "events": {"model": "events", "protocol": "json", "version": "1.1",
               "target": "AWSEvents"},
}
TARGETS = {v["target"]: k for k, v in SERVICES.items() if "target" in v}

# service -> kind -> (code, status, query_code).  query_code feeds x-amzn-query-error.
COMMON = {
    "lambda": {"validation": ("ValidationException", 400, None),
               "throttle": ("TooManyRequestsException", 429, None),
               "signature": ("InvalidSignatureException", 403, None),
               "incomplete": ("IncompleteSignatureException", 403, None),
               "unknown_key": ("UnrecognizedClientException", 403, None),
               "expired_token": ("ExpiredTokenException", 403, None),
               "unknown_op": ("UnknownOperationException", 404, None),
               "internal": ("ServiceException", 500, None),
               "missing_auth": ("MissingAuthenticationTokenException", 403, None)},
    "logs": {"validation": ("InvalidParameterException", 400, None),
             "throttle": ("ThrottlingException", 400, None),
             "signature": ("InvalidSignatureException", 403, None),
             "incomplete": ("IncompleteSignatureException", 403, None),
             "unknown_key": ("UnrecognizedClientException", 403, None),
             "expired_token": ("ExpiredTokenException", 403, None),
             "unknown_op": ("UnknownOperationException", 400, None),
             "internal": ("ServiceUnavailableException", 500, None),
             "missing_auth": ("MissingAuthenticationTokenException", 403, None)},
    "monitoring": {"validation": ("InvalidParameterValueException", 400,
                                  "InvalidParameterValue"),
                   "missing": ("MissingRequiredParameterException", 400, "MissingParameter"),
                   "throttle": ("Throttling", 400, "Throttling"),
                   "signature": ("com.amazon.coral.service#InvalidSignatureException", 403,
                                 "SignatureDoesNotMatch"),
                   "incomplete": ("com.amazon.coral.service#IncompleteSignatureException", 403,
                                  "IncompleteSignature"),
                   "unknown_key": ("com.amazon.coral.service#InvalidClientTokenId", 403,
                                   "InvalidClientTokenId"),
                   "expired_token": ("com.amazon.coral.service#ExpiredTokenException", 403,
                                     "ExpiredToken"),
                   "unknown_op": ("com.amazon.coral.service#UnknownOperationException", 400,
                                  "InvalidAction"),
                   "internal": ("InternalServiceFault", 500, "InternalServiceError"),
                   "missing_auth": ("com.amazon.coral.service#MissingAuthenticationToken",
                                    403, "MissingAuthenticationToken")},
    "sqs": {"validation": ("InvalidParameterValue", 400, "InvalidParameterValue"),
            "missing": ("MissingParameter", 400, "MissingParameter"),
            "throttle": ("RequestThrottled", 400, "RequestThrottled"),
            "signature": ("com.amazon.coral.service#InvalidSignatureException", 403,
                          "SignatureDoesNotMatch"),
            "incomplete": ("com.amazon.coral.service#IncompleteSignatureException", 403,
                           "IncompleteSignature"),
            "unknown_key": ("com.amazon.coral.service#InvalidClientTokenId", 403,
                            "InvalidClientTokenId"),
            "expired_token": ("com.amazon.coral.service#ExpiredTokenException", 403,
                              "ExpiredToken"),
            "unknown_op": ("com.amazon.coral.service#UnknownOperationException", 400,
                           "InvalidAction"),
            "internal": ("InternalError", 500, "InternalError"),
            "missing_auth": ("com.amazon.coral.service#MissingAuthenticationToken", 403,
                             "MissingAuthenticationToken")},
    "xray": {"validation": ("InvalidRequestException", 400, None),
             "throttle": ("ThrottledException", 429, None),
             "signature": ("InvalidSignatureException", 403, None),
             "incomplete": ("IncompleteSignatureException", 403, None),
             "unknown_key": ("UnrecognizedClientException", 403, None),
             "expired_token": ("ExpiredTokenException", 403, None),
             "unknown_op": ("UnknownOperationException", 404, None),
             "internal": ("InternalFailure", 500, None),
             "missing_auth": ("MissingAuthenticationTokenException", 403, None)},
    "sts": {"validation": ("ValidationError", 400, None),
            "throttle": ("Throttling", 400, None),
            "signature": ("SignatureDoesNotMatch", 403, None),
            "incomplete": ("IncompleteSignature", 403, None),
            "unknown_key": ("InvalidClientTokenId", 403, None),
            "expired_token": ("ExpiredToken", 400, None),
            "unknown_op": ("InvalidAction", 400, None),
            "internal": ("InternalFailure", 500, None),
            "missing_auth": ("MissingAuthenticationToken", 403, None)},
    "events": {"validation": ("ValidationException", 400, None),
               "throttle": ("ThrottlingException", 400, None),
               "signature": ("InvalidSignatureException", 403, None),
               "incomplete": ("IncompleteSignatureException", 403, None),
               "unknown_key": ("UnrecognizedClientException", 403, None),
               "expired_token": ("ExpiredTokenException", 403, None),
               "unknown_op": ("UnknownOperationException", 400, None),
               "internal": ("InternalException", 500, None),
               "missing_auth": ("MissingAuthenticationTokenException", 403, None)},
}

THROTTLE_MESSAGE = "Rate exceeded"


class ApiError(Exception):
    """An AWS error.  code: the error type (shape name); query_code: the
    awsQueryCompatible code for x-amzn-query-error; fields: extra body members;
    headers: extra response headers."""

    def __init__(self, code, message, status=400, query_code=None, fields=None,
                 headers=None, sender=True):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.query_code = query_code
        self.fields = fields or {}
        self.headers = headers or []
        self.sender = sender


def common_error(service, kind, message, **kw):
    code, status, qcode = COMMON.get(service, COMMON["logs"])[kind]
    if kind == "throttle" and service == "lambda":
        kw.setdefault("fields", {"Reason": "CallerRateLimitExceeded"})
        kw.setdefault("headers", [("Retry-After", "1")])
    return ApiError(code, message, status, query_code=qcode, sender=status < 500, **kw)


def validation_error(service, errors):
    msg = model.format_errors(errors)
    kind = "validation"
    if service in ("monitoring", "sqs") and all("must not be null" in e for e in errors):
        kind = "missing"
    return common_error(service, kind, msg)


def _json(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


def render_error(service, err):
    proto = SERVICES.get(service, {}).get("protocol", "json")
    if proto == "query":
        return _render_query_error(err)
    if proto == "rest-json":
        return _render_rest_error(service, err)
    return _render_json_error(service, err)


def _render_json_error(service, err):
    info = SERVICES.get(service, {})
    ns = info.get("ns")
    etype = err.code
    if ns and "#" not in etype:
        etype = ns + "#" + etype
    doc = {"__type": etype}
    if err.message is not None:
        doc["message"] = err.message
    doc.update(err.fields)
    ctype = "application/x-amz-json-%s" % info.get("version", "1.1")
    resp = Response(err.status, _json(doc), [("Content-Type", ctype)] + err.headers)
    if ns:
        qcode = err.query_code or err.code.rsplit("#", 1)[-1]
        resp.headers.append(("x-amzn-query-error", "%s;%s" % (
            qcode, "Sender" if err.sender else "Receiver")))
    return resp


def _message_key(service, code):
    """Lambda's exceptions spell the message member 'message' or 'Message'."""
    m = model.load(SERVICES[service]["model"])
    shape = m.shapes.get(code)
    if shape and "Message" in shape.get("members", {}):
        return "Message"
    return "Message" if service == "xray" else "message"


def _render_rest_error(service, err):
    doc = {}
    if service == "lambda":
        doc["Type"] = "User" if err.sender else "Service"
    doc[_message_key(service, err.code)] = err.message
    doc.update(err.fields)
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", err.code)]
    return Response(err.status, _json(doc), headers + err.headers)


def xml_escape(s):
    return xml.sax.saxutils.escape(str(s))


def _render_query_error(err):
    body = ("<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s</Type>\n"
            "    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n"
            "  <RequestId>@REQUESTID@</RequestId>\n</ErrorResponse>\n"
            % (STS_NS, "Sender" if err.sender else "Receiver", xml_escape(err.code),
               xml_escape(err.message)))
    return Response(err.status, body.encode(), [("Content-Type", "text/xml")] + err.headers)


def render_json_output(service, result):
    ctype = "application/x-amz-json-%s" % SERVICES[service].get("version", "1.1")
    return Response(200, _json(result if result is not None else {}),
                    [("Content-Type", ctype)])


def render_rest_output(service, op, result, default_status=200):
    m = model.load(SERVICES[service]["model"])
    status, headers, body, _ = m.rest_output(op, result or {})
    if status is None:
        status = m.ops[op]["http"].get("responseCode", default_status)
    ctype = "application/json"
    if status == 204:
        body = b""
    resp = Response(status, body, [("Content-Type", ctype)] + headers)
    return resp


def render_query_output(op, inner_xml):
    body = ("<%sResponse xmlns=\"%s\">\n  <%sResult>\n%s  </%sResult>\n"
            "  <ResponseMetadata>\n    <RequestId>@REQUESTID@</RequestId>\n"
            "  </ResponseMetadata>\n</%sResponse>\n" % (op, STS_NS, op, inner_xml, op, op))
    return Response(200, body.encode(), [("Content-Type", "text/xml")])
