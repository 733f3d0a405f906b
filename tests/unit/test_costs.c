/* test_costs.c - log cost: the arithmetic on known data (prices from the defaults, the
 * environment and the command line), the table's joins and order, the log level in
 * use, the IncomingBytes query body, the cache, and against the simulator the daily
 * ingestion per group and the session's own GetMetricData count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/coldstarts.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/model.h"
#include "test.h"
#include "test_aws_sim.h"

#define GIB 1073741824.0
#define DAY 86400
#define T0 1795737600 /* 2026-11-27T00:00:00Z */

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9 * (fabs(b) + 1.0);
}

TEST(cost_prices_and_arithmetic)
{
	struct fd_cost_prices p;

	unsetenv("FLEETDECK_LOG_INGEST_PRICE");
	unsetenv("FLEETDECK_LOG_STORAGE_PRICE");
	fd_cost_prices_default(&p);
	CHECK(near(p.ingest_usd_per_gb, 0.50));
	CHECK(near(p.storage_usd_per_gb_month, 0.03));
	/* 1 GiB a day for 30 days at $0.50 / GB; 10 GiB stored at $0.03 / GB-month */
	CHECK(near(fd_cost_ingest_month(GIB, &p), 15.0));
	CHECK(near(fd_cost_storage_month(10 * GIB, &p), 0.30));
	CHECK(isnan(fd_cost_ingest_month(NAN, &p)));
	setenv("FLEETDECK_LOG_INGEST_PRICE", "0.76", 1);
	setenv("FLEETDECK_LOG_STORAGE_PRICE", "bogus", 1);
	fd_cost_prices_default(&p);
	CHECK(near(p.ingest_usd_per_gb, 0.76));
	CHECK(near(p.storage_usd_per_gb_month, 0.03)); /* unparsable: the default */
	CHECK(near(fd_cost_ingest_month(GIB / 2, &p), 11.4));
	unsetenv("FLEETDECK_LOG_INGEST_PRICE");
	unsetenv("FLEETDECK_LOG_STORAGE_PRICE");
}

static void
set_fn(struct fd_function *f, const char *name, const char *group)
{
	memset(f, 0, sizeof(*f));
	f->name = (char *)name;
	f->log_group = (char *)group;
}

TEST(cost_table_on_known_data)
{
	struct fd_function fns[3];
	const struct fd_function *fp[3] = {&fns[0], &fns[1], &fns[2]};
	struct fd_log_group g0, g1;
	const struct fd_log_group *gp[3] = {&g0, &g1, NULL};
	struct fd_log_ingest_day days[15];
	struct fd_cost_prices p = {0.5, 0.03};
	struct fd_log_costs c;
	int i;

	set_fn(&fns[0], "quiet", NULL);
	set_fn(&fns[1], "loud", "/custom/loud");
	set_fn(&fns[2], "unknown", NULL);
	memset(&g0, 0, sizeof(g0));
	memset(&g1, 0, sizeof(g1));
	g0.stored_bytes = (long long)(10 * GIB);
	g0.retention_days = 0;
	g1.stored_bytes = (long long)GIB;
	g1.retention_days = 30;
	for (i = 0; i < 7; i++) { /* loud: 2 GiB every day of the week */
		days[i].group = (char *)"/custom/loud";
		days[i].day_s = T0 + i * DAY;
		days[i].bytes = 2 * GIB;
	}
	days[7].group = (char *)"/aws/lambda/quiet"; /* one day of 7 MiB */
	days[7].day_s = T0 + 3 * DAY;
	days[7].bytes = 7 * 1048576.0;
	days[8].group = (char *)"/custom/loud"; /* outside the window: ignored */
	days[8].day_s = T0 + 7 * DAY;
	days[8].bytes = 1e15;
	for (i = 9; i < 15; i++) { /* quiet's other days: fetched, nothing ingested */
		days[i].group = (char *)"/aws/lambda/quiet";
		days[i].day_s = T0 + (i - 9 < 3 ? i - 9 : i - 8) * DAY;
		days[i].bytes = 0;
	}
	fd_log_costs_build(fp, gp, 3, days, 15, T0, T0 + 7 * DAY, &p, &c);
	REQUIRE(c.n == 3);
	CHECK(near(c.days, 7.0));
	CHECK_STR(c.rows[0].function, "loud"); /* by total, highest first */
	CHECK_STR(c.rows[0].group, "/custom/loud");
	CHECK(near(c.rows[0].ingest_per_day, 2 * GIB));
	CHECK(near(c.rows[0].ingest_usd_month, 30.0));
	CHECK(near(c.rows[0].storage_usd_month, 0.03));
	CHECK(near(c.rows[0].total_usd_month, 30.03));
	CHECK_INT(c.rows[0].retention_days, 30);
	CHECK_STR(c.rows[1].function, "quiet");
	CHECK_STR(c.rows[1].group, "/aws/lambda/quiet");
	CHECK(near(c.rows[1].ingest_per_day, 1048576.0)); /* 7 MiB over 7 days */
	CHECK(near(c.rows[1].ingest_usd_month, 30.0 * 0.5 / 1024.0));
	CHECK(near(c.rows[1].storage_usd_month, 0.30));
	CHECK_STR(c.rows[2].function, "unknown");
	CHECK(isnan(c.rows[2].ingest_bytes) && isnan(c.rows[2].stored_bytes));
	CHECK_INT(c.rows[2].retention_days, -1);
	CHECK(near(c.rows[2].total_usd_month, 0.0));
	CHECK(near(c.ingest_per_day, 2 * GIB + 1048576.0));
	CHECK(near(c.stored_bytes, 11 * GIB));
	CHECK(near(c.total_usd_month, 30.03 + 30.0 * 0.5 / 1024.0 + 0.30));
	CHECK(isnan(c.init_usd_window) && near(c.cost_usd_month, c.total_usd_month));
	CHECK(c.rows[0].index == 1 && c.rows[1].index == 0 && c.rows[2].index == 2);
	fd_log_costs_free(&c);
}

