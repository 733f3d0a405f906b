/* costs.h - what the fleet's logs cost and what fleetdeck itself spent this session.
 *
 * Log cost per function and for the fleet: ingestion per day (CloudWatch AWS/Logs
 * IncomingBytes per log group, Sum per day over the window), stored bytes and
 * retention (DescribeLogGroups), and the estimated monthly cost
 *   ingestion: bytes/day x 30 / 2^30 x ingest price      ($/GB ingested)
 *   storage:   stored bytes / 2^30 x storage price        ($/GB-month)
 * The default prices are the us-east-1 CloudWatch Logs standard-class list prices,
 * FD_LOG_INGEST_USD_PER_GB and FD_LOG_STORAGE_USD_PER_GB_MONTH, declared together in
 * risks.h (the only place they are written). --ingest-price / --storage-price, or the
 * environment FLEETDECK_LOG_INGEST_PRICE / FLEETDECK_LOG_STORAGE_PRICE, replace them.
 * Months are 30 days; GB is 2^30 bytes, as the risk board counts it.
 *
 * INIT: the on-demand INIT GB-seconds of the cold starts in the cached invocation
 * records over the window at the Lambda GB-second price, scaled to a month
 * (x 30 / window days). A function's estimated monthly cost (the dashboard's COST
 * column, `functions` cost_usd_month) is ingestion + storage + INIT per month.
 *
 * fleetdeck's own API spend: GetMetricData metrics requested, Logs Insights bytes
 * scanned (GetQueryResults statistics of every query fleetdeck ran) and Live Tail
 * session seconds, counted for this process and recorded in the cache per account
 * and region with their time (api_spend), so `costs --since` can sum them. The API
 * prices are the FD_*_USD_* defines below: the one place they are written. */
#ifndef FLEETDECK_COSTS_H
#define FLEETDECK_COSTS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/risks.h"
#include "fleetdeck/status.h"

struct aws_client;
struct aws_error;
struct fd_cache;

#define FD_COST_DAYS_PER_MONTH 30.0
#define FD_COST_BYTES_PER_GB 1073741824.0
/* us-east-1 list prices of fleetdeck's own API use. */
#define FD_GMD_USD_PER_1000_METRICS 0.01 /* GetMetricData, per 1,000 metrics requested */
#define FD_INSIGHTS_USD_PER_GB 0.005     /* Logs Insights, per GB (2^30 bytes) scanned */
#define FD_LIVE_TAIL_USD_PER_MINUTE 0.01 /* Live Tail, per session minute */

struct fd_cost_prices {
	double ingest_usd_per_gb;
	double storage_usd_per_gb_month;
};

/* The defaults, then the FLEETDECK_LOG_*_PRICE environment. */
void fd_cost_prices_default(struct fd_cost_prices *p);
double fd_cost_ingest_month(double bytes_per_day, const struct fd_cost_prices *p);
double fd_cost_storage_month(double stored_bytes, const struct fd_cost_prices *p);
/* What Logs Insights charges for scanning bytes. */
double fd_cost_insights_usd(double bytes);
/* What GetMetricData charges for the metrics requested, and per hour for a refresh of
 * metrics_per_refresh every period_s seconds (0 when period_s is not positive). */
double fd_cost_gmd_usd(double metrics);
double fd_cost_gmd_usd_hour(double metrics_per_refresh, int period_s);

/* The log level in use and where it comes from: LoggingConfig ApplicationLogLevel
 * ("logging config"), else POWERTOOLS_LOG_LEVEL, else LOG_LEVEL; NULL when none. The
 * level is returned as written. */
const char *fd_function_log_level(const struct fd_function *fn, const char **source);
/* DEBUG or TRACE, case-insensitive. */
int fd_log_level_is_debug(const char *level);

/* Ingestion per log group and day (day_s: UTC midnight). */
struct fd_log_ingest_day {
	char *group;
	int64_t day_s;
	double bytes;
};
void fd_log_ingest_days_free(struct fd_log_ingest_day *d, size_t n);

struct fd_log_cost_row {
	size_t index; /* of the function in fd_log_costs_build's fns */
	char *function;
	char *group;
	int retention_days;  /* 0 = never expires, -1 = group unknown */
	double stored_bytes; /* NAN when the group is unknown */
	double ingest_bytes; /* over the window; NAN when no metric answer */
	double ingest_per_day;
	double ingest_usd_month, storage_usd_month, total_usd_month; /* NAN parts count 0 */
	const char *log_level; /* belongs to the function record */
	const char *log_level_source;
	double init_usd_window, init_usd_month; /* NAN when no cold start is known */
	double cost_usd_month;                  /* total + INIT per month */
};

struct fd_log_costs {
	struct fd_log_cost_row *rows; /* by total monthly cost, highest first */
	size_t n;
	int64_t from_s, to_s;
	double days; /* window length in days */
	struct fd_cost_prices prices;
	double ingest_per_day, stored_bytes;
	double ingest_usd_month, storage_usd_month, total_usd_month;
	double init_usd_window, init_usd_month, cost_usd_month;
};

/* Joins functions, their log groups (groups[i] is fns[i]'s, NULL when unknown) and the
 * ingestion days over [from_s, to_s). */
void fd_log_costs_build(const struct fd_function *const *fns,
                        const struct fd_log_group *const *groups, size_t nfns,
                        const struct fd_log_ingest_day *days, size_t ndays, int64_t from_s,
                        int64_t to_s, const struct fd_cost_prices *prices,
                        struct fd_log_costs *out);
void fd_log_costs_free(struct fd_log_costs *c);

