/* test_xray.c - X-Ray parsers (summaries, traces as a segment tree, service graph),
 * labels, the waterfall layout, hostile documents, and the calls against the simulator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/xray.h"
#include "test.h"
#include "test_aws_sim.h"

static char *
load(const char *name, size_t *len)
{
	struct fd_buf b;
	struct fd_err err = {FD_OK, ""};
	char path[512];

	fd_buf_init(&b);
	snprintf(path, sizeof(path), "%s/xray/%s", fd_test_data(), name);
	if (fd_read_file(path, 1 << 20, &b, &err) != 0) {
		fd_test_fail(__FILE__, __LINE__, "%s: %s", path, err.msg);
		return NULL;
	}
	*len = b.len;
	return fd_buf_steal(&b);
}

static const struct fd_xseg *
seg_named(const struct fd_trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->segs[i].name, name) == 0)
			return &t->segs[i];
	return NULL;
}

TEST(xray_summaries_parse)
{
	struct fd_trace_summary *s;
	struct fd_err err = {FD_OK, ""};
	size_t len, n;
	char *json = load("trace_summaries.json", &len), *next = (char *)1;

	REQUIRE(json);
	CHECK_INT(xray_parse_summaries(json, len, &s, &n, &next, &err), FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(s[0].id, "1-6b12ab3b-cd0032428610a1a89f36ffe0");
	CHECK(s[0].fault && !s[0].error && !s[0].throttle);
	CHECK_INT(s[0].http_status, 502);
	CHECK_STR(s[0].method, "POST");
	CHECK_STR(s[0].entry, "payments-worker");
	CHECK(fabs(s[0].duration_s - 0.225) < 1e-9);
	CHECK(fabs(s[0].start_s - 1796385595.346) < 1e-6);
	CHECK(!s[1].fault);
	CHECK(next == NULL);
	fd_trace_summaries_free(s, n);
	free(json);
}

TEST(xray_summaries_annotations_and_causes)
{
	const char *json = "{\"TraceSummaries\":[{\"Id\":\"1-a-b\",\"Annotations\":{\"tenant\":"
			   "[{\"AnnotationValue\":{\"StringValue\":\"acme\"}}],\"n\":[{"
			   "\"AnnotationValue\":{\"NumberValue\":3}}]},\"FaultRootCauses\":[{"
			   "\"Services\":[{\"Name\":\"fn\"},{\"Name\":\"DynamoDB\",\"Exceptions\":"
			   "[{\"Name\":\"Throttled\",\"Message\":\"slow down\"}]}]}]},{\"Id\":7},"
			   "{\"Id\":\"" "1-0123456789012345678901234567890123456789012345678\"}],"
			   "\"NextToken\":\"tok\"}";
	struct fd_trace_summary *s;
	size_t n;
	char *next = NULL;

	CHECK_INT(xray_parse_summaries(json, strlen(json), &s, &n, &next, NULL), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(s[0].annotations, "tenant=acme, n=3");
	CHECK_STR(s[0].root_cause, "DynamoDB: Throttled: slow down");
	CHECK(isnan(s[0].duration_s));
	CHECK_STR(next, "tok");
	free(next);
	fd_trace_summaries_free(s, n);
}

TEST(xray_traces_tree_from_simulator_shape)
{
	struct fd_trace *t;
	struct fd_err err = {FD_OK, ""};
	size_t len, n, i;
	char *json = load("batch_get_traces.json", &len);
	const struct fd_xseg *inv, *ddb, *http, *sql;
	char label[160];

	REQUIRE(json);
	CHECK_INT(xray_parse_traces(json, len, &t, &n, NULL, &err), FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(t[0].id, "1-6b12ab3b-cd0032428610a1a89f36ffe0");
	REQUIRE(t[0].n == 7);
	/* The function segment hangs under the AWS::Lambda segment by parent_id. */
	CHECK_STR(t[0].segs[0].origin, "AWS::Lambda");
	CHECK_INT(t[0].segs[0].parent, -1);
	CHECK_STR(t[0].segs[1].origin, "AWS::Lambda::Function");
	CHECK_INT(t[0].segs[1].parent, 0);
	CHECK_STR(t[0].segs[1].cause, "Error: payment declined: card_expired");
	CHECK(t[0].segs[1].fault);
	inv = seg_named(&t[0], "Invocation");
	ddb = seg_named(&t[0], "DynamoDB");
	http = seg_named(&t[0], "api.partner.example");
	sql = &t[0].segs[5];
	REQUIRE(inv && ddb && http);
	CHECK_INT(inv->depth, 2);
	CHECK_INT(ddb->depth, 3);
	CHECK(&t[0].segs[ddb->parent] == inv);
	CHECK_INT(ddb->call, FD_XCALL_AWS);
	fd_xseg_label(ddb, label, sizeof(label));
	CHECK_STR(label, "DynamoDB GetItem payments-worker-table");
	CHECK_INT(http->call, FD_XCALL_HTTP);
	fd_xseg_label(http, label, sizeof(label));
	CHECK_STR(label, "POST https://api.partner.example/v1/charges 502");
	CHECK_INT(sql->call, FD_XCALL_SQL);
	CHECK(sql->rds_proxy);
	fd_xseg_label(sql, label, sizeof(label));
	CHECK_CONTAINS(label, "SQL PostgreSQL orders-db-proxy.proxy-");
	CHECK_CONTAINS(label, "(RDS Proxy)");
	CHECK_STR(t[0].segs[6].name, "Overhead");
	CHECK_INT(t[0].segs[6].depth, 2);
	CHECK(fd_trace_request_id(&t[0]) != NULL);
	for (i = 1; i < t[0].n; i++)
		CHECK(t[0].segs[i].parent >= 0 && (size_t)t[0].segs[i].parent < i);
	fd_traces_free(t, n);
	free(json);
}

