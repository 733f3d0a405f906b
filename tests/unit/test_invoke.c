/* test_invoke.c - Lambda Invoke: the request as sent, each invocation type against the
 * simulator, qualifiers, function errors, timeouts, size limits, throttling with
 * retry, the log tail and its REPORT line, and the pure decoders. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invoke.h"
#include "test.h"
#include "test_aws_sim.h"

static const char *
req_header(const struct aws_request *r, const char *name)
{
	return aws_kv_find(r->headers, r->nheaders, name);
}

TEST(invoke_build_request)
{
	struct fd_invoke_req in = {"arn:aws:lambda:us-east-1:123456789012:function:orders-api",
	                           "live",
	                           FD_INVOKE_SYNC,
	                           "{\"a\":1}",
	                           7,
	                           "{\"custom\":{\"k\":1}}",
	                           1,
	                           0};
	struct fd_err err = {FD_OK, ""};
	struct aws_request r;

	REQUIRE(lambda_invoke_build(&in, &r, &err) == FD_OK);
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.path.data, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A"
	                       "123456789012%3Afunction%3Aorders-api/invocations");
	CHECK_STR(r.query.data, "Qualifier=live");
	CHECK_STR(req_header(&r, "X-Amz-Invocation-Type"), "RequestResponse");
	CHECK_STR(req_header(&r, "X-Amz-Log-Type"), "Tail");
	/* base64 of {"custom":{"k":1}} */
	CHECK_STR(req_header(&r, "X-Amz-Client-Context"), "eyJjdXN0b20iOnsiayI6MX19");
	CHECK_STR(r.body.data, "{\"a\":1}");
	CHECK(r.timeout_ms >= 900000);
	aws_request_free(&r);

	/* No tail for Event; no qualifier when none is given. */
	in.type = FD_INVOKE_ASYNC;
	in.qualifier = NULL;
	in.client_context = NULL;
	in.timeout_ms = 20000;
	REQUIRE(lambda_invoke_build(&in, &r, &err) == FD_OK);
	CHECK_STR(req_header(&r, "X-Amz-Invocation-Type"), "Event");
	CHECK(req_header(&r, "X-Amz-Log-Type") == NULL);
	CHECK(r.query.len == 0);
	CHECK_INT(r.timeout_ms, 20000);
	aws_request_free(&r);
}

