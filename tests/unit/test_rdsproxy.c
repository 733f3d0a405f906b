/* test_rdsproxy.c - RDS Proxy names and the [rds_proxy] config section, the
 * GetMetricData queries for proxies (shape, batches of <= 500), their cache (merge,
 * round trip), and against the simulator: the queries sent, the values parsed (the
 * configured-only proxy's constants), the pipeline stage feeding the model, and the
 * SQS queue facts behind sqs-no-redrive with the seeded known answers (the whole
 * fleet's, and one function's for `fleetdeck function NAME`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/model.h"
#include "fleetdeck/queuefacts.h"
#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

#define T0 1764496800
#define ACCT "123456789012"

TEST(rdsproxy_name_from_endpoint)
{
	char *n = fd_rds_proxy_name("orders-db-proxy.proxy-c0ffee5e1a2b.us-east-1.rds.amazonaws.com");

	CHECK_STR(n, "orders-db-proxy");
	free(n);
	/* a custom endpoint's first label names the endpoint, not the proxy */
	CHECK(fd_rds_proxy_name("ro.endpoint.proxy-c0ffee.us-east-1.rds.amazonaws.com") == NULL);
	CHECK(fd_rds_proxy_name("db.cluster-c0ffee.us-east-1.rds.amazonaws.com") == NULL);
	CHECK(fd_rds_proxy_name("bad--name.proxy-c0ffee.us-east-1.rds.amazonaws.com") == NULL);
	CHECK(fd_rds_proxy_name(NULL) == NULL);
	CHECK(fd_rds_proxy_name_valid("a"));
	CHECK(!fd_rds_proxy_name_valid("1abc"));
	CHECK(!fd_rds_proxy_name_valid("abc-"));
	CHECK(!fd_rds_proxy_name_valid("a_b"));
}

TEST(rdsproxy_config_parse)
{
	static const char text[] = "[keys]\nq = quit\n[rds_proxy]\n# comment\n"
				   "Reports-API = reports-db-proxy\norders-api: orders-db-proxy\n"
				   "[mute]\nx = y\n";
	struct fd_proxy_config c;
	struct fd_function fn;
	struct fd_err err = {0};
	int configured = -1;
	char *p;

	REQUIRE(fd_proxy_config_parse(text, strlen(text), "cfg", &c, &err) == FD_OK);
	CHECK_INT(c.n, 2);
	CHECK_STR(fd_proxy_config_find(&c, "Reports-API"), "reports-db-proxy");
	CHECK(fd_proxy_config_find(&c, "reports-api") == NULL); /* names are case-sensitive */
	CHECK_STR(fd_proxy_config_find(&c, "orders-api"), "orders-db-proxy");
	CHECK(fd_proxy_config_find(&c, "x") == NULL);
	memset(&fn, 0, sizeof(fn));
	fn.name = "payments";
	fn.rds_proxy_endpoint = "pay-proxy.proxy-abc.us-east-1.rds.amazonaws.com";
	p = fd_proxy_for_function(&c, &fn, &configured);
	CHECK_STR(p, "pay-proxy");
	CHECK_INT(configured, 0);
	free(p);
	fn.name = "orders-api";
	p = fd_proxy_for_function(&c, &fn, &configured);
	CHECK_STR(p, "orders-db-proxy"); /* the config wins over the endpoint */
	CHECK_INT(configured, 1);
	free(p);
	fd_proxy_config_free(&c);
}

TEST(rdsproxy_config_errors_name_the_line)
{
	static const char *const bad[] = {
	    "[rds_proxy]\nfn = 9bad\n", "[rds_proxy]\n\nfn =\n",
	    "[rds_proxy]\nfn = a\nfn = b\n", "[rds_proxy]\nfn = a\n[broken\n"};
	static const char *const want[] = {"cfg:2: [rds_proxy] fn: \"9bad\" is not an RDS Proxy",
					   "cfg:3: [rds_proxy] fn: no proxy name",
					   "cfg:3: [rds_proxy] fn is mapped twice", "cfg:3"};
	struct fd_proxy_config c;
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(bad); i++) {
		struct fd_err err = {0};
		CHECK_INT(fd_proxy_config_parse(bad[i], strlen(bad[i]), "cfg", &c, &err), FD_EPARSE);
		CHECK_CONTAINS(err.msg, want[i]);
		CHECK_INT(c.n, 0);
	}
}

