/* coldstarts.c - cold-start statistics: an accumulator fed one sample at a time
 * (groups by function, version and memory in a hash table; INIT and restore
 * durations in per-group arrays sorted once at the end, so a million cached rows
 * stream through in a fraction of a second), the inventory join and suggestions.
 * The Logs Insights path is in coldstarts_insights.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coldstarts_int.h"
#include "fleetdeck/coldstarts.h"


double
fd_percentile_nearest_rank(const double *sorted, size_t n, double p)
{
	double rank;

	if (!n)
		return NAN;
	rank = ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > (double)n)
		rank = (double)n;
	return sorted[(size_t)rank - 1];
}

static int
runtime_version_at_least(const char *rt, const char *prefix, int min)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (!rt || strncmp(rt, prefix, n) != 0)
		return 0;
	v = strtol(rt + n, &end, 10);
	return end != rt + n && v >= min;
}

int
fd_snapstart_supported(const char *runtime)
{
	return runtime_version_at_least(runtime, "java", 11) ||
	       runtime_version_at_least(runtime, "python3.", 12) ||
	       runtime_version_at_least(runtime, "dotnet", 8);
}

/* ---- the accumulator ---- */

struct dvec {
	double *v;
	size_t n, cap;
};

static void
dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = fd_xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n++] = x;
}

struct cs_group {
	char function[72];
	char version[40];
	int memory;
	uint64_t hash;
	long long inv, cold, restores, spill_candidates;
	struct dvec init, restore;
	double init_sum, od_init_gb_s;
	int *trend;
};

struct fd_cs_acc {
	struct fd_coldstart_opts o;
	size_t nbuckets;
	struct cs_group *g;
	size_t n, cap;
	uint32_t *slot;            /* group index + 1 */
	size_t mask;
	struct cs_group *last;
};

static uint64_t
hash_str(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (h ^ 0x1f) * 1099511628211ULL;
}

static uint64_t
group_hash(const char *fn, const char *ver, int mem)
{
	uint64_t h = hash_str(hash_str(1469598103934665603ULL, fn), ver);

	return (h ^ (uint64_t)(unsigned)mem) * 1099511628211ULL;
}

struct fd_cs_acc *
fd_cs_acc_new(const struct fd_coldstart_opts *o)
{
	struct fd_cs_acc *a = fd_xcalloc(1, sizeof(*a));
	int64_t span = o->to_ms - o->from_ms;

	a->o = *o;
	a->o.functions = NULL;
	if (o->nfunctions) {
		const char **copy = fd_xcalloc(o->nfunctions, sizeof(char *));
		size_t i;
		for (i = 0; i < o->nfunctions; i++)
			copy[i] = fd_xstrdup(o->functions[i]);
		a->o.functions = copy;
	}
	if (a->o.price_per_gb_s <= 0)
		a->o.price_per_gb_s = FD_COLDSTART_PRICE_DEFAULT;
	a->nbuckets = span > 0 ? (size_t)((span + FD_COLDSTART_BUCKET_S * 1000 - 1) /
					  (FD_COLDSTART_BUCKET_S * 1000))
			       : 0;
	a->nbuckets = FD_MIN(a->nbuckets, (size_t)FD_COLDSTART_MAX_BUCKETS);
	a->mask = 63;
	a->slot = fd_xcalloc(a->mask + 1, sizeof(*a->slot));
	return a;
}

static int
wanted(const struct fd_cs_acc *a, const char *fn)
{
	size_t i;

	if (!a->o.nfunctions)
		return 1;
	for (i = 0; i < a->o.nfunctions; i++)
		if (strcmp(a->o.functions[i], fn) == 0)
			return 1;
	return 0;
}

static void
rehash(struct fd_cs_acc *a)
{
	size_t i, j;

	free(a->slot);
	a->mask = a->mask * 2 + 1;
	a->slot = fd_xcalloc(a->mask + 1, sizeof(*a->slot));
	for (i = 0; i < a->n; i++) {
		for (j = (size_t)a->g[i].hash & a->mask; a->slot[j]; j = (j + 1) & a->mask)
			;
		a->slot[j] = (uint32_t)i + 1;
	}
}

