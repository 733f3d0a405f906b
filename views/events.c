/* events.c - the test-event library (`:events [FUNCTION]`): the function's events and
 * the shared ones, new events from the built-in templates, export/import of the
 * files teams keep in git. Enter on an event opens it: its body, and lines to invoke
 * with it, edit it in $EDITOR (the terminal is handed to the editor meanwhile) or
 * delete it (Enter twice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/state.h"
#include "fleetdeck/view.h"

struct evview {
	struct fd_text text;
	char function[128]; /* "" = every event */
	struct fd_state *state;
	char error[256];
	struct fd_event *events;
	size_t nevents;
	int open; /* index of the event shown, -1 = the list */
	int delete_armed;
};

static void
reload(struct evview *ev)
{
	struct fd_err err = {FD_OK, ""};

	fd_events_free(ev->events, ev->nevents);
	ev->events = NULL;
	ev->nevents = 0;
	if (ev->state && fd_events_list(ev->state, ev->function[0] ? ev->function : NULL,
	                                &ev->events, &ev->nevents, &err) != FD_OK)
		fd_strlcpy(ev->error, err.msg, sizeof(ev->error));
	if (ev->open >= (int)ev->nevents)
		ev->open = -1;
}

static const char *
fn_label(const char *f)
{
	return f && f[0] ? f : "(shared)";
}

static void
action(struct fd_text *t, enum fd_role role, const char *label, const char *link)
{
	fd_text_newline(t);
	fd_text_put(t, role, "  > ");
	fd_text_put(t, role, label);
	fd_text_link(t, link);
}

static void
build_list(struct evview *ev)
{
	struct fd_text *t = &ev->text;
	char link[32], line[256];
	size_t i;

	fd_text_section(t, "EVENTS (Enter opens)");
	for (i = 0; i < ev->nevents; i++) {
		const struct fd_event *e = &ev->events[i];
		snprintf(link, sizeof(link), "ev:%zu", i);
		snprintf(line, sizeof(line), "  %-24.24s %-28.28s %8zu B  %s",
		         fn_label(e->function), e->name, e->len, e->origin ? e->origin : "");
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_NORMAL, line);
		fd_text_link(t, link);
	}
	if (!ev->nevents) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, "  no saved events yet");
	}
	if (ev->function[0]) {
		fd_text_section(t, "NEW FROM A TEMPLATE (Enter saves it for this function)");
		for (i = 0; i < fd_template_count(); i++) {
			const struct fd_template *tp = fd_template_at(i);
			snprintf(link, sizeof(link), "tmpl:%s", tp->name);
			snprintf(line, sizeof(line), "  %-12s %s", tp->name, tp->summary);
			fd_text_newline(t);
			fd_text_put(t, FD_ROLE_NORMAL, line);
			fd_text_link(t, link);
		}
	}
	fd_text_section(t, "FILES ($XDG_CONFIG_HOME/fleetdeck/events)");
	action(t, FD_ROLE_KEY, "export these events as files", "export");
	action(t, FD_ROLE_KEY, "import the files (new names only)", "import");
}

static void
build_body(struct fd_text *t, const struct fd_event *e)
{
	const char *p = e->body, *end = e->body + e->len;

	fd_text_section(t, "BODY");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fd_xstrndup(p, len);
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_NORMAL, "    ");
		fd_text_put(t, FD_ROLE_NORMAL, line);
		free(line);
		p += len + 1;
	}
}

static void
build_event(struct evview *ev)
{
	const struct fd_event *e = &ev->events[ev->open];
	struct fd_text *t = &ev->text;

	fd_text_section(t, "EVENT");
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  %s", e->name);
	fd_text_printf(t, FD_ROLE_DIM, " of %s, %zu bytes, %s, sha256 %.16s", fn_label(e->function),
	               e->len, e->origin ? e->origin : "?", e->sha256);
	if (e->function[0] || ev->function[0])
		action(t, FD_ROLE_KEY, "invoke with it", "invoke");
	action(t, FD_ROLE_KEY, "edit in $EDITOR", "edit");
	action(t, ev->delete_armed ? FD_ROLE_ERROR : FD_ROLE_KEY,
	       ev->delete_armed ? "delete: Enter again to delete it" : "delete", "delete");
	action(t, FD_ROLE_KEY, "back to the list", "list");
	build_body(t, e);
}

