/* follow.h - the follow engine: many log groups tailed at once and interleaved by
 * timestamp into one stream of lines, each tagged with its function. Two transports
 * behind one interface: polling FilterLogEvents (round-robin under the account's
 * 5 TPS budget, busy groups polled more often, an overlap window re-read for late
 * events, de-duplication by eventId) and Live Tail (<= 10 groups a session, renewed
 * before the 3-hour limit, falling back to polling when it fails). What could not
 * be fetched is said in the stream itself as banner lines (gaps, sampling, access
 * denied, fallback). Released lines go to a callback (headless output) and to a
 * bounded ring that views read by sequence number; optionally also to the cache.
 * Nothing here blocks: the owner runs the AWS client's loop and calls
 * fd_follow_tick() after each wait. Views include this header (no library types). */
#ifndef FLEETDECK_FOLLOW_H
#define FLEETDECK_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/logline.h"

/* Banner kinds, declared once. X(id, json name) */
#define FD_BANNER_LIST(X)                                                                          \
	X(FD_BANNER_NONE, "line")                                                                  \
	X(FD_BANNER_GAP, "gap")                                                                    \
	X(FD_BANNER_RESUMED, "resumed")                                                            \
	X(FD_BANNER_SAMPLED, "sampled")                                                            \
	X(FD_BANNER_DENIED, "denied")                                                              \
	X(FD_BANNER_ERROR, "error")                                                                \
	X(FD_BANNER_FALLBACK, "fallback")                                                          \
	X(FD_BANNER_LIVE, "live")                                                                  \
	X(FD_BANNER_OVERFLOW, "overflow")

enum fd_banner {
#define FD_BANNER_ENUM(id, name) id,
	FD_BANNER_LIST(FD_BANNER_ENUM)
#undef FD_BANNER_ENUM
	    FD_BANNER_COUNT
};

const char *fd_banner_name(enum fd_banner b);

struct fd_follow_source {
	const char *group;    /* log group name (or ARN) */
	const char *function; /* label; NULL = derived from the group name */
};

#define FD_FOLLOW_RING_DEFAULT 100000
#define FD_FOLLOW_TEXT_MAX 8192 /* bytes of a line kept in the ring; longer ones truncated */

struct fd_line;

struct fd_follow_opts {
	int64_t since_ms;       /* first event time, wall ms; 0 = one minute ago */
	int64_t until_ms;       /* without follow: last event time; 0 = now */
	int follow;             /* keep tailing after the backfill */
	int live;               /* follow with Live Tail (falls back to polling) */
	size_t ring_lines;      /* 0 = no ring (headless); FD_FOLLOW_RING_DEFAULT for views */
	size_t ring_bytes;      /* text budget of the ring; 0 = 24 MiB */
	int overlap_ms;         /* re-read window for late events; 0 = 10 s (raised when
	                         * ingestion lags more) */
	int min_interval_ms;    /* poll interval of a busy group; 0 = 1 s */
	int max_interval_ms;    /* of an idle one; 0 = 10 s */
	int holdback_ms;        /* longest wait to order lines across groups; 0 = 2 s */
	int max_inflight;       /* FilterLogEvents calls at once; 0 = 2 */
	int page_limit;         /* FilterLogEvents limit; 0 = the service's (10,000) */
	const char *pattern;    /* CloudWatch filter pattern, applied server-side */
	const char *arn_prefix; /* "arn:aws:logs:REGION:ACCOUNT:log-group:" (Live Tail
	                         * wants ARNs); NULL = names */
	int64_t live_renew_ms;  /* renew a Live Tail session after; 0 = 2 h 55 min */
	struct fd_cache *cache; /* optional log store for the incident history */
	const struct fd_ctx *ctx;
	void (*on_line)(const struct fd_line *l, void *ud); /* released lines, in order */
	void *ud;
};

/* A line (or banner) as readers see it. Pointers stay valid until the next call
 * into the engine (callbacks: until they return). */
struct fd_line {
	uint64_t seq;          /* release order; ring lookups use it */
	int64_t ts;            /* event time, ms; banners: start of the range concerned */
	int64_t ts_to;         /* banners: end of the range (0 = none) */
	enum fd_banner banner; /* FD_BANNER_NONE for log lines */
	unsigned source;       /* index of the group */
	const char *group, *function, *stream;
	const char *event_id; /* on_line only ("" from the ring and for Live Tail) */
	const char *raw;      /* on_line only: the message as received (NULL from the ring) */
	size_t raw_len;
	const char *text; /* sanitized: the message (JSON lines: the whole object);
	                   * banners: detail (group, reason) */
	size_t text_len;
	size_t full_len;        /* bytes of the original message */
	const char *request_id; /* "" when none */
	enum fd_level level;
	enum fd_line_kind kind;
	int json;
	int cold_start; /* 1, 0, -1 unknown */
	int truncated;  /* text is a prefix of a longer message */
};

