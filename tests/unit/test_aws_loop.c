/* test_aws_loop.c - the client engine's loop: rate limits, concurrency, cancellation,
 * clock skew, streams, pagination, --debug-http, TLS, unreachable endpoints, extra
 * fds and wakeups. Cases needing the simulator skip without it. */
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fleetdeck/sigv4.h"
#include "test.h"
#include "test_aws_sim.h"

static int calls_done;

static void
count_done(struct aws_response *resp, void *ud)
{
	int *failures = ud;

	if (resp->error.status != FD_OK)
		(*failures)++;
	calls_done++;
}

TEST(aws_loop_rate_limit_never_exceeded)
{
	struct aws_budget b[8];
	struct sim x;
	char group[256], body[512];
	int failures = 0, i, found = 0;
	size_t nb, k;
	long long end = (long long)time(NULL) * 1000;

	if (!sim_open(&x, NULL, NULL))
		return;
	REQUIRE(first_log_group(&x, group, sizeof(group)));
	snprintf(body, sizeof(body),
	         "{\"logGroupName\":\"%s\",\"startTime\":%lld,\"endTime\":%lld,\"limit\":1}", group,
	         end - 1000, end);
	fd_test_sim_control("POST", "stats/reset", "{}", NULL);
	for (i = 0; i < 30; i++) {
		struct aws_request r;
		aws_request_init(&r, AWS_SVC_LOGS, "FilterLogEvents");
		aws_request_json(&r, body, strlen(body));
		aws_call_start(x.c, &r, count_done, &failures);
	}
	aws_client_wait(x.c, NULL, 0, 10);
	nb = aws_client_budgets(x.c, b, FD_ARRAY_LEN(b));
	for (k = 0; k < nb; k++) {
		if (strcmp(b[k].key, "logs:FilterLogEvents") != 0)
			continue;
		found = 1;
		CHECK(b[k].quota_tps == 5);
		CHECK(b[k].limit_tps == 4);
		CHECK(b[k].queued >= 25);
	}
	CHECK(found);
	while (aws_client_pending(x.c))
		aws_client_wait(x.c, NULL, 0, 1000);
	CHECK_INT(calls_done, 30);
	CHECK_INT(failures, 0);
	CHECK_INT(sim_stat("requests", "logs:FilterLogEvents"), 30);
	CHECK(sim_stat("max_per_second", "logs:FilterLogEvents") <= 5);
	CHECK_INT(sim_stat("throttled", "logs:FilterLogEvents"), 0);
	sim_close(&x);
}

TEST(aws_loop_two_requests_progress_concurrently)
{
	struct sim x;
	int failures = 0, i;
	int64_t t0;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"sts\",\"op\":\"GetCallerIdentity\",\"kind\":\"latency\","
	           "\"latency_ms\":1000}");
	t0 = fd_now_ms();
	for (i = 0; i < 2; i++) {
		struct aws_request r;
		aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
		aws_call_start(x.c, &r, count_done, &failures);
	}
	CHECK_INT(aws_client_pending(x.c), 2);
	while (aws_client_pending(x.c))
		aws_client_wait(x.c, NULL, 0, 1000);
	CHECK_INT(calls_done, 2);
	CHECK_INT(failures, 0);
	CHECK(fd_now_ms() - t0 >= 1000);
	CHECK(fd_now_ms() - t0 < 1800);
	sim_close(&x);
}

/* A call held with not_before_ms is pending (a loop waiting on it does not call the
 * client idle) and is sent no earlier than that. */
TEST(aws_loop_not_before_holds_a_call)
{
	struct aws_request r;
	struct sim x;
	int failures = 0;
	int64_t t0;

	if (!sim_open(&x, NULL, NULL))
		return;
	calls_done = 0;
	t0 = fd_now_ms();
	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	r.not_before_ms = t0 + 600;
	aws_call_start(x.c, &r, count_done, &failures);
	aws_client_wait(x.c, NULL, 0, 300);
	CHECK_INT(aws_client_pending(x.c), 1);
	CHECK_INT(sim_requests("sts:GetCallerIdentity"), 0);
	while (aws_client_pending(x.c))
		aws_client_wait(x.c, NULL, 0, 1000);
	CHECK_INT(calls_done, 1);
	CHECK_INT(failures, 0);
	CHECK(fd_now_ms() - t0 >= 600);
	CHECK_INT(sim_requests("sts:GetCallerIdentity"), 1);
	sim_close(&x);
}

