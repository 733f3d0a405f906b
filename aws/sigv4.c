/* sigv4.c - AWS Signature Version 4 (AWS4-HMAC-SHA256, Authorization header form).
 * One small step per part of the canonical request (URI, query, headers), then the
 * string to sign, the derived key and the signature. Buffers that can hold a session
 * token or key material are sized up front (no realloc leaves stale copies) and wiped
 * when freed. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fleetdeck/sigv4.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_TERMINATOR "aws4_request"
/* 9999-12-31T23:59:59Z: the last second an X-Amz-Date can spell. */
#define SIGV4_MAX_TIME ((time_t)253402300799LL)

/* Headers a proxy may add, drop or rewrite, so signing them would break requests
 * (botocore's list), plus the Authorization header itself (left from a retry). */
static const char *const unsigned_headers[] = {"authorization",
                                               "connection",
                                               "expect",
                                               "keep-alive",
                                               "proxy-authenticate",
                                               "proxy-authorization",
                                               "te",
                                               "trailer",
                                               "transfer-encoding",
                                               "upgrade",
                                               "user-agent",
                                               "x-amzn-trace-id"};

static long clock_skew;

struct qparam {
	char *key;   /* encoded */
	char *value; /* encoded */
};

struct chdr {
	char *name;   /* lowercase */
	char *value;  /* trimmed, whitespace runs collapsed */
	size_t order; /* position in the input: keeps duplicates in order */
};

struct chdr_list {
	struct chdr *v;
	size_t n;
	size_t cap;
};

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 and *val set when s[i..] starts with a valid %XX escape. */
static int
escape_at(const char *s, size_t n, size_t i, unsigned char *val)
{
	int hi, lo;

	if (s[i] != '%' || n - i < 3)
		return 0;
	hi = hex_value(s[i + 1]);
	lo = hex_value(s[i + 2]);
	if (hi < 0 || lo < 0)
		return 0;
	*val = (unsigned char)(hi << 4 | lo);
	return 1;
}

static void
encode_byte(unsigned char c, int keep_slash, struct fd_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	if (is_unreserved(c) || (keep_slash && c == '/')) {
		fd_buf_putc(out, (char)c);
		return;
	}
	e[0] = '%';
	e[1] = hex[c >> 4];
	e[2] = hex[c & 15];
	fd_buf_append(out, e, sizeof(e));
}

static void
to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sigv4_uri_encode(const char *s, size_t n, int keep_slash, struct fd_buf *out)
{
	size_t i;

	fd_buf_append(out, "", 0); /* out is a valid string even when n == 0 */
	fd_buf_reserve(out, n);
	for (i = 0; i < n; i++)
		encode_byte((unsigned char)s[i], keep_slash, out);
}

/* Decodes %XX escapes, then encodes with the unreserved-only set: the form every
 * query key and value takes in the canonical request, however the wire spelled it. */
static void
reencode_component(const char *s, size_t n, struct fd_buf *out)
{
	size_t i;

	fd_buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (escape_at(s, n, i, &c))
			i += 2;
		encode_byte(c, 0, out);
	}
}

/* S3 style: the wire path is the canonical one; only bytes that are not yet
 * escaped (a raw space, UTF-8) get encoded. */
static void
encode_path_once(const char *s, size_t n, struct fd_buf *out)
{
	size_t i;
	unsigned char c;

	fd_buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		if (escape_at(s, n, i, &c)) {
			fd_buf_append(out, s + i, 3);
			i += 2;
			continue;
		}
		encode_byte((unsigned char)s[i], 1, out);
	}
}

/* Applies one path segment to the normalised output: "" and "." vanish, ".." drops
 * the last segment (never above the root). */
static void
push_segment(const char *s, size_t n, struct fd_buf *out)
{
	if (n == 0 || (n == 1 && s[0] == '.'))
		return;
	if (n == 2 && s[0] == '.' && s[1] == '.') {
		while (out->len > 0 && out->data[out->len - 1] != '/')
			out->len--;
		if (out->len > 0)
			out->len--;
		if (out->data)
			out->data[out->len] = '\0';
		return;
	}
	fd_buf_putc(out, '/');
	fd_buf_append(out, s, n);
}

