/* follow.c - the follow engine's core: lifecycle, the tick, de-duplication of
 * received events, ordering (a pending heap released up to the groups' common
 * watermark, or after the hold-back time), and release: each line is parsed
 * (level, request id, kind), sanitized once, handed to the on_line callback, kept
 * in the ring and queued for the log store. Polling lives in follow_poll.c, Live
 * Tail in follow_live.c, saved files in follow_file.c, the readers of the ring and
 * the counters in follow_read.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/sanitize.h"
#include "follow_int.h"

#define DEFAULT_RING_BYTES (24u << 20)
#define DEFAULT_OVERLAP_MS 10000
#define MAX_OVERLAP_MS 120000
#define DEFAULT_HOLDBACK_MS 2000
#define FORGET_MARGIN_MS (MAX_OVERLAP_MS + 60000)
#define STORE_BATCH 2000
#define STORE_FLUSH_MS 1000
#define STORE_MAX_AGE_MS (7LL * 24 * 3600 * 1000)
#define STORE_MAX_ROWS 500000
#define STORE_MESSAGE_MAX (256u << 10)

static int64_t
clamp_opt(int64_t v, int64_t dflt)
{
	return v > 0 ? v : dflt;
}

static void
apply_defaults(struct fd_follow_opts *o)
{
	int64_t now = fd_wall_now_ms();

	if (o->since_ms <= 0)
		o->since_ms = now - 60000;
	if (!o->follow && o->until_ms <= 0)
		o->until_ms = now;
	o->ring_bytes = (size_t)clamp_opt((int64_t)o->ring_bytes, DEFAULT_RING_BYTES);
	o->overlap_ms = (int)clamp_opt(o->overlap_ms, DEFAULT_OVERLAP_MS);
	o->min_interval_ms = (int)clamp_opt(o->min_interval_ms, 1000);
	o->max_interval_ms = (int)FD_MAX(clamp_opt(o->max_interval_ms, 10000), o->min_interval_ms);
	o->holdback_ms = (int)clamp_opt(o->holdback_ms, DEFAULT_HOLDBACK_MS);
	o->max_inflight = (int)clamp_opt(o->max_inflight, 2);
	o->live_renew_ms = clamp_opt(o->live_renew_ms, (3 * 3600 - 300) * 1000LL);
}

const char *
fd_follow_function_of(const char *group)
{
	static const char prefix[] = "/aws/lambda/";
	const char *arn = strstr(group, ":log-group:");

	if (arn && arn[11])
		group = arn + 11;
	if (fd_str_starts(group, prefix) && group[sizeof(prefix) - 1])
		return group + sizeof(prefix) - 1;
	return group;
}

static void
group_init(struct fd_follow *f, unsigned i, const struct fd_follow_source *s)
{
	struct fgroup *g = &f->g[i];
	const char *name = s->group;

	g->f = f;
	g->idx = i;
	g->name = fd_xstrdup(name);
	g->function =
	    fd_xstrdup(s->function && *s->function ? s->function : fd_follow_function_of(name));
	if (f->arn_prefix && !fd_str_starts(name, "arn:"))
		g->ident = fd_xasprintf("%s%s", f->arn_prefix, name);
	else
		g->ident = fd_xstrdup(name);
	g->done_ms = f->o.since_ms;
	g->interval_ms = f->o.min_interval_ms;
	g->state = G_POLL;
}

enum fd_status
fd_follow_new(struct aws_client *c, const struct fd_follow_source *src, size_t n,
              const struct fd_follow_opts *o, struct fd_follow **out, struct fd_err *err)
{
	struct fd_follow *f;
	size_t i;

	*out = NULL;
	if (!n || n > FOLLOW_NO_SOURCE)
		return fd_err_set(err, FD_EINVAL, "follow: %zu log groups (1 to %u)", n,
		                  FOLLOW_NO_SOURCE - 1);
	for (i = 0; i < n; i++)
		if (!src[i].group || !*src[i].group)
			return fd_err_set(err, FD_EINVAL, "follow: log group %zu has no name",
			                  i + 1);
	f = fd_xcalloc(1, sizeof(*f));
	f->c = c;
	f->o = *o;
	apply_defaults(&f->o);
	f->pattern = o->pattern && *o->pattern ? fd_xstrdup(o->pattern) : NULL;
	f->arn_prefix = o->arn_prefix && *o->arn_prefix ? fd_xstrdup(o->arn_prefix) : NULL;
	f->o.pattern = f->pattern;
	f->o.arn_prefix = f->arn_prefix;
	f->overlap_ms = f->o.overlap_ms;
	f->g = fd_xcalloc(n, sizeof(*f->g));
	f->ng = n;
	for (i = 0; i < n; i++)
		group_init(f, (unsigned)i, &src[i]);
	fseen_init(&f->seen, 4096);
	f->use_ring = f->o.ring_lines > 0;
	fring_init(&f->ring, f->o.ring_lines, f->o.ring_bytes);
	logs_events_init(&f->page);
	fd_logline_init(&f->ll);
	fd_buf_init(&f->san);
	f->live_enabled = f->o.live && f->o.follow && c;
	f->last_ts = INT64_MIN;
	*out = f;
	return FD_OK;
}

static void store_flush(struct fd_follow *f);

void
fd_follow_free(struct fd_follow *f)
{
	size_t i;

	if (!f)
		return;
	live_free_all(f);
	for (i = 0; i < f->ng; i++) {
		if (f->g[i].call)
			aws_call_cancel(f->c, f->g[i].call);
		free(f->g[i].name);
		free(f->g[i].function);
		free(f->g[i].ident);
		free(f->g[i].token);
	}
	store_flush(f);
	fd_inv_sink_free(f->inv);
	free(f->sev);
	free(f->sblob);
	free(f->g);
	fseen_free(&f->seen);
	fheap_free(&f->pend, f->chunk);
	free(f->chunk);
	fintern_free(&f->streams);
	fring_free(&f->ring);
	logs_events_free(&f->page);
	fd_logline_free(&f->ll);
	fd_buf_free(&f->san);
	free(f->pattern);
	free(f->arn_prefix);
	free(f);
}

/* ---- receiving ---- */

