/* test_aws_simhelp.c - helpers shared by the simulator tests and the risk fixtures
 * (test_aws_sim.h). */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_aws_sim.h"

extern char **environ;

void
test_clear_aws_env(void)
{
	char name[256];
	size_t i = 0;

	while (environ[i]) {
		const char *eq = strchr(environ[i], '=');
		size_t n = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		if (strncmp(environ[i], "AWS_", 4) == 0 && n < sizeof(name)) {
			memcpy(name, environ[i], n);
			name[n] = '\0';
			unsetenv(name);
			i = 0;
			continue;
		}
		i++;
	}
	setenv("HOME", fd_test_tmpdir(), 1);
}

int
test_write_tmp(const char *name, const char *text, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", fd_test_tmpdir(), name);
	f = fopen(path, "w");
	if (!f) {
		fd_test_fail(__FILE__, __LINE__, "cannot write %s", path);
		return 0;
	}
	fputs(text, f);
	fclose(f);
	return 1;
}

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

int
sim_open_reset(struct sim *x, const char *reset_body)
{
	struct aws_client_opts o;

	if (fd_test_sim_control("POST", "reset", reset_body, NULL) != 200)
		return 0;
	memset(&o, 0, sizeof(o));
	o.rng_seed = 7;
	return sim_open(x, NULL, &o);
}

long
sim_requests(const char *key)
{
	char *body = NULL, pat[160];
	const char *p;
	long v = -1;

	if (fd_test_sim_control("GET", "stats", NULL, &body) == 200 && body) {
		snprintf(pat, sizeof(pat), "\"%s\":", key);
		p = strstr(body, pat);
		v = p ? strtol(p + strlen(pat), NULL, 10) : 0;
	}
	free(body);
	return v;
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

int
sim_fleet_open(struct sim_fleet *x, const char *reset_body, unsigned refresh)
{
	struct fd_err err = {FD_OK, ""};

	memset(x, 0, sizeof(*x));
	fd_test_sim_url();
	if (fd_test_sim_control("POST", "reset", reset_body, NULL) != 200 ||
	    !sim_open(&x->sim, NULL, NULL))
		return 0;
	snprintf(x->path, sizeof(x->path), "%s/cache.db", fd_test_tmpdir());
	fd_strlcpy(x->ctx.profile, "default", sizeof(x->ctx.profile));
	fd_strlcpy(x->ctx.account, "123456789012", sizeof(x->ctx.account));
	fd_strlcpy(x->ctx.region, "us-east-1", sizeof(x->ctx.region));
	if (fd_cache_open(x->path, &x->cache, NULL, &err) != FD_OK ||
	    fd_model_new(x->sim.c, x->cache, &x->ctx, &x->m, &err) != FD_OK ||
	    (refresh && fd_model_refresh_sync(x->m, refresh, &err) != FD_OK)) {
		fd_test_fail(__FILE__, __LINE__, "setup: %s", err.msg);
		return 0;
	}
	return 1;
}

void
sim_fleet_close(struct sim_fleet *x)
{
	fd_model_free(x->m);
	fd_cache_close(x->cache);
	sim_close(&x->sim);
}

int
model_has_risk(struct fd_model *m, const char *fn, const char *check)
{
	const struct fd_risk *r;
	size_t n = fd_model_risks(m, &r), i;

	for (i = 0; i < n; i++)
		if (strcmp(r[i].function, fn) == 0 && strcmp(r[i].check_id, check) == 0)
			return 1;
	return 0;
}

const struct fd_risk *
fx_risk_eval(const struct fd_function *fn, const struct fd_iam_facts *facts,
             struct fd_risk **risks, size_t *n, const char *check)
{
	struct fd_risk_input in;
	size_t i;

	fd_risks_free(*risks, *n);
	*risks = NULL;
	*n = 0;
	memset(&in, 0, sizeof(in));
	in.fn = fn;
	in.iam = facts;
	in.now_s = FX_NOW_S;
	in.window_s = 3600;
	fd_risks_eval(&in, risks, n);
	for (i = 0; i < *n; i++)
		if (strcmp((*risks)[i].check_id, check) == 0)
			return &(*risks)[i];
	return NULL;
}