static void
build(struct fd_view *v)
{
	struct evview *ev = v->priv;
	struct fd_text *t = &ev->text;

	fd_text_clear(t);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  %s",
	               ev->function[0] ? "Test events of " : "Test events");
	if (ev->function[0])
		fd_text_printf(t, FD_ROLE_TITLE, "%s (and shared ones)", ev->function);
	if (ev->error[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  state.db: %s", ev->error);
	}
	if (ev->open >= 0)
		build_event(ev);
	else
		build_list(ev);
}

/* ---- actions ---- */

static void
from_template(struct fd_view *v, const char *name)
{
	struct evview *ev = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_template_opts to = {ev->function, app->ctx.region, app->ctx.account, 0, 0};
	struct fd_event e = {ev->function, NULL, NULL, 0, NULL, 0, 0, ""};
	struct fd_err err = {FD_OK, ""};
	struct fd_buf body;
	char evname[FD_EVENT_NAME_MAX + 1];
	enum fd_status st = FD_EINVAL;
	int n;

	fd_buf_init(&body);
	if (fd_template_build(name, &to, &body, &err) != FD_OK) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		fd_buf_free(&body);
		return;
	}
	e.body = body.data;
	e.len = body.len;
	e.origin = fd_xasprintf("template:%s", name);
	fd_event_hash(&e);
	for (n = 1; n < 100 && st == FD_EINVAL; n++) {
		if (n == 1)
			fd_strlcpy(evname, name, sizeof(evname));
		else
			snprintf(evname, sizeof(evname), "%.50s-%d", name, n);
		e.name = evname;
		st = fd_events_put(ev->state, &e, 0, &err);
	}
	if (st == FD_OK)
		fd_ui_message(v->ui, FD_ROLE_OK, "saved event %s of %s", evname, ev->function);
	else
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
	free(e.origin);
	fd_buf_free(&body);
	reload(ev);
	for (n = 0; st == FD_OK && n < (int)ev->nevents; n++)
		if (strcmp(ev->events[n].name, evname) == 0 && ev->events[n].function[0])
			ev->open = n; /* show what was made: edit or invoke it next */
}

static void
edit_event(struct fd_view *v)
{
	struct evview *ev = v->priv;
	struct fd_event *e = &ev->events[ev->open];
	struct fd_err err = {FD_OK, ""};
	struct fd_buf out;
	enum fd_status st;

	fd_buf_init(&out);
	fd_draw_suspend(); /* the editor owns the terminal until it exits */
	st = fd_event_edit(e->body, e->len, &out, 0, &err);
	fd_draw_resume();
	if (st == FD_OK) {
		struct fd_event upd = *e;
		upd.body = out.data;
		upd.len = out.len;
		fd_event_hash(&upd);
		st = fd_events_put(ev->state, &upd, 1, &err);
	}
	if (st == FD_OK)
		fd_ui_message(v->ui, FD_ROLE_OK, "saved %s", e->name);
	else
		fd_ui_message(v->ui, st == FD_ECANCELLED ? FD_ROLE_DIM : FD_ROLE_ERROR, "edit: %s",
		              err.msg);
	fd_buf_free(&out);
	reload(ev);
}

static void
delete_event(struct fd_view *v)
{
	struct evview *ev = v->priv;
	struct fd_event *e = &ev->events[ev->open];
	struct fd_err err = {FD_OK, ""};

	if (!ev->delete_armed) {
		ev->delete_armed = 1;
		return;
	}
	if (fd_events_delete(ev->state, e->function, e->name, &err) == FD_OK)
		fd_ui_message(v->ui, FD_ROLE_OK, "deleted %s", e->name);
	else
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
	ev->open = -1;
	reload(ev);
}

