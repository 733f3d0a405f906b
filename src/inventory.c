/* inventory.c - the model's refresh pipeline, driven by aws client callbacks:
 *   ListFunctions (all pages) -> cache (mark and sweep) -> GetMetricData for the
 *   window (incremental: from the newest cached point on; each batch of functions is
 *   stored and summarised as it arrives) -> DescribeLogGroups
 *   (/aws/lambda/ and custom groups) -> per-function detail (model_detail.c:
 *   asked-for functions first, resumable from a cursor in the cache).
 * One run at a time; each step marks the model dirty. A step that fails records the
 * error (status.last_error) and leaves its data as it was; a network or credential
 * failure skips the remaining steps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/lambda.h"
#include "fleetdeck/logs.h"
#include "fleetdeck/util.h"
#include "fleetdeck/queues.h"
#include "model_int.h"

#define LAMBDA_GROUP_PREFIX "/aws/lambda/"
/* Functions of an answered metrics batch applied per loop step (about a millisecond). */
#define STEP_FUNCTIONS 15

static const unsigned stage_bit[] = {FD_REFRESH_LIST,   FD_REFRESH_METRICS, FD_REFRESH_METRICS,
                                     FD_REFRESH_GROUPS, FD_REFRESH_DETAIL,  FD_REFRESH_DETAIL};

static void advance(struct fd_inventory *inv);

struct fd_inventory *
inv_get(struct fd_model *m)
{
	if (!m->inv) {
		m->inv = fd_xcalloc(1, sizeof(*m->inv));
		m->inv->m = m;
		m->inv->stage = STAGE_DONE;
	}
	return m->inv;
}

void
inv_free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void
inv_op_free(struct inv_op *op)
{
	size_t i;

	if (!op)
		return;
	fd_functions_free(op->fns, op->nfns);
	inv_free_strv(op->names, op->nnames);
	for (i = 0; op->mets && i < op->nnames; i++)
		fd_function_metrics_free(&op->mets[i]);
	free(op->mets);
	free(op->ready);
	free(op->ready_n);
	fd_log_groups_free(op->groups, op->ngroups);
	inv_free_strv(op->prefixes, op->nprefixes);
	fd_function_free(&op->fn);
	free(op);
}

struct inv_op *
inv_op_new(struct fd_inventory *inv)
{
	struct inv_op *op = fd_xcalloc(1, sizeof(*op));

	op->inv = inv;
	return op;
}

void
inv_record_error(struct fd_inventory *inv, enum fd_status st, const struct aws_error *e)
{
	char msg[512];

	if (e && e->status != FD_OK)
		aws_error_format(e, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "%s", fd_status_str(st));
	model_set_error(inv->m, msg);
	if (inv->first_st == FD_OK) {
		inv->first_st = st != FD_OK ? st : FD_EAWS;
		fd_strlcpy(inv->first_msg, msg, sizeof(inv->first_msg));
	}
	/* Cancelled calls (the model is going away) start nothing more either. */
	if (st == FD_ECREDS || st == FD_EHTTP || st == FD_ETIMEOUT || st == FD_ECANCELLED)
		inv->abort_rest = 1;
}

void
inv_cache_error(struct fd_inventory *inv, enum fd_status st, const struct fd_err *err)
{
	if (st != FD_OK)
		model_set_error(inv->m, err->msg);
}

void
inv_stage_done(struct fd_inventory *inv)
{
	inv->op = NULL;
	inv->m->st.steps_done++;
	inv->stage++;
	inv->m->dirty = 1;
	advance(inv);
}

/* ---- ListFunctions ---- */

/* Each page goes to the cache as it arrives: the listing never ends in one long
 * write of every function. */
static void
list_page(struct fd_function *fns, size_t n, void *ud)
{
	struct inv_op *op = ud;
	struct fd_model *m = op->inv ? op->inv->m : NULL;
	struct fd_err err;

	if (m && m->cache && op->mark)
		inv_cache_error(op->inv,
		                fd_cache_listing_page(m->cache, &m->ctx, op->mark, fns, n, &err),
		                &err);
	if (op->nfns + n > op->capfns) {
		op->capfns = FD_MAX(op->capfns * 2, op->nfns + n + 64);
		op->fns = fd_xreallocarray(op->fns, op->capfns, sizeof(*op->fns));
	}
	if (n)
		memcpy(op->fns + op->nfns, fns, n * sizeof(*fns));
	op->nfns += n;
	free(fns);
}

static void
list_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct inv_op *op = ud;
	struct fd_inventory *inv = op->inv;
	struct fd_model *m;
	struct fd_err err;

	if (!inv) {
		inv_op_free(op);
		return;
	}
	m = inv->m;
	if (st == FD_OK) {
		if (m->cache && op->mark)
			inv_cache_error(inv,
			                fd_cache_listing_end(m->cache, &m->ctx, op->mark, &err),
			                &err);
		model_set_functions(m, op->fns, op->nfns);
		op->fns = NULL;
		op->nfns = 0;
	} else {
		inv_record_error(inv, st, e);
	}
	inv_op_free(op);
	inv_stage_done(inv);
}

