/* function.c - one function in detail: metric charts over the window, its risks with
 * fixes, its RDS Proxy's connections, latency and pinning over the window, configuration, concurrency, async invocation, triggers, aliases and
 * versions, layers, environment variable names (never secret values) and tags.
 * Detail arrives in the background: until then the screen says it is loading. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/view.h"

#define CHART_W 48
#define CHART_H 4
#define LABEL_W 22

static int offline(const struct fd_model *m);

struct fnview {
	char name[256];
	struct fd_text text;
};

static void
field(struct fd_text *t, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  %s", label);
	fd_text_pad(t, LABEL_W);
	fd_text_put(t, FD_ROLE_NORMAL, value);
}

static void
field_int(struct fd_text *t, const char *label, long long v, const char *unit)
{
	char buf[64];

	if (v < 0)
		return;
	snprintf(buf, sizeof(buf), "%lld%s", v, unit);
	field(t, label, buf);
}

static void
note(struct fd_text *t, enum fd_role role, const char *s)
{
	fd_text_newline(t);
	fd_text_put(t, role, "  ");
	fd_text_put(t, role, s);
}

/* Buckets a series over [from, to) into n points: sum, or max when want_max. */
static int
bucket_series(const struct fd_series *s, int64_t from, int64_t to, int want_max, double *out,
	      size_t n)
{
	double span = (double)(to - from) / (double)n;
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++)
		out[i] = NAN;
	for (i = 0; s->period_s > 0 && i < s->n; i++) {
		int64_t t = s->start_s + (int64_t)i * s->period_s;
		double v = s->values[i];
		size_t b;

		if (t < from || t >= to || v != v)
			continue;
		b = FD_MIN((size_t)((double)(t - from) / span), n - 1);
		if (out[b] != out[b])
			out[b] = v;
		else
			out[b] = want_max ? FD_MAX(out[b], v) : out[b] + v;
		any = 1;
	}
	return any;
}

static void
chart(struct fd_text *t, const struct fd_function_metrics *fm, enum fd_metric metric,
      const char *title, int want_max, int64_t from, int64_t to)
{
	double pts[CHART_W], max = 0, sum = 0;
	char smax[16], ssum[16];
	struct fd_buf row;
	int r;
	size_t i;

	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  %s", title);
	if (!fm || !bucket_series(&fm->s[metric], from, to, want_max, pts, CHART_W)) {
		fd_text_put(t, FD_ROLE_DIM, "  no data in the window");
		return;
	}
	for (i = 0; i < CHART_W; i++) {
		if (pts[i] == pts[i]) {
			max = FD_MAX(max, pts[i]);
			sum += pts[i];
		}
	}
	if (max <= 0) {
		fd_text_put(t, FD_ROLE_DIM, "  zero throughout the window");
		return;
	}
	fd_fmt_num(max, smax, sizeof(smax));
	fd_fmt_num(sum, ssum, sizeof(ssum));
	fd_text_pad(t, LABEL_W);
	if (want_max)
		fd_text_printf(t, FD_ROLE_DIM, "max %s ms", smax);
	else
		fd_text_printf(t, FD_ROLE_DIM, "total %s  peak %s", ssum, smax);
	fd_buf_init(&row);
	for (r = 0; r < CHART_H; r++) {
		fd_buf_reset(&row);
		fd_chart_row(pts, CHART_W, max, CHART_H, r, &row);
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_NORMAL, "    ");
		fd_text_put(t, FD_ROLE_CHART, row.data);
	}
	fd_buf_free(&row);
}

static void
charts(struct fd_text *t, struct fd_model *m, const struct fd_fn_row *row)
{
	int64_t to = (int64_t)fd_wall_now(), from = to - fd_model_window(m);
	const struct fd_function_metrics *fm = row ? row->metrics : NULL;

	fd_text_section(t, "Metrics");
	chart(t, fm, FD_M_INVOCATIONS, "Invocations", 0, from, to);
	chart(t, fm, FD_M_ERRORS, "Errors", 0, from, to);
	chart(t, fm, FD_M_DURATION_P99, "Duration p99", 1, from, to);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_DIM, "    %-*s%s", CHART_W - 3, "-window", "now");
}

