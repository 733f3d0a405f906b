/* store.c - log groups, per-context key/value state, the list of cached contexts, and
 * housekeeping: statistics, pruning and clearing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "internal.h"
#include "schema.h"
#include "series.h"

/* A context none of whose functions, log groups or metric series was fetched in this
 * long is dropped whole by fd_cache_prune (its children go by ON DELETE CASCADE). */
#define CACHE_STALE_CONTEXT_S (30 * 86400)

static enum fd_status
log_group_upsert(struct fd_cache *c, sqlite3_stmt **st, struct fd_err *err)
{
	const struct cache_table *t = &cache_t_log_groups;
	struct fd_buf b;
	enum fd_status rc;

	fd_buf_init(&b);
	fd_buf_puts(&b, "INSERT INTO \"log_groups\" (\"ctx_id\", \"name\", \"seen\"");
	cache_sql_cols(&b, t, NULL, CACHE_COLS_ALL);
	fd_buf_puts(&b, ") VALUES (?1, ?2, ?3");
	cache_sql_params(&b, 4, t->ncols);
	fd_buf_puts(&b, ") ON CONFLICT (\"ctx_id\", \"name\") DO UPDATE SET \"seen\" = "
	                "excluded.\"seen\"");
	cache_sql_set_excluded(&b, t, CACHE_COLS_ALL);
	rc = cache_stmt(c, b.data, st, err);
	fd_buf_free(&b);
	return rc;
}

static enum fd_status
put_log_group(struct fd_cache *c, sqlite3_stmt *st, int64_t ctx_id, int64_t seen,
              const struct fd_log_group *g, struct fd_err *err)
{
	if (!g->name || !*g->name)
		return fd_err_set(err, FD_EINVAL, "cache %s: a log group without a name", c->path);
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, g->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seen);
	if (cache_bind_cols(st, 4, &cache_t_log_groups, g) != SQLITE_OK)
		return cache_fail(c, err);
	return cache_step_done(c, st, err);
}

struct groups_put {
	const struct fd_log_group *g;
	size_t n;
};

static enum fd_status
put_log_groups_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct groups_put *p = ud;
	sqlite3_stmt *st = NULL;
	int64_t seen = 0;
	enum fd_status rc = cache_next_seen(c, "log_groups", ctx_id, &seen, err);
	size_t i;

	if (rc == FD_OK)
		rc = log_group_upsert(c, &st, err);
	for (i = 0; rc == FD_OK && i < p->n; i++)
		rc = put_log_group(c, st, ctx_id, seen, &p->g[i], err);
	if (rc == FD_OK)
		rc = cache_sweep(c, "log_groups", ctx_id, seen, err);
	return rc;
}

/* The listing replaces what ctx had: groups it lacks are swept. */
enum fd_status
fd_cache_put_log_groups(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_log_group *g,
                        size_t n, struct fd_err *err)
{
	struct groups_put p = {.g = g, .n = n};

	return cache_write(c, ctx, put_log_groups_tx, &p, err);
}

static enum fd_status
read_log_groups(struct fd_cache *c, int64_t ctx_id, struct fd_log_group **out, size_t *n,
                struct fd_err *err)
{
	struct fd_buf b;
	sqlite3_stmt *st;
	const char *name;
	enum fd_status rc;
	int src;

