/* test_cwmetrics.c - GetMetricData request building (batches of <= 500 queries, ids),
 * answer parsing (gaps, PartialData paging, per-query errors) and, against the
 * simulator, the number of calls a 200-function fetch takes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/costs.h"
#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/lambda.h"
#include "test.h"
#include "test_aws_sim.h"

#define T0 1764496800

static const struct cw_window win = {T0, T0 + 600, 60};

static char *
fixture(const char *name, size_t *len)
{
	struct fd_buf b;
	struct fd_err err = {0};
	char path[512];

	fd_buf_init(&b);
	snprintf(path, sizeof(path), "%s/cw/%s", fd_test_data(), name);
	if (fd_read_file(path, 1 << 20, &b, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "fixture %s: %s", name, err.msg);
		fd_buf_free(&b);
		*len = 0;
		return NULL;
	}
	*len = b.len;
	return fd_buf_steal(&b);
}

static int
id_valid(const char *id)
{
	if (!id || id[0] < 'a' || id[0] > 'z')
		return 0;
	for (id++; *id; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
		      (*id >= '0' && *id <= '9') || *id == '_'))
			return 0;
	return 1;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

TEST(cw_build_request_shape)
{
	const char *names[] = {"orders-api", "billing-java", "thumbnailer"};
	cJSON *doc, *qs, *q, *stat, *metric, *dim;
	char *body = cw_build_request(names, 3, 0, 1000, &win, NULL);

	REQUIRE(body);
	doc = cJSON_Parse(body);
	REQUIRE(doc);
	qs = cJSON_GetObjectItemCaseSensitive(doc, "MetricDataQueries");
	CHECK_INT(cJSON_GetArraySize(qs), 3 * FD_M_COUNT);
	CHECK(jnum(doc, "StartTime") == T0);
	CHECK(jnum(doc, "EndTime") == T0 + 600);
	CHECK_STR(jstr(doc, "ScanBy"), "TimestampAscending");
	CHECK(jnum(doc, "MaxDatapoints") > 0 && jnum(doc, "MaxDatapoints") <= 100800);
	CHECK(!cJSON_GetObjectItemCaseSensitive(doc, "NextToken"));
	q = cJSON_GetArrayItem(qs, 2 * FD_M_COUNT + FD_M_DURATION_P99);
	REQUIRE(q);
	CHECK_STR(jstr(q, "Id"), "m2_4");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "ReturnData")));
	stat = cJSON_GetObjectItemCaseSensitive(q, "MetricStat");
	CHECK_STR(jstr(stat, "Stat"), "p99");
	CHECK(jnum(stat, "Period") == 60);
	metric = cJSON_GetObjectItemCaseSensitive(stat, "Metric");
	CHECK_STR(jstr(metric, "Namespace"), "AWS/Lambda");
	CHECK_STR(jstr(metric, "MetricName"), "Duration");
	dim = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(metric, "Dimensions"), 0);
	CHECK_STR(jstr(dim, "Name"), "FunctionName");
	CHECK_STR(jstr(dim, "Value"), "thumbnailer");
	cJSON_ArrayForEach(q, qs)
		CHECK(id_valid(jstr(q, "Id")));
	cJSON_Delete(doc);
	free(body);
	body = cw_build_request(names, 3, 5, 2, &win, "tok-2");
	REQUIRE(body);
	CHECK_CONTAINS(body, "\"NextToken\":\"tok-2\"");
	CHECK_CONTAINS(body, "\"Id\":\"m0_5\"");
	CHECK_CONTAINS(body, "\"Id\":\"m0_6\"");
	CHECK(!strstr(body, "\"m0_7\""));
	free(body);
}

TEST(cw_build_request_batches_of_500)
{
	enum { N = 200 };
	const char *names[N];
	char bufs[N][24];
	size_t i, first, total = N * FD_M_COUNT, seen = 0, calls = 0;
	cJSON *doc;
	char *body;

	for (i = 0; i < N; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "fn-%03zu", i);
		names[i] = bufs[i];
	}
	for (first = 0; first < total; first += CW_MAX_QUERIES, calls++) {
		body = cw_build_request(names, N, first, 100000, &win, NULL);
		REQUIRE(body);
		doc = cJSON_Parse(body);
		REQUIRE(doc);
		i = (size_t)cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(doc, "MetricDataQueries"));
		CHECK(i <= CW_MAX_QUERIES);
		seen += i;
		cJSON_Delete(doc);
		free(body);
	}
	CHECK_INT(seen, total);
	CHECK_INT(calls, (total + CW_MAX_QUERIES - 1) / CW_MAX_QUERIES);
	CHECK(cw_build_request(names, N, total, 10, &win, NULL) == NULL);
	{
		struct cw_window bad = {T0, T0, 60};

		CHECK(cw_build_request(names, N, 0, 10, &bad, NULL) == NULL);
		bad.end_s = T0 + 600;
		bad.period_s = 0;
		CHECK(cw_build_request(names, N, 0, 10, &bad, NULL) == NULL);
	}
}

static void
metrics_free(struct fd_function_metrics *m, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < FD_M_COUNT; k++)
			free(m[i].s[k].values);
		free(m[i].function);
	}
}

TEST(cw_parse_gaps_paging_and_query_errors)
{
	struct fd_function_metrics out[2];
	struct fd_err err = {0};
	const struct fd_series *s;
	size_t l1, l2, i;
	char *p1 = fixture("getmetricdata_page1.json", &l1);
	char *p2 = fixture("getmetricdata_page2.json", &l2), *next = NULL;

	REQUIRE(p1 && p2);
	memset(out, 0, sizeof(out));
	CHECK_INT(cw_parse_response(p1, l1, &win, out, 2, &next, &err), FD_OK);
	CHECK_STR(next, "page-two-token");
	CHECK_INT(err.status, FD_EAWS); /* the first failed query is reported */
	CHECK_CONTAINS(err.msg, "m1_0");
	CHECK_CONTAINS(err.msg, "not authorized");
	s = &out[0].s[FD_M_INVOCATIONS];
	REQUIRE(s->values && s->n == 10);
	CHECK(s->start_s == T0 && s->period_s == 60);
	CHECK(s->values[0] == 5.0 && s->values[1] == 7.0);
	for (i = 2; i < 10; i++)
		CHECK(isnan(s->values[i]));
	CHECK(out[0].s[FD_M_DURATION_P50].values[2] == 123.4); /* ISO timestamp */
	s = &out[1].s[FD_M_INVOCATIONS]; /* Forbidden: stays NAN */
	REQUIRE(s->values);
	for (i = 0; i < 10; i++)
		CHECK(isnan(s->values[i]));
	CHECK(isnan(out[0].s[FD_M_THROTTLES].values[0])); /* InternalError */
	s = &out[1].s[FD_M_ERRORS]; /* out-of-window points dropped, short Values */
	CHECK(s->values[9] == 3.0);
	CHECK(isnan(s->values[5]));
	CHECK(isnan(s->values[0]));
	for (i = 0; i < 10; i++)
		CHECK(isnan(out[1].s[FD_M_THROTTLES].values[i]));
	CHECK(out[0].s[FD_M_ERRORS].values == NULL); /* "m01_1" matched nothing */
	free(next);
	/* page 2 adds to what page 1 gave */
	CHECK_INT(cw_parse_response(p2, l2, &win, out, 2, &next, &err), FD_OK);
	CHECK(next == NULL);
	s = &out[0].s[FD_M_INVOCATIONS];
	CHECK(s->values[0] == 5.0 && s->values[1] == 7.0 && s->values[4] == 9.0);
	metrics_free(out, 2);
	free(p1);
	free(p2);
}

