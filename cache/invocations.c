/* invocations.c - invocation records per context: upserted by request id so a
 * REPORT-only record (backfill) never hides what START and error lines said, kept to
 * a row bound (oldest out first), read newest first with filters, and streamed row
 * by row for cold-start statistics. The contexts' ON DELETE CASCADE drops them with
 * their context (prune, clear). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "internal.h"

#define COLS                                                                                       \
	"request_id, function, version, log_stream, ts, start_ms, end_ms, init_start_ms, "         \
	"start_exact, duration_ms, billed_ms, memory_mb, max_memory_mb, init_ms, restore_ms, "     \
	"status, init_type, error_type, trace_id, runtime_version, errors"

/* Later facts win; a running or plain-success record never replaces a definite
 * outcome; an exact START time is never replaced by one derived from REPORT. */
static const char upsert_sql[] =
	"INSERT INTO invocations (ctx_id, " COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
	"ON CONFLICT (ctx_id, request_id) DO UPDATE SET "
	"function = CASE WHEN excluded.function <> '' THEN excluded.function ELSE function END, "
	"version = coalesce(excluded.version, version), "
	"log_stream = coalesce(excluded.log_stream, log_stream), "
	"ts = CASE WHEN coalesce(excluded.end_ms, end_ms) IS NOT NULL "
	"THEN coalesce(excluded.end_ms, end_ms) ELSE excluded.ts END, "
	"start_ms = CASE WHEN start_exact AND NOT excluded.start_exact THEN start_ms "
	"ELSE coalesce(excluded.start_ms, start_ms) END, "
	"end_ms = coalesce(excluded.end_ms, end_ms), "
	"init_start_ms = coalesce(excluded.init_start_ms, init_start_ms), "
	"start_exact = max(start_exact, excluded.start_exact), "
	"duration_ms = coalesce(excluded.duration_ms, duration_ms), "
	"billed_ms = coalesce(excluded.billed_ms, billed_ms), "
	"memory_mb = coalesce(excluded.memory_mb, memory_mb), "
	"max_memory_mb = coalesce(excluded.max_memory_mb, max_memory_mb), "
	"init_ms = coalesce(excluded.init_ms, init_ms), "
	"restore_ms = coalesce(excluded.restore_ms, restore_ms), "
	"status = CASE WHEN status = 'running' OR excluded.status NOT IN ('running', 'success') "
	"THEN excluded.status ELSE status END, "
	"init_type = coalesce(excluded.init_type, init_type), "
	"error_type = coalesce(excluded.error_type, error_type), "
	"trace_id = coalesce(excluded.trace_id, trace_id), "
	"runtime_version = coalesce(excluded.runtime_version, runtime_version), "
	"errors = coalesce(excluded.errors, errors)";

static void
bind_str(sqlite3_stmt *st, int idx, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

static void
bind_num(sqlite3_stmt *st, int idx, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_double(st, idx, v);
}

static void
bind_ms(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, idx, v);
	else
		sqlite3_bind_null(st, idx);
}

static void
bind_record(sqlite3_stmt *st, const struct fd_invocation *r)
{
	sqlite3_bind_text(st, 2, r->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->function, -1, SQLITE_STATIC);
	bind_str(st, 4, r->version);
	bind_str(st, 5, r->log_stream);
	sqlite3_bind_int64(st, 6, r->end_ms ? r->end_ms : r->start_ms);
	bind_ms(st, 7, r->start_ms);
	bind_ms(st, 8, r->end_ms);
	bind_ms(st, 9, r->init_start_ms);
	sqlite3_bind_int(st, 10, r->start_exact != 0);
	bind_num(st, 11, r->duration_ms);
	bind_num(st, 12, r->billed_ms);
	bind_num(st, 13, r->memory_mb);
	bind_num(st, 14, r->max_memory_mb);
	bind_num(st, 15, r->init_ms);
	bind_num(st, 16, r->restore_ms);
	sqlite3_bind_text(st, 17, fd_inv_status_name(r->status), -1, SQLITE_STATIC);
	bind_str(st, 18, r->init_type);
	bind_str(st, 19, r->error_type);
	bind_str(st, 20, r->trace_id);
	bind_str(st, 21, r->runtime_version);
	bind_str(st, 22, r->errors);
}

/* The oldest rows beyond max go. */
static enum fd_status
trim(struct fd_cache *c, int64_t ctx_id, size_t max, struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t rows = 0;
	enum fd_status rc = cache_stmt(c, "SELECT count(*) FROM invocations WHERE ctx_id = ?1", &st,
				       err);

	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_query_int(c, st, 0, &rows, err);
	}
	if (rc != FD_OK || rows <= (int64_t)max)
		return rc;
	rc = cache_stmt(c,
			"DELETE FROM invocations WHERE id IN (SELECT id FROM invocations "
			"WHERE ctx_id = ?1 ORDER BY ts LIMIT ?2)",
			&st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, rows - (int64_t)max);
	return cache_step_done(c, st, err);
}