static void
normalize_path(const char *p, struct fd_buf *out)
{
	size_t n = strlen(p), i = 0;

	while (i < n) {
		size_t start = i;
		while (i < n && p[i] != '/')
			i++;
		push_segment(p + start, i - start, out);
		i++;
	}
	if (out->len == 0 || p[n - 1] == '/')
		fd_buf_putc(out, '/');
}

void
sigv4_canonical_uri(const char *path, int normalize, int double_encode, struct fd_buf *out)
{
	struct fd_buf norm;
	const char *p = path ? path : "";

	fd_buf_init(&norm);
	fd_buf_append(out, "", 0);
	if (normalize) {
		normalize_path(p, &norm);
	} else {
		if (p[0] != '/')
			fd_buf_putc(&norm, '/');
		fd_buf_puts(&norm, p);
	}
	if (double_encode)
		sigv4_uri_encode(norm.data, norm.len, 1, out);
	else
		encode_path_once(norm.data, norm.len, out);
	fd_buf_free(&norm);
}

static void
parse_param(const char *s, size_t len, struct qparam *qp)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	struct fd_buf b;

	fd_buf_init(&b);
	reencode_component(s, klen, &b);
	qp->key = fd_buf_steal(&b);
	if (eq)
		reencode_component(eq + 1, len - klen - 1, &b);
	qp->value = fd_buf_steal(&b);
}

/* Splits on '&' (empty pieces are dropped); returns the number of parameters. */
static size_t
split_query(const char *q, struct qparam **out)
{
	size_t cap = 1, n = 0, len;
	const char *p;

	for (p = q; *p; p++)
		cap += (size_t)(*p == '&');
	*out = fd_xcalloc(cap, sizeof(**out));
	for (p = q;; p += len + 1) {
		len = strcspn(p, "&");
		if (len > 0)
			parse_param(p, len, &(*out)[n++]);
		if (p[len] == '\0')
			break;
	}
	return n;
}

static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

void
sigv4_canonical_query(const char *query, struct fd_buf *out)
{
	struct qparam *v;
	size_t n, i;

	fd_buf_append(out, "", 0);
	if (!query || !*query)
		return;
	n = split_query(query, &v);
	qsort(v, n, sizeof(*v), qparam_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fd_buf_putc(out, '&');
		fd_buf_puts(out, v[i].key);
		fd_buf_putc(out, '=');
		fd_buf_puts(out, v[i].value);
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void
sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(n ? data : "", n, md, &len, EVP_sha256(), NULL) || len != 32)
		fd_fatal("SHA-256 is not available from libcrypto");
	to_hex(md, 32, out);
}

void
sigv4_format_amz_date(time_t t, char out[17])
{
	struct tm tm;

	if (t < 0 || t > SIGV4_MAX_TIME || !gmtime_r(&t, &tm) ||
	    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		memcpy(out, "00000000T000000Z", 17);
}

/* The canonical header value: trimmed, every whitespace run (folded lines included)
 * turned into one space. */
static char *
collapse_value(const char *s)
{
	char *out = fd_xmalloc(strlen(s) + 1), *w = out;

	while (is_space(*s))
		s++;
	while (*s) {
		if (!is_space(*s)) {
			*w++ = *s++;
			continue;
		}
		while (is_space(*s))
			s++;
		if (*s)
			*w++ = ' ';
	}
	*w = '\0';
	return out;
}

/* Lowercased, trimmed header name; NULL when it is not an HTTP token. */
static char *
canonical_name(const char *s)
{
	size_t n;
	char *out, *w;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	out = fd_xstrndup(s, n);
	for (w = out; *w; w++) {
		unsigned char c = (unsigned char)*w;
		if (c <= ' ' || c >= 0x7f || c == ':') {
			free(out);
			return NULL;
		}
		if (c >= 'A' && c <= 'Z')
			*w = (char)(c - 'A' + 'a');
	}
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

static int
is_unsigned_header(const char *lname)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(unsigned_headers); i++)
		if (strcmp(lname, unsigned_headers[i]) == 0)
			return 1;
	return 0;
}

