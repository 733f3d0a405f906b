/* test_metrics_store.c - packed metric series and window summaries in the cache:
 * exact round trips, merging, the kept span, summaries rewritten on every write,
 * one function's series, pruning, and a file upgraded from point rows. */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../../cache/schema.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/util.h"
#include "test.h"

#define NOW "1796395860" /* 2026-12-04T14:51:00Z, on a minute */
#define NOW_S 1796395860LL

static struct fd_ctx
test_ctx(void)
{
	struct fd_ctx c;

	memset(&c, 0, sizeof(c));
	fd_strlcpy(c.profile, "default", sizeof(c.profile));
	fd_strlcpy(c.account, "123456789012", sizeof(c.account));
	fd_strlcpy(c.region, "us-east-1", sizeof(c.region));
	return c;
}

static char *
db_path(void)
{
	return fd_xasprintf("%s/cache.db", fd_test_tmpdir());
}

static struct fd_cache *
open_at(const char *path)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {0};

	setenv("FLEETDECK_NOW", NOW, 1);
	if (fd_cache_open(path, &c, NULL, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "open %s: %s", path, err.msg);
	return c;
}

static void
set_series(struct fd_series *s, int64_t start, int period, const double *v, size_t n)
{
	s->start_s = start;
	s->period_s = period;
	s->n = n;
	s->values = fd_xreallocarray(NULL, n, sizeof(double));
	memcpy(s->values, v, n * sizeof(double));
}

static int
same_value(double a, double b)
{
	return isnan(a) ? isnan(b) : a == b && signbit(a) == signbit(b);
}

static void
check_series(const struct fd_series *s, int64_t start, const double *want, size_t n, int line)
{
	size_t i;

	if (s->start_s != start || s->n != n) {
		fd_test_fail(__FILE__, line, "series at %lld with %zu points, expected %lld, %zu",
			     (long long)s->start_s, s->n, (long long)start, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (!same_value(s->values[i], want[i]))
			fd_test_fail(__FILE__, line, "point %zu is %.17g, expected %.17g", i,
				     s->values[i], want[i]);
}

TEST(metrics_packed_values_exact)
{
	static const double v[] = {0, 1, NAN, -1, 127, 128, -129, 9007199254740991.0,
				   9007199254740992.0, -9007199254740993.0, 0.1, 250.5, -2.5e-7,
				   1e300, NAN, 3.25, 16777217, -0.5};
	char *path = db_path();
	struct fd_cache *c = open_at(path);
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics in = {0}, out = {0};
	struct fd_err err = {0};
	int64_t start = NOW_S - 60 * (int64_t)FD_ARRAY_LEN(v);

	REQUIRE(c != NULL);
	in.function = fd_xstrdup("orders");
	in.fetched_ms = 7;
	set_series(&in.s[FD_M_DURATION_P99], start, 60, v, FD_ARRAY_LEN(v));
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "orders", 60, 0, &out, &err), FD_OK);
	CHECK_STR(out.function, "orders");
	CHECK_INT(out.fetched_ms, 7);
	check_series(&out.s[FD_M_DURATION_P99], start, v, FD_ARRAY_LEN(v), __LINE__);
	CHECK_INT(out.s[FD_M_INVOCATIONS].n, 0);
	fd_function_metrics_free(&out);
	/* gaps at the ends are not stored; from_s starts at the first point after it */
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "orders", 60, start + 1, &out, &err),
		  FD_OK);
	check_series(&out.s[FD_M_DURATION_P99], start + 60, v + 1, FD_ARRAY_LEN(v) - 1,
		     __LINE__);
	fd_function_metrics_free(&out);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "nobody", 60, 0, &out, &err), FD_OK);
	CHECK_STR(out.function, "nobody");
	CHECK_INT(out.s[FD_M_DURATION_P99].n, 0);
	fd_function_metrics_free(&out);
	/* a few bytes a point, not a row each */
	CHECK(fd_test_sql_int(path, "SELECT length(vals) FROM metric_packed") < 8 * 18 + 32);
	CHECK_INT(fd_test_sql_int(path, "SELECT count(*) FROM metric_packed"), 1);
	fd_function_metrics_free(&in);
	fd_cache_close(c);
	free(path);
}

