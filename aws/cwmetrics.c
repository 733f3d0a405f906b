/* cwmetrics.c - CloudWatch GetMetricData (awsJson 1.0) for the function metrics grid:
 * every FD_METRIC_LIST metric of every function, at most CW_MAX_QUERIES queries per
 * call, each batch paged by NextToken (PartialData), answers mapped back by query id
 * into regular series over the window (NAN where CloudWatch has no point). Answers
 * are parsed in cwmetrics_parse.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/rdsproxy.h"
#include "cwmetrics_int.h"

#define CW_MAX_DATAPOINTS 100800 /* GetMetricData's per-call maximum */
#define CW_MAX_PAGES 1000
#define CW_SYNC_WAIT_MS 1000

static uint64_t metrics_requested; /* one process, one loop: no locking needed */

uint64_t
cw_metrics_requested(void)
{
	return metrics_requested;
}

int
cw_window_points(const struct cw_window *w, size_t *n)
{
	int64_t span;

	if (!w || w->period_s <= 0 || w->end_s <= w->start_s)
		return -1;
	span = w->end_s - w->start_s;
	if (span / w->period_s >= CW_MAX_DATAPOINTS)
		return -1;
	*n = (size_t)((span + w->period_s - 1) / w->period_s);
	return 0;
}

/* ---- request ---- */

struct cw_query {
	char id[48];
	const struct fd_metric_info *mi;
	const char *function; /* the dimension's value; NULL = account level */
	const char *dim;      /* its name; NULL = FunctionName */
};

static cJSON *
query_json(const struct cw_query *q, int period)
{
	cJSON *o = cJSON_CreateObject(), *stat, *metric, *dims, *d;

	cJSON_AddStringToObject(o, "Id", q->id);
	stat = cJSON_AddObjectToObject(o, "MetricStat");
	metric = cJSON_AddObjectToObject(stat, "Metric");
	cJSON_AddStringToObject(metric, "Namespace", q->mi->ns);
	cJSON_AddStringToObject(metric, "MetricName", q->mi->name);
	if (q->function) {
		dims = cJSON_AddArrayToObject(metric, "Dimensions");
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "Name", q->dim ? q->dim : "FunctionName");
		cJSON_AddStringToObject(d, "Value", q->function);
		cJSON_AddItemToArray(dims, d);
	}
	cJSON_AddNumberToObject(stat, "Period", period);
	cJSON_AddStringToObject(stat, "Stat", q->mi->stat);
	cJSON_AddBoolToObject(o, "ReturnData", 1);
	return o;
}

static char *
build_body(const struct cw_query *qs, size_t nq, const struct cw_window *w, const char *token)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	char *out;
	size_t i;

	arr = cJSON_AddArrayToObject(doc, "MetricDataQueries");
	for (i = 0; i < nq; i++)
		cJSON_AddItemToArray(arr, query_json(&qs[i], w->period_s));
	cJSON_AddNumberToObject(doc, "StartTime", (double)w->start_s);
	cJSON_AddNumberToObject(doc, "EndTime", (double)w->end_s);
	cJSON_AddStringToObject(doc, "ScanBy", "TimestampAscending");
	cJSON_AddNumberToObject(doc, "MaxDatapoints", CW_MAX_DATAPOINTS);
	if (token)
		cJSON_AddStringToObject(doc, "NextToken", token);
	out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!out)
		fd_fatal("out of memory building a GetMetricData request");
	return out;
}

char *
cw_build_request(const char *const *names, size_t n, size_t first, size_t count,
		 const struct cw_window *w, const char *next_token)
{
	struct cw_query *qs;
	size_t total = n * FD_M_COUNT, i, pts;
	char *body;

	if (cw_window_points(w, &pts) != 0 || first >= total || count == 0)
		return NULL;
	count = FD_MIN(FD_MIN(count, total - first), (size_t)CW_MAX_QUERIES);
	qs = fd_xcalloc(count, sizeof(*qs));
	for (i = 0; i < count; i++) {
		size_t q = first + i;

		snprintf(qs[i].id, sizeof(qs[i].id), "m%zu_%zu", q / FD_M_COUNT, q % FD_M_COUNT);
		qs[i].mi = fd_metric_info((enum fd_metric)(q % FD_M_COUNT));
		qs[i].function = names[q / FD_M_COUNT];
	}
	body = build_body(qs, count, w, next_token);
	free(qs);
	return body;
}

