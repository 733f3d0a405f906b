/* logs_saved.c - named Logs Insights queries for `fleetdeck logs query`: the built-in
 * ones and the user's saved ones, read from the [queries] section of fleetdeck's config
 * file ("NAME = QUERY TEXT"; names compare without regard to case; an indented line
 * continues the query). A saved query named like a built-in one shadows it, which is
 * said on stderr when the file is read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/util.h"
#include "cmd_logs_int.h"

#define SAVED_SECTION "queries"

static const struct logs_named builtins[] = {
    {"errors-by-function",
     "filter @message like /(?i)(error|exception|task timed out)/ "
     "| stats count(*) as errors by @log | sort errors desc",
     "built-in"},
    {"timeouts",
     "filter @message like /Task timed out|Status: timeout/ "
     "| fields @timestamp, @log, @requestId, @message "
     "| sort @timestamp desc | limit 100",
     "built-in"},
    {"top-errors",
     "filter @message like /(?i)error/ "
     "| stats count(*) as occurrences by @message "
     "| sort occurrences desc | limit 20",
     "built-in"},
    {"cold-starts",
     "filter @type = \"REPORT\" and ispresent(@initDuration) "
     "| stats count(*) as cold_starts, max(@initDuration) as max_init_ms by @log "
     "| sort cold_starts desc",
     "built-in"},
};

const char *
logs_builtin_query(const char *name)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(builtins); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].query;
	return NULL;
}

static void
add_query(struct logs_queries *qs, const char *name, const char *query, const char *source)
{
	qs->q = fd_xreallocarray(qs->q, qs->n + 1, sizeof(*qs->q));
	qs->q[qs->n++] = (struct logs_named){name, query, source};
}

static void
add_saved(struct logs_queries *qs, const char *path)
{
	const char *name;
	size_t i;

	for (i = 0; (name = ini_key_name(qs->ini, SAVED_SECTION, i)) != NULL; i++) {
		if (!logs_builtin_query(name)) {
			add_query(qs, name, ini_get(qs->ini, SAVED_SECTION, name), "saved");
			continue;
		}
		add_query(qs, name, ini_get(qs->ini, SAVED_SECTION, name), "saved, shadows built-in");
		fprintf(stderr, "fleetdeck: note: saved query \"%s\" in %s shadows the built-in one\n",
		        name, path); /* built-in names are plain text */
	}
}

/* The built-ins not shadowed, then the saved queries of qs->ini (may be NULL). */
static void
collect(struct logs_queries *qs, const char *path)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(builtins); i++)
		if (!ini_get(qs->ini, SAVED_SECTION, builtins[i].name))
			add_query(qs, builtins[i].name, builtins[i].query, builtins[i].source);
	if (qs->ini)
		add_saved(qs, path);
}

enum fd_status
logs_queries_load(const char *path, struct logs_queries *qs, struct fd_err *err)
{
	enum fd_status st = FD_OK;

	memset(qs, 0, sizeof(*qs));
	if (path) {
		st = ini_load(path, &qs->ini, err);
		if (st == FD_ENOTFOUND)
			st = FD_OK;
	}
	if (st != FD_OK)
		return st;
	collect(qs, path);
	return FD_OK;
}

enum fd_status
logs_queries_parse(const char *text, size_t len, const char *fname, struct logs_queries *qs,
                   struct fd_err *err)
{
	enum fd_status st;

	memset(qs, 0, sizeof(*qs));
	st = ini_parse(text, len, fname, &qs->ini, err);
	if (st != FD_OK)
		return st;
	collect(qs, fname);
	return FD_OK;
}

const char *
logs_queries_find(const struct logs_queries *qs, const char *name)
{
	size_t i;

	for (i = 0; i < qs->n; i++)
		if (fd_str_case_eq(qs->q[i].name, name))
			return qs->q[i].query;
	return NULL;
}

void
logs_queries_names(const struct logs_queries *qs, struct fd_buf *out)
{
	size_t i;

	for (i = 0; i < qs->n; i++) {
		char *safe = fd_sanitize_dup(qs->q[i].name);
		fd_buf_printf(out, "%s%s", i ? ", " : "", safe);
		free(safe);
	}
}

void
logs_queries_print(const struct logs_queries *qs, enum fd_output fmt)
{
	static const struct fd_col cols[] = {
	    {"name", "NAME", FD_COL_STR, 0, 0, 0},
	    {"source", "SOURCE", FD_COL_STR, 0, 0, 0},
	    {"query", "QUERY", FD_COL_STR, 0, 0, 0},
	};
	struct fd_out *out = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	size_t i;

	for (i = 0; i < qs->n; i++) {
		struct fd_cell cells[] = {fd_cell_str(qs->q[i].name), fd_cell_str(qs->q[i].source),
		                          fd_cell_str(qs->q[i].query)};
		fd_out_row(out, cells);
	}
	fd_out_end(out);
}

void
logs_queries_free(struct logs_queries *qs)
{
	free(qs->q);
	ini_free(qs->ini);
	memset(qs, 0, sizeof(*qs));
}