/* INIT joins by name, scales from the window to 30 days and can reorder the rows. */
TEST(cost_table_with_init)
{
	struct fd_function fns[3];
	const struct fd_function *fp[3] = {&fns[0], &fns[1], &fns[2]};
	struct fd_log_group g;
	const struct fd_log_group *gp[3] = {&g, NULL, NULL};
	struct fd_init_cost init[2];
	struct fd_cost_prices p = {0.5, 0.03};
	struct fd_log_costs c;

	set_fn(&fns[0], "api", NULL);
	set_fn(&fns[1], "batch", NULL);
	set_fn(&fns[2], "idle", NULL);
	memset(&g, 0, sizeof(g));
	g.stored_bytes = (long long)(100 * GIB); /* api: $3.00 a month of storage */
	memset(init, 0, sizeof(init));
	fd_strlcpy(init[0].function, "batch", sizeof(init[0].function));
	init[0].usd = 1.40; /* over 7 days: $6.00 a month */
	fd_strlcpy(init[1].function, "ghost", sizeof(init[1].function)); /* not listed */
	init[1].usd = 99;
	fd_log_costs_build(fp, gp, 3, NULL, 0, T0, T0 + 7 * DAY, &p, &c);
	CHECK_STR(c.rows[0].function, "api");
	fd_log_costs_apply_init(&c, init, 2);
	REQUIRE(c.n == 3);
	CHECK_STR(c.rows[0].function, "batch"); /* by monthly cost with INIT */
	CHECK(near(c.rows[0].init_usd_window, 1.40));
	CHECK(near(c.rows[0].init_usd_month, 6.0));
	CHECK(near(c.rows[0].total_usd_month, 0.0));
	CHECK(near(c.rows[0].cost_usd_month, 6.0));
	CHECK_STR(c.rows[1].function, "api");
	CHECK(isnan(c.rows[1].init_usd_month));
	CHECK(near(c.rows[1].cost_usd_month, 3.0));
	CHECK(near(c.rows[2].cost_usd_month, 0.0));
	CHECK(near(c.init_usd_window, 1.40) && near(c.init_usd_month, 6.0));
	CHECK(near(c.cost_usd_month, 9.0));
	fd_log_costs_free(&c);
}

