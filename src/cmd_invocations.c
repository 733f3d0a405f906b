/* cmd_invocations.c - `fleetdeck invocations`, `fleetdeck invocation` and
 * `fleetdeck coldstarts`. Online, the window's REPORT lines are read first (the
 * backfill, within its event budget) so the cache holds the records; --offline and
 * --no-backfill answer from the cache; `coldstarts --server` asks Logs Insights.
 *
 * invocations json / ndjson: {"time","function","version","request_id","duration_ms",
 * "billed_ms","max_memory_mb","memory_mb","cold","init_ms","restore_ms","status",
 * "error_type","trace_id"} per record, newest first; numbers null when unknown.
 * coldstarts json: one object per function/version/memory with the statistics of
 * include/fleetdeck/coldstarts.h and "trend" (cold starts per 5 minutes). What
 * `invocation` prints is cmd_invocation_print.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/coldstarts.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "cmd_invocations_int.h"

#define DEFAULT_SINCE_S 3600
#define COLDSTART_SINCE_S 86400

struct inv_opts {
	const char *cmd;
	char *args[64];
	size_t nargs;
	long since_s;
	int status;                /* -1 any */
	int cold_only;
	double slower_ms;
	size_t limit;
	int no_backfill, no_trace, server;
	const char *function;
	double price;
};

static int
status_value(struct inv_opts *o, const char *v)
{
	enum fd_inv_status st;

	if (fd_str_case_eq(v, "cold")) {
		o->cold_only = 1;
		return 0;
	}
	if (!v || !fd_inv_status_parse(v, &st))
		return fd_cmd_usage_of(o->cmd, "--status takes success, error, timeout, "
				       "out-of-memory, runtime-exit, running or cold (got \"%s\")",
				       v ? v : "");
	o->status = (int)st;
	return 0;
}

static int
number_value(struct inv_opts *o, const char *name, const char *v, double *out)
{
	char *end;

	*out = v ? strtod(v, &end) : NAN;
	if (!v || end == v || *end || !(*out >= 0))
		return fd_cmd_usage_of(o->cmd, "%s takes a number (got \"%s\")", name,
				       v ? v : "");
	return 0;
}

static int
valued_opt(struct inv_opts *o, const char *name, const char *v)
{
	double d;

	if (!v)
		return fd_cmd_usage_of(o->cmd, "%s needs a value", name);
	if (strcmp(name, "--since") == 0) {
		o->since_s = fd_parse_duration(v);
		if (o->since_s <= 0)
			return fd_cmd_usage_of(o->cmd, "--since takes a duration such as 15m, "
					       "1h or 7d (got \"%s\")", v);
		return 0;
	}
	if (strcmp(name, "--status") == 0)
		return status_value(o, v);
	if (strcmp(name, "--function") == 0) {
		o->function = v;
		return 0;
	}
	if (strcmp(name, "--slower-than") == 0)
		return number_value(o, name, v, &o->slower_ms);
	if (strcmp(name, "--price-per-gb-s") == 0)
		return number_value(o, name, v, &o->price);
	if (number_value(o, name, v, &d) != 0 || d < 1)
		return fd_cmd_usage_of(o->cmd, "--limit takes a count (got \"%s\")", v);
	o->limit = (size_t)d;
	return 0;
}