static struct cs_group *
group_new(struct fd_cs_acc *a, const struct fd_inv_sample *s, int mem, uint64_t h)
{
	struct cs_group *g;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->g = fd_xreallocarray(a->g, a->cap, sizeof(*a->g));
	}
	g = &a->g[a->n++];
	memset(g, 0, sizeof(*g));
	fd_strlcpy(g->function, s->function, sizeof(g->function));
	fd_strlcpy(g->version, s->version, sizeof(g->version));
	g->memory = mem;
	g->hash = h;
	if ((a->n + 1) * 2 > a->mask + 1)
		rehash(a);
	else {
		size_t j;
		for (j = (size_t)h & a->mask; a->slot[j]; j = (j + 1) & a->mask)
			;
		a->slot[j] = (uint32_t)a->n;
	}
	return g;
}

static int
group_is(const struct cs_group *g, const struct fd_inv_sample *s, int mem)
{
	return g->memory == mem && strcmp(g->function, s->function) == 0 &&
	       strcmp(g->version, s->version) == 0;
}

static struct cs_group *
group_of(struct fd_cs_acc *a, const struct fd_inv_sample *s)
{
	int mem = isnan(s->memory_mb) ? 0 : (int)lround(s->memory_mb);
	uint64_t h;
	size_t j;

	if (a->last && group_is(a->last, s, mem))
		return a->last;
	h = group_hash(s->function, s->version, mem);
	for (j = (size_t)h & a->mask; a->slot[j]; j = (j + 1) & a->mask) {
		struct cs_group *g = &a->g[a->slot[j] - 1];
		if (g->hash == h && group_is(g, s, mem))
			return a->last = g;
	}
	return a->last = group_new(a, s, mem, h);
}

