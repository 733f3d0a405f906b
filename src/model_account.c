/* model_account.c - the account line of the dashboard: concurrency limits from
 * GetAccountSettings (with each listing refresh) and, for the console, concurrency
 * used (the peak of the account's ConcurrentExecutions over the window, one small
 * GetMetricData call beside the functions' batches). Both run beside the refresh
 * pipeline, never in its way: a failure is kept as the account line's error and
 * nothing else stops. Values and their fetch times go to the cache meta table, so a
 * start from cache shows them with their age. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"
#include "fleetdeck/util.h"
#include "model_int.h"

#define KEY_LIMIT "account_concurrency_limit"
#define KEY_UNRESERVED "account_unreserved_limit"
#define KEY_FETCHED "account_settings_fetched_ms"

/* One call in flight; orphaned (m = NULL) when the model stops waiting for it. */
struct model_acct_op {
	struct fd_model *m;
	int window_s;
	struct cw_window w;
	struct cw_account_metrics met;
};

long long
model_meta_ll(struct fd_model *m, const char *key)
{
	char *v = m->cache ? fd_cache_meta_get(m->cache, &m->ctx, key) : NULL;
	long long r = v && *v ? strtoll(v, NULL, 10) : -1;

	free(v);
	return r;
}

void
model_meta_put_ll(struct fd_model *m, const char *key, long long v)
{
	struct fd_err err;
	char s[32];

	if (!m->cache)
		return;
	snprintf(s, sizeof(s), "%lld", v);
	if (fd_cache_meta_set(m->cache, &m->ctx, key, s, &err) != FD_OK)
		model_set_error(m, err.msg);
}

static void
used_keys(int window_s, char *val, char *when, size_t n)
{
	snprintf(val, n, "account_concurrency_peak_%d", window_s);
	snprintf(when, n, "account_concurrency_peak_%d_ms", window_s);
}

/* The peak stored for the model's window (values are per window). */
static void
load_used(struct fd_model *m)
{
	char kv[64], kw[64];
	long long v, when;

	used_keys(m->window_s, kv, kw, sizeof(kv));
	v = model_meta_ll(m, kv);
	when = model_meta_ll(m, kw);
	m->account_conc_max = v >= 0 ? (double)v : NAN;
	m->account_used_ms = v >= 0 && when > 0 ? when : 0;
}

void
model_account_load_cache(struct fd_model *m)
{
	long long when;

	m->concurrency_limit = model_meta_ll(m, KEY_LIMIT);
	m->unreserved_limit = model_meta_ll(m, KEY_UNRESERVED);
	when = model_meta_ll(m, KEY_FETCHED);
	m->account_fetched_ms = m->concurrency_limit >= 0 && when > 0 ? when : 0;
	load_used(m);
}

void
model_account_window_changed(struct fd_model *m)
{
	load_used(m);
	m->account_used_error[0] = '\0';
}

static void
op_error(char *out, size_t n, enum fd_status st, const struct aws_error *e)
{
	if (e && e->status != FD_OK)
		aws_error_format(e, out, n);
	else
		snprintf(out, n, "%s", fd_status_str(st));
}

static void
settings_done(enum fd_status st, const struct lambda_account *acct, const struct aws_error *e,
              void *ud)
{
	struct model_acct_op *op = ud;
	struct fd_model *m = op->m;

	free(op);
	if (!m)
		return;
	m->acct_settings = NULL;
	if (st != FD_OK || !acct) {
		op_error(m->account_error, sizeof(m->account_error), st, e);
		model_set_error(m, m->account_error);
		model_changed(m);
		return;
	}
	m->account_error[0] = '\0';
	m->concurrency_limit = acct->concurrent_limit;
	m->unreserved_limit = acct->unreserved_limit;
	m->account_fetched_ms = fd_wall_now_ms();
	model_meta_put_ll(m, KEY_LIMIT, acct->concurrent_limit);
	model_meta_put_ll(m, KEY_UNRESERVED, acct->unreserved_limit);
	model_meta_put_ll(m, KEY_FETCHED, m->account_fetched_ms);
	model_changed(m);
}

