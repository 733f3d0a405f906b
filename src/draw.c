/* draw.c - the only file that talks curses. Roles become colour pairs (pair = role + 1)
 * resolved for the terminal's colour depth; a shadow grid remembers each cell's role
 * for the screen tests; every character is checked on its way out so no control byte
 * reaches the terminal. The parts that need no curses live beside it: draw_text.c
 * (that check), draw_theme.c (role names, the theme file) and draw_shadow.c. */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "fleetdeck/clipboard.h"
#include "fleetdeck/draw.h"
#include "fleetdeck/sanitize.h"
#include "draw_int.h"

#define MOUSE_EVENTS (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED)

struct style {
	short fg, bg;          /* 0-255, -1 default */
	attr_t attrs;
};

/* Defaults: 16-colour fg/bg, a 256-colour refinement (-2 = same), attrs, monochrome. */
struct role_default {
	short fg, bg, fg256, bg256;
	attr_t attrs, mono;
};

static const struct role_default role_defaults[FD_ROLE_COUNT] = {
	[FD_ROLE_NORMAL] = {-1, -1, -2, -2, A_NORMAL, A_NORMAL},
	[FD_ROLE_TITLE] = {6, -1, 81, -2, A_BOLD, A_BOLD},
	[FD_ROLE_HEADER] = {0, 2, -2, 71, A_NORMAL, A_BOLD | A_UNDERLINE},
	[FD_ROLE_SELECTED] = {0, 6, -2, 117, A_NORMAL, A_REVERSE},
	[FD_ROLE_STATUS] = {0, 7, 235, 250, A_NORMAL, A_REVERSE},
	[FD_ROLE_STATUS_PROD] = {15, 1, -2, 160, A_BOLD, A_REVERSE | A_BOLD},
	[FD_ROLE_ERROR] = {1, -1, 203, -2, A_BOLD, A_BOLD},
	[FD_ROLE_WARNING] = {3, -1, 214, -2, A_NORMAL, A_BOLD},
	[FD_ROLE_OK] = {2, -1, 77, -2, A_NORMAL, A_NORMAL},
	[FD_ROLE_DIM] = {8, -1, 244, -2, A_NORMAL, A_DIM},
	[FD_ROLE_MATCH] = {0, 3, -2, 220, A_NORMAL, A_UNDERLINE | A_BOLD},
	[FD_ROLE_LABEL] = {-1, -1, -2, -2, A_BOLD, A_BOLD},
	[FD_ROLE_KEY] = {3, -1, 220, -2, A_BOLD, A_BOLD},
	[FD_ROLE_SECTION] = {6, -1, 81, -2, A_BOLD, A_BOLD | A_UNDERLINE},
	[FD_ROLE_CHART] = {2, -1, 77, -2, A_NORMAL, A_NORMAL},
	[FD_ROLE_SEV_INFO] = {8, -1, 244, -2, A_NORMAL, A_DIM},
	[FD_ROLE_SEV_LOW] = {6, -1, 81, -2, A_NORMAL, A_NORMAL},
	[FD_ROLE_SEV_MEDIUM] = {3, -1, 214, -2, A_NORMAL, A_BOLD},
	[FD_ROLE_SEV_HIGH] = {1, -1, 203, -2, A_BOLD, A_BOLD},
	[FD_ROLE_SEV_CRITICAL] = {15, 1, -2, 160, A_BOLD, A_REVERSE | A_BOLD},
};

static struct {
	int active;
	int headless;
	SCREEN *screen;
	FILE *out, *in;
	int colors;            /* 256, 16, 8, 0 */
	int utf8;
	int cols, rows;
	unsigned char *shadow; /* role per cell */
	int cursor_y, cursor_x, cursor_shown;
	int mouse, mouse_y, mouse_x;
	struct style style[FD_ROLE_COUNT];
	int themed[FD_ROLE_COUNT];
	struct fd_buf clip, sent; /* OSC 52 due after the frame; headless: what was sent */
} D;

