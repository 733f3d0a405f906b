/* xray.c - X-Ray calls (restJson 2016-04-12): GetTraceSummaries (a filter expression
 * and a time range, all pages up to a cap), BatchGetTraces (ids 5 to a call, one
 * after the other under one call id) and GetServiceGraph, each asynchronous with a
 * blocking form for headless commands. The parsers are in xray_parse.c. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/xray.h"

#define SUMMARY_PAGES_DEFAULT 20
#define GRAPH_MAX_PAGES 20
#define TRACE_MAX_PAGES 200
#define SYNC_WAIT_MS 1000
#define CHUNK_MARK "\001chunk:" /* pager token that moves to the next 5 ids */

/* ---- calls ---- */

static void
request_body(struct aws_request *r, const char *op, const char *path, cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);

	cJSON_Delete(body);
	if (!text)
		fd_fatal("out of memory building an X-Ray %s request", op);
	aws_request_init(r, AWS_SVC_XRAY, op);
	r->method = "POST";
	aws_request_path(r, path);
	aws_request_json(r, text, strlen(text));
	free(text);
}

struct summaries_job {
	struct xray_summaries_query q;
	char *filter;
	size_t seen;
	struct xray_summaries_cb cb;
	struct aws_pager pager;
};

static void
summaries_build(struct aws_request *r, const char *token, void *ud)
{
	struct summaries_job *j = ud;
	cJSON *body = cJSON_CreateObject();

	cJSON_AddNumberToObject(body, "StartTime", j->q.start_s);
	cJSON_AddNumberToObject(body, "EndTime", j->q.end_s);
	cJSON_AddStringToObject(body, "TimeRangeType", "TraceId");
	cJSON_AddBoolToObject(body, "Sampling", 0);
	if (j->filter)
		cJSON_AddStringToObject(body, "FilterExpression", j->filter);
	if (token)
		cJSON_AddStringToObject(body, "NextToken", token);
	request_body(r, "GetTraceSummaries", "/TraceSummaries", body);
}

static char *
summaries_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct summaries_job *j = ud;
	struct fd_trace_summary *s;
	size_t n;
	char *next;

	if (xray_parse_summaries(resp->body.data, resp->body.len, &s, &n, &next, err) != FD_OK)
		return NULL;
	if (j->q.max_traces && j->seen + n > j->q.max_traces) {
		size_t keep = j->q.max_traces - j->seen;
		struct fd_trace_summary *extra = fd_xcalloc(n - keep, sizeof(*extra));
		memcpy(extra, s + keep, (n - keep) * sizeof(*s));
		fd_trace_summaries_free(extra, n - keep);
		n = keep;
	}
	j->seen += n;
	if (j->cb.on_page)
		j->cb.on_page(s, n, j->cb.ud);
	else
		fd_trace_summaries_free(s, n);
	if (j->q.max_traces && j->seen >= j->q.max_traces) {
		free(next);
		return NULL;
	}
	return next;
}

static void
summaries_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct summaries_job *j = ud;

	if (j->cb.done)
		j->cb.done(st, e, j->cb.ud);
	free(j->filter);
	free(j);
}

uint64_t
xray_get_trace_summaries(struct aws_client *c, const struct xray_summaries_query *q,
			 const struct xray_summaries_cb *cb)
{
	struct summaries_job *j = fd_xcalloc(1, sizeof(*j));

	j->q = *q;
	j->filter = q->filter && q->filter[0] ? fd_xstrdup(q->filter) : NULL;
	j->q.filter = NULL;
	j->cb = *cb;
	j->pager = (struct aws_pager){summaries_build, summaries_page, summaries_done, j,
				      q->max_pages > 0 ? q->max_pages : SUMMARY_PAGES_DEFAULT};
	return aws_paginate(c, &j->pager);
}

/* BatchGetTraces: chunk i of 5 ids; a page without NextToken moves to the next chunk
 * through a marker token, so the whole job is one pager (one call id to cancel). */