TEST(cw_parse_malformed)
{
	struct fd_function_metrics out[1];
	struct fd_err err = {0};
	size_t len;
	char *bad = fixture("getmetricdata_badshape.json", &len), *next = (char *)"x";

	REQUIRE(bad);
	memset(out, 0, sizeof(out));
	CHECK_INT(cw_parse_response(bad, len, &win, out, 1, &next, &err), FD_EPARSE);
	CHECK(next == NULL);
	CHECK_CONTAINS(err.msg, "MetricDataResults");
	CHECK_INT(cw_parse_response("<html>", 6, &win, out, 1, &next, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "not a JSON object");
	CHECK_INT(cw_parse_response("", 0, &win, out, 1, &next, &err), FD_EPARSE);
	CHECK_INT(cw_parse_response("{}", 2, &win, out, 1, &next, &err), FD_OK);
	metrics_free(out, 1);
	free(bad);
}

TEST(cw_cost)
{
	CHECK(fabs(fd_cost_gmd_usd(1000) - 0.01) < 1e-12);
	CHECK(fabs(fd_cost_gmd_usd(2200) - 0.022) < 1e-12);
	CHECK(fd_cost_gmd_usd(0) == 0.0);
	CHECK(fabs(fd_cost_gmd_usd_hour(442, 60) - 0.2652) < 1e-12); /* 40 functions x 11 + 2 */
	CHECK(fd_cost_gmd_usd_hour(442, 0) == 0.0);
}

/* ---- against the simulator ---- */

static size_t
points(const struct fd_series *s)
{
	size_t i, k = 0;

	for (i = 0; s->values && i < s->n; i++)
		k += isnan(s->values[i]) ? 0 : 1;
	return k;
}

TEST(cw_sim_fetch_200_functions)
{
	enum { N = 200 };
	struct sim x;
	struct fd_function *fns = NULL;
	struct fd_function_metrics *out;
	const char *names[N];
	struct aws_error e;
	struct cw_window w;
	size_t n = 0, i, busy = N;
	uint64_t before;
	int64_t now;

	if (!sim_open_reset(&x, "{\"functions\":200}"))
		return;
	REQUIRE(lambda_list_functions_sync(x.c, &fns, &n, &e) == FD_OK && n == N);
	for (i = 0; i < N; i++) {
		names[i] = fns[i].name;
		if (strcmp(fns[i].name, "orders-api") == 0)
			busy = i;
	}
	REQUIRE(busy < N);
	now = fd_wall_now_ms() / 1000;
	w.period_s = 60;
	w.end_s = now - now % 60;
	w.start_s = w.end_s - 15 * 60;
	out = fd_xcalloc(N, sizeof(*out));
	before = cw_metrics_requested();
	if (cw_fetch_functions_sync(x.c, names, N, &w, out, &e) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "GetMetricData: %s: %s", e.code, e.message);
	CHECK_INT(sim_requests("monitoring:GetMetricData"),
		  (N * FD_M_COUNT + CW_MAX_QUERIES - 1) / CW_MAX_QUERIES);
	CHECK_INT(sim_requests("validation_failures"), 0);
	CHECK_INT(cw_metrics_requested() - before, N * FD_M_COUNT);
	CHECK_STR(out[busy].function, "orders-api");
	CHECK_INT(out[busy].s[FD_M_INVOCATIONS].n, 15);
	CHECK(points(&out[busy].s[FD_M_INVOCATIONS]) >= 10);
	CHECK(out[busy].fetched_ms > 0);
	for (i = 0; i < N; i++)
		fd_function_metrics_free(&out[i]);
	free(out);
	fd_functions_free(fns, n);
	sim_close(&x);
}

TEST(cw_sim_account_metrics)
{
	struct sim x;
	struct cw_account_metrics m;
	struct aws_error e;
	struct cw_window w;
	int64_t now;

	if (!sim_open_reset(&x, "{\"functions\":20}"))
		return;
	memset(&m, 0, sizeof(m));
	now = fd_wall_now_ms() / 1000;
	w.period_s = 60;
	w.end_s = now - now % 60;
	w.start_s = w.end_s - 10 * 60;
	if (cw_fetch_account_sync(x.c, &w, &m, &e) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "GetMetricData: %s: %s", e.code, e.message);
	CHECK_INT(m.concurrent.n, 10);
	CHECK_INT(m.unreserved.n, 10);
	CHECK(points(&m.concurrent) > 0);
	CHECK_INT(sim_requests("monitoring:GetMetricData"), 1);
	cw_account_metrics_free(&m);
	sim_close(&x);
}

TEST(cw_sim_partial_data_pages)
{
	enum { N = 5 };
	struct sim x;
	struct fd_function *fns = NULL;
	struct fd_function_metrics out[N];
	const char *names[N];
	struct aws_error e;
	struct cw_window w;
	const struct fd_series *s;
	size_t n = 0, i;
	int64_t now;

	if (!sim_open_reset(&x, "{\"functions\":5}"))
		return;
	REQUIRE(lambda_list_functions_sync(x.c, &fns, &n, &e) == FD_OK && n == N);
	for (i = 0; i < N; i++)
		names[i] = fns[i].name;
	/* 55 queries x 4320 points: more than one answer's 100,800 datapoints, even
	 * though some metrics (dead-letter errors, async age...) have none */
	now = fd_wall_now_ms() / 1000;
	w.period_s = 60;
	w.end_s = now - now % 60;
	w.start_s = w.end_s - 3 * 24 * 3600;
	memset(out, 0, sizeof(out));
	if (cw_fetch_functions_sync(x.c, names, N, &w, out, &e) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "GetMetricData: %s: %s", e.code, e.message);
	CHECK(sim_requests("monitoring:GetMetricData") >= 2);
	for (i = 0; i < N; i++) {
		if (strcmp(out[i].function, "orders-api") != 0)
			continue;
		s = &out[i].s[FD_M_INVOCATIONS];
		CHECK_INT(s->n, 4320);
		CHECK(points(s) > 4300);
		CHECK(!isnan(s->values[0]));
	}
	for (i = 0; i < N; i++) {
		CHECK(points(&out[i].s[FD_M_DURATION_MAX]) > 0); /* every function ran */
		fd_function_metrics_free(&out[i]);
	}
	fd_functions_free(fns, n);
	sim_close(&x);
}

struct batch_log {
	size_t first[64], n[64], count, max_pending;
	size_t stop_after; /* the batch callback asks to stop at this count; 0 = never */
	struct fd_function_metrics *out;
	struct aws_client *c;
	size_t npts;
	int bad, done;
	enum fd_status st;
};

/* Each batch arrives whole: its functions' series made over the window and dated. */
static int
on_batch(size_t first, size_t n, void *ud)
{
	struct batch_log *l = ud;
	size_t i;

	for (i = first; i < first + n; i++)
		if (!l->out[i].function || l->out[i].s[FD_M_INVOCATIONS].n != l->npts ||
		    l->out[i].fetched_ms <= 0)
			l->bad = 1;
	if (l->count < 64) {
		l->first[l->count] = first;
		l->n[l->count] = n;
	}
	l->count++;
	l->max_pending = FD_MAX(l->max_pending, aws_client_pending(l->c));
	return l->stop_after && l->count >= l->stop_after;
}

static void
on_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct batch_log *l = ud;

	(void)e;
	l->done = 1;
	l->st = st;
}

