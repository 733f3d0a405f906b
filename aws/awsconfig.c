/* awsconfig.c - profile, region, files and endpoint overrides, resolved once from
 * flags, environment and the shared files in the AWS CLI's order. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/awsconfig.h"
#include "fleetdeck/util.h"

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int
str_true(const char *v)
{
	return v && fd_str_case_eq(v, "true");
}

/* Copies untrusted text for an error message: at most 64 bytes, controls as '?'. */
static const char *
printable(const char *s, char out[68])
{
	size_t i;

	for (i = 0; s[i] && i < 64; i++)
		out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[i] = '\0';
	if (s[i])
		memcpy(out + i, "...", 4);
	return out;
}

/* AWS_CONFIG_FILE-style value or ~/.aws/NAME; "~/" expands to $HOME. NULL without HOME. */
static char *
file_path(const char *env, const char *name)
{
	const char *v = env_nonempty(env);
	const char *home = env_nonempty("HOME");

	if (v && (v[0] != '~' || v[1] != '/'))
		return fd_xstrdup(v);
	if (!home)
		return NULL;
	if (v)
		return fd_xasprintf("%s%s", home, v + 1);
	return fd_xasprintf("%s/.aws/%s", home, name);
}

static enum fd_status
load_file(const char *path, struct ini_file **out, struct fd_err *err)
{
	enum fd_status st;

	*out = NULL;
	if (!path)
		return FD_OK;
	st = ini_load(path, out, err);
	if (st == FD_ENOTFOUND) {
		fd_err_clear(err);
		return FD_OK;
	}
	if (st != FD_OK && err)
		err->status = FD_ECONFIG;
	return st == FD_OK ? FD_OK : FD_ECONFIG;
}

const char *
aws_settings_config_value(const struct aws_settings *s, const char *profile, const char *key)
{
	char section[300];
	const char *v;

	snprintf(section, sizeof(section), "profile %s", profile);
	v = ini_get(s->config, section, key);
	if (!v && strcmp(profile, "default") == 0)
		v = ini_get(s->config, "default", key);
	return v;
}

const char *
aws_settings_credentials_value(const struct aws_settings *s, const char *profile, const char *key)
{
	return ini_get(s->credentials, profile, key);
}

const char *
aws_settings_profile_value(const struct aws_settings *s, const char *profile, const char *key)
{
	const char *v = aws_settings_credentials_value(s, profile, key);

	return v ? v : aws_settings_config_value(s, profile, key);
}

