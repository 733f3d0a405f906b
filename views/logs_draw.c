/* logs_draw.c - the log view's pane: the header (following or paused, how many
 * lines pass the filters, level, filter, request, dropped lines, UTC or local) and
 * the lines below it - time or age, function in its colour, level, then the message
 * (banners as sentences, JSON compact or pretty when expanded, a marker on truncated
 * lines), clipped or wrapped, with the window kept on the selected line. views/logs.c
 * holds the rest of the view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/sanitize.h"
#include "logs_int.h"

#define TIME_COL 12

static const enum fd_role palette[] = {FD_ROLE_LABEL,    FD_ROLE_KEY,       FD_ROLE_OK,
                                       FD_ROLE_CHART,    FD_ROLE_SECTION,   FD_ROLE_SEV_LOW,
                                       FD_ROLE_SEV_INFO, FD_ROLE_SEV_MEDIUM};

void
logview_time_col(const struct logview *lv, int64_t ts, char *out, size_t n)
{
	time_t t = (time_t)(ts / 1000);
	int64_t age = (fd_wall_now_ms() - ts) / 1000;
	struct tm tm;

	if (lv->ages) {
		age = FD_MAX(age, 0);
		snprintf(out, n, "%7lld%c ago",
		         (long long)(age < 120    ? age
		                     : age < 7200 ? age / 60
		                                  : age / 3600),
		         age < 120    ? 's'
		         : age < 7200 ? 'm'
		                      : 'h');
		return;
	}
	if (lv->utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	snprintf(out, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(ts % 1000 + 1000) % 1000);
}

/* The message as shown: banners as sentences, JSON compact (or pretty when
 * expanded), a marker on lines the ring truncated. */
void
logview_message_text(struct fd_view *v, const struct fd_line *l, int whole, struct fd_buf *out)
{
	struct logview *lv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_err err = {FD_OK, ""};
	char text[768];

	fd_buf_reset(out);
	if (l->banner) {
		fd_follow_banner_text(l, lv->utc, text, sizeof(text));
		fd_buf_puts(out, text);
		return;
	}
	if (whole && l->truncated && app->cache && l->event_id[0]) {
		struct fd_buf raw;
		fd_buf_init(&raw);
		if (fd_cache_get_log_message(app->cache, &app->ctx, l->group, l->event_id, &raw,
		                             &err) == FD_OK) {
			fd_sanitize(raw.data ? raw.data : "", raw.len, FD_SAN_KEEP_NEWLINE, out);
			fd_buf_free(&raw);
			return;
		}
		fd_buf_free(&raw);
	}
	fd_follow_format(l, whole, out);
	if (l->truncated)
		fd_buf_printf(out, " [+%zu bytes]", l->full_len - l->text_len);
}

static enum fd_role
level_role(const struct fd_line *l)
{
	if (l->banner)
		return l->banner == FD_BANNER_RESUMED || l->banner == FD_BANNER_LIVE
		           ? FD_ROLE_DIM
		           : FD_ROLE_WARNING;
	if (l->level >= FD_LVL_ERROR)
		return FD_ROLE_ERROR;
	if (l->level == FD_LVL_WARN)
		return FD_ROLE_WARNING;
	return l->level == FD_LVL_DEBUG || l->level == FD_LVL_TRACE ? FD_ROLE_DIM : FD_ROLE_NORMAL;
}

/* ---- drawing ---- */

static int
prefix_w(const struct logview *lv)
{
	return TIME_COL + 1 + lv->fn_w + 1 + 5 + 1;
}

/* Rows the message takes: one, or its wrapped/expanded lines. */
static int
line_rows(const struct logview *lv, const char *s, size_t n, int w, int whole)
{
	const char *end = s + n, *nl;
	int rows = 0;

	if (!lv->wrap && !whole)
		return 1;
	do {
		size_t len, cols;
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		cols = fd_text_width(s, len);
		rows += whole && !lv->wrap
		            ? 1
		            : (int)FD_MAX((size_t)1, (cols + (size_t)w - 1) / (size_t)w);
		s = nl ? nl + 1 : end;
	} while (nl);
	return rows;
}