static void
put_inv(struct fd_cache *c, const struct fd_ctx *ctx, const char *id, const char *fn,
        int64_t ts, double mem, double init_ms, const char *init_type)
{
	struct fd_invocation r;
	struct fd_err err = {FD_OK, ""};

	fd_invocation_init(&r);
	fd_strlcpy(r.request_id, id, sizeof(r.request_id));
	fd_strlcpy(r.function, fn, sizeof(r.function));
	fd_strlcpy(r.version, "$LATEST", sizeof(r.version));
	fd_strlcpy(r.init_type, init_type, sizeof(r.init_type));
	r.status = FD_INV_SUCCESS;
	r.start_ms = ts;
	r.end_ms = ts + 100;
	r.duration_ms = 100;
	r.billed_ms = 100;
	r.memory_mb = mem;
	r.init_ms = init_ms;
	CHECK(fd_cache_put_invocations(c, ctx, &r, 1, 0, &err) == FD_OK);
}

/* The SQL sum of on-demand INIT GB-seconds equals the cold-start table's, at the
 * Lambda price: 2 s at 1024 MB and 0.5 s at 512 MB are 2.25 GB-s. */
TEST(cost_init_from_cached_records)
{
	struct fd_cache *c = NULL;
	struct fd_ctx ctx = {"p", "111122223333", "eu-west-1"};
	struct fd_err err = {FD_OK, ""};
	struct fd_init_cost *ic = NULL;
	struct fd_coldstart_opts o;
	struct fd_coldstarts cs;
	char path[512];
	size_t n = 0;
	int64_t t = (int64_t)T0 * 1000;

	snprintf(path, sizeof(path), "%s/init.db", fd_test_tmpdir());
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	put_inv(c, &ctx, "r1", "fn-a", t + 1000, 1024, 2000, "on-demand");
	put_inv(c, &ctx, "r2", "fn-a", t + 2000, 512, 500, "");
	put_inv(c, &ctx, "r3", "fn-a", t + 3000, 1024, NAN, "");           /* warm */
	put_inv(c, &ctx, "r4", "fn-a", t + 4000, 1024, 900, "provisioned-concurrency");
	put_inv(c, &ctx, "r5", "fn-b", t + 8 * DAY * 1000LL, 1024, 1000, ""); /* outside */
	REQUIRE(fd_init_costs_load(c, &ctx, T0, T0 + 7 * DAY, 0, &ic, &n, &err) == FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(ic[0].function, "fn-a");
	CHECK(near(ic[0].gb_s, 2.25));
	CHECK(near(ic[0].usd, 2.25 * FD_COLDSTART_PRICE_DEFAULT));
	memset(&o, 0, sizeof(o));
	o.from_ms = t;
	o.to_ms = t + 7LL * DAY * 1000;
	REQUIRE(fd_coldstarts_local(c, &ctx, &o, NULL, 0, &cs, &err) == FD_OK);
	{
		double sum = 0;
		size_t i;
		for (i = 0; i < cs.n; i++)
			sum += cs.rows[i].init_cost;
		CHECK(near(sum, ic[0].usd)); /* the same number as the cold-start table */
	}
	fd_coldstarts_free(&cs);
	free(ic);
	fd_cache_close(c);
}

/* Records are kept per account and region with their time; the window picks them. */
TEST(cost_api_spend_records)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {FD_OK, ""};
	struct fd_session_spend sp;
	double a[FD_SPEND_KINDS];
	char path[512];
	int64_t t = (int64_t)T0 * 1000;

	snprintf(path, sizeof(path), "%s/spend.db", fd_test_tmpdir());
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	REQUIRE(fd_cache_put_spend(c, "111", "us-east-1", FD_SPEND_INSIGHTS_BYTES, t, 2 * GIB,
	                           &err) == FD_OK);
	REQUIRE(fd_cache_put_spend(c, "111", "us-east-1", FD_SPEND_INSIGHTS_BYTES, t + 60000,
	                           GIB, &err) == FD_OK);
	REQUIRE(fd_cache_put_spend(c, "111", "us-east-1", FD_SPEND_LIVE_TAIL_S, t + 1000, 90,
	                           &err) == FD_OK);
	REQUIRE(fd_cache_put_spend(c, "111", "us-east-1", FD_SPEND_GMD_METRICS, t, 2500,
	                           &err) == FD_OK);
	REQUIRE(fd_cache_put_spend(c, "111", "eu-west-1", FD_SPEND_LIVE_TAIL_S, t, 600,
	                           &err) == FD_OK); /* another region */
	REQUIRE(fd_cache_put_spend(c, "222", "us-east-1", FD_SPEND_LIVE_TAIL_S, t, 600,
	                           &err) == FD_OK); /* another account */
	CHECK(fd_cache_put_spend(c, "", "us-east-1", FD_SPEND_LIVE_TAIL_S, t, 1, &err) ==
	      FD_EINVAL);
	REQUIRE(fd_cache_sum_spend(c, "111", "us-east-1", t, t + 3600000, a, &err) == FD_OK);
	CHECK(near(a[FD_SPEND_INSIGHTS_BYTES], 3 * GIB));
	CHECK(near(a[FD_SPEND_LIVE_TAIL_S], 90));
	CHECK(near(a[FD_SPEND_GMD_METRICS], 2500));
	fd_spend_price(a, &sp);
	CHECK(sp.gmd_metrics == 2500);
	CHECK(near(sp.gmd_usd, 0.025));
	CHECK(near(sp.insights_usd, 3 * 0.005));
	CHECK(near(sp.livetail_minutes, 1.5));
	CHECK(near(sp.livetail_usd, 0.015));
	CHECK(near(sp.total_usd, 0.025 + 0.015 + 0.015));
	/* a window after the first record */
	REQUIRE(fd_cache_sum_spend(c, "111", "us-east-1", t + 30000, t + 3600000, a, &err) ==
	        FD_OK);
	CHECK(near(a[FD_SPEND_INSIGHTS_BYTES], GIB));
	CHECK(near(a[FD_SPEND_LIVE_TAIL_S], 0) && near(a[FD_SPEND_GMD_METRICS], 0));
	CHECK_STR(fd_spend_kind_name(FD_SPEND_LIVE_TAIL_S), "live_tail_seconds");
	fd_cache_close(c);
}