/* ---- fetching ---- */

/* A job is split into batches (CW_BATCH_FUNCTIONS whole functions, or the fixed
 * queries), each paged on its own. At most CW_MAX_INFLIGHT batches run at a time: the
 * rate limiter still decides when each call goes, but request bodies and answers for
 * thousands of functions are never all held at once, and other calls are not queued
 * behind hundreds of GetMetricData ones. */
struct cw_job;

struct cw_batch {
	struct cw_job *job;
	size_t first, count;       /* queries */
	struct aws_pager pager;
	char *sent_token;
};

struct cw_job {
	struct aws_client *c;
	char **names;
	size_t n;
	struct cw_window w;
	size_t npts;
	struct cw_query *fixed;    /* account queries; NULL = the functions grid */
	size_t nfixed;
	series_find_fn find;
	void *find_ctx;
	struct cw_grid grid;
	struct cw_batch *batches;
	size_t nbatches, next, inflight;
	int pumping, stop;
	enum fd_status st;
	struct aws_error err;
	struct fd_err warn;        /* first per-query failure */
	struct cw_fetch_cb cb;
};

static void
error_from_status(struct aws_error *e, enum fd_status st, const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->status = st;
	e->retry_after_ms = -1;
	fd_strlcpy(e->service, "CloudWatch", sizeof(e->service));
	fd_strlcpy(e->op, "GetMetricData", sizeof(e->op));
	fd_strlcpy(e->message, msg && msg[0] ? msg : fd_status_str(st), sizeof(e->message));
}

static void
grid_prepare(struct fd_function_metrics *out, const char *const *names, size_t n,
	     const struct cw_window *w, size_t npts)
{
	size_t i, m;

	for (i = 0; i < n; i++) {
		if (!out[i].function)
			out[i].function = fd_xstrdup(names[i]);
		for (m = 0; m < FD_M_COUNT; m++)
			cw_series_prepare(&out[i].s[m], w, npts);
	}
}

static void
batch_build(struct aws_request *r, const char *token, void *ud)
{
	struct cw_batch *b = ud;
	struct cw_job *j = b->job;
	size_t fn = b->first / FD_M_COUNT;
	char *body;

	aws_request_init(r, AWS_SVC_MONITORING, "GetMetricData");
	if (j->fixed) {
		body = build_body(j->fixed + b->first, b->count, &j->w, token);
	} else {
		if (!token)
			grid_prepare(j->grid.out + fn, (const char *const *)j->names + fn,
				     b->count / FD_M_COUNT, &j->w, j->npts);
		body = cw_build_request((const char *const *)j->names, j->n, b->first, b->count,
					&j->w, token);
	}
	aws_request_json(r, body, strlen(body));
	free(body);
	metrics_requested += b->count;
	free(b->sent_token);
	b->sent_token = token ? fd_xstrdup(token) : NULL;
}

static char *
batch_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct cw_batch *b = ud;
	struct cw_job *j = b->job;
	struct fd_err local = {0};
	char *next = NULL;

	if (cw_parse_results(resp->body.data, resp->body.len, &j->w, j->find, j->find_ctx, &next,
			  &local) != FD_OK) {
		fd_err_set(err, local.status, "%s", local.msg);
		return NULL;
	}
	if (local.status != FD_OK && j->warn.status == FD_OK)
		j->warn = local;
	if (next && b->sent_token && strcmp(next, b->sent_token) == 0) {
		free(next);
		fd_err_set(err, FD_EPARSE, "GetMetricData: NextToken repeats the token sent");
		return NULL;
	}
	return next;
}

static void
job_free(struct cw_job *j)
{
	size_t i;

	for (i = 0; i < j->nbatches; i++)
		free(j->batches[i].sent_token);
	for (i = 0; i < j->n; i++)
		free(j->names[i]);
	free(j->names);
	free(j->batches);
	free(j->fixed);
	free(j);
}

