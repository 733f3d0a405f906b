/* test_invocations.c - invocation records from interleaved lines of many requests
 * (every variant), the log line additions they rely on (RESTORE_*, request ids on
 * timeout and runtime-exit lines, the platform.report fast path agreeing with cJSON),
 * and the cache store (merge, bound, filters, scan). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/logline.h"
#include "test.h"

#define R1 "11111111-1111-4111-8111-111111111111"
#define R2 "22222222-2222-4222-8222-222222222222"
#define R3 "33333333-3333-4333-8333-333333333333"
#define R4 "44444444-4444-4444-8444-444444444444"
#define R5 "55555555-5555-4555-8555-555555555555"
#define R6 "66666666-6666-4666-8666-666666666666"
#define R7 "77777777-7777-4777-8777-777777777777"
#define R8 "88888888-8888-4888-8888-888888888888"
#define R9 "99999999-9999-4999-8999-999999999999"
#define RA "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define TRACE1 "1-6b12a000-000000000000000000000001"
#define TRACE7 "1-6b12a000-000000000000000000000007"

struct got {
	struct fd_invocation r[64];
	size_t n;
};

static void
collect(struct fd_invocation *inv, void *ud)
{
	struct got *g = ud;

	if (g->n < FD_ARRAY_LEN(g->r)) {
		g->r[g->n++] = *inv;
		inv->errors = NULL;
	}
}

static const struct fd_invocation *
find(const struct got *g, const char *rid)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->r[i].request_id, rid) == 0)
			return &g->r[i];
	return NULL;
}

static void
got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		fd_invocation_free(&g->r[i]);
	g->n = 0;
}

struct ev {
	const char *function, *stream;
	const char *msg;
};

#define SA "2026/12/04/[$LATEST]aaaa"
#define SB "2026/12/04/[$LATEST]bbbb"
#define SC "2026/12/04/[3]cccc"
#define SD "2026/12/04/[7]dddd"
#define SE "2026/12/04/[$LATEST]eeee"
#define SF "2026/12/04/[$LATEST]ffff"
#define SG "2026/12/04/[$LATEST]gggg"
#define SH "2026/12/04/[12]hhhh"
#define SI "2026/12/04/[$LATEST]iiii"
#define SJ "2026/12/04/[$LATEST]jjjj"

/* Per stream in order; the test interleaves the streams round robin. */
static const struct ev stream_a[] = {
	{"py-fn", SA, "INIT_START Runtime Version: python:3.12.v40\tRuntime Version ARN: arn:x\n"},
	{"py-fn", SA, "START RequestId: " R1 " Version: $LATEST\n"},
	{"py-fn", SA, "[INFO]\t2026-12-04T12:00:00.500Z\t" R1 "\tfetched item\n"},
	{"py-fn", SA, "[ERROR] KeyError: 'order_id'\nTraceback (most recent call last):\n  File "
		      "\"/var/task/app.py\", line 42, in handler\n"},
	{"py-fn", SA, "END RequestId: " R1 "\n"},
	{"py-fn", SA, "REPORT RequestId: " R1 "\tDuration: 120.50 ms\tBilled Duration: 121 ms\t"
		      "Memory Size: 256 MB\tMax Memory Used: 80 MB\tInit Duration: 402.25 ms\t\n"
		      "XRAY TraceId: " TRACE1 "\tSegmentId: 0123456789abcdef\tSampled: true\t\n"},
};
static const struct ev stream_b[] = {
	{"node-fn", SB, "START RequestId: " R2 " Version: $LATEST\n"},
	{"node-fn", SB, "2026-12-04T12:00:00.900Z\t" R2 "\tERROR\tInvoke Error \t{\"errorType\":"
			"\"PaymentError\",\"errorMessage\":\"card expired\",\"stack\":[]}\n"},
	{"node-fn", SB, "END RequestId: " R2 "\n"},
	{"node-fn", SB, "REPORT RequestId: " R2 "\tDuration: 30.00 ms\tBilled Duration: 30 ms\t"
			"Memory Size: 512 MB\tMax Memory Used: 90 MB\t\n"},
};
static const struct ev stream_c[] = {
	{"slow-fn", SC, "START RequestId: " R3 " Version: 3\n"},
	{"slow-fn", SC, "2026-12-04T12:00:03.000Z " R3 " Task timed out after 3.00 seconds\n\n"},
	{"slow-fn", SC, "END RequestId: " R3 "\n"},
	{"slow-fn", SC, "REPORT RequestId: " R3 "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
			"Memory Size: 128 MB\tMax Memory Used: 60 MB\tStatus: timeout\t\n"},
};
static const struct ev stream_d[] = {
	{"java-fn", SD, "RESTORE_START Runtime Version: java:21.v20\tRuntime Version ARN: arn:y\n"},
	{"java-fn", SD, "RESTORE_REPORT Restore Duration: 310.40 ms\n"},
	{"java-fn", SD, "START RequestId: " R4 " Version: 7\n"},
	{"java-fn", SD, "END RequestId: " R4 "\n"},
	{"java-fn", SD, "REPORT RequestId: " R4 "\tDuration: 45.00 ms\tBilled Duration: 46 ms\t"
			"Memory Size: 2048 MB\tMax Memory Used: 300 MB\tRestore Duration: 310.40 ms\t"
			"Billed Restore Duration: 120 ms\t\n"},
};
static const struct ev stream_e[] = {
	{"oom-fn", SE, "START RequestId: " R5 " Version: $LATEST\n"},
	{"oom-fn", SE, "RequestId: " R5 " Error: Runtime exited with error: signal: killed\n"
		       "Runtime.ExitError\n"},
	{"oom-fn", SE, "END RequestId: " R5 "\n"},
	{"oom-fn", SE, "REPORT RequestId: " R5 "\tDuration: 800.00 ms\tBilled Duration: 800 ms\t"
		       "Memory Size: 128 MB\tMax Memory Used: 128 MB\t\n"},
};
static const struct ev stream_f[] = {
	{"exit-fn", SF, "START RequestId: " R6 " Version: $LATEST\n"},
	{"exit-fn", SF, "RequestId: " R6 " Error: Runtime exited with error: exit status 1\n"
			"Runtime.ExitError\n"},
	{"exit-fn", SF, "END RequestId: " R6 "\n"},
	{"exit-fn", SF, "REPORT RequestId: " R6 "\tDuration: 5.00 ms\tBilled Duration: 5 ms\t"
			"Memory Size: 256 MB\tMax Memory Used: 70 MB\t\n"},
};
static const struct ev stream_g[] = {
	{"json-fn", SG, "{\"time\":\"2026-12-04T12:00:00.000Z\",\"type\":\"platform.initStart\","
			"\"record\":{\"initializationType\":\"on-demand\",\"phase\":\"init\","
			"\"runtimeVersion\":\"nodejs:20.v30\"}}"},
	{"json-fn", SG, "{\"time\":\"2026-12-04T12:00:00.300Z\",\"type\":\"platform.initReport\","
			"\"record\":{\"initializationType\":\"on-demand\",\"phase\":\"init\","
			"\"status\":\"success\",\"metrics\":{\"durationMs\":300.5}}}"},
	{"json-fn", SG, "{\"time\":\"2026-12-04T12:00:00.301Z\",\"type\":\"platform.start\","
			"\"record\":{\"requestId\":\"" R7 "\",\"version\":\"$LATEST\",\"tracing\":"
			"{\"type\":\"X-Amzn-Trace-Id\",\"value\":\"Root=" TRACE7
			";Parent=1;Sampled=1\"}}}"},
	{"json-fn", SG, "{\"timestamp\":\"2026-12-04T12:00:00.350Z\",\"level\":\"ERROR\","
			"\"requestId\":\"" R7 "\",\"message\":\"Invoke Error\",\"errorType\":"
			"\"TypeError\",\"errorMessage\":\"x is undefined\"}"},
	{"json-fn", SG, "{\"time\":\"2026-12-04T12:00:00.360Z\",\"type\":\"platform.runtimeDone\","
			"\"record\":{\"requestId\":\"" R7 "\",\"status\":\"error\",\"errorType\":"
			"\"TypeError\",\"metrics\":{\"durationMs\":59}}}"},
	{"json-fn", SG, "{\"time\":\"2026-12-04T12:00:00.361Z\",\"type\":\"platform.report\","
			"\"record\":{\"requestId\":\"" R7 "\",\"status\":\"error\",\"metrics\":{"
			"\"durationMs\":59.5,\"billedDurationMs\":60,\"memorySizeMB\":1024,"
			"\"maxMemoryUsedMB\":100,\"initDurationMs\":300.5}}}"},
};
static const struct ev stream_h[] = {
	{"bf-fn", SH, "REPORT RequestId: " R8 "\tDuration: 250.00 ms\tBilled Duration: 250 ms\t"
		      "Memory Size: 512 MB\tMax Memory Used: 99 MB\t\n"},
};
static const struct ev stream_i[] = {
	{"run-fn", SI, "START RequestId: " R9 " Version: $LATEST\n"},
	{"run-fn", SI, "[WARNING]\t2026-12-04T12:00:01.000Z\t" R9 "\tstill going\n"},
};
static const struct ev stream_j[] = {
	{"init-fn", SJ, "INIT_START Runtime Version: python:3.13.v2\tRuntime Version ARN: arn:z\n"},
	{"init-fn", SJ, "START RequestId: " RA " Version: $LATEST\n"},
	{"init-fn", SJ, "INIT_REPORT Init Duration: 9000.00 ms\tPhase: invoke\tStatus: error\t"
			"Error Type: Runtime.ImportModuleError\n"},
	{"init-fn", SJ, "END RequestId: " RA "\n"},
	{"init-fn", SJ, "REPORT RequestId: " RA "\tDuration: 9001.00 ms\tBilled Duration: 9002 ms"
			"\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: error\tError Type: "
			"Runtime.ImportModuleError\t\n"},
};

