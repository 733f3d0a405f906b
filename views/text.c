/* text.c - pieces every view shares: a cursor over rows, a pane of styled text lines
 * (sections, links, search with highlighted matches), match highlighting. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sanitize.h"
#include "fleetdeck/view.h"

static size_t
page(int h)
{
	return h > 1 ? (size_t)h - 1 : 1;
}

int
fd_cursor_request(struct fd_cursor *c, enum fd_request req, size_t n, int h)
{
	switch (req) {
	case FD_REQ_MOVE_DOWN:
		c->sel = c->sel + 1 < n ? c->sel + 1 : c->sel;
		break;
	case FD_REQ_MOVE_UP:
		c->sel = c->sel ? c->sel - 1 : 0;
		break;
	case FD_REQ_PAGE_DOWN:
		c->sel += page(h);
		c->top += page(h);
		break;
	case FD_REQ_PAGE_UP:
		c->sel = c->sel > page(h) ? c->sel - page(h) : 0;
		c->top = c->top > page(h) ? c->top - page(h) : 0;
		break;
	case FD_REQ_MOVE_FIRST:
		c->sel = 0;
		break;
	case FD_REQ_MOVE_LAST:
		c->sel = n ? n - 1 : 0;
		break;
	default:
		return 0;
	}
	fd_cursor_clamp(c, n, h);
	return 1;
}

void
fd_cursor_clamp(struct fd_cursor *c, size_t n, int h)
{
	size_t rows = (size_t)h;

	if (c->sel >= n)
		c->sel = n ? n - 1 : 0;
	if (h <= 0)
		return; /* not drawn yet: the first draw places the window */
	if (c->top + rows > n)
		c->top = n > rows ? n - rows : 0;
	if (c->sel < c->top)
		c->top = c->sel;
	if (c->sel >= c->top + rows)
		c->top = c->sel - rows + 1;
}

enum fd_role
fd_severity_role(enum fd_severity s)
{
	switch (s) {
	case FD_SEV_CRITICAL:
		return FD_ROLE_SEV_CRITICAL;
	case FD_SEV_HIGH:
		return FD_ROLE_SEV_HIGH;
	case FD_SEV_MEDIUM:
		return FD_ROLE_SEV_MEDIUM;
	case FD_SEV_LOW:
		return FD_ROLE_SEV_LOW;
	default:
		return FD_ROLE_SEV_INFO;
	}
}

void
fd_fmt_num(double v, char *out, size_t n)
{
	if (v != v)
		snprintf(out, n, "-");
	else if (fabs(v) >= 1e9)
		snprintf(out, n, "%.1fG", v / 1e9);
	else if (fabs(v) >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (fabs(v) >= 1e4)
		snprintf(out, n, "%.1fk", v / 1e3);
	else if (v == (double)(long long)v)
		snprintf(out, n, "%lld", (long long)v);
	else
		snprintf(out, n, "%.1f", v);
}

/* Repaints the matches of re in s, drawn at (y, x) over `used` columns. */
static void
overlay_matches(int y, int x, int used, const char *s, const struct fd_regex *re)
{
	size_t n = strlen(s), at = 0, off, len;

	while (re && at < n && fd_regex_find(re, s + at, n - at, &off, &len) && len) {
		size_t col = fd_text_width(s, at + off);
		size_t mw = fd_text_width(s + at + off, len);

		if (col >= (size_t)used)
			break;
		fd_draw_textn(y, x + (int)col, FD_MIN((int)mw, used - (int)col), FD_ROLE_MATCH,
			      s + at + off, len);
		at += off + len;
	}
}

int
fd_draw_matches(int y, int x, int w, enum fd_role role, const char *s,
		const struct fd_regex *re)
{
	int used = fd_draw_text(y, x, w, role, s);

	overlay_matches(y, x, used, s, re);
	return used;
}

/* The text pane. */

static void
line_free(struct fd_text_line *l)
{
	free(l->text);
	free(l->spans);
	free(l->link);
}

void
fd_text_clear(struct fd_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		line_free(&t->lines[i]);
	t->n = 0;
}

void
fd_text_free(struct fd_text *t)
{
	fd_text_clear(t);
	free(t->lines);
	fd_regex_free(t->search);
	memset(t, 0, sizeof(*t));
}

void
fd_text_newline(struct fd_text *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->lines = fd_xreallocarray(t->lines, t->cap, sizeof(*t->lines));
	}
	memset(&t->lines[t->n], 0, sizeof(t->lines[0]));
	t->lines[t->n].text = fd_xstrdup("");
	t->n++;
}

static struct fd_text_line *
current(struct fd_text *t)
{
	if (!t->n)
		fd_text_newline(t);
	return &t->lines[t->n - 1];
}

void
fd_text_put(struct fd_text *t, enum fd_role role, const char *s)
{
	struct fd_text_line *l = current(t);
	struct fd_buf b;
	size_t off = l->len;

	fd_buf_init(&b);
	fd_buf_append(&b, l->text, l->len);
	fd_sanitize(s ? s : "", s ? strlen(s) : 0, 0, &b);
	free(l->text);
	l->len = b.len;
	l->text = fd_buf_steal(&b);
	if (l->len == off)
		return;
	l->spans = fd_xreallocarray(l->spans, l->nspans + 1, sizeof(*l->spans));
	l->spans[l->nspans].off = off;
	l->spans[l->nspans].len = l->len - off;
	l->spans[l->nspans].role = role;
	l->nspans++;
}