int64_t
follow_horizon(const struct fd_follow *f)
{
	int64_t lo = INT64_MAX;
	size_t i;

	for (i = 0; i < f->ng; i++)
		if (f->g[i].state != G_DENIED)
			lo = FD_MIN(lo, f->g[i].done_ms);
	if (lo == INT64_MAX)
		lo = fd_wall_now_ms();
	return lo - FORGET_MARGIN_MS;
}

void
follow_batch(struct fd_follow *f)
{
	f->batch_now = fd_now_ms();
	f->batch_horizon = follow_horizon(f);
}

static uint64_t
content_key(unsigned source, const struct logs_event *e)
{
	uint64_t h = fhash(&source, sizeof(source), FHASH_SEED);

	h = fhash(e->stream, e->stream_len + 1, h);
	h = fhash(&e->timestamp, sizeof(e->timestamp), h);
	return fhash(e->message, e->message_len, h);
}

/* The window re-read on every poll must hold events that arrive late (twice the
 * worst ingestion lag) and is also the bound on ordering: a group polled after a
 * long gap brings lines older than what was already shown by up to that gap plus
 * the lag. */
void
follow_widen(struct fd_follow *f)
{
	int64_t need = FD_MAX(2 * f->st.max_lag_ms + 1000, f->max_poll_gap + f->st.max_lag_ms);

	f->overlap_ms = (int)FD_MIN(MAX_OVERLAP_MS, FD_MAX(f->overlap_ms, need));
}

static void
note_lag(struct fd_follow *f, const struct logs_event *e)
{
	int64_t lag = e->ingestion - e->timestamp;

	if (e->ingestion <= 0 || lag <= f->st.max_lag_ms || lag > 3600 * 1000)
		return;
	f->st.max_lag_ms = lag;
	follow_widen(f);
}

