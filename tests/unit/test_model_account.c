/* test_model_account.c - the dashboard's account line against the simulator (skipped
 * without it): GetAccountSettings and the account concurrency peak arrive in the
 * background without holding the listing up, are cached with their fetch time for an
 * offline start, and a failing GetAccountSettings leaves its error on the account
 * line while the rest of the refresh completes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/lambda.h"
#include "fleetdeck/model.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

struct acct {
	struct sim sim;
	struct fd_cache *cache;
	struct fd_model *m;
	struct fd_ctx ctx;
};

static int
acct_open(struct acct *x)
{
	struct fd_err err = {FD_OK, ""};
	char path[512];

	memset(x, 0, sizeof(*x));
	fd_test_sim_url();
	if (fd_test_sim_control("POST", "reset", "{\"functions\":12}", NULL) != 200)
		return 0;
	if (!sim_open(&x->sim, NULL, NULL))
		return 0;
	snprintf(path, sizeof(path), "%s/acct-cache.db", fd_test_tmpdir());
	remove(path);
	fd_strlcpy(x->ctx.profile, "default", sizeof(x->ctx.profile));
	fd_strlcpy(x->ctx.account, "123456789012", sizeof(x->ctx.account));
	fd_strlcpy(x->ctx.region, "us-east-1", sizeof(x->ctx.region));
	if (fd_cache_open(path, &x->cache, NULL, &err) != FD_OK ||
	    fd_model_new(x->sim.c, x->cache, &x->ctx, &x->m, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "setup: %s", err.msg);
		return 0;
	}
	fd_model_enable_account_used(x->m);
	return 1;
}

static void
acct_close(struct acct *x)
{
	fd_model_free(x->m);
	fd_cache_close(x->cache);
	sim_close(&x->sim);
}

/* Drives the loop as the console does until cond holds or seconds pass. */
static int
drive_until(struct acct *x, int (*cond)(struct fd_model *), int seconds)
{
	int64_t end = fd_now_ms() + seconds * 1000LL;

	while (!cond(x->m) && fd_now_ms() < end) {
		(void)fd_model_take_dirty(x->m);
		aws_client_wait(x->sim.c, NULL, 0, 50);
	}
	return cond(x->m);
}

static int
listed(struct fd_model *m)
{
	const struct fd_fn_row *rows;

	return fd_model_rows(m, &rows) == 12;
}

static int
account_known(struct fd_model *m)
{
	struct fd_totals t;

	fd_model_totals(m, &t);
	return t.concurrency_limit >= 0 && !isnan(t.account_concurrency_max);
}

static int
settled(struct fd_model *m)
{
	struct fd_model_status st;

	fd_model_status(m, &st);
	return !st.refreshing && account_known(m);
}

/* The simulator's own answers, read directly. */
static void
sim_account(struct acct *x, long long *limit, long long *unreserved, double *peak)
{
	struct lambda_account a;
	struct cw_account_metrics met;
	struct cw_window w;
	struct aws_error e;
	int64_t now = (int64_t)fd_wall_now();
	size_t i;

	memset(&met, 0, sizeof(met));
	REQUIRE(lambda_account_settings_sync(x->sim.c, &a, &e) == FD_OK);
	*limit = a.concurrent_limit;
	*unreserved = a.unreserved_limit;
	w.period_s = 60;
	w.end_s = now - now % 60 + 60;
	w.start_s = now - 3600 - (now - 3600) % 60;
	REQUIRE(cw_fetch_account_sync(x->sim.c, &w, &met, &e) == FD_OK);
	*peak = 0;
	for (i = 0; i < met.concurrent.n; i++)
		if (!isnan(met.concurrent.values[i]) && met.concurrent.values[i] > *peak)
			*peak = met.concurrent.values[i];
	cw_account_metrics_free(&met);
}

