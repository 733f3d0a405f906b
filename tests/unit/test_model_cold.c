/* test_model_cold.c - the COLD% column: cold starts per 100 cached invocation records
 * of the model's window, counted by one cache query when the rows are rebuilt; NAN
 * for a function the cache holds no finished record of in the window. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model_int.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/model.h"
#include "fleetdeck/util.h"
#include "test.h"

#define NOW "1796395860" /* 2026-12-04T14:51:00Z */
#define NOW_MS (1796395860LL * 1000)
#define MIN_MS (60LL * 1000)

static const struct fd_ctx cold_ctx = {"default", "123456789012", "us-east-1"};

static void
cold_fn(struct fd_function *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->name = fd_xstrdup(name);
	f->arn = fd_xasprintf("arn:aws:lambda:us-east-1:123456789012:function:%s", name);
	f->runtime = fd_xstrdup("python3.13");
	f->memory_mb = 128;
	f->timeout_s = 30;
	f->reserved_concurrency = -1;
	f->fetched_ms = NOW_MS;
}

/* A finished record ending ago_min minutes before NOW (end_ms 0: still running). */
static void
rec(struct fd_invocation *r, const char *fn, int id, int ago_min, double init_ms,
    double restore_ms, int finished)
{
	fd_invocation_init(r);
	snprintf(r->request_id, sizeof(r->request_id), "req-%s-%d", fn, id);
	fd_strlcpy(r->function, fn, sizeof(r->function));
	r->start_ms = NOW_MS - ago_min * MIN_MS - 100;
	r->end_ms = finished ? r->start_ms + 100 : 0;
	r->status = finished ? FD_INV_SUCCESS : FD_INV_RUNNING;
	r->duration_ms = 100;
	r->init_ms = init_ms;
	r->restore_ms = restore_ms;
}

/* orders: 4 in the hour, one INIT and one RESTORE (50%); billing: 2 warm (0%);
 * payments: one cold record 2 hours ago (in 3h, not in 1h) and one running now;
 * audit: none. */
static size_t
cold_records(struct fd_invocation *r)
{
	size_t n = 0;

	rec(&r[n++], "orders-api", 1, 5, 250, NAN, 1);
	rec(&r[n++], "orders-api", 2, 10, NAN, 40, 1);
	rec(&r[n++], "orders-api", 3, 15, NAN, NAN, 1);
	rec(&r[n++], "orders-api", 4, 20, NAN, NAN, 1);
	rec(&r[n++], "billing-api", 1, 1, NAN, NAN, 1);
	rec(&r[n++], "billing-api", 2, 2, NAN, NAN, 1);
	rec(&r[n++], "payments-worker", 1, 120, 300, NAN, 1);
	rec(&r[n++], "payments-worker", 2, 1, 300, NAN, 0);
	return n;
}

