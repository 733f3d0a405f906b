/* context.c - the context switcher: profiles from the AWS config files and regions;
 * Enter rebuilds the client and the model for the chosen one. Each context keeps
 * its own cached rows, so switching back is instant. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/view.h"

static const char *const regions[] = {
	"us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "ca-central-1",
	"eu-west-1",      "eu-west-2",      "eu-west-3",      "eu-central-1",   "eu-central-2",
	"eu-north-1",     "eu-south-1",     "eu-south-2",     "ap-south-1",     "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-northeast-1",
	"ap-northeast-2", "ap-northeast-3", "ap-east-1",      "sa-east-1",      "me-south-1",
	"me-central-1",   "af-south-1",     "il-central-1",
};

struct ctxview {
	struct fd_text text;
	struct fd_ctx *cached;  /* contexts with cached data */
	size_t ncached;
};

static int
is_cached(const struct ctxview *cv, const char *profile, const char *region)
{
	size_t i;

	for (i = 0; i < cv->ncached; i++)
		if ((!profile || strcmp(cv->cached[i].profile, profile) == 0) &&
		    (!region || strcmp(cv->cached[i].region, region) == 0))
			return 1;
	return 0;
}

static void
choice(struct ctxview *cv, const char *kind, const char *name, int current, int cached)
{
	char link[128];

	fd_text_newline(&cv->text);
	fd_text_printf(&cv->text, current ? FD_ROLE_OK : FD_ROLE_NORMAL, "  %s %s",
		       current ? "*" : " ", name);
	if (cached)
		fd_text_put(&cv->text, FD_ROLE_DIM, "  (cached)");
	snprintf(link, sizeof(link), "%s:%s", kind, name);
	fd_text_link(&cv->text, link);
}

static void
profiles(struct ctxview *cv, struct fd_app *app)
{
	const char **names = NULL;
	size_t n = 0, i;

	fd_text_section(&cv->text, "Profiles");
	if (app->settings_loaded)
		names = aws_settings_profiles(&app->settings, &n);
	for (i = 0; i < n; i++)
		choice(cv, "p", names[i], strcmp(names[i], app->ctx.profile) == 0,
		       is_cached(cv, names[i], NULL));
	if (!n)
		choice(cv, "p", app->ctx.profile[0] ? app->ctx.profile : "default", 1, 0);
	free(names);
}

static void
region_list(struct ctxview *cv, struct fd_app *app)
{
	size_t i;
	int listed = 0;

	fd_text_section(&cv->text, "Regions");
	for (i = 0; i < FD_ARRAY_LEN(regions); i++) {
		int cur = strcmp(regions[i], app->ctx.region) == 0;
		listed |= cur;
		choice(cv, "r", regions[i], cur, is_cached(cv, app->ctx.profile, regions[i]));
	}
	if (!listed && app->ctx.region[0])
		choice(cv, "r", app->ctx.region, 1, 1);
}

static void
ctx_open(struct fd_view *v, const char *arg)
{
	struct ctxview *cv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	char cur[192];

	(void)arg;
	fd_strlcpy(v->title, "ctx", sizeof(v->title));
	if (app->cache && fd_cache_contexts(app->cache, &cv->cached, &cv->ncached, NULL) != FD_OK)
		cv->ncached = 0;
	fd_text_newline(&cv->text);
	fd_text_put(&cv->text, FD_ROLE_LABEL, "  Now: ");
	snprintf(cur, sizeof(cur), "%s  %s  %s", app->ctx.profile, app->ctx.account,
		 app->ctx.region);
	fd_text_put(&cv->text, FD_ROLE_NORMAL, cur);
	fd_text_newline(&cv->text);
	fd_text_put(&cv->text, FD_ROLE_DIM, "  Enter switches to the selected profile or region.");
	profiles(cv, app);
	region_list(cv, app);
	snprintf(cur, sizeof(cur), "p:%s", app->ctx.profile);
	fd_text_select_link(&cv->text, cur);
}

static void
ctx_close(struct fd_view *v)
{
	struct ctxview *cv = v->priv;

	fd_text_free(&cv->text);
	free(cv->cached);
}

static void
ctx_draw(struct fd_view *v, struct fd_rect r)
{
	struct ctxview *cv = v->priv;

	fd_text_draw(&cv->text, r);
}

static int
ctx_request(struct fd_view *v, enum fd_request req)
{
	struct ctxview *cv = v->priv;
	const char *link = fd_text_selected_link(&cv->text);
	struct fd_err err = {0};
	enum fd_status st;

	if (req != FD_REQ_ENTER)
		return fd_text_request(&cv->text, req);
	if (!link)
		return 1;
	if (link[0] == 'p')
		st = fd_ui_switch_context(v->ui, link + 2, NULL, &err);
	else
		st = fd_ui_switch_context(v->ui, NULL, link + 2, &err);
	if (st != FD_OK)
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
	return 1;
}

static enum fd_status
ctx_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct ctxview *cv = v->priv;

	return fd_text_search(&cv->text, pattern, err);
}

const struct fd_view_ops fd_view_context = {
	.name = "ctx",
	.priv_size = sizeof(struct ctxview),
	.open = ctx_open,
	.close = ctx_close,
	.draw = ctx_draw,
	.request = ctx_request,
	.search = ctx_search,
};