static void
job_finish(struct cw_job *j)
{
	struct aws_error warn;
	int64_t now = fd_wall_now_ms();
	size_t i;

	for (i = 0; j->st == FD_OK && i < j->grid.n; i++)
		j->grid.out[i].fetched_ms = now;
	if (j->st != FD_OK) {
		j->cb.done(j->st, &j->err, j->cb.ud);
	} else if (j->warn.status != FD_OK) {
		error_from_status(&warn, j->warn.status, j->warn.msg);
		j->cb.done(FD_OK, &warn, j->cb.ud);
	} else {
		j->cb.done(FD_OK, NULL, j->cb.ud);
	}
	job_free(j);
}

/* Hands a finished batch of functions to the caller; it may ask to stop. */
static void
batch_deliver(struct cw_job *j, const struct cw_batch *b)
{
	size_t first = b->first / FD_M_COUNT, n = b->count / FD_M_COUNT, i;
	int64_t now = fd_wall_now_ms();

	if (j->fixed || !j->cb.batch || j->stop)
		return;
	for (i = first; i < first + n; i++)
		j->grid.out[i].fetched_ms = now;
	if (j->cb.batch(first, n, j->cb.ud)) {
		j->stop = 1;
		if (j->st == FD_OK)
			error_from_status(&j->err, j->st = FD_ECANCELLED, "stopped by the caller");
	}
}

/* Starts batches while there are slots (*first, when given, gets the first call's
 * id); finishes the job, which frees it, once nothing runs. */
static void
job_pump(struct cw_job *j, uint64_t *first)
{
	uint64_t id;

	j->pumping = 1;
	while (!j->stop && j->next < j->nbatches && j->inflight < CW_MAX_INFLIGHT) {
		j->inflight++;
		id = aws_paginate(j->c, &j->batches[j->next++].pager);
		if (first && !*first)
			*first = id;
	}
	j->pumping = 0;
	if (!j->inflight && (j->stop || j->next >= j->nbatches))
		job_finish(j);
}

static void
batch_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct cw_batch *b = ud;
	struct cw_job *j = b->job;

	j->inflight--;
	if (st != FD_OK && j->st == FD_OK) {
		j->st = st;
		j->stop = 1;
		if (e)
			j->err = *e;
		else
			error_from_status(&j->err, st, NULL);
	} else if (st == FD_OK) {
		batch_deliver(j, b);
	}
	if (!j->pumping)
		job_pump(j, NULL);
}

/* Returns the id of the first call (0 when there was nothing to fetch). */
static uint64_t
job_start(struct aws_client *c, struct cw_job *j, size_t nqueries)
{
	size_t per = j->fixed ? CW_MAX_QUERIES : CW_BATCH_FUNCTIONS * FD_M_COUNT, i;
	uint64_t first = 0;

	j->c = c;
	j->nbatches = (nqueries + per - 1) / per;
	j->batches = fd_xcalloc(FD_MAX(j->nbatches, 1), sizeof(*j->batches));
	for (i = 0; i < j->nbatches; i++) {
		struct cw_batch *b = &j->batches[i];

		b->job = j;
		b->first = i * per;
		b->count = FD_MIN(per, nqueries - b->first);
		b->pager = (struct aws_pager){batch_build, batch_page, batch_done, b, CW_MAX_PAGES};
	}
	job_pump(j, &first); /* may finish (and free) the job at once */
	return first;
}

/* names are copied; out must stay alive until cb->done runs. done gets FD_OK with a
 * non-NULL e (e->status FD_EAWS) when some queries failed: those series stay NAN. */
uint64_t
cw_fetch_functions(struct aws_client *c, const char *const *names, size_t n,
		   const struct cw_window *w, struct fd_function_metrics *out,
		   const struct cw_fetch_cb *cb)
{
	struct cw_job *j;
	struct aws_error e;
	size_t i, npts;

	if (cw_window_points(w, &npts) != 0) {
		error_from_status(&e, FD_EINVAL, "invalid metrics window");
		cb->done(FD_EINVAL, &e, cb->ud);
		return 0;
	}
	j = fd_xcalloc(1, sizeof(*j));
	j->names = fd_xcalloc(FD_MAX(n, 1), sizeof(*j->names));
	for (i = 0; i < n; i++)
		j->names[i] = fd_xstrdup(names[i]);
	j->n = n;
	j->w = *w;
	j->npts = npts;
	j->grid = (struct cw_grid){out, n};
	j->find = cw_grid_find;
	j->find_ctx = &j->grid;
	j->cb = *cb;
	return job_start(c, j, n * FD_M_COUNT);
}