TEST(model_account_async_and_cached)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_model *off = NULL;
	struct fd_totals t;
	long long limit = -2, unreserved = -2;
	double peak = NAN;
	int64_t t0, took;
	struct acct x;

	if (!acct_open(&x))
		return;
	sim_faults("{\"service\":\"lambda\",\"op\":\"GetAccountSettings\",\"kind\":\"latency\","
		   "\"latency_ms\":1500}");
	t0 = fd_now_ms();
	fd_model_refresh(x.m, FD_REFRESH_LIST | FD_REFRESH_METRICS);
	took = fd_now_ms() - t0;
	CHECK(took < 200); /* nothing waited for the network */
	fd_model_totals(x.m, &t);
	CHECK(t.concurrency_limit < 0);
	/* The listing is not held up by the slow GetAccountSettings. */
	REQUIRE(drive_until(&x, listed, 10));
	fd_model_totals(x.m, &t);
	CHECK(t.concurrency_limit < 0);
	REQUIRE(drive_until(&x, account_known, 15));
	sim_faults("");
	sim_account(&x, &limit, &unreserved, &peak);
	fd_model_totals(x.m, &t);
	printf("    limit %lld, unreserved %lld, peak %.0f (simulator peak %.0f)\n",
	       t.concurrency_limit, t.unreserved_limit, t.account_concurrency_max, peak);
	CHECK_INT(t.concurrency_limit, limit);
	CHECK_INT(t.unreserved_limit, unreserved);
	CHECK(t.account_concurrency_max >= 1);
	CHECK(fabs(t.account_concurrency_max - peak) < 0.5);
	CHECK(t.account_fetched_ms >= t0 && t.account_used_ms >= t0);
	CHECK_STR(t.account_error, "");
	(void)drive_until(&x, settled, 15);

	/* An offline start shows the same values with their fetch time. */
	REQUIRE(fd_model_new(NULL, x.cache, &x.ctx, &off, &err) == FD_OK);
	REQUIRE(fd_model_load_cache(off, &err) == FD_OK);
	fd_model_totals(off, &t);
	CHECK_INT(t.concurrency_limit, limit);
	CHECK_INT(t.unreserved_limit, unreserved);
	CHECK(fabs(t.account_concurrency_max - peak) < 0.5);
	CHECK(t.account_fetched_ms >= t0 && t.account_fetched_ms <= fd_wall_now_ms());
	CHECK(t.account_used_ms >= t0);
	/* The peak belongs to its window: another window has none stored. */
	fd_model_set_window(off, 10800);
	fd_model_totals(off, &t);
	CHECK(isnan(t.account_concurrency_max));
	CHECK_INT(t.concurrency_limit, limit);
	fd_model_free(off);

	/* Online, a window switch fetches that window's peak. */
	fd_model_set_window(x.m, 900);
	fd_model_totals(x.m, &t);
	CHECK(isnan(t.account_concurrency_max));
	fd_model_refresh(x.m, FD_REFRESH_METRICS);
	CHECK(drive_until(&x, account_known, 15));
	fd_model_totals(x.m, &t);
	CHECK(t.account_concurrency_max >= 1);
	acct_close(&x);
}

TEST(model_account_error_in_place)
{
	struct fd_err err = {FD_OK, ""};
	const struct fd_fn_row *rows;
	struct fd_totals t;
	long long limit;
	struct acct x;

	if (!acct_open(&x))
		return;
	REQUIRE(fd_model_refresh_sync(x.m, FD_REFRESH_LIST, &err) == FD_OK);
	fd_model_totals(x.m, &t);
	limit = t.concurrency_limit;
	CHECK(limit >= 1000);

	sim_faults("{\"service\":\"lambda\",\"op\":\"GetAccountSettings\",\"kind\":\"error\","
		   "\"status\":403,\"code\":\"AccessDeniedException\"}");
	/* The rest of the refresh completes; the limits keep their last known values. */
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_LIST | FD_REFRESH_METRICS, &err), FD_OK);
	CHECK_INT(fd_model_rows(x.m, &rows), 12);
	CHECK(!isnan(rows[0].invocations) || !isnan(rows[1].invocations));
	fd_model_totals(x.m, &t);
	CHECK_CONTAINS(t.account_error, "GetAccountSettings");
	CHECK_CONTAINS(t.account_error, "AccessDeniedException");
	CHECK_INT(t.concurrency_limit, limit);
	CHECK(!isnan(t.account_concurrency_max)); /* the metric still arrived */

	/* The next good answer clears the error. */
	sim_faults("");
	CHECK_INT(fd_model_refresh_sync(x.m, FD_REFRESH_LIST, &err), FD_OK);
	fd_model_totals(x.m, &t);
	CHECK_STR(t.account_error, "");
	acct_close(&x);
}
