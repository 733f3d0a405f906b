/* test_aws_http.c - exact requests per protocol against the simulator (method, path,
 * query, headers, body, and a signature it accepts), and how injected faults are
 * retried and reported. Cases skip when the simulator is not running. */
#include <stdlib.h>
#include <time.h>

#include "test.h"
#include "test_aws_sim.h"

/* The request the simulator saw last, checked field by field. */
struct expect {
	const char *method, *path, *query, *body;
	const char *headers[4][2];
	const char *scope; /* "us-east-1/lambda/aws4_request" */
};

static void
check_last_request(const struct expect *ex)
{
	cJSON *doc = sim_get("requests?last=1");
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "requests"), 0);
	const char *auth;
	char want[256];
	size_t i;

	if (!e) {
		fd_test_fail(__FILE__, __LINE__, "simulator recorded no request");
		cJSON_Delete(doc);
		return;
	}
	CHECK_STR(entry_str(e, "method"), ex->method);
	CHECK_STR(entry_str(e, "path"), ex->path);
	CHECK_STR(entry_str(e, "query"), ex->query);
	CHECK_STR(entry_str(e, "body"), ex->body);
	for (i = 0; i < 4 && ex->headers[i][0]; i++)
		CHECK_STR(entry_header(e, ex->headers[i][0]), ex->headers[i][1]);
	CHECK(entry_header(e, "x-amz-date") != NULL);
	CHECK(entry_header(e, "x-amz-security-token") == NULL);
	auth = entry_header(e, "authorization");
	snprintf(want, sizeof(want), "AWS4-HMAC-SHA256 Credential=%s/", SIM_KEY);
	CHECK(auth && fd_str_starts(auth, want));
	CHECK_CONTAINS(auth, ex->scope);
	CHECK_CONTAINS(auth, "SignedHeaders=");
	CHECK(strstr(entry_str(e, "body"), SIM_SECRET) == NULL);
	cJSON_Delete(doc);
}

static void
call_ok(struct sim *x, struct aws_request *r, struct aws_response *resp)
{
	char msg[800];

	aws_call_sync(x->c, r, resp);
	aws_error_format(&resp->error, msg, sizeof(msg));
	if (resp->error.status != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "call failed: %s", msg);
	CHECK_INT(resp->http_status, 200);
}