static void
must_not_run(struct aws_response *resp, void *ud)
{
	(void)resp;
	(void)ud;
	fd_test_fail(__FILE__, __LINE__, "done ran for a cancelled call");
}

TEST(aws_loop_cancel_guarantees_no_callback)
{
	struct aws_request r;
	struct sim x;
	uint64_t id1, id2;
	int64_t t0;

	if (!sim_open(&x, NULL, NULL))
		return;
	sim_faults("{\"service\":\"sts\",\"op\":\"GetCallerIdentity\",\"kind\":\"latency\","
	           "\"latency_ms\":500}");
	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	id1 = aws_call_start(x.c, &r, must_not_run, NULL);
	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	id2 = aws_call_start(x.c, &r, must_not_run, NULL);
	CHECK(id1 != id2 && id1 && id2);
	aws_call_cancel(x.c, id2);          /* still queued */
	aws_client_wait(x.c, NULL, 0, 100); /* id1 is in flight now */
	aws_call_cancel(x.c, id1);
	aws_call_cancel(x.c, id1); /* twice is harmless */
	CHECK_INT(aws_client_pending(x.c), 0);
	t0 = fd_now_ms();
	while (fd_now_ms() - t0 < 800)
		aws_client_wait(x.c, NULL, 0, 100);
	sim_close(&x);
}

TEST(aws_loop_clock_skew_corrected_once)
{
	struct aws_response resp;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	CHECK_INT(fd_test_sim_control("POST", "clock", "{\"skew_s\":900}", NULL), 200);
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	CHECK_INT(resp.attempts, 2);
	CHECK(sigv4_get_skew() >= 895 && sigv4_get_skew() <= 905);
	aws_response_free(&resp);
	fd_test_sim_control("POST", "clock", "{\"skew_s\":0}", NULL);
	sim_close(&x);
}

struct stream_seen {
	size_t bytes, chunks;
	int64_t first_ms, done_ms;
	int finished;
	enum fd_status st;
	size_t body_len;
};

static void
on_stream_chunk(const char *data, size_t n, void *ud)
{
	struct stream_seen *s = ud;

	(void)data;
	if (!s->chunks)
		s->first_ms = fd_now_ms();
	s->chunks++;
	s->bytes += n;
}

static void
on_stream_done(struct aws_response *resp, void *ud)
{
	struct stream_seen *s = ud;

	s->done_ms = fd_now_ms();
	s->finished = 1;
	s->st = resp->error.status;
	s->body_len = resp->body.len;
}

TEST(aws_loop_stream_chunks_arrive_before_the_end)
{
	struct stream_seen seen;
	struct aws_request r;
	struct sim x;
	char group[256], body[400];

	if (!sim_open(&x, NULL, NULL))
		return;
	REQUIRE(first_log_group(&x, group, sizeof(group)));
	CHECK_INT(fd_test_sim_control("POST", "livetail", "{\"session_s\":2.5}", NULL), 200);
	snprintf(body, sizeof(body), "{\"logGroupIdentifiers\":[\"%s\"]}", group);
	memset(&seen, 0, sizeof(seen));
	aws_request_init(&r, AWS_SVC_LOGS, "StartLiveTail");
	aws_request_json(&r, body, strlen(body));
	r.host_prefix = "stream-";
	r.stream = 1;
	r.on_chunk = on_stream_chunk;
	r.chunk_ud = &seen;
	aws_call_start(x.c, &r, on_stream_done, &seen);
	while (!seen.finished)
		aws_client_wait(x.c, NULL, 0, 1000);
	CHECK_INT(seen.st, FD_OK);
	CHECK(seen.chunks >= 2);
	CHECK(seen.bytes > 16);
	CHECK_INT(seen.body_len, 0); /* delivered, not buffered */
	CHECK(seen.done_ms - seen.first_ms >= 1500);
	fd_test_sim_control("POST", "livetail", "{\"session_s\":10800}", NULL);
	sim_close(&x);
}

static void
build_list_functions(struct aws_request *r, const char *token, void *ud)
{
	(void)ud;
	aws_request_init(r, AWS_SVC_LAMBDA, "ListFunctions");
	aws_request_path(r, "/2015-03-31/functions/");
	aws_request_query(r, "MaxItems", "7");
	if (token)
		aws_request_query(r, "Marker", token);
}

struct fn_pages {
	int pages, functions;
};