TEST(rdsproxy_config_missing_file_is_empty)
{
	struct fd_proxy_config c;
	struct fd_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/none", fd_test_tmpdir());
	CHECK_INT(fd_proxy_config_load(path, &c, &err), FD_OK);
	CHECK_INT(c.n, 0);
}

TEST(rdsproxy_request_shape_and_batches)
{
	static const struct cw_window w = {T0, T0 + 600, 60};
	const char *names[70];
	const cJSON *qs, *q, *dim;
	char *body;
	cJSON *doc;
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(names); i++)
		names[i] = "p";
	names[1] = "reports-db-proxy";
	body = cw_build_proxy_request(names, 70, 0, 10000, &w, NULL);
	doc = cJSON_Parse(body);
	qs = cJSON_GetObjectItem(doc, "MetricDataQueries");
	CHECK_INT(cJSON_GetArraySize(qs), CW_MAX_QUERIES); /* 560 queries: 500 in the first */
	q = cJSON_GetArrayItem(qs, FD_PQ_COUNT + 2 * FD_PM_QUERY_LATENCY + 1);
	CHECK_STR(cJSON_GetObjectItem(q, "Id")->valuestring, "p1_5");
	q = cJSON_GetObjectItem(q, "MetricStat");
	CHECK_STR(cJSON_GetObjectItem(q, "Stat")->valuestring, "Maximum");
	CHECK_INT(cJSON_GetObjectItem(q, "Period")->valueint, 60);
	q = cJSON_GetObjectItem(q, "Metric");
	CHECK_STR(cJSON_GetObjectItem(q, "Namespace")->valuestring, "AWS/RDS");
	CHECK_STR(cJSON_GetObjectItem(q, "MetricName")->valuestring,
		  "QueryDatabaseResponseLatency");
	dim = cJSON_GetArrayItem(cJSON_GetObjectItem(q, "Dimensions"), 0);
	CHECK_STR(cJSON_GetObjectItem(dim, "Name")->valuestring, "ProxyName");
	CHECK_STR(cJSON_GetObjectItem(dim, "Value")->valuestring, "reports-db-proxy");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(q, "Dimensions")), 1);
	cJSON_Delete(doc);
	free(body);
	body = cw_build_proxy_request(names, 70, 500, 10000, &w, NULL);
	doc = cJSON_Parse(body);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "MetricDataQueries")), 60);
	cJSON_Delete(doc);
	free(body);
}

TEST(rdsproxy_parse_and_stat)
{
	static const struct cw_window w = {T0, T0 + 300, 60};
	static const char answer[] =
	    "{\"MetricDataResults\":[{\"Id\":\"p0_0\",\"StatusCode\":\"Complete\","
	    "\"Timestamps\":[1764496800,1764496860,1764497040],\"Values\":[4,6,8]},"
	    "{\"Id\":\"p0_1\",\"Timestamps\":[1764496860],\"Values\":[11]},"
	    "{\"Id\":\"p9_0\",\"Timestamps\":[1764496860],\"Values\":[1]},"
	    "{\"Id\":\"p0_99\",\"Timestamps\":[1764496860],\"Values\":[1]}]}";
	struct fd_proxy_metrics pm;
	struct fd_proxy_stat st;
	struct fd_err err = {0};
	char *next = NULL;

	memset(&pm, 0, sizeof(pm));
	REQUIRE(cw_parse_proxy_response(answer, strlen(answer), &w, &pm, 1, &next, &err) == FD_OK);
	CHECK(next == NULL);
	fd_proxy_stat(&pm, FD_PM_DB_CONNECTIONS, T0, T0 + 300, &st);
	CHECK(st.latest == 8.0);
	CHECK(st.avg == 6.0);
	CHECK(st.max == 11.0);
	fd_proxy_stat(&pm, FD_PM_DB_CONNECTIONS, T0, T0 + 100, &st);
	CHECK(st.latest == 6.0);
	fd_proxy_stat(&pm, FD_PM_PINNED, T0, T0 + 300, &st);
	CHECK(isnan(st.latest) && isnan(st.avg) && isnan(st.max));
	fd_proxy_metrics_free(&pm);
}

