/* cmd_tui.c - `fleetdeck` with no command (or `fleetdeck tui`): builds the context
 * and the model, then hands them to the console loop. Also rebuilds them when the
 * user switches profile or region from inside the console.
 *
 * Environment for tests and scripting:
 *   FD_TUI_SCRIPT=FILE     keys and @directives instead of the keyboard (tui.h)
 *   FD_TUI_HEADLESS=1      no terminal: curses draws into /dev/null
 *   FD_TUI_SIZE=COLSxROWS  size of the headless screen (default 120x40)
 *   FD_TUI_SAVE_DIR=DIR    where @save writes
 *   FD_TUI_IDLE_TIMEOUT=MS how long @wait-idle waits at most
 *   FD_TUI_ASCII=1         ASCII glyphs even in a UTF-8 locale */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/mute_config.h"
#include "fleetdeck/redrive.h"
#include "fleetdeck/state.h"
#include "fleetdeck/tui.h"

int cmd_tui(struct fd_app *app, int argc, char **argv);

/* What the user asked for at start, so a switch can be undone. */
static struct {
	int saved;
	int read_only;             /* --read-only / FLEETDECK_READ_ONLY */
	char profile[128];         /* "" = from the environment / default */
	char region[64];           /* "" = from the profile */
} start;

static char cur_profile[128], cur_region[64];
static char mute_note[384]; /* what the config's [mute] section got wrong, "" = nothing */

/* The config's [mute] rules; problems become the start notice, not an error. */
static void
apply_config_mutes(struct fd_model *m)
{
	struct fd_buf notes;
	struct fd_err err = {0};
	char *p;

	fd_buf_init(&notes);
	if (fd_mute_config_apply_default(m, &notes, &err) != FD_OK)
		fd_buf_puts(&notes, err.msg);
	for (p = notes.data; p && (p = strchr(p, '\n')) && p[1]; p++)
		*p = ' ';
	fd_strlcpy(mute_note, notes.data ? fd_str_trim(notes.data) : "", sizeof(mute_note));
	fd_buf_free(&notes);
}

/* A malformed [rds_proxy] section is a start notice too (after any [mute] one). */
static void
apply_config_proxies(struct fd_model *m)
{
	struct fd_err err = {0};

	if (fd_model_load_proxy_config_default(m, &err) != FD_OK && !mute_note[0])
		fd_strlcpy(mute_note, err.msg, sizeof(mute_note));
}

static enum fd_status
build_model(struct fd_app *app, struct fd_model **out, struct fd_err *err)
{
	struct fd_model *m = NULL;
	enum fd_status st;

	*out = NULL;
	if ((st = fd_app_context(app, err)) != FD_OK)
		return st;
	if (!app->offline && (st = fd_app_client(app, err)) != FD_OK)
		return st;
	st = fd_model_new(app->offline ? NULL : app->client, app->cache, &app->ctx, &m, err);
	if (st == FD_OK) {
		fd_model_enable_queues(m);
		fd_model_enable_account_used(m);
		apply_config_mutes(m);
		apply_config_proxies(m);
		st = fd_model_load_cache(m, err);
	}
	if (st != FD_OK) {
		fd_model_free(m);
		return st;
	}
	*out = m;
	return FD_OK;
}

/* Forgets settings, credentials, client and context; keeps the cache. */
static void
reset_app(struct fd_app *app, const char *profile, const char *region)
{
	if (app->client)
		aws_client_free(app->client);
	app->client = NULL;
	if (app->creds_loaded)
		aws_creds_free(&app->creds);
	app->creds_loaded = 0;
	if (app->settings_loaded)
		aws_settings_free(&app->settings);
	app->settings_loaded = 0;
	memset(&app->ctx, 0, sizeof(app->ctx));
	app->read_only = start.read_only;
	fd_strlcpy(cur_profile, profile ? profile : "", sizeof(cur_profile));
	fd_strlcpy(cur_region, region ? region : "", sizeof(cur_region));
	app->profile = cur_profile[0] ? cur_profile : NULL;
	app->region = cur_region[0] ? cur_region : NULL;
}

