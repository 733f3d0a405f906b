/* summary.c - per-function metric summaries: for each standard window, what a listing
 * shows of a function (totals, maxima, weighted percentiles, sparkline buckets) and
 * what the risk checks read (peaks). metrics.c rewrites them whenever it stores a
 * function's series, so the dashboard and `fleetdeck functions` read one small row
 * per function instead of every point. One row per (ctx, window, function): vals
 * holds val[], peak[] and spark[] in metrics.c's packed format (a count takes a byte
 * or two, a gap one).
 *
 * Percentiles over a window: CloudWatch gives one p50/p99 per period and they do not
 * combine exactly. The summary holds the invocation-weighted mean of the per-period
 * values (the plain mean when no period has invocations): it tracks the typical
 * latency of the window. peak[] keeps the worst period, which Duration max and the
 * timeout checks look at.
 *
 * A file migrated from point rows has no summaries yet: the migration leaves a
 * "metric_summaries" = "stale" meta key per context, and the first read rebuilds them
 * (and packs the migrated series). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "series.h"

#define SUMMARY_DOUBLES (2 * FD_M_COUNT + FD_SUMMARY_SPARK)
#define SUMMARY_TAG 'P'
#define STALE_KEY "metric_summaries"

static const int summary_windows[] = FD_SUMMARY_WINDOWS;

int
fd_summary_period(int window_s)
{
	return window_s > 3 * 3600 ? 300 : 60;
}

void
fd_summaries_free(struct fd_metric_summary *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i].function);
	free(s);
}

/* ---- computing ---- */

struct span {
	int64_t from_s, to_s;
};

/* Indexes [lo, hi) of the points that start inside the span. */
static void
index_range(const struct fd_series *s, struct span w, size_t *lo, size_t *hi)
{
	int64_t p = s->period_s, a, b;

	*lo = *hi = 0;
	if (!s->values || p <= 0 || !s->n)
		return;
	a = w.from_s - s->start_s;
	b = w.to_s - s->start_s;
	a = a <= 0 ? 0 : (a + p - 1) / p;
	b = b <= 0 ? 0 : (b + p - 1) / p;
	*lo = (size_t)FD_MIN(a, (int64_t)s->n);
	*hi = (size_t)FD_MIN(b, (int64_t)s->n);
}

/* Sum and max of the points in the span; NAN both when there is none. */
static void
series_stats(const struct fd_series *s, struct span w, double *sum, double *max)
{
	size_t i, lo, hi, count = 0;

	*sum = 0.0;
	*max = NAN;
	index_range(s, w, &lo, &hi);
	for (i = lo; i < hi; i++) {
		double v = s->values[i];
		if (isnan(v))
			continue;
		*sum += v;
		if (!count++ || v > *max)
			*max = v;
	}
	if (!count)
		*sum = NAN;
}

static double
value_at(const struct fd_series *s, int64_t t)
{
	int64_t i;

	if (!s->values || s->period_s <= 0 || t < s->start_s)
		return NAN;
	i = (t - s->start_s) / s->period_s;
	return i < (int64_t)s->n ? s->values[i] : NAN;
}

/* Invocation-weighted mean of per-period percentiles (see the top of the file). */
static double
weighted_percentile(const struct fd_function_metrics *mt, enum fd_metric pm, struct span w)
{
	const struct fd_series *p = &mt->s[pm], *inv = &mt->s[FD_M_INVOCATIONS];
	double wsum = 0, acc = 0, plain = 0;
	size_t i, lo, hi, np = 0;

	index_range(p, w, &lo, &hi);
	for (i = lo; i < hi; i++) {
		double v = p->values[i], n;
		if (isnan(v))
			continue;
		plain += v;
		np++;
		n = value_at(inv, p->start_s + (int64_t)i * p->period_s);
		if (!isnan(n) && n > 0) {
			acc += v * n;
			wsum += n;
		}
	}
	if (wsum > 0)
		return acc / wsum;
	return np ? plain / (double)np : NAN;
}

