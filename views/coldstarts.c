/* coldstarts.c - the fleet's cold starts, highest impact first (rate x p99 INIT x
 * invocations): per function, version and memory the invocations, cold starts,
 * rate, INIT percentiles (SnapStart restores marked R), provisioned concurrency and
 * spill-over, INIT cost and a sparkline of cold starts per 5 minutes. Enter (or
 * `:coldstarts FN`, `c` on a function) opens one function: a histogram of its INIT
 * durations, cold starts over time and the suggestions that apply. Statistics come
 * from the cached records (online, new REPORT lines are read in the background);
 * `:coldstarts @FILE` reads saved events. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/coldstarts.h"
#include "fleetdeck/view.h"

#define HIST_BINS 10
#define HIST_BAR 30

static const int windows_s[] = {3600, 10800, 86400, 7 * 86400};

struct csview {
	char function[128], file[256];
	struct fd_text text;
	struct fd_coldstarts cs;
	int window_i;
	int64_t now_ms;
	struct fd_backfill *bf;
	char note[320];
};

static void
parse_arg(struct csview *cv, const char *arg)
{
	char copy[600], *save = NULL, *tok;

	fd_strlcpy(copy, arg, sizeof(copy));
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '@')
			fd_strlcpy(cv->file, tok + 1, sizeof(cv->file));
		else
			fd_strlcpy(cv->function, tok, sizeof(cv->function));
	}
}

/* The inventory as one array (shallow copies of the model's records). */
static struct fd_function *
inventory(struct fd_view *v, size_t *n)
{
	const struct fd_fn_row *rows;
	struct fd_function *fns;
	size_t i;

	*n = fd_model_rows(fd_ui_model(v->ui), &rows);
	fns = fd_xcalloc(*n + 1, sizeof(*fns));
	for (i = 0; i < *n; i++)
		fns[i] = *rows[i].fn;
	return fns;
}

static void
opts(const struct csview *cv, struct fd_coldstart_opts *o, const char **only)
{
	memset(o, 0, sizeof(*o));
	o->to_ms = cv->now_ms;
	o->from_ms = cv->now_ms - windows_s[cv->window_i] * 1000LL;
	o->keep_values = cv->function[0] != '\0';
	if (cv->function[0]) {
		only[0] = cv->function;
		o->functions = only;
		o->nfunctions = 1;
	}
}

/* Saved events: their records through the accumulator over the file's own span. */
static enum fd_status
compute_file(struct csview *cv, const struct fd_function *fns, size_t nfns, struct fd_err *err)
{
	const struct fd_invocation *r;
	struct fd_inv_file *f = NULL;
	struct fd_coldstart_opts o;
	struct fd_cs_acc *a;
	const char *only[1];
	size_t n, i;

	if (fd_inv_file_load(cv->file, NULL, &f, err) != FD_OK)
		return err->status;
	n = fd_inv_file_records(f, &r);
	cv->now_ms = 0;
	for (i = 0; i < n; i++)
		cv->now_ms = FD_MAX(cv->now_ms, r[i].end_ms + 1);
	cv->window_i = 0; /* the last hour of the file */
	opts(cv, &o, only);
	a = fd_cs_acc_new(&o);
	for (i = 0; i < n; i++) {
		struct fd_inv_sample s = {r[i].function, r[i].version, r[i].init_type, r[i].end_ms,
					  r[i].memory_mb, r[i].init_ms, r[i].restore_ms};
		if (r[i].end_ms)
			fd_cs_acc_add(a, &s);
	}
	fd_cs_acc_finish(a, fns, nfns, &cv->cs);
	fd_inv_file_free(f);
	return FD_OK;
}

static void
compute(struct fd_view *v, struct csview *cv)
{
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_coldstart_opts o;
	struct fd_err err = {FD_OK, ""};
	const char *only[1];
	struct fd_function *fns;
	size_t nfns;
	enum fd_status st = FD_OK;

	fd_coldstarts_free(&cv->cs);
	fns = inventory(v, &nfns);
	if (cv->file[0]) {
		st = compute_file(cv, fns, nfns, &err);
	} else if (app->cache) {
		cv->now_ms = fd_wall_now_ms();
		opts(cv, &o, only);
		st = fd_coldstarts_local(app->cache, &app->ctx, &o, fns, nfns, &cv->cs, &err);
	}
	if (st != FD_OK)
		fd_ui_message(v->ui, FD_ROLE_ERROR, "cold starts: %s", err.msg);
	free(fns);
}

