/* cmd_costs.c - `fleetdeck costs`: what the fleet's logs cost per function and in
 * total (ingestion per day over the last whole days, stored bytes, retention, monthly
 * ingestion + storage estimate at the configured prices - the arithmetic is in
 * costs.h), the top talkers, the log level in use, the INIT cost of the cold starts
 * in the cached invocation records (and the monthly total with it), and fleetdeck's
 * own API spend: this session's, and what the cache recorded over --since for this
 * account and region.
 *
 * Online it lists functions and log groups and asks CloudWatch for IncomingBytes per
 * group and day (stored in the cache); --offline / --stale-ok use what is cached.
 * json: {"window": {"from", "to", "days"}, "prices": {...}, "fleet": {...},
 * "functions": [row...], "top_talkers": [name...], "session": {spend}, "api_spend":
 * {"since", "account", "region", spend}} where spend is get_metric_data_metrics,
 * get_metric_data_usd, insights_bytes_scanned, insights_usd, live_tail_minutes,
 * live_tail_usd, total_usd; table/csv/ndjson:
 * one row per function (table and text add the totals and the session spend after;
 * csv and ndjson print those on stderr). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"

#define DAY_S 86400
#define TOP_TALKERS 5

struct cost_opts {
	long since_s;
	int top;
	struct fd_cost_prices prices;
};

static int
price_arg(const char *opt, const char *v, double *out)
{
	char *end = NULL;
	double d = v ? strtod(v, &end) : -1;

	if (!v || !end || *end || !(d >= 0) || !isfinite(d))
		return fd_cmd_usage_of("costs", "%s takes a price in USD (got \"%s\")", opt,
		                       v ? v : "");
	*out = d;
	return 0;
}

static const char *
value_of(int argc, char **argv, int *i, const char *name, int *hit)
{
	size_t n = strlen(name);

	*hit = strncmp(argv[*i], name, n) == 0 && (argv[*i][n] == '=' || !argv[*i][n]);
	if (!*hit)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static int
one_opt(int argc, char **argv, int *i, struct cost_opts *o)
{
	const char *v;
	int hit;

	if ((v = value_of(argc, argv, i, "--since", &hit)), hit) {
		o->since_s = v ? fd_parse_duration(v) : -1;
		if (o->since_s < DAY_S || o->since_s > 15L * DAY_S)
			return fd_cmd_usage_of("costs", "--since takes 1d to 15d (got \"%s\")",
			                       v ? v : "");
		return 0;
	}
	if ((v = value_of(argc, argv, i, "--top", &hit)), hit) {
		o->top = v ? atoi(v) : 0;
		return o->top > 0 ? 0 : fd_cmd_usage_of("costs", "--top takes a positive number");
	}
	if ((v = value_of(argc, argv, i, "--ingest-price", &hit)), hit)
		return price_arg("--ingest-price", v, &o->prices.ingest_usd_per_gb);
	if ((v = value_of(argc, argv, i, "--storage-price", &hit)), hit)
		return price_arg("--storage-price", v, &o->prices.storage_usd_per_gb_month);
	return fd_cmd_usage_of("costs", "unknown option \"%s\"", argv[*i]);
}

static int
parse_opts(int argc, char **argv, struct cost_opts *o)
{
	int i, rc;

	for (i = 1; i < argc; i++)
		if ((rc = one_opt(argc, argv, &i, o)) != 0)
			return rc;
	return 0;
}

/* ---- data ---- */

struct cost_data {
	const struct fd_function **fns;
	const struct fd_log_group **groups;
	size_t n;
	struct fd_log_ingest_day *days;
	size_t ndays;
	int64_t from_s, to_s;
	long since_s;
	struct fd_init_cost *init; /* INIT $ per function over the window, by name */
	size_t ninit;
	int have_init;
};

static void
collect_functions(struct fd_model *m, struct cost_data *d)
{
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(m, &rows), i;

	d->fns = fd_xcalloc(n ? n : 1, sizeof(*d->fns));
	d->groups = fd_xcalloc(n ? n : 1, sizeof(*d->groups));
	for (i = 0; i < n; i++) {
		char *g = fd_function_log_group(rows[i].fn);
		d->fns[i] = rows[i].fn;
		d->groups[i] = fd_model_log_group(m, g);
		free(g);
	}
	d->n = n;
}

