/* proxymetrics.c - RDS Proxy metric series, one packed row (packed.c) per (ctx, proxy,
 * period) in proxy_metrics, each series under its key "<MetricName>:<stat>". A write
 * merges the fetched points into what is stored (a fetched point replaces the stored
 * one, a gap keeps it) and keeps the newest 3 h of 1-minute or 24 h of 5-minute
 * points, so refreshes fetch only what is new. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"
#include "series.h"

static const char *
query_key(size_t k, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%s", fd_proxy_metric_info((enum fd_proxy_metric)(k / 2))->name,
	         fd_proxy_query_stat(k));
	return buf;
}

static const struct cache_packed proxy_rows = {
	.table = "proxy_metrics",
	.name_col = "proxy",
	.count = FD_PQ_COUNT,
	.key = query_key,
	.decode_other = NULL,
};

static enum fd_status
load_row(struct fd_cache *c, int64_t ctx_id, const char *proxy, int period_s,
         struct fd_proxy_metrics *out, struct fd_err *err)
{
	memset(out, 0, sizeof(*out));
	out->proxy = fd_xstrdup(proxy);
	return cache_packed_load(c, &proxy_rows, ctx_id, proxy, period_s, out->s,
	                         &out->fetched_ms, err);
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
			fd_series_merge(&have.s[k], &pm->s[k], cache_packed_keep_points(period));
	have.fetched_ms = FD_MAX(have.fetched_ms, pm->fetched_ms);
	if (rc == FD_OK)
		rc = cache_packed_write(c, &proxy_rows, ctx_id, pm->proxy, period, have.fetched_ms,
		                        have.s, blob, err);
	fd_proxy_metrics_free(&have);
	return rc;
}

struct proxy_put {
	const struct fd_proxy_metrics *m;
	size_t n;
};

static enum fd_status
put_proxy_metrics_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct proxy_put *p = ud;
	enum fd_status rc = FD_OK;
	struct fd_buf blob;
	size_t i;

	fd_buf_init(&blob);
	for (i = 0; rc == FD_OK && i < p->n; i++)
		rc = put_one(c, ctx_id, &p->m[i], &blob, err);
	fd_buf_free(&blob);
	return rc;
}

enum fd_status
fd_cache_put_proxy_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
                           const struct fd_proxy_metrics *m, size_t n, struct fd_err *err)
{
	struct proxy_put p = {.m = m, .n = n};

	return cache_write(c, ctx, put_proxy_metrics_tx, &p, err);
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