TEST(invoke_size_limits_local)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_invoke_req in = {"f", NULL, FD_INVOKE_ASYNC, NULL, 0, NULL, 0, 0};
	struct aws_request r;
	char *big = malloc(FD_INVOKE_SYNC_MAX + 1);
	char ctx[4000];

	REQUIRE(big);
	memset(big, ' ', FD_INVOKE_SYNC_MAX + 1);
	CHECK_INT(fd_invoke_check_size(FD_INVOKE_ASYNC, 1048576, &err), FD_OK);
	CHECK_INT(fd_invoke_check_size(FD_INVOKE_ASYNC, 1048577, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "1048576");
	CHECK_CONTAINS(err.msg, "Event");
	CHECK_INT(fd_invoke_check_size(FD_INVOKE_SYNC, 6291456, &err), FD_OK);
	CHECK_INT(fd_invoke_check_size(FD_INVOKE_SYNC, 6291457, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "6291456");
	CHECK_INT(fd_invoke_check_size(FD_INVOKE_DRYRUN, 6291457, &err), FD_EINVAL);

	in.payload = big;
	in.len = 1048577;
	CHECK_INT(lambda_invoke_build(&in, &r, &err), FD_EINVAL);
	in.type = FD_INVOKE_SYNC;
	CHECK_INT(lambda_invoke_build(&in, &r, &err), FD_OK);
	aws_request_free(&r);

	memset(ctx, 'x', sizeof(ctx) - 1);
	ctx[sizeof(ctx) - 1] = '\0';
	in.client_context = ctx;
	CHECK_INT(lambda_invoke_build(&in, &r, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "client context");
	in.function = "";
	CHECK_INT(lambda_invoke_build(&in, &r, &err), FD_EINVAL);
	free(big);
}

TEST(invoke_type_names)
{
	enum fd_invoke_type t = FD_INVOKE_SYNC;

	CHECK(fd_invoke_type_parse("event", &t) && t == FD_INVOKE_ASYNC);
	CHECK(fd_invoke_type_parse("DryRun", &t) && t == FD_INVOKE_DRYRUN);
	CHECK(fd_invoke_type_parse("sync", &t) && t == FD_INVOKE_SYNC);
	CHECK(!fd_invoke_type_parse("later", &t));
	CHECK_STR(fd_invoke_type_name(FD_INVOKE_ASYNC), "Event");
}

TEST(invoke_base64_and_md5)
{
	struct fd_buf b;
	char *e = fd_base64_encode("hello, world", 12);
	char md5[33];

	CHECK_STR(e, "aGVsbG8sIHdvcmxk");
	fd_buf_init(&b);
	CHECK_INT(fd_base64_decode(e, strlen(e), &b), FD_OK);
	CHECK_STR(b.data, "hello, world");
	fd_buf_reset(&b);
	CHECK_INT(fd_base64_decode("aGVs\nbG8=", 9, &b), FD_OK);
	CHECK_STR(b.data, "hello");
	fd_buf_reset(&b);
	CHECK_INT(fd_base64_decode("!!!not base64", 13, &b), FD_EPARSE);
	CHECK_INT(b.len, 0);
	fd_buf_free(&b);
	free(e);
	fd_md5_hex("", 0, md5);
	CHECK_STR(md5, "d41d8cd98f00b204e9800998ecf8427e");
}

static const char tail_text[] =
    "START RequestId: 6f7f0961-1b2c-4d5e-8f90-123456789abc Version: $LATEST\n"
    "2024-05-01T10:00:00.000Z\t6f7f0961-1b2c-4d5e-8f90-123456789abc\tINFO\thello\n"
    "END RequestId: 6f7f0961-1b2c-4d5e-8f90-123456789abc\n"
    "REPORT RequestId: 6f7f0961-1b2c-4d5e-8f90-123456789abc\tDuration: 12.34 ms\t"
    "Billed Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t"
    "Init Duration: 187.65 ms\t\n"
    "XRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f2e8\tSegmentId: 6b8a7d2c1f3e4d5a\t"
    "Sampled: true\t\n";

TEST(invoke_decode_tail_report)
{
	struct fd_invoke_result r;
	char *b64 = fd_base64_encode(tail_text, strlen(tail_text));

	fd_invoke_result_init(&r);
	CHECK_INT(lambda_invoke_decode_tail(b64, strlen(b64), &r), FD_OK);
	CHECK_STR(r.log.data, tail_text);
	CHECK(r.has_report);
	CHECK(fabs(r.report.duration_ms - 12.34) < 1e-9);
	CHECK(fabs(r.report.billed_ms - 13) < 1e-9);
	CHECK(fabs(r.report.init_ms - 187.65) < 1e-9);
	CHECK(fabs(r.report.max_memory_mb - 64) < 1e-9);
	CHECK_STR(r.report.trace_id, "1-5e1b4151-5ac6c58f5b5daa6532e4f2e8");
	CHECK(!r.timed_out);
	CHECK_INT(lambda_invoke_decode_tail("%%%", 3, &r), FD_EPARSE);
	CHECK(r.log_invalid);
	CHECK_INT(r.log.len, 0);
	fd_invoke_result_free(&r);
	free(b64);
}

TEST(invoke_decode_tail_timeout_and_truncated)
{
	static const char text[] =
	    "ms\tMax Memory Used: 64 MB\n" /* the tail starts mid-line */
	    "2024-05-01T10:00:03.010Z 6f7f0961-1b2c-4d5e-8f90-123456789abc Task timed out "
	    "after 3.00 seconds\n"
	    "END RequestId: 6f7f0961-1b2c-4d5e-8f90-123456789abc\n"
	    "REPORT RequestId: 6f7f0961-1b2c-4d5e-8f90-123456789abc\tDuration: 3000.00 ms\t"
	    "Billed Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t"
	    "Status: timeout\n";
	struct fd_invoke_result r;
	char *b64 = fd_base64_encode(text, strlen(text));

	fd_invoke_result_init(&r);
	CHECK_INT(lambda_invoke_decode_tail(b64, strlen(b64), &r), FD_OK);
	CHECK(r.timed_out);
	CHECK(r.has_report);
	CHECK(isnan(r.report.init_ms));
	CHECK(fabs(r.report.duration_ms - 3000) < 1e-9);
	fd_invoke_result_free(&r);
	free(b64);
}

static void
fake_header(struct aws_response *resp, const char *name, const char *value)
{
	resp->headers = realloc(resp->headers, (resp->nheaders + 1) * sizeof(*resp->headers));
	resp->headers[resp->nheaders].name = strdup(name);
	resp->headers[resp->nheaders].value = strdup(value);
	resp->nheaders++;
}

TEST(invoke_parse_response_headers)
{
	struct aws_response resp;
	struct fd_invoke_result r;
	char *b64 = fd_base64_encode(tail_text, strlen(tail_text));

	memset(&resp, 0, sizeof(resp));
	resp.http_status = 200;
	resp.error.status = FD_OK;
	resp.attempts = 1;
	resp.elapsed_ms = 42.5;
	fd_buf_puts(&resp.body, "{\"errorMessage\":\"boom\"}");
	fake_header(&resp, "x-amz-function-error", "Unhandled");
	fake_header(&resp, "X-Amz-Executed-Version", "7");
	fake_header(&resp, "x-amz-log-result", b64);
	fake_header(&resp, "x-amzn-requestid", "rid-1");
	fd_invoke_result_init(&r);
	lambda_invoke_parse(&resp, &r);
	CHECK_INT(r.http_status, 200);
	CHECK_STR(r.function_error, "Unhandled");
	CHECK_STR(r.executed_version, "7");
	CHECK_STR(r.request_id, "rid-1");
	CHECK_STR(r.payload.data, "{\"errorMessage\":\"boom\"}");
	CHECK_INT(r.payload_size, 23);
	CHECK(r.has_report);
	CHECK(fabs(r.client_ms - 42.5) < 1e-9);
	CHECK(!fd_invoke_result_ok(&r));
	fd_invoke_result_free(&r);
	aws_response_free(&resp);
	free(b64);
}

TEST(invoke_parse_target)
{
	static const char doc[] =
	    "{\"Configuration\":{\"FunctionName\":\"orders-api\",\"FunctionArn\":"
	    "\"arn:aws:lambda:eu-west-1:210987654321:function:orders-api:live\","
	    "\"Version\":\"3\",\"Timeout\":30,\"Environment\":{\"Variables\":"
	    "{\"DB_PASSWORD\":\"hunter2\"}}},\"Tags\":{\"env\":\"prod\",\"team\":\"x\"}}";
	struct fd_invoke_target t;
	struct fd_err err = {FD_OK, ""};

	REQUIRE(lambda_parse_invoke_target(doc, strlen(doc), &t, &err) == FD_OK);
	CHECK_STR(t.function, "orders-api");
	CHECK_STR(t.account, "210987654321");
	CHECK_STR(t.region, "eu-west-1");
	CHECK_STR(t.version, "3");
	CHECK_INT(t.timeout_s, 30);
	REQUIRE(t.ntags == 2);
	CHECK_STR(t.tags[0].key, "env");
	CHECK_STR(t.tags[0].value, "prod");
	fd_invoke_target_free(&t);
	CHECK_INT(lambda_parse_invoke_target("[1]", 3, &t, &err), FD_EPARSE);
	fd_invoke_target_free(&t);
}

/* ---- against the simulator ---- */

static enum fd_status
sim_invoke(struct sim *x, const char *fn, const char *q, enum fd_invoke_type type,
           const char *payload, struct fd_invoke_result *out, struct fd_err *err)
{
	struct fd_invoke_req in = {fn, q, type, payload, payload ? strlen(payload) : 0, NULL, 1, 0};

	return lambda_invoke_sync(x->c, &in, out, err);
}

TEST(invoke_sim_sync_echo_tail)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};

	if (!sim_open(&x, NULL, NULL))
		return;
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, "{\"ping\":42}", &r, &err),
	          FD_OK);
	CHECK_INT(r.http_status, 200);
	CHECK_STR(r.payload.data, "{\"ping\":42}");
	CHECK_STR(r.executed_version, "$LATEST");
	CHECK_STR(r.function_error, "");
	CHECK_CONTAINS(r.log.data, "REPORT RequestId:");
	CHECK(r.has_report);
	CHECK(r.report.duration_ms > 0);
	CHECK(r.client_ms > 0);
	CHECK_INT(r.attempts, 1);
	CHECK(fd_invoke_result_ok(&r));
	fd_invoke_result_free(&r);
	sim_close(&x);
}