struct inv_put {
	const struct fd_invocation *r;
	size_t n, max_rows;
};

static enum fd_status
put_invocations_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct inv_put *p = ud;
	sqlite3_stmt *st = NULL;
	enum fd_status rc = cache_stmt(c, upsert_sql, &st, err);
	size_t i;

	for (i = 0; rc == FD_OK && i < p->n; i++) {
		if (!p->r[i].request_id[0])
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ctx_id);
		bind_record(st, &p->r[i]);
		rc = cache_step_done(c, st, err);
	}
	if (rc == FD_OK)
		rc = trim(c, ctx_id, p->max_rows ? p->max_rows : FD_INV_CACHE_MAX_ROWS, err);
	return rc;
}

enum fd_status
fd_cache_put_invocations(struct fd_cache *c, const struct fd_ctx *ctx,
                         const struct fd_invocation *r, size_t n, size_t max_rows,
                         struct fd_err *err)
{
	struct inv_put p = {.r = r, .n = n, .max_rows = max_rows};

	if (!n)
		return FD_OK;
	return cache_write(c, ctx, put_invocations_tx, &p, err);
}

static void
read_record(sqlite3_stmt *st, struct fd_invocation *r)
{
	const char *errors = (const char *)sqlite3_column_text(st, 20);
	char status[24];

	fd_invocation_init(r);
	cache_col_copy(st, 0, r->request_id, sizeof(r->request_id));
	cache_col_copy(st, 1, r->function, sizeof(r->function));
	cache_col_copy(st, 2, r->version, sizeof(r->version));
	cache_col_copy(st, 3, r->log_stream, sizeof(r->log_stream));
	r->start_ms = sqlite3_column_int64(st, 5);
	r->end_ms = sqlite3_column_int64(st, 6);
	r->init_start_ms = sqlite3_column_int64(st, 7);
	r->start_exact = sqlite3_column_int(st, 8);
	r->duration_ms = cache_col_num(st, 9);
	r->billed_ms = cache_col_num(st, 10);
	r->memory_mb = cache_col_num(st, 11);
	r->max_memory_mb = cache_col_num(st, 12);
	r->init_ms = cache_col_num(st, 13);
	r->restore_ms = cache_col_num(st, 14);
	cache_col_copy(st, 15, status, sizeof(status));
	if (!fd_inv_status_parse(status, &r->status))
		r->status = FD_INV_RUNNING;
	cache_col_copy(st, 16, r->init_type, sizeof(r->init_type));
	cache_col_copy(st, 17, r->error_type, sizeof(r->error_type));
	cache_col_copy(st, 18, r->trace_id, sizeof(r->trace_id));
	cache_col_copy(st, 19, r->runtime_version, sizeof(r->runtime_version));
	r->errors = errors ? fd_xstrdup(errors) : NULL;
}

static void
bind_query(sqlite3_stmt *st, int64_t ctx_id, const struct fd_inv_query *q)
{
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, q->from_ms);
	sqlite3_bind_int64(st, 3, q->to_ms ? q->to_ms : INT64_MAX);
	if (q->status >= 0 && q->status < FD_INV_STATUS_COUNT)
		sqlite3_bind_text(st, 4, fd_inv_status_name((enum fd_inv_status)q->status), -1,
				  SQLITE_STATIC);
	sqlite3_bind_int(st, 5, q->cold_only != 0);
	if (q->min_duration_ms > 0)
		sqlite3_bind_double(st, 6, q->min_duration_ms);
	sqlite3_bind_int64(st, 7, q->limit ? (int64_t)q->limit : 1000);
	if (q->function)
		sqlite3_bind_text(st, 8, q->function, -1, SQLITE_STATIC);
}

#define QUERY_WHERE                                                                                \
	" FROM invocations WHERE ctx_id = ?1 AND ts BETWEEN ?2 AND ?3 "                            \
	"AND (?4 IS NULL OR status = ?4) "                                                         \
	"AND (?5 = 0 OR init_ms IS NOT NULL OR restore_ms IS NOT NULL) "                           \
	"AND (?6 IS NULL OR duration_ms >= ?6) "

enum fd_status
fd_cache_get_invocations(struct fd_cache *c, const struct fd_ctx *ctx,
			 const struct fd_inv_query *q, struct fd_invocation **out, size_t *n,
			 struct fd_err *err)
{
	static const char by_fn[] = "SELECT " COLS QUERY_WHERE
				    "AND function = ?8 ORDER BY ts DESC LIMIT ?7";
	static const char all[] = "SELECT " COLS QUERY_WHERE "ORDER BY ts DESC LIMIT ?7";
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	int src = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c, q->function ? by_fn : all, &st, err);
	if (rc != FD_OK)
		return rc;
	bind_query(st, ctx_id, q);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = cache_grow(*out, *n, sizeof(**out));
		read_record(st, &(*out)[(*n)++]);
	}
	sqlite3_reset(st);
	if (src == SQLITE_DONE)
		return FD_OK;
	fd_invocations_free(*out, *n);
	*out = NULL;
	*n = 0;
	return cache_fail(c, err);
}

