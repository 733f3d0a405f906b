/* cmd_traces.c - `fleetdeck traces` (X-Ray trace summaries of a window, filtered by
 * a filter expression and/or a function, newest first) and `fleetdeck trace ID`
 * (one trace as a waterfall, or its segment tree as JSON).
 *
 * traces json / ndjson: {"time","id","duration_ms","response_ms","status","http_status",
 * "method","entry","root_cause","annotations","url"} per trace.
 * trace json: {"id","duration_ms","limit_exceeded","segments":[{"id","parent",
 * "name","origin","namespace","depth","offset_ms","duration_ms","error","fault",
 * "throttle","http_status","http_method","url","cause","annotations","call",
 * "operation","resource","rds_proxy","request_id","sqs_message_id","label"}]}. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/xray.h"

#define DEFAULT_SINCE_S 3600
#define DEFAULT_LIMIT 200
#define TRACK 40

struct tr_opts {
	const char *cmd;
	const char *filter, *function, *id;
	long since_s;
	size_t limit;
};

static int
since_value(struct tr_opts *o, const char *v)
{
	o->since_s = v ? fd_parse_duration(v) : -1;
	if (o->since_s <= 0)
		return fd_cmd_usage_of(o->cmd, "--since takes a duration such as 15m or 1h (got \"%s\")",
			     v ? v : "");
	if (o->since_s > FD_XRAY_MAX_RANGE_S)
		return fd_cmd_usage_of(o->cmd, "--since: X-Ray searches at most 24 hours at once");
	return 0;
}

static int
limit_value(struct tr_opts *o, const char *v)
{
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;

	if (!v || *end || n < 1)
		return fd_cmd_usage_of(o->cmd, "--limit takes a count (got \"%s\")", v ? v : "");
	o->limit = (size_t)n;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct tr_opts *o)
{
	const char *v = NULL;
	int i, rc = 0;

	for (i = 1; i < argc && !rc; i++) {
		if (fd_opt_value(argc, argv, &i, "--since", &v))
			rc = since_value(o, v);
		else if (fd_opt_value(argc, argv, &i, "--limit", &v))
			rc = limit_value(o, v);
		else if (fd_opt_value(argc, argv, &i, "--filter", &v))
			rc = v ? (o->filter = v, 0) : fd_cmd_usage_of(o->cmd, "--filter needs a value");
		else if (fd_opt_value(argc, argv, &i, "--function", &v))
			rc = v ? (o->function = v, 0) : fd_cmd_usage_of(o->cmd, "--function needs a value");
		else if (argv[i][0] == '-' && argv[i][1])
			rc = fd_cmd_usage_of(o->cmd, "unknown option \"%s\"", argv[i]);
		else if (!o->id)
			o->id = argv[i];
		else
			rc = fd_cmd_usage_of(o->cmd, "unexpected argument \"%s\"", argv[i]);
	}
	return rc;
}

static enum fd_status
client(struct fd_app *app, struct fd_err *err)
{
	if (app->offline)
		return fd_err_set(err, FD_EINVAL, "X-Ray traces are not cached: drop --offline");
	return fd_app_client(app, err);
}

/* ---- fleetdeck traces ---- */

static const char *
summary_status(const struct fd_trace_summary *s)
{
	return s->fault ? "fault" : s->throttle ? "throttle" : s->error ? "error" : "ok";
}