struct stream_def {
	const struct ev *ev;
	size_t n;
};

static const struct stream_def streams[] = {
	{stream_a, FD_ARRAY_LEN(stream_a)}, {stream_b, FD_ARRAY_LEN(stream_b)},
	{stream_c, FD_ARRAY_LEN(stream_c)}, {stream_d, FD_ARRAY_LEN(stream_d)},
	{stream_e, FD_ARRAY_LEN(stream_e)}, {stream_f, FD_ARRAY_LEN(stream_f)},
	{stream_g, FD_ARRAY_LEN(stream_g)}, {stream_h, FD_ARRAY_LEN(stream_h)},
	{stream_i, FD_ARRAY_LEN(stream_i)}, {stream_j, FD_ARRAY_LEN(stream_j)},
};

#define T0 1796385600000LL

/* Round robin over the streams, one event each turn, 100 ms apart. */
static void
feed_all(struct fd_inv_builder *b)
{
	size_t pos[FD_ARRAY_LEN(streams)] = {0}, i, left = 1;
	int64_t ts = T0;

	while (left) {
		left = 0;
		for (i = 0; i < FD_ARRAY_LEN(streams); i++) {
			const struct ev *e;
			if (pos[i] >= streams[i].n)
				continue;
			e = &streams[i].ev[pos[i]++];
			fd_inv_builder_feed(b, e->function, e->stream, ts, e->msg, strlen(e->msg));
			ts += 100;
			left = 1;
		}
	}
}

