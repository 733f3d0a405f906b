/* model.c - the fleet model's records for one context: functions, metric summaries
 * of the window and log groups, loaded from the cache at once (instant start) and
 * replaced or merged as the refresh pipeline (inventory.c) brings fresher data. Full
 * metric series stay in the cache: only the function on screen has its own read
 * (model_focus). Rows, filter and sort live in model_rows.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "fleetdeck/queues.h"
#include "model_int.h"

#define DEFAULT_WINDOW_S 3600

enum fd_status
fd_model_new(struct aws_client *client, struct fd_cache *cache, const struct fd_ctx *ctx,
             struct fd_model **out, struct fd_err *err)
{
	struct fd_model *m;

	if (!out || !ctx)
		return fd_err_set(err, FD_EINVAL, "model: no context");
	m = fd_xcalloc(1, sizeof(*m));
	m->client = client;
	m->cache = cache;
	m->ctx = *ctx;
	m->concurrency_limit = -1;
	m->unreserved_limit = -1;
	m->account_conc_max = NAN;
	m->window_s = DEFAULT_WINDOW_S;
	m->focus_fn = SIZE_MAX;
	m->sort_col = FD_FC_NAME;
	m->need_summary = 1;
	m->need_view = 1;
	m->st.offline = client == NULL;
	*out = m;
	return FD_OK;
}

static void
mutes_free(struct fd_model *m)
{
	size_t i, j;

	for (i = 0; i < m->nmutes; i++) {
		free(m->mutes[i].function);
		for (j = 0; m->mutes[i].ids[j]; j++)
			free(m->mutes[i].ids[j]);
	}
	free(m->mutes);
}

void
fd_model_free(struct fd_model *m)
{
	if (!m)
		return;
	/* Calls still in flight point at this model: let them finish as cancelled
	 * (their callbacks free their jobs) while the model is still alive. */
	if (m->client)
		aws_client_abort_all(m->client);
	inventory_free(m);
	fd_queues_free(m->queues);
	model_rows_free(m);
	fd_functions_free(m->fns, m->nfns);
	fd_summaries_free(m->sums, m->nsums);
	fd_function_metrics_free(&m->focus);
	fd_log_groups_free(m->groups, m->ngroups);
	mutes_free(m);
	fd_iam_state_free(m->iam);
	model_facts_free(m);
	free(m);
}

int
model_period_for(int window_s)
{
	return fd_summary_period(window_s);
}

void
model_changed(struct fd_model *m)
{
	fd_function_metrics_free(&m->focus);
	m->need_summary = 1;
	m->need_view = 1;
	m->dirty = 1;
}

void
model_set_error(struct fd_model *m, const char *msg)
{
	fd_strlcpy(m->st.last_error, msg ? msg : "", sizeof(m->st.last_error));
	m->dirty = 1;
}

