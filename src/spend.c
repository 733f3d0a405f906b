/* spend.c - fleetdeck's own API spend: counted for this process, and recorded in the
 * cache (per account and region, with the time) so `fleetdeck costs --since` sums it
 * across runs. Insights bytes and Live Tail seconds are recorded when they happen;
 * GetMetricData metrics, counted by the aws layer, when the process ends or the
 * console leaves a context (so each context is credited its own). A record
 * made before the cache or the account is known waits in memory until then. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/cwmetrics.h"

#define PENDING_MAX 256

struct pending {
	enum fd_spend_kind kind;
	int64_t ts_ms;
	double amount;
	char account[sizeof(((struct fd_ctx *)0)->account)];
	char region[sizeof(((struct fd_ctx *)0)->region)];
};

/* One process, one loop: plain statics. */
static struct fd_app *sink;
static double counted[FD_SPEND_KINDS];
static struct pending pend[PENDING_MAX];
static size_t npend;
static uint64_t gmd_flushed;

static const char *const kind_names[FD_SPEND_KINDS] = {
    [FD_SPEND_GMD_METRICS] = "gmd_metrics",
    [FD_SPEND_INSIGHTS_BYTES] = "insights_bytes",
    [FD_SPEND_LIVE_TAIL_S] = "live_tail_seconds",
};

const char *
fd_spend_kind_name(enum fd_spend_kind k)
{
	return (unsigned)k < FD_SPEND_KINDS ? kind_names[k] : "";
}

static uint64_t
gmd_metrics(void)
{
	return cw_metrics_requested() + fd_log_ingest_metrics_requested();
}

void
fd_spend_price(const double amount[FD_SPEND_KINDS], struct fd_session_spend *out)
{
	memset(out, 0, sizeof(*out));
	out->gmd_metrics = (uint64_t)llround(amount[FD_SPEND_GMD_METRICS]);
	out->gmd_usd = fd_cost_gmd_usd(amount[FD_SPEND_GMD_METRICS]);
	out->insights_bytes = amount[FD_SPEND_INSIGHTS_BYTES];
	out->insights_usd = fd_cost_insights_usd(out->insights_bytes);
	out->livetail_minutes = amount[FD_SPEND_LIVE_TAIL_S] / 60.0;
	out->livetail_usd = out->livetail_minutes * FD_LIVE_TAIL_USD_PER_MINUTE;
	out->total_usd = out->gmd_usd + out->insights_usd + out->livetail_usd;
}

void
fd_session_spend(struct fd_session_spend *out)
{
	double amount[FD_SPEND_KINDS];

	memcpy(amount, counted, sizeof(amount));
	amount[FD_SPEND_GMD_METRICS] = (double)gmd_metrics();
	fd_spend_price(amount, out);
}

void
fd_spend_attach(struct fd_app *app)
{
	sink = app;
}

/* Writes the waiting records whose account is known (the current one fills in for
 * records made before it was); keeps the others. */
static void
write_pending(void)
{
	size_t i, kept = 0;

	for (i = 0; i < npend; i++) {
		struct pending *p = &pend[i];
		if (!p->account[0] && sink->ctx.account[0]) {
			fd_strlcpy(p->account, sink->ctx.account, sizeof(p->account));
			fd_strlcpy(p->region, sink->ctx.region, sizeof(p->region));
		}
		if (p->account[0] && fd_cache_put_spend(sink->cache, p->account, p->region,
		                                        p->kind, p->ts_ms, p->amount,
		                                        NULL) == FD_OK)
			continue;
		pend[kept++] = *p;
	}
	npend = kept;
}

void
fd_spend_record(enum fd_spend_kind k, double amount)
{
	struct pending *p;

	if ((unsigned)k >= FD_SPEND_KINDS || !(amount > 0) || !isfinite(amount))
		return;
	counted[k] += amount;
	if (!sink)
		return;
	if (npend == PENDING_MAX)
		write_pending();
	if (npend == PENDING_MAX)
		return; /* the cache will not take them: counted for the session only */
	p = &pend[npend++];
	memset(p, 0, sizeof(*p));
	p->kind = k;
	p->ts_ms = fd_wall_now_ms();
	p->amount = amount;
	fd_strlcpy(p->account, sink->ctx.account, sizeof(p->account));
	fd_strlcpy(p->region, sink->ctx.region, sizeof(p->region));
	if (sink->cache)
		write_pending();
}

void
fd_spend_flush(void)
{
	uint64_t gmd = gmd_metrics();
	struct fd_err err = {FD_OK, ""};

	if (!sink)
		return;
	if (gmd > gmd_flushed) {
		double delta = (double)(gmd - gmd_flushed);
		gmd_flushed = gmd;
		fd_spend_record(FD_SPEND_GMD_METRICS, delta);
	}
	if (!npend)
		return;
	if (!sink->ctx.account[0])
		(void)fd_app_context(sink, &err);
	if (!sink->cache)
		(void)fd_app_cache(sink, &err);
	if (sink->cache)
		write_pending();
}
