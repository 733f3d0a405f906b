/* coldstarts_insights.c - cold-start statistics server-side: a Logs Insights `stats`
 * query per 50 log groups for the totals (count, INIT and restore percentiles, INIT
 * sum, memory) and one for cold starts per 5 minutes, a few queries at once, each
 * polled (GetQueryResults, backing off to 2 s) until final; progress reports the
 * records and bytes scanned; cancel stops them (StopQuery). Rows land in the same
 * table as the local statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coldstarts_int.h"
#include "fleetdeck/aws.h"
#include "fleetdeck/coldstarts.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/logs.h"

#define POLL_FIRST_MS 500
#define POLL_MAX_MS 2000
#define QUERY_ROW_LIMIT 10000
#define WAIT_MS 1000

#define REPORT_FILTER "filter @type = \"REPORT\" or @type = \"platform.report\""
#define RUNNING_MAX 4              /* queries at once (the account allows 30) */

static const char totals_query[] =
	REPORT_FILTER
	" | stats count(*) as invocations, count(@initDuration) as cold_starts, "
	"pct(@initDuration, 50) as init_p50, pct(@initDuration, 90) as init_p90, "
	"pct(@initDuration, 99) as init_p99, max(@initDuration) as init_max, "
	"sum(@initDuration) as init_sum, count(@restoreDuration) as restores, "
	"pct(@restoreDuration, 50) as restore_p50, pct(@restoreDuration, 90) as restore_p90, "
	"pct(@restoreDuration, 99) as restore_p99, max(@restoreDuration) as restore_max, "
	"max(@memorySize) as memory by @log";
static const char trend_query[] =
	"filter (@type = \"REPORT\" or @type = \"platform.report\") and ispresent(@initDuration)"
	" | stats count(*) as cold_starts by bin(5m), @log";

const char *
fd_coldstarts_query(int trend)
{
	return trend ? trend_query : totals_query;
}

enum q_state { Q_IDLE, Q_STARTING, Q_WAITING, Q_DONE };

struct cs_query {
	struct fd_cs_server *s;
	int trend;
	size_t first, n;           /* targets [first, first + n) */
	enum q_state state;
	char *id;
	uint64_t call;
	int busy;
	int64_t next_ms;
	int interval_ms;
	struct logs_query_result res;
};

struct fd_cs_server {
	struct aws_client *c;
	struct fd_coldstart_opts o;
	char **fn, **group;
	size_t nt;
	struct cs_query *q;
	size_t nq;
	struct fd_cs_progress p;
};

static void
query_fail(struct cs_query *q, enum fd_status st, const char *msg)
{
	q->state = Q_DONE;
	q->s->p.st = st;
	fd_strlcpy(q->s->p.error, msg, sizeof(q->s->p.error));
}

static void
aws_fail(struct cs_query *q, const struct aws_error *e)
{
	char msg[256];

	aws_error_format(e, msg, sizeof(msg));
	query_fail(q, e->status, msg);
}

static void
on_results(struct aws_response *resp, void *ud)
{
	struct cs_query *q = ud;
	struct logs_query_result res;
	struct fd_err err = {FD_OK, ""};

	q->busy = 0;
	if (resp->error.status != FD_OK) {
		aws_fail(q, &resp->error);
		return;
	}
	memset(&res, 0, sizeof(res));
	if (logs_parse_query_results(resp->body.data, resp->body.len, &res, &err) != FD_OK) {
		query_fail(q, err.status, err.msg);
		return;
	}
	logs_query_result_free(&q->res);
	q->res = res;
	if (!logs_query_done(res.status)) {
		q->next_ms = fd_now_ms() + q->interval_ms;
		q->interval_ms = FD_MIN(q->interval_ms * 3 / 2, POLL_MAX_MS);
		return;
	}
	q->state = Q_DONE;
	if (strcmp(res.status, "Complete") != 0) {
		char msg[96];
		snprintf(msg, sizeof(msg), "Logs Insights query ended %s", res.status);
		query_fail(q, FD_EAWS, msg);
	}
}

