/* request.c - one request's timeline: the record (status, duration, memory, cold
 * start, trace id, the SQS message behind it), then INIT (or the SnapStart restore)
 * -> invoke -> end on one time axis with the X-Ray segments drawn on the same axis
 * as a waterfall, then the request's log lines. Lines and trace are fetched in the
 * background (log store, FilterLogEvents on its stream, BatchGetTraces); the screen
 * fills in as they arrive. Offline it shows what the cache holds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/view.h"

#define TAIL_W 26 /* " 12345.6 ms  at 12345.6" */
#define WF_MAX 512

struct reqview {
	char rid[64], function[128], file[256], tfile[256];
	struct fd_text text;
	struct fd_tl_fetch *fetch;
	struct fd_timeline ftl;    /* file mode */
	int file_mode, fetch_trace;
	unsigned gen;
	int built_w, built_done;
};

static void
parse_arg(struct reqview *rv, const char *arg)
{
	char copy[800], *save = NULL, *tok;

	fd_strlcpy(copy, arg, sizeof(copy));
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '@' && !rv->file[0])
			fd_strlcpy(rv->file, tok + 1, sizeof(rv->file));
		else if (tok[0] == '@')
			fd_strlcpy(rv->tfile, tok + 1, sizeof(rv->tfile));
		else if (!rv->rid[0])
			fd_strlcpy(rv->rid, tok, sizeof(rv->rid));
		else
			fd_strlcpy(rv->function, tok, sizeof(rv->function));
	}
}

static const struct fd_timeline *
timeline(const struct reqview *rv)
{
	return rv->file_mode ? &rv->ftl : rv->fetch ? fd_tl_fetch_timeline(rv->fetch, NULL) : NULL;
}

static void
clock_text(int64_t ms, char *out, size_t n)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms) {
		fd_strlcpy(out, "-", n);
		return;
	}
	gmtime_r(&s, &tm);
	snprintf(out, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ms % 1000));
}

/* A bar of `track` cells: full blocks over [offset, offset + dur) of span. */
static void
bar(struct fd_text *t, enum fd_role role, double offset, double dur, double span, int track)
{
	struct fd_wf_row r;
	double cells[512];
	struct fd_buf b;
	int col, len, i;

	track = FD_MIN(track, 512);
	memset(&r, 0, sizeof(r));
	r.offset_ms = offset;
	r.duration_ms = dur;
	fd_wf_bar(&r, span, track, &col, &len);
	for (i = 0; i < track; i++)
		cells[i] = i >= col && i < col + len ? 1.0 : NAN;
	fd_buf_init(&b);
	fd_spark(cells, (size_t)track, 1.0, &b);
	fd_text_put(t, role, b.data ? b.data : "");
	fd_buf_free(&b);
}

static void
summary(struct fd_text *t, const struct fd_timeline *tl)
{
	const struct fd_invocation *r = &tl->inv;
	char start[20], end[20];

	clock_text(r->start_ms, start, sizeof(start));
	clock_text(r->end_ms, end, sizeof(end));
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  request  ");
	fd_text_printf(t, FD_ROLE_TITLE, "%s", r->request_id);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  function ");
	fd_text_printf(t, FD_ROLE_NORMAL, "%s  version %s", r->function,
		       r->version[0] ? r->version : "?");
	fd_text_printf(t, FD_ROLE_LABEL, "  status ");
	fd_text_printf(t, r->status == FD_INV_SUCCESS ? FD_ROLE_OK : FD_ROLE_ERROR, "%s",
		       fd_inv_status_name(r->status));
	if (r->error_type[0])
		fd_text_printf(t, FD_ROLE_ERROR, " (%s)", r->error_type);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  time     ");
	fd_text_printf(t, FD_ROLE_NORMAL, "%s -> %s  duration %.2f ms  billed %.0f ms  memory "
		       "%.0f/%.0f MB", start, end, r->duration_ms, r->billed_ms, r->max_memory_mb,
		       r->memory_mb);
	if (fd_invocation_cold(r)) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_LABEL, "  cold     ");
		if (!isnan(r->init_ms))
			fd_text_printf(t, FD_ROLE_WARNING, "INIT %.2f ms (%s%s%s)", r->init_ms,
				       r->init_type[0] ? r->init_type : "on-demand",
				       r->runtime_version[0] ? ", " : "", r->runtime_version);
		else
			fd_text_printf(t, FD_ROLE_WARNING, "SnapStart restore %.2f ms",
				       r->restore_ms);
	}
	if (r->trace_id[0] || tl->sqs_message_id[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_LABEL, "  trace    ");
		fd_text_printf(t, FD_ROLE_NORMAL, "%-37s", r->trace_id[0] ? r->trace_id : "-");
	}
	if (tl->sqs_message_id[0]) {
		fd_text_printf(t, FD_ROLE_LABEL, "  SQS message ");
		fd_text_printf(t, FD_ROLE_NORMAL, "%s%s%s", tl->sqs_message_id,
			       tl->sqs_source[0] ? " from " : "", tl->sqs_source);
	}
}