TEST(cost_log_level_in_use)
{
	struct fd_function f;
	struct fd_env env[3] = {{(char *)"LOG_LEVEL", (char *)"WARN", FD_ENV_PLAIN},
	                        {(char *)"POWERTOOLS_LOG_LEVEL", (char *)"DEBUG", FD_ENV_PLAIN},
	                        {(char *)"X", (char *)"y", FD_ENV_PLAIN}};
	const char *src = "unset";

	memset(&f, 0, sizeof(f));
	CHECK(fd_function_log_level(&f, &src) == NULL);
	CHECK(src == NULL);
	f.env = env;
	f.nenv = 1;
	CHECK_STR(fd_function_log_level(&f, &src), "WARN");
	CHECK_STR(src, "LOG_LEVEL");
	f.nenv = 3;
	CHECK_STR(fd_function_log_level(&f, &src), "DEBUG");
	CHECK_STR(src, "POWERTOOLS_LOG_LEVEL");
	f.app_log_level = (char *)"INFO";
	CHECK_STR(fd_function_log_level(&f, &src), "INFO");
	CHECK_STR(src, "logging config");
	CHECK(fd_log_level_is_debug("debug") && fd_log_level_is_debug("TRACE"));
	CHECK(!fd_log_level_is_debug("INFO") && !fd_log_level_is_debug(NULL));
}

TEST(cost_ingest_request_body)
{
	const char *groups[] = {"/aws/lambda/a", "/odd\"name\\"};
	char *body = fd_log_ingest_request(groups, 2, 0, 2, T0, T0 + DAY, "tok");

	REQUIRE(body != NULL);
	CHECK_STR(
	    body,
	    "{\"MetricDataQueries\":[{\"Id\":\"m0_0\",\"MetricStat\":{\"Metric\":{\"Namespace\""
	    ":\"AWS/Logs\",\"MetricName\":\"IncomingBytes\",\"Dimensions\":[{\"Name\":"
	    "\"LogGroupName\",\"Value\":\"/aws/lambda/a\"}]},\"Period\":86400,\"Stat\":\"Sum\"},"
	    "\"ReturnData\":true},{\"Id\":\"m1_0\",\"MetricStat\":{\"Metric\":{\"Namespace\":"
	    "\"AWS/Logs\",\"MetricName\":\"IncomingBytes\",\"Dimensions\":[{\"Name\":"
	    "\"LogGroupName\",\"Value\":\"/odd\\\"name\\\\\"}]},\"Period\":86400,\"Stat\":"
	    "\"Sum\"},\"ReturnData\":true}],\"StartTime\":1795737600,\"EndTime\":1795824000,"
	    "\"ScanBy\":\"TimestampAscending\",\"NextToken\":\"tok\"}");
	free(body);
	CHECK(fd_log_ingest_request(groups, 2, 2, 1, T0, T0 + DAY, NULL) == NULL);
	CHECK(fd_log_ingest_request(groups, 2, 0, 1, T0, T0, NULL) == NULL);
}