int
fd_draw_active(void)
{
	return D.active;
}

int
fd_draw_utf8(void)
{
	return D.utf8;
}

int
fd_draw_colors(void)
{
	return D.colors;
}

/* Colour index for the terminal's depth; 8-colour terminals get bright colours as
 * their base colour plus bold. */
static short
map_color(short c, int *bold)
{
	if (c < 0)
		return -1;
	if (D.colors >= 256 || (D.colors >= 16 && c < 16))
		return c;
	if (c >= 8 && c < 16) {
		*bold = 1;
		return (short)(c - 8);
	}
	return c < 16 ? c : -1;
}

static void
apply_role(enum fd_role r)
{
	struct style *s = &D.style[r];
	int bold = 0;
	short fg, bg;

	if (!D.colors) {
		attr_t a = D.themed[r] ? s->attrs : role_defaults[r].mono;
		init_pair((short)(r + 1), -1, -1);
		s->attrs = a;
		return;
	}
	fg = map_color(s->fg, &bold);
	bg = map_color(s->bg, &(int){0});
	init_pair((short)(r + 1), fg, bg);
	if (bold)
		s->attrs |= A_BOLD;
}

static void
default_style(enum fd_role r)
{
	const struct role_default *d = &role_defaults[r];

	D.style[r].fg = D.colors >= 256 && d->fg256 != -2 ? d->fg256 : d->fg;
	D.style[r].bg = D.colors >= 256 && d->bg256 != -2 ? d->bg256 : d->bg;
	D.style[r].attrs = d->attrs;
	D.themed[r] = 0;
}

static void
setup_colors(int no_color)
{
	int r;

	D.colors = 0;
	if (!no_color && has_colors() && start_color() == OK) {
		use_default_colors();
		D.colors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	} else if (has_colors() && start_color() == OK) {
		use_default_colors();
	}
	for (r = 0; r < FD_ROLE_COUNT; r++) {
		default_style((enum fd_role)r);
		if (!D.colors)
			D.style[r].attrs = role_defaults[r].mono;
		apply_role((enum fd_role)r);
	}
}

static void
shadow_alloc(void)
{
	free(D.shadow);
	getmaxyx(stdscr, D.rows, D.cols);
	D.shadow = fd_xcalloc((size_t)D.rows * (size_t)D.cols + 1, 1);
}

static const char *
headless_term(void)
{
	static const char *const terms[] = {"xterm-256color", "xterm", "vt100"};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(terms); i++) {
		SCREEN *s = newterm(terms[i], D.out, D.in);
		if (s) {
			D.screen = s;
			return terms[i];
		}
	}
	return NULL;
}

static enum fd_status
open_screen(const struct fd_draw_opts *o, struct fd_err *err)
{
	if (!o->headless) {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return fd_err_set(err, FD_EUNSUPPORTED,
					  "the console needs a terminal (stdin and stdout); use a "
					  "headless command such as `fleetdeck functions`");
		if (!initscr())
			return fd_err_set(err, FD_EIO, "could not start curses");
		return FD_OK;
	}
	D.out = fopen("/dev/null", "w");
	D.in = fopen("/dev/null", "r");
	if (!D.out || !D.in || !headless_term())
		return fd_err_set(err, FD_EIO, "headless screen: %s", strerror(errno));
	set_term(D.screen);
	resizeterm(o->rows > 0 ? o->rows : 24, o->cols > 0 ? o->cols : 80);
	return FD_OK;
}

static int
locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

enum fd_status
fd_draw_init(const struct fd_draw_opts *o, struct fd_err *err)
{
	enum fd_status st;

	memset(&D, 0, sizeof(D));
	D.headless = o->headless;
	D.utf8 = !o->ascii && locale_utf8();
	set_escdelay(25);
	st = open_screen(o, err);
	if (st != FD_OK) {
		fd_draw_end();
		return st;
	}
	D.active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* Wheel and clicks only: no motion reports; has_mouse() says the terminal can. */
	if (o->mouse && !D.headless && mousemask(MOUSE_EVENTS, NULL) != 0)
		D.mouse = has_mouse();
	setup_colors(o->no_color);
	shadow_alloc();
	D.cursor_y = -1;
	return FD_OK;
}