/* n made-up function names (no data: every series is gaps, which is enough here). */
static void
fetch_batches(struct sim *x, size_t n, struct batch_log *l)
{
	struct cw_fetch_cb cb = {on_done, l, on_batch};
	char **names = fd_xcalloc(n, sizeof(*names));
	int64_t now = fd_wall_now_ms() / 1000;
	struct cw_window w;
	size_t i;

	for (i = 0; i < n; i++)
		names[i] = fd_xasprintf("batch-fn-%04zu", i);
	w.period_s = 60;
	w.end_s = now - now % 60;
	w.start_s = w.end_s - 10 * 60;
	l->npts = 10;
	l->c = x->c;
	l->out = fd_xcalloc(n, sizeof(*l->out));
	cw_fetch_functions(x->c, (const char *const *)names, n, &w, l->out, &cb);
	l->max_pending = aws_client_pending(x->c);
	while (!l->done)
		aws_client_wait(x->c, NULL, 0, 200);
	for (i = 0; i < n; i++) {
		fd_function_metrics_free(&l->out[i]);
		free(names[i]);
	}
	free(l->out);
	free(names);
}

TEST(cw_sim_batches_of_whole_functions)
{
	struct batch_log l;
	struct sim x;
	size_t i, total = 0;

	if (!sim_open_reset(&x, "{\"functions\":5}"))
		return;
	memset(&l, 0, sizeof(l));
	fetch_batches(&x, 200, &l);
	CHECK_INT(l.st, FD_OK);
	CHECK_INT(l.bad, 0);
	CHECK_INT(l.count, (200 + CW_BATCH_FUNCTIONS - 1) / CW_BATCH_FUNCTIONS);
	for (i = 0; i < l.count && i < 64; i++) {
		CHECK_INT(l.first[i] % CW_BATCH_FUNCTIONS, 0);
		CHECK(l.n[i] >= 1 && l.n[i] <= CW_BATCH_FUNCTIONS);
		total += l.n[i];
	}
	CHECK_INT(total, 200);
	CHECK_INT(sim_requests("monitoring:GetMetricData"), l.count);
	sim_close(&x);
}

TEST(cw_sim_batches_bounded_and_stoppable)
{
	enum { N = 1000 }; /* 23 batches */
	struct batch_log l;
	struct sim x;
	long calls;

	if (!sim_open_reset(&x, "{\"functions\":5}"))
		return;
	memset(&l, 0, sizeof(l));
	l.stop_after = 2;
	fetch_batches(&x, N, &l);
	CHECK_INT(l.st, FD_ECANCELLED);
	CHECK_INT(l.count, 2); /* answers still in flight when it stopped are not handed on */
	CHECK(l.max_pending <= CW_MAX_INFLIGHT);
	calls = sim_requests("monitoring:GetMetricData");
	printf("    stopped after 2 of %d batches: %ld calls made, at most %zu in flight\n",
	       (N + CW_BATCH_FUNCTIONS - 1) / CW_BATCH_FUNCTIONS, calls, l.max_pending);
	CHECK(calls >= 2 && calls < (N + CW_BATCH_FUNCTIONS - 1) / CW_BATCH_FUNCTIONS);
	sim_close(&x);
}
