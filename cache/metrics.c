/* metrics.c - metric series, one packed row per (ctx, function, period) in
 * metric_packed holding every metric of the function: first_s and last_s are its
 * oldest and newest points (pruning, newest-point lookups), vals the series. A write
 * merges the fetched points into what is stored (a fetched point replaces the stored
 * one, a missing one keeps it), keeps the newest 3 h of 1-minute or 24 h of 5-minute
 * points, and rewrites the function's window summaries (summary.c), in one
 * transaction. Stored series have no leading or trailing gap; reads rebuild regular
 * series with NAN gaps.
 *
 * vals: packed.c's format. 'T' is the text "name@ts=value;..." that the schema
 * migration made of the point rows of older versions: read the same way, packed by
 * the first read (summary.c's rebuild) or the next merge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "series.h"

#define TEXT_TAG 'T'

/* The stored metric name, "<MetricName>:<stat>": stable when the enum is reordered. */
static const char *
metric_key(enum fd_metric m)
{
	static char keys[FD_M_COUNT][64];
	const struct fd_metric_info *mi;

	if (!keys[m][0]) {
		mi = fd_metric_info(m);
		snprintf(keys[m], sizeof(keys[m]), "%s:%s", mi->name, mi->stat);
	}
	return keys[m];
}

static const char *
metric_key_at(size_t k, char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return metric_key((enum fd_metric)k);
}

static int row_decode_text(const unsigned char *blob, size_t len, int period_s,
                           struct fd_series *s);

static const struct cache_packed metric_rows = {
	.table = "metric_packed",
	.name_col = "function",
	.count = FD_M_COUNT,
	.key = metric_key_at,
	.decode_other = row_decode_text,
};

static int
metric_parse(const char *key, size_t len)
{
	return cache_packed_key_index(&metric_rows, key, len);
}

static void
series_clear(struct fd_series *s)
{
	free(s->values);
	s->values = NULL;
	s->n = 0;
}

static void
series_alloc(struct fd_series *s, int64_t start_s, int period_s, size_t n)
{
	size_t i;

	free(s->values);
	s->values = fd_xreallocarray(NULL, n ? n : 1, sizeof(double));
	for (i = 0; i < n; i++)
		s->values[i] = NAN;
	s->start_s = start_s;
	s->period_s = period_s;
	s->n = n;
}

/* Drops the gaps at both ends (an all-gap series becomes empty). */
static void
series_trim_gaps(struct fd_series *s)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi && isnan(s->values[lo]))
		lo++;
	while (hi > lo && isnan(s->values[hi - 1]))
		hi--;
	if (lo == hi) {
		series_clear(s);
		return;
	}
	if (lo)
		memmove(s->values, s->values + lo, (hi - lo) * sizeof(double));
	s->start_s += (int64_t)lo * s->period_s;
	s->n = hi - lo;
}

/* Keeps the points at or after from_s, then trims the gaps. */
static void
series_from(struct fd_series *s, int64_t from_s)
{
	int64_t skip;

	if (s->n && from_s > s->start_s) {
		skip = (from_s - s->start_s + s->period_s - 1) / s->period_s;
		if (skip >= (int64_t)s->n) {
			series_clear(s);
			return;
		}
		memmove(s->values, s->values + skip, (s->n - (size_t)skip) * sizeof(double));
		s->n -= (size_t)skip;
		s->start_s += skip * s->period_s;
	}
	if (s->n)
		series_trim_gaps(s);
}

/* Writes src's points (NAN ones skipped) into v, the grid of n points from start. */
static void
series_overlay(double *v, int64_t start, size_t n, const struct fd_series *src)
{
	int64_t p = src->period_s, t, idx;
	size_t i;

	for (i = 0; i < src->n; i++) {
		t = src->start_s + (int64_t)i * p;
		idx = (t - start) / p;
		if (t >= start && idx < (int64_t)n && !isnan(src->values[i]))
			v[idx] = src->values[i];
	}
}

static int
has_point(const struct fd_series *s)
{
	size_t i;

	for (i = 0; s->values && i < s->n; i++)
		if (!isnan(s->values[i]))
			return 1;
	return 0;
}

/* Merges src into dst: src's points win, its gaps keep dst's; src off dst's grid or of
 * another period replaces dst. Keeps the newest keep points, then trims the gaps. */
