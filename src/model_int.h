/* model_int.h - private state of the fleet model, shared by model.c (records,
 * cache loading, merging), model_rows.c (summaries, filter, sort, cells, risks) and
 * inventory.c (the refresh pipeline). Nothing outside these files includes it. */
#ifndef FLEETDECK_MODEL_INT_H
#define FLEETDECK_MODEL_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/model.h"
#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/risks.h"

#define MODEL_MUTE_MAX 16

struct model_mute {
	char *function;                /* "*" = every function */
	char *ids[MODEL_MUTE_MAX + 1]; /* NULL-terminated */
};

struct fd_inventory;

struct fd_queues;

struct model_acct_op;

struct fd_model {
	struct aws_client *client;
	struct fd_queues *queues; /* DLQ summary for the dashboard; NULL unless enabled */
	struct fd_cache *cache;
	struct fd_ctx ctx;

	/* records, each array sorted by name (strcmp) */
	struct fd_function *fns;
	size_t nfns;
	struct fd_metric_summary *sums; /* of window_s: what the rows show */
	size_t nsums, cap_sums;
	struct fd_log_group *groups;
	size_t ngroups;
	long long concurrency_limit; /* -1 unknown */
	long long unreserved_limit;  /* -1 unknown */
	double account_conc_max;     /* NAN unknown */
	/* the account line (model_account.c) */
	int64_t account_fetched_ms;  /* when the limits were fetched; 0 unknown */
	int64_t account_used_ms;     /* when account_conc_max was fetched; 0 unknown */
	char account_error[256];     /* GetAccountSettings failed; "" when not */
	char account_used_error[256];
	int account_used_on;
	struct model_acct_op *acct_settings, *acct_used; /* in flight */
	/* the COST column's log ingestion (model_costs.c) */
	int want_costs;
	struct fd_ingest_fetch *ingest; /* in flight */
	int64_t ingest_to_s;            /* the end of the days it fetches */
	char ingest_error[512];

	struct model_mute *mutes;
	size_t nmutes;

	/* derived, rebuilt only when data, window, filter or sort change; arrays keep
	 * their capacity between rebuilds */
	struct fd_fn_row *rows; /* one per function: the view (filtered, sorted) first,
	                         * then the rows the filter hides */
	size_t nview, cap_rows;
	uint32_t *pos;          /* fns index -> rows index */
	uint32_t *order, *scratch;
	struct fd_risk *risks;
	size_t nrisks, cap_risks;
	struct fd_totals totals;
	int need_summary, need_view;
	/* one function's full series (the function view's charts), read from the cache
	 * when its row is asked for; focus_fn is the fns index whose row points at it */
	struct fd_function_metrics focus;
	size_t focus_fn;

	int window_s;
	char *filter;
	pcre2_code *re;
	pcre2_match_data *md;
	enum fd_fn_col sort_col;
	int sort_desc;

	struct fd_model_status st;
	int dirty;
	struct fd_inventory *inv;
	struct fd_iam_state *iam; /* roles and secrets for the risk checks (src/iam_model.c) */

	/* RDS Proxy series of the functions' proxies, for the window's period, and the
	 * SQS event-source facts the risk checks read (src/model_facts.c) */
	struct fd_proxy_config proxy_cfg;
	struct fd_proxy_metrics *proxies;
	size_t nproxies;
	int proxies_period;
	struct fd_queue_fact *qfacts;
	size_t nqfacts;
};

/* model.c: record updates used by the refresh pipeline. Each takes ownership of what
 * it is given and marks the model changed. */
void model_changed(struct fd_model *m);
void model_set_functions(struct fd_model *m, struct fd_function *fns, size_t n);
/* Fresh series (already stored in the cache, which summarised them): the rows take
 * the new summaries when period_s feeds the window. fresh's contents are freed. */
void model_merge_metrics(struct fd_model *m, struct fd_function_metrics *fresh, size_t n,
                         int period_s);
void model_set_groups(struct fd_model *m, struct fd_log_group *groups, size_t n);
void model_upsert_group(struct fd_model *m, struct fd_log_group *g);
void model_group_clear(struct fd_log_group *g);
/* Moves the detail part of src into the model's function of the same name; returns
 * that function, or NULL when it is no longer listed. src is freed either way. */
struct fd_function *model_apply_detail(struct fd_model *m, struct fd_function *src);
struct fd_function *model_find_function(struct fd_model *m, const char *name);
const struct fd_metric_summary *model_find_summary(const struct fd_model *m, const char *name);
/* The cached series of one function for the window (NULL without a cache). */
const struct fd_function_metrics *model_focus(struct fd_model *m, const char *name);
int model_period_for(int window_s);
void model_set_error(struct fd_model *m, const char *msg);

/* model_rows.c */
void model_ensure_summary(struct fd_model *m);
/* The row of m->fns[i] (after model_ensure_summary). */
struct fd_fn_row *model_row_at(struct fd_model *m, size_t i);
/* The rows of the named functions after their summaries (or, with detail, their
 * detail records) changed. */
void model_rows_update(struct fd_model *m, const char *const *changed, size_t n, int detail);
void model_rows_free(struct fd_model *m);
/* The row of fn, a record the model does not hold (streamed listings): risks counted,
 * not kept; IAM facts do not apply (stream only when there are none). */
void model_row_fill(struct fd_model *m, struct fd_fn_row *r, const struct fd_function *fn,
                    const struct fd_metric_summary *sum, int64_t now_s);
