/* dashboard.c - the fleet at a glance: account totals, risks by severity, then the
 * function table (columns from FD_FN_COLUMNS plus a sparkline), sortable and
 * filterable. Only visible rows are drawn; the selection follows the function's
 * name across refreshes; columns drop by priority when the terminal is narrow. The
 * COST column (estimated monthly cost) is shown on request (cost-column key). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/view.h"

#define COL_TREND FD_FC_COUNT /* the sparkline, after the model's columns */
#define NAME_MIN 20
#define NAME_MAX 48
#define HEADER_ROWS 4         /* totals, risks, filter/sort, column titles */
#define ACCOUNT_FRESH_MS (2 * 60 * 1000) /* older account values show their age */

struct dash {
	struct fd_cursor cur;
	char sel_name[256];
	int pane;             /* 0 = function table, 1 = risk summary */
	int table_h;
	int show_cost;        /* the COST column is on */
};

struct layout {
	int x[FD_FC_COUNT + 1], w[FD_FC_COUNT + 1];
	int shown[FD_FC_COUNT + 1];
};

/* Kept first when the terminal is narrow: at 80 columns the table ends with COLD%
 * (RUNTIME, inventory rather than health, is the first to go). COST, when it is on,
 * was asked for: it stays right after the invocations. */
static const int col_priority[] = {
	FD_FC_NAME,      FD_FC_INVOCATIONS, FD_FC_COST,     FD_FC_ERRORS,    FD_FC_ERROR_PCT,
	FD_FC_P99,       FD_FC_THROTTLES,   FD_FC_RISKS,    FD_FC_COLD_PCT,  FD_FC_RUNTIME,
	FD_FC_P50,       FD_FC_CONCURRENCY, COL_TREND,      FD_FC_MEMORY,    FD_FC_TIMEOUT,
	FD_FC_LAST_MODIFIED,
};
_Static_assert(FD_ARRAY_LEN(col_priority) == FD_FC_COUNT + 1,
	       "every column (and the trend) has a priority");

static int
col_width(int c)
{
	const struct fd_fn_col_info *ci;

	if (c == COL_TREND)
		return FD_SPARK_POINTS;
	if (c == FD_FC_NAME)
		return NAME_MIN;
	ci = fd_fn_col_info((enum fd_fn_col)c);
	return FD_MAX(ci->width, (int)strlen(ci->header) + 1);
}

static void
layout_columns(struct layout *l, int w, int show_cost)
{
	int used = 0, extra, x = 0;
	size_t i;
	int c;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < FD_ARRAY_LEN(col_priority); i++) {
		c = col_priority[i];
		if (c == FD_FC_COST && !show_cost)
			continue;
		if (used + col_width(c) + (used ? 1 : 0) > w - 1)
			break;
		l->shown[c] = 1;
		l->w[c] = col_width(c);
		used += l->w[c] + (used ? 1 : 0);
	}
	extra = FD_MIN(w - 1 - used, NAME_MAX - NAME_MIN);
	l->w[FD_FC_NAME] += FD_MAX(extra, 0);
	for (c = 0; c <= COL_TREND; c++) {
		if (!l->shown[c])
			continue;
		l->x[c] = 1 + x;
		x += l->w[c] + 1;
	}
}

static void
fmt_window(int s, char *out, size_t n)
{
	if (s % 3600 == 0)
		snprintf(out, n, "%dh", s / 3600);
	else if (s % 60 == 0)
		snprintf(out, n, "%dm", s / 60);
	else
		snprintf(out, n, "%ds", s);
}

/* "Concurrency 37/1000 (unreserved 850, 3h old)": the window's peak against the
 * account limit, with the age of cached values; a failure to read them follows. */
static void
fmt_concurrency(const struct fd_totals *t, struct fd_buf *b)
{
	int64_t now = fd_wall_now_ms(), oldest = t->account_fetched_ms;
	char conc[16], age[16];

	fd_fmt_num(t->account_concurrency_max, conc, sizeof(conc));
	fd_buf_printf(b, "Concurrency %s/", conc);
	if (t->concurrency_limit < 0) {
		fd_buf_puts(b, "?");
		return;
	}
	fd_buf_printf(b, "%lld (unreserved %lld", t->concurrency_limit, t->unreserved_limit);
	if (t->account_used_ms && (!oldest || t->account_used_ms < oldest))
		oldest = t->account_used_ms;
	if (oldest && now - oldest >= ACCOUNT_FRESH_MS) {
		fd_fmt_age((double)(now - oldest) / 1000.0, age, sizeof(age));
		fd_buf_printf(b, ", %s old", age);
	}
	fd_buf_puts(b, ")");
}

