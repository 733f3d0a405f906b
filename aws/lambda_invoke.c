/* lambda_invoke.c - Lambda Invoke (restJson1, raw payload body): the request with its
 * invocation type, log type and client context headers; the answer read into a plain
 * record (log tail decoded with OpenSSL's EVP decoder, REPORT found with the log line
 * parser); GetFunction for the guardrail's facts; base64 and MD5 for src/. */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/invoke.h"
#include "http_int.h"

#define INVOKE_DEFAULT_TIMEOUT_MS 905000L
#define TIMEOUT_MARGIN_MS 15000L

static const char *const type_names[] = {
    [FD_INVOKE_SYNC] = "RequestResponse",
    [FD_INVOKE_ASYNC] = "Event",
    [FD_INVOKE_DRYRUN] = "DryRun",
};

const char *
fd_invoke_type_name(enum fd_invoke_type t)
{
	return (size_t)t < FD_ARRAY_LEN(type_names) ? type_names[t] : "?";
}

int
fd_invoke_type_parse(const char *s, enum fd_invoke_type *out)
{
	static const struct {
		const char *name;
		enum fd_invoke_type t;
	} names[] = {
	    {"RequestResponse", FD_INVOKE_SYNC}, {"sync", FD_INVOKE_SYNC},
	    {"Event", FD_INVOKE_ASYNC},          {"async", FD_INVOKE_ASYNC},
	    {"DryRun", FD_INVOKE_DRYRUN},        {"dry-run", FD_INVOKE_DRYRUN},
	};
	size_t i;

	for (i = 0; s && i < FD_ARRAY_LEN(names); i++) {
		if (fd_str_case_eq(s, names[i].name)) {
			*out = names[i].t;
			return 1;
		}
	}
	return 0;
}

enum fd_status
fd_invoke_check_size(enum fd_invoke_type t, size_t len, struct fd_err *err)
{
	long limit = t == FD_INVOKE_ASYNC ? FD_INVOKE_ASYNC_MAX : FD_INVOKE_SYNC_MAX;

	if (len <= (size_t)limit)
		return FD_OK;
	return fd_err_set(err, FD_EINVAL,
	                  "payload is %zu bytes; %s invocations take at most %ld bytes (%s)", len,
	                  fd_invoke_type_name(t), limit, t == FD_INVOKE_ASYNC ? "1 MiB" : "6 MiB");
}

void
fd_invoke_result_init(struct fd_invoke_result *r)
{
	memset(r, 0, sizeof(*r));
	fd_buf_init(&r->payload);
	fd_buf_init(&r->log);
	r->error.retry_after_ms = -1;
}

void
fd_invoke_result_free(struct fd_invoke_result *r)
{
	fd_buf_free(&r->payload);
	fd_buf_free(&r->log);
	memset(r, 0, sizeof(*r));
}

int
fd_invoke_result_ok(const struct fd_invoke_result *r)
{
	return r->error.status == FD_OK && r->http_status >= 200 && r->http_status < 300 &&
	       !r->function_error[0];
}

/* ---- base64 and MD5 ---- */

char *
fd_base64_encode(const void *data, size_t n)
{
	char *out = fd_xmalloc(4 * ((n + 2) / 3) + 1);
	const unsigned char *p = data;
	size_t done = 0, o = 0;

	/* EVP_EncodeBlock takes an int: feed it in chunks that are multiples of 3. */
	while (done < n) {
		size_t chunk = FD_MIN(n - done, (size_t)3 * 1024 * 1024);
		o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, p + done, (int)chunk);
		done += chunk;
	}
	out[o] = '\0';
	return out;
}

enum fd_status
fd_base64_decode(const char *s, size_t n, struct fd_buf *out)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	enum fd_status st = FD_EPARSE;
	size_t start = out->len;
	int got = 0;

	if (!ctx)
		fd_fatal("out of memory (EVP_ENCODE_CTX)");
	if (n > (size_t)1 << 30)
		goto out;
	fd_buf_reserve(out, n / 4 * 3 + 4);
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, (unsigned char *)out->data + out->len, &got,
	                     (const unsigned char *)s, (int)n) < 0)
		goto out;
	out->len += (size_t)got;
	if (EVP_DecodeFinal(ctx, (unsigned char *)out->data + out->len, &got) < 0)
		goto out;
	out->len += (size_t)got;
	st = FD_OK;
out:
	if (st != FD_OK)
		out->len = start;
	if (out->data)
		out->data[out->len] = '\0';
	EVP_ENCODE_CTX_free(ctx);
	return st;
}

