/* Fuzz target: the [queries] section of fleetdeck's config file (saved Logs Insights
 * queries). Any input either parses or fails with a "NAME:..." message; a parsed one
 * has every built-in or its saved shadow, each query is found by its own name, and the
 * name list is sanitized. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"
#include "../../src/cmd_logs_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_names(const struct logs_queries *qs)
{
	struct fd_buf names;
	size_t i;

	fd_buf_init(&names);
	logs_queries_names(qs, &names);
	for (i = 0; i < names.len; i++)
		if ((unsigned char)names.data[i] < 0x20 || names.data[i] == 0x7f)
			abort();
	fd_buf_free(&names);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const builtins[] = {"errors-by-function", "timeouts", "top-errors",
	                                       "cold-starts"};
	struct logs_queries qs;
	struct fd_err err;
	size_t i;

	fd_err_clear(&err);
	if (logs_queries_parse((const char *)data, size, "fuzz", &qs, &err) != FD_OK) {
		if (qs.ini || qs.n || strncmp(err.msg, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!logs_queries_find(&qs, builtins[i]))
			abort();
	for (i = 0; i < qs.n; i++)
		if (!qs.q[i].name || !qs.q[i].query || !logs_queries_find(&qs, qs.q[i].name))
			abort();
	check_names(&qs);
	logs_queries_free(&qs);
	return 0;
}
