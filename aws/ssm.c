/* ssm.c - SSM DescribeParameters (awsJson 1.1) filtered by name: the metadata of the
 * parameters functions reference (type, KMS key, last modified). GetParameter is never
 * called: its answer carries the value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/secrets.h"

#define SSM_MAX_FIELD 2048

void
ssm_parameter_name(const char *id, char *out, size_t n)
{
	const char *p = id ? strstr(id, ":parameter") : NULL;

	if (!id) {
		fd_strlcpy(out, "", n);
		return;
	}
	if (!fd_str_starts(id, "arn:") || !p) {
		fd_strlcpy(out, id, n);
		return;
	}
	p += strlen(":parameter");
	/* Hierarchical names keep their leading '/' in the ARN: ...:parameter/app/db */
	if (*p == '/' && strchr(p + 1, '/'))
		fd_strlcpy(out, p, n);
	else
		fd_strlcpy(out, *p == '/' ? p + 1 : p, n);
}

void
ssm_describe_parameters_request(struct aws_request *r, const char *const *names, size_t n,
                                const char *next_token)
{
	cJSON *doc = cJSON_CreateObject(), *filters, *f, *vals;
	char *body;
	size_t i;

	filters = cJSON_AddArrayToObject(doc, "ParameterFilters");
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "Key", "Name");
	cJSON_AddStringToObject(f, "Option", "Equals");
	vals = cJSON_AddArrayToObject(f, "Values");
	for (i = 0; i < n && i < FD_SSM_DESCRIBE_MAX_NAMES; i++)
		cJSON_AddItemToArray(vals, cJSON_CreateString(names[i]));
	cJSON_AddItemToArray(filters, f);
	cJSON_AddNumberToObject(doc, "MaxResults", 50);
	if (next_token)
		cJSON_AddStringToObject(doc, "NextToken", next_token);
	body = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!body)
		fd_fatal("out of memory building a DescribeParameters request");
	aws_request_init(r, AWS_SVC_SSM, "DescribeParameters");
	aws_request_json(r, body, strlen(body));
	free(body);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= SSM_MAX_FIELD
	           ? v->valuestring
	           : NULL;
}

static void
replace(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? fd_xstrdup(src) : NULL;
}

static void
apply_parameter(const cJSON *p, struct fd_secret_meta *metas, size_t n)
{
	const char *name = jstr(p, "Name");
	const cJSON *lm = cJSON_GetObjectItemCaseSensitive(p, "LastModifiedDate");
	char want[512];
	size_t i;

	for (i = 0; name && i < n; i++) {
		struct fd_secret_meta *m = &metas[i];
		ssm_parameter_name(m->id, want, sizeof(want));
		if (m->kind != FD_SECRET_SSM || strcmp(want, name) != 0)
			continue;
		m->found = 1;
		m->rotation_enabled = -1;
		replace(&m->name, name);
		replace(&m->arn, jstr(p, "ARN"));
		replace(&m->type, jstr(p, "Type"));
		replace(&m->kms_key, jstr(p, "KeyId"));
		if (cJSON_IsNumber(lm) && isfinite(lm->valuedouble) && lm->valuedouble > 0 &&
		    lm->valuedouble < 1e11)
			m->last_changed_s = (int64_t)lm->valuedouble;
	}
}

enum fd_status
ssm_parse_describe_parameters(const char *json, size_t len, struct fd_secret_meta *metas, size_t n,
                              char **next_token, struct fd_err *err)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	const cJSON *params, *p;
	const char *tok;

	*next_token = NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE,
		                  "DescribeParameters: answer is not a JSON object");
	}
	params = cJSON_GetObjectItemCaseSensitive(doc, "Parameters");
	if (params && !cJSON_IsArray(params)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE, "DescribeParameters: Parameters is not a list");
	}
	cJSON_ArrayForEach(p, params) if (cJSON_IsObject(p)) apply_parameter(p, metas, n);
	tok = jstr(doc, "NextToken");
	if (tok)
		*next_token = fd_xstrdup(tok);
	cJSON_Delete(doc);
	return FD_OK;
}
