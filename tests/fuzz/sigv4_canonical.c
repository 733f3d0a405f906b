/* sigv4_canonical.c - libFuzzer target for the SigV4 canonicalisers.
 * Input: one flag byte, then "path NUL query NUL headers", headers being
 * "name:value" lines. Runs the URI, query and header canonicalisation (through
 * sigv4_sign) and checks the shape of what comes out: any byte that is neither
 * unreserved nor a %XX escape in the canonical URI or query is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sigv4.h"
#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

#define FUZZ_MAX_HEADERS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_input {
	char *path;
	char *query;
	char *headers;
	struct sigv4_header h[FUZZ_MAX_HEADERS + 1];
	size_t nh;
};

/* The bytes up to the next NUL (or the end), as a string; *pos moves past them. */
static char *
take_part(const uint8_t *data, size_t size, size_t *pos)
{
	size_t start = *pos;
	const uint8_t *nul = *pos < size ? memchr(data + start, 0, size - start) : NULL;
	size_t end = nul ? (size_t)(nul - data) : size;

	*pos = nul ? end + 1 : size;
	return fd_xstrndup((const char *)data + start, end - start);
}

static void
split_headers(struct fuzz_input *fi)
{
	char *line = fi->headers;

	while (line && *line && fi->nh < FUZZ_MAX_HEADERS) {
		char *nl = strchr(line, '\n'), *colon;

		if (nl)
			*nl = '\0';
		colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		fi->h[fi->nh].name = line;
		fi->h[fi->nh].value = colon ? colon + 1 : "";
		fi->nh++;
		line = nl ? nl + 1 : NULL;
	}
}

static int
is_canonical_byte(unsigned char c, int allow_slash, int allow_query)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	if (c == '-' || c == '.' || c == '_' || c == '~' || c == '%')
		return 1;
	return (allow_slash && c == '/') || (allow_query && (c == '=' || c == '&'));
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static void
check_encoded(const struct fd_buf *b, int allow_slash, int allow_query)
{
	size_t i;

	if (!b->data || strlen(b->data) != b->len)
		abort();
	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (!is_canonical_byte(c, allow_slash, allow_query))
			abort();
		if (c == '%' &&
		    (b->len - i < 3 || !is_hex(b->data[i + 1]) || !is_hex(b->data[i + 2])))
			abort();
	}
}

static void
run_uri(const char *path, int normalize, int double_encode)
{
	struct fd_buf b;

	fd_buf_init(&b);
	sigv4_canonical_uri(path, normalize, double_encode, &b);
	if (b.len == 0 || b.data[0] != '/')
		abort();
	check_encoded(&b, 1, 0);
	fd_buf_free(&b);
}

static void
run_query(const char *query)
{
	struct fd_buf b;

	fd_buf_init(&b);
	sigv4_canonical_query(query, &b);
	check_encoded(&b, 0, 1);
	fd_buf_free(&b);
}

static void
run_sign(struct fuzz_input *fi, unsigned flags)
{
	struct sigv4_input in;
	struct sigv4_output out;
	struct fd_err err;

	if (flags & 16)
		fi->h[fi->nh++] = (struct sigv4_header){"Host", "example.amazonaws.com"};
	memset(&in, 0, sizeof(in));
	in.method = "POST";
	in.path = fi->path;
	in.query = fi->query;
	in.headers = fi->h;
	in.nheaders = fi->nh;
	in.payload = fi->query;
	in.payload_len = strlen(fi->query);
	in.unsigned_payload = (flags & 4) != 0;
	in.no_normalize_path = (flags & 1) != 0;
	in.no_double_encode = (flags & 2) != 0;
	in.region = "us-east-1";
	in.service = "lambda";
	in.access_key = "AKIDEXAMPLE";
	in.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	in.session_token = (flags & 8) ? "token" : NULL;
	in.now = 1440938160;
	if (sigv4_sign(&in, &out, &err) == FD_OK &&
	    (strlen(out.signature) != 64 || !fd_str_starts(out.authorization.data, "AWS4-")))
		abort();
	sigv4_output_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input fi;
	unsigned flags = size ? data[0] : 0;
	size_t pos = size ? 1 : 0;

	memset(&fi, 0, sizeof(fi));
	fi.path = take_part(data, size, &pos);
	fi.query = take_part(data, size, &pos);
	fi.headers = take_part(data, size, &pos);
	run_uri(fi.path, 1, 1);
	run_uri(fi.path, 0, 1);
	run_uri(fi.path, 1, 0);
	run_uri(fi.path, 0, 0);
	run_query(fi.query);
	split_headers(&fi);
	run_sign(&fi, flags);
	free(fi.path);
	free(fi.query);
	free(fi.headers);
	return 0;
}