static void
files(struct fd_view *v, int import)
{
	struct evview *ev = v->priv;
	struct fd_err err = {FD_OK, ""};
	const char *fn = ev->function[0] ? ev->function : NULL;
	char *dir = fd_events_dir();
	size_t n = 0;
	enum fd_status st;

	if (!dir) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "no events directory: HOME is not set");
		return;
	}
	st = import ? fd_events_import(ev->state, fn, dir, 0, &n, NULL, &err)
	            : fd_events_export(ev->state, fn, dir, &n, &err);
	if (st == FD_OK)
		fd_ui_message(v->ui, FD_ROLE_OK, "%s %zu events %s %s",
		              import ? "imported" : "wrote", n, import ? "from" : "under", dir);
	else
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
	free(dir);
	reload(ev);
}

static void
invoke_with(struct fd_view *v)
{
	struct evview *ev = v->priv;
	const struct fd_event *e = &ev->events[ev->open];
	char *arg = fd_xasprintf("%s\t%s", e->function[0] ? e->function : ev->function, e->name);

	fd_ui_push(v->ui, &fd_view_invoke, arg);
	free(arg);
}

static void
follow(struct fd_view *v, const char *link)
{
	struct evview *ev = v->priv;
	int armed = ev->delete_armed;

	ev->delete_armed = 0;
	if (fd_str_starts(link, "ev:"))
		ev->open = atoi(link + 3);
	else if (fd_str_starts(link, "tmpl:"))
		from_template(v, link + 5);
	else if (strcmp(link, "list") == 0)
		ev->open = -1;
	else if (strcmp(link, "export") == 0 || strcmp(link, "import") == 0)
		files(v, link[0] == 'i');
	else if (ev->open >= 0 && strcmp(link, "edit") == 0)
		edit_event(v);
	else if (ev->open >= 0 && strcmp(link, "delete") == 0) {
		ev->delete_armed = armed;
		delete_event(v);
	} else if (ev->open >= 0 && strcmp(link, "invoke") == 0)
		invoke_with(v);
	build(v);
}

/* ---- view ops ---- */

static void
events_open(struct fd_view *v, const char *arg)
{
	struct evview *ev = v->priv;
	struct fd_err err = {FD_OK, ""};

	fd_strlcpy(ev->function, arg ? arg : "", sizeof(ev->function));
	snprintf(v->title, sizeof(v->title), "events%s%.80s", ev->function[0] ? " " : "",
	         ev->function);
	ev->open = -1;
	if (fd_events_state_open(&ev->state, &err) != FD_OK)
		fd_strlcpy(ev->error, err.msg, sizeof(ev->error));
	reload(ev);
	build(v);
}

static void
events_close(struct fd_view *v)
{
	struct evview *ev = v->priv;

	if (ev->state)
		fd_state_close(ev->state);
	fd_events_free(ev->events, ev->nevents);
	fd_text_free(&ev->text);
}

static void
events_draw(struct fd_view *v, struct fd_rect r)
{
	struct evview *ev = v->priv;

	fd_text_draw(&ev->text, r);
}

static int
events_request(struct fd_view *v, enum fd_request req)
{
	struct evview *ev = v->priv;
	const char *link;

	if (req == FD_REQ_ENTER) {
		link = fd_text_selected_link(&ev->text);
		if (link && ev->state) {
			char *copy = fd_xstrdup(link);
			follow(v, copy);
			free(copy);
		}
		return 1;
	}
	if (req == FD_REQ_BACK && ev->open >= 0) {
		ev->open = -1;
		build(v);
		return 1;
	}
	if (req == FD_REQ_REFRESH) {
		reload(ev);
		build(v);
		return 1;
	}
	return fd_text_request(&ev->text, req);
}

static enum fd_status
events_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct evview *ev = v->priv;

	return fd_text_search(&ev->text, pattern, err);
}

const struct fd_view_ops fd_view_events = {
    .name = "events",
    .priv_size = sizeof(struct evview),
    .open = events_open,
    .close = events_close,
    .draw = events_draw,
    .request = events_request,
    .changed = NULL,
    .search = events_search,
};
