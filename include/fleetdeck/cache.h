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
#include "fleetdeck/util.h"

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
/* Opening runs the full integrity check (PRAGMA quick_check) only when the last one
 * that passed is a day old; a statement that later finds the file corrupt fails with
 * a message saying so and leaves PATH.corrupt, and the next open moves the file aside.
 * This runs the check now (cache stats, doctor); *result (may be NULL) gets its
 * malloc'd verdict, "ok" when the file passed. */
enum fd_status fd_cache_check(struct fd_cache *c, char **result, struct fd_err *err);
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
/* The same listing written page by page as it arrives, so no single write holds the
 * console up: begin gives the listing's mark, each page upserts its functions with it,
 * end deletes the functions of ctx the listing lacked (older marks). A listing that
 * never ends deletes nothing. */
enum fd_status fd_cache_listing_begin(struct fd_cache *c, const struct fd_ctx *ctx,
				      int64_t *mark, struct fd_err *err);
enum fd_status fd_cache_listing_page(struct fd_cache *c, const struct fd_ctx *ctx, int64_t mark,
				     const struct fd_function *fns, size_t n, struct fd_err *err);
enum fd_status fd_cache_listing_end(struct fd_cache *c, const struct fd_ctx *ctx, int64_t mark,
				    struct fd_err *err);
/* Loads every function of ctx sorted by name (with detail when stored); *oldest_ms is
 * the oldest fetched_ms (0 when none). */
enum fd_status fd_cache_get_functions(struct fd_cache *c, const struct fd_ctx *ctx,
				      struct fd_function **out, size_t *n, int64_t *oldest_ms,
				      struct fd_err *err);
enum fd_status fd_cache_get_function(struct fd_cache *c, const struct fd_ctx *ctx,
				     const char *name, struct fd_function *out, struct fd_err *err);

/* The functions of ctx a chunk at a time, in an order SQL can answer (missing values
 * last either way, ties by name ascending), so a listing prints its first rows before
 * the rest is read. Each chunk is one consistent read; rows deleted after open are
 * skipped. next gives *n == 0 at the end; the records are the caller's
 * (fd_functions_free). */
enum fd_cache_fn_order {
	FD_CACHE_FN_BY_NAME,
	FD_CACHE_FN_BY_RUNTIME,
	FD_CACHE_FN_BY_MEMORY,
	FD_CACHE_FN_BY_TIMEOUT,
	FD_CACHE_FN_BY_MODIFIED,
};
#define FD_CACHE_FN_CHUNK 64 /* records per chunk at most */
struct fd_cache_fn_iter;
enum fd_status fd_cache_fn_iter_open(struct fd_cache *c, const struct fd_ctx *ctx,
				     enum fd_cache_fn_order by, int desc,
				     struct fd_cache_fn_iter **out, struct fd_err *err);
enum fd_status fd_cache_fn_iter_next(struct fd_cache_fn_iter *it, struct fd_function **out,
				     size_t *n, struct fd_err *err);
void fd_cache_fn_iter_close(struct fd_cache_fn_iter *it);

/* Metric series, one packed row per function x metric x period, merged point by point
 * (incremental refresh; at most 3 h of 1-minute and 24 h of 5-minute points are kept);
 * pruned past max_age_s by fd_cache_prune. Writing a function's series also rewrites
 * its summaries of the windows that period feeds (fd_cache_get_summaries). */
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
/* One function's series with this period from from_s on (shaped as fd_cache_get_metrics
 * shapes them); every series n == 0 when nothing is stored. For the function view. */
enum fd_status fd_cache_get_function_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
					     const char *function, int period_s, int64_t from_s,
					     struct fd_function_metrics *out, struct fd_err *err);

/* Metric summaries (cache/summary.c): what a listing shows of one function over one
 * standard window (FD_SUMMARY_WINDOWS), computed when its series are written, so a
 * listing reads one small row per function instead of every point. */
#define FD_SUMMARY_WINDOWS {900, 3600, 10800, 86400}
#define FD_SUMMARY_SPARK 24
struct fd_metric_summary {
	char *function;
	int window_s;
	int64_t asof_s;                 /* covers [asof_s - window_s, asof_s) */
	int64_t fetched_ms;             /* of the newest series it was computed from */
	double val[FD_M_COUNT];         /* Sum metrics: total; Maximum: highest; p50/p99: the
					 * invocation-weighted mean of the per-period values
					 * (their plain mean when no period has invocations) */
	double peak[FD_M_COUNT];        /* highest single-period value */
	double spark[FD_SUMMARY_SPARK]; /* invocations per bucket of the window */
};                                      /* NAN everywhere there is no point */
/* The series period a window is computed from: 60 s up to 3 h, 300 s beyond. */
int fd_summary_period(int window_s);
/* Summarises m over [asof_s - window_s, asof_s) into out (out->function is not set). */
void fd_summary_compute(const struct fd_function_metrics *m, int window_s, int64_t asof_s,
			struct fd_metric_summary *out);
