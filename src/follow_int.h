/* follow_int.h - the follow engine's state, shared by its files: follow.c (the
 * engine: polling, ordering, release), follow_live.c (Live Tail sessions),
 * follow_store.c (seen-set, pending heap, stream names, ring), follow_fmt.c
 * (banner and line text), follow_file.c (saved files) and follow_read.c (the
 * readers and counters). Nothing outside src/follow*.c includes it. */
#ifndef FLEETDECK_FOLLOW_INT_H
#define FLEETDECK_FOLLOW_INT_H

#include <stdint.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/logs.h"

/* ---- seen-set: 64-bit event keys with their timestamps, for de-duplication ---- */

/* A key and its time side by side: a probe touches one cache line, not two. */
struct fseen_slot {
	uint64_t key; /* 0 = empty slot */
	int64_t ts;
};

struct fseen {
	struct fseen_slot *slot;
	size_t cap, n;       /* cap: power of two */
	uint64_t overflowed; /* keys dropped while still inside the window */
};

void fseen_init(struct fseen *s, size_t cap);
void fseen_free(struct fseen *s);
/* 1 when key was seen before; otherwise remembers it and returns 0. When the set
 * is full it first forgets keys older than horizon, then grows. */
int fseen_add(struct fseen *s, uint64_t key, int64_t ts, int64_t horizon);
/* Hints that key will be looked up soon (its slot is loaded into the cache). */
void fseen_prefetch(const struct fseen *s, uint64_t key);

uint64_t fhash(const void *p, size_t n, uint64_t h);
#define FHASH_SEED 0xcbf29ce484222325ull

/* ---- pending events, ordered by (timestamp, arrival) ---- */

/* Pending events' bytes come from chunks freed when their last event is released. */
struct fchunk {
	size_t refs, used, cap;
	char data[];
};

struct fpend {
	int64_t ts;
	uint64_t order;
	int64_t arrived; /* monotonic ms */
	unsigned source;
	int recovered; /* fetched after a gap banner: late on purpose */
	uint32_t id_len, stream_len, msg_len;
	char *blob;           /* event id NUL stream NUL message NUL */
	struct fchunk *chunk; /* that holds blob */
};

struct fheap {
	struct fpend *v;
	size_t n, cap;
};

/* n bytes for a pending event; *cur is the chunk being filled. */
char *fchunk_alloc(struct fchunk **cur, size_t n, struct fchunk **owner);
/* One event of the chunk released (the current chunk stays until it is replaced). */
void fchunk_release(struct fchunk *c, const struct fchunk *cur);

void fheap_push(struct fheap *h, const struct fpend *p);
void fheap_pop(struct fheap *h, struct fpend *out);
void fheap_free(struct fheap *h, struct fchunk *cur);

/* ---- interned stream names ---- */

struct fintern {
	char **names;
	size_t n, cap;
	uint32_t last;   /* the name asked for last (+ 1), checked first */
	uint32_t *slots; /* index + 1; 0 = empty */
	size_t nslots;
};

uint32_t fintern_get(struct fintern *t, const char *s, size_t len);
const char *fintern_name(const struct fintern *t, uint32_t i);
void fintern_free(struct fintern *t);

/* ---- the ring: fixed records plus a circular text arena ---- */

#define FREC_JSON 0x1
#define FREC_TRUNC 0x2
#define FREC_COLD 0x4
#define FREC_WARM 0x8 /* cold_start known to be false */

struct frec {
	int64_t ts, ts_to;
	uint32_t off; /* arena: event id (truncated lines), request id, text; each
	               * NUL-terminated */
	uint32_t len; /* text bytes */
	uint32_t full_len;
	uint32_t stream;
	uint16_t source;
	uint8_t level, kind, flags, rid_len, id_len, banner;
};

struct fring {
	struct frec *rec;
	size_t cap, head, n; /* head: the oldest record */
	char *arena;
	size_t asize, apos; /* next write offset */
	uint64_t first_seq;
	uint64_t dropped;
};

void fring_init(struct fring *r, size_t lines, size_t bytes);
void fring_free(struct fring *r);
/* Appends a record with its strings; returns how many old records it evicted. */
size_t fring_push(struct fring *r, const struct frec *rec, const char *id, const char *rid,
                  const char *text);
const struct frec *fring_at(const struct fring *r, uint64_t seq, const char **id, const char **rid,
                            const char **text);

/* ---- the engine ---- */

enum gstate { G_POLL, G_LIVE, G_DENIED };