static uint64_t
id_key(unsigned source, const struct logs_event *e)
{
	return fhash(e->event_id, e->event_id_len, fhash(&source, sizeof(source), FHASH_SEED));
}

static int
is_duplicate(struct fd_follow *f, unsigned source, const struct logs_event *e, int live,
             uint64_t *ckey)
{
	const struct fgroup *g = &f->g[source];
	int64_t horizon = f->batch_horizon;
	int dup = 0,
	    by_content = live || (g->live_lo_ms && e->timestamp >= g->live_lo_ms - f->overlap_ms);

	*ckey = 0;
	if (!live && e->event_id_len)
		dup = fseen_add(&f->seen, id_key(source, e), e->timestamp, horizon);
	if (by_content || !e->event_id_len) {
		*ckey = content_key(source, e);
		dup |= fseen_add(&f->seen, *ckey, e->timestamp, horizon);
	}
	return dup;
}

int
follow_take(struct fd_follow *f, unsigned source, const struct logs_event *e, int live)
{
	char synth[24];
	const char *id = e->event_id;
	size_t id_len = e->event_id_len;
	struct fpend p;
	uint64_t ckey;

	f->st.received++;
	note_lag(f, e);
	if (is_duplicate(f, source, e, live, &ckey)) {
		f->st.duplicates++;
		return 0;
	}
	if (!id_len) {
		snprintf(synth, sizeof(synth), "lt-%016llx", (unsigned long long)ckey);
		id = synth;
		id_len = strlen(synth);
	}
	p.ts = e->timestamp;
	p.order = f->order++;
	p.arrived = f->batch_now;
	p.source = source;
	p.recovered = f->g[source].gap_from != 0; /* fetched by a poll retrying a gap */
	p.id_len = (uint32_t)id_len;
	p.stream_len = (uint32_t)FD_MIN(e->stream_len, 1024);
	p.msg_len = (uint32_t)FD_MIN(e->message_len, (size_t)UINT32_MAX - 2048);
	p.blob = fchunk_alloc(&f->chunk, (size_t)p.id_len + p.stream_len + p.msg_len + 3, &p.chunk);
	memcpy(p.blob, id, id_len);
	p.blob[id_len] = '\0';
	memcpy(p.blob + id_len + 1, e->stream, p.stream_len);
	p.blob[id_len + 1 + p.stream_len] = '\0';
	memcpy(p.blob + id_len + 2 + p.stream_len, e->message, p.msg_len);
	p.blob[id_len + 2 + p.stream_len + p.msg_len] = '\0';
	fheap_push(&f->pend, &p);
	return 1;
}

/* The seen-set outgrows the caches on a long backfill: each event's slot is asked
 * for a few events ahead, so the lookups do not wait on memory one after another. */
#define TAKE_AHEAD 8

uint64_t
follow_take_page(struct fd_follow *f, unsigned source, const struct logs_events *page)
{
	uint64_t fresh = 0;
	size_t i;

	for (i = 0; i < page->n; i++) {
		if (i + TAKE_AHEAD < page->n && page->ev[i + TAKE_AHEAD].event_id_len)
			fseen_prefetch(&f->seen, id_key(source, &page->ev[i + TAKE_AHEAD]));
		fresh += (uint64_t)follow_take(f, source, &page->ev[i], 0);
	}
	return fresh;
}

/* ---- releasing ---- */

/* Printable ASCII (with tabs, shown as spaces, and newlines) needs no decoding: the
 * common case is a copy. Anything else goes through the sanitizer. */
static void
sanitize_text(struct fd_buf *out, const char *s, size_t n)
{
	size_t i, tabs = 0;

	fd_buf_reset(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c != '\t' && c != '\n')
			break;
		tabs += c == '\t';
	}
	if (i < n) {
		fd_sanitize(s, n, FD_SAN_KEEP_NEWLINE, out);
		return;
	}
	fd_buf_append(out, s, n);
	for (i = 0; tabs && i < n; i++)
		if (out->data[i] == '\t') {
			out->data[i] = ' ';
			tabs--;
		}
}