static void
draw_prefix(const struct logview *lv, const struct fd_line *l, int y, int x)
{
	char when[32];

	logview_time_col(lv, l->ts, when, sizeof(when));
	fd_draw_text(y, x, TIME_COL, FD_ROLE_DIM, when);
	if (l->banner) {
		fd_draw_text(y, x + TIME_COL + 1, lv->fn_w + 6, FD_ROLE_WARNING, "--");
		return;
	}
	fd_draw_text(y, x + TIME_COL + 1, lv->fn_w, palette[l->source % FD_ARRAY_LEN(palette)],
	             l->function);
	if (l->level != FD_LVL_NONE)
		fd_draw_text(y, x + TIME_COL + 2 + lv->fn_w, 5, level_role(l),
		             fd_level_name(l->level));
}

/* One display row of text: clipped with an ellipsis when it does not fit. */
static void
draw_piece(const struct logview *lv, int y, int x, int w, enum fd_role role, const char *s,
           size_t n)
{
	char *piece = fd_xstrndup(s, n);
	int used = fd_draw_matches(y, x, w, role, piece, lv->ninc ? lv->inc[0] : NULL);

	if (used >= w && fd_text_width(s, n) > (size_t)w)
		fd_draw_text(y, x + w - 1, 1, FD_ROLE_DIM, fd_glyph(FD_GLYPH_ELLIPSIS));
	free(piece);
}

/* Draws the message from row y on; returns rows used (at most max). */
static int
draw_message(const struct logview *lv, const char *s, size_t n, int y, int x, int w, int max,
             enum fd_role role, int whole)
{
	const char *end = s + n, *nl;
	int row = 0;

	do {
		size_t len;
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		while (row < max) {
			size_t fit = lv->wrap ? fd_text_fit(s, len, (size_t)w) : len;
			if (lv->wrap && !fit && len)
				fit = 1;
			draw_piece(lv, y + row++, x, w, role, s, fit);
			s += fit;
			len -= fit;
			if (!lv->wrap || !len)
				break;
		}
		s = nl ? nl + 1 : end;
	} while (nl && row < max && (lv->wrap || whole));
	if (nl && !lv->wrap && !whole && row > 0)
		fd_draw_text(y + row - 1, x + w - 1, 1, FD_ROLE_DIM, fd_glyph(FD_GLYPH_ELLIPSIS));
	return row;
}

static int
entry_rows(struct fd_view *v, size_t i, int w)
{
	struct logview *lv = v->priv;
	struct fd_line l;

	if (!fd_follow_get(lv->f, lv->idx[i], &l))
		return 1;
	logview_message_text(v, &l, l.seq == lv->expanded, &lv->tmp);
	return line_rows(lv, lv->tmp.data ? lv->tmp.data : "", lv->tmp.len, w,
	                 l.seq == lv->expanded);
}

/* Moves top so the selected line is on screen (line heights vary when wrapping). */
static void
place_window(struct fd_view *v, int w, int rows)
{
	struct logview *lv = v->priv;
	size_t top = lv->cur.sel;
	int used = entry_rows(v, top, w);

	if (!lv->n)
		return;
	if (lv->cur.top > lv->cur.sel || (!lv->wrap && lv->expanded == NO_SEQ)) {
		lv->cur.top = FD_MIN(lv->cur.top, lv->cur.sel);
		fd_cursor_clamp(&lv->cur, lv->n, rows);
		if (!lv->wrap && lv->expanded == NO_SEQ)
			return;
	}
	while (top > lv->cur.top && used + entry_rows(v, top - 1, w) <= rows)
		used += entry_rows(v, --top, w);
	lv->cur.top = top > lv->cur.top ? top : lv->cur.top;
}