/* A bare flag: 1 when arg was one. */
static int
flag(struct inv_opts *o, const char *arg)
{
	const struct {
		const char *name;
		int *p;
	} flags[] = {{"--cold", &o->cold_only}, {"--no-backfill", &o->no_backfill},
		     {"--no-trace", &o->no_trace}, {"--server", &o->server}};
	size_t k;

	for (k = 0; k < FD_ARRAY_LEN(flags); k++)
		if (strcmp(arg, flags[k].name) == 0)
			return *flags[k].p = 1;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct inv_opts *o)
{
	static const char *const valued[] = {"--since", "--status", "--slower-than", "--limit",
					     "--function", "--price-per-gb-s"};
	int i, rc;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;
		for (k = 0; k < FD_ARRAY_LEN(valued); k++)
			if (fd_opt_value(argc, argv, &i, valued[k], &v))
				break;
		if (k < FD_ARRAY_LEN(valued)) {
			if ((rc = valued_opt(o, valued[k], v)) != 0)
				return rc;
		} else if (!flag(o, argv[i])) {
			if (argv[i][0] == '-' && argv[i][1])
				return fd_cmd_usage_of(o->cmd, "unknown option \"%s\"", argv[i]);
			if (o->nargs == FD_ARRAY_LEN(o->args))
				return fd_cmd_usage_of(o->cmd, "too many arguments");
			o->args[o->nargs++] = argv[i];
		}
	}
	return 0;
}

static void
opts_init(struct inv_opts *o, const char *cmd, long since_s)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->since_s = since_s;
	o->status = -1;
}

/* ---- the fleet: functions, their groups, log formats ---- */

struct fleet {
	struct fd_model *m;
	struct fd_function *fns;   /* shallow copies of the model's records */
	size_t n;
};

/* With detail, the named functions' aliases, versions and provisioned concurrency
 * are refreshed too (a function AWS does not know is only a warning). */
static enum fd_status
fleet_open(struct fd_app *app, struct fleet *f, char **names, size_t n, int detail,
	   struct fd_err *err)
{
	const struct fd_fn_row *rows;
	struct fd_err warn = {FD_OK, ""};
	enum fd_status st;
	size_t i;

	memset(f, 0, sizeof(*f));
	st = fd_model_open_headless(app, FD_REFRESH_LIST, &f->m, err);
	if (st != FD_OK)
		return st;
	for (i = 0; detail && !app->offline && i < n; i++) {
		struct fd_buf parts;
		fd_buf_init(&parts);
		if (fd_model_refresh_function_sync(f->m, names[i], &parts, &warn) != FD_OK)
			fprintf(stderr, "fleetdeck: %s: %s\n", names[i], warn.msg);
		fd_cmd_warn_lines(names[i], &parts);
		fd_buf_free(&parts);
	}
	f->n = fd_model_rows(f->m, &rows);
	f->fns = f->n ? fd_xcalloc(f->n, sizeof(*f->fns)) : NULL;
	for (i = 0; i < f->n; i++)
		f->fns[i] = *rows[i].fn;
	return FD_OK;
}

static void
fleet_close(struct fleet *f)
{
	free(f->fns);
	fd_model_free(f->m);
}

static const struct fd_function *
fleet_fn(const struct fleet *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (fd_str_eq(f->fns[i].name, name))
			return &f->fns[i];
	return NULL;
}

/* Log group names live in one buffer per call; targets point into it. */
struct targets {
	struct fd_backfill_target *t;
	struct fd_cs_target *cs;
	char **groups;
	size_t n;
};

static void
targets_add(struct targets *t, const char *name, const struct fd_function *fn)
{
	char *group = fn && fn->log_group ? fd_xstrdup(fn->log_group)
					  : fd_xasprintf("/aws/lambda/%s", name);

	t->groups[t->n] = group;
	t->t[t->n] = (struct fd_backfill_target){name, group, fn ? fn->log_format : NULL};
	t->cs[t->n] = (struct fd_cs_target){name, group};
	t->n++;
}

/* The named functions, or every function of the fleet. */
static void
targets_build(const struct fleet *f, char **names, size_t nnames, struct targets *t)
{
	size_t i, cap = nnames ? nnames : f->n;

	t->t = fd_xcalloc(cap + 1, sizeof(*t->t));
	t->cs = fd_xcalloc(cap + 1, sizeof(*t->cs));
	t->groups = fd_xcalloc(cap + 1, sizeof(char *));
	t->n = 0;
	for (i = 0; i < nnames; i++)
		targets_add(t, names[i], fleet_fn(f, names[i]));
	for (i = 0; !nnames && i < f->n; i++)
		targets_add(t, f->fns[i].name, &f->fns[i]);
}

