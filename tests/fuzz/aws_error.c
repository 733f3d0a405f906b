/* aws_error.c - libFuzzer target: random status, headers and body through
 * aws_error_parse() for every service, then aws_error_format().
 * Input: byte 0 picks the service, bytes 1-2 the HTTP status, then "Name: value"
 * header lines up to an empty line, then the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"

#define MAX_HEADERS 16

static size_t
split_headers(const char *p, size_t n, struct aws_kv *kv, size_t *used)
{
	size_t nh = 0, i = 0;

	while (i < n && nh < MAX_HEADERS) {
		const char *line = p + i, *nl = memchr(line, '\n', n - i), *colon;
		size_t len = nl ? (size_t)(nl - line) : n - i;
		i += len + (nl ? 1 : 0);
		if (len == 0)
			break;
		colon = memchr(line, ':', len);
		if (!colon)
			continue;
		kv[nh].name = fd_xstrndup(line, (size_t)(colon - line));
		kv[nh].value = fd_xstrndup(colon + 1, len - (size_t)(colon - line) - 1);
		nh++;
	}
	*used = i;
	return nh;
}

static void
check_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_kv kv[MAX_HEADERS];
	struct aws_error e;
	char out[900];
	size_t nh, used, i;
	long status;

	if (size < 3)
		return 0;
	status = 100 + (long)((data[1] << 8 | data[2]) % 500);
	nh = split_headers((const char *)data + 3, size - 3, kv, &used);
	aws_error_parse((enum aws_service_id)(data[0] % AWS_SVC_COUNT), "Op", status, kv, nh,
	                (const char *)data + 3 + used, size - 3 - used, &e);
	if (!e.code[0] || e.status == FD_OK)
		abort();
	aws_error_format(&e, out, sizeof(out));
	check_line(out);
	check_line(e.code);
	check_line(e.message);
	check_line(e.request_id);
	for (i = 0; i < nh; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	return 0;
}