static int
start_list(struct fd_inventory *inv)
{
	struct inv_op *op = inv_op_new(inv);
	struct lambda_list_cb cb = {list_page, list_done, op};
	struct fd_model *m = inv->m;
	struct fd_err err;

	if (m->cache)
		inv_cache_error(inv, fd_cache_listing_begin(m->cache, &m->ctx, &op->mark, &err),
		                &err);
	inv->op = op;
	op->call = lambda_list_functions(inv->m->client, &cb);
	return 1;
}

/* ---- GetMetricData ---- */

static char *
meta_key_covered(int period_s)
{
	return fd_xasprintf("metrics_from_%d", period_s);
}

static int64_t
meta_int(struct fd_model *m, const char *key)
{
	char *v = m->cache ? fd_cache_meta_get(m->cache, &m->ctx, key) : NULL;
	int64_t r = v ? (int64_t)strtoll(v, NULL, 10) : 0;

	free(v);
	return r;
}

/* From the window start, or from the newest stored point when everything since the
 * window start is already stored (that point is fetched again: it may have been
 * partial). Without a cache the whole window is fetched. */
static void
metrics_window(struct fd_model *m, struct inv_op *op)
{
	int period = model_period_for(m->window_s);
	int64_t now = (int64_t)fd_wall_now(), win_start, newest, covered;
	char *key = meta_key_covered(period);

	win_start = now - m->window_s;
	win_start -= win_start % period;
	newest = m->cache ? fd_cache_metrics_newest(m->cache, &m->ctx, period) : 0;
	covered = m->cache ? meta_int(m, key) : 0;
	free(key);
	op->w.period_s = period;
	op->w.end_s = now - now % period + period;
	op->w.start_s = win_start;
	op->covered_from = win_start;
	if (newest > win_start && covered > 0 && covered <= win_start && newest < op->w.end_s) {
		op->w.start_s = newest - newest % period;
		op->covered_from = covered;
	}
}

/* Until a fetch completes, what is stored may cover part of the functions only: the
 * next refresh then fetches the whole window again. */
static void
metrics_set_covered(struct fd_inventory *inv, int period_s, int64_t from_s)
{
	struct fd_model *m = inv->m;
	struct fd_err err;
	char *key, val[32];

	if (!m->cache)
		return;
	key = meta_key_covered(period_s);
	snprintf(val, sizeof(val), "%lld", (long long)from_s);
	inv_cache_error(inv, fd_cache_meta_set(m->cache, &m->ctx, key, val, &err), &err);
	free(key);
}

/* One batch of functions has its answers: queued, applied by inventory_step (the loop
 * wakes at once for it). A cancelled refresh starts no further batch. */
static int
metrics_batch(size_t first, size_t n, void *ud)
{
	struct inv_op *op = ud;
	size_t i;

	if (!op->inv) {
		for (i = first; i < first + n; i++)
			fd_function_metrics_free(&op->mets[i]);
		return 1;
	}
	op->ready = fd_xreallocarray(op->ready, op->nready + 1, sizeof(*op->ready));
	op->ready_n = fd_xreallocarray(op->ready_n, op->nready + 1, sizeof(*op->ready_n));
	op->ready[op->nready] = first;
	op->ready_n[op->nready++] = n;
	aws_client_wakeup(op->inv->m->client);
	return 0;
}

/* The cache merges the batch and rewrites its summaries; the rows take those. */
static void
metrics_apply(struct fd_inventory *inv, struct inv_op *op, size_t first, size_t n)
{
	struct fd_model *m = inv->m;
	struct fd_err err;

	if (m->cache)
		inv_cache_error(
		    inv, fd_cache_put_metrics(m->cache, &m->ctx, op->mets + first, n, &err), &err);
	model_merge_metrics(m, op->mets + first, n, op->w.period_s);
}

/* Every batch applied and the fetch over: the stage ends. */
static void
metrics_finish(struct fd_inventory *inv, struct inv_op *op)
{
	if (op->fetch_st == FD_OK) {
		if (op->has_fetch_err && op->fetch_err.status != FD_OK)
			inv_record_error(inv, op->fetch_err.status,
			                 &op->fetch_err); /* some series failed; the rest is kept */
		metrics_set_covered(inv, op->w.period_s, op->covered_from);
	} else {
		inv_record_error(inv, op->fetch_st, op->has_fetch_err ? &op->fetch_err : NULL);
	}
	inv_op_free(op);
	inv_stage_done(inv);
}