TEST(aws_http_lambda_list_functions_exact)
{
	struct expect ex = {"GET", "/2015-03-31/functions/", "MaxItems=10",
	                    "",    {{NULL, NULL}},           "/us-east-1/lambda/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	aws_request_init(&r, AWS_SVC_LAMBDA, "ListFunctions");
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_request_query(&r, "MaxItems", "10");
	call_ok(&x, &r, &resp);
	CHECK_CONTAINS(resp.body.data, "\"Functions\"");
	CHECK_INT(resp.attempts, 1);
	CHECK(aws_response_header(&resp, "x-amzn-RequestId") != NULL);
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_logs_describe_log_groups_exact)
{
	struct expect ex = {"POST",
	                    "/",
	                    "",
	                    "{\"limit\":5}",
	                    {{"X-Amz-Target", "Logs_20140328.DescribeLogGroups"},
	                     {"Content-Type", "application/x-amz-json-1.1"}},
	                    "/us-east-1/logs/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	aws_request_init(&r, AWS_SVC_LOGS, "DescribeLogGroups");
	aws_request_json(&r, "{\"limit\":5}", 11);
	call_ok(&x, &r, &resp);
	CHECK_CONTAINS(resp.body.data, "logGroups");
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_sqs_list_queues_exact)
{
	struct expect ex = {"POST",
	                    "/",
	                    "",
	                    "{}",
	                    {{"X-Amz-Target", "AmazonSQS.ListQueues"},
	                     {"Content-Type", "application/x-amz-json-1.0"},
	                     {"x-amzn-query-mode", "true"}},
	                    "/us-east-1/sqs/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	aws_request_init(&r, AWS_SVC_SQS, "ListQueues");
	call_ok(&x, &r, &resp);
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_cloudwatch_get_metric_data_exact)
{
	struct expect ex = {"POST",
	                    "/",
	                    "",
	                    NULL,
	                    {{"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"},
	                     {"Content-Type", "application/x-amz-json-1.0"},
	                     {"x-amzn-query-mode", "true"}},
	                    "/us-east-1/monitoring/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;
	char body[512];
	long now = (long)time(NULL) / 60 * 60;

	if (!sim_open(&x, NULL, NULL))
		return;
	snprintf(body, sizeof(body),
	         "{\"MetricDataQueries\":[{\"Id\":\"m1\",\"MetricStat\":{\"Metric\":{\"Namespace\":"
	         "\"AWS/Lambda\",\"MetricName\":\"Invocations\"},\"Period\":60,\"Stat\":\"Sum\"}}],"
	         "\"StartTime\":%ld,\"EndTime\":%ld}",
	         now - 3600, now);
	ex.body = body;
	aws_request_init(&r, AWS_SVC_MONITORING, "GetMetricData");
	aws_request_json(&r, body, strlen(body));
	call_ok(&x, &r, &resp);
	CHECK_CONTAINS(resp.body.data, "MetricDataResults");
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_sts_get_caller_identity_exact)
{
	struct expect ex = {"POST",
	                    "/",
	                    "",
	                    "Action=GetCallerIdentity&Version=2011-06-15",
	                    {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
	                    "/us-east-1/sts/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	call_ok(&x, &r, &resp);
	CHECK_CONTAINS(resp.body.data, "<Account>");
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_xray_trace_summaries_exact)
{
	struct expect ex = {"POST",
	                    "/TraceSummaries",
	                    "",
	                    NULL,
	                    {{"Content-Type", "application/json"}},
	                    "/us-east-1/xray/aws4_request"};
	struct aws_response resp;
	struct aws_request r;
	struct sim x;
	char body[128];
	long now = (long)time(NULL);

	if (!sim_open(&x, NULL, NULL))
		return;
	snprintf(body, sizeof(body), "{\"StartTime\":%ld,\"EndTime\":%ld}", now - 600, now);
	ex.body = body;
	aws_request_init(&r, AWS_SVC_XRAY, "GetTraceSummaries");
	aws_request_path(&r, "/TraceSummaries");
	aws_request_json(&r, body, strlen(body));
	call_ok(&x, &r, &resp);
	CHECK_CONTAINS(resp.body.data, "TraceSummaries");
	check_last_request(&ex);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_throttling_is_retried_then_succeeds)
{
	struct aws_client_stats st;
	struct aws_response resp;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"throttle\","
	           "\"count\":2}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	CHECK_INT(resp.http_status, 200);
	CHECK_INT(resp.attempts, 3);
	CHECK(resp.elapsed_ms < 3500); /* backoff: rand < 1 s, then rand < 2 s */
	aws_client_stats(x.c, &st);
	CHECK_INT(st.requests, 3);
	CHECK_INT(st.retries, 2);
	CHECK_INT(st.throttled, 2);
	CHECK_INT(st.failures, 0);
	CHECK_INT(sim_stat("requests", "logs:DescribeLogGroups"), 3);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_throttling_fails_after_max_attempts)
{
	struct aws_client_stats st;
	struct aws_response resp;
	char msg[800];
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"throttle\"}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EAWS);
	CHECK_STR(resp.error.code, "ThrottlingException");
	CHECK(resp.error.throttled);
	CHECK_INT(resp.attempts, 3);
	aws_error_format(&resp.error, msg, sizeof(msg));
	CHECK_STR(msg, "CloudWatchLogs.DescribeLogGroups: ThrottlingException: Rate exceeded");
	aws_client_stats(x.c, &st);
	CHECK_INT(st.failures, 1);
	CHECK_STR(st.last_error.code, "ThrottlingException");
	CHECK_INT(sim_stat("requests", "logs:DescribeLogGroups"), 3);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_server_errors_retried_and_reported)
{
	struct aws_response resp;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"error\","
	           "\"status\":503,\"code\":\"ServiceUnavailableException\",\"count\":1}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	CHECK_INT(resp.attempts, 2);
	aws_response_free(&resp);
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"error\","
	           "\"status\":500}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EAWS);
	CHECK_INT(resp.error.http_status, 500);
	CHECK(resp.error.code[0] != '\0');
	CHECK(resp.error.request_id[0] != '\0');
	CHECK_INT(resp.attempts, 3);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_reset_and_truncate_are_connection_errors)
{
	static const char *const kinds[] = {"reset", "truncate"};
	struct aws_response resp;
	struct sim x;
	char rule[256];
	size_t i;

	if (!sim_open(&x, NULL, NULL))
		return;
	for (i = 0; i < FD_ARRAY_LEN(kinds); i++) {
		snprintf(rule, sizeof(rule),
		         "{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"%s\"}",
		         kinds[i]);
		sim_faults(rule);
		describe_groups(&x, &resp);
		CHECK_INT(resp.error.status, FD_EHTTP);
		CHECK_STR(resp.error.code, "ConnectionError");
		CHECK(resp.error.retryable);
		CHECK_INT(resp.attempts, 3);
		CHECK(resp.error.message[0] != '\0');
		aws_response_free(&resp);
	}
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"reset\","
	           "\"count\":1}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	CHECK_INT(resp.attempts, 2);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_http_malformed_and_html_answers_are_clear)
{
	struct aws_response resp;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"malformed\"}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EHTTP);
	CHECK_STR(resp.error.code, "InvalidResponse");
	CHECK_CONTAINS(resp.error.message, "HTTP 200 with a malformed or truncated JSON body");
	CHECK_INT(resp.attempts, 1);
	aws_response_free(&resp);
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"html\","
	           "\"status\":502}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EHTTP);
	CHECK_STR(resp.error.code, "InvalidResponse");
	CHECK_CONTAINS(resp.error.message, "HTTP 502 with an HTML page");
	CHECK_INT(resp.attempts, 3);
	aws_response_free(&resp);
	sim_close(&x);
}
