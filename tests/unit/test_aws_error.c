/* test_aws_error.c - error parsing for every protocol, and non-AWS answers. */
#include <stdlib.h>

#include "fleetdeck/aws.h"
#include "test.h"

static void
parse(enum aws_service_id svc, const char *op, long status, const struct aws_kv *h, size_t nh,
      const char *body, struct aws_error *e)
{
	aws_error_parse(svc, op, status, h, nh, body, body ? strlen(body) : 0, e);
}

TEST(aws_error_json_type_variants)
{
	static const struct {
		const char *type, *code;
	} cases[] = {
	    {"com.amazonaws.sqs#QueueDoesNotExist", "QueueDoesNotExist"},
	    {"ThrottlingException:http://internal.amazon.com/coral/com.amazon/",
	     "ThrottlingException"},
	    {"aws.protocoltests.restjson#FooError:http://x#y", "FooError"},
	    {"ResourceNotFoundException", "ResourceNotFoundException"},
	};
	struct aws_kv h[] = {{"x-amzn-RequestId", "req-123"}};
	struct aws_error e;
	char body[512];
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(cases); i++) {
		snprintf(body, sizeof(body), "{\"__type\":\"%s\",\"message\":\"m%zu\"}",
		         cases[i].type, i);
		parse(AWS_SVC_LOGS, "FilterLogEvents", 400, h, 1, body, &e);
		CHECK_STR(e.code, cases[i].code);
		CHECK_INT(e.status, FD_EAWS);
		CHECK_INT(e.http_status, 400);
		CHECK_STR(e.service, "CloudWatchLogs");
		CHECK_STR(e.op, "FilterLogEvents");
		CHECK_STR(e.request_id, "req-123");
	}
	parse(AWS_SVC_LOGS, "X", 400, NULL, 0, "{\"__type\":\"A#B\",\"Message\":\"Big M\"}", &e);
	CHECK_STR(e.message, "Big M");
	CHECK_INT(e.retry_after_ms, -1);
}