struct fgroup {
	struct fd_follow *f;
	unsigned idx;
	char *name, *function, *ident; /* ident: what Live Tail is given (ARN or name) */
	enum gstate state;
	uint64_t call;   /* poll in flight; 0 = none */
	int64_t done_ms; /* every event before this time has been asked for */
	int polled;      /* a poll has completed */
	int poll_once;   /* live: one catch-up poll, then Live Tail alone */
	int64_t req_start, req_end;
	char *token;      /* next page of the poll in progress */
	int64_t next_due; /* monotonic ms */
	int64_t last_start; /* wall ms the last poll started */
	int interval_ms;
	int64_t last_active; /* monotonic ms of the last new event */
	int fails;           /* consecutive failed polls */
	int64_t gap_from;    /* first unfetched time while failing; 0 = healthy */
	int64_t live_lo_ms;  /* events from here on may also come from Live Tail */
	int64_t page_hi;     /* newest event time of the poll in progress */
	uint64_t new_events; /* in the poll in progress */
	int notfound_said;
};

struct flive {
	struct fd_follow *f;
	struct logs_live *ls; /* NULL once ended */
	struct flive *pred;   /* the session this one renews */
	unsigned groups[LOGS_LIVE_MAX_GROUPS];
	size_t n;
	int64_t started; /* monotonic */
	int64_t started_wall;
	int64_t last_update_wall;
	int active;      /* sessionStart seen */
	int64_t billed_from; /* monotonic: sessionStart; 0 once the time is recorded */
	int renewed;     /* a successor took over */
	int64_t stop_at; /* monotonic; stop after the successor started */
	int64_t sampled_banner_at;
	int restarts;
};

struct fd_inv_sink;

struct fd_follow {
	struct aws_client *c;
	struct fd_inv_sink *inv; /* invocation records built from the tailed lines */
	struct fd_follow_opts o;
	char *pattern, *arn_prefix;
	struct fgroup *g;
	size_t ng;
	struct fseen seen;
	struct fheap pend;
	struct fchunk *chunk; /* where pending events are copied now */
	struct fintern streams;
	struct fring ring;
	int use_ring;
	struct logs_events page;
	uint64_t order, seq;
	int64_t last_ts; /* newest released timestamp */
	struct flive **live;
	size_t nlive;
	int live_enabled;
	int dirty;
	int started;
	int overflow_said;
	int overlap_ms;
	int64_t max_poll_gap;      /* longest time between two polls of a group */
	int64_t batch_now;     /* monotonic ms for the events being taken */
	int64_t batch_horizon; /* seen keys older than this may be forgotten */
	struct fd_follow_stats st;
	struct fd_logline ll;
	struct fd_buf san;
	struct fd_log_event *sev; /* queued for the log store, with their strings */
	char **sblob;
	size_t nstore, capstore;
	int64_t store_flushed;
	int store_failed;
};

#define FOLLOW_NO_SOURCE 0xffffu

/* follow.c */
void follow_banner(struct fd_follow *f, enum fd_banner kind, unsigned source, int64_t from,
                   int64_t to, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Call before taking a batch of events (clock and horizon are read once a batch). */
void follow_batch(struct fd_follow *f);
/* Takes one received event: de-duplicates it and queues it for release. 1 when new. */
int follow_take(struct fd_follow *f, unsigned source, const struct logs_event *e, int live);
/* Takes every event of a polled page (not Live Tail); returns how many were new. */
uint64_t follow_take_page(struct fd_follow *f, unsigned source, const struct logs_events *page);
int64_t follow_horizon(const struct fd_follow *f);
/* Raises the overlap window to cover late events and the slowest poll cycle. */
void follow_widen(struct fd_follow *f);
void follow_release(struct fd_follow *f, int64_t now, int all);

/* follow_poll.c */
void poll_tick(struct fd_follow *f, int64_t now);
/* Polls source again from from_ms (once: a catch-up for a Live Tail group). */
void follow_schedule_poll(struct fd_follow *f, unsigned source, int64_t from_ms, int once);
/* Lowest time up to which every group has been fetched; INT64_MAX when none limits. */
int64_t poll_watermark(const struct fd_follow *f, int64_t now);
int poll_next_due(const struct fd_follow *f, int64_t now);
int poll_busy(const struct fd_follow *f);

/* follow_live.c */
void live_start_all(struct fd_follow *f);
void live_tick(struct fd_follow *f, int64_t now);
void live_free_all(struct fd_follow *f);
int live_count(const struct fd_follow *f);

#endif
