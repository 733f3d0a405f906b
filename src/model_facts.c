/* model_facts.c - what the model learns beside the function metrics: the RDS Proxy
 * series of the functions' proxies (a pipeline stage right after GetMetricData, for
 * the same window, incremental from the newest stored point) and the SQS facts of the
 * event-source queues (a stage after the detail loads, which find the mappings; or
 * one function's queues for `fleetdeck function NAME`). Both are cached, loaded with
 * the rest of the cache, and read by views, headless output and the risk checks. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/queuefacts.h"
#include "fleetdeck/util.h"
#include "model_int.h"

struct proxy_op {
	struct fd_inventory *inv; /* NULL once the refresh was cancelled */
	char **names;
	size_t n;
	struct fd_proxy_metrics *out;
	struct cw_window w;
};

/* ---- the model's proxy records ---- */

static void
proxies_clear(struct fd_model *m)
{
	size_t i;

	for (i = 0; i < m->nproxies; i++)
		fd_proxy_metrics_free(&m->proxies[i]);
	free(m->proxies);
	m->proxies = NULL;
	m->nproxies = 0;
}

void
model_facts_free(struct fd_model *m)
{
	proxies_clear(m);
	fd_proxy_config_free(&m->proxy_cfg);
	fd_queue_facts_free(m->qfacts, m->nqfacts);
	m->qfacts = NULL;
	m->nqfacts = 0;
}

/* Every proxy the functions use, each once (*names malloc'd). */
static size_t
proxy_names(struct fd_model *m, char ***names)
{
	size_t i, j, n = 0;
	char *p;

	*names = NULL;
	for (i = 0; i < m->nfns; i++) {
		if (!(p = fd_proxy_for_function(&m->proxy_cfg, &m->fns[i], NULL)))
			continue;
		for (j = 0; j < n && strcmp((*names)[j], p) != 0; j++)
			;
		if (j < n) {
			free(p);
			continue;
		}
		*names = fd_xreallocarray(*names, n + 1, sizeof(**names));
		(*names)[n++] = p;
	}
	return n;
}

static struct fd_proxy_metrics *
proxy_slot(struct fd_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nproxies; i++)
		if (fd_str_eq(m->proxies[i].proxy, name))
			return &m->proxies[i];
	m->proxies = fd_xreallocarray(m->proxies, m->nproxies + 1, sizeof(*m->proxies));
	memset(&m->proxies[m->nproxies], 0, sizeof(*m->proxies));
	m->proxies[m->nproxies].proxy = fd_xstrdup(name);
	return &m->proxies[m->nproxies++];
}

/* The stored series of every proxy for the window's period. */
static enum fd_status
proxies_load(struct fd_model *m, struct fd_err *err)
{
	enum fd_status st = FD_OK;
	char **names;
	size_t n = proxy_names(m, &names), i;

	proxies_clear(m);
	m->proxies_period = model_period_for(m->window_s);
	for (i = 0; m->cache && st == FD_OK && i < n; i++) {
		struct fd_proxy_metrics *pm = proxy_slot(m, names[i]);
		fd_proxy_metrics_free(pm);
		st = fd_cache_get_proxy_metrics(m->cache, &m->ctx, names[i], m->proxies_period, pm,
		                                err);
	}
	inv_free_strv(names, n);
	return st;
}

/* Fresh series replace the model's records from the cache (which merged them), or
 * are taken as they are without a cache. fresh's contents are freed. */
static void
proxies_merge(struct fd_model *m, struct fd_proxy_metrics *fresh, size_t n, int period_s)
{
	struct fd_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		struct fd_proxy_metrics *pm;
		if (!fresh[i].proxy || period_s != m->proxies_period)
			continue;
		pm = proxy_slot(m, fresh[i].proxy);
		fd_proxy_metrics_free(pm);
		if (m->cache && fd_cache_get_proxy_metrics(m->cache, &m->ctx, fresh[i].proxy,
		                                           period_s, pm, &err) == FD_OK)
			continue;
		*pm = fresh[i];
		memset(&fresh[i], 0, sizeof(fresh[i]));
	}
	for (i = 0; i < n; i++)
		fd_proxy_metrics_free(&fresh[i]);
	model_changed(m);
}

enum fd_status
model_facts_load_cache(struct fd_model *m, struct fd_err *err)
{
	enum fd_status st = proxies_load(m, err);

	fd_queue_facts_free(m->qfacts, m->nqfacts);
	m->qfacts = NULL;
	m->nqfacts = 0;
	if (st == FD_OK && m->cache)
		st = fd_cache_get_queue_facts(m->cache, &m->ctx, &m->qfacts, &m->nqfacts, err);
	return st;
}

/* ---- the window ---- */

/* The function metrics' window; from the proxies' newest stored point when they all
 * have one inside it (that point is fetched again: it may have been partial). */
