/* model_detail.c - per-function detail loading for the refresh pipeline: the
 * functions asked for (on screen) first, then those with errors or throttles, then
 * the rest by name from the cursor kept in the cache meta table, so an interrupted
 * walk continues where it stopped. Detail loaded less than DETAIL_TTL_MS ago is not
 * fetched again (unless FD_REFRESH_FORCE). At most DETAIL_INFLIGHT functions load at
 * once, so an asked-for function never waits behind thousands of queued calls; the
 * client's rate limiter spreads the calls under the Lambda control-plane quotas. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"
#include "fleetdeck/util.h"
#include "model_int.h"

static void pump(struct fd_inventory *inv);

static int
detail_fresh(const struct fd_inventory *inv, const struct fd_function *fn)
{
	if (inv->what & FD_REFRESH_FORCE)
		return 0;
	return fn->detail_loaded && fd_wall_now_ms() - fn->detail_fetched_ms < DETAIL_TTL_MS;
}

static int
detail_busy(const struct fd_inventory *inv, const char *name)
{
	size_t i;

	for (i = 0; i < DETAIL_INFLIGHT; i++)
		if (inv->jobs[i] && fd_str_eq(inv->jobs[i]->fn.name, name))
			return 1;
	return 0;
}

static size_t
jobs_running(const struct fd_inventory *inv)
{
	size_t i, n = 0;

	for (i = 0; i < DETAIL_INFLIGHT; i++)
		n += inv->jobs[i] != NULL;
	return n;
}

static int
wanted_pop(struct fd_inventory *inv, char **name)
{
	while (inv->nwanted) {
		char *w = inv->wanted[0];
		const struct fd_function *fn = model_find_function(inv->m, w);
		memmove(inv->wanted, inv->wanted + 1, --inv->nwanted * sizeof(*inv->wanted));
		if (fn && !detail_busy(inv, w) && !detail_fresh(inv, fn)) {
			*name = w;
			return 1;
		}
		free(w);
	}
	return 0;
}

/* Next function to load: asked-for first, then the queue (hot, then rest). */
static char *
next_detail(struct fd_inventory *inv, int *from_rest)
{
	char *name;

	*from_rest = 0;
	if (wanted_pop(inv, &name)) {
		if (inv->m->st.refreshing)
			inv->m->st.steps_total++;
		return name;
	}
	while (inv->stage == STAGE_DETAIL && !inv->abort_rest && inv->iqueue < inv->nqueue) {
		size_t k = inv->iqueue++;
		const struct fd_function *fn = model_find_function(inv->m, inv->queue[k]);
		if (!fn || detail_busy(inv, inv->queue[k]) || detail_fresh(inv, fn)) {
			inv->m->st.steps_done++;
			continue;
		}
		*from_rest = k >= inv->nhot;
		return fd_xstrdup(inv->queue[k]);
	}
	return NULL;
}

static void
detail_store(struct fd_inventory *inv, struct inv_op *op)
{
	struct fd_model *m = inv->m;
	char *name = fd_xstrdup(op->fn.name);
	struct fd_function *fn = model_apply_detail(m, &op->fn);
	struct fd_err err;

	memset(&op->fn, 0, sizeof(op->fn));
	if (fn && m->cache) {
		inv_cache_error(inv, fd_cache_put_function(m->cache, &m->ctx, fn, &err), &err);
		if (op->from_rest)
			inv_cache_error(
			    inv, fd_cache_meta_set(m->cache, &m->ctx, CURSOR_KEY, name, &err),
			    &err);
	}
	free(name);
}

static int
is_not_found(const struct aws_error *e)
{
	return e && e->http_status == 404;
}

static void
detail_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct inv_op *op = ud;
	struct fd_inventory *inv = op->inv;
	size_t i;

	if (!inv) {
		inv_op_free(op);
		return;
	}
	for (i = 0; i < DETAIL_INFLIGHT; i++)
		if (inv->jobs[i] == op)
			inv->jobs[i] = NULL;
	if (st == FD_OK)
		detail_store(inv, op);
	else if (!is_not_found(e))
		inv_record_error(inv, st, e);
	inv_op_free(op);
	if (inv->m->st.refreshing)
		inv->m->st.steps_done++;
	inv->m->dirty = 1;
	if (!inv->abort_rest)
		pump(inv);
	if (inv->stage == STAGE_DETAIL && !jobs_running(inv) &&
	    (inv->abort_rest || inv->iqueue >= inv->nqueue))
		inv_stage_done(inv);
}