static void
spark(struct fd_text *t, const struct fd_coldstart_row *r, size_t width)
{
	double v[FD_COLDSTART_MAX_BUCKETS];
	struct fd_buf b;
	size_t i, n = FD_MIN(r->ntrend, (size_t)FD_COLDSTART_MAX_BUCKETS), per, k = 0;

	if (!n)
		return;
	per = (n + width - 1) / width;
	for (i = 0; i < n; i += per, k++) {
		size_t j;
		v[k] = 0;
		for (j = i; j < n && j < i + per; j++)
			v[k] += r->trend[j];
		if (v[k] == 0)
			v[k] = NAN; /* blank where there was none */
	}
	fd_buf_init(&b);
	fd_spark(v, k, 0, &b);
	fd_text_put(t, FD_ROLE_CHART, b.data ? b.data : "");
	fd_buf_free(&b);
}

static void
fmt_ms(double v, char *out, size_t n)
{
	if (isnan(v))
		fd_strlcpy(out, "-", n);
	else
		snprintf(out, n, "%.0f", v);
}

static void
fleet_row(struct fd_text *t, const struct fd_coldstart_row *r, size_t idx)
{
	char p50[16], p99[16], link[32];
	int restore = isnan(r->init_p50) && !isnan(r->restore_p50);

	fmt_ms(restore ? r->restore_p50 : r->init_p50, p50, sizeof(p50));
	fmt_ms(restore ? r->restore_p99 : r->init_p99, p99, sizeof(p99));
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %-20.20s %-7.7s %-11.11s %5d %7lld %6lld ",
		       r->function, r->version[0] ? r->version : "-",
		       r->runtime[0] ? r->runtime : "-", r->memory_mb, r->invocations,
		       r->cold_starts);
	fd_text_printf(t, r->rate >= 0.05 ? FD_ROLE_WARNING : FD_ROLE_NORMAL, "%6.2f%%",
		       r->rate * 100.0);
	fd_text_printf(t, FD_ROLE_NORMAL, " %1s%6s %7s %4d %5lld %8.2f %8.2f ", restore ? "R" : "",
		       p50, p99, r->provisioned, r->spillover, r->init_gb_s, r->impact);
	spark(t, r, 12);
	snprintf(link, sizeof(link), "%zu", idx);
	fd_text_link(t, link);
}

static const char *
window_name(int s)
{
	return s == 3600 ? "last 1h" : s == 10800 ? "last 3h" : s == 86400 ? "last 24h" : "last 7d";
}

static void
header(struct csview *cv, struct fd_text *t)
{
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  Cold starts");
	if (cv->function[0])
		fd_text_printf(t, FD_ROLE_TITLE, " of %s", cv->function);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %lld of %lld invocations (%.2f%%)", cv->cs.cold_starts,
		       cv->cs.invocations,
		       cv->cs.invocations ? 100.0 * (double)cv->cs.cold_starts /
						    (double)cv->cs.invocations
					  : 0.0);
	fd_text_printf(t, FD_ROLE_DIM, "  %s, nearest-rank percentiles%s",
		       cv->file[0] ? "saved events, their last hour"
				   : window_name(windows_s[cv->window_i]),
		       cv->file[0] ? "" : "  (w window, r refresh)");
	if (cv->note[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "  %s", cv->note);
	}
}

static void
build_fleet(struct csview *cv)
{
	struct fd_text *t = &cv->text;
	size_t i;

	fd_text_clear(t);
	header(cv, t);
	fd_text_newline(t);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_HEADER, "  %-20s %-7s %-11s %5s %7s %6s %7s %7s %7s %4s %5s %8s "
		       "%8s %s", "FUNCTION", "VERSION", "RUNTIME", "MEM", "INVOC", "COLD", "RATE",
		       "P50ms", "P99ms", "PC", "SPILL", "GB-s", "IMPACT", "PER 5 MIN");
	for (i = 0; i < cv->cs.n; i++)
		fleet_row(t, &cv->cs.rows[i], i);
	if (!fd_text_selected_link(t))
		fd_text_select_link(t, "0");
	if (!cv->cs.n) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, "  No invocation records in this window yet.");
	}
}

