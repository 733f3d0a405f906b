/* test_inventory.c - the refresh pipeline against the simulator (skipped without
 * it): 5 functions in full (detail included) with the seeded known answers, 500 and
 * 10,000 functions for list + metrics (+ groups) with the asked-for function's
 * detail first, rate limits checked by the simulator's quota enforcement and its
 * per-second counters, an interrupted refresh that continues from its cursor, and
 * metrics stored batch by batch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/model.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

/* A fleet of n functions with the documented quotas enforced by the simulator. */
static int
inv_open(struct sim_fleet *x, int n)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"functions\":%d,\"enforce_quotas\":true}", n);
	return sim_fleet_open(x, body, 0);
}

static const struct fd_trigger *
trigger_of(const struct fd_function *f, enum fd_trigger_kind kind)
{
	size_t i;

	for (i = 0; f && i < f->ntriggers; i++)
		if (f->triggers[i].kind == kind)
			return &f->triggers[i];
	return NULL;
}

/* Every simulated function listed exactly once, in the model and in the cache. */
static void
check_listing(struct sim_fleet *x, size_t n)
{
	cJSON *fleet = sim_get("fleet");
	const cJSON *names = cJSON_GetObjectItem(fleet, "names"), *name;
	const struct fd_fn_row *rows;
	struct fd_function *cached = NULL;
	size_t nrows = fd_model_rows(x->m, &rows), ncached = 0, i;
	struct fd_err err;

	CHECK_INT(nrows, n);
	CHECK_INT(cJSON_GetArraySize(names), n);
	for (i = 1; i < nrows; i++)
		CHECK(strcmp(rows[i - 1].fn->name, rows[i].fn->name) < 0); /* sorted, unique */
	cJSON_ArrayForEach(name, names) CHECK(fd_model_function(x->m, name->valuestring) != NULL);
	CHECK_INT(fd_cache_get_functions(x->cache, &x->ctx, &cached, &ncached, NULL, &err), FD_OK);
	CHECK_INT(ncached, n);
	fd_functions_free(cached, ncached);
	cJSON_Delete(fleet);
}

/* No call was throttled by the simulator's quota enforcement and no operation went
 * past its documented rate in any one-second window. */
static void
check_rates(void)
{
	cJSON *stats = sim_get("stats");
	const cJSON *thr = cJSON_GetObjectItem(stats, "throttled");
	const cJSON *mps = cJSON_GetObjectItem(stats, "max_per_second"), *op;
	int lambda_max = 0;

	CHECK_INT(cJSON_GetArraySize(thr), 0);
	cJSON_ArrayForEach(op, mps)
	{
		if (strncmp(op->string, "lambda:", 7) == 0 &&
		    strcmp(op->string, "lambda:GetFunction"))
			lambda_max = FD_MAX(lambda_max, op->valueint);
		if (strcmp(op->string, "monitoring:GetMetricData") == 0)
			CHECK(op->valueint <= 50);
		if (strcmp(op->string, "lambda:GetFunction") == 0)
			CHECK(op->valueint <= 100);
	}
	CHECK(lambda_max <= 15);
	cJSON_Delete(stats);
}

static void
wait_until(struct sim_fleet *x, int (*done)(struct sim_fleet *), int seconds)
{
	int64_t end = fd_now_ms() + seconds * 1000LL;

	while (!done(x) && fd_now_ms() < end)
		aws_client_wait(x->sim.c, NULL, 0, 200);
}

