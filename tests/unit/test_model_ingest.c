/* test_model_ingest.c - the console's COST column against the simulator (skipped
 * without it): turning the column on fetches the last 7 days' IncomingBytes of every
 * function's log group in the background (one GetMetricData call for 12 groups),
 * stores them, and the rows' costs are then what `fleetdeck costs` computes from the
 * cache; the days are fetched once per UTC day and context, also across runs; a
 * failing GetMetricData leaves its error in place and the rows as they were. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/model.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

#define FNS 12
#define DAYS 7
#define DAY_S 86400

static size_t
cached_days(struct sim_fleet *x)
{
	struct fd_log_ingest_day *d = NULL;
	int64_t now = (int64_t)fd_wall_now(), to = now - now % DAY_S;
	size_t n = 0;

	if (fd_cache_get_log_ingest(x->cache, &x->ctx, to - DAYS * DAY_S, to, &d, &n, NULL) !=
	    FD_OK)
		return 0;
	fd_log_ingest_days_free(d, n);
	return n;
}

/* Drives the loop as the console does for ms, or until the cache holds every day. */
static void
drive(struct sim_fleet *x, struct fd_model *m, int ms, int until_days)
{
	int64_t end = fd_now_ms() + ms;

	while (fd_now_ms() < end && !(until_days && cached_days(x) >= FNS * DAYS)) {
		(void)fd_model_take_dirty(m);
		aws_client_wait(x->sim.c, NULL, 0, 20);
	}
	(void)fd_model_take_dirty(m);
}

/* Each row's cost against the table `fleetdeck costs --offline --since 7d` builds. */
static void
check_costs_match(struct sim_fleet *x)
{
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(x->m, &rows), i, j, ingested = 0;
	const struct fd_function **fns = fd_xcalloc(n + 1, sizeof(*fns));
	const struct fd_log_group **groups = fd_xcalloc(n + 1, sizeof(*groups));
	struct fd_log_costs c;

	for (i = 0; i < n; i++) {
		char *g = fd_function_log_group(rows[i].fn);
		fns[i] = rows[i].fn;
		groups[i] = fd_model_log_group(x->m, g);
		free(g);
	}
	fd_log_costs_cached(x->cache, &x->ctx, fns, groups, n, DAYS, &c);
	CHECK_INT(c.n, n);
	for (i = 0; i < c.n; i++) {
		j = c.rows[i].index;
		REQUIRE(j < n);
		ingested += c.rows[i].ingest_usd_month > 0;
		CHECK(!isnan(rows[j].cost_usd_month));
		CHECK(fabs(rows[j].cost_usd_month - c.rows[i].cost_usd_month) < 1e-9);
	}
	CHECK(ingested > 0); /* the simulator's groups took bytes in */
	fd_log_costs_free(&c);
	free(fns);
	free(groups);
}

TEST(model_costs_ingest_in_background_once_a_day)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_model *again = NULL;
	struct sim_fleet x;
	long gmd0, gmd1;
	int64_t t0;

	if (!sim_fleet_open(&x, "{\"functions\":12}",
	                    FD_REFRESH_LIST | FD_REFRESH_METRICS | FD_REFRESH_GROUPS))
		return;
	CHECK_INT(cached_days(&x), 0); /* the refresh alone does not fetch ingestion */
	gmd0 = sim_requests("monitoring:GetMetricData");
	t0 = fd_now_ms();
	fd_model_want_costs(x.m);
	CHECK(fd_now_ms() - t0 < 50); /* started, not waited for */
	drive(&x, x.m, 20000, 1);
	gmd1 = sim_requests("monitoring:GetMetricData");
	CHECK_INT(cached_days(&x), FNS * DAYS);
	CHECK_INT(gmd1 - gmd0, 1); /* 12 queries, 7 points each: one call */
	check_costs_match(&x);

	/* Wanted again, and by a new model on the same cache: no second fetch today. */
	fd_model_want_costs(x.m);
	REQUIRE(fd_model_new(x.sim.c, x.cache, &x.ctx, &again, &err) == FD_OK);
	fd_model_want_costs(again);
	REQUIRE(fd_model_refresh_sync(again, FD_REFRESH_LIST | FD_REFRESH_GROUPS, &err) == FD_OK);
	drive(&x, again, 300, 0);
	CHECK_INT(sim_requests("monitoring:GetMetricData"), gmd1);
	fd_model_free(again);
	sim_fleet_close(&x);
}

TEST(model_costs_ingest_error_in_place)
{
	struct fd_model_status st;
	const struct fd_fn_row *rows;
	struct sim_fleet x;

	if (!sim_fleet_open(&x, "{\"functions\":12}", FD_REFRESH_LIST | FD_REFRESH_GROUPS))
		return;
	sim_faults("{\"service\":\"monitoring\",\"op\":\"GetMetricData\",\"kind\":\"html\","
	           "\"status\":502}");
	fd_model_want_costs(x.m);
	drive(&x, x.m, 3000, 0);
	fd_model_status(x.m, &st);
	CHECK(strstr(st.last_error, "log ingestion") != NULL);
	CHECK_INT(cached_days(&x), 0);
	CHECK_INT(fd_model_rows(x.m, &rows), FNS); /* the rest is still there */
	sim_faults("");
	sim_fleet_close(&x);
}