static void
print_summaries(struct fd_app *app, const struct fd_trace_summary *s, size_t n)
{
	static const struct fd_col cols[] = {
		{"time", "TIME", FD_COL_STR, 24, 0, 0},
		{"id", "TRACE", FD_COL_STR, 35, 0, 0},
		{"duration_ms", "DUR ms", FD_COL_NUM, 9, 1, 1},
		{"response_ms", "RESP ms", FD_COL_NUM, 9, 1, 1},
		{"status", "STATUS", FD_COL_STR, 8, 0, 0},
		{"http_status", "HTTP", FD_COL_INT, 4, 1, 0},
		{"method", "METHOD", FD_COL_STR, 6, 0, 0},
		{"entry", "ENTRY", FD_COL_STR, 0, 0, 0},
		{"root_cause", "ROOT CAUSE", FD_COL_STR, 0, 0, 0},
		{"annotations", "ANNOTATIONS", FD_COL_STR, 0, 0, 0},
		{"url", "URL", FD_COL_STR, 0, 0, 0},
	};
	struct fd_out *o = fd_out_begin(stdout, app->output == FD_OUT_TEXT ? FD_OUT_TABLE
									   : app->output,
					cols, FD_ARRAY_LEN(cols));
	char when[40], iso[21];
	size_t i;

	for (i = 0; i < n; i++) {
		struct fd_cell c[FD_ARRAY_LEN(cols)];
		double ms = isnan(s[i].start_s) ? 0 : floor(s[i].start_s * 1000.0);
		fd_format_iso8601((time_t)(ms / 1000), iso);
		snprintf(when, sizeof(when), "%.19s.%03dZ", iso, (int)fmod(ms, 1000.0));
		c[0] = fd_cell_str(ms > 0 ? when : NULL);
		c[1] = fd_cell_str(s[i].id);
		c[2] = fd_cell_num(s[i].duration_s * 1000.0);
		c[3] = fd_cell_num(s[i].response_s * 1000.0);
		c[4] = fd_cell_str(summary_status(&s[i]));
		c[5] = fd_cell_int(s[i].http_status, s[i].http_status > 0);
		c[6] = fd_cell_str(s[i].method[0] ? s[i].method : NULL);
		c[7] = fd_cell_str(s[i].entry);
		c[8] = fd_cell_str(s[i].root_cause);
		c[9] = fd_cell_str(s[i].annotations);
		c[10] = fd_cell_str(s[i].url);
		fd_out_row(o, c);
	}
	fd_out_end(o);
}

/* An "or" in the filter: it needs parentheses to be and-ed with service(). */
static int
has_or(const char *f)
{
	const char *p;

	if (strstr(f, "||"))
		return 1;
	for (p = f; *p; p++)
		if ((p == f || p[-1] == ' ' || p[-1] == ')') && (p[0] == 'o' || p[0] == 'O') &&
		    (p[1] == 'r' || p[1] == 'R') && (p[2] == ' ' || p[2] == '('))
			return 1;
	return 0;
}

/* --function NAME adds service("NAME") to the filter expression. */
static char *
filter_expr(const struct tr_opts *o)
{
	if (o->function && o->filter)
		return fd_xasprintf(has_or(o->filter) ? "service(\"%s\") and (%s)"
						      : "service(\"%s\") and %s",
				    o->function, o->filter);
	if (o->function)
		return fd_xasprintf("service(\"%s\")", o->function);
	return o->filter ? fd_xstrdup(o->filter) : NULL;
}

int
cmd_traces(struct fd_app *app, int argc, char **argv)
{
	struct tr_opts o = {"traces", NULL, NULL, NULL, DEFAULT_SINCE_S, DEFAULT_LIMIT};
	struct xray_summaries_query q;
	struct fd_trace_summary *s = NULL;
	struct fd_err err = {FD_OK, ""};
	struct aws_error e;
	double now = (double)fd_wall_now_ms() / 1000.0;
	char *expr;
	size_t n = 0;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.id && !o.function)
		o.function = o.id; /* `traces FN` */
	else if (o.id)
		return fd_cmd_usage_of(o.cmd, "unexpected argument \"%s\"", o.id);
	if (client(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	expr = filter_expr(&o);
	memset(&q, 0, sizeof(q));
	q.start_s = now - (double)o.since_s;
	q.end_s = now;
	q.filter = expr;
	q.max_traces = o.limit;
	if (xray_get_trace_summaries_sync(app->client, &q, &s, &n, &e) != FD_OK) {
		aws_error_format(&e, err.msg, sizeof(err.msg));
		err.status = e.status;
		free(expr);
		return fd_cmd_fail(&err);
	}
	print_summaries(app, s, n);
	fd_trace_summaries_free(s, n);
	free(expr);
	return 0;
}

/* ---- fleetdeck trace ID ---- */

static void
json_key_str(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":", key);
	if (v && *v)
		fd_json_put_string(out, v);
	else
		fputs("null", out);
}

static void
json_key_num(FILE *out, const char *key, double v)
{
	fprintf(out, ",\"%s\":", key);
	if (isnan(v))
		fputs("null", out);
	else
		fprintf(out, "%.6f", v);
}

static const char *
call_name(enum fd_xcall c)
{
	static const char *const names[] = {"none", "aws", "http", "sql"};

	return (unsigned)c < FD_ARRAY_LEN(names) ? names[c] : "none";
}