static void
draw_totals(struct fd_view *v, int y, int w)
{
	struct fd_model *m = fd_ui_model(v->ui);
	struct fd_totals t;
	char win[16], inv[16], err[16], thr[16];
	struct fd_buf b;
	double pct;
	int x;

	fd_model_totals(m, &t);
	fmt_window(fd_model_window(m), win, sizeof(win));
	fd_fmt_num(t.invocations, inv, sizeof(inv));
	fd_fmt_num(t.errors, err, sizeof(err));
	fd_fmt_num(t.throttles, thr, sizeof(thr));
	pct = t.invocations > 0 ? 100.0 * t.errors / t.invocations : 0.0;
	fd_buf_init(&b);
	fd_buf_printf(&b, "Window %s  Functions %zu  Invocations %s  Errors %s (%.2f%%)  "
			  "Throttles %s  ",
		      win, t.functions, inv, err, pct, thr);
	fmt_concurrency(&t, &b);
	x = 1 + fd_draw_text(y, 1, w - 1, FD_ROLE_LABEL, b.data);
	if (t.account_error[0] && x + 2 < w)
		fd_draw_text(y, x + 2, w - x - 2, FD_ROLE_ERROR, t.account_error);
	fd_buf_free(&b);
}

/* "DLQs 2 of 9 hold 161 messages (oldest 3h12m, most in payments-queue-dlq)". */
static void
draw_dlq_summary(const struct fd_totals *t, int y, int x, int w)
{
	char age[32] = "-";

	if (x >= w)
		return;
	if (!t->dlqs_known) {
		fd_draw_text(y, x, w - x, FD_ROLE_DIM, "DLQs: not read yet (:dlq)");
		return;
	}
	if (!t->dlqs_with_messages) {
		fd_draw_printf(y, x, w - x, FD_ROLE_OK, "DLQs: %zu, all empty", t->dlqs);
		return;
	}
	if (t->dlq_oldest_age_s == t->dlq_oldest_age_s) {
		long s = (long)t->dlq_oldest_age_s;
		if (s >= 3600)
			snprintf(age, sizeof(age), "%ldh%02ldm", s / 3600, s / 60 % 60);
		else
			snprintf(age, sizeof(age), "%ldm%02lds", s / 60, s % 60);
	}
	fd_draw_printf(y, x, w - x, FD_ROLE_WARNING,
		       "DLQs %zu of %zu hold %lld messages (oldest %s, most in %s)",
		       t->dlqs_with_messages, t->dlqs, t->dlq_messages, age, t->dlq_worst);
}

static void
draw_risk_summary(struct fd_view *v, int y, int w, int focused)
{
	struct fd_totals t;
	int x = 1, s;

	fd_model_totals(fd_ui_model(v->ui), &t);
	if (focused)
		fd_draw_fill(y, 0, w, FD_ROLE_SELECTED);
	x += fd_draw_text(y, x, w - x, focused ? FD_ROLE_SELECTED : FD_ROLE_LABEL, "Risks ");
	for (s = FD_SEV_COUNT - 1; s >= 0; s--) {
		enum fd_role role = t.risks_by_severity[s] ? fd_severity_role((enum fd_severity)s)
							   : FD_ROLE_DIM;
		x += fd_draw_printf(y, x, w - x, focused ? FD_ROLE_SELECTED : role, " %zu %s ",
				    t.risks_by_severity[s], fd_severity_name((enum fd_severity)s));
	}
	draw_dlq_summary(&t, y, x + 2, w);
}

static void
draw_filter_line(struct fd_view *v, int y, int w, size_t nrows)
{
	struct fd_model *m = fd_ui_model(v->ui);
	const char *f = fd_model_filter(m);
	enum fd_fn_col col;
	int desc, x = 1;

	fd_model_sort(m, &col, &desc);
	if (f && *f)
		x += fd_draw_printf(y, x, w - x, FD_ROLE_MATCH, "/%s/", f) + 1;
	x += fd_draw_printf(y, x, w - x, FD_ROLE_DIM, "%zu shown", nrows);
	fd_draw_printf(y, x, w - x, FD_ROLE_DIM, "  sorted by %s %s",
		       fd_fn_col_info(col)->header, desc ? "descending" : "ascending");
}

static void
draw_header_row(const struct layout *l, int y, int w, enum fd_fn_col sort, int desc)
{
	char h[48];
	int c;

	fd_draw_fill(y, 0, w, FD_ROLE_HEADER);
	for (c = 0; c <= COL_TREND; c++) {
		const struct fd_fn_col_info *ci =
			c < FD_FC_COUNT ? fd_fn_col_info((enum fd_fn_col)c) : NULL;
		int tw;

		if (!l->shown[c])
			continue;
		snprintf(h, sizeof(h), "%s%s", ci ? ci->header : "TREND",
			 c == (int)sort ? fd_glyph(desc ? FD_GLYPH_SORT_DOWN : FD_GLYPH_SORT_UP)
					: "");
		tw = (int)fd_text_width(h, strlen(h));
		fd_draw_text(y, l->x[c] + (ci && ci->right ? FD_MAX(0, l->w[c] - tw) : 0), l->w[c],
			     FD_ROLE_HEADER, h);
	}
}