TEST(inventory_refresh_5_full)
{
	struct fd_err err = {FD_OK, ""};
	const struct fd_function *f;
	const struct fd_log_group *g;
	const struct fd_fn_row *row;
	const struct fd_alias *live = NULL;
	struct sim_fleet x;
	size_t i;

	if (!inv_open(&x, 5))
		return;
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_ALL, &err), FD_OK);
	CHECK_STR(err.msg, "");
	check_listing(&x, 5);
	CHECK_INT(sim_stat("requests", "lambda:ListFunctions"), 1);
	CHECK_INT(sim_stat("requests", "lambda:GetFunction"), 5);
	check_rates();

	f = fd_model_function(x.m, "orders-api");
	REQUIRE(f && f->detail_loaded);
	CHECK_INT(f->reserved_concurrency, 200);
	CHECK(trigger_of(f, FD_TRIG_API_GATEWAY) != NULL);
	for (i = 0; i < f->naliases; i++)
		if (fd_str_eq(f->aliases[i].name, "live"))
			live = &f->aliases[i];
	REQUIRE(live != NULL);
	CHECK_INT(live->provisioned, 10);
	row = fd_model_row(x.m, "orders-api");
	CHECK(row->invocations > 1000); /* the busy one */

	f = fd_model_function(x.m, "payments-worker");
	REQUIRE(f && trigger_of(f, FD_TRIG_SQS) && trigger_of(f, FD_TRIG_SQS)->uuid);
	CHECK(model_has_risk(x.m, "payments-worker", "env-secret-literal"));
	CHECK(model_has_risk(x.m, "payments-worker", "log-no-retention"));
	CHECK(fd_model_row(x.m, "payments-worker")->error_pct > 1.0);

	/* S3 invokes it asynchronously, but it has a DLQ; reserved concurrency too. */
	f = fd_model_function(x.m, "image-resizer");
	REQUIRE(f != NULL);
	CHECK_INT(f->reserved_concurrency, 2);
	CHECK(trigger_of(f, FD_TRIG_S3) != NULL);
	CHECK(f->dlq_arn != NULL);
	CHECK(!model_has_risk(x.m, "image-resizer", "async-no-dlq"));
	CHECK(fd_model_row(x.m, "image-resizer")->throttles > 0);
	CHECK(!model_has_risk(x.m, "image-resizer", "throttles-no-reserved"));

	f = fd_model_function(x.m, "report-generator");
	REQUIRE(f && trigger_of(f, FD_TRIG_EVENTBRIDGE) && !f->dlq_arn);
	CHECK(model_has_risk(x.m, "report-generator", "async-no-dlq"));
	CHECK(model_has_risk(x.m, "report-generator", "timeouts-observed"));
	g = fd_model_log_group(x.m, "/aws/lambda-custom/report-generator");
	REQUIRE(g != NULL); /* custom groups are described by name */
	CHECK_INT(g->retention_days, 7);

	f = fd_model_function(x.m, "notifications-dispatcher");
	REQUIRE(f && f->async.present);
	CHECK(f->async.on_failure != NULL);
	CHECK(!model_has_risk(x.m, "notifications-dispatcher", "async-no-dlq"));
	CHECK(model_has_risk(x.m, "notifications-dispatcher", "log-no-retention"));
	sim_fleet_close(&x);
}

static int
report_generator_loaded(struct sim_fleet *x)
{
	const struct fd_function *f = fd_model_function(x->m, "report-generator");

	return f && f->detail_loaded;
}

TEST(inventory_refresh_500_wanted_detail_first)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_model_status st;
	struct sim_fleet x;

	if (!inv_open(&x, 500))
		return;
	CHECK_INT(fd_model_refresh_sync(
	              x.m, FD_REFRESH_LIST | FD_REFRESH_METRICS | FD_REFRESH_GROUPS, &err),
	          FD_OK);
	check_listing(&x, 500);
	CHECK_INT(sim_stat("requests", "lambda:ListFunctions"), 10);
	CHECK(sim_stat("requests", "monitoring:GetMetricData") >= 11); /* 500 x 11 / 500 */
	CHECK_INT(sim_stat("requests", "lambda:GetFunction"), 0);
	CHECK(model_has_risk(x.m, "payments-worker", "env-secret-literal")); /* from the listing */
	CHECK(!model_has_risk(x.m, "report-generator", "async-no-dlq"));     /* needs detail */
	/* The function on screen gets its detail at once, without a full detail walk. */
	fd_model_want_detail(x.m, "report-generator");
	wait_until(&x, report_generator_loaded, 30);
	REQUIRE(report_generator_loaded(&x));
	CHECK(model_has_risk(x.m, "report-generator", "async-no-dlq"));
	CHECK(sim_stat("requests", "lambda:GetFunction") <= 1);
	fd_model_status(x.m, &st);
	CHECK_INT(st.refreshing, 0);
	CHECK_STR(st.last_error, "");
	check_rates();
	sim_fleet_close(&x);
}

TEST(inventory_refresh_10k_list_metrics)
{
	struct fd_err err = {FD_OK, ""};
	struct timespec t0, t1;
	struct fd_totals t;
	struct sim_fleet x;

	if (!inv_open(&x, 10000))
		return;
	fd_model_set_window(x.m, 900); /* fewer points for the simulator to make */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_LIST | FD_REFRESH_METRICS, &err), FD_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("    10k functions: list + metrics in %.1f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	check_listing(&x, 10000);
	CHECK_INT(sim_stat("requests", "lambda:ListFunctions"), 200);
	CHECK(sim_stat("requests", "monitoring:GetMetricData") >= 220);
	fd_model_totals(x.m, &t);
	CHECK_INT(t.functions, 10000);
	CHECK(t.invocations > 0);
	check_rates();
	sim_fleet_close(&x);
}

static int
some_details_loaded(struct sim_fleet *x)
{
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(x->m, &rows), i, k = 0;

	for (i = 0; i < n; i++)
		k += rows[i].fn->detail_loaded != 0;
	return n > 0 && k >= 6;
}

static size_t
count_detail(struct fd_model *m)
{
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(m, &rows), i, k = 0;

	for (i = 0; i < n; i++)
		k += rows[i].fn->detail_loaded != 0;
	return k;
}