/* On-demand INIT $ per function over a window. */
struct fd_init_cost {
	char function[72];
	double gb_s, usd;
};
/* From the cached invocation records of ctx over [from_s, to_s) at price_per_gb_s
 * (0 = FD_COLDSTART_PRICE_DEFAULT); sorted by function (strcmp). */
enum fd_status fd_init_costs_load(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_s,
                                  int64_t to_s, double price_per_gb_s, struct fd_init_cost **out,
                                  size_t *n, struct fd_err *err);
/* Adds INIT to the table (init sorted by function): per row and fleet, the window's
 * INIT, per month, and the monthly cost; the rows are then ordered by that cost. */
void fd_log_costs_apply_init(struct fd_log_costs *c, const struct fd_init_cost *init, size_t n);
/* The whole table from the cache alone (ingestion days, INIT) over the `days` whole
 * UTC days before now: what `fleetdeck costs --offline --since Nd` computes. */
void fd_log_costs_cached(struct fd_cache *cache, const struct fd_ctx *ctx,
                         const struct fd_function *const *fns,
                         const struct fd_log_group *const *groups, size_t nfns, int days,
                         struct fd_log_costs *out);
/* The function's log group name ("/aws/lambda/NAME" unless configured). malloc'd. */
char *fd_function_log_group(const struct fd_function *fn);

/* GetMetricData body for IncomingBytes Sum per day of groups [first, first+count)
 * (query ids "m<index>_0"); NULL when the arguments make no request. */
char *fd_log_ingest_request(const char *const *groups, size_t n, size_t first, size_t count,
                            int64_t from_s, int64_t to_s, const char *next_token);
/* Fetches every group's daily IncomingBytes over [from_s, to_s) (days, UTC) in the
 * background, one GetMetricData call in flight. done runs once from aws_client_wait()
 * with the days (which it then owns; NULL on failure) unless the job is cancelled.
 * NULL when there are no groups (nothing starts, done never runs). */
struct fd_ingest_fetch;
typedef void (*fd_ingest_done_fn)(enum fd_status st, const struct aws_error *e,
                                  struct fd_log_ingest_day *days, size_t n, void *ud);
struct fd_ingest_fetch *fd_log_ingest_fetch_start(struct aws_client *c,
                                                  const char *const *groups, size_t n,
                                                  int64_t from_s, int64_t to_s,
                                                  fd_ingest_done_fn done, void *ud);
/* Stops a job before done ran (its call is cancelled, done never runs). */
void fd_log_ingest_fetch_cancel(struct fd_ingest_fetch *j);
/* The same, run to completion. */
enum fd_status fd_log_ingest_fetch_sync(struct aws_client *c, const char *const *groups, size_t n,
                                        int64_t from_s, int64_t to_s,
                                        struct fd_log_ingest_day **out, size_t *nout,
                                        struct aws_error *err);
/* IncomingBytes metrics requested by this process (they count in the session spend). */
uint64_t fd_log_ingest_metrics_requested(void);

/* ---- fleetdeck's own API spend ---- */

enum fd_spend_kind {
	FD_SPEND_GMD_METRICS,    /* GetMetricData metrics requested */
	FD_SPEND_INSIGHTS_BYTES, /* Logs Insights bytes scanned */
	FD_SPEND_LIVE_TAIL_S,    /* Live Tail session seconds */
	FD_SPEND_KINDS
};
/* The name stored in the cache: "gmd_metrics", "insights_bytes", "live_tail_seconds". */
const char *fd_spend_kind_name(enum fd_spend_kind k);

struct fd_session_spend {
	uint64_t gmd_metrics;
	double gmd_usd;
	double insights_bytes, insights_usd;
	double livetail_minutes, livetail_usd;
	double total_usd;
};
/* Prices amounts (indexed by fd_spend_kind). */
void fd_spend_price(const double amount[FD_SPEND_KINDS], struct fd_session_spend *out);
/* What this process spent. */
void fd_session_spend(struct fd_session_spend *out);

/* Where records go: the cache of app under app's account and region (looked at when a
 * record is made; a record made before they are known waits for fd_spend_flush). */
struct fd_app;
void fd_spend_attach(struct fd_app *app);
/* Counts amount for this process and records it (time: fd_wall_now_ms). */
void fd_spend_record(enum fd_spend_kind k, double amount);
/* Writes the records still waiting and the GetMetricData metrics requested since the
 * last flush (opening the cache and learning the account if need be); at exit. */
void fd_spend_flush(void);

/* Cache (cache/spend.c): one row per record, kept per account and region. */
enum fd_status fd_cache_put_spend(struct fd_cache *c, const char *account, const char *region,
                                  enum fd_spend_kind k, int64_t ts_ms, double amount,
                                  struct fd_err *err);
/* Sums of each kind over [from_ms, to_ms). */
enum fd_status fd_cache_sum_spend(struct fd_cache *c, const char *account, const char *region,
                                  int64_t from_ms, int64_t to_ms, double amount[FD_SPEND_KINDS],
                                  struct fd_err *err);
/* On-demand INIT GB-seconds per function over [from_ms, to_ms) (as the cold-start
 * table counts them), sorted by function; usd left 0. */
enum fd_status fd_cache_init_gb_s(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_ms,
                                  int64_t to_ms, struct fd_init_cost **out, size_t *n,
                                  struct fd_err *err);

/* Cache (cache/iam.c). */
enum fd_status fd_cache_put_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx,
                                       const struct fd_log_ingest_day *days, size_t n,
                                       struct fd_err *err);
enum fd_status fd_cache_get_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_s,
                                       int64_t to_s, struct fd_log_ingest_day **out, size_t *n,
                                       struct fd_err *err);

#endif
