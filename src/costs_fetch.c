/* costs_fetch.c - IncomingBytes per log group and whole UTC day from GetMetricData:
 * a small query builder of our own (the answers are read by cwmetrics' parser), one
 * job that walks the groups CW_MAX_QUERIES at a time, each batch paged by NextToken,
 * one call in flight. `fleetdeck costs` runs it to completion; the console starts it
 * in the background and is told when it is done. Every metric asked for counts in the
 * session's API spend. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/cwmetrics.h"

#define DAY_S 86400
#define INGEST_MAX_PAGES 200

static uint64_t ingest_metrics; /* one process, one loop */

uint64_t
fd_log_ingest_metrics_requested(void)
{
	return ingest_metrics;
}

/* Log group names are [.-_/#A-Za-z0-9]+; anything else is escaped or replaced. */
static void
json_str(struct fd_buf *b, const char *s)
{
	fd_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fd_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fd_buf_printf(b, "\\u%04x", c < 0x20 ? c : '?');
		else
			fd_buf_putc(b, (char)c);
	}
	fd_buf_putc(b, '"');
}

char *
fd_log_ingest_request(const char *const *groups, size_t n, size_t first, size_t count,
                      int64_t from_s, int64_t to_s, const char *next_token)
{
	struct fd_buf b;
	size_t i;

	if (first >= n || !count || to_s <= from_s)
		return NULL;
	count = FD_MIN(FD_MIN(count, n - first), (size_t)CW_MAX_QUERIES);
	fd_buf_init(&b);
	fd_buf_puts(&b, "{\"MetricDataQueries\":[");
	for (i = first; i < first + count; i++) {
		fd_buf_printf(&b,
		              "%s{\"Id\":\"m%zu_0\",\"MetricStat\":{\"Metric\":{\"Namespace\":"
		              "\"AWS/Logs\",\"MetricName\":\"IncomingBytes\",\"Dimensions\":"
		              "[{\"Name\":\"LogGroupName\",\"Value\":",
		              i > first ? "," : "", i);
		json_str(&b, groups[i] ? groups[i] : "");
		fd_buf_printf(&b, "}]},\"Period\":%d,\"Stat\":\"Sum\"},\"ReturnData\":true}",
		              DAY_S);
	}
	fd_buf_printf(&b, "],\"StartTime\":%lld,\"EndTime\":%lld,\"ScanBy\":\"TimestampAscending\"",
	              (long long)from_s, (long long)to_s);
	if (next_token) {
		fd_buf_puts(&b, ",\"NextToken\":");
		json_str(&b, next_token);
	}
	fd_buf_putc(&b, '}');
	return fd_buf_steal(&b);
}

struct fd_ingest_fetch {
	struct aws_client *c;
	char **groups;
	size_t n, first; /* the batch in flight: groups [first, first + CW_MAX_QUERIES) */
	int page;
	struct cw_window w;
	struct fd_function_metrics *m; /* one record per group; series 0 is IncomingBytes */
	struct fd_log_ingest_day *days;
	size_t ndays;
	uint64_t call;
	fd_ingest_done_fn done;
	void *ud;
};

static void
series_to_days(const struct fd_series *s, const char *group, struct fd_log_ingest_day **out,
               size_t *n)
{
	size_t i;

	/* A day CloudWatch answered without a point ingested nothing: kept as 0 so the
	 * cache can tell it from a day never fetched. */
	for (i = 0; i < s->n; i++) {
		*out = fd_xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].group = fd_xstrdup(group);
		(*out)[*n].day_s = s->start_s + (int64_t)i * s->period_s;
		(*out)[(*n)++].bytes = isnan(s->values[i]) ? 0.0 : s->values[i];
	}
}

static void
job_free(struct fd_ingest_fetch *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->groups[i]);
		fd_function_metrics_free(&j->m[i]);
	}
	free(j->groups);
	free(j->m);
	fd_log_ingest_days_free(j->days, j->ndays);
	free(j);
}

/* Hands the days over (the callback owns them) and ends the job. */
static void
finish(struct fd_ingest_fetch *j, enum fd_status st, const struct aws_error *e)
{
	struct fd_log_ingest_day *days = st == FD_OK ? j->days : NULL;
	size_t n = st == FD_OK ? j->ndays : 0;

	if (st == FD_OK)
		j->days = NULL, j->ndays = 0;
	j->done(st, e, days, n, j->ud);
	job_free(j);
}

static void on_page(struct aws_response *resp, void *ud);

