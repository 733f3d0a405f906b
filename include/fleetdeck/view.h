/* view.h - screens. Each view is a table of operations (tig's view_ops idea); the
 * loop (src/tui.c) keeps a stack of open views with breadcrumbs, routes requests to
 * the top one and paints it once per frame. Views read the model and draw through
 * draw.h; they never block and include no curses/curl/cJSON/sqlite/pcre2 headers.
 * Shared pieces for views live here too: a cursor over rows, a text pane of styled
 * lines (help, function detail, risk board), and the console calls a view may make. */
#ifndef FLEETDECK_VIEW_H
#define FLEETDECK_VIEW_H

#include <stddef.h>

#include "fleetdeck/app.h"
#include "fleetdeck/draw.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/model.h"

struct fd_ui; /* the console as views see it (src/tui.c) */

struct fd_rect {
	int x, y, w, h;
};

struct fd_view;

struct fd_view_ops {
	const char *name;      /* breadcrumb when the view sets no title */
	size_t priv_size;      /* private state, zeroed at open, freed at close */
	void (*open)(struct fd_view *v, const char *arg);
	void (*close)(struct fd_view *v);                  /* may be NULL */
	void (*draw)(struct fd_view *v, struct fd_rect r);
	/* Returns 1 when handled; unhandled requests go to the console. */
	int (*request)(struct fd_view *v, enum fd_request req);
	void (*changed)(struct fd_view *v);                /* model data changed; may be NULL */
	/* `/` in views that search their text rather than filter the fleet; NULL = the
	 * model's function filter. */
	enum fd_status (*search)(struct fd_view *v, const char *pattern, struct fd_err *err);
	int refresh_s;         /* auto-refresh period while on top; 0 = none */
	/* The mutating job the view runs ("an invocation of orders-api"), NULL when none:
	 * q and :q then ask before quitting. May be NULL. */
	const char *(*busy)(struct fd_view *v);
};

struct fd_view {
	const struct fd_view_ops *ops;
	struct fd_ui *ui;
	char title[96];        /* breadcrumb */
	void *priv;
};

extern const struct fd_view_ops fd_view_dashboard;
extern const struct fd_view_ops fd_view_function;    /* arg: function name */
extern const struct fd_view_ops fd_view_risks;
extern const struct fd_view_ops fd_view_help;
extern const struct fd_view_ops fd_view_context;
extern const struct fd_view_ops fd_view_placeholder; /* arg: "Title\tfeature[\tfunction]" */
extern const struct fd_view_ops fd_view_role;        /* arg: role name or ARN, or a function */
extern const struct fd_view_ops fd_view_logs; /* arg: "[--live] FN|GROUP..." or "@FILE" */
extern const struct fd_view_ops fd_view_invocations; /* arg: "[FN]" or "@EVENTS [@TRACES]" */
extern const struct fd_view_ops fd_view_request;     /* arg: "ID [FN] [@EVENTS [@TRACES]]" */
extern const struct fd_view_ops fd_view_coldstarts;  /* arg: "[FN] [@EVENTS]" */
extern const struct fd_view_ops fd_view_traces;      /* arg: "[FN]", "trace:ID", "@FILE" */

/* The console, for views (src/tui.c). */
struct fd_model *fd_ui_model(struct fd_ui *ui);
struct fd_app *fd_ui_app(struct fd_ui *ui);
void fd_ui_push(struct fd_ui *ui, const struct fd_view_ops *ops, const char *arg);
void fd_ui_pop(struct fd_ui *ui);
void fd_ui_home(struct fd_ui *ui);                   /* back to the dashboard */
void fd_ui_quit(struct fd_ui *ui);
/* q and :q: quits, unless a view runs a mutating job and this is the first ask. */
void fd_ui_request_quit(struct fd_ui *ui);
void fd_ui_message(struct fd_ui *ui, enum fd_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Rebuilds client and model for another profile and/or region (NULL = keep). */
enum fd_status fd_ui_switch_context(struct fd_ui *ui, const char *profile, const char *region,
				    struct fd_err *err);
/* Opens the "not built yet" screen of a feature for a function (may be NULL). */
void fd_ui_open_feature(struct fd_ui *ui, enum fd_request req, const char *function);

/* Regular expressions with the filter's syntax (PCRE2, case-insensitive unless the
 * pattern has an uppercase letter). */
struct fd_regex;
enum fd_status fd_regex_new(const char *pattern, struct fd_regex **out, struct fd_err *err);
/* First match in s[0..n); returns 1 and sets off and len (bytes) when found. */
int fd_regex_find(const struct fd_regex *re, const char *s, size_t n, size_t *off, size_t *len);
void fd_regex_free(struct fd_regex *re);
/* The fleet filter compiled, for highlighting; NULL when there is none. */
const struct fd_regex *fd_ui_filter_regex(struct fd_ui *ui);

/* Draws s at (y, x) in w columns and repaints the regex's matches in the match role;
 * returns columns used. */
int fd_draw_matches(int y, int x, int w, enum fd_role role, const char *s,
		    const struct fd_regex *re);
enum fd_role fd_severity_role(enum fd_severity s);
/* Compact numbers for headers: "-" (NAN), "12", "3.4k", "1.2M". */
void fd_fmt_num(double v, char *out, size_t n);

/* Selection and scrolling over n rows shown h at a time (views/text.c). */
struct fd_cursor {
	size_t sel, top;
};
/* Moves for the movement requests; returns 1 when req was one. */
int fd_cursor_request(struct fd_cursor *c, enum fd_request req, size_t n, int h);
void fd_cursor_clamp(struct fd_cursor *c, size_t n, int h);

/* A pane of styled text lines with a cursor line, sections (Tab), links (Enter) and
 * search (n/N). Everything put into it is sanitized. */
struct fd_text_span {
	size_t off, len;
	enum fd_role role;
};

struct fd_text_line {
	char *text;
	size_t len;
	struct fd_text_span *spans;
	size_t nspans;
	char *link;            /* what Enter opens; NULL when nothing */
	int section;           /* a section heading */
};

struct fd_text {
	struct fd_text_line *lines;
	size_t n, cap;
	struct fd_cursor cur;
	int rows;              /* rows shown at the last draw */
	struct fd_regex *search;
};

void fd_text_clear(struct fd_text *t);  /* drops the lines, keeps cursor and search */
void fd_text_free(struct fd_text *t);
void fd_text_newline(struct fd_text *t);
void fd_text_put(struct fd_text *t, enum fd_role role, const char *s);
void fd_text_printf(struct fd_text *t, enum fd_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Pads the current line with spaces to column col. */
void fd_text_pad(struct fd_text *t, size_t col);
void fd_text_section(struct fd_text *t, const char *title);
void fd_text_link(struct fd_text *t, const char *target);
void fd_text_draw(struct fd_text *t, struct fd_rect r);
/* Movement, Tab between sections, n/N; returns 1 when handled. */
int fd_text_request(struct fd_text *t, enum fd_request req);
const char *fd_text_selected_link(const struct fd_text *t);
/* Sets the search (NULL or "" clears it) and moves to the first match. */
enum fd_status fd_text_search(struct fd_text *t, const char *pattern, struct fd_err *err);
/* Moves the cursor to the first line whose link is target; 1 when found. */
int fd_text_select_link(struct fd_text *t, const char *target);

#endif