/* The filter accepts fn's name. */
int model_row_matches(struct fd_model *m, const struct fd_function *fn);

/* model_costs.c: each row's estimated monthly cost from the cache (ingestion days,
 * log groups, INIT of the cached invocation records), as `fleetdeck costs` has it. */
#define MODEL_COST_DAYS 7
void model_apply_costs(struct fd_model *m);
/* Starts the background IncomingBytes fetch when the column is wanted, the model is
 * online and today's days are not fetched yet; cancel stops it; busy: in flight. */
void model_ingest_refresh(struct fd_model *m);
void model_ingest_cancel(struct fd_model *m);
int model_ingest_busy(const struct fd_model *m);
/* The COST cell: "$0.42", "$12.50", "$1234", "$12.3k", "$1.2M". */
void model_format_usd(double v, char *out, size_t n);

/* model_account.c: limits and concurrency used, fetched beside the pipeline. A
 * number kept in the cache's meta table for the model's context: -1 when absent;
 * a failure to store it is the model's last error. */
long long model_meta_ll(struct fd_model *m, const char *key);
void model_meta_put_ll(struct fd_model *m, const char *key, long long v);
void model_account_load_cache(struct fd_model *m);
void model_account_window_changed(struct fd_model *m);
void model_account_refresh(struct fd_model *m, unsigned what);
int model_account_busy(const struct fd_model *m);
/* Orphans the calls in flight: their answers are dropped. */
void model_account_cancel(struct fd_model *m);
void model_account_totals(const struct fd_model *m, struct fd_totals *t);

/* The refresh pipeline (inventory.c; detail queue in model_detail.c). */
#define DETAIL_INFLIGHT 4
#define DETAIL_TTL_MS (6LL * 3600 * 1000)
#define WANTED_MAX 64
#define CURSOR_KEY "detail_cursor"

enum stage {
	STAGE_LIST,
	STAGE_METRICS,
	STAGE_PROXIES,
	STAGE_GROUPS,
	STAGE_DETAIL,
	STAGE_QUEUE_FACTS,
	STAGE_DONE
};

/* One asynchronous step in flight. When the refresh is cancelled the op is orphaned
 * (inv = NULL): calls that cannot be stopped finish into it and it frees itself. */
struct inv_op {
	struct fd_inventory *inv;
	uint64_t call;
	/* list */
	struct fd_function *fns;
	size_t nfns, capfns;
	int64_t mark;            /* the listing's mark in the cache (0: not written) */
	/* metrics */
	char **names;
	struct fd_function_metrics *mets;
	size_t nnames;
	struct cw_window w;
	int64_t covered_from;
	size_t *ready, *ready_n; /* answered batches not yet applied: first, count */
	size_t nready, iready, ready_done; /* ready_done: of batch iready, applied */
	int fetched;             /* the fetch ended (with fetch_st, fetch_err) */
	enum fd_status fetch_st;
	struct aws_error fetch_err;
	int has_fetch_err;
	/* groups */
	struct fd_log_group *groups;
	size_t ngroups, capgroups;
	char **prefixes;
	size_t nprefixes, iprefix;
	/* detail */
	struct fd_function fn;
	int from_rest;
};

struct fd_inventory {
	struct fd_model *m;
	unsigned what;
	int stage;
	int abort_rest;
	enum fd_status first_st;
	char first_msg[512];
	struct inv_op *op; /* list / metrics / groups step */
	struct inv_op *jobs[DETAIL_INFLIGHT];
	char **wanted; /* most recent first */
	size_t nwanted;
	char **queue;
	size_t nqueue, iqueue, nhot;
	struct proxy_op *pop;            /* STAGE_PROXIES (model_facts.c) */
	struct fd_qfacts_job *qjob;      /* STAGE_QUEUE_FACTS */
};

struct fd_inventory *inv_get(struct fd_model *m);
void inventory_free(struct fd_model *m);
struct inv_op *inv_op_new(struct fd_inventory *inv);
void inv_op_free(struct inv_op *op);
void inv_free_strv(char **v, size_t n);
/* Records a step's failure; the first one is what refresh_sync reports. */
void inv_record_error(struct fd_inventory *inv, enum fd_status st, const struct aws_error *e);
void inv_cache_error(struct fd_inventory *inv, enum fd_status st, const struct fd_err *err);
void inv_stage_done(struct fd_inventory *inv);
/* Applies a few functions of an answered batch of metrics (cache, then rows); returns
 * 1 when it did something. The answers are queued by their callbacks and applied a
 * step at a time, so a burst of them never holds the loop up (inventory.c). */
int inventory_step(struct fd_model *m);
/* model_detail.c: returns 1 while loads run (the stage ends from their callbacks). */
int inv_start_detail(struct fd_inventory *inv);

/* model_facts.c: RDS Proxy metrics and SQS queue facts. The stages return 1 while
 * their calls run (the stage then ends from their callbacks). */
int inv_start_proxies(struct fd_inventory *inv);
int inv_start_queue_facts(struct fd_inventory *inv);
void inv_facts_cancel(struct fd_inventory *inv);
void model_facts_free(struct fd_model *m);
enum fd_status model_facts_load_cache(struct fd_model *m, struct fd_err *err);
/* The named function's proxy metrics for the window, fetched now (headless). */
enum fd_status model_proxy_sync(struct fd_model *m, const char *function, struct fd_err *err);

#endif
