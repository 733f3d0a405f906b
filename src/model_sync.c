/* model_sync.c - headless refreshes: the pipeline run to completion by looping the
 * aws client (the account settings included: model_account.c), and the single-function
 * refresh behind `fleetdeck function NAME`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/lambda.h"
#include "fleetdeck/logs.h"
#include "fleetdeck/mute_config.h"
#include "fleetdeck/util.h"
#include "model_int.h"

#define SYNC_WAIT_MS 1000

static enum fd_status
wait_refresh(struct fd_model *m, struct fd_err *err)
{
	/* The account settings run beside the pipeline: their answer is waited for too. */
	while (m->st.refreshing || model_account_busy(m) || model_ingest_busy(m)) {
		enum fd_status st;
		if (inventory_step(m))
			continue;
		st = aws_client_wait(m->client, NULL, 0, SYNC_WAIT_MS);
		if (st != FD_OK && aws_client_pending(m->client) == 0) {
			fd_model_cancel(m);
			return fd_err_set(err, st, "refresh: waiting for the network failed");
		}
	}
	return FD_OK;
}

enum fd_status
fd_model_refresh_sync(struct fd_model *m, unsigned what, struct fd_err *err)
{
	enum fd_status st;

	if (!m->client)
		return fd_err_set(err, FD_EUNSUPPORTED, "offline: no AWS client to refresh with");
	fd_model_refresh(m, what);
	st = wait_refresh(m, err);
	if (st != FD_OK)
		return st;
	if (m->inv->first_st != FD_OK)
		return fd_err_set(err, m->inv->first_st, "%s", m->inv->first_msg);
	return FD_OK;
}
static enum fd_status
aws_fail(struct fd_err *err, enum fd_status st, const struct aws_error *e)
{
	char msg[512];

	aws_error_format(e, msg, sizeof(msg));
	return fd_err_set(err, st, "%s", msg);
}

static enum fd_status
function_detail_sync(struct fd_model *m, const struct fd_function *have, struct fd_err *err)
{
	struct fd_function scratch;
	struct fd_function *fn;
	struct aws_error e;
	enum fd_status st;

	memset(&scratch, 0, sizeof(scratch));
	scratch.name = fd_xstrdup(have->name);
	scratch.arn = have->arn ? fd_xstrdup(have->arn) : NULL;
	scratch.reserved_concurrency = -1;
	st = lambda_load_detail_sync(m->client, &scratch, &e);
	if (st != FD_OK) {
		fd_function_free(&scratch);
		return aws_fail(err, st, &e);
	}
	fn = model_apply_detail(m, &scratch);
	if (fn && m->cache)
		return fd_cache_put_function(m->cache, &m->ctx, fn, err);
	return FD_OK;
}

static enum fd_status
function_metrics_sync(struct fd_model *m, const char *name, struct fd_err *err)
{
	struct fd_function_metrics met;
	struct cw_window w;
	struct aws_error e;
	enum fd_status st;
	int64_t now = (int64_t)fd_wall_now();

	memset(&met, 0, sizeof(met));
	w.period_s = model_period_for(m->window_s);
	w.end_s = now - now % w.period_s + w.period_s;
	w.start_s = now - m->window_s;
	w.start_s -= w.start_s % w.period_s;
	st = cw_fetch_functions_sync(m->client, &name, 1, &w, &met, &e);
	if (st != FD_OK) {
		fd_function_metrics_free(&met);
		return aws_fail(err, st, &e);
	}
	if (m->cache && (st = fd_cache_put_metrics(m->cache, &m->ctx, &met, 1, err)) != FD_OK) {
		fd_function_metrics_free(&met);
		return st;
	}
	model_merge_metrics(m, &met, 1, w.period_s);
	return FD_OK;
}