static void
proxy_window(struct fd_model *m, char *const *names, size_t n, struct cw_window *w)
{
	int period = model_period_for(m->window_s);
	int64_t now = (int64_t)fd_wall_now(), newest;

	w->period_s = period;
	w->end_s = now - now % period + period;
	w->start_s = now - m->window_s;
	w->start_s -= w->start_s % period;
	newest = m->cache ? fd_cache_proxy_metrics_newest(m->cache, &m->ctx, period,
	                                                  (const char *const *)names, n)
	                  : 0;
	if (newest > w->start_s && newest < w->end_s)
		w->start_s = newest - newest % period;
}

static void
proxy_op_free(struct proxy_op *op)
{
	size_t i;

	for (i = 0; i < op->n; i++)
		fd_proxy_metrics_free(&op->out[i]);
	inv_free_strv(op->names, op->n);
	free(op->out);
	free(op);
}

static void
proxies_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct proxy_op *op = ud;
	struct fd_inventory *inv = op->inv;
	struct fd_model *m;
	struct fd_err err;

	if (!inv) {
		proxy_op_free(op);
		return;
	}
	m = inv->m;
	inv->pop = NULL;
	if (st != FD_OK || (e && e->status != FD_OK))
		inv_record_error(inv, st, e);
	if (st == FD_OK && m->cache)
		inv_cache_error(inv, fd_cache_put_proxy_metrics(m->cache, &m->ctx, op->out, op->n,
		                                                &err),
		                &err);
	if (st == FD_OK)
		proxies_merge(m, op->out, op->n, op->w.period_s);
	proxy_op_free(op);
	inv_stage_done(inv);
}

int
inv_start_proxies(struct fd_inventory *inv)
{
	struct fd_model *m = inv->m;
	struct cw_fetch_cb cb;
	struct proxy_op *op;
	char **names;
	size_t n = proxy_names(m, &names);

	if (!n)
		return 0;
	if (m->proxies_period != model_period_for(m->window_s))
		(void)proxies_load(m, NULL);
	op = fd_xcalloc(1, sizeof(*op));
	op->inv = inv;
	op->names = names;
	op->n = n;
	op->out = fd_xcalloc(n, sizeof(*op->out));
	proxy_window(m, names, n, &op->w);
	inv->pop = op;
	cb = (struct cw_fetch_cb){proxies_done, op, NULL};
	(void)cw_fetch_proxies(m->client, (const char *const *)names, n, &op->w, op->out, &cb);
	return 1;
}

enum fd_status
model_proxy_sync(struct fd_model *m, const char *function, struct fd_err *err)
{
	const struct fd_function *fn = model_find_function(m, function);
	struct fd_proxy_metrics pm;
	struct cw_window w;
	struct aws_error e;
	enum fd_status st;
	char *name = fn ? fd_proxy_for_function(&m->proxy_cfg, fn, NULL) : NULL;

	if (!name)
		return FD_OK;
	memset(&pm, 0, sizeof(pm));
	proxy_window(m, &name, 1, &w);
	st = cw_fetch_proxies_sync(m->client, (const char *const *)&name, 1, &w, &pm, &e);
	if (st != FD_OK) {
		char msg[512];
		aws_error_format(&e, msg, sizeof(msg));
		st = fd_err_set(err, st, "%s", msg);
	} else if (m->cache) {
		st = fd_cache_put_proxy_metrics(m->cache, &m->ctx, &pm, 1, err);
	}
	if (st == FD_OK) {
		if (m->proxies_period != w.period_s)
			(void)proxies_load(m, NULL);
		proxies_merge(m, &pm, 1, w.period_s);
	}
	fd_proxy_metrics_free(&pm);
	free(name);
	return st;
}

/* ---- SQS queue facts ---- */

/* Cancelled calls (the model is going away) leave the facts as they were. */
static void
facts_done(struct fd_queue_fact *facts, size_t n, enum fd_status st, const char *error,
           void *ud)
{
	struct fd_inventory *inv = ud;
	struct fd_model *m = inv->m;
	struct fd_err err;

	inv->qjob = NULL;
	if (error && *error)
		model_set_error(m, error);
	if (st != FD_OK) {
		inv->abort_rest = 1;
		if (inv->stage == STAGE_QUEUE_FACTS)
			inv_stage_done(inv);
		return;
	}
	if (m->cache)
		inv_cache_error(inv, fd_cache_put_queue_facts(m->cache, &m->ctx, facts, n, &err),
		                &err);
	fd_queue_facts_free(m->qfacts, m->nqfacts);
	m->qfacts = facts;
	m->nqfacts = n;
	model_changed(m);
	if (inv->stage == STAGE_QUEUE_FACTS)
		inv_stage_done(inv);
}

int
inv_start_queue_facts(struct fd_inventory *inv)
{
	struct fd_model *m = inv->m;
	char **arns;
	size_t n = fd_qfacts_sources(m->fns, m->nfns, &arns);

	if (!n) {
		free(arns);
		return 0;
	}
	inv->qjob = fd_qfacts_start(m->client, arns, n, facts_done, inv);
	inv_free_strv(arns, n);
	return 1;
}

