/* logs.c - the log view (`:logs [--live] FN|GROUP...`, `:logs @FILE`, `l` on a
 * function): the follow engine's ring, newest at the bottom, following as lines
 * arrive. p (or Space at the end) pauses and resumes, G jumps back to the live end;
 * `/` filters with regexes (`/error !health` keeps lines matching every term and
 * none of the !terms; matches highlighted); L cycles the minimum level, f shows one
 * function at a time; Enter keeps only the selected line's request (Esc returns);
 * v shows the line whole (JSON pretty printed; a truncated line is read back from
 * the cache); W wraps, U switches UTC/local time, A shows ages; w saves the lines
 * shown to a file. Offline the view shows the cache's log store. The pane itself is
 * drawn by views/logs_draw.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/clipboard.h"
#include "fleetdeck/follow.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/view.h"
#include "logs_int.h"

#define MAX_SOURCES 50           /* functions followed at once from the console */
#define SINCE_MS (5 * 60 * 1000) /* backfill when the view opens */
#define OFFLINE_SINCE_MS (24LL * 3600 * 1000)
#define FN_COL_MAX 20

static const enum fd_level level_steps[] = {FD_LVL_NONE, FD_LVL_DEBUG, FD_LVL_INFO, FD_LVL_WARN,
                                            FD_LVL_ERROR};

/* ---- opening ---- */

static void
source_for(struct fd_model *m, const char *name, struct fd_follow_source *s)
{
	const struct fd_function *fn = m ? fd_model_function(m, name) : NULL;

	if (name[0] == '/' || fd_str_starts(name, "arn:")) {
		s->group = fd_xstrdup(name);
		s->function = NULL;
		return;
	}
	s->function = fd_xstrdup(name);
	if (fn && fn->log_group && *fn->log_group)
		s->group = fd_xstrdup(fn->log_group);
	else
		s->group = fd_xasprintf("/aws/lambda/%s", name);
}

/* The names given, else the functions the dashboard shows (its filter applies). */
static size_t
sources_from(struct fd_view *v, char *arg, struct fd_follow_source *src, int *live)
{
	struct fd_model *m = fd_ui_model(v->ui);
	const struct fd_fn_row *rows;
	char *save = NULL, *w;
	size_t n = 0, nr, i;

	for (w = strtok_r(arg, " \t", &save); w && n < MAX_SOURCES;
	     w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "--live") == 0)
			*live = 1;
		else
			source_for(m, w, &src[n++]);
	}
	if (n || !m)
		return n;
	nr = fd_model_rows(m, &rows);
	for (i = 0; i < nr && n < MAX_SOURCES; i++)
		source_for(m, rows[i].fn->name, &src[n++]);
	return n;
}

struct offline_feed {
	struct fd_follow *f;
	unsigned source;
};

static void
offline_line(const struct fd_log_event *e, void *ud)
{
	struct offline_feed *o = ud;

	fd_follow_ingest(o->f, o->source, e->ts, e->stream, e->event_id, e->message,
	                 e->message_len);
}

static void
load_store(struct logview *lv, struct fd_app *app, const struct fd_follow_source *src, size_t n)
{
	struct fd_err err = {FD_OK, ""};
	int64_t now = fd_wall_now_ms();
	struct offline_feed o = {lv->f, 0};

	for (o.source = 0; app->cache && o.source < n; o.source++)
		if (fd_cache_get_log_events(app->cache, &app->ctx, src[o.source].group,
		                            now - OFFLINE_SINCE_MS, now, 0, offline_line, &o,
		                            &err) != FD_OK)
			break;
	fd_follow_flush(lv->f);
	snprintf(lv->note, sizeof(lv->note), "offline: the last day of the log store%s%s",
	         err.msg[0] ? ": " : "", err.msg);
}