static void
targets_free(struct targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->groups[i]);
	free(t->groups);
	free(t->t);
	free(t->cs);
}

/* Reads the window's REPORT lines into the cache; a budget stop is only a warning. */
static enum fd_status
backfill(struct fd_app *app, const struct targets *t, int64_t from, int64_t to,
	 struct fd_err *err)
{
	struct fd_backfill_opts o;
	struct fd_backfill_status st;
	enum fd_status rc;

	if (!t->n)
		return FD_OK;
	memset(&o, 0, sizeof(o));
	o.from_ms = from;
	o.to_ms = to;
	rc = fd_backfill_run(app->client, app->cache, &app->ctx, t->t, t->n, &o, &st, err);
	if (rc == FD_OK && st.truncated)
		fprintf(stderr, "fleetdeck: read %zu REPORT lines of %zu/%zu log groups, then "
			"stopped at the budget; older records come from the cache\n", st.events,
			st.groups_done, st.groups_total);
	if (rc == FD_OK && st.st != FD_OK)
		fprintf(stderr, "fleetdeck: some log groups could not be read: %s\n", st.error);
	if (app->verbose && rc == FD_OK)
		fprintf(stderr, "fleetdeck: %zu records from %zu REPORT lines in %d pages\n",
			st.records, st.events, st.pages);
	return rc;
}

/* ---- fleetdeck invocations ---- */

static void
print_invocations(struct fd_app *app, const struct fd_invocation *r, size_t n)
{
	static const struct fd_col cols[] = {
		{"time", "TIME", FD_COL_STR, 24, 0, 0},
		{"function", "FUNCTION", FD_COL_STR, 0, 0, 0},
		{"version", "VER", FD_COL_STR, 7, 0, 0},
		{"request_id", "REQUEST", FD_COL_STR, 36, 0, 0},
		{"duration_ms", "DUR ms", FD_COL_NUM, 9, 1, 2},
		{"billed_ms", "BILLED", FD_COL_NUM, 7, 1, 0},
		{"max_memory_mb", "USED", FD_COL_NUM, 5, 1, 0},
		{"memory_mb", "MEM", FD_COL_NUM, 5, 1, 0},
		{"cold", "COLD", FD_COL_BOOL, 5, 0, 0},
		{"init_ms", "INIT ms", FD_COL_NUM, 8, 1, 2},
		{"restore_ms", "RESTORE", FD_COL_NUM, 8, 1, 2},
		{"status", "STATUS", FD_COL_STR, 13, 0, 0},
		{"error_type", "ERROR", FD_COL_STR, 0, 0, 0},
		{"trace_id", "TRACE", FD_COL_STR, 0, 0, 0},
	};
	struct fd_out *o = fd_out_begin(stdout, app->output == FD_OUT_TEXT ? FD_OUT_TABLE
									   : app->output,
					cols, FD_ARRAY_LEN(cols));
	char when[40];
	size_t i;

	for (i = 0; i < n; i++) {
		struct fd_cell c[FD_ARRAY_LEN(cols)];
		invocation_time_text(r[i].start_ms, when, sizeof(when));
		c[0] = fd_cell_str(when);
		c[1] = fd_cell_str(r[i].function);
		c[2] = fd_cell_str(r[i].version);
		c[3] = fd_cell_str(r[i].request_id);
		c[4] = fd_cell_num(r[i].duration_ms);
		c[5] = fd_cell_num(r[i].billed_ms);
		c[6] = fd_cell_num(r[i].max_memory_mb);
		c[7] = fd_cell_num(r[i].memory_mb);
		c[8] = fd_cell_int(fd_invocation_cold(&r[i]), 1);
		c[9] = fd_cell_num(r[i].init_ms);
		c[10] = fd_cell_num(r[i].restore_ms);
		c[11] = fd_cell_str(fd_inv_status_name(r[i].status));
		c[12] = fd_cell_str(r[i].error_type[0] ? r[i].error_type : NULL);
		c[13] = fd_cell_str(r[i].trace_id[0] ? r[i].trace_id : NULL);
		fd_out_row(o, c);
	}
	fd_out_end(o);
}