TEST(xray_traces_edge_cases)
{
	struct fd_trace *t;
	size_t len, n;
	char *json = load("edge_traces.json", &len);
	const struct fd_xseg *inner, *sqs;
	static const char *const order[] = {
		"cold-fn", "cold-fn", "Initialization", "Invocation", "DynamoDB",
		"orders-db-proxy.proxy-c0ffee.us-east-1.rds.amazonaws.com", "api.partner.example",
		"SQS",
	};
	size_t i;

	REQUIRE(json);
	CHECK_INT(xray_parse_traces(json, len, &t, &n, NULL, NULL), FD_OK);
	REQUIRE(n == 2);
	REQUIRE(t[0].n == FD_ARRAY_LEN(order));
	for (i = 0; i < t[0].n; i++)
		CHECK_STR(t[0].segs[i].name, order[i]);
	inner = &t[0].segs[1];
	CHECK_STR(inner->annotations, "tenant=acme, retry=2, vip=true");
	CHECK_STR(fd_trace_sqs_message_id(&t[0]), "059f36b4-87a3-44ab-83d2-661975830a7d");
	CHECK_STR(fd_trace_request_id(&t[0]), "11111111-2222-4333-a444-555555555555");
	CHECK_STR(t[0].segs[3].cause, "TimeoutError: upstream took too long");
	CHECK(t[0].segs[4].throttle && t[0].segs[4].error);
	sqs = &t[0].segs[7];
	CHECK(isnan(sqs->end_s));
	CHECK_STR(sqs->sqs_message_id, "m-out-1");
	/* A parent cycle and a self parent: every node kept once, none lost. */
	CHECK_INT(t[1].n, 3);
	CHECK_STR(t[1].segs[0].name, "self");
	CHECK_INT(t[1].segs[0].parent, -1);
	CHECK_STR(t[1].segs[1].name, "loop-a");
	CHECK_INT(t[1].segs[1].parent, -1);
	CHECK_STR(t[1].segs[2].name, "loop-b");
	CHECK_INT(t[1].segs[2].parent, 1);
	fd_traces_free(t, n);
	free(json);
}

