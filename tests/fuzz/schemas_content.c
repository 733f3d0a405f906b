/* Fuzz target: the Lambda console's test-event schemas: a DescribeSchema answer and
 * the schema document inside it. Successes hold named events whose texts are valid
 * JSON; failures leave nothing behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/jsonutil.h"
#include "fleetdeck/schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_events(const char *text, size_t len)
{
	struct fd_console_event *ev = NULL;
	struct fd_err err;
	size_t n = 0, skipped = 0, i;

	if (schemas_parse_test_events(text, len, &ev, &n, &skipped, &err) != FD_OK) {
		if (ev || n)
			abort();
		return;
	}
	if (n > FD_SCHEMAS_MAX_EVENTS)
		abort();
	for (i = 0; i < n; i++) {
		if (!ev[i].name || !ev[i].name[0] || !ev[i].json ||
		    !fd_json_validate(ev[i].json, strlen(ev[i].json), NULL))
			abort();
	}
	fd_console_events_free(ev, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct fd_err err;
	char *content = NULL;

	check_events(text, size);
	if (schemas_parse_describe(text, size, &content, &err) == FD_OK) {
		if (!content)
			abort();
		check_events(content, strlen(content));
		free(content);
	} else if (content) {
		abort();
	}
	return 0;
}
