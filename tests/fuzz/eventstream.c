/* Fuzz target: the event-stream decoder, fed in random-sized pieces. */
#include <stdint.h>

#include "fleetdeck/eventstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_decoder d;
	struct es_message m;
	struct fd_err err;
	size_t i = 0, step = size ? (size_t)data[0] % 64 + 1 : 1;
	char tmp[64];

	es_decoder_init(&d);
	while (i < size) {
		size_t n = size - i < step ? size - i : step;
		es_decoder_feed(&d, data + i, n);
		i += n;
		while (es_decoder_next(&d, &m, &err) == FD_OK)
			(void)es_header_str(&m, ":event-type", tmp, sizeof(tmp));
	}
	es_decoder_free(&d);
	return 0;
}