struct fd_follow;

enum fd_status fd_follow_new(struct aws_client *c, const struct fd_follow_source *src, size_t n,
                             const struct fd_follow_opts *o, struct fd_follow **out,
                             struct fd_err *err);
/* Opens saved events: a file in FilterLogEvents form ({"events":[...]}, what `aws logs
 * filter-log-events` prints), one source per logGroupIdentifier (events without one
 * belong to the file's name). Every line is released at once; nothing is fetched. */
enum fd_status fd_follow_open_file(const char *path, const struct fd_follow_opts *o,
                                   struct fd_follow **out, struct fd_err *err);
/* Cancels every call and session; no callback runs afterwards. */
void fd_follow_free(struct fd_follow *f);

/* Starts due work (polls, pages, sessions, renewals), releases lines whose turn has
 * come and flushes the log store. Returns ms until it wants to run again. */
int fd_follow_tick(struct fd_follow *f);
/* Without follow: every group fetched (or given up) and every line released. */
int fd_follow_done(const struct fd_follow *f);
/* True (once) when lines were released since the last call. */
int fd_follow_take_dirty(struct fd_follow *f);

/* The ring: lines seq first..first+count-1 (older ones were dropped). */
uint64_t fd_follow_first(const struct fd_follow *f);
size_t fd_follow_count(const struct fd_follow *f);
/* Fills out for seq; 0 when it is not (or no longer) in the ring. */
int fd_follow_get(const struct fd_follow *f, uint64_t seq, struct fd_line *out);

size_t fd_follow_nsources(const struct fd_follow *f);
const char *fd_follow_source_function(const struct fd_follow *f, unsigned i);
const char *fd_follow_source_group(const struct fd_follow *f, unsigned i);
/* "poll", "live", "denied", "failing", "backfill" */
const char *fd_follow_source_state(const struct fd_follow *f, unsigned i);

struct fd_follow_stats {
	uint64_t received; /* events from AWS, duplicates included */
	uint64_t duplicates;
	uint64_t released; /* lines (banners excluded) */
	uint64_t banners;
	uint64_t dropped; /* ring overflow: oldest lines evicted */
	uint64_t gaps;
	uint64_t polls, pages;
	uint64_t failures;
	size_t pending; /* waiting to be ordered */
	size_t ring_lines, ring_bytes;
	size_t seen_keys;
	int live_sessions;
	int polling; /* groups polled now */
	int overlap_ms;
	int64_t fetched_ms;      /* every polled group is fetched up to here (event time) */
	int64_t max_lag_ms;      /* worst ingestion lag seen */
	int64_t max_disorder_ms; /* largest step back in released timestamps (lines fetched
	                          * late after a gap banner are not counted) */
	uint64_t recovered;      /* lines fetched after a gap banner covering them */
};
void fd_follow_stats(const struct fd_follow *f, struct fd_follow_stats *out);

/* Banner text: "gap: 14:02:10–14:02:25 not fetched (throttled): orders-api". */
void fd_follow_banner_text(const struct fd_line *l, int utc, char *out, size_t n);
/* Display form of a line's text: JSON objects compact (key fields first) or pretty
 * printed; other lines as they are. Sanitized. */
void fd_follow_format(const struct fd_line *l, int pretty, struct fd_buf *out);

/* Feeds one event for source i as if a poll had returned it (the log store's history
 * offline, tests); it is released by the next tick or fd_follow_flush(). */
void fd_follow_ingest(struct fd_follow *f, unsigned source, int64_t ts, const char *stream,
                      const char *event_id, const char *message, size_t len);
/* Benchmarks and tests: feeds a FilterLogEvents answer for source i as if a poll had
 * returned it, then fd_follow_flush() releases everything pending. */
enum fd_status fd_follow_ingest_page(struct fd_follow *f, unsigned source, const char *json,
                                     size_t len, struct fd_err *err);
void fd_follow_flush(struct fd_follow *f);

/* "/aws/lambda/orders-api" -> "orders-api"; other names are returned as they are. */
const char *fd_follow_function_of(const char *group);

#endif
