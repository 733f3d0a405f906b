/* cmd_functions.c - `fleetdeck functions`: one row per function over a window, the
 * columns of FD_FN_COLUMNS (--columns picks). Online it lists the functions and
 * fetches their metrics first; --offline / --stale-ok answer from the cache.
 *
 * json / ndjson shape (stable, one object per function, keys in this order unless
 * --columns picks others): name, runtime, memory_mb, timeout_s, last_modified,
 * invocations, errors, error_pct, throttles, p50_ms, p99_ms, cold_start_pct,
 * concurrency, cost_usd_month, risks. Counts are integers, error_pct, the latencies
 * and the cost numbers, null when there is no data for the window. csv has the same
 * columns with a header line. The table leaves the cost out unless --columns names
 * it (as the dashboard does until it is asked for); naming it in --columns or --sort
 * also refreshes the log groups, whose stored bytes it counts; otherwise the cost
 * comes from what the cache holds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"

struct fn_opts {
	const char *filter;
	const char *sort;
	const char *columns;
	int window_s;
	int cols[FD_FC_COUNT];
	size_t ncols;
	enum fd_fn_col sort_col;
	int sort_desc;
};

static int
parse_window(const char *s, int *out)
{
	long v = fd_parse_duration(s);

	if (v != 900 && v != 3600 && v != 10800 && v != 86400)
		return 0;
	*out = (int)v;
	return 1;
}

static int
parse_columns(const char *list, struct fn_opts *o, const char **bad)
{
	char *copy = fd_xstrdup(list), *save = NULL, *tok;
	int ok = 1;

	o->ncols = 0;
	for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		int c = fd_fn_col_find(tok);
		if (c < 0 || o->ncols == FD_FC_COUNT) {
			*bad = list + (tok - copy);
			ok = 0;
		} else {
			o->cols[o->ncols++] = c;
		}
	}
	free(copy);
	return ok && o->ncols > 0;
}

/* "COLUMN[:asc|desc]"; numbers sort descending by default, text ascending. */
static int
parse_sort(const char *s, struct fn_opts *o)
{
	char name[64];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	int c;

	if (n >= sizeof(name))
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	c = fd_fn_col_find(name);
	if (c < 0)
		return 0;
	o->sort_col = (enum fd_fn_col)c;
	o->sort_desc = fd_fn_col_info(o->sort_col)->type != 'S';
	if (colon && strcmp(colon + 1, "asc") == 0)
		o->sort_desc = 0;
	else if (colon && strcmp(colon + 1, "desc") == 0)
		o->sort_desc = 1;
	else if (colon)
		return 0;
	return 1;
}

#define usage(...) fd_cmd_usage_of("functions", __VA_ARGS__)

static int
parse_opts(int argc, char **argv, struct fn_opts *o)
{
	const char *v = NULL, *bad = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (fd_opt_value(argc, argv, &i, "--filter", &v))
			o->filter = v;
		else if (fd_opt_value(argc, argv, &i, "--sort", &v))
			o->sort = v;
		else if (fd_opt_value(argc, argv, &i, "--columns", &v))
			o->columns = v;
		else if (fd_opt_value(argc, argv, &i, "--window", &v)) {
			if (!v || !parse_window(v, &o->window_s))
				return usage("--window takes 15m, 1h, 3h or 24h (got \"%s\")",
				             v ? v : "");
			continue;
		} else
			return usage("unknown option \"%s\"", argv[i]);
		if (!v)
			return usage("%s needs a value", argv[i]);
	}
	if (o->sort && !parse_sort(o->sort, o))
		return usage("--sort takes COLUMN[:asc|desc], COLUMN one of the columns "
		             "(got \"%s\")",
		             o->sort);
	if (o->columns && !parse_columns(o->columns, o, &bad))
		return usage("--columns: unknown column \"%s\"", bad ? bad : o->columns);
	return 0;
}

static enum fd_col_type
col_type(enum fd_fn_col c)
{
	switch (c) {
	case FD_FC_ERROR_PCT:
	case FD_FC_P50:
	case FD_FC_P99:
	case FD_FC_COST:
		return FD_COL_NUM;
	default:
		return fd_fn_col_info(c)->type == 'S' ? FD_COL_STR : FD_COL_INT;
	}
}

static void
build_cols(const struct fn_opts *o, int table, struct fd_col *cols)
{
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		const struct fd_fn_col_info *ci = fd_fn_col_info((enum fd_fn_col)o->cols[i]);
		cols[i].name = ci->json;
		cols[i].header = ci->header;
		cols[i].type = table ? FD_COL_STR : col_type((enum fd_fn_col)o->cols[i]);
		cols[i].width = ci->width;
		cols[i].right = ci->right;
		cols[i].decimals = 2;
	}
}

/* Typed cells for json/csv; the table gets the dashboard's compact text. */
static void
fill_cells(const struct fn_opts *o, int table, const struct fd_fn_row *r, char (*text)[64],
           struct fd_cell *cells)
{
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		enum fd_fn_col c = (enum fd_fn_col)o->cols[i];
		double v = fd_fn_row_num(r, c);
		if (table) {
			fd_fn_row_cell(r, c, text[i], sizeof(text[i]));
			cells[i] = fd_cell_str(text[i]);
		} else if (col_type(c) == FD_COL_STR) {
			cells[i] = fd_cell_str(fd_fn_row_str(r, c));
		} else if (col_type(c) == FD_COL_NUM) {
			cells[i] = fd_cell_num(v);
		} else {
			cells[i] = fd_cell_int(isnan(v) ? 0 : llround(v), !isnan(v));
		}
	}
}

