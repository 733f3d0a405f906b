/* draw.h - the canvas: the one door to the terminal (src/draw.c is the only file that
 * includes curses). Cells are painted by role, colours named by meaning (htop's
 * CRT_colors idea) and resolved for 256/16/8 colours or monochrome, NO_COLOR and a
 * theme file. Text is clipped by display width and never reaches the terminal with a
 * control byte in it, whatever the caller passes. Also reads keys, and dumps the
 * screen as text for the screen tests. */
#ifndef FLEETDECK_DRAW_H
#define FLEETDECK_DRAW_H

#include <stddef.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

/* X(id, theme name, letter in role dumps) */
#define FD_ROLE_LIST(X)                                                                            \
	X(FD_ROLE_NORMAL, "normal", '.')                                                           \
	X(FD_ROLE_TITLE, "title", 'T')                                                             \
	X(FD_ROLE_HEADER, "header", 'H')                                                           \
	X(FD_ROLE_SELECTED, "selected", 'S')                                                       \
	X(FD_ROLE_STATUS, "status", 'B')                                                           \
	X(FD_ROLE_STATUS_PROD, "status_prod", 'P')                                                 \
	X(FD_ROLE_ERROR, "error", 'E')                                                             \
	X(FD_ROLE_WARNING, "warning", 'W')                                                         \
	X(FD_ROLE_OK, "ok", 'O')                                                                   \
	X(FD_ROLE_DIM, "dim", 'D')                                                                 \
	X(FD_ROLE_MATCH, "match", 'M')                                                             \
	X(FD_ROLE_LABEL, "label", 'L')                                                             \
	X(FD_ROLE_KEY, "key", 'K')                                                                 \
	X(FD_ROLE_SECTION, "section", 'X')                                                         \
	X(FD_ROLE_CHART, "chart", 'C')                                                             \
	X(FD_ROLE_SEV_INFO, "sev_info", 'i')                                                       \
	X(FD_ROLE_SEV_LOW, "sev_low", 'l')                                                         \
	X(FD_ROLE_SEV_MEDIUM, "sev_medium", 'm')                                                   \
	X(FD_ROLE_SEV_HIGH, "sev_high", 'h')                                                       \
	X(FD_ROLE_SEV_CRITICAL, "sev_critical", 'c')

enum fd_role {
#define FD_ROLE_ENUM(id, name, letter) id,
	FD_ROLE_LIST(FD_ROLE_ENUM)
#undef FD_ROLE_ENUM
	FD_ROLE_COUNT
};

const char *fd_role_name(enum fd_role r);

/* Keys: Unicode code points for characters (control keys as 1..31), specials above
 * every code point. X(id, name as written in config and scripts: "<Up>") */
#define FD_KEY_LIST(X)                                                                             \
	X(FD_KEY_UP, "Up")                                                                         \
	X(FD_KEY_DOWN, "Down")                                                                     \
	X(FD_KEY_LEFT, "Left")                                                                     \
	X(FD_KEY_RIGHT, "Right")                                                                   \
	X(FD_KEY_PGUP, "PgUp")                                                                     \
	X(FD_KEY_PGDN, "PgDn")                                                                     \
	X(FD_KEY_HOME, "Home")                                                                     \
	X(FD_KEY_END, "End")                                                                       \
	X(FD_KEY_ENTER, "Enter")                                                                   \
	X(FD_KEY_ESC, "Esc")                                                                       \
	X(FD_KEY_TAB, "Tab")                                                                       \
	X(FD_KEY_BTAB, "S-Tab")                                                                    \
	X(FD_KEY_BACKSPACE, "Backspace")                                                           \
	X(FD_KEY_DELETE, "Del")                                                                    \
	X(FD_KEY_INSERT, "Ins")                                                                    \
	X(FD_KEY_F1, "F1")                                                                         \
	X(FD_KEY_WHEEL_UP, "WheelUp")                                                              \
	X(FD_KEY_WHEEL_DOWN, "WheelDown")                                                          \
	X(FD_KEY_CLICK, "Click")                                                                   \
	X(FD_KEY_DOUBLE_CLICK, "DoubleClick")

#define FD_KEY_NONE (-1)
#define FD_KEY_SPACE 0x20
#define FD_KEY_CTRL(c) ((c) & 0x1f)

enum fd_key_special {
	FD_KEY_BASE = 0x110000,
#define FD_KEY_ENUM(id, name) id,
	FD_KEY_LIST(FD_KEY_ENUM)
#undef FD_KEY_ENUM
	FD_KEY_LAST
};

struct fd_draw_opts {
	int headless;          /* newterm() on /dev/null: no terminal needed */
	int cols, rows;        /* headless size */
	int no_color;          /* monochrome: attributes only */
	int ascii;             /* force ASCII glyphs */
	int mouse;             /* report the mouse when the terminal can (config: mouse) */
};