/* The cache picks the newest by end time; rows are shown by start time. */
static int
by_start_desc(const void *x, const void *y)
{
	const struct fd_invocation *a = x, *b = y;

	if (a->start_ms != b->start_ms)
		return a->start_ms > b->start_ms ? -1 : 1;
	return strcmp(a->request_id, b->request_id);
}

static int
list_invocations(struct fd_app *app, const struct inv_opts *o, const struct fleet *f)
{
	struct fd_inv_query q;
	struct fd_invocation *r = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0, i;

	memset(&q, 0, sizeof(q));
	q.function = o->nargs ? o->args[0] : NULL;
	q.from_ms = fd_wall_now_ms() - (int64_t)o->since_s * 1000;
	q.status = o->status;
	q.cold_only = o->cold_only;
	q.min_duration_ms = o->slower_ms;
	q.limit = o->limit ? o->limit : 1000;
	if (fd_cache_get_invocations(app->cache, &app->ctx, &q, &r, &n, &err) != FD_OK)
		return fd_cmd_fail(&err);
	for (i = 0; i < n; i++)
		fd_invocation_set_alias(&r[i], fleet_fn(f, r[i].function));
	if (n)
		qsort(r, n, sizeof(*r), by_start_desc);
	print_invocations(app, r, n);
	fd_invocations_free(r, n);
	return 0;
}

int
cmd_invocations(struct fd_app *app, int argc, char **argv)
{
	struct inv_opts o;
	struct fd_err err = {FD_OK, ""};
	struct fleet f;
	struct targets t;
	int64_t now;
	int rc;

	opts_init(&o, "invocations", DEFAULT_SINCE_S);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.nargs > 1)
		return fd_cmd_usage_of(o.cmd, "one function at most (got %zu)", o.nargs);
	if (fleet_open(app, &f, o.args, o.nargs, 0, &err) != FD_OK)
		return fd_cmd_fail(&err);
	now = fd_wall_now_ms();
	targets_build(&f, o.args, o.nargs, &t);
	if (!app->offline && !o.no_backfill &&
	    backfill(app, &t, now - (int64_t)o.since_s * 1000, now, &err) != FD_OK)
		rc = fd_cmd_fail(&err);
	if (!rc)
		rc = list_invocations(app, &o, &f);
	targets_free(&t);
	fleet_close(&f);
	return rc;
}

/* ---- fleetdeck invocation REQUEST_ID ---- */

int
cmd_invocation(struct fd_app *app, int argc, char **argv)
{
	struct fd_tl_fetch_opts fo;
	struct fd_tl_fetch *f = NULL;
	struct fd_err err = {FD_OK, ""};
	struct inv_opts o;
	int64_t now = fd_wall_now_ms();
	int rc;

	opts_init(&o, "invocation", DEFAULT_SINCE_S);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.nargs != 1)
		return fd_cmd_usage_of(o.cmd, "give one REQUEST_ID");
	if (fd_app_context(app, &err) != FD_OK ||
	    (!app->offline && fd_app_client(app, &err) != FD_OK))
		return fd_cmd_fail(&err);
	memset(&fo, 0, sizeof(fo));
	fo.fetch_lines = fo.fetch_trace = !app->offline;
	fo.fetch_trace &= !o.no_trace;
	fo.from_ms = now - (int64_t)o.since_s * 1000;
	fo.to_ms = now;
	if (fd_tl_fetch_start(app->offline ? NULL : app->client, app->cache, &app->ctx, o.args[0],
			      o.function, &fo, &f, &err) != FD_OK ||
	    fd_tl_fetch_wait(app->offline ? NULL : app->client, f, &err) != FD_OK) {
		fd_tl_fetch_free(f);
		return fd_cmd_fail(&err);
	}
	if (fd_tl_fetch_error(f)[0])
		fprintf(stderr, "fleetdeck: %s\n", fd_tl_fetch_error(f));
	if (app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON)
		invocation_print_json(stdout, fd_tl_fetch_timeline(f, NULL));
	else
		invocation_print_text(stdout, fd_tl_fetch_timeline(f, NULL));
	fd_tl_fetch_free(f);
	return 0;
}

