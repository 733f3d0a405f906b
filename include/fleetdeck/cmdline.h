/* cmdline.h - the console's bottom line: a one-line editor with history (for `:` and
 * `/`), and the `:` commands, declared once in a table with their aliases (tmux's
 * cmd_entry idea). The table drives dispatch, Tab completion and the help screen. */
#ifndef FLEETDECK_CMDLINE_H
#define FLEETDECK_CMDLINE_H

#include <stddef.h>

#include "fleetdeck/view.h"

#define FD_LINE_MAX 256
#define FD_LINE_HISTORY 50

struct fd_history {
	char *items[FD_LINE_HISTORY]; /* oldest first */
	size_t n;
};

struct fd_line {
	char prompt;           /* ':' or '/' */
	char buf[FD_LINE_MAX];
	size_t len, pos;       /* bytes; pos is the cursor */
	struct fd_history *hist;
	size_t hpos;           /* == hist->n when not browsing */
};

enum fd_line_result {
	FD_LINE_EDITING,
	FD_LINE_ACCEPT,
	FD_LINE_CANCEL,
	FD_LINE_COMPLETE,      /* Tab: the caller completes */
};

void fd_line_start(struct fd_line *l, char prompt, struct fd_history *hist);
enum fd_line_result fd_line_key(struct fd_line *l, int key);
void fd_line_set(struct fd_line *l, const char *text);
/* Display column of the cursor (prompt excluded). */
size_t fd_line_cursor_col(const struct fd_line *l);
void fd_history_add(struct fd_history *h, const char *s);
void fd_history_free(struct fd_history *h);

/* `:` commands. */
struct fd_ui_cmd {
	const char *name;
	const char *alias;     /* NULL when none */
	const char *args;      /* "NAME", "[PROFILE] [REGION]", NULL */
	const char *help;
	const struct fd_view_ops *view; /* opened with the argument; NULL for placeholders */
	const char *feature;   /* placeholder: the feature it comes with */
	int action;            /* FD_CMD_* for commands that are not views */
};

enum { FD_CMD_VIEW, FD_CMD_QUIT, FD_CMD_HOME };

size_t fd_ui_cmd_count(void);
const struct fd_ui_cmd *fd_ui_cmd_at(size_t i);
/* Exact name or alias, then unique prefix; NULL with a message naming the
 * candidates when ambiguous or unknown. */
const struct fd_ui_cmd *fd_ui_cmd_find(const char *name, struct fd_err *err);
/* Runs one command line ("fn orders-api"); errors go to the message line. */
void fd_cmdline_run(struct fd_ui *ui, const char *line);
/* Completes the word before the cursor: command names, then function names (`fn`)
 * or profiles (`ctx`). Lists the candidates in the message line when several. */
void fd_cmdline_complete(struct fd_ui *ui, struct fd_line *l);

#endif
