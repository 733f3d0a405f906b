/* sqs_codec.c - messages in SQS's own JSON shape: ReceiveMessage answers, the
 * journal's attribute columns and the ndjson export format all go through here, so
 * a message read back is byte for byte the message written (binary attribute values
 * travel as base64, as on the wire). Digests are checked on the way in. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/sqs.h"
#include "json_int.h"

#define MSG_MAX_ATTRS 64 /* SQS allows 10; be lenient but bounded */
#define MSG_MAX_SYS 32
#define RECEIVE_MAX_MSGS 100 /* SQS returns at most 10 */

/* ---- base64 (RFC 4648, padded) ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_encode(const unsigned char *p, size_t n, struct fd_buf *out)
{
	char quad[4];
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		quad[0] = b64chars[v >> 18];
		quad[1] = b64chars[(v >> 12) & 63];
		quad[2] = b64chars[(v >> 6) & 63];
		quad[3] = b64chars[v & 63];
		fd_buf_append(out, quad, 4);
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		quad[0] = b64chars[v >> 18];
		quad[1] = b64chars[(v >> 12) & 63];
		quad[2] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		quad[3] = '=';
		fd_buf_append(out, quad, 4);
	}
}

static int
b64_value(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

/* Strict: length a multiple of 4, padding only at the end. 0 on success. */
static int
b64_decode(const char *s, size_t n, struct fd_buf *out)
{
	unsigned char tri[3];
	size_t i, pad = 0;
	int k, v[4];

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = b64_value(s[i + (size_t)k]);
			if (v[k] < 0 && !(s[i + (size_t)k] == '=' && i + 4 == n && k >= 2))
				return -1;
		}
		pad = v[3] < 0 ? (v[2] < 0 ? 2 : 1) : 0;
		if (v[2] < 0 && v[3] >= 0)
			return -1;
		tri[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		tri[1] = (unsigned char)((v[1] & 15) << 4 | (v[2] < 0 ? 0 : v[2] >> 2));
		tri[2] = (unsigned char)((v[2] < 0 ? 0 : (v[2] & 3) << 6) | (v[3] < 0 ? 0 : v[3]));
		fd_buf_append(out, tri, 3 - pad);
	}
	return 0;
}

/* ---- reading ---- */

static enum fd_status
attr_from_json(const cJSON *a, struct fd_sqs_msg *m, struct fd_err *err)
{
	const char *type = cj_str(a, "DataType"), *sv = cj_str(a, "StringValue");
	const char *bv = cj_str(a, "BinaryValue");
	struct fd_buf raw;

	if (!a->string || !*a->string || !type || !*type)
		return fd_err_set(err, FD_EPARSE, "message attribute without a name or DataType");
	if (fd_str_starts(type, "Binary")) {
		fd_buf_init(&raw);
		if (!bv || b64_decode(bv, strlen(bv), &raw) != 0) {
			fd_buf_free(&raw);
			return fd_err_set(err, FD_EPARSE,
			                  "message attribute %.80s: BinaryValue is not base64",
			                  a->string);
		}
		fd_sqs_msg_set_attr(m, a->string, type, raw.data, raw.len);
		fd_buf_free(&raw);
		return FD_OK;
	}
	if (!sv)
		return fd_err_set(err, FD_EPARSE, "message attribute %.80s has no StringValue",
		                  a->string);
	fd_sqs_msg_set_attr(m, a->string, type, sv, strlen(sv));
	return FD_OK;
}

static enum fd_status
attrs_from_object(const cJSON *attrs, struct fd_sqs_msg *m, struct fd_err *err)
{
	const cJSON *a;
	enum fd_status st;

	if (!attrs)
		return FD_OK;
	if (!cJSON_IsObject(attrs) || cJSON_GetArraySize(attrs) > MSG_MAX_ATTRS)
		return fd_err_set(err, FD_EPARSE,
		                  "MessageAttributes is not an object of at most "
		                  "%d attributes",
		                  MSG_MAX_ATTRS);
	cJSON_ArrayForEach(a, attrs)
	{
		st = attr_from_json(a, m, err);
		if (st != FD_OK)
			return st;
	}
	return FD_OK;
}