static void
chdr_add(struct chdr_list *l, char *name, char *value)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = fd_xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].name = name;
	l->v[l->n].value = value;
	l->v[l->n].order = l->n;
	l->n++;
}

static void
chdr_free(struct chdr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		fd_secure_free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
chdr_has(const struct chdr_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return 1;
	return 0;
}

/* 1 when name is present; 0 when absent; -1 when present with another value. */
static int
chdr_match(const struct chdr_list *l, const char *name, const char *value)
{
	size_t i;
	int found = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name) != 0)
			continue;
		if (strcmp(l->v[i].value, value) != 0)
			return -1;
		found = 1;
	}
	return found;
}

static enum fd_status
collect_input_headers(const struct sigv4_input *in, struct chdr_list *l, struct fd_err *err)
{
	size_t i;

	for (i = 0; i < in->nheaders; i++) {
		const struct sigv4_header *h = &in->headers[i];
		char *name;

		if (!h->name || !h->value)
			return fd_err_set(err, FD_EINVAL, "sigv4: header %zu has no name or value",
			                  i);
		name = canonical_name(h->name);
		if (!name)
			return fd_err_set(err, FD_EINVAL, "sigv4: header %zu: invalid name", i);
		if (is_unsigned_header(name)) {
			free(name);
			continue;
		}
		chdr_add(l, name, collapse_value(h->value));
	}
	return FD_OK;
}

/* Adds name: value unless the caller sent it already (then it must agree). */
static enum fd_status
ensure_header(struct chdr_list *l, const char *name, const char *value, struct fd_err *err)
{
	int m = chdr_match(l, name, value);

	if (m < 0)
		return fd_err_set(err, FD_EINVAL,
		                  "sigv4: header %s disagrees with the signing input", name);
	if (m == 0)
		chdr_add(l, fd_xstrdup(name), fd_xstrdup(value));
	return FD_OK;
}

static enum fd_status
collect_headers(const struct sigv4_input *in, const struct sigv4_output *out, struct chdr_list *l,
                struct fd_err *err)
{
	enum fd_status st = collect_input_headers(in, l, err);

	if (st == FD_OK)
		st = ensure_header(l, "x-amz-date", out->amz_date, err);
	if (st == FD_OK && in->session_token && *in->session_token)
		st = ensure_header(l, "x-amz-security-token", in->session_token, err);
	if (st == FD_OK && (in->unsigned_payload || in->content_sha256_header))
		st = ensure_header(l, "x-amz-content-sha256", out->payload_hash, err);
	if (st == FD_OK && l->n == 0)
		st = fd_err_set(err, FD_EINVAL, "sigv4: no headers to sign");
	return st;
}

static int
chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static size_t
chdr_text_size(const struct chdr_list *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += strlen(l->v[i].name) + strlen(l->v[i].value) + 2;
	return n;
}

/* "name:v1,v2\n" per distinct name, in name order; names joined by ';'. */
static void
emit_headers(const struct chdr_list *l, struct fd_buf *canon, struct fd_buf *names)
{
	const struct chdr *h = l->v;
	size_t i;

	fd_buf_reserve(canon, chdr_text_size(l));
	for (i = 0; i < l->n; i++) {
		int first = i == 0 || strcmp(h[i].name, h[i - 1].name) != 0;
		int last = i + 1 == l->n || strcmp(h[i].name, h[i + 1].name) != 0;

		if (first) {
			if (names->len > 0)
				fd_buf_putc(names, ';');
			fd_buf_puts(names, h[i].name);
			fd_buf_puts(canon, h[i].name);
			fd_buf_putc(canon, ':');
		} else {
			fd_buf_putc(canon, ',');
		}
		fd_buf_puts(canon, h[i].value);
		if (last)
			fd_buf_putc(canon, '\n');
	}
}