TEST(invocations_interleaved_all_variants)
{
	static struct got g;
	struct fd_inv_builder *b = fd_inv_builder_new(collect, &g);
	const struct fd_invocation *r;

	feed_all(b);
	CHECK_INT(g.n, 9); /* everything but the running one */
	r = find(&g, R1);
	REQUIRE(r);
	CHECK_STR(r->function, "py-fn");
	CHECK_STR(r->version, "$LATEST");
	CHECK_STR(r->log_stream, SA);
	CHECK_INT(r->status, FD_INV_ERROR);
	CHECK(fd_invocation_cold(r));
	CHECK(fabs(r->init_ms - 402.25) < 1e-9);
	CHECK_STR(r->init_type, "on-demand");
	CHECK_INT(r->init_start_ms, T0);
	CHECK(r->start_exact);
	CHECK_INT(r->start_ms, T0 + 1000);
	CHECK_INT(r->end_ms, T0 + 3900);
	CHECK(fabs(r->duration_ms - 120.5) < 1e-9 && fabs(r->billed_ms - 121) < 1e-9);
	CHECK(fabs(r->memory_mb - 256) < 1e-9 && fabs(r->max_memory_mb - 80) < 1e-9);
	CHECK_STR(r->trace_id, TRACE1);
	CHECK_STR(r->error_type, "KeyError");
	CHECK_STR(r->runtime_version, "python:3.12.v40");
	CHECK_CONTAINS(r->errors, "[ERROR] KeyError: 'order_id'");

	r = find(&g, R2);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_ERROR);
	CHECK_STR(r->error_type, "PaymentError");
	CHECK(!fd_invocation_cold(r));
	CHECK(r->init_type[0] == '\0' && r->init_start_ms == 0);
	CHECK_CONTAINS(r->errors, "Invoke Error");

	r = find(&g, R3);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_TIMEOUT);
	CHECK_STR(r->version, "3");
	CHECK_CONTAINS(r->errors, "Task timed out after 3.00 seconds");

	r = find(&g, R4);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_SUCCESS);
	CHECK(isnan(r->init_ms));
	CHECK(fabs(r->restore_ms - 310.4) < 1e-9);
	CHECK_STR(r->init_type, "snap-start");
	CHECK_STR(r->version, "7");
	CHECK(r->init_start_ms > 0 && r->init_start_ms < r->start_ms);
	CHECK(fd_invocation_cold(r));

	r = find(&g, R5);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_OOM);
	CHECK_CONTAINS(r->errors, "signal: killed");

	r = find(&g, R6);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_RUNTIME_EXIT);

	r = find(&g, R7);
	REQUIRE(r);
	CHECK_STR(r->function, "json-fn");
	CHECK_INT(r->status, FD_INV_ERROR);
	CHECK_STR(r->trace_id, TRACE7);
	CHECK(fabs(r->init_ms - 300.5) < 1e-9);
	CHECK_STR(r->init_type, "on-demand");
	CHECK_STR(r->runtime_version, "nodejs:20.v30");
	CHECK_STR(r->error_type, "TypeError");
	CHECK_CONTAINS(r->errors, "Invoke Error");

	r = find(&g, R8);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_SUCCESS);
	CHECK(!r->start_exact);
	CHECK_INT(r->start_ms, r->end_ms - 250);
	CHECK_STR(r->version, "12");

	r = find(&g, RA);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_ERROR);
	CHECK_STR(r->error_type, "Runtime.ImportModuleError");
	CHECK(!fd_invocation_cold(r));

	CHECK(find(&g, R9) == NULL);
	fd_inv_builder_flush(b);
	r = find(&g, R9);
	REQUIRE(r);
	CHECK_INT(r->status, FD_INV_RUNNING);
	CHECK_INT(r->end_ms, 0);
	CHECK(r->errors == NULL);
	fd_inv_builder_free(b);
	got_free(&g);
}