void
inv_facts_cancel(struct fd_inventory *inv)
{
	if (inv->pop) {
		inv->pop->inv = NULL; /* its GetMetricData calls finish into it */
		inv->pop = NULL;
	}
	fd_qfacts_cancel(inv->qjob);
	inv->qjob = NULL;
}

/* ---- one function's queues (headless `function NAME`) ---- */

static int
cmp_fact_arn(const void *a, const void *b)
{
	const struct fd_queue_fact *x = a, *y = b;

	return strcmp(x->arn ? x->arn : "", y->arn ? y->arn : "");
}

/* fresh's facts replace the model's facts of the same queues; the others stay. fresh
 * is freed, and with it the facts it replaced. */
static void
facts_merge(struct fd_model *m, struct fd_queue_fact *fresh, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct fd_queue_fact old = {.arn = NULL};
		for (j = 0; j < m->nqfacts && !fd_str_eq(m->qfacts[j].arn, fresh[i].arn); j++)
			;
		if (j == m->nqfacts)
			m->qfacts = fd_xreallocarray(m->qfacts, ++m->nqfacts, sizeof(*m->qfacts));
		else
			old = m->qfacts[j];
		m->qfacts[j] = fresh[i];
		fresh[i] = old;
	}
	fd_queue_facts_free(fresh, n);
	qsort(m->qfacts, m->nqfacts, sizeof(*m->qfacts), cmp_fact_arn);
	model_changed(m);
}

enum fd_status
fd_model_refresh_function_queues_sync(struct fd_model *m, const char *function, struct fd_err *err)
{
	const struct fd_function *fn = model_find_function(m, function);
	struct fd_queue_fact *facts = NULL;
	char error[256] = "", **arns = NULL;
	size_t n, nfacts = 0;
	enum fd_status st;

	if (!m->client)
		return fd_err_set(err, FD_EUNSUPPORTED, "offline: no AWS client to refresh with");
	n = fn ? fd_qfacts_sources(fn, 1, &arns) : 0;
	if (!n) {
		free(arns);
		return FD_OK;
	}
	st = fd_qfacts_read_sync(m->client, arns, n, &facts, &nfacts, error, sizeof(error));
	inv_free_strv(arns, n);
	if (st != FD_OK)
		return fd_err_set(err, st, "SQS queues: %s", error[0] ? error : fd_status_str(st));
	if (m->cache &&
	    (st = fd_cache_update_queue_facts(m->cache, &m->ctx, facts, nfacts, err)) != FD_OK) {
		fd_queue_facts_free(facts, nfacts);
		return st;
	}
	facts_merge(m, facts, nfacts);
	return error[0] ? fd_err_set(err, FD_EAWS, "SQS queues: %s", error) : FD_OK;
}

/* ---- public ---- */

void
fd_model_set_proxy_config(struct fd_model *m, const struct fd_proxy_config *c)
{
	size_t i;

	fd_proxy_config_free(&m->proxy_cfg);
	for (i = 0; c && i < c->n; i++) {
		m->proxy_cfg.v = fd_xreallocarray(m->proxy_cfg.v, i + 1, sizeof(*m->proxy_cfg.v));
		m->proxy_cfg.v[i].function = fd_xstrdup(c->v[i].function);
		m->proxy_cfg.v[i].proxy = fd_xstrdup(c->v[i].proxy);
		m->proxy_cfg.v[i].line = c->v[i].line;
		m->proxy_cfg.n = i + 1;
	}
	(void)proxies_load(m, NULL);
	model_changed(m);
}

enum fd_status
fd_model_load_proxy_config_default(struct fd_model *m, struct fd_err *err)
{
	char *path = fd_keymap_default_path();
	struct fd_proxy_config c;
	enum fd_status st;

	if (!path)
		return FD_OK;
	st = fd_proxy_config_load(path, &c, err);
	if (st == FD_OK && c.n)
		fd_model_set_proxy_config(m, &c);
	fd_proxy_config_free(&c);
	free(path);
	return st;
}

int
fd_model_function_proxy(struct fd_model *m, const char *function, struct fd_model_proxy *out)
{
	const struct fd_function *fn = model_find_function(m, function);
	int64_t now = (int64_t)fd_wall_now();
	char *name;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!fn || !(name = fd_proxy_for_function(&m->proxy_cfg, fn, &out->configured)))
		return 0;
	if (m->proxies_period != model_period_for(m->window_s))
		(void)proxies_load(m, NULL);
	fd_strlcpy(out->name, name, sizeof(out->name));
	out->endpoint = fn->rds_proxy_endpoint;
	out->from_s = now - m->window_s;
	out->to_s = now + 1;
	for (i = 0; i < m->nproxies; i++)
		if (fd_str_eq(m->proxies[i].proxy, name) && m->proxies[i].fetched_ms)
			out->metrics = &m->proxies[i];
	free(name);
	return 1;
}

size_t
fd_model_queue_facts(const struct fd_model *m, const struct fd_queue_fact **facts)
{
	*facts = m->qfacts;
	return m->nqfacts;
}
