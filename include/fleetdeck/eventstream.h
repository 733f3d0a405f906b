/* eventstream.h - decoder for AWS event-stream framing (application/
 * vnd.amazon.eventstream), used by Logs StartLiveTail: prelude (total length,
 * headers length, CRC32), typed headers, payload, message CRC32. Incremental:
 * feed bytes as they arrive; frames split across reads are reassembled. */
#ifndef FLEETDECK_EVENTSTREAM_H
#define FLEETDECK_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

#define ES_MAX_HEADERS 32
#define ES_MAX_HEADERS_BYTES (128 * 1024)
#define ES_MAX_FRAME (16 * 1024 * 1024)

enum es_value_type {
	ES_BOOL_TRUE = 0,
	ES_BOOL_FALSE = 1,
	ES_BYTE = 2,
	ES_INT16 = 3,
	ES_INT32 = 4,
	ES_INT64 = 5,
	ES_BYTES = 6,
	ES_STRING = 7,
	ES_TIMESTAMP = 8,
	ES_UUID = 9,
};

struct es_header {
	const char *name;          /* not NUL-terminated: name_len bytes, points into the frame */
	size_t name_len;
	enum es_value_type type;
	const uint8_t *value;      /* bytes/string/uuid; points into the frame */
	size_t value_len;
	int64_t ival;              /* bool, byte, int*, timestamp */
};

struct es_message {
	struct es_header headers[ES_MAX_HEADERS];
	size_t nheaders;
	const uint8_t *payload;    /* points into the decoder's buffer until the next call */
	size_t payload_len;
};

/* Decodes one frame at data. FD_EAGAIN: more bytes needed (*consumed = 0);
 * FD_EPARSE: corrupt (bad CRC, lengths, header) with detail in err. */
enum fd_status es_decode_frame(const uint8_t *data, size_t len, struct es_message *msg,
			       size_t *consumed, struct fd_err *err);

struct es_decoder {
	struct fd_buf buf;
	size_t pos;                /* start of the next undecoded frame in buf */
	int failed;                /* a corrupt frame ends the stream */
};

void es_decoder_init(struct es_decoder *d);
void es_decoder_free(struct es_decoder *d);
void es_decoder_feed(struct es_decoder *d, const void *data, size_t n);
/* Next complete message: FD_OK, FD_EAGAIN (need more), FD_EPARSE (stream corrupt). */
enum fd_status es_decoder_next(struct es_decoder *d, struct es_message *out, struct fd_err *err);

/* Copies a string/bytes header's value (NUL-terminated, truncated to n-1). Returns 1
 * when present. */
int es_header_str(const struct es_message *m, const char *name, char *out, size_t n);

uint32_t fd_crc32(uint32_t crc, const void *data, size_t n);

#endif