static void
on_started(struct aws_response *resp, void *ud)
{
	struct cs_query *q = ud;
	struct fd_err err = {FD_OK, ""};

	q->busy = 0;
	if (resp->error.status != FD_OK) {
		aws_fail(q, &resp->error);
		return;
	}
	if (logs_parse_start_query(resp->body.data, resp->body.len, &q->id, &err) != FD_OK) {
		query_fail(q, err.status, err.msg);
		return;
	}
	q->state = Q_WAITING;
	q->interval_ms = POLL_FIRST_MS;
	q->next_ms = fd_now_ms() + POLL_FIRST_MS;
}

static void
query_start(struct cs_query *q)
{
	struct fd_cs_server *s = q->s;
	struct logs_query_req req;
	struct aws_request r;

	memset(&req, 0, sizeof(req));
	req.groups = (const char *const *)&s->group[q->first];
	req.ngroups = q->n;
	req.start_s = s->o.from_ms / 1000;
	req.end_s = (s->o.to_ms + 999) / 1000;
	req.query = fd_coldstarts_query(q->trend);
	req.limit = QUERY_ROW_LIMIT;
	logs_start_query_request(&r, &req);
	q->state = Q_STARTING;
	q->busy = 1;
	q->call = aws_call_start(s->c, &r, on_started, q);
}

static void
query_poll(struct cs_query *q)
{
	struct aws_request r;

	logs_get_query_results_request(&r, q->id);
	q->busy = 1;
	q->call = aws_call_start(q->s->c, &r, on_results, q);
}

static size_t
running(const struct fd_cs_server *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nq; i++)
		n += s->q[i].state == Q_STARTING || s->q[i].state == Q_WAITING;
	return n;
}

int
fd_cs_server_tick(struct fd_cs_server *s)
{
	int64_t now = fd_now_ms(), wait = WAIT_MS;
	size_t i, run = running(s);

	for (i = 0; i < s->nq && !s->p.cancelled; i++) {
		struct cs_query *q = &s->q[i];
		if (q->state == Q_IDLE && run < RUNNING_MAX) {
			query_start(q);
			run++;
		} else if (q->state == Q_WAITING && !q->busy) {
			if (now >= q->next_ms)
				query_poll(q);
			else
				wait = FD_MIN(wait, q->next_ms - now);
		}
	}
	return (int)FD_MAX(wait, 0);
}

void
fd_cs_server_progress(const struct fd_cs_server *s, struct fd_cs_progress *out)
{
	size_t i;

	*out = s->p;
	out->queries_total = (unsigned)s->nq;
	out->queries_done = 0;
	out->records_scanned = out->records_matched = out->bytes_scanned = 0;
	for (i = 0; i < s->nq; i++) {
		out->queries_done += s->q[i].state == Q_DONE;
		out->records_scanned += s->q[i].res.scanned;
		out->records_matched += s->q[i].res.matched;
		out->bytes_scanned += s->q[i].res.bytes;
	}
	out->done = out->cancelled || out->queries_done == out->queries_total;
}

static void
stop_done(struct aws_response *resp, void *ud)
{
	(void)resp;
	(void)ud;
}

void
fd_cs_server_cancel(struct fd_cs_server *s)
{
	struct aws_request r;
	size_t i;

	for (i = 0; i < s->nq; i++) {
		struct cs_query *q = &s->q[i];
		if (q->busy)
			aws_call_cancel(s->c, q->call);
		q->busy = 0;
		if (q->id && q->state == Q_WAITING) {
			logs_stop_query_request(&r, q->id);
			aws_call_start(s->c, &r, stop_done, NULL);
		}
		if (q->state != Q_DONE)
			q->state = Q_DONE;
	}
	s->p.cancelled = 1;
	s->p.st = FD_ECANCELLED;
}