static struct fd_cache *
open_cache(struct fd_ctx *ctx)
{
	struct fd_err err = {0};
	struct fd_cache *c = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/cache.db", fd_test_tmpdir());
	memset(ctx, 0, sizeof(*ctx));
	fd_strlcpy(ctx->profile, "default", sizeof(ctx->profile));
	fd_strlcpy(ctx->account, ACCT, sizeof(ctx->account));
	fd_strlcpy(ctx->region, "us-east-1", sizeof(ctx->region));
	if (fd_cache_open(path, &c, NULL, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "cache: %s", err.msg);
	return c;
}

static void
series_set(struct fd_series *s, int64_t start, size_t n, double first)
{
	size_t i;

	s->start_s = start;
	s->period_s = 60;
	s->n = n;
	s->values = fd_xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++)
		s->values[i] = first + (double)i;
}

/* A second write merges: its points win, the older ones stay, newest point known. */
TEST(rdsproxy_cache_merges_incrementally)
{
	struct fd_proxy_metrics a, b, got;
	struct fd_err err = {0};
	struct fd_ctx ctx;
	struct fd_cache *c = open_cache(&ctx);
	const char *names[] = {"orders-db-proxy"};

	REQUIRE(c != NULL);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.proxy = fd_xstrdup(names[0]);
	a.fetched_ms = 1000;
	series_set(&a.s[0], T0, 5, 10); /* 10..14 at T0..T0+240 */
	b.proxy = fd_xstrdup(names[0]);
	b.fetched_ms = 2000;
	series_set(&b.s[0], T0 + 240, 3, 100); /* 100..102 at T0+240..T0+360 */
	CHECK_INT(fd_cache_proxy_metrics_newest(c, &ctx, 60, names, 1), 0);
	REQUIRE(fd_cache_put_proxy_metrics(c, &ctx, &a, 1, &err) == FD_OK);
	CHECK_INT(fd_cache_proxy_metrics_newest(c, &ctx, 60, names, 1), T0 + 240);
	REQUIRE(fd_cache_put_proxy_metrics(c, &ctx, &b, 1, &err) == FD_OK);
	CHECK_INT(fd_cache_proxy_metrics_newest(c, &ctx, 60, names, 1), T0 + 360);
	REQUIRE(fd_cache_get_proxy_metrics(c, &ctx, names[0], 60, &got, &err) == FD_OK);
	CHECK_INT(got.s[0].start_s, T0);
	REQUIRE(got.s[0].n == 7);
	CHECK(got.s[0].values[3] == 13.0 && got.s[0].values[4] == 100.0);
	CHECK(got.s[0].values[6] == 102.0);
	CHECK_INT(got.s[1].n, 0);
	CHECK_INT(got.fetched_ms, 2000);
	fd_proxy_metrics_free(&got);
	/* another period or proxy has nothing */
	REQUIRE(fd_cache_get_proxy_metrics(c, &ctx, names[0], 300, &got, &err) == FD_OK);
	CHECK_INT(got.s[0].n, 0);
	fd_proxy_metrics_free(&got);
	fd_proxy_metrics_free(&a);
	fd_proxy_metrics_free(&b);
	fd_cache_close(c);
}

