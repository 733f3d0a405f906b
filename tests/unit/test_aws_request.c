/* test_aws_request.c - request building per protocol: exact method, path, query,
 * headers and body, with no network. */
#include "fleetdeck/aws.h"
#include "test.h"

static const char *
hdr(const struct aws_request *r, const char *name)
{
	return aws_kv_find(r->headers, r->nheaders, name);
}

TEST(aws_request_lambda_list_functions_get_with_query)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LAMBDA, "ListFunctions");
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_request_query(&r, "MaxItems", "50");
	aws_request_query(&r, "Marker", "a b/c+d=e&f");
	aws_request_prepare(&r);
	CHECK_STR(r.method, "GET");
	CHECK_STR(r.path.data, "/2015-03-31/functions/");
	CHECK_STR(r.query.data, "MaxItems=50&Marker=a%20b%2Fc%2Bd%3De%26f");
	CHECK_INT(r.body.len, 0);
	CHECK_INT(r.nheaders, 0);
	CHECK(hdr(&r, "Content-Type") == NULL);
	aws_request_free(&r);
}

TEST(aws_request_path_segment_encodes_arn)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LAMBDA, "GetFunction");
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_request_path_segment(&r, "arn:aws:lambda:us-east-1:123456789012:function:my fn");
	aws_request_path(&r, "/configuration");
	CHECK_STR(r.path.data, "/2015-03-31/functions/"
	                       "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy%20fn"
	                       "/configuration");
	aws_request_free(&r);
}

TEST(aws_request_percent_encoding_unreserved_only)
{
	struct fd_buf b;
	const char *in = "AZaz09-_.~ !*'()+/\xc3\xa9";

	fd_buf_init(&b);
	aws_percent_encode(in, strlen(in), &b);
	CHECK_STR(b.data, "AZaz09-_.~%20%21%2A%27%28%29%2B%2F%C3%A9");
	fd_buf_free(&b);
}

TEST(aws_request_logs_json_1_1)
{
	struct aws_request r;
	const char *body = "{\"limit\":50}";

	aws_request_init(&r, AWS_SVC_LOGS, "DescribeLogGroups");
	aws_request_json(&r, body, strlen(body));
	aws_request_prepare(&r);
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.path.data, "/");
	CHECK_INT(r.query.len, 0);
	CHECK_STR(r.body.data, body);
	CHECK_STR(hdr(&r, "X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
	CHECK_STR(hdr(&r, "content-type"), "application/x-amz-json-1.1");
	CHECK(hdr(&r, "x-amzn-query-mode") == NULL);
	CHECK_INT(r.nheaders, 2);
	aws_request_free(&r);
}

TEST(aws_request_sqs_json_1_0_query_mode_and_empty_body)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_SQS, "ListQueues");
	aws_request_prepare(&r);
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.path.data, "/");
	CHECK_STR(r.body.data, "{}");
	CHECK_STR(hdr(&r, "X-Amz-Target"), "AmazonSQS.ListQueues");
	CHECK_STR(hdr(&r, "Content-Type"), "application/x-amz-json-1.0");
	CHECK_STR(hdr(&r, "x-amzn-query-mode"), "true");
	CHECK_INT(r.nheaders, 3);
	/* Idempotent: a second prepare changes nothing. */
	aws_request_prepare(&r);
	CHECK_STR(r.body.data, "{}");
	CHECK_INT(r.nheaders, 3);
	aws_request_free(&r);
}

TEST(aws_request_cloudwatch_get_metric_data)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_MONITORING, "GetMetricData");
	aws_request_json(&r, "{\"StartTime\":1440934560}", 24);
	aws_request_prepare(&r);
	CHECK_STR(hdr(&r, "X-Amz-Target"), "GraniteServiceVersion20100801.GetMetricData");
	CHECK_STR(hdr(&r, "Content-Type"), "application/x-amz-json-1.0");
	CHECK_STR(hdr(&r, "x-amzn-query-mode"), "true");
	CHECK_STR(r.body.data, "{\"StartTime\":1440934560}");
	aws_request_free(&r);
}

TEST(aws_request_sts_query_form)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	aws_request_prepare(&r);
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.path.data, "/");
	CHECK_STR(r.body.data, "Action=GetCallerIdentity&Version=2011-06-15");
	CHECK_STR(hdr(&r, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
	CHECK_INT(r.nheaders, 1);
	aws_request_free(&r);

	aws_request_init(&r, AWS_SVC_STS, "AssumeRole");
	aws_request_form(&r, "RoleArn", "arn:aws:iam::123456789012:role/ops");
	aws_request_form(&r, "RoleSessionName", "fleet deck");
	aws_request_prepare(&r);
	CHECK_STR(r.body.data, "Action=AssumeRole&Version=2011-06-15"
	                       "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fops"
	                       "&RoleSessionName=fleet%20deck");
	aws_request_free(&r);
}

TEST(aws_request_xray_rest_json_post)
{
	struct aws_request r;
	const char *body = "{\"StartTime\":1,\"EndTime\":2}";

	aws_request_init(&r, AWS_SVC_XRAY, "GetTraceSummaries");
	aws_request_path(&r, "/TraceSummaries");
	aws_request_json(&r, body, strlen(body));
	aws_request_prepare(&r);
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.path.data, "/TraceSummaries");
	CHECK_STR(r.body.data, body);
	CHECK_STR(hdr(&r, "Content-Type"), "application/json");
	CHECK(hdr(&r, "X-Amz-Target") == NULL);
	CHECK_INT(r.nheaders, 1);
	aws_request_free(&r);
}

TEST(aws_request_explicit_method_kept)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LAMBDA, "DeleteFunction");
	r.method = "DELETE";
	aws_request_path(&r, "/2015-03-31/functions/f");
	aws_request_prepare(&r);
	CHECK_STR(r.method, "DELETE");
	aws_request_free(&r);
}

TEST(aws_request_header_replace_and_remove)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LAMBDA, "Invoke");
	aws_request_header(&r, "X-Amz-Invocation-Type", "Event");
	aws_request_header(&r, "x-amz-invocation-type", "RequestResponse");
	CHECK_INT(r.nheaders, 1);
	CHECK_STR(hdr(&r, "X-AMZ-INVOCATION-TYPE"), "RequestResponse");
	aws_request_header(&r, "X-Amz-Log-Type", "Tail");
	aws_request_header(&r, "x-amz-invocation-type", NULL);
	CHECK_INT(r.nheaders, 1);
	CHECK(hdr(&r, "X-Amz-Invocation-Type") == NULL);
	CHECK_STR(hdr(&r, "X-Amz-Log-Type"), "Tail");
	aws_request_free(&r);
	CHECK_INT(r.nheaders, 0);
}

TEST(aws_response_header_lookup_is_case_insensitive)
{
	struct aws_kv kv[2] = {{"x-amzn-RequestId", "abc"}, {"Content-Type", "text/plain"}};
	struct aws_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.headers = kv;
	resp.nheaders = 2;
	CHECK_STR(aws_response_header(&resp, "X-AMZN-REQUESTID"), "abc");
	CHECK_STR(aws_response_header(&resp, "content-type"), "text/plain");
	CHECK(aws_response_header(&resp, "Date") == NULL);
}
