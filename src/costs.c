/* costs.c - log cost: prices, the arithmetic (costs.h states it), the per-function
 * table and the log level in use. IncomingBytes per log group and day are fetched by
 * costs_fetch.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/coldstarts.h"
#include "fleetdeck/costs.h"

#define DAY_S 86400

/* ---- prices and arithmetic ---- */

static double
env_price(const char *name, double def)
{
	const char *v = getenv(name);
	char *end = NULL;
	double d;

	if (!v || !*v)
		return def;
	d = strtod(v, &end);
	return end && !*end && isfinite(d) && d >= 0 ? d : def;
}

void
fd_cost_prices_default(struct fd_cost_prices *p)
{
	p->ingest_usd_per_gb = env_price("FLEETDECK_LOG_INGEST_PRICE", FD_LOG_INGEST_USD_PER_GB);
	p->storage_usd_per_gb_month =
	    env_price("FLEETDECK_LOG_STORAGE_PRICE", FD_LOG_STORAGE_USD_PER_GB_MONTH);
}

double
fd_cost_ingest_month(double bytes_per_day, const struct fd_cost_prices *p)
{
	if (isnan(bytes_per_day))
		return NAN;
	return bytes_per_day * FD_COST_DAYS_PER_MONTH / FD_COST_BYTES_PER_GB * p->ingest_usd_per_gb;
}

double
fd_cost_storage_month(double stored_bytes, const struct fd_cost_prices *p)
{
	if (isnan(stored_bytes))
		return NAN;
	return stored_bytes / FD_COST_BYTES_PER_GB * p->storage_usd_per_gb_month;
}

double
fd_cost_insights_usd(double bytes)
{
	return bytes / FD_COST_BYTES_PER_GB * FD_INSIGHTS_USD_PER_GB;
}

double
fd_cost_gmd_usd(double metrics)
{
	return metrics * FD_GMD_USD_PER_1000_METRICS / 1000.0;
}

double
fd_cost_gmd_usd_hour(double metrics_per_refresh, int period_s)
{
	return period_s > 0 ? fd_cost_gmd_usd(metrics_per_refresh) * 3600.0 / period_s : 0.0;
}

/* ---- log level ---- */

static const char *
env_value(const struct fd_function *fn, const char *name)
{
	size_t i;

	for (i = 0; i < fn->nenv; i++)
		if (fd_str_eq(fn->env[i].name, name) && fn->env[i].kind == FD_ENV_PLAIN)
			return fn->env[i].value;
	return NULL;
}

const char *
fd_function_log_level(const struct fd_function *fn, const char **source)
{
	const char *v;

	*source = NULL;
	if (!fn)
		return NULL;
	if (fn->app_log_level && *fn->app_log_level) {
		*source = "logging config";
		return fn->app_log_level;
	}
	if ((v = env_value(fn, "POWERTOOLS_LOG_LEVEL")) && *v) {
		*source = "POWERTOOLS_LOG_LEVEL";
		return v;
	}
	if ((v = env_value(fn, "LOG_LEVEL")) && *v) {
		*source = "LOG_LEVEL";
		return v;
	}
	return NULL;
}

int
fd_log_level_is_debug(const char *level)
{
	return level && (strcasecmp(level, "DEBUG") == 0 || strcasecmp(level, "TRACE") == 0);
}

/* ---- the table ---- */

void
fd_log_ingest_days_free(struct fd_log_ingest_day *d, size_t n)
{
	size_t i;

	for (i = 0; d && i < n; i++)
		free(d[i].group);
	free(d);
}

char *
fd_function_log_group(const struct fd_function *fn)
{
	if (fn->log_group && *fn->log_group)
		return fd_xstrdup(fn->log_group);
	return fd_xasprintf("/aws/lambda/%s", fn->name ? fn->name : "");
}