static enum fd_status
sys_from_object(const cJSON *sys, struct fd_sqs_msg *m, struct fd_err *err)
{
	const cJSON *a;

	if (!sys)
		return FD_OK;
	if (!cJSON_IsObject(sys) || cJSON_GetArraySize(sys) > MSG_MAX_SYS)
		return fd_err_set(err, FD_EPARSE,
		                  "Attributes is not an object of at most %d "
		                  "attributes",
		                  MSG_MAX_SYS);
	cJSON_ArrayForEach(a, sys)
	{
		if (!a->string || !cJSON_IsString(a))
			return fd_err_set(err, FD_EPARSE, "system attribute is not a string");
		fd_sqs_msg_set_sys(m, a->string, a->valuestring);
	}
	return FD_OK;
}

static void
check_digests(struct fd_sqs_msg *m, const cJSON *o)
{
	const char *want = cj_str(o, "MD5OfMessageAttributes");
	char md5[33];

	sqs_md5_hex(m->body, m->body_len, md5);
	m->md5_ok = !m->md5_body || strcmp(md5, m->md5_body) == 0;
	if (want && m->nattrs) {
		sqs_md5_attributes(m->attrs, m->nattrs, md5);
		if (strcmp(md5, want) != 0)
			m->md5_ok = 0;
	}
}

static enum fd_status
msg_from_object(const cJSON *o, struct fd_sqs_msg *m, struct fd_err *err)
{
	const char *id = cj_str(o, "MessageId"), *body = cj_str(o, "Body");
	const char *rh = cj_str(o, "ReceiptHandle"), *md5 = cj_str(o, "MD5OfBody");
	enum fd_status st;

	memset(m, 0, sizeof(*m));
	if (!cJSON_IsObject(o) || !id || !*id || !body)
		return fd_err_set(err, FD_EPARSE, "message without MessageId or Body");
	m->id = fd_xstrdup(id);
	m->body = fd_xstrdup(body);
	m->body_len = strlen(body);
	m->receipt = rh ? fd_xstrdup(rh) : NULL;
	m->md5_body = md5 ? fd_xstrdup(md5) : NULL;
	st = attrs_from_object(cj_member(o, "MessageAttributes"), m, err);
	if (st == FD_OK)
		st = sys_from_object(cj_member(o, "Attributes"), m, err);
	if (st != FD_OK) {
		fd_sqs_msg_free(m);
		return st;
	}
	check_digests(m, o);
	return FD_OK;
}

static cJSON *
parse_object(const char *json, size_t len, const char *what, struct fd_err *err)
{
	const char *end = NULL;
	cJSON *doc = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;

	if (cJSON_IsObject(doc))
		return doc;
	cJSON_Delete(doc);
	fd_err_set(err, FD_EPARSE, "%s: not a JSON object (%zu bytes, bad at byte %zu)", what, len,
	           end && end >= json ? (size_t)(end - json) : 0);
	return NULL;
}

enum fd_status
sqs_msg_from_json(const char *json, size_t len, struct fd_sqs_msg *out, struct fd_err *err)
{
	cJSON *doc = parse_object(json, len, "message", err);
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return FD_EPARSE;
	st = msg_from_object(doc, out, err);
	cJSON_Delete(doc);
	return st;
}

enum fd_status
sqs_parse_receive(const char *json, size_t len, struct fd_sqs_msg **msgs, size_t *n,
                  struct fd_err *err)
{
	cJSON *doc = parse_object(json, len, "ReceiveMessage", err);
	const cJSON *list, *it;
	enum fd_status st = FD_OK;
	int count;

	*msgs = NULL;
	*n = 0;
	if (!doc)
		return FD_EPARSE;
	list = cj_member(doc, "Messages");
	count = cJSON_GetArraySize(list);
	if (list && (!cJSON_IsArray(list) || count > RECEIVE_MAX_MSGS)) {
		st = fd_err_set(err, FD_EPARSE, "ReceiveMessage: Messages is not a short list");
		goto out;
	}
	*msgs = count > 0 ? fd_xcalloc((size_t)count, sizeof(**msgs)) : NULL;
	cJSON_ArrayForEach(it, list)
	{
		st = msg_from_object(it, &(*msgs)[*n], err);
		if (st != FD_OK) {
			fd_err_prefix(err, "ReceiveMessage");
			fd_sqs_msgs_free(*msgs, *n);
			*msgs = NULL;
			*n = 0;
			goto out;
		}
		(*n)++;
	}
out:
	cJSON_Delete(doc);
	return st;
}