static void
build_canonical_request(const struct sigv4_input *in, const struct fd_buf *headers,
                        struct sigv4_output *out)
{
	struct fd_buf uri, query;
	struct fd_buf *cr = &out->canonical_request;

	fd_buf_init(&uri);
	fd_buf_init(&query);
	sigv4_canonical_uri(in->path, !in->no_normalize_path, !in->no_double_encode, &uri);
	sigv4_canonical_query(in->query, &query);
	fd_buf_reserve(cr, strlen(in->method) + uri.len + query.len + headers->len +
	                       out->signed_headers.len + 64 + 6);
	fd_buf_printf(cr, "%s\n%s\n%s\n", in->method, uri.data, query.data);
	fd_buf_append(cr, headers->data, headers->len);
	fd_buf_printf(cr, "\n%s\n%s", out->signed_headers.data, out->payload_hash);
	fd_buf_free(&uri);
	fd_buf_free(&query);
}

static void
build_string_to_sign(const struct sigv4_input *in, struct sigv4_output *out)
{
	char hash[65];

	sigv4_sha256_hex(out->canonical_request.data, out->canonical_request.len, hash);
	fd_buf_printf(&out->string_to_sign, "%s\n%s\n%.8s/%s/%s/%s\n%s", SIGV4_ALGORITHM,
	              out->amz_date, out->amz_date, in->region, in->service, SIGV4_TERMINATOR,
	              hash);
}

static int
hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char md[32])
{
	unsigned int len = 0;

	if (klen > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)klen, msg, mlen, md, &len) || len != 32)
		return -1;
	return 0;
}

/* kSecret = "AWS4" + secret; then HMAC over date, region, service, "aws4_request". */
static int
derive_signing_key(const struct sigv4_input *in, const char *amz_date, unsigned char key[32])
{
	const char *steps[] = {in->region, in->service, SIGV4_TERMINATOR};
	struct fd_buf secret;
	unsigned char k[32];
	size_t i;
	int rc;

	fd_buf_init(&secret);
	fd_buf_reserve(&secret, 4 + strlen(in->secret_key));
	fd_buf_puts(&secret, "AWS4");
	fd_buf_puts(&secret, in->secret_key);
	rc = hmac_sha256(secret.data, secret.len, amz_date, 8, k);
	for (i = 0; rc == 0 && i < FD_ARRAY_LEN(steps); i++) {
		rc = hmac_sha256(k, sizeof(k), steps[i], strlen(steps[i]), key);
		memcpy(k, key, sizeof(k));
	}
	OPENSSL_cleanse(k, sizeof(k));
	fd_buf_secure_free(&secret);
	return rc;
}

static enum fd_status
compute_signature(const struct sigv4_input *in, struct sigv4_output *out, struct fd_err *err)
{
	unsigned char key[32], sig[32];
	int rc;

	rc = derive_signing_key(in, out->amz_date, key);
	if (rc == 0)
		rc = hmac_sha256(key, sizeof(key), out->string_to_sign.data,
		                 out->string_to_sign.len, sig);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return fd_err_set(err, FD_EUNSUPPORTED, "sigv4: HMAC-SHA256 failed in libcrypto");
	to_hex(sig, sizeof(sig), out->signature);
	OPENSSL_cleanse(sig, sizeof(sig));
	return FD_OK;
}

/* Scope parts end up between '/' in the credential and in a header: keep them plain. */
static int
scope_part_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f || c == '/' || c == ',' || c == ';')
			return 0;
	}
	return 1;
}

