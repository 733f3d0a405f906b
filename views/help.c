/* help.c - the help screen, generated: keys from the request table with the
 * bindings in force (config included), then the `:` commands from their table. */
#include <string.h>

#include "fleetdeck/cmdline.h"
#include "fleetdeck/view.h"

#define KEY_COL 24

struct helpview {
	struct fd_text text;
	const char *group;
};

static void
key_line(const struct fd_request_info *ri, const char *keys, void *ud)
{
	struct helpview *hv = ud;

	if (!hv->group || strcmp(hv->group, ri->group) != 0) {
		fd_text_section(&hv->text, ri->group);
		hv->group = ri->group;
	}
	fd_text_newline(&hv->text);
	fd_text_printf(&hv->text, FD_ROLE_KEY, "  %s", keys[0] ? keys : "(unbound)");
	fd_text_pad(&hv->text, KEY_COL);
	fd_text_put(&hv->text, FD_ROLE_NORMAL, ri->help);
	fd_text_printf(&hv->text, FD_ROLE_DIM, "  [%s]", ri->name);
}

static void
commands(struct fd_text *t)
{
	size_t i;

	fd_text_section(t, "Commands (type : then a name; Tab completes)");
	for (i = 0; i < fd_ui_cmd_count(); i++) {
		const struct fd_ui_cmd *c = fd_ui_cmd_at(i);
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_KEY, "  :%s%s%s", c->name, c->args ? " " : "",
			       c->args ? c->args : "");
		fd_text_pad(t, KEY_COL);
		fd_text_put(t, FD_ROLE_NORMAL, c->help);
		if (c->alias)
			fd_text_printf(t, FD_ROLE_DIM, "  (also :%s)", c->alias);
		if (c->feature)
			fd_text_printf(t, FD_ROLE_DIM, "  - coming with %s", c->feature);
	}
}

static void
help_open(struct fd_view *v, const char *arg)
{
	struct helpview *hv = v->priv;

	(void)arg;
	fd_strlcpy(v->title, "help", sizeof(v->title));
	fd_text_newline(&hv->text);
	fd_text_put(&hv->text, FD_ROLE_DIM,
		    "  Keys can be rebound in the [keys] section of the config file: "
		    "request-name = key ...");
	fd_keymap_foreach(key_line, hv);
	commands(&hv->text);
}

static void
help_close(struct fd_view *v)
{
	struct helpview *hv = v->priv;

	fd_text_free(&hv->text);
}

static void
help_draw(struct fd_view *v, struct fd_rect r)
{
	struct helpview *hv = v->priv;

	fd_text_draw(&hv->text, r);
}

static int
help_request(struct fd_view *v, enum fd_request req)
{
	struct helpview *hv = v->priv;

	if (req == FD_REQ_HELP) {
		fd_ui_pop(v->ui);
		return 1;
	}
	return fd_text_request(&hv->text, req);
}

static enum fd_status
help_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct helpview *hv = v->priv;

	return fd_text_search(&hv->text, pattern, err);
}

const struct fd_view_ops fd_view_help = {
	.name = "help",
	.priv_size = sizeof(struct helpview),
	.open = help_open,
	.close = help_close,
	.draw = help_draw,
	.request = help_request,
	.search = help_search,
};
