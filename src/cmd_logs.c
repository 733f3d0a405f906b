/* cmd_logs.c - `fleetdeck logs tail` (the follow engine, headless) and the dispatch
 * to `fleetdeck logs query` (cmd_logs_query.c).
 *
 * tail: function names map to their log group (the cached LoggingConfig.LogGroup,
 * else /aws/lambda/NAME); names starting with '/' or "arn:" are groups. Lines are
 * printed in timestamp order as "DATE TIME FUNCTION LEVEL MESSAGE" (sanitized;
 * JSON lines compact) or as json/ndjson records; banners (gaps, sampling, access,
 * fallback) go to stderr. Without --follow it exits 0 once --since is covered; with
 * --follow it runs until SIGINT/SIGTERM. --offline prints what the log store holds. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/follow.h"
#include "fleetdeck/output.h"
#include "fleetdeck/view.h"
#include "cmd_logs_int.h"

#define DEFAULT_SINCE_S 600
#define FUNCTION_COL_MAX 28

struct tail_opts {
	long since_s;
	int follow;
	int live; /* 1 --live, 0 --poll, -1 default (polling) */
	const char *filter, *exclude, *pattern;
	enum fd_level min_level;
	char **targets;
	size_t ntargets;
};

struct tail_out {
	struct fd_app *app;
	enum fd_output fmt;
	struct fd_regex *include, *exclude;
	enum fd_level min_level;
	int fn_width;
	size_t printed;
	int denied, sources;
	struct fd_buf line;
};

static volatile sig_atomic_t stop_requested;
static struct aws_client *wake_client;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (wake_client)
		aws_client_wakeup(wake_client);
}

void
logs_signals(struct aws_client *c, int install)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = install ? on_stop : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	wake_client = install ? c : NULL;
	stop_requested = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
logs_stop_requested(void)
{
	return stop_requested != 0;
}

#define usage(...) fd_cmd_usage_of("logs", __VA_ARGS__)

static int
tail_value_opt(struct tail_opts *o, const char *name, const char *v)
{
	if (!v)
		return usage("%s needs a value", name);
	if (strcmp(name, "--since") == 0) {
		o->since_s = fd_parse_duration(v);
		if (o->since_s <= 0)
			return usage(
			    "--since takes a duration such as 90s, 10m, 1h or 7d (got \"%s\")", v);
	} else if (strcmp(name, "--filter") == 0) {
		o->filter = v;
	} else if (strcmp(name, "--exclude") == 0) {
		o->exclude = v;
	} else if (strcmp(name, "--pattern") == 0) {
		o->pattern = v;
	} else {
		o->min_level = fd_level_parse(v, strlen(v));
		if (o->min_level == FD_LVL_NONE)
			return usage("--level takes TRACE, DEBUG, INFO, WARN, ERROR or FATAL (got "
			             "\"%s\")",
			             v);
	}
	return 0;
}

static int
tail_parse(int argc, char **argv, struct tail_opts *o)
{
	static const char *const valued[] = {"--since", "--filter", "--exclude", "--level",
	                                     "--pattern"};
	int i, hit, rc;
	size_t k;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		for (k = 0, hit = 0; k < FD_ARRAY_LEN(valued) && !hit; k++) {
			const char *v = NULL;
			hit = fd_opt_value(argc, argv, &i, valued[k], &v);
			if (hit && (rc = tail_value_opt(o, valued[k], v)) != 0)
				return rc;
		}
		if (hit)
			continue;
		if (strcmp(a, "--follow") == 0 || strcmp(a, "-f") == 0)
			o->follow = 1;
		else if (strcmp(a, "--live") == 0 || strcmp(a, "--poll") == 0)
			o->live = a[2] == 'l';
		else if (a[0] == '-' && a[1])
			return usage("unknown option \"%s\"", a);
		else
			o->targets[o->ntargets++] = argv[i];
	}
	if (!o->ntargets)
		return usage("name at least one function or log group");
	return 0;
}

/* ---- targets -> log groups ---- */

