/* invocations.c - recent invocations of a function (or the fleet): a duration
 * histogram, then one row per request (time, id, duration, billed, memory used of
 * size, cold start, status), filtered by status (E), cold only (c), slower than (P),
 * searched with /, sorted (> < s), over a window (w). Enter opens the request's
 * timeline. Records come from the cache; online, the window's REPORT lines are read
 * in the background first. `:invocations @FILE [@TRACES]` reads saved events. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/view.h"

#define HIST_BUCKETS 24
#define LIST_MAX 2000

enum inv_sort { SORT_TIME, SORT_DURATION, SORT_MEMORY, SORT_INIT, SORT_COUNT };

static const char *const sort_names[] = {"time", "duration", "memory", "init"};
static const int windows_s[] = {900, 3600, 10800, 86400};
static const double slower_ms[] = {0, 100, 500, 1000, 3000};
static const int status_cycle[] = {-1, FD_INV_ERROR, FD_INV_TIMEOUT, FD_INV_OOM,
				   FD_INV_RUNTIME_EXIT, FD_INV_SUCCESS};

struct invview {
	char function[128];
	char file[256], tfile[256];
	struct fd_text text;
	struct fd_invocation *recs;
	size_t n;
	size_t *order;
	size_t shown;
	int status_i, cold_only, slower_i, window_i, desc;
	enum inv_sort sort;
	struct fd_backfill *bf;
	char note[320];
};

/* "FN", "@FILE [@TRACES]" or "". */
static void
parse_arg(struct invview *iv, const char *arg)
{
	char copy[600], *save = NULL, *tok;

	fd_strlcpy(copy, arg, sizeof(copy));
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '@' && !iv->file[0])
			fd_strlcpy(iv->file, tok + 1, sizeof(iv->file));
		else if (tok[0] == '@')
			fd_strlcpy(iv->tfile, tok + 1, sizeof(iv->tfile));
		else
			fd_strlcpy(iv->function, tok, sizeof(iv->function));
	}
}

static void
free_records(struct invview *iv)
{
	fd_invocations_free(iv->recs, iv->n);
	free(iv->order);
	iv->recs = NULL;
	iv->order = NULL;
	iv->n = iv->shown = 0;
}

static void
load_file(struct fd_view *v, struct invview *iv)
{
	const struct fd_invocation *r;
	struct fd_inv_file *f = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n, i, k = 0;

	if (fd_inv_file_load(iv->file, iv->function, &f, &err) != FD_OK) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		return;
	}
	n = fd_inv_file_records(f, &r);
	iv->recs = n ? fd_xcalloc(n, sizeof(*iv->recs)) : NULL;
	for (i = 0; i < n; i++) {
		if (iv->function[0] && strcmp(r[i].function, iv->function) != 0)
			continue;
		iv->recs[k] = r[i];
		iv->recs[k++].errors = r[i].errors ? fd_xstrdup(r[i].errors) : NULL;
	}
	iv->n = k;
	fd_inv_file_free(f);
}

static void
load_cache(struct fd_view *v, struct invview *iv)
{
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_inv_query q;
	struct fd_invocation *r = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0;

	if (!app->cache)
		return;
	memset(&q, 0, sizeof(q));
	q.function = iv->function[0] ? iv->function : NULL;
	q.from_ms = fd_wall_now_ms() - windows_s[iv->window_i] * 1000LL;
	q.status = -1;
	q.limit = LIST_MAX;
	if (fd_cache_get_invocations(app->cache, &app->ctx, &q, &r, &n, &err) != FD_OK)
		fd_ui_message(v->ui, FD_ROLE_ERROR, "invocations: %s", err.msg);
	iv->recs = r;
	iv->n = n;
}

static double
sort_key(const struct invview *iv, const struct fd_invocation *r)
{
	switch (iv->sort) {
	case SORT_DURATION:
		return isnan(r->duration_ms) ? -1 : r->duration_ms;
	case SORT_MEMORY:
		return r->memory_mb > 0 ? r->max_memory_mb / r->memory_mb : -1;
	case SORT_INIT:
		return !isnan(r->init_ms) ? r->init_ms : !isnan(r->restore_ms) ? r->restore_ms : -1;
	default:
		return (double)r->start_ms;
	}
}

static const struct invview *sort_view;