/* Batches: totals take up to 50 groups; trend rows are buckets x groups, kept under
 * the 10,000 rows a query returns. */
static void
plan_queries(struct fd_cs_server *s, size_t buckets)
{
	size_t per_trend = FD_MAX((size_t)1, FD_MIN((size_t)LOGS_QUERY_MAX_GROUPS,
						     QUERY_ROW_LIMIT / FD_MAX(buckets, (size_t)1)));
	size_t i, cap = s->nt / LOGS_QUERY_MAX_GROUPS + s->nt / per_trend + 2;

	s->q = fd_xcalloc(cap, sizeof(*s->q));
	for (i = 0; i < s->nt; i += LOGS_QUERY_MAX_GROUPS) {
		struct cs_query *q = &s->q[s->nq++];
		q->s = s;
		q->first = i;
		q->n = FD_MIN((size_t)LOGS_QUERY_MAX_GROUPS, s->nt - i);
	}
	for (i = 0; buckets && i < s->nt; i += per_trend) {
		struct cs_query *q = &s->q[s->nq++];
		q->s = s;
		q->trend = 1;
		q->first = i;
		q->n = FD_MIN(per_trend, s->nt - i);
	}
}

enum fd_status
fd_cs_server_start(struct aws_client *c, const struct fd_cs_target *t, size_t n,
		   const struct fd_coldstart_opts *o, struct fd_cs_server **out, struct fd_err *err)
{
	struct fd_cs_server *s;
	int64_t span = o->to_ms - o->from_ms;
	size_t i;

	*out = NULL;
	if (!c)
		return fd_err_set(err, FD_EINVAL, "--server needs AWS access (not --offline)");
	if (!n)
		return fd_err_set(err, FD_ENOTFOUND, "no log groups to query");
	if (span <= 0)
		return fd_err_set(err, FD_EINVAL, "empty time window");
	s = fd_xcalloc(1, sizeof(*s));
	s->c = c;
	s->o = *o;
	s->o.functions = NULL;
	s->o.nfunctions = 0;
	s->fn = fd_xcalloc(n, sizeof(char *));
	s->group = fd_xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++) {
		s->fn[i] = fd_xstrdup(t[i].function ? t[i].function : "");
		s->group[i] = fd_xstrdup(t[i].group ? t[i].group : "");
	}
	s->nt = n;
	plan_queries(s, FD_MIN((size_t)((span + FD_COLDSTART_BUCKET_S * 1000 - 1) /
					(FD_COLDSTART_BUCKET_S * 1000)),
			       (size_t)FD_COLDSTART_MAX_BUCKETS));
	fd_cs_server_tick(s);
	*out = s;
	return FD_OK;
}

void
fd_cs_server_free(struct fd_cs_server *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nq; i++) {
		if (s->q[i].busy)
			aws_call_cancel(s->c, s->q[i].call);
		/* scanned by the last answer (final when done, so far when stopped) */
		fd_spend_record(FD_SPEND_INSIGHTS_BYTES, s->q[i].res.bytes);
		free(s->q[i].id);
		logs_query_result_free(&s->q[i].res);
	}
	for (i = 0; i < s->nt; i++) {
		free(s->fn[i]);
		free(s->group[i]);
	}
	free(s->fn);
	free(s->group);
	free(s->q);
	free(s);
}

/* ---- Insights rows into the table ---- */

static const char *
row_value(const struct logs_query_row *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (fd_str_eq(r->f[i].field, field))
			return r->f[i].value;
	return NULL;
}

static double
row_num(const struct logs_query_row *r, const char *field)
{
	const char *v = row_value(r, field);
	char *end;
	double d;

	if (!v || !*v)
		return NAN;
	d = strtod(v, &end);
	return end == v || !isfinite(d) ? NAN : d;
}