enum fd_status
fd_cache_get_invocation(struct fd_cache *c, const struct fd_ctx *ctx, const char *request_id,
			struct fd_invocation *out, struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	int src;

	fd_invocation_init(out);
	if (rc != FD_OK)
		return rc;
	if (ctx_id)
		rc = cache_stmt(c, "SELECT " COLS " FROM invocations WHERE ctx_id = ?1 AND "
				"request_id = ?2", &st, err);
	if (rc != FD_OK || !ctx_id)
		return rc != FD_OK ? rc : fd_err_set(err, FD_ENOTFOUND, "request %s is not cached",
						     request_id);
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, request_id, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		read_record(st, out);
	else if (src == SQLITE_DONE)
		rc = fd_err_set(err, FD_ENOTFOUND, "request %s is not cached", request_id);
	else
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* A window covering most of the table is read in table order (sequential pages);
 * a narrow one through the time index. */
static enum fd_status
scan_stmt(struct fd_cache *c, int64_t ctx_id, int64_t from_ms, int64_t to_ms,
	  sqlite3_stmt **st, struct fd_err *err)
{
	static const char head[] = "SELECT function, version, init_type, end_ms, memory_mb, "
				   "init_ms, restore_ms FROM invocations ";
	static const char tail[] = "WHERE ctx_id = ?1 AND ts >= ?2 AND ts < ?3 "
				   "AND end_ms IS NOT NULL";
	char sql[sizeof(head) + sizeof(tail) + 16];
	int64_t lo = 0, hi = 0;
	enum fd_status rc = cache_stmt(c, "SELECT min(ts), max(ts) FROM invocations "
				       "WHERE ctx_id = ?1", st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(*st, 1, ctx_id);
	if (sqlite3_step(*st) == SQLITE_ROW) {
		lo = sqlite3_column_int64(*st, 0);
		hi = sqlite3_column_int64(*st, 1);
	}
	sqlite3_reset(*st);
	snprintf(sql, sizeof(sql), "%s%s%s", head,
		 (FD_MIN(hi, to_ms) - FD_MAX(lo, from_ms)) * 2 >= hi - lo ? "NOT INDEXED " : "",
		 tail);
	rc = cache_stmt(c, sql, st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(*st, 1, ctx_id);
	sqlite3_bind_int64(*st, 2, from_ms);
	sqlite3_bind_int64(*st, 3, to_ms);
	return FD_OK;
}

enum fd_status
fd_cache_scan_invocations(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_ms,
			  int64_t to_ms, void (*fn)(const struct fd_inv_sample *s, void *ud),
			  void *ud, struct fd_err *err)
{
	struct fd_inv_sample s;
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	int src;

	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = scan_stmt(c, ctx_id, from_ms, to_ms ? to_ms : INT64_MAX, &st, err);
	if (rc != FD_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		s.function = col_str(st, 0);
		s.version = col_str(st, 1);
		s.init_type = col_str(st, 2);
		s.end_ms = sqlite3_column_int64(st, 3);
		s.memory_mb = cache_col_num(st, 4);
		s.init_ms = cache_col_num(st, 5);
		s.restore_ms = cache_col_num(st, 6);
		fn(&s, ud);
	}
	if (src != SQLITE_DONE)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_cache_invocations_count(struct fd_cache *c, const struct fd_ctx *ctx, long long *rows,
			   int64_t *newest_ms, struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0, v = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*rows = 0;
	*newest_ms = 0;
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c, "SELECT count(*) FROM invocations WHERE ctx_id = ?1", &st, err);
	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_query_int(c, st, 0, &v, err);
		*rows = v;
	}
	if (rc == FD_OK)
		rc = cache_stmt(c, "SELECT max(ts) FROM invocations WHERE ctx_id = ?1", &st, err);
	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_query_int(c, st, 0, newest_ms, err);
	}
	return rc;
}

static void
read_cold_count(sqlite3_stmt *st, void *elem)
{
	struct fd_inv_cold_count *r = elem;

	cache_col_copy(st, 0, r->function, sizeof(r->function));
	r->invocations = sqlite3_column_int64(st, 1);
	r->cold_starts = sqlite3_column_int64(st, 2);
}

enum fd_status
fd_cache_cold_counts(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_ms,
		     int64_t to_ms, struct fd_inv_cold_count **out, size_t *n, struct fd_err *err)
{
	static const char sql[] =
		"SELECT function, count(*), "
		"count(CASE WHEN init_ms IS NOT NULL OR restore_ms IS NOT NULL THEN 1 END) "
		"FROM invocations WHERE ctx_id = ?1 AND ts >= ?2 AND ts < ?3 "
		"AND end_ms IS NOT NULL GROUP BY function ORDER BY function";
	void *v = NULL;
	enum fd_status rc;

	rc = cache_collect_window(c, ctx, sql, from_ms, to_ms ? to_ms : INT64_MAX,
				  read_cold_count, sizeof(**out), &v, n, err);
	*out = v;
	return rc;
}
