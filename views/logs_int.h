/* logs_int.h - the log view's state, shared by views/logs.c (opening, the filtered
 * index, keys, search) and views/logs_draw.c (the pane). Nothing else includes it. */
#ifndef FLEETDECK_VIEWS_LOGS_INT_H
#define FLEETDECK_VIEWS_LOGS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/view.h"

#define MAX_TERMS 8
#define NO_SEQ UINT64_MAX

struct logview {
	struct fd_follow *f;
	int online;
	char note[256]; /* shown in the header until lines arrive */
	struct fd_regex *inc[MAX_TERMS], *exc[MAX_TERMS];
	size_t ninc, nexc;
	char filter[256];
	size_t level_step;
	int solo; /* -1: every function; else the one shown */
	char request_id[48];
	int paused, wrap, utc, ages;
	uint64_t expanded; /* seq shown whole, NO_SEQ when none */
	uint64_t *idx;     /* seqs of the lines that pass the filters */
	size_t n, cap;
	uint64_t next_seq; /* first ring seq not looked at yet */
	struct fd_cursor cur;
	int rows, fn_w;
	int tail;  /* the cursor stays on the newest line */
	int osc52; /* y copies: [logs] osc52 = true in the config file */
	char osc52_err[160];
	struct fd_buf tmp;
};

/* logs.c: the lowest level shown (FD_LVL_NONE: every line). */
enum fd_level logview_min_level(const struct logview *lv);

/* logs_draw.c */
void logview_draw(struct fd_view *v, struct fd_rect r);
/* The time column: clock time (UTC or local) or age. */
void logview_time_col(const struct logview *lv, int64_t ts, char *out, size_t n);
/* The message as shown; whole: expanded (a truncated line read back from the cache). */
void logview_message_text(struct fd_view *v, const struct fd_line *l, int whole,
                          struct fd_buf *out);

#endif