static enum fd_role
cell_role(const struct fd_fn_row *r, int c)
{
	switch (c) {
	case FD_FC_ERRORS:
	case FD_FC_ERROR_PCT:
		return r->errors > 0 ? FD_ROLE_ERROR : FD_ROLE_NORMAL;
	case FD_FC_THROTTLES:
		return r->throttles > 0 ? FD_ROLE_WARNING : FD_ROLE_NORMAL;
	case FD_FC_RISKS:
		return r->nrisks ? fd_severity_role(r->worst) : FD_ROLE_DIM;
	case COL_TREND:
		return FD_ROLE_CHART;
	default:
		return FD_ROLE_NORMAL;
	}
}

static void
draw_cell(struct fd_view *v, const struct layout *l, const struct fd_fn_row *r, int c, int y,
	  int selected)
{
	enum fd_role role = selected ? FD_ROLE_SELECTED : cell_role(r, c);
	struct fd_buf b;
	char cell[128];
	int tw, pad;

	if (c == COL_TREND) {
		fd_buf_init(&b);
		fd_spark(r->spark + FD_SPARK_POINTS - l->w[c], (size_t)l->w[c], 0, &b);
		fd_draw_text(y, l->x[c], l->w[c], role, b.data);
		fd_buf_free(&b);
		return;
	}
	fd_fn_row_cell(r, (enum fd_fn_col)c, cell, sizeof(cell));
	if (c == FD_FC_NAME) {
		fd_draw_matches(y, l->x[c], l->w[c], role, cell, fd_ui_filter_regex(v->ui));
		return;
	}
	tw = (int)fd_text_width(cell, strlen(cell));
	pad = fd_fn_col_info((enum fd_fn_col)c)->right ? FD_MAX(0, l->w[c] - tw) : 0;
	fd_draw_text(y, l->x[c] + pad, l->w[c], role, cell);
}

static void
draw_row(struct fd_view *v, const struct layout *l, const struct fd_fn_row *r, int y, int w,
	 int selected)
{
	int c;

	if (selected)
		fd_draw_fill(y, 0, w, FD_ROLE_SELECTED);
	for (c = 0; c <= COL_TREND; c++)
		if (l->shown[c])
			draw_cell(v, l, r, c, y, selected);
}

/* Finds the remembered function again after the rows changed. */
static void
follow_selection(struct dash *d, const struct fd_fn_row *rows, size_t n)
{
	size_t i;

	if (!d->sel_name[0])
		return;
	if (d->cur.sel < n && strcmp(rows[d->cur.sel].fn->name, d->sel_name) == 0)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].fn->name, d->sel_name) == 0) {
			d->cur.sel = i;
			return;
		}
	}
}

static void
remember_selection(struct dash *d, const struct fd_fn_row *rows, size_t n)
{
	if (d->cur.sel < n)
		fd_strlcpy(d->sel_name, rows[d->cur.sel].fn->name, sizeof(d->sel_name));
}

static void
draw_empty(struct fd_view *v, int y, int w)
{
	const char *f = fd_model_filter(fd_ui_model(v->ui));
	struct fd_model_status st;

	fd_model_status(fd_ui_model(v->ui), &st);
	if (f && *f)
		fd_draw_printf(y, 1, w - 1, FD_ROLE_DIM, "no function matches /%s/ (Esc clears it)",
			       f);
	else if (st.refreshing)
		fd_draw_text(y, 1, w - 1, FD_ROLE_DIM, "no functions cached yet; loading...");
	else if (st.offline)
		fd_draw_text(y, 1, w - 1, FD_ROLE_DIM,
			     "nothing cached for this context (offline): run online once");
	else
		fd_draw_text(y, 1, w - 1, FD_ROLE_DIM, "no functions");
}

static void
dash_draw(struct fd_view *v, struct fd_rect r)
{
	struct dash *d = v->priv;
	struct fd_model *m = fd_ui_model(v->ui);
	const struct fd_fn_row *rows;
	struct layout l;
	enum fd_fn_col sort;
	size_t n = fd_model_rows(m, &rows), i;
	int desc;

	fd_model_sort(m, &sort, &desc);
	layout_columns(&l, r.w, d->show_cost);
	draw_totals(v, r.y, r.w);
	draw_risk_summary(v, r.y + 1, r.w, d->pane == 1);
	draw_filter_line(v, r.y + 2, r.w, n);
	draw_header_row(&l, r.y + 3, r.w, sort, desc);
	d->table_h = FD_MAX(1, r.h - HEADER_ROWS);
	follow_selection(d, rows, n);
	fd_cursor_clamp(&d->cur, n, d->table_h);
	remember_selection(d, rows, n);
	if (!n)
		draw_empty(v, r.y + HEADER_ROWS, r.w);
	for (i = d->cur.top; i < n && (int)(i - d->cur.top) < d->table_h; i++)
		draw_row(v, &l, &rows[i], r.y + HEADER_ROWS + (int)(i - d->cur.top), r.w,
			 i == d->cur.sel && d->pane == 0);
}

