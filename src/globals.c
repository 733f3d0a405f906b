/* globals.c - global options, declared once: parsing (before or after the
 * command name) and the help text both come from this table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"

/* Global options, accepted before or after the command name. */
struct global_opt {
	const char *name;
	const char *arg;       /* value placeholder for help, NULL for flags */
	void (*set)(struct fd_app *app, const char *value);
	const char *help;
};

#define SETTER(field)                                                                              \
	static void set_##field(struct fd_app *app, const char *v)                                 \
	{                                                                                          \
		app->field = v;                                                                    \
	}
#define FLAG(field)                                                                                \
	static void flag_##field(struct fd_app *app, const char *v)                                \
	{                                                                                          \
		(void)v;                                                                           \
		app->field = 1;                                                                    \
	}
SETTER(profile)
SETTER(region)
SETTER(endpoint_url)
SETTER(cache_path)
SETTER(debug_http_path)
FLAG(read_only)
FLAG(offline)
FLAG(stale_ok)
FLAG(refresh)
FLAG(utc)
FLAG(no_color)
FLAG(yes)
FLAG(verbose)

static const struct global_opt global_opts[] = {
	{"--profile", "NAME", set_profile, "AWS profile (default: AWS_PROFILE or \"default\")"},
	{"--region", "REGION", set_region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)"},
	{"--endpoint-url", "URL", set_endpoint_url, "send every AWS call to URL (emulators)"},
	{"--output", "FMT", NULL, "table, json, ndjson, csv or text (also -o)"},
	{"--cache", "PATH", set_cache_path, "cache database (default $XDG_CACHE_HOME/fleetdeck/cache.db)"},
	{"--debug-http", "FILE", set_debug_http_path, "append one line per HTTP attempt to FILE (no secrets)"},
	{"--read-only", NULL, flag_read_only, "refuse every mutating action"},
	{"--offline", NULL, flag_offline, "answer from the cache only"},
	{"--stale-ok", NULL, flag_stale_ok, "print cached data without refreshing first"},
	{"--refresh", NULL, flag_refresh, "refresh before answering (the default online)"},
	{"--utc", NULL, flag_utc, "show times in UTC"},
	{"--no-color", NULL, flag_no_color, "no colours (also NO_COLOR)"},
	{"--yes", NULL, flag_yes, "assume yes to confirmations (never overrides --read-only); also -y"},
	{"--verbose", NULL, flag_verbose, "more detail on stderr"},
};

int
fd_output_parse(const char *s, enum fd_output *out)
{
	static const struct {
		const char *name;
		enum fd_output fmt;
	} fmts[] = {{"table", FD_OUT_TABLE}, {"json", FD_OUT_JSON}, {"ndjson", FD_OUT_NDJSON},
		    {"csv", FD_OUT_CSV},     {"text", FD_OUT_TEXT}};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(fmts); i++) {
		if (strcmp(s, fmts[i].name) == 0) {
			*out = fmts[i].fmt;
			return 1;
		}
	}
	return 0;
}

/* Matches "--name" or "--name=value"; returns the option or NULL. */
static const struct global_opt *
match_global(const char *arg, const char **inline_value)
{
	size_t i;

	if (strcmp(arg, "-y") == 0)
		arg = "--yes";
	for (i = 0; i < FD_ARRAY_LEN(global_opts); i++) {
		size_t n = strlen(global_opts[i].name);
		if (!global_opts[i].set)
			continue;
		if (strncmp(arg, global_opts[i].name, n) != 0)
			continue;
		if (arg[n] == '\0') {
			*inline_value = NULL;
			return &global_opts[i];
		}
		if (arg[n] == '=' && global_opts[i].arg) {
			*inline_value = arg + n + 1;
			return &global_opts[i];
		}
	}
	return NULL;
}

static int
parse_output_opt(struct fd_app *app, const char *v)
{
	if (!v || !fd_output_parse(v, &app->output)) {
		fprintf(stderr, "fleetdeck: --output takes table, json, ndjson, csv or text (got "
				"\"%s\")\n",
			v ? v : "");
		return 0;
	}
	return 1;
}

int
fd_parse_globals(struct fd_app *app, int argc, char **argv)
{
	int i, out = 1, rest = 0;

	for (i = 1; i < argc; i++) {
		const char *val = NULL;
		const struct global_opt *g = rest ? NULL : match_global(argv[i], &val);
		if (!rest && strcmp(argv[i], "--") == 0) {
			rest = 1;
		} else if (!rest && (strcmp(argv[i], "--output") == 0 || strcmp(argv[i], "-o") == 0)) {
			if (!parse_output_opt(app, i + 1 < argc ? argv[++i] : NULL))
				return -1;
			continue;
		} else if (!rest && strncmp(argv[i], "--output=", 9) == 0) {
			if (!parse_output_opt(app, argv[i] + 9))
				return -1;
			continue;
		}
		if (!g) {
			argv[out++] = argv[i];
			continue;
		}
		if (g->arg && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fleetdeck: %s needs a value\n", g->name);
				return -1;
			}
			val = argv[++i];
		}
		g->set(app, val);
	}
	argv[out] = NULL;
	return out;
}


void
fd_globals_help(FILE *f)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(global_opts); i++) {
		char left[48];
		snprintf(left, sizeof(left), "%s%s%s", global_opts[i].name,
			 global_opts[i].arg ? " " : "", global_opts[i].arg ? global_opts[i].arg : "");
		fprintf(f, "  %-22s %s\n", left, global_opts[i].help);
	}
}

const char *
fd_global_opt_name(size_t i)
{
	return i < FD_ARRAY_LEN(global_opts) ? global_opts[i].name : NULL;
}