TEST(rdsproxy_queue_facts_cache_round_trip)
{
	struct fd_queue_fact f[] = {{"arn:aws:sqs:us-east-1:1:b", 1, "arn:aws:sqs:us-east-1:1:b-dlq",
				     120, 5},
				    {"arn:aws:sqs:us-east-1:1:a", 0, NULL, -1, 6}};
	struct fd_queue_fact *got = NULL;
	struct fd_err err = {0};
	struct fd_ctx ctx;
	struct fd_cache *c = open_cache(&ctx);
	size_t n = 0;

	REQUIRE(c != NULL);
	REQUIRE(fd_cache_put_queue_facts(c, &ctx, f, 2, &err) == FD_OK);
	REQUIRE(fd_cache_get_queue_facts(c, &ctx, &got, &n, &err) == FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(got[0].arn, "arn:aws:sqs:us-east-1:1:a");
	CHECK(!got[0].has_redrive && got[0].dlq_arn == NULL && got[0].dlq_depth == -1);
	CHECK_INT(got[0].fetched_ms, 6);
	CHECK_STR(got[1].dlq_arn, "arn:aws:sqs:us-east-1:1:b-dlq");
	CHECK_INT(got[1].dlq_depth, 120);
	fd_queue_facts_free(got, n);
	/* a later read replaces the set */
	REQUIRE(fd_cache_put_queue_facts(c, &ctx, f, 1, &err) == FD_OK);
	REQUIRE(fd_cache_get_queue_facts(c, &ctx, &got, &n, &err) == FD_OK);
	CHECK_INT(n, 1);
	fd_queue_facts_free(got, n);
	fd_cache_close(c);
}

/* One function's read updates its queues' facts and leaves the others. */
TEST(rdsproxy_queue_facts_cache_update_keeps_others)
{
	struct fd_queue_fact f[] = {
	    {.arn = "arn:aws:sqs:us-east-1:1:a", .has_redrive = 0, .dlq_depth = -1, .fetched_ms = 5},
	    {.arn = "arn:aws:sqs:us-east-1:1:b", .has_redrive = 0, .dlq_depth = -1, .fetched_ms = 5}};
	struct fd_queue_fact upd[] = {{.arn = "arn:aws:sqs:us-east-1:1:b",
				       .has_redrive = 1,
				       .dlq_arn = "arn:aws:sqs:us-east-1:1:b-dlq",
				       .dlq_depth = 0,
				       .fetched_ms = 9},
				      {.arn = "arn:aws:sqs:us-east-1:1:c", .dlq_depth = -1, .fetched_ms = 9}};
	struct fd_queue_fact *got = NULL;
	struct fd_err err = {0};
	struct fd_ctx ctx;
	struct fd_cache *c = open_cache(&ctx);
	size_t n = 0;

	REQUIRE(c != NULL);
	REQUIRE(fd_cache_put_queue_facts(c, &ctx, f, 2, &err) == FD_OK);
	REQUIRE(fd_cache_update_queue_facts(c, &ctx, upd, 2, &err) == FD_OK);
	REQUIRE(fd_cache_get_queue_facts(c, &ctx, &got, &n, &err) == FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(got[0].arn, "arn:aws:sqs:us-east-1:1:a");
	CHECK_INT(got[0].fetched_ms, 5);
	CHECK(got[1].has_redrive && got[1].dlq_depth == 0);
	CHECK_STR(got[1].dlq_arn, "arn:aws:sqs:us-east-1:1:b-dlq");
	CHECK_INT(got[1].fetched_ms, 9);
	CHECK_STR(got[2].arn, "arn:aws:sqs:us-east-1:1:c");
	fd_queue_facts_free(got, n);
	fd_cache_close(c);
}

/* ---- against the simulator ---- */

static int
sim_fleet(struct sim *x, int functions)
{
	char body[64];

	fd_test_sim_url();
	snprintf(body, sizeof(body), "{\"functions\":%d}", functions);
	if (fd_test_sim_control("POST", "reset", body, NULL) != 200)
		return 0;
	return sim_open(x, NULL, NULL);
}

static cJSON *
last_request(void)
{
	cJSON *doc = sim_get("requests?last=1");
	cJSON *body;
	const char *text;

	text = entry_str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "requests"), 0), "body");
	body = cJSON_Parse(text ? text : "");
	cJSON_Delete(doc);
	return body;
}

