/* sqs_json.c - JSON services for the layers above aws/ (which do not parse JSON
 * themselves): pretty-printing a message body for the inspector, and looking up a
 * path such as .detail.orderId or .Records[0].Sns.Message for message filters. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/sqs.h"

#define PATH_MAX_STEPS 32
#define PATH_KEY_MAX 256

int
sqs_json_pretty(const char *s, size_t len, struct fd_buf *out)
{
	cJSON *doc;
	char *text;

	while (len && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
		s++;
		len--;
	}
	if (!len || (*s != '{' && *s != '['))
		return 0;
	doc = cJSON_ParseWithLengthOpts(s, len, NULL, 0);
	if (!doc)
		return 0;
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		fd_fatal("out of memory printing JSON");
	/* cJSON indents with tabs and puts one after each colon; two spaces and one
	 * read better in a narrow pane. */
	for (char *p = text; *p; p++) {
		if (*p == '\t')
			fd_buf_puts(out, p > text && p[-1] == ':' ? " " : "  ");
		else
			fd_buf_putc(out, *p);
	}
	free(text);
	return 1;
}

struct path_step {
	char key[PATH_KEY_MAX];
	long index; /* >= 0: array index; -1: object key */
};

static const char *
parse_quoted(const char *p, struct path_step *s, struct fd_err *err)
{
	size_t n = 0;

	p++;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 >= sizeof(s->key)) {
			fd_err_set(err, FD_EINVAL, "path key too long");
			return NULL;
		}
		s->key[n++] = *p++;
	}
	s->key[n] = '\0';
	if (*p != '"' || p[1] != ']') {
		fd_err_set(err, FD_EINVAL, "unterminated [\"key\"] in path");
		return NULL;
	}
	return p + 2;
}

static const char *
parse_bracket(const char *p, struct path_step *s, struct fd_err *err)
{
	char *end = NULL;

	s->key[0] = '\0';
	if (p[1] == '"')
		return parse_quoted(p + 1, s, err);
	s->index = strtol(p + 1, &end, 10);
	if (!end || end == p + 1 || *end != ']' || s->index < 0) {
		fd_err_set(err, FD_EINVAL, "expected [N] or [\"key\"] in path");
		return NULL;
	}
	return end + 1;
}

static int
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '$' || c == '@' || (unsigned char)c >= 0x80;
}

static const char *
parse_dot(const char *p, struct path_step *s, struct fd_err *err)
{
	size_t n = 0;

	p++;
	s->index = -1;
	while (key_char(*p)) {
		if (n + 1 >= sizeof(s->key)) {
			fd_err_set(err, FD_EINVAL, "path key too long");
			return NULL;
		}
		s->key[n++] = *p++;
	}
	s->key[n] = '\0';
	if (!n && *p != '[' && *p) {
		fd_err_set(err, FD_EINVAL, "unexpected '%c' after '.' in path", *p);
		return NULL;
	}
	return p;
}

/* ".a.b[0][\"c d\"]" -> steps; "." alone is the whole document (0 steps). */
static enum fd_status
parse_path(const char *path, struct path_step *steps, size_t *n, struct fd_err *err)
{
	const char *p = path;

	*n = 0;
	if (!path || path[0] != '.')
		return fd_err_set(err, FD_EINVAL, "a JSON path starts with '.' (got \"%.60s\")",
		                  path ? path : "");
	while (*p) {
		if (*n == PATH_MAX_STEPS)
			return fd_err_set(err, FD_EINVAL, "path deeper than %d", PATH_MAX_STEPS);
		steps[*n].index = -1;
		if (*p == '.')
			p = parse_dot(p, &steps[*n], err);
		else if (*p == '[')
			p = parse_bracket(p, &steps[*n], err);
		else
			return fd_err_set(err, FD_EINVAL, "unexpected '%c' in path", *p);
		if (!p)
			return FD_EINVAL;
		if (steps[*n].key[0] || steps[*n].index >= 0)
			(*n)++;
	}
	return FD_OK;
}

enum fd_status
sqs_json_path_check(const char *path, struct fd_err *err)
{
	struct path_step steps[PATH_MAX_STEPS];
	size_t n;

	return parse_path(path, steps, &n, err);
}

static void
set_value(const cJSON *v, struct sqs_jvalue *out)
{
	char *text;

	if (!v) {
		out->type = SQS_J_MISSING;
	} else if (cJSON_IsNull(v)) {
		out->type = SQS_J_NULL;
	} else if (cJSON_IsBool(v)) {
		out->type = SQS_J_BOOL;
		out->num = cJSON_IsTrue(v);
	} else if (cJSON_IsNumber(v)) {
		out->type = SQS_J_NUMBER;
		out->num = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		out->type = SQS_J_STRING;
		out->text = fd_xstrdup(v->valuestring);
	} else {
		out->type = SQS_J_OTHER;
		text = cJSON_PrintUnformatted(v);
		out->text = fd_xstrdup(text ? text : "");
		free(text);
	}
}

enum fd_status
sqs_json_path(const char *json, size_t len, const char *path, struct sqs_jvalue *out,
              struct fd_err *err)
{
	struct path_step steps[PATH_MAX_STEPS];
	const cJSON *v;
	cJSON *doc;
	size_t n, i;
	enum fd_status st = parse_path(path, steps, &n, err);

	memset(out, 0, sizeof(*out));
	if (st != FD_OK)
		return st;
	doc = json && len ? cJSON_ParseWithLengthOpts(json, len, NULL, 0) : NULL;
	v = doc;
	for (i = 0; v && i < n; i++) {
		if (steps[i].index >= 0)
			v = cJSON_IsArray(v) && steps[i].index < cJSON_GetArraySize(v)
			        ? cJSON_GetArrayItem(v, (int)steps[i].index)
			        : NULL;
		else
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, steps[i].key)
			                      : NULL;
	}
	set_value(v, out);
	cJSON_Delete(doc);
	return FD_OK;
}

void
sqs_jvalue_free(struct sqs_jvalue *v)
{
	free(v->text);
	memset(v, 0, sizeof(*v));
}

int
sqs_json_literal(const char *s, struct sqs_jvalue *out)
{
	cJSON *doc = s ? cJSON_Parse(s) : NULL;
	int ok = doc && !cJSON_IsObject(doc) && !cJSON_IsArray(doc);

	memset(out, 0, sizeof(*out));
	if (ok)
		set_value(doc, out);
	cJSON_Delete(doc);
	return ok;
}
