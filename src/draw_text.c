/* draw_text.c - text on its way to the terminal, without curses: UTF-8 decoded into
 * the wide characters curses is given, every control byte shown as ^X, invalid or
 * unprintable code points as a replacement mark ('?' when the terminal is not UTF-8),
 * and the whole clipped by display width. */
#include <stdint.h>

#include "fleetdeck/sanitize.h"
#include "draw_int.h"

#define REPLACEMENT_CHAR 0xFFFD

static int
wt_put(struct wtext *t, wchar_t c, int width)
{
	if (t->n >= TEXT_MAX || t->cols + width > t->max)
		return 0;
	if (width == 0 && t->n == 0)
		return 1; /* a combining mark with nothing to combine with */
	t->w[t->n++] = c;
	t->cols += width;
	return 1;
}

/* Appends one code point as it may be shown: controls as ^X, anything unprintable as
 * a replacement mark. Returns 0 once the text is full. */
static int
wt_char(struct wtext *t, unsigned cp, int valid)
{
	int width;

	if (valid && (cp < 0x20 || cp == 0x7F))
		return wt_put(t, L'^', 1) && wt_put(t, (wchar_t)(cp == 0x7F ? '?' : cp + '@'), 1);
	if (!valid || (cp >= 0x80 && cp < 0xA0))
		cp = REPLACEMENT_CHAR;
	if (!t->utf8 && cp >= 0x80)
		return wt_put(t, L'?', 1);
	width = wcwidth((wchar_t)cp);
	if (width < 0)
		return wt_put(t, t->utf8 ? (wchar_t)REPLACEMENT_CHAR : L'?', 1);
	return wt_put(t, (wchar_t)cp, width);
}

void
wt_build(struct wtext *t, const char *s, size_t n, int w, int utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	t->n = 0;
	t->utf8 = utf8;
	t->cols = 0;
	t->max = FD_MIN(w, TEXT_MAX);
	while (i < n && p[i]) {
		uint32_t cp = 0;
		size_t len = fd_utf8_decode(p + i, n - i, &cp);

		if (!wt_char(t, cp, len != 0))
			break;
		i += len ? len : 1;
	}
	t->w[t->n] = L'\0';
}
