/* traces.c - X-Ray traces of a function (or every traced function) over a window,
 * newest first: time, duration, fault/error/throttle, HTTP status, root cause; E
 * cycles a fault / error / throttle filter, w the window (X-Ray searches 24 h at
 * most). For a function, the services it calls come from the service graph. Enter
 * opens a trace: its segments and subsegments as a waterfall with downstream calls
 * (DynamoDB, HTTP, SQL through RDS Proxy), causes and annotations. Everything is
 * fetched in the background; `:traces @FILE` reads a saved answer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/view.h"
#include "fleetdeck/xray.h"

#define LABEL_W 44
#define TAIL_W 12
#define MAX_TRACES 500
#define NEIGHBOURS 8

static const int windows_s[] = {900, 3600, 10800, 86400};
static const char *const filters[] = {NULL, "fault", "error", "throttle"};

struct trview {
	char function[128], trace_id[64], file[256];
	struct fd_text text;
	struct fd_trace_summary *sum;
	size_t nsum;
	struct fd_trace *trace;    /* waterfall mode */
	struct fd_xgraph graph;
	uint64_t call, graph_call;
	int busy, graph_busy, dirty, filter_i, window_i, built_w;
	char error[256];
};

static void
parse_arg(struct trview *tv, const char *arg)
{
	char copy[600], *save = NULL, *tok;

	fd_strlcpy(copy, arg, sizeof(copy));
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '@')
			fd_strlcpy(tv->file, tok + 1, sizeof(tv->file));
		else if (strncmp(tok, "trace:", 6) == 0)
			fd_strlcpy(tv->trace_id, tok + 6, sizeof(tv->trace_id));
		else
			fd_strlcpy(tv->function, tok, sizeof(tv->function));
	}
}

static void
clock_text(double s, char *out, size_t n)
{
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)fmod(s * 1000.0, 1000.0));
}

/* ---- fetching ---- */

static void
on_page(struct fd_trace_summary *s, size_t n, void *ud)
{
	struct trview *tv = ud;

	tv->sum = fd_xreallocarray(tv->sum, tv->nsum + n + 1, sizeof(*tv->sum));
	if (n)
		memcpy(tv->sum + tv->nsum, s, n * sizeof(*s));
	tv->nsum += n;
	free(s);
	tv->dirty = 1;
}

static void
on_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct trview *tv = ud;

	tv->busy = 0;
	tv->dirty = 1;
	if (st != FD_OK && e)
		aws_error_format(e, tv->error, sizeof(tv->error));
	else if (st != FD_OK)
		fd_strlcpy(tv->error, fd_status_str(st), sizeof(tv->error));
}

static void
on_trace(struct fd_trace *t, void *ud)
{
	struct trview *tv = ud;

	if (tv->trace) {
		fd_trace_free(t);
		free(t);
		return;
	}
	tv->trace = t;
	tv->dirty = 1;
}

static void
on_graph(enum fd_status st, const struct aws_error *e, struct fd_xgraph *g, void *ud)
{
	struct trview *tv = ud;

	(void)e;
	tv->graph_busy = 0;
	if (st == FD_OK) {
		tv->graph = *g;
		memset(g, 0, sizeof(*g));
	}
	tv->dirty = 1;
}

static void
cancel(struct fd_view *v, struct trview *tv)
{
	struct aws_client *c = fd_ui_app(v->ui)->client;

	if (tv->busy && c)
		aws_call_cancel(c, tv->call);
	if (tv->graph_busy && c)
		aws_call_cancel(c, tv->graph_call);
	tv->busy = tv->graph_busy = 0;
}

static char *
filter_expr(const struct trview *tv)
{
	const char *f = filters[tv->filter_i];

	if (tv->function[0])
		return f ? fd_xasprintf("service(\"%s\") and %s", tv->function, f)
			 : fd_xasprintf("service(\"%s\")", tv->function);
	return f ? fd_xstrdup(f) : NULL;
}

static void
fetch(struct fd_view *v, struct trview *tv)
{
	struct aws_client *c = fd_ui_app(v->ui)->client;
	double now = (double)fd_wall_now_ms() / 1000.0;

	cancel(v, tv);
	fd_trace_summaries_free(tv->sum, tv->nsum);
	tv->sum = NULL;
	tv->nsum = 0;
	tv->error[0] = '\0';
	tv->dirty = 1;
	if (!c) {
		fd_strlcpy(tv->error, "offline: X-Ray traces are not cached", sizeof(tv->error));
		return;
	}
	tv->busy = 1;
	if (tv->trace_id[0]) {
		const char *ids[1] = {tv->trace_id};
		struct xray_traces_cb cb = {on_trace, on_done, tv};
		tv->call = xray_batch_get_traces(c, ids, 1, &cb);
	} else {
		struct xray_summaries_cb cb = {on_page, on_done, tv};
		struct xray_summaries_query q = {now - windows_s[tv->window_i], now, NULL, 0,
						 MAX_TRACES};
		char *expr = filter_expr(tv);
		q.filter = expr;
		tv->call = xray_get_trace_summaries(c, &q, &cb);
		free(expr);
	}
	if (tv->function[0] && !tv->trace_id[0] && !tv->graph.n && !tv->graph_busy) {
		struct xray_graph_cb gcb = {on_graph, tv};
		tv->graph_busy = 1;
		tv->graph_call = xray_get_service_graph(c, now - 3600, now, &gcb);
	}
}

