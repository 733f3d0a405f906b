#!/usr/bin/env python3
"""Signs request descriptions with botocore's SigV4Auth, for test_sigv4.c.

Reads a JSON array on stdin; each item has method, host, path, query, headers
([[name, value], ...]), body, region, service, access_key, secret_key, token and
timestamp (ISO-8601 UTC). Prints one Authorization header value per item, in order.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def fixed_clock(stamp):
    when = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")

    def now(remove_tzinfo=True):
        if remove_tzinfo:
            return when
        return when.replace(tzinfo=datetime.timezone.utc)

    return now


def authorization(item):
    url = "https://" + item["host"] + item["path"]
    if item.get("query"):
        url += "?" + item["query"]
    request = AWSRequest(method=item["method"], url=url, data=item["body"].encode())
    for name, value in item["headers"]:
        request.headers[name] = value
    creds = Credentials(item["access_key"], item["secret_key"], item.get("token") or None)
    botocore.auth.get_current_datetime = fixed_clock(item["timestamp"])
    SigV4Auth(creds, item["service"], item["region"]).add_auth(request)
    return request.headers["Authorization"]


def main():
    for item in json.load(sys.stdin):
        print(authorization(item))
    return 0


if __name__ == "__main__":
    sys.exit(main())
