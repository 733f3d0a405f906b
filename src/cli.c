/* cli.c - the command table (from commands.def) and its lookups: exact names,
 * then unique prefixes (tmux's cmd_find idea), naming candidates when ambiguous. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/output.h"

static const struct fd_cmd cmd_table[] = {
#define X(name, fn, usage, summary) {name, usage, summary, fn},
#include "commands.def"
#undef X
};

const struct fd_cmd *
fd_cmd_at(size_t i)
{
	return i < FD_ARRAY_LEN(cmd_table) ? &cmd_table[i] : NULL;
}

const struct fd_cmd *
fd_cmd_find(const char *name, struct fd_err *err)
{
	const struct fd_cmd *found = NULL;
	char candidates[256] = "";
	size_t i, len = strlen(name), nfound = 0;

	for (i = 0; i < FD_ARRAY_LEN(cmd_table); i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	for (i = 0; len && i < FD_ARRAY_LEN(cmd_table); i++) {
		if (strncmp(cmd_table[i].name, name, len) != 0)
			continue;
		found = &cmd_table[i];
		nfound++;
		if (strlen(candidates) + strlen(found->name) + 3 < sizeof(candidates)) {
			if (candidates[0])
				strcat(candidates, ", ");
			strcat(candidates, found->name);
		}
	}
	if (nfound == 1)
		return found;
	if (nfound > 1)
		fd_err_set(err, FD_EINVAL, "ambiguous command \"%s\": could be %s", name,
			   candidates);
	else
		fd_err_set(err, FD_EINVAL, "unknown command \"%s\" (see \"fleetdeck help\")", name);
	return NULL;
}

int
fd_cmd_fail(const struct fd_err *err)
{
	fprintf(stderr, "fleetdeck: %s\n", err->msg[0] ? err->msg : fd_status_str(err->status));
	return err->status == FD_EINVAL ? 2 : 1;
}

void
fd_cmd_warn(const char *prefix, const char *text)
{
	fprintf(stderr, "fleetdeck: %s%swarning: ", prefix ? prefix : "", prefix ? ": " : "");
	fd_put_sanitized(stderr, text); /* AWS answers and file text: no escapes get through */
	fputc('\n', stderr);
}

void
fd_cmd_warn_lines(const char *prefix, const struct fd_buf *lines)
{
	const char *p = lines->data, *nl;
	char *line;

	for (; p && *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl == p)
			continue;
		line = fd_xstrndup(p, (size_t)(nl - p));
		fd_cmd_warn(prefix, line);
		free(line);
	}
}

int
fd_cmd_fail_run(struct fd_err *err)
{
	if (err->status == FD_EINVAL)
		err->status = FD_EIO;
	return fd_cmd_fail(err);
}

static int
usage_v(const struct fd_cmd *cmd, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int
usage_v(const struct fd_cmd *cmd, const char *fmt, va_list ap)
{
	fputs("fleetdeck: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nusage: fleetdeck %s\n", cmd ? cmd->usage : "COMMAND [OPTIONS]");
	return 2;
}

int
fd_cmd_usage(const struct fd_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_v(cmd, fmt, ap);
	va_end(ap);
	return rc;
}

int
fd_cmd_usage_of(const char *name, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_v(fd_cmd_find(name, NULL), fmt, ap);
	va_end(ap);
	return rc;
}

int
fd_opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}
