/* coldstarts.h - cold-start statistics per function, version (and its alias),
 * runtime, memory size and architecture: invocations, cold starts, rate, INIT and
 * SnapStart restore percentiles, provisioned concurrency and spill-over, the INIT
 * billing estimate, cold starts per 5 minutes, and the suggestions that apply. Two
 * sources fill the same table: the cached invocation records (streamed row by row;
 * a million rows in well under a second), or a Logs Insights `stats` query over the
 * fleet's log groups for windows the cache does not hold.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is the value
 * at 1-based rank ceil(p / 100 * n) (rank 1 for p = 0), so it is always one of the
 * values seen. Insights computes its own (approximate) percentiles server-side. */
#ifndef FLEETDECK_COLDSTARTS_H
#define FLEETDECK_COLDSTARTS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/costs.h"
#include "fleetdeck/fleet.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/status.h"

#define FD_COLDSTART_PRICE_DEFAULT 0.0000166667 /* $ per GB-second (x86, us-east-1) */
#define FD_COLDSTART_BUCKET_S 300
#define FD_COLDSTART_MAX_BUCKETS 2016           /* 7 days of 5-minute buckets */

struct fd_coldstart_opts {
	int64_t from_ms, to_ms;
	const char *const *functions; /* only these (NULL = every function) */
	size_t nfunctions;
	double price_per_gb_s;     /* 0 = FD_COLDSTART_PRICE_DEFAULT */
	int keep_values;           /* keep each row's sorted INIT durations (histograms) */
};

struct fd_coldstart_row {
	char function[72];
	char version[40];          /* "" from Insights (it groups by log group) */
	char alias[40];
	char runtime[32];
	char architecture[16];
	int memory_mb;
	long long invocations, cold_starts, restores;
	double rate;               /* cold_starts / invocations */
	double init_p50, init_p90, init_p99, init_max;         /* ms; NAN when none */
	double restore_p50, restore_p90, restore_p99, restore_max;
	double init_sum_ms;
	int provisioned;           /* provisioned concurrency on this version/alias */
	int provisioned_available;
	long long spillover;       /* on-demand cold starts where provisioned exists */
	int snapstart;             /* configured, or restores seen */
	double init_gb_s, init_cost; /* on-demand INIT: GB-seconds and $ */
	double impact;             /* rate x p99 init (s) x invocations */
	int64_t trend_start_ms;
	size_t ntrend;
	int *trend;                /* cold starts per 5 minutes from trend_start_ms */
	double *init_values;       /* sorted (keep_values), ninit of them */
	size_t ninit;
};

struct fd_coldstarts {
	struct fd_coldstart_row *rows; /* by impact, highest first */
	size_t n;
	int64_t from_ms, to_ms;
	int server;                /* from Logs Insights */
	double price_per_gb_s;
	long long invocations, cold_starts;
	double records_scanned, bytes_scanned; /* Insights statistics */
};

void fd_coldstarts_free(struct fd_coldstarts *cs);

/* Nearest-rank percentile of n sorted values; NAN when n == 0. */
double fd_percentile_nearest_rank(const double *sorted, size_t n, double p);
/* java11+, python3.12+, dotnet8+ (SnapStart runtimes). */
int fd_snapstart_supported(const char *runtime);

/* The accumulator both sources and the tests feed. */
struct fd_cs_acc;
struct fd_cs_acc *fd_cs_acc_new(const struct fd_coldstart_opts *o);
void fd_cs_acc_add(struct fd_cs_acc *a, const struct fd_inv_sample *s);
/* Builds the table (joined with the inventory fns, may be NULL) and frees a. */
void fd_cs_acc_finish(struct fd_cs_acc *a, const struct fd_function *fns, size_t nfns,
		      struct fd_coldstarts *out);

/* From the cached invocation records of ctx. */
enum fd_status fd_coldstarts_local(struct fd_cache *c, const struct fd_ctx *ctx,
				   const struct fd_coldstart_opts *o, const struct fd_function *fns,
				   size_t nfns, struct fd_coldstarts *out, struct fd_err *err);

/* Suggestions that apply to a row. */
enum fd_cs_suggest_kind {
	FD_CS_PROVISIONED,         /* add provisioned concurrency */
	FD_CS_PROVISIONED_RAISE,   /* provisioned exists but spills over */
	FD_CS_SNAPSTART,
	FD_CS_MEMORY,
};

struct fd_cs_suggestion {
	enum fd_cs_suggest_kind kind;
	char text[256];
};

size_t fd_coldstart_suggest(const struct fd_coldstart_row *r, struct fd_cs_suggestion *out,
			    size_t max);

/* ---- server side: Logs Insights ---- */

struct aws_client;

struct fd_cs_target {
	const char *function;
	const char *group;
};

struct fd_cs_progress {
	unsigned queries_total, queries_done;
	int done;
	int cancelled;
	double records_scanned, records_matched, bytes_scanned;
	enum fd_status st;
	char error[256];
};

/* The query text: the totals per log group, or cold starts per 5 minutes. */
const char *fd_coldstarts_query(int trend);

struct fd_cs_server;

enum fd_status fd_cs_server_start(struct aws_client *c, const struct fd_cs_target *t, size_t n,
				  const struct fd_coldstart_opts *o, struct fd_cs_server **out,
				  struct fd_err *err);
/* Starts the polls that are due; returns ms until it wants to run again. */
int fd_cs_server_tick(struct fd_cs_server *s);
void fd_cs_server_progress(const struct fd_cs_server *s, struct fd_cs_progress *out);
/* Stops the running queries (StopQuery) and what is in flight. */
void fd_cs_server_cancel(struct fd_cs_server *s);
/* The table from what finished (partial after a cancel). */
void fd_cs_server_result(const struct fd_cs_server *s, const struct fd_function *fns,
			 size_t nfns, struct fd_coldstarts *out);
void fd_cs_server_free(struct fd_cs_server *s);
/* Headless: runs the queries to the end; progress (may be NULL) is called as it moves. */
enum fd_status fd_coldstarts_server(struct aws_client *c, const struct fd_cs_target *t,
				    size_t n, const struct fd_coldstart_opts *o,
				    const struct fd_function *fns, size_t nfns,
				    void (*progress)(const struct fd_cs_progress *p, void *ud),
				    void *ud, struct fd_coldstarts *out, struct fd_err *err);

#endif