static int
cmp_rows(const void *x, const void *y)
{
	const struct fd_invocation *a = &sort_view->recs[*(const size_t *)x];
	const struct fd_invocation *b = &sort_view->recs[*(const size_t *)y];
	double ka = sort_key(sort_view, a), kb = sort_key(sort_view, b);
	int c = ka < kb ? -1 : ka > kb;

	if (!c)
		c = strcmp(a->request_id, b->request_id);
	return sort_view->desc ? -c : c;
}

static int
passes(const struct invview *iv, const struct fd_invocation *r)
{
	int st = status_cycle[iv->status_i];

	if (st >= 0 && (int)r->status != st)
		return 0;
	if (iv->cold_only && !fd_invocation_cold(r))
		return 0;
	return !(slower_ms[iv->slower_i] > 0 && !(r->duration_ms > slower_ms[iv->slower_i]));
}

static void
select_rows(struct invview *iv)
{
	size_t i;

	free(iv->order);
	iv->order = fd_xcalloc(iv->n + 1, sizeof(size_t));
	iv->shown = 0;
	for (i = 0; i < iv->n; i++)
		if (passes(iv, &iv->recs[i]))
			iv->order[iv->shown++] = i;
	sort_view = iv;
	qsort(iv->order, iv->shown, sizeof(size_t), cmp_rows);
}

/* Log-scale buckets from the fastest to the slowest shown duration. */
static void
histogram(const struct invview *iv, struct fd_text *t)
{
	double h[HIST_BUCKETS], lo = INFINITY, hi = 0, span;
	struct fd_buf b;
	size_t i;

	for (i = 0; i < HIST_BUCKETS; i++)
		h[i] = 0;
	for (i = 0; i < iv->shown; i++) {
		double d = iv->recs[iv->order[i]].duration_ms;
		if (d > 0) {
			lo = FD_MIN(lo, d);
			hi = FD_MAX(hi, d);
		}
	}
	if (!(hi > 0))
		return;
	span = log(hi / lo) / HIST_BUCKETS + 1e-12;
	for (i = 0; i < iv->shown; i++) {
		double d = iv->recs[iv->order[i]].duration_ms;
		if (d > 0)
			h[FD_MIN((size_t)(log(d / lo) / span), (size_t)HIST_BUCKETS - 1)] += 1;
	}
	for (i = 0; i < HIST_BUCKETS; i++)
		if (h[i] == 0)
			h[i] = NAN; /* an empty bucket is blank, not the lowest bar */
	fd_buf_init(&b);
	fd_spark(h, HIST_BUCKETS, 0, &b);
	fd_text_newline(t);
	fd_text_put(t, FD_ROLE_LABEL, "  durations ");
	fd_text_printf(t, FD_ROLE_DIM, "%8.1f ms ", lo);
	fd_text_put(t, FD_ROLE_CHART, b.data ? b.data : "");
	fd_text_printf(t, FD_ROLE_DIM, " %.1f ms", hi);
	fd_buf_free(&b);
}

static const char *
window_name(int s)
{
	return s == 900 ? "15m" : s == 3600 ? "1h" : s == 10800 ? "3h" : "24h";
}

static void
header(const struct invview *iv, struct fd_text *t)
{
	int st = status_cycle[iv->status_i];
	char slower[24];

	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  %s", iv->function[0] ? iv->function : "all functions");
	fd_text_printf(t, FD_ROLE_NORMAL, "  %zu of %zu invocations", iv->shown, iv->n);
	if (!iv->file[0])
		fd_text_printf(t, FD_ROLE_DIM, ", last %s", window_name(windows_s[iv->window_i]));
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  status ");
	fd_text_printf(t, FD_ROLE_NORMAL, "%-13s",
		       st < 0 ? "any" : fd_inv_status_name((enum fd_inv_status)st));
	fd_text_printf(t, FD_ROLE_LABEL, " cold ");
	fd_text_printf(t, FD_ROLE_NORMAL, "%-5s", iv->cold_only ? "only" : "any");
	fd_text_printf(t, FD_ROLE_LABEL, " slower than ");
	if (slower_ms[iv->slower_i] > 0)
		snprintf(slower, sizeof(slower), "%.0f ms", slower_ms[iv->slower_i]);
	fd_text_printf(t, FD_ROLE_NORMAL, "%-8s", slower_ms[iv->slower_i] > 0 ? slower : "-");
	fd_text_printf(t, FD_ROLE_LABEL, " sort ");
	fd_text_printf(t, FD_ROLE_NORMAL, "%s %s", sort_names[iv->sort],
		       fd_glyph(iv->desc ? FD_GLYPH_SORT_DOWN : FD_GLYPH_SORT_UP));
	fd_text_printf(t, FD_ROLE_DIM, "   E status  c cold  P slower  > < s sort%s",
		       iv->file[0] ? "" : "  w window  r refresh");
	if (iv->note[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "  %s", iv->note);
	}
}