/* The same lines fed stream by stream (no interleaving) give the same records. */
TEST(invocations_order_independent)
{
	static struct got a, s;
	struct fd_inv_builder *b = fd_inv_builder_new(collect, &a);
	size_t i, j;
	int64_t ts = T0;

	feed_all(b);
	fd_inv_builder_free(b);
	b = fd_inv_builder_new(collect, &s);
	for (i = 0; i < FD_ARRAY_LEN(streams); i++)
		for (j = 0; j < streams[i].n; j++, ts += 100)
			fd_inv_builder_feed(b, streams[i].ev[j].function, streams[i].ev[j].stream,
					    ts, streams[i].ev[j].msg, strlen(streams[i].ev[j].msg));
	fd_inv_builder_free(b);
	CHECK_INT(a.n, s.n);
	for (i = 0; i < a.n; i++) {
		const struct fd_invocation *o = find(&s, a.r[i].request_id);
		REQUIRE(o);
		CHECK_INT(o->status, a.r[i].status);
		CHECK_STR(o->error_type, a.r[i].error_type);
		CHECK_INT(fd_invocation_cold(o), fd_invocation_cold(&a.r[i]));
	}
	got_free(&a);
	got_free(&s);
}

/* Many requests at once on many streams of one function: each gets its own lines. */
TEST(invocations_many_streams_interleaved)
{
	static struct got g;
	struct fd_inv_builder *b = fd_inv_builder_new(collect, &g);
	char rid[40][48], stream[40][64], line[2048];
	int i, step;

	for (i = 0; i < 40; i++) {
		snprintf(rid[i], sizeof(rid[i]), "%08d-0000-4000-8000-%012d", i, i);
		snprintf(stream[i], sizeof(stream[i]), "2026/12/04/[$LATEST]%032d", i);
	}
	for (step = 0; step < 4; step++) {
		for (i = 0; i < 40; i++) {
			if (step == 0)
				snprintf(line, sizeof(line), "START RequestId: %s Version: $LATEST",
					 rid[i]);
			else if (step == 1 && i % 3 == 0)
				snprintf(line, sizeof(line), "[ERROR] Boom%d: bad\nTraceback (most "
					 "recent call last):", i);
			else if (step == 1)
				snprintf(line, sizeof(line), "[INFO]\tt\t%s\tok", rid[i]);
			else if (step == 2)
				snprintf(line, sizeof(line), "END RequestId: %s", rid[i]);
			else
				snprintf(line, sizeof(line), "REPORT RequestId: %s\tDuration: %d.00 ms"
					 "\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory "
					 "Used: 50 MB\t", rid[i], i + 1, i + 1);
			fd_inv_builder_feed(b, "fan-fn", stream[i], T0 + step * 1000 + i, line,
					    strlen(line));
		}
	}
	REQUIRE(g.n == 40);
	for (i = 0; i < 40; i++) {
		const struct fd_invocation *r = find(&g, rid[i]);
		char want[32];
		REQUIRE(r);
		CHECK_INT(r->status, i % 3 == 0 ? FD_INV_ERROR : FD_INV_SUCCESS);
		CHECK(fabs(r->duration_ms - (i + 1)) < 1e-9);
		snprintf(want, sizeof(want), "Boom%d", i);
		if (i % 3 == 0)
			CHECK_STR(r->error_type, want);
		else
			CHECK(r->errors == NULL);
	}
	fd_inv_builder_free(b);
	got_free(&g);
}