static enum fd_status
function_group_sync(struct fd_model *m, const struct fd_function *fn, struct fd_err *err)
{
	char *name =
	    fn->log_group ? fd_xstrdup(fn->log_group) : fd_xasprintf("/aws/lambda/%s", fn->name);
	struct fd_log_group *g = NULL;
	struct aws_error e;
	size_t n = 0, i;
	enum fd_status st = logs_describe_groups_sync(m->client, name, &g, &n, &e);

	if (st != FD_OK) {
		free(name);
		return aws_fail(err, st, &e);
	}
	for (i = 0; i < n; i++)
		if (fd_str_eq(g[i].name, name))
			model_upsert_group(m, &g[i]);
	fd_log_groups_free(g, n);
	free(name);
	if (m->cache)
		return fd_cache_put_log_groups(m->cache, &m->ctx, m->groups, m->ngroups, err);
	return FD_OK;
}

static void
part(struct fd_buf *warnings, const char *what, enum fd_status st, struct fd_err *perr)
{
	if (st != FD_OK && warnings)
		fd_buf_printf(warnings, "%s: %s\n", what, perr->msg);
	perr->status = FD_OK;
	perr->msg[0] = '\0';
}

enum fd_status
fd_model_refresh_function_sync(struct fd_model *m, const char *name, struct fd_buf *warnings,
                               struct fd_err *err)
{
	const struct fd_function *fn = model_find_function(m, name);
	struct fd_err perr = {FD_OK, ""};
	enum fd_status st;

	if (!m->client)
		return fd_err_set(err, FD_EUNSUPPORTED, "offline: no AWS client to refresh with");
	if (!fn) {
		st = fd_model_refresh_sync(m, FD_REFRESH_LIST, err);
		if (st != FD_OK)
			return st;
		fn = model_find_function(m, name);
		if (!fn)
			return fd_err_set(err, FD_ENOTFOUND, "function \"%s\" not found", name);
	}
	st = function_detail_sync(m, fn, err);
	if (st != FD_OK)
		return st;
	/* The rest are parts: one that fails is a warning and the others still load. */
	part(warnings, "metrics", function_metrics_sync(m, name, &perr), &perr);
	part(warnings, "RDS Proxy metrics", model_proxy_sync(m, name, &perr), &perr);
	fn = model_find_function(m, name);
	if (fn)
		part(warnings, "log group", function_group_sync(m, fn, &perr), &perr);
	return FD_OK;
}

void
fd_model_print_cache_age(const struct fd_model *m)
{
	int64_t age_ms = fd_wall_now_ms() - m->st.data_fetched_ms;

	if (!m->st.data_fetched_ms)
		fprintf(stderr,
		        "fleetdeck: data from cache: nothing cached yet for this context\n");
	else
		fprintf(stderr, "fleetdeck: data from cache, %lld min old\n",
		        (long long)(age_ms > 0 ? age_ms / 60000 : 0));
}

/* The config's [mute] rules; unknown check ids are warnings on stderr. */
static enum fd_status
apply_config_mutes(struct fd_model *m, struct fd_err *err)
{
	struct fd_buf warn;
	enum fd_status st;

	fd_buf_init(&warn);
	st = fd_mute_config_apply_default(m, &warn, err);
	fd_cmd_warn_lines(NULL, &warn); /* file text, sanitized */
	fd_buf_free(&warn);
	return st;
}

enum fd_status
fd_model_open_headless(struct fd_app *app, unsigned what, struct fd_model **out, struct fd_err *err)
{
	struct fd_model *m = NULL;
	int lazy = app->offline && (what & FD_OPEN_LAZY);
	enum fd_status st;

	*out = NULL;
	if ((st = fd_app_context(app, err)) != FD_OK)
		return st;
	if (!app->offline && (st = fd_app_client(app, err)) != FD_OK)
		return st;
	st = fd_model_new(app->offline ? NULL : app->client, app->cache, &app->ctx, &m, err);
	if (st == FD_OK)
		st = apply_config_mutes(m, err);
	if (st == FD_OK)
		st = fd_model_load_proxy_config_default(m, err);
	if (st == FD_OK && !lazy)
		st = fd_model_load_cache(m, err);
	what &= ~(unsigned)FD_OPEN_LAZY;
	if (st == FD_OK && app->offline && !lazy)
		fd_model_print_cache_age(m);
	else if (st == FD_OK && what && (!app->stale_ok || !m->nfns))
		st = fd_model_refresh_sync(m, what, err);
	if (st != FD_OK) {
		fd_model_free(m);
		return st;
	}
	*out = m;
	return FD_OK;
}
