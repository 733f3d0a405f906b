/* invocations_fetch.c - the network side of invocation records: the REPORT backfill
 * (FilterLogEvents per log group, a few groups at once under the client's rate
 * budget, records into the cache page by page) and the fetch of one request's
 * timeline (record from the cache, lines from the log store or FilterLogEvents on
 * its stream, trace from BatchGetTraces). Both are asynchronous with blocking
 * wrappers for headless commands. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/logline.h"
#include "fleetdeck/logs.h"

#define BACKFILL_EVENTS_DEFAULT 200000
#define BACKFILL_PAGES_DEFAULT 100
#define BACKFILL_INFLIGHT_DEFAULT 2
#define FETCH_WINDOW_MS (3600 * 1000LL)
#define TL_LINES_MAX 2000
#define WAIT_MS 1000

/* ---- backfill ---- */

const char *
fd_backfill_pattern(const char *log_format)
{
	if (fd_str_case_eq(log_format, "JSON"))
		return "{ $.type = \"platform.report\" }";
	if (fd_str_case_eq(log_format, "Text"))
		return "\"REPORT RequestId\"";
	return "?\"REPORT RequestId\" ?\"platform.report\"";
}

struct bf_group {
	struct fd_backfill *bf;
	char *function, *group;
	const char *pattern;
	uint64_t call;
	int pages, active;
	struct aws_pager pager;
};

struct fd_backfill {
	struct aws_client *c;
	struct fd_cache *cache;
	struct fd_ctx ctx;
	struct fd_backfill_opts o;
	struct bf_group *g;
	size_t n, next;
	int inflight;
	struct fd_inv_builder *builder;
	struct fd_invocation *pending;
	size_t npending, cap;
	struct logs_events ev;
	struct fd_backfill_status st;
};

static void
bf_emit(struct fd_invocation *inv, void *ud)
{
	struct fd_backfill *bf = ud;

	if (bf->npending == bf->cap) {
		bf->cap = bf->cap ? bf->cap * 2 : 256;
		bf->pending = fd_xreallocarray(bf->pending, bf->cap, sizeof(*bf->pending));
	}
	bf->pending[bf->npending++] = *inv;
	inv->errors = NULL;
	bf->st.records++;
}

static void
bf_store(struct fd_backfill *bf)
{
	struct fd_err err = {FD_OK, ""};
	size_t i;

	if (bf->cache && bf->npending &&
	    fd_cache_put_invocations(bf->cache, &bf->ctx, bf->pending, bf->npending, bf->o.max_rows,
				     &err) != FD_OK) {
		bf->st.st = err.status;
		fd_strlcpy(bf->st.error, err.msg, sizeof(bf->st.error));
	}
	for (i = 0; i < bf->npending; i++)
		fd_invocation_free(&bf->pending[i]);
	bf->npending = 0;
}

static void
bf_build(struct aws_request *r, const char *token, void *ud)
{
	struct bf_group *g = ud;
	struct logs_filter_req q;

	memset(&q, 0, sizeof(q));
	q.group = g->group;
	q.start_ms = g->bf->o.from_ms;
	q.end_ms = g->bf->o.to_ms;
	q.pattern = g->pattern;
	q.next_token = token;
	logs_filter_request(r, &q);
}

static char *
bf_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct bf_group *g = ud;
	struct fd_backfill *bf = g->bf;
	size_t i;

	if (logs_parse_filter_events(resp->body.data, resp->body.len, &bf->ev, err) != FD_OK)
		return NULL;
	for (i = 0; i < bf->ev.n; i++) {
		const struct logs_event *e = &bf->ev.ev[i];
		fd_inv_builder_feed(bf->builder, g->function, e->stream, e->timestamp, e->message,
				    e->message_len);
	}
	bf->st.events += bf->ev.n;
	bf->st.pages++;
	g->pages++;
	bf_store(bf);
	if (!bf->ev.next_token)
		return NULL;
	if (bf->st.events >= bf->o.max_events || g->pages >= bf->o.max_pages) {
		bf->st.truncated = 1;
		return NULL;
	}
	return fd_xstrdup(bf->ev.next_token);
}

static void bf_next(struct fd_backfill *bf);

