/* logstore.c - tailed log events kept for the incident history: one row per
 * (context, log group, event id), the message as received, indexed by time. Bounded
 * by the follow engine's calls to fd_cache_prune_log_events (age and rows per
 * context); the contexts' ON DELETE CASCADE takes them with a dropped context. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LOG_MESSAGE_MAX (256 * 1024)

static void
bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	sqlite3_bind_text(st, idx, s ? s : "", -1, SQLITE_STATIC);
}

static enum fd_status
insert_one(struct fd_cache *c, sqlite3_stmt *st, int64_t ctx_id, const struct fd_log_event *e,
           struct fd_err *err)
{
	size_t len = e->message_len < LOG_MESSAGE_MAX ? e->message_len : LOG_MESSAGE_MAX;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, ctx_id);
	bind_text(st, 2, e->group);
	bind_text(st, 3, e->event_id);
	sqlite3_bind_int64(st, 4, e->ts);
	bind_text(st, 5, e->stream);
	bind_text(st, 6, e->function);
	bind_text(st, 7, e->request_id);
	sqlite3_bind_int(st, 8, e->level);
	sqlite3_bind_blob(st, 9, e->message ? e->message : "", (int)len, SQLITE_STATIC);
	return cache_step_done(c, st, err);
}

static const char insert_sql[] =
    "INSERT OR IGNORE INTO log_events (ctx_id, group_name, event_id, ts, "
    "stream, function, request_id, level, message) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

struct log_put {
	const struct fd_log_event *ev;
	size_t n;
};

static enum fd_status
put_log_events_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct log_put *p = ud;
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c, insert_sql, &st, err);
	size_t i;

	for (i = 0; rc == FD_OK && i < p->n; i++)
		rc = insert_one(c, st, ctx_id, &p->ev[i], err);
	return rc;
}

enum fd_status
fd_cache_put_log_events(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_log_event *ev,
                        size_t n, struct fd_err *err)
{
	struct log_put p = {.ev = ev, .n = n};

	if (!n)
		return FD_OK;
	return cache_write(c, ctx, put_log_events_tx, &p, err);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static void
read_event(sqlite3_stmt *st, struct fd_log_event *e)
{
	e->group = col_text(st, 0);
	e->event_id = col_text(st, 1);
	e->ts = sqlite3_column_int64(st, 2);
	e->stream = col_text(st, 3);
	e->function = col_text(st, 4);
	e->request_id = col_text(st, 5);
	e->level = sqlite3_column_int(st, 6);
	e->message = sqlite3_column_blob(st, 7);
	e->message_len = (size_t)sqlite3_column_bytes(st, 7);
	if (!e->message)
		e->message = "";
}

enum fd_status
fd_cache_get_log_events(struct fd_cache *c, const struct fd_ctx *ctx, const char *group,
                        int64_t from_ms, int64_t to_ms, size_t max,
                        void (*fn)(const struct fd_log_event *e, void *ud), void *ud,
                        struct fd_err *err)
{
	struct fd_log_event e;
	sqlite3_stmt *st;
	int64_t ctx_id;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	size_t n = 0;
	int src;

	if (rc != FD_OK || !ctx_id)
		return rc;
	rc =
	    cache_stmt(c,
	               "SELECT group_name, event_id, ts, stream, function, request_id, level, "
	               "message FROM log_events WHERE ctx_id = ?1 AND ts BETWEEN ?2 AND ?3 AND "
	               "(?4 IS NULL OR group_name = ?4) ORDER BY ts, group_name, event_id LIMIT ?5",
	               &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	if (group)
		sqlite3_bind_text(st, 4, group, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, max ? (int64_t)max : -1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW && (!max || n < max)) {
		read_event(st, &e);
		fn(&e, ud);
		n++;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_cache_get_log_message(struct fd_cache *c, const struct fd_ctx *ctx, const char *group,
                         const char *event_id, struct fd_buf *out, struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t ctx_id;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	int src;

	if (rc != FD_OK)
		return rc;
	rc = cache_stmt(c,
	                "SELECT message FROM log_events WHERE ctx_id = ?1 AND group_name = ?2 "
	                "AND event_id = ?3",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	bind_text(st, 2, group);
	bind_text(st, 3, event_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		fd_buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	else if (src == SQLITE_DONE)
		rc = fd_err_set(err, FD_ENOTFOUND, "log event %s of %s is not in the cache",
		                event_id ? event_id : "", group ? group : "");
	else
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

static enum fd_status
delete_before(struct fd_cache *c, int64_t ctx_id, int64_t before_ms, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	rc = cache_stmt(c,
	                ctx_id ? "DELETE FROM log_events WHERE ctx_id = ?2 AND ts < ?1"
	                       : "DELETE FROM log_events WHERE ts < ?1",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_ms);
	if (ctx_id)
		sqlite3_bind_int64(st, 2, ctx_id);
	return cache_step_done(c, st, err);
}

/* Time of a context's max_rows-th newest event (0 when it has fewer). */
static enum fd_status
row_cutoff(struct fd_cache *c, int64_t ctx_id, size_t max_rows, int64_t *cut, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	rc = cache_stmt(c,
	                "SELECT ts FROM log_events WHERE ctx_id = ?1 ORDER BY ts DESC "
	                "LIMIT 1 OFFSET ?2",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, (int64_t)max_rows - 1);
	return cache_query_int(c, st, 0, cut, err);
}

static enum fd_status
prune_rows(struct fd_cache *c, size_t max_rows, struct fd_err *err)
{
	int64_t ids[256], cut;
	size_t n = 0, i;
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c, "SELECT DISTINCT ctx_id FROM log_events", &st, err);

	if (rc != FD_OK)
		return rc;
	while (n < FD_ARRAY_LEN(ids) && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (i = 0; rc == FD_OK && i < n; i++) {
		rc = row_cutoff(c, ids[i], max_rows, &cut, err);
		if (rc == FD_OK && cut > 0)
			rc = delete_before(c, ids[i], cut, err);
	}
	return rc;
}

struct log_prune {
	int64_t before_ms;
	size_t max_rows;
};

static enum fd_status
prune_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct log_prune *p = ud;
	enum fd_status rc = delete_before(c, 0, p->before_ms, err);

	(void)ctx_id;
	if (rc == FD_OK && p->max_rows)
		rc = prune_rows(c, p->max_rows, err);
	return rc;
}

enum fd_status
fd_cache_prune_log_events(struct fd_cache *c, int64_t before_ms, size_t max_rows,
                          struct fd_err *err)
{
	struct log_prune p = {.before_ms = before_ms, .max_rows = max_rows};

	return cache_write(c, NULL, prune_tx, &p, err);
}