static double
span_of(const struct fd_timeline *tl, const struct fd_tl_phase *ph, size_t n)
{
	double span = n ? ph[n - 1].offset_ms + ph[n - 1].duration_ms : 0, total = 0;
	double off = fd_timeline_trace_offset(tl);
	struct fd_wf_row row;

	if (tl->trace && fd_trace_waterfall(tl->trace, &row, 1, &total) && !isnan(off))
		span = FD_MAX(span, off + total);
	return span > 0 ? span : 1;
}

/* The label column: a third of the screen, 24 to 48 columns. */
static int
label_width(int w)
{
	return FD_MAX(24, FD_MIN(48, w / 3));
}

static void
phase_rows(struct fd_text *t, const struct fd_timeline *tl, double span, int lw, int track)
{
	struct fd_tl_phase ph[4];
	size_t n = fd_timeline_phases(tl, ph, 4), i;

	fd_text_section(t, "TIMELINE (ms from the first phase)");
	for (i = 0; i < n; i++) {
		enum fd_role role = ph[i].kind == FD_TL_INVOKE ? FD_ROLE_CHART : FD_ROLE_WARNING;
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_LABEL, "  %-*s", lw - 2, ph[i].name);
		bar(t, ph[i].kind == FD_TL_END ? FD_ROLE_DIM : role, ph[i].offset_ms,
		    ph[i].kind == FD_TL_END ? 0 : ph[i].duration_ms, span, track);
		if (ph[i].kind == FD_TL_END)
			fd_text_printf(t, FD_ROLE_DIM, " %10s    at %.1f", "", ph[i].offset_ms);
		else
			fd_text_printf(t, FD_ROLE_NORMAL, " %7.1f ms  at %.1f", ph[i].duration_ms,
				       ph[i].offset_ms);
	}
}

static void
trace_rows(struct fd_text *t, const struct fd_timeline *tl, double span, int lw, int track)
{
	static struct fd_wf_row rows[WF_MAX];
	double total, off = fd_timeline_trace_offset(tl);
	size_t n = fd_trace_waterfall(tl->trace, rows, WF_MAX, &total), i;
	char title[128], label[200];

	snprintf(title, sizeof(title), "TRACE %s (%zu segments)", tl->trace->id, tl->trace->n);
	fd_text_section(t, title);
	for (i = 0; i < n; i++) {
		enum fd_role role = rows[i].fault ? FD_ROLE_ERROR
				    : rows[i].throttle || rows[i].error ? FD_ROLE_WARNING
									: FD_ROLE_CHART;
		snprintf(label, sizeof(label), "%*s%s", rows[i].depth * 2, "", rows[i].label);
		fd_text_newline(t);
		fd_text_printf(t, role == FD_ROLE_CHART ? FD_ROLE_NORMAL : role, "  %-*.*s", lw - 2,
			       lw - 3, label);
		bar(t, role, rows[i].offset_ms + (isnan(off) ? 0 : off), rows[i].duration_ms, span,
		    track);
		fd_text_printf(t, FD_ROLE_NORMAL, " %7.1f ms", rows[i].duration_ms);
		if (tl->trace->segs[rows[i].seg].cause)
			fd_text_printf(t, FD_ROLE_ERROR, "  %s", tl->trace->segs[rows[i].seg].cause);
	}
}

static void
line_rows(struct fd_text *t, const struct fd_timeline *tl)
{
	char title[64], when[20];
	size_t i;

	snprintf(title, sizeof(title), "LOG LINES (%zu)", tl->nlines);
	fd_text_section(t, title);
	for (i = 0; i < tl->nlines; i++) {
		const struct fd_tl_line *l = &tl->lines[i];
		clock_text(l->ts_ms, when, sizeof(when));
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "  %s  ", when);
		fd_text_put(t, l->error ? FD_ROLE_ERROR : l->platform ? FD_ROLE_DIM : FD_ROLE_NORMAL,
			    l->text);
	}
}

static void
status_line(struct fd_text *t, const struct reqview *rv, const struct fd_timeline *tl)
{
	const char *err = rv->fetch ? fd_tl_fetch_error(rv->fetch) : "";

	fd_text_newline(t);
	if (rv->fetch && !fd_tl_fetch_done(rv->fetch))
		fd_text_put(t, FD_ROLE_DIM, "  fetching its log lines and trace...");
	else if (err && err[0])
		fd_text_printf(t, FD_ROLE_ERROR, "  %s", err);
	else if (!tl->trace && tl->inv.trace_id[0] && !rv->file_mode && !rv->fetch_trace)
		fd_text_put(t, FD_ROLE_DIM, "  offline: the trace is not cached");
}