TEST(rdsproxy_sim_queries_sent_and_values_parsed)
{
	const char *names[] = {"orders-db-proxy", "reports-db-proxy"};
	struct fd_proxy_metrics pm[2];
	struct fd_proxy_stat st;
	struct aws_error e;
	struct cw_window w;
	const cJSON *q;
	cJSON *body;
	struct sim x;
	int64_t now = fd_wall_now_ms() / 1000;
	int seen = 0;

	if (!sim_fleet(&x, 5))
		return;
	memset(pm, 0, sizeof(pm));
	w.period_s = 60;
	w.end_s = now - now % 60;
	w.start_s = w.end_s - 10 * 60;
	if (cw_fetch_proxies_sync(x.c, names, 2, &w, pm, &e) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "GetMetricData: %s: %s", e.code, e.message);
	CHECK_INT(sim_stat("requests", "monitoring:GetMetricData"), 1);
	CHECK_INT(sim_stat("validation_failures", "monitoring:GetMetricData"), 0);
	body = last_request();
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(body, "MetricDataQueries")),
		  2 * FD_PQ_COUNT);
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(body, "MetricDataQueries"))
	{
		const cJSON *ms = cJSON_GetObjectItem(q, "MetricStat");
		const cJSON *met = cJSON_GetObjectItem(ms, "Metric");
		const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(met, "Dimensions"), 0);
		CHECK_STR(cJSON_GetObjectItem(met, "Namespace")->valuestring, "AWS/RDS");
		CHECK_STR(cJSON_GetObjectItem(d, "Name")->valuestring, "ProxyName");
		seen += strcmp(cJSON_GetObjectItem(met, "MetricName")->valuestring,
			       "DatabaseConnectionsCurrentlySessionPinned") == 0;
	}
	CHECK_INT(seen, 4); /* two proxies, Average and Maximum */
	cJSON_Delete(body);
	CHECK_INT(pm[1].s[0].n, 10);
	CHECK(pm[1].fetched_ms > 0);
	fd_proxy_stat(&pm[1], FD_PM_DB_CONNECTIONS, w.start_s, w.end_s, &st);
	CHECK(st.latest == 4.0 && st.avg == 4.0 && st.max == 4.0);
	fd_proxy_stat(&pm[1], FD_PM_CLIENT_CONNECTIONS, w.start_s, w.end_s, &st);
	CHECK(st.latest == 9.0);
	fd_proxy_stat(&pm[1], FD_PM_QUERY_LATENCY, w.start_s, w.end_s, &st);
	CHECK(st.max == 2500.0);
	fd_proxy_stat(&pm[1], FD_PM_PINNED, w.start_s, w.end_s, &st);
	CHECK(st.avg == 1.0);
	fd_proxy_stat(&pm[0], FD_PM_DB_CONNECTIONS, w.start_s, w.end_s, &st);
	CHECK(st.latest >= 10.0); /* follows the load: 10 + invocations / 20 */
	fd_proxy_metrics_free(&pm[0]);
	fd_proxy_metrics_free(&pm[1]);
	sim_close(&x);
}

static const struct fd_queue_fact *
fact_of(const struct fd_queue_fact *f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd_str_ends(f[i].arn, name))
			return &f[i];
	return NULL;
}

/* The seeded answers: payments-queue redrives to payments-queue-dlq, which holds 120
 * messages; image-resizer-queue has no redrive policy. Each queue is read once. */
TEST(rdsproxy_sim_queue_facts_known_answers)
{
	char *arns[] = {"arn:aws:sqs:us-east-1:" ACCT ":payments-queue",
			"arn:aws:sqs:us-east-1:" ACCT ":image-resizer-queue",
			"arn:aws:sqs:us-east-1:" ACCT ":payments-queue"};
	struct fd_queue_fact *f = NULL;
	const struct fd_queue_fact *q;
	char error[256];
	struct sim x;
	size_t n = 0;

	if (!sim_fleet(&x, 5))
		return;
	REQUIRE(fd_qfacts_read_sync(x.c, arns, 2, &f, &n, error, sizeof(error)) == FD_OK);
	CHECK_STR(error, "");
	CHECK_INT(n, 2);
	q = fact_of(f, n, ":payments-queue");
	REQUIRE(q != NULL);
	CHECK(q->has_redrive);
	CHECK_CONTAINS(q->dlq_arn, ":payments-queue-dlq");
	CHECK_INT(q->dlq_depth, 120);
	q = fact_of(f, n, ":image-resizer-queue");
	REQUIRE(q != NULL);
	CHECK(!q->has_redrive && q->dlq_arn == NULL && q->dlq_depth == -1);
	CHECK_INT(sim_stat("requests", "sqs:GetQueueAttributes"), 3);
	CHECK_INT(sim_stat("requests", "sqs:GetQueueUrl"), 3);
	fd_queue_facts_free(f, n);
	sim_close(&x);
}

