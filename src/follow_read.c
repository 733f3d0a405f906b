/* follow_read.c - what the follow engine tells its readers: the lines kept in the
 * ring by sequence number, each source's log group, function and state (poll, live,
 * backfill, failing, denied), and the counters of fd_follow_stats. */
#include <stdint.h>
#include <string.h>

#include "follow_int.h"

uint64_t
fd_follow_first(const struct fd_follow *f)
{
	return f->ring.first_seq;
}

size_t
fd_follow_count(const struct fd_follow *f)
{
	return f->ring.n;
}

int
fd_follow_get(const struct fd_follow *f, uint64_t seq, struct fd_line *out)
{
	const char *id, *rid, *text;
	const struct frec *r = fring_at(&f->ring, seq, &id, &rid, &text);

	if (!r)
		return 0;
	memset(out, 0, sizeof(*out));
	out->seq = seq;
	out->ts = r->ts;
	out->ts_to = r->ts_to;
	out->banner = (enum fd_banner)r->banner;
	out->source = r->source == FOLLOW_NO_SOURCE ? FOLLOW_NO_SOURCE : r->source;
	out->group = r->source < f->ng ? f->g[r->source].name : "";
	out->function = r->source < f->ng ? f->g[r->source].function : "";
	out->stream = r->banner ? "" : fintern_name(&f->streams, r->stream);
	out->event_id = id;
	out->text = text;
	out->text_len = r->len;
	out->full_len = r->full_len;
	out->request_id = rid;
	out->level = (enum fd_level)r->level;
	out->kind = (enum fd_line_kind)r->kind;
	out->json = (r->flags & FREC_JSON) != 0;
	out->truncated = (r->flags & FREC_TRUNC) != 0;
	out->cold_start = r->flags & FREC_COLD ? 1 : r->flags & FREC_WARM ? 0 : -1;
	return 1;
}

size_t
fd_follow_nsources(const struct fd_follow *f)
{
	return f->ng;
}

const char *
fd_follow_source_function(const struct fd_follow *f, unsigned i)
{
	return i < f->ng ? f->g[i].function : "";
}

const char *
fd_follow_source_group(const struct fd_follow *f, unsigned i)
{
	return i < f->ng ? f->g[i].name : "";
}

const char *
fd_follow_source_state(const struct fd_follow *f, unsigned i)
{
	const struct fgroup *g = i < f->ng ? &f->g[i] : NULL;

	if (!g || g->state == G_DENIED)
		return "denied";
	if (g->fails)
		return "failing";
	if (!g->polled && g->call)
		return "backfill";
	return g->state == G_LIVE ? "live" : "poll";
}

void
fd_follow_stats(const struct fd_follow *f, struct fd_follow_stats *out)
{
	size_t i;

	*out = f->st;
	out->pending = f->pend.n;
	out->ring_lines = f->ring.n;
	out->ring_bytes = f->ring.n ? f->ring.asize : 0;
	out->dropped = f->ring.dropped;
	out->seen_keys = f->seen.n;
	out->overlap_ms = f->overlap_ms;
	out->live_sessions = live_count(f);
	out->polling = 0;
	out->fetched_ms = INT64_MAX;
	for (i = 0; i < f->ng; i++) {
		const struct fgroup *g = &f->g[i];
		out->polling += g->state == G_POLL;
		if (g->state != G_DENIED && (g->state == G_POLL || g->poll_once))
			out->fetched_ms = FD_MIN(out->fetched_ms, g->polled ? g->done_ms : 0);
	}
	if (out->fetched_ms == INT64_MAX)
		out->fetched_ms = 0;
}
