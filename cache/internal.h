/* internal.h (cache-private) - the connection, its prepared-statement cache and the
 * helpers every cache/ file shares: errors naming the path, transactions, ctx ids. */
#ifndef FLEETDECK_CACHE_INTERNAL_H
#define FLEETDECK_CACHE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/status.h"

struct cache_stmt {
	char *sql;
	sqlite3_stmt *st;
};

struct fd_cache {
	sqlite3 *db;
	char *path;
	struct cache_stmt *stmts; /* prepared once per connection, reused */
	size_t nstmts;
	int opening; /* inside fd_cache_open: corruption moves the file aside at once */
};

/* Fills err with "cache <path>: <sqlite message>" and returns its status. */
enum fd_status cache_fail(struct fd_cache *c, struct fd_err *err);
/* The cached statement for sql, reset and with bindings cleared. */
enum fd_status cache_stmt(struct fd_cache *c, const char *sql, sqlite3_stmt **out,
                          struct fd_err *err);
/* Steps a statement that returns no rows, then resets it. */
enum fd_status cache_step_done(struct fd_cache *c, sqlite3_stmt *st, struct fd_err *err);
/* Runs one or more statements without results (not cached). */
enum fd_status cache_exec(struct fd_cache *c, const char *sql, struct fd_err *err);
/* Runs a cached single-value query (parameters bound by the caller are kept when
 * st is passed in): *out is the first column of the first row, def when none. */
enum fd_status cache_query_int(struct fd_cache *c, sqlite3_stmt *st, int64_t def, int64_t *out,
                               struct fd_err *err);

/* BEGIN IMMEDIATE: writers queue on the busy timeout instead of failing mid-way. */
enum fd_status cache_begin(struct fd_cache *c, struct fd_err *err);
/* A deferred BEGIN: several SELECTs read one consistent snapshot. */
enum fd_status cache_begin_read(struct fd_cache *c, struct fd_err *err);
enum fd_status cache_commit(struct fd_cache *c, struct fd_err *err);
void cache_rollback(struct fd_cache *c);
/* The work of one write transaction; ctx_id is the context's row id (0 without one). */
typedef enum fd_status (*cache_write_fn)(struct fd_cache *c, int64_t ctx_id, void *ud,
                                         struct fd_err *err);
/* BEGIN IMMEDIATE, ctx's row id (created; not looked up when ctx is NULL), fn(ud),
 * COMMIT; rolled back when any step fails. */
enum fd_status cache_write(struct fd_cache *c, const struct fd_ctx *ctx, cache_write_fn fn,
                           void *ud, struct fd_err *err);

/* Row id of ctx in contexts; created when create is set, else 0 when absent. */
enum fd_status cache_ctx_id(struct fd_cache *c, const struct fd_ctx *ctx, int create, int64_t *id,
                            struct fd_err *err);
/* Next mark-and-sweep generation for a table with (ctx_id, seen) columns. */
enum fd_status cache_next_seen(struct fd_cache *c, const char *table, int64_t ctx_id, int64_t *seen,
                               struct fd_err *err);

/* Deletes the rows of ctx_id whose seen mark is not seen (the sweep). */
enum fd_status cache_sweep(struct fd_cache *c, const char *table, int64_t ctx_id, int64_t seen,
                           struct fd_err *err);

/* Row helpers (rows.c). A text column as a malloc'd copy, NULL for NULL. */
char *cache_col_dup(sqlite3_stmt *st, int i);
/* A text column into out[n], "" for NULL. */
void cache_col_copy(sqlite3_stmt *st, int i, char *out, size_t n);
/* A number column, NAN for NULL. */
double cache_col_num(sqlite3_stmt *st, int i);
/* Binds s (copied) or NULL when s is NULL. */
void cache_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Steps a one-row SELECT: FD_OK with the row ready to read, FD_ENOTFOUND (err left
 * alone) when there is none, else the error. The caller resets st. */
enum fd_status cache_step_row(struct fd_cache *c, sqlite3_stmt *st, struct fd_err *err);
/* Reads one row into elem (zeroed before the call). */
typedef void (*cache_row_fn)(sqlite3_stmt *st, void *elem);
/* Steps st to its end, appending one element of elem_size per row (read by read) to
 * the cache_grow() array *arr of *n, then resets st. */
enum fd_status cache_collect(struct fd_cache *c, sqlite3_stmt *st, cache_row_fn read,
                             size_t elem_size, void **arr, size_t *n, struct fd_err *err);
/* Runs sql with ?1 ctx's row id, ?2 from and ?3 to, collecting its rows into a new
 * array of flat elements (no rows when ctx is not cached; freed on failure). */
enum fd_status cache_collect_window(struct fd_cache *c, const struct fd_ctx *ctx, const char *sql,
                                    int64_t from, int64_t to, cache_row_fn read,
                                    size_t elem_size, void **arr, size_t *n,
                                    struct fd_err *err);

/* Makes room for element n (zeroed) in an array whose capacity is implied by its count
 * (the next power of two); returns the array, possibly moved. */
void *cache_grow(void *arr, size_t n, size_t elem_size);

#endif
