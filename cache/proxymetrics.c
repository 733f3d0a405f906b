/* proxymetrics.c - RDS Proxy metric series, one row per (ctx, proxy, period) in
 * proxy_metrics, packed as metric_packed rows are (metrics.c: 'F', then per series its
 * key "<MetricName>:<stat>", the varint zigzag start, the varint count and the
 * points). A write merges the fetched points into what is stored (a fetched point
 * replaces the stored one, a gap keeps it) and keeps the newest 3 h of 1-minute or
 * 24 h of 5-minute points, so refreshes fetch only what is new. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"
#include "series.h"

#define PACK_TAG 'F'
#define PROXY_MAX_POINTS 100000

static size_t
keep_points(int period_s)
{
	int64_t span = period_s >= 300 ? 86400 : 3 * 3600;

	return (size_t)FD_MAX(span / FD_MAX(period_s, 1) + 2, 2);
}

static const char *
query_key(size_t k, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%s", fd_proxy_metric_info((enum fd_proxy_metric)(k / 2))->name,
	         fd_proxy_query_stat(k));
	return buf;
}

static int
query_parse(const unsigned char *key, size_t len)
{
	char buf[96];
	size_t k;

	for (k = 0; k < FD_PQ_COUNT; k++) {
		query_key(k, buf, sizeof(buf));
		if (strlen(buf) == len && memcmp(buf, key, len) == 0)
			return (int)k;
	}
	return -1;
}

static uint64_t
zigzag(int64_t v)
{
	return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static int64_t
unzigzag(uint64_t v)
{
	return v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

/* Returns 0 when no series has a point; *first_s / *last_s bound the points. */
static int
row_encode(const struct fd_proxy_metrics *pm, struct fd_buf *out, int64_t *first_s,
           int64_t *last_s)
{
	char key[96];
	size_t k, i;
	int any = 0;

	fd_buf_reset(out);
	fd_buf_putc(out, PACK_TAG);
	for (k = 0; k < FD_PQ_COUNT; k++) {
		const struct fd_series *s = &pm->s[k];
		int64_t last;
		if (!s->n || !s->values)
			continue;
		query_key(k, key, sizeof(key));
		cache_put_varint(out, strlen(key));
		fd_buf_puts(out, key);
		cache_put_varint(out, zigzag(s->start_s));
		cache_put_varint(out, s->n);
		for (i = 0; i < s->n; i++)
			cache_pack_value(out, s->values[i]);
		last = s->start_s + (int64_t)(s->n - 1) * s->period_s;
		*first_s = any ? FD_MIN(*first_s, s->start_s) : s->start_s;
		*last_s = any ? FD_MAX(*last_s, last) : last;
		any = 1;
	}
	return any;
}

static int
record_decode(const unsigned char **p, const unsigned char *end, int period_s,
              struct fd_proxy_metrics *pm)
{
	struct fd_series skip = {0, 0, 0, NULL}, *s;
	uint64_t len, start, n;
	const unsigned char *key;
	size_t i;
	int k;

	if (cache_get_varint(p, end, &len) != 0 || (uint64_t)(end - *p) < len)
		return -1;
	key = *p;
	*p += len;
	if (cache_get_varint(p, end, &start) != 0 || cache_get_varint(p, end, &n) != 0 || !n ||
	    n > PROXY_MAX_POINTS)
		return -1;
	k = query_parse(key, (size_t)len);
	s = k >= 0 ? &pm->s[k] : &skip;
	fd_series_free(s);
	s->values = fd_xreallocarray(NULL, (size_t)n, sizeof(double));
	s->start_s = unzigzag(start);
	s->period_s = period_s;
	s->n = (size_t)n;
	for (i = 0; i < s->n; i++)
		if (cache_unpack_value(p, end, &s->values[i]) != 0)
			break;
	free(skip.values);
	if (i < (size_t)n) {
		fd_series_free(s);
		return -1;
	}
	return 0;
}

/* A damaged row keeps what could be read. */
static void
row_decode(const unsigned char *blob, size_t len, int period_s, struct fd_proxy_metrics *pm)
{
	const unsigned char *p = blob + 1, *end = blob + len;

	if (!blob || !len || blob[0] != PACK_TAG || period_s <= 0)
		return;
	while (p < end)
		if (record_decode(&p, end, period_s, pm) != 0)
			return;
}

static enum fd_status
load_row(struct fd_cache *c, int64_t ctx_id, const char *proxy, int period_s,
         struct fd_proxy_metrics *out, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	memset(out, 0, sizeof(*out));
	out->proxy = fd_xstrdup(proxy);
	rc = cache_stmt(c,
	                "SELECT fetched_ms, vals FROM proxy_metrics WHERE ctx_id = ?1 AND "
	                "proxy = ?2 AND period_s = ?3",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, proxy, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, period_s);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		out->fetched_ms = sqlite3_column_int64(st, 0);
		row_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
		           period_s, out);
	}
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