/* "@log" is "ACCOUNT:GROUP": the target whose group it names. */
static int
target_of(const struct fd_cs_server *s, const char *log)
{
	const char *colon = log ? strchr(log, ':') : NULL;
	const char *group = colon ? colon + 1 : log;
	size_t i;

	for (i = 0; group && i < s->nt; i++)
		if (strcmp(s->group[i], group) == 0)
			return (int)i;
	return -1;
}

static void
server_row(const struct fd_cs_server *s, const struct logs_query_row *q, int t,
	   struct fd_coldstart_row *r)
{
	double mem = row_num(q, "memory"), sum = row_num(q, "init_sum");

	memset(r, 0, sizeof(*r));
	fd_strlcpy(r->function, s->fn[t], sizeof(r->function));
	/* Insights reports @memorySize in bytes (10^6 per MB); the simulator in MB. */
	if (mem > 65536)
		mem /= 1e6;
	r->memory_mb = isnan(mem) ? 0 : (int)lround(mem);
	r->invocations = isnan(row_num(q, "invocations")) ? 0 : llround(row_num(q, "invocations"));
	r->cold_starts = isnan(row_num(q, "cold_starts")) ? 0 : llround(row_num(q, "cold_starts"));
	r->restores = isnan(row_num(q, "restores")) ? 0 : llround(row_num(q, "restores"));
	r->init_p50 = row_num(q, "init_p50");
	r->init_p90 = row_num(q, "init_p90");
	r->init_p99 = row_num(q, "init_p99");
	r->init_max = row_num(q, "init_max");
	r->restore_p50 = row_num(q, "restore_p50");
	r->restore_p90 = row_num(q, "restore_p90");
	r->restore_p99 = row_num(q, "restore_p99");
	r->restore_max = row_num(q, "restore_max");
	r->init_sum_ms = isnan(sum) ? 0 : sum;
	r->init_gb_s = r->init_sum_ms / 1000.0 * (double)r->memory_mb / 1024.0;
	r->snapstart = r->restores > 0;
	r->cold_starts += r->restores;
}

static int64_t
bin_ms(const char *v)
{
	char iso[40];
	size_t i;
	time_t t;

	if (!v || strlen(v) < 19 || strlen(v) >= sizeof(iso) - 2)
		return -1;
	snprintf(iso, sizeof(iso), "%sZ", v);
	for (i = 0; iso[i]; i++)
		if (iso[i] == ' ')
			iso[i] = 'T';
	t = fd_parse_iso8601(iso);
	return t < 0 ? -1 : (int64_t)t * 1000;
}

static void
server_trend(const struct fd_cs_server *s, const struct logs_query_result *res,
	     struct fd_coldstarts *out, size_t nbuckets)
{
	size_t i, j;

	for (i = 0; i < res->nrows; i++) {
		const struct logs_query_row *q = &res->rows[i];
		int t = target_of(s, row_value(q, "@log"));
		int64_t at = bin_ms(row_value(q, "bin(5m)"));
		double cnt = row_num(q, "cold_starts");
		/* Insights bins start on 5-minute wall-clock marks; the first may start
		 * before the window does. */
		for (j = 0; t >= 0 && at >= 0 && !isnan(cnt) && j < out->n; j++) {
			size_t b = (size_t)((FD_MAX(at, out->from_ms) - out->from_ms) /
					    (FD_COLDSTART_BUCKET_S * 1000));
			if (strcmp(out->rows[j].function, s->fn[t]) != 0 || b >= nbuckets)
				continue;
			out->rows[j].trend[b] += (int)cnt;
		}
	}
}

