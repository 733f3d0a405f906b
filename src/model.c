/* model.c - the fleet model's records for one context: functions, metric series and
 * log groups, loaded from the cache at once (instant start) and replaced or merged
 * as the refresh pipeline (inventory.c) brings fresher data. Rows, filter and sort
 * live in model_rows.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
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
	m->mets_period_s = model_period_for(m->window_s);
	m->sort_col = FD_FC_NAME;
	m->need_summary = 1;
	m->need_view = 1;
	m->st.offline = client == NULL;
	*out = m;
	return FD_OK;
}

static void
metrics_free_all(struct fd_function_metrics *mets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fd_function_metrics_free(&mets[i]);
	free(mets);
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
	model_rows_free(m);
	fd_functions_free(m->fns, m->nfns);
	metrics_free_all(m->mets, m->nmets);
	fd_log_groups_free(m->groups, m->ngroups);
	mutes_free(m);
	free(m);
}

int
model_period_for(int window_s)
{
	return window_s > 3 * 3600 ? 300 : 60;
}

void
model_changed(struct fd_model *m)
{
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
cmp_met_name(const void *a, const void *b)
{
	const struct fd_function_metrics *x = a, *y = b;

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

const struct fd_function_metrics *
model_find_metrics(const struct fd_model *m, const char *name)
{
	struct fd_function_metrics key;

	if (!name || !m->nmets)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.function = (char *)(uintptr_t)name;
	return bsearch(&key, m->mets, m->nmets, sizeof(*m->mets), cmp_met_name);
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

	if (dst) {
		swap_detail(dst, src);
		model_changed(m);
	}
	fd_function_free(src);
	return dst;
}

static size_t
max_points_for(int period_s)
{
	return (size_t)((period_s >= 300 ? 86400 : 3 * 3600) / period_s) + 2;
}

/* Merges freshly fetched series into those held (same period); functions seen for
 * the first time are moved in. fresh's contents are consumed. */
void
model_merge_metrics(struct fd_model *m, struct fd_function_metrics *fresh, size_t n, int period_s)
{
	size_t i, k, add = 0, maxp = max_points_for(period_s);

	if (period_s != m->mets_period_s) {
		metrics_free_all(m->mets, m->nmets);
		m->mets = NULL;
		m->nmets = 0;
		m->mets_period_s = period_s;
	}
	for (i = 0; i < n; i++) {
		struct fd_function_metrics *have;
		if (!fresh[i].function) {
			fd_function_metrics_free(&fresh[i]);
			continue;
		}
		have = (struct fd_function_metrics *)model_find_metrics(m, fresh[i].function);
		if (!have)
			continue;
		for (k = 0; k < FD_M_COUNT; k++)
			fd_series_merge(&have->s[k], &fresh[i].s[k], maxp);
		have->fetched_ms = fresh[i].fetched_ms;
		fd_function_metrics_free(&fresh[i]);
		fresh[i].function = NULL;
	}
	for (i = 0; i < n; i++)
		add += fresh[i].function != NULL;
	m->mets = fd_xreallocarray(m->mets, m->nmets + add + 1, sizeof(*m->mets));
	for (i = 0; i < n; i++) {
		if (!fresh[i].function)
			continue;
		m->mets[m->nmets++] = fresh[i];
		memset(&fresh[i], 0, sizeof(fresh[i]));
	}
	qsort(m->mets, m->nmets, sizeof(*m->mets), cmp_met_name);
	model_changed(m);
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

static long long
meta_ll(struct fd_model *m, const char *key)
{
	char *v = fd_cache_meta_get(m->cache, &m->ctx, key);
	long long r = v && *v ? strtoll(v, NULL, 10) : -1;

	free(v);
	return r;
}

static enum fd_status
load_cached_metrics(struct fd_model *m, struct fd_err *err)
{
	struct fd_function_metrics *mets = NULL;
	size_t n = 0;
	int period = model_period_for(m->window_s);
	int64_t from = (int64_t)fd_wall_now() - m->window_s;
	enum fd_status st;

	st = fd_cache_get_metrics(m->cache, &m->ctx, period, from - from % period, &mets, &n, err);
	if (st != FD_OK)
		return st;
	metrics_free_all(m->mets, m->nmets);
	if (n > 1)
		qsort(mets, n, sizeof(*mets), cmp_met_name);
	m->mets = mets;
	m->nmets = n;
	m->mets_period_s = period;
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
	st = load_cached_metrics(m, err);
	if (st != FD_OK)
		return st;
	st = fd_cache_get_log_groups(m->cache, &m->ctx, &groups, &ng, err);
	if (st != FD_OK)
		return st;
	model_set_groups(m, groups, ng);
	m->concurrency_limit = meta_ll(m, "account_concurrency_limit");
	m->unreserved_limit = meta_ll(m, "account_unreserved_limit");
	m->st.data_fetched_ms = oldest;
	return FD_OK;
}

int
fd_model_take_dirty(struct fd_model *m)
{
	int d = m->dirty;

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
	if (m->cache && load_cached_metrics(m, &err) != FD_OK)
		model_set_error(m, err.msg);
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