/* Cuts at a UTF-8 character boundary at or before max. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void
emit(struct fd_follow *f, struct fd_line *l, const struct frec *rec, const char *ring_id)
{
	size_t evicted;

	l->seq = f->seq++;
	if (f->o.on_line)
		f->o.on_line(l, f->o.ud);
	if (f->use_ring) {
		evicted = fring_push(&f->ring, rec, ring_id, l->request_id, l->text);
		if (evicted && !f->overflow_said) {
			f->overflow_said = 1;
			follow_banner(f, FD_BANNER_OVERFLOW, FOLLOW_NO_SOURCE, fd_wall_now_ms(), 0,
			              "%zu lines kept, older ones are dropped", f->ring.cap);
		}
	}
	f->dirty = 1;
}

void
follow_banner(struct fd_follow *f, enum fd_banner kind, unsigned source, int64_t from, int64_t to,
              const char *fmt, ...)
{
	struct fd_line l;
	struct frec rec;
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fd_buf_reset(&f->san);
	fd_sanitize(detail, strlen(detail), 0, &f->san);
	memset(&l, 0, sizeof(l));
	memset(&rec, 0, sizeof(rec));
	l.ts = rec.ts = from;
	l.ts_to = rec.ts_to = to;
	l.banner = kind;
	rec.banner = (uint8_t)kind;
	l.source = source;
	rec.source = (uint16_t)FD_MIN(source, FOLLOW_NO_SOURCE);
	l.group = source < f->ng ? f->g[source].name : "";
	l.function = source < f->ng ? f->g[source].function : "";
	l.stream = l.event_id = l.request_id = "";
	l.text = f->san.data ? f->san.data : "";
	l.text_len = rec.len = rec.full_len = (uint32_t)FD_MIN(f->san.len, 511);
	l.cold_start = -1;
	f->st.banners++;
	if (kind == FD_BANNER_GAP)
		f->st.gaps++;
	emit(f, &l, &rec, "");
}

static void store_queue(struct fd_follow *f, const struct fd_line *l);

static void
fill_line(struct fd_follow *f, const struct fpend *p, struct fd_line *l, struct frec *rec)
{
	const struct fd_logline *ll = &f->ll;
	const char *base = ll->json ? l->raw : ll->msg;
	size_t base_len = ll->json ? l->raw_len : ll->msg_len, keep;

	while (ll->json && base_len && (base[base_len - 1] == '\n' || base[base_len - 1] == '\r'))
		base_len--;
	sanitize_text(&f->san, base ? base : "", base ? base_len : 0);
	keep = utf8_cut(f->san.data, f->san.len, FD_FOLLOW_TEXT_MAX);
	l->text = f->san.data;
	l->text_len = keep;
	l->truncated = keep < f->san.len;
	l->full_len = p->msg_len;
	l->request_id = ll->request_id;
	l->level = ll->level;
	l->kind = ll->kind;
	l->json = ll->json;
	l->cold_start = ll->cold_start;
	memset(rec, 0, sizeof(*rec));
	rec->ts = p->ts;
	rec->len = (uint32_t)keep;
	rec->full_len = p->msg_len;
	rec->source = (uint16_t)p->source;
	rec->level = (uint8_t)ll->level;
	rec->kind = (uint8_t)ll->kind;
	rec->flags = (uint8_t)((ll->json ? FREC_JSON : 0) | (l->truncated ? FREC_TRUNC : 0) |
	                       (ll->cold_start == 1 ? FREC_COLD : 0) |
	                       (ll->cold_start == 0 ? FREC_WARM : 0));
	rec->rid_len = (uint8_t)strlen(ll->request_id);
	rec->id_len = (uint8_t)(l->truncated ? FD_MIN(p->id_len, 255) : 0);
}

static void
release_one(struct fd_follow *f, const struct fpend *p)
{
	const struct fgroup *g = &f->g[p->source];
	struct fd_line l;
	struct frec rec;

	memset(&l, 0, sizeof(l));
	l.ts = p->ts;
	l.source = p->source;
	l.group = g->name;
	l.function = g->function;
	l.event_id = p->blob;
	l.stream = p->blob + p->id_len + 1;
	l.raw = l.stream + p->stream_len + 1;
	l.raw_len = p->msg_len;
	fd_logline_parse(l.raw, l.raw_len, &f->ll);
	fill_line(f, p, &l, &rec);
	rec.stream = f->use_ring ? fintern_get(&f->streams, l.stream, p->stream_len) : 0;
	if (p->recovered)
		f->st.recovered++;
	else if (p->ts < f->last_ts)
		f->st.max_disorder_ms = FD_MAX(f->st.max_disorder_ms, f->last_ts - p->ts);
	f->last_ts = FD_MAX(f->last_ts, p->ts);
	f->st.released++;
	store_queue(f, &l);
	emit(f, &l, &rec, p->blob);
}

/* The first poll of every group is waited for, so the backfill comes out in order;
 * after that lines wait at most the hold-back time for slower groups. */