static void
resolve_target(struct fd_app *app, int have_ctx, const char *t, struct fd_follow_source *src)
{
	struct fd_function fn;
	struct fd_err err = {FD_OK, ""};

	src->function = NULL;
	if (t[0] == '/' || fd_str_starts(t, "arn:")) {
		src->group = fd_xstrdup(t);
		return;
	}
	src->function = t;
	memset(&fn, 0, sizeof(fn));
	if (have_ctx && fd_cache_get_function(app->cache, &app->ctx, t, &fn, &err) == FD_OK &&
	    fn.log_group && *fn.log_group)
		src->group = fd_xstrdup(fn.log_group);
	else
		src->group = fd_xasprintf("/aws/lambda/%s", t);
	fd_function_free(&fn);
}

void
logs_resolve(struct fd_app *app, char **targets, size_t n, struct fd_follow_source *src,
             int *have_ctx)
{
	struct fd_err err = {FD_OK, ""};
	size_t i;

	*have_ctx = fd_app_context(app, &err) == FD_OK && app->cache;
	for (i = 0; i < n; i++)
		resolve_target(app, *have_ctx, targets[i], &src[i]);
}

/* ---- output ---- */

static void
time_text(int64_t ms, int utc, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%03d", base, (int)(ms % 1000 + 1000) % 1000);
}

static int
passes(const struct tail_out *o, const struct fd_line *l)
{
	size_t off, len;

	if (o->min_level != FD_LVL_NONE && (l->level == FD_LVL_NONE || l->level < o->min_level))
		return 0;
	if (o->include && !fd_regex_find(o->include, l->text, l->text_len, &off, &len))
		return 0;
	return !(o->exclude && fd_regex_find(o->exclude, l->text, l->text_len, &off, &len));
}

/* Continuation lines of a multi-line message are indented under the message. */
static void
put_message(FILE *f, const char *s, size_t n, int indent)
{
	const char *end = s + n, *nl;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		end = s + --n;
	while ((nl = memchr(s, '\n', (size_t)(end - s)))) {
		fwrite(s, 1, (size_t)(nl - s + 1), f);
		fprintf(f, "%*s", indent, "");
		s = nl + 1;
	}
	fwrite(s, 1, (size_t)(end - s), f);
	fputc('\n', f);
}

static void
print_text(struct tail_out *o, const struct fd_line *l)
{
	char when[40];
	const char *lvl = l->level == FD_LVL_NONE ? "" : fd_level_name(l->level);

	time_text(l->ts, o->app->utc, when, sizeof(when));
	fd_buf_reset(&o->line);
	fd_follow_format(l, 0, &o->line);
	fprintf(stdout, "%s %-*.*s %-5s ", when, o->fn_width, o->fn_width, l->function, lvl);
	put_message(stdout, o->line.data ? o->line.data : "", o->line.len,
	            (int)strlen(when) + o->fn_width + 8);
}

static void
json_field(const char *key, const char *v, int first)
{
	printf("%s\"%s\":", first ? "" : ",", key);
	if (v && *v)
		fd_json_put_string(stdout, v);
	else
		fputs("null", stdout);
}

