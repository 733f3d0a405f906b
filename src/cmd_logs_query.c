/* cmd_logs_query.c - `fleetdeck logs query`: Logs Insights over many groups. Groups
 * are split into parts of 50 (StartQuery's limit), every part started at once and
 * polled with GetQueryResults until done, with progress on stderr (records matched
 * and scanned, bytes scanned and what that costs at $0.005 per GB). SIGINT stops the
 * running parts with StopQuery and prints what arrived. Parts are merged: `stats`
 * results are re-aggregated by their group-by columns when every aggregate is
 * additive (count, sum, min, max); then the query's sort and limit apply again.
 * Named queries (--builtin, --saved, --list) come from logs_saved.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/logs.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "cmd_logs_int.h"

#define DEFAULT_QUERY_SINCE_S 86400
#define POLL_MS 1000
#define MAX_COLUMNS 64

struct qpart {
	const char **groups;
	size_t n;
	char *id;
	int done;
	struct logs_query_result res;
};

struct qopts {
	long since_s;
	const char *query;
	int limit;
	char **targets;
	size_t ntargets;
	int functions; /* targets are function names */
	const char *saved; /* --saved NAME */
	int list;          /* --list */
};

#define usage(...) fd_cmd_usage_of("logs", __VA_ARGS__)

static void
split_list(const char *v, struct qopts *o)
{
	char *copy = fd_xstrdup(v), *save = NULL, *p;

	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		o->targets = fd_xreallocarray(o->targets, o->ntargets + 1, sizeof(*o->targets));
		o->targets[o->ntargets++] = fd_xstrdup(fd_str_trim(p));
	}
	free(copy);
}

static int
builtin_query(const char *name, const char **out)
{
	*out = logs_builtin_query(name);
	if (*out)
		return 0;
	return usage("--builtin takes errors-by-function, timeouts, top-errors or cold-starts "
	             "(got \"%s\")",
	             name);
}

static int
query_opt(struct qopts *o, const char *name, const char *v)
{
	if (!v)
		return usage("%s needs a value", name);
	if (strcmp(name, "--since") == 0) {
		o->since_s = fd_parse_duration(v);
		return o->since_s > 0 ? 0 : usage("--since takes a duration such as 1h or 24h");
	}
	if (strcmp(name, "--limit") == 0) {
		o->limit = atoi(v);
		return o->limit > 0 ? 0 : usage("--limit takes a positive number");
	}
	if (strcmp(name, "--builtin") == 0)
		return builtin_query(v, &o->query);
	if (strcmp(name, "--saved") == 0) {
		o->saved = v;
		return 0;
	}
	o->functions = strcmp(name, "--functions") == 0;
	split_list(v, o);
	return 0;
}

static int query_check(const struct qopts *o);

static int
query_parse(int argc, char **argv, struct qopts *o)
{
	static const char *const valued[] = {"--groups", "--functions", "--since", "--limit",
	                                     "--builtin", "--saved"};
	int i, hit, rc;
	size_t k;

	for (i = 2; i < argc; i++) {
		for (k = 0, hit = 0; k < FD_ARRAY_LEN(valued) && !hit; k++) {
			const char *v = NULL;
			hit = fd_opt_value(argc, argv, &i, valued[k], &v);
			if (hit && (rc = query_opt(o, valued[k], v)) != 0)
				return rc;
		}
		if (hit)
			continue;
		if (strcmp(argv[i], "--list") == 0)
			o->list = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return usage("unknown option \"%s\"", argv[i]);
		else if (o->query)
			return usage("one query only (quote it)");
		else
			o->query = argv[i];
	}
	return query_check(o);
}

static int
query_check(const struct qopts *o)
{
	if (o->list)
		return 0;
	if (o->saved && o->query)
		return usage("one query only: a query string, --builtin or --saved");
	if (!o->ntargets)
		return usage("logs query needs --groups G,... or --functions F,...");
	if (!o->saved && (!o->query || !*o->query))
		return usage("logs query needs a query string, --builtin NAME or --saved NAME");
	return 0;
}

/* ---- running ---- */

static int
call(struct aws_client *c, struct aws_request *r, struct aws_response *resp, struct fd_err *err)
{
	if (aws_call_sync(c, r, resp) == FD_OK)
		return 0;
	aws_error_format(&resp->error, err->msg, sizeof(err->msg));
	err->status = resp->error.status;
	aws_response_free(resp);
	return -1;
}

static int
start_part(struct aws_client *c, const struct qopts *o, int64_t now_s, struct qpart *p,
           struct fd_err *err)
{
	struct logs_query_req q = {p->groups, p->n, now_s - o->since_s, now_s, o->query, o->limit};
	struct aws_response resp;
	struct aws_request r;
	enum fd_status st;