/* ---- fleetdeck coldstarts ---- */

static void
trend_text(const struct fd_coldstart_row *r, int json, struct fd_buf *b)
{
	size_t i;

	fd_buf_reset(b);
	fd_buf_puts(b, json ? "[" : "");
	for (i = 0; i < r->ntrend; i++)
		fd_buf_printf(b, "%s%d", i ? (json ? "," : " ") : "", r->trend[i]);
	fd_buf_puts(b, json ? "]" : "");
}

static void
print_coldstarts(struct fd_app *app, const struct fd_coldstarts *cs)
{
	static const struct fd_col cols[] = {
		{"function", "FUNCTION", FD_COL_STR, 0, 0, 0},
		{"version", "VER", FD_COL_STR, 7, 0, 0},
		{"alias", "ALIAS", FD_COL_STR, 8, 0, 0},
		{"runtime", "RUNTIME", FD_COL_STR, 12, 0, 0},
		{"architecture", "ARCH", FD_COL_STR, 6, 0, 0},
		{"memory_mb", "MEM", FD_COL_INT, 5, 1, 0},
		{"invocations", "INVOC", FD_COL_INT, 7, 1, 0},
		{"cold_starts", "COLD", FD_COL_INT, 6, 1, 0},
		{"cold_pct", "COLD%", FD_COL_NUM, 6, 1, 2},
		{"init_p50_ms", "P50ms", FD_COL_NUM, 7, 1, 0},
		{"init_p90_ms", "P90ms", FD_COL_NUM, 7, 1, 0},
		{"init_p99_ms", "P99ms", FD_COL_NUM, 7, 1, 0},
		{"init_max_ms", "MAXms", FD_COL_NUM, 7, 1, 0},
		{"restore_p50_ms", "RST50", FD_COL_NUM, 6, 1, 0},
		{"restore_p99_ms", "RST99", FD_COL_NUM, 6, 1, 0},
		{"provisioned", "PC", FD_COL_INT, 4, 1, 0},
		{"spillover", "SPILL", FD_COL_INT, 5, 1, 0},
		{"init_gb_s", "GB-s", FD_COL_NUM, 8, 1, 2},
		{"init_cost_usd", "COST $", FD_COL_NUM, 9, 1, 5},
		{"impact", "IMPACT", FD_COL_NUM, 8, 1, 2},
		{"trend", "TREND/5m", FD_COL_RAW_JSON, 0, 0, 0},
	};
	enum fd_output fmt = app->output == FD_OUT_TEXT ? FD_OUT_TABLE : app->output;
	struct fd_out *o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	struct fd_buf trend;
	size_t i;

	fd_buf_init(&trend);
	for (i = 0; i < cs->n; i++) {
		const struct fd_coldstart_row *r = &cs->rows[i];
		struct fd_cell c[FD_ARRAY_LEN(cols)];
		c[0] = fd_cell_str(r->function);
		c[1] = fd_cell_str(r->version[0] ? r->version : NULL);
		c[2] = fd_cell_str(r->alias[0] ? r->alias : NULL);
		c[3] = fd_cell_str(r->runtime[0] ? r->runtime : NULL);
		c[4] = fd_cell_str(r->architecture[0] ? r->architecture : NULL);
		c[5] = fd_cell_int(r->memory_mb, r->memory_mb > 0);
		c[6] = fd_cell_int(r->invocations, 1);
		c[7] = fd_cell_int(r->cold_starts, 1);
		c[8] = fd_cell_num(r->rate * 100.0);
		c[9] = fd_cell_num(r->init_p50);
		c[10] = fd_cell_num(r->init_p90);
		c[11] = fd_cell_num(r->init_p99);
		c[12] = fd_cell_num(r->init_max);
		c[13] = fd_cell_num(r->restore_p50);
		c[14] = fd_cell_num(r->restore_p99);
		c[15] = fd_cell_int(r->provisioned, 1);
		c[16] = fd_cell_int(r->spillover, 1);
		c[17] = fd_cell_num(r->init_gb_s);
		c[18] = fd_cell_num(r->init_cost);
		c[19] = fd_cell_num(r->impact);
		trend_text(r, fmt == FD_OUT_JSON || fmt == FD_OUT_NDJSON, &trend);
		c[20] = fd_cell_str(trend.data ? trend.data : "");
		fd_out_row(o, c);
	}
	fd_out_end(o);
	fd_buf_free(&trend);
}

