/* Event-stream framing: the verified example frame, CRC failures, frames split
 * across reads, hostile lengths. */
#include <stdlib.h>

#include "fleetdeck/eventstream.h"
#include "test.h"

static size_t
load_example(uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/eventstream/livetail-sessionUpdate-example.bin",
		 fd_test_data());
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Builds a frame with one string header and a payload. */
static size_t
build_frame(uint8_t *out, const char *hname, const char *hval, const char *payload)
{
	size_t nl = strlen(hname), vl = strlen(hval), pl = strlen(payload);
	size_t hlen = 1 + nl + 1 + 2 + vl, total = 16 + hlen + pl;
	uint8_t *p = out + 12;

	put32(out, (uint32_t)total);
	put32(out + 4, (uint32_t)hlen);
	put32(out + 8, fd_crc32(0, out, 8));
	*p++ = (uint8_t)nl;
	memcpy(p, hname, nl);
	p += nl;
	*p++ = 7;
	*p++ = (uint8_t)(vl >> 8);
	*p++ = (uint8_t)vl;
	memcpy(p, hval, vl);
	p += vl;
	memcpy(p, payload, pl);
	put32(out + total - 4, fd_crc32(0, out, total - 4));
	return total;
}

TEST(eventstream_crc32_known_value)
{
	CHECK_INT(fd_crc32(0, "123456789", 9), 0xCBF43926u);
}

TEST(eventstream_example_frame)
{
	uint8_t buf[1024];
	struct es_message m;
	struct fd_err err = {0};
	size_t used = 0, n = load_example(buf, sizeof(buf));
	char type[64], ev[64];

	REQUIRE(n == 400);
	CHECK_INT(es_decode_frame(buf, n, &m, &used, &err), FD_OK);
	CHECK_INT(used, 400);
	CHECK_INT(m.payload_len, 301);
	CHECK(es_header_str(&m, ":message-type", type, sizeof(type)));
	CHECK_STR(type, "event");
	CHECK(es_header_str(&m, ":event-type", ev, sizeof(ev)));
	CHECK_STR(ev, "sessionUpdate");
	CHECK(m.payload[0] == '{');
}

TEST(eventstream_bad_prelude_crc)
{
	uint8_t buf[1024];
	struct es_message m;
	struct fd_err err = {0};
	size_t used, n = load_example(buf, sizeof(buf));

	REQUIRE(n == 400);
	buf[9] ^= 0xFF;
	CHECK_INT(es_decode_frame(buf, n, &m, &used, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "prelude CRC");
}

TEST(eventstream_bad_message_crc)
{
	uint8_t buf[1024];
	struct es_message m;
	struct fd_err err = {0};
	size_t used, n = load_example(buf, sizeof(buf));

	REQUIRE(n == 400);
	buf[200] ^= 0x01;
	CHECK_INT(es_decode_frame(buf, n, &m, &used, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "message CRC");
}

TEST(eventstream_split_across_reads)
{
	uint8_t frames[2048];
	struct es_decoder d;
	struct es_message m;
	struct fd_err err = {0};
	size_t a = build_frame(frames, ":event-type", "sessionStart", "{\"a\":1}");
	size_t b = build_frame(frames + a, ":event-type", "sessionUpdate", "{\"b\":2}");
	size_t i;
	int got = 0;
	char ev[32];

	es_decoder_init(&d);
	for (i = 0; i < a + b; i++) {
		es_decoder_feed(&d, frames + i, 1);
		while (es_decoder_next(&d, &m, &err) == FD_OK) {
			CHECK(es_header_str(&m, ":event-type", ev, sizeof(ev)));
			CHECK_STR(ev, got == 0 ? "sessionStart" : "sessionUpdate");
			CHECK_INT(m.payload_len, 7);
			got++;
		}
	}
	CHECK_INT(got, 2);
	CHECK_INT(es_decoder_next(&d, &m, &err), FD_EAGAIN);
	es_decoder_free(&d);
}

TEST(eventstream_hostile_lengths)
{
	uint8_t buf[64] = {0};
	struct es_message m;
	struct fd_err err = {0};
	size_t used;

	/* headers length larger than the frame */
	put32(buf, 32);
	put32(buf + 4, 0x7FFFFFFF);
	put32(buf + 8, fd_crc32(0, buf, 8));
	CHECK_INT(es_decode_frame(buf, sizeof(buf), &m, &used, &err), FD_EPARSE);
	/* a frame claiming 4 GiB */
	put32(buf, 0xFFFFFFF0u);
	put32(buf + 4, 0);
	put32(buf + 8, fd_crc32(0, buf, 8));
	CHECK_INT(es_decode_frame(buf, sizeof(buf), &m, &used, &err), FD_EPARSE);
	/* truncated header inside a valid CRC */
	{
		size_t n = build_frame(buf, "x", "abc", "");
		buf[12 + 1 + 1 + 1 + 1] = 200; /* value length beyond the header block */
		put32(buf + n - 4, fd_crc32(0, buf, n - 4));
		CHECK_INT(es_decode_frame(buf, n, &m, &used, &err), FD_EPARSE);
	}
	/* short input is not an error */
	CHECK_INT(es_decode_frame(buf, 5, &m, &used, &err), FD_EAGAIN);
}
