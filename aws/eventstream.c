/* eventstream.c - AWS event-stream frame decoder (StartLiveTail responses).
 * Every length is checked against the bytes actually present before it is used;
 * both CRCs are verified before any header is trusted. */
#include <string.h>

#include "fleetdeck/eventstream.h"

static uint32_t crc_table[256];
static int crc_ready;

static void
crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = 1;
}

uint32_t
fd_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (!crc_ready)
		crc_init();
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int64_t
be_int(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	/* sign-extend from n bytes */
	if (n < 8 && (v >> (n * 8 - 1)) & 1)
		v |= ~(uint64_t)0 << (n * 8);
	return (int64_t)v;
}

static size_t
fixed_size(enum es_value_type t)
{
	switch (t) {
	case ES_BOOL_TRUE:
	case ES_BOOL_FALSE:
		return 0;
	case ES_BYTE:
		return 1;
	case ES_INT16:
		return 2;
	case ES_INT32:
		return 4;
	case ES_INT64:
	case ES_TIMESTAMP:
		return 8;
	case ES_UUID:
		return 16;
	default:
		return (size_t)-1;
	}
}

/* Parses one header at p (at most end-p bytes); returns bytes used or 0 on error. */
static size_t
parse_header(const uint8_t *p, const uint8_t *end, struct es_header *h, struct fd_err *err)
{
	const uint8_t *start = p;
	size_t need;

	if (end - p < 2 || p[0] == 0 || (size_t)(end - p) < 2u + p[0])
		return fd_err_set(err, FD_EPARSE, "event stream: truncated header name"), 0;
	h->name_len = p[0];
	h->name = (const char *)p + 1;
	p += 1 + h->name_len;
	h->type = (enum es_value_type)*p++;
	h->ival = 0;
	h->value = NULL;
	h->value_len = 0;
	if (h->type == ES_BYTES || h->type == ES_STRING) {
		if (end - p < 2 || (size_t)(end - p) < 2u + be16(p))
			return fd_err_set(err, FD_EPARSE, "event stream: truncated header value"), 0;
		h->value_len = be16(p);
		h->value = p + 2;
		return (size_t)(p + 2 + h->value_len - start);
	}
	need = fixed_size(h->type);
	if (need == (size_t)-1)
		return fd_err_set(err, FD_EPARSE, "event stream: unknown header type %d",
				  (int)h->type), 0;
	if ((size_t)(end - p) < need)
		return fd_err_set(err, FD_EPARSE, "event stream: truncated header value"), 0;
	if (h->type == ES_BOOL_TRUE)
		h->ival = 1;
	else if (h->type == ES_UUID) {
		h->value = p;
		h->value_len = 16;
	} else if (need)
		h->ival = be_int(p, need);
	return (size_t)(p + need - start);
}

enum fd_status
es_decode_frame(const uint8_t *data, size_t len, struct es_message *msg, size_t *consumed,
		struct fd_err *err)
{
	uint32_t total, hlen;
	const uint8_t *p, *hend;

	*consumed = 0;
	if (len < 12)
		return FD_EAGAIN;
	total = be32(data);
	hlen = be32(data + 4);
	if (fd_crc32(0, data, 8) != be32(data + 8))
		return fd_err_set(err, FD_EPARSE, "event stream: prelude CRC mismatch");
	if (total < 16 || total > ES_MAX_FRAME || hlen > ES_MAX_HEADERS_BYTES || hlen > total - 16)
		return fd_err_set(err, FD_EPARSE, "event stream: bad frame lengths (total %u, headers %u)",
				  total, hlen);
	if (len < total)
		return FD_EAGAIN;
	if (fd_crc32(0, data, total - 4) != be32(data + total - 4))
		return fd_err_set(err, FD_EPARSE, "event stream: message CRC mismatch");
	msg->nheaders = 0;
	p = data + 12;
	hend = p + hlen;
	while (p < hend) {
		size_t used;
		if (msg->nheaders == ES_MAX_HEADERS)
			return fd_err_set(err, FD_EPARSE, "event stream: more than %d headers",
					  ES_MAX_HEADERS);
		used = parse_header(p, hend, &msg->headers[msg->nheaders], err);
		if (!used)
			return FD_EPARSE;
		msg->nheaders++;
		p += used;
	}
	msg->payload = hend;
	msg->payload_len = total - hlen - 16;
	*consumed = total;
	return FD_OK;
}

void
es_decoder_init(struct es_decoder *d)
{
	fd_buf_init(&d->buf);
	d->pos = 0;
	d->failed = 0;
}

void
es_decoder_free(struct es_decoder *d)
{
	fd_buf_free(&d->buf);
	d->pos = 0;
}

void
es_decoder_feed(struct es_decoder *d, const void *data, size_t n)
{
	/* Drop consumed frames before growing, so the buffer holds at most one frame
	 * plus what arrived with it. */
	if (d->pos && d->pos == d->buf.len) {
		fd_buf_reset(&d->buf);
		d->pos = 0;
	} else if (d->pos > 65536) {
		memmove(d->buf.data, d->buf.data + d->pos, d->buf.len - d->pos);
		d->buf.len -= d->pos;
		d->pos = 0;
	}
	fd_buf_append(&d->buf, data, n);
}

enum fd_status
es_decoder_next(struct es_decoder *d, struct es_message *out, struct fd_err *err)
{
	size_t used = 0;
	enum fd_status st;

	if (d->failed)
		return fd_err_set(err, FD_EPARSE, "event stream: stream already failed");
	if (d->pos >= d->buf.len)
		return FD_EAGAIN;
	st = es_decode_frame((const uint8_t *)d->buf.data + d->pos, d->buf.len - d->pos, out,
			     &used, err);
	if (st == FD_OK)
		d->pos += used;
	else if (st != FD_EAGAIN)
		d->failed = 1;
	return st;
}

int
es_header_str(const struct es_message *m, const char *name, char *out, size_t n)
{
	size_t i, len = strlen(name);

	for (i = 0; i < m->nheaders; i++) {
		const struct es_header *h = &m->headers[i];
		if (h->name_len != len || memcmp(h->name, name, len) != 0)
			continue;
		if (h->type != ES_STRING && h->type != ES_BYTES)
			return 0;
		if (n) {
			size_t c = h->value_len < n - 1 ? h->value_len : n - 1;
			memcpy(out, h->value, c);
			out[c] = '\0';
		}
		return 1;
	}
	return 0;
}
