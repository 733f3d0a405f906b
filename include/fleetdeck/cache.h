/* cache.h - the SQLite cache (disposable) at $XDG_CACHE_HOME/fleetdeck/cache.db:
 * functions, metric series and log groups per account+region(+profile), each with
 * the time it was fetched. Directory 0700, file 0600, WAL, busy timeout, versioned
 * schema with forward migrations; a corrupt file or one from a newer fleetdeck is
 * moved aside and rebuilt (with a message). Only cache/ includes sqlite3.h. */
#ifndef FLEETDECK_CACHE_H
#define FLEETDECK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

struct fd_cache;

/* Default path: $XDG_CACHE_HOME/fleetdeck/cache.db or ~/.cache/fleetdeck/cache.db (a
 * relative XDG_CACHE_HOME is ignored, as the XDG spec says); NULL when HOME is unset too. */
char *fd_cache_default_path(void);
/* Opens (creating dirs 0700 / file 0600) and migrates. When the file was corrupt or
 * newer, it is renamed to PATH.broken-<time> and a new one made; *notice (may be NULL)
 * receives a malloc'd message saying so. */
enum fd_status fd_cache_open(const char *path, struct fd_cache **out, char **notice,
			     struct fd_err *err);
void fd_cache_close(struct fd_cache *c);
int fd_cache_schema_version(struct fd_cache *c);

/* Replaces the function listing of ctx: upserts every record, deletes those no longer
 * listed (mark and sweep), in one transaction. Detail columns of kept functions are
 * preserved unless the new record has detail_loaded. */
enum fd_status fd_cache_put_functions(struct fd_cache *c, const struct fd_ctx *ctx,
				      const struct fd_function *fns, size_t n, struct fd_err *err);
/* Upserts one function including its detail (stored detail is kept when fn has no
 * detail_loaded). A new row is swept by the next listing that lacks it. */
enum fd_status fd_cache_put_function(struct fd_cache *c, const struct fd_ctx *ctx,
				     const struct fd_function *fn, struct fd_err *err);
/* Loads every function of ctx sorted by name (with detail when stored); *oldest_ms is
 * the oldest fetched_ms (0 when none). */
enum fd_status fd_cache_get_functions(struct fd_cache *c, const struct fd_ctx *ctx,
				      struct fd_function **out, size_t *n, int64_t *oldest_ms,
				      struct fd_err *err);
enum fd_status fd_cache_get_function(struct fd_cache *c, const struct fd_ctx *ctx,
				     const char *name, struct fd_function *out, struct fd_err *err);

/* Metric series merged point by point (incremental refresh); pruned past
 * max_age_s by fd_cache_prune. */
enum fd_status fd_cache_put_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
				    const struct fd_function_metrics *m, size_t n,
				    struct fd_err *err);
/* Loads the series of every function of ctx with this period from from_s on: each
 * starts at its first stored point >= from_s, NAN where a point is missing; metrics
 * with no point have n == 0. */
enum fd_status fd_cache_get_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
				    int period_s, int64_t from_s, struct fd_function_metrics **out,
				    size_t *n, struct fd_err *err);
/* Newest stored point time for a period (for incremental fetches); 0 when none. */
int64_t fd_cache_metrics_newest(struct fd_cache *c, const struct fd_ctx *ctx, int period_s);

/* Replaces the log groups of ctx (groups missing from g are deleted). */
enum fd_status fd_cache_put_log_groups(struct fd_cache *c, const struct fd_ctx *ctx,
				       const struct fd_log_group *g, size_t n, struct fd_err *err);
enum fd_status fd_cache_get_log_groups(struct fd_cache *c, const struct fd_ctx *ctx,
				       struct fd_log_group **out, size_t *n, struct fd_err *err);

/* Small key/value state per ctx: refresh cursors ("detail_cursor"), last refresh. */
enum fd_status fd_cache_meta_set(struct fd_cache *c, const struct fd_ctx *ctx, const char *key,
				 const char *value, struct fd_err *err);
char *fd_cache_meta_get(struct fd_cache *c, const struct fd_ctx *ctx, const char *key);

/* Contexts that have cached data (for --offline without credentials). */
enum fd_status fd_cache_contexts(struct fd_cache *c, struct fd_ctx **out, size_t *n,
				 struct fd_err *err);

struct fd_cache_table_stats {
	char name[32];
	long long rows;
	long long bytes;       /* estimated from dbstat when available, else 0 */
};
enum fd_status fd_cache_stats(struct fd_cache *c, struct fd_cache_table_stats *out, size_t max,
			      size_t *n, long long *file_bytes, struct fd_err *err);
/* Deletes metric points older than max_age_s (none when max_age_s <= 0) and series left
 * empty; drops whole contexts (functions, log groups, metrics, meta) whose newest
 * fetched_ms is more than 30 days before now_s. */
enum fd_status fd_cache_prune(struct fd_cache *c, int64_t now_s, int64_t max_age_s,
			      struct fd_err *err);
/* Empties every table. */
enum fd_status fd_cache_clear(struct fd_cache *c, struct fd_err *err);

#endif
