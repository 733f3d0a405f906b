/* model.h - the fleet state the dashboard and headless commands read for one
 * context (profile/account/region): functions, metrics summarised over a window,
 * log groups and risks; filtered and sorted rows; a background refresh that keeps
 * the cache current (stale-while-revalidate). Views never block on it: refresh
 * progresses through aws client callbacks run by the event loop. */
#ifndef FLEETDECK_MODEL_H
#define FLEETDECK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

#define FD_SPARK_POINTS 24

/* Function table columns, declared once: the dashboard, `fleetdeck functions`
 * (table/csv/json) and sort keys all come from this list.
 * X(id, json name, header, type (S str, I int, N num), width, right-aligned) */
#define FD_FN_COLUMNS(X)                                                                           \
	X(FD_FC_NAME, "name", "FUNCTION", S, 0, 0)                                                 \
	X(FD_FC_RUNTIME, "runtime", "RUNTIME", S, 13, 0)                                           \
	X(FD_FC_MEMORY, "memory_mb", "MEM", I, 5, 1)                                               \
	X(FD_FC_TIMEOUT, "timeout_s", "TMO", I, 4, 1)                                              \
	X(FD_FC_LAST_MODIFIED, "last_modified", "MODIFIED", S, 10, 0)                              \
	X(FD_FC_INVOCATIONS, "invocations", "INVOC", N, 7, 1)                                      \
	X(FD_FC_ERRORS, "errors", "ERR", N, 6, 1)                                                  \
	X(FD_FC_ERROR_PCT, "error_pct", "ERR%", N, 5, 1)                                           \
	X(FD_FC_THROTTLES, "throttles", "THR", N, 5, 1)                                            \
	X(FD_FC_P50, "p50_ms", "P50ms", N, 7, 1)                                                   \
	X(FD_FC_P99, "p99_ms", "P99ms", N, 7, 1)                                                   \
	X(FD_FC_COLD_PCT, "cold_start_pct", "COLD%", N, 5, 1)                                      \
	X(FD_FC_CONCURRENCY, "concurrency", "CONC", N, 5, 1)                                       \
	X(FD_FC_COST, "cost_usd_month", "COST", N, 8, 1)                                           \
	X(FD_FC_RISKS, "risks", "RISK", I, 4, 1)

enum fd_fn_col {
#define FD_FC_ENUM(id, json, header, type, width, right) id,
	FD_FN_COLUMNS(FD_FC_ENUM)
#undef FD_FC_ENUM
	FD_FC_COUNT
};

struct fd_fn_col_info {
	const char *json;
	const char *header;
	char type;             /* 'S', 'I', 'N' */
	int width;
	int right;
};
const struct fd_fn_col_info *fd_fn_col_info(enum fd_fn_col c);
/* By json name or header, case-insensitive; -1 when unknown. */
int fd_fn_col_find(const char *name);

struct fd_fn_row {
	const struct fd_function *fn;
	const struct fd_function_metrics *metrics; /* the window's series, read from the
						    * cache by fd_model_row (one function at a
						    * time); NULL otherwise */
	double invocations, errors, error_pct, throttles, p50, p99, max_ms, concurrency; /* NAN = no data */
	double cold_pct;  /* cold starts per 100 cached invocation records over the window;
			   * NAN when the cache holds none of the function's */
	double cost_usd_month; /* estimated monthly cost as `fleetdeck costs` computes it from
				* the cache (costs.h, the last 7 whole days); NAN when
				* nothing of it is known */
	int nrisks;
	enum fd_severity worst;
	double spark[FD_SPARK_POINTS]; /* invocations per bucket over the window; NAN = none */
};

struct fd_totals {
	size_t functions;
	double invocations, errors, throttles;
	double account_concurrency_max;   /* NAN when unknown */
	long long concurrency_limit;      /* -1 when unknown */
	long long unreserved_limit;
	int64_t account_fetched_ms;       /* when the limits were fetched; 0 unknown */
	int64_t account_used_ms;          /* when the concurrency used was fetched; 0 unknown */
	char account_error[256];          /* the account line's last failure; "" when none */
	size_t risks_by_severity[FD_SEV_COUNT];
	int dlqs_known;                   /* the queues have been read (console only) */
	size_t dlqs;
	size_t dlqs_with_messages;
	long long dlq_messages;
	double dlq_oldest_age_s;          /* NAN when unknown */
	char dlq_worst[96];               /* the DLQ with the most messages, "" when none */
};

