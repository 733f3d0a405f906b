/* queues.c - the queues board (`:queues`) and the DLQ board (`:dlq`, DLQs holding
 * messages first, with their depth over the last hour as a sparkline). One row per
 * queue: counts, oldest message, FIFO, retention, visibility, its DLQ or its sources,
 * and the functions wired to it. Enter peeks at the selected queue's messages. The
 * queues model refreshes in the background; only visible rows are drawn. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/view.h"

#define HEADER_ROWS 3
#define REFRESH_MS 60000

struct qview {
	struct fd_queues *q;
	int dlq_only;
	struct fd_cursor cur;
	char sel[256];
	int table_h;
	long long refreshed_ms;
	const struct fd_queue **tmp; /* row pointers for the all-queues board */
	size_t cap;
};

struct col {
	const char *title;
	int w;
	int right;
};

static const struct col cols[] = {
    {"QUEUE", 34, 0},         {"VISIBLE", 8, 1},   {"INFLIGHT", 8, 1}, {"DELAYED", 7, 1},
    {"OLDEST", 7, 1},         {"FIFO", 4, 0},      {"RETAIN", 6, 1},   {"VIS", 5, 1},
    {"DLQ / SOURCES", 28, 0}, {"FUNCTIONS", 0, 0},
};

static void
join_model_functions(struct fd_view *v, struct fd_queues *q)
{
	const struct fd_fn_row *rows;
	struct fd_function *fns;
	size_t n = fd_model_rows(fd_ui_model(v->ui), &rows), i;

	fns = n ? fd_xcalloc(n, sizeof(*fns)) : NULL;
	for (i = 0; i < n; i++)
		fns[i] = *rows[i].fn; /* shallow: the queues model copies what it keeps */
	fd_queues_set_functions(q, fns, n);
	free(fns);
}

static void
refresh(struct fd_view *v)
{
	struct qview *qv = v->priv;

	join_model_functions(v, qv->q);
	fd_queues_refresh(qv->q);
	qv->refreshed_ms = fd_now_ms();
}

static void
open_common(struct fd_view *v, int dlq_only)
{
	struct qview *qv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);

	qv->dlq_only = dlq_only;
	qv->q = fd_queues_new(app ? app->client : NULL);
	fd_strlcpy(v->title, dlq_only ? "dlq" : "queues", sizeof(v->title));
	refresh(v);
}

static void
queues_open(struct fd_view *v, const char *arg)
{
	(void)arg;
	open_common(v, 0);
}

static void
dlq_open(struct fd_view *v, const char *arg)
{
	struct qview *qv = v->priv;

	open_common(v, 1);
	if (arg && *arg)
		fd_strlcpy(qv->sel, arg, sizeof(qv->sel));
}

static void
qview_close(struct fd_view *v)
{
	struct qview *qv = v->priv;

	fd_queues_free(qv->q);
	free(qv->tmp);
}

static size_t
rows_of(struct qview *qv, const struct fd_queue ***out)
{
	const struct fd_queue *rows, *const *dlqs;
	size_t n, i;

	if (qv->dlq_only) {
		n = fd_queues_dlqs(qv->q, &dlqs);
		*out = (const struct fd_queue **)dlqs;
		return n;
	}
	n = fd_queues_rows(qv->q, &rows);
	if (n > qv->cap) {
		qv->cap = n;
		qv->tmp = fd_xreallocarray(qv->tmp, qv->cap, sizeof(*qv->tmp));
	}
	for (i = 0; i < n; i++)
		qv->tmp[i] = &rows[i];
	*out = qv->tmp;
	return n;
}

static void
fmt_count(long long v, char *out, size_t n)
{
	if (v < 0)
		snprintf(out, n, "-");
	else
		fd_fmt_num((double)v, out, n);
}

static void
names(char *const *v, size_t n, struct fd_buf *b)
{
	const char *colon;
	size_t i;

	for (i = 0; i < n; i++) {
		colon = strrchr(v[i], ':');
		fd_buf_printf(b, "%s%s", i ? "," : "", colon ? colon + 1 : v[i]);
	}
}

