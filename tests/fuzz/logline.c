/* Fuzz target: the Lambda log line parser. */
#include <stdint.h>

#include "fleetdeck/logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fd_logline l;
	static int ready;

	if (!ready) {
		fd_logline_init(&l);
		ready = 1;
	}
	fd_logline_parse((const char *)data, size, &l);
	if (l.msg_len && !l.msg)
		__builtin_trap();
	return 0;
}
