/* cwmetrics.h - CloudWatch GetMetricData for function metrics: queries batched at
 * <= 500 per call, paged by NextToken, answers turned into struct fd_series. */
#ifndef FLEETDECK_CWMETRICS_H
#define FLEETDECK_CWMETRICS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"

#define CW_MAX_QUERIES 500

struct cw_window {
	int64_t start_s;       /* inclusive, aligned to period */
	int64_t end_s;         /* exclusive */
	int period_s;          /* 60 or 300 */
};

/* Account-level series (no dimensions). */
struct cw_account_metrics {
	struct fd_series concurrent;   /* ConcurrentExecutions Maximum */
	struct fd_series unreserved;   /* UnreservedConcurrentExecutions Maximum */
};

/* Fetches every FD_METRIC_LIST metric for the named functions over the window, in
 * batches of whole functions (CW_BATCH_FUNCTIONS a call, more pages as needed), up to
 * CW_MAX_INFLIGHT calls at a time within the client's rate limit. out[i] matches
 * names[i]. GetMetricData's cost: cw_metrics_requested() and fd_cost_gmd_usd() (costs.h). out holds
 * n zeroed records (or ones from an earlier fetch) and must stay alive until done
 * runs; a batch's series are made when its call starts; names are copied.
 * batch (optional) runs as each batch of functions [first, first + n) has all its
 * answers, before done: it may take or free those records; returning non-zero starts
 * no further batch (done then gets FD_ECANCELLED). */
#define CW_BATCH_FUNCTIONS (CW_MAX_QUERIES / FD_M_COUNT)
#define CW_MAX_INFLIGHT 12
struct cw_fetch_cb {
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
	int (*batch)(size_t first, size_t n, void *ud);
};
uint64_t cw_fetch_functions(struct aws_client *c, const char *const *names, size_t n,
			    const struct cw_window *w, struct fd_function_metrics *out,
			    const struct cw_fetch_cb *cb);
enum fd_status cw_fetch_functions_sync(struct aws_client *c, const char *const *names, size_t n,
				       const struct cw_window *w, struct fd_function_metrics *out,
				       struct aws_error *err);
/* The two account series in one GetMetricData call; out must stay alive until
 * cb->done runs (cb->batch is not used). */
uint64_t cw_fetch_account(struct aws_client *c, const struct cw_window *w,
			  struct cw_account_metrics *out, const struct cw_fetch_cb *cb);
enum fd_status cw_fetch_account_sync(struct aws_client *c, const struct cw_window *w,
				     struct cw_account_metrics *out, struct aws_error *err);
void cw_account_metrics_free(struct cw_account_metrics *m);

/* Builds the GetMetricData body for queries [first, first+count) of the
 * functions x metrics grid (query ids "m<fn>_<metric>"). */
char *cw_build_request(const char *const *names, size_t n, size_t first, size_t count,
		       const struct cw_window *w, const char *next_token);
/* Parses one answer into out (indexed like names); returns next token or NULL.
 * Series are (re)made NAN-filled over w unless they already cover exactly w, so pages
 * accumulate. A query answered InternalError/Forbidden leaves its series NAN: the
 * call still returns FD_OK, and the first such failure is put in err (status FD_EAWS)
 * when err->status was FD_OK. Callbacks and _sync report it the same way: FD_OK with
 * e/err->status == FD_EAWS. */
enum fd_status cw_parse_response(const char *json, size_t len, const struct cw_window *w,
				 struct fd_function_metrics *out, size_t n, char **next_token,
				 struct fd_err *err);

/* RDS Proxy metrics (rdsproxy.h): FD_PQ_COUNT queries per proxy (AWS/RDS, dimension
 * ProxyName, ids "p<proxy>_<query>"), packed CW_MAX_QUERIES to a call and paged like
 * the function grid. out[i] matches proxies[i]; its series are made NAN-filled over w
 * when the fetch starts, fetched_ms set when it ends well. done as above (no batch). */
struct fd_proxy_metrics;
uint64_t cw_fetch_proxies(struct aws_client *c, const char *const *proxies, size_t n,
			  const struct cw_window *w, struct fd_proxy_metrics *out,
			  const struct cw_fetch_cb *cb);
enum fd_status cw_fetch_proxies_sync(struct aws_client *c, const char *const *proxies, size_t n,
				     const struct cw_window *w, struct fd_proxy_metrics *out,
				     struct aws_error *err);
char *cw_build_proxy_request(const char *const *proxies, size_t n, size_t first, size_t count,
			     const struct cw_window *w, const char *next_token);
enum fd_status cw_parse_proxy_response(const char *json, size_t len, const struct cw_window *w,
				       struct fd_proxy_metrics *out, size_t n, char **next_token,
				       struct fd_err *err);

/* Metrics requested by this process so far (queries x calls, pages included). */
uint64_t cw_metrics_requested(void);

#endif