void
fd_md5_hex(const void *data, size_t n, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (!EVP_Digest(data, n, md, &len, EVP_md5(), NULL))
		len = 0;
	for (i = 0; i < len && i < 16; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * i] = '\0';
}

/* ---- the request ---- */

static enum fd_status
client_context_header(struct aws_request *r, const char *ctx, struct fd_err *err)
{
	char *b64 = fd_base64_encode(ctx, strlen(ctx));
	size_t n = strlen(b64);

	if (n > FD_INVOKE_CONTEXT_MAX) {
		free(b64);
		return fd_err_set(err, FD_EINVAL,
		                  "client context is %zu bytes once base64-encoded; Lambda takes "
		                  "at most %d",
		                  n, FD_INVOKE_CONTEXT_MAX);
	}
	aws_request_header(r, "X-Amz-Client-Context", b64);
	free(b64);
	return FD_OK;
}

enum fd_status
lambda_invoke_build(const struct fd_invoke_req *in, struct aws_request *r, struct fd_err *err)
{
	enum fd_status st;

	aws_request_init(r, AWS_SVC_LAMBDA, "Invoke");
	if (!in->function || !in->function[0])
		return fd_err_set(err, FD_EINVAL, "invoke: no function name");
	if ((st = fd_invoke_check_size(in->type, in->len, err)) != FD_OK)
		return st;
	r->method = "POST";
	aws_request_path(r, "/2015-03-31/functions/");
	aws_request_path_segment(r, in->function);
	aws_request_path(r, "/invocations");
	if (in->qualifier && in->qualifier[0])
		aws_request_query(r, "Qualifier", in->qualifier);
	aws_request_header(r, "X-Amz-Invocation-Type", fd_invoke_type_name(in->type));
	if (in->tail && in->type == FD_INVOKE_SYNC)
		aws_request_header(r, "X-Amz-Log-Type", "Tail");
	if (in->client_context &&
	    (st = client_context_header(r, in->client_context, err)) != FD_OK) {
		aws_request_free(r);
		return st;
	}
	aws_request_json(r, in->payload, in->payload ? in->len : 0);
	r->timeout_ms = in->timeout_ms > 0 ? in->timeout_ms : INVOKE_DEFAULT_TIMEOUT_MS;
	return FD_OK;
}

/* ---- the answer ---- */

static void
copy_header(const struct aws_response *resp, const char *name, char *out, size_t n)
{
	const char *v = aws_response_header(resp, name);

	fd_strlcpy(out, v ? v : "", n);
}

static void
scan_tail_line(struct fd_invoke_result *out, const char *line, size_t n)
{
	struct fd_logline l;

	fd_logline_init(&l);
	fd_logline_parse(line, n, &l);
	if (l.kind == FD_LINE_REPORT) {
		out->report = l.report;
		out->has_report = 1;
		if (strcmp(l.report.status, "timeout") == 0)
			out->timed_out = 1;
	} else if (l.kind == FD_LINE_TIMEOUT) {
		out->timed_out = 1;
	}
	fd_logline_free(&l);
}

/* Log lines end at '\n'; a REPORT line's XRAY companion follows on the next line and
 * is parsed with it by fd_logline_parse, so REPORT lines take their successor along. */
static void
scan_tail(struct fd_invoke_result *out)
{
	const char *p = out->log.data, *end = p + out->log.len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (fd_str_starts(p, "REPORT ") && nl && fd_str_starts(nl + 1, "XRAY ")) {
			const char *nl2 = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
			stop = nl2 ? nl2 : end;
		}
		scan_tail_line(out, p, (size_t)(stop - p));
		p = stop < end ? stop + 1 : end;
	}
}

enum fd_status
lambda_invoke_decode_tail(const char *b64, size_t n, struct fd_invoke_result *out)
{
	fd_buf_reset(&out->log);
	if (n > FD_INVOKE_TAIL_CAP || fd_base64_decode(b64, n, &out->log) != FD_OK) {
		fd_buf_reset(&out->log);
		out->log_invalid = 1;
		return FD_EPARSE;
	}
	scan_tail(out);
	return FD_OK;
}

static void
keep_payload(const struct aws_response *resp, struct fd_invoke_result *out)
{
	size_t keep = FD_MIN(resp->body.len, (size_t)FD_INVOKE_PAYLOAD_CAP);

	fd_buf_reset(&out->payload);
	out->payload_size = resp->body.len;
	out->payload_truncated = keep < resp->body.len;
	if (keep)
		fd_buf_append(&out->payload, resp->body.data, keep);
}

