/* tui_int.h - the console's state, shared by the loop (tui.c), the key-script
 * runner (tui_script.c) and the frame around the views (tui_chrome.c). Views see
 * none of it: they use the fd_ui_* calls of view.h. */
#ifndef FLEETDECK_TUI_INT_H
#define FLEETDECK_TUI_INT_H

#include <stdint.h>

#include "fleetdeck/cmdline.h"
#include "fleetdeck/tui.h"
#include "fleetdeck/view.h"

#define FD_UI_DEPTH 32

struct fd_script;

struct fd_ui {
	struct fd_app *app;
	struct fd_model *model;
	fd_tui_open_fn open_context;
	struct fd_view *stack[FD_UI_DEPTH];
	size_t depth;
	int quit;
	int quit_armed;            /* q asked about a running job: q again quits */
	int dirty;                 /* paint at the end of this iteration */
	int paused;                /* auto-refresh off */
	int64_t last_paint_ms;
	int64_t next_refresh_ms;
	int64_t resize_at;         /* debounced SIGWINCH; 0 = none */
	char msg[512];             /* message line; cleared by the next key */
	enum fd_role msg_role;
	int line_active;           /* the bottom line is editing `:` or `/` */
	struct fd_line line;
	struct fd_history cmd_hist, find_hist;
	struct fd_regex *filter_re;
	char filter_text[FD_LINE_MAX];
	struct fd_script *script;
	int switch_pending;        /* a context switch waits for the current key to finish */
	char switch_profile[64];   /* "" = keep */
	char switch_region[32];
};

/* tui.c */
void fd_ui_key(struct fd_ui *ui, int key);
void fd_ui_paint(struct fd_ui *ui);
/* A mouse key (draw.h) at screen row y, as the requests it stands for. */
void fd_ui_mouse(struct fd_ui *ui, int key, int y);
/* No request in flight, no refresh running, no resize waiting. */
int fd_ui_idle(struct fd_ui *ui);

/* tui_script.c: keys and @directives from a file instead of the keyboard. */
enum fd_status fd_script_open(const char *path, const char *save_dir, int idle_timeout_ms,
			      struct fd_script **out, struct fd_err *err);
/* Runs the next line (or keeps waiting); quits the console at the end. */
void fd_script_step(struct fd_script *s, struct fd_ui *ui);
/* How long the loop may sleep before the script wants to run again. */
int fd_script_timeout(const struct fd_script *s);
/* 1 (with err filled) when a directive failed. */
int fd_script_failed(const struct fd_script *s, struct fd_err *err);
void fd_script_free(struct fd_script *s);

/* tui_chrome.c: title bar, status bar, message/command line. */
/* The config's [console] mouse setting: 0 for "mouse = false" (or no, off, 0). */
int fd_chrome_mouse_wanted(void);
/* Loads the theme and the [keys] section; problems go to the message line. */
void fd_chrome_setup(struct fd_ui *ui);
void fd_chrome_paint(struct fd_ui *ui, struct fd_view *top);

#endif