TEST(invoke_sim_qualifiers)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};

	if (!sim_open(&x, NULL, NULL))
		return;
	/* orders-api has 3 versions: live -> 3, prod -> 2. */
	CHECK_INT(sim_invoke(&x, "orders-api", "live", FD_INVOKE_SYNC, "{}", &r, &err), FD_OK);
	CHECK_STR(r.executed_version, "3");
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api", "2", FD_INVOKE_SYNC, "{}", &r, &err), FD_OK);
	CHECK_STR(r.executed_version, "2");
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api:prod", NULL, FD_INVOKE_SYNC, "{}", &r, &err), FD_OK);
	CHECK_STR(r.executed_version, "2");
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api", "nosuch", FD_INVOKE_SYNC, "{}", &r, &err), FD_EAWS);
	CHECK_INT(r.http_status, 404);
	CHECK_STR(r.error.code, "ResourceNotFoundException");
	CHECK_CONTAINS(err.msg, "ResourceNotFoundException");
	fd_invoke_result_free(&r);
	sim_close(&x);
}

TEST(invoke_sim_async_and_dryrun)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};

	if (!sim_open(&x, NULL, NULL))
		return;
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_ASYNC, "{\"a\":1}", &r, &err),
	          FD_OK);
	CHECK_INT(r.http_status, 202);
	CHECK_INT(r.log.len, 0);
	CHECK_INT(r.payload.len, 0);
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api", "live", FD_INVOKE_DRYRUN, "{}", &r, &err), FD_OK);
	CHECK_INT(r.http_status, 204);
	CHECK(fd_invoke_result_ok(&r));
	fd_invoke_result_free(&r);
	/* DryRun still checks the target exists. */
	CHECK_INT(sim_invoke(&x, "no-such-function", NULL, FD_INVOKE_DRYRUN, "{}", &r, &err),
	          FD_EAWS);
	CHECK_INT(r.http_status, 404);
	fd_invoke_result_free(&r);
	sim_close(&x);
}