struct stream_out {
	const struct fn_opts *o;
	struct fd_out *out;
	size_t rows;
};

/* The first rows go out at once; the rest as stdio's buffer fills. */
static int
stream_one(const struct fd_fn_row *r, void *ud)
{
	struct stream_out *s = ud;
	struct fd_cell cells[FD_FC_COUNT];

	fill_cells(s->o, 0, r, NULL, cells);
	fd_out_row(s->out, cells);
	if (++s->rows == 1)
		fflush(stdout);
	return 0;
}

static int
is_table(const struct fd_app *app)
{
	return app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TABLE ||
	       app->output == FD_OUT_TEXT;
}

/* --offline json / ndjson / csv in an order SQL answers: rows print as they are read
 * (a table needs every row first for its widths). */
static enum fd_status
stream_rows(struct fd_app *app, struct fd_model *m, const struct fn_opts *o, struct fd_err *err)
{
	struct fd_col cols[FD_FC_COUNT];
	struct stream_out s = {o, NULL, 0};
	enum fd_status st;

	build_cols(o, 0, cols);
	s.out = fd_out_begin(stdout, app->output, cols, o->ncols);
	st = fd_model_stream_rows(m, stream_one, &s, err);
	fd_out_end(s.out);
	return st;
}

static void
print_rows(struct fd_app *app, struct fd_model *m, const struct fn_opts *o)
{
	int table = is_table(app);
	struct fd_col cols[FD_FC_COUNT];
	struct fd_cell cells[FD_FC_COUNT];
	char text[FD_FC_COUNT][64];
	const struct fd_fn_row *rows;
	struct fd_out *out;
	size_t n, i;

	build_cols(o, table, cols);
	n = fd_model_rows(m, &rows);
	out = fd_out_begin(stdout, app->output, cols, o->ncols);
	for (i = 0; i < n; i++) {
		fill_cells(o, table, &rows[i], text, cells);
		fd_out_row(out, cells);
	}
	fd_out_end(out);
}

/* Checked before any network or cache work, so a typo fails fast with status 2. */
static int
filter_valid(const char *regex, struct fd_err *err)
{
	struct fd_ctx none;
	struct fd_model *m = NULL;
	int ok;

	memset(&none, 0, sizeof(none));
	if (fd_model_new(NULL, NULL, &none, &m, err) != FD_OK)
		return 0;
	ok = fd_model_set_filter(m, regex, err) == FD_OK;
	fd_model_free(m);
	return ok;
}

static void
default_opts(struct fn_opts *o, int table)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->window_s = 3600;
	o->sort_col = FD_FC_NAME;
	for (i = 0; i < FD_FC_COUNT; i++)
		if (i != FD_FC_COST || !table)
			o->cols[o->ncols++] = i;
}

static int
wants_cost(const struct fn_opts *o)
{
	size_t i;

	/* Only an explicit --columns/--sort cost pays for the log-group pages; the
	 * default json/csv cost field is answered from what the cache holds. */
	for (i = 0; o->columns && i < o->ncols; i++)
		if (o->cols[i] == FD_FC_COST)
			return 1;
	return o->sort_col == FD_FC_COST;
}

static size_t
cached_count(struct fd_model *m)
{
	struct fd_totals t;

	fd_model_totals(m, &t);
	return t.functions;
}

/* The model was opened lazily: stream when the listing allows it, else load it all. */
static int
offline_rows(struct fd_app *app, struct fd_model *m, const struct fn_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	enum fd_status st = FD_OK;

	if (fd_model_streamable(m)) {
		st = stream_rows(app, m, o, &err);
		fd_model_print_cache_age(m);
	} else if ((st = fd_model_load_cache(m, &err)) == FD_OK) {
		fd_model_print_cache_age(m);
		print_rows(app, m, o);
	}
	fd_model_free(m);
	return st == FD_OK ? 0 : fd_cmd_fail(&err);
}

int
cmd_functions(struct fd_app *app, int argc, char **argv)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_model *m = NULL;
	struct fn_opts o;
	int rc;

	default_opts(&o, app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TABLE ||
	                     app->output == FD_OUT_TEXT);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.filter && !filter_valid(o.filter, &err))
		return fd_cmd_usage(fd_cmd_find("functions", NULL), "--filter: %s", err.msg);
	if (app->output == FD_OUT_TEXT)
		app->output = FD_OUT_TABLE;
	if (fd_model_open_headless(app, is_table(app) ? 0 : FD_OPEN_LAZY, &m, &err) != FD_OK)
		return fd_cmd_fail(&err);
	fd_model_set_window(m, o.window_s);
	(void)fd_model_set_filter(m, o.filter, &err);
	fd_model_set_sort(m, o.sort_col, o.sort_desc);
	if (app->offline && !is_table(app))
		return offline_rows(app, m, &o);
	if (!app->offline && (!app->stale_ok || !cached_count(m)) &&
	    fd_model_refresh_sync(m, FD_REFRESH_LIST | FD_REFRESH_METRICS |
	                                 (wants_cost(&o) ? FD_REFRESH_GROUPS : 0),
	                          &err) != FD_OK) {
		fd_model_free(m);
		return fd_cmd_fail(&err);
	}
	print_rows(app, m, &o);
	fd_model_free(m);
	return 0;
}
