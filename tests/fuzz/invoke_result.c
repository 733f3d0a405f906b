/* Fuzz target: the Invoke answer decoder. The first byte picks what the rest is:
 * 0 - an X-Amz-Log-Result value (base64, possibly broken);
 * 1 - log text, sent through base64 so the REPORT/timeout scan sees arbitrary lines;
 * else - a whole answer: "Name: value" header lines, a blank line, then the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct fd_invoke_result *r)
{
	if (r->payload.len > FD_INVOKE_PAYLOAD_CAP || (r->log.len && !r->log.data) ||
	    r->function_error[sizeof(r->function_error) - 1] != '\0' ||
	    r->executed_version[sizeof(r->executed_version) - 1] != '\0')
		__builtin_trap();
}

static void
add_header(struct aws_response *resp, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	size_t k;

	if (!colon)
		return;
	k = (size_t)(colon - line);
	resp->headers = fd_xreallocarray(resp->headers, resp->nheaders + 1, sizeof(*resp->headers));
	resp->headers[resp->nheaders].name = fd_xstrndup(line, k);
	resp->headers[resp->nheaders].value = fd_xstrndup(
	    colon + 1 + (k + 1 < n && colon[1] == ' '), n - k - 1 - (k + 1 < n && colon[1] == ' '));
	resp->nheaders++;
}

static void
whole_answer(const char *s, size_t n)
{
	struct aws_response resp;
	struct fd_invoke_result r;
	const char *p = s, *end = s + n;

	memset(&resp, 0, sizeof(resp));
	resp.http_status = 200;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		p += len + (nl ? 1 : 0);
		if (!len)
			break;
		add_header(&resp, p - len - (nl ? 1 : 0), len);
	}
	fd_buf_append(&resp.body, p, (size_t)(end - p));
	fd_invoke_result_init(&r);
	lambda_invoke_parse(&resp, &r);
	check(&r);
	fd_invoke_result_free(&r);
	aws_response_free(&resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_invoke_result r;
	const char *s = (const char *)data + 1;
	char *b64;

	if (size < 1)
		return 0;
	fd_invoke_result_init(&r);
	if (data[0] == 0) {
		(void)lambda_invoke_decode_tail(s, size - 1, &r);
		check(&r);
	} else if (data[0] == 1) {
		b64 = fd_base64_encode(s, size - 1);
		if (lambda_invoke_decode_tail(b64, strlen(b64), &r) == FD_OK &&
		    (r.log.len != size - 1 || memcmp(r.log.data, s, size - 1) != 0))
			__builtin_trap();
		free(b64);
	} else {
		whole_answer(s, size - 1);
	}
	fd_invoke_result_free(&r);
	return 0;
}