	logs_start_query_request(&r, &q);
	if (call(c, &r, &resp, err) != 0)
		return -1;
	st = logs_parse_start_query(resp.body.data, resp.body.len, &p->id, err);
	aws_response_free(&resp);
	return st == FD_OK ? 0 : -1;
}

static int
poll_part(struct aws_client *c, struct qpart *p, struct fd_err *err)
{
	struct aws_response resp;
	struct aws_request r;
	enum fd_status st;

	logs_get_query_results_request(&r, p->id);
	if (call(c, &r, &resp, err) != 0)
		return -1;
	logs_query_result_free(&p->res);
	st = logs_parse_query_results(resp.body.data, resp.body.len, &p->res, err);
	aws_response_free(&resp);
	if (st != FD_OK)
		return -1;
	p->done = logs_query_done(p->res.status);
	return 0;
}

static void
stop_parts(struct aws_client *c, struct qpart *parts, size_t n)
{
	struct aws_response resp;
	struct aws_request r;
	size_t i;

	for (i = 0; i < n; i++) {
		if (parts[i].done || !parts[i].id)
			continue;
		logs_stop_query_request(&r, parts[i].id);
		aws_call_sync(c, &r, &resp);
		aws_response_free(&resp);
		fd_strlcpy(parts[i].res.status, "Cancelled", sizeof(parts[i].res.status));
		parts[i].done = 1;
	}
}

static void
progress(const struct qpart *parts, size_t n, int final)
{
	double matched = 0, scanned = 0, bytes = 0;
	size_t i, done = 0;
	const char *status = "Complete";

	for (i = 0; i < n; i++) {
		matched += parts[i].res.matched;
		scanned += parts[i].res.scanned;
		bytes += parts[i].res.bytes;
		done += (size_t)parts[i].done;
		if (!parts[i].done || strcmp(parts[i].res.status, "Complete") != 0)
			status = parts[i].done ? parts[i].res.status : "Running";
	}
	fprintf(stderr,
	        "%squery: %s, %zu/%zu part%s done, %.0f records matched, %.0f scanned, "
	        "%.1f MB scanned (~$%.5f)%s",
	        isatty(2) ? "\r" : "", status, done, n, n == 1 ? "" : "s", matched, scanned,
	        bytes / 1e6, fd_cost_insights_usd(bytes),
	        isatty(2) && !final ? "" : "\n");
}

static int
run_parts(struct aws_client *c, const struct qopts *o, struct qpart *parts, size_t n,
          struct fd_err *err)
{
	int64_t now_s = fd_wall_now_ms() / 1000;
	size_t i, left = n;

	for (i = 0; i < n && !logs_stop_requested(); i++)
		if (start_part(c, o, now_s, &parts[i], err) != 0)
			return -1;
	while (left && !logs_stop_requested()) {
		for (i = 0, left = 0; i < n; i++) {
			if (!parts[i].done && poll_part(c, &parts[i], err) != 0)
				return -1;
			left += !parts[i].done;
		}
		progress(parts, n, !left);
		if (left)
			aws_client_wait(c, NULL, 0, POLL_MS);
	}
	if (left) {
		stop_parts(c, parts, n);
		fprintf(stderr, "\nfleetdeck: query stopped (StopQuery sent); partial results\n");
	}
	return 0;
}

/* ---- output ---- */

static void
print_rows(struct fd_app *app, const struct logs_query_row *rows, size_t n)
{
	struct fd_col cols[MAX_COLUMNS];
	struct fd_cell cells[MAX_COLUMNS];
	const char *names[MAX_COLUMNS];
	size_t ncols = 0, i, j, k;
	enum fd_output fmt = app->output == FD_OUT_TEXT ? FD_OUT_TABLE : app->output;
	struct fd_out *out;

	for (i = 0; i < n; i++)
		for (j = 0; j < rows[i].n && ncols < MAX_COLUMNS; j++) {
			for (k = 0; k < ncols && strcmp(names[k], rows[i].f[j].field); k++)
				;
			if (k == ncols && strcmp(rows[i].f[j].field, "@ptr") != 0)
				names[ncols++] = rows[i].f[j].field;
		}
	for (k = 0; k < ncols; k++)
		cols[k] = (struct fd_col){names[k], names[k], FD_COL_STR, 0, 0, 0};
	out = fd_out_begin(stdout, fmt, cols, ncols);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ncols; k++) {
			cells[k] = fd_cell_str(NULL);
			for (j = 0; j < rows[i].n; j++)
				if (strcmp(rows[i].f[j].field, names[k]) == 0)
					cells[k] = fd_cell_str(rows[i].f[j].value);
		}
		fd_out_row(out, cells);
	}
	fd_out_end(out);
}