static void
follow_options(struct fd_app *app, struct fd_follow_opts *o, char *arn, size_t arn_len)
{
	memset(o, 0, sizeof(*o));
	o->since_ms = fd_wall_now_ms() - SINCE_MS;
	o->follow = 1;
	o->ring_lines = FD_FOLLOW_RING_DEFAULT;
	if (app->ctx.account[0]) {
		snprintf(arn, arn_len, "arn:aws:logs:%s:%s:log-group:", app->ctx.region,
		         app->ctx.account);
		o->arn_prefix = arn;
		o->cache = app->cache;
		o->ctx = &app->ctx;
	}
}

static void
open_sources(struct fd_view *v, char *arg)
{
	struct logview *lv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_follow_source src[MAX_SOURCES];
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_opts o;
	char arn[160];
	int live = 0;
	size_t n = sources_from(v, arg, src, &live), i;

	follow_options(app, &o, arn, sizeof(arn));
	o.live = live;
	lv->online = app->client != NULL;
	if (!n)
		snprintf(lv->note, sizeof(lv->note), "no functions to follow: :logs NAME...");
	else if (fd_follow_new(app->client, src, n, &o, &lv->f, &err) != FD_OK)
		snprintf(lv->note, sizeof(lv->note), "%s", err.msg);
	else if (!lv->online)
		load_store(lv, app, src, n);
	snprintf(v->title, sizeof(v->title), "logs %s%s",
	         n ? (src[0].function ? src[0].function : src[0].group) : "", n > 1 ? " +" : "");
	if (n > 1)
		snprintf(v->title + strlen(v->title), sizeof(v->title) - strlen(v->title), "%zu",
		         n - 1);
	for (i = 0; i < n; i++) {
		free((char *)src[i].group);
		free((char *)src[i].function);
	}
}

static void
copy_setting(struct logview *lv)
{
	struct fd_err err = {FD_OK, ""};
	char *path = fd_keymap_default_path();

	if (fd_clip_config(path, &lv->osc52, &err) != FD_OK)
		snprintf(lv->osc52_err, sizeof(lv->osc52_err), "%s", err.msg);
	free(path);
}

static void
logs_open(struct fd_view *v, const char *arg)
{
	struct logview *lv = v->priv;
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_opts o;
	char *copy = fd_xstrdup(arg);
	size_t i;

	lv->solo = -1;
	lv->tail = 1;
	lv->expanded = NO_SEQ;
	lv->utc = fd_ui_app(v->ui)->utc;
	fd_buf_init(&lv->tmp);
	copy_setting(lv);
	if (copy[0] == '@') {
		memset(&o, 0, sizeof(o));
		o.ring_lines = FD_FOLLOW_RING_DEFAULT;
		if (fd_follow_open_file(copy + 1, &o, &lv->f, &err) != FD_OK)
			snprintf(lv->note, sizeof(lv->note), "%s", err.msg);
		snprintf(v->title, sizeof(v->title), "logs %s", copy + 1);
	} else {
		open_sources(v, copy);
	}
	free(copy);
	lv->fn_w = 8;
	for (i = 0; lv->f && i < fd_follow_nsources(lv->f); i++)
		lv->fn_w = (int)FD_MAX((size_t)lv->fn_w,
		                       strlen(fd_follow_source_function(lv->f, (unsigned)i)));
	lv->fn_w = FD_MIN(lv->fn_w, FN_COL_MAX);
}

static void
clear_terms(struct logview *lv)
{
	size_t i;

	for (i = 0; i < lv->ninc; i++)
		fd_regex_free(lv->inc[i]);
	for (i = 0; i < lv->nexc; i++)
		fd_regex_free(lv->exc[i]);
	lv->ninc = lv->nexc = 0;
}

static void
logs_close(struct fd_view *v)
{
	struct logview *lv = v->priv;

	fd_follow_free(lv->f);
	clear_terms(lv);
	free(lv->idx);
	fd_buf_free(&lv->tmp);
}

/* ---- the filtered index ---- */

