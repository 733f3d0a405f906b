/* dlq_export.c - libFuzzer target: the export-file reader (one ndjson line in SQS's
 * message shape, base64 binary attributes, digests checked) and, for what it
 * accepts, a write-read round trip that must give back the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct fd_sqs_msg *m)
{
	struct fd_sqs_msg back;
	struct fd_err err = {0};
	struct fd_buf line;
	size_t i;

	fd_buf_init(&line);
	sqs_msg_to_json(m, 0, &line);
	if (fd_export_read_line(line.data, line.len, &back, &err) != FD_OK)
		abort();
	if (back.body_len != m->body_len || memcmp(back.body, m->body, m->body_len) != 0 ||
	    back.nattrs != m->nattrs)
		abort();
	for (i = 0; i < m->nattrs; i++)
		if (back.attrs[i].len != m->attrs[i].len ||
		    memcmp(back.attrs[i].value, m->attrs[i].value, m->attrs[i].len) != 0)
			abort();
	fd_sqs_msg_free(&back);
	fd_buf_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_sqs_msg m;
	struct fd_err err = {0};

	if (fd_export_read_line((const char *)data, size, &m, &err) != FD_OK)
		return 0;
	/* A body with a NUL (from \u0000) cannot round-trip through a C string; SQS never
	 * holds one. */
	if (strlen(m.body) == m.body_len)
		round_trip(&m);
	fd_sqs_msg_free(&m);
	return 0;
}
