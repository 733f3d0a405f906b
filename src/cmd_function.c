/* cmd_function.c - `fleetdeck function NAME`: everything known about one function,
 * as text or json. Online it loads the function's detail, its metrics over the
 * window, its RDS Proxy's metrics, its log group and the facts of its SQS source
 * queues first (an SQS failure is a warning); --offline, and --stale-ok when the
 * cache knows the function, answer from the cache. Remote text goes through the
 * sanitizer; literal secret values are never printed. The json object's keys are
 * written in a fixed order by a small writer. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"
#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/sanitize.h"

#define SECRET_PLACEHOLDER "<literal secret: not shown>"

/* A small JSON writer: keys in the order written, strings escaped and sanitized. */
struct jw {
	FILE *f;
	int depth;
	int first[8];
};

static void
jw_sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = 0;
	if (key) {
		fd_json_put_string(w->f, key);
		fputc(':', w->f);
	}
}

static void
jw_open(struct jw *w, const char *key, char brace)
{
	jw_sep(w, key);
	fputc(brace, w->f);
	w->first[++w->depth] = 1;
}

static void
jw_close(struct jw *w, char brace)
{
	w->depth--;
	fputc(brace, w->f);
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_sep(w, key);
	if (s)
		fd_json_put_string(w->f, s);
	else
		fputs("null", w->f);
}

static void
jw_int(struct jw *w, const char *key, long long v, int present)
{
	jw_sep(w, key);
	if (present)
		fprintf(w->f, "%lld", v);
	else
		fputs("null", w->f);
}

static void
jw_num(struct jw *w, const char *key, double v)
{
	jw_sep(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.2f", v);
	else
		fputs("null", w->f);
}

static const char *
env_shown(const struct fd_env *e)
{
	return e->kind == FD_ENV_SECRET_LITERAL ? SECRET_PLACEHOLDER : e->value;
}

static const char *
env_kind_name(enum fd_env_kind k)
{
	return k == FD_ENV_SECRET_LITERAL ? "secret-literal"
	                                  : (k == FD_ENV_SECRET_REF ? "secret-ref" : "plain");
}

static void
json_config(struct jw *w, const struct fd_function *f)
{
	jw_str(w, "name", f->name);
	jw_str(w, "arn", f->arn);
	jw_str(w, "runtime", f->runtime);
	jw_str(w, "handler", f->handler);
	jw_str(w, "role", f->role);
	jw_str(w, "description", f->description);
	jw_str(w, "state", f->state);
	jw_str(w, "package_type", f->package_type);
	jw_str(w, "architecture", f->architecture);
	jw_int(w, "memory_mb", f->memory_mb, f->memory_mb > 0);
	jw_int(w, "timeout_s", f->timeout_s, f->timeout_s > 0);
	jw_int(w, "ephemeral_mb", f->ephemeral_mb, f->ephemeral_mb > 0);
	jw_int(w, "code_size", f->code_size, f->code_size > 0);
	jw_str(w, "last_modified", f->last_modified);
	jw_str(w, "tracing_mode", f->tracing_mode);
	jw_str(w, "snapstart", f->snapstart);
	jw_str(w, "log_format", f->log_format);
	jw_str(w, "log_group", f->log_group);
	jw_str(w, "app_log_level", f->app_log_level);
	jw_str(w, "system_log_level", f->system_log_level);
	jw_str(w, "dlq_arn", f->dlq_arn);
	jw_int(w, "powertools", f->powertools, 1);
	jw_str(w, "rds_proxy_endpoint", f->rds_proxy_endpoint);
	jw_int(w, "fetched_ms", f->fetched_ms, f->fetched_ms > 0);
}

static void
json_lists(struct jw *w, const struct fd_function *f)
{
	size_t i;

	jw_open(w, "layers", '[');
	for (i = 0; i < f->nlayers; i++)
		jw_str(w, NULL, f->layers[i]);
	jw_close(w, ']');
	jw_open(w, "environment", '[');
	for (i = 0; i < f->nenv; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "name", f->env[i].name);
		jw_str(w, "kind", env_kind_name(f->env[i].kind));
		jw_str(w, "value", env_shown(&f->env[i]));
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "tags", '{');
	for (i = 0; i < f->ntags; i++)
		jw_str(w, f->tags[i].key ? f->tags[i].key : "", f->tags[i].value);
	jw_close(w, '}');
}