/* A term matches the message, the level or the function name. */
static int
term_matches(const struct fd_regex *re, const struct fd_line *l)
{
	const char *lvl = fd_level_name(l->level);
	size_t off, len;

	return fd_regex_find(re, l->text, l->text_len, &off, &len) ||
	       (l->level != FD_LVL_NONE && fd_regex_find(re, lvl, strlen(lvl), &off, &len)) ||
	       fd_regex_find(re, l->function, strlen(l->function), &off, &len);
}

static int
passes(const struct logview *lv, const struct fd_line *l)
{
	size_t i;
	enum fd_level min = level_steps[lv->level_step];

	if (lv->request_id[0] && strcmp(l->request_id, lv->request_id) != 0)
		return 0;
	if (l->banner)
		return !lv->request_id[0];
	if (lv->solo >= 0 && l->source != (unsigned)lv->solo)
		return 0;
	if (min != FD_LVL_NONE && (l->level == FD_LVL_NONE || l->level < min))
		return 0;
	for (i = 0; i < lv->ninc; i++)
		if (!term_matches(lv->inc[i], l))
			return 0;
	for (i = 0; i < lv->nexc; i++)
		if (term_matches(lv->exc[i], l))
			return 0;
	return 1;
}

static void
index_push(struct logview *lv, uint64_t seq)
{
	if (lv->n == lv->cap) {
		lv->cap = lv->cap ? lv->cap * 2 : 1024;
		lv->idx = fd_xreallocarray(lv->idx, lv->cap, sizeof(*lv->idx));
	}
	lv->idx[lv->n++] = seq;
}

/* Forgets lines the ring dropped, then looks at the new ones. */
static void
sync_index(struct logview *lv)
{
	uint64_t first, end, seq;
	struct fd_line l;
	size_t drop = 0;

	if (!lv->f || lv->paused)
		return;
	first = fd_follow_first(lv->f);
	end = first + fd_follow_count(lv->f);
	while (drop < lv->n && lv->idx[drop] < first)
		drop++;
	if (drop) {
		memmove(lv->idx, lv->idx + drop, (lv->n - drop) * sizeof(*lv->idx));
		lv->n -= drop;
		lv->cur.sel = lv->cur.sel > drop ? lv->cur.sel - drop : 0;
		lv->cur.top = lv->cur.top > drop ? lv->cur.top - drop : 0;
	}
	for (seq = FD_MAX(lv->next_seq, first); seq < end; seq++)
		if (fd_follow_get(lv->f, seq, &l) && passes(lv, &l))
			index_push(lv, seq);
	lv->next_seq = end;
	if (lv->tail && lv->n)
		lv->cur.sel = lv->n - 1;
}

static void
rebuild(struct logview *lv)
{
	int paused = lv->paused;

	lv->n = 0;
	lv->next_seq = 0;
	lv->paused = 0;
	sync_index(lv);
	lv->paused = paused;
	fd_cursor_clamp(&lv->cur, lv->n, lv->rows);
}

/* ---- drawing (the pane itself is logs_draw.c's) ---- */

enum fd_level
logview_min_level(const struct logview *lv)
{
	return level_steps[lv->level_step];
}

static void
logs_draw(struct fd_view *v, struct fd_rect r)
{
	struct logview *lv = v->priv;

	if (lv->f && lv->online)
		fd_follow_tick(lv->f);
	sync_index(lv);
	logview_draw(v, r);
}

/* ---- requests ---- */

