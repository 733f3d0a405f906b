/* output.h - headless output of records as table (fits the terminal width,
 * truncating with an ellipsis), csv, json (one array) or ndjson (one object a
 * line). Columns are declared by the caller once; shapes never depend on the
 * terminal. Every string goes through the sanitizer before it is printed. */
#ifndef FLEETDECK_OUTPUT_H
#define FLEETDECK_OUTPUT_H

#include <stdio.h>

#include "fleetdeck/app.h"

enum fd_col_type {
	FD_COL_STR,
	FD_COL_INT,    /* long long; printed empty / null when absent */
	FD_COL_NUM,    /* double; NAN -> empty / null */
	FD_COL_BOOL,
	FD_COL_RAW_JSON, /* value is already JSON (json/ndjson), shown as text in table */
};

struct fd_col {
	const char *name;      /* json key and csv header */
	const char *header;    /* table header */
	enum fd_col_type type;
	int width;             /* table: preferred width; 0 = flexible (takes the rest) */
	int right;             /* right-align in table */
	int decimals;          /* FD_COL_NUM in table/csv */
};

struct fd_cell {
	const char *s;
	long long i;
	double d;
	int present;           /* 0 = null / empty */
};

struct fd_out;

struct fd_out *fd_out_begin(FILE *f, enum fd_output fmt, const struct fd_col *cols, size_t ncols);
void fd_out_row(struct fd_out *o, const struct fd_cell *cells);
/* Flushes (tables are laid out at the end so widths fit the content). */
void fd_out_end(struct fd_out *o);

static inline struct fd_cell
fd_cell_str(const char *s)
{
	struct fd_cell c = {s, 0, 0.0, s != NULL};
	return c;
}
static inline struct fd_cell
fd_cell_int(long long v, int present)
{
	struct fd_cell c = {NULL, v, 0.0, present};
	return c;
}
static inline struct fd_cell
fd_cell_num(double v)
{
	struct fd_cell c = {NULL, 0, v, v == v};
	return c;
}

/* JSON string escaping for writers (control characters as \u00XX; invalid UTF-8
 * replaced with U+FFFD). */
void fd_json_put_string(FILE *f, const char *s);
/* Untrusted text through the sanitizer (no control characters, no escapes) to f. */
void fd_put_sanitized(FILE *f, const char *s);
/* A text timeline track: "|", width cells with '=' in [col, col+len), "|". */
void fd_put_track(FILE *f, int col, int len, int width);

#endif