void
fd_text_printf(struct fd_text *t, enum fd_role role, const char *fmt, ...)
{
	struct fd_buf b;
	va_list ap;

	fd_buf_init(&b);
	va_start(ap, fmt);
	fd_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	fd_text_put(t, role, b.data ? b.data : "");
	fd_buf_free(&b);
}

void
fd_text_pad(struct fd_text *t, size_t col)
{
	struct fd_text_line *l = current(t);
	size_t w = fd_text_width(l->text, l->len);
	char spaces[256];

	if (w >= col)
		return;
	col = FD_MIN(col - w, sizeof(spaces) - 1);
	memset(spaces, ' ', col);
	spaces[col] = '\0';
	fd_text_put(t, FD_ROLE_NORMAL, spaces);
}

void
fd_text_section(struct fd_text *t, const char *title)
{
	if (t->n)
		fd_text_newline(t);
	fd_text_newline(t);
	fd_text_put(t, FD_ROLE_SECTION, title);
	current(t)->section = 1;
}

void
fd_text_link(struct fd_text *t, const char *target)
{
	struct fd_text_line *l = current(t);

	free(l->link);
	l->link = target ? fd_xstrdup(target) : NULL;
}

static void
draw_line(const struct fd_text *t, const struct fd_text_line *l, int y, struct fd_rect r,
	  int selected)
{
	int x = r.x;
	size_t i;

	if (selected)
		fd_draw_fill(y, r.x, r.w, FD_ROLE_SELECTED);
	for (i = 0; i < l->nspans && x < r.x + r.w; i++) {
		const struct fd_text_span *s = &l->spans[i];
		x += fd_draw_textn(y, x, r.x + r.w - x, selected ? FD_ROLE_SELECTED : s->role,
				   l->text + s->off, s->len);
	}
	overlay_matches(y, r.x, x - r.x, l->text, t->search);
}

void
fd_text_draw(struct fd_text *t, struct fd_rect r)
{
	size_t i;

	t->rows = r.h;
	fd_cursor_clamp(&t->cur, t->n, r.h);
	for (i = t->cur.top; i < t->n && (int)(i - t->cur.top) < r.h; i++)
		draw_line(t, &t->lines[i], r.y + (int)(i - t->cur.top), r, i == t->cur.sel);
}

static int
line_matches(const struct fd_text *t, size_t i)
{
	size_t off, len;

	return fd_regex_find(t->search, t->lines[i].text, t->lines[i].len, &off, &len);
}

/* Moves to the next line (dir 1) or previous (-1) satisfying want, wrapping. */
static int
seek(struct fd_text *t, int dir, int (*want)(const struct fd_text *, size_t))
{
	size_t k, i;

	for (k = 1; k <= t->n; k++) {
		i = (t->cur.sel + (dir > 0 ? k : t->n - k)) % t->n;
		if (want(t, i)) {
			t->cur.sel = i;
			fd_cursor_clamp(&t->cur, t->n, t->rows);
			return 1;
		}
	}
	return 0;
}

static int
is_section(const struct fd_text *t, size_t i)
{
	return t->lines[i].section;
}

int
fd_text_request(struct fd_text *t, enum fd_request req)
{
	if (fd_cursor_request(&t->cur, req, t->n, t->rows))
		return 1;
	if (!t->n)
		return 0;
	switch (req) {
	case FD_REQ_NEXT_PANE:
	case FD_REQ_PREV_PANE:
		seek(t, req == FD_REQ_NEXT_PANE ? 1 : -1, is_section);
		return 1;
	case FD_REQ_FIND_NEXT:
	case FD_REQ_FIND_PREV:
		if (t->search)
			seek(t, req == FD_REQ_FIND_NEXT ? 1 : -1, line_matches);
		return t->search != NULL;
	default:
		return 0;
	}
}

const char *
fd_text_selected_link(const struct fd_text *t)
{
	return t->cur.sel < t->n ? t->lines[t->cur.sel].link : NULL;
}

enum fd_status
fd_text_search(struct fd_text *t, const char *pattern, struct fd_err *err)
{
	struct fd_regex *re = NULL;
	enum fd_status st;

	if (pattern && *pattern) {
		st = fd_regex_new(pattern, &re, err);
		if (st != FD_OK)
			return st;
	}
	fd_regex_free(t->search);
	t->search = re;
	if (re && t->n && !line_matches(t, t->cur.sel) && !seek(t, 1, line_matches))
		return fd_err_set(err, FD_ENOTFOUND, "no match for /%s/", pattern);
	return FD_OK;
}

int
fd_text_select_link(struct fd_text *t, const char *target)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->lines[i].link && strcmp(t->lines[i].link, target) == 0) {
			t->cur.sel = i;
			fd_cursor_clamp(&t->cur, t->n, t->rows);
			return 1;
		}
	}
	return 0;
}
