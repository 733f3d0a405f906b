/* queues_fmt.c - a message described for people: ids and times, FIFO ids, the
 * Lambda error attributes of async-invoke DLQs, every attribute (binary ones in hex)
 * and the body - pretty JSON, text, or a hex dump when it carries control bytes.
 * Both `fleetdeck dlq peek` and the TUI's message inspector print through this. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/sqs.h"

#define HEX_ROW 16

void
fd_fmt_age(double s, char *out, size_t n)
{
	if (isnan(s) || s < 0)
		snprintf(out, n, "-");
	else if (s < 120)
		snprintf(out, n, "%.0fs", s);
	else if (s < 7200)
		snprintf(out, n, "%.0fm", s / 60);
	else if (s < 172800)
		snprintf(out, n, "%.0fh", s / 3600);
	else
		snprintf(out, n, "%.0fd", s / 86400);
}

static void
emit_time(const struct fd_sqs_msg *m, const char *attr, const char *label, int64_t now_ms,
          fd_msg_emit_fn emit, void *ud)
{
	const char *v = fd_sqs_msg_sys(m, attr);
	char iso[21], age[16], text[64];
	long long ms = v ? strtoll(v, NULL, 10) : 0;

	if (ms <= 0)
		return;
	fd_format_iso8601((time_t)(ms / 1000), iso);
	fd_fmt_age((double)(now_ms - ms) / 1000.0, age, sizeof(age));
	emit(ud, 1, FD_MP_LABEL, label);
	emit(ud, 0, FD_MP_VALUE, iso);
	snprintf(text, sizeof(text), "  (%s ago)", age);
	emit(ud, 0, FD_MP_DIM, text);
}

static void
emit_sys(const struct fd_sqs_msg *m, const char *attr, const char *label, fd_msg_emit_fn emit,
         void *ud)
{
	const char *v = fd_sqs_msg_sys(m, attr);

	if (!v)
		return;
	emit(ud, 1, FD_MP_LABEL, label);
	emit(ud, 0, FD_MP_VALUE, v);
}

static void
hex_line(const unsigned char *p, size_t n, size_t off, char *out, size_t cap)
{
	size_t i, k = (size_t)snprintf(out, cap, "%08zx  ", off);

	for (i = 0; i < HEX_ROW && k + 4 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, i < n ? "%02x " : "   ", i < n ? p[i] : 0);
	for (i = 0; i < n && i < HEX_ROW && k + 2 < cap; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	out[k] = '\0';
}

static void
emit_hex(const char *data, size_t n, size_t max_rows, fd_msg_emit_fn emit, void *ud)
{
	char line[128];
	size_t off;

	for (off = 0; off < n && off / HEX_ROW < max_rows; off += HEX_ROW) {
		hex_line((const unsigned char *)data + off, n - off, off, line, sizeof(line));
		emit(ud, 1, FD_MP_BODY, line);
	}
	if (off < n) {
		snprintf(line, sizeof(line), "... %zu more bytes", n - off);
		emit(ud, 1, FD_MP_DIM, line);
	}
}

static void
emit_attrs(const struct fd_sqs_msg *m, fd_msg_emit_fn emit, void *ud)
{
	char head[160];
	size_t i;

	for (i = 0; i < m->nattrs; i++) {
		const struct fd_sqs_attr *a = &m->attrs[i];
		emit(ud, 1, FD_MP_LABEL, i ? "" : "attributes");
		snprintf(head, sizeof(head), "%s ", a->name);
		emit(ud, 0, FD_MP_VALUE, head);
		if (fd_str_starts(a->type, "Binary")) {
			snprintf(head, sizeof(head), "(%s, %zu bytes)", a->type, a->len);
			emit(ud, 0, FD_MP_DIM, head);
			emit_hex(a->value, a->len, 4, emit, ud);
			continue;
		}
		snprintf(head, sizeof(head), "(%s) = ", a->type);
		emit(ud, 0, FD_MP_DIM, head);
		emit(ud, 0, FD_MP_VALUE, a->value);
	}
}

/* Lambda puts the failed invocation's RequestID, ErrorCode and ErrorMessage in the
 * attributes of the messages it sends to an async DLQ. */