static void
metrics_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct inv_op *op = ud;

	if (!op->inv) {
		inv_op_free(op);
		return;
	}
	op->fetched = 1;
	op->fetch_st = st;
	op->has_fetch_err = e != NULL;
	if (e)
		op->fetch_err = *e;
	if (op->iready == op->nready)
		metrics_finish(op->inv, op);
	else
		aws_client_wakeup(op->inv->m->client);
}

int
inventory_step(struct fd_model *m)
{
	struct fd_inventory *inv = m->inv;
	struct inv_op *op = inv && inv->stage == STAGE_METRICS ? inv->op : NULL;
	size_t n;

	if (!op || op->iready == op->nready)
		return 0;
	n = FD_MIN((size_t)STEP_FUNCTIONS, op->ready_n[op->iready] - op->ready_done);
	metrics_apply(inv, op, op->ready[op->iready] + op->ready_done, n);
	op->ready_done += n;
	if (op->ready_done == op->ready_n[op->iready]) {
		op->iready++;
		op->ready_done = 0;
	}
	if (op->iready < op->nready)
		aws_client_wakeup(m->client);
	else if (op->fetched)
		metrics_finish(inv, op);
	return 1;
}

static int
start_metrics(struct fd_inventory *inv)
{
	struct fd_model *m = inv->m;
	struct cw_fetch_cb cb;
	struct inv_op *op;
	size_t i;

	if (!m->nfns)
		return 0;
	op = inv_op_new(inv);
	op->nnames = m->nfns;
	op->names = fd_xcalloc(m->nfns, sizeof(*op->names));
	op->mets = fd_xcalloc(m->nfns, sizeof(*op->mets));
	for (i = 0; i < m->nfns; i++)
		op->names[i] = fd_xstrdup(m->fns[i].name ? m->fns[i].name : "");
	metrics_window(m, op);
	metrics_set_covered(inv, op->w.period_s, 0);
	cb.done = metrics_done;
	cb.batch = metrics_batch;
	cb.ud = op;
	inv->op = op;
	/* The op may be done (and freed) before this returns: its call id is not kept, a
	 * cancelled refresh orphans it instead (cancel_ops). */
	(void)cw_fetch_functions(m->client, (const char *const *)op->names, op->nnames, &op->w,
	                         op->mets, &cb);
	return 1;
}

/* ---- DescribeLogGroups ---- */

static void groups_next(struct inv_op *op);

static void
groups_page(struct fd_log_group *g, size_t n, void *ud)
{
	struct inv_op *op = ud;
	const char *exact = op->iprefix > 0 ? op->prefixes[op->iprefix] : NULL;
	size_t i;

	if (op->ngroups + n > op->capgroups) {
		op->capgroups = FD_MAX(op->capgroups * 2, op->ngroups + n + 64);
		op->groups = fd_xreallocarray(op->groups, op->capgroups, sizeof(*op->groups));
	}
	for (i = 0; i < n; i++) {
		if (exact && !fd_str_eq(g[i].name, exact)) {
			model_group_clear(&g[i]);
			continue;
		}
		op->groups[op->ngroups++] = g[i];
	}
	free(g);
}

static void
groups_finish(struct fd_inventory *inv, struct inv_op *op)
{
	struct fd_model *m = inv->m;
	struct fd_err err;

	if (m->cache)
		inv_cache_error(
		    inv, fd_cache_put_log_groups(m->cache, &m->ctx, op->groups, op->ngroups, &err),
		    &err);
	model_set_groups(m, op->groups, op->ngroups);
	op->groups = NULL;
	op->ngroups = 0;
}

static void
groups_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct inv_op *op = ud;
	struct fd_inventory *inv = op->inv;

	if (!inv) {
		inv_op_free(op);
		return;
	}
	if (st != FD_OK) {
		inv_record_error(inv, st, e);
	} else if (++op->iprefix < op->nprefixes) {
		groups_next(op);
		return;
	} else {
		groups_finish(inv, op);
	}
	inv_op_free(op);
	inv_stage_done(inv);
}

static void
groups_next(struct inv_op *op)
{
	struct logs_groups_cb cb = {groups_page, groups_done, op};

	op->call = logs_describe_groups(op->inv->m->client, op->prefixes[op->iprefix], &cb);
}

/* /aws/lambda/ in one listing, then each custom log group by its own name. */
static void
collect_prefixes(struct fd_model *m, struct inv_op *op)
{
	size_t i, j;

	op->prefixes = fd_xcalloc(m->nfns + 1, sizeof(*op->prefixes));
	op->prefixes[op->nprefixes++] = fd_xstrdup(LAMBDA_GROUP_PREFIX);
	for (i = 0; i < m->nfns; i++) {
		const char *g = m->fns[i].log_group;
		int dup = 0;
		if (!g || !*g || fd_str_starts(g, LAMBDA_GROUP_PREFIX))
			continue;
		for (j = 1; j < op->nprefixes && !dup; j++)
			dup = strcmp(op->prefixes[j], g) == 0;
		if (!dup)
			op->prefixes[op->nprefixes++] = fd_xstrdup(g);
	}
}