TEST(metrics_keeps_newest_span)
{
	char *path = db_path();
	struct fd_cache *c = open_at(path);
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics in = {0}, out = {0};
	struct fd_err err = {0};
	double v[300];
	size_t i;

	REQUIRE(c != NULL);
	for (i = 0; i < 300; i++)
		v[i] = (double)i;
	/* five hours of minutes: the newest three (and two spare) are kept */
	in.function = fd_xstrdup("busy");
	set_series(&in.s[FD_M_INVOCATIONS], NOW_S - 300 * 60, 60, v, 300);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "busy", 60, 0, &out, &err), FD_OK);
	check_series(&out.s[FD_M_INVOCATIONS], NOW_S - 182 * 60, v + 118, 182, __LINE__);
	fd_function_metrics_free(&out);
	fd_function_metrics_free(&in);
	/* a point a day later leaves nothing of the old span */
	in.function = fd_xstrdup("busy");
	set_series(&in.s[FD_M_INVOCATIONS], NOW_S + 86400, 60, (double[]){5}, 1);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "busy", 60, 0, &out, &err), FD_OK);
	check_series(&out.s[FD_M_INVOCATIONS], NOW_S + 86400, (double[]){5}, 1, __LINE__);
	CHECK_INT(fd_cache_metrics_newest(c, &ctx, 60), NOW_S + 86400);
	fd_function_metrics_free(&out);
	fd_function_metrics_free(&in);
	/* 5-minute points keep a day */
	in.function = fd_xstrdup("busy");
	set_series(&in.s[FD_M_INVOCATIONS], NOW_S - 300 * 300, 300, v, 300);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "busy", 300, 0, &out, &err), FD_OK);
	CHECK_INT(out.s[FD_M_INVOCATIONS].n, 290);
	fd_function_metrics_free(&out);
	fd_function_metrics_free(&in);
	fd_cache_close(c);
	free(path);
}

static const struct fd_metric_summary *
find_summary(const struct fd_metric_summary *s, size_t n, const char *fn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd_str_eq(s[i].function, fn))
			return &s[i];
	return NULL;
}

/* An hour of minutes ending at NOW: invocations 10 a minute, the last 15 minutes 30;
 * p99 100 then 400; errors only in the first minute. */
static void
busy_hour(struct fd_function_metrics *m, const char *name)
{
	double inv[60], p99[60], err[60];
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 60; i++) {
		inv[i] = i < 45 ? 10 : 30;
		p99[i] = i < 45 ? 100 : 400;
		err[i] = i == 0 ? 3 : NAN;
	}
	m->function = fd_xstrdup(name);
	m->fetched_ms = NOW_S * 1000;
	set_series(&m->s[FD_M_INVOCATIONS], NOW_S - 3600, 60, inv, 60);
	set_series(&m->s[FD_M_DURATION_P99], NOW_S - 3600, 60, p99, 60);
	set_series(&m->s[FD_M_ERRORS], NOW_S - 3600, 60, err, 60);
}