static void
emit_lambda(const struct fd_sqs_msg *m, fd_msg_emit_fn emit, void *ud)
{
	const struct fd_sqs_attr *code = fd_sqs_msg_attr(m, "ErrorCode");
	const struct fd_sqs_attr *msg = fd_sqs_msg_attr(m, "ErrorMessage");
	const struct fd_sqs_attr *rid = fd_sqs_msg_attr(m, "RequestID");

	if (!msg && !code)
		return;
	emit(ud, 1, FD_MP_LABEL, "lambda error");
	emit(ud, 0, FD_MP_WARN, msg ? msg->value : "");
	if (code) {
		emit(ud, 0, FD_MP_DIM, "  ErrorCode ");
		emit(ud, 0, FD_MP_VALUE, code->value);
	}
	if (rid) {
		emit(ud, 1, FD_MP_LABEL, "request id");
		emit(ud, 0, FD_MP_VALUE, rid->value);
	}
}

static int
binaryish(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return 1;
	}
	return 0;
}

static void
emit_text(const char *s, size_t n, fd_msg_emit_fn emit, void *ud)
{
	const char *end = s + n, *nl;
	char *line;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		line = fd_xstrndup(s, nl ? (size_t)(nl - s) : (size_t)(end - s));
		emit(ud, 1, FD_MP_BODY, line);
		free(line);
		s = nl ? nl + 1 : end;
	}
}

static void
emit_body(const struct fd_sqs_msg *m, size_t body_max, fd_msg_emit_fn emit, void *ud)
{
	size_t n = body_max && m->body_len > body_max ? body_max : m->body_len;
	struct fd_buf pretty;
	char head[96];
	int json;

	fd_buf_init(&pretty);
	json = n == m->body_len && sqs_json_pretty(m->body, m->body_len, &pretty);
	snprintf(head, sizeof(head), "%s, %zu bytes%s",
	         json                    ? "JSON"
	         : binaryish(m->body, n) ? "binary"
	                                 : "text",
	         m->body_len, n < m->body_len ? ", truncated" : "");
	emit(ud, 1, FD_MP_LABEL, "body");
	emit(ud, 0, FD_MP_DIM, head);
	if (json)
		emit_text(pretty.data, pretty.len, emit, ud);
	else if (binaryish(m->body, n))
		emit_hex(m->body, n, (size_t)-1, emit, ud);
	else
		emit_text(m->body, n, emit, ud);
	if (n < m->body_len) {
		snprintf(head, sizeof(head), "... %zu more bytes", m->body_len - n);
		emit(ud, 1, FD_MP_DIM, head);
	}
	fd_buf_free(&pretty);
}

void
fd_msg_describe(const struct fd_sqs_msg *m, int64_t now_ms, size_t body_max, fd_msg_emit_fn emit,
                void *ud)
{
	emit(ud, 1, FD_MP_TITLE, m->id ? m->id : "?");
	if (!m->md5_ok)
		emit(ud, 0, FD_MP_WARN, "  body or attributes do not match SQS's MD5");
	emit_time(m, "SentTimestamp", "sent", now_ms, emit, ud);
	emit_time(m, "ApproximateFirstReceiveTimestamp", "first recv", now_ms, emit, ud);
	emit_sys(m, "ApproximateReceiveCount", "receives", emit, ud);
	emit_sys(m, "MessageGroupId", "group", emit, ud);
	emit_sys(m, "MessageDeduplicationId", "dedup id", emit, ud);
	emit_sys(m, "SequenceNumber", "sequence", emit, ud);
	emit_sys(m, "DeadLetterQueueSourceArn", "came from", emit, ud);
	emit_sys(m, "SenderId", "sender", emit, ud);
	emit_lambda(m, emit, ud);
	emit_attrs(m, emit, ud);
	emit_body(m, body_max, emit, ud);
}