static int
query_groups(struct fd_app *app, struct qopts *o, const char ***groups)
{
	struct fd_follow_source *src = fd_xcalloc(o->ntargets, sizeof(*src));
	int have_ctx;
	size_t i;

	if (o->functions) {
		logs_resolve(app, o->targets, o->ntargets, src, &have_ctx);
	} else {
		for (i = 0; i < o->ntargets; i++)
			src[i].group = fd_xstrdup(o->targets[i]);
	}
	*groups = fd_xcalloc(o->ntargets, sizeof(**groups));
	for (i = 0; i < o->ntargets; i++)
		(*groups)[i] = src[i].group;
	free(src);
	return (int)o->ntargets;
}

static void
query_run(struct fd_app *app, struct qopts *o, int *rc)
{
	struct fd_err err = {FD_OK, ""};
	struct logs_query_result merged;
	const char **groups = NULL;
	int additive;
	size_t n = (size_t)query_groups(app, o, &groups), np, i;
	struct qpart *parts;

	np = (n + LOGS_QUERY_MAX_GROUPS - 1) / LOGS_QUERY_MAX_GROUPS;
	parts = fd_xcalloc(np, sizeof(*parts));
	for (i = 0; i < np; i++) {
		parts[i].groups = groups + i * LOGS_QUERY_MAX_GROUPS;
		parts[i].n = FD_MIN(LOGS_QUERY_MAX_GROUPS, n - i * LOGS_QUERY_MAX_GROUPS);
	}
	logs_signals(app->client, 1);
	if (run_parts(app->client, o, parts, np, &err) != 0) {
		*rc = fd_cmd_fail(&err);
	} else {
		struct logs_query_result *res = fd_xcalloc(np, sizeof(*res));
		for (i = 0; i < np; i++)
			res[i] = parts[i].res;
		logs_query_merge(o->query, res, np, &merged, &additive);
		if (np > 1 && !additive)
			fprintf(stderr,
			        "fleetdeck: the query ran in %zu parts of %d groups; its "
			        "stats are not additive, so rows are per part\n",
			        np, LOGS_QUERY_MAX_GROUPS);
		print_rows(app, merged.rows, merged.nrows);
		logs_query_result_free(&merged);
		free(res);
		*rc = logs_stop_requested() ? 130 : 0;
	}
	logs_signals(app->client, 0);
	for (i = 0; i < np; i++) {
		/* the statistics of the last answer: final once the part is done */
		fd_spend_record(FD_SPEND_INSIGHTS_BYTES, parts[i].res.bytes);
		logs_query_result_free(&parts[i].res);
		free(parts[i].id);
	}
	for (i = 0; i < n; i++)
		free((char *)groups[i]);
	free(groups);
	free(parts);
}

/* --list prints the named queries (*done set); --saved NAME picks one as o->query. */
static int
named_queries(struct fd_app *app, struct qopts *o, struct logs_queries *qs, int *done)
{
	struct fd_err err = {FD_OK, ""};
	char *path = fd_keymap_default_path(), *safe;
	struct fd_buf names;
	enum fd_status st = logs_queries_load(path, qs, &err);
	int rc = 0;

	free(path);
	if (st != FD_OK)
		return fd_cmd_fail(&err);
	if (o->list) {
		logs_queries_print(qs, app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TEXT
		                           ? FD_OUT_TABLE
		                           : app->output);
		*done = 1;
		return 0;
	}
	o->query = logs_queries_find(qs, o->saved);
	if (!o->query) {
		fd_buf_init(&names);
		logs_queries_names(qs, &names);
		safe = fd_sanitize_dup(o->saved);
		rc = usage("no query named \"%s\" (known: %s)", safe, names.data);
		free(safe);
		fd_buf_free(&names);
	} else if (!*o->query) {
		rc = usage("saved query \"%s\" is empty", o->saved);
	}
	return rc;
}

int
cmd_logs_query(struct fd_app *app, int argc, char **argv)
{
	struct qopts o;
	struct logs_queries qs;
	struct fd_err err = {FD_OK, ""};
	int rc, done = 0;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&qs, 0, sizeof(qs));
	o.since_s = DEFAULT_QUERY_SINCE_S;
	rc = query_parse(argc, argv, &o);
	if (rc == 0 && (o.list || o.saved))
		rc = named_queries(app, &o, &qs, &done);
	if (done)
		goto out;
	if (rc == 0 && app->output != FD_OUT_DEFAULT && app->output != FD_OUT_TABLE &&
	    app->output != FD_OUT_TEXT && app->output != FD_OUT_JSON && app->output != FD_OUT_CSV &&
	    app->output != FD_OUT_NDJSON)
		rc = usage("logs query: --output takes table, json, ndjson or csv");
	if (rc == 0 && fd_app_client(app, &err) != FD_OK)
		rc = fd_cmd_fail(&err);
	if (rc == 0)
		query_run(app, &o, &rc);
out:
	logs_queries_free(&qs);
	for (i = 0; i < o.ntargets; i++)
		free(o.targets[i]);
	free(o.targets);
	return rc;
}
