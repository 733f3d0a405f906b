/* metrics.c - metric points per (ctx, function, metric, period): stored sparse (NAN
 * points are not written, re-fetched points replace old ones) and rebuilt into regular
 * series with NAN gaps on load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "internal.h"
#include "schema.h"

/* A loaded series is capped so a stray far-away point cannot make a huge array. */
#define CACHE_SERIES_MAX_POINTS 100000

/* The stored metric name, "<MetricName>:<stat>": stable when the enum is reordered. */
static void
metric_key(enum fd_metric m, char *out, size_t n)
{
	const struct fd_metric_info *mi = fd_metric_info(m);

	snprintf(out, n, "%s:%s", mi->name, mi->stat);
}

static int
metric_parse(const char *key)
{
	char buf[96];
	int m;

	for (m = 0; key && m < FD_M_COUNT; m++) {
		metric_key((enum fd_metric)m, buf, sizeof(buf));
		if (strcmp(buf, key) == 0)
			return m;
	}
	return -1;
}

struct metric_writer {
	sqlite3_stmt *series;
	sqlite3_stmt *series_id;
	sqlite3_stmt *point;
};

static enum fd_status
metric_writer_prepare(struct fd_cache *c, struct metric_writer *w, struct fd_err *err)
{
	enum fd_status rc;

	rc =
	    cache_stmt(c,
	               "INSERT INTO metric_series (ctx_id, function, metric, period_s, fetched_ms) "
	               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (ctx_id, function, metric, "
	               "period_s) DO UPDATE SET fetched_ms = max(fetched_ms, excluded.fetched_ms)",
	               &w->series, err);
	if (rc == FD_OK)
		rc = cache_stmt(c,
		                "SELECT id FROM metric_series WHERE ctx_id = ?1 AND function = ?2 "
		                "AND metric = ?3 AND period_s = ?4",
		                &w->series_id, err);
	if (rc == FD_OK)
		rc = cache_stmt(
		    c,
		    "INSERT INTO metric_points (series_id, ts, value) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value",
		    &w->point, err);
	return rc;
}

static enum fd_status
put_series(struct fd_cache *c, struct metric_writer *w, int64_t ctx_id,
           const struct fd_function_metrics *fm, enum fd_metric m, struct fd_err *err)
{
	const struct fd_series *s = &fm->s[m];
	char key[96];
	int64_t id = 0;
	enum fd_status rc;
	size_t i;

	metric_key(m, key, sizeof(key));
	sqlite3_bind_int64(w->series, 1, ctx_id);
	sqlite3_bind_text(w->series, 2, fm->function, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->series, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(w->series, 4, s->period_s);
	sqlite3_bind_int64(w->series, 5, fm->fetched_ms);
	rc = cache_step_done(c, w->series, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(w->series_id, 1, ctx_id);
	sqlite3_bind_text(w->series_id, 2, fm->function, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->series_id, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(w->series_id, 4, s->period_s);
	rc = cache_query_int(c, w->series_id, 0, &id, err);
	for (i = 0; rc == FD_OK && i < s->n; i++) {
		if (isnan(s->values[i]))
			continue;
		sqlite3_bind_int64(w->point, 1, id);
		sqlite3_bind_int64(w->point, 2, s->start_s + (int64_t)i * s->period_s);
		sqlite3_bind_double(w->point, 3, s->values[i]);
		rc = cache_step_done(c, w->point, err);
	}
	return rc;
}

enum fd_status
fd_cache_put_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
                     const struct fd_function_metrics *m, size_t n, struct fd_err *err)
{
	struct metric_writer w;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_begin(c, err);
	size_t i;
	int k;

	if (rc == FD_OK)
		rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);
	if (rc == FD_OK)
		rc = metric_writer_prepare(c, &w, err);
	for (i = 0; rc == FD_OK && i < n; i++) {
		if (!m[i].function)
			continue;
		for (k = 0; rc == FD_OK && k < FD_M_COUNT; k++)
			if (m[i].s[k].n && m[i].s[k].values && m[i].s[k].period_s > 0)
				rc = put_series(c, &w, ctx_id, &m[i], (enum fd_metric)k, err);
	}
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK)
		cache_rollback(c);
	return rc;
}

struct point {
	int64_t ts;
	double v;
};

/* Points of one stored series while loading, before they become a regular series. */
struct slot {
	int64_t series_id;
	size_t fn; /* index in the output */
	int metric;
	struct point *pts;
	size_t npts;
};

struct metric_load {
	struct fd_function_metrics *out;
	size_t n;
	struct slot *slots; /* sorted by series_id for lookups */
	size_t nslots;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->series_id > y->series_id) - (x->series_id < y->series_id);
}

