/* glyph.c - the canvas's glyphs: box lines, arrows, sparklines and block charts,
 * Unicode in a UTF-8 locale and ASCII otherwise (fd_draw_utf8). No curses here. */
#include <string.h>

#include "fleetdeck/draw.h"

static const char *const glyphs[FD_GLYPH_COUNT][2] = {
	[FD_GLYPH_HLINE] = {"\u2500", "-"},     [FD_GLYPH_VLINE] = {"\u2502", "|"},
	[FD_GLYPH_ELLIPSIS] = {"\u2026", "~"},  [FD_GLYPH_SORT_UP] = {"\u25b2", "^"},
	[FD_GLYPH_SORT_DOWN] = {"\u25bc", "v"}, [FD_GLYPH_CRUMB] = {"\u203a", ">"},
	[FD_GLYPH_BULLET] = {"\u2022", "*"},    [FD_GLYPH_DASH] = {"\u2014", "-"},
};

const char *
fd_glyph(enum fd_glyph g)
{
	if ((unsigned)g >= FD_GLYPH_COUNT)
		return "?";
	return glyphs[g][fd_draw_utf8() ? 0 : 1];
}

static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
				      "\u2585", "\u2586", "\u2587", "\u2588"};
static const char ascii_levels[] = " .:-=+*#%@";

static double
series_max(const double *v, size_t n)
{
	double max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == v[i] && v[i] > max)
			max = v[i];
	return max;
}

void
fd_spark(const double *v, size_t n, double max, struct fd_buf *out)
{
	size_t i, levels = fd_draw_utf8() ? 8 : sizeof(ascii_levels) - 1;

	if (max <= 0)
		max = series_max(v, n);
	for (i = 0; i < n; i++) {
		size_t lv = 0;

		if (v[i] != v[i]) {
			fd_buf_putc(out, ' ');
			continue;
		}
		if (v[i] > 0 && max > 0)
			lv = 1 + (size_t)(FD_MIN(v[i] / max, 1.0) * (double)(levels - 2) + 0.5);
		if (fd_draw_utf8())
			fd_buf_puts(out, blocks[lv]);
		else
			fd_buf_putc(out, ascii_levels[lv]);
	}
}

void
fd_chart_row(const double *v, size_t n, double max, int height, int row, struct fd_buf *out)
{
	int per = fd_draw_utf8() ? 8 : 1, base = (height - 1 - row) * per;
	size_t i;

	if (max <= 0)
		max = series_max(v, n);
	for (i = 0; i < n; i++) {
		int fill = 0;

		if (v[i] == v[i] && v[i] > 0 && max > 0)
			fill = (int)(FD_MIN(v[i] / max, 1.0) * height * per + 0.5) - base;
		if (fill <= 0 && row == height - 1 && v[i] == v[i] && v[i] > 0)
			fill = 1; /* anything above zero shows on the baseline */
		fill = FD_MAX(0, FD_MIN(fill, per));
		if (fill == 0)
			fd_buf_putc(out, ' ');
		else if (fd_draw_utf8())
			fd_buf_puts(out, blocks[fill - 1]);
		else
			fd_buf_putc(out, '#');
	}
}

const char *
fd_spinner(long long ms)
{
	static const char *const uni[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
					  "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
	static const char *const ascii[] = {"|", "/", "-", "\\"};
	long long frame = ms / 100;

	if (fd_draw_utf8())
		return uni[frame % (long long)FD_ARRAY_LEN(uni)];
	return ascii[frame % (long long)FD_ARRAY_LEN(ascii)];
}