static enum fd_status
fetch_ingest(struct fd_app *app, struct cost_data *d, struct fd_err *err)
{
	char **names = fd_xcalloc(d->n ? d->n : 1, sizeof(*names));
	struct aws_error e;
	enum fd_status st;
	size_t i;

	for (i = 0; i < d->n; i++)
		names[i] = fd_function_log_group(d->fns[i]);
	st = fd_log_ingest_fetch_sync(app->client, (const char *const *)names, d->n, d->from_s,
	                              d->to_s, &d->days, &d->ndays, &e);
	for (i = 0; i < d->n; i++)
		free(names[i]);
	free(names);
	if (st != FD_OK) {
		char msg[512];
		aws_error_format(&e, msg, sizeof(msg));
		return fd_err_set(err, st, "log ingestion: %s", msg);
	}
	if (app->cache)
		(void)fd_cache_put_log_ingest(app->cache, &app->ctx, d->days, d->ndays, NULL);
	return FD_OK;
}

static void
load_init_cost(struct fd_app *app, struct cost_data *d)
{
	d->have_init = app->cache && fd_init_costs_load(app->cache, &app->ctx, d->from_s, d->to_s, 0,
	                                                &d->init, &d->ninit, NULL) == FD_OK;
}

static void
cost_data_free(struct cost_data *d)
{
	free(d->fns);
	free(d->groups);
	fd_log_ingest_days_free(d->days, d->ndays);
	free(d->init);
}

/* ---- output ---- */