static void
sort_by(struct fd_model *m, int col, int step, int toggle)
{
	enum fd_fn_col cur;
	int desc;

	fd_model_sort(m, &cur, &desc);
	if (step)
		col = ((int)cur + step + FD_FC_COUNT) % FD_FC_COUNT;
	if (toggle || (col == (int)cur && !step))
		desc = !desc;
	else
		desc = fd_fn_col_info((enum fd_fn_col)col)->type != 'S';
	fd_model_set_sort(m, (enum fd_fn_col)col, desc);
}

static int
sort_request(struct fd_view *v, enum fd_request req)
{
	static const struct {
		enum fd_request req;
		enum fd_fn_col col;
	} keys[] = {
		{FD_REQ_SORT_NAME, FD_FC_NAME},
		{FD_REQ_SORT_INVOCATIONS, FD_FC_INVOCATIONS},
		{FD_REQ_SORT_ERRORS, FD_FC_ERRORS},
		{FD_REQ_SORT_THROTTLES, FD_FC_THROTTLES},
		{FD_REQ_SORT_P99, FD_FC_P99},
		{FD_REQ_SORT_RISKS, FD_FC_RISKS},
		{FD_REQ_SORT_COST, FD_FC_COST},
	};
	struct fd_model *m = fd_ui_model(v->ui);
	enum fd_fn_col cur;
	size_t i;
	int desc;

	if (req == FD_REQ_SORT_NEXT || req == FD_REQ_SORT_PREV) {
		sort_by(m, 0, req == FD_REQ_SORT_NEXT ? 1 : -1, 0);
		return 1;
	}
	if (req == FD_REQ_SORT_TOGGLE) {
		fd_model_sort(m, &cur, &desc);
		sort_by(m, (int)cur, 0, 1);
		return 1;
	}
	for (i = 0; i < FD_ARRAY_LEN(keys); i++) {
		if (keys[i].req == req) {
			sort_by(m, (int)keys[i].col, 0, 0);
			return 1;
		}
	}
	return 0;
}

/* The column on asks the model for the log ingestion it is computed from. */
static void
show_cost(struct fd_view *v, int on)
{
	struct dash *d = v->priv;

	d->show_cost = on;
	if (on)
		fd_model_want_costs(fd_ui_model(v->ui));
}

static int
dash_request(struct fd_view *v, enum fd_request req)
{
	struct dash *d = v->priv;
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(fd_ui_model(v->ui), &rows);
	const char *sel = d->cur.sel < n ? rows[d->cur.sel].fn->name : NULL;

	if (req == FD_REQ_FIND_NEXT || req == FD_REQ_FIND_PREV)
		req = req == FD_REQ_FIND_NEXT ? FD_REQ_MOVE_DOWN : FD_REQ_MOVE_UP;
	if (fd_cursor_request(&d->cur, req, n, d->table_h)) {
		d->pane = 0;
		remember_selection(d, rows, n);
		return 1;
	}
	if (req == FD_REQ_SORT_COST)
		show_cost(v, 1); /* sorting by it shows it */
	if (sort_request(v, req))
		return 1;
	switch (req) {
	case FD_REQ_COST_COLUMN:
		show_cost(v, !d->show_cost);
		return 1;
	case FD_REQ_NEXT_PANE:
	case FD_REQ_PREV_PANE:
		d->pane = !d->pane;
		return 1;
	case FD_REQ_ENTER:
		if (d->pane == 1)
			fd_ui_push(v->ui, &fd_view_risks, "");
		else if (sel)
			fd_ui_push(v->ui, &fd_view_function, sel);
		return 1;
	case FD_REQ_LOGS:
	case FD_REQ_INVOKE:
	case FD_REQ_COLDSTARTS:
	case FD_REQ_TRACES:
	case FD_REQ_DLQS:
		fd_ui_open_feature(v->ui, req, sel);
		return 1;
	default:
		return 0;
	}
}

static void
dash_open(struct fd_view *v, const char *arg)
{
	(void)arg;
	fd_strlcpy(v->title, "functions", sizeof(v->title));
}

const struct fd_view_ops fd_view_dashboard = {
	.name = "functions",
	.priv_size = sizeof(struct dash),
	.open = dash_open,
	.draw = dash_draw,
	.request = dash_request,
	.refresh_s = 60,
};