static struct fd_model *
cold_model(struct fd_cache **cache)
{
	const char *names[] = {"Audit-Log", "billing-api", "orders-api", "payments-worker"};
	struct fd_function fns[4];
	struct fd_invocation recs[16];
	struct fd_model *m = NULL;
	struct fd_err err = {FD_OK, ""};
	char path[512];
	size_t i, n;

	setenv("FLEETDECK_NOW", NOW, 1);
	snprintf(path, sizeof(path), "%s/cache.db", fd_test_tmpdir());
	if (fd_cache_open(path, cache, NULL, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "cache open: %s", err.msg);
		return NULL;
	}
	for (i = 0; i < 4; i++)
		cold_fn(&fns[i], names[i]);
	n = cold_records(recs);
	if (fd_cache_put_functions(*cache, &cold_ctx, fns, 4, &err) != FD_OK ||
	    fd_cache_put_invocations(*cache, &cold_ctx, recs, n, 0, &err) != FD_OK ||
	    fd_model_new(NULL, *cache, &cold_ctx, &m, &err) != FD_OK ||
	    fd_model_load_cache(m, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "setup: %s", err.msg);
	for (i = 0; i < 4; i++)
		fd_function_free(&fns[i]);
	for (i = 0; i < n; i++)
		fd_invocation_free(&recs[i]);
	return m;
}

TEST(model_cold_counts_query)
{
	struct fd_cache *c = NULL;
	struct fd_model *m = cold_model(&c);
	struct fd_inv_cold_count *cc = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0;

	REQUIRE(m != NULL);
	REQUIRE(fd_cache_cold_counts(c, &cold_ctx, NOW_MS - 60 * MIN_MS, NOW_MS, &cc, &n, &err) ==
		FD_OK);
	REQUIRE(n == 2); /* payments: its record of the hour is still running */
	CHECK_STR(cc[0].function, "billing-api");
	CHECK(cc[0].invocations == 2 && cc[0].cold_starts == 0);
	CHECK_STR(cc[1].function, "orders-api");
	CHECK(cc[1].invocations == 4 && cc[1].cold_starts == 2);
	free(cc);
	REQUIRE(fd_cache_cold_counts(c, &cold_ctx, 0, 0, &cc, &n, &err) == FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(cc[2].function, "payments-worker");
	CHECK(cc[2].invocations == 1 && cc[2].cold_starts == 1);
	free(cc);
	fd_model_free(m);
	fd_cache_close(c);
}

TEST(model_cold_pct_per_window)
{
	struct fd_cache *c = NULL;
	struct fd_model *m = cold_model(&c);
	const struct fd_fn_row *r;
	char cell[16];

	REQUIRE(m != NULL);
	r = fd_model_row(m, "orders-api");
	REQUIRE(r != NULL);
	CHECK(fabs(r->cold_pct - 50.0) < 1e-9);
	CHECK(fabs(fd_fn_row_num(r, FD_FC_COLD_PCT) - 50.0) < 1e-9);
	fd_fn_row_cell(r, FD_FC_COLD_PCT, cell, sizeof(cell));
	CHECK_STR(cell, "50.0");
	r = fd_model_row(m, "billing-api");
	CHECK(r != NULL && r->cold_pct == 0.0);
	r = fd_model_row(m, "payments-worker");
	CHECK(r != NULL && isnan(r->cold_pct)); /* old record outside, running one not counted */
	r = fd_model_row(m, "Audit-Log");
	REQUIRE(r != NULL);
	CHECK(isnan(r->cold_pct));
	fd_fn_row_cell(r, FD_FC_COLD_PCT, cell, sizeof(cell));
	CHECK_STR(cell, "-");
	fd_model_set_window(m, 10800);
	r = fd_model_row(m, "payments-worker");
	CHECK(r != NULL && fabs(r->cold_pct - 100.0) < 1e-9);
	fd_model_free(m);
	fd_cache_close(c);
}

TEST(model_cold_pct_column_and_sort)
{
	struct fd_cache *c = NULL;
	struct fd_model *m = cold_model(&c);
	struct fd_function_metrics *mets = fd_xcalloc(1, sizeof(*mets));
	const struct fd_fn_row *rows;
	double one = 5;

	REQUIRE(m != NULL);
	CHECK_INT(fd_fn_col_find("cold_start_pct"), FD_FC_COLD_PCT);
	CHECK_INT(fd_fn_col_find("cold%"), FD_FC_COLD_PCT);
	CHECK_INT(fd_fn_col_info(FD_FC_COLD_PCT)->type, 'N');
	fd_model_set_sort(m, FD_FC_COLD_PCT, 1);
	REQUIRE(fd_model_rows(m, &rows) == 4);
	CHECK_STR(rows[0].fn->name, "orders-api");
	CHECK_STR(rows[1].fn->name, "billing-api");
	CHECK(isnan(rows[2].cold_pct) && isnan(rows[3].cold_pct)); /* no data: last */
	/* fresh metrics rebuild the row in place; its COLD% stays */
	mets->function = fd_xstrdup("orders-api");
	mets->s[FD_M_INVOCATIONS].period_s = 60;
	mets->s[FD_M_INVOCATIONS].n = 1;
	mets->s[FD_M_INVOCATIONS].start_s = NOW_MS / 1000 - 120;
	mets->s[FD_M_INVOCATIONS].values = fd_xmalloc(sizeof(double));
	mets->s[FD_M_INVOCATIONS].values[0] = one;
	model_merge_metrics(m, mets, 1, 60);
	free(mets);
	REQUIRE(fd_model_rows(m, &rows) == 4);
	CHECK_STR(rows[0].fn->name, "orders-api");
	CHECK(fabs(rows[0].invocations - 5) < 1e-9);
	CHECK(fabs(rows[0].cold_pct - 50.0) < 1e-9);
	fd_model_free(m);
	fd_cache_close(c);
}