TEST(inventory_interrupted_refresh_resumes)
{
	struct fd_err err = {FD_OK, ""};
	struct sim_fleet x;
	char *cursor;
	size_t before, second;

	if (!inv_open(&x, 20))
		return;
	fd_model_refresh(x.m, FD_REFRESH_LIST | FD_REFRESH_DETAIL);
	wait_until(&x, some_details_loaded, 60);
	REQUIRE(some_details_loaded(&x));
	fd_model_free(x.m); /* killed mid-walk: in-flight loads are orphaned */
	x.m = NULL;
	cursor = fd_cache_meta_get(x.cache, &x.ctx, "detail_cursor");
	REQUIRE(cursor != NULL);

	/* A new run on the same cache continues: it neither lists the detail it already
	 * has again nor starts over from the first function. */
	REQUIRE(fd_model_new(x.sim.c, x.cache, &x.ctx, &x.m, &err) == FD_OK);
	REQUIRE(fd_model_load_cache(x.m, &err) == FD_OK);
	before = count_detail(x.m);
	CHECK(before >= 6);
	fd_test_sim_control("POST", "stats/reset", "{}", NULL);
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_DETAIL, &err), FD_OK);
	second = (size_t)FD_MAX(0, sim_stat("requests", "lambda:GetFunction"));
	printf("    resumed after %zu of 20 (cursor %s): %zu GetFunction calls\n", before, cursor,
	       second);
	CHECK(second <= 20 - before + 4); /* + loads orphaned in flight, at most 4 */
	CHECK(second >= 20 - before - 4);
	CHECK_INT(count_detail(x.m), 20);
	CHECK_INT(sim_stat("requests", "lambda:ListFunctions"), 0);
	free(cursor);
	sim_fleet_close(&x);
}

TEST(inventory_metrics_incremental)
{
	struct fd_err err = {FD_OK, ""};
	int64_t newest;
	cJSON *reqs;
	const cJSON *last;
	const char *body, *p;
	struct sim_fleet x;

	if (!inv_open(&x, 5))
		return;
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_LIST | FD_REFRESH_METRICS, &err), FD_OK);
	newest = fd_cache_metrics_newest(x.cache, &x.ctx, 60);
	CHECK(newest > 0);
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_METRICS, &err), FD_OK);
	reqs = sim_get("requests?last=1");
	last = cJSON_GetArrayItem(cJSON_GetObjectItem(reqs, "requests"), 0);
	REQUIRE(last != NULL);
	CHECK_STR(entry_str(last, "op"), "GetMetricData");
	body = entry_str(last, "body");
	p = strstr(body, "\"StartTime\":");
	REQUIRE(p != NULL);
	/* Only from the newest stored point on, not the whole hour again. */
	CHECK(strtoll(p + 12, NULL, 10) >= newest - 60);
	cJSON_Delete(reqs);
	sim_fleet_close(&x);
}

/* Metrics are stored a batch of functions at a time: a fetch that fails half-way keeps
 * what it got (summaries included), and the next refresh fetches the whole window. */
TEST(inventory_metrics_partial_kept)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_metric_summary *s = NULL;
	size_t n = 0;
	int64_t now;
	char *covered;
	cJSON *reqs;
	const cJSON *last;
	const char *p;
	struct sim_fleet x;

	if (!inv_open(&x, 500))
		return;
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_LIST, &err), FD_OK);
	sim_faults("{\"service\":\"monitoring\",\"op\":\"GetMetricData\",\"kind\":\"error\","
		   "\"status\":400,\"code\":\"InvalidParameterValue\",\"after\":4}");
	CHECK(fd_model_refresh_sync(x.m, FD_REFRESH_METRICS, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "InvalidParameterValue");
	CHECK_INT(fd_cache_get_summaries(x.cache, &x.ctx, 3600, &s, &n, &err), FD_OK);
	printf("    %zu of 500 functions stored before the failure\n", n);
	CHECK(n >= 4 * 45 && n < 500);
	fd_summaries_free(s, n);
	covered = fd_cache_meta_get(x.cache, &x.ctx, "metrics_from_60");
	CHECK_STR(covered, "0");
	free(covered);

	sim_faults("");
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_METRICS, &err), FD_OK);
	reqs = sim_get("requests?last=1");
	last = cJSON_GetArrayItem(cJSON_GetObjectItem(reqs, "requests"), 0);
	REQUIRE(last != NULL);
	p = strstr(entry_str(last, "body"), "\"StartTime\":");
	REQUIRE(p != NULL);
	now = (int64_t)fd_wall_now();
	CHECK(strtoll(p + 12, NULL, 10) <= now - 3600 + 60); /* the whole hour again */
	CHECK_INT(fd_cache_get_summaries(x.cache, &x.ctx, 3600, &s, &n, &err), FD_OK);
	CHECK_INT(n, 500);
	fd_summaries_free(s, n);
	cJSON_Delete(reqs);
	sim_fleet_close(&x);
}
