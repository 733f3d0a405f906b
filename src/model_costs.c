/* model_costs.c - the COST column: each function's estimated monthly cost from what
 * the cache holds (IncomingBytes per day that `fleetdeck costs` stored, the log
 * groups' stored bytes, the INIT of the cached invocation records) over the last
 * MODEL_COST_DAYS whole days, computed by costs.c exactly as `fleetdeck costs` does.
 * Rebuilt with the rows (data, window, filter or sort changed), never per redraw. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fleetdeck/costs.h"
#include "model_int.h"

static int
known(const struct fd_log_cost_row *r)
{
	return !isnan(r->ingest_usd_month) || !isnan(r->storage_usd_month) ||
	       !isnan(r->init_usd_month);
}

void
model_apply_costs(struct fd_model *m)
{
	const struct fd_function **fns;
	const struct fd_log_group **groups;
	struct fd_log_costs c;
	size_t i;

	if (!m->cache || !m->nfns)
		return;
	fns = fd_xcalloc(m->nfns, sizeof(*fns));
	groups = fd_xcalloc(m->nfns, sizeof(*groups));
	for (i = 0; i < m->nfns; i++) {
		char *g = fd_function_log_group(&m->fns[i]);
		fns[i] = &m->fns[i];
		groups[i] = fd_model_log_group(m, g);
		free(g);
	}
	fd_log_costs_cached(m->cache, &m->ctx, fns, groups, m->nfns, MODEL_COST_DAYS, &c);
	for (i = 0; i < c.n; i++)
		if (c.rows[i].index < m->nfns && known(&c.rows[i]))
			m->rows[c.rows[i].index].cost_usd_month = c.rows[i].cost_usd_month;
	fd_log_costs_free(&c);
	free(fns);
	free(groups);
}

void
model_format_usd(double v, char *out, size_t n)
{
	if (v < 999.995)
		snprintf(out, n, "$%.2f", v);
	else if (v < 9999.5)
		snprintf(out, n, "$%.0f", v);
	else if (v < 999.95e3)
		snprintf(out, n, "$%.1fk", v / 1e3);
	else
		snprintf(out, n, "$%.1fM", v / 1e6);
}