static int
start_groups(struct fd_inventory *inv)
{
	struct inv_op *op = inv_op_new(inv);

	collect_prefixes(inv->m, op);
	inv->op = op;
	groups_next(op);
	return 1;
}

/* ---- the pipeline ---- */

static void
clear_queue(struct fd_inventory *inv)
{
	inv_free_strv(inv->queue, inv->nqueue);
	inv->queue = NULL;
	inv->nqueue = inv->iqueue = inv->nhot = 0;
}

static void
finish(struct fd_inventory *inv)
{
	struct fd_model *m = inv->m;

	clear_queue(inv);
	m->st.refreshing = 0;
	m->st.steps_done = m->st.steps_total;
	m->dirty = 1;
	model_ingest_refresh(m); /* the COST column's days, with the list just read */
}

static int
start_stage(struct fd_inventory *inv)
{
	switch (inv->stage) {
	case STAGE_LIST:
		return start_list(inv);
	case STAGE_METRICS:
		return start_metrics(inv);
	case STAGE_GROUPS:
		return start_groups(inv);
	case STAGE_DETAIL:
		return inv_start_detail(inv);
	case STAGE_PROXIES:
		return inv_start_proxies(inv);
	case STAGE_QUEUE_FACTS:
		return inv_start_queue_facts(inv);
	default:
		return 0;
	}
}

static void
advance(struct fd_inventory *inv)
{
	while (inv->stage < STAGE_DONE) {
		if ((inv->what & stage_bit[inv->stage]) && !inv->abort_rest) {
			int stage = inv->stage;
			if (start_stage(inv))
				return;
			if (inv->stage != stage)
				continue;
			inv->m->st.steps_done++;
		}
		inv->stage++;
	}
	finish(inv);
}

static unsigned
count_stages(unsigned what)
{
	unsigned i, n = 0;

	for (i = 0; i < FD_ARRAY_LEN(stage_bit); i++)
		n += (what & stage_bit[i]) != 0;
	return n;
}

void
fd_model_refresh(struct fd_model *m, unsigned what)
{
	struct fd_inventory *inv;

	if (!m->client) {
		m->st.offline = 1;
		return;
	}
	/* The account line has its own calls: a window switch during a refresh gets its
	 * peak at once. */
	model_account_refresh(m, what);
	inv = inv_get(m);
	if (m->st.refreshing)
		return;
	if (m->queues && (what & FD_REFRESH_LIST)) {
		fd_queues_set_functions(m->queues, m->fns, m->nfns);
		fd_queues_refresh(m->queues);
	}
	inv->what = what;
	inv->stage = STAGE_LIST;
	inv->abort_rest = 0;
	inv->first_st = FD_OK;
	inv->first_msg[0] = '\0';
	m->st.refreshing = 1;
	m->st.steps_done = 0;
	m->st.steps_total = count_stages(what);
	m->st.last_error[0] = '\0';
	m->dirty = 1;
	advance(inv);
}

/* Pager-based steps stop cleanly; GetMetricData batches and detail loads may have
 * several calls in flight, so their ops are orphaned and free themselves. */
static void
cancel_ops(struct fd_inventory *inv)
{
	struct aws_client *c = inv->m->client;
	size_t i;

	if (inv->op && (inv->stage == STAGE_LIST || inv->stage == STAGE_GROUPS)) {
		aws_call_cancel(c, inv->op->call);
		inv_op_free(inv->op);
	} else if (inv->op && inv->stage == STAGE_METRICS && inv->op->fetched) {
		inv_op_free(inv->op); /* only its queued batches were left */
	} else if (inv->op) {
		inv->op->inv = NULL;
	}
	inv->op = NULL;
	inv_facts_cancel(inv);
	for (i = 0; i < DETAIL_INFLIGHT; i++) {
		if (inv->jobs[i])
			inv->jobs[i]->inv = NULL;
		inv->jobs[i] = NULL;
	}
}

void
fd_model_cancel(struct fd_model *m)
{
	struct fd_inventory *inv = m->inv;

	model_account_cancel(m);
	model_ingest_cancel(m);
	if (!inv)
		return;
	cancel_ops(inv);
	clear_queue(inv);
	inv_free_strv(inv->wanted, inv->nwanted);
	inv->wanted = NULL;
	inv->nwanted = 0;
	inv->stage = STAGE_DONE;
	m->st.refreshing = 0;
	m->dirty = 1;
}

void
inventory_free(struct fd_model *m)
{
	if (!m->inv)
		return;
	fd_model_cancel(m);
	free(m->inv);
	m->inv = NULL;
}
