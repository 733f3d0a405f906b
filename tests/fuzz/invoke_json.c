/* Fuzz target: the strict JSON validator, member lookup and re-indenter that events
 * and responses go through. A document the validator accepts must stay valid once
 * re-indented, compacted or looked into. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fd_json_error e;
	struct fd_buf pretty, compact;
	size_t off, n;
	char *str;

	fd_buf_init(&pretty);
	fd_buf_init(&compact);
	if (!fd_json_validate(s, size, &e)) {
		if (e.offset > size || e.line < 1 || e.col < 1)
			__builtin_trap();
	} else {
		fd_json_pretty(s, size, 2, &pretty);
		fd_json_pretty(pretty.data, pretty.len, 0, &compact);
		if (!fd_json_validate(pretty.data, pretty.len, NULL) ||
		    !fd_json_validate(compact.data, compact.len, NULL))
			__builtin_trap();
		if (fd_json_member(s, size, "requestPayload", &off, &n) &&
		    (off + n > size || !fd_json_validate(s + off, n, NULL)))
			__builtin_trap();
		str = fd_json_member_string(s, size, "body");
		free(str);
	}
	fd_buf_free(&pretty);
	fd_buf_free(&compact);
	return 0;
}