static void
cell(int y, int *x, const struct col *c, int w, enum fd_role role, const char *s)
{
	int cw = c->w ? c->w : FD_MAX(w - *x, 0);
	int len = (int)strlen(s);

	if (c->right && len < cw)
		fd_draw_text(y, *x + cw - len, len, role, s);
	else
		fd_draw_text(y, *x, cw, role, s);
	*x += cw + 1;
}

static void
draw_row(struct qview *qv, const struct fd_queue *q, int y, int w, int selected)
{
	enum fd_role base = selected ? FD_ROLE_SELECTED : FD_ROLE_NORMAL;
	char vis[16], inf[16], del[16], age[16], ret[16], vt[16];
	struct fd_buf wiring, fns;
	int x = 1;

	fd_draw_fill(y, 0, w, base);
	fmt_count(q->visible, vis, sizeof(vis));
	fmt_count(q->inflight, inf, sizeof(inf));
	fmt_count(q->delayed, del, sizeof(del));
	fd_fmt_age(q->oldest_age_s, age, sizeof(age));
	fd_fmt_age((double)q->retention_s, ret, sizeof(ret));
	snprintf(vt, sizeof(vt), "%llds", q->visibility_s);
	fd_buf_init(&wiring);
	fd_buf_init(&fns);
	if (q->dlq_arn)
		fd_buf_printf(&wiring, "-> %s", strrchr(q->dlq_arn, ':') + 1);
	else if (q->nsources) {
		fd_buf_puts(&wiring, "<- ");
		names(q->sources, q->nsources, &wiring);
	} else if (qv->dlq_only && q->nfailure_fns)
		fd_buf_puts(&wiring, "<- async failures");
	names(q->consumers, q->nconsumers, &fns);
	if (q->nfailure_fns) {
		fd_buf_puts(&fns, q->nconsumers ? "; DLQ of " : "DLQ of ");
		names(q->failure_fns, q->nfailure_fns, &fns);
	}
	cell(y, &x, &cols[0], w, q->is_dlq && q->visible > 0 && !selected ? FD_ROLE_WARNING : base,
	     q->name ? q->name : "?");
	cell(y, &x, &cols[1], w, base, vis);
	cell(y, &x, &cols[2], w, base, inf);
	cell(y, &x, &cols[3], w, base, del);
	cell(y, &x, &cols[4], w, base, age);
	cell(y, &x, &cols[5], w, base, q->fifo ? "yes" : "");
	cell(y, &x, &cols[6], w, base, ret);
	cell(y, &x, &cols[7], w, base, vt);
	if (qv->dlq_only) {
		struct fd_buf spark;
		fd_buf_init(&spark);
		fd_spark(q->spark, FD_QUEUE_SPARK, 0, &spark);
		fd_draw_text(y, x, FD_QUEUE_SPARK, selected ? base : FD_ROLE_CHART,
		             spark.data ? spark.data : "");
		x += FD_QUEUE_SPARK + 1;
		fd_buf_free(&spark);
	}
	cell(y, &x, &cols[8], w, base, wiring.data ? wiring.data : "");
	cell(y, &x, &cols[9], w, base, fns.data ? fns.data : "");
	fd_buf_free(&wiring);
	fd_buf_free(&fns);
}