/* Starts curses (alternate screen, cbreak, keypad, no echo). */
enum fd_status fd_draw_init(const struct fd_draw_opts *o, struct fd_err *err);
/* Restores the terminal. Safe to call twice and from the fatal hook. */
void fd_draw_end(void);
int fd_draw_active(void);
/* Ctrl-z: restore the terminal; fd_draw_resume repaints everything after SIGCONT. */
void fd_draw_suspend(void);
void fd_draw_resume(void);

/* Theme file: "role = fg bg [attr...]" lines (colours by name, "default" or 0-255;
 * attrs bold dim underline reverse italic standout normal). Applies at once. A bad
 * line is skipped and reported in err; the rest still applies. */
enum fd_status fd_draw_theme_load(const char *path, struct fd_err *err);
/* $XDG_CONFIG_HOME/fleetdeck/theme (or ~/.config/...); malloc'd, NULL without HOME. */
char *fd_draw_theme_default_path(void);

void fd_draw_size(int *cols, int *rows);
/* Resizes to cols x rows, or to the terminal's real size when cols <= 0. */
void fd_draw_resize(int cols, int rows);
int fd_draw_utf8(void);                /* glyphs are Unicode (UTF-8 locale) */
int fd_draw_colors(void);              /* 256, 16, 8 or 0 (monochrome) */

void fd_draw_erase(void);
/* Draws s (n bytes) at row y, column x, in at most w columns; returns columns used.
 * Control bytes are shown as ^X, invalid UTF-8 as a replacement mark. */
int fd_draw_textn(int y, int x, int w, enum fd_role role, const char *s, size_t n);
int fd_draw_text(int y, int x, int w, enum fd_role role, const char *s);
int fd_draw_printf(int y, int x, int w, enum fd_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Paints w blank cells, or re-colours them keeping their text. */
void fd_draw_fill(int y, int x, int w, enum fd_role role);
void fd_draw_recolor(int y, int x, int w, enum fd_role role);
void fd_draw_hline(int y, int x, int w, enum fd_role role);
/* Leaves the hardware cursor at (y, x) after the next flush, or hides it (y < 0). */
void fd_draw_cursor(int y, int x);
/* One frame: curses' own diffing (wnoutrefresh + doupdate). */
void fd_draw_flush(void);
/* Throws away what the terminal shows and repaints everything on the next flush. */
void fd_draw_invalidate(void);
/* Puts plain text (fd_clip_plain's form) on the terminal's clipboard with OSC 52,
 * written right after the next frame; the sequence is built here from clipboard.h. */
void fd_draw_clipboard(const char *plain, size_t n);
/* Headless: the sequences that would have been written so far (tests). */
const char *fd_draw_sent(size_t *n);

/* Glyphs with an ASCII fallback when the locale is not UTF-8. */
enum fd_glyph {
	FD_GLYPH_HLINE,
	FD_GLYPH_VLINE,
	FD_GLYPH_ELLIPSIS,
	FD_GLYPH_SORT_UP,
	FD_GLYPH_SORT_DOWN,
	FD_GLYPH_CRUMB,
	FD_GLYPH_BULLET,
	FD_GLYPH_DASH,
	FD_GLYPH_COUNT
};
const char *fd_glyph(enum fd_glyph g);
/* Appends one glyph per value, scaled to max (computed when max <= 0): ▁..█ or
 * " .:-=+*#%@"; NAN (no data) is a space. */
void fd_spark(const double *v, size_t n, double max, struct fd_buf *out);
/* One row of a block chart `height` rows tall: row 0 is the top. */
void fd_chart_row(const double *v, size_t n, double max, int height, int row,
		  struct fd_buf *out);
/* Spinner frame for a millisecond clock. */
const char *fd_spinner(long long ms);

/* Reads one key without waiting; FD_KEY_NONE when none is buffered. */
int fd_draw_getkey(void);
/* The fd to poll for keys; -1 when headless. */
int fd_draw_input_fd(void);
/* Mouse events come as keys (FD_KEY_WHEEL_UP/DOWN, FD_KEY_CLICK, FD_KEY_DOUBLE_CLICK)
 * when fd_draw_mouse() says the terminal reports them; fd_draw_mouse_pos gives the
 * cell of the last one. */
int fd_draw_mouse(void);
void fd_draw_mouse_pos(int *y, int *x);
/* The rows of the selection on screen (a run of rows at least a third painted in the
 * "selected" role) nearest row y: 1 with *y0..*y1 set, 0 when nothing is selected or
 * when row y is a title, header or status row or lies beyond one (another pane). */
int fd_draw_selected_rows(int y, int *y0, int *y1);

/* Writes every row as text (trailing spaces trimmed). With roles, each cell becomes
 * a letter naming its role instead ('.' for normal; see fd_draw_role_letter). */
enum fd_status fd_draw_save(const char *path, int roles, struct fd_err *err);
char fd_draw_role_letter(enum fd_role r);

#endif