static void
fill_spark(double *spark, const struct fd_series *s, struct span w)
{
	double width = (double)(w.to_s - w.from_s) / FD_SUMMARY_SPARK;
	size_t i, lo, hi, b;

	for (i = 0; i < FD_SUMMARY_SPARK; i++)
		spark[i] = NAN;
	index_range(s, w, &lo, &hi);
	for (i = lo; i < hi; i++) {
		int64_t t = s->start_s + (int64_t)i * s->period_s;
		if (isnan(s->values[i]))
			continue;
		b = (size_t)((double)(t - w.from_s) / width);
		if (b >= FD_SUMMARY_SPARK)
			b = FD_SUMMARY_SPARK - 1;
		spark[b] = isnan(spark[b]) ? s->values[i] : spark[b] + s->values[i];
	}
}

void
fd_summary_compute(const struct fd_function_metrics *m, int window_s, int64_t asof_s,
                   struct fd_metric_summary *out)
{
	struct span w = {asof_s - window_s, asof_s};
	double sum;
	int k;

	memset(out, 0, sizeof(*out));
	out->window_s = window_s;
	out->asof_s = asof_s;
	out->fetched_ms = m->fetched_ms;
	for (k = 0; k < FD_M_COUNT; k++) {
		const char *stat = fd_metric_info((enum fd_metric)k)->stat;
		series_stats(&m->s[k], w, &sum, &out->peak[k]);
		if (strcmp(stat, "Sum") == 0)
			out->val[k] = sum;
		else if (stat[0] == 'p')
			out->val[k] = weighted_percentile(m, (enum fd_metric)k, w);
		else
			out->val[k] = out->peak[k];
	}
	fill_spark(out->spark, &m->s[FD_M_INVOCATIONS], w);
}

/* ---- rows ---- */

static enum fd_status
write_summary(struct fd_cache *c, int64_t ctx_id, const char *function,
              const struct fd_metric_summary *s, struct fd_buf *blob, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	size_t i;

	rc = cache_stmt(c,
	                "INSERT OR REPLACE INTO metric_summaries (ctx_id, window_s, function, "
	                "asof_s, fetched_ms, vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	fd_buf_reset(blob);
	fd_buf_putc(blob, SUMMARY_TAG);
	for (i = 0; i < FD_M_COUNT; i++)
		cache_pack_value(blob, s->val[i]);
	for (i = 0; i < FD_M_COUNT; i++)
		cache_pack_value(blob, s->peak[i]);
	for (i = 0; i < FD_SUMMARY_SPARK; i++)
		cache_pack_value(blob, s->spark[i]);
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, s->window_s);
	sqlite3_bind_text(st, 3, function, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->asof_s);
	sqlite3_bind_int64(st, 5, s->fetched_ms);
	sqlite3_bind_blob(st, 6, blob->data, (int)blob->len, SQLITE_STATIC);
	return cache_step_done(c, st, err);
}

enum fd_status
cache_summaries_put(struct fd_cache *c, int64_t ctx_id, const struct fd_function_metrics *fm,
                    int period_s, int64_t asof_s, struct fd_err *err)
{
	struct fd_metric_summary s;
	struct fd_buf blob;
	enum fd_status rc = FD_OK;
	size_t i;

	fd_buf_init(&blob);
	for (i = 0; rc == FD_OK && i < FD_ARRAY_LEN(summary_windows); i++) {
		if (fd_summary_period(summary_windows[i]) != period_s)
			continue;
		fd_summary_compute(fm, summary_windows[i], asof_s, &s);
		rc = write_summary(c, ctx_id, fm->function, &s, &blob, err);
	}
	fd_buf_free(&blob);
	return rc;
}