void fd_summaries_free(struct fd_metric_summary *s, size_t n); /* members and array */
/* Every summary of ctx for window_s, sorted by function (strcmp). */
enum fd_status fd_cache_get_summaries(struct fd_cache *c, const struct fd_ctx *ctx, int window_s,
				      struct fd_metric_summary **out, size_t *n,
				      struct fd_err *err);
/* The summaries of up to FD_CACHE_FN_CHUNK named functions: out[i] for names[i], its function NULL
 * when none is stored (free each out[i].function). */
enum fd_status fd_cache_get_summaries_of(struct fd_cache *c, const struct fd_ctx *ctx,
					 int window_s, const char *const *names, size_t n,
					 struct fd_metric_summary *out, struct fd_err *err);
/* One function's summary; FD_ENOTFOUND when none is stored. */
enum fd_status fd_cache_get_summary(struct fd_cache *c, const struct fd_ctx *ctx, int window_s,
				    const char *function, struct fd_metric_summary *out,
				    struct fd_err *err);

/* RDS Proxy series (rdsproxy.h), one packed row per proxy x period, merged point by
 * point like the function metrics (cache/proxymetrics.c). */
struct fd_proxy_metrics;
enum fd_status fd_cache_put_proxy_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
					  const struct fd_proxy_metrics *m, size_t n,
					  struct fd_err *err);
/* One proxy's stored series of this period; every series n == 0 when none. */
enum fd_status fd_cache_get_proxy_metrics(struct fd_cache *c, const struct fd_ctx *ctx,
					  const char *proxy, int period_s,
					  struct fd_proxy_metrics *out, struct fd_err *err);
/* The oldest of the proxies' newest stored points (for incremental fetches); 0 when
 * any of them has none. */
int64_t fd_cache_proxy_metrics_newest(struct fd_cache *c, const struct fd_ctx *ctx, int period_s,
				      const char *const *proxies, size_t n);

/* Facts about the SQS queues that are event sources (risks.h), replaced as a whole
 * (cache/queuefacts.c); read back sorted by ARN, each with its fetched_ms. */
struct fd_queue_fact;
enum fd_status fd_cache_put_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx,
					const struct fd_queue_fact *f, size_t n,
					struct fd_err *err);
/* Stores f's facts over those of the same queues; the other queues' facts stay. */
enum fd_status fd_cache_update_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx,
					   const struct fd_queue_fact *f, size_t n,
					   struct fd_err *err);
enum fd_status fd_cache_get_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx,
					struct fd_queue_fact **out, size_t *n, struct fd_err *err);
/* Frees facts whose strings the array owns (from the cache or src/queue_facts.c). */
void fd_queue_facts_free(struct fd_queue_fact *f, size_t n);

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
/* Deletes metric points and tailed log events older than max_age_s (none when max_age_s
 * <= 0) and series left empty; drops whole contexts (functions, log groups, metrics,
 * meta, log events) whose newest fetched_ms or event is more than 30 days before now_s. */
enum fd_status fd_cache_prune(struct fd_cache *c, int64_t now_s, int64_t max_age_s,
			      struct fd_err *err);
/* Empties every table. */
enum fd_status fd_cache_clear(struct fd_cache *c, struct fd_err *err);

/* Log events (cache/logstore.c): the incident history of tailed logs, per ctx, kept
 * within an age and a row count. Messages are stored as received (up to 256 KiB). */
struct fd_log_event {
	int64_t ts;                /* event time, ms */
	const char *group;
	const char *stream;
	const char *event_id;      /* unique within the group */
	const char *function;
	const char *request_id;    /* "" when none */
	int level;                 /* enum fd_level */
	const char *message;
	size_t message_len;
};
/* Inserts (events already stored are left alone), in one transaction. */
enum fd_status fd_cache_put_log_events(struct fd_cache *c, const struct fd_ctx *ctx,
				       const struct fd_log_event *ev, size_t n, struct fd_err *err);
/* Events of ctx with from_ms <= ts <= to_ms (group NULL = every group), oldest first,
 * at most max; fn sees each (pointers valid during the call). */
enum fd_status fd_cache_get_log_events(struct fd_cache *c, const struct fd_ctx *ctx,
				       const char *group, int64_t from_ms, int64_t to_ms,
				       size_t max,
				       void (*fn)(const struct fd_log_event *e, void *ud),
				       void *ud, struct fd_err *err);
/* The whole message of one event; FD_ENOTFOUND when it is not stored. */
enum fd_status fd_cache_get_log_message(struct fd_cache *c, const struct fd_ctx *ctx,
					const char *group, const char *event_id, struct fd_buf *out,
					struct fd_err *err);
/* Deletes events (every ctx) older than before_ms, then the oldest of each ctx beyond
 * max_rows (0 = no row bound). */
enum fd_status fd_cache_prune_log_events(struct fd_cache *c, int64_t before_ms, size_t max_rows,
					 struct fd_err *err);

#endif