TEST(rdsproxy_sim_queue_facts_unknown_queue_has_no_fact)
{
	char *arns[] = {"arn:aws:sqs:us-east-1:" ACCT ":no-such-queue"};
	struct fd_queue_fact *f = NULL;
	char error[256];
	struct sim x;
	size_t n = 5;

	if (!sim_fleet(&x, 5))
		return;
	REQUIRE(fd_qfacts_read_sync(x.c, arns, 1, &f, &n, error, sizeof(error)) == FD_OK);
	CHECK_INT(n, 0);
	CHECK_CONTAINS(error, "no-such-queue");
	fd_queue_facts_free(f, n);
	sim_close(&x);
}

static int
risk_reason(struct fd_model *m, const char *fn, const char *check, const char *needle)
{
	const struct fd_risk *r;
	size_t n = fd_model_risks(m, &r), i;

	for (i = 0; i < n; i++)
		if (strcmp(r[i].function, fn) == 0 && strcmp(r[i].check_id, check) == 0 &&
		    strstr(r[i].reason, needle))
			return 1;
	return 0;
}

/* The simulated fleet of 5 with a model over a fresh cache: 1 when ready, 0 when the
 * simulator is away or (a failure) the model could not be made. */
struct sim_model {
	struct sim x;
	struct fd_ctx ctx;
	struct fd_cache *c;
	struct fd_model *m;
	struct fd_err err;
};

static int
sim_model_open(struct sim_model *sm)
{
	memset(sm, 0, sizeof(*sm));
	if (!sim_fleet(&sm->x, 5))
		return 0;
	sm->c = open_cache(&sm->ctx);
	if (sm->c && fd_model_new(sm->x.c, sm->c, &sm->ctx, &sm->m, &sm->err) == FD_OK)
		return 1;
	fd_test_fail(__FILE__, __LINE__, "model: %s", sm->err.msg);
	if (sm->c)
		fd_cache_close(sm->c);
	sim_close(&sm->x);
	return 0;
}

static void
sim_model_close(struct sim_model *sm)
{
	fd_model_free(sm->m);
	fd_cache_close(sm->c);
	sim_close(&sm->x);
}

/* The whole pipeline: the proxy stage fills the model and the cache, the queue-facts
 * stage feeds sqs-no-redrive; a model loaded from the cache alone sees both. */
TEST(rdsproxy_sim_pipeline_feeds_model_and_risks)
{
	struct fd_model *m, *off = NULL;
	struct fd_model_proxy p;
	struct fd_proxy_stat st;
	struct sim_model sm;

	if (!sim_model_open(&sm))
		return;
	m = sm.m;
	REQUIRE(fd_model_refresh_sync(m, FD_REFRESH_ALL, &sm.err) == FD_OK);
	REQUIRE(fd_model_function_proxy(m, "payments-worker", &p));
	CHECK_STR(p.name, "orders-db-proxy");
	CHECK(!p.configured);
	REQUIRE(p.metrics != NULL);
	fd_proxy_stat(p.metrics, FD_PM_DB_CONNECTIONS, p.from_s, p.to_s, &st);
	CHECK(!isnan(st.latest) && st.latest >= 10.0);
	CHECK(!fd_model_function_proxy(m, "orders-api", &p));
	CHECK(risk_reason(m, "image-resizer", "sqs-no-redrive", "image-resizer-queue has no"));
	CHECK(risk_reason(m, "payments-worker", "sqs-no-redrive", "holds 120 messages"));
	CHECK(!risk_reason(m, "orders-api", "sqs-no-redrive", ""));
	CHECK_INT(sim_stat("requests", "sqs:GetQueueAttributes"), 3);

	REQUIRE(fd_model_new(NULL, sm.c, &sm.ctx, &off, &sm.err) == FD_OK);
	REQUIRE(fd_model_load_cache(off, &sm.err) == FD_OK);
	REQUIRE(fd_model_function_proxy(off, "payments-worker", &p));
	CHECK(p.metrics != NULL);
	CHECK(risk_reason(off, "image-resizer", "sqs-no-redrive", "no redrive policy"));
	CHECK(risk_reason(off, "payments-worker", "sqs-no-redrive", "holds 120 messages"));
	fd_model_free(off);
	sim_model_close(&sm);
}