static void
start_detail_job(struct fd_inventory *inv, size_t slot, char *name, int from_rest)
{
	const struct fd_function *fn = model_find_function(inv->m, name);
	struct inv_op *op = inv_op_new(inv);

	op->fn.name = name;
	op->fn.arn = fn && fn->arn ? fd_xstrdup(fn->arn) : NULL;
	op->fn.reserved_concurrency = -1;
	op->from_rest = from_rest;
	inv->jobs[slot] = op;
	op->call = lambda_load_detail(inv->m->client, &op->fn, detail_done, op);
}

static void
pump(struct fd_inventory *inv)
{
	size_t i;

	for (i = 0; i < DETAIL_INFLIGHT; i++) {
		char *name;
		int from_rest;
		if (inv->jobs[i])
			continue;
		name = next_detail(inv, &from_rest);
		if (!name)
			break;
		start_detail_job(inv, i, name, from_rest);
	}
}

struct hot_fn {
	double score;
	const char *name;
};

static int
cmp_hot(const void *a, const void *b)
{
	const struct hot_fn *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->name, y->name);
}

static double
hot_score(const struct fd_fn_row *r)
{
	double s = 0;

	if (!isnan(r->errors))
		s += r->errors;
	if (!isnan(r->throttles))
		s += r->throttles;
	return s;
}

/* Queue: functions with errors or throttles (most first), then the rest by name
 * starting after the cursor and wrapping around. */
static void
build_queue(struct fd_inventory *inv)
{
	struct fd_model *m = inv->m;
	struct hot_fn *hot = fd_xcalloc(m->nfns + 1, sizeof(*hot));
	char *cursor = m->cache ? fd_cache_meta_get(m->cache, &m->ctx, CURSOR_KEY) : NULL;
	size_t i, nhot = 0, start = 0;

	model_ensure_summary(m);
	inv->queue = fd_xcalloc(m->nfns + 1, sizeof(*inv->queue));
	for (i = 0; i < m->nfns; i++) {
		double score = hot_score(model_row_at(m, i));
		if (score > 0 && !detail_fresh(inv, &m->fns[i]))
			hot[nhot++] = (struct hot_fn){score, m->fns[i].name};
	}
	qsort(hot, nhot, sizeof(*hot), cmp_hot);
	for (i = 0; i < nhot; i++)
		inv->queue[inv->nqueue++] = fd_xstrdup(hot[i].name);
	inv->nhot = nhot;
	while (cursor && start < m->nfns && strcmp(m->fns[start].name, cursor) <= 0)
		start++;
	for (i = 0; i < m->nfns; i++) {
		const struct fd_function *fn = &m->fns[(start + i) % m->nfns];
		size_t at = (size_t)(fn - m->fns);
		if (!detail_fresh(inv, fn) && !(hot_score(model_row_at(m, at)) > 0))
			inv->queue[inv->nqueue++] = fd_xstrdup(fn->name);
	}
	free(cursor);
	free(hot);
	m->st.steps_total += (unsigned)inv->nqueue;
}

/* Also waits for loads of asked-for functions started before the stage. */
int
inv_start_detail(struct fd_inventory *inv)
{
	build_queue(inv);
	pump(inv);
	return inv->stage != STAGE_DETAIL || jobs_running(inv) > 0;
}

void
fd_model_want_detail(struct fd_model *m, const char *function)
{
	const struct fd_function *fn = model_find_function(m, function);
	struct fd_inventory *inv;
	size_t i;

	if (!m->client || !fn)
		return;
	inv = inv_get(m);
	if (detail_busy(inv, function) || detail_fresh(inv, fn))
		return;
	for (i = 0; i < inv->nwanted; i++)
		if (strcmp(inv->wanted[i], function) == 0)
			return;
	if (inv->nwanted == WANTED_MAX)
		free(inv->wanted[--inv->nwanted]);
	inv->wanted = fd_xreallocarray(inv->wanted, WANTED_MAX, sizeof(*inv->wanted));
	memmove(inv->wanted + 1, inv->wanted, inv->nwanted * sizeof(*inv->wanted));
	inv->wanted[0] = fd_xstrdup(function);
	inv->nwanted++;
	pump(inv);
}
