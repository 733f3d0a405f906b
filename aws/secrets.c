/* secrets.c - Secrets Manager DescribeSecret (awsJson 1.1): metadata only. The
 * parser reads named fields and nothing else, so a value could never be copied even
 * if an answer carried one. Also the plain helpers for secret metadata records. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/secrets.h"

#define SECRET_MAX_FIELD 2048

const char *
fd_secret_kind_name(enum fd_secret_kind k)
{
	return k == FD_SECRET_SSM ? "ssm" : "secretsmanager";
}

void
fd_secret_meta_clear(struct fd_secret_meta *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->arn);
	free(m->name);
	free(m->kms_key);
	free(m->type);
	free(m->error);
	memset(m, 0, sizeof(*m));
}

void
fd_secret_metas_free(struct fd_secret_meta *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		fd_secret_meta_clear(&m[i]);
	free(m);
}

void
fd_secret_refs_free(struct fd_secret_ref *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].id);
		free(r[i].via);
	}
	free(r);
}

void
secrets_describe_request(struct aws_request *r, const char *secret_id)
{
	cJSON *doc = cJSON_CreateObject();
	char *body;

	cJSON_AddStringToObject(doc, "SecretId", secret_id ? secret_id : "");
	body = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!body)
		fd_fatal("out of memory building a DescribeSecret request");
	aws_request_init(r, AWS_SVC_SECRETS, "DescribeSecret");
	aws_request_json(r, body, strlen(body));
	free(body);
}

static char *
str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > SECRET_MAX_FIELD)
		return NULL;
	return fd_xstrdup(v->valuestring);
}

/* awsJson timestamps are epoch seconds (fractions allowed); 0 when absent. */
static int64_t
time_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble <= 0 ||
	    v->valuedouble > 1e11)
		return 0;
	return (int64_t)v->valuedouble;
}

static void
rotation(const cJSON *doc, struct fd_secret_meta *out)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(doc, "RotationEnabled");
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(doc, "RotationRules");
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(rules, "AutomaticallyAfterDays");

	out->rotation_enabled = cJSON_IsTrue(en);
	if (cJSON_IsNumber(days) && days->valuedouble >= 1 && days->valuedouble <= 1000)
		out->rotation_days = (int)days->valuedouble;
}

enum fd_status
secrets_parse_describe(const char *json, size_t len, struct fd_secret_meta *out, struct fd_err *err)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE, "DescribeSecret: answer is not a JSON object");
	}
	out->kind = FD_SECRET_SM;
	out->found = 1;
	free(out->arn);
	free(out->name);
	free(out->kms_key);
	out->arn = str_field(doc, "ARN");
	out->name = str_field(doc, "Name");
	out->kms_key = str_field(doc, "KmsKeyId");
	rotation(doc, out);
	out->last_rotated_s = time_field(doc, "LastRotatedDate");
	out->last_changed_s = time_field(doc, "LastChangedDate");
	out->last_accessed_s = time_field(doc, "LastAccessedDate");
	out->created_s = time_field(doc, "CreatedDate");
	out->next_rotation_s = time_field(doc, "NextRotationDate");
	cJSON_Delete(doc);
	if (!out->arn || !out->name)
		return fd_err_set(err, FD_EPARSE, "DescribeSecret: no ARN or Name");
	return FD_OK;
}
