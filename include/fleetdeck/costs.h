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
 * Session spend: GetMetricData metrics requested by this process ($0.01 per 1,000),
 * including the IncomingBytes queries made here. Logs Insights bytes scanned and
 * Live Tail minutes have no process-wide counter yet: reported as not tracked. */
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
#define FD_GMD_USD_PER_1000_METRICS 0.01

struct fd_cost_prices {
	double ingest_usd_per_gb;
	double storage_usd_per_gb_month;
};

/* The defaults, then the FLEETDECK_LOG_*_PRICE environment. */
void fd_cost_prices_default(struct fd_cost_prices *p);
double fd_cost_ingest_month(double bytes_per_day, const struct fd_cost_prices *p);
double fd_cost_storage_month(double stored_bytes, const struct fd_cost_prices *p);

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
	char *function;
	char *group;
	int retention_days;  /* 0 = never expires, -1 = group unknown */
	double stored_bytes; /* NAN when the group is unknown */
	double ingest_bytes; /* over the window; NAN when no metric answer */
	double ingest_per_day;
	double ingest_usd_month, storage_usd_month, total_usd_month; /* NAN parts count 0 */
	const char *log_level; /* belongs to the function record */
	const char *log_level_source;
};

struct fd_log_costs {
	struct fd_log_cost_row *rows; /* by total monthly cost, highest first */
	size_t n;
	int64_t from_s, to_s;
	double days; /* window length in days */
	struct fd_cost_prices prices;
	double ingest_per_day, stored_bytes;
	double ingest_usd_month, storage_usd_month, total_usd_month;
};

/* Joins functions, their log groups (groups[i] is fns[i]'s, NULL when unknown) and the
 * ingestion days over [from_s, to_s). */
void fd_log_costs_build(const struct fd_function *const *fns,
                        const struct fd_log_group *const *groups, size_t nfns,
                        const struct fd_log_ingest_day *days, size_t ndays, int64_t from_s,
                        int64_t to_s, const struct fd_cost_prices *prices,
                        struct fd_log_costs *out);
void fd_log_costs_free(struct fd_log_costs *c);
/* The function's log group name ("/aws/lambda/NAME" unless configured). malloc'd. */
char *fd_function_log_group(const struct fd_function *fn);

/* GetMetricData body for IncomingBytes Sum per day of groups [first, first+count)
 * (query ids "m<index>_0"); NULL when the arguments make no request. */
char *fd_log_ingest_request(const char *const *groups, size_t n, size_t first, size_t count,
                            int64_t from_s, int64_t to_s, const char *next_token);
/* Fetches every group's daily IncomingBytes over [from_s, to_s) (days, UTC). */
enum fd_status fd_log_ingest_fetch_sync(struct aws_client *c, const char *const *groups, size_t n,
                                        int64_t from_s, int64_t to_s,
                                        struct fd_log_ingest_day **out, size_t *nout,
                                        struct aws_error *err);
/* IncomingBytes metrics requested by this process (they count in the session spend). */
uint64_t fd_log_ingest_metrics_requested(void);

struct fd_session_spend {
	uint64_t gmd_metrics; /* GetMetricData metrics requested */
	double gmd_usd;
	int insights_tracked; /* 0: no counter exposed yet */
	double insights_bytes, insights_usd;
	int livetail_tracked;
	double livetail_minutes, livetail_usd;
};
void fd_session_spend(struct fd_session_spend *out);

/* Cache (cache/iam.c). */
enum fd_status fd_cache_put_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx,
                                       const struct fd_log_ingest_day *days, size_t n,
                                       struct fd_err *err);
enum fd_status fd_cache_get_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_s,
                                       int64_t to_s, struct fd_log_ingest_day **out, size_t *n,
                                       struct fd_err *err);

#endif