static void
server_progress(const struct fd_cs_progress *p, void *ud)
{
	struct fd_app *app = ud;

	if (app->verbose)
		fprintf(stderr, "fleetdeck: Logs Insights %u/%u queries, %.0f records, %.1f MB "
			"scanned\n", p->queries_done, p->queries_total, p->records_scanned,
			p->bytes_scanned / 1048576.0);
}

static void
coldstarts_footer(const struct fd_coldstarts *cs)
{
	if (cs->server)
		fprintf(stderr, "fleetdeck: Logs Insights scanned %.0f records, %.1f MB (about "
			"$%.4f at $%.3f/GB); percentiles are Insights' own\n", cs->records_scanned,
			cs->bytes_scanned / 1048576.0,
			fd_cost_insights_usd(cs->bytes_scanned), FD_INSIGHTS_USD_PER_GB);
	else
		fprintf(stderr, "fleetdeck: %lld invocations, %lld cold starts from cached "
			"records; percentiles are nearest-rank\n", cs->invocations, cs->cold_starts);
}

static enum fd_status
compute_coldstarts(struct fd_app *app, const struct inv_opts *o, const struct fleet *f,
		   const struct targets *t, struct fd_coldstarts *cs, struct fd_err *err)
{
	struct fd_coldstart_opts co;
	int64_t now = fd_wall_now_ms();
	enum fd_status st = FD_OK;

	memset(&co, 0, sizeof(co));
	co.to_ms = now;
	co.from_ms = now - (int64_t)o->since_s * 1000;
	co.functions = (const char *const *)o->args;
	co.nfunctions = o->nargs;
	co.price_per_gb_s = o->price;
	if (o->server)
		return fd_coldstarts_server(app->client, t->cs, t->n, &co, f->fns, f->n,
					    server_progress, app, cs, err);
	if (!app->offline && !o->no_backfill)
		st = backfill(app, t, co.from_ms, co.to_ms, err);
	if (st == FD_OK)
		st = fd_coldstarts_local(app->cache, &app->ctx, &co, f->fns, f->n, cs, err);
	return st;
}

int
cmd_coldstarts(struct fd_app *app, int argc, char **argv)
{
	struct inv_opts o;
	struct fd_err err = {FD_OK, ""};
	struct fd_coldstarts cs;
	struct fleet f;
	struct targets t;
	int rc;

	opts_init(&o, "coldstarts", COLDSTART_SINCE_S);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.server && app->offline)
		return fd_cmd_usage_of(o.cmd, "--server asks Logs Insights: it cannot run --offline");
	if (fleet_open(app, &f, o.args, o.nargs, 1, &err) != FD_OK)
		return fd_cmd_fail(&err);
	targets_build(&f, o.args, o.nargs, &t);
	memset(&cs, 0, sizeof(cs));
	if (compute_coldstarts(app, &o, &f, &t, &cs, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
	} else {
		print_coldstarts(app, &cs);
		coldstarts_footer(&cs);
	}
	fd_coldstarts_free(&cs);
	targets_free(&t);
	fleet_close(&f);
	return rc;
}
