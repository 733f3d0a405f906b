/* tui.h - the console's event loop: one thread waits on the AWS client's transfers,
 * the terminal and a self-pipe that signal handlers write to (tmux's idea); keys are
 * handled and the screen repainted while requests are in flight; repaints are
 * coalesced to one per iteration and at most one per frame. A key script
 * (FD_TUI_SCRIPT) can stand in for the keyboard, and a headless screen (newterm on
 * /dev/null) for the terminal, so screen tests need neither. */
#ifndef FLEETDECK_TUI_H
#define FLEETDECK_TUI_H

#include "fleetdeck/app.h"
#include "fleetdeck/model.h"

/* Builds the model (and the app's client) for a context; profile/region NULL keep
 * the app's current ones. */
typedef enum fd_status (*fd_tui_open_fn)(struct fd_app *app, const char *profile,
					 const char *region, struct fd_model **out,
					 struct fd_err *err);

struct fd_tui_opts {
	struct fd_app *app;
	struct fd_model *model;    /* the loop owns it from here on (and frees it) */
	fd_tui_open_fn open_context;
	int headless;              /* FD_TUI_HEADLESS=1 */
	int cols, rows;            /* FD_TUI_SIZE=COLSxROWS */
	const char *script;        /* FD_TUI_SCRIPT: keys and @directives, one a line */
	const char *save_dir;      /* FD_TUI_SAVE_DIR: where @save writes (default .) */
	int idle_timeout_ms;       /* @wait-idle gives up after this (default 15000) */
	int ascii;                 /* ASCII glyphs even in a UTF-8 locale */
	const char *notice;        /* shown on the message line at start */
};

/* Runs until quit; returns the process exit status (the terminal is restored on
 * every path). */
int fd_tui_run(struct fd_tui_opts *o, struct fd_err *err);

/* Parses "120x40". */
int fd_tui_parse_size(const char *s, int *cols, int *rows);
/* The status bar's name of a rate-limit bucket ("logs:FilterLogEvents" ->
 * "FilterLogEvents", a service's shared "lambda:control" or "sqs" -> the service). */
void fd_tui_budget_label(const char *key, char *out, size_t n);

#endif