static double
series_peak(const struct fd_series *s)
{
	double peak = NAN;
	size_t i;

	for (i = 0; s->values && i < s->n; i++)
		if (!isnan(s->values[i]) && (isnan(peak) || s->values[i] > peak))
			peak = s->values[i];
	return peak;
}

/* A window without a single point (an idle account) counts as 0 used. */
static void
used_store(struct fd_model *m, const struct model_acct_op *op)
{
	double peak = series_peak(&op->met.concurrent);
	char kv[64], kw[64];

	if (isnan(peak))
		peak = 0;
	m->account_conc_max = peak;
	m->account_used_ms = fd_wall_now_ms();
	used_keys(op->window_s, kv, kw, sizeof(kv));
	model_meta_put_ll(m, kv, (long long)peak);
	model_meta_put_ll(m, kw, m->account_used_ms);
}

static void start_used(struct fd_model *m);

static void
used_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct model_acct_op *op = ud;
	struct fd_model *m = op->m;
	int stale = m && op->window_s != m->window_s;

	if (m) {
		m->acct_used = NULL;
		/* A per-query failure comes as FD_OK with e set: the peak is unknown. */
		if (st != FD_OK || e) {
			op_error(m->account_used_error, sizeof(m->account_used_error),
			         st != FD_OK ? st : FD_EAWS, e);
		} else if (!stale) {
			m->account_used_error[0] = '\0';
			used_store(m, op);
		}
		model_changed(m);
	}
	cw_account_metrics_free(&op->met);
	free(op);
	/* The window changed while this was in flight: ask for the new one's peak. */
	if (stale && st == FD_OK)
		start_used(m);
}

static struct model_acct_op *
op_new(struct fd_model *m)
{
	struct model_acct_op *op = fd_xcalloc(1, sizeof(*op));

	op->m = m;
	op->window_s = m->window_s;
	return op;
}

static void
start_used(struct fd_model *m)
{
	struct model_acct_op *op = op_new(m);
	struct cw_fetch_cb cb = {used_done, op, NULL};
	int64_t now = (int64_t)fd_wall_now();

	op->w.period_s = model_period_for(m->window_s);
	op->w.end_s = now - now % op->w.period_s + op->w.period_s;
	op->w.start_s = now - m->window_s;
	op->w.start_s -= op->w.start_s % op->w.period_s;
	m->acct_used = op;
	/* done may run (and free op) before this returns. */
	(void)cw_fetch_account(m->client, &op->w, &op->met, &cb);
}

void
model_account_refresh(struct fd_model *m, unsigned what)
{
	if (!m->client)
		return;
	if ((what & FD_REFRESH_LIST) && !m->acct_settings) {
		m->acct_settings = op_new(m);
		(void)lambda_account_settings(m->client, settings_done, m->acct_settings);
	}
	if (m->account_used_on && (what & FD_REFRESH_METRICS) && !m->acct_used)
		start_used(m);
}

int
model_account_busy(const struct fd_model *m)
{
	return m->acct_settings != NULL || m->acct_used != NULL;
}

void
model_account_cancel(struct fd_model *m)
{
	if (m->acct_settings)
		m->acct_settings->m = NULL;
	if (m->acct_used)
		m->acct_used->m = NULL;
	m->acct_settings = m->acct_used = NULL;
}

void
fd_model_enable_account_used(struct fd_model *m)
{
	m->account_used_on = 1;
}

void
model_account_totals(const struct fd_model *m, struct fd_totals *t)
{
	t->account_concurrency_max = m->account_conc_max;
	t->concurrency_limit = m->concurrency_limit;
	t->unreserved_limit = m->unreserved_limit;
	t->account_fetched_ms = m->account_fetched_ms;
	t->account_used_ms = m->account_used_ms;
	fd_strlcpy(t->account_error, m->account_error[0] ? m->account_error
	                                                 : m->account_used_error,
	           sizeof(t->account_error));
}