static void
bf_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct bf_group *g = ud;
	struct fd_backfill *bf = g->bf;

	g->active = 0;
	bf->inflight--;
	bf->st.groups_done++;
	if (st != FD_OK) {
		bf->st.st = st;
		if (e)
			aws_error_format(e, bf->st.error, sizeof(bf->st.error));
		else
			fd_strlcpy(bf->st.error, fd_status_str(st), sizeof(bf->st.error));
	}
	bf_next(bf);
}

static void
bf_next(struct fd_backfill *bf)
{
	while (bf->next < bf->n && bf->inflight < bf->o.max_inflight &&
	       bf->st.events < bf->o.max_events) {
		struct bf_group *g = &bf->g[bf->next++];
		g->active = 1;
		bf->inflight++;
		g->call = aws_paginate(bf->c, &g->pager);
	}
	if (bf->inflight == 0 && !bf->st.done) {
		if (bf->next < bf->n)
			bf->st.truncated = 1;
		fd_inv_builder_flush(bf->builder);
		bf_store(bf);
		bf->st.done = 1;
	}
}

static void
bf_defaults(struct fd_backfill_opts *o)
{
	if (!o->max_events)
		o->max_events = BACKFILL_EVENTS_DEFAULT;
	if (o->max_pages <= 0)
		o->max_pages = BACKFILL_PAGES_DEFAULT;
	if (o->max_inflight <= 0)
		o->max_inflight = BACKFILL_INFLIGHT_DEFAULT;
}

enum fd_status
fd_backfill_start(struct aws_client *c, struct fd_cache *cache, const struct fd_ctx *ctx,
		  const struct fd_backfill_target *t, size_t n, const struct fd_backfill_opts *o,
		  struct fd_backfill **out, struct fd_err *err)
{
	struct fd_backfill *bf;
	size_t i;

	*out = NULL;
	if (!c)
		return fd_err_set(err, FD_EINVAL, "backfill: no AWS client (offline)");
	if (o->to_ms <= o->from_ms)
		return fd_err_set(err, FD_EINVAL, "backfill: empty time window");
	bf = fd_xcalloc(1, sizeof(*bf));
	bf->c = c;
	bf->cache = cache;
	bf->ctx = *ctx;
	bf->o = *o;
	bf_defaults(&bf->o);
	bf->g = fd_xcalloc(n ? n : 1, sizeof(*bf->g));
	for (i = 0; i < n; i++) {
		struct bf_group *g = &bf->g[bf->n++];
		g->bf = bf;
		g->function = fd_xstrdup(t[i].function ? t[i].function : "");
		g->group = fd_xstrdup(t[i].group);
		g->pattern = fd_backfill_pattern(t[i].log_format);
		g->pager = (struct aws_pager){bf_build, bf_page, bf_done, g, bf->o.max_pages};
	}
	bf->st.groups_total = n;
	bf->builder = fd_inv_builder_new(bf_emit, bf);
	logs_events_init(&bf->ev);
	*out = bf;
	bf_next(bf);
	return FD_OK;
}

void
fd_backfill_status(const struct fd_backfill *b, struct fd_backfill_status *out)
{
	*out = b->st;
}

void
fd_backfill_free(struct fd_backfill *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		if (b->g[i].active)
			aws_call_cancel(b->c, b->g[i].call);
		free(b->g[i].function);
		free(b->g[i].group);
	}
	fd_inv_builder_free(b->builder);
	bf_store(b);
	free(b->pending);
	free(b->g);
	logs_events_free(&b->ev);
	free(b);
}

enum fd_status
fd_backfill_run(struct aws_client *c, struct fd_cache *cache, const struct fd_ctx *ctx,
		const struct fd_backfill_target *t, size_t n, const struct fd_backfill_opts *o,
		struct fd_backfill_status *st, struct fd_err *err)
{
	struct fd_backfill *bf;
	enum fd_status rc = fd_backfill_start(c, cache, ctx, t, n, o, &bf, err);

	if (rc != FD_OK)
		return rc;
	while (!bf->st.done) {
		rc = aws_client_wait(c, NULL, 0, WAIT_MS);
		if (rc != FD_OK && aws_client_pending(c) == 0)
			break;
	}
	fd_backfill_status(bf, st);
	fd_backfill_free(bf);
	if (!st->done)
		return fd_err_set(err, rc, "backfill stopped: %s", fd_status_str(rc));
	if (st->st != FD_OK && st->records == 0)
		return fd_err_set(err, st->st, "%s", st->error);
	return FD_OK;
}