TEST(xray_waterfall_layout)
{
	struct fd_trace *t;
	struct fd_wf_row rows[16];
	size_t len, n, nr;
	double total;
	char *json = load("edge_traces.json", &len);
	int col, w;

	REQUIRE(json);
	REQUIRE(xray_parse_traces(json, len, &t, &n, NULL, NULL) == FD_OK && n == 2);
	nr = fd_trace_waterfall(&t[0], rows, FD_ARRAY_LEN(rows), &total);
	CHECK_INT(nr, 8);
	CHECK(fabs(total - 1500.0) < 1e-3);
	CHECK_INT(rows[2].depth, 2);
	CHECK(fabs(rows[2].offset_ms - 10.0) < 1e-3);
	CHECK(fabs(rows[2].duration_ms - 800.0) < 1e-3);
	CHECK_STR(rows[2].label, "Initialization");
	CHECK_STR(rows[4].label, "DynamoDB PutItem orders");
	CHECK_STR(rows[6].label, "POST https://api.partner.example/v1/charges 504");
	CHECK(rows[6].fault);
	CHECK_STR(rows[1].label, "cold-fn (AWS::Lambda::Function)");
	CHECK(isnan(rows[7].duration_ms));
	fd_wf_bar(&rows[2], total, 100, &col, &w);
	CHECK_INT(col, 0);
	CHECK_INT(w, 54);
	fd_wf_bar(&rows[7], total, 100, &col, &w);
	CHECK_INT(col, 94);
	CHECK_INT(w, 6);
	fd_wf_bar(&rows[0], total, 100, &col, &w);
	CHECK_INT(col, 0);
	CHECK_INT(w, 100);
	/* Tiny segments still get one cell; a zero-width track gets none. */
	rows[3].offset_ms = 1499.9;
	rows[3].duration_ms = 0.01;
	fd_wf_bar(&rows[3], total, 100, &col, &w);
	CHECK_INT(col, 99);
	CHECK_INT(w, 1);
	fd_wf_bar(&rows[3], total, 0, &col, &w);
	CHECK_INT(w, 0);
	CHECK_INT(fd_trace_waterfall(&t[0], rows, 3, NULL), 3);
	fd_traces_free(t, n);
	free(json);
}

TEST(xray_service_graph)
{
	struct fd_xgraph g;
	const struct fd_xservice *nb[8];
	size_t len, k;
	char *json = load("service_graph.json", &len);

	REQUIRE(json);
	CHECK_INT(xray_parse_service_graph(json, len, &g, NULL, NULL), FD_OK);
	REQUIRE(g.n == 4);
	CHECK_STR(g.svc[3].name, "payments-worker");
	CHECK_STR(g.svc[3].type, "AWS::Lambda::Function");
	CHECK(g.svc[3].root);
	CHECK(g.svc[3].total > 0);
	CHECK_INT(g.svc[3].total, g.svc[3].ok + g.svc[3].errors + g.svc[3].faults);
	k = fd_xgraph_neighbours(&g, "payments-worker", nb, FD_ARRAY_LEN(nb));
	REQUIRE(k == 2);
	CHECK_STR(nb[0]->name, "DynamoDB");
	CHECK_STR(nb[1]->name, "api.partner.example");
	CHECK_INT(fd_xgraph_neighbours(&g, "nope", nb, FD_ARRAY_LEN(nb)), 0);
	fd_xgraph_free(&g);
	free(json);
}

TEST(xray_malformed_answers)
{
	static const char *const bad[] = {"", "[]", "nul", "{\"Traces\":", "\"x\""};
	struct fd_trace_summary *s;
	struct fd_trace *t;
	struct fd_xgraph g;
	struct fd_err err = {FD_OK, ""};
	size_t i, n;

	for (i = 0; i < FD_ARRAY_LEN(bad); i++) {
		CHECK_INT(xray_parse_traces(bad[i], strlen(bad[i]), &t, &n, NULL, &err), FD_EPARSE);
		CHECK_INT(xray_parse_summaries(bad[i], strlen(bad[i]), &s, &n, NULL, NULL),
			  FD_EPARSE);
		CHECK_INT(xray_parse_service_graph(bad[i], strlen(bad[i]), &g, NULL, NULL),
			  FD_EPARSE);
	}
	CHECK_CONTAINS(err.msg, "BatchGetTraces");
	CHECK_INT(xray_parse_traces("{\"Traces\":{}}", 13, &t, &n, NULL, NULL), FD_OK);
	CHECK_INT(n, 0);
	CHECK(t == NULL);
}

/* Two documents: one nested far deeper than kept, one with thousands of subsegments. */
static void
escaped(struct fd_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			fd_buf_putc(out, '\\');
		fd_buf_putc(out, *s);
	}
}