static enum fd_status
check_input(const struct sigv4_input *in, struct fd_err *err)
{
	if (!scope_part_ok(in->method))
		return fd_err_set(err, FD_EINVAL, "sigv4: bad or missing method");
	if (!scope_part_ok(in->region) || !scope_part_ok(in->service))
		return fd_err_set(err, FD_EINVAL, "sigv4: bad or missing region or service");
	if (!scope_part_ok(in->access_key) || !in->secret_key || !*in->secret_key)
		return fd_err_set(err, FD_ECREDS, "sigv4: access key or secret key missing");
	if (in->nheaders > SIGV4_MAX_HEADERS || (in->nheaders && !in->headers))
		return fd_err_set(err, FD_EINVAL, "sigv4: %zu headers (at most %d)", in->nheaders,
		                  SIGV4_MAX_HEADERS);
	if (in->payload_len && !in->payload)
		return fd_err_set(err, FD_EINVAL, "sigv4: payload length without payload");
	if (in->now < 0 || in->now > SIGV4_MAX_TIME)
		return fd_err_set(err, FD_EINVAL, "sigv4: signing time out of range");
	return FD_OK;
}

static void
output_init(struct sigv4_output *out)
{
	memset(out->amz_date, 0, sizeof(out->amz_date));
	memset(out->payload_hash, 0, sizeof(out->payload_hash));
	memset(out->signature, 0, sizeof(out->signature));
	fd_buf_init(&out->canonical_request);
	fd_buf_init(&out->string_to_sign);
	fd_buf_init(&out->signed_headers);
	fd_buf_init(&out->authorization);
}

static enum fd_status
sign_headers(const struct sigv4_input *in, struct sigv4_output *out, struct fd_err *err)
{
	struct chdr_list l = {NULL, 0, 0};
	struct fd_buf canon;
	enum fd_status st;

	fd_buf_init(&canon);
	st = collect_headers(in, out, &l, err);
	if (st != FD_OK)
		goto out;
	if (!chdr_has(&l, "host")) {
		st = fd_err_set(err, FD_EINVAL, "sigv4: the request has no Host header");
		goto out;
	}
	qsort(l.v, l.n, sizeof(*l.v), chdr_cmp);
	emit_headers(&l, &canon, &out->signed_headers);
	build_canonical_request(in, &canon, out);
out:
	fd_buf_secure_free(&canon);
	chdr_free(&l);
	return st;
}

enum fd_status
sigv4_sign(const struct sigv4_input *in, struct sigv4_output *out, struct fd_err *err)
{
	enum fd_status st;

	output_init(out);
	st = check_input(in, err);
	if (st != FD_OK)
		return st;
	sigv4_format_amz_date(in->now, out->amz_date);
	if (in->unsigned_payload)
		memcpy(out->payload_hash, SIGV4_UNSIGNED_PAYLOAD, sizeof(SIGV4_UNSIGNED_PAYLOAD));
	else
		sigv4_sha256_hex(in->payload, in->payload_len, out->payload_hash);
	st = sign_headers(in, out, err);
	if (st != FD_OK)
		return st;
	build_string_to_sign(in, out);
	st = compute_signature(in, out, err);
	if (st != FD_OK)
		return st;
	fd_buf_printf(&out->authorization,
	              "%s Credential=%s/%.8s/%s/%s/%s, SignedHeaders=%s, Signature=%s",
	              SIGV4_ALGORITHM, in->access_key, out->amz_date, in->region, in->service,
	              SIGV4_TERMINATOR, out->signed_headers.data, out->signature);
	return FD_OK;
}

void
sigv4_output_free(struct sigv4_output *out)
{
	if (!out)
		return;
	OPENSSL_cleanse(out->signature, sizeof(out->signature));
	fd_buf_secure_free(&out->canonical_request);
	fd_buf_secure_free(&out->string_to_sign);
	fd_buf_free(&out->signed_headers);
	fd_buf_secure_free(&out->authorization);
}

time_t
sigv4_clock(void)
{
	return fd_wall_now() + (time_t)clock_skew;
}

void
sigv4_set_skew(long seconds)
{
	if (seconds > SIGV4_MAX_SKEW)
		seconds = SIGV4_MAX_SKEW;
	if (seconds < -SIGV4_MAX_SKEW)
		seconds = -SIGV4_MAX_SKEW;
	clock_skew = seconds;
}

long
sigv4_get_skew(void)
{
	return clock_skew;
}