static void
row(struct fd_text *t, const struct fd_invocation *r, int fleet)
{
	char when[24], mem[32], cold[16];
	enum fd_role role = r->status == FD_INV_SUCCESS ? FD_ROLE_NORMAL
			    : r->status == FD_INV_RUNNING ? FD_ROLE_DIM
							  : FD_ROLE_ERROR;
	time_t s = (time_t)(r->start_ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(when, sizeof(when), "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(r->start_ms % 1000));
	snprintf(mem, sizeof(mem), "%4.0f/%-5.0f%3.0f%%", r->max_memory_mb, r->memory_mb,
		 r->memory_mb > 0 ? 100.0 * r->max_memory_mb / r->memory_mb : 0.0);
	if (!isnan(r->init_ms))
		snprintf(cold, sizeof(cold), "%.0f ms", r->init_ms);
	else if (!isnan(r->restore_ms))
		snprintf(cold, sizeof(cold), "R %.0f", r->restore_ms);
	else
		fd_strlcpy(cold, "", sizeof(cold));
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %-13s", when);
	if (fleet)
		fd_text_printf(t, FD_ROLE_LABEL, "%-20.20s ", r->function);
	fd_text_printf(t, FD_ROLE_NORMAL, "%-37s%10.2f%8.0f  %-14s", r->request_id,
		       r->duration_ms, r->billed_ms, mem);
	fd_text_printf(t, fd_invocation_cold(r) ? FD_ROLE_WARNING : FD_ROLE_NORMAL, "%-9s", cold);
	fd_text_printf(t, role, "%s", fd_inv_status_name(r->status));
	fd_text_link(t, r->request_id);
}

static void
build(struct fd_view *v)
{
	struct invview *iv = v->priv;
	struct fd_text *t = &iv->text;
	size_t i;

	select_rows(iv);
	fd_text_clear(t);
	header(iv, t);
	histogram(iv, t);
	fd_text_newline(t);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_HEADER, "  %-13s%s%-37s%10s%8s  %-14s%-9s%s", "TIME",
		       iv->function[0] ? "" : "FUNCTION             ", "REQUEST", "DUR ms", "BILLED",
		       "MEM used/size", "COLD", "STATUS");
	for (i = 0; i < iv->shown; i++)
		row(t, &iv->recs[iv->order[i]], !iv->function[0]);
	if (iv->shown && !fd_text_selected_link(t))
		fd_text_select_link(t, iv->recs[iv->order[0]].request_id);
	if (!iv->shown) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, iv->n ? "  Nothing matches the filters."
						  : "  No invocations cached for this window.");
	}
}

static void
start_backfill(struct fd_view *v, struct invview *iv)
{
	struct fd_app *app = fd_ui_app(v->ui);
	const struct fd_function *fn = iv->function[0] ? fd_model_function(fd_ui_model(v->ui),
									      iv->function)
						      : NULL;
	struct fd_backfill_target t;
	struct fd_backfill_opts o;
	struct fd_err err = {FD_OK, ""};
	char group[300];
	int64_t now = fd_wall_now_ms();

	if (!app->client || iv->bf || !iv->function[0] || iv->file[0])
		return;
	snprintf(group, sizeof(group), "/aws/lambda/%s", iv->function);
	t.function = iv->function;
	t.group = fn && fn->log_group ? fn->log_group : group;
	t.log_format = fn ? fn->log_format : NULL;
	memset(&o, 0, sizeof(o));
	o.from_ms = now - windows_s[iv->window_i] * 1000LL;
	o.to_ms = now;
	if (fd_backfill_start(app->client, app->cache, &app->ctx, &t, 1, &o, &iv->bf, &err) !=
	    FD_OK)
		fd_ui_message(v->ui, FD_ROLE_ERROR, "invocations: %s", err.msg);
	else
		fd_strlcpy(iv->note, "reading REPORT lines...", sizeof(iv->note));
}

static void
reload(struct fd_view *v)
{
	struct invview *iv = v->priv;

	free_records(iv);
	if (iv->file[0])
		load_file(v, iv);
	else
		load_cache(v, iv);
	build(v);
}

