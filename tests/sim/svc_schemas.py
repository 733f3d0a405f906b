"""EventBridge Schemas (restJson1): DescribeSchema, enough for the Lambda console's
shareable test events. The console keeps them in the registry
`lambda-testevent-schemas`, one OpenAPI 3 schema per function named
`_<function>-schema`, whose `components.examples` hold the saved events (each
example's `value` is the event).

Seeded: orders-api has two shareable events, `small-order` and `apigw-get`. Any
other schema, and any other registry, answers 404 NotFoundException."""

import json
import os
import time

import protocol
from fleet import INTERESTING
from protocol import ApiError

HERE = os.path.dirname(os.path.abspath(__file__))
REGISTRY = "lambda-testevent-schemas"

protocol.SERVICES["schemas"] = {"model": os.path.join(HERE, "models", "schemas"),
                                "protocol": "rest-json"}
protocol.COMMON["schemas"] = dict(protocol.COMMON["xray"])
protocol.COMMON["schemas"].update({
    "validation": ("BadRequestException", 400, None),
    "throttle": ("TooManyRequestsException", 429, None),
    "internal": ("InternalServerErrorException", 500, None)})

SEEDED = {
    INTERESTING["busy"]: {
        "small-order": {"orderId": "o-1001", "customer": "c-42",
                        "items": [{"sku": "tea-green", "qty": 2}], "total": 9.5},
        "apigw-get": {"httpMethod": "GET", "path": "/orders/o-1001",
                      "pathParameters": {"id": "o-1001"}, "body": None,
                      "isBase64Encoded": False},
    },
}


def schema_document(examples):
    """The schema document as the console writes it: an OpenAPI 3 text whose
    components.examples map each event's name to {"value": EVENT}."""
    doc = {"openapi": "3.0.0", "info": {"version": "1.0.0", "title": "Event"}, "paths": {},
           "components": {"schemas": {"Event": {"type": "object", "properties": {}}},
                          "examples": {name: {"value": value}
                                       for name, value in examples.items()}}}
    return json.dumps(doc, separators=(",", ":"))


def _iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Schemas:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"DescribeSchema": self.describe_schema}

    def describe_schema(self, req, params):
        registry, name = params["RegistryName"], params["SchemaName"]
        fn = None
        if name.startswith("_") and name.endswith("-schema"):
            fn = name[1:-len("-schema")]
        if registry != REGISTRY or fn not in SEEDED:
            what = "Registry" if registry != REGISTRY else "Schema"
            raise ApiError("NotFoundException", "%s with name '%s' does not exist." % (
                what, registry if registry != REGISTRY else name), 404,
                fields={"Code": "NotFoundException"})
        if params.get("SchemaVersion") not in (None, "1"):
            raise ApiError("NotFoundException", "Schema version %s does not exist."
                           % params["SchemaVersion"], 404, fields={"Code": "NotFoundException"})
        fleet = self.sim.fleet
        when = _iso(self.sim.clock.now() - 86400)
        return {"Content": schema_document(SEEDED[fn]), "SchemaName": name,
                "SchemaArn": "arn:aws:schemas:%s:%s:schema/%s/%s" % (
                    fleet.region, fleet.account, REGISTRY, name),
                "SchemaVersion": "1", "Type": "OpenApi3", "Tags": {},
                "LastModified": when, "VersionCreatedDate": when}
