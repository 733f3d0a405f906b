/* follow_store.c - the follow engine's containers: the seen-set (open addressing,
 * linear probing; it forgets keys older than the re-read window instead of
 * growing without end), the pending heap, interned stream names and the ring
 * (fixed records plus a circular text arena; pushing evicts the oldest lines). */
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"

#define SEEN_MAX (1u << 22) /* slots; 64 MiB, far beyond any re-read window */
#define INTERN_MAX 1000000

/* Eight bytes a step (multiply, rotate), then the tail; mix() spreads the result. */
uint64_t
fhash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h = (h << 29) | (h >> 35);
	}
	for (w = 0; n; n--)
		w = w << 8 | s[n - 1];
	h = (h ^ w ^ 0xff) * 0x100000001b3ull;
	return h ^ (h >> 31);
}

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* ---- seen-set ---- */

void
fseen_init(struct fseen *s, size_t cap)
{
	size_t c = 1024;

	while (c < cap)
		c <<= 1;
	memset(s, 0, sizeof(*s));
	s->cap = c;
	s->slot = fd_xcalloc(c, sizeof(*s->slot));
}

void
fseen_free(struct fseen *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static size_t
seen_slot(const struct fseen *s, uint64_t key)
{
	size_t i = (size_t)mix(key) & (s->cap - 1);

	while (s->slot[i].key && s->slot[i].key != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Rebuilds into cap slots, keeping keys at or after horizon. */
static void
seen_rebuild(struct fseen *s, size_t cap, int64_t horizon)
{
	struct fseen old = *s;
	size_t i;

	s->slot = fd_xcalloc(cap, sizeof(*s->slot));
	s->cap = cap;
	s->n = 0;
	for (i = 0; i < old.cap; i++) {
		if (!old.slot[i].key || old.slot[i].ts < horizon)
			continue;
		s->slot[seen_slot(s, old.slot[i].key)] = old.slot[i];
		s->n++;
	}
	free(old.slot);
}

/* Finds the oldest timestamp that keeps at most half the slots busy (the set is
 * at its size limit: the window is forgotten from its old end). */
static int64_t
seen_median_ts(const struct fseen *s)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, mid;
	size_t i, above;
	int round;

	for (i = 0; i < s->cap; i++) {
		if (!s->slot[i].key)
			continue;
		lo = FD_MIN(lo, s->slot[i].ts);
		hi = FD_MAX(hi, s->slot[i].ts);
	}
	for (round = 0; round < 40 && lo < hi; round++) {
		mid = lo + (hi - lo) / 2;
		for (i = 0, above = 0; i < s->cap; i++)
			above += s->slot[i].key && s->slot[i].ts >= mid;
		if (above > s->cap / 4)
			lo = mid + 1;
		else
			hi = mid;
	}
	return hi;
}

static void
seen_make_room(struct fseen *s, int64_t horizon)
{
	size_t before = s->n;
	int64_t cut;

	seen_rebuild(s, s->cap, horizon);
	if (s->n * 2 < s->cap)
		return;
	if (s->cap < SEEN_MAX) {
		seen_rebuild(s, s->cap * 2, horizon);
		return;
	}
	cut = seen_median_ts(s);
	seen_rebuild(s, s->cap, cut);
	s->overflowed += before - s->n;
}

void
fseen_prefetch(const struct fseen *s, uint64_t key)
{
#if defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(&s->slot[(size_t)mix(key ? key : 1) & (s->cap - 1)], 1);
#else
	(void)s;
	(void)key;
#endif
}

int
fseen_add(struct fseen *s, uint64_t key, int64_t ts, int64_t horizon)
{
	size_t i;

	if (!key)
		key = 1;
	i = seen_slot(s, key);
	if (s->slot[i].key) {
		if (ts > s->slot[i].ts)
			s->slot[i].ts = ts;
		return 1;
	}
	if ((s->n + 1) * 2 > s->cap) {
		seen_make_room(s, horizon);
		i = seen_slot(s, key);
	}
	s->slot[i].key = key;
	s->slot[i].ts = ts;
	s->n++;
	return 0;
}

/* ---- pending events' bytes ---- */

#define CHUNK_BYTES (256u << 10)

char *
fchunk_alloc(struct fchunk **cur, size_t n, struct fchunk **owner)
{
	struct fchunk *c = *cur;
	char *p;

	if (!c || c->used + n > c->cap) {
		if (c && !c->refs)
			free(c);
		c = fd_xmalloc(sizeof(*c) + FD_MAX(n, (size_t)CHUNK_BYTES));
		c->refs = c->used = 0;
		c->cap = FD_MAX(n, (size_t)CHUNK_BYTES);
		*cur = c;
	}
	p = c->data + c->used;
	c->used += n;
	c->refs++;
	*owner = c;
	return p;
}

void
fchunk_release(struct fchunk *c, const struct fchunk *cur)
{
	if (--c->refs == 0 && c != cur)
		free(c);
}

/* ---- pending heap ---- */

static int
pend_less(const struct fpend *a, const struct fpend *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->order < b->order);
}

void
fheap_push(struct fheap *h, const struct fpend *p)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->v = fd_xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	i = h->n++;
	while (i > 0 && pend_less(p, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = *p;
}

void
fheap_pop(struct fheap *h, struct fpend *out)
{
	struct fpend last;
	size_t i = 0, c;

	*out = h->v[0];
	last = h->v[--h->n];
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && pend_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!pend_less(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
}

void
fheap_free(struct fheap *h, struct fchunk *cur)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		fchunk_release(h->v[i].chunk, cur);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* ---- interned stream names ---- */

static void
intern_grow(struct fintern *t)
{
	size_t i, ns = t->nslots ? t->nslots * 2 : 256;
	uint32_t *slots = fd_xcalloc(ns, sizeof(*slots));

	for (i = 0; i < t->n; i++) {
		const char *s = t->names[i];
		size_t j = (size_t)mix(fhash(s, strlen(s), FHASH_SEED)) & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = ns;
}

uint32_t
fintern_get(struct fintern *t, const char *s, size_t len)
{
	size_t j;

	if (t->last && strncmp(t->names[t->last - 1], s, len) == 0 &&
	    t->names[t->last - 1][len] == '\0')
		return t->last - 1;
	if (t->n >= INTERN_MAX)
		return 0; /* a pathological stream count shares the first name */
	if ((t->n + 1) * 2 > t->nslots)
		intern_grow(t);
	j = (size_t)mix(fhash(s, len, FHASH_SEED)) & (t->nslots - 1);
	while (t->slots[j]) {
		const char *n = t->names[t->slots[j] - 1];
		if (strncmp(n, s, len) == 0 && n[len] == '\0') {
			t->last = t->slots[j];
			return t->slots[j] - 1;
		}
		j = (j + 1) & (t->nslots - 1);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->names = fd_xreallocarray(t->names, t->cap, sizeof(*t->names));
	}
	t->names[t->n] = fd_xstrndup(s, len);
	t->slots[j] = (uint32_t)++t->n;
	t->last = t->slots[j];
	return (uint32_t)(t->n - 1);
}

const char *
fintern_name(const struct fintern *t, uint32_t i)
{
	return i < t->n ? t->names[i] : "";
}

void
fintern_free(struct fintern *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- ring ---- */

void
fring_init(struct fring *r, size_t lines, size_t bytes)
{
	memset(r, 0, sizeof(*r));
	r->cap = lines;
	r->asize = FD_MAX(bytes, (size_t)4 * FD_FOLLOW_TEXT_MAX);
	if (!lines)
		return;
	r->rec = fd_xcalloc(lines, sizeof(*r->rec));
	r->arena = fd_xmalloc(r->asize);
}

void
fring_free(struct fring *r)
{
	free(r->rec);
	free(r->arena);
	memset(r, 0, sizeof(*r));
}

static void
ring_evict(struct fring *r)
{
	r->head = (r->head + 1) % r->cap;
	r->n--;
	r->first_seq++;
	r->dropped++;
}

/* Would the oldest record's bytes be overwritten by [pos, pos+need)? */
static int
oldest_overlaps(const struct fring *r, size_t pos, size_t need)
{
	const struct frec *o = &r->rec[r->head];
	size_t end = (size_t)o->off + o->id_len + o->rid_len + o->len + 3;

	return r->n && o->off < pos + need && end > pos;
}

size_t
fring_push(struct fring *r, const struct frec *rec, const char *id, const char *rid,
           const char *text)
{
	size_t need = (size_t)rec->id_len + rec->rid_len + rec->len + 3, before = r->dropped;
	struct frec *dst;
	char *p;

	if (!r->cap)
		return 0;
	if (r->n == r->cap)
		ring_evict(r);
	if (r->apos + need > r->asize)
		r->apos = 0;
	while (oldest_overlaps(r, r->apos, need))
		ring_evict(r);
	dst = &r->rec[(r->head + r->n) % r->cap];
	*dst = *rec;
	dst->off = (uint32_t)r->apos;
	p = r->arena + r->apos;
	memcpy(p, id, rec->id_len);
	p[rec->id_len] = '\0';
	p += rec->id_len + 1;
	memcpy(p, rid, rec->rid_len);
	p[rec->rid_len] = '\0';
	p += rec->rid_len + 1;
	memcpy(p, text, rec->len);
	p[rec->len] = '\0';
	r->apos += need;
	r->n++;
	return (size_t)(r->dropped - before);
}

const struct frec *
fring_at(const struct fring *r, uint64_t seq, const char **id, const char **rid, const char **text)
{
	const struct frec *rec;

	if (!r->cap || seq < r->first_seq || seq >= r->first_seq + r->n)
		return NULL;
	rec = &r->rec[(r->head + (size_t)(seq - r->first_seq)) % r->cap];
	*id = r->arena + rec->off;
	*rid = *id + rec->id_len + 1;
	*text = *rid + rec->rid_len + 1;
	return rec;
}
