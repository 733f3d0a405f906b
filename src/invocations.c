/* invocations.c - invocation records: assembly from the interleaved lines of many
 * requests (by request id, and by log stream for lines that carry none: INIT_START,
 * Python tracebacks) and the request timeline. The network side (REPORT backfill,
 * timeline fetch) is in invocations_fetch.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/logline.h"

#define STREAMS_MAX 1024
#define ERROR_LINE_MAX 256
#define TL_LINES_MAX 2000

static const char *const status_names[] = {
#define FD_INV_NAME(id, name) name,
	FD_INV_STATUS_LIST(FD_INV_NAME)
#undef FD_INV_NAME
};

const char *
fd_inv_status_name(enum fd_inv_status s)
{
	return (unsigned)s < FD_INV_STATUS_COUNT ? status_names[s] : "?";
}

int
fd_inv_status_parse(const char *name, enum fd_inv_status *out)
{
	unsigned i;

	if (fd_str_case_eq(name, "oom")) {
		*out = FD_INV_OOM;
		return 1;
	}
	if (fd_str_case_eq(name, "exit")) {
		*out = FD_INV_RUNTIME_EXIT;
		return 1;
	}
	for (i = 0; i < FD_INV_STATUS_COUNT; i++) {
		if (fd_str_case_eq(name, status_names[i])) {
			*out = (enum fd_inv_status)i;
			return 1;
		}
	}
	return 0;
}

int
fd_invocation_cold(const struct fd_invocation *r)
{
	return !isnan(r->init_ms) || !isnan(r->restore_ms);
}

void
fd_invocation_init(struct fd_invocation *r)
{
	memset(r, 0, sizeof(*r));
	r->duration_ms = r->billed_ms = r->memory_mb = r->max_memory_mb = NAN;
	r->init_ms = r->restore_ms = NAN;
	r->status = FD_INV_RUNNING;
}

void
fd_invocation_free(struct fd_invocation *r)
{
	free(r->errors);
	r->errors = NULL;
}

void
fd_invocations_free(struct fd_invocation *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		fd_invocation_free(&r[i]);
	free(r);
}

void
fd_invocation_set_alias(struct fd_invocation *r, const struct fd_function *fn)
{
	size_t i;

	for (i = 0; fn && i < fn->naliases; i++) {
		if (fd_str_eq(fn->aliases[i].version, r->version) && fn->aliases[i].name) {
			fd_strlcpy(r->alias, fn->aliases[i].name, sizeof(r->alias));
			return;
		}
	}
}

void
fd_stream_version(const char *stream, char *out, size_t n)
{
	const char *open = stream ? strchr(stream, '[') : NULL;
	const char *close = open ? strchr(open, ']') : NULL;

	out[0] = '\0';
	if (!close || close == open + 1 || (size_t)(close - open - 1) >= n)
		return;
	memcpy(out, open + 1, (size_t)(close - open - 1));
	out[close - open - 1] = '\0';
}

/* ---- a small string-keyed index (linear probing, backward-shift deletion) ---- */

typedef const char *(*key_fn)(const void *base, uint32_t i);