/* ---- fetching one request's timeline ---- */

#define FETCH_PAGES_MAX 20
#define RUNNING_SPAN_MS (15 * 60 * 1000LL)
/* CloudWatch Logs takes seconds to make a line readable: the lines of a request that
 * ended less than this long ago are read this long after its end, not before. */
#define INGEST_SETTLE_MS 5000

struct fd_tl_fetch {
	struct aws_client *c;
	struct fd_cache *cache;
	struct fd_ctx ctx;
	char rid[48];
	char function[72];
	char *group;
	struct fd_tl_fetch_opts o;
	struct fd_timeline tl;
	unsigned gen;
	uint64_t lines_call, trace_call;
	int lines_busy, trace_busy, by_stream;
	int64_t from_ms, to_ms;
	char error[256];
	struct logs_events ev;
	struct fd_logline line;
	struct fd_inv_builder *builder;
	struct aws_pager pager;
};

static void
tl_set_error(struct fd_tl_fetch *f, const struct aws_error *e, enum fd_status st)
{
	if (e)
		aws_error_format(e, f->error, sizeof(f->error));
	else
		fd_strlcpy(f->error, fd_status_str(st), sizeof(f->error));
}

/* The request's own lines: its id, or no id at all on its stream within its span. */
static int
tl_line_wanted(struct fd_tl_fetch *f, const char *stream, int64_t ts, const char *msg,
	       size_t len)
{
	const struct fd_invocation *r = &f->tl.inv;
	int64_t end = r->end_ms ? r->end_ms : r->start_ms + RUNNING_SPAN_MS;

	fd_logline_parse(msg, len, &f->line);
	if (f->line.request_id[0])
		return strcmp(f->line.request_id, f->rid) == 0;
	if (!f->tl.have_inv || !stream || strcmp(stream, r->log_stream) != 0)
		return 0;
	if (f->line.kind == FD_LINE_INIT_START || f->line.kind == FD_LINE_INIT_REPORT)
		return fd_invocation_cold(r) && ts >= f->tl.t0_ms - 1000 && ts <= r->start_ms;
	return ts >= r->start_ms && ts <= end;
}

static void
tl_store_line(const struct fd_log_event *e, void *ud)
{
	struct fd_tl_fetch *f = ud;

	if (tl_line_wanted(f, e->stream, e->ts, e->message, e->message_len))
		fd_timeline_add_line(&f->tl, e->ts, e->message, e->message_len);
}

static void
tl_found(struct fd_invocation *inv, void *ud)
{
	struct fd_tl_fetch *f = ud;
	struct fd_err err = {FD_OK, ""};

	if (strcmp(inv->request_id, f->rid) != 0)
		return;
	if (!f->tl.have_inv || inv->status != FD_INV_RUNNING)
		fd_timeline_set_invocation(&f->tl, inv);
	if (f->cache)
		fd_cache_put_invocations(f->cache, &f->ctx, inv, 1, 0, &err);
}

static void tl_trace_start(struct fd_tl_fetch *f);

static void
tl_lines_build(struct aws_request *r, const char *token, void *ud)
{
	struct fd_tl_fetch *f = ud;
	const char *streams[1];
	char pattern[64];
	struct logs_filter_req q;

	memset(&q, 0, sizeof(q));
	q.group = f->group;
	q.start_ms = f->from_ms;
	q.end_ms = f->to_ms;
	q.next_token = token;
	if (f->by_stream) {
		streams[0] = f->tl.inv.log_stream;
		q.streams = streams;
		q.nstreams = 1;
	} else {
		snprintf(pattern, sizeof(pattern), "\"%s\"", f->rid);
		q.pattern = pattern;
	}
	logs_filter_request(r, &q);
	if (!token && f->tl.have_inv && f->tl.inv.end_ms) {
		int64_t wait = f->tl.inv.end_ms + INGEST_SETTLE_MS - fd_wall_now_ms();
		if (wait > 0)
			r->not_before_ms = fd_now_ms() + FD_MIN(wait, INGEST_SETTLE_MS);
	}
}