/* Values in the order written; NAN for any a damaged blob lacks. */
static void
unpack_summary(const unsigned char *p, size_t len, double *v, size_t n)
{
	const unsigned char *end = p ? p + len : p;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = NAN;
	if (!p || !len || *p++ != SUMMARY_TAG)
		return;
	for (i = 0; i < n && cache_unpack_value(&p, end, &v[i]) == 0; i++)
		;
	for (; i < n; i++)
		v[i] = NAN;
}

/* Reads columns function, asof_s, fetched_ms, vals. */
static void
read_summary(sqlite3_stmt *st, int window_s, struct fd_metric_summary *out)
{
	const unsigned char *blob = sqlite3_column_blob(st, 3);
	size_t len = (size_t)sqlite3_column_bytes(st, 3);
	const char *name = (const char *)sqlite3_column_text(st, 0);
	double v[SUMMARY_DOUBLES];

	memset(out, 0, sizeof(*out));
	out->function = fd_xstrdup(name ? name : "");
	out->window_s = window_s;
	out->asof_s = sqlite3_column_int64(st, 1);
	out->fetched_ms = sqlite3_column_int64(st, 2);
	unpack_summary(blob, len, v, SUMMARY_DOUBLES);
	memcpy(out->val, v, sizeof(out->val));
	memcpy(out->peak, v + FD_M_COUNT, sizeof(out->peak));
	memcpy(out->spark, v + 2 * FD_M_COUNT, sizeof(out->spark));
}

/* ---- rebuilding (files migrated from point rows) ---- */

struct rebuild {
	int64_t ctx_id;
	int period_s;
	int64_t asof_s;
};

static enum fd_status
rebuild_one(struct fd_cache *c, struct fd_function_metrics *fm, void *ud, struct fd_err *err)
{
	const struct rebuild *r = ud;
	enum fd_status rc = cache_series_repack(c, r->ctx_id, fm, r->period_s, err);

	if (rc == FD_OK)
		rc = cache_summaries_put(c, r->ctx_id, fm, r->period_s, r->asof_s, err);
	return rc;
}

static enum fd_status
summaries_stale(struct fd_cache *c, int64_t ctx_id, int64_t *stale, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	rc = cache_stmt(c, "SELECT count(*) FROM meta WHERE ctx_id = ?1 AND key = '" STALE_KEY "'",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	return cache_query_int(c, st, 0, stale, err);
}

/* Summaries of every function of ctx from its stored series, as of now. */
static enum fd_status
rebuild_all(struct fd_cache *c, int64_t ctx_id, struct fd_err *err)
{
	struct rebuild r = {ctx_id, 0, (int64_t)fd_wall_now()};
	sqlite3_stmt *st;
	enum fd_status rc = FD_OK;
	size_t i;

	for (i = 0; rc == FD_OK && i < FD_ARRAY_LEN(summary_windows); i++) {
		if (fd_summary_period(summary_windows[i]) == r.period_s)
			continue;
		r.period_s = fd_summary_period(summary_windows[i]);
		rc = cache_series_each(c, ctx_id, r.period_s, rebuild_one, &r, err);
	}
	if (rc == FD_OK)
		rc = cache_stmt(c, "DELETE FROM meta WHERE ctx_id = ?1 AND key = '" STALE_KEY "'",
		                &st, err);
	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_step_done(c, st, err);
	}
	return rc;
}

/* Re-read inside the write lock: another process may have rebuilt them. */
static enum fd_status
rebuild_tx(struct fd_cache *c, int64_t unused, void *ud, struct fd_err *err)
{
	int64_t ctx_id = *(const int64_t *)ud, stale = 0;
	enum fd_status rc = summaries_stale(c, ctx_id, &stale, err);

	(void)unused;
	return rc == FD_OK && stale ? rebuild_all(c, ctx_id, err) : rc;
}