/* The ingestion days ordered by group, for a binary search per function. */
static int
cmp_day_group(const void *a, const void *b)
{
	const struct fd_log_ingest_day *x = *(const struct fd_log_ingest_day *const *)a,
	                               *y = *(const struct fd_log_ingest_day *const *)b;

	return strcmp(x->group ? x->group : "", y->group ? y->group : "");
}

static const struct fd_log_ingest_day **
days_by_group(const struct fd_log_ingest_day *d, size_t n)
{
	const struct fd_log_ingest_day **idx = fd_xcalloc(n ? n : 1, sizeof(*idx));
	size_t i;

	for (i = 0; i < n; i++)
		idx[i] = &d[i];
	if (n)
		qsort(idx, n, sizeof(*idx), cmp_day_group);
	return idx;
}

/* Bytes ingested by group over [from_s, to_s); NAN when no day has an answer. *known
 * counts the days that have one (a fetched day without data is stored as 0). */
static double
ingested(const struct fd_log_ingest_day *const *idx, size_t n, const char *group, int64_t from_s,
         int64_t to_s, int *known)
{
	double sum = NAN;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(idx[mid]->group ? idx[mid]->group : "", group) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && fd_str_eq(idx[lo]->group, group); lo++)
		if (idx[lo]->day_s >= from_s && idx[lo]->day_s < to_s && !isnan(idx[lo]->bytes)) {
			sum = isnan(sum) ? idx[lo]->bytes : sum + idx[lo]->bytes;
			(*known)++;
		}
	return sum;
}

static double
nz(double v)
{
	return isnan(v) ? 0.0 : v;
}

static void
cost_row(struct fd_log_cost_row *r, const struct fd_function *fn, const struct fd_log_group *g,
         double days, const struct fd_cost_prices *p)
{
	r->function = fd_xstrdup(fn->name ? fn->name : "");
	r->retention_days = g ? g->retention_days : -1;
	r->stored_bytes = g ? (double)g->stored_bytes : NAN;
	r->ingest_per_day = isnan(r->ingest_bytes) ? NAN : r->ingest_bytes / days;
	r->ingest_usd_month = fd_cost_ingest_month(r->ingest_per_day, p);
	r->storage_usd_month = fd_cost_storage_month(r->stored_bytes, p);
	r->total_usd_month = nz(r->ingest_usd_month) + nz(r->storage_usd_month);
	r->init_usd_window = r->init_usd_month = NAN;
	r->cost_usd_month = r->total_usd_month;
	r->log_level = fd_function_log_level(fn, &r->log_level_source);
}

static int
cmp_cost(const void *a, const void *b)
{
	const struct fd_log_cost_row *x = a, *y = b;

	if (x->cost_usd_month != y->cost_usd_month)
		return x->cost_usd_month > y->cost_usd_month ? -1 : 1;
	return strcmp(x->function, y->function);
}

static void
add(double *acc, double v)
{
	if (!isnan(v))
		*acc += v;
}

void
fd_log_costs_build(const struct fd_function *const *fns, const struct fd_log_group *const *groups,
                   size_t nfns, const struct fd_log_ingest_day *days, size_t ndays, int64_t from_s,
                   int64_t to_s, const struct fd_cost_prices *prices, struct fd_log_costs *out)
{
	const struct fd_log_ingest_day **idx = days_by_group(days, ndays);
	size_t i;

	memset(out, 0, sizeof(*out));
	out->from_s = from_s;
	out->to_s = to_s;
	out->days = to_s > from_s ? (double)(to_s - from_s) / DAY_S : 1.0;
	out->prices = *prices;
	out->init_usd_window = out->init_usd_month = NAN;
	out->rows = fd_xcalloc(nfns ? nfns : 1, sizeof(*out->rows));
	for (i = 0; i < nfns; i++) {
		struct fd_log_cost_row *r = &out->rows[out->n++];
		int known = 0;
		r->index = i;
		r->group = fd_function_log_group(fns[i]);
		r->ingest_bytes = ingested(idx, ndays, r->group, from_s, to_s, &known);
		/* The daily rate is over the days known: a cache holding only some of the
		 * window's days (the console reads what `costs` stored) is not diluted. */
		cost_row(r, fns[i], groups ? groups[i] : NULL,
		         known > 0 && known < out->days ? known : out->days, prices);
		add(&out->ingest_per_day, r->ingest_per_day);
		add(&out->stored_bytes, r->stored_bytes);
		add(&out->ingest_usd_month, r->ingest_usd_month);
		add(&out->storage_usd_month, r->storage_usd_month);
		out->total_usd_month += r->total_usd_month;
	}
	out->cost_usd_month = out->total_usd_month;
	free(idx);
	if (out->n)
		qsort(out->rows, out->n, sizeof(*out->rows), cmp_cost);
}