enum fd_status
sqs_attrs_from_json(const char *json, size_t len, struct fd_sqs_msg *m, struct fd_err *err)
{
	cJSON *doc = parse_object(json, len, "message attributes", err);
	enum fd_status st;

	if (!doc)
		return FD_EPARSE;
	st = attrs_from_object(doc, m, err);
	cJSON_Delete(doc);
	return st;
}

enum fd_status
sqs_sys_from_json(const char *json, size_t len, struct fd_sqs_msg *m, struct fd_err *err)
{
	cJSON *doc = parse_object(json, len, "system attributes", err);
	enum fd_status st;

	if (!doc)
		return FD_EPARSE;
	st = sys_from_object(doc, m, err);
	cJSON_Delete(doc);
	return st;
}

/* ---- writing ---- */

static cJSON *
attrs_object(const struct fd_sqs_msg *m)
{
	cJSON *o = cJSON_CreateObject(), *a;
	struct fd_buf b64;
	size_t i;

	for (i = 0; i < m->nattrs; i++) {
		a = cJSON_AddObjectToObject(o, m->attrs[i].name);
		cJSON_AddStringToObject(a, "DataType", m->attrs[i].type);
		if (!fd_str_starts(m->attrs[i].type, "Binary")) {
			cJSON_AddStringToObject(a, "StringValue", m->attrs[i].value);
			continue;
		}
		fd_buf_init(&b64);
		b64_encode((const unsigned char *)m->attrs[i].value, m->attrs[i].len, &b64);
		cJSON_AddStringToObject(a, "BinaryValue", b64.data ? b64.data : "");
		fd_buf_free(&b64);
	}
	return o;
}

static cJSON *
sys_object(const struct fd_sqs_msg *m)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < m->nsys; i++)
		cJSON_AddStringToObject(o, m->sys[i].key, m->sys[i].value);
	return o;
}

static void
print_into(cJSON *doc, int pretty, struct fd_buf *out)
{
	char *text = pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	if (!text)
		fd_fatal("out of memory writing JSON");
	fd_buf_puts(out, text);
	free(text);
}

/* Exposed for the request builders (sqs_build.c). */
cJSON *sqs_attrs_cjson(const struct fd_sqs_msg *m);

cJSON *
sqs_attrs_cjson(const struct fd_sqs_msg *m)
{
	return attrs_object(m);
}

void
sqs_msg_to_json(const struct fd_sqs_msg *m, unsigned flags, struct fd_buf *out)
{
	cJSON *o = cJSON_CreateObject();
	char md5[33];

	cJSON_AddStringToObject(o, "MessageId", m->id ? m->id : "");
	if ((flags & SQS_JSON_RECEIPT) && m->receipt)
		cJSON_AddStringToObject(o, "ReceiptHandle", m->receipt);
	sqs_md5_hex(m->body, m->body_len, md5);
	cJSON_AddStringToObject(o, "MD5OfBody", md5);
	cJSON_AddStringToObject(o, "Body", m->body ? m->body : "");
	cJSON_AddItemToObject(o, "Attributes", sys_object(m));
	if (m->nattrs) {
		sqs_md5_attributes(m->attrs, m->nattrs, md5);
		cJSON_AddStringToObject(o, "MD5OfMessageAttributes", md5);
		cJSON_AddItemToObject(o, "MessageAttributes", attrs_object(m));
	}
	print_into(o, (flags & SQS_JSON_PRETTY) != 0, out);
}

void
sqs_attrs_to_json(const struct fd_sqs_msg *m, struct fd_buf *out)
{
	print_into(attrs_object(m), 0, out);
}

void
sqs_sys_to_json(const struct fd_sqs_msg *m, struct fd_buf *out)
{
	print_into(sys_object(m), 0, out);
}
