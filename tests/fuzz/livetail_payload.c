/* Fuzz target: Live Tail. The input is fed to the event-stream decoder in pieces and
 * every frame goes through logs_live_decode (sessionStart / sessionUpdate /
 * exception); the raw bytes are also parsed as a sessionUpdate payload. */
#include <stdint.h>
#include <string.h>

#include "fleetdeck/eventstream.h"
#include "fleetdeck/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_decoder d;
	struct es_message m;
	struct logs_events ev;
	struct aws_error exc;
	struct fd_err err;
	enum logs_live_kind kind;
	char sid[64];
	size_t i = 0, step = size ? (size_t)data[0] % 97 + 1 : 1;

	logs_events_init(&ev);
	(void)logs_parse_live_update((const char *)data, size, &ev, &err);
	es_decoder_init(&d);
	while (i < size) {
		size_t n = size - i < step ? size - i : step;
		es_decoder_feed(&d, data + i, n);
		i += n;
		while (es_decoder_next(&d, &m, &err) == FD_OK)
			(void)logs_live_decode(&m, &kind, &ev, sid, sizeof(sid), &exc, &err);
	}
	es_decoder_free(&d);
	logs_events_free(&ev);
	return 0;
}