TEST(cost_ingest_cache_roundtrip)
{
	struct fd_cache *c = NULL;
	struct fd_ctx ctx = {"p", "111122223333", "eu-west-1"};
	struct fd_log_ingest_day in[3] = {{(char *)"/g/a", T0, 5.5},
	                                  {(char *)"/g/a", T0 + DAY, 6.0},
	                                  {(char *)"/g/b", T0 + 9 * DAY, 1.0}};
	struct fd_log_ingest_day *out = NULL;
	struct fd_err err = {FD_OK, ""};
	char path[512];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/c.db", fd_test_tmpdir());
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	REQUIRE(fd_cache_put_log_ingest(c, &ctx, in, 3, &err) == FD_OK);
	in[1].bytes = 7.0; /* a later answer for the same day replaces it */
	REQUIRE(fd_cache_put_log_ingest(c, &ctx, in + 1, 1, &err) == FD_OK);
	REQUIRE(fd_cache_get_log_ingest(c, &ctx, T0, T0 + 7 * DAY, &out, &n, &err) == FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(out[0].group, "/g/a");
	CHECK(near(out[0].bytes, 5.5));
	CHECK(near(out[1].bytes, 7.0));
	fd_log_ingest_days_free(out, n);
	fd_cache_close(c);
}

/* A cache that holds only some of the window's days (the console reads what `costs`
 * stored) gives the rate over those days, not diluted by the days never fetched. */
TEST(cost_rate_over_known_days)
{
	struct fd_function fn;
	const struct fd_function *fp[1] = {&fn};
	struct fd_log_ingest_day days[2] = {{(char *)"/aws/lambda/part", T0 + 5 * DAY, 3 * GIB},
	                                    {(char *)"/aws/lambda/part", T0 + 6 * DAY, GIB}};
	struct fd_cost_prices p = {0.5, 0.03};
	struct fd_log_costs c;

	set_fn(&fn, "part", NULL);
	fd_log_costs_build(fp, NULL, 1, days, 2, T0, T0 + 7 * DAY, &p, &c);
	REQUIRE(c.n == 1);
	CHECK(near(c.rows[0].ingest_per_day, 2 * GIB));
	CHECK(near(c.rows[0].ingest_usd_month, 30.0));
	fd_log_costs_free(&c);
}

TEST(cost_sim_daily_ingestion_and_session_spend)
{
	struct sim sim;
	struct fd_log_ingest_day *days = NULL;
	struct aws_error e;
	struct fd_session_spend sp;
	const char *groups[] = {"/aws/lambda/orders-api", "/aws/lambda-custom/report-generator",
	                        "/aws/lambda/no-such-group"};
	uint64_t before = fd_log_ingest_metrics_requested();
	double per_group[3] = {0, 0, 0};
	int64_t now, to, from;
	const cJSON *last;
	cJSON *req;
	size_t n = 0, i, g;

	fd_test_sim_url();
	REQUIRE(fd_test_sim_control("POST", "reset", "{\"functions\":5}", NULL) == 200);
	REQUIRE(sim_open(&sim, NULL, NULL));
	now = (int64_t)fd_wall_now();
	to = now - now % DAY;
	from = to - 3 * DAY;
	REQUIRE(fd_log_ingest_fetch_sync(sim.c, groups, 3, from, to, &days, &n, &e) == FD_OK);
	CHECK_INT(n, 3 * 3); /* every day of every group: days without data are 0 */
	for (i = 0; i < n; i++) {
		CHECK(days[i].day_s >= from && days[i].day_s < to && days[i].day_s % DAY == 0);
		CHECK(days[i].bytes >= 0);
		for (g = 0; g < 3; g++)
			if (strcmp(days[i].group, groups[g]) == 0)
				per_group[g] += days[i].bytes;
	}
	CHECK(per_group[0] > 10 * per_group[1]); /* the busy function talks most */
	CHECK(per_group[1] > 0);
	CHECK(per_group[2] == 0);
	CHECK_INT(fd_log_ingest_metrics_requested() - before, 3);
	fd_session_spend(&sp);
	CHECK(sp.gmd_metrics >= 3);
	CHECK(near(sp.gmd_usd, (double)sp.gmd_metrics * 0.01 / 1000.0));
	CHECK(sp.insights_bytes >= 0 && sp.livetail_minutes >= 0);
	req = sim_get("requests?last=1");
	last = cJSON_GetArrayItem(cJSON_GetObjectItem(req, "requests"), 0);
	REQUIRE(last != NULL);
	CHECK_CONTAINS(entry_str(last, "body"), "\"Namespace\":\"AWS/Logs\"");
	CHECK_CONTAINS(entry_str(last, "body"), "\"Period\":86400");
	CHECK_STR(entry_str(last, "op"), "GetMetricData");
	cJSON_Delete(req);
	fd_log_ingest_days_free(days, n);
	sim_close(&sim);
}

/* The model's COST column: ingestion cached for the last 7 whole days plus INIT of
 * the cached records, per month, as `costs` computes it; "-" when nothing is known. */
TEST(cost_model_column)
{
	struct fd_ctx ctx = {"p", "444455556666", "us-east-1"};
	const char *names[] = {"busy", "cold", "quiet"};
	struct fd_function fns[3];
	struct fd_log_ingest_day days[7];
	struct fd_cache *c = NULL;
	struct fd_model *m = NULL;
	struct fd_err err = {FD_OK, ""};
	const struct fd_fn_row *r;
	int64_t today = T0 + 10 * DAY;
	char path[512], cell[32];
	int i;

	setenv("FLEETDECK_NOW", "1796644800", 1); /* T0 + 10 days + 12 h */
	snprintf(path, sizeof(path), "%s/model-cost.db", fd_test_tmpdir());
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	memset(fns, 0, sizeof(fns));
	for (i = 0; i < 3; i++) {
		fns[i].name = (char *)names[i];
		fns[i].memory_mb = 1024;
	}
	for (i = 0; i < 7; i++) { /* 1 GiB a day: $15 a month */
		days[i].group = (char *)"/aws/lambda/busy";
		days[i].day_s = today - (i + 1) * DAY;
		days[i].bytes = GIB;
	}
	REQUIRE(fd_cache_put_functions(c, &ctx, fns, 3, &err) == FD_OK);
	REQUIRE(fd_cache_put_log_ingest(c, &ctx, days, 7, &err) == FD_OK);
	/* 7,000 s of INIT at 1 GB in the week: 7,000 GB-s, x 30 / 7 a month */
	put_inv(c, &ctx, "c1", "cold", (today - 2 * DAY) * 1000, 1024, 7000000, "on-demand");
	REQUIRE(fd_model_new(NULL, c, &ctx, &m, &err) == FD_OK);
	REQUIRE(fd_model_load_cache(m, &err) == FD_OK);
	r = fd_model_row(m, "busy");
	REQUIRE(r != NULL);
	CHECK(near(fd_fn_row_num(r, FD_FC_COST), 15.0));
	fd_fn_row_cell(r, FD_FC_COST, cell, sizeof(cell));
	CHECK_STR(cell, "$15.00");
	r = fd_model_row(m, "cold");
	REQUIRE(r != NULL);
	CHECK(near(r->cost_usd_month, 7000 * FD_COLDSTART_PRICE_DEFAULT * 30 / 7));
	r = fd_model_row(m, "quiet");
	REQUIRE(r != NULL);
	CHECK(isnan(r->cost_usd_month));
	fd_fn_row_cell(r, FD_FC_COST, cell, sizeof(cell));
	CHECK_STR(cell, "-");
	CHECK_INT(fd_fn_col_find("cost"), FD_FC_COST);
	fd_model_set_sort(m, FD_FC_COST, 1);
	{
		const struct fd_fn_row *rows;
		size_t n = fd_model_rows(m, &rows);
		REQUIRE(n == 3);
		CHECK_STR(rows[0].fn->name, "busy");
		CHECK_STR(rows[1].fn->name, "cold");
		CHECK_STR(rows[2].fn->name, "quiet"); /* unknown sorts last */
	}
	fd_model_free(m);
	fd_cache_close(c);
	unsetenv("FLEETDECK_NOW");
}
