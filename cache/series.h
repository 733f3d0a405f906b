/* series.h (cache-private) - what metrics.c (packed series) and summary.c (the
 * per-function window summaries computed from them) share. */
#ifndef FLEETDECK_CACHE_SERIES_H
#define FLEETDECK_CACHE_SERIES_H

#include <stdint.h>

#include "internal.h"

/* The packed value format (see metrics.c): appends v to b; reads one value, -1 when
 * the bytes are malformed. */
void cache_pack_value(struct fd_buf *b, double v);
int cache_unpack_value(const unsigned char **p, const unsigned char *end, double *out);
/* Its unsigned varints (LEB128), for other packed rows (proxymetrics.c). */
void cache_put_varint(struct fd_buf *b, uint64_t v);
int cache_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);

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