static enum fd_status
write_row(struct fd_cache *c, int64_t ctx_id, const struct fd_proxy_metrics *pm, int period_s,
          struct fd_buf *blob, struct fd_err *err)
{
	int64_t first = 0, last = 0;
	sqlite3_stmt *st;
	enum fd_status rc;

	if (!row_encode(pm, blob, &first, &last))
		return FD_OK;
	rc = cache_stmt(c,
	                "INSERT INTO proxy_metrics (ctx_id, proxy, period_s, fetched_ms, first_s, "
	                "last_s, vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (ctx_id, "
	                "proxy, period_s) DO UPDATE SET fetched_ms = max(fetched_ms, "
	                "excluded.fetched_ms), first_s = excluded.first_s, last_s = "
	                "excluded.last_s, vals = excluded.vals",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, pm->proxy, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, period_s);
	sqlite3_bind_int64(st, 4, pm->fetched_ms);
	sqlite3_bind_int64(st, 5, first);
	sqlite3_bind_int64(st, 6, last);
	sqlite3_bind_blob(st, 7, blob->data, (int)blob->len, SQLITE_STATIC);
	return cache_step_done(c, st, err);
}

static int
period_of(const struct fd_proxy_metrics *pm)
{
	size_t k;

	for (k = 0; k < FD_PQ_COUNT; k++)
		if (pm->s[k].n && pm->s[k].period_s > 0)
			return pm->s[k].period_s;
	return 0;
}

static enum fd_status
put_one(struct fd_cache *c, int64_t ctx_id, const struct fd_proxy_metrics *pm,
        struct fd_buf *blob, struct fd_err *err)
{
	struct fd_proxy_metrics have;
	int period = period_of(pm);
	enum fd_status rc;
	size_t k;

	if (!period || !pm->proxy)
		return FD_OK;
	rc = load_row(c, ctx_id, pm->proxy, period, &have, err);
	for (k = 0; rc == FD_OK && k < FD_PQ_COUNT; k++)
		if (pm->s[k].period_s == period)
			fd_series_merge(&have.s[k], &pm->s[k], keep_points(period));
	have.fetched_ms = FD_MAX(have.fetched_ms, pm->fetched_ms);
	if (rc == FD_OK)
		rc = write_row(c, ctx_id, &have, period, blob, err);
	fd_proxy_metrics_free(&have);
	return rc;
}

enum fd_status
fd_cache_put_proxy_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
                           const struct fd_proxy_metrics *m, size_t n, struct fd_err *err)
{
	enum fd_status rc = cache_begin(c, err);
	int64_t ctx_id = 0;
	struct fd_buf blob;
	size_t i;

	fd_buf_init(&blob);
	if (rc == FD_OK)
		rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);
	for (i = 0; rc == FD_OK && i < n; i++)
		rc = put_one(c, ctx_id, &m[i], &blob, err);
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK)
		cache_rollback(c);
	fd_buf_free(&blob);
	return rc;
}

enum fd_status
fd_cache_get_proxy_metrics(struct fd_cache *c, const struct fd_ctx *ctx, const char *proxy,
                           int period_s, struct fd_proxy_metrics *out, struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc;

	memset(out, 0, sizeof(*out));
	if (!proxy || period_s <= 0)
		return fd_err_set(err, FD_EINVAL, "cache %s: no proxy or bad period", c->path);
	rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && !ctx_id)
		out->proxy = fd_xstrdup(proxy);
	else if (rc == FD_OK)
		rc = load_row(c, ctx_id, proxy, period_s, out, err);
	if (rc != FD_OK)
		fd_proxy_metrics_free(out);
	return rc;
}

int64_t
fd_cache_proxy_metrics_newest(struct fd_cache *c, const struct fd_ctx *ctx, int period_s,
                              const char *const *proxies, size_t n)
{
	int64_t ctx_id = 0, oldest = 0, last;
	sqlite3_stmt *st;
	size_t i;

	if (!n || cache_ctx_id(c, ctx, 0, &ctx_id, NULL) != FD_OK || !ctx_id)
		return 0;
	for (i = 0; i < n; i++) {
		if (cache_stmt(c,
		               "SELECT last_s FROM proxy_metrics WHERE ctx_id = ?1 AND proxy = ?2 "
		               "AND period_s = ?3",
		               &st, NULL) != FD_OK)
			return 0;
		sqlite3_bind_int64(st, 1, ctx_id);
		sqlite3_bind_text(st, 2, proxies[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, period_s);
		if (cache_query_int(c, st, 0, &last, NULL) != FD_OK || last <= 0)
			return 0;
		oldest = i ? FD_MIN(oldest, last) : last;
	}
	return oldest;
}
