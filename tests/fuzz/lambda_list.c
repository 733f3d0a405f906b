/* lambda_list.c - libFuzzer target: every Lambda answer parser on the same bytes
 * (ListFunctions first; the detail parsers share its JSON access code). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
detail_parsers(const char *json, size_t size)
{
	struct fd_function f;
	struct lambda_provisioned *pc = NULL;
	struct lambda_account acct;
	struct fd_err err = {0};
	size_t npc = 0;
	char *next = NULL;

	memset(&f, 0, sizeof(f));
	lambda_parse_get_function(json, size, &f, &err);
	lambda_parse_policy_triggers(json, size, &f, &err);
	lambda_parse_event_source_mappings(json, size, &f, &next, &err);
	free(next);
	lambda_parse_aliases(json, size, &f, &next, &err);
	free(next);
	lambda_parse_versions(json, size, &f, &next, &err);
	free(next);
	lambda_parse_provisioned(json, size, &pc, &npc, &next, &err);
	free(next);
	lambda_apply_provisioned(&f, pc, npc);
	lambda_provisioned_free(pc, npc);
	lambda_parse_async_config(json, size, &f.async, &err);
	lambda_parse_account_settings(json, size, &acct, &err);
	fd_function_free(&f);
	lambda_parse_function_config(json, size, &f, &err);
	fd_function_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	size_t n = 0;
	char *next = NULL;

	lambda_parse_list_functions((const char *)data, size, &fns, &n, &next, &err);
	fd_functions_free(fns, n);
	free(next);
	detail_parsers((const char *)data, size);
	return 0;
}