void
fd_draw_end(void)
{
	if (D.active && !isendwin())
		endwin();
	if (D.screen) {
		delscreen(D.screen);
		D.screen = NULL;
	}
	if (D.out)
		fclose(D.out);
	if (D.in)
		fclose(D.in);
	D.out = D.in = NULL;
	free(D.shadow);
	D.shadow = NULL;
	fd_buf_free(&D.clip);
	fd_buf_free(&D.sent);
	D.active = 0;
}

void
fd_draw_suspend(void)
{
	if (D.active)
		endwin();
}

void
fd_draw_resume(void)
{
	if (!D.active)
		return;
	fd_draw_resize(0, 0);
	fd_draw_invalidate();
}

void
fd_draw_size(int *cols, int *rows)
{
	*cols = D.active ? D.cols : 80;
	*rows = D.active ? D.rows : 24;
}

void
fd_draw_resize(int cols, int rows)
{
	struct winsize ws;

	if (!D.active)
		return;
	if (cols <= 0 && !D.headless && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0 && ws.ws_row > 0) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	if (cols > 0 && rows > 0)
		resizeterm(rows, cols);
	shadow_alloc();
}

void
fd_draw_erase(void)
{
	if (!D.active)
		return;
	attr_set(A_NORMAL, (short)(FD_ROLE_NORMAL + 1), NULL);
	bkgdset(' ' | COLOR_PAIR(FD_ROLE_NORMAL + 1));
	erase();
	memset(D.shadow, FD_ROLE_NORMAL, (size_t)D.rows * (size_t)D.cols);
	D.cursor_y = -1;
}

static int
clip(int y, int x, int *w)
{
	if (!D.active || y < 0 || y >= D.rows || x < 0 || x >= D.cols || *w <= 0)
		return 0;
	if (*w > D.cols - x)
		*w = D.cols - x;
	return 1;
}

static void
mark(int y, int x, int w, enum fd_role role)
{
	memset(D.shadow + (size_t)y * (size_t)D.cols + (size_t)x, (int)role, (size_t)w);
}

static void
use_role(enum fd_role role)
{
	if ((unsigned)role >= FD_ROLE_COUNT)
		role = FD_ROLE_NORMAL;
	attr_set(D.style[role].attrs, (short)(role + 1), NULL);
}

int
fd_draw_textn(int y, int x, int w, enum fd_role role, const char *s, size_t n)
{
	struct wtext t;

	if (!s || !clip(y, x, &w))
		return 0;
	wt_build(&t, s, n, w, D.utf8);
	if (!t.n)
		return 0;
	use_role(role);
	mvaddnwstr(y, x, t.w, (int)t.n);
	mark(y, x, t.cols, role);
	return t.cols;
}

int
fd_draw_text(int y, int x, int w, enum fd_role role, const char *s)
{
	return s ? fd_draw_textn(y, x, w, role, s, strlen(s)) : 0;
}

int
fd_draw_printf(int y, int x, int w, enum fd_role role, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return fd_draw_text(y, x, w, role, buf);
}

void
fd_draw_fill(int y, int x, int w, enum fd_role role)
{
	if (!clip(y, x, &w))
		return;
	use_role(role);
	mvhline(y, x, ' ', w);
	mark(y, x, w, role);
}

void
fd_draw_recolor(int y, int x, int w, enum fd_role role)
{
	if (!clip(y, x, &w))
		return;
	if ((unsigned)role >= FD_ROLE_COUNT)
		role = FD_ROLE_NORMAL;
	mvchgat(y, x, w, D.style[role].attrs, (short)(role + 1), NULL);
	mark(y, x, w, role);
}