static void
print_json(struct tail_out *o, const struct fd_line *l)
{
	char iso[40],
	    *msg = fd_xstrndup(l->raw ? l->raw : l->text, l->raw ? l->raw_len : l->text_len);
	size_t n = strlen(msg);
	time_t t = (time_t)(l->ts / 1000);
	struct tm tm;

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	gmtime_r(&t, &tm);
	strftime(iso, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(iso + strlen(iso), sizeof(iso) - strlen(iso), ".%03dZ", (int)(l->ts % 1000));
	if (o->fmt == FD_OUT_JSON)
		fputs(o->printed ? ",\n" : "[\n", stdout);
	fputc('{', stdout);
	json_field("timestamp", iso, 1);
	printf(",\"timestamp_ms\":%lld", (long long)l->ts);
	json_field("group", l->group, 0);
	json_field("stream", l->stream, 0);
	json_field("eventId", l->event_id, 0);
	json_field("function", l->function, 0);
	json_field("request_id", l->request_id, 0);
	json_field("level", l->level == FD_LVL_NONE ? NULL : fd_level_name(l->level), 0);
	json_field("message", msg, 0);
	fputs(o->fmt == FD_OUT_JSON ? "}" : "}\n", stdout);
	free(msg);
}

static void
on_line(const struct fd_line *l, void *ud)
{
	struct tail_out *o = ud;
	char text[700];

	if (l->banner) {
		fd_follow_banner_text(l, o->app->utc, text, sizeof(text));
		fflush(stdout);
		fprintf(stderr, "fleetdeck: %s\n", text);
		o->denied += l->banner == FD_BANNER_DENIED ||
		             (l->banner == FD_BANNER_ERROR && l->source < (unsigned)o->sources);
		return;
	}
	if (!passes(o, l))
		return;
	if (o->fmt == FD_OUT_JSON || o->fmt == FD_OUT_NDJSON)
		print_json(o, l);
	else
		print_text(o, l);
	o->printed++;
}

static enum fd_status
out_setup(struct tail_out *o, const struct tail_opts *t, struct fd_err *err)
{
	enum fd_status st = FD_OK;

	fd_buf_init(&o->line);
	o->min_level = t->min_level;
	o->fmt = o->app->output;
	if (o->fmt != FD_OUT_JSON && o->fmt != FD_OUT_NDJSON && o->fmt != FD_OUT_TEXT &&
	    o->fmt != FD_OUT_DEFAULT)
		return fd_err_set(err, FD_EINVAL, "logs tail: --output takes text, json or ndjson");
	if (t->filter && (st = fd_regex_new(t->filter, &o->include, err)) != FD_OK)
		return fd_err_prefix(err, "--filter");
	if (t->exclude && (st = fd_regex_new(t->exclude, &o->exclude, err)) != FD_OK)
		return fd_err_prefix(err, "--exclude");
	return st;
}

static void
out_free(struct tail_out *o)
{
	if (o->fmt == FD_OUT_JSON)
		fputs(o->printed ? "\n]\n" : "[]\n", stdout);
	fflush(stdout);
	fd_regex_free(o->include);
	fd_regex_free(o->exclude);
	fd_buf_free(&o->line);
}

/* ---- running ---- */

static void
follow_opts(struct fd_app *app, const struct tail_opts *t, int have_ctx, struct fd_follow_opts *fo,
            char *arn, size_t arn_len)
{
	memset(fo, 0, sizeof(*fo));
	fo->since_ms = fd_wall_now_ms() - (int64_t)t->since_s * 1000;
	fo->follow = t->follow;
	fo->live = t->live == 1;
	fo->pattern = t->pattern;
	if (have_ctx) {
		snprintf(arn, arn_len, "arn:aws:logs:%s:%s:log-group:", app->ctx.region,
		         app->ctx.account);
		fo->arn_prefix = arn;
		fo->cache = app->cache;
		fo->ctx = &app->ctx;
	}
}

static void
run_loop(struct aws_client *c, struct fd_follow *f)
{
	logs_signals(c, 1);
	while (!logs_stop_requested() && !fd_follow_done(f)) {
		int t = fd_follow_tick(f);
		if (fd_follow_take_dirty(f))
			fflush(stdout);
		if (!fd_follow_done(f))
			aws_client_wait(c, NULL, 0, t);
	}
	fd_follow_flush(f);
	logs_signals(c, 0);
}

static void
function_width(struct tail_out *o, const struct fd_follow *f)
{
	size_t i, w = 8;

	for (i = 0; i < fd_follow_nsources(f); i++)
		w = FD_MAX(w, strlen(fd_follow_source_function(f, (unsigned)i)));
	o->fn_width = (int)FD_MIN(w, FUNCTION_COL_MAX);
	o->sources = (int)fd_follow_nsources(f);
}

static int
tail_online(struct fd_app *app, struct tail_opts *t, struct tail_out *o)
{
	struct fd_follow_source *src = fd_xcalloc(t->ntargets, sizeof(*src));
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_opts fo;
	struct fd_follow *f = NULL;
	char arn[160];
	int have_ctx, rc = 0;
	size_t i;

	if (fd_app_client(app, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
		goto out;
	}
	logs_resolve(app, t->targets, t->ntargets, src, &have_ctx);
	follow_opts(app, t, have_ctx, &fo, arn, sizeof(arn));
	fo.on_line = on_line;
	fo.ud = o;
	if (fd_follow_new(app->client, src, t->ntargets, &fo, &f, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
		goto out;
	}
	function_width(o, f);
	run_loop(app->client, f);
	if (o->denied && o->denied >= o->sources)
		rc = 1;
out:
	fd_follow_free(f);
	for (i = 0; i < t->ntargets; i++)
		free((char *)src[i].group);
	free(src);
	return rc;
}

struct offline_feed {
	struct fd_follow *f;
	const struct fd_follow_source *src;
	size_t n;
};

static void
offline_event(const struct fd_log_event *e, void *ud)
{
	struct offline_feed *feed = ud;
	size_t i;

	for (i = 0; i < feed->n; i++)
		if (strcmp(feed->src[i].group, e->group) == 0)
			fd_follow_ingest(feed->f, (unsigned)i, e->ts, e->stream, e->event_id,
			                 e->message, e->message_len);
}

int
logs_tail_offline(struct fd_app *app, char **targets, size_t n, long since_s,
                  void (*cb)(const struct fd_line *l, void *ud), void *ud)
{
	struct fd_follow_source *src = fd_xcalloc(n, sizeof(*src));
	struct offline_feed feed = {NULL, src, n};
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_opts fo;
	int64_t now = fd_wall_now_ms();
	int have_ctx, rc = 0;
	size_t i;

	logs_resolve(app, targets, n, src, &have_ctx);
	memset(&fo, 0, sizeof(fo));
	fo.since_ms = now - (int64_t)since_s * 1000;
	fo.on_line = cb;
	fo.ud = ud;
	if (!have_ctx) {
		fd_err_set(&err, FD_ENOTFOUND, "--offline: %s",
		           "no cached context to read logs from");
		rc = fd_cmd_fail(&err);
	} else if (fd_follow_new(NULL, src, n, &fo, &feed.f, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
	}
	for (i = 0; rc == 0 && i < n; i++)
		if (fd_cache_get_log_events(app->cache, &app->ctx, src[i].group, fo.since_ms, now,
		                            0, offline_event, &feed, &err) != FD_OK)
			rc = fd_cmd_fail(&err);
	if (rc == 0) {
		fprintf(stderr, "fleetdeck: --offline: lines from the log store, not from AWS\n");
		fd_follow_flush(feed.f);
	}
	fd_follow_free(feed.f);
	for (i = 0; i < n; i++)
		free((char *)src[i].group);
	free(src);
	return rc;
}

static int
cmd_logs_tail(struct fd_app *app, int argc, char **argv)
{
	struct tail_opts t;
	struct tail_out o;
	struct fd_err err = {FD_OK, ""};
	int rc;

	memset(&t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	t.since_s = DEFAULT_SINCE_S;
	t.live = -1;
	t.targets = fd_xcalloc((size_t)argc, sizeof(*t.targets));
	rc = tail_parse(argc, argv, &t);
	o.app = app;
	if (rc == 0 && out_setup(&o, &t, &err) != FD_OK)
		rc = usage("%s", err.msg);
	if (rc == 0)
		rc = app->offline
		         ? logs_tail_offline(app, t.targets, t.ntargets, t.since_s, on_line, &o)
		         : tail_online(app, &t, &o);
	out_free(&o);
	free(t.targets);
	return rc;
}

int
cmd_logs(struct fd_app *app, int argc, char **argv)
{
	if (argc < 2)
		return usage("logs needs a subcommand: tail or query");
	if (strcmp(argv[1], "tail") == 0)
		return cmd_logs_tail(app, argc, argv);
	if (strcmp(argv[1], "query") == 0)
		return cmd_logs_query(app, argc, argv);
	return usage("unknown logs subcommand \"%s\" (tail or query)", argv[1]);
}