static void
draw_header(struct fd_view *v, struct fd_rect r)
{
	struct qview *qv = v->priv;
	struct fd_queues_status st;
	struct fd_dlq_summary s;
	char age[16];
	int x = 1;
	size_t i;

	fd_queues_status(qv->q, &st);
	fd_queues_summary(qv->q, &s);
	fd_fmt_age(s.oldest_age_s, age, sizeof(age));
	fd_draw_printf(r.y, 1, r.w - 1, FD_ROLE_LABEL,
	               "Queues %zu  DLQs %zu  with messages %zu (%lld messages, oldest %s)%s%s",
	               s.queues, s.dlqs, s.dlqs_with_messages, s.dlq_messages, age,
	               st.refreshing ? "  refreshing " : "",
	               st.refreshing ? fd_spinner(fd_now_ms()) : "");
	if (st.last_error[0])
		fd_draw_text(r.y + 1, 1, r.w - 1, FD_ROLE_ERROR, st.last_error);
	else
		fd_draw_text(r.y + 1, 1, r.w - 1, FD_ROLE_DIM,
		             "Enter peek at messages (receive counts go up)  r refresh  "
		             ":redrive jobs");
	fd_draw_fill(r.y + 2, 0, r.w, FD_ROLE_HEADER);
	for (i = 0; i < FD_ARRAY_LEN(cols); i++) {
		int cw = cols[i].w ? cols[i].w : FD_MAX(r.w - x, 0);
		if (i == 8 && qv->dlq_only) {
			fd_draw_text(r.y + 2, x, FD_QUEUE_SPARK, FD_ROLE_HEADER, "LAST HOUR");
			x += FD_QUEUE_SPARK + 1;
		}
		fd_draw_text(r.y + 2, x, cw, FD_ROLE_HEADER, cols[i].title);
		x += cw + 1;
	}
}

static void
follow_selection(struct qview *qv, const struct fd_queue **rows, size_t n)
{
	size_t i;

	for (i = 0; qv->sel[0] && i < n; i++) {
		if (fd_str_eq(rows[i]->name, qv->sel)) {
			qv->cur.sel = i;
			return;
		}
	}
}

static void
qview_draw(struct fd_view *v, struct fd_rect r)
{
	struct qview *qv = v->priv;
	const struct fd_queue **rows;
	size_t n, i;
	int y;

	(void)fd_queues_take_dirty(qv->q); /* the board is repainted every frame anyway */
	if (fd_now_ms() - qv->refreshed_ms > REFRESH_MS)
		refresh(v);
	n = rows_of(qv, &rows);
	follow_selection(qv, rows, n);
	draw_header(v, r);
	qv->table_h = FD_MAX(r.h - HEADER_ROWS, 1);
	fd_cursor_clamp(&qv->cur, n, qv->table_h);
	for (i = qv->cur.top, y = r.y + HEADER_ROWS; i < n && y < r.y + r.h; i++, y++)
		draw_row(qv, rows[i], y, r.w, i == qv->cur.sel);
	if (!n)
		fd_draw_text(r.y + HEADER_ROWS + 1, 2, r.w - 2, FD_ROLE_DIM,
		             qv->dlq_only ? "No dead-letter queues (yet)." : "No queues (yet).");
	if (n && qv->cur.sel < n)
		fd_strlcpy(qv->sel, rows[qv->cur.sel]->name ? rows[qv->cur.sel]->name : "",
		           sizeof(qv->sel));
}

static int
qview_request(struct fd_view *v, enum fd_request req)
{
	struct qview *qv = v->priv;
	const struct fd_queue **rows;
	size_t n = rows_of(qv, &rows);

	if (req == FD_REQ_REFRESH) {
		refresh(v);
		return 1;
	}
	if (req == FD_REQ_ENTER) {
		if (n && qv->cur.sel < n && rows[qv->cur.sel]->url)
			fd_ui_push(v->ui, &fd_view_message, rows[qv->cur.sel]->url);
		return 1;
	}
	if (fd_cursor_request(&qv->cur, req, n, qv->table_h)) {
		qv->sel[0] = '\0';
		return 1;
	}
	return 0;
}

const struct fd_view_ops fd_view_queues = {
    .name = "queues",
    .priv_size = sizeof(struct qview),
    .open = queues_open,
    .close = qview_close,
    .draw = qview_draw,
    .request = qview_request,
    .refresh_s = 60,
};

const struct fd_view_ops fd_view_dlq = {
    .name = "dlq",
    .priv_size = sizeof(struct qview),
    .open = dlq_open,
    .close = qview_close,
    .draw = qview_draw,
    .request = qview_request,
    .refresh_s = 60,
};