static void
add_slot(struct metric_load *ld, sqlite3_stmt *st)
{
	const char *fn = (const char *)sqlite3_column_text(st, 1);
	int metric = metric_parse((const char *)sqlite3_column_text(st, 2));
	struct fd_function_metrics *fm;
	struct slot *s;

	if (!fn || metric < 0)
		return;
	if (!ld->n || strcmp(ld->out[ld->n - 1].function, fn) != 0) {
		ld->out = cache_grow(ld->out, ld->n, sizeof(*ld->out));
		ld->out[ld->n++].function = fd_xstrdup(fn);
	}
	fm = &ld->out[ld->n - 1];
	fm->fetched_ms = FD_MAX(fm->fetched_ms, sqlite3_column_int64(st, 3));
	ld->slots = cache_grow(ld->slots, ld->nslots, sizeof(*ld->slots));
	s = &ld->slots[ld->nslots++];
	s->series_id = sqlite3_column_int64(st, 0);
	s->fn = ld->n - 1;
	s->metric = metric;
}

static enum fd_status
load_series(struct fd_cache *c, int64_t ctx_id, int period_s, struct metric_load *ld,
            struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	rc = cache_stmt(c,
	                "SELECT id, function, metric, fetched_ms FROM metric_series "
	                "WHERE ctx_id = ?1 AND period_s = ?2 ORDER BY function, metric",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, period_s);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		add_slot(ld, st);
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	if (ld->nslots)
		qsort(ld->slots, ld->nslots, sizeof(*ld->slots), slot_cmp);
	return rc;
}

static enum fd_status
load_points(struct fd_cache *c, int64_t ctx_id, int period_s, int64_t from_s,
            struct metric_load *ld, struct fd_err *err)
{
	struct slot key, *s;
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	rc = cache_stmt(
	    c,
	    "SELECT p.series_id, p.ts, p.value FROM metric_series s JOIN metric_points p "
	    "ON p.series_id = s.id WHERE s.ctx_id = ?1 AND s.period_s = ?2 AND "
	    "p.ts >= ?3",
	    &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, period_s);
	sqlite3_bind_int64(st, 3, from_s);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		key.series_id = sqlite3_column_int64(st, 0);
		s = bsearch(&key, ld->slots, ld->nslots, sizeof(*ld->slots), slot_cmp);
		if (!s)
			continue;
		s->pts = cache_grow(s->pts, s->npts, sizeof(*s->pts));
		s->pts[s->npts].ts = sqlite3_column_int64(st, 1);
		s->pts[s->npts++].v = sqlite3_column_double(st, 2);
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

/* Regular series from sparse points: starts at the first point, NAN where none. */
static void
build_series(const struct slot *sl, int period_s, struct fd_series *out)
{
	int64_t first = INT64_MAX, last = INT64_MIN, idx;
	size_t i, n;

	for (i = 0; i < sl->npts; i++) {
		first = FD_MIN(first, sl->pts[i].ts);
		last = FD_MAX(last, sl->pts[i].ts);
	}
	first = FD_MAX(first, last - (int64_t)(CACHE_SERIES_MAX_POINTS - 1) * period_s);
	n = (size_t)((last - first) / period_s + 1);
	out->start_s = first;
	out->period_s = period_s;
	out->n = n;
	out->values = fd_xreallocarray(NULL, n, sizeof(double));
	for (i = 0; i < n; i++)
		out->values[i] = NAN;
	for (i = 0; i < sl->npts; i++) {
		idx = (sl->pts[i].ts - first) / period_s;
		if (idx >= 0 && idx < (int64_t)n)
			out->values[idx] = sl->pts[i].v;
	}
}

static void
finish_load(struct metric_load *ld, int period_s)
{
	size_t i;

	for (i = 0; i < ld->nslots; i++) {
		struct slot *s = &ld->slots[i];
		if (s->npts)
			build_series(s, period_s, &ld->out[s->fn].s[s->metric]);
		else
			ld->out[s->fn].s[s->metric].period_s = period_s;
		free(s->pts);
	}
	free(ld->slots);
	ld->slots = NULL;
	ld->nslots = 0;
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
	struct metric_load ld = {NULL, 0, NULL, 0};
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
		rc = load_series(c, ctx_id, period_s, &ld, err);
	if (rc == FD_OK && ld.nslots)
		rc = load_points(c, ctx_id, period_s, from_s, &ld, err);
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK)
		cache_rollback(c);
	finish_load(&ld, period_s);
	if (rc != FD_OK) {
		metrics_free(ld.out, ld.n);
		return rc;
	}
	*out = ld.out;
	*n = ld.n;
	return FD_OK;
}

int64_t
fd_cache_metrics_newest(struct fd_cache *c, const struct fd_ctx *ctx, int period_s)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0, newest = 0;

	if (cache_ctx_id(c, ctx, 0, &ctx_id, NULL) != FD_OK || !ctx_id)
		return 0;
	/* One index probe per series instead of a scan of every point. */
	if (cache_stmt(c,
	               "SELECT max((SELECT max(ts) FROM metric_points WHERE series_id = s.id)) "
	               "FROM metric_series s WHERE s.ctx_id = ?1 AND s.period_s = ?2",
	               &st, NULL) != FD_OK)
		return 0;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int(st, 2, period_s);
	if (cache_query_int(c, st, 0, &newest, NULL) != FD_OK)
		return 0;
	return newest;
}