	fd_buf_init(&b);
	fd_buf_puts(&b, "SELECT \"name\"");
	cache_sql_cols(&b, &cache_t_log_groups, NULL, CACHE_COLS_ALL);
	fd_buf_puts(&b, " FROM \"log_groups\" WHERE \"ctx_id\" = ?1 ORDER BY \"name\"");
	rc = cache_stmt(c, b.data, &st, err);
	fd_buf_free(&b);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = cache_grow(*out, *n, sizeof(**out));
		name = (const char *)sqlite3_column_text(st, 0);
		(*out)[*n].name = fd_xstrdup(name ? name : "");
		cache_read_cols(st, 1, &cache_t_log_groups, &(*out)[*n]);
		(*n)++;
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_cache_get_log_groups(struct fd_cache *c, const struct fd_ctx *ctx, struct fd_log_group **out,
                        size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*out = NULL;
	*n = 0;
	if (rc == FD_OK && ctx_id)
		rc = read_log_groups(c, ctx_id, out, n, err);
	if (rc != FD_OK) {
		fd_log_groups_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

enum fd_status
fd_cache_meta_set(struct fd_cache *c, const struct fd_ctx *ctx, const char *key, const char *value,
                  struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	enum fd_status rc;

	if (!key)
		return fd_err_set(err, FD_EINVAL, "cache %s: no meta key", c->path);
	rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);
	if (rc == FD_OK)
		rc = cache_stmt(c,
		                "INSERT INTO meta (ctx_id, key, value) VALUES (?1, ?2, ?3) "
		                "ON CONFLICT (ctx_id, key) DO UPDATE SET value = excluded.value",
		                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	return cache_step_done(c, st, err);
}

char *
fd_cache_meta_get(struct fd_cache *c, const struct fd_ctx *ctx, const char *key)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	const char *v;
	char *out = NULL;

	if (!key || cache_ctx_id(c, ctx, 0, &ctx_id, NULL) != FD_OK || !ctx_id)
		return NULL;
	if (cache_stmt(c, "SELECT value FROM meta WHERE ctx_id = ?1 AND key = ?2", &st, NULL) !=
	    FD_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (v = (const char *)sqlite3_column_text(st, 0)))
		out = fd_xstrdup(v);
	sqlite3_reset(st);
	return out;
}

static void
read_ctx(sqlite3_stmt *st, struct fd_ctx *ctx)
{
	const char *p = (const char *)sqlite3_column_text(st, 0);
	const char *a = (const char *)sqlite3_column_text(st, 1);
	const char *r = (const char *)sqlite3_column_text(st, 2);

	memset(ctx, 0, sizeof(*ctx));
	fd_strlcpy(ctx->profile, p ? p : "", sizeof(ctx->profile));
	fd_strlcpy(ctx->account, a ? a : "", sizeof(ctx->account));
	fd_strlcpy(ctx->region, r ? r : "", sizeof(ctx->region));
}

enum fd_status
fd_cache_contexts(struct fd_cache *c, struct fd_ctx **out, size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	*out = NULL;
	*n = 0;
	rc = cache_stmt(c,
	                "SELECT profile, account, region FROM contexts c WHERE "
	                "EXISTS (SELECT 1 FROM functions WHERE ctx_id = c.id) OR "
	                "EXISTS (SELECT 1 FROM log_groups WHERE ctx_id = c.id) OR "
	                "EXISTS (SELECT 1 FROM metric_packed WHERE ctx_id = c.id) "
	                "ORDER BY profile, account, region",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = cache_grow(*out, *n, sizeof(**out));
		read_ctx(st, &(*out)[(*n)++]);
	}
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	if (rc != FD_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static enum fd_status
count_rows(struct fd_cache *c, const char *table, long long *rows, struct fd_err *err)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t v = 0;
	enum fd_status rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
	rc = cache_stmt(c, sql, &st, err);
	if (rc == FD_OK)
		rc = cache_query_int(c, st, 0, &v, err);
	*rows = (long long)v;
	return rc;
}

/* Bytes per table (its indexes included) from the dbstat virtual table; left 0 when
 * this SQLite was built without it. */
static void
table_bytes(struct fd_cache *c, struct fd_cache_table_stats *out, size_t n)
{
	sqlite3_stmt *st;
	const char *name;
	size_t i;

	if (cache_stmt(c,
	               "SELECT m.tbl_name, sum(d.pgsize) FROM dbstat d "
	               "JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name",
	               &st, NULL) != FD_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; name && i < n; i++)
			if (strcmp(out[i].name, name) == 0)
				out[i].bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

/* Tables made by literal migrations rather than the generated ones, also reported
 * and emptied by fd_cache_clear. */
static const char *const extra_tables[] = {"metric_packed", "metric_summaries", "log_events",
                                           "proxy_metrics", "queue_facts"};

static const char *
stats_table_name(size_t i)
{
	if (i < cache_table_count())
		return cache_table_at(i)->name;
	i -= cache_table_count();
	return i < FD_ARRAY_LEN(extra_tables) ? extra_tables[i] : NULL;
}

enum fd_status
fd_cache_stats(struct fd_cache *c, struct fd_cache_table_stats *out, size_t max, size_t *n,
               long long *file_bytes, struct fd_err *err)
{
	int64_t pages = 0, page_size = 0;
	sqlite3_stmt *st;
	enum fd_status rc = FD_OK;
	size_t i;

	*n = 0;
	for (i = 0; rc == FD_OK && stats_table_name(i) && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		fd_strlcpy(out[i].name, stats_table_name(i), sizeof(out[i].name));
		rc = count_rows(c, out[i].name, &out[i].rows, err);
		*n = i + 1;
	}
	if (rc == FD_OK)
		table_bytes(c, out, *n);
	if (rc == FD_OK && (rc = cache_stmt(c, "PRAGMA page_count", &st, err)) == FD_OK)
		rc = cache_query_int(c, st, 0, &pages, err);
	if (rc == FD_OK && (rc = cache_stmt(c, "PRAGMA page_size", &st, err)) == FD_OK)
		rc = cache_query_int(c, st, 0, &page_size, err);
	if (file_bytes)
		*file_bytes = (long long)(pages * page_size);
	return rc;
}

/* A context that only tails logs is as fresh as its newest stored event. */
#define NEWEST(col, table)                                                                         \
	"coalesce((SELECT max(" col ") FROM " table " WHERE ctx_id = contexts.id), 0)"
static const char stale_contexts_sql[] =
    "DELETE FROM contexts WHERE max(" NEWEST("fetched_ms", "functions") ", " NEWEST(
        "fetched_ms", "log_groups") ", " NEWEST("fetched_ms", "metric_packed") ", " NEWEST("ts",
                                                                                 "log_events") ") < ?1";
#undef NEWEST

static enum fd_status
exec_bound(struct fd_cache *c, const char *sql, int64_t arg, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c, sql, &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, arg);
	return cache_step_done(c, st, err);
}

/* Metric points and tailed log events older than max_age_s go (none when max_age_s
 * <= 0) with the series they empty and the summaries of functions left without
 * series, then every context not refreshed in CACHE_STALE_CONTEXT_S. Freed pages are returned to the file system
 * (auto_vacuum is incremental). */
struct prune_args {
	int64_t now_s, max_age_s;
};

static enum fd_status
prune_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct prune_args *a = ud;
	int64_t cut = a->now_s - a->max_age_s;
	enum fd_status rc = FD_OK;

	(void)ctx_id;
	if (a->max_age_s > 0)
		rc = cache_metrics_prune(c, cut, err);
	if (rc == FD_OK && a->max_age_s > 0)
		rc = exec_bound(c, "DELETE FROM log_events WHERE ts < ?1", cut * 1000, err);
	if (rc == FD_OK && a->max_age_s > 0)
		rc = exec_bound(c, "DELETE FROM proxy_metrics WHERE last_s < ?1", cut, err);
	if (rc == FD_OK)
		rc = cache_exec(c,
		                "DELETE FROM metric_summaries WHERE NOT EXISTS (SELECT 1 FROM "
		                "metric_packed s WHERE s.ctx_id = metric_summaries.ctx_id AND "
		                "s.function = metric_summaries.function);",
		                err);
	if (rc == FD_OK)
		rc = exec_bound(c, stale_contexts_sql, (a->now_s - CACHE_STALE_CONTEXT_S) * 1000,
		                err);
	return rc;
}

enum fd_status
fd_cache_prune(struct fd_cache *c, int64_t now_s, int64_t max_age_s, struct fd_err *err)
{
	struct prune_args a = {now_s, max_age_s};
	enum fd_status rc = cache_write(c, NULL, prune_tx, &a, err);

	return rc != FD_OK ? rc : cache_exec(c, "PRAGMA incremental_vacuum;", err);
}

static enum fd_status
clear_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	enum fd_status rc = FD_OK;
	char sql[128];
	size_t i;

	(void)ctx_id;
	(void)ud;
	for (i = 0; rc == FD_OK && i < FD_ARRAY_LEN(extra_tables); i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM \"%s\";", extra_tables[i]);
		rc = cache_exec(c, sql, err);
	}
	for (i = cache_table_count(); rc == FD_OK && i > 0; i--) {
		snprintf(sql, sizeof(sql), "DELETE FROM \"%s\";", cache_table_at(i - 1)->name);
		rc = cache_exec(c, sql, err);
	}
	return rc;
}

enum fd_status
fd_cache_clear(struct fd_cache *c, struct fd_err *err)
{
	enum fd_status rc = cache_write(c, NULL, clear_tx, NULL, err);

	return rc != FD_OK ? rc : cache_exec(c, "PRAGMA incremental_vacuum;", err);
}