static void
json_wiring(struct jw *w, const struct fd_function *f)
{
	size_t i;

	jw_open(w, "triggers", '[');
	for (i = 0; i < f->ntriggers; i++) {
		const struct fd_trigger *t = &f->triggers[i];
		jw_open(w, NULL, '{');
		jw_str(w, "kind", fd_trigger_name(t->kind));
		jw_str(w, "source_arn", t->source_arn);
		jw_str(w, "mapping_uuid", t->uuid);
		jw_str(w, "state", t->state);
		jw_int(w, "batch_size", t->batch_size, t->batch_size > 0);
		jw_str(w, "on_failure", t->on_failure);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "aliases", '[');
	for (i = 0; i < f->naliases; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "name", f->aliases[i].name);
		jw_str(w, "version", f->aliases[i].version);
		jw_int(w, "provisioned", f->aliases[i].provisioned, 1);
		jw_int(w, "provisioned_available", f->aliases[i].provisioned_available, 1);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "versions", '[');
	for (i = 0; i < f->nversions; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "version", f->versions[i].version);
		jw_str(w, "last_modified", f->versions[i].last_modified);
		jw_str(w, "runtime", f->versions[i].runtime);
		jw_int(w, "memory_mb", f->versions[i].memory_mb, f->versions[i].memory_mb > 0);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
json_async(struct jw *w, const struct fd_function *f)
{
	const struct fd_async_config *a = &f->async;

	jw_int(w, "detail_loaded", f->detail_loaded, 1);
	jw_int(w, "detail_fetched_ms", f->detail_fetched_ms, f->detail_fetched_ms > 0);
	jw_int(w, "reserved_concurrency", f->reserved_concurrency,
	       f->detail_loaded && f->reserved_concurrency >= 0);
	jw_open(w, "async", '{');
	jw_int(w, "configured", a->present, f->detail_loaded);
	jw_int(w, "max_retry", a->max_retry, a->present && a->max_retry >= 0);
	jw_int(w, "max_event_age_s", a->max_event_age_s, a->present && a->max_event_age_s >= 0);
	jw_str(w, "on_failure", a->on_failure);
	jw_str(w, "on_success", a->on_success);
	jw_close(w, '}');
}