static const struct fd_init_cost *
find_init(const struct fd_init_cost *init, size_t n, const char *function)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(init[mid].function, function);
		if (c == 0)
			return &init[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
fd_log_costs_apply_init(struct fd_log_costs *c, const struct fd_init_cost *init, size_t n)
{
	size_t i;

	c->init_usd_window = c->init_usd_month = NAN;
	c->cost_usd_month = c->total_usd_month;
	for (i = 0; i < c->n; i++) {
		struct fd_log_cost_row *r = &c->rows[i];
		const struct fd_init_cost *ic = find_init(init, n, r->function);
		r->init_usd_window = ic ? ic->usd : NAN;
		r->init_usd_month =
		    ic ? ic->usd * FD_COST_DAYS_PER_MONTH / (c->days > 0 ? c->days : 1.0) : NAN;
		r->cost_usd_month = r->total_usd_month + nz(r->init_usd_month);
		if (!ic)
			continue;
		c->init_usd_window = nz(c->init_usd_window) + r->init_usd_window;
		c->init_usd_month = nz(c->init_usd_month) + r->init_usd_month;
	}
	c->cost_usd_month = c->total_usd_month + nz(c->init_usd_month);
	if (c->n)
		qsort(c->rows, c->n, sizeof(*c->rows), cmp_cost);
}

enum fd_status
fd_init_costs_load(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_s, int64_t to_s,
                   double price_per_gb_s, struct fd_init_cost **out, size_t *n,
                   struct fd_err *err)
{
	enum fd_status st = fd_cache_init_gb_s(c, ctx, from_s * 1000, to_s * 1000, out, n, err);
	size_t i;

	if (price_per_gb_s <= 0)
		price_per_gb_s = FD_COLDSTART_PRICE_DEFAULT;
	for (i = 0; st == FD_OK && i < *n; i++)
		(*out)[i].usd = (*out)[i].gb_s * price_per_gb_s;
	return st;
}

void
fd_log_costs_cached(struct fd_cache *cache, const struct fd_ctx *ctx,
                    const struct fd_function *const *fns, const struct fd_log_group *const *groups,
                    size_t nfns, int days, struct fd_log_costs *out)
{
	struct fd_log_ingest_day *d = NULL;
	struct fd_init_cost *init = NULL;
	struct fd_cost_prices p;
	int64_t now = (int64_t)fd_wall_now(), to_s = now - now % DAY_S,
	        from_s = to_s - (int64_t)days * DAY_S;
	size_t nd = 0, ni = 0;

	fd_cost_prices_default(&p);
	if (cache)
		(void)fd_cache_get_log_ingest(cache, ctx, from_s, to_s, &d, &nd, NULL);
	fd_log_costs_build(fns, groups, nfns, d, nd, from_s, to_s, &p, out);
	if (cache && fd_init_costs_load(cache, ctx, from_s, to_s, 0, &init, &ni, NULL) == FD_OK)
		fd_log_costs_apply_init(out, init, ni);
	free(init);
	fd_log_ingest_days_free(d, nd);
}

void
fd_log_costs_free(struct fd_log_costs *c)
{
	size_t i;

	for (i = 0; c && i < c->n; i++) {
		free(c->rows[i].function);
		free(c->rows[i].group);
	}
	if (c)
		free(c->rows);
}