TEST(aws_error_query_error_header_wins_for_query_compatible)
{
	struct aws_kv h[] = {
	    {"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}};
	struct aws_error e;

	parse(AWS_SVC_SQS, "GetQueueUrl", 400, h, 1,
	      "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"gone\"}", &e);
	CHECK_STR(e.code, "AWS.SimpleQueueService.NonExistentQueue");
	CHECK_STR(e.message, "gone");
	CHECK(!e.retryable);
	/* Logs is not query-compatible: the header means nothing there. */
	parse(AWS_SVC_LOGS, "X", 400, h, 1, "{\"__type\":\"InvalidParameterException\"}", &e);
	CHECK_STR(e.code, "InvalidParameterException");
}

TEST(aws_error_rest_json_header_and_body)
{
	struct aws_kv h[] = {{"X-Amzn-ErrorType", "TooManyRequestsException:http://internal/"},
	                     {"Retry-After", "3"},
	                     {"x-amzn-requestid", "lam-1"}};
	struct aws_error e;

	parse(AWS_SVC_LAMBDA, "ListFunctions", 429, h, 3,
	      "{\"Type\":\"User\",\"message\":\"Rate "
	      "exceeded\",\"Reason\":\"CallerRateLimitExceeded\"}",
	      &e);
	CHECK_STR(e.code, "TooManyRequestsException");
	CHECK_STR(e.message, "Rate exceeded");
	CHECK_STR(e.request_id, "lam-1");
	CHECK(e.throttled);
	CHECK(e.retryable);
	CHECK_INT(e.retry_after_ms, 3000);
	/* No header: body code, then Code; Type "User" is a fault side, not a code. */
	parse(AWS_SVC_XRAY, "GetTraceSummaries", 400, NULL, 0,
	      "{\"code\":\"InvalidRequestException\",\"message\":\"bad\"}", &e);
	CHECK_STR(e.code, "InvalidRequestException");
	parse(AWS_SVC_LAMBDA, "GetFunction", 404, NULL, 0,
	      "{\"Type\":\"User\",\"Code\":\"ResourceNotFoundException\",\"Message\":\"nope\"}",
	      &e);
	CHECK_STR(e.code, "ResourceNotFoundException");
	CHECK_STR(e.message, "nope");
	parse(AWS_SVC_LAMBDA, "GetFunction", 400, NULL, 0, "{\"Type\":\"User\",\"message\":\"x\"}",
	      &e);
	CHECK_STR(e.code, "HTTP400");
	CHECK_STR(e.message, "x");
}

TEST(aws_error_sts_xml)
{
	const char *xml =
	    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	    "  <Error>\n    <Type>Sender</Type>\n    <Code>ExpiredToken</Code>\n"
	    "    <Message>The security token included in the request is expired &amp; "
	    "gone</Message>\n  </Error>\n  <RequestId>sts-req-9</RequestId>\n"
	    "</ErrorResponse>\n";
	struct aws_error e;

	parse(AWS_SVC_STS, "GetCallerIdentity", 403, NULL, 0, xml, &e);
	CHECK_STR(e.code, "ExpiredToken");
	CHECK_STR(e.message, "The security token included in the request is expired & gone");
	CHECK_STR(e.request_id, "sts-req-9");
	CHECK_STR(e.service, "STS");
	CHECK_INT(e.status, FD_EAWS);
	CHECK(!e.retryable);
	parse(AWS_SVC_STS, "GetCallerIdentity", 400, NULL, 0,
	      "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
	      "</Error></ErrorResponse>",
	      &e);
	CHECK(e.throttled);
	CHECK(e.retryable);
}

TEST(aws_error_html_page)
{
	struct aws_error e;

	parse(AWS_SVC_LAMBDA, "ListFunctions", 502, NULL, 0,
	      "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
	      "<body><h1>Bad Gateway</h1></body></html>",
	      &e);
	CHECK_STR(e.code, "InvalidResponse");
	CHECK_INT(e.status, FD_EHTTP);
	CHECK_CONTAINS(e.message, "HTTP 502 with an HTML page");
	CHECK_CONTAINS(e.message, "502 Bad Gateway");
	CHECK(e.retryable);
	parse(AWS_SVC_STS, "GetCallerIdentity", 403, NULL, 0,
	      "<html><body>Forbidden by proxy</body></html>", &e);
	CHECK_STR(e.code, "InvalidResponse");
	CHECK_CONTAINS(e.message, "HTTP 403 with an HTML page");
	CHECK(!e.retryable);
}

TEST(aws_error_empty_and_truncated_bodies)
{
	struct aws_error e;

	parse(AWS_SVC_SQS, "ListQueues", 503, NULL, 0, "", &e);
	CHECK_STR(e.code, "InvalidResponse");
	CHECK_STR(e.message, "HTTP 503 with an empty body");
	CHECK(e.retryable);
	parse(AWS_SVC_SQS, "ListQueues", 503, NULL, 0, NULL, &e);
	CHECK_STR(e.message, "HTTP 503 with an empty body");
	parse(AWS_SVC_LOGS, "FilterLogEvents", 500, NULL, 0, "{\"__type\":\"InternalFail", &e);
	CHECK_STR(e.code, "InvalidResponse");
	CHECK_CONTAINS(e.message, "HTTP 500 with a malformed or truncated JSON body (23 bytes)");
	parse(AWS_SVC_LOGS, "FilterLogEvents", 400, NULL, 0, "Bad Request\r\n\x1b[31m", &e);
	CHECK_CONTAINS(e.message, "HTTP 400 with an unexpected body");
	CHECK(strchr(e.message, '\x1b') == NULL);
	CHECK(!e.throttled);
	/* 429 without an AWS body is still throttling. */
	parse(AWS_SVC_LAMBDA, "ListFunctions", 429, NULL, 0, "", &e);
	CHECK(e.throttled);
	CHECK(e.retryable);
}

TEST(aws_error_header_code_with_foreign_body_describes_body)
{
	struct aws_kv h[] = {{"x-amzn-ErrorType", "ServiceException"}};
	struct aws_error e;

	parse(AWS_SVC_LAMBDA, "Invoke", 500, h, 1, "<html><title>oops</title></html>", &e);
	CHECK_STR(e.code, "ServiceException");
	CHECK_INT(e.status, FD_EAWS);
	CHECK_CONTAINS(e.message, "HTML page");
}

TEST(aws_error_huge_message_capped_on_utf8_boundary)
{
	size_t n = 100000, i;
	char *body = malloc(n + 64);
	struct aws_error e;

	REQUIRE(body);
	strcpy(body, "{\"__type\":\"Boom\",\"message\":\"");
	for (i = strlen(body); i < n; i += 2)
		memcpy(body + i, "\xc3\xa9", 2); /* é */
	strcpy(body + i, "\"}");
	parse(AWS_SVC_LOGS, "X", 400, NULL, 0, body, &e);
	CHECK_STR(e.code, "Boom");
	CHECK(strlen(e.message) < sizeof(e.message));
	CHECK(strlen(e.message) > 400);
	CHECK_INT(strlen(e.message) % 2, 0); /* never half a character */
	free(body);
}

TEST(aws_error_retry_after_headers)
{
	struct aws_kv h1[] = {{"x-amz-retry-after", "1500"}, {"Retry-After", "9"}};
	struct aws_kv h2[] = {{"Retry-After", "junk"}};
	struct aws_error e;

	parse(AWS_SVC_LOGS, "X", 400, h1, 2, "{\"__type\":\"ThrottlingException\"}", &e);
	CHECK_INT(e.retry_after_ms, 1500);
	CHECK(e.throttled);
	parse(AWS_SVC_LOGS, "X", 400, h2, 1, "{\"__type\":\"ThrottlingException\"}", &e);
	CHECK_INT(e.retry_after_ms, -1);
}

TEST(aws_error_code_tables)
{
	CHECK(aws_error_code_is_throttle("ThrottlingException"));
	CHECK(aws_error_code_is_throttle("TooManyRequestsException"));
	CHECK(aws_error_code_is_throttle("RequestLimitExceeded"));
	CHECK(aws_error_code_is_throttle("SlowDown"));
	CHECK(!aws_error_code_is_throttle("AccessDeniedException"));
	CHECK(!aws_error_code_is_throttle(NULL));
	CHECK(aws_error_code_is_transient("RequestTimeout"));
	CHECK(aws_error_code_is_transient("PriorRequestNotComplete"));
	CHECK(!aws_error_code_is_transient("ThrottlingException"));
}

TEST(aws_error_format_one_sanitized_line)
{
	struct aws_error e;
	char out[700];

	parse(AWS_SVC_LAMBDA, "ListFunctions", 400, NULL, 0,
	      "{\"code\":\"Bad\\nCode\",\"message\":\"line1\\nline2\\u001b]52;c;"
	      "x\\u0007\\u0085end\"}",
	      &e);
	aws_error_format(&e, out, sizeof(out));
	CHECK_STR(out, "Lambda.ListFunctions: Bad Code: line1 line2 ]52;c;x  end");
	parse(AWS_SVC_LAMBDA, "GetFunction", 404, NULL, 0, "{\"code\":\"NotFound\"}", &e);
	aws_error_format(&e, out, sizeof(out));
	CHECK_STR(out, "Lambda.GetFunction: NotFound");
	/* Fields filled by hand are sanitized too. */
	memset(&e, 0, sizeof(e));
	e.status = FD_EAWS;
	strcpy(e.service, "SQS");
	strcpy(e.op, "Op\r");
	strcpy(e.code, "C");
	strcpy(e.message, "m\x1b[2J\xff");
	aws_error_format(&e, out, sizeof(out));
	CHECK_STR(out, "SQS.Op : C: m [2J?");
}