static void
fmt_bytes(double v, char *out, size_t n)
{
	const char *unit[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	size_t u = 0;

	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	while (v >= 1024.0 && u + 1 < FD_ARRAY_LEN(unit)) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, n, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void
print_rows(enum fd_output fmt, const struct fd_log_costs *c, size_t limit)
{
	static const struct fd_col cols[] = {
	    {"function", "FUNCTION", FD_COL_STR, 0, 0, 0},
	    {"log_group", "LOG GROUP", FD_COL_STR, 28, 0, 0},
	    {"retention_days", "RETAIN", FD_COL_INT, 6, 1, 0},
	    {"stored_bytes", "STORED", FD_COL_NUM, 12, 1, 0},
	    {"ingest_bytes_per_day", "INGEST/DAY", FD_COL_NUM, 12, 1, 0},
	    {"ingest_usd_month", "INGEST$/MO", FD_COL_NUM, 10, 1, 2},
	    {"storage_usd_month", "STORE$/MO", FD_COL_NUM, 9, 1, 2},
	    {"total_usd_month", "TOTAL$/MO", FD_COL_NUM, 9, 1, 2},
	    {"log_level", "LEVEL", FD_COL_STR, 6, 0, 0},
	    {"init_usd_window", "INIT$", FD_COL_NUM, 7, 1, 4},
	    {"init_usd_month", "INIT$/MO", FD_COL_NUM, 8, 1, 2},
	    {"cost_usd_month", "COST$/MO", FD_COL_NUM, 8, 1, 2},
	};
	struct fd_out *o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	size_t i;

	for (i = 0; i < c->n && i < limit; i++) {
		const struct fd_log_cost_row *r = &c->rows[i];
		struct fd_cell cell[12];
		cell[0] = fd_cell_str(r->function);
		cell[1] = fd_cell_str(r->group);
		cell[2] = fd_cell_int(r->retention_days, r->retention_days >= 0);
		cell[3] = fd_cell_num(r->stored_bytes);
		cell[4] = fd_cell_num(r->ingest_per_day);
		cell[5] = fd_cell_num(r->ingest_usd_month);
		cell[6] = fd_cell_num(r->storage_usd_month);
		cell[7] = fd_cell_num(r->total_usd_month);
		cell[8] = fd_cell_str(r->log_level);
		cell[9] = fd_cell_num(r->init_usd_window);
		cell[10] = fd_cell_num(r->init_usd_month);
		cell[11] = fd_cell_num(r->cost_usd_month);
		fd_out_row(o, cell);
	}
	fd_out_end(o);
}

/* Indices of the rows with the most ingestion per day, most first. */
static size_t
top_talkers(const struct fd_log_costs *c, size_t *idx, size_t max)
{
	size_t n = 0, i, k;

	for (k = 0; k < max; k++) {
		size_t best = c->n;
		for (i = 0; i < c->n; i++) {
			double v = c->rows[i].ingest_per_day;
			int taken = 0;
			size_t j;
			for (j = 0; j < n; j++)
				taken |= idx[j] == i;
			if (!taken && !isnan(v) && v > 0 &&
			    (best == c->n || v > c->rows[best].ingest_per_day))
				best = i;
		}
		if (best == c->n)
			break;
		idx[n++] = best;
	}
	return n;
}

/* fleetdeck's own spend: this process, and what the cache holds for this account and
 * region since now - since_s (this run's records included: flushed first). */
static void
spend_of(struct fd_app *app, const struct cost_data *d, struct fd_session_spend *session,
         struct fd_session_spend *window)
{
	double amount[FD_SPEND_KINDS] = {0};
	int64_t now_ms = fd_wall_now_ms();

	fd_session_spend(session);
	fd_spend_flush();
	if (app->cache)
		(void)fd_cache_sum_spend(app->cache, app->ctx.account, app->ctx.region,
		                         now_ms - d->since_s * 1000, now_ms + 1, amount, NULL);
	fd_spend_price(amount, window);
}

static void
print_spend_line(FILE *f, const char *what, const struct fd_session_spend *s)
{
	char b[32];

	fmt_bytes(s->insights_bytes, b, sizeof(b));
	fprintf(f,
	        "%s: GetMetricData %llu metrics $%.4f; Logs Insights %s scanned $%.4f; "
	        "Live Tail %.2f min $%.4f; total $%.4f\n",
	        what, (unsigned long long)s->gmd_metrics, s->gmd_usd, b, s->insights_usd,
	        s->livetail_minutes, s->livetail_usd, s->total_usd);
}

static void
print_summary(FILE *f, struct fd_app *app, const struct fd_log_costs *c,
              const struct cost_data *d)
{
	struct fd_session_spend sp, win;
	size_t idx[TOP_TALKERS], n = top_talkers(c, idx, TOP_TALKERS), i;
	char a[32], b[32], label[128];

	fmt_bytes(c->ingest_per_day, a, sizeof(a));
	fmt_bytes(c->stored_bytes, b, sizeof(b));
	fprintf(f, "\nfleet: %zu functions, %s/day ingested over %.0f days, %s stored\n", c->n, a,
	        c->days, b);
	fprintf(f,
	        "estimated per month: ingestion $%.2f + storage $%.2f = $%.2f "
	        "(at $%.2f/GB ingested, $%.3f/GB-month stored)\n",
	        c->ingest_usd_month, c->storage_usd_month, c->total_usd_month,
	        c->prices.ingest_usd_per_gb, c->prices.storage_usd_per_gb_month);
	fprintf(f, "top talkers:");
	for (i = 0; i < n; i++) {
		char *name = fd_sanitize_dup(c->rows[idx[i]].function);
		fmt_bytes(c->rows[idx[i]].ingest_per_day, a, sizeof(a));
		fprintf(f, "%s %s %s/day", i ? "," : "", name, a);
		free(name);
	}
	fprintf(f, "%s\n", n ? "" : " none (no ingestion data)");
	if (d->have_init && !isnan(c->init_usd_window))
		fprintf(f,
		        "INIT (on-demand cold starts in the cached invocation records): $%.4f over "
		        "the window, $%.2f per month; with logs $%.2f per month\n",
		        c->init_usd_window, c->init_usd_month, c->cost_usd_month);
	else if (d->have_init)
		fprintf(f, "INIT: no on-demand cold start in the cached invocation records\n");
	spend_of(app, d, &sp, &win);
	print_spend_line(f, "fleetdeck this session", &sp);
	snprintf(label, sizeof(label), "fleetdeck over the last %ldd (%s %s)", d->since_s / DAY_S,
	         app->ctx.account, app->ctx.region);
	print_spend_line(f, label, &win);
}

static void
json_num(const char *key, double v, int comma)
{
	if (isnan(v))
		printf("%s\"%s\":null", comma ? "," : "", key);
	else
		printf("%s\"%s\":%.6g", comma ? "," : "", key, v);
}

/* The spend's members (inside an object). */
static void
json_spend(const struct fd_session_spend *s)
{
	printf("\"get_metric_data_metrics\":%llu", (unsigned long long)s->gmd_metrics);
	json_num("get_metric_data_usd", s->gmd_usd, 1);
	json_num("insights_bytes_scanned", s->insights_bytes, 1);
	json_num("insights_usd", s->insights_usd, 1);
	json_num("live_tail_minutes", s->livetail_minutes, 1);
	json_num("live_tail_usd", s->livetail_usd, 1);
	json_num("total_usd", s->total_usd, 1);
}

static void
print_json(struct fd_app *app, const struct fd_log_costs *c, const struct cost_data *d)
{
	struct fd_session_spend sp, win;
	size_t idx[TOP_TALKERS], n = top_talkers(c, idx, TOP_TALKERS), i;

	printf("{\"window\":{\"from\":%lld,\"to\":%lld", (long long)c->from_s, (long long)c->to_s);
	json_num("days", c->days, 1);
	printf("},\"prices\":{");
	json_num("ingest_usd_per_gb", c->prices.ingest_usd_per_gb, 0);
	json_num("storage_usd_per_gb_month", c->prices.storage_usd_per_gb_month, 1);
	printf("},\"fleet\":{\"functions\":%zu", c->n);
	json_num("ingest_bytes_per_day", c->ingest_per_day, 1);
	json_num("stored_bytes", c->stored_bytes, 1);
	json_num("ingest_usd_month", c->ingest_usd_month, 1);
	json_num("storage_usd_month", c->storage_usd_month, 1);
	json_num("total_usd_month", c->total_usd_month, 1);
	json_num("init_usd_window", d->have_init ? c->init_usd_window : NAN, 1);
	json_num("init_usd_month", d->have_init ? c->init_usd_month : NAN, 1);
	json_num("cost_usd_month", c->cost_usd_month, 1);
	printf("},\"functions\":");
	fflush(stdout);
	print_rows(FD_OUT_JSON, c, c->n);
	printf(",\"top_talkers\":[");
	for (i = 0; i < n; i++) {
		printf("%s", i ? "," : "");
		fd_json_put_string(stdout, c->rows[idx[i]].function);
	}
	printf("]");
	spend_of(app, d, &sp, &win);
	printf(",\"session\":{");
	json_spend(&sp);
	printf("},\"api_spend\":{\"since\":%lld,\"account\":",
	       (long long)(fd_wall_now() - d->since_s));
	fd_json_put_string(stdout, app->ctx.account);
	printf(",\"region\":");
	fd_json_put_string(stdout, app->ctx.region);
	putchar(',');
	json_spend(&win);
	printf("}}\n");
}

int
cmd_costs(struct fd_app *app, int argc, char **argv)
{
	struct cost_opts o = {7L * DAY_S, 0, {0, 0}};
	struct fd_err err = {FD_OK, ""};
	struct cost_data d;
	struct fd_log_costs c;
	struct fd_model *m = NULL;
	int64_t now;
	int rc;

	fd_cost_prices_default(&o.prices);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (fd_model_open_headless(app, FD_REFRESH_LIST | FD_REFRESH_GROUPS, &m, &err) != FD_OK)
		return fd_cmd_fail(&err);
	memset(&d, 0, sizeof(d));
	d.since_s = o.since_s;
	now = (int64_t)fd_wall_now();
	d.to_s = now - now % DAY_S;
	d.from_s = d.to_s - (o.since_s + DAY_S - 1) / DAY_S * DAY_S;
	collect_functions(m, &d);
	if ((app->offline || app->stale_ok) && app->cache)
		(void)fd_cache_get_log_ingest(app->cache, &app->ctx, d.from_s, d.to_s, &d.days,
		                              &d.ndays, NULL);
	if (!app->offline && !d.ndays && fetch_ingest(app, &d, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
		goto out;
	}
	load_init_cost(app, &d);
	fd_log_costs_build(d.fns, d.groups, d.n, d.days, d.ndays, d.from_s, d.to_s, &o.prices, &c);
	if (d.have_init)
		fd_log_costs_apply_init(&c, d.init, d.ninit);
	if (app->output == FD_OUT_JSON) {
		print_json(app, &c, &d);
	} else {
		enum fd_output fmt = app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TEXT
		                         ? FD_OUT_TABLE
		                         : app->output;
		print_rows(fmt, &c, o.top > 0 ? (size_t)o.top : c.n);
		print_summary(fmt == FD_OUT_TABLE ? stdout : stderr, app, &c, &d);
	}
	fd_log_costs_free(&c);
out:
	cost_data_free(&d);
	fd_model_free(m);
	return rc;
}