static char *
read_functions_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct fn_pages *fp = ud;
	cJSON *doc = cJSON_Parse(resp->body.data ? resp->body.data : "");
	const cJSON *next = cJSON_GetObjectItem(doc, "NextMarker");
	char *token = cJSON_IsString(next) ? fd_xstrdup(next->valuestring) : NULL;

	if (!doc)
		fd_err_set(err, FD_EPARSE, "not JSON");
	fp->pages++;
	fp->functions += cJSON_GetArraySize(cJSON_GetObjectItem(doc, "Functions"));
	cJSON_Delete(doc);
	return token;
}

TEST(aws_loop_paginate_lambda_list_functions)
{
	struct fn_pages fp = {0, 0};
	struct aws_pager p = {build_list_functions, read_functions_page, NULL, &fp, 0};
	struct aws_error e;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	CHECK_INT(aws_paginate_sync(x.c, &p, &e), FD_OK);
	CHECK(fp.pages >= 2);
	CHECK(fp.functions > 7 * (fp.pages - 1));
	CHECK(fp.functions <= 7 * fp.pages);
	CHECK_INT(sim_stat("requests", "lambda:ListFunctions"), fp.pages);
	memset(&fp, 0, sizeof(fp));
	p.max_pages = 2;
	CHECK_INT(aws_paginate_sync(x.c, &p, &e), FD_OK);
	CHECK_INT(fp.pages, 2);
	CHECK_INT(fp.functions, 14);
	sim_close(&x);
}

TEST(aws_loop_debug_log_has_one_line_per_attempt_and_no_secrets)
{
	struct aws_client_opts o;
	struct aws_response resp;
	struct fd_buf log;
	struct sim x;
	struct fd_err err;
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/http.log", fd_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f);
	memset(&o, 0, sizeof(o));
	o.debug_http = f;
	if (!sim_open(&x, NULL, &o))
		return;
	sim_faults("{\"service\":\"logs\",\"op\":\"DescribeLogGroups\",\"kind\":\"throttle\","
	           "\"count\":1}");
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	aws_response_free(&resp);
	sim_close(&x);
	fclose(f);
	fd_buf_init(&log);
	REQUIRE(fd_read_file(path, 1 << 20, &log, &err) == FD_OK);
	CHECK_CONTAINS(log.data, "CloudWatchLogs.DescribeLogGroups POST / 400 ");
	CHECK_CONTAINS(log.data, "attempt=1 retry=\"throttled\" delay=");
	CHECK_CONTAINS(log.data, "error=ThrottlingException\n");
	CHECK_CONTAINS(log.data, "CloudWatchLogs.DescribeLogGroups POST / 200 ");
	CHECK_CONTAINS(log.data, "attempt=2 error=-\n");
	CHECK(strstr(log.data, SIM_SECRET) == NULL);
	CHECK(strstr(log.data, SIM_KEY) == NULL);
	CHECK(strstr(log.data, "Signature") == NULL);
	CHECK(strstr(log.data, "limit") == NULL); /* no bodies */
	fd_buf_free(&log);
}

TEST(aws_loop_tls_with_and_without_ca_bundle)
{
	const char *url = getenv("FD_SIM_TLS_URL"), *ca = getenv("FD_SIM_CA");
	struct aws_response resp;
	struct sim x;

	if (!url || !*url || !ca || !*ca)
		SKIP("simulator TLS mode not running (FD_SIM_TLS_URL/FD_SIM_CA unset)");
	setenv("AWS_CA_BUNDLE", ca, 1);
	if (!sim_open(&x, url, NULL))
		return;
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	aws_response_free(&resp);
	sim_close(&x);
	unsetenv("AWS_CA_BUNDLE");
	if (!sim_open(&x, url, NULL))
		return;
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EHTTP);
	CHECK_STR(resp.error.code, "TLSError");
	CHECK_CONTAINS(resp.error.message, "AWS_CA_BUNDLE");
	CHECK_INT(resp.attempts, 1);
	aws_response_free(&resp);
	sim_close(&x);
}

/* No simulator needed below: nothing listens on port 1. */