/* Rebuilds the summaries of ctx when the migration marked them stale. */
static enum fd_status
ensure_fresh(struct fd_cache *c, int64_t ctx_id, struct fd_err *err)
{
	int64_t stale = 0;
	enum fd_status rc = summaries_stale(c, ctx_id, &stale, err);

	if (rc != FD_OK || !stale)
		return rc;
	rc = cache_write(c, NULL, rebuild_tx, &ctx_id, err);
	if (rc != FD_OK)
		return rc;
	/* Packed, the migrated series fill a fraction of their pages: compact the file
	 * once (best effort: another process may hold it open). */
	(void)cache_exec(c, "VACUUM;", NULL);
	return FD_OK;
}

/* ---- reading ---- */

static enum fd_status
read_all(struct fd_cache *c, int64_t ctx_id, int window_s, struct fd_metric_summary **out,
         size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	rc = cache_stmt(c,
	                "SELECT function, asof_s, fetched_ms, vals FROM metric_summaries WHERE "
	                "ctx_id = ?1 AND window_s = ?2 ORDER BY function",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, window_s);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = cache_grow(*out, *n, sizeof(**out));
		read_summary(st, window_s, &(*out)[(*n)++]);
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_cache_get_summaries(struct fd_cache *c, const struct fd_ctx *ctx, int window_s,
                       struct fd_metric_summary **out, size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*out = NULL;
	*n = 0;
	if (rc == FD_OK && ctx_id)
		rc = ensure_fresh(c, ctx_id, err);
	if (rc == FD_OK && ctx_id)
		rc = read_all(c, ctx_id, window_s, out, n, err);
	if (rc != FD_OK) {
		fd_summaries_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

enum fd_status
fd_cache_get_summary(struct fd_cache *c, const struct fd_ctx *ctx, int window_s,
                     const char *function, struct fd_metric_summary *out, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	int src;

	memset(out, 0, sizeof(*out));
	if (rc == FD_OK && ctx_id)
		rc = ensure_fresh(c, ctx_id, err);
	if (rc == FD_OK)
		rc = cache_stmt(c,
		                "SELECT function, asof_s, fetched_ms, vals FROM metric_summaries "
		                "WHERE ctx_id = ?1 AND window_s = ?2 AND function = ?3",
		                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, window_s);
	sqlite3_bind_text(st, 3, function ? function : "", -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		read_summary(st, window_s, out);
	else if (src == SQLITE_DONE)
		rc = fd_err_set(err, FD_ENOTFOUND, "cache %s: no %d s summary of %s", c->path,
		                window_s, function ? function : "");
	else
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

#define SUMMARIES_OF_MAX FD_CACHE_FN_CHUNK

static const char *
summaries_of_sql(void)
{
	static char sql[2048];
	size_t len;
	int i;

	if (sql[0])
		return sql;
	len = (size_t)snprintf(sql, sizeof(sql),
	                       "SELECT function, asof_s, fetched_ms, vals FROM metric_summaries "
	                       "WHERE ctx_id = ?1 AND window_s = ?2 AND function IN (");
	for (i = 0; i < SUMMARIES_OF_MAX && len < sizeof(sql); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?%d", i ? ", " : "",
		                        i + 3);
	if (len < sizeof(sql))
		snprintf(sql + len, sizeof(sql) - len, ")");
	return sql;
}

static int
name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

enum fd_status
fd_cache_get_summaries_of(struct fd_cache *c, const struct fd_ctx *ctx, int window_s,
                          const char *const *names, size_t n, struct fd_metric_summary *out,
                          struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	enum fd_status rc;
	size_t i;
	int src, at;

	memset(out, 0, n * sizeof(*out));
	if (n > SUMMARIES_OF_MAX)
		return fd_err_set(err, FD_EINVAL, "cache %s: more than %d summaries asked for",
		                  c->path, SUMMARIES_OF_MAX);
	rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && ctx_id)
		rc = ensure_fresh(c, ctx_id, err);
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c, summaries_of_sql(), &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, window_s);
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, (int)i + 3, names[i] ? names[i] : "", -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		at = name_index(names, n, (const char *)sqlite3_column_text(st, 0));
		if (at >= 0 && !out[at].function)
			read_summary(st, window_s, &out[at]);
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}
