/* Fuzz target: the shared config/credentials file parser. Any input either parses
 * or fails with a "NAME:LINE:" message; lookups on the result never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ini_file *f = NULL;
	struct fd_err err;
	const char *name;
	size_t i;

	fd_err_clear(&err);
	if (ini_parse((const char *)data, size, "fuzz", &f, &err) != FD_OK) {
		if (f || strncmp(err.msg, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	for (i = 0; (name = ini_section_name(f, i)) != NULL; i++) {
		if (!ini_has_section(f, name))
			abort();
		(void)ini_get(f, name, "region");
		(void)ini_get_sub(f, name, "lambda", "endpoint_url");
	}
	ini_free(f);
	return 0;
}