TEST(invocations_open_bound_flushes_oldest)
{
	static struct got g;
	struct fd_inv_builder *b = fd_inv_builder_new(collect, &g);
	char line[128];
	int i;

	for (i = 0; i < FD_INV_OPEN_MAX + 3; i++) {
		snprintf(line, sizeof(line), "START RequestId: %08d-0000-4000-8000-000000000000", i);
		fd_inv_builder_feed(b, "f", NULL, T0 + i, line, strlen(line));
	}
	REQUIRE(g.n == 3);
	CHECK_STR(g.r[0].request_id, "00000000-0000-4000-8000-000000000000");
	CHECK_INT(g.r[0].status, FD_INV_RUNNING);
	CHECK_STR(g.r[2].request_id, "00000002-0000-4000-8000-000000000000");
	got_free(&g);
	fd_inv_builder_free(b);
}

TEST(invocations_garbage_never_crashes)
{
	static const char *const junk[] = {
		"", "REPORT RequestId:", "START RequestId: ", "{", "{\"type\":\"platform.report\"}",
		"RESTORE_REPORT", "INIT_REPORT Phase: invoke", "RequestId: ", "\xff\xfe\x1b]52;",
		"2026-12-04T00:00:00.000Z x Task timed out after",
	};
	static struct got g;
	struct fd_inv_builder *b = fd_inv_builder_new(collect, &g);
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(junk); i++) {
		fd_inv_builder_feed(b, "f", "s", T0, junk[i], strlen(junk[i]));
		fd_inv_builder_feed(b, NULL, NULL, T0, junk[i], strlen(junk[i]));
	}
	fd_inv_builder_free(b);
	CHECK_INT(g.n, 0);
	got_free(&g);
}

TEST(invocations_status_names_and_stream_version)
{
	enum fd_inv_status s;
	char v[40];

	CHECK(fd_inv_status_parse("timeout", &s) && s == FD_INV_TIMEOUT);
	CHECK(fd_inv_status_parse("OOM", &s) && s == FD_INV_OOM);
	CHECK(fd_inv_status_parse("out-of-memory", &s) && s == FD_INV_OOM);
	CHECK(fd_inv_status_parse("runtime-exit", &s) && s == FD_INV_RUNTIME_EXIT);
	CHECK(!fd_inv_status_parse("cold", &s));
	CHECK_STR(fd_inv_status_name(FD_INV_SUCCESS), "success");
	fd_stream_version("2026/12/04/[$LATEST]abc", v, sizeof(v));
	CHECK_STR(v, "$LATEST");
	fd_stream_version("2026/12/04/[42]abc", v, sizeof(v));
	CHECK_STR(v, "42");
	fd_stream_version("no-brackets", v, sizeof(v));
	CHECK_STR(v, "");
	fd_stream_version("[]", v, sizeof(v));
	CHECK_STR(v, "");
}

/* ---- log line additions ---- */

static void
parse(struct fd_logline *l, const char *s)
{
	fd_logline_parse(s, strlen(s), l);
}

TEST(invocations_logline_restore_and_request_ids)
{
	struct fd_logline l;

	fd_logline_init(&l);
	parse(&l, "RESTORE_START Runtime Version: java:21.v20\tRuntime Version ARN: arn:x");
	CHECK_INT(l.kind, FD_LINE_INIT_START);
	CHECK_STR(l.init_type, "snap-start");
	CHECK_STR(l.runtime_version, "java:21.v20");
	parse(&l, "RESTORE_REPORT Restore Duration: 310.40 ms");
	CHECK_INT(l.kind, FD_LINE_INIT_REPORT);
	CHECK(fabs(l.report.restore_ms - 310.4) < 1e-9);
	parse(&l, "2026-12-04T12:00:03.000Z " R3 " Task timed out after 3.00 seconds");
	CHECK_INT(l.kind, FD_LINE_TIMEOUT);
	CHECK_STR(l.request_id, R3);
	parse(&l, "RequestId: " R5 " Error: Runtime exited with error: signal: killed");
	CHECK_STR(l.request_id, R5);
	CHECK_INT(l.level, FD_LVL_ERROR);
	parse(&l, "{\"time\":\"t\",\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\""
		  R7 "\",\"status\":\"failure\",\"errorType\":\"Runtime.ExitError\"}}");
	CHECK_INT(l.kind, FD_LINE_RUNTIME_DONE);
	CHECK_STR(l.report.error_type, "Runtime.ExitError");
	parse(&l, "{\"time\":\"t\",\"type\":\"platform.restoreReport\",\"record\":{\"metrics\":"
		  "{\"durationMs\":88.5}}}");
	CHECK_INT(l.kind, FD_LINE_INIT_REPORT);
	CHECK(fabs(l.report.restore_ms - 88.5) < 1e-9);
	fd_logline_free(&l);
}