struct cw_sync {
	int done;
	enum fd_status st;
	struct aws_error err;
};

static void
sync_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct cw_sync *s = ud;

	s->done = 1;
	s->st = st;
	if (e)
		s->err = *e;
}

static enum fd_status
sync_run(struct aws_client *c, struct cw_sync *s, struct aws_error *err)
{
	enum fd_status st = FD_OK;

	/* s lives on the caller's stack: leave only when no callback can reach it. */
	while (!s->done) {
		st = aws_client_wait(c, NULL, 0, CW_SYNC_WAIT_MS);
		if (st != FD_OK && aws_client_pending(c) == 0)
			break;
	}
	if (!s->done) {
		error_from_status(&s->err, st, "the client loop failed");
		s->st = st;
	}
	if (err)
		*err = s->err;
	return s->st;
}

/* Returns FD_OK when only some queries failed; err->status then says FD_EAWS. */
enum fd_status
cw_fetch_functions_sync(struct aws_client *c, const char *const *names, size_t n,
			const struct cw_window *w, struct fd_function_metrics *out,
			struct aws_error *err)
{
	struct cw_sync s = {0};
	struct cw_fetch_cb cb = {sync_done, &s, NULL};

	cw_fetch_functions(c, names, n, w, out, &cb);
	return sync_run(c, &s, err);
}

static struct fd_series *
account_find(const char *id, void *ctx)
{
	struct cw_account_metrics *m = ctx;

	if (strcmp(id, "concurrent") == 0)
		return &m->concurrent;
	if (strcmp(id, "unreserved") == 0)
		return &m->unreserved;
	return NULL;
}

/* out must stay alive until cb->done runs (batch is not used). */
uint64_t
cw_fetch_account(struct aws_client *c, const struct cw_window *w, struct cw_account_metrics *out,
		 const struct cw_fetch_cb *cb)
{
	static const struct fd_metric_info concurrent = {"AWS/Lambda", "ConcurrentExecutions",
							 "Maximum"};
	static const struct fd_metric_info unreserved = {
		"AWS/Lambda", "UnreservedConcurrentExecutions", "Maximum"};
	struct aws_error e;
	struct cw_job *j;
	size_t npts;

	if (cw_window_points(w, &npts) != 0) {
		error_from_status(&e, FD_EINVAL, "invalid metrics window");
		cb->done(FD_EINVAL, &e, cb->ud);
		return 0;
	}
	cw_series_prepare(&out->concurrent, w, npts);
	cw_series_prepare(&out->unreserved, w, npts);
	j = fd_xcalloc(1, sizeof(*j));
	j->fixed = fd_xcalloc(2, sizeof(*j->fixed));
	j->fixed[0] = (struct cw_query){"concurrent", &concurrent, NULL, NULL};
	j->fixed[1] = (struct cw_query){"unreserved", &unreserved, NULL, NULL};
	j->nfixed = 2;
	j->w = *w;
	j->npts = npts;
	j->find = account_find;
	j->find_ctx = out;
	j->cb = (struct cw_fetch_cb){cb->done, cb->ud, NULL};
	return job_start(c, j, j->nfixed);
}

enum fd_status
cw_fetch_account_sync(struct aws_client *c, const struct cw_window *w,
		      struct cw_account_metrics *out, struct aws_error *err)
{
	struct cw_sync s = {0};
	struct cw_fetch_cb cb = {sync_done, &s, NULL};

	cw_fetch_account(c, w, out, &cb);
	return sync_run(c, &s, err);
}

void
cw_account_metrics_free(struct cw_account_metrics *m)
{
	fd_series_free(&m->concurrent);
	fd_series_free(&m->unreserved);
}

/* ---- RDS Proxy metrics ---- */

/* AWS/RDS metric and statistic of proxy query k (rdsproxy.h: k / 2, Average|Maximum). */
static const struct fd_metric_info *
proxy_query_info(size_t k)
{
	static struct fd_metric_info infos[FD_PQ_COUNT];

	if (!infos[k].ns) {
		infos[k].ns = "AWS/RDS";
		infos[k].name = fd_proxy_metric_info((enum fd_proxy_metric)(k / 2))->name;
		infos[k].stat = fd_proxy_query_stat(k);
	}
	return &infos[k];
}