TEST(aws_loop_unreachable_endpoint_retried_then_fails)
{
	struct aws_response resp;
	struct sim x;

	if (!sim_open(&x, "http://127.0.0.1:1", NULL))
		return;
	describe_groups(&x, &resp);
	CHECK_INT(resp.error.status, FD_EHTTP);
	CHECK_STR(resp.error.code, "ConnectionError");
	CHECK_INT(resp.error.http_status, 0);
	CHECK_INT(resp.attempts, 3);
	CHECK(resp.elapsed_ms < 3500);
	CHECK_STR(resp.error.service, "CloudWatchLogs");
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_loop_wait_reports_extra_fds_and_wakeup)
{
	struct fd_pollfd pfd;
	struct sim x;
	int fds[2];
	int64_t t0;

	if (!sim_open(&x, "http://127.0.0.1:1", NULL))
		return;
	REQUIRE(pipe(fds) == 0);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	t0 = fd_now_ms();
	CHECK_INT(aws_client_wait(x.c, &pfd, 1, 100), FD_OK);
	CHECK_INT(pfd.revents, 0);
	CHECK(fd_now_ms() - t0 >= 90);
	CHECK(write(fds[1], "x", 1) == 1);
	t0 = fd_now_ms();
	CHECK_INT(aws_client_wait(x.c, &pfd, 1, 5000), FD_OK);
	CHECK(pfd.revents & POLLIN);
	CHECK(fd_now_ms() - t0 < 1000);
	aws_client_wakeup(x.c);
	t0 = fd_now_ms();
	CHECK_INT(aws_client_wait(x.c, NULL, 0, 5000), FD_OK);
	CHECK(fd_now_ms() - t0 < 1000);
	close(fds[0]);
	close(fds[1]);
	sim_close(&x);
}

TEST(aws_loop_body_cap_fails_without_retry)
{
	struct aws_client_opts o;
	struct aws_response resp;
	struct aws_request r;
	struct sim x;

	memset(&o, 0, sizeof(o));
	o.max_body = 100;
	if (!sim_open(&x, NULL, &o))
		return;
	aws_request_init(&r, AWS_SVC_LAMBDA, "ListFunctions");
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_call_sync(x.c, &r, &resp);
	CHECK_INT(resp.error.status, FD_EHTTP);
	CHECK_STR(resp.error.code, "ResponseTooLarge");
	CHECK_CONTAINS(resp.error.message, "100-byte cap");
	CHECK_INT(resp.attempts, 1);
	CHECK(resp.body.len <= 100);
	aws_response_free(&resp);
	sim_close(&x);
}

static void
describe_with(struct sim *x, const struct aws_creds *creds, struct aws_response *resp)
{
	struct aws_client *saved = x->c;
	struct fd_err err;

	if (aws_client_new(&x->s, creds, NULL, &x->c, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "client: %s", err.msg);
		x->c = saved;
		memset(resp, 0, sizeof(*resp));
		return;
	}
	describe_groups(x, resp);
	aws_client_free(x->c);
	x->c = saved;
}

TEST(aws_loop_expiring_credentials_are_refreshed)
{
	struct aws_response resp;
	struct aws_creds stale;
	struct sim x;

	if (!sim_open(&x, NULL, NULL))
		return;
	memset(&stale, 0, sizeof(stale));
	stale.access_key = "AKIDSTALE00000000001";
	stale.secret_key = "stale-secret";
	/* Long-term bad keys are used as given, and refused... */
	describe_with(&x, &stale, &resp);
	CHECK_INT(resp.error.status, FD_EAWS);
	CHECK_INT(resp.error.http_status, 403);
	aws_response_free(&resp);
	/* ...but keys expiring within five minutes are re-resolved (here: from the
	 * environment) before signing. */
	stale.expiration = fd_wall_now() + 60;
	describe_with(&x, &stale, &resp);
	CHECK_INT(resp.error.status, FD_OK);
	aws_response_free(&resp);
	sim_close(&x);
}

TEST(aws_loop_unsigned_request_carries_no_signature)
{
	struct aws_response resp;
	struct aws_request r;
	struct sim x;
	cJSON *doc;
	const cJSON *e;

	if (!sim_open(&x, NULL, NULL))
		return;
	aws_request_init(&r, AWS_SVC_STS, "GetCallerIdentity");
	r.unsigned_request = 1;
	aws_call_sync(x.c, &r, &resp);
	CHECK_INT(resp.error.status, FD_EAWS);
	CHECK_STR(resp.error.code, "MissingAuthenticationToken");
	aws_response_free(&resp);
	doc = sim_get("requests?last=1");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "requests"), 0);
	CHECK(e != NULL);
	CHECK(entry_header(e, "authorization") == NULL);
	CHECK(entry_header(e, "x-amz-date") == NULL);
	CHECK_STR(entry_str(e, "body"), "Action=GetCallerIdentity&Version=2011-06-15");
	cJSON_Delete(doc);
	sim_close(&x);
}