static void
build(struct fd_view *v, int w)
{
	struct reqview *rv = v->priv;
	const struct fd_timeline *tl = timeline(rv);
	struct fd_tl_phase ph[4];
	int lw = label_width(w), track = FD_MAX(8, w - lw - TAIL_W);
	double span;

	fd_text_clear(&rv->text);
	if (!tl || !tl->have_inv) {
		fd_text_newline(&rv->text);
		fd_text_printf(&rv->text, rv->fetch && !fd_tl_fetch_done(rv->fetch) ? FD_ROLE_DIM
											: FD_ROLE_WARNING,
			       "  %s %s", rv->rid,
			       rv->fetch && !fd_tl_fetch_done(rv->fetch)
				       ? "- looking for it..."
				       : "is not cached (open it from a function's invocations)");
		return;
	}
	summary(&rv->text, tl);
	status_line(&rv->text, rv, tl);
	span = span_of(tl, ph, fd_timeline_phases(tl, ph, 4));
	phase_rows(&rv->text, tl, span, lw, track);
	if (tl->trace)
		trace_rows(&rv->text, tl, span, lw, track);
	line_rows(&rv->text, tl);
}

static void
open_file(struct fd_view *v, struct reqview *rv)
{
	struct fd_inv_file *f = NULL;
	struct fd_trace_summary *s = NULL;
	struct fd_trace *t = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t ns = 0, nt = 0, i;

	rv->file_mode = 1;
	fd_timeline_init(&rv->ftl);
	if (fd_inv_file_load(rv->file, rv->function, &f, &err) != FD_OK) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		return;
	}
	fd_inv_file_timeline(f, rv->rid, &rv->ftl);
	fd_inv_file_free(f);
	if (!rv->tfile[0] || xray_read_file(rv->tfile, &s, &ns, &t, &nt, &err) != FD_OK)
		return;
	for (i = 0; i < nt; i++) {
		if (!rv->ftl.trace && strcmp(t[i].id, rv->ftl.inv.trace_id) == 0) {
			struct fd_trace *one = fd_xmalloc(sizeof(*one));
			*one = t[i];
			memset(&t[i], 0, sizeof(t[i]));
			fd_timeline_set_trace(&rv->ftl, one);
		}
	}
	fd_traces_free(t, nt);
	fd_trace_summaries_free(s, ns);
}

static void
req_open(struct fd_view *v, const char *arg)
{
	struct reqview *rv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_tl_fetch_opts o;
	struct fd_err err = {FD_OK, ""};

	parse_arg(rv, arg);
	snprintf(v->title, sizeof(v->title), "request %.8s", rv->rid);
	if (rv->file[0]) {
		open_file(v, rv);
	} else {
		memset(&o, 0, sizeof(o));
		o.fetch_lines = o.fetch_trace = rv->fetch_trace = app->client != NULL;
		if (fd_tl_fetch_start(app->client, app->cache, &app->ctx, rv->rid,
				      rv->function[0] ? rv->function : NULL, &o, &rv->fetch,
				      &err) != FD_OK && err.status != FD_ENOTFOUND)
			fd_ui_message(v->ui, FD_ROLE_ERROR, "request: %s", err.msg);
	}
	rv->built_w = -1;
}

static void
req_close(struct fd_view *v)
{
	struct reqview *rv = v->priv;

	fd_tl_fetch_free(rv->fetch);
	if (rv->file_mode)
		fd_timeline_free(&rv->ftl);
	fd_text_free(&rv->text);
}

/* Rebuilt when the fetch moved on or the width changed (the bars scale with it);
 * w < 0: the last width, before a key acts on the lines. */
static void
sync_text(struct fd_view *v, int w)
{
	struct reqview *rv = v->priv;
	unsigned gen = 0;
	int done = rv->fetch ? fd_tl_fetch_done(rv->fetch) : 1;

	if (w < 0)
		w = rv->built_w > 0 ? rv->built_w : 120;
	if (rv->fetch)
		fd_tl_fetch_timeline(rv->fetch, &gen);
	if (w != rv->built_w || gen != rv->gen || done != rv->built_done) {
		rv->gen = gen;
		rv->built_w = w;
		rv->built_done = done;
		build(v, w);
	}
}

static void
req_draw(struct fd_view *v, struct fd_rect r)
{
	struct reqview *rv = v->priv;

	sync_text(v, r.w);
	fd_text_draw(&rv->text, r);
}

static int
req_request(struct fd_view *v, enum fd_request req)
{
	struct reqview *rv = v->priv;

	sync_text(v, -1);
	if (req == FD_REQ_ENTER)
		return 1;
	if (req == FD_REQ_TRACES) {
		const struct fd_timeline *tl = timeline(rv);
		char arg[128];
		if (tl && tl->inv.trace_id[0] && !rv->file[0]) {
			snprintf(arg, sizeof(arg), "trace:%s", tl->inv.trace_id);
			fd_ui_push(v->ui, &fd_view_traces, arg);
		}
		return 1;
	}
	return fd_text_request(&rv->text, req);
}

static enum fd_status
req_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct reqview *rv = v->priv;

	return fd_text_search(&rv->text, pattern, err);
}

const struct fd_view_ops fd_view_request = {
	.name = "request",
	.priv_size = sizeof(struct reqview),
	.open = req_open,
	.close = req_close,
	.draw = req_draw,
	.request = req_request,
	.search = req_search,
};