static void
save_start(const struct fd_app *app)
{
	start.saved = 1;
	start.read_only = app->read_only;
	fd_strlcpy(start.profile, app->profile ? app->profile : "", sizeof(start.profile));
	fd_strlcpy(start.region, app->region ? app->region : "", sizeof(start.region));
}

/* The console's fd_tui_open_fn. On failure the previous context is rebuilt, so the
 * console always has a model to show (*out set) unless even that fails. */
static enum fd_status
open_context(struct fd_app *app, const char *profile, const char *region, struct fd_model **out,
	     struct fd_err *err)
{
	char old_profile[128], old_region[64];
	struct fd_err again = {0};
	enum fd_status st;

	if (!start.saved)
		save_start(app);
	if (!profile && !region)
		return build_model(app, out, err);
	fd_strlcpy(old_profile, app->profile ? app->profile : "", sizeof(old_profile));
	fd_strlcpy(old_region, app->region ? app->region : "", sizeof(old_region));
	reset_app(app, profile ? profile : old_profile, region ? region : old_region);
	st = build_model(app, out, err);
	if (st == FD_OK)
		return FD_OK;
	reset_app(app, old_profile, old_region);
	if (build_model(app, out, &again) != FD_OK)
		*out = NULL;
	return st;
}

static int
env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

static int
tui_opts(struct fd_tui_opts *o)
{
	const char *size = getenv("FD_TUI_SIZE"), *idle = getenv("FD_TUI_IDLE_TIMEOUT");

	o->headless = env_flag("FD_TUI_HEADLESS");
	o->ascii = env_flag("FD_TUI_ASCII");
	o->script = getenv("FD_TUI_SCRIPT");
	o->save_dir = getenv("FD_TUI_SAVE_DIR");
	o->idle_timeout_ms = idle ? atoi(idle) : 0;
	o->cols = 120;
	o->rows = 40;
	if (size && *size && fd_tui_parse_size(size, &o->cols, &o->rows) != 0) {
		fprintf(stderr, "fleetdeck: FD_TUI_SIZE=%s: expected COLSxROWS, e.g. 120x40\n",
			size);
		return -1;
	}
	return 0;
}

/* A redrive interrupted by a crash or kill -9 is announced when the console opens:
 * its journal in state.db knows exactly where to resume. */
static void
redrive_notice(char *buf, size_t n)
{
	char *path = fd_state_default_path();
	struct fd_state *st = NULL;
	struct fd_redrive_job *jobs = NULL;
	struct fd_err err = {0};
	size_t nj = 0, i;

	buf[0] = '\0';
	if (path && access(path, F_OK) == 0 && fd_state_open(path, &st, &err) == FD_OK &&
	    fd_redrive_unfinished(st, &jobs, &nj, &err) == FD_OK && nj > 0)
		snprintf(buf, n,
			 "%zu interrupted DLQ redrive job%s (%s): resume with \"fleetdeck dlq "
			 "redrive --resume %lld\"; :redrive shows %s",
			 nj, nj > 1 ? "s" : "", jobs[0].source_name ? jobs[0].source_name : "?",
			 (long long)jobs[0].id, nj > 1 ? "them" : "it");
	for (i = 0; i < nj; i++)
		fd_redrive_job_free(&jobs[i]);
	free(jobs);
	fd_state_close(st);
	free(path);
}

int
cmd_tui(struct fd_app *app, int argc, char **argv)
{
	static char notice[512];
	struct fd_tui_opts o;
	struct fd_err err = {0};
	int rc;

	if (argc > 1 && strcmp(argv[0], "tui") == 0)
		return fd_cmd_usage(fd_cmd_find("tui", NULL), "tui takes no arguments");
	memset(&o, 0, sizeof(o));
	if (tui_opts(&o) != 0)
		return 2;
	o.app = app;
	o.open_context = open_context;
	redrive_notice(notice, sizeof(notice));
	if (open_context(app, NULL, NULL, &o.model, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (mute_note[0])
		snprintf(notice + strlen(notice), sizeof(notice) - strlen(notice), "%s%s",
			 notice[0] ? "; " : "", mute_note);
	if (notice[0])
		o.notice = notice;
	rc = fd_tui_run(&o, &err);
	if (rc != 0 && err.status != FD_OK)
		return fd_cmd_fail(&err);
	return rc;
}
