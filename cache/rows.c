/* rows.c - the column, binding and row-walking helpers every cache/ store shares
 * (declared in internal.h): one text column copied, NULL bound as NULL, a one-row
 * SELECT told apart from an empty one, and a SELECT collected into an array. */
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