static char *
tl_lines_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct fd_tl_fetch *f = ud;
	size_t i;

	if (logs_parse_filter_events(resp->body.data, resp->body.len, &f->ev, err) != FD_OK)
		return NULL;
	for (i = 0; i < f->ev.n; i++) {
		const struct logs_event *e = &f->ev.ev[i];
		if (!tl_line_wanted(f, e->stream, e->timestamp, e->message, e->message_len))
			continue;
		fd_timeline_add_line(&f->tl, e->timestamp, e->message, e->message_len);
		fd_inv_builder_feed(f->builder, f->function, e->stream, e->timestamp, e->message,
				    e->message_len);
	}
	f->gen++;
	return f->ev.next_token ? fd_xstrdup(f->ev.next_token) : NULL;
}

static void
tl_lines_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct fd_tl_fetch *f = ud;

	f->lines_busy = 0;
	if (st != FD_OK)
		tl_set_error(f, e, st);
	fd_inv_builder_flush(f->builder);
	f->gen++;
	tl_trace_start(f);
}

static void
tl_on_trace(struct fd_trace *t, void *ud)
{
	struct fd_tl_fetch *f = ud;

	fd_timeline_set_trace(&f->tl, t);
	f->gen++;
}

static void
tl_trace_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct fd_tl_fetch *f = ud;

	f->trace_busy = 0;
	if (st != FD_OK)
		tl_set_error(f, e, st);
	f->gen++;
}

static void
tl_trace_start(struct fd_tl_fetch *f)
{
	struct xray_traces_cb cb = {tl_on_trace, tl_trace_done, f};
	const char *ids[1];

	if (!f->c || !f->o.fetch_trace || f->trace_busy || f->tl.trace || !f->tl.inv.trace_id[0])
		return;
	ids[0] = f->tl.inv.trace_id;
	f->trace_busy = 1;
	f->trace_call = xray_batch_get_traces(f->c, ids, 1, &cb);
}

/* The window the lines are read from: the record's span, else the search window. */
static void
tl_window(struct fd_tl_fetch *f)
{
	const struct fd_invocation *r = &f->tl.inv;

	if (f->tl.have_inv) {
		f->from_ms = f->tl.t0_ms - 1000;
		f->to_ms = (r->end_ms ? r->end_ms : r->start_ms + RUNNING_SPAN_MS) + 1000;
		f->by_stream = r->log_stream[0] != '\0';
		return;
	}
	f->to_ms = f->o.to_ms ? f->o.to_ms : fd_wall_now_ms();
	f->from_ms = f->o.from_ms ? f->o.from_ms : f->to_ms - FETCH_WINDOW_MS;
}

static void
tl_lines_start(struct fd_tl_fetch *f)
{
	if (f->tl.nlines || !f->c || !f->o.fetch_lines || !f->function[0])
		return;
	f->pager = (struct aws_pager){tl_lines_build, tl_lines_page, tl_lines_done, f,
				      FETCH_PAGES_MAX};
	f->lines_busy = 1;
	f->lines_call = aws_paginate(f->c, &f->pager);
}

enum fd_status
fd_tl_fetch_start(struct aws_client *client, struct fd_cache *cache, const struct fd_ctx *ctx,
		  const char *request_id, const char *function, const struct fd_tl_fetch_opts *o,
		  struct fd_tl_fetch **out, struct fd_err *err)
{
	struct fd_tl_fetch *f = fd_xcalloc(1, sizeof(*f));
	struct fd_invocation r;
	struct fd_err ignore = {FD_OK, ""};

	f->c = client;
	f->cache = cache;
	f->ctx = *ctx;
	f->o = *o;
	fd_strlcpy(f->rid, request_id, sizeof(f->rid));
	fd_strlcpy(f->function, function ? function : "", sizeof(f->function));
	fd_timeline_init(&f->tl);
	logs_events_init(&f->ev);
	fd_logline_init(&f->line);
	f->builder = fd_inv_builder_new(tl_found, f);
	if (cache && fd_cache_get_invocation(cache, ctx, request_id, &r, &ignore) == FD_OK) {
		fd_timeline_set_invocation(&f->tl, &r);
		if (!f->function[0])
			fd_strlcpy(f->function, r.function, sizeof(f->function));
	}
	fd_invocation_free(&r);
	f->group = o->group ? fd_xstrdup(o->group) : fd_xasprintf("/aws/lambda/%s", f->function);
	f->o.group = NULL;
	tl_window(f);
	if (cache && f->tl.have_inv)
		fd_cache_get_log_events(cache, ctx, f->group, f->from_ms, f->to_ms, TL_LINES_MAX,
					tl_store_line, f, &ignore);
	tl_lines_start(f);
	if (!f->lines_busy)
		tl_trace_start(f);
	*out = f;
	if (!f->tl.have_inv && !f->lines_busy)
		return fd_err_set(err, FD_ENOTFOUND, "request %s is not cached%s", request_id,
				  f->function[0] ? "" : " (name its function to search its logs)");
	return FD_OK;
}