static void
series_merge(struct fd_series *dst, const struct fd_series *src, size_t keep)
{
	struct fd_series merged = {0, 0, 0, NULL};
	int64_t p = src->period_s, end, start;

	if (dst->n && (dst->period_s != p || (src->start_s - dst->start_s) % p != 0))
		series_clear(dst);
	end = src->start_s + (int64_t)src->n * p;
	start = src->start_s;
	if (dst->n) {
		end = FD_MAX(end, dst->start_s + (int64_t)dst->n * p);
		start = FD_MIN(start, dst->start_s);
	}
	start = FD_MAX(start, end - (int64_t)keep * p);
	series_alloc(&merged, start, (int)p, (size_t)((end - start) / p));
	if (dst->n)
		series_overlay(merged.values, start, merged.n, dst);
	series_overlay(merged.values, start, merged.n, src);
	free(dst->values);
	*dst = merged;
	series_trim_gaps(dst);
}


struct text_point {
	int metric;
	int64_t ts;
	double v;
};

/* "name@ts=value;..." (the migrated point rows) into the points it lists. */
static size_t
text_points(const char *text, struct text_point **out)
{
	char *copy = fd_xstrdup(text), *p, *at, *end;
	size_t n = 0;
	int k;

	for (p = copy; *p; p = *end ? end + 1 : end) {
		at = strchr(p, '@');
		end = at ? at : p + strlen(p);
		if (!at)
			break;
		k = metric_parse(p, (size_t)(at - p));
		(*out) = cache_grow(*out, n, sizeof(**out));
		(*out)[n].metric = k;
		(*out)[n].ts = strtoll(at + 1, &end, 10);
		if (*end != '=')
			break;
		(*out)[n].v = strtod(end + 1, &end);
		n += k >= 0 && !isnan((*out)[n].v);
	}
	free(copy);
	return n;
}

/* The points of one metric onto the grid: at most keep points ending at its last. */
static void
text_series(const struct text_point *pts, size_t n, int k, int period_s, struct fd_series *s)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, start;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pts[i].metric != k)
			continue;
		lo = FD_MIN(lo, pts[i].ts);
		hi = FD_MAX(hi, pts[i].ts);
	}
	if (lo > hi)
		return;
	start = FD_MAX(lo, hi - (int64_t)(cache_packed_keep_points(period_s) - 1) * period_s);
	series_alloc(s, start, period_s, (size_t)((hi - start) / period_s + 1));
	for (i = 0; i < n; i++)
		if (pts[i].metric == k && pts[i].ts >= start)
			s->values[(pts[i].ts - start) / period_s] = pts[i].v;
	series_trim_gaps(s);
}

static int
row_decode_text(const unsigned char *blob, size_t len, int period_s, struct fd_series *s)
{
	char *text;
	struct text_point *pts = NULL;
	size_t n;
	int k;

	if (blob[0] != TEXT_TAG)
		return -1;
	text = fd_xstrndup((const char *)blob + 1, len - 1);
	n = text_points(text, &pts);
	for (k = 0; k < FD_M_COUNT; k++)
		text_series(pts, n, k, period_s, &s[k]);
	free(pts);
	free(text);
	return 0;
}

/* Columns fetched_ms, vals from column first into fm. */
static void
read_row(sqlite3_stmt *st, int first, int period_s, struct fd_function_metrics *fm)
{
	cache_packed_read(&metric_rows, st, first, period_s, fm->s, &fm->fetched_ms);
}

enum fd_status
cache_series_load(struct fd_cache *c, int64_t ctx_id, const char *function, int period_s,
                  struct fd_function_metrics *out, struct fd_err *err)
{
	memset(out, 0, sizeof(*out));
	out->function = fd_xstrdup(function);
	return cache_packed_load(c, &metric_rows, ctx_id, function, period_s, out->s,
	                         &out->fetched_ms, err);
}

enum fd_status
cache_series_each(struct fd_cache *c, int64_t ctx_id, int period_s, cache_series_fn fn, void *ud,
                  struct fd_err *err)
{
	struct fd_function_metrics fm;
	sqlite3_stmt *st;
	const char *name;
	enum fd_status rc;
	int src = SQLITE_DONE;