struct fd_model_status {
	int refreshing;
	int offline;                      /* no client: cache only */
	int64_t data_fetched_ms;          /* oldest fetched_ms of what is shown; 0 = none */
	unsigned steps_done, steps_total; /* refresh progress */
	char last_error[512];             /* "" when none; formatted aws error */
	char notice[256];                 /* e.g. cache moved aside */
};

struct fd_model;

/* client may be NULL (offline). cache may be NULL (no caching). */
enum fd_status fd_model_new(struct aws_client *client, struct fd_cache *cache,
			    const struct fd_ctx *ctx, struct fd_model **out, struct fd_err *err);
void fd_model_free(struct fd_model *m);

/* The console's dashboard also summarises the dead-letter queues: with this, each
 * listing refresh also refreshes the queues (headless commands leave it off). */
void fd_model_enable_queues(struct fd_model *m);

/* The console's header also shows the account's concurrency used (the peak of
 * ConcurrentExecutions over the window): with this, each metrics refresh also sends
 * that one GetMetricData call. Every listing refresh reads the limits
 * (GetAccountSettings). */
void fd_model_enable_account_used(struct fd_model *m);
/* The COST column is on: an online model fetches the log groups' daily IncomingBytes
 * of the last 7 whole days in the background (once per UTC day and context) and the
 * rows' costs follow when it is stored. */
void fd_model_want_costs(struct fd_model *m);

/* Loads what the cache holds for ctx: instant start. */
enum fd_status fd_model_load_cache(struct fd_model *m, struct fd_err *err);

#define FD_REFRESH_LIST 0x1     /* ListFunctions */
#define FD_REFRESH_METRICS 0x2  /* GetMetricData for the window */
#define FD_REFRESH_GROUPS 0x4   /* DescribeLogGroups */
#define FD_REFRESH_DETAIL 0x8   /* per-function detail, most interesting first, resumable */
#define FD_REFRESH_ALL 0xf
#define FD_REFRESH_FORCE 0x10   /* detail: reload even functions whose detail is fresh */
/* Starts a background refresh; returns at once. Progress via fd_model_status and the
 * dirty flag. A refresh already running is not restarted. */
void fd_model_refresh(struct fd_model *m, unsigned what);
/* Runs the refresh to completion (headless). */
enum fd_status fd_model_refresh_sync(struct fd_model *m, unsigned what, struct fd_err *err);
/* Asks for one function's detail next (the one on screen). */
void fd_model_want_detail(struct fd_model *m, const char *function);
/* Stops a running refresh: in-flight calls are cancelled, what was fetched stays (and
 * the detail cursor stays in the cache, so the next refresh continues from it). */
void fd_model_cancel(struct fd_model *m);
/* Headless `fleetdeck function NAME`: lists the fleet when NAME is not known yet, then
 * loads NAME's detail, its metrics for the window, its RDS Proxy's metrics and its log
 * group. Fails only when NAME or its detail cannot be read; a part that fails adds a
 * line "<part>: <error>" to warnings (when not NULL) and the other parts still load. */
enum fd_status fd_model_refresh_function_sync(struct fd_model *m, const char *name,
                                              struct fd_buf *warnings, struct fd_err *err);
/* Headless too: reads the SQS queues that are event sources of the function (detail
 * loaded; nothing to do without such a queue) and stores their facts over those of the
 * same queues, in the model and the cache; the other queues' facts stay. FD_EAWS when
 * some queue could not be read (the others' facts are kept; its old fact stays). */
enum fd_status fd_model_refresh_function_queues_sync(struct fd_model *m, const char *name,
						     struct fd_err *err);
/* For headless commands: context, cache and (unless --offline) the client from app;
 * loads the cache, then refreshes `what` synchronously unless --offline or --stale-ok
 * (with --stale-ok an empty cache is still refreshed). --offline prints "data from
 * cache, N min old" on stderr. */
struct fd_app;
enum fd_status fd_model_open_headless(struct fd_app *app, unsigned what, struct fd_model **out,
				      struct fd_err *err);
/* With this in `what`, an --offline open loads nothing from the cache and prints no
 * cache age: the caller streams (fd_model_stream_rows) or loads (fd_model_load_cache)
 * and then calls fd_model_print_cache_age. */