static int
cmp_fn_name(const void *a, const void *b)
{
	const struct fd_function *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static int
cmp_sum_name(const void *a, const void *b)
{
	const struct fd_metric_summary *x = a, *y = b;

	return strcmp(x->function ? x->function : "", y->function ? y->function : "");
}

static int
cmp_group_name(const void *a, const void *b)
{
	const struct fd_log_group *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

struct fd_function *
model_find_function(struct fd_model *m, const char *name)
{
	struct fd_function key;

	if (!name || !m->nfns)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.name = (char *)(uintptr_t)name;
	return bsearch(&key, m->fns, m->nfns, sizeof(*m->fns), cmp_fn_name);
}

const struct fd_metric_summary *
model_find_summary(const struct fd_model *m, const char *name)
{
	struct fd_metric_summary key;

	if (!name || !m->nsums)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.function = (char *)(uintptr_t)name;
	return bsearch(&key, m->sums, m->nsums, sizeof(*m->sums), cmp_sum_name);
}

/* The focus is read again after any change (model_changed drops it). */
const struct fd_function_metrics *
model_focus(struct fd_model *m, const char *name)
{
	int period = model_period_for(m->window_s);
	int64_t from = (int64_t)fd_wall_now() - m->window_s;
	struct fd_err err;

	if (!m->cache || !name)
		return NULL;
	if (m->focus.function && strcmp(m->focus.function, name) == 0)
		return &m->focus;
	fd_function_metrics_free(&m->focus);
	if (fd_cache_get_function_metrics(m->cache, &m->ctx, name, period, from - from % period,
	                                  &m->focus, &err) != FD_OK) {
		model_set_error(m, err.msg);
		return NULL;
	}
	return &m->focus;
}

const struct fd_function *
fd_model_function(struct fd_model *m, const char *name)
{
	return model_find_function(m, name);
}

const struct fd_log_group *
fd_model_log_group(struct fd_model *m, const char *name)
{
	struct fd_log_group key;

	if (!name || !m->ngroups)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.name = (char *)(uintptr_t)name;
	return bsearch(&key, m->groups, m->ngroups, sizeof(*m->groups), cmp_group_name);
}

/* Swaps the detail part (GetFunction, policy, mappings, aliases, ...) of a and b. */
static void
swap_detail(struct fd_function *a, struct fd_function *b)
{
	struct fd_function t = *a;

	a->detail_loaded = b->detail_loaded;
	a->detail_fetched_ms = b->detail_fetched_ms;
	a->reserved_concurrency = b->reserved_concurrency;
	a->tags = b->tags;
	a->ntags = b->ntags;
	a->triggers = b->triggers;
	a->ntriggers = b->ntriggers;
	a->aliases = b->aliases;
	a->naliases = b->naliases;
	a->versions = b->versions;
	a->nversions = b->nversions;
	a->async = b->async;
	b->detail_loaded = t.detail_loaded;
	b->detail_fetched_ms = t.detail_fetched_ms;
	b->reserved_concurrency = t.reserved_concurrency;
	b->tags = t.tags;
	b->ntags = t.ntags;
	b->triggers = t.triggers;
	b->ntriggers = t.ntriggers;
	b->aliases = t.aliases;
	b->naliases = t.naliases;
	b->versions = t.versions;
	b->nversions = t.nversions;
	b->async = t.async;
}

/* A fresh listing carries configuration only: keep the detail already known for
 * functions that are still there. */
void
model_set_functions(struct fd_model *m, struct fd_function *fns, size_t n)
{
	size_t i;

	if (n > 1)
		qsort(fns, n, sizeof(*fns), cmp_fn_name);
	for (i = 0; i < n; i++) {
		struct fd_function *old = model_find_function(m, fns[i].name);
		if (old && old->detail_loaded && !fns[i].detail_loaded)
			swap_detail(&fns[i], old);
		else if (!fns[i].detail_loaded)
			fns[i].reserved_concurrency = -1;
	}
	fd_functions_free(m->fns, m->nfns);
	m->fns = fns;
	m->nfns = n;
	model_changed(m);
}

struct fd_function *
model_apply_detail(struct fd_model *m, struct fd_function *src)
{
	struct fd_function *dst = model_find_function(m, src->name);
	const char *name;

	if (dst) {
		swap_detail(dst, src);
		name = dst->name;
		model_rows_update(m, &name, 1, 1);
	}
	fd_function_free(src);
	return dst;
}

/* Room for n more summaries. */
static void
sums_reserve(struct fd_model *m, size_t n)
{
	if (m->nsums + n <= m->cap_sums)
		return;
	m->cap_sums = FD_MAX(m->cap_sums * 2, m->nsums + n + 64);
	m->sums = fd_xreallocarray(m->sums, m->cap_sums, sizeof(*m->sums));
}

/* The summary of fm for the window: the cache's (which merged fm into what it had),
 * or, without a cache, fm's own. Replaces or adds the model's; returns 1 when added. */
static int
take_summary(struct fd_model *m, const struct fd_function_metrics *fm)
{
	struct fd_metric_summary s, *have;
	struct fd_err err;

	if (!m->cache || fd_cache_get_summary(m->cache, &m->ctx, m->window_s, fm->function, &s,
	                                      &err) != FD_OK) {
		fd_summary_compute(fm, m->window_s, (int64_t)fd_wall_now(), &s);
		s.function = fd_xstrdup(fm->function);
	}
	have = (struct fd_metric_summary *)model_find_summary(m, fm->function);
	if (have) {
		free(have->function);
		*have = s;
		return 0;
	}
	sums_reserve(m, 1);
	m->sums[m->nsums++] = s;
	return 1;
}

void
model_merge_metrics(struct fd_model *m, struct fd_function_metrics *fresh, size_t n, int period_s)
{
	int added = 0, feeds = period_s == model_period_for(m->window_s);
	size_t i;

	for (i = 0; feeds && i < n; i++)
		if (fresh[i].function)
			added |= take_summary(m, &fresh[i]);
	if (added && m->nsums > 1)
		qsort(m->sums, m->nsums, sizeof(*m->sums), cmp_sum_name);
	if (feeds) {
		const char **names = fd_xcalloc(n + 1, sizeof(*names));
		for (i = 0; i < n; i++)
			names[i] = fresh[i].function;
		model_rows_update(m, names, n, 0);
		free(names);
	}
	for (i = 0; i < n; i++)
		fd_function_metrics_free(&fresh[i]);
}

void
model_set_groups(struct fd_model *m, struct fd_log_group *groups, size_t n)
{
	if (n > 1)
		qsort(groups, n, sizeof(*groups), cmp_group_name);
	fd_log_groups_free(m->groups, m->ngroups);
	m->groups = groups;
	m->ngroups = n;
	model_changed(m);
}

/* Frees one log group's members (fd_log_groups_free frees the array too). */
void
model_group_clear(struct fd_log_group *g)
{
	free(g->name);
	free(g->log_class);
	memset(g, 0, sizeof(*g));
}

/* Replaces or adds one log group (takes ownership of g's contents). */
void
model_upsert_group(struct fd_model *m, struct fd_log_group *g)
{
	struct fd_log_group *have = (struct fd_log_group *)fd_model_log_group(m, g->name);

	if (have) {
		model_group_clear(have);
		*have = *g;
	} else {
		m->groups = fd_xreallocarray(m->groups, m->ngroups + 1, sizeof(*m->groups));
		m->groups[m->ngroups++] = *g;
		qsort(m->groups, m->ngroups, sizeof(*m->groups), cmp_group_name);
	}
	memset(g, 0, sizeof(*g));
	model_changed(m);
}

/* The summaries of the window (no cache: none until the next refresh). */
static enum fd_status
load_summaries(struct fd_model *m, struct fd_err *err)
{
	struct fd_metric_summary *sums = NULL;
	size_t n = 0;
	enum fd_status st = FD_OK;

	if (m->cache)
		st = fd_cache_get_summaries(m->cache, &m->ctx, m->window_s, &sums, &n, err);
	if (st != FD_OK)
		return st;
	if (n)
		sums = fd_xreallocarray(sums, n, sizeof(*sums)); /* the loader's spare half */
	fd_summaries_free(m->sums, m->nsums);
	m->sums = sums;
	m->nsums = m->cap_sums = n;
	model_changed(m);
	return FD_OK;
}

enum fd_status
fd_model_load_cache(struct fd_model *m, struct fd_err *err)
{
	struct fd_function *fns = NULL;
	struct fd_log_group *groups = NULL;
	size_t n = 0, ng = 0;
	int64_t oldest = 0;
	enum fd_status st;

	if (!m->cache)
		return FD_OK;
	st = fd_cache_get_functions(m->cache, &m->ctx, &fns, &n, &oldest, err);
	if (st != FD_OK)
		return st;
	model_set_functions(m, fns, n);
	st = load_summaries(m, err);
	if (st != FD_OK)
		return st;
	st = fd_cache_get_log_groups(m->cache, &m->ctx, &groups, &ng, err);
	if (st != FD_OK)
		return st;
	model_set_groups(m, groups, ng);
	model_account_load_cache(m);
	m->st.data_fetched_ms = oldest;
	return model_facts_load_cache(m, err);
}

void
fd_model_enable_queues(struct fd_model *m)
{
	if (m->client && !m->queues)
		m->queues = fd_queues_new(m->client);
}

int
fd_model_take_dirty(struct fd_model *m)
{
	int d;

	(void)inventory_step(m);
	d = m->dirty;
	if (m->queues && fd_queues_take_dirty(m->queues))
		d = 1;

	m->dirty = 0;
	return d;
}

void
fd_model_status(const struct fd_model *m, struct fd_model_status *out)
{
	*out = m->st;
}

void
fd_model_set_window(struct fd_model *m, int window_s)
{
	struct fd_err err;

	if (window_s <= 0 || window_s > 86400 || window_s == m->window_s)
		return;
	m->window_s = window_s;
	if (load_summaries(m, &err) != FD_OK)
		model_set_error(m, err.msg);
	model_account_window_changed(m);
	model_changed(m);
}

int
fd_model_window(const struct fd_model *m)
{
	return m->window_s;
}

static void
mute_add_ids(struct model_mute *mu, const char *ids)
{
	char *copy = fd_xstrdup(ids ? ids : ""), *save = NULL, *tok;
	size_t j = 0;

	while (mu->ids[j])
		j++;
	for (tok = strtok_r(copy, ", \t", &save); tok && j < MODEL_MUTE_MAX;
	     tok = strtok_r(NULL, ", \t", &save))
		mu->ids[j++] = fd_xstrdup(tok);
	mu->ids[j] = NULL;
	free(copy);
}

void
fd_model_mute(struct fd_model *m, const char *function, const char *check_ids)
{
	struct model_mute *mu = NULL;
	const char *fn = function && *function ? function : "*";
	size_t i;

	for (i = 0; i < m->nmutes && !mu; i++)
		if (strcmp(m->mutes[i].function, fn) == 0)
			mu = &m->mutes[i];
	if (!mu) {
		m->mutes = fd_xreallocarray(m->mutes, m->nmutes + 1, sizeof(*m->mutes));
		mu = &m->mutes[m->nmutes++];
		memset(mu, 0, sizeof(*mu));
		mu->function = fd_xstrdup(fn);
	}
	mute_add_ids(mu, check_ids);
	model_changed(m);
}