static void
same_report(const struct fd_logline *a, const struct fd_logline *b, const char *line)
{
	const struct fd_report *x = &a->report, *y = &b->report;
	const double *dx[] = {&x->duration_ms, &x->billed_ms, &x->init_ms, &x->restore_ms,
			      &x->billed_restore_ms, &x->memory_mb, &x->max_memory_mb};
	const double *dy[] = {&y->duration_ms, &y->billed_ms, &y->init_ms, &y->restore_ms,
			      &y->billed_restore_ms, &y->memory_mb, &y->max_memory_mb};
	size_t i;

	if (a->kind != b->kind || a->level != b->level || strcmp(a->request_id, b->request_id) ||
	    strcmp(x->status, y->status) || strcmp(x->error_type, y->error_type) ||
	    strcmp(x->trace_id, y->trace_id) || x->sampled != y->sampled || a->json != b->json)
		fd_test_fail(__FILE__, __LINE__, "fast and cJSON paths differ on %s", line);
	for (i = 0; i < FD_ARRAY_LEN(dx); i++)
		if (!(isnan(*dx[i]) && isnan(*dy[i])) && *dx[i] != *dy[i])
			fd_test_fail(__FILE__, __LINE__, "metric %zu differs on %s", i, line);
}

/* Every variant read by the fast path equals what cJSON reads: an escaped member
 * added in front forces the cJSON path for the twin. */
TEST(invocations_logline_fast_report_matches_cjson)
{
	static const char *const lines[] = {
		"{\"time\":\"t\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"" R7
		"\",\"metrics\":{\"durationMs\":12.34,\"billedDurationMs\":13,\"memorySizeMB\":256,"
		"\"maxMemoryUsedMB\":71,\"initDurationMs\":402.5},\"status\":\"success\"}}",
		"{ \"record\" : { \"status\" : \"timeout\", \"requestId\" : \"r\", \"metrics\" : { "
		"\"durationMs\" : 3000, \"restoreDurationMs\" : 1.5e2, \"billedRestoreDurationMs\""
		": 151 } , \"tracing\": {\"type\":\"X-Amzn-Trace-Id\",\"value\":\"Root=" TRACE1
		";Parent=a;Sampled=1\"}} , \"type\" : \"platform.report\" }",
		"{\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\",\"status\":\"error\","
		"\"errorType\":\"Runtime.ExitError\",\"metrics\":{\"durationMs\":-0.5,\"x\":null,"
		"\"y\":true,\"memorySizeMB\":\"128\"},\"extra\":{\"a\":{\"b\":1}}}}",
		"{\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\",\"metrics\":{"
		"\"durationMs\":1,\"durationMs\":2}}}",
		"{\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\",\"metrics\":{}}, "
		"\"spans\":[1]}",
		"{\"type\":\"platform.report\",\"record\":null}",
		"{\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\",\"metrics\":{"
		"\"durationMs\":01}}}",
		"{\"type\":\"platform.start\",\"record\":{\"requestId\":\"r\"}}",
		"{\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\"}} trailing",
	};
	struct fd_logline a, b;
	struct fd_buf twin;
	size_t i;

	fd_logline_init(&a);
	fd_logline_init(&b);
	fd_buf_init(&twin);
	for (i = 0; i < FD_ARRAY_LEN(lines); i++) {
		fd_buf_reset(&twin);
		fd_buf_puts(&twin, "{\"z\":\"\\u0041\",");
		fd_buf_puts(&twin, lines[i] + 1);
		parse(&a, lines[i]);
		parse(&b, twin.data);
		same_report(&a, &b, lines[i]);
	}
	parse(&a, lines[0]);
	CHECK_INT(a.kind, FD_LINE_REPORT);
	CHECK(fabs(a.report.init_ms - 402.5) < 1e-9);
	CHECK(a.msg == lines[0] && a.msg_len == strlen(lines[0]));
	parse(&a, lines[1]);
	CHECK_STR(a.report.trace_id, TRACE1);
	CHECK(fabs(a.report.restore_ms - 150) < 1e-9);
	CHECK_INT(a.level, FD_LVL_ERROR);
	parse(&a, lines[3]);
	CHECK(fabs(a.report.duration_ms - 1) < 1e-9); /* the first of duplicate keys */
	parse(&a, lines[6]);
	CHECK_INT(a.kind, FD_LINE_REPORT);             /* "01": the fast path defers to cJSON */
	CHECK(fabs(a.report.duration_ms - 1) < 1e-9);
	parse(&a, lines[8]);
	CHECK_INT(a.kind, FD_LINE_APP);
	fd_buf_free(&twin);
	fd_logline_free(&a);
	fd_logline_free(&b);
}

/* ---- the cache ---- */

static const struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};

static struct fd_cache *
open_cache(void)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {FD_OK, ""};
	char *path = fd_xasprintf("%s/cache.db", fd_test_tmpdir());

	if (fd_cache_open(path, &c, NULL, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "open: %s", err.msg);
	free(path);
	return c;
}