static int
backfilled(const struct fd_follow *f)
{
	size_t i;

	for (i = 0; i < f->ng; i++)
		if (!f->g[i].polled && f->g[i].state != G_DENIED && !f->g[i].fails)
			return 0;
	return 1;
}

void
follow_release(struct fd_follow *f, int64_t now, int all)
{
	int64_t w = all ? INT64_MAX : poll_watermark(f, now);
	int timed = f->o.follow && !all && backfilled(f);
	struct fpend p;

	while (f->pend.n) {
		const struct fpend *top = &f->pend.v[0];
		if (top->ts > w && !(timed && now - top->arrived >= f->o.holdback_ms))
			break;
		fheap_pop(&f->pend, &p);
		release_one(f, &p);
		fchunk_release(p.chunk, f->chunk);
	}
}

/* ---- the log store ---- */

static void
store_queue(struct fd_follow *f, const struct fd_line *l)
{
	struct fd_log_event *ev;
	size_t id = strlen(l->event_id), rid = strlen(l->request_id);
	size_t msg = FD_MIN(l->raw_len, STORE_MESSAGE_MAX);
	char *blob;

	if (!f->o.cache || !f->o.ctx || f->store_failed)
		return;
	/* Tailed platform lines also become invocation records (START/REPORT...). */
	if (!f->inv)
		f->inv = fd_inv_sink_new(f->o.cache, f->o.ctx);
	if (f->inv && l->raw)
		fd_inv_sink_line(f->inv, l->function, l->stream, l->ts, l->raw, l->raw_len);
	if (f->nstore == f->capstore) {
		f->capstore = f->capstore ? f->capstore * 2 : 256;
		f->sev = fd_xreallocarray(f->sev, f->capstore, sizeof(*f->sev));
		f->sblob = fd_xreallocarray(f->sblob, f->capstore, sizeof(*f->sblob));
	}
	blob = fd_xmalloc(id + rid + msg + 3);
	memcpy(blob, l->event_id, id + 1);
	memcpy(blob + id + 1, l->request_id, rid + 1);
	memcpy(blob + id + rid + 2, l->raw, msg);
	blob[id + rid + 2 + msg] = '\0';
	f->sblob[f->nstore] = blob;
	ev = &f->sev[f->nstore++];
	ev->ts = l->ts;
	ev->group = l->group;
	ev->function = l->function;
	ev->stream =
	    fintern_name(&f->streams, fintern_get(&f->streams, l->stream, strlen(l->stream)));
	ev->event_id = blob;
	ev->request_id = blob + id + 1;
	ev->level = (int)l->level;
	ev->message = blob + id + rid + 2;
	ev->message_len = msg;
}