static void
save_lines(struct fd_view *v)
{
	struct logview *lv = v->priv;
	const char *dir = getenv("FLEETDECK_SAVE_DIR");
	char path[512], when[32], stamp[32];
	time_t now = (time_t)(fd_wall_now_ms() / 1000);
	struct fd_line l;
	struct tm tm;
	size_t i, n = 0;
	FILE *f;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s%sfleetdeck-logs-%s.log", dir && *dir ? dir : "",
	         dir && *dir ? "/" : "", stamp);
	f = fopen(path, "w");
	if (!f) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "w: cannot write %s", path);
		return;
	}
	for (i = 0; i < lv->n; i++, n++) {
		if (!fd_follow_get(lv->f, lv->idx[i], &l))
			continue;
		logview_time_col(lv, l.ts, when, sizeof(when));
		logview_message_text(v, &l, 0, &lv->tmp);
		fprintf(f, "%s %s %s %s\n", when, l.banner ? "--" : l.function,
		        l.level == FD_LVL_NONE ? "-" : fd_level_name(l.level),
		        lv->tmp.data ? lv->tmp.data : "");
	}
	fclose(f);
	fd_ui_message(v->ui, FD_ROLE_OK, "saved %zu lines to %s", n, path);
}

/* The line's message as received when the log store has it whole, else as kept. */
static void
copy_text(struct fd_view *v, const struct fd_line *l, struct fd_buf *out)
{
	struct logview *lv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_err err = {FD_OK, ""};
	struct fd_buf raw;
	char text[768];

	if (l->banner) {
		fd_follow_banner_text(l, lv->utc, text, sizeof(text));
		fd_clip_plain(text, strlen(text), out);
		return;
	}
	fd_buf_init(&raw);
	if (l->truncated && app->cache && l->event_id[0] &&
	    fd_cache_get_log_message(app->cache, &app->ctx, l->group, l->event_id, &raw, &err) ==
	        FD_OK)
		fd_clip_plain(raw.data ? raw.data : "", raw.len, out);
	else
		fd_clip_plain(l->text ? l->text : "", l->text_len, out);
	fd_buf_free(&raw);
}

static void
copy_line(struct fd_view *v)
{
	struct logview *lv = v->priv;
	struct fd_buf plain;
	struct fd_line l;

	if (!lv->osc52) {
		fd_ui_message(v->ui, lv->osc52_err[0] ? FD_ROLE_ERROR : FD_ROLE_DIM, "y: %s",
		              lv->osc52_err[0] ? lv->osc52_err
		                               : "copying is off; to allow it, put \"osc52 = true\" "
		                                 "under [logs] in the config file");
		return;
	}
	if (!lv->n || !fd_follow_get(lv->f, lv->idx[lv->cur.sel], &l)) {
		fd_ui_message(v->ui, FD_ROLE_DIM, "y: no line to copy");
		return;
	}
	fd_buf_init(&plain);
	copy_text(v, &l, &plain);
	fd_draw_clipboard(plain.data ? plain.data : "", plain.len);
	fd_ui_message(v->ui, FD_ROLE_OK, "copied the selected line (%zu bytes) with OSC 52",
	              plain.len);
	fd_buf_free(&plain);
}

static void
toggle_request(struct fd_view *v)
{
	struct logview *lv = v->priv;
	struct fd_line l;

	if (lv->request_id[0]) {
		lv->request_id[0] = '\0';
	} else if (lv->n && fd_follow_get(lv->f, lv->idx[lv->cur.sel], &l) && l.request_id[0]) {
		fd_strlcpy(lv->request_id, l.request_id, sizeof(lv->request_id));
	} else {
		fd_ui_message(v->ui, FD_ROLE_DIM, "this line names no request");
		return;
	}
	lv->tail = !lv->request_id[0];
	rebuild(lv);
	if (lv->request_id[0])
		lv->cur.sel = lv->cur.top = 0;
}

static void
cycle_function(struct fd_view *v)
{
	struct logview *lv = v->priv;
	int n = lv->f ? (int)fd_follow_nsources(lv->f) : 0;

	lv->solo = lv->solo + 1 < n ? lv->solo + 1 : -1;
	rebuild(lv);
	fd_ui_message(v->ui, FD_ROLE_DIM, "showing %s",
	              lv->solo < 0 ? "every function"
	                           : fd_follow_source_function(lv->f, (unsigned)lv->solo));
}

