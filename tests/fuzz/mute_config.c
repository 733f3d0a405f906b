/* Fuzz target: the [mute] section of fleetdeck's config file. Any input either parses
 * or fails with a "NAME:..." message and no rules; every rule has a function and only
 * known check ids (or "*"); applying the rules to a model never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/model.h"
#include "fleetdeck/mute_config.h"
#include "fleetdeck/risks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ids(const char *ids)
{
	char *copy = fd_xstrdup(ids), *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "*") != 0 && !fd_risk_check_find(tok))
			abort();
	free(copy);
}

static void
apply(const struct fd_mute_config *c)
{
	struct fd_ctx ctx = {"fuzz", "123456789012", "us-east-1"};
	struct fd_model *m = NULL;

	if (fd_model_new(NULL, NULL, &ctx, &m, NULL) != FD_OK)
		abort();
	fd_mute_config_apply(c, m);
	fd_model_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_mute_config c;
	struct fd_buf warnings;
	struct fd_err err;
	size_t i;

	fd_err_clear(&err);
	fd_buf_init(&warnings);
	if (fd_mute_config_parse((const char *)data, size, "fuzz", &c, &warnings, &err) != FD_OK) {
		if (c.n || c.rules || strncmp(err.msg, "fuzz:", 5) != 0)
			abort();
		fd_buf_free(&warnings);
		return 0;
	}
	for (i = 0; i < c.n; i++) {
		if (!c.rules[i].function || !c.rules[i].ids || c.rules[i].line == 0)
			abort();
		check_ids(c.rules[i].ids);
	}
	apply(&c);
	fd_mute_config_free(&c);
	fd_buf_free(&warnings);
	return 0;
}
