/* spend.c (cache) - fleetdeck's own API spend, one row per record (GetMetricData
 * metrics, Logs Insights bytes scanned, Live Tail seconds) with its time, kept per
 * account and region rather than per profile: two profiles of one account share a
 * bill. Also the on-demand INIT GB-seconds per function of the cached invocation
 * records, summed in SQL for the cost column. Tables from the v7 migration. */
#include <string.h>

#include "fleetdeck/costs.h"
#include "internal.h"

enum fd_status
fd_cache_put_spend(struct fd_cache *c, const char *account, const char *region,
                   enum fd_spend_kind k, int64_t ts_ms, double amount, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	if (!account || !*account || !region || (unsigned)k >= FD_SPEND_KINDS)
		return fd_err_set(err, FD_EINVAL, "cache %s: incomplete spend record", c->path);
	rc = cache_stmt(c,
	                "INSERT INTO api_spend (account, region, kind, ts, amount) "
	                "VALUES (?1, ?2, ?3, ?4, ?5)",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fd_spend_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts_ms);
	sqlite3_bind_double(st, 5, amount);
	return cache_step_done(c, st, err);
}

enum fd_status
fd_cache_sum_spend(struct fd_cache *c, const char *account, const char *region, int64_t from_ms,
                   int64_t to_ms, double amount[FD_SPEND_KINDS], struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int k, src;

	for (k = 0; k < FD_SPEND_KINDS; k++)
		amount[k] = 0;
	rc = cache_stmt(c,
	                "SELECT kind, total(amount) FROM api_spend WHERE account = ?1 AND "
	                "region = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY kind",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_text(st, 1, account ? account : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region ? region : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from_ms);
	sqlite3_bind_int64(st, 4, to_ms);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		for (k = 0; k < FD_SPEND_KINDS; k++)
			if (fd_str_eq(name, fd_spend_kind_name((enum fd_spend_kind)k)))
				amount[k] = sqlite3_column_double(st, 1);
	}
	sqlite3_reset(st);
	return src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
}

static void
read_init_cost(sqlite3_stmt *st, void *elem)
{
	struct fd_init_cost *r = elem;

	cache_col_copy(st, 0, r->function, sizeof(r->function));
	r->gb_s = sqlite3_column_double(st, 1);
}

/* The same records and GB-seconds as the cold-start table's on-demand INIT: finished
 * records in the window, INIT not from provisioned concurrency, memory rounded to MB. */
enum fd_status
fd_cache_init_gb_s(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_ms, int64_t to_ms,
                   struct fd_init_cost **out, size_t *n, struct fd_err *err)
{
	static const char sql[] =
	    "SELECT function, total(init_ms / 1000.0 * round(coalesce(memory_mb, 0)) / 1024.0) "
	    "FROM invocations WHERE ctx_id = ?1 AND ts >= ?2 AND ts < ?3 AND end_ms IS NOT NULL "
	    "AND init_ms IS NOT NULL AND coalesce(init_type, '') != 'provisioned-concurrency' "
	    "GROUP BY function ORDER BY function";
	void *v = NULL;
	enum fd_status rc;

	rc = cache_collect_window(c, ctx, sql, from_ms, to_ms, read_init_cost, sizeof(**out), &v,
	                          n, err);
	*out = v;
	return rc;
}
