/* output.c - headless record output: table (laid out at the end so widths fit
 * content and terminal), csv, json array, ndjson. Strings are sanitized here, so
 * no command can print remote text raw. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/util.h"

struct fd_out {
	FILE *f;
	enum fd_output fmt;
	const struct fd_col *cols;
	size_t ncols;
	size_t nrows;
	char **cells;          /* table: nrows * ncols sanitized strings */
	size_t cap;
};

struct fd_out *
fd_out_begin(FILE *f, enum fd_output fmt, const struct fd_col *cols, size_t ncols)
{
	struct fd_out *o = fd_xcalloc(1, sizeof(*o));
	size_t i;

	o->f = f;
	o->fmt = fmt == FD_OUT_DEFAULT || fmt == FD_OUT_TEXT ? FD_OUT_TABLE : fmt;
	o->cols = cols;
	o->ncols = ncols;
	if (o->fmt == FD_OUT_JSON)
		fputc('[', f);
	if (o->fmt == FD_OUT_CSV) {
		for (i = 0; i < ncols; i++)
			fprintf(f, "%s%s", i ? "," : "", cols[i].name);
		fputc('\n', f);
	}
	return o;
}

void
fd_put_sanitized(FILE *f, const char *s)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(s, strlen(s), 0, &b);
	fputs(b.data ? b.data : "", f);
	fd_buf_free(&b);
}

void
fd_put_track(FILE *f, int col, int len, int width)
{
	int i;

	fputc('|', f);
	for (i = 0; i < width; i++)
		fputc(i >= col && i < col + len ? '=' : ' ', f);
	fputc('|', f);
}

void
fd_json_put_string(FILE *f, const char *s)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	fd_sanitize(s, strlen(s), FD_SAN_KEEP_TAB | FD_SAN_KEEP_NEWLINE, &b);
	fputc('"', f);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
	fd_buf_free(&b);
}

/* Formats a cell as display text (table/csv); returns a malloc'd sanitized string. */
static char *
cell_text(const struct fd_col *col, const struct fd_cell *c)
{
	if (!c->present)
		return fd_xstrdup(col->type == FD_COL_STR ? "" : "-");
	switch (col->type) {
	case FD_COL_INT:
		return fd_xasprintf("%lld", c->i);
	case FD_COL_NUM:
		return fd_xasprintf("%.*f", col->decimals, c->d);
	case FD_COL_BOOL:
		return fd_xstrdup(c->i ? "yes" : "no");
	case FD_COL_STR:
	case FD_COL_RAW_JSON:
	default:
		return fd_sanitize_dup(c->s ? c->s : "");
	}
}

static void
json_value(FILE *f, const struct fd_col *col, const struct fd_cell *c)
{
	if (!c->present) {
		fputs("null", f);
		return;
	}
	switch (col->type) {
	case FD_COL_INT:
		fprintf(f, "%lld", c->i);
		break;
	case FD_COL_NUM:
		if (isfinite(c->d))
			fprintf(f, "%.*f", col->decimals > 0 ? col->decimals : 3, c->d);
		else
			fputs("null", f);
		break;
	case FD_COL_BOOL:
		fputs(c->i ? "true" : "false", f);
		break;
	case FD_COL_RAW_JSON:
		fputs(c->s ? c->s : "null", f);
		break;
	case FD_COL_STR:
	default:
		fd_json_put_string(f, c->s ? c->s : "");
	}
}

static void
csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
fd_out_row(struct fd_out *o, const struct fd_cell *cells)
{
	size_t i;

	if (o->fmt == FD_OUT_JSON || o->fmt == FD_OUT_NDJSON) {
		if (o->fmt == FD_OUT_JSON && o->nrows)
			fputc(',', o->f);
		fputc('{', o->f);
		for (i = 0; i < o->ncols; i++) {
			fprintf(o->f, "%s\"%s\":", i ? "," : "", o->cols[i].name);
			json_value(o->f, &o->cols[i], &cells[i]);
		}
		fputs(o->fmt == FD_OUT_NDJSON ? "}\n" : "}", o->f);
	} else if (o->fmt == FD_OUT_CSV) {
		for (i = 0; i < o->ncols; i++) {
			char *t = cell_text(&o->cols[i], &cells[i]);
			if (i)
				fputc(',', o->f);
			csv_field(o->f, t);
			free(t);
		}
		fputc('\n', o->f);
	} else {
		if ((o->nrows + 1) * o->ncols > o->cap) {
			o->cap = o->cap ? o->cap * 2 : o->ncols * 64;
			o->cells = fd_xreallocarray(o->cells, o->cap, sizeof(char *));
		}
		for (i = 0; i < o->ncols; i++)
			o->cells[o->nrows * o->ncols + i] = cell_text(&o->cols[i], &cells[i]);
	}
	o->nrows++;
}

static size_t
terminal_width(FILE *f)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols && atoi(cols) > 20)
		return (size_t)atoi(cols);
	return 0; /* not a terminal: no truncation */
}

/* Shrinks the widest flexible columns until the row fits the terminal. */
static void
fit_widths(size_t *w, const struct fd_col *cols, size_t ncols, size_t total)
{
	size_t sum = 0, i;

	for (i = 0; i < ncols; i++)
		sum += w[i] + (i ? 2 : 0);
	while (total && sum > total) {
		size_t widest = 0;
		for (i = 1; i < ncols; i++)
			if (w[i] > w[widest])
				widest = i;
		if (w[widest] <= 4 || (cols[widest].width && w[widest] <= (size_t)cols[widest].width))
			break;
		w[widest]--;
		sum--;
	}
}

static void
put_padded(FILE *f, const char *s, size_t width, int right, int last)
{
	size_t len = strlen(s), tw = fd_text_width(s, len), fit;

	if (tw > width) {
		fit = fd_text_fit(s, len, width ? width - 1 : 0);
		fwrite(s, 1, fit, f);
		fputs("\xE2\x80\xA6", f);
		return;
	}
	if (right)
		for (; tw < width; tw++)
			fputc(' ', f);
	fputs(s, f);
	if (!right && !last)
		for (; tw < width; tw++)
			fputc(' ', f);
}

static void
table_flush(struct fd_out *o)
{
	size_t *w = fd_xcalloc(o->ncols, sizeof(size_t));
	size_t r, i;

	for (i = 0; i < o->ncols; i++) {
		w[i] = strlen(o->cols[i].header);
		for (r = 0; r < o->nrows; r++) {
			const char *s = o->cells[r * o->ncols + i];
			w[i] = FD_MAX(w[i], fd_text_width(s, strlen(s)));
		}
	}
	fit_widths(w, o->cols, o->ncols, terminal_width(o->f));
	for (i = 0; i < o->ncols; i++) {
		if (i)
			fputs("  ", o->f);
		put_padded(o->f, o->cols[i].header, w[i], o->cols[i].right, i + 1 == o->ncols);
	}
	fputc('\n', o->f);
	for (r = 0; r < o->nrows; r++) {
		for (i = 0; i < o->ncols; i++) {
			if (i)
				fputs("  ", o->f);
			put_padded(o->f, o->cells[r * o->ncols + i], w[i], o->cols[i].right,
				   i + 1 == o->ncols);
			free(o->cells[r * o->ncols + i]);
		}
		fputc('\n', o->f);
	}
	free(w);
}

void
fd_out_end(struct fd_out *o)
{
	if (!o)
		return;
	if (o->fmt == FD_OUT_JSON)
		fputs("]\n", o->f);
	else if (o->fmt == FD_OUT_TABLE)
		table_flush(o);
	fflush(o->f);
	free(o->cells);
	free(o);
}