struct traces_job {
	char **ids;
	size_t n, chunk;
	unsigned moves;
	struct xray_traces_cb cb;
	struct aws_pager pager;
};

static void
traces_build(struct aws_request *r, const char *token, void *ud)
{
	struct traces_job *j = ud;
	cJSON *body = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(body, "TraceIds");
	size_t i, first;

	if (token && strncmp(token, CHUNK_MARK, strlen(CHUNK_MARK)) == 0) {
		j->chunk++;
		token = NULL;
	}
	first = j->chunk * FD_XRAY_IDS_PER_CALL;
	for (i = first; i < j->n && i < first + FD_XRAY_IDS_PER_CALL; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(j->ids[i]));
	if (token)
		cJSON_AddStringToObject(body, "NextToken", token);
	request_body(r, "BatchGetTraces", "/Traces", body);
}

static char *
traces_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct traces_job *j = ud;
	struct fd_trace *t;
	size_t n, i;
	char *next;

	if (xray_parse_traces(resp->body.data, resp->body.len, &t, &n, &next, err) != FD_OK)
		return NULL;
	for (i = 0; i < n; i++) {
		struct fd_trace *one = fd_xmalloc(sizeof(*one));
		*one = t[i];
		if (j->cb.on_trace)
			j->cb.on_trace(one, j->cb.ud);
		else {
			fd_trace_free(one);
			free(one);
		}
	}
	free(t);
	if (next)
		return next;
	if ((j->chunk + 1) * FD_XRAY_IDS_PER_CALL >= j->n)
		return NULL;
	return fd_xasprintf("%s%u", CHUNK_MARK, ++j->moves);
}

static void
traces_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct traces_job *j = ud;
	size_t i;

	if (j->cb.done)
		j->cb.done(st, e, j->cb.ud);
	for (i = 0; i < j->n; i++)
		free(j->ids[i]);
	free(j->ids);
	free(j);
}

uint64_t
xray_batch_get_traces(struct aws_client *c, const char *const *ids, size_t n,
		      const struct xray_traces_cb *cb)
{
	struct traces_job *j = fd_xcalloc(1, sizeof(*j));
	size_t i;

	j->ids = fd_xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++)
		if (ids[i] && ids[i][0])
			j->ids[j->n++] = fd_xstrndup(ids[i], 64);
	j->cb = *cb;
	j->pager = (struct aws_pager){traces_build, traces_page, traces_done, j,
				      TRACE_MAX_PAGES};
	return aws_paginate(c, &j->pager);
}

struct graph_job {
	double start_s, end_s;
	struct fd_xgraph g;
	struct xray_graph_cb cb;
	struct aws_pager pager;
};

static void
graph_build(struct aws_request *r, const char *token, void *ud)
{
	struct graph_job *j = ud;
	cJSON *body = cJSON_CreateObject();

	cJSON_AddNumberToObject(body, "StartTime", j->start_s);
	cJSON_AddNumberToObject(body, "EndTime", j->end_s);
	if (token)
		cJSON_AddStringToObject(body, "NextToken", token);
	request_body(r, "GetServiceGraph", "/ServiceGraph", body);
}

static char *
graph_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct graph_job *j = ud;
	struct fd_xgraph page;
	char *next;

	if (xray_parse_service_graph(resp->body.data, resp->body.len, &page, &next, err) != FD_OK)
		return NULL;
	if (page.n) {
		j->g.svc = fd_xreallocarray(j->g.svc, j->g.n + page.n, sizeof(*j->g.svc));
		memcpy(j->g.svc + j->g.n, page.svc, page.n * sizeof(*page.svc));
		j->g.n += page.n;
	}
	free(page.svc);
	return next;
}

static void
graph_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct graph_job *j = ud;

	if (j->cb.done)
		j->cb.done(st, e, &j->g, j->cb.ud);
	fd_xgraph_free(&j->g);
	free(j);
}