struct strmap {
	uint32_t *slot;        /* index + 1; 0 = empty */
	size_t mask;
	key_fn key;
	const void *base;
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void
map_init(struct strmap *m, size_t entries, key_fn key, const void *base)
{
	size_t cap = 16;

	while (cap < entries * 2)
		cap *= 2;
	m->slot = fd_xcalloc(cap, sizeof(*m->slot));
	m->mask = cap - 1;
	m->key = key;
	m->base = base;
}

/* Position of k, or of the empty slot where it would go (*found says which). */
static size_t
map_pos(const struct strmap *m, const char *k, int *found)
{
	size_t i = (size_t)str_hash(k) & m->mask;

	while (m->slot[i]) {
		if (strcmp(m->key(m->base, m->slot[i] - 1), k) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & m->mask;
	}
	*found = 0;
	return i;
}

static void
map_del(struct strmap *m, const char *k)
{
	int found;
	size_t i = map_pos(m, k, &found), j = i, home;

	if (!found)
		return;
	for (;;) {
		m->slot[i] = 0;
		for (;;) {
			j = (j + 1) & m->mask;
			if (!m->slot[j])
				return;
			home = (size_t)str_hash(m->key(m->base, m->slot[j] - 1)) & m->mask;
			/* Leave j alone when its home lies cyclically in (i, j]. */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		m->slot[i] = m->slot[j];
		i = j;
	}
}

/* ---- assembly ---- */

struct open_req {
	struct fd_invocation r;
	int64_t touched;
	int used;
	int saw_timeout, saw_exit, saw_error, saw_oom;
	int nerr;
	struct fd_buf err;
};

struct stream_state {
	char key[224];         /* function \x1f stream */
	char current[48];      /* request in progress on this stream */
	int64_t touched;
	int used;
	int has_init;
	int64_t init_start;
	double restore_ms;
	char init_type[24];
	char runtime_version[64];
};

struct fd_inv_builder {
	fd_inv_emit_fn emit;
	void *ud;
	struct open_req *open;
	struct strmap by_id;
	struct stream_state *streams;
	struct strmap by_stream;
	int64_t clock;
	struct fd_logline line;
};

static const char *
open_key(const void *base, uint32_t i)
{
	return ((const struct open_req *)base)[i].r.request_id;
}

static const char *
stream_key(const void *base, uint32_t i)
{
	return ((const struct stream_state *)base)[i].key;
}

struct fd_inv_builder *
fd_inv_builder_new(fd_inv_emit_fn emit, void *ud)
{
	struct fd_inv_builder *b = fd_xcalloc(1, sizeof(*b));

	b->emit = emit;
	b->ud = ud;
	b->open = fd_xcalloc(FD_INV_OPEN_MAX, sizeof(*b->open));
	b->streams = fd_xcalloc(STREAMS_MAX, sizeof(*b->streams));
	map_init(&b->by_id, FD_INV_OPEN_MAX, open_key, b->open);
	map_init(&b->by_stream, STREAMS_MAX, stream_key, b->streams);
	fd_logline_init(&b->line);
	return b;
}

/* Status from what was seen, most specific first. */
static enum fd_inv_status
decide_status(const struct open_req *o)
{
	const struct fd_invocation *r = &o->r;
	int err = o->saw_error || o->saw_exit;

	if (o->saw_timeout)
		return FD_INV_TIMEOUT;
	if (o->saw_oom || (err && r->max_memory_mb >= r->memory_mb))
		return FD_INV_OOM;
	if (o->saw_exit)
		return FD_INV_RUNTIME_EXIT;
	return err ? FD_INV_ERROR : FD_INV_SUCCESS;
}

static void
release(struct fd_inv_builder *b, struct open_req *o, int finished)
{
	if (finished)
		o->r.status = decide_status(o);
	if (o->err.len)
		o->r.errors = fd_buf_steal(&o->err);
	map_del(&b->by_id, o->r.request_id);
	if (b->emit)
		b->emit(&o->r, b->ud);
	fd_invocation_free(&o->r);
	fd_buf_free(&o->err);
	o->used = 0;
}

static struct open_req *
oldest_open(struct fd_inv_builder *b)
{
	struct open_req *best = NULL;
	size_t i;

	for (i = 0; i < FD_INV_OPEN_MAX; i++)
		if (b->open[i].used && (!best || b->open[i].touched < best->touched))
			best = &b->open[i];
	return best;
}

static struct open_req *
open_find(struct fd_inv_builder *b, const char *rid)
{
	int found;
	size_t pos = map_pos(&b->by_id, rid, &found);

	return found ? &b->open[b->by_id.slot[pos] - 1] : NULL;
}

static struct open_req *
open_get(struct fd_inv_builder *b, const char *rid, const char *function)
{
	struct open_req *o = open_find(b, rid);
	size_t i;
	int found;

	if (o || !rid[0])
		return o;
	for (i = 0; i < FD_INV_OPEN_MAX && b->open[i].used; i++)
		;
	if (i == FD_INV_OPEN_MAX) {
		release(b, oldest_open(b), 0);
		for (i = 0; b->open[i].used; i++)
			;
	}
	o = &b->open[i];
	memset(o, 0, sizeof(*o));
	fd_invocation_init(&o->r);
	fd_buf_init(&o->err);
	o->used = 1;
	fd_strlcpy(o->r.request_id, rid, sizeof(o->r.request_id));
	fd_strlcpy(o->r.function, function ? function : "", sizeof(o->r.function));
	b->by_id.slot[map_pos(&b->by_id, rid, &found)] = (uint32_t)i + 1;
	return o;
}

static struct stream_state *
stream_get(struct fd_inv_builder *b, const char *function, const char *stream)
{
	char key[sizeof(b->streams[0].key)];
	struct stream_state *s = NULL;
	size_t pos, i;
	int found;

	if (!stream || !stream[0])
		return NULL;
	snprintf(key, sizeof(key), "%s\x1f%s", function ? function : "", stream);
	pos = map_pos(&b->by_stream, key, &found);
	if (found)
		return &b->streams[b->by_stream.slot[pos] - 1];
	for (i = 0; i < STREAMS_MAX && b->streams[i].used; i++)
		if (!s || b->streams[i].touched < s->touched)
			s = &b->streams[i];
	if (i < STREAMS_MAX)
		s = &b->streams[i];
	else
		map_del(&b->by_stream, s->key);
	memset(s, 0, sizeof(*s));
	s->used = 1;
	fd_strlcpy(s->key, key, sizeof(s->key));
	b->by_stream.slot[map_pos(&b->by_stream, key, &found)] = (uint32_t)(s - b->streams) + 1;
	return s;
}

static int
contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; n >= k && i <= n - k; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Marks of an unhandled error as runtimes print it (not any ERROR-level log). */
static int
unhandled_error(const char *s, size_t n)
{
	static const char *const marks[] = {
		"Invoke Error", "Traceback (most recent call last)", "\"errorType\"",
		"Runtime exited with error", "Runtime.ExitError", "Unhandled Promise Rejection",
		"Exception in thread", "Runtime.OutOfMemory",
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(marks); i++)
		if (contains(s, n, marks[i]))
			return 1;
	return 0;
}

/* errorType from `"errorType":"X"` or a Python "[ERROR] X: ..." line. */
static void
error_type_of(const char *s, size_t n, char *out, size_t cap)
{
	const char *key = "\"errorType\":\"";
	size_t k = strlen(key), i, j;

	for (i = 0; n >= k && i <= n - k; i++) {
		if (memcmp(s + i, key, k) != 0)
			continue;
		for (j = i + k; j < n && s[j] != '"' && j - i - k < cap - 1; j++)
			;
		memcpy(out, s + i + k, j - i - k);
		out[j - i - k] = '\0';
		return;
	}
	if (n > 8 && memcmp(s, "[ERROR] ", 8) == 0) {
		for (j = 8; j < n && s[j] != ':' && s[j] != ' ' && j - 8 < cap - 1; j++)
			;
		memcpy(out, s + 8, j - 8);
		out[j - 8] = '\0';
	}
}

/* An error by its level, or by the "[ERROR]" a Python runtime puts before a line
 * that has no tabs to parse. */
static int
error_level(const struct fd_logline *l, const char *s, size_t n)
{
	return l->level >= FD_LVL_ERROR || (n >= 7 && memcmp(s, "[ERROR]", 7) == 0) ||
	       (n >= 10 && memcmp(s, "[CRITICAL]", 10) == 0);
}

static void
add_error_line(struct open_req *o, const char *s, size_t n)
{
	size_t room;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (o->nerr >= FD_INV_ERROR_LINES_MAX || o->err.len >= FD_INV_ERRORS_MAX - 2 || !n)
		return;
	room = FD_MIN((size_t)ERROR_LINE_MAX, FD_INV_ERRORS_MAX - 2 - o->err.len);
	if (o->err.len)
		fd_buf_putc(&o->err, '\n');
	fd_buf_append(&o->err, s, FD_MIN(n, room));
	o->nerr++;
}

static void
app_line(struct open_req *o, const struct fd_logline *l, const char *raw, size_t len)
{
	int unhandled = unhandled_error(raw, len);

	if (unhandled)
		o->saw_error = 1;
	if (contains(raw, len, "Runtime exited with error") || contains(raw, len, "Runtime.ExitError"))
		o->saw_exit = 1;
	if (contains(raw, len, "Runtime.OutOfMemory"))
		o->saw_oom = 1;
	if (unhandled && !o->r.error_type[0])
		error_type_of(raw, len, o->r.error_type, sizeof(o->r.error_type));
	if (l->kind == FD_LINE_TIMEOUT)
		o->saw_timeout = 1;
	if (unhandled || error_level(l, raw, len) || l->kind == FD_LINE_TIMEOUT)
		add_error_line(o, raw, len);
	if (!o->r.trace_id[0] && l->report.trace_id[0])
		fd_strlcpy(o->r.trace_id, l->report.trace_id, sizeof(o->r.trace_id));
}

static void
platform_status(struct open_req *o, const struct fd_report *rep)
{
	if (strcmp(rep->status, "timeout") == 0)
		o->saw_timeout = 1;
	else if (strcmp(rep->status, "error") == 0 || strcmp(rep->status, "failure") == 0)
		o->saw_error = 1;
	if (rep->error_type[0]) {
		fd_strlcpy(o->r.error_type, rep->error_type, sizeof(o->r.error_type));
		if (strstr(rep->error_type, "ExitError"))
			o->saw_exit = 1;
		if (strstr(rep->error_type, "OutOfMemory"))
			o->saw_oom = 1;
	}
}

static void
on_start(struct open_req *o, struct stream_state *ss, const struct fd_logline *l, int64_t ts)
{
	o->r.start_ms = ts;
	o->r.start_exact = 1;
	if (l->version[0])
		fd_strlcpy(o->r.version, l->version, sizeof(o->r.version));
	if (l->report.trace_id[0])
		fd_strlcpy(o->r.trace_id, l->report.trace_id, sizeof(o->r.trace_id));
	if (!ss)
		return;
	fd_strlcpy(ss->current, o->r.request_id, sizeof(ss->current));
	if (!ss->has_init)
		return;
	o->r.init_start_ms = ss->init_start;
	o->r.restore_ms = ss->restore_ms;
	fd_strlcpy(o->r.init_type, ss->init_type, sizeof(o->r.init_type));
	fd_strlcpy(o->r.runtime_version, ss->runtime_version, sizeof(o->r.runtime_version));
	ss->has_init = 0;
}

static void
on_report(struct fd_inv_builder *b, struct open_req *o, struct stream_state *ss,
	  const struct fd_report *rep, int64_t ts)
{
	struct fd_invocation *r = &o->r;

	r->end_ms = ts;
	r->duration_ms = rep->duration_ms;
	r->billed_ms = rep->billed_ms;
	r->memory_mb = rep->memory_mb;
	r->max_memory_mb = rep->max_memory_mb;
	r->init_ms = rep->init_ms;
	if (!isnan(rep->restore_ms))
		r->restore_ms = rep->restore_ms;
	if (rep->trace_id[0])
		fd_strlcpy(r->trace_id, rep->trace_id, sizeof(r->trace_id));
	if (!r->start_exact)
		r->start_ms = ts - (isnan(r->duration_ms) ? 0 : llround(r->duration_ms));
	if (!fd_invocation_cold(r)) {
		r->init_start_ms = 0;
		r->init_type[0] = '\0';
	} else if (!r->init_type[0]) {
		fd_strlcpy(r->init_type, isnan(r->restore_ms) ? "on-demand" : "snap-start",
			   sizeof(r->init_type));
	}
	platform_status(o, rep);
	if (ss && strcmp(ss->current, r->request_id) == 0)
		ss->current[0] = '\0';
	release(b, o, 1);
}

static void
on_init(struct stream_state *ss, const struct fd_logline *l, int64_t ts)
{
	if (!ss)
		return;
	if (l->kind == FD_LINE_INIT_START) {
		ss->has_init = 1;
		ss->init_start = ts;
		ss->restore_ms = NAN;
		fd_strlcpy(ss->init_type, l->init_type, sizeof(ss->init_type));
		fd_strlcpy(ss->runtime_version, l->runtime_version, sizeof(ss->runtime_version));
		return;
	}
	if (!ss->has_init) {
		ss->has_init = 1;
		ss->init_start = ts;
		ss->restore_ms = NAN;
	}
	if (!isnan(l->report.restore_ms))
		ss->restore_ms = l->report.restore_ms;
	if (l->init_type[0])
		fd_strlcpy(ss->init_type, l->init_type, sizeof(ss->init_type));
}

void
fd_inv_builder_feed(struct fd_inv_builder *b, const char *function, const char *stream,
		    int64_t ts_ms, const char *msg, size_t len)
{
	struct fd_logline *l = &b->line;
	struct stream_state *ss;
	struct open_req *o;
	const char *rid;

	fd_logline_parse(msg, len, l);
	ss = stream_get(b, function, stream);
	if (ss)
		ss->touched = ++b->clock;
	if (l->kind == FD_LINE_INIT_START || (l->kind == FD_LINE_INIT_REPORT && !l->request_id[0] &&
					      !(ss && ss->current[0]))) {
		on_init(ss, l, ts_ms);
		return;
	}
	rid = l->request_id[0] ? l->request_id : ss ? ss->current : "";
	if (l->kind == FD_LINE_END || (l->kind == FD_LINE_APP && !l->request_id[0]))
		o = open_find(b, rid);
	else
		o = open_get(b, rid, function);
	if (!o)
		return;
	o->touched = ++b->clock;
	if (!o->r.log_stream[0] && stream)
		fd_strlcpy(o->r.log_stream, stream, sizeof(o->r.log_stream));
	if (!o->r.version[0] && stream)
		fd_stream_version(stream, o->r.version, sizeof(o->r.version));
	switch (l->kind) {
	case FD_LINE_START:
		on_start(o, ss, l, ts_ms);
		break;
	case FD_LINE_REPORT:
		on_report(b, o, ss, &l->report, ts_ms);
		break;
	case FD_LINE_RUNTIME_DONE:
	case FD_LINE_INIT_REPORT:
		platform_status(o, &l->report);
		break;
	case FD_LINE_END:
		break;
	default:
		app_line(o, l, msg, len);
	}
}

void
fd_inv_builder_flush(struct fd_inv_builder *b)
{
	size_t i;

	for (i = 0; i < FD_INV_OPEN_MAX; i++)
		if (b->open[i].used)
			release(b, &b->open[i], 0);
}

void
fd_inv_builder_free(struct fd_inv_builder *b)
{
	if (!b)
		return;
	fd_inv_builder_flush(b);
	fd_logline_free(&b->line);
	free(b->by_id.slot);
	free(b->by_stream.slot);
	free(b->open);
	free(b->streams);
	free(b);
}

/* ---- the timeline ---- */

void
fd_timeline_init(struct fd_timeline *t)
{
	memset(t, 0, sizeof(*t));
	fd_invocation_init(&t->inv);
}

void
fd_timeline_free(struct fd_timeline *t)
{
	size_t i;

	for (i = 0; i < t->nlines; i++)
		free(t->lines[i].text);
	free(t->lines);
	if (t->trace) {
		fd_trace_free(t->trace);
		free(t->trace);
	}
	fd_invocation_free(&t->inv);
	fd_timeline_init(t);
}

void
fd_timeline_set_invocation(struct fd_timeline *t, const struct fd_invocation *inv)
{
	fd_invocation_free(&t->inv);
	t->inv = *inv;
	t->inv.errors = inv->errors ? fd_xstrdup(inv->errors) : NULL;
	t->have_inv = 1;
	/* The axis starts where INIT (or the restore) began; a REPORT-only record has no
	 * INIT_START time, so it is put the init's length before the invoke. */
	t->t0_ms = inv->start_ms;
	if (fd_invocation_cold(inv) && inv->init_start_ms)
		t->t0_ms = FD_MIN(inv->init_start_ms, inv->start_ms);
	else if (fd_invocation_cold(inv))
		t->t0_ms = inv->start_ms - llround(isnan(inv->restore_ms) ? inv->init_ms
									  : inv->restore_ms);
}

/* `"messageId": "x"` / `messageId=x` / `MessageId: x` in a line; 1 when found. */
static int
find_message_id(const char *s, size_t n, char *out, size_t cap)
{
	static const char *const keys[] = {"\"messageId\":", "messageId=", "MessageId: ",
					   "\"MessageId\":"};
	size_t i, k, p, q;

	for (i = 0; i < FD_ARRAY_LEN(keys); i++) {
		k = strlen(keys[i]);
		for (p = 0; n >= k && p <= n - k; p++) {
			if (memcmp(s + p, keys[i], k) != 0)
				continue;
			for (p += k; p < n && (s[p] == ' ' || s[p] == '"'); p++)
				;
			for (q = p; q < n && q - p < cap - 1 && (s[q] == '-' || s[q] == '_' ||
								 (s[q] >= '0' && s[q] <= '9') ||
								 (s[q] >= 'a' && s[q] <= 'z') ||
								 (s[q] >= 'A' && s[q] <= 'Z'));
			     q++)
				;
			if (q - p < 8)
				continue;
			memcpy(out, s + p, q - p);
			out[q - p] = '\0';
			return 1;
		}
	}
	return 0;
}

static void
find_queue_arn(const char *s, size_t n, char *out, size_t cap)
{
	const char *key = "arn:aws:sqs:";
	size_t k = strlen(key), p, q;

	for (p = 0; n >= k && p <= n - k; p++) {
		if (memcmp(s + p, key, k) != 0)
			continue;
		for (q = p; q < n && q - p < cap - 1 && s[q] != '"' && s[q] != ' ' &&
			    s[q] != ',' && s[q] != '\t' && s[q] != '\n';
		     q++)
			;
		memcpy(out, s + p, q - p);
		out[q - p] = '\0';
		return;
	}
}

void
fd_timeline_add_line(struct fd_timeline *t, int64_t ts_ms, const char *msg, size_t len)
{
	struct fd_logline l;
	struct fd_tl_line *dst;
	size_t i;

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	if (t->nlines >= TL_LINES_MAX)
		return;
	if (t->nlines == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->lines = fd_xreallocarray(t->lines, t->cap, sizeof(*t->lines));
	}
	for (i = t->nlines; i > 0 && t->lines[i - 1].ts_ms > ts_ms; i--)
		;
	memmove(&t->lines[i + 1], &t->lines[i], (t->nlines - i) * sizeof(*t->lines));
	t->nlines++;
	dst = &t->lines[i];
	fd_logline_init(&l);
	fd_logline_parse(msg, len, &l);
	dst->ts_ms = ts_ms;
	dst->text = fd_xstrndup(msg, len);
	dst->platform = l.kind != FD_LINE_APP && l.kind != FD_LINE_TIMEOUT;
	dst->error = error_level(&l, msg, len) || l.kind == FD_LINE_TIMEOUT ||
		     unhandled_error(msg, len);
	fd_logline_free(&l);
	if (!t->sqs_message_id[0] && !dst->platform)
		find_message_id(msg, len, t->sqs_message_id, sizeof(t->sqs_message_id));
	if (!t->sqs_source[0] && !dst->platform)
		find_queue_arn(msg, len, t->sqs_source, sizeof(t->sqs_source));
}

void
fd_timeline_set_trace(struct fd_timeline *t, struct fd_trace *trace)
{
	if (t->trace) {
		fd_trace_free(t->trace);
		free(t->trace);
	}
	t->trace = trace;
	if (trace && !t->sqs_message_id[0] && fd_trace_sqs_message_id(trace))
		fd_strlcpy(t->sqs_message_id, fd_trace_sqs_message_id(trace),
			   sizeof(t->sqs_message_id));
}

static size_t
phase_add(struct fd_tl_phase *out, size_t n, size_t max, enum fd_tl_phase_kind kind,
	  const char *name, double offset, double dur)
{
	if (n < max) {
		out[n].kind = kind;
		out[n].name = name;
		out[n].offset_ms = offset;
		out[n].duration_ms = dur;
	}
	return n + 1;
}

size_t
fd_timeline_phases(const struct fd_timeline *t, struct fd_tl_phase *out, size_t max)
{
	const struct fd_invocation *r = &t->inv;
	double invoke_at = (double)(r->start_ms - t->t0_ms), dur = r->duration_ms;
	size_t n = 0;

	if (!t->have_inv)
		return 0;
	if (!isnan(r->restore_ms))
		n = phase_add(out, n, max, FD_TL_RESTORE, "RESTORE", 0, r->restore_ms);
	else if (!isnan(r->init_ms))
		n = phase_add(out, n, max, FD_TL_INIT, "INIT", 0, r->init_ms);
	if (isnan(dur))
		dur = r->end_ms ? (double)(r->end_ms - r->start_ms) : 0;
	n = phase_add(out, n, max, FD_TL_INVOKE, "invoke", invoke_at, dur);
	if (r->end_ms)
		n = phase_add(out, n, max, FD_TL_END, "end", invoke_at + dur, 0);
	return FD_MIN(n, max);
}

double
fd_timeline_trace_offset(const struct fd_timeline *t)
{
	double start = t->trace ? fd_trace_start(t->trace) : NAN;

	if (isnan(start) || !t->have_inv)
		return NAN;
	return start * 1000.0 - (double)t->t0_ms;
}

