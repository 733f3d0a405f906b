/* cmd_cache.c - `fleetdeck cache stats|prune|clear`: the cache is disposable (it is
 * rebuilt from AWS on the next refresh), so clear needs no confirmation.
 * stats json / ndjson: {"table","rows","bytes"} per table plus a last row with
 * table "(file)" giving the database file size. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/output.h"

#define MAX_TABLES 32
#define DEFAULT_MAX_AGE "7d"

#define usage(...) fd_cmd_usage_of("cache", __VA_ARGS__)

static int
cache_stats(struct fd_app *app)
{
	static const struct fd_col cols[] = {
	    {"table", "TABLE", FD_COL_STR, 16, 0, 0},
	    {"rows", "ROWS", FD_COL_INT, 10, 1, 0},
	    {"bytes", "BYTES", FD_COL_INT, 12, 1, 0},
	};
	struct fd_cache_table_stats t[MAX_TABLES];
	struct fd_err err = {FD_OK, ""};
	enum fd_output fmt = app->output == FD_OUT_TEXT ? FD_OUT_TABLE : app->output;
	long long file_bytes = 0;
	struct fd_cell cells[3];
	struct fd_out *o;
	size_t n = 0, i;

	if (fd_cache_stats(app->cache, t, MAX_TABLES, &n, &file_bytes, &err) != FD_OK)
		return fd_cmd_fail(&err);
	o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	for (i = 0; i < n; i++) {
		cells[0] = fd_cell_str(t[i].name);
		cells[1] = fd_cell_int(t[i].rows, 1);
		cells[2] = fd_cell_int(t[i].bytes, t[i].bytes > 0);
		fd_out_row(o, cells);
	}
	cells[0] = fd_cell_str("(file)");
	cells[1] = fd_cell_int(0, 0);
	cells[2] = fd_cell_int(file_bytes, 1);
	fd_out_row(o, cells);
	fd_out_end(o);
	/* The full integrity check opening skips (it reads the whole file). */
	if (fd_cache_check(app->cache, NULL, &err) != FD_OK)
		return fd_cmd_fail(&err);
	return 0;
}

static int
cache_prune(struct fd_app *app, int argc, char **argv)
{
	const char *age = DEFAULT_MAX_AGE;
	struct fd_err err = {FD_OK, ""};
	long max_age;
	int i;

	for (i = 2; i < argc; i++)
		if (!fd_opt_value(argc, argv, &i, "--max-age", &age))
			return usage("cache prune: unknown option \"%s\"", argv[i]);
	max_age = age ? fd_parse_duration(age) : -1;
	if (max_age <= 0)
		return usage("--max-age takes a duration such as 7d, 24h or 90m (got \"%s\")",
			     age ? age : "");
	if (fd_cache_prune(app->cache, (int64_t)fd_wall_now(), max_age, &err) != FD_OK)
		return fd_cmd_fail(&err);
	fprintf(stderr, "fleetdeck: pruned cached data older than %s\n", age);
	return 0;
}

static int
cache_clear(struct fd_app *app, int argc)
{
	struct fd_err err = {FD_OK, ""};

	if (argc > 2)
		return usage("cache clear takes no options");
	if (fd_cache_clear(app->cache, &err) != FD_OK)
		return fd_cmd_fail(&err);
	fprintf(stderr, "fleetdeck: cache cleared\n");
	return 0;
}

int
cmd_cache(struct fd_app *app, int argc, char **argv)
{
	struct fd_err err = {FD_OK, ""};
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || (strcmp(sub, "stats") && strcmp(sub, "prune") && strcmp(sub, "clear")))
		return usage("cache needs stats, prune or clear%s%s%s", sub ? " (got \"" : "",
		             sub ? sub : "", sub ? "\")" : "");
	if (strcmp(sub, "stats") == 0 && argc > 2)
		return usage("cache stats takes no options");
	if (fd_app_cache(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (strcmp(sub, "stats") == 0)
		return cache_stats(app);
	if (strcmp(sub, "prune") == 0)
		return cache_prune(app, argc, argv);
	return cache_clear(app, argc);
}