static char *
big_trace(int wide, int deep)
{
	struct fd_buf doc, out;
	int i;

	fd_buf_init(&doc);
	fd_buf_init(&out);
	for (i = 0; i < deep; i++)
		fd_buf_printf(&doc, "{\"id\":\"d%d\",\"name\":\"d\",\"subsegments\":[", i);
	for (i = 0; i < deep; i++)
		fd_buf_puts(&doc, "]}");
	fd_buf_puts(&out, "{\"Traces\":[{\"Id\":\"1-x\",\"Segments\":[{\"Document\":\"");
	escaped(&out, doc.data);
	fd_buf_reset(&doc);
	fd_buf_puts(&doc, "{\"id\":\"root\",\"name\":\"r\",\"start_time\":1,\"end_time\":2,"
			  "\"subsegments\":[");
	for (i = 0; i < wide; i++)
		fd_buf_printf(&doc, "%s{\"id\":\"s%d\",\"name\":\"n\",\"start_time\":1}",
			      i ? "," : "", i);
	fd_buf_puts(&doc, "]}");
	fd_buf_puts(&out, "\"},{\"Document\":\"");
	escaped(&out, doc.data);
	fd_buf_puts(&out, "\"}]}]}");
	fd_buf_free(&doc);
	return fd_buf_steal(&out);
}

TEST(xray_caps_hostile_sizes)
{
	char *json = big_trace(5000, 100);
	struct fd_trace *t;
	size_t n, i;
	int maxdepth = 0;

	CHECK_INT(xray_parse_traces(json, strlen(json), &t, &n, NULL, NULL), FD_OK);
	REQUIRE(n == 1);
	CHECK_INT(t[0].n, FD_XRAY_MAX_SEGMENTS);
	CHECK(t[0].limit_exceeded);
	for (i = 0; i < t[0].n; i++)
		maxdepth = FD_MAX(maxdepth, t[0].segs[i].depth);
	CHECK_INT(maxdepth, FD_XRAY_MAX_DEPTH);
	CHECK_STR(t[0].segs[0].name, "d");
	CHECK_STR(t[0].segs[FD_XRAY_MAX_DEPTH + 1].name, "r");
	fd_traces_free(t, n);
	free(json);
}

TEST(xray_sim_summaries_and_batches)
{
	struct xray_summaries_query q;
	struct fd_trace_summary *s = NULL;
	struct fd_trace *t = NULL;
	struct aws_error e;
	const char *ids[7];
	struct sim x;
	size_t n = 0, nt = 0, i;
	double now = (double)fd_wall_now();

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	memset(&q, 0, sizeof(q));
	q.start_s = now - 900;
	q.end_s = now;
	q.filter = "service(\"orders-api\")";
	q.max_traces = 150;
	CHECK_INT(xray_get_trace_summaries_sync(x.c, &q, &s, &n, &e), FD_OK);
	CHECK(n > 100 && n <= 150);
	CHECK(sim_stat("requests", "xray:GetTraceSummaries") >= 2);
	for (i = 0; i < n; i++)
		CHECK_STR(s[i].entry, "orders-api");
	REQUIRE(n >= 7);
	for (i = 0; i < 7; i++)
		ids[i] = s[i].id;
	CHECK_INT(xray_batch_get_traces_sync(x.c, ids, 7, &t, &nt, &e), FD_OK);
	CHECK_INT(nt, 7);
	CHECK_INT(sim_stat("requests", "xray:BatchGetTraces"), 2);
	for (i = 0; i < nt; i++) {
		CHECK(t[i].n >= 5);
		CHECK(fd_trace_request_id(&t[i]) != NULL);
		CHECK(seg_named(&t[i], "DynamoDB") != NULL);
	}
	fd_traces_free(t, nt);
	fd_trace_summaries_free(s, n);
	sim_close(&x);
}

TEST(xray_sim_service_graph_and_errors)
{
	struct xray_summaries_query q;
	struct fd_trace_summary *s = NULL;
	struct fd_xgraph g;
	struct aws_error e;
	struct sim x;
	size_t n = 0;
	double now = (double)fd_wall_now();

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	CHECK_INT(xray_get_service_graph_sync(x.c, now - 600, now, &g, &e), FD_OK);
	CHECK(g.n > 2);
	fd_xgraph_free(&g);
	memset(&q, 0, sizeof(q));
	q.start_s = now - 600;
	q.end_s = now;
	q.filter = "nonsense((";
	CHECK_INT(xray_get_trace_summaries_sync(x.c, &q, &s, &n, &e), FD_EAWS);
	CHECK_STR(e.code, "InvalidRequestException");
	CHECK(s == NULL && n == 0);
	sim_close(&x);
}
