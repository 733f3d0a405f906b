/* test_invocations_timeline.c - the request timeline with and without a trace (one
 * time axis for INIT, invoke, end and the trace's segments; lines in time order; the
 * triggering SQS message from the lines or the trace), and the fetch of a request's
 * lines and trace from the simulator, cached or found by request id. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/xray.h"
#include "test.h"
#include "test_aws_sim.h"

#define RID "11111111-2222-4333-a444-555555555555"
#define TS0 1796385000000LL

static void
cold_record(struct fd_invocation *r)
{
	fd_invocation_init(r);
	fd_strlcpy(r->request_id, RID, sizeof(r->request_id));
	fd_strlcpy(r->function, "cold-fn", sizeof(r->function));
	fd_strlcpy(r->log_stream, "2026/12/04/[$LATEST]abc", sizeof(r->log_stream));
	r->init_start_ms = TS0 + 10;
	r->start_ms = TS0 + 810;
	r->start_exact = 1;
	r->end_ms = TS0 + 1480;
	r->init_ms = 800;
	r->duration_ms = 670;
	r->status = FD_INV_ERROR;
	fd_strlcpy(r->trace_id, "1-6b12a000-000000000000000000000001", sizeof(r->trace_id));
}

TEST(timeline_without_trace)
{
	struct fd_timeline t;
	struct fd_invocation r;
	struct fd_tl_phase ph[4];
	const char *sqs = "{\"Records\":[{\"messageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
			  "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:orders\"}]}";
	size_t n;

	fd_timeline_init(&t);
	CHECK_INT(fd_timeline_phases(&t, ph, 4), 0);
	cold_record(&r);
	fd_timeline_set_invocation(&t, &r);
	CHECK_INT(t.t0_ms, TS0 + 10);
	n = fd_timeline_phases(&t, ph, 4);
	REQUIRE(n == 3);
	CHECK_STR(ph[0].name, "INIT");
	CHECK(ph[0].offset_ms == 0 && ph[0].duration_ms == 800);
	CHECK_STR(ph[1].name, "invoke");
	CHECK(ph[1].offset_ms == 800 && ph[1].duration_ms == 670);
	CHECK_INT(ph[2].kind, FD_TL_END);
	CHECK(ph[2].offset_ms == 1470);
	CHECK(isnan(fd_timeline_trace_offset(&t)));
	/* Lines arrive out of order and are kept in time order. */
	fd_timeline_add_line(&t, TS0 + 1480, "END RequestId: " RID "\n", 52);
	fd_timeline_add_line(&t, TS0 + 810, "START RequestId: " RID " Version: $LATEST", 70);
	fd_timeline_add_line(&t, TS0 + 900, sqs, strlen(sqs));
	fd_timeline_add_line(&t, TS0 + 1000, "[ERROR] KeyError: 'x'", 21);
	REQUIRE(t.nlines == 4);
	CHECK(t.lines[0].platform && t.lines[0].ts_ms == TS0 + 810);
	CHECK(!t.lines[1].platform && !t.lines[1].error);
	CHECK(t.lines[2].error);
	CHECK_STR(t.lines[3].text, "END RequestId: " RID);
	CHECK_STR(t.sqs_message_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
	CHECK_STR(t.sqs_source, "arn:aws:sqs:us-east-1:123456789012:orders");
	fd_timeline_free(&t);
	/* A REPORT-only cold record: INIT is put right before the invoke. */
	cold_record(&r);
	r.init_start_ms = 0;
	r.start_exact = 0;
	fd_timeline_set_invocation(&t, &r);
	CHECK_INT(t.t0_ms, TS0 + 10);
	n = fd_timeline_phases(&t, ph, 4);
	CHECK(n == 3 && ph[1].offset_ms == 800);
	/* Warm and still running: invoke only, no end. */
	fd_invocation_init(&r);
	r.start_ms = TS0;
	fd_timeline_set_invocation(&t, &r);
	n = fd_timeline_phases(&t, ph, 4);
	CHECK(n == 1 && ph[0].kind == FD_TL_INVOKE && ph[0].offset_ms == 0);
	CHECK_INT(fd_timeline_phases(&t, ph, 0), 0);
	fd_timeline_free(&t);
}

