/* draw_shadow.c - questions about the shadow grid, the role draw.c remembers for each
 * cell it paints: which rows are the selection (a row at least a third painted
 * "selected") and which are chrome (the title bar, a column header, the status bar),
 * so a mouse click can be turned into a move of the selection. */
#include <limits.h>
#include <stddef.h>

#include "draw_int.h"

struct grid {
	const unsigned char *cell;
	int rows, cols;
};

static int
row_selected(const struct grid *g, int y)
{
	const unsigned char *r = g->cell + (size_t)y * (size_t)g->cols;
	int x, n = 0;

	for (x = 0; x < g->cols; x++)
		n += r[x] == FD_ROLE_SELECTED;
	return n > 0 && n * 3 >= g->cols;
}

/* The title bar (row 0), a column header or the status bar (rows at least a third
 * painted in those roles): a click there is not on a table row. */
static int
row_chrome(const struct grid *g, int y)
{
	const unsigned char *r = g->cell + (size_t)y * (size_t)g->cols;
	int x, n = 0;

	if (y == 0)
		return 1;
	for (x = 0; x < g->cols; x++)
		n += r[x] == FD_ROLE_TITLE || r[x] == FD_ROLE_HEADER || r[x] == FD_ROLE_STATUS ||
		     r[x] == FD_ROLE_STATUS_PROD;
	return n > 0 && n * 3 >= g->cols;
}

/* Whether a chrome row lies between y and the rows y0..y1 (y itself included). */
static int
chrome_between(const struct grid *g, int y, int y0, int y1)
{
	int r, a = y < y0 ? y : y1 + 1, b = y < y0 ? y0 - 1 : y;

	for (r = a; r <= b && r >= 0 && r < g->rows; r++)
		if (row_chrome(g, r))
			return 1;
	return 0;
}

int
draw_shadow_selected_rows(const unsigned char *shadow, int rows, int cols, int y, int *y0, int *y1)
{
	const struct grid g = {.cell = shadow, .rows = rows, .cols = cols};
	int r, start, d, best = INT_MAX;

	for (r = 0; shadow && r < rows; r++) {
		if (!row_selected(&g, r))
			continue;
		for (start = r; r + 1 < rows && row_selected(&g, r + 1);)
			r++;
		d = y < start ? start - y : y > r ? y - r : 0;
		if (d < best) {
			best = d;
			*y0 = start;
			*y1 = r;
		}
	}
	/* A click on the header, the title or the status bar, or beyond one of them (another
	 * pane), does not move the selection. */
	if (best != INT_MAX && best > 0 && chrome_between(&g, y, *y0, *y1))
		return 0;
	return best != INT_MAX;
}