void
fd_cs_acc_add(struct fd_cs_acc *a, const struct fd_inv_sample *s)
{
	struct cs_group *g;
	int cold = !isnan(s->init_ms) || !isnan(s->restore_ms);

	if (!wanted(a, s->function))
		return;
	g = group_of(a, s);
	g->inv++;
	if (!cold)
		return;
	g->cold++;
	if (!isnan(s->init_ms)) {
		dvec_push(&g->init, s->init_ms);
		g->init_sum += s->init_ms;
		if (strcmp(s->init_type, "provisioned-concurrency") != 0) {
			g->spill_candidates++;
			g->od_init_gb_s += s->init_ms / 1000.0 * (double)g->memory / 1024.0;
		}
	}
	if (!isnan(s->restore_ms)) {
		dvec_push(&g->restore, s->restore_ms);
		g->restores++;
	}
	if (a->nbuckets && s->end_ms >= a->o.from_ms) {
		size_t b = (size_t)((s->end_ms - a->o.from_ms) / (FD_COLDSTART_BUCKET_S * 1000));
		if (!g->trend)
			g->trend = fd_xcalloc(a->nbuckets, sizeof(int));
		if (b < a->nbuckets)
			g->trend[b]++;
	}
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void
percentiles(struct dvec *d, double *p50, double *p90, double *p99, double *max)
{
	if (d->n)
		qsort(d->v, d->n, sizeof(double), cmp_double);
	*p50 = fd_percentile_nearest_rank(d->v, d->n, 50);
	*p90 = fd_percentile_nearest_rank(d->v, d->n, 90);
	*p99 = fd_percentile_nearest_rank(d->v, d->n, 99);
	*max = d->n ? d->v[d->n - 1] : NAN;
}

const struct fd_function *
cs_inventory_fn(const struct fd_function *fns, size_t n, const char *name)
{
	size_t i;

	for (i = 0; fns && i < n; i++)
		if (fd_str_eq(fns[i].name, name))
			return &fns[i];
	return NULL;
}

/* Runtime, architecture, alias, provisioned concurrency and SnapStart from the
 * inventory (per version when the version is listed). */
static void
join_inventory(struct fd_coldstart_row *r, const struct fd_function *fn)
{
	size_t i;

	if (!fn)
		return;
	fd_strlcpy(r->runtime, fn->runtime ? fn->runtime : "", sizeof(r->runtime));
	fd_strlcpy(r->architecture, fn->architecture ? fn->architecture : "",
		   sizeof(r->architecture));
	r->snapstart |= fd_str_eq(fn->snapstart, "PublishedVersions") &&
			!fd_str_eq(r->version, "$LATEST");
	for (i = 0; i < fn->nversions; i++) {
		const struct fd_version *v = &fn->versions[i];
		if (!fd_str_eq(v->version, r->version))
			continue;
		if (v->runtime)
			fd_strlcpy(r->runtime, v->runtime, sizeof(r->runtime));
		r->provisioned += v->provisioned;
		r->provisioned_available += v->provisioned_available;
	}
	for (i = 0; i < fn->naliases; i++) {
		const struct fd_alias *al = &fn->aliases[i];
		if (!fd_str_eq(al->version, r->version))
			continue;
		if (!r->alias[0] && al->name)
			fd_strlcpy(r->alias, al->name, sizeof(r->alias));
		r->provisioned += al->provisioned;
		r->provisioned_available += al->provisioned_available;
	}
}

void
cs_finish_row(struct fd_coldstart_row *r, double price)
{
	double p99 = !isnan(r->init_p99) ? r->init_p99 : r->restore_p99;

	r->rate = r->invocations ? (double)r->cold_starts / (double)r->invocations : 0;
	r->impact = isnan(p99) ? 0 : r->rate * (p99 / 1000.0) * (double)r->invocations;
	r->init_cost = r->init_gb_s * price;
}

static void
group_row(struct cs_group *g, const struct fd_cs_acc *a, struct fd_coldstart_row *r)
{
	memset(r, 0, sizeof(*r));
	fd_strlcpy(r->function, g->function, sizeof(r->function));
	fd_strlcpy(r->version, g->version, sizeof(r->version));
	r->memory_mb = g->memory;
	r->invocations = g->inv;
	r->cold_starts = g->cold;
	r->restores = g->restores;
	r->snapstart = g->restores > 0;
	r->init_sum_ms = g->init_sum;
	r->init_gb_s = g->od_init_gb_s;
	percentiles(&g->init, &r->init_p50, &r->init_p90, &r->init_p99, &r->init_max);
	percentiles(&g->restore, &r->restore_p50, &r->restore_p90, &r->restore_p99,
		    &r->restore_max);
	r->trend_start_ms = a->o.from_ms;
	r->ntrend = a->nbuckets;
	r->trend = g->trend ? g->trend : (a->nbuckets ? fd_xcalloc(a->nbuckets, sizeof(int)) : NULL);
	g->trend = NULL;
	if (a->o.keep_values) {
		r->init_values = g->init.v;
		r->ninit = g->init.n;
		g->init.v = NULL;
	}
}

static int
cmp_impact(const void *x, const void *y)
{
	const struct fd_coldstart_row *a = x, *b = y;
	int c;

	if (a->impact != b->impact)
		return a->impact > b->impact ? -1 : 1;
	if (a->cold_starts != b->cold_starts)
		return a->cold_starts > b->cold_starts ? -1 : 1;
	c = strcmp(a->function, b->function);
	return c ? c : strcmp(a->version, b->version);
}

void
cs_sort_rows(struct fd_coldstarts *out)
{
	size_t i;

	if (out->n)
		qsort(out->rows, out->n, sizeof(*out->rows), cmp_impact);
	for (i = 0; i < out->n; i++) {
		out->invocations += out->rows[i].invocations;
		out->cold_starts += out->rows[i].cold_starts;
	}
}

static void
acc_free(struct fd_cs_acc *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->g[i].init.v);
		free(a->g[i].restore.v);
		free(a->g[i].trend);
	}
	for (i = 0; i < a->o.nfunctions; i++)
		free((char *)a->o.functions[i]);
	free((void *)a->o.functions);
	free(a->g);
	free(a->slot);
	free(a);
}

