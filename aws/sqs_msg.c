/* sqs_msg.c - the plain SQS records of queues.h (messages with their attributes,
 * queues) and the digests SQS computes over them: MD5 of the body and the
 * length-prefixed MD5 of the message attributes. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fleetdeck/sqs.h"

void
fd_sqs_msg_free(struct fd_sqs_msg *m)
{
	size_t i;

	if (!m)
		return;
	free(m->id);
	free(m->receipt);
	free(m->body);
	free(m->md5_body);
	for (i = 0; i < m->nattrs; i++) {
		free(m->attrs[i].name);
		free(m->attrs[i].type);
		free(m->attrs[i].value);
	}
	free(m->attrs);
	for (i = 0; i < m->nsys; i++) {
		free(m->sys[i].key);
		free(m->sys[i].value);
	}
	free(m->sys);
	memset(m, 0, sizeof(*m));
}

void
fd_sqs_msgs_free(struct fd_sqs_msg *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		fd_sqs_msg_free(&m[i]);
	free(m);
}

static char *
dup_or_null(const char *s)
{
	return s ? fd_xstrdup(s) : NULL;
}

static char *
dup_bytes(const char *s, size_t n)
{
	char *p = fd_xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
fd_sqs_msg_copy(struct fd_sqs_msg *dst, const struct fd_sqs_msg *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->id = dup_or_null(src->id);
	dst->receipt = dup_or_null(src->receipt);
	dst->body = dup_bytes(src->body ? src->body : "", src->body_len);
	dst->body_len = src->body_len;
	dst->md5_body = dup_or_null(src->md5_body);
	dst->md5_ok = src->md5_ok;
	for (i = 0; i < src->nattrs; i++)
		fd_sqs_msg_set_attr(dst, src->attrs[i].name, src->attrs[i].type,
		                    src->attrs[i].value, src->attrs[i].len);
	for (i = 0; i < src->nsys; i++)
		fd_sqs_msg_set_sys(dst, src->sys[i].key, src->sys[i].value);
}

const char *
fd_sqs_msg_sys(const struct fd_sqs_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsys; i++)
		if (strcmp(m->sys[i].key, name) == 0)
			return m->sys[i].value;
	return NULL;
}

const struct fd_sqs_attr *
fd_sqs_msg_attr(const struct fd_sqs_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nattrs; i++)
		if (strcmp(m->attrs[i].name, name) == 0)
			return &m->attrs[i];
	return NULL;
}

int64_t
fd_sqs_msg_sent_ms(const struct fd_sqs_msg *m)
{
	const char *s = fd_sqs_msg_sys(m, "SentTimestamp");
	char *end = NULL;
	long long v;

	if (!s)
		return 0;
	v = strtoll(s, &end, 10);
	return end && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

void
fd_sqs_msg_set_attr(struct fd_sqs_msg *m, const char *name, const char *type, const char *value,
                    size_t len)
{
	struct fd_sqs_attr *a;
	size_t i = 0;

	while (i < m->nattrs && strcmp(m->attrs[i].name, name) < 0)
		i++;
	if (i < m->nattrs && strcmp(m->attrs[i].name, name) == 0) {
		a = &m->attrs[i];
		free(a->type);
		free(a->value);
	} else {
		m->attrs = fd_xreallocarray(m->attrs, m->nattrs + 1, sizeof(*m->attrs));
		memmove(&m->attrs[i + 1], &m->attrs[i], (m->nattrs - i) * sizeof(*m->attrs));
		m->nattrs++;
		a = &m->attrs[i];
		a->name = fd_xstrdup(name);
	}
	a->type = fd_xstrdup(type);
	a->value = dup_bytes(value ? value : "", len);
	a->len = len;
}

void
fd_sqs_msg_set_sys(struct fd_sqs_msg *m, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < m->nsys; i++) {
		if (strcmp(m->sys[i].key, name) == 0) {
			free(m->sys[i].value);
			m->sys[i].value = fd_xstrdup(value);
			return;
		}
	}
	m->sys = fd_xreallocarray(m->sys, m->nsys + 1, sizeof(*m->sys));
	m->sys[m->nsys].key = fd_xstrdup(name);
	m->sys[m->nsys].value = fd_xstrdup(value);
	m->nsys++;
}

/* ---- queues ---- */

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **
copy_list(char *const *v, size_t n)
{
	char **out = n ? fd_xcalloc(n, sizeof(*out)) : NULL;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = fd_xstrdup(v[i]);
	return out;
}

void
fd_queue_free(struct fd_queue *q)
{
	if (!q)
		return;
	free(q->name);
	free(q->url);
	free(q->arn);
	free(q->redrive_policy);
	free(q->dlq_arn);
	free(q->redrive_allow);
	free(q->allow_permission);
	free_list(q->sources, q->nsources);
	free_list(q->consumers, q->nconsumers);
	free_list(q->failure_fns, q->nfailure_fns);
	memset(q, 0, sizeof(*q));
}

void
fd_queues_free_array(struct fd_queue *q, size_t n)
{
	size_t i;

	for (i = 0; q && i < n; i++)
		fd_queue_free(&q[i]);
	free(q);
}

void
fd_queue_copy(struct fd_queue *dst, const struct fd_queue *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->url = dup_or_null(src->url);
	dst->arn = dup_or_null(src->arn);
	dst->redrive_policy = dup_or_null(src->redrive_policy);
	dst->dlq_arn = dup_or_null(src->dlq_arn);
	dst->redrive_allow = dup_or_null(src->redrive_allow);
	dst->allow_permission = dup_or_null(src->allow_permission);
	dst->sources = copy_list(src->sources, src->nsources);
	dst->consumers = copy_list(src->consumers, src->nconsumers);
	dst->failure_fns = copy_list(src->failure_fns, src->nfailure_fns);
}

long long
fd_queue_depth(const struct fd_queue *q)
{
	return FD_MAX(q->visible, 0) + FD_MAX(q->inflight, 0) + FD_MAX(q->delayed, 0);
}

/* ---- digests ---- */

static void
hex(const unsigned char *md, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
sqs_md5_hex(const void *data, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(len ? data : "", len, md, &n, EVP_md5(), NULL) || n != 16)
		fd_fatal("MD5 digest failed");
	hex(md, n, out);
}

static void
put_lb(EVP_MD_CTX *ctx, const void *p, size_t n)
{
	unsigned char len[4];

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	EVP_DigestUpdate(ctx, len, 4);
	if (n)
		EVP_DigestUpdate(ctx, p, n);
}

/* SQS's algorithm: for each attribute in name order, the length-prefixed name and
 * data type, a transport byte (1 string, 2 binary), then the length-prefixed value. */
void
sqs_md5_attributes(const struct fd_sqs_attr *attrs, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE], transport;
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t i;

	out[0] = '\0';
	if (!n)
		return;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL))
		fd_fatal("MD5 digest failed");
	for (i = 0; i < n; i++) {
		put_lb(ctx, attrs[i].name, strlen(attrs[i].name));
		put_lb(ctx, attrs[i].type, strlen(attrs[i].type));
		transport = fd_str_starts(attrs[i].type, "Binary") ? 2 : 1;
		EVP_DigestUpdate(ctx, &transport, 1);
		put_lb(ctx, attrs[i].value, attrs[i].len);
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 16)
		fd_fatal("MD5 digest failed");
	EVP_MD_CTX_free(ctx);
	hex(md, mdlen, out);
}