/* A function mapped in the config gets the configured-only proxy's constants. */
TEST(rdsproxy_sim_configured_proxy)
{
	static const char cfg[] = "[rds_proxy]\norders-api = reports-db-proxy\n";
	struct fd_proxy_config pc;
	struct fd_model_proxy p;
	struct fd_proxy_stat st;
	struct sim_model sm;

	if (!sim_model_open(&sm))
		return;
	REQUIRE(fd_proxy_config_parse(cfg, strlen(cfg), "cfg", &pc, &sm.err) == FD_OK);
	fd_model_set_proxy_config(sm.m, &pc);
	REQUIRE(fd_model_refresh_function_sync(sm.m, "orders-api", NULL, &sm.err) == FD_OK);
	REQUIRE(fd_model_function_proxy(sm.m, "orders-api", &p));
	CHECK_STR(p.name, "reports-db-proxy");
	CHECK(p.configured && p.endpoint == NULL);
	REQUIRE(p.metrics != NULL);
	fd_proxy_stat(p.metrics, FD_PM_QUERY_LATENCY, p.from_s, p.to_s, &st);
	CHECK(st.latest == 2500.0 && st.avg == 2500.0 && st.max == 2500.0);
	fd_proxy_config_free(&pc);
	sim_model_close(&sm);
}

/* `function NAME`'s read: only that function's source queue (and its DLQ), merged
 * over what the cache held of the others. */
TEST(rdsproxy_sim_function_queue_facts_only_its_queues)
{
	const struct fd_queue_fact *f;
	struct sim_model sm;

	if (!sim_model_open(&sm))
		return;
	REQUIRE(fd_model_refresh_function_sync(sm.m, "image-resizer", NULL, &sm.err) == FD_OK);
	REQUIRE(fd_model_refresh_function_queues_sync(sm.m, "image-resizer", &sm.err) == FD_OK);
	CHECK(risk_reason(sm.m, "image-resizer", "sqs-no-redrive", "image-resizer-queue has no"));
	CHECK_INT(sim_stat("requests", "sqs:GetQueueUrl"), 1);
	CHECK_INT(sim_stat("requests", "sqs:GetQueueAttributes"), 1);
	REQUIRE(fd_model_refresh_function_sync(sm.m, "payments-worker", NULL, &sm.err) == FD_OK);
	REQUIRE(fd_model_refresh_function_queues_sync(sm.m, "payments-worker", &sm.err) == FD_OK);
	CHECK(risk_reason(sm.m, "payments-worker", "sqs-no-redrive", "holds 120 messages"));
	CHECK(risk_reason(sm.m, "image-resizer", "sqs-no-redrive", "no redrive policy"));
	CHECK_INT(sim_stat("requests", "sqs:GetQueueUrl"), 3); /* payments-queue and its DLQ */
	REQUIRE(fd_model_queue_facts(sm.m, &f) == 2);
	CHECK(fd_str_ends(f[0].arn, ":image-resizer-queue"));
	CHECK(fd_str_ends(f[1].arn, ":payments-queue"));
	sim_model_close(&sm);
}

/* SQS failing: an error for the caller to warn with; the facts held stay. */
TEST(rdsproxy_sim_function_queue_facts_failure_keeps_facts)
{
	struct sim_model sm;

	if (!sim_model_open(&sm))
		return;
	REQUIRE(fd_model_refresh_function_sync(sm.m, "image-resizer", NULL, &sm.err) == FD_OK);
	REQUIRE(fd_model_refresh_function_queues_sync(sm.m, "image-resizer", &sm.err) == FD_OK);
	sim_faults("{\"service\":\"sqs\",\"op\":\"*\",\"kind\":\"error\",\"status\":500}");
	CHECK(fd_model_refresh_function_queues_sync(sm.m, "image-resizer", &sm.err) != FD_OK);
	CHECK_CONTAINS(sm.err.msg, "image-resizer-queue");
	CHECK(risk_reason(sm.m, "image-resizer", "sqs-no-redrive", "no redrive policy"));
	sim_faults("");
	sim_model_close(&sm);
}