void
fd_draw_hline(int y, int x, int w, enum fd_role role)
{
	const char *g = fd_glyph(FD_GLYPH_HLINE);
	char buf[TEXT_MAX * 3 + 1];
	size_t gl = strlen(g), len = 0;
	int i;

	if (!clip(y, x, &w))
		return;
	for (i = 0; i < w && len + gl < sizeof(buf); i++, len += gl)
		memcpy(buf + len, g, gl);
	fd_draw_textn(y, x, w, role, buf, len);
}

void
fd_draw_cursor(int y, int x)
{
	D.cursor_y = y;
	D.cursor_x = x;
}

/* After the frame curses has written, so the sequence never splits one of its own. */
static void
send_clipboard(void)
{
	const char *p = D.clip.data;
	size_t left = D.clip.len;
	ssize_t w;

	if (D.headless)
		fd_buf_append(&D.sent, p, left);
	while (!D.headless && left) {
		w = write(STDOUT_FILENO, p, left);
		if (w < 0 && errno != EINTR)
			break;
		p += w > 0 ? (size_t)w : 0;
		left -= w > 0 ? (size_t)w : 0;
	}
	fd_buf_reset(&D.clip);
}

void
fd_draw_flush(void)
{
	int show;

	if (!D.active)
		return;
	show = D.cursor_y >= 0 && D.cursor_y < D.rows;
	if (show)
		move(D.cursor_y, FD_MIN(D.cursor_x, D.cols - 1));
	if (show != D.cursor_shown) {
		curs_set(show);
		D.cursor_shown = show;
	}
	wnoutrefresh(stdscr);
	doupdate();
	send_clipboard();
}

void
fd_draw_clipboard(const char *plain, size_t n)
{
	fd_buf_reset(&D.clip);
	fd_clip_osc52(plain, n, &D.clip);
}

const char *
fd_draw_sent(size_t *n)
{
	*n = D.sent.len;
	return D.sent.data;
}

void
fd_draw_invalidate(void)
{
	if (D.active)
		clearok(curscr, TRUE);
}

static int
map_curses_key(int k)
{
	static const struct {
		int curses, key;
	} map[] = {
		{KEY_UP, FD_KEY_UP},       {KEY_DOWN, FD_KEY_DOWN},
		{KEY_LEFT, FD_KEY_LEFT},   {KEY_RIGHT, FD_KEY_RIGHT},
		{KEY_PPAGE, FD_KEY_PGUP},  {KEY_NPAGE, FD_KEY_PGDN},
		{KEY_HOME, FD_KEY_HOME},   {KEY_END, FD_KEY_END},
		{KEY_ENTER, FD_KEY_ENTER}, {KEY_BACKSPACE, FD_KEY_BACKSPACE},
		{KEY_DC, FD_KEY_DELETE},   {KEY_IC, FD_KEY_INSERT},
		{KEY_BTAB, FD_KEY_BTAB},   {KEY_F(1), FD_KEY_F1},
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(map); i++)
		if (map[i].curses == k)
			return map[i].key;
	return FD_KEY_NONE;
}

static int
map_char(wint_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return FD_KEY_ENTER;
	case 27:
		return FD_KEY_ESC;
	case '\t':
		return FD_KEY_TAB;
	case 8:
	case 127:
		return FD_KEY_BACKSPACE;
	default:
		return (int)c;
	}
}

static int
mouse_key(void)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return FD_KEY_NONE;
	D.mouse_y = ev.y;
	D.mouse_x = ev.x;
	if (ev.bstate & BUTTON4_PRESSED)
		return FD_KEY_WHEEL_UP;
	if (ev.bstate & BUTTON5_PRESSED)
		return FD_KEY_WHEEL_DOWN;
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		return FD_KEY_DOUBLE_CLICK;
	return ev.bstate & BUTTON1_CLICKED ? FD_KEY_CLICK : FD_KEY_NONE;
}