int
fd_tl_fetch_done(const struct fd_tl_fetch *f)
{
	return !f->lines_busy && !f->trace_busy;
}

const struct fd_timeline *
fd_tl_fetch_timeline(const struct fd_tl_fetch *f, unsigned *gen)
{
	if (gen)
		*gen = f->gen;
	return &f->tl;
}

const char *
fd_tl_fetch_error(const struct fd_tl_fetch *f)
{
	return f->error;
}

void
fd_tl_fetch_free(struct fd_tl_fetch *f)
{
	if (!f)
		return;
	if (f->lines_busy)
		aws_call_cancel(f->c, f->lines_call);
	if (f->trace_busy)
		aws_call_cancel(f->c, f->trace_call);
	fd_inv_builder_free(f->builder);
	fd_timeline_free(&f->tl);
	logs_events_free(&f->ev);
	fd_logline_free(&f->line);
	free(f->group);
	free(f);
}

enum fd_status
fd_tl_fetch_wait(struct aws_client *client, struct fd_tl_fetch *f, struct fd_err *err)
{
	enum fd_status rc = FD_OK;

	while (client && !fd_tl_fetch_done(f)) {
		rc = aws_client_wait(client, NULL, 0, WAIT_MS);
		if (rc != FD_OK && aws_client_pending(client) == 0)
			return fd_err_set(err, rc, "%s", fd_status_str(rc));
	}
	if (!f->tl.have_inv)
		return fd_err_set(err, FD_ENOTFOUND, "request %s not found%s%s", f->rid,
				  f->error[0] ? ": " : "", f->error);
	return FD_OK;
}

/* ---- saved log events ---- */

struct file_event {
	int64_t ts;
	char *stream;
	char *msg;
	size_t len;
};

struct fd_inv_file {
	struct fd_invocation *recs;
	size_t n, cap;
	struct file_event *ev;
	size_t nev;
};

static void
file_emit(struct fd_invocation *inv, void *ud)
{
	struct fd_inv_file *f = ud;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->recs = fd_xreallocarray(f->recs, f->cap, sizeof(*f->recs));
	}
	f->recs[f->n++] = *inv;
	inv->errors = NULL;
}

static int
newest_first(const void *x, const void *y)
{
	const struct fd_invocation *a = x, *b = y;

	if (a->start_ms != b->start_ms)
		return a->start_ms > b->start_ms ? -1 : 1;
	return strcmp(a->request_id, b->request_id);
}

static const char *
group_function(const struct logs_event *e, const char *dflt)
{
	const char *slash;

	if (!e->group || !e->group[0])
		return dflt;
	slash = strrchr(e->group, '/');
	return slash ? slash + 1 : e->group;
}

enum fd_status
fd_inv_file_load(const char *path, const char *function, struct fd_inv_file **out,
		 struct fd_err *err)
{
	struct fd_inv_file *f = fd_xcalloc(1, sizeof(*f));
	struct fd_inv_builder *b = fd_inv_builder_new(file_emit, f);
	struct logs_events ev;
	struct fd_buf text;
	enum fd_status st;
	size_t i;