TEST(metrics_summaries_written_with_series)
{
	char *path = db_path();
	struct fd_cache *c = open_at(path);
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics in[2];
	struct fd_metric_summary *s = NULL, one;
	const struct fd_metric_summary *b;
	struct fd_err err = {0};
	size_t n = 0, i;
	double total = 0;

	REQUIRE(c != NULL);
	busy_hour(&in[0], "zeta");
	busy_hour(&in[1], "alpha");
	CHECK_INT(fd_cache_put_metrics(c, &ctx, in, 2, &err), FD_OK);
	CHECK_INT(fd_cache_get_summaries(c, &ctx, 3600, &s, &n, &err), FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(s[0].function, "alpha"); /* sorted by name */
	b = find_summary(s, n, "zeta");
	REQUIRE(b != NULL);
	CHECK_INT(b->window_s, 3600);
	CHECK_INT(b->asof_s, NOW_S);
	CHECK(b->fetched_ms == NOW_S * 1000);
	CHECK(b->val[FD_M_INVOCATIONS] == 45 * 10 + 15 * 30);
	CHECK(b->val[FD_M_ERRORS] == 3);
	CHECK(b->peak[FD_M_INVOCATIONS] == 30);
	/* weighted by invocations: (450 x 100 + 450 x 400) / 900 */
	CHECK(fabs(b->val[FD_M_DURATION_P99] - 250.0) < 1e-9);
	CHECK(b->peak[FD_M_DURATION_P99] == 400);
	CHECK(isnan(b->val[FD_M_THROTTLES]) && isnan(b->peak[FD_M_CONCURRENCY]));
	for (i = 0; i < FD_SUMMARY_SPARK; i++)
		total += isnan(b->spark[i]) ? 0 : b->spark[i];
	CHECK(total == 900);
	CHECK(b->spark[0] == 30);                   /* 150 s buckets: minutes 0, 1 and 2 */
	CHECK(b->spark[FD_SUMMARY_SPARK - 1] == 60); /* minutes 58 and 59 */
	fd_summaries_free(s, n);
	/* the 15-minute window from the same series */
	CHECK_INT(fd_cache_get_summary(c, &ctx, 900, "zeta", &one, &err), FD_OK);
	CHECK(one.val[FD_M_INVOCATIONS] == 15 * 30);
	CHECK(isnan(one.val[FD_M_ERRORS]));
	CHECK(one.val[FD_M_DURATION_P99] == 400);
	free(one.function);
	/* 1-minute series feed 15m, 1h and 3h; the day needs 5-minute ones */
	CHECK_INT(fd_cache_get_summary(c, &ctx, 86400, "zeta", &one, &err), FD_ENOTFOUND);
	CHECK_INT(fd_cache_get_summary(c, &ctx, 3600, "nobody", &one, &err), FD_ENOTFOUND);
	CHECK_INT(fd_test_sql_int(path, "SELECT count(*) FROM metric_summaries"), 6);
	for (i = 0; i < 2; i++)
		fd_function_metrics_free(&in[i]);
	fd_cache_close(c);
	free(path);
}

TEST(metrics_summaries_follow_merges)
{
	char *path = db_path();
	struct fd_cache *c = open_at(path);
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics in;
	struct fd_metric_summary s;
	struct fd_err err = {0};

	REQUIRE(c != NULL);
	busy_hour(&in, "orders");
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	fd_function_metrics_free(&in);
	/* an incremental fetch: the last two minutes again (one re-counted), invocations
	 * only; the other metrics keep what is stored */
	memset(&in, 0, sizeof(in));
	in.function = fd_xstrdup("orders");
	in.fetched_ms = NOW_S * 1000 + 5;
	set_series(&in.s[FD_M_INVOCATIONS], NOW_S - 120, 60, (double[]){30, 90}, 2);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_summary(c, &ctx, 3600, "orders", &s, &err), FD_OK);
	CHECK(s.val[FD_M_INVOCATIONS] == 45 * 10 + 14 * 30 + 90);
	CHECK(s.peak[FD_M_INVOCATIONS] == 90);
	CHECK(s.val[FD_M_ERRORS] == 3);
	CHECK(s.fetched_ms == NOW_S * 1000 + 5);
	free(s.function);
	fd_function_metrics_free(&in);
	fd_cache_close(c);
	free(path);
}

TEST(metrics_prune_trims_series_and_summaries)
{
	char *path = db_path();
	struct fd_cache *c = open_at(path);
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics in[2], out = {0};
	struct fd_metric_summary *s = NULL;
	struct fd_err err = {0};
	size_t n = 0;

	REQUIRE(c != NULL);
	busy_hour(&in[0], "kept");
	memset(&in[1], 0, sizeof(in[1]));
	in[1].function = fd_xstrdup("old");
	set_series(&in[1].s[FD_M_INVOCATIONS], NOW_S - 7200, 60, (double[]){1, 2}, 2);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, in, 2, &err), FD_OK);
	CHECK_INT(fd_cache_prune(c, NOW_S, 1800, &err), FD_OK);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "kept", 60, 0, &out, &err), FD_OK);
	CHECK_INT(out.s[FD_M_INVOCATIONS].start_s, NOW_S - 1800);
	CHECK_INT(out.s[FD_M_INVOCATIONS].n, 30);
	CHECK_INT(out.s[FD_M_ERRORS].n, 0); /* its one point was older */
	fd_function_metrics_free(&out);
	CHECK_INT(fd_cache_get_summaries(c, &ctx, 3600, &s, &n, &err), FD_OK);
	REQUIRE(n == 1); /* "old" has no series left, so no summary either */
	CHECK_STR(s[0].function, "kept");
	fd_summaries_free(s, n);
	fd_function_metrics_free(&in[0]);
	fd_function_metrics_free(&in[1]);
	fd_cache_close(c);
	free(path);
}