int
fd_draw_getkey(void)
{
	wint_t c;
	int rc;

	if (!D.active || D.headless)
		return FD_KEY_NONE;
	rc = get_wch(&c);
	if (rc == KEY_CODE_YES && c == KEY_MOUSE)
		return mouse_key();
	if (rc == KEY_CODE_YES)
		return map_curses_key((int)c);
	if (rc == ERR)
		return FD_KEY_NONE;
	return map_char(c);
}

int
fd_draw_input_fd(void)
{
	return D.active && !D.headless ? STDIN_FILENO : -1;
}

int
fd_draw_mouse(void)
{
	return D.active && D.mouse;
}

void
fd_draw_mouse_pos(int *y, int *x)
{
	*y = D.mouse_y;
	*x = D.mouse_x;
}

int
fd_draw_selected_rows(int y, int *y0, int *y1)
{
	if (!D.active)
		return 0;
	return draw_shadow_selected_rows(D.shadow, D.rows, D.cols, y, y0, y1);
}

/* The text of one cell, UTF-8; returns the columns it covers. */
static int
cell_text(int y, int x, struct fd_buf *out)
{
	wchar_t wch[CCHARW_MAX + 1];
	char mb[MB_LEN_MAX];
	cchar_t cc;
	attr_t attrs;
	short pair;
	mbstate_t ps;
	int i, w;

	if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR ||
	    !wch[0]) {
		fd_buf_putc(out, ' ');
		return 1;
	}
	memset(&ps, 0, sizeof(ps));
	for (i = 0; i < CCHARW_MAX && wch[i]; i++) {
		size_t len = wcrtomb(mb, wch[i], &ps);
		fd_buf_append(out, len == (size_t)-1 ? "?" : mb, len == (size_t)-1 ? 1 : len);
	}
	w = wcwidth(wch[0]);
	return w > 0 ? w : 1;
}

static void
row_text(int y, int as_roles, struct fd_buf *line)
{
	const unsigned char *shadow = D.shadow + (size_t)y * (size_t)D.cols;
	int x = 0;

	fd_buf_reset(line);
	while (x < D.cols) {
		if (as_roles)
			fd_buf_putc(line, fd_draw_role_letter((enum fd_role)shadow[x++]));
		else
			x += cell_text(y, x, line);
	}
	while (line->len && line->data[line->len - 1] == (as_roles ? '.' : ' '))
		line->data[--line->len] = '\0';
}

enum fd_status
fd_draw_save(const char *path, int as_roles, struct fd_err *err)
{
	struct fd_buf line;
	FILE *f;
	int y;

	if (!D.active)
		return fd_err_set(err, FD_EINVAL, "no screen to save");
	f = fopen(path, "w");
	if (!f)
		return fd_err_set(err, FD_EIO, "%s: %s", path, strerror(errno));
	fd_buf_init(&line);
	for (y = 0; y < D.rows; y++) {
		row_text(y, as_roles, &line);
		fprintf(f, "%s\n", line.data ? line.data : "");
	}
	fd_buf_free(&line);
	if (fclose(f) != 0)
		return fd_err_set(err, FD_EIO, "%s: %s", path, strerror(errno));
	return FD_OK;
}

/* A theme line's style (draw_theme.c reads the file). */
void
draw_theme_set(enum fd_role role, const struct draw_theme_style *t)
{
	static const struct {
		unsigned bit;
		attr_t attr;
	} map[] = {
		{DRAW_ATTR_BOLD, A_BOLD},
		{DRAW_ATTR_DIM, A_DIM},
		{DRAW_ATTR_UNDERLINE, A_UNDERLINE},
		{DRAW_ATTR_REVERSE, A_REVERSE},
		{DRAW_ATTR_STANDOUT, A_STANDOUT},
		{DRAW_ATTR_ITALIC, A_ITALIC},
		{DRAW_ATTR_BLINK, A_BLINK},
	};
	struct style s = {.fg = t->fg, .bg = t->bg, .attrs = A_NORMAL};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(map); i++)
		if (t->attrs & map[i].bit)
			s.attrs |= map[i].attr;
	D.style[role] = s;
	D.themed[role] = 1;
	apply_role(role);
}