static void
histogram(struct fd_text *t, const struct fd_coldstart_row *r)
{
	double lo, hi, w, bins[HIST_BINS] = {0}, top = 0;
	size_t i, b;

	if (!r->ninit)
		return;
	lo = r->init_values[0];
	hi = r->init_values[r->ninit - 1];
	w = (hi - lo) / HIST_BINS + 1e-9;
	for (i = 0; i < r->ninit; i++) {
		b = FD_MIN((size_t)((r->init_values[i] - lo) / w), (size_t)HIST_BINS - 1);
		bins[b] += 1;
		top = FD_MAX(top, bins[b]);
	}
	for (b = 0; b < HIST_BINS; b++) {
		double cells[HIST_BAR];
		struct fd_buf bar;
		int len = (int)lround(bins[b] / top * HIST_BAR), k;
		for (k = 0; k < HIST_BAR; k++)
			cells[k] = k < len ? 1.0 : NAN;
		fd_buf_init(&bar);
		fd_spark(cells, HIST_BAR, 1.0, &bar);
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "    %7.0f - %7.0f ms ", lo + w * (double)b,
			       lo + w * (double)(b + 1));
		fd_text_put(t, FD_ROLE_CHART, bar.data ? bar.data : "");
		fd_text_printf(t, FD_ROLE_NORMAL, " %.0f", bins[b]);
		fd_buf_free(&bar);
	}
}

static void
detail_row(struct fd_text *t, const struct fd_coldstart_row *r)
{
	struct fd_cs_suggestion s[4];
	char title[200];
	size_t n, i;

	snprintf(title, sizeof(title), "%s version %s, %d MB%s%s", r->function,
		 r->version[0] ? r->version : "-", r->memory_mb, r->alias[0] ? ", alias " : "",
		 r->alias);
	fd_text_section(t, title);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_NORMAL, "  %lld cold starts in %lld invocations (%.2f%%), %s %s",
		       r->cold_starts, r->invocations, r->rate * 100.0,
		       r->runtime[0] ? r->runtime : "runtime ?", r->architecture);
	fd_text_newline(t);
	if (!isnan(r->init_p50))
		fd_text_printf(t, FD_ROLE_NORMAL, "  INIT p50 %.0f  p90 %.0f  p99 %.0f  max %.0f ms",
			       r->init_p50, r->init_p90, r->init_p99, r->init_max);
	if (!isnan(r->restore_p50))
		fd_text_printf(t, FD_ROLE_NORMAL, "  restore p50 %.0f  p90 %.0f  p99 %.0f ms",
			       r->restore_p50, r->restore_p90, r->restore_p99);
	fd_text_printf(t, FD_ROLE_DIM, "   INIT billed %.2f GB-s ($%.5f)", r->init_gb_s,
		       r->init_cost);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_NORMAL, "  provisioned concurrency %d, spill-over %lld",
		       r->provisioned, r->spillover);
	histogram(t, r);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  cold starts per 5 min  ");
	spark(t, r, 60);
	n = fd_coldstart_suggest(r, s, FD_ARRAY_LEN(s));
	for (i = 0; i < n; i++) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_WARNING, "  %s %s", fd_glyph(FD_GLYPH_BULLET), s[i].text);
	}
	if (!n) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_OK, "  no suggestion: cold starts look under control");
	}
}

static void
build(struct csview *cv)
{
	size_t i;

	if (!cv->function[0]) {
		build_fleet(cv);
		return;
	}
	fd_text_clear(&cv->text);
	header(cv, &cv->text);
	for (i = 0; i < cv->cs.n; i++)
		detail_row(&cv->text, &cv->cs.rows[i]);
	if (!cv->cs.n) {
		fd_text_newline(&cv->text);
		fd_text_put(&cv->text, FD_ROLE_DIM, "  No invocation records in this window yet.");
	}
}