TEST(timeline_with_trace)
{
	struct fd_timeline t;
	struct fd_invocation r;
	struct fd_trace *traces, *one;
	struct fd_wf_row rows[16];
	struct fd_buf json;
	struct fd_err err = {FD_OK, ""};
	char path[512];
	size_t n, nr;
	double total, off;

	fd_buf_init(&json);
	snprintf(path, sizeof(path), "%s/xray/edge_traces.json", fd_test_data());
	REQUIRE(fd_read_file(path, 1 << 20, &json, &err) == 0);
	REQUIRE(xray_parse_traces(json.data, json.len, &traces, &n, NULL, NULL) == FD_OK && n == 2);
	one = fd_xmalloc(sizeof(*one));
	*one = traces[0];
	traces[0].segs = NULL;
	traces[0].n = 0;
	fd_traces_free(traces, n);
	fd_timeline_init(&t);
	cold_record(&r);
	fd_timeline_set_invocation(&t, &r);
	fd_timeline_set_trace(&t, one);
	/* The trace starts 10 ms before INIT_START on the same axis. */
	off = fd_timeline_trace_offset(&t);
	CHECK(fabs(off + 10.0) < 1e-3);
	nr = fd_trace_waterfall(t.trace, rows, 16, &total);
	REQUIRE(nr == 8);
	/* The Initialization subsegment lines up with the INIT phase. */
	CHECK(fabs(off + rows[2].offset_ms - 0.0) < 1e-3);
	CHECK(fabs(rows[2].duration_ms - r.init_ms) < 1e-3);
	CHECK(fabs(off + rows[3].offset_ms - 800.0) < 1e-3);
	CHECK_STR(t.sqs_message_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
	CHECK_STR(fd_trace_request_id(t.trace), t.inv.request_id);
	fd_timeline_set_trace(&t, NULL);
	CHECK(t.trace == NULL);
	fd_timeline_free(&t);
	fd_buf_free(&json);
}

/* ---- against the simulator ---- */

static const struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};

struct pick {
	char rid[48];
	int cold;
};

static int
backfill_orders(struct sim *x, struct fd_cache *c, int64_t from, int64_t to)
{
	struct fd_backfill_target t = {"orders-api", "/aws/lambda/orders-api", "Text"};
	struct fd_backfill_opts o;
	struct fd_backfill_status st;
	struct fd_err err = {FD_OK, ""};

	memset(&o, 0, sizeof(o));
	o.from_ms = from;
	o.to_ms = to;
	if (fd_backfill_run(x->c, c, &ctx, &t, 1, &o, &st, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "backfill: %s", err.msg);
		return 0;
	}
	return (int)st.records;
}

TEST(timeline_fetch_cached_record_lines_and_trace)
{
	struct fd_tl_fetch_opts o = {NULL, 1, 1, 0, 0};
	struct fd_inv_query q;
	struct fd_invocation *recs = NULL;
	struct fd_tl_fetch *f = NULL;
	const struct fd_timeline *t;
	struct fd_err err = {FD_OK, ""};
	struct fd_cache *c = NULL;
	struct sim x;
	char *path = fd_xasprintf("%s/c.db", fd_test_tmpdir());
	int64_t to = (fd_wall_now() / 60 - 1) * 60000;
	size_t n = 0, i, start = 0, report = 0;
	unsigned gen;

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	REQUIRE(backfill_orders(&x, c, to - 120000, to) > 10);
	memset(&q, 0, sizeof(q));
	q.status = -1;
	q.function = "orders-api";
	q.limit = 1;
	REQUIRE(fd_cache_get_invocations(c, &ctx, &q, &recs, &n, &err) == FD_OK && n == 1);
	CHECK(recs[0].trace_id[0] != '\0');       /* orders-api is traced */
	CHECK(!recs[0].start_exact);              /* REPORT-only so far */
	REQUIRE(fd_tl_fetch_start(x.c, c, &ctx, recs[0].request_id, NULL, &o, &f, &err) == FD_OK);
	CHECK(!fd_tl_fetch_done(f));
	CHECK_INT(fd_tl_fetch_wait(x.c, f, &err), FD_OK);
	t = fd_tl_fetch_timeline(f, &gen);
	CHECK(gen > 0);
	CHECK_STR(fd_tl_fetch_error(f), "");
	REQUIRE(t->have_inv);
	CHECK(t->nlines >= 4);
	for (i = 0; i < t->nlines; i++) {
		start += strncmp(t->lines[i].text, "START RequestId: ", 17) == 0;
		report += strncmp(t->lines[i].text, "REPORT RequestId: ", 18) == 0;
		CHECK(i == 0 || t->lines[i - 1].ts_ms <= t->lines[i].ts_ms);
	}
	CHECK_INT(start, 1);
	CHECK_INT(report, 1);
	REQUIRE(t->trace != NULL);
	CHECK_STR(t->trace->id, recs[0].trace_id);
	CHECK_STR(fd_trace_request_id(t->trace), recs[0].request_id);
	CHECK(!isnan(fd_timeline_trace_offset(t)));
	CHECK(sim_stat("requests", "xray:BatchGetTraces") == 1);
	fd_tl_fetch_free(f);
	/* The lines fetched refined the cached record (its exact START time). */
	fd_invocations_free(recs, n);
	REQUIRE(fd_cache_get_invocations(c, &ctx, &q, &recs, &n, &err) == FD_OK && n == 1);
	fd_invocations_free(recs, n);
	fd_cache_close(c);
	sim_close(&x);
	free(path);
}