	rc = cache_stmt(c,
	                "SELECT function, fetched_ms, vals FROM metric_packed WHERE ctx_id = ?1 "
	                "AND period_s = ?2 ORDER BY function",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, period_s);
	while (rc == FD_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		memset(&fm, 0, sizeof(fm));
		fm.function = fd_xstrdup(name ? name : "");
		read_row(st, 1, period_s, &fm);
		rc = fn(c, &fm, ud, err);
		fd_function_metrics_free(&fm);
	}
	if (rc == FD_OK && src != SQLITE_DONE)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

/* ---- writing ---- */

/* Stores fm's series with this period (the row goes when none has a point). */
static enum fd_status
write_row(struct fd_cache *c, int64_t ctx_id, const struct fd_function_metrics *fm, int period_s,
          struct fd_buf *blob, struct fd_err *err)
{
	return cache_packed_write(c, &metric_rows, ctx_id, fm->function, period_s, fm->fetched_ms,
	                          fm->s, blob, err);
}

enum fd_status
cache_series_repack(struct fd_cache *c, int64_t ctx_id, const struct fd_function_metrics *fm,
                    int period_s, struct fd_err *err)
{
	struct fd_buf blob;
	enum fd_status rc;

	fd_buf_init(&blob);
	rc = write_row(c, ctx_id, fm, period_s, &blob, err);
	fd_buf_free(&blob);
	return rc;
}

/* Merges the fetched series of fm with this period into what is stored, then rewrites
 * the function's summaries from the merged series. */
static enum fd_status
put_function(struct fd_cache *c, int64_t ctx_id, const struct fd_function_metrics *fm,
             int period_s, int64_t now_s, struct fd_buf *blob, struct fd_err *err)
{
	struct fd_function_metrics have;
	enum fd_status rc = cache_series_load(c, ctx_id, fm->function, period_s, &have, err);
	int k, changed = 0;

	have.fetched_ms = FD_MAX(have.fetched_ms, fm->fetched_ms);
	for (k = 0; rc == FD_OK && k < FD_M_COUNT; k++) {
		const struct fd_series *s = &fm->s[k];
		if (!s->n || !s->values || s->period_s != period_s)
			continue;
		changed |= have.s[k].n || has_point(s);
		series_merge(&have.s[k], s, cache_packed_keep_points(period_s));
	}
	if (rc == FD_OK && changed)
		rc = write_row(c, ctx_id, &have, period_s, blob, err);
	if (rc == FD_OK)
		rc = cache_summaries_put(c, ctx_id, &have, period_s, now_s, err);
	fd_function_metrics_free(&have);
	return rc;
}

/* Each period fm has series of (usually one), once. */
static enum fd_status
put_metrics_one(struct fd_cache *c, int64_t ctx_id, const struct fd_function_metrics *fm,
                int64_t now_s, struct fd_buf *blob, struct fd_err *err)
{
	int periods[FD_M_COUNT], np = 0, i, k;
	enum fd_status rc = FD_OK;

	for (k = 0; k < FD_M_COUNT; k++) {
		int p = fm->s[k].period_s;
		if (!fm->s[k].n || !fm->s[k].values || p <= 0)
			continue;
		for (i = 0; i < np && periods[i] != p; i++)
			;
		if (i == np)
			periods[np++] = p;
	}
	for (i = 0; rc == FD_OK && i < np; i++)
		rc = put_function(c, ctx_id, fm, periods[i], now_s, blob, err);
	return rc;
}

struct metrics_put {
	const struct fd_function_metrics *m;
	size_t n;
	int64_t now_s;
};

static enum fd_status
put_metrics_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct metrics_put *p = ud;
	enum fd_status rc = FD_OK;
	struct fd_buf blob;
	size_t i;

	fd_buf_init(&blob);
	for (i = 0; rc == FD_OK && i < p->n; i++)
		if (p->m[i].function)
			rc = put_metrics_one(c, ctx_id, &p->m[i], p->now_s, &blob, err);
	fd_buf_free(&blob);
	return rc;
}

enum fd_status
fd_cache_put_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
                     const struct fd_function_metrics *m, size_t n, struct fd_err *err)
{
	struct metrics_put p = {.m = m, .n = n, .now_s = (int64_t)fd_wall_now()};

	return cache_write(c, ctx, put_metrics_tx, &p, err);
}

/* ---- reading ---- */

struct metric_load {
	struct fd_function_metrics *out;
	size_t n;
	int64_t from_s;
};

static enum fd_status
collect(struct fd_cache *c, struct fd_function_metrics *fm, void *ud, struct fd_err *err)
{
	struct metric_load *ld = ud;
	int k;

	(void)c;
	(void)err;
	for (k = 0; k < FD_M_COUNT; k++)
		series_from(&fm->s[k], ld->from_s);
	ld->out = cache_grow(ld->out, ld->n, sizeof(*ld->out));
	ld->out[ld->n++] = *fm;
	memset(fm, 0, sizeof(*fm));
	return FD_OK;
}

static void
metrics_free(struct fd_function_metrics *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		fd_function_metrics_free(&m[i]);
	free(m);
}