TEST(invoke_sim_function_error_and_timeout)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};

	if (!sim_open(&x, NULL, NULL))
		return;
	CHECK_INT(sim_invoke(&x, "payments-worker", NULL, FD_INVOKE_SYNC, "{}", &r, &err), FD_OK);
	CHECK_INT(r.http_status, 200);
	CHECK_STR(r.function_error, "Unhandled");
	CHECK_CONTAINS(r.payload.data, "payment declined");
	CHECK(!r.timed_out);
	CHECK(!fd_invoke_result_ok(&r));
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, "{\"fleetsim\":\"timeout\"}",
	                     &r, &err),
	          FD_OK);
	CHECK_STR(r.function_error, "Unhandled");
	CHECK(r.timed_out);
	CHECK_CONTAINS(r.payload.data, "Task timed out after");
	fd_invoke_result_free(&r);
	sim_close(&x);
}

TEST(invoke_sim_oversized_and_bad_json)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};
	size_t n = FD_INVOKE_ASYNC_MAX + 10;
	char *big = malloc(n + 1);

	if (!sim_open(&x, NULL, NULL))
		return;
	REQUIRE(big);
	memset(big, ' ', n);
	big[0] = '1';
	big[n] = '\0';
	/* Refused locally for Event, nothing sent. */
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_ASYNC, big, &r, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "at most 1048576 bytes");
	CHECK_INT(sim_stat("requests", "lambda:Invoke"), 0);
	fd_invoke_result_free(&r);
	/* The same payload is fine synchronously. */
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, big, &r, &err), FD_OK);
	CHECK_INT(r.payload_size, n);
	CHECK_INT(sim_stat("requests", "lambda:Invoke"), 1);
	fd_invoke_result_free(&r);
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, "{not json", &r, &err),
	          FD_EAWS);
	CHECK_STR(r.error.code, "InvalidRequestContentException");
	fd_invoke_result_free(&r);
	free(big);
	sim_close(&x);
}