static void
rec(struct fd_invocation *r, const char *rid, const char *fn, int64_t end, double dur,
    enum fd_inv_status st)
{
	fd_invocation_init(r);
	fd_strlcpy(r->request_id, rid, sizeof(r->request_id));
	fd_strlcpy(r->function, fn, sizeof(r->function));
	fd_strlcpy(r->version, "$LATEST", sizeof(r->version));
	r->end_ms = end;
	r->start_ms = isnan(dur) ? end : end - (int64_t)dur;
	r->duration_ms = dur;
	r->memory_mb = 128;
	r->max_memory_mb = 64;
	r->status = st;
}

TEST(invocations_cache_roundtrip_and_merge)
{
	struct fd_cache *c = open_cache();
	struct fd_err err = {FD_OK, ""};
	struct fd_invocation in[2], got;

	REQUIRE(c);
	rec(&in[0], R1, "py-fn", T0 + 500, 120.5, FD_INV_ERROR);
	in[0].start_ms = T0 + 100;
	in[0].start_exact = 1;
	in[0].init_ms = 402.25;
	in[0].init_start_ms = T0;
	fd_strlcpy(in[0].init_type, "on-demand", sizeof(in[0].init_type));
	fd_strlcpy(in[0].trace_id, TRACE1, sizeof(in[0].trace_id));
	in[0].errors = fd_xstrdup("[ERROR] KeyError\nTraceback");
	CHECK_INT(fd_cache_put_invocations(c, &ctx, in, 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R1, &got, &err), FD_OK);
	CHECK_STR(got.function, "py-fn");
	CHECK_INT(got.status, FD_INV_ERROR);
	CHECK(fabs(got.init_ms - 402.25) < 1e-9);
	CHECK(isnan(got.restore_ms));
	CHECK_STR(got.errors, "[ERROR] KeyError\nTraceback");
	CHECK_STR(got.trace_id, TRACE1);
	CHECK_INT(got.start_ms, T0 + 100);
	fd_invocation_free(&got);
	/* A REPORT-only twin (backfill): success, derived start, no errors. */
	rec(&in[1], R1, "py-fn", T0 + 500, 120.5, FD_INV_SUCCESS);
	in[1].init_ms = 402.25;
	CHECK_INT(fd_cache_put_invocations(c, &ctx, &in[1], 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R1, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_ERROR);
	CHECK_INT(got.start_ms, T0 + 100);
	CHECK(got.start_exact);
	CHECK_STR(got.errors, "[ERROR] KeyError\nTraceback");
	CHECK_STR(got.init_type, "on-demand");
	fd_invocation_free(&got);
	/* A timeout found later wins over the error. */
	in[1].status = FD_INV_TIMEOUT;
	CHECK_INT(fd_cache_put_invocations(c, &ctx, &in[1], 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R1, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_TIMEOUT);
	fd_invocation_free(&got);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R2, &got, &err), FD_ENOTFOUND);
	fd_invocation_free(&in[0]);
	fd_cache_close(c);
}