/* Online: the window's REPORT lines newer than the cache holds, in the background. */
static void
start_backfill(struct fd_view *v, struct csview *cv)
{
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_backfill_target *t;
	struct fd_backfill_opts o;
	struct fd_err err = {FD_OK, ""};
	struct fd_function *fns;
	char **groups;
	size_t nfns, i, n = 0;
	long long rows;
	int64_t newest;

	if (!app->client || !app->cache || cv->bf || cv->file[0])
		return;
	fns = inventory(v, &nfns);
	t = fd_xcalloc(nfns + 1, sizeof(*t));
	groups = fd_xcalloc(nfns + 1, sizeof(char *));
	for (i = 0; i < nfns; i++) {
		if (cv->function[0] && !fd_str_eq(fns[i].name, cv->function))
			continue;
		groups[n] = fns[i].log_group ? fd_xstrdup(fns[i].log_group)
					     : fd_xasprintf("/aws/lambda/%s", fns[i].name);
		t[n] = (struct fd_backfill_target){fns[i].name, groups[n], fns[i].log_format};
		n++;
	}
	memset(&o, 0, sizeof(o));
	o.to_ms = fd_wall_now_ms();
	o.from_ms = o.to_ms - windows_s[cv->window_i] * 1000LL;
	if (fd_cache_invocations_count(app->cache, &app->ctx, &rows, &newest, &err) == FD_OK)
		o.from_ms = FD_MAX(o.from_ms, newest - 60000);
	if (n && fd_backfill_start(app->client, app->cache, &app->ctx, t, n, &o, &cv->bf, &err) ==
		     FD_OK)
		fd_strlcpy(cv->note, "reading new REPORT lines...", sizeof(cv->note));
	for (i = 0; i < n; i++)
		free(groups[i]);
	free(groups);
	free(t);
	free(fns);
}

static void
cs_open(struct fd_view *v, const char *arg)
{
	struct csview *cv = v->priv;

	parse_arg(cv, arg);
	cv->window_i = 2;
	snprintf(v->title, sizeof(v->title), "cold starts%s%.60s", cv->function[0] ? " " : "",
		 cv->function);
	compute(v, cv);
	start_backfill(v, cv);
	build(cv);
}

static void
cs_close(struct fd_view *v)
{
	struct csview *cv = v->priv;

	fd_backfill_free(cv->bf);
	fd_coldstarts_free(&cv->cs);
	fd_text_free(&cv->text);
}

/* A backfill that ended recomputes the table (before a paint or a key). */
static void
poll_backfill(struct fd_view *v, struct csview *cv)
{
	struct fd_backfill_status st;

	if (!cv->bf)
		return;
	fd_backfill_status(cv->bf, &st);
	if (!st.done)
		return;
	fd_backfill_free(cv->bf);
	cv->bf = NULL;
	snprintf(cv->note, sizeof(cv->note), "%zu new records%s%.200s", st.records,
		 st.error[0] ? "; " : "", st.error);
	compute(v, cv);
	build(cv);
}

static void
cs_draw(struct fd_view *v, struct fd_rect r)
{
	struct csview *cv = v->priv;

	poll_backfill(v, cv);
	fd_text_draw(&cv->text, r);
}

static int
cs_request(struct fd_view *v, enum fd_request req)
{
	struct csview *cv = v->priv;
	const char *link;
	char arg[600];

	poll_backfill(v, cv);
	link = fd_text_selected_link(&cv->text);
	switch (req) {
	case FD_REQ_ENTER:
		if (!cv->function[0] && link && (size_t)atoi(link) < cv->cs.n) {
			snprintf(arg, sizeof(arg), "%s%s%s", cv->cs.rows[atoi(link)].function,
				 cv->file[0] ? " @" : "", cv->file);
			fd_ui_push(v->ui, &fd_view_coldstarts, arg);
		}
		return 1;
	case FD_REQ_WINDOW:
		if (cv->file[0])
			return 1;
		cv->window_i = (cv->window_i + 1) % (int)FD_ARRAY_LEN(windows_s);
		compute(v, cv);
		start_backfill(v, cv);
		build(cv);
		return 1;
	case FD_REQ_REFRESH:
		compute(v, cv);
		start_backfill(v, cv);
		build(cv);
		return 1;
	case FD_REQ_TRACES:
		if (cv->function[0])
			fd_ui_push(v->ui, &fd_view_traces, cv->function);
		return 1;
	default:
		return fd_text_request(&cv->text, req);
	}
}

static enum fd_status
cs_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct csview *cv = v->priv;

	return fd_text_search(&cv->text, pattern, err);
}

const struct fd_view_ops fd_view_coldstarts = {
	.name = "coldstarts",
	.priv_size = sizeof(struct csview),
	.open = cs_open,
	.close = cs_close,
	.draw = cs_draw,
	.request = cs_request,
	.search = cs_search,
};
