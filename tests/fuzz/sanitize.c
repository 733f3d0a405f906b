/* Fuzz target: the sanitizer must never emit a raw control byte. */
#include <stdint.h>
#include <stdlib.h>

#include "fleetdeck/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	fd_sanitize((const char *)data, size, 0, &b);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c < 0x20 || c == 0x7F)
			abort();
	}
	(void)fd_text_width(b.data, b.len);
	(void)fd_text_fit(b.data, b.len, size % 80);
	fd_buf_free(&b);
	return 0;
}
