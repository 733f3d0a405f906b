/* main.c - global options, then the command (the TUI when none is given). */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/awsglobal.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/costs.h"

static void
apply_env(struct fd_app *app)
{
	const char *v = getenv("FLEETDECK_READ_ONLY");

	if (v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0))
		app->read_only = 1;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		app->no_color = 1;
}

int
main(int argc, char **argv)
{
	struct fd_app app;
	const struct fd_cmd *cmd;
	struct fd_err err = {0};
	const char *name;
	int rc;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	memset(&app, 0, sizeof(app));
	apply_env(&app);
	argc = fd_parse_globals(&app, argc, argv);
	if (argc < 0)
		return 2;
	name = argc > 1 ? argv[1] : "tui";
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	cmd = fd_cmd_find(name, &err);
	if (!cmd)
		return fd_cmd_fail(&err);
	if (aws_global_init() != 0) {
		fputs("fleetdeck: could not initialise libcurl\n", stderr);
		return 1;
	}
	fd_spend_attach(&app);
	rc = cmd->run(&app, argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : argv);
	fd_spend_flush();
	fd_spend_attach(NULL);
	fd_app_free(&app);
	aws_global_cleanup();
	return rc;
}