static void
json_segment(FILE *out, const struct fd_trace *t, const struct fd_wf_row *r)
{
	const struct fd_xseg *s = &t->segs[r->seg];

	fputs("{\"id\":", out);
	fd_json_put_string(out, s->id);
	fprintf(out, ",\"parent\":%d", s->parent);
	json_key_str(out, "name", s->name);
	json_key_str(out, "origin", s->origin);
	json_key_str(out, "namespace", s->ns);
	fprintf(out, ",\"depth\":%d", s->depth);
	json_key_num(out, "offset_ms", r->offset_ms);
	json_key_num(out, "duration_ms", r->duration_ms);
	fprintf(out, ",\"error\":%s,\"fault\":%s,\"throttle\":%s", s->error ? "true" : "false",
		s->fault ? "true" : "false", s->throttle ? "true" : "false");
	if (s->http_status)
		fprintf(out, ",\"http_status\":%d", s->http_status);
	else
		fputs(",\"http_status\":null", out);
	json_key_str(out, "http_method", s->http_method);
	json_key_str(out, "url", s->http_url);
	json_key_str(out, "cause", s->cause);
	json_key_str(out, "annotations", s->annotations);
	json_key_str(out, "call", call_name(s->call));
	json_key_str(out, "operation", s->aws_operation);
	json_key_str(out, "resource", s->resource);
	fprintf(out, ",\"rds_proxy\":%s", s->rds_proxy ? "true" : "false");
	json_key_str(out, "request_id", s->request_id);
	json_key_str(out, "sqs_message_id", s->sqs_message_id);
	json_key_str(out, "label", r->label);
	fputc('}', out);
}

static void
print_trace_json(FILE *out, const struct fd_trace *t, const struct fd_wf_row *rows, size_t n)
{
	size_t i;

	fputs("{\"id\":", out);
	fd_json_put_string(out, t->id);
	json_key_num(out, "duration_ms", t->duration_s * 1000.0);
	fprintf(out, ",\"limit_exceeded\":%s,\"segments\":[", t->limit_exceeded ? "true" : "false");
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_segment(out, t, &rows[i]);
	}
	fputs("]}\n", out);
}

static void
print_trace_text(FILE *out, const struct fd_trace *t, const struct fd_wf_row *rows, size_t n,
		 double total)
{
	size_t i;
	int col, len;

	fprintf(out, "trace %s  %.1f ms  %zu segments%s\n", t->id, total, t->n,
		t->limit_exceeded ? "  (incomplete: X-Ray's size limit)" : "");
	for (i = 0; i < n; i++) {
		const struct fd_xseg *s = &t->segs[rows[i].seg];
		fd_wf_bar(&rows[i], total, TRACK, &col, &len);
		fprintf(out, "%9.1f %9.1f ", rows[i].offset_ms, rows[i].duration_ms);
		fd_put_track(out, col, len, TRACK);
		fprintf(out, " %s%*s", s->fault ? "F" : s->throttle ? "T" : s->error ? "E" : " ",
			rows[i].depth * 2 + 1, "");
		fd_put_sanitized(out, rows[i].label);
		if (s->cause) {
			fputs("  -- ", out);
			fd_put_sanitized(out, s->cause);
		}
		if (s->annotations) {
			fputs("  [", out);
			fd_put_sanitized(out, s->annotations);
			fputc(']', out);
		}
		fputc('\n', out);
	}
}

int
cmd_trace(struct fd_app *app, int argc, char **argv)
{
	struct tr_opts o = {"trace", NULL, NULL, NULL, DEFAULT_SINCE_S, DEFAULT_LIMIT};
	struct fd_err err = {FD_OK, ""};
	struct fd_trace *t = NULL;
	struct fd_wf_row *rows;
	struct aws_error e;
	size_t n = 0, nr;
	double total;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (!o.id)
		return fd_cmd_usage_of(o.cmd, "give one TRACE_ID");
	if (client(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (xray_batch_get_traces_sync(app->client, &o.id, 1, &t, &n, &e) != FD_OK) {
		aws_error_format(&e, err.msg, sizeof(err.msg));
		err.status = e.status;
		return fd_cmd_fail(&err);
	}
	if (!n) {
		fd_err_set(&err, FD_ENOTFOUND, "trace %s not found (X-Ray keeps traces 30 days)",
			   o.id);
		return fd_cmd_fail(&err);
	}
	rows = fd_xcalloc(t[0].n + 1, sizeof(*rows));
	nr = fd_trace_waterfall(&t[0], rows, t[0].n, &total);
	if (app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON)
		print_trace_json(stdout, &t[0], rows, nr);
	else
		print_trace_text(stdout, &t[0], rows, nr, total);
	free(rows);
	fd_traces_free(t, n);
	return 0;
}