static void
risks(struct fd_text *t, struct fd_model *m, const char *name)
{
	const struct fd_risk *r;
	size_t n = fd_model_risks(m, &r), i, shown = 0;

	fd_text_section(t, "Risks");
	for (i = 0; i < n; i++) {
		if (!r[i].function || strcmp(r[i].function, name) != 0)
			continue;
		fd_text_newline(t);
		fd_text_printf(t, fd_severity_role(r[i].severity), "  %-8s",
			       fd_severity_name(r[i].severity));
		fd_text_printf(t, FD_ROLE_LABEL, " %s", r[i].check_id);
		fd_text_printf(t, FD_ROLE_NORMAL, ": %s", r[i].reason ? r[i].reason : "");
		if (r[i].fix) {
			fd_text_newline(t);
			fd_text_printf(t, FD_ROLE_DIM, "           fix: %s", r[i].fix);
		}
		shown++;
	}
	if (!shown)
		note(t, FD_ROLE_OK, "none found");
}

static void
proxy_value(char *buf, size_t n, const char *what, double v)
{
	size_t len = strlen(buf);

	if (len + 1 >= n)
		return;
	if (isnan(v))
		snprintf(buf + len, n - len, "%s -", what);
	else
		snprintf(buf + len, n - len, "%s %.1f", what, v);
}

/* The proxy's name and where it came from, then latest / avg / max per metric. */
static void
rds_proxy(struct fd_text *t, struct fd_model *m, const char *name)
{
	struct fd_model_proxy p;
	struct fd_proxy_stat st;
	char buf[160];
	int k;

	if (!fd_model_function_proxy(m, name, &p))
		return;
	fd_text_section(t, "RDS Proxy");
	snprintf(buf, sizeof(buf), "%s (%s)", p.name,
		 p.configured ? "from the config" : "from its endpoint");
	field(t, "proxy", buf);
	field(t, "endpoint", p.endpoint);
	if (!p.metrics) {
		note(t, FD_ROLE_DIM, offline(m) ? "no metrics cached" : "metrics loading...");
		return;
	}
	for (k = 0; k < FD_PM_COUNT; k++) {
		const struct fd_proxy_metric_info *mi = fd_proxy_metric_info((enum fd_proxy_metric)k);
		fd_proxy_stat(p.metrics, (enum fd_proxy_metric)k, p.from_s, p.to_s, &st);
		buf[0] = '\0';
		proxy_value(buf, sizeof(buf), "latest", st.latest);
		proxy_value(buf, sizeof(buf), ", avg", st.avg);
		proxy_value(buf, sizeof(buf), ", max", st.max);
		if (mi->unit[0])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %s", mi->unit);
		field(t, mi->label, buf);
	}
}

static void
configuration(struct fd_text *t, const struct fd_function *f)
{
	char buf[64];

	fd_text_section(t, "Configuration");
	field(t, "runtime", f->runtime ? f->runtime : "container image");
	field(t, "handler", f->handler);
	field(t, "architecture", f->architecture);
	field(t, "package", f->package_type);
	field_int(t, "memory", f->memory_mb, " MB");
	field_int(t, "timeout", f->timeout_s, " s");
	field_int(t, "ephemeral storage", f->ephemeral_mb > 0 ? f->ephemeral_mb : -1, " MB");
	field_int(t, "code size", f->code_size > 0 ? f->code_size : -1, " bytes");
	field(t, "state", f->state);
	field(t, "last modified", f->last_modified);
	field(t, "role", f->role);
	field(t, "description", f->description);
	snprintf(buf, sizeof(buf), "%s%s%s", f->log_format ? f->log_format : "Text",
		 f->app_log_level ? ", app level " : "", f->app_log_level ? f->app_log_level : "");
	field(t, "log format", buf);
	field(t, "log group", f->log_group);
	field(t, "tracing", f->tracing_mode);
	field(t, "snapstart", f->snapstart);
	field(t, "RDS proxy", f->rds_proxy_endpoint);
}

