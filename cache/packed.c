/* packed.c - the packed series rows that metrics.c (metric_packed) and proxymetrics.c
 * (proxy_metrics) store: one row per (ctx, name, period) holding every series of the
 * name, first_s and last_s its oldest and newest points, vals the series.
 *
 * vals: 'F', then per stored series its key (cache_packed.key, stable when an enum is
 * reordered) as a varint length and bytes, the varint zigzag start time, the varint
 * point count and the points. A point is a varint: 0 = no point, odd v = the integer
 * whose zigzag code is v >> 1, 2 = an 8-byte little-endian IEEE double follows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "series.h"

#define PACK_TAG 'F'
#define V_GAP 0u
#define V_DOUBLE 2u
#define INT_EXACT 9007199254740992.0 /* 2^53: integers below are exact doubles */
#define KEY_MAX 96

/* A loaded series is capped so a stray far-away point cannot make a huge array. */
#define PACKED_MAX_POINTS 100000

/* ---- the value format ---- */

static uint64_t
zigzag(int64_t v)
{
	return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static int64_t
unzigzag(uint64_t v)
{
	return v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

void
cache_put_varint(struct fd_buf *b, uint64_t v)
{
	unsigned char *p;

	fd_buf_reserve(b, 10);
	p = (unsigned char *)b->data + b->len;
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	b->len = (size_t)((char *)p - b->data);
	b->data[b->len] = '\0';
}

int
cache_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift;

	for (shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

void
cache_pack_value(struct fd_buf *b, double v)
{
	unsigned char d[8];
	uint64_t bits;
	size_t k;

	if (isnan(v)) {
		cache_put_varint(b, V_GAP);
	} else if (fabs(v) < INT_EXACT && v == floor(v)) {
		cache_put_varint(b, (zigzag((int64_t)v) << 1) | 1);
	} else {
		cache_put_varint(b, V_DOUBLE);
		memcpy(&bits, &v, sizeof(bits));
		for (k = 0; k < sizeof(d); k++)
			d[k] = (unsigned char)(bits >> (8 * k));
		fd_buf_append(b, d, sizeof(d));
	}
}

int
cache_unpack_value(const unsigned char **p, const unsigned char *end, double *out)
{
	uint64_t v, zz, bits = 0;
	size_t k;

	if (cache_get_varint(p, end, &v) != 0)
		return -1;
	if (v == V_GAP) {
		*out = NAN;
	} else if (v & 1) {
		zz = v >> 1;
		*out = zz & 1 ? -(double)(zz >> 1) - 1.0 : (double)(zz >> 1);
	} else if (v == V_DOUBLE && end - *p >= 8) {
		for (k = 0; k < 8; k++)
			bits |= (uint64_t)(*p)[k] << (8 * k);
		memcpy(out, &bits, sizeof(*out));
		*p += 8;
	} else {
		return -1;
	}
	return 0;
}

/* ---- rows ---- */

size_t
cache_packed_keep_points(int period_s)
{
	int64_t span = period_s >= 300 ? 86400 : 3 * 3600;

	return (size_t)FD_MAX(span / FD_MAX(period_s, 1) + 2, 2);
}

/* ?1 ctx_id, ?2 name, ?3 period_s: the row's key in every statement here. */
static void
bind_key(sqlite3_stmt *st, int64_t ctx_id, const char *name, int period_s)
{
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, period_s);
}

int
cache_packed_key_index(const struct cache_packed *pk, const char *key, size_t len)
{
	char buf[KEY_MAX];
	const char *k;
	size_t i;

	for (i = 0; key && i < pk->count; i++) {
		k = pk->key(i, buf, sizeof(buf));
		if (strlen(k) == len && memcmp(k, key, len) == 0)
			return (int)i;
	}
	return -1;
}

/* Every non-empty series of s; *first_s and *last_s get its oldest and newest points.
 * Returns 0 when no series has a point. */
static int
row_encode(const struct cache_packed *pk, const struct fd_series *s, struct fd_buf *out,
           int64_t *first_s, int64_t *last_s)
{
	char buf[KEY_MAX];
	const char *key;
	int64_t last;
	size_t k, i;
	int any = 0;

	fd_buf_reset(out);
	fd_buf_putc(out, PACK_TAG);
	for (k = 0; k < pk->count; k++) {
		if (!s[k].n || !s[k].values)
			continue;
		key = pk->key(k, buf, sizeof(buf));
		cache_put_varint(out, strlen(key));
		fd_buf_puts(out, key);
		cache_put_varint(out, zigzag(s[k].start_s));
		cache_put_varint(out, s[k].n);
		for (i = 0; i < s[k].n; i++)
			cache_pack_value(out, s[k].values[i]);
		last = s[k].start_s + (int64_t)(s[k].n - 1) * s[k].period_s;
		*first_s = any ? FD_MIN(*first_s, s[k].start_s) : s[k].start_s;
		*last_s = any ? FD_MAX(*last_s, last) : last;
		any = 1;
	}
	return any;
}

/* One series record of a packed row into s (unknown keys are skipped). */
static int
record_decode(const struct cache_packed *pk, const unsigned char **p, const unsigned char *end,
              int period_s, struct fd_series *s)
{
	struct fd_series skip = {0, 0, 0, NULL}, *to;
	uint64_t len, start, n;
	const unsigned char *key;
	size_t i;
	int k;

	if (cache_get_varint(p, end, &len) != 0 || (uint64_t)(end - *p) < len)
		return -1;
	key = *p;
	*p += len;
	if (cache_get_varint(p, end, &start) != 0 || cache_get_varint(p, end, &n) != 0 || !n ||
	    n > PACKED_MAX_POINTS)
		return -1;
	k = cache_packed_key_index(pk, (const char *)key, (size_t)len);
	to = k >= 0 ? &s[k] : &skip;
	free(to->values);
	to->values = fd_xreallocarray(NULL, (size_t)n, sizeof(double));
	to->start_s = unzigzag(start);
	to->period_s = period_s;
	to->n = (size_t)n;
	for (i = 0; i < to->n; i++)
		if (cache_unpack_value(p, end, &to->values[i]) != 0)
			break;
	free(skip.values);
	if (i < (size_t)n) {
		fd_series_free(to);
		return -1;
	}
	return 0;
}

int
cache_packed_decode(const struct cache_packed *pk, const unsigned char *blob, size_t len,
                    int period_s, struct fd_series *s)
{
	const unsigned char *p = blob + 1, *end = blob + len;

	if (!blob || !len || period_s <= 0)
		return -1;
	if (blob[0] != PACK_TAG)
		return pk->decode_other ? pk->decode_other(blob, len, period_s, s) : -1;
	while (p < end)
		if (record_decode(pk, &p, end, period_s, s) != 0)
			return -1;
	return 0;
}

void
cache_packed_read(const struct cache_packed *pk, sqlite3_stmt *st, int first, int period_s,
                  struct fd_series *s, int64_t *fetched_ms)
{
	*fetched_ms = FD_MAX(*fetched_ms, sqlite3_column_int64(st, first));
	(void)cache_packed_decode(pk, sqlite3_column_blob(st, first + 1),
	                          (size_t)sqlite3_column_bytes(st, first + 1), period_s, s);
}

enum fd_status
cache_packed_load(struct fd_cache *c, const struct cache_packed *pk, int64_t ctx_id,
                  const char *name, int period_s, struct fd_series *s, int64_t *fetched_ms,
                  struct fd_err *err)
{
	char sql[256];
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	snprintf(sql, sizeof(sql),
	         "SELECT fetched_ms, vals FROM %s WHERE ctx_id = ?1 AND %s = ?2 AND "
	         "period_s = ?3",
	         pk->table, pk->name_col);
	rc = cache_stmt(c, sql, &st, err);
	if (rc != FD_OK)
		return rc;
	bind_key(st, ctx_id, name, period_s);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cache_packed_read(pk, st, 0, period_s, s, fetched_ms);
	rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

static void
write_sql(const struct cache_packed *pk, int any, char *sql, size_t n)
{
	if (any)
		snprintf(sql, n,
		         "INSERT INTO %s (ctx_id, %s, period_s, fetched_ms, first_s, last_s, "
		         "vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (ctx_id, %s, "
		         "period_s) DO UPDATE SET fetched_ms = max(fetched_ms, "
		         "excluded.fetched_ms), first_s = excluded.first_s, last_s = "
		         "excluded.last_s, vals = excluded.vals",
		         pk->table, pk->name_col, pk->name_col);
	else
		snprintf(sql, n, "DELETE FROM %s WHERE ctx_id = ?1 AND %s = ?2 AND period_s = ?3",
		         pk->table, pk->name_col);
}

enum fd_status
cache_packed_write(struct fd_cache *c, const struct cache_packed *pk, int64_t ctx_id,
                   const char *name, int period_s, int64_t fetched_ms,
                   const struct fd_series *s, struct fd_buf *blob, struct fd_err *err)
{
	int64_t first = 0, last = 0;
	int any = row_encode(pk, s, blob, &first, &last);
	char sql[512];
	sqlite3_stmt *st;
	enum fd_status rc;

	write_sql(pk, any, sql, sizeof(sql));
	rc = cache_stmt(c, sql, &st, err);
	if (rc != FD_OK)
		return rc;
	bind_key(st, ctx_id, name, period_s);
	if (any) {
		sqlite3_bind_int64(st, 4, fetched_ms);
		sqlite3_bind_int64(st, 5, first);
		sqlite3_bind_int64(st, 6, last);
		sqlite3_bind_blob(st, 7, blob->data, (int)blob->len, SQLITE_STATIC);
	}
	return cache_step_done(c, st, err);
}
