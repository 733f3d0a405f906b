/* series.h (cache-private) - what packed.c (the packed series rows), metrics.c,
 * proxymetrics.c and summary.c (the per-function window summaries computed from the
 * metric series) share. */
#ifndef FLEETDECK_CACHE_SERIES_H
#define FLEETDECK_CACHE_SERIES_H

#include <stdint.h>

#include "internal.h"

/* The packed value format (see packed.c): appends v to b; reads one value, -1 when
 * the bytes are malformed. */
void cache_pack_value(struct fd_buf *b, double v);
int cache_unpack_value(const unsigned char **p, const unsigned char *end, double *out);
/* Its unsigned varints (LEB128). */
void cache_put_varint(struct fd_buf *b, uint64_t v);
int cache_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);

/* A kind of packed series row (packed.c): one row per (ctx_id, name_col, period_s) of
 * table, holding count series, series k stored under key(k) (buf, n: room it may use).
 * decode_other, if set, reads a vals blob of another format (-1 when damaged). */
struct cache_packed {
	const char *table;
	const char *name_col;
	size_t count;
	const char *(*key)(size_t k, char *buf, size_t n);
	int (*decode_other)(const unsigned char *blob, size_t len, int period_s,
	                    struct fd_series *s);
};

/* Newest points a packed series keeps: 3 h of 1-minute points, 24 h of 5-minute ones. */
size_t cache_packed_keep_points(int period_s);
/* The series whose key is key[0..len), or -1. */
int cache_packed_key_index(const struct cache_packed *pk, const char *key, size_t len);
/* A vals blob into s[pk->count]; -1 (what could be read is kept) when damaged. */
int cache_packed_decode(const struct cache_packed *pk, const unsigned char *blob, size_t len,
                        int period_s, struct fd_series *s);
/* Columns fetched_ms, vals from column first of st into s; raises *fetched_ms. */
void cache_packed_read(const struct cache_packed *pk, sqlite3_stmt *st, int first,
                       int period_s, struct fd_series *s, int64_t *fetched_ms);
/* The stored row of (ctx_id, name, period_s), if any, into s and *fetched_ms. */
enum fd_status cache_packed_load(struct fd_cache *c, const struct cache_packed *pk,
                                 int64_t ctx_id, const char *name, int period_s,
                                 struct fd_series *s, int64_t *fetched_ms, struct fd_err *err);
/* Stores s as the row of (ctx_id, name, period_s); the row goes when no series has a
 * point. blob is scratch space. */
enum fd_status cache_packed_write(struct fd_cache *c, const struct cache_packed *pk,
                                  int64_t ctx_id, const char *name, int period_s,
                                  int64_t fetched_ms, const struct fd_series *s,
                                  struct fd_buf *blob, struct fd_err *err);

/* Loads every stored series of one function with this period into out (zeroed first,
 * out->function set): regular series, NAN gaps, n == 0 where nothing is stored. */
enum fd_status cache_series_load(struct fd_cache *c, int64_t ctx_id, const char *function,
                                 int period_s, struct fd_function_metrics *out,
                                 struct fd_err *err);

/* Calls fn for every function of ctx with series of this period, in function order.
 * fn may take fm's contents (leaving it zeroed); what it leaves is freed. */
typedef enum fd_status (*cache_series_fn)(struct fd_cache *c, struct fd_function_metrics *fm,
                                          void *ud, struct fd_err *err);
enum fd_status cache_series_each(struct fd_cache *c, int64_t ctx_id, int period_s,
                                 cache_series_fn fn, void *ud, struct fd_err *err);

/* Writes fm's series with this period again, packed (files migrated from point rows). */
enum fd_status cache_series_repack(struct fd_cache *c, int64_t ctx_id,
                                   const struct fd_function_metrics *fm, int period_s,
                                   struct fd_err *err);

/* Drops the points before before_s (store.c's fd_cache_prune): whole series that end
 * earlier, the head of the others. Runs inside the caller's transaction. */
enum fd_status cache_metrics_prune(struct fd_cache *c, int64_t before_s, struct fd_err *err);

/* summary.c: rewrites fm's summaries of every window computed from period_s, as of
 * asof_s. Runs inside the caller's transaction. */
enum fd_status cache_summaries_put(struct fd_cache *c, int64_t ctx_id,
                                   const struct fd_function_metrics *fm, int period_s,
                                   int64_t asof_s, struct fd_err *err);

#endif