static void
concurrency(struct fd_text *t, const struct fd_function *f)
{
	size_t i;
	char buf[96];

	fd_text_section(t, "Concurrency");
	field(t, "reserved", f->reserved_concurrency < 0 ? "none (unreserved pool)" : NULL);
	field_int(t, "reserved", f->reserved_concurrency, "");
	for (i = 0; i < f->naliases; i++) {
		if (!f->aliases[i].provisioned)
			continue;
		snprintf(buf, sizeof(buf), "%d requested, %d available", f->aliases[i].provisioned,
			 f->aliases[i].provisioned_available);
		field(t, "provisioned", buf);
	}
}

static void
async_config(struct fd_text *t, const struct fd_function *f)
{
	const struct fd_async_config *a = &f->async;

	fd_text_section(t, "Async invocation");
	field(t, "dead-letter queue", f->dlq_arn ? f->dlq_arn : "none");
	if (!a->present) {
		note(t, FD_ROLE_DIM, "no event invoke config (defaults: 2 retries, 6 h max age)");
		return;
	}
	field_int(t, "max retries", a->max_retry < 0 ? 2 : a->max_retry, "");
	field_int(t, "max event age", a->max_event_age_s < 0 ? 21600 : a->max_event_age_s, " s");
	field(t, "on failure", a->on_failure ? a->on_failure : "none");
	field(t, "on success", a->on_success ? a->on_success : "none");
}

static void
triggers(struct fd_text *t, const struct fd_function *f)
{
	size_t i;

	fd_text_section(t, "Triggers");
	for (i = 0; i < f->ntriggers; i++) {
		const struct fd_trigger *tr = &f->triggers[i];
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_LABEL, "  %-12s", fd_trigger_name(tr->kind));
		fd_text_printf(t, FD_ROLE_NORMAL, " %s", tr->source_arn ? tr->source_arn : "?");
		if (tr->state)
			fd_text_printf(t, FD_ROLE_DIM, "  %s", tr->state);
		if (tr->batch_size > 0)
			fd_text_printf(t, FD_ROLE_DIM, "  batch %d", tr->batch_size);
		if (tr->on_failure)
			fd_text_printf(t, FD_ROLE_DIM, "  on failure %s", tr->on_failure);
	}
	if (!f->ntriggers)
		note(t, FD_ROLE_DIM, "none");
}

static void
aliases(struct fd_text *t, const struct fd_function *f)
{
	size_t i;
	char buf[128];

	fd_text_section(t, "Aliases and versions");
	for (i = 0; i < f->naliases; i++) {
		snprintf(buf, sizeof(buf), "version %s", f->aliases[i].version);
		field(t, f->aliases[i].name, buf);
	}
	for (i = 0; i < f->nversions; i++) {
		const struct fd_version *ver = &f->versions[i];
		const char *mod = ver->last_modified ? ver->last_modified : "";

		snprintf(buf, sizeof(buf), "%s  %s  %d MB", mod, ver->runtime ? ver->runtime : "",
			 ver->memory_mb);
		field(t, ver->version, buf);
	}
	if (!f->naliases && !f->nversions)
		note(t, FD_ROLE_DIM, "none published");
}

static void
layers(struct fd_text *t, const struct fd_function *f)
{
	size_t i;

	fd_text_section(t, "Layers");
	for (i = 0; i < f->nlayers; i++)
		note(t, FD_ROLE_NORMAL, f->layers[i]);
	if (!f->nlayers)
		note(t, FD_ROLE_DIM, "none");
	field(t, "Powertools", f->powertools ? "yes" : "no");
}