void
fd_cs_acc_finish(struct fd_cs_acc *a, const struct fd_function *fns, size_t nfns,
		 struct fd_coldstarts *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->from_ms = a->o.from_ms;
	out->to_ms = a->o.to_ms;
	out->price_per_gb_s = a->o.price_per_gb_s;
	out->rows = a->n ? fd_xcalloc(a->n, sizeof(*out->rows)) : NULL;
	for (i = 0; i < a->n; i++) {
		struct fd_coldstart_row *r = &out->rows[out->n++];
		group_row(&a->g[i], a, r);
		join_inventory(r, cs_inventory_fn(fns, nfns, r->function));
		if (r->provisioned > 0)
			r->spillover = a->g[i].spill_candidates;
		cs_finish_row(r, a->o.price_per_gb_s);
	}
	cs_sort_rows(out);
	acc_free(a);
}

void
fd_coldstarts_free(struct fd_coldstarts *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free(cs->rows[i].trend);
		free(cs->rows[i].init_values);
	}
	free(cs->rows);
	memset(cs, 0, sizeof(*cs));
}

static void
acc_sample(const struct fd_inv_sample *s, void *ud)
{
	fd_cs_acc_add(ud, s);
}

enum fd_status
fd_coldstarts_local(struct fd_cache *c, const struct fd_ctx *ctx,
		    const struct fd_coldstart_opts *o, const struct fd_function *fns, size_t nfns,
		    struct fd_coldstarts *out, struct fd_err *err)
{
	struct fd_cs_acc *a = fd_cs_acc_new(o);
	enum fd_status rc = fd_cache_scan_invocations(c, ctx, o->from_ms, o->to_ms, acc_sample, a,
						      err);

	fd_cs_acc_finish(a, fns, nfns, out);
	if (rc != FD_OK)
		fd_coldstarts_free(out);
	return rc;
}

/* ---- suggestions ---- */

static int
trend_peak(const struct fd_coldstart_row *r)
{
	int best = 0;
	size_t i;

	for (i = 0; i < r->ntrend; i++)
		best = FD_MAX(best, r->trend[i]);
	return best;
}

static size_t
suggest(struct fd_cs_suggestion *out, size_t n, size_t max, enum fd_cs_suggest_kind k,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static size_t
suggest(struct fd_cs_suggestion *out, size_t n, size_t max, enum fd_cs_suggest_kind k,
	const char *fmt, ...)
{
	va_list ap;

	if (n >= max)
		return n;
	out[n].kind = k;
	va_start(ap, fmt);
	vsnprintf(out[n].text, sizeof(out[n].text), fmt, ap);
	va_end(ap);
	return n + 1;
}

size_t
fd_coldstart_suggest(const struct fd_coldstart_row *r, struct fd_cs_suggestion *out, size_t max)
{
	size_t n = 0;
	int peak = trend_peak(r);

	if (r->provisioned > 0 && r->spillover > 0)
		n = suggest(out, n, max, FD_CS_PROVISIONED_RAISE,
			    "raise provisioned concurrency above %d: %lld on-demand cold starts "
			    "spilled over it", r->provisioned, r->spillover);
	else if (r->provisioned <= 0 && r->cold_starts >= 10 && r->rate >= 0.01 && !r->snapstart)
		n = suggest(out, n, max, FD_CS_PROVISIONED,
			    "provisioned concurrency: about %d environments would absorb the "
			    "busiest 5 minutes (%lld cold starts, %.1f%% of invocations)",
			    FD_MAX(peak, 1), r->cold_starts, r->rate * 100.0);
	if (!r->snapstart && fd_snapstart_supported(r->runtime) && r->init_p99 >= 1000)
		n = suggest(out, n, max, FD_CS_SNAPSTART,
			    "SnapStart (%s supports it): resume from a snapshot instead of a "
			    "%.0f ms p99 INIT; publish versions and invoke through a version or "
			    "alias (not with provisioned concurrency on that version)",
			    r->runtime, r->init_p99);
	if (r->memory_mb > 0 && r->memory_mb <= 512 && r->init_p50 >= 400)
		n = suggest(out, n, max, FD_CS_MEMORY,
			    "memory: INIT is CPU-bound and CPU grows with memory; try %d MB "
			    "instead of %d MB (p50 INIT %.0f ms)",
			    r->memory_mb * 2, r->memory_mb, r->init_p50);
	return n;
}