/* Every version's and alias's provisioned concurrency (Insights sees the group). */
static void
join_function(struct fd_coldstart_row *r, const struct fd_function *fn)
{
	size_t i;

	if (!fn)
		return;
	fd_strlcpy(r->runtime, fn->runtime ? fn->runtime : "", sizeof(r->runtime));
	fd_strlcpy(r->architecture, fn->architecture ? fn->architecture : "",
		   sizeof(r->architecture));
	r->snapstart |= fd_str_eq(fn->snapstart, "PublishedVersions");
	for (i = 0; i < fn->naliases; i++)
		r->provisioned += fn->aliases[i].provisioned;
	for (i = 0; i < fn->nversions; i++)
		r->provisioned += fn->versions[i].provisioned;
	if (!r->memory_mb)
		r->memory_mb = fn->memory_mb;
}

void
fd_cs_server_result(const struct fd_cs_server *s, const struct fd_function *fns, size_t nfns,
		    struct fd_coldstarts *out)
{
	struct fd_cs_progress p;
	size_t i, j, nb = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	out->server = 1;
	out->from_ms = s->o.from_ms;
	out->to_ms = s->o.to_ms;
	out->price_per_gb_s = s->o.price_per_gb_s > 0 ? s->o.price_per_gb_s
						      : FD_COLDSTART_PRICE_DEFAULT;
	nb = FD_MIN((size_t)((out->to_ms - out->from_ms + FD_COLDSTART_BUCKET_S * 1000 - 1) /
			     (FD_COLDSTART_BUCKET_S * 1000)),
		    (size_t)FD_COLDSTART_MAX_BUCKETS);
	for (i = 0; i < s->nq; i++)
		cap += s->q[i].trend ? 0 : s->q[i].res.nrows;
	out->rows = cap ? fd_xcalloc(cap, sizeof(*out->rows)) : NULL;
	for (i = 0; i < s->nq; i++) {
		for (j = 0; !s->q[i].trend && j < s->q[i].res.nrows; j++) {
			const struct logs_query_row *q = &s->q[i].res.rows[j];
			int t = target_of(s, row_value(q, "@log"));
			struct fd_coldstart_row *r;
			if (t < 0)
				continue;
			r = &out->rows[out->n++];
			server_row(s, q, t, r);
			join_function(r, cs_inventory_fn(fns, nfns, r->function));
			r->trend_start_ms = out->from_ms;
			r->ntrend = nb;
			r->trend = nb ? fd_xcalloc(nb, sizeof(int)) : NULL;
			cs_finish_row(r, out->price_per_gb_s);
		}
	}
	for (i = 0; i < s->nq; i++)
		if (s->q[i].trend)
			server_trend(s, &s->q[i].res, out, nb);
	cs_sort_rows(out);
	fd_cs_server_progress(s, &p);
	out->records_scanned = p.records_scanned;
	out->bytes_scanned = p.bytes_scanned;
}

enum fd_status
fd_coldstarts_server(struct aws_client *c, const struct fd_cs_target *t, size_t n,
		     const struct fd_coldstart_opts *o, const struct fd_function *fns, size_t nfns,
		     void (*progress)(const struct fd_cs_progress *p, void *ud), void *ud,
		     struct fd_coldstarts *out, struct fd_err *err)
{
	struct fd_cs_server *s;
	struct fd_cs_progress p;
	enum fd_status rc = fd_cs_server_start(c, t, n, o, &s, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	for (;;) {
		int wait = fd_cs_server_tick(s);
		fd_cs_server_progress(s, &p);
		if (progress)
			progress(&p, ud);
		if (p.done)
			break;
		rc = aws_client_wait(c, NULL, 0, FD_MIN(wait, WAIT_MS));
		if (rc != FD_OK && aws_client_pending(c) == 0) {
			fd_cs_server_cancel(s);
			break;
		}
	}
	fd_cs_server_progress(s, &p);
	if (p.st != FD_OK) {
		fd_err_set(err, p.st, "%s", p.error[0] ? p.error : fd_status_str(p.st));
		rc = p.st;
	} else {
		fd_cs_server_result(s, fns, nfns, out);
		rc = FD_OK;
	}
	fd_cs_server_free(s);
	return rc;
}
