/* app.c - builds what commands need, lazily and once: settings, credentials,
 * the AWS client, the cache and the context (profile/account/region). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/sts.h"

enum fd_status
fd_app_settings(struct fd_app *app, struct fd_err *err)
{
	struct aws_settings_opts opts = {app->profile, app->region, app->endpoint_url};
	enum fd_status st;

	if (app->settings_loaded)
		return FD_OK;
	st = aws_settings_load(&app->settings, &opts, err);
	if (st != FD_OK)
		return st;
	app->settings_loaded = 1;
	if (app->settings.read_only)
		app->read_only = 1;
	return FD_OK;
}

enum fd_status
fd_app_creds(struct fd_app *app, struct fd_err *err)
{
	enum fd_status st;

	if (app->creds_loaded)
		return FD_OK;
	st = fd_app_settings(app, err);
	if (st != FD_OK)
		return st;
	st = aws_creds_resolve(&app->settings, &app->creds, err);
	if (st != FD_OK)
		return st;
	app->creds_loaded = 1;
	return FD_OK;
}

enum fd_status
fd_app_client(struct fd_app *app, struct fd_err *err)
{
	struct aws_client_opts opts = {0};
	enum fd_status st;

	if (app->client)
		return FD_OK;
	st = fd_app_creds(app, err);
	if (st != FD_OK)
		return st;
	if (!app->settings.region)
		return fd_err_set(err, FD_ECONFIG,
				  "no region configured for profile \"%s\": use --region, "
				  "AWS_REGION or \"region =\" in the profile",
				  app->settings.profile);
	if (app->debug_http_path && !app->debug_http) {
		app->debug_http = fopen(app->debug_http_path, "a");
		if (!app->debug_http)
			return fd_err_set(err, FD_EIO, "--debug-http %s: %s", app->debug_http_path,
					  strerror(errno));
		setvbuf(app->debug_http, NULL, _IOLBF, 0);
	}
	opts.debug_http = app->debug_http;
	return aws_client_new(&app->settings, &app->creds, &opts, &app->client, err);
}

enum fd_status
fd_app_cache(struct fd_app *app, struct fd_err *err)
{
	char *path, *notice = NULL;
	enum fd_status st;

	if (app->cache)
		return FD_OK;
	path = app->cache_path ? fd_xstrdup(app->cache_path) : fd_cache_default_path();
	if (!path)
		return fd_err_set(err, FD_ECONFIG,
				  "no cache location: set HOME, XDG_CACHE_HOME or --cache PATH");
	st = fd_cache_open(path, &app->cache, &notice, err);
	if (notice) {
		fprintf(stderr, "fleetdeck: %s\n", notice);
		free(notice);
	}
	free(path);
	return st;
}

/* The account of a profile is remembered in the cache so offline runs know it. */
static void
account_meta_ctx(const struct fd_app *app, struct fd_ctx *m)
{
	memset(m, 0, sizeof(*m));
	fd_strlcpy(m->profile, app->settings.profile, sizeof(m->profile));
}

static enum fd_status
context_offline(struct fd_app *app, struct fd_err *err)
{
	struct fd_ctx m;
	char *acct;

	account_meta_ctx(app, &m);
	acct = fd_cache_meta_get(app->cache, &m, "account");
	if (!acct)
		return fd_err_set(err, FD_ENOTFOUND,
				  "--offline: nothing cached yet for profile \"%s\" in %s; run once "
				  "online first",
				  app->settings.profile, app->settings.region);
	fd_strlcpy(app->ctx.account, acct, sizeof(app->ctx.account));
	free(acct);
	return FD_OK;
}

enum fd_status
fd_app_context(struct fd_app *app, struct fd_err *err)
{
	struct sts_identity id;
	struct aws_error aerr;
	struct fd_ctx m;
	enum fd_status st;

	if (app->ctx.account[0])
		return FD_OK;
	if ((st = fd_app_settings(app, err)) != FD_OK || (st = fd_app_cache(app, err)) != FD_OK)
		return st;
	if (!app->settings.region)
		return fd_err_set(err, FD_ECONFIG, "no region configured: use --region or AWS_REGION");
	fd_strlcpy(app->ctx.profile, app->settings.profile, sizeof(app->ctx.profile));
	fd_strlcpy(app->ctx.region, app->settings.region, sizeof(app->ctx.region));
	if (app->offline)
		return context_offline(app, err);
	if ((st = fd_app_client(app, err)) != FD_OK)
		return st;
	if (app->creds.account_id[0]) {
		fd_strlcpy(app->ctx.account, app->creds.account_id, sizeof(app->ctx.account));
	} else {
		st = sts_get_caller_identity(app->client, &id, &aerr);
		if (st != FD_OK) {
			aws_error_format(&aerr, err->msg, sizeof(err->msg));
			err->status = st;
			return st;
		}
		fd_strlcpy(app->ctx.account, id.account, sizeof(app->ctx.account));
	}
	account_meta_ctx(app, &m);
	(void)fd_cache_meta_set(app->cache, &m, "account", app->ctx.account, NULL);
	return FD_OK;
}

enum fd_status
fd_app_check_writable(struct fd_app *app, const char *action, struct fd_err *err)
{
	if (app->read_only)
		return fd_err_set(err, FD_EREADONLY,
				  "%s refused: read-only mode (%s)", action,
				  app->settings_loaded && app->settings.read_only
					  ? "profile setting read_only = true"
					  : "--read-only");
	return FD_OK;
}

void
fd_app_free(struct fd_app *app)
{
	if (app->client)
		aws_client_free(app->client);
	if (app->cache)
		fd_cache_close(app->cache);
	if (app->creds_loaded)
		aws_creds_free(&app->creds);
	if (app->settings_loaded)
		aws_settings_free(&app->settings);
	if (app->debug_http)
		fclose(app->debug_http);
	memset(app, 0, sizeof(*app));
}