static void
store_flush(struct fd_follow *f)
{
	struct fd_err err = {FD_OK, ""};
	size_t i;

	if (f->nstore && !f->store_failed &&
	    fd_cache_put_log_events(f->o.cache, f->o.ctx, f->sev, f->nstore, &err) != FD_OK) {
		f->store_failed = 1;
		follow_banner(f, FD_BANNER_ERROR, FOLLOW_NO_SOURCE, fd_wall_now_ms(), 0,
		              "log store: %s (lines are no longer cached)", err.msg);
	}
	if (f->inv && !f->store_failed && fd_inv_sink_flush(f->inv, &err) != FD_OK)
		follow_banner(f, FD_BANNER_ERROR, FOLLOW_NO_SOURCE, fd_wall_now_ms(), 0,
		              "invocation records: %s", err.msg);
	for (i = 0; i < f->nstore; i++)
		free(f->sblob[i]);
	f->nstore = 0;
	f->store_flushed = fd_now_ms();
}

static void
store_tick(struct fd_follow *f, int64_t now)
{
	struct fd_err err = {FD_OK, ""};

	if (!f->o.cache || !f->o.ctx)
		return;
	if (!f->started)
		(void)fd_cache_prune_log_events(f->o.cache, fd_wall_now_ms() - STORE_MAX_AGE_MS,
		                                STORE_MAX_ROWS, &err);
	if (f->nstore >= STORE_BATCH || (f->nstore && now - f->store_flushed >= STORE_FLUSH_MS))
		store_flush(f);
}

/* ---- the tick ---- */

int
fd_follow_tick(struct fd_follow *f)
{
	int64_t now = fd_now_ms();
	int t;

	store_tick(f, now);
	if (!f->started) {
		f->started = 1;
		if (f->live_enabled)
			live_start_all(f);
	}
	if (f->live_enabled)
		live_tick(f, now);
	poll_tick(f, now);
	follow_release(f, now, 0);
	if (fd_follow_done(f))
		store_flush(f);
	t = poll_next_due(f, now);
	if (f->pend.n && f->o.follow)
		t = (int)FD_MIN(t, FD_MAX(0, f->pend.v[0].arrived + f->o.holdback_ms - now));
	if (f->nstore)
		t = FD_MIN(t, STORE_FLUSH_MS);
	return FD_MAX(0, FD_MIN(t, 1000));
}

int
fd_follow_done(const struct fd_follow *f)
{
	return !f->o.follow && f->started && !poll_busy(f) && f->pend.n == 0;
}

int
fd_follow_take_dirty(struct fd_follow *f)
{
	int d = f->dirty;

	f->dirty = 0;
	return d;
}

enum fd_status
fd_follow_ingest_page(struct fd_follow *f, unsigned source, const char *json, size_t len,
                      struct fd_err *err)
{
	if (source >= f->ng)
		return fd_err_set(err, FD_EINVAL, "follow: no source %u", source);
	if (logs_parse_filter_events(json, len, &f->page, err) != FD_OK)
		return err ? err->status : FD_EPARSE;
	follow_batch(f);
	f->g[source].new_events += follow_take_page(f, source, &f->page);
	f->st.pages++;
	return FD_OK;
}

void
fd_follow_ingest(struct fd_follow *f, unsigned source, int64_t ts, const char *stream,
                 const char *event_id, const char *message, size_t len)
{
	struct logs_event e;

	if (source >= f->ng)
		return;
	memset(&e, 0, sizeof(e));
	e.timestamp = ts;
	e.stream = stream ? stream : "";
	e.stream_len = strlen(e.stream);
	e.event_id = event_id ? event_id : "";
	e.event_id_len = strlen(e.event_id);
	e.message = message ? message : "";
	e.message_len = message ? len : 0;
	e.group = "";
	follow_batch(f);
	f->g[source].new_events += (uint64_t)follow_take(f, source, &e, 0);
}

void
fd_follow_flush(struct fd_follow *f)
{
	follow_release(f, fd_now_ms(), 1);
	store_flush(f);
}