/* Queries [first, first + count) of the proxies x FD_PQ_COUNT grid, ids "p<proxy>_<k>". */
static struct cw_query *
proxy_queries(const char *const *proxies, size_t first, size_t count)
{
	struct cw_query *qs = fd_xcalloc(FD_MAX(count, 1), sizeof(*qs));
	size_t i, q;

	for (i = 0; i < count; i++) {
		q = first + i;
		snprintf(qs[i].id, sizeof(qs[i].id), "p%zu_%zu", q / FD_PQ_COUNT, q % FD_PQ_COUNT);
		qs[i].mi = proxy_query_info(q % FD_PQ_COUNT);
		qs[i].function = proxies[q / FD_PQ_COUNT];
		qs[i].dim = "ProxyName";
	}
	return qs;
}

char *
cw_build_proxy_request(const char *const *proxies, size_t n, size_t first, size_t count,
		       const struct cw_window *w, const char *next_token)
{
	size_t total = n * FD_PQ_COUNT, pts;
	struct cw_query *qs;
	char *body;

	if (cw_window_points(w, &pts) != 0 || first >= total || count == 0)
		return NULL;
	count = FD_MIN(FD_MIN(count, total - first), (size_t)CW_MAX_QUERIES);
	qs = proxy_queries(proxies, first, count);
	body = build_body(qs, count, w, next_token);
	free(qs);
	return body;
}

/* The job's find context outlives the call that starts it. */
struct proxy_job_ctx {
	struct cw_proxy_grid grid;
	struct cw_fetch_cb cb;
};

static void
proxy_job_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct proxy_job_ctx *pc = ud;
	int64_t now = fd_wall_now_ms();
	size_t i;

	for (i = 0; st == FD_OK && i < pc->grid.n; i++)
		pc->grid.out[i].fetched_ms = now;
	pc->cb.done(st, e, pc->cb.ud);
	free(pc);
}

uint64_t
cw_fetch_proxies(struct aws_client *c, const char *const *proxies, size_t n,
		 const struct cw_window *w, struct fd_proxy_metrics *out,
		 const struct cw_fetch_cb *cb)
{
	struct proxy_job_ctx *pc;
	struct aws_error e;
	struct cw_job *j;
	size_t i, k, npts;

	if (cw_window_points(w, &npts) != 0) {
		error_from_status(&e, FD_EINVAL, "invalid metrics window");
		cb->done(FD_EINVAL, &e, cb->ud);
		return 0;
	}
	pc = fd_xcalloc(1, sizeof(*pc));
	pc->grid = (struct cw_proxy_grid){out, n};
	pc->cb = *cb;
	j = fd_xcalloc(1, sizeof(*j));
	j->names = fd_xcalloc(FD_MAX(n, 1), sizeof(*j->names));
	for (i = 0; i < n; i++) {
		j->names[i] = fd_xstrdup(proxies[i]);
		if (!out[i].proxy)
			out[i].proxy = fd_xstrdup(proxies[i]);
		for (k = 0; k < FD_PQ_COUNT; k++)
			cw_series_prepare(&out[i].s[k], w, npts);
	}
	j->n = n;
	j->fixed = proxy_queries((const char *const *)j->names, 0, n * FD_PQ_COUNT);
	j->nfixed = n * FD_PQ_COUNT;
	j->w = *w;
	j->npts = npts;
	j->find = cw_proxy_find;
	j->find_ctx = &pc->grid;
	j->cb = (struct cw_fetch_cb){proxy_job_done, pc, NULL};
	return job_start(c, j, j->nfixed);
}

enum fd_status
cw_fetch_proxies_sync(struct aws_client *c, const char *const *proxies, size_t n,
		      const struct cw_window *w, struct fd_proxy_metrics *out,
		      struct aws_error *err)
{
	struct cw_sync s = {0};
	struct cw_fetch_cb cb = {sync_done, &s, NULL};

	cw_fetch_proxies(c, proxies, n, w, out, &cb);
	return sync_run(c, &s, err);
}