void
lambda_invoke_parse(const struct aws_response *resp, struct fd_invoke_result *out)
{
	const char *tail;

	out->http_status = resp->http_status;
	out->error = resp->error;
	out->attempts = resp->attempts;
	out->client_ms = resp->elapsed_ms;
	copy_header(resp, "X-Amz-Function-Error", out->function_error, sizeof(out->function_error));
	copy_header(resp, "X-Amz-Executed-Version", out->executed_version,
	            sizeof(out->executed_version));
	copy_header(resp, "x-amzn-RequestId", out->request_id, sizeof(out->request_id));
	if (resp->error.status != FD_OK)
		return;
	keep_payload(resp, out);
	tail = aws_response_header(resp, "X-Amz-Log-Result");
	if (tail)
		(void)lambda_invoke_decode_tail(tail, strlen(tail), out);
	if (!out->timed_out && out->function_error[0] && out->payload.data &&
	    strstr(out->payload.data, "Task timed out after"))
		out->timed_out = 1;
}

/* ---- calls ---- */

struct invoke_job {
	lambda_invoke_fn done;
	void (*on_cancel)(void *ud);
	void *ud;
};

static void
invoke_done(struct aws_response *resp, void *ud)
{
	struct invoke_job *j = ud;
	struct fd_invoke_result res;

	fd_invoke_result_init(&res);
	lambda_invoke_parse(resp, &res);
	j->done(&res, j->ud);
	fd_invoke_result_free(&res);
	free(j);
}

static void
invoke_cancelled(void *ud)
{
	struct invoke_job *j = ud;

	if (j->on_cancel)
		j->on_cancel(j->ud);
	free(j);
}

uint64_t
lambda_invoke_ex(struct aws_client *c, const struct fd_invoke_req *in, lambda_invoke_fn done,
                 void (*on_cancel)(void *ud), void *ud, struct fd_err *err)
{
	struct aws_request r;
	struct invoke_job *j;

	if (lambda_invoke_build(in, &r, err) != FD_OK)
		return 0;
	j = fd_xcalloc(1, sizeof(*j));
	j->done = done;
	j->on_cancel = on_cancel;
	j->ud = ud;
	return aws_call_start_ex(c, &r, invoke_done, j, invoke_cancelled, 0);
}

uint64_t
lambda_invoke(struct aws_client *c, const struct fd_invoke_req *in, lambda_invoke_fn done, void *ud,
              struct fd_err *err)
{
	return lambda_invoke_ex(c, in, done, NULL, ud, err);
}

struct invoke_sync {
	int done;
	struct fd_invoke_result *out;
};

static void
sync_done(struct fd_invoke_result *res, void *ud)
{
	struct invoke_sync *w = ud;

	*w->out = *res;
	fd_invoke_result_init(res);
	w->done = 1;
}

enum fd_status
lambda_invoke_sync(struct aws_client *c, const struct fd_invoke_req *in,
                   struct fd_invoke_result *out, struct fd_err *err)
{
	struct invoke_sync w = {0, out};
	enum fd_status st;

	fd_invoke_result_init(out);
	if (!lambda_invoke(c, in, sync_done, &w, err))
		return err ? err->status : FD_EINVAL;
	/* Short slices: a transfer finished by the wait's first perform is only collected
	 * after its poll times out. w lives on this stack. */
	st = aws_client_wait_done(c, &w.done, 50);
	if (st != FD_OK)
		return fd_err_set(err, st, "invoke: the client loop failed");
	if (out->error.status != FD_OK && err) {
		aws_error_format(&out->error, err->msg, sizeof(err->msg));
		err->status = out->error.status;
	}
	return out->error.status;
}

/* ---- GetFunction: the target ---- */

void
fd_invoke_target_free(struct fd_invoke_target *t)
{
	size_t i;

	free(t->function);
	free(t->arn);
	free(t->version);
	for (i = 0; i < t->ntags; i++) {
		free(t->tags[i].key);
		free(t->tags[i].value);
	}
	free(t->tags);
	memset(t, 0, sizeof(*t));
}

static char *
json_dup(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring ? fd_xstrndup(v->valuestring, 2048) : NULL;
}

/* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
static void
arn_fields(struct fd_invoke_target *t)
{
	const char *p = t->arn;
	int field;

	for (field = 0; p && field < 3; field++) {
		p = strchr(p, ':');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return;
	snprintf(t->region, sizeof(t->region), "%.*s", (int)strcspn(p, ":"), p);
	p = strchr(p, ':');
	if (p)
		snprintf(t->account, sizeof(t->account), "%.*s", (int)strcspn(p + 1, ":"), p + 1);
}

static void
target_tags(const cJSON *tags, struct fd_invoke_target *t)
{
	const cJSON *v;
	size_t n = (size_t)cJSON_GetArraySize(tags), i = 0;

	if (!cJSON_IsObject(tags) || !n)
		return;
	t->tags = fd_xcalloc(n, sizeof(*t->tags));
	cJSON_ArrayForEach(v, tags)
	{
		if (i == n || !v->string || !cJSON_IsString(v))
			continue;
		t->tags[i].key = fd_xstrndup(v->string, 256);
		t->tags[i].value = fd_xstrndup(v->valuestring ? v->valuestring : "", 512);
		i++;
	}
	t->ntags = i;
}

/* GetFunction carries environment values: wipe them before the tree is freed. */
static void
wipe_tree(cJSON *n)
{
	for (; n; n = n->next) {
		if (n->valuestring)
			fd_secure_wipe(n->valuestring, strlen(n->valuestring));
		wipe_tree(n->child);
	}
}

enum fd_status
lambda_parse_invoke_target(const char *json, size_t len, struct fd_invoke_target *out,
                           struct fd_err *err)
{
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(doc, "Configuration");
	const cJSON *tmo = cJSON_GetObjectItemCaseSensitive(conf, "Timeout");

	memset(out, 0, sizeof(*out));
	out->timeout_s = -1;
	if (!cJSON_IsObject(conf)) {
		wipe_tree(doc);
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE, "GetFunction: answer has no Configuration");
	}
	out->function = json_dup(conf, "FunctionName");
	out->arn = json_dup(conf, "FunctionArn");
	out->version = json_dup(conf, "Version");
	if (cJSON_IsNumber(tmo) && tmo->valuedouble > 0 && tmo->valuedouble < 86400)
		out->timeout_s = (int)tmo->valuedouble;
	target_tags(cJSON_GetObjectItemCaseSensitive(doc, "Tags"), out);
	arn_fields(out);
	wipe_tree(doc);
	cJSON_Delete(doc);
	return FD_OK;
}

struct target_job {
	lambda_target_fn done;
	void *ud;
};

static void
target_done(struct aws_response *resp, void *ud)
{
	struct target_job *j = ud;
	struct fd_invoke_target t;
	struct aws_error e = resp->error;
	struct fd_err perr = {FD_OK, ""};
	enum fd_status st = e.status;

	memset(&t, 0, sizeof(t));
	if (st == FD_OK)
		st = lambda_parse_invoke_target(resp->body.data ? resp->body.data : "",
		                                resp->body.len, &t, &perr);
	if (resp->body.data)
		fd_secure_wipe(resp->body.data, resp->body.len);
	if (st != FD_OK && e.status == FD_OK) {
		e.status = st;
		fd_strlcpy(e.message, perr.msg, sizeof(e.message));
	}
	j->done(st, &t, st == FD_OK ? NULL : &e, j->ud);
	fd_invoke_target_free(&t);
	free(j);
}

uint64_t
lambda_invoke_target(struct aws_client *c, const char *function, const char *qualifier,
                     lambda_target_fn done, void *ud)
{
	struct target_job *j = fd_xcalloc(1, sizeof(*j));
	struct aws_request r;

	j->done = done;
	j->ud = ud;
	aws_request_init(&r, AWS_SVC_LAMBDA, "GetFunction");
	r.method = "GET";
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_request_path_segment(&r, function);
	if (qualifier && qualifier[0])
		aws_request_query(&r, "Qualifier", qualifier);
	return aws_call_start_ex(c, &r, target_done, j, free, 0);
}

struct target_sync {
	int done;
	enum fd_status st;
	struct fd_invoke_target *out;
	struct aws_error *err;
};

static void
target_sync_done(enum fd_status st, struct fd_invoke_target *t, const struct aws_error *e, void *ud)
{
	struct target_sync *w = ud;

	w->done = 1;
	w->st = st;
	*w->out = *t;
	memset(t, 0, sizeof(*t));
	if (e && w->err)
		*w->err = *e;
}

enum fd_status
lambda_invoke_target_sync(struct aws_client *c, const char *function, const char *qualifier,
                          struct fd_invoke_target *out, struct aws_error *err)
{
	struct target_sync w = {0, FD_OK, out, err};
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	if (err) {
		memset(err, 0, sizeof(*err));
		err->retry_after_ms = -1;
	}
	lambda_invoke_target(c, function, qualifier, target_sync_done, &w);
	/* Short slices: a transfer finished by the wait's first perform is only collected
	 * after its poll times out. w lives on this stack. */
	st = aws_client_wait_done(c, &w.done, 50);
	if (st != FD_OK) {
		if (err) {
			err->status = st;
			fd_strlcpy(err->message, "the client loop failed", sizeof(err->message));
		}
		return st;
	}
	return w.st;
}