static void
load_file(struct fd_view *v, struct trview *tv)
{
	struct fd_trace *t = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t nt = 0, i;

	if (xray_read_file(tv->file, &tv->sum, &tv->nsum, &t, &nt, &err) != FD_OK) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		return;
	}
	for (i = 0; i < nt; i++) {
		if (tv->trace_id[0] && !tv->trace && strcmp(t[i].id, tv->trace_id) == 0) {
			tv->trace = fd_xmalloc(sizeof(*tv->trace));
			*tv->trace = t[i];
			memset(&t[i], 0, sizeof(t[i]));
		}
	}
	fd_traces_free(t, nt);
	tv->dirty = 1;
}

/* ---- drawing ---- */

static const char *
status_of(const struct fd_trace_summary *s)
{
	return s->fault ? "fault" : s->throttle ? "throttle" : s->error ? "error" : "ok";
}

static void
neighbours(struct trview *tv, struct fd_text *t)
{
	const struct fd_xservice *nb[NEIGHBOURS];
	size_t n = fd_xgraph_neighbours(&tv->graph, tv->function, nb, NEIGHBOURS), i;

	if (!n)
		return;
	fd_text_newline(t);
	fd_text_put(t, FD_ROLE_LABEL, "  calls ");
	for (i = 0; i < n; i++)
		fd_text_printf(t, nb[i]->faults ? FD_ROLE_ERROR : FD_ROLE_NORMAL, "%s%s (%s, %lld)",
			       i ? ", " : "", nb[i]->name, nb[i]->type, nb[i]->total);
}

static void
build_list(struct trview *tv)
{
	struct fd_text *t = &tv->text;
	char when[20];
	size_t i;

	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  X-Ray traces%s%s", tv->function[0] ? " of " : "",
		       tv->function);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %zu%s", tv->nsum, tv->busy ? "..." : "");
	fd_text_printf(t, FD_ROLE_DIM, "  filter %s%s", filters[tv->filter_i] ? filters[tv->filter_i]
									     : "none",
		       tv->file[0] ? "" : "  (E filter, w window, r refresh)");
	neighbours(tv, t);
	if (tv->error[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  %s", tv->error);
	}
	fd_text_newline(t);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_HEADER, "  %-13s %-36s %9s %-8s %4s  %-20s %s", "TIME", "TRACE",
		       "DUR ms", "STATUS", "HTTP", "ENTRY", "ROOT CAUSE");
	for (i = 0; i < tv->nsum; i++) {
		const struct fd_trace_summary *s = &tv->sum[i];
		clock_text(s->start_s, when, sizeof(when));
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_NORMAL, "  %-13s %-36s %9.1f ", when, s->id,
			       s->duration_s * 1000.0);
		fd_text_printf(t, s->fault || s->error ? FD_ROLE_ERROR : s->throttle ? FD_ROLE_WARNING
										     : FD_ROLE_OK,
			       "%-8s", status_of(s));
		fd_text_printf(t, FD_ROLE_NORMAL, " %4d  %-20.20s %s", s->http_status,
			       s->entry ? s->entry : "-", s->root_cause ? s->root_cause : "");
		fd_text_link(t, s->id);
	}
	if (tv->nsum && !fd_text_selected_link(t))
		fd_text_select_link(t, tv->sum[0].id);
}

static void
bar(struct fd_text *t, enum fd_role role, const struct fd_wf_row *r, double total, int track)
{
	double cells[512];
	struct fd_buf b;
	int col, len, i;

	track = FD_MIN(track, 512);
	fd_wf_bar(r, total, track, &col, &len);
	for (i = 0; i < track; i++)
		cells[i] = i >= col && i < col + len ? 1.0 : NAN;
	fd_buf_init(&b);
	fd_spark(cells, (size_t)track, 1.0, &b);
	fd_text_put(t, role, b.data ? b.data : "");
	fd_buf_free(&b);
}

static void
segment_row(struct fd_text *t, const struct fd_trace *tr, const struct fd_wf_row *r,
	    double total, int track)
{
	const struct fd_xseg *s = &tr->segs[r->seg];
	enum fd_role role = r->fault ? FD_ROLE_ERROR : r->throttle || r->error ? FD_ROLE_WARNING
									     : FD_ROLE_CHART;
	char label[220];

	snprintf(label, sizeof(label), "%*s%s", r->depth * 2, "", r->label);
	fd_text_newline(t);
	fd_text_printf(t, role == FD_ROLE_CHART ? FD_ROLE_NORMAL : role, "  %-*.*s", LABEL_W - 2,
		       LABEL_W - 3, label);
	bar(t, role, r, total, track);
	fd_text_printf(t, FD_ROLE_NORMAL, " %8.1f ms", r->duration_ms);
	if (s->cause) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  %*s  cause: %s", r->depth * 2, "", s->cause);
	}
	if (s->annotations) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "  %*s  annotations: %s", r->depth * 2, "",
			       s->annotations);
	}
}