static void
start_page(struct fd_ingest_fetch *j, const char *token)
{
	struct aws_request req;
	char *body = fd_log_ingest_request((const char *const *)j->groups, j->n, j->first,
	                                   CW_MAX_QUERIES, j->w.start_s, j->w.end_s, token);

	aws_request_init(&req, AWS_SVC_MONITORING, "GetMetricData");
	aws_request_json(&req, body, strlen(body));
	free(body);
	ingest_metrics += FD_MIN((size_t)CW_MAX_QUERIES, j->n - j->first);
	j->call = aws_call_start(j->c, &req, on_page, j);
}

/* The batch is complete: its days are kept, the next batch starts or the job ends. */
static void
next_batch(struct fd_ingest_fetch *j)
{
	size_t i, end = FD_MIN(j->n, j->first + CW_MAX_QUERIES);

	for (i = j->first; i < end; i++) {
		series_to_days(&j->m[i].s[0], j->groups[i], &j->days, &j->ndays);
		fd_function_metrics_free(&j->m[i]);
	}
	j->first = end;
	j->page = 0;
	if (j->first >= j->n) {
		finish(j, FD_OK, NULL);
		return;
	}
	start_page(j, NULL);
}

static void
on_page(struct aws_response *resp, void *ud)
{
	struct fd_ingest_fetch *j = ud;
	struct fd_err perr = {FD_OK, ""};
	struct aws_error e = resp->error;
	char *next = NULL;
	enum fd_status st = resp->error.status;

	j->call = 0;
	if (st == FD_OK)
		st = cw_parse_response(resp->body.data, resp->body.len, &j->w, j->m, j->n, &next,
		                       &perr);
	if (st != FD_OK) {
		if (resp->error.status == FD_OK) {
			e.status = st;
			fd_strlcpy(e.message, perr.msg, sizeof(e.message));
		}
		free(next);
		finish(j, st, &e);
		return;
	}
	if (next && ++j->page < INGEST_MAX_PAGES)
		start_page(j, next);
	else
		next_batch(j);
	free(next);
}

struct fd_ingest_fetch *
fd_log_ingest_fetch_start(struct aws_client *c, const char *const *groups, size_t n, int64_t from_s,
                          int64_t to_s, fd_ingest_done_fn done, void *ud)
{
	struct fd_ingest_fetch *j;
	size_t i;

	if (!n)
		return NULL;
	j = fd_xcalloc(1, sizeof(*j));
	j->c = c;
	j->n = n;
	j->groups = fd_xcalloc(n, sizeof(*j->groups));
	j->m = fd_xcalloc(n, sizeof(*j->m));
	for (i = 0; i < n; i++)
		j->groups[i] = fd_xstrdup(groups[i] ? groups[i] : "");
	j->w = (struct cw_window){from_s - from_s % DAY_S, to_s, DAY_S};
	if (j->w.end_s <= j->w.start_s)
		j->w.end_s = j->w.start_s + DAY_S;
	j->done = done;
	j->ud = ud;
	start_page(j, NULL);
	return j;
}

void
fd_log_ingest_fetch_cancel(struct fd_ingest_fetch *j)
{
	if (!j)
		return;
	if (j->call)
		aws_call_cancel(j->c, j->call);
	job_free(j);
}

struct sync_result {
	int done;
	enum fd_status st;
	struct aws_error e;
	struct fd_log_ingest_day *days;
	size_t n;
};

static void
sync_done(enum fd_status st, const struct aws_error *e, struct fd_log_ingest_day *days, size_t n,
          void *ud)
{
	struct sync_result *r = ud;

	r->done = 1;
	r->st = st;
	if (e)
		r->e = *e;
	r->days = days;
	r->n = n;
}

enum fd_status
fd_log_ingest_fetch_sync(struct aws_client *c, const char *const *groups, size_t n, int64_t from_s,
                         int64_t to_s, struct fd_log_ingest_day **out, size_t *nout,
                         struct aws_error *err)
{
	struct fd_ingest_fetch *j;
	struct sync_result r;
	enum fd_status st;

	memset(&r, 0, sizeof(r));
	memset(err, 0, sizeof(*err));
	*out = NULL;
	*nout = 0;
	if (!n)
		return FD_OK;
	j = fd_log_ingest_fetch_start(c, groups, n, from_s, to_s, sync_done, &r);
	st = aws_client_wait_done(c, &r.done, 100);
	if (!r.done) { /* the loop itself failed: nothing will answer */
		fd_log_ingest_fetch_cancel(j);
		err->status = st;
		fd_strlcpy(err->message, "waiting for the network failed", sizeof(err->message));
		return st;
	}
	if (r.st != FD_OK)
		*err = r.e;
	*out = r.days;
	*nout = r.n;
	return r.st;
}