enum fd_status
fd_cache_get_metrics(struct fd_cache *c, const struct fd_ctx *ctx, int period_s, int64_t from_s,
                     struct fd_function_metrics **out, size_t *n, struct fd_err *err)
{
	struct metric_load ld = {NULL, 0, from_s};
	int64_t ctx_id = 0;
	enum fd_status rc;

	*out = NULL;
	*n = 0;
	if (period_s <= 0)
		return fd_err_set(err, FD_EINVAL, "cache %s: bad metric period %d", c->path,
		                  period_s);
	rc = cache_begin_read(c, err);
	if (rc == FD_OK)
		rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && ctx_id)
		rc = cache_series_each(c, ctx_id, period_s, collect, &ld, err);
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK) {
		cache_rollback(c);
		metrics_free(ld.out, ld.n);
		return rc;
	}
	*out = ld.out;
	*n = ld.n;
	return FD_OK;
}

enum fd_status
fd_cache_get_function_metrics(struct fd_cache *c, const struct fd_ctx *ctx, const char *function,
                              int period_s, int64_t from_s, struct fd_function_metrics *out,
                              struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc;
	int k;

	memset(out, 0, sizeof(*out));
	if (!function || period_s <= 0)
		return fd_err_set(err, FD_EINVAL, "cache %s: no function or bad period", c->path);
	rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && !ctx_id)
		out->function = fd_xstrdup(function);
	else if (rc == FD_OK)
		rc = cache_series_load(c, ctx_id, function, period_s, out, err);
	if (rc != FD_OK) {
		fd_function_metrics_free(out);
		return rc;
	}
	for (k = 0; k < FD_M_COUNT; k++)
		series_from(&out->s[k], from_s);
	return FD_OK;
}

int64_t
fd_cache_metrics_newest(struct fd_cache *c, const struct fd_ctx *ctx, int period_s)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0, newest = 0;

	if (cache_ctx_id(c, ctx, 0, &ctx_id, NULL) != FD_OK || !ctx_id)
		return 0;
	if (cache_stmt(c,
	               "SELECT max(last_s) FROM metric_packed WHERE ctx_id = ?1 AND "
	               "period_s = ?2",
	               &st, NULL) != FD_OK)
		return 0;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, period_s);
	if (cache_query_int(c, st, 0, &newest, NULL) != FD_OK)
		return 0;
	return newest;
}

/* ---- pruning (store.c's fd_cache_prune) ---- */

static enum fd_status
prune_ids(struct fd_cache *c, int64_t before_s, int64_t **ids, size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	rc = cache_stmt(c, "SELECT id FROM metric_packed WHERE first_s < ?1", &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_s);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*ids = cache_grow(*ids, *n, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

/* Trims one row; the row goes when nothing is left. */
static enum fd_status
prune_row(struct fd_cache *c, int64_t id, int64_t before_s, struct fd_buf *blob,
          struct fd_err *err)
{
	struct fd_function_metrics fm;
	const char *name;
	int64_t ctx_id = 0;
	int period = 0, k, found;
	sqlite3_stmt *st;
	enum fd_status rc;

	memset(&fm, 0, sizeof(fm));
	rc = cache_stmt(c,
	                "SELECT ctx_id, function, period_s, fetched_ms, vals FROM metric_packed "
	                "WHERE id = ?1",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		ctx_id = sqlite3_column_int64(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		fm.function = fd_xstrdup(name ? name : "");
		period = sqlite3_column_int(st, 2);
		read_row(st, 3, period, &fm);
	}
	sqlite3_reset(st);
	for (k = 0; k < FD_M_COUNT; k++)
		series_from(&fm.s[k], before_s);
	if (found && fm.function)
		rc = write_row(c, ctx_id, &fm, period, blob, err);
	fd_function_metrics_free(&fm);
	return rc;
}

enum fd_status
cache_metrics_prune(struct fd_cache *c, int64_t before_s, struct fd_err *err)
{
	sqlite3_stmt *st;
	struct fd_buf blob;
	int64_t *ids = NULL;
	size_t n = 0, i;
	enum fd_status rc;

	rc = cache_stmt(c, "DELETE FROM metric_packed WHERE last_s < ?1", &st, err);
	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, before_s);
		rc = cache_step_done(c, st, err);
	}
	if (rc == FD_OK)
		rc = prune_ids(c, before_s, &ids, &n, err);
	fd_buf_init(&blob);
	for (i = 0; rc == FD_OK && i < n; i++)
		rc = prune_row(c, ids[i], before_s, &blob, err);
	fd_buf_free(&blob);
	free(ids);
	return rc;
}