static void
json_observed(struct jw *w, struct fd_model *m, const struct fd_function *f)
{
	const struct fd_fn_row *r = fd_model_row(m, f->name);
	const struct fd_log_group *g;
	const struct fd_risk *risks;
	size_t n, i;

	jw_open(w, "metrics", '{');
	jw_int(w, "window_s", fd_model_window(m), 1);
	jw_num(w, "invocations", r ? r->invocations : NAN);
	jw_num(w, "errors", r ? r->errors : NAN);
	jw_num(w, "error_pct", r ? r->error_pct : NAN);
	jw_num(w, "throttles", r ? r->throttles : NAN);
	jw_num(w, "p50_ms", r ? r->p50 : NAN);
	jw_num(w, "p99_ms", r ? r->p99 : NAN);
	jw_num(w, "max_ms", r ? r->max_ms : NAN);
	jw_num(w, "concurrency", r ? r->concurrency : NAN);
	jw_close(w, '}');
	g = fd_model_log_group(m, f->log_group);
	jw_open(w, "log_group_info", '{');
	jw_str(w, "name", g ? g->name : f->log_group);
	jw_int(w, "retention_days", g ? g->retention_days : 0, g != NULL);
	jw_int(w, "stored_bytes", g ? g->stored_bytes : 0, g != NULL);
	jw_close(w, '}');
	jw_open(w, "risks", '[');
	n = fd_model_risks(m, &risks);
	for (i = 0; i < n; i++) {
		if (!fd_str_eq(risks[i].function, f->name))
			continue;
		jw_open(w, NULL, '{');
		jw_str(w, "severity", fd_severity_name(risks[i].severity));
		jw_str(w, "check", risks[i].check_id);
		jw_str(w, "reason", risks[i].reason);
		jw_str(w, "fix", risks[i].fix);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* "rds_proxy": null, or {name, endpoint, source ("endpoint"|"config"), window_s,
 * fetched_ms, metrics: {<json key>: {latest, avg, max}}} with nulls where no point. */
static void
json_proxy(struct jw *w, struct fd_model *m, const struct fd_function *f)
{
	struct fd_model_proxy p;
	struct fd_proxy_stat st;
	int k;

	if (!fd_model_function_proxy(m, f->name, &p)) {
		jw_str(w, "rds_proxy", NULL);
		return;
	}
	jw_open(w, "rds_proxy", '{');
	jw_str(w, "name", p.name);
	jw_str(w, "endpoint", p.endpoint);
	jw_str(w, "source", p.configured ? "config" : "endpoint");
	jw_int(w, "window_s", fd_model_window(m), 1);
	jw_int(w, "fetched_ms", p.metrics ? p.metrics->fetched_ms : 0, p.metrics != NULL);
	jw_open(w, "metrics", '{');
	for (k = 0; k < FD_PM_COUNT; k++) {
		fd_proxy_stat(p.metrics, (enum fd_proxy_metric)k, p.from_s, p.to_s, &st);
		jw_open(w, fd_proxy_metric_info((enum fd_proxy_metric)k)->json, '{');
		jw_num(w, "latest", st.latest);
		jw_num(w, "avg", st.avg);
		jw_num(w, "max", st.max);
		jw_close(w, '}');
	}
	jw_close(w, '}');
	jw_close(w, '}');
}

static void
print_function_json(struct fd_model *m, const struct fd_function *f)
{
	struct jw w;

	memset(&w, 0, sizeof(w));
	w.f = stdout;
	w.first[0] = 1;
	jw_open(&w, NULL, '{');
	json_config(&w, f);
	json_lists(&w, f);
	json_async(&w, f);
	json_wiring(&w, f);
	json_observed(&w, m, f);
	json_proxy(&w, m, f);
	jw_close(&w, '}');
	fputc('\n', stdout);
}

static void kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One "key  value" line; the value is remote text, so it goes through the sanitizer. */
static void
kv(const char *key, const char *fmt, ...)
{
	struct fd_buf raw, clean;
	va_list ap;

	fd_buf_init(&raw);
	fd_buf_init(&clean);
	va_start(ap, fmt);
	fd_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	fd_sanitize(raw.data ? raw.data : "", raw.len, 0, &clean);
	printf("%-16s %s\n", key, clean.data ? clean.data : "");
	fd_buf_free(&raw);
	fd_buf_free(&clean);
}

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void
text_config(const struct fd_function *f)
{
	kv("name", "%s", or_dash(f->name));
	kv("arn", "%s", or_dash(f->arn));
	kv("runtime", "%s", f->runtime ? f->runtime : or_dash(f->package_type));
	kv("handler", "%s", or_dash(f->handler));
	kv("role", "%s", or_dash(f->role));
	kv("description", "%s", or_dash(f->description));
	kv("state", "%s", or_dash(f->state));
	kv("architecture", "%s", or_dash(f->architecture));
	kv("memory", "%d MB (ephemeral %d MB)", f->memory_mb, f->ephemeral_mb);
	kv("timeout", "%d s", f->timeout_s);
	kv("code size", "%lld bytes", f->code_size);
	kv("last modified", "%s", or_dash(f->last_modified));
	kv("tracing", "%s", or_dash(f->tracing_mode));
	kv("snapstart", "%s", or_dash(f->snapstart));
	kv("logging", "%s, group %s, levels %s/%s", or_dash(f->log_format), or_dash(f->log_group),
	   or_dash(f->app_log_level), or_dash(f->system_log_level));
	kv("dead letter", "%s", f->dlq_arn ? f->dlq_arn : "none");
	kv("powertools", "%s", f->powertools ? "yes" : "no");
	if (f->rds_proxy_endpoint)
		kv("rds proxy", "%s", f->rds_proxy_endpoint);
}

static void
text_lists(const struct fd_function *f)
{
	size_t i;

	for (i = 0; i < f->nlayers; i++)
		kv(i ? "" : "layers", "%s", f->layers[i]);
	for (i = 0; i < f->nenv; i++)
		kv(i ? "" : "environment", "%s = %s", or_dash(f->env[i].name),
		   or_dash(env_shown(&f->env[i])));
	for (i = 0; i < f->ntags; i++)
		kv(i ? "" : "tags", "%s = %s", or_dash(f->tags[i].key), or_dash(f->tags[i].value));
}

static void
text_wiring(const struct fd_function *f)
{
	const struct fd_async_config *a = &f->async;
	size_t i;

	if (!f->detail_loaded) {
		kv("detail", "not loaded yet (run online to load triggers, aliases, async config)");
		return;
	}
	if (f->reserved_concurrency >= 0)
		kv("concurrency", "reserved %d", f->reserved_concurrency);
	else
		kv("concurrency", "unreserved");
	for (i = 0; i < f->ntriggers; i++) {
		const struct fd_trigger *t = &f->triggers[i];
		kv(i ? "" : "triggers", "%s %s%s%s%s", fd_trigger_name(t->kind),
		   or_dash(t->source_arn), t->state ? " (" : "", t->state ? t->state : "",
		   t->state ? ")" : "");
	}
	for (i = 0; i < f->naliases; i++)
		kv(i ? "" : "aliases", "%s -> %s, provisioned %d/%d", or_dash(f->aliases[i].name),
		   or_dash(f->aliases[i].version), f->aliases[i].provisioned_available,
		   f->aliases[i].provisioned);
	for (i = 0; i < f->nversions; i++)
		kv(i ? "" : "versions", "%s %s %s", or_dash(f->versions[i].version),
		   or_dash(f->versions[i].last_modified), or_dash(f->versions[i].runtime));
	if (!a->present)
		kv("async config", "default (2 retries, 6 h max age, no destinations)");
	else
		kv("async config", "retries %d, max age %d s, on failure %s, on success %s",
		   a->max_retry < 0 ? 2 : a->max_retry,
		   a->max_event_age_s < 0 ? 21600 : a->max_event_age_s, or_dash(a->on_failure),
		   or_dash(a->on_success));
}

static void
text_observed(struct fd_model *m, const struct fd_function *f)
{
	const struct fd_fn_row *r = fd_model_row(m, f->name);
	const struct fd_log_group *g = fd_model_log_group(m, f->log_group);
	enum fd_fn_col cols[] = {FD_FC_INVOCATIONS, FD_FC_ERRORS, FD_FC_ERROR_PCT,  FD_FC_THROTTLES,
	                         FD_FC_P50,         FD_FC_P99,    FD_FC_CONCURRENCY};
	char v[FD_ARRAY_LEN(cols)][32];
	const struct fd_risk *risks;
	size_t n, i;

	for (i = 0; r && i < FD_ARRAY_LEN(cols); i++)
		fd_fn_row_cell(r, cols[i], v[i], sizeof(v[i]));
	if (r)
		kv("metrics",
		   "last %d min: %s invocations, %s errors (%s%%), %s throttles, "
		   "p50 %s ms, p99 %s ms, concurrency %s",
		   fd_model_window(m) / 60, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	if (g && g->retention_days)
		kv("log group", "%s, retention %d days, %lld bytes stored", g->name,
		   g->retention_days, g->stored_bytes);
	else if (g)
		kv("log group", "%s, never expires, %lld bytes stored", g->name, g->stored_bytes);
	n = fd_model_risks(m, &risks);
	for (i = 0; i < n; i++)
		if (fd_str_eq(risks[i].function, f->name))
			kv("risk", "%s %s: %s (fix: %s)", fd_severity_name(risks[i].severity),
			   risks[i].check_id, risks[i].reason, risks[i].fix);
}

static const char *
proxy_num(double v, char *buf, size_t n)
{
	if (isnan(v))
		return "-";
	snprintf(buf, n, "%.1f", v);
	return buf;
}

/* The proxy's name (and where it came from), then one line per metric. */
static void
text_proxy(struct fd_model *m, const struct fd_function *f)
{
	char a[32], b[32], c[32];
	struct fd_model_proxy p;
	struct fd_proxy_stat st;
	int k;

	if (!fd_model_function_proxy(m, f->name, &p))
		return;
	kv("proxy", "%s (%s)", p.name, p.configured ? "from the config" : "from its endpoint");
	if (!p.metrics) {
		kv("proxy metrics", "none fetched yet");
		return;
	}
	for (k = 0; k < FD_PM_COUNT; k++) {
		const struct fd_proxy_metric_info *mi =
		    fd_proxy_metric_info((enum fd_proxy_metric)k);
		fd_proxy_stat(p.metrics, (enum fd_proxy_metric)k, p.from_s, p.to_s, &st);
		kv(k ? "" : "proxy metrics", "%-20s latest %s, avg %s, max %s%s%s", mi->label,
		   proxy_num(st.latest, a, sizeof(a)), proxy_num(st.avg, b, sizeof(b)),
		   proxy_num(st.max, c, sizeof(c)), mi->unit[0] ? " " : "", mi->unit);
	}
}

int
cmd_function(struct fd_app *app, int argc, char **argv)
{
	struct fd_err err = {FD_OK, ""};
	const struct fd_function *f;
	struct fd_model *m = NULL;

	if (argc != 2 || argv[1][0] == '-')
		return fd_cmd_usage(fd_cmd_find("function", NULL), "function takes one NAME");
	if (app->output != FD_OUT_DEFAULT && app->output != FD_OUT_TEXT &&
	    app->output != FD_OUT_JSON)
		return fd_cmd_usage(fd_cmd_find("function", NULL), "function prints text or json");
	if (fd_model_open_headless(app, 0, &m, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (!app->offline && !(app->stale_ok && fd_model_function(m, argv[1]))) {
		struct fd_buf warn;
		enum fd_status st;
		fd_buf_init(&warn);
		st = fd_model_refresh_function_sync(m, argv[1], &warn, &err);
		fd_cmd_warn_lines(NULL, &warn); /* its section shows what the cache had */
		fd_buf_free(&warn);
		if (st != FD_OK) {
			fd_model_free(m);
			return fd_cmd_fail(&err);
		}
		/* sqs-no-redrive's facts: without them the rest is still worth printing */
		if (fd_model_refresh_function_queues_sync(m, argv[1], &err) != FD_OK)
			fd_cmd_warn(NULL, err.msg);
	}
	f = fd_model_function(m, argv[1]);
	if (!f) {
		fd_model_free(m);
		fd_err_set(&err, FD_ENOTFOUND, "function \"%s\" not found%s", argv[1],
		           app->offline ? " in the cache" : "");
		return fd_cmd_fail(&err);
	}
	if (app->output == FD_OUT_JSON) {
		print_function_json(m, f);
	} else {
		text_config(f);
		text_lists(f);
		text_wiring(f);
		text_observed(m, f);
		text_proxy(m, f);
	}
	fd_model_free(m);
	return 0;
}
