/* cmd_risks.c - `fleetdeck risks`: the risk board, worst first. Online it refreshes
 * the whole inventory first (list, metrics, log groups, and the detail of functions
 * loaded more than six hours ago; --refresh reloads all detail), so the first run on
 * a large fleet takes a while and later runs are quick; --offline / --stale-ok
 * answer from the cache.
 *
 * Exit status: 0, or 3 when any risk at or above --fail-on LEVEL exists (whatever
 * --severity shows), so CI pipelines can gate on it; 1 on errors, 2 on usage.
 * json / ndjson: {"severity","check","function","reason","fix"} per risk. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"
#include "fleetdeck/risks.h"

#define EXIT_RISKS_FOUND 3

struct risk_opts {
	enum fd_severity min_show;
	int fail_on; /* -1 = never fail */
};

#define usage(...) fd_cmd_usage_of("risks", __VA_ARGS__)

static int
severity_arg(const char *opt, const char *v, enum fd_severity *out)
{
	if (v && fd_severity_parse(v, out))
		return 0;
	return usage("%s takes info, low, medium, high or critical (got \"%s\")", opt, v ? v : "");
}

static int
parse_opts(int argc, char **argv, struct risk_opts *o)
{
	enum fd_severity sev;
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (fd_opt_value(argc, argv, &i, "--severity", &v)) {
			if ((rc = severity_arg("--severity", v, &o->min_show)) != 0)
				return rc;
			continue;
		}
		if (!fd_opt_value(argc, argv, &i, "--fail-on", &v))
			return usage("unknown option \"%s\"", argv[i]);
		if ((rc = severity_arg("--fail-on", v, &sev)) != 0)
			return rc;
		o->fail_on = (int)sev;
	}
	return 0;
}

static void
print_risks(struct fd_app *app, const struct fd_risk *r, size_t n, enum fd_severity min)
{
	static const struct fd_col cols[] = {
	    {"severity", "SEVERITY", FD_COL_STR, 8, 0, 0},
	    {"check", "CHECK", FD_COL_STR, 21, 0, 0},
	    {"function", "FUNCTION", FD_COL_STR, 24, 0, 0},
	    {"reason", "REASON", FD_COL_STR, 0, 0, 0},
	    {"fix", "FIX", FD_COL_STR, 0, 0, 0},
	};
	enum fd_output fmt = app->output == FD_OUT_TEXT ? FD_OUT_TABLE : app->output;
	struct fd_out *o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	size_t i;

	for (i = 0; i < n; i++) {
		struct fd_cell cells[5];
		if (r[i].severity < min)
			continue;
		cells[0] = fd_cell_str(fd_severity_name(r[i].severity));
		cells[1] = fd_cell_str(r[i].check_id);
		cells[2] = fd_cell_str(r[i].function);
		cells[3] = fd_cell_str(r[i].reason);
		cells[4] = fd_cell_str(r[i].fix);
		fd_out_row(o, cells);
	}
	fd_out_end(o);
}

int
cmd_risks(struct fd_app *app, int argc, char **argv)
{
	struct risk_opts o = {FD_SEV_INFO, -1};
	struct fd_err err = {FD_OK, ""};
	const struct fd_risk *risks;
	struct fd_model *m = NULL;
	size_t n, i;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (fd_model_open_headless(app, FD_REFRESH_ALL | (app->refresh ? FD_REFRESH_FORCE : 0), &m,
	                           &err) != FD_OK)
		return fd_cmd_fail(&err);
	fd_iam_model_headless(m, app);
	n = fd_model_risks(m, &risks);
	print_risks(app, risks, n, o.min_show);
	for (i = 0; o.fail_on >= 0 && i < n && !rc; i++)
		if ((int)risks[i].severity >= o.fail_on)
			rc = EXIT_RISKS_FOUND;
	fd_model_free(m);
	return rc;
}