static int
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fd_test_fail(__FILE__, __LINE__, "sql: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

/* The schema version that packed the series: the first whose SQL makes the summaries. */
static int
packing_version(void)
{
	struct fd_buf sql;
	int v, found = 0;

	fd_buf_init(&sql);
	for (v = 1; !found && v <= cache_schema_latest(); v++) {
		fd_buf_reset(&sql);
		cache_migration_sql(v, &sql);
		if (sql.data && strstr(sql.data, "\"metric_summaries\""))
			found = v;
	}
	fd_buf_free(&sql);
	return found;
}

/* A file of the version before: one series per point row, as fleetdeck wrote them. */
static void
write_point_rows_file(const char *path, int version)
{
	struct fd_buf sql;
	sqlite3 *db = NULL;
	int v, i;

	fd_buf_init(&sql);
	fd_buf_puts(&sql, "PRAGMA foreign_keys = ON;");
	for (v = 1; v < version; v++)
		cache_migration_sql(v, &sql);
	fd_buf_puts(&sql,
		    "INSERT INTO contexts VALUES (1, 'default', '123456789012', 'us-east-1');"
		    "INSERT INTO metric_series VALUES (1, 1, 'legacy', 'Invocations:Sum', 60, 9);"
		    "INSERT INTO metric_series VALUES (2, 1, 'legacy', 'Duration:p99', 60, 9);"
		    "INSERT INTO metric_series VALUES (3, 1, 'empty', 'Errors:Sum', 60, 9);");
	for (i = 0; i < 10; i++)
		if (i != 4)
			fd_buf_printf(&sql, "INSERT INTO metric_points VALUES (1, %lld, %d);",
				      NOW_S - 600 + i * 60LL, i * 10);
	fd_buf_printf(&sql,
		      "INSERT INTO metric_points VALUES (2, %lld, 0.1);"
		      "INSERT INTO metric_points VALUES (2, %lld, 250.5);"
		      "PRAGMA user_version = %d;",
		      NOW_S - 600, NOW_S - 60, version - 1);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	exec(db, sql.data);
	sqlite3_close(db);
	fd_buf_free(&sql);
}

TEST(metrics_point_rows_migrated)
{
	char *path = db_path();
	struct fd_ctx ctx = test_ctx();
	struct fd_function_metrics out = {0};
	struct fd_metric_summary *s = NULL;
	struct fd_cache *c;
	struct fd_err err = {0};
	double want[10], p99[10];
	int version = packing_version(), i;
	size_t n = 0;

	REQUIRE(version > 1);
	write_point_rows_file(path, version);
	c = open_at(path);
	REQUIRE(c != NULL);
	CHECK_INT(fd_cache_schema_version(c), cache_schema_latest());
	CHECK_INT(fd_test_sql_int(path, "SELECT count(*) FROM metric_points"), 0);
	CHECK_INT(fd_test_sql_int(path, "SELECT count(*) FROM metric_series"), 0);
	/* "empty" had none */
	CHECK_INT(fd_test_sql_int(path, "SELECT count(*) FROM metric_packed"), 1);
	for (i = 0; i < 10; i++) {
		want[i] = i == 4 ? NAN : (double)(i * 10);
		p99[i] = i == 0 ? 0.1 : (i == 9 ? 250.5 : NAN);
	}
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "legacy", 60, 0, &out, &err), FD_OK);
	check_series(&out.s[FD_M_INVOCATIONS], NOW_S - 600, want, 10, __LINE__);
	check_series(&out.s[FD_M_DURATION_P99], NOW_S - 600, p99, 10, __LINE__);
	fd_function_metrics_free(&out);
	CHECK_INT(fd_cache_get_function_metrics(c, &ctx, "legacy", 60, NOW_S - 599, &out, &err),
		  FD_OK);
	check_series(&out.s[FD_M_INVOCATIONS], NOW_S - 540, want + 1, 9, __LINE__);
	CHECK_INT(fd_cache_metrics_newest(c, &ctx, 60), NOW_S - 60);
	fd_function_metrics_free(&out);
	/* the first read builds the summaries the old file did not have */
	CHECK_INT(fd_test_sql_int(path,
	                          "SELECT count(*) FROM meta WHERE key = 'metric_summaries'"),
	          1);
	CHECK_INT(fd_cache_get_summaries(c, &ctx, 3600, &s, &n, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(s[0].function, "legacy");
	CHECK(s[0].val[FD_M_INVOCATIONS] == 10 + 20 + 30 + 50 + 60 + 70 + 80 + 90);
	CHECK(s[0].peak[FD_M_DURATION_P99] == 250.5);
	fd_summaries_free(s, n);
	CHECK_INT(fd_test_sql_int(path,
	                          "SELECT count(*) FROM meta WHERE key = 'metric_summaries'"),
	          0);
	fd_cache_close(c);
	free(path);
}
