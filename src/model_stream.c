/* model_stream.c - a listing printed while it is read: the functions come from the
 * cache a chunk at a time in an order SQL answers (the name and configuration
 * columns), each row summarised as it arrives, so the first rows are out before the
 * rest of a 10,000-function cache is read. Sorting by a metric or the risk count
 * needs every row first: those listings load the whole model as usual. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/util.h"
#include "model_int.h"

struct stream {
	struct fd_model *m;
	struct fd_inv_cold_count *cold;
	size_t ncold;
	int64_t now_s, oldest_ms;
	fd_model_row_fn cb;
	void *ud;
};

static int
sql_order(enum fd_fn_col c, enum fd_cache_fn_order *out)
{
	switch (c) {
	case FD_FC_NAME:
		*out = FD_CACHE_FN_BY_NAME;
		return 1;
	case FD_FC_RUNTIME:
		*out = FD_CACHE_FN_BY_RUNTIME;
		return 1;
	case FD_FC_MEMORY:
		*out = FD_CACHE_FN_BY_MEMORY;
		return 1;
	case FD_FC_TIMEOUT:
		*out = FD_CACHE_FN_BY_TIMEOUT;
		return 1;
	case FD_FC_LAST_MODIFIED:
		*out = FD_CACHE_FN_BY_MODIFIED;
		return 1;
	default:
		return 0;
	}
}

int
fd_model_streamable(struct fd_model *m)
{
	enum fd_cache_fn_order by;

	/* IAM facts group functions by role across the whole fleet. */
	return m->cache && sql_order(m->sort_col, &by) && !fd_iam_model_has_data(m);
}

static int
cmp_cold(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fd_inv_cold_count *)elem)->function);
}

static void
stream_row(struct stream *s, const struct fd_function *fn, const struct fd_metric_summary *sum,
           struct fd_fn_row *r)
{
	const struct fd_inv_cold_count *cc;

	model_row_fill(s->m, r, fn, sum && sum->function ? sum : NULL, s->now_s);
	cc = s->ncold ? bsearch(fn->name, s->cold, s->ncold, sizeof(*s->cold), cmp_cold) : NULL;
	if (cc && cc->invocations > 0)
		r->cold_pct = (double)cc->cold_starts * 100.0 / (double)cc->invocations;
	if (fn->fetched_ms > 0 && (!s->oldest_ms || fn->fetched_ms < s->oldest_ms))
		s->oldest_ms = fn->fetched_ms;
}

/* One chunk: its summaries in one read, then its rows in order. Returns non-zero when
 * the callback stopped. */
static int
stream_chunk(struct stream *s, struct fd_function *fns, size_t n)
{
	struct fd_model *m = s->m;
	struct fd_metric_summary sums[FD_CACHE_FN_CHUNK];
	const char *names[FD_CACHE_FN_CHUNK] = {NULL};
	struct fd_fn_row row;
	struct fd_err err;
	size_t i;
	int stop = 0;

	n = FD_MIN(n, (size_t)FD_CACHE_FN_CHUNK);
	for (i = 0; i < n; i++)
		names[i] = fns[i].name;
	if (fd_cache_get_summaries_of(m->cache, &m->ctx, m->window_s, names, n, sums, &err) !=
	    FD_OK)
		memset(sums, 0, sizeof(sums));
	for (i = 0; i < n && !stop; i++) {
		if (!model_row_matches(m, &fns[i]))
			continue;
		stream_row(s, &fns[i], &sums[i], &row);
		stop = s->cb(&row, s->ud);
	}
	for (i = 0; i < n; i++)
		free(sums[i].function);
	return stop;
}

static enum fd_status
stream_chunks(struct stream *s, struct fd_cache_fn_iter *it, struct fd_err *err)
{
	struct fd_function *fns = NULL;
	size_t n = 0;
	enum fd_status st;
	int stop = 0;

	while (!stop && (st = fd_cache_fn_iter_next(it, &fns, &n, err)) == FD_OK && n) {
		stop = stream_chunk(s, fns, n);
		fd_functions_free(fns, n);
		fns = NULL;
	}
	return stop ? FD_OK : st;
}

/* What the rows' risks read besides the function: log groups (retention). */
static enum fd_status
stream_prepare(struct stream *s, struct fd_err *err)
{
	struct fd_model *m = s->m;
	struct fd_log_group *groups = NULL;
	int64_t to_ms = s->now_s * 1000;
	size_t ng = 0;
	enum fd_status st = fd_cache_get_log_groups(m->cache, &m->ctx, &groups, &ng, err);

	if (st != FD_OK)
		return st;
	model_set_groups(m, groups, ng);
	if (fd_cache_cold_counts(m->cache, &m->ctx, to_ms - m->window_s * 1000LL, to_ms,
	                         &s->cold, &s->ncold, err) != FD_OK) {
		s->cold = NULL;
		s->ncold = 0;
	}
	return FD_OK;
}

enum fd_status
fd_model_stream_rows(struct fd_model *m, fd_model_row_fn cb, void *ud, struct fd_err *err)
{
	struct stream s;
	struct fd_cache_fn_iter *it = NULL;
	enum fd_cache_fn_order by = FD_CACHE_FN_BY_NAME;
	enum fd_status st;

	if (!fd_model_streamable(m))
		return fd_err_set(err, FD_EUNSUPPORTED, "model: this listing cannot stream");
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.now_s = (int64_t)fd_wall_now();
	s.cb = cb;
	s.ud = ud;
	(void)sql_order(m->sort_col, &by);
	st = stream_prepare(&s, err);
	if (st == FD_OK)
		st = fd_cache_fn_iter_open(m->cache, &m->ctx, by, m->sort_desc, &it, err);
	if (st == FD_OK)
		st = stream_chunks(&s, it, err);
	fd_cache_fn_iter_close(it);
	free(s.cold);
	m->st.data_fetched_ms = s.oldest_ms;
	return st;
}