TEST(invoke_sim_throttle_retried)
{
	struct sim x;
	struct fd_invoke_result r;
	struct fd_err err = {FD_OK, ""};

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"lambda\",\"op\":\"Invoke\",\"kind\":\"throttle\",\"count\":1}");
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, "{\"n\":1}", &r, &err), FD_OK);
	CHECK_INT(r.attempts, 2);
	CHECK_STR(r.payload.data, "{\"n\":1}");
	/* The throttle answer carries Retry-After: 1, which the retry honours. */
	CHECK(r.client_ms >= 900);
	fd_invoke_result_free(&r);
	/* Throttled on every attempt: the error says so. */
	sim_faults("{\"service\":\"lambda\",\"op\":\"Invoke\",\"kind\":\"throttle\"}");
	CHECK_INT(sim_invoke(&x, "orders-api", NULL, FD_INVOKE_SYNC, "{}", &r, &err), FD_EAWS);
	CHECK_INT(r.http_status, 429);
	CHECK_STR(r.error.code, "TooManyRequestsException");
	CHECK(r.error.throttled);
	CHECK_INT(r.attempts, 3);
	fd_invoke_result_free(&r);
	sim_faults("");
	sim_close(&x);
}

TEST(invoke_sim_target)
{
	struct sim x;
	struct fd_invoke_target t;
	struct aws_error e;

	if (!sim_open(&x, NULL, NULL))
		return;
	REQUIRE(lambda_invoke_target_sync(x.c, "orders-api", "live", &t, &e) == FD_OK);
	CHECK_STR(t.function, "orders-api");
	CHECK_STR(t.version, "3");
	CHECK_INT(t.timeout_s, 30);
	CHECK(strlen(t.account) == 12);
	CHECK_STR(t.region, "us-east-1");
	CHECK(t.ntags > 0);
	fd_invoke_target_free(&t);
	CHECK_INT(lambda_invoke_target_sync(x.c, "no-such-fn", NULL, &t, &e), FD_EAWS);
	CHECK_STR(e.code, "ResourceNotFoundException");
	fd_invoke_target_free(&t);
	sim_close(&x);
}

struct cancel_probe {
	int done, cancelled;
};

static void
probe_done(struct fd_invoke_result *res, void *ud)
{
	struct cancel_probe *p = ud;

	(void)res;
	p->done++;
}

static void
probe_cancelled(void *ud)
{
	struct cancel_probe *p = ud;

	p->cancelled++;
}

/* A cancelled call (a closed screen, a client freed at quit) runs on_cancel, never done,
 * so whoever owns ud can free it. */
TEST(invoke_sim_cancel_runs_on_cancel)
{
	struct sim x;
	struct cancel_probe p = {0, 0};
	struct fd_invoke_req in = {"orders-api", NULL, FD_INVOKE_SYNC, "{}", 2, NULL, 0, 0};
	struct fd_err err = {FD_OK, ""};
	uint64_t id;
	int i;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults(
	    "{\"service\":\"lambda\",\"op\":\"Invoke\",\"kind\":\"latency\",\"latency_ms\":3000}");
	id = lambda_invoke_ex(x.c, &in, probe_done, probe_cancelled, &p, &err);
	REQUIRE(id != 0);
	for (i = 0; i < 3; i++)
		aws_client_wait(x.c, NULL, 0, 50);
	aws_call_cancel(x.c, id);
	CHECK_INT(p.cancelled, 1);
	for (i = 0; i < 5; i++)
		aws_client_wait(x.c, NULL, 0, 50);
	CHECK_INT(p.done, 0);
	/* Freeing the client cancels what is still in flight. */
	id = lambda_invoke_ex(x.c, &in, probe_done, probe_cancelled, &p, &err);
	REQUIRE(id != 0);
	sim_faults("");
	sim_close(&x);
	CHECK_INT(p.cancelled, 2);
	CHECK_INT(p.done, 0);
}
