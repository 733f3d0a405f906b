/* placeholder.c - screens that later features bring (queues, DLQs, logs, cold
 * starts, traces, events, redrive, invoke) open here and say so plainly. */
#include <string.h>

#include "fleetdeck/view.h"

struct placeholder {
	struct fd_text text;
};

static void
ph_open(struct fd_view *v, const char *arg)
{
	struct placeholder *p = v->priv;
	char spec[512], *save = NULL, *name, *feature, *fn;

	fd_strlcpy(spec, arg, sizeof(spec));
	name = strtok_r(spec, "\t", &save);
	feature = name ? strtok_r(NULL, "\t", &save) : NULL;
	fn = feature ? strtok_r(NULL, "\t", &save) : NULL;
	fd_strlcpy(v->title, name ? name : "?", sizeof(v->title));
	fd_text_newline(&p->text);
	fd_text_newline(&p->text);
	fd_text_printf(&p->text, FD_ROLE_LABEL, "  %s", name ? name : "?");
	if (fn && *fn)
		fd_text_printf(&p->text, FD_ROLE_NORMAL, " for %s", fn);
	fd_text_newline(&p->text);
	fd_text_newline(&p->text);
	fd_text_printf(&p->text, FD_ROLE_WARNING, "  not built yet %s coming with %s",
		       fd_glyph(FD_GLYPH_DASH), feature ? feature : "a later release");
	fd_text_newline(&p->text);
	fd_text_newline(&p->text);
	fd_text_put(&p->text, FD_ROLE_DIM, "  Esc goes back.");
}

static void
ph_close(struct fd_view *v)
{
	struct placeholder *p = v->priv;

	fd_text_free(&p->text);
}

static void
ph_draw(struct fd_view *v, struct fd_rect r)
{
	struct placeholder *p = v->priv;

	fd_text_draw(&p->text, r);
}

static int
ph_request(struct fd_view *v, enum fd_request req)
{
	struct placeholder *p = v->priv;

	return fd_text_request(&p->text, req);
}

const struct fd_view_ops fd_view_placeholder = {
	.name = "placeholder",
	.priv_size = sizeof(struct placeholder),
	.open = ph_open,
	.close = ph_close,
	.draw = ph_draw,
	.request = ph_request,
};