static void
draw_entry(struct fd_view *v, size_t i, int y, struct fd_rect r, int max, int *used)
{
	struct logview *lv = v->priv;
	int px = prefix_w(lv), w = FD_MAX(1, r.w - px);
	struct fd_line l;
	enum fd_role role;

	*used = 1;
	if (!fd_follow_get(lv->f, lv->idx[i], &l))
		return;
	role = l.banner ? level_role(&l) : l.level >= FD_LVL_ERROR ? FD_ROLE_ERROR : FD_ROLE_NORMAL;
	logview_message_text(v, &l, l.seq == lv->expanded, &lv->tmp);
	draw_prefix(lv, &l, y, r.x);
	*used = draw_message(lv, lv->tmp.data ? lv->tmp.data : "", lv->tmp.len, y, r.x + px, w, max,
	                     role, l.seq == lv->expanded);
	if (i == lv->cur.sel) {
		int k;
		for (k = 0; k < *used; k++)
			fd_draw_recolor(y + k, r.x, r.w, FD_ROLE_SELECTED);
	}
}

static void
draw_header(struct fd_view *v, struct fd_rect r)
{
	struct logview *lv = v->priv;
	struct fd_follow_stats st;
	char line[512], lvl[24] = "";
	size_t k;

	if (!lv->f) {
		fd_draw_text(r.y, r.x + 1, r.w - 1, FD_ROLE_ERROR, lv->note);
		return;
	}
	fd_follow_stats(lv->f, &st);
	if (lv->level_step)
		snprintf(lvl, sizeof(lvl), " \xe2\x89\xa5%s", fd_level_name(logview_min_level(lv)));
	k = (size_t)snprintf(line, sizeof(line), "%s %zu function%s, %zu of %zu lines%s%s%s%s%s",
	                     lv->paused   ? "PAUSED"
	                     : lv->online ? "following"
	                                  : "showing",
	                     fd_follow_nsources(lv->f), fd_follow_nsources(lv->f) == 1 ? "" : "s",
	                     lv->n, fd_follow_count(lv->f), lvl, lv->filter[0] ? " /" : "",
	                     lv->filter, lv->request_id[0] ? " request " : "", lv->request_id);
	if (k < sizeof(line) && lv->solo >= 0)
		snprintf(line + k, sizeof(line) - k, " only %s",
		         fd_follow_source_function(lv->f, (unsigned)lv->solo));
	fd_draw_fill(r.y, r.x, r.w, FD_ROLE_HEADER);
	fd_draw_text(r.y, r.x + 1, r.w - 1, FD_ROLE_HEADER, line);
	if (st.dropped)
		snprintf(line, sizeof(line), "dropped %llu  %s", (unsigned long long)st.dropped,
		         lv->utc ? "UTC" : "local");
	else
		snprintf(line, sizeof(line), "%s", lv->utc ? "UTC" : "local");
	fd_draw_text(
	    r.y, r.x + r.w - (int)FD_MIN(fd_text_width(line, strlen(line)) + 1, (size_t)r.w / 2),
	    r.w / 2, FD_ROLE_HEADER, line);
}

void
logview_draw(struct fd_view *v, struct fd_rect r)
{
	struct logview *lv = v->priv;
	struct fd_rect body = {.x = r.x, .y = r.y + 1, .w = r.w, .h = r.h - 1};
	int y = body.y, used;
	size_t i;

	draw_header(v, r);
	lv->rows = FD_MAX(1, body.h);
	if (!lv->f || !lv->n) {
		fd_draw_text(body.y + 1, body.x + 2, body.w - 2, FD_ROLE_DIM,
		             lv->note[0]  ? lv->note
		             : lv->online ? "waiting for log lines..."
		                          : "no lines");
		return;
	}
	place_window(v, FD_MAX(1, body.w - prefix_w(lv)), lv->rows);
	for (i = lv->cur.top; i < lv->n && y < body.y + body.h; i++) {
		draw_entry(v, i, y, body, body.y + body.h - y, &used);
		y += used;
	}
}