int
aws_settings_profile_exists(const struct aws_settings *s, const char *profile)
{
	char section[300];

	snprintf(section, sizeof(section), "profile %s", profile);
	if (ini_has_section(s->config, section) || ini_has_section(s->credentials, profile))
		return 1;
	return strcmp(profile, "default") == 0 && ini_has_section(s->config, "default");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t
collect_profiles(const struct ini_file *f, int config, const char **out, size_t n)
{
	const char *name;
	size_t i;

	for (i = 0; (name = ini_section_name(f, i)) != NULL; i++) {
		if (!config)
			out[n++] = name;
		else if (fd_str_starts(name, "profile ") && name[8])
			out[n++] = name + 8;
		else if (strcmp(name, "default") == 0)
			out[n++] = name;
	}
	return n;
}

const char **
aws_settings_profiles(const struct aws_settings *s, size_t *n)
{
	size_t cap = 1, i, k = 0;
	const char **v;

	while (ini_section_name(s->config, cap - 1))
		cap++;
	for (i = 0; ini_section_name(s->credentials, i); i++)
		cap++;
	v = fd_xcalloc(cap, sizeof(*v));
	k = collect_profiles(s->config, 1, v, k);
	k = collect_profiles(s->credentials, 0, v, k);
	qsort(v, k, sizeof(*v), cmp_str);
	for (i = 0, *n = 0; i < k; i++)
		if (*n == 0 || strcmp(v[*n - 1], v[i]) != 0)
			v[(*n)++] = v[i];
	return v;
}

int
aws_region_valid(const char *r)
{
	size_t i, len = r ? strlen(r) : 0;

	if (len < 2 || len > 31 || !islower((unsigned char)r[0]) || r[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)r[i];
		if (!(islower(c) || isdigit(c) || c == '-') || (c == '-' && r[i + 1] == '-'))
			return 0;
	}
	return 1;
}

static enum fd_status
choose_profile(struct aws_settings *s, const struct aws_settings_opts *o, struct fd_err *err)
{
	const char *env = env_nonempty("AWS_PROFILE");
	char buf[68];

	if (o && o->profile && *o->profile) {
		s->profile = fd_xstrdup(o->profile);
		s->profile_source = "--profile";
		s->profile_explicit = 1;
	} else if (env) {
		s->profile = fd_xstrdup(env);
		s->profile_source = "AWS_PROFILE";
	} else {
		s->profile = fd_xstrdup("default");
		s->profile_source = "default";
		return FD_OK;
	}
	if (aws_settings_profile_exists(s, s->profile))
		return FD_OK;
	return fd_err_set(err, FD_ECONFIG, "profile \"%s\" (from %s) not found in %s or %s",
	                  printable(s->profile, buf), s->profile_source,
	                  s->config_path ? s->config_path : "(no config file)",
	                  s->credentials_path ? s->credentials_path : "(no credentials file)");
}

static enum fd_status
choose_region(struct aws_settings *s, const struct aws_settings_opts *o, struct fd_err *err)
{
	const char *v = NULL;
	char buf[68];

	if (o && o->region && *o->region) {
		v = o->region;
		s->region_source = "--region";
	} else if ((v = env_nonempty("AWS_REGION")) != NULL)
		s->region_source = "AWS_REGION";
	else if ((v = env_nonempty("AWS_DEFAULT_REGION")) != NULL)
		s->region_source = "AWS_DEFAULT_REGION";
	else if ((v = aws_settings_profile_value(s, s->profile, "region")) != NULL && *v)
		s->region_source = "profile";
	if (!v || !*v) {
		s->region_source = NULL;
		return FD_OK;
	}
	if (!aws_region_valid(v))
		return fd_err_set(err, FD_ECONFIG,
		                  "invalid region \"%s\" (from %s): expected a name like us-east-1 "
		                  "(lowercase letters, digits and '-')",
		                  printable(v, buf), s->region_source);
	s->region = fd_xstrdup(v);
	return FD_OK;
}

/* Env var first, then the profile key; *from names where the value came from. */
static const char *
env_or_profile(const struct aws_settings *s, const char *env, const char *key, const char **from)
{
	const char *v = env_nonempty(env);

	*from = env;
	if (!v) {
		v = aws_settings_profile_value(s, s->profile, key);
		*from = key;
	}
	return v && *v ? v : NULL;
}

static enum fd_status
load_retry(struct aws_settings *s, struct fd_err *err)
{
	const char *from, *v = env_or_profile(s, "AWS_MAX_ATTEMPTS", "max_attempts", &from);
	char buf[68], *end = NULL;
	long n;

	s->max_attempts = 3;
	if (v) {
		n = strtol(v, &end, 10);
		if (end == v || *end || n < 1 || n > 50)
			return fd_err_set(err, FD_ECONFIG,
			                  "invalid max_attempts \"%s\" (from %s): expected 1 to 50",
			                  printable(v, buf), from);
		s->max_attempts = (int)n;
	}
	v = env_or_profile(s, "AWS_RETRY_MODE", "retry_mode", &from);
	if (v && strcmp(v, "standard") != 0 && strcmp(v, "legacy") != 0 &&
	    strcmp(v, "adaptive") != 0)
		return fd_err_set(err, FD_ECONFIG,
		                  "invalid retry_mode \"%s\" (from %s): expected standard, legacy "
		                  "or adaptive",
		                  printable(v, buf), from);
	s->retry_mode = fd_xstrdup(v ? v : "standard");
	return FD_OK;
}

static enum fd_status
load_services_section(struct aws_settings *s, struct fd_err *err)
{
	const char *name = aws_settings_profile_value(s, s->profile, "services");
	char buf[68];

	if (!name || !*name)
		return FD_OK;
	s->services_section = fd_xasprintf("services %s", name);
	if (ini_has_section(s->config, s->services_section))
		return FD_OK;
	return fd_err_set(err, FD_ECONFIG,
	                  "profile \"%s\" sets services = %s but %s has no [services %s] section",
	                  printable(s->profile, buf), name,
	                  s->config_path ? s->config_path : "the config file", name);
}

static void
load_service_endpoints(struct aws_settings *s)
{
	unsigned i;

	for (i = 0; i < AWS_SVC_COUNT; i++) {
		const struct aws_service *svc = aws_service_get((enum aws_service_id)i);
		char env[64];
		const char *v;

		snprintf(env, sizeof(env), "AWS_ENDPOINT_URL_%s", svc->env_suffix);
		if ((v = env_nonempty(env)) != NULL) {
			s->service_endpoint[i] = fd_xstrdup(v);
			s->service_endpoint_source[i] = fd_xstrdup(env);
			continue;
		}
		if (!s->services_section)
			continue;
		v = ini_get_sub(s->config, s->services_section, svc->config_key, "endpoint_url");
		if (v && *v) {
			s->service_endpoint[i] = fd_xstrdup(v);
			s->service_endpoint_source[i] =
			    fd_xasprintf("[%s] %s", s->services_section, svc->config_key);
		}
	}
}

static void
load_endpoints(struct aws_settings *s, const struct aws_settings_opts *o)
{
	const char *v;

	if (o && o->endpoint_url && *o->endpoint_url) {
		s->endpoint_url = fd_xstrdup(o->endpoint_url);
		s->endpoint_url_source = "--endpoint-url";
	} else if ((v = env_or_profile(s, "AWS_ENDPOINT_URL", "endpoint_url",
	                               &s->endpoint_url_source)) != NULL) {
		s->endpoint_url = fd_xstrdup(v);
		if (strcmp(s->endpoint_url_source, "endpoint_url") == 0)
			s->endpoint_url_source = "profile endpoint_url";
	} else {
		s->endpoint_url_source = NULL;
	}
	load_service_endpoints(s);
}

static void
load_flags(struct aws_settings *s)
{
	const char *from, *v;

	v = env_or_profile(s, "AWS_CA_BUNDLE", "ca_bundle", &from);
	s->ca_bundle = v ? fd_xstrdup(v) : NULL;
	v = env_or_profile(s, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	                   "ignore_configured_endpoint_urls", &from);
	s->ignore_configured_endpoints = str_true(v);
	v = env_or_profile(s, "AWS_DISABLE_HOST_PREFIX_INJECTION", "disable_host_prefix_injection",
	                   &from);
	s->disable_host_prefix = str_true(v);
	s->read_only = str_true(aws_settings_profile_value(s, s->profile, "read_only"));
	s->prod = str_true(aws_settings_profile_value(s, s->profile, "fleetdeck_prod")) ||
	          str_true(aws_settings_profile_value(s, s->profile, "prod"));
}

enum fd_status
aws_settings_load(struct aws_settings *s, const struct aws_settings_opts *opts, struct fd_err *err)
{
	enum fd_status st;

	memset(s, 0, sizeof(*s));
	s->config_path = file_path("AWS_CONFIG_FILE", "config");
	s->credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	st = load_file(s->config_path, &s->config, err);
	if (st == FD_OK)
		st = load_file(s->credentials_path, &s->credentials, err);
	if (st == FD_OK)
		st = choose_profile(s, opts, err);
	if (st == FD_OK)
		st = choose_region(s, opts, err);
	if (st == FD_OK)
		st = load_retry(s, err);
	if (st == FD_OK)
		st = load_services_section(s, err);
	if (st != FD_OK) {
		aws_settings_free(s);
		return st;
	}
	load_endpoints(s, opts);
	load_flags(s);
	return FD_OK;
}

void
aws_settings_free(struct aws_settings *s)
{
	unsigned i;

	free(s->profile);
	free(s->region);
	free(s->config_path);
	free(s->credentials_path);
	ini_free(s->config);
	ini_free(s->credentials);
	free(s->ca_bundle);
	free(s->retry_mode);
	free(s->endpoint_url);
	free(s->services_section);
	for (i = 0; i < AWS_SVC_COUNT; i++) {
		free(s->service_endpoint[i]);
		free(s->service_endpoint_source[i]);
	}
	memset(s, 0, sizeof(*s));
}