static int
toggles(struct fd_view *v, enum fd_request req)
{
	struct logview *lv = v->priv;

	switch (req) {
	case FD_REQ_LOG_WRAP:
		lv->wrap = !lv->wrap;
		break;
	case FD_REQ_LOG_UTC:
		lv->utc = !lv->utc;
		break;
	case FD_REQ_LOG_AGES:
		lv->ages = !lv->ages;
		break;
	case FD_REQ_LOG_LEVEL:
		lv->level_step = (lv->level_step + 1) % FD_ARRAY_LEN(level_steps);
		rebuild(lv);
		break;
	case FD_REQ_LOG_FUNCTION:
		cycle_function(v);
		break;
	case FD_REQ_LOG_EXPAND:
		lv->expanded =
		    lv->n && lv->expanded != lv->idx[lv->cur.sel] ? lv->idx[lv->cur.sel] : NO_SEQ;
		break;
	default:
		return 0;
	}
	return 1;
}

static void
set_paused(struct fd_view *v, int paused)
{
	struct logview *lv = v->priv;

	lv->paused = paused;
	if (!paused) {
		lv->tail = 1;
		sync_index(lv);
	}
	fd_ui_message(v->ui, FD_ROLE_DIM, paused ? "paused: p or G resumes" : "following");
}

static int
movement(struct fd_view *v, enum fd_request req)
{
	struct logview *lv = v->priv;

	if (req == FD_REQ_PAGE_DOWN && lv->tail && !lv->paused) {
		set_paused(v, 1); /* Space at the live end pauses, as in less +F */
		return 1;
	}
	if (req == FD_REQ_MOVE_LAST) {
		if (lv->paused)
			set_paused(v, 0);
		lv->tail = 1;
		sync_index(lv);
		return 1;
	}
	if (!fd_cursor_request(&lv->cur, req, lv->n, lv->rows))
		return 0;
	lv->tail = lv->n && lv->cur.sel == lv->n - 1 && !lv->paused;
	return 1;
}

static int
logs_request(struct fd_view *v, enum fd_request req)
{
	struct logview *lv = v->priv;

	if (movement(v, req) || toggles(v, req))
		return 1;
	switch (req) {
	case FD_REQ_PAUSE:
		set_paused(v, !lv->paused);
		return 1;
	case FD_REQ_ENTER:
		toggle_request(v);
		return 1;
	case FD_REQ_BACK:
		if (!lv->request_id[0])
			return 0;
		toggle_request(v);
		return 1;
	case FD_REQ_WINDOW:
		save_lines(v);
		return 1;
	case FD_REQ_LOG_COPY:
		copy_line(v);
		return 1;
	case FD_REQ_REFRESH:
		if (lv->f && lv->online)
			fd_follow_tick(lv->f);
		return 1;
	default:
		return 0;
	}
}

/* "error timeout !health": every term must match, no !term may. */
static enum fd_status
logs_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct logview *lv = v->priv;
	char *copy = fd_xstrdup(pattern), *save = NULL, *w;
	enum fd_status st = FD_OK;
	struct fd_regex *re;

	clear_terms(lv);
	for (w = strtok_r(copy, " ", &save); w && st == FD_OK; w = strtok_r(NULL, " ", &save)) {
		int ex = w[0] == '!' && w[1];
		if ((ex ? lv->nexc : lv->ninc) >= MAX_TERMS)
			break;
		st = fd_regex_new(ex ? w + 1 : w, &re, err);
		if (st == FD_OK && ex)
			lv->exc[lv->nexc++] = re;
		else if (st == FD_OK)
			lv->inc[lv->ninc++] = re;
	}
	free(copy);
	if (st != FD_OK)
		clear_terms(lv);
	fd_strlcpy(lv->filter, st == FD_OK ? pattern : "", sizeof(lv->filter));
	rebuild(lv);
	return st;
}

const struct fd_view_ops fd_view_logs = {
    .name = "logs",
    .priv_size = sizeof(struct logview),
    .open = logs_open,
    .close = logs_close,
    .draw = logs_draw,
    .request = logs_request,
    .search = logs_search,
};
