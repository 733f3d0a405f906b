/* Fuzz target: the FilterLogEvents scanner, then the follow engine's intake of the
 * same bytes (de-duplication, ordering, line parsing, sanitizing into the ring). */
#include <stdint.h>
#include <string.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fd_follow_source src = {"/aws/lambda/fuzz", NULL};
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct logs_events ev;
	struct fd_err err;
	struct fd_line l;
	size_t i;

	logs_events_init(&ev);
	if (logs_parse_filter_events((const char *)data, size, &ev, &err) == FD_OK) {
		for (i = 0; i < ev.n; i++)
			if (ev.ev[i].message[ev.ev[i].message_len] != '\0' ||
			    (ev.ev[i].message_len &&
			     (size_t)(ev.ev[i].message - ev.text.data) > size))
				__builtin_trap();
	}
	logs_events_free(&ev);
	memset(&o, 0, sizeof(o));
	o.since_ms = 1;
	o.ring_lines = 64;
	o.ring_bytes = 1 << 16;
	if (fd_follow_new(NULL, &src, 1, &o, &f, &err) != FD_OK)
		return 0;
	if (fd_follow_ingest_page(f, 0, (const char *)data, size, &err) == FD_OK) {
		fd_follow_flush(f);
		for (i = 0; i < fd_follow_count(f); i++)
			if (fd_follow_get(f, fd_follow_first(f) + i, &l) &&
			    memchr(l.text, 0x1b, l.text_len))
				__builtin_trap(); /* an escape reached the ring */
	}
	fd_follow_free(f);
	return 0;
}
