/* Fuzz target: the plain text of a clipboard copy has no control character (C0,
 * DEL or C1) and stays within its cap; its OSC 52 sequence carries only base64
 * between the introducer and the BEL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/clipboard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_buf p, s;
	size_t i;

	fd_buf_init(&p);
	fd_buf_init(&s);
	fd_clip_plain((const char *)data, size, &p);
	if (p.len > FD_CLIP_MAX)
		abort();
	for (i = 0; i < p.len; i++) {
		unsigned char c = (unsigned char)p.data[i];
		if (c < 0x20 || c == 0x7F ||
		    (c == 0xC2 && i + 1 < p.len && (unsigned char)p.data[i + 1] <= 0x9F))
			abort();
	}
	fd_clip_osc52(p.data ? p.data : "", p.len, &s);
	if (s.len < 8 || memcmp(s.data, "\033]52;c;", 7) != 0 || s.data[s.len - 1] != '\a')
		abort();
	for (i = 7; i + 1 < s.len; i++)
		if (!memchr(b64, s.data[i], sizeof(b64) - 1))
			abort();
	fd_buf_free(&p);
	fd_buf_free(&s);
	return 0;
}