static void
environment(struct fd_text *t, const struct fd_function *f)
{
	size_t i;

	fd_text_section(t, "Environment (names only)");
	for (i = 0; i < f->nenv; i++) {
		const struct fd_env *e = &f->env[i];
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_NORMAL, "  %s", e->name);
		if (e->kind == FD_ENV_SECRET_LITERAL)
			fd_text_put(t, FD_ROLE_WARNING, "  <literal secret>");
		else if (e->kind == FD_ENV_SECRET_REF)
			fd_text_put(t, FD_ROLE_DIM, "  (secret reference)");
	}
	if (!f->nenv)
		note(t, FD_ROLE_DIM, "none");
}

static void
tags(struct fd_text *t, const struct fd_function *f)
{
	size_t i;

	fd_text_section(t, "Tags");
	for (i = 0; i < f->ntags; i++)
		field(t, f->tags[i].key, f->tags[i].value ? f->tags[i].value : "");
	if (!f->ntags)
		note(t, FD_ROLE_DIM, "none");
}

static int
offline(const struct fd_model *m)
{
	struct fd_model_status st;

	fd_model_status(m, &st);
	return st.offline;
}

static void
build(struct fd_view *v)
{
	struct fnview *fv = v->priv;
	struct fd_model *m = fd_ui_model(v->ui);
	const struct fd_function *f = fd_model_function(m, fv->name);
	struct fd_text *t = &fv->text;

	fd_text_clear(t);
	if (!f) {
		note(t, FD_ROLE_WARNING, "this function is not in the fleet (deleted, or another "
					  "context?)");
		return;
	}
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  %s", f->name);
	fd_text_printf(t, FD_ROLE_DIM, "  %s", f->arn ? f->arn : "");
	if (!f->detail_loaded)
		note(t, FD_ROLE_WARNING,
		     offline(m) ? "detail not cached: run online once to load it"
				: "loading detail...");
	charts(t, m, fd_model_row(m, fv->name));
	risks(t, m, f->name);
	rds_proxy(t, m, f->name);
	configuration(t, f);
	async_config(t, f);
	environment(t, f);
	layers(t, f);
	if (!f->detail_loaded)
		return;
	concurrency(t, f);
	triggers(t, f);
	aliases(t, f);
	tags(t, f);
}

static void
fn_open(struct fd_view *v, const char *arg)
{
	struct fnview *fv = v->priv;

	fd_strlcpy(fv->name, arg, sizeof(fv->name));
	fd_strlcpy(v->title, arg, sizeof(v->title));
	fd_model_want_detail(fd_ui_model(v->ui), fv->name);
	build(v);
}

static void
fn_close(struct fd_view *v)
{
	struct fnview *fv = v->priv;

	fd_text_free(&fv->text);
}

static void
fn_draw(struct fd_view *v, struct fd_rect r)
{
	struct fnview *fv = v->priv;

	fd_text_draw(&fv->text, r);
}

static int
fn_request(struct fd_view *v, enum fd_request req)
{
	struct fnview *fv = v->priv;

	switch (req) {
	case FD_REQ_LOGS:
	case FD_REQ_INVOKE:
	case FD_REQ_COLDSTARTS:
	case FD_REQ_TRACES:
	case FD_REQ_DLQS:
		fd_ui_open_feature(v->ui, req, fv->name);
		return 1;
	case FD_REQ_ENTER:
		return 1;
	default:
		return fd_text_request(&fv->text, req);
	}
}

static enum fd_status
fn_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct fnview *fv = v->priv;

	return fd_text_search(&fv->text, pattern, err);
}

const struct fd_view_ops fd_view_function = {
	.name = "function",
	.priv_size = sizeof(struct fnview),
	.open = fn_open,
	.close = fn_close,
	.draw = fn_draw,
	.request = fn_request,
	.changed = build,
	.search = fn_search,
	.refresh_s = 60,
};
