/* risks.c - the risk board: every risk the checks found, grouped by severity, worst
 * first, each with its fix. Enter opens the function. */
#include <string.h>

#include "fleetdeck/view.h"

struct riskview {
	struct fd_text text;
};

static void
group_heading(struct fd_text *t, enum fd_severity sev, size_t count)
{
	char title[64];
	size_t i;

	snprintf(title, sizeof(title), "%s (%zu)", fd_severity_name(sev), count);
	for (i = 0; title[i] && title[i] != ' '; i++)
		title[i] = (char)(title[i] >= 'a' && title[i] <= 'z' ? title[i] - 32 : title[i]);
	fd_text_section(t, title);
}

static void
risk_lines(struct fd_text *t, const struct fd_risk *r)
{
	const char *fn = r->function ? r->function : "?";

	fd_text_newline(t);
	fd_text_printf(t, fd_severity_role(r->severity), "  %-32s", fn);
	fd_text_printf(t, FD_ROLE_LABEL, " %-22s", r->check_id);
	fd_text_printf(t, FD_ROLE_NORMAL, " %s", r->reason ? r->reason : "");
	fd_text_link(t, fn);
	if (!r->fix)
		return;
	fd_text_newline(t);
	fd_text_pad(t, 35);
	fd_text_printf(t, FD_ROLE_DIM, "fix: %s", r->fix);
	fd_text_link(t, fn);
}

static void
build(struct fd_view *v)
{
	struct riskview *rv = v->priv;
	const struct fd_risk *r;
	size_t n = fd_model_risks(fd_ui_model(v->ui), &r), i, j;

	fd_text_clear(&rv->text);
	if (!n) {
		fd_text_newline(&rv->text);
		fd_text_put(&rv->text, FD_ROLE_OK, "  No risks found in the cached fleet.");
		return;
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && r[j].severity == r[i].severity; j++)
			;
		group_heading(&rv->text, r[i].severity, j - i);
		for (; i < j; i++)
			risk_lines(&rv->text, &r[i]);
	}
}

static void
risks_open(struct fd_view *v, const char *arg)
{
	(void)arg;
	fd_strlcpy(v->title, "risks", sizeof(v->title));
	build(v);
}

static void
risks_close(struct fd_view *v)
{
	struct riskview *rv = v->priv;

	fd_text_free(&rv->text);
}

static void
risks_draw(struct fd_view *v, struct fd_rect r)
{
	struct riskview *rv = v->priv;

	fd_text_draw(&rv->text, r);
}

static int
risks_request(struct fd_view *v, enum fd_request req)
{
	struct riskview *rv = v->priv;
	const char *link = fd_text_selected_link(&rv->text);

	if (req == FD_REQ_ENTER) {
		if (link)
			fd_ui_push(v->ui, &fd_view_function, link);
		return 1;
	}
	return fd_text_request(&rv->text, req);
}

static enum fd_status
risks_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct riskview *rv = v->priv;

	return fd_text_search(&rv->text, pattern, err);
}

const struct fd_view_ops fd_view_risks = {
	.name = "risks",
	.priv_size = sizeof(struct riskview),
	.open = risks_open,
	.close = risks_close,
	.draw = risks_draw,
	.request = risks_request,
	.changed = build,
	.search = risks_search,
	.refresh_s = 60,
};
