/* sanitize.c - the gate for untrusted text on its way to a terminal. Valid UTF-8
 * passes; C0/C1 controls and DEL become visible caret or \u forms, so a log line
 * carrying ESC]52 can never reach the terminal as an escape sequence; invalid
 * bytes become U+FFFD. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "fleetdeck/sanitize.h"

#define REPLACEMENT "\xEF\xBF\xBD"

size_t
fd_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t
fd_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;

	return fd_utf8_decode(s, n, &cp);
}

static void
put_control(uint32_t c, struct fd_buf *out)
{
	char tmp[16];

	if (c < 0x20) {
		tmp[0] = '^';
		tmp[1] = (char)(c + '@');
		fd_buf_append(out, tmp, 2);
	} else if (c == 0x7F) {
		fd_buf_append(out, "^?", 2);
	} else {
		snprintf(tmp, sizeof(tmp), "\\u%04X", (unsigned)c);
		fd_buf_puts(out, tmp);
	}
}

/* Unicode format characters that reorder or hide text (bidi overrides, isolates). */
static int
is_bidi_control(uint32_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
	       c == 0x200F || c == 0x061C;
}

void
fd_sanitize(const char *s, size_t n, unsigned flags, struct fd_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fd_buf_reserve(out, n);
	while (i < n) {
		uint32_t c;
		size_t len = fd_utf8_decode(p + i, n - i, &c);

		if (len == 0) {
			fd_buf_puts(out, REPLACEMENT);
			i++;
			continue;
		}
		if (c == '\t' && (flags & FD_SAN_KEEP_TAB))
			fd_buf_putc(out, '\t');
		else if (c == '\t')
			fd_buf_putc(out, ' ');
		else if (c == '\n' && (flags & FD_SAN_KEEP_NEWLINE))
			fd_buf_putc(out, '\n');
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || is_bidi_control(c))
			put_control(c, out);
		else
			fd_buf_append(out, p + i, len);
		i += len;
	}
	if (!out->data)
		fd_buf_reserve(out, 0);
}

char *
fd_sanitize_dup(const char *s)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(s ? s : "", s ? strlen(s) : 0, 0, &b);
	return fd_buf_steal(&b);
}

static int
char_width(uint32_t c)
{
	int w = wcwidth((wchar_t)c);

	return w < 0 ? 1 : w;
}

size_t
fd_text_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0;

	while (i < n) {
		uint32_t c;
		size_t len = fd_utf8_decode(p + i, n - i, &c);

		if (len == 0) {
			w++;
			i++;
			continue;
		}
		w += (size_t)char_width(c);
		i += len;
	}
	return w;
}

size_t
fd_text_fit(const char *s, size_t n, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0;

	while (i < n) {
		uint32_t c;
		size_t len = fd_utf8_decode(p + i, n - i, &c);
		size_t cw = len ? (size_t)char_width(c) : 1;

		if (w + cw > cols)
			break;
		w += cw;
		i += len ? len : 1;
	}
	return i;
}