	*out = NULL;
	fd_buf_init(&text);
	logs_events_init(&ev);
	st = fd_read_file(path, 64u << 20, &text, err);
	if (st == FD_OK)
		st = logs_parse_filter_events(text.data, text.len, &ev, err);
	f->ev = st == FD_OK && ev.n ? fd_xcalloc(ev.n, sizeof(*f->ev)) : NULL;
	for (i = 0; st == FD_OK && i < ev.n; i++) {
		const struct logs_event *e = &ev.ev[i];
		fd_inv_builder_feed(b, group_function(e, function ? function : ""), e->stream,
				    e->timestamp, e->message, e->message_len);
		f->ev[i] = (struct file_event){e->timestamp, fd_xstrdup(e->stream ? e->stream : ""),
					       fd_xstrndup(e->message, e->message_len),
					       e->message_len};
		f->nev++;
	}
	fd_inv_builder_free(b);
	logs_events_free(&ev);
	fd_buf_free(&text);
	if (st != FD_OK) {
		fd_inv_file_free(f);
		return fd_err_prefix(err, "%s", path);
	}
	if (f->n)
		qsort(f->recs, f->n, sizeof(*f->recs), newest_first);
	*out = f;
	return FD_OK;
}

size_t
fd_inv_file_records(const struct fd_inv_file *f, const struct fd_invocation **out)
{
	*out = f->recs;
	return f->n;
}

void
fd_inv_file_timeline(const struct fd_inv_file *f, const char *request_id, struct fd_timeline *t)
{
	const struct fd_invocation *r = NULL;
	struct fd_logline l;
	size_t i;

	fd_timeline_init(t);
	for (i = 0; i < f->n && !r; i++)
		if (strcmp(f->recs[i].request_id, request_id) == 0)
			r = &f->recs[i];
	if (!r)
		return;
	fd_timeline_set_invocation(t, r);
	fd_logline_init(&l);
	for (i = 0; i < f->nev; i++) {
		const struct file_event *e = &f->ev[i];
		int64_t end = r->end_ms ? r->end_ms : r->start_ms + RUNNING_SPAN_MS;
		fd_logline_parse(e->msg, e->len, &l);
		if (l.request_id[0] ? strcmp(l.request_id, request_id) == 0
				    : strcmp(e->stream, r->log_stream) == 0 &&
					      e->ts >= t->t0_ms && e->ts <= end)
			fd_timeline_add_line(t, e->ts, e->msg, e->len);
	}
	fd_logline_free(&l);
}

void
fd_inv_file_free(struct fd_inv_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nev; i++) {
		free(f->ev[i].stream);
		free(f->ev[i].msg);
	}
	fd_invocations_free(f->recs, f->n);
	free(f->ev);
	free(f);
}

/* ---- records from tailed lines ---- */

struct fd_inv_sink {
	struct fd_cache *cache;
	struct fd_ctx ctx;
	struct fd_inv_builder *builder;
	struct fd_invocation *done;
	size_t n, cap;
	int closing;
};

static void
sink_emit(struct fd_invocation *inv, void *ud)
{
	struct fd_inv_sink *s = ud;

	if (s->closing && inv->status == FD_INV_RUNNING)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->done = fd_xreallocarray(s->done, s->cap, sizeof(*s->done));
	}
	s->done[s->n++] = *inv;
	inv->errors = NULL;
}

struct fd_inv_sink *
fd_inv_sink_new(struct fd_cache *cache, const struct fd_ctx *ctx)
{
	struct fd_inv_sink *s = fd_xcalloc(1, sizeof(*s));

	s->cache = cache;
	s->ctx = *ctx;
	s->builder = fd_inv_builder_new(sink_emit, s);
	return s;
}

void
fd_inv_sink_line(struct fd_inv_sink *s, const char *function, const char *stream, int64_t ts_ms,
		 const char *raw, size_t len)
{
	fd_inv_builder_feed(s->builder, function, stream, ts_ms, raw, len);
}

enum fd_status
fd_inv_sink_flush(struct fd_inv_sink *s, struct fd_err *err)
{
	enum fd_status st = FD_OK;
	size_t i;

	if (s->n && s->cache)
		st = fd_cache_put_invocations(s->cache, &s->ctx, s->done, s->n, 0, err);
	for (i = 0; i < s->n; i++)
		fd_invocation_free(&s->done[i]);
	s->n = 0;
	return st;
}

void
fd_inv_sink_free(struct fd_inv_sink *s)
{
	struct fd_err err = {FD_OK, ""};

	if (!s)
		return;
	s->closing = 1;
	fd_inv_builder_free(s->builder);
	fd_inv_sink_flush(s, &err);
	free(s->done);
	free(s);
}