static void
build_trace(struct trview *tv, int w)
{
	struct fd_text *t = &tv->text;
	struct fd_wf_row *rows;
	double total;
	size_t n, i;

	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  trace %s", tv->trace_id);
	if (!tv->trace) {
		fd_text_newline(t);
		fd_text_printf(t, tv->error[0] ? FD_ROLE_ERROR : FD_ROLE_DIM, "  %s",
			       tv->error[0] ? tv->error : tv->busy ? "fetching..." : "not found");
		return;
	}
	rows = fd_xcalloc(tv->trace->n + 1, sizeof(*rows));
	n = fd_trace_waterfall(tv->trace, rows, tv->trace->n, &total);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %.1f ms, %zu segments%s", total, tv->trace->n,
		       tv->trace->limit_exceeded ? " (incomplete)" : "");
	if (fd_trace_request_id(tv->trace))
		fd_text_printf(t, FD_ROLE_DIM, "  request %s", fd_trace_request_id(tv->trace));
	fd_text_newline(t);
	for (i = 0; i < n; i++)
		segment_row(t, tv->trace, &rows[i], total, FD_MAX(8, w - LABEL_W - TAIL_W));
	free(rows);
}

static void
tr_open(struct fd_view *v, const char *arg)
{
	struct trview *tv = v->priv;

	parse_arg(tv, arg);
	tv->window_i = 1;
	if (tv->trace_id[0])
		snprintf(v->title, sizeof(v->title), "trace %.14s", tv->trace_id);
	else
		snprintf(v->title, sizeof(v->title), "traces%s%.60s", tv->function[0] ? " " : "",
			 tv->function);
	if (tv->file[0])
		load_file(v, tv);
	else
		fetch(v, tv);
	tv->built_w = -1;
}

static void
tr_close(struct fd_view *v)
{
	struct trview *tv = v->priv;

	cancel(v, tv);
	fd_trace_summaries_free(tv->sum, tv->nsum);
	if (tv->trace) {
		fd_trace_free(tv->trace);
		free(tv->trace);
	}
	fd_xgraph_free(&tv->graph);
	fd_text_free(&tv->text);
}

/* Answers arrive between paints: rebuild before drawing, and before a key acts on
 * the rows (w < 0: the last width). */
static void
sync_text(struct trview *tv, int w)
{
	if (w < 0)
		w = tv->built_w > 0 ? tv->built_w : 120;
	if (!tv->dirty && w == tv->built_w)
		return;
	tv->dirty = 0;
	tv->built_w = w;
	fd_text_clear(&tv->text);
	if (tv->trace_id[0])
		build_trace(tv, w);
	else
		build_list(tv);
}

static void
tr_draw(struct fd_view *v, struct fd_rect r)
{
	struct trview *tv = v->priv;

	sync_text(tv, r.w);
	fd_text_draw(&tv->text, r);
}

static int
tr_request(struct fd_view *v, enum fd_request req)
{
	struct trview *tv = v->priv;
	const char *link;
	char arg[400];

	sync_text(tv, -1);
	link = fd_text_selected_link(&tv->text);
	switch (req) {
	case FD_REQ_ENTER:
		if (link && !tv->trace_id[0]) {
			snprintf(arg, sizeof(arg), "trace:%s%s%s", link, tv->file[0] ? " @" : "",
				 tv->file);
			fd_ui_push(v->ui, &fd_view_traces, arg);
		}
		return 1;
	case FD_REQ_SORT_ERRORS:
		if (tv->trace_id[0] || tv->file[0])
			return 1;
		tv->filter_i = (tv->filter_i + 1) % (int)FD_ARRAY_LEN(filters);
		fetch(v, tv);
		return 1;
	case FD_REQ_WINDOW:
		if (tv->trace_id[0] || tv->file[0])
			return 1;
		tv->window_i = (tv->window_i + 1) % (int)FD_ARRAY_LEN(windows_s);
		fetch(v, tv);
		return 1;
	case FD_REQ_REFRESH:
		if (!tv->file[0])
			fetch(v, tv);
		return 1;
	default:
		return fd_text_request(&tv->text, req);
	}
}

static enum fd_status
tr_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct trview *tv = v->priv;

	return fd_text_search(&tv->text, pattern, err);
}

const struct fd_view_ops fd_view_traces = {
	.name = "traces",
	.priv_size = sizeof(struct trview),
	.open = tr_open,
	.close = tr_close,
	.draw = tr_draw,
	.request = tr_request,
	.search = tr_search,
};