static void
inv_open(struct fd_view *v, const char *arg)
{
	struct invview *iv = v->priv;

	parse_arg(iv, arg);
	iv->window_i = 1;
	iv->desc = 1;
	snprintf(v->title, sizeof(v->title), "invocations%s%.60s", iv->function[0] ? " " : "",
		 iv->function);
	reload(v);
	start_backfill(v, iv);
	if (iv->bf)
		build(v);
}

static void
inv_close(struct fd_view *v)
{
	struct invview *iv = v->priv;

	fd_backfill_free(iv->bf);
	free_records(iv);
	fd_text_free(&iv->text);
}

/* A backfill that ended reloads the records. */
static void
poll_backfill(struct fd_view *v, struct invview *iv)
{
	struct fd_backfill_status st;

	if (!iv->bf)
		return;
	fd_backfill_status(iv->bf, &st);
	if (!st.done)
		return;
	fd_backfill_free(iv->bf);
	iv->bf = NULL;
	if (st.st != FD_OK && st.error[0])
		snprintf(iv->note, sizeof(iv->note), "backfill: %s", st.error);
	else
		snprintf(iv->note, sizeof(iv->note), "%zu records from %zu REPORT lines%s",
			 st.records, st.events, st.truncated ? " (stopped at the budget)" : "");
	reload(v);
}

static void
inv_draw(struct fd_view *v, struct fd_rect r)
{
	struct invview *iv = v->priv;

	poll_backfill(v, iv);
	fd_text_draw(&iv->text, r);
}

static void
open_request(struct fd_view *v, struct invview *iv)
{
	const char *rid = fd_text_selected_link(&iv->text);
	char arg[700];
	size_t i;

	if (!rid)
		return;
	for (i = 0; i < iv->n && strcmp(iv->recs[i].request_id, rid) != 0; i++)
		;
	snprintf(arg, sizeof(arg), "%s %s%s%s%s%s", rid, i < iv->n ? iv->recs[i].function : "",
		 iv->file[0] ? " @" : "", iv->file, iv->tfile[0] ? " @" : "", iv->tfile);
	fd_ui_push(v->ui, &fd_view_request, arg);
}

static int
cycle(int i, int n, int step)
{
	return ((i + step) % n + n) % n;
}

static int
inv_request(struct fd_view *v, enum fd_request req)
{
	struct invview *iv = v->priv;

	poll_backfill(v, iv);
	switch (req) {
	case FD_REQ_ENTER:
		open_request(v, iv);
		return 1;
	case FD_REQ_SORT_ERRORS:
		iv->status_i = cycle(iv->status_i, (int)FD_ARRAY_LEN(status_cycle), 1);
		break;
	case FD_REQ_COLDSTARTS:
		iv->cold_only = !iv->cold_only;
		break;
	case FD_REQ_SORT_P99:
		iv->slower_i = cycle(iv->slower_i, (int)FD_ARRAY_LEN(slower_ms), 1);
		break;
	case FD_REQ_SORT_NEXT:
	case FD_REQ_SORT_PREV:
		iv->sort = (enum inv_sort)cycle((int)iv->sort, SORT_COUNT,
						req == FD_REQ_SORT_NEXT ? 1 : -1);
		break;
	case FD_REQ_SORT_TOGGLE:
		iv->desc = !iv->desc;
		break;
	case FD_REQ_WINDOW:
		if (iv->file[0])
			return 1;
		iv->window_i = cycle(iv->window_i, (int)FD_ARRAY_LEN(windows_s), 1);
		reload(v);
		return 1;
	case FD_REQ_REFRESH:
		reload(v);
		start_backfill(v, iv);
		return 1;
	case FD_REQ_TRACES:
		if (iv->function[0])
			fd_ui_push(v->ui, &fd_view_traces, iv->function);
		return 1;
	default:
		return fd_text_request(&iv->text, req);
	}
	iv->text.cur.sel = 0;
	iv->text.cur.top = 0;
	build(v);
	return 1;
}

static enum fd_status
inv_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct invview *iv = v->priv;

	return fd_text_search(&iv->text, pattern, err);
}

const struct fd_view_ops fd_view_invocations = {
	.name = "invocations",
	.priv_size = sizeof(struct invview),
	.open = inv_open,
	.close = inv_close,
	.draw = inv_draw,
	.request = inv_request,
	.search = inv_search,
};