uint64_t
xray_get_service_graph(struct aws_client *c, double start_s, double end_s,
		       const struct xray_graph_cb *cb)
{
	struct graph_job *j = fd_xcalloc(1, sizeof(*j));

	j->start_s = start_s;
	j->end_s = end_s;
	j->cb = *cb;
	j->pager = (struct aws_pager){graph_build, graph_page, graph_done, j, GRAPH_MAX_PAGES};
	return aws_paginate(c, &j->pager);
}

/* ---- blocking forms ---- */

struct sync_state {
	int done;
	enum fd_status st;
	struct aws_error err;
	struct fd_trace_summary *sum;
	struct fd_trace *traces;
	size_t n, cap;
	struct fd_xgraph graph;
};

static void
sync_finish(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct sync_state *s = ud;

	s->done = 1;
	s->st = st;
	if (e)
		s->err = *e;
	else if (st != FD_OK)
		s->err.status = st;
}

static enum fd_status
sync_wait(struct aws_client *c, struct sync_state *s, struct aws_error *err)
{
	/* s lives on the caller's stack: leave only when no callback can reach it. */
	enum fd_status st = aws_client_wait_done(c, &s->done, SYNC_WAIT_MS);

	if (!s->done) {
		s->st = st;
		s->err.status = st;
	}
	if (err)
		*err = s->err;
	return s->st;
}

static void
sync_summaries(struct fd_trace_summary *sum, size_t n, void *ud)
{
	struct sync_state *s = ud;

	s->sum = fd_array_append(s->sum, &s->n, &s->cap, sum, n, sizeof(*sum));
	free(sum);
}

enum fd_status
xray_get_trace_summaries_sync(struct aws_client *c, const struct xray_summaries_query *q,
			      struct fd_trace_summary **out, size_t *n, struct aws_error *err)
{
	struct sync_state s;
	struct xray_summaries_cb cb = {sync_summaries, sync_finish, &s};

	memset(&s, 0, sizeof(s));
	xray_get_trace_summaries(c, q, &cb);
	if (sync_wait(c, &s, err) != FD_OK) {
		fd_trace_summaries_free(s.sum, s.n);
		*out = NULL;
		*n = 0;
		return s.st;
	}
	*out = s.sum;
	*n = s.n;
	return FD_OK;
}

static void
sync_trace(struct fd_trace *t, void *ud)
{
	struct sync_state *s = ud;

	s->traces = fd_array_append(s->traces, &s->n, &s->cap, t, 1, sizeof(*t));
	free(t);
}

enum fd_status
xray_batch_get_traces_sync(struct aws_client *c, const char *const *ids, size_t n,
			   struct fd_trace **out, size_t *nout, struct aws_error *err)
{
	struct sync_state s;
	struct xray_traces_cb cb = {sync_trace, sync_finish, &s};

	memset(&s, 0, sizeof(s));
	xray_batch_get_traces(c, ids, n, &cb);
	if (sync_wait(c, &s, err) != FD_OK) {
		fd_traces_free(s.traces, s.n);
		*out = NULL;
		*nout = 0;
		return s.st;
	}
	*out = s.traces;
	*nout = s.n;
	return FD_OK;
}

static void
sync_graph(enum fd_status st, const struct aws_error *e, struct fd_xgraph *g, void *ud)
{
	struct sync_state *s = ud;

	s->graph = *g;
	memset(g, 0, sizeof(*g));
	sync_finish(st, e, ud);
}

enum fd_status
xray_get_service_graph_sync(struct aws_client *c, double start_s, double end_s,
			    struct fd_xgraph *out, struct aws_error *err)
{
	struct sync_state s;
	struct xray_graph_cb cb = {sync_graph, &s};

	memset(&s, 0, sizeof(s));
	xray_get_service_graph(c, start_s, end_s, &cb);
	if (sync_wait(c, &s, err) != FD_OK) {
		fd_xgraph_free(&s.graph);
		memset(out, 0, sizeof(*out));
		return s.st;
	}
	*out = s.graph;
	return FD_OK;
}
