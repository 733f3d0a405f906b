/* draw_int.h - what the canvas's files share: draw.c (curses: colour pairs, painting,
 * keys, screen dumps), draw_text.c (text made safe to show), draw_theme.c (role names
 * and the theme file) and draw_shadow.c (questions about the shadow grid of roles).
 * Curses stays out of this header, so draw.c remains the only file that includes it.
 * Nothing outside src/draw*.c includes it. */
#ifndef FLEETDECK_DRAW_INT_H
#define FLEETDECK_DRAW_INT_H

#include <stddef.h>
#include <wchar.h>

#include "fleetdeck/draw.h"

#define TEXT_MAX 1024 /* cells drawn per call; wider terminals get clipped */

/* Text as curses is given it: wide characters that fit max columns. */
struct wtext {
	wchar_t w[TEXT_MAX + 1];
	size_t n;
	int cols, max;
	int utf8; /* the terminal shows UTF-8; otherwise non-ASCII becomes '?' */
};

/* Attributes a theme may name; draw.c turns them into curses attributes. */
enum draw_attr {
	DRAW_ATTR_BOLD = 1 << 0,
	DRAW_ATTR_DIM = 1 << 1,
	DRAW_ATTR_UNDERLINE = 1 << 2,
	DRAW_ATTR_REVERSE = 1 << 3,
	DRAW_ATTR_STANDOUT = 1 << 4,
	DRAW_ATTR_ITALIC = 1 << 5,
	DRAW_ATTR_BLINK = 1 << 6,
};

/* One theme line: colours 0-255 or -1 (default) and a set of enum draw_attr bits. */
struct draw_theme_style {
	short fg, bg;
	unsigned attrs;
};

/* draw_text.c: the first n bytes of s (UTF-8, stopping at a NUL) as shown in at most
 * w columns. */
void wt_build(struct wtext *t, const char *s, size_t n, int w, int utf8);

/* draw.c: a theme line's style replaces the role's default style. */
void draw_theme_set(enum fd_role role, const struct draw_theme_style *s);

/* draw_shadow.c: fd_draw_selected_rows() over a shadow grid of rows x cols roles. */
int draw_shadow_selected_rows(const unsigned char *shadow, int rows, int cols, int y, int *y0,
                              int *y1);

#endif