TEST(invocations_cache_running_then_done)
{
	struct fd_cache *c = open_cache();
	struct fd_err err = {FD_OK, ""};
	struct fd_invocation r, got;

	REQUIRE(c);
	rec(&r, R9, "run-fn", 0, NAN, FD_INV_RUNNING);
	r.start_ms = T0;
	r.start_exact = 1;
	CHECK_INT(fd_cache_put_invocations(c, &ctx, &r, 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R9, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_RUNNING);
	CHECK_INT(got.end_ms, 0);
	fd_invocation_free(&got);
	rec(&r, R9, "run-fn", T0 + 900, 900, FD_INV_SUCCESS);
	r.start_ms = T0 + 1;
	CHECK_INT(fd_cache_put_invocations(c, &ctx, &r, 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R9, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_SUCCESS);
	CHECK_INT(got.end_ms, T0 + 900);
	CHECK_INT(got.start_ms, T0);
	fd_invocation_free(&got);
	/* A late running twin changes nothing. */
	rec(&r, R9, "", 0, NAN, FD_INV_RUNNING);
	CHECK_INT(fd_cache_put_invocations(c, &ctx, &r, 1, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R9, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_SUCCESS);
	CHECK_STR(got.function, "run-fn");
	CHECK(fabs(got.duration_ms - 900) < 1e-9);
	fd_invocation_free(&got);
	fd_cache_close(c);
}

struct scan_sum {
	long long rows, cold;
	double mem;
};

static void
scan_fn(const struct fd_inv_sample *s, void *ud)
{
	struct scan_sum *t = ud;

	t->rows++;
	t->cold += !isnan(s->init_ms);
	t->mem += s->memory_mb;
}

TEST(invocations_cache_query_bound_and_scan)
{
	struct fd_cache *c = open_cache();
	struct fd_err err = {FD_OK, ""};
	struct fd_invocation in[20], *out = NULL;
	struct fd_inv_query q;
	struct scan_sum sum = {0, 0, 0};
	long long rows;
	int64_t newest;
	size_t n, i;

	REQUIRE(c);
	for (i = 0; i < 20; i++) {
		char rid[48];
		snprintf(rid, sizeof(rid), "%08zu-0000-4000-8000-000000000000", i);
		rec(&in[i], rid, i % 2 ? "odd-fn" : "even-fn", T0 + (int64_t)i * 1000,
		    (double)(i * 10), i % 5 == 0 ? FD_INV_ERROR : FD_INV_SUCCESS);
		if (i % 4 == 0)
			in[i].init_ms = 100.0 + (double)i;
	}
	CHECK_INT(fd_cache_put_invocations(c, &ctx, in, 20, 15, &err), FD_OK);
	CHECK_INT(fd_cache_invocations_count(c, &ctx, &rows, &newest, &err), FD_OK);
	CHECK_INT(rows, 15);                 /* the 5 oldest went */
	CHECK_INT(newest, T0 + 19000);
	memset(&q, 0, sizeof(q));
	q.status = -1;
	CHECK_INT(fd_cache_get_invocations(c, &ctx, &q, &out, &n, &err), FD_OK);
	REQUIRE(n == 15);
	CHECK_STR(out[0].request_id, "00000019-0000-4000-8000-000000000000");
	CHECK_STR(out[14].request_id, "00000005-0000-4000-8000-000000000000");
	fd_invocations_free(out, n);
	q.function = "odd-fn";
	q.limit = 3;
	CHECK_INT(fd_cache_get_invocations(c, &ctx, &q, &out, &n, &err), FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(out[0].request_id, "00000019-0000-4000-8000-000000000000");
	CHECK_STR(out[2].request_id, "00000015-0000-4000-8000-000000000000");
	fd_invocations_free(out, n);
	memset(&q, 0, sizeof(q));
	q.status = FD_INV_ERROR;
	CHECK_INT(fd_cache_get_invocations(c, &ctx, &q, &out, &n, &err), FD_OK);
	CHECK_INT(n, 3);                     /* 5, 10, 15 */
	fd_invocations_free(out, n);
	q.status = -1;
	q.cold_only = 1;
	CHECK_INT(fd_cache_get_invocations(c, &ctx, &q, &out, &n, &err), FD_OK);
	CHECK_INT(n, 3);                     /* 8, 12, 16: 0 and 4 were trimmed */
	fd_invocations_free(out, n);
	q.cold_only = 0;
	q.min_duration_ms = 150;
	q.from_ms = T0 + 16000;
	CHECK_INT(fd_cache_get_invocations(c, &ctx, &q, &out, &n, &err), FD_OK);
	CHECK_INT(n, 4);                     /* 16..19 */
	fd_invocations_free(out, n);
	CHECK_INT(fd_cache_scan_invocations(c, &ctx, T0 + 10000, T0 + 15000, scan_fn, &sum, &err),
		  FD_OK);
	CHECK_INT(sum.rows, 5);              /* 10..14 */
	CHECK_INT(sum.cold, 1);              /* 12 */
	CHECK(fabs(sum.mem - 5 * 128) < 1e-9);
	fd_cache_close(c);
}

/* The follow engine's lines through the sink: finished requests land in the cache
 * at each flush; one still running when the sink closes is not written. */
TEST(invocations_sink_from_tailed_lines)
{
	struct fd_cache *c = open_cache();
	struct fd_err err = {FD_OK, ""};
	struct fd_inv_sink *s;
	struct fd_invocation got;
	long long rows;
	int64_t newest;
	size_t i, j;

	REQUIRE(c);
	s = fd_inv_sink_new(c, &ctx);
	for (i = 0; i < 2; i++)
		for (j = 0; j < streams[i].n; j++)
			fd_inv_sink_line(s, streams[i].ev[j].function, streams[i].ev[j].stream,
					 T0 + (int64_t)(i * 100 + j), streams[i].ev[j].msg,
					 strlen(streams[i].ev[j].msg));
	fd_inv_sink_line(s, "run-fn", SI, T0 + 500, stream_i[0].msg, strlen(stream_i[0].msg));
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R1, &got, &err), FD_ENOTFOUND);
	fd_invocation_free(&got);
	CHECK_INT(fd_inv_sink_flush(s, &err), FD_OK);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R1, &got, &err), FD_OK);
	CHECK_INT(got.status, FD_INV_ERROR);
	CHECK(fd_invocation_cold(&got));
	fd_invocation_free(&got);
	CHECK_INT(fd_cache_get_invocation(c, &ctx, R2, &got, &err), FD_OK);
	fd_invocation_free(&got);
	fd_inv_sink_free(s);
	CHECK_INT(fd_cache_invocations_count(c, &ctx, &rows, &newest, &err), FD_OK);
	CHECK_INT(rows, 2);
	fd_cache_close(c);
}
