/* rows.c - the column, binding and row-walking helpers every cache/ store shares
 * (declared in internal.h): one text column copied, NULL bound as NULL, a one-row
 * SELECT told apart from an empty one, and a SELECT collected into an array. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "internal.h"

char *
cache_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? fd_xstrdup((const char *)t) : NULL;
}

void
cache_col_copy(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	fd_strlcpy(out, t ? (const char *)t : "", n);
}

double
cache_col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void
cache_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

enum fd_status
cache_step_row(struct fd_cache *c, sqlite3_stmt *st, struct fd_err *err)
{
	int src = sqlite3_step(st);

	if (src == SQLITE_ROW)
		return FD_OK;
	if (src == SQLITE_DONE)
		return FD_ENOTFOUND;
	return cache_fail(c, err);
}

enum fd_status
cache_collect(struct fd_cache *c, sqlite3_stmt *st, cache_row_fn read, size_t elem_size,
              void **arr, size_t *n, struct fd_err *err)
{
	enum fd_status rc = FD_OK;
	int src;

	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*arr = cache_grow(*arr, *n, elem_size);
		read(st, (char *)*arr + (*n)++ * elem_size);
	}
	if (src != SQLITE_DONE)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
cache_collect_window(struct fd_cache *c, const struct fd_ctx *ctx, const char *sql,
                     int64_t from, int64_t to, cache_row_fn read, size_t elem_size, void **arr,
                     size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*arr = NULL;
	*n = 0;
	if (rc == FD_OK && ctx_id)
		rc = cache_stmt(c, sql, &st, err);
	if (rc != FD_OK || !ctx_id)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	rc = cache_collect(c, st, read, elem_size, arr, n, err);
	if (rc != FD_OK) {
		free(*arr);
		*arr = NULL;
		*n = 0;
	}
	return rc;
}