TEST(timeline_fetch_uncached_by_request_id)
{
	struct fd_tl_fetch_opts o = {NULL, 1, 0, 0, 0};
	struct fd_invocation *recs = NULL, got;
	struct fd_inv_query q;
	struct fd_tl_fetch *f = NULL;
	struct fd_err err = {FD_OK, ""};
	struct fd_cache *c = NULL, *other = NULL;
	struct sim x;
	char *path = fd_xasprintf("%s/c.db", fd_test_tmpdir());
	char *path2 = fd_xasprintf("%s/empty.db", fd_test_tmpdir());
	int64_t to = (fd_wall_now() / 60 - 1) * 60000;
	size_t n = 0;

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	REQUIRE(fd_cache_open(path2, &other, NULL, &err) == FD_OK);
	REQUIRE(backfill_orders(&x, c, to - 60000, to) > 0);
	memset(&q, 0, sizeof(q));
	q.status = -1;
	q.limit = 1;
	REQUIRE(fd_cache_get_invocations(c, &ctx, &q, &recs, &n, &err) == FD_OK && n == 1);
	/* Not in this cache: without a function nothing can be searched. */
	CHECK_INT(fd_tl_fetch_start(x.c, other, &ctx, recs[0].request_id, NULL, &o, &f, &err),
		  FD_ENOTFOUND);
	CHECK_CONTAINS(err.msg, "name its function");
	fd_tl_fetch_free(f);
	o.from_ms = to - 120000;
	o.to_ms = to;
	REQUIRE(fd_tl_fetch_start(x.c, other, &ctx, recs[0].request_id, "orders-api", &o, &f,
				  &err) == FD_OK);
	CHECK_INT(fd_tl_fetch_wait(x.c, f, &err), FD_OK);
	CHECK(fd_tl_fetch_timeline(f, NULL)->have_inv);
	CHECK(fd_tl_fetch_timeline(f, NULL)->nlines >= 3);
	CHECK(fd_tl_fetch_timeline(f, NULL)->trace == NULL); /* fetch_trace off */
	fd_tl_fetch_free(f);
	/* The record found was cached, with its exact START time. */
	CHECK_INT(fd_cache_get_invocation(other, &ctx, recs[0].request_id, &got, &err), FD_OK);
	CHECK(got.start_exact);
	CHECK_STR(got.function, "orders-api");
	CHECK(fabs(got.duration_ms - recs[0].duration_ms) < 1e-9);
	fd_invocation_free(&got);
	/* Offline: the cache only. */
	REQUIRE(fd_tl_fetch_start(NULL, c, &ctx, recs[0].request_id, NULL, &o, &f, &err) == FD_OK);
	CHECK(fd_tl_fetch_done(f));
	CHECK_INT(fd_tl_fetch_wait(NULL, f, &err), FD_OK);
	CHECK_INT(fd_tl_fetch_timeline(f, NULL)->nlines, 0);
	fd_tl_fetch_free(f);
	fd_invocations_free(recs, n);
	fd_cache_close(c);
	fd_cache_close(other);
	sim_close(&x);
	free(path);
	free(path2);
}

/* A request that ended a second ago: its lines are read 5 s after its end (CloudWatch
 * needs seconds to make them readable), the fetch stays pending meanwhile, and then
 * they are read. The newest request of a function once came without its START line. */
TEST(timeline_fetch_waits_for_ingestion)
{
	struct fd_tl_fetch_opts o = {NULL, 1, 0, 0, 0};
	struct fd_tl_fetch *f = NULL;
	struct fd_err err = {FD_OK, ""};
	struct fd_cache *c = NULL;
	struct fd_invocation r;
	struct sim x;
	char *path = fd_xasprintf("%s/settle.db", fd_test_tmpdir());
	int64_t t0, end = fd_wall_now_ms() - 1000, until;

	fd_test_sim_url();
	REQUIRE(sim_open(&x, NULL, NULL));
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	cold_record(&r);
	fd_strlcpy(r.function, "orders-api", sizeof(r.function));
	r.log_stream[0] = '\0';
	r.init_start_ms = 0;
	r.init_ms = NAN;
	r.start_ms = end - 670;
	r.end_ms = end;
	REQUIRE(fd_cache_put_invocations(c, &ctx, &r, 1, 0, &err) == FD_OK);
	t0 = fd_now_ms();
	REQUIRE(fd_tl_fetch_start(x.c, c, &ctx, RID, NULL, &o, &f, &err) == FD_OK);
	until = t0 + 2500;
	while (fd_now_ms() < until)
		aws_client_wait(x.c, NULL, 0, 100);
	CHECK(!fd_tl_fetch_done(f));
	CHECK_INT(aws_client_pending(x.c), 1);
	CHECK_INT(sim_requests("logs:FilterLogEvents"), 0);
	CHECK_INT(fd_tl_fetch_wait(x.c, f, &err), FD_OK);
	CHECK(fd_now_ms() - t0 >= 3800); /* 5 s after an end 1 s ago, less the clocks' slack */
	CHECK(sim_requests("logs:FilterLogEvents") >= 1); /* the window's pages */
	fd_tl_fetch_free(f);
	fd_invocation_free(&r);
	fd_cache_close(c);
	sim_close(&x);
	free(path);
}
