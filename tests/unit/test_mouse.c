/* test_mouse.c - mouse events as requests (fd_mouse_requests): the wheel, clicks
 * above, below and on the selection, double clicks, nothing selected, the cap. */
#include <string.h>

#include "fleetdeck/keymap.h"
#include "test.h"

#define MAXR 64

static size_t
map(int key, int y, int sel, int y0, int y1, enum fd_request *out)
{
	memset(out, 0, MAXR * sizeof(*out));
	return fd_mouse_requests(key, y, sel, y0, y1, out, MAXR);
}

/* n requests, all req, then (when last is not NONE) last. */
static int
all_then(const enum fd_request *r, size_t n, size_t k, enum fd_request req,
	 enum fd_request last)
{
	size_t i;

	if (n != k + (last != FD_REQ_NONE))
		return 0;
	for (i = 0; i < k; i++)
		if (r[i] != req)
			return 0;
	return last == FD_REQ_NONE || r[k] == last;
}

TEST(mouse_wheel_moves_three_rows)
{
	enum fd_request r[MAXR];
	size_t n;

	n = map(FD_KEY_WHEEL_DOWN, 0, 0, 0, 0, r);
	CHECK(all_then(r, n, FD_MOUSE_WHEEL_ROWS, FD_REQ_MOVE_DOWN, FD_REQ_NONE));
	n = map(FD_KEY_WHEEL_UP, 30, 1, 5, 5, r);
	CHECK(all_then(r, n, FD_MOUSE_WHEEL_ROWS, FD_REQ_MOVE_UP, FD_REQ_NONE));
}

TEST(mouse_click_moves_to_the_row)
{
	enum fd_request r[MAXR];
	size_t n;

	n = map(FD_KEY_CLICK, 12, 1, 7, 7, r); /* five rows below */
	CHECK(all_then(r, n, 5, FD_REQ_MOVE_DOWN, FD_REQ_NONE));
	n = map(FD_KEY_CLICK, 5, 1, 7, 7, r); /* two above */
	CHECK(all_then(r, n, 2, FD_REQ_MOVE_UP, FD_REQ_NONE));
	n = map(FD_KEY_CLICK, 7, 1, 7, 7, r); /* on it */
	CHECK_INT(n, 0);
	/* A selection spanning rows (a wrapped log line) counts from its nearer edge. */
	n = map(FD_KEY_CLICK, 10, 1, 6, 8, r);
	CHECK(all_then(r, n, 2, FD_REQ_MOVE_DOWN, FD_REQ_NONE));
	n = map(FD_KEY_CLICK, 7, 1, 6, 8, r);
	CHECK_INT(n, 0);
}

TEST(mouse_double_click_opens)
{
	enum fd_request r[MAXR];
	size_t n;

	n = map(FD_KEY_DOUBLE_CLICK, 9, 1, 7, 7, r);
	CHECK(all_then(r, n, 2, FD_REQ_MOVE_DOWN, FD_REQ_ENTER));
	n = map(FD_KEY_DOUBLE_CLICK, 7, 1, 7, 7, r);
	CHECK(all_then(r, n, 0, FD_REQ_MOVE_DOWN, FD_REQ_ENTER));
}

TEST(mouse_without_selection_or_other_keys)
{
	enum fd_request r[MAXR];

	CHECK_INT(map(FD_KEY_CLICK, 9, 0, 0, 0, r), 0);
	CHECK_INT(map(FD_KEY_DOUBLE_CLICK, 9, 0, 0, 0, r), 0);
	CHECK_INT(map('j', 9, 1, 7, 7, r), 0);
	CHECK_INT(map(FD_KEY_ENTER, 9, 1, 7, 7, r), 0);
}

TEST(mouse_capped_by_max)
{
	enum fd_request r[4];

	CHECK_INT(fd_mouse_requests(FD_KEY_CLICK, 200, 1, 5, 5, r, 4), 4);
	CHECK_INT(fd_mouse_requests(FD_KEY_DOUBLE_CLICK, 6, 1, 5, 5, r, 1), 1);
	CHECK_INT(r[0], FD_REQ_MOVE_DOWN);
}
