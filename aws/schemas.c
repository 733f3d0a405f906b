/* schemas.c - EventBridge Schemas DescribeSchema (restJson1), read for the Lambda
 * console's shareable test events: the answer's Content is the schema document as a
 * JSON string, and that document's components.examples map event names to
 * {"value": EVENT}. Everything here is untrusted network text; the parsers only copy
 * names and re-print values with cJSON. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/jsonutil.h"
#include "fleetdeck/schemas.h"

#define SCHEMAS_OP "DescribeSchema"

void
fd_console_events_free(struct fd_console_event *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++) {
		free(e[i].name);
		free(e[i].json);
	}
	free(e);
}

void
schemas_describe_request(struct aws_request *r, const char *registry, const char *schema)
{
	aws_request_init(r, AWS_SVC_SCHEMAS, SCHEMAS_OP);
	r->method = "GET";
	aws_request_path(r, "/v1/registries/name/");
	aws_request_path_segment(r, registry);
	aws_request_path(r, "/schemas/name/");
	aws_request_path_segment(r, schema);
}

enum fd_status
schemas_parse_describe(const char *json, size_t len, char **content, struct fd_err *err)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "Content");
	enum fd_status st = FD_OK;

	*content = NULL;
	if (!cJSON_IsObject(doc))
		st = fd_err_set(err, FD_EPARSE, "DescribeSchema: answer is not a JSON object");
	else if (!cJSON_IsString(c))
		st = fd_err_set(err, FD_EPARSE, "DescribeSchema: answer has no Content string");
	else
		*content = fd_xstrdup(c->valuestring);
	cJSON_Delete(doc);
	return st;
}

/* One example: {"value": EVENT, ...}; 0 when it holds no event (or not valid JSON). */
static int
take_example(const cJSON *ex, struct fd_console_event *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ex, "value");
	char *text;
	int ok;

	if (!cJSON_IsObject(ex) || !v || !ex->string || !ex->string[0])
		return 0;
	text = cJSON_PrintUnformatted(v);
	if (!text)
		fd_fatal("out of memory printing a console test event");
	/* cJSON passes invalid UTF-8 through; Lambda would refuse such an event */
	ok = fd_json_validate(text, strlen(text), NULL);
	if (ok) {
		out->name = fd_xstrdup(ex->string);
		out->json = fd_xstrdup(text);
	}
	cJSON_free(text);
	return ok;
}

static const cJSON *
examples_of(const cJSON *doc)
{
	const cJSON *comp = cJSON_GetObjectItemCaseSensitive(doc, "components");

	return cJSON_GetObjectItemCaseSensitive(comp, "examples");
}

enum fd_status
schemas_parse_test_events(const char *content, size_t len, struct fd_console_event **out, size_t *n,
                          size_t *skipped, struct fd_err *err)
{
	cJSON *doc = content && len ? cJSON_ParseWithLength(content, len) : NULL;
	const cJSON *examples = examples_of(doc), *ex;
	size_t cap = (size_t)cJSON_GetArraySize(examples), bad = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE, "the test-event schema is not a JSON object");
	}
	if (!cJSON_IsObject(examples))
		cap = 0;
	if (cap > FD_SCHEMAS_MAX_EVENTS)
		cap = FD_SCHEMAS_MAX_EVENTS;
	if (cap)
		*out = fd_xcalloc(cap, sizeof(**out));
	for (ex = cap ? examples->child : NULL; ex && *n < cap; ex = ex->next) {
		if (take_example(ex, &(*out)[*n]))
			(*n)++;
		else
			bad++;
	}
	if (skipped)
		*skipped = bad;
	cJSON_Delete(doc);
	return FD_OK;
}

/* An aws_error for a failure with no AWS error answer behind it. */
static void
set_error(struct aws_error *e, enum fd_status st, const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->status = st;
	e->retry_after_ms = -1;
	fd_strlcpy(e->service, "Schemas", sizeof(e->service));
	fd_strlcpy(e->op, SCHEMAS_OP, sizeof(e->op));
	fd_strlcpy(e->message, msg && msg[0] ? msg : fd_status_str(st), sizeof(e->message));
}

/* A missing schema or registry: the function has no shareable events here. */
static enum fd_status
call_failed(enum fd_status st, const struct aws_response *resp, const char *function,
            struct aws_error *err)
{
	const struct aws_error *e = &resp->error;

	if (e->status != FD_OK && e->http_status == 404 &&
	    strcmp(e->code, "NotFoundException") == 0) {
		*err = *e;
		err->status = FD_ENOTFOUND;
		snprintf(err->message, sizeof(err->message),
		         "no shareable test events for %s in this account/region", function);
		return FD_ENOTFOUND;
	}
	if (e->status != FD_OK) {
		*err = *e;
		return e->status;
	}
	set_error(err, st, NULL);
	return st;
}

static enum fd_status
parse_answer(const struct aws_response *resp, struct fd_console_event **out, size_t *n,
             struct aws_error *err)
{
	struct fd_err perr = {FD_OK, ""};
	char *content = NULL;
	enum fd_status st;

	st = schemas_parse_describe(resp->body.data, resp->body.len, &content, &perr);
	if (st == FD_OK)
		st = schemas_parse_test_events(content, strlen(content), out, n, NULL, &perr);
	if (st != FD_OK)
		set_error(err, st, perr.msg);
	free(content);
	return st;
}

enum fd_status
schemas_lambda_test_events_sync(struct aws_client *c, const char *function,
                                struct fd_console_event **out, size_t *n, struct aws_error *err)
{
	struct aws_request r;
	struct aws_response resp;
	char *schema = fd_xasprintf("_%s-schema", function);
	enum fd_status st;

	*out = NULL;
	*n = 0;
	memset(&resp, 0, sizeof(resp));
	schemas_describe_request(&r, FD_SCHEMAS_TESTEVENT_REGISTRY, schema);
	st = aws_call_sync(c, &r, &resp);
	if (st != FD_OK || resp.error.status != FD_OK)
		st = call_failed(st, &resp, function, err);
	else
		st = parse_answer(&resp, out, n, err);
	aws_response_free(&resp);
	aws_request_free(&r);
	free(schema);
	return st;
}
