/* rds_proxy_config.c - libFuzzer target: the config file's [rds_proxy] section. Any
 * input parses into valid proxy names or fails with a "fuzz:LINE:" message and no
 * entries; the name derivation from an endpoint never crashes either. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_proxy_config c;
	struct fd_err err = {0};
	char *text = fd_xstrndup((const char *)data, size), *name;
	size_t i;

	if (fd_proxy_config_parse((const char *)data, size, "fuzz", &c, &err) != FD_OK) {
		if (c.n || strncmp(err.msg, "fuzz:", 5) != 0)
			abort();
	}
	for (i = 0; i < c.n; i++)
		if (!fd_rds_proxy_name_valid(c.v[i].proxy) ||
		    fd_proxy_config_find(&c, c.v[i].function) == NULL)
			abort();
	fd_proxy_config_free(&c);
	name = fd_rds_proxy_name(text);
	if (name && !fd_rds_proxy_name_valid(name))
		abort();
	free(name);
	free(text);
	return 0;
}