#define FD_OPEN_LAZY 0x100
void fd_model_print_cache_age(const struct fd_model *m);
/* Listings that can print rows while they read the cache: sorted by name or a
 * configuration column (SQL answers the order), with no IAM facts cached (those group
 * the whole fleet). The model must not have loaded the cache. cb gets each row of the
 * filter in order (valid during the call); non-zero stops. Sets the cache age. */
typedef int (*fd_model_row_fn)(const struct fd_fn_row *r, void *ud);
int fd_model_streamable(struct fd_model *m);
enum fd_status fd_model_stream_rows(struct fd_model *m, fd_model_row_fn cb, void *ud,
				    struct fd_err *err);
/* Mutes risk checks (comma-separated ids, "*" = all) for a function ("*" = every
 * function); from the config's per-function `mute = ...`. */
void fd_model_mute(struct fd_model *m, const char *function, const char *check_ids);
/* RDS Proxy (rdsproxy.h): the config's function -> proxy map (copied), on top of the
 * names derived from the functions' endpoints; _default reads the config file's
 * [rds_proxy] section (FD_EPARSE "FILE:LINE: ..." when malformed). */
struct fd_proxy_config;
void fd_model_set_proxy_config(struct fd_model *m, const struct fd_proxy_config *c);
enum fd_status fd_model_load_proxy_config_default(struct fd_model *m, struct fd_err *err);
struct fd_proxy_metrics;
struct fd_model_proxy {
	char name[64];
	const char *endpoint;  /* the function's endpoint; NULL when only configured */
	int configured;        /* named by the config, not derived from the endpoint */
	const struct fd_proxy_metrics *metrics; /* NULL when none fetched or cached */
	int64_t from_s, to_s;  /* the window (for fd_proxy_stat) */
};
/* 1 (and *out, valid until the model's data changes) when the function uses a proxy. */
int fd_model_function_proxy(struct fd_model *m, const char *function, struct fd_model_proxy *out);
/* What was read of the SQS event-source queues (risks.h), sorted by ARN. */
struct fd_queue_fact;
size_t fd_model_queue_facts(const struct fd_model *m, const struct fd_queue_fact **facts);

/* True (once) when data changed since the last call: the UI redraws. Each call also
 * applies one small step of what the background refresh received (a few functions'
 * metrics), so a loop driving fd_model_refresh calls it every iteration. */
int fd_model_take_dirty(struct fd_model *m);
void fd_model_status(const struct fd_model *m, struct fd_model_status *out);

/* Window over which rows are summarised: 900, 3600, 10800, 86400 s. */
void fd_model_set_window(struct fd_model *m, int window_s);
int fd_model_window(const struct fd_model *m);
/* pcre2 regex on function names (case-smart: insensitive unless it has an uppercase
 * letter). Invalid: returns FD_EINVAL with "at offset N: reason", old filter kept. */
enum fd_status fd_model_set_filter(struct fd_model *m, const char *regex, struct fd_err *err);
const char *fd_model_filter(const struct fd_model *m);
void fd_model_set_sort(struct fd_model *m, enum fd_fn_col col, int descending);
void fd_model_sort(const struct fd_model *m, enum fd_fn_col *col, int *descending);

/* Filtered and sorted rows; valid until the next model call that changes data. */
size_t fd_model_rows(struct fd_model *m, const struct fd_fn_row **rows);
void fd_model_totals(struct fd_model *m, struct fd_totals *out);
const struct fd_function *fd_model_function(struct fd_model *m, const char *name);
const struct fd_fn_row *fd_model_row(struct fd_model *m, const char *name);
/* Every risk, sorted by severity (worst first) then function. */
size_t fd_model_risks(struct fd_model *m, const struct fd_risk **risks);
const struct fd_log_group *fd_model_log_group(struct fd_model *m, const char *name);

/* Raw values of a row's cell: text columns (NULL when unknown) and numeric ones
 * (NAN when there is no data). */
const char *fd_fn_row_str(const struct fd_fn_row *r, enum fd_fn_col c);
double fd_fn_row_num(const struct fd_fn_row *r, enum fd_fn_col c);
/* Cell of a row as text for tables (sanitized, no colour): "12.5", "3.2k", "-". */
void fd_fn_row_cell(const struct fd_fn_row *r, enum fd_fn_col c, char *out, size_t n);

#endif
