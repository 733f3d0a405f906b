/* model_costs.c - the COST column: each function's estimated monthly cost from what
 * the cache holds (IncomingBytes per day, the log groups' stored bytes, the INIT of
 * the cached invocation records) over the last MODEL_COST_DAYS whole days, computed
 * by costs.c exactly as `fleetdeck costs` does. Rebuilt with the rows (data, window,
 * filter or sort changed), never per redraw. Once the column is wanted, an online
 * model fetches the days' IncomingBytes of every function's log group in the
 * background, once per UTC day and context (whole days do not change), and stores
 * them as `fleetdeck costs` does; a failure is shown as the last error and the column
 * keeps what the cache had. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/costs.h"
#include "model_int.h"

#define DAY_S 86400
#define KEY_INGEST_DAY "log_ingest_fetched_day" /* the to_s of the last complete fetch */

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

static int64_t
cost_window_end(void)
{
	int64_t now = (int64_t)fd_wall_now();

	return now - now % DAY_S;
}

static void
ingest_done(enum fd_status st, const struct aws_error *e, struct fd_log_ingest_day *days,
            size_t n, void *ud)
{
	struct fd_model *m = ud;
	struct fd_err err = {FD_OK, ""};
	char msg[440];

	m->ingest = NULL;
	if (st == FD_ECANCELLED)
		return;
	if (st != FD_OK) {
		if (e && e->status != FD_OK)
			aws_error_format(e, msg, sizeof(msg));
		else
			fd_strlcpy(msg, fd_status_str(st), sizeof(msg));
		snprintf(m->ingest_error, sizeof(m->ingest_error), "log ingestion: %s", msg);
		model_set_error(m, m->ingest_error);
		return;
	}
	m->ingest_error[0] = '\0';
	if (m->cache && fd_cache_put_log_ingest(m->cache, &m->ctx, days, n, &err) != FD_OK)
		model_set_error(m, err.msg);
	else
		model_meta_put_ll(m, KEY_INGEST_DAY, m->ingest_to_s);
	fd_log_ingest_days_free(days, n);
	model_changed(m);
}

/* Whether the days up to to_s were fetched already (by this model or an earlier run). */
static int
ingest_fetched(struct fd_model *m, int64_t to_s)
{
	return model_meta_ll(m, KEY_INGEST_DAY) == to_s;
}

void
model_ingest_refresh(struct fd_model *m)
{
	int64_t to_s = cost_window_end();
	char **groups;
	size_t i;

	if (!m->want_costs || !m->client || m->ingest || !m->nfns || ingest_fetched(m, to_s))
		return;
	groups = fd_xcalloc(m->nfns, sizeof(*groups));
	for (i = 0; i < m->nfns; i++)
		groups[i] = fd_function_log_group(&m->fns[i]);
	m->ingest_to_s = to_s;
	m->ingest = fd_log_ingest_fetch_start(m->client, (const char *const *)groups, m->nfns,
	                                      to_s - (int64_t)MODEL_COST_DAYS * DAY_S, to_s,
	                                      ingest_done, m);
	for (i = 0; i < m->nfns; i++)
		free(groups[i]);
	free(groups);
	m->dirty = 1;
}

void
model_ingest_cancel(struct fd_model *m)
{
	fd_log_ingest_fetch_cancel(m->ingest);
	m->ingest = NULL;
}

int
model_ingest_busy(const struct fd_model *m)
{
	return m->ingest != NULL;
}

void
fd_model_want_costs(struct fd_model *m)
{
	if (m->want_costs)
		return;
	m->want_costs = 1;
	model_ingest_refresh(m);
}
