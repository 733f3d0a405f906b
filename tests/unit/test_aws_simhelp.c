/* test_aws_simhelp.c - helpers shared by the AWS engine's simulator tests. */
#include <stdlib.h>

#include "test.h"
#include "test_aws_sim.h"

void
sim_env(const char *endpoint)
{
	char path[600];

	setenv("AWS_ENDPOINT_URL", endpoint, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true", 1);
	setenv("AWS_ACCESS_KEY_ID", SIM_KEY, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SIM_SECRET, 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_MAX_ATTEMPTS");
	unsetenv("AWS_RETRY_MODE");
	snprintf(path, sizeof(path), "%s/config", fd_test_tmpdir());
	setenv("AWS_CONFIG_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/credentials", fd_test_tmpdir());
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
}

int
sim_open(struct sim *x, const char *endpoint, const struct aws_client_opts *opts)
{
	struct aws_settings_opts so;
	struct aws_client_opts o;
	struct fd_err err = {FD_OK, ""};

	if (!endpoint) {
		endpoint = fd_test_sim_url();
		fd_test_sim_control("POST", "faults", "{\"rules\":[]}", NULL);
		fd_test_sim_control("POST", "clock", "{\"skew_s\":0}", NULL);
		fd_test_sim_control("POST", "stats/reset", "{}", NULL);
	}
	sim_env(endpoint);
	memset(&so, 0, sizeof(so));
	memset(x, 0, sizeof(*x));
	if (aws_settings_load(&x->s, &so, &err) != FD_OK ||
	    aws_creds_resolve(&x->s, &x->creds, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "setup: %s", err.msg);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	if (opts)
		o = *opts;
	if (!o.rng_seed)
		o.rng_seed = 12345;
	if (aws_client_new(&x->s, &x->creds, &o, &x->c, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "client: %s", err.msg);
		return 0;
	}
	return 1;
}

void
sim_close(struct sim *x)
{
	aws_client_free(x->c);
	aws_creds_free(&x->creds);
	aws_settings_free(&x->s);
}

void
sim_faults(const char *rules)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"rules\":[%s]}", rules);
	CHECK_INT(fd_test_sim_control("POST", "faults", body, NULL), 200);
}

cJSON *
sim_get(const char *path)
{
	char *out = NULL;
	cJSON *doc;

	CHECK_INT(fd_test_sim_control("GET", path, NULL, &out), 200);
	doc = cJSON_Parse(out ? out : "");
	free(out);
	return doc;
}

int
sim_stat(const char *field, const char *key)
{
	cJSON *doc = sim_get("stats");
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, field), key);
	int n = cJSON_IsNumber(v) ? v->valueint : 0;

	cJSON_Delete(doc);
	return n;
}

const char *
entry_header(const cJSON *entry, const char *name)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, cJSON_GetObjectItem(entry, "headers"))
	{
		const cJSON *n = cJSON_GetArrayItem(h, 0), *v = cJSON_GetArrayItem(h, 1);
		if (cJSON_IsString(n) && fd_str_case_eq(n->valuestring, name) && cJSON_IsString(v))
			return v->valuestring;
	}
	return NULL;
}

const char *
entry_str(const cJSON *entry, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(entry, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

void
describe_groups(struct sim *x, struct aws_response *resp)
{
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LOGS, "DescribeLogGroups");
	aws_request_json(&r, "{\"limit\":1}", 11);
	aws_call_sync(x->c, &r, resp);
}

int
first_log_group(struct sim *x, char *out, size_t n)
{
	struct aws_response resp;
	cJSON *doc;
	const cJSON *name;
	int found;

	describe_groups(x, &resp);
	doc = cJSON_Parse(resp.body.data ? resp.body.data : "");
	name = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "logGroups"), 0),
	                           "logGroupName");
	found = cJSON_IsString(name);
	if (found)
		snprintf(out, n, "%s", name->valuestring);
	cJSON_Delete(doc);
	aws_response_free(&resp);
	return found;
}
