/* test_endpoint.c - endpoint resolution: partitions, override order, host prefix,
 * URL validation; and the partition table against data/aws-models/partitions.json. */
#include <cjson/cJSON.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/endpoint.h"
#include "fleetdeck/services.h"
#include "fleetdeck/util.h"
#include "test.h"

/* Settings built by hand: no files, no environment. */
static void
ep_settings(struct aws_settings *s, const char *region)
{
	memset(s, 0, sizeof(*s));
	s->profile = (char *)"default";
	s->region = (char *)region;
}

static const char *
ep_url(const struct aws_settings *s, enum aws_service_id svc, const char *prefix)
{
	static struct aws_endpoint ep;
	struct fd_err err;

	if (aws_endpoint_resolve(s, svc, prefix, &ep, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "resolve failed: %s", err.msg);
		return "";
	}
	return ep.url;
}

TEST(endpoint_default_per_partition)
{
	static const struct {
		const char *region, *svc, *url, *partition;
	} cases[] = {
	    {"us-east-1", "lambda", "https://lambda.us-east-1.amazonaws.com", "aws"},
	    {"eu-west-2", "logs", "https://logs.eu-west-2.amazonaws.com", "aws"},
	    {"ap-southeast-7", "sqs", "https://sqs.ap-southeast-7.amazonaws.com", "aws"},
	    {"mx-central-1", "monitoring", "https://monitoring.mx-central-1.amazonaws.com", "aws"},
	    {"cn-north-1", "lambda", "https://lambda.cn-north-1.amazonaws.com.cn", "aws-cn"},
	    {"cn-west-9", "xray", "https://xray.cn-west-9.amazonaws.com.cn", "aws-cn"},
	    {"us-gov-west-1", "sts", "https://sts.us-gov-west-1.amazonaws.com", "aws-us-gov"},
	    {"us-iso-east-1", "lambda", "https://lambda.us-iso-east-1.c2s.ic.gov", "aws-iso"},
	    {"us-isob-east-1", "logs", "https://logs.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b"},
	    {"eu-isoe-west-1", "sqs", "https://sqs.eu-isoe-west-1.cloud.adc-e.uk", "aws-iso-e"},
	    {"us-isof-south-1", "sqs", "https://sqs.us-isof-south-1.csp.hci.ic.gov", "aws-iso-f"},
	    {"eusc-de-east-1", "lambda", "https://lambda.eusc-de-east-1.amazonaws.eu", "aws-eusc"},
	    {"zz-moon-1", "lambda", "https://lambda.zz-moon-1.amazonaws.com", "aws"},
	};
	struct aws_settings s;
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(cases); i++) {
		const struct aws_service *svc = aws_service_find(cases[i].svc);
		REQUIRE(svc != NULL);
		ep_settings(&s, cases[i].region);
		CHECK_STR(ep_url(&s, svc->id, NULL), cases[i].url);
		CHECK_STR(aws_partition_name(cases[i].region), cases[i].partition);
	}
	CHECK_STR(aws_partition_dns_suffix("cn-northwest-1"), "amazonaws.com.cn");
}

TEST(endpoint_fields_and_sources)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;

	ep_settings(&s, "eu-central-1");
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_XRAY, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.scheme, "https");
	CHECK_STR(ep.host, "xray.eu-central-1.amazonaws.com");
	CHECK_STR(ep.base_path, "");
	CHECK_STR(ep.signing_region, "eu-central-1");
	CHECK_STR(ep.source, "partition aws");
	REQUIRE(aws_endpoint_resolve_region(&s, AWS_SVC_SSO, "ap-south-1", NULL, &ep, &err) ==
	        FD_OK);
	CHECK_STR(ep.url, "https://portal.sso.ap-south-1.amazonaws.com");
	CHECK_STR(ep.signing_region, "ap-south-1");
	REQUIRE(aws_endpoint_resolve_region(&s, AWS_SVC_SSO_OIDC, "ap-south-1", NULL, &ep, &err) ==
	        FD_OK);
	CHECK_STR(ep.url, "https://oidc.ap-south-1.amazonaws.com");
}

TEST(endpoint_sts_regional_and_global)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;

	ep_settings(&s, "eu-west-1");
	CHECK_STR(ep_url(&s, AWS_SVC_STS, NULL), "https://sts.eu-west-1.amazonaws.com");
	ep_settings(&s, NULL);
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_STS, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "https://sts.amazonaws.com");
	CHECK_STR(ep.signing_region, "us-east-1");
	CHECK_INT(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "no region for Lambda");
}

TEST(endpoint_override_order)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;

	ep_settings(&s, "us-east-1");
	s.endpoint_url = (char *)"http://profile.local:1000";
	s.endpoint_url_source = "profile endpoint_url";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "http://profile.local:1000");
	CHECK_STR(ep.source, "profile endpoint_url");
	s.endpoint_url = (char *)"http://global.local:2000";
	s.endpoint_url_source = "AWS_ENDPOINT_URL";
	s.service_endpoint[AWS_SVC_LAMBDA] = (char *)"http://svc.local:3000/";
	s.service_endpoint_source[AWS_SVC_LAMBDA] = (char *)"AWS_ENDPOINT_URL_LAMBDA";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "http://svc.local:3000");
	CHECK_STR(ep.host, "svc.local:3000");
	CHECK_STR(ep.source, "AWS_ENDPOINT_URL_LAMBDA");
	CHECK_STR(ep.signing_region, "us-east-1");
	CHECK_STR(ep_url(&s, AWS_SVC_SQS, NULL), "http://global.local:2000");
	s.ignore_configured_endpoints = 1;
	CHECK_STR(ep_url(&s, AWS_SVC_LAMBDA, NULL), "https://lambda.us-east-1.amazonaws.com");
	CHECK_STR(ep_url(&s, AWS_SVC_SQS, NULL), "https://sqs.us-east-1.amazonaws.com");
	/* --endpoint-url is a command-line choice: it wins, ignore flag or not. */
	s.endpoint_url = (char *)"http://flag.local:4000";
	s.endpoint_url_source = "--endpoint-url";
	CHECK_STR(ep_url(&s, AWS_SVC_LAMBDA, NULL), "http://flag.local:4000");
	s.ignore_configured_endpoints = 0;
	CHECK_STR(ep_url(&s, AWS_SVC_LAMBDA, NULL), "http://flag.local:4000");
}

TEST(endpoint_from_env_and_services_section)
{
	struct aws_settings s;
	struct aws_settings_opts o = {NULL, NULL, NULL};
	struct aws_endpoint ep;
	struct fd_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/config/sample-config", fd_test_data());
	setenv("AWS_CONFIG_FILE", path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("AWS_PROFILE", "local", 1);
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_DISABLE_HOST_PREFIX_INJECTION");
	setenv("AWS_ENDPOINT_URL_LAMBDA", "https://lambda.override.example/", 1);
	REQUIRE(aws_settings_load(&s, &o, &err) == FD_OK);
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "https://lambda.override.example");
	CHECK_STR(ep.source, "AWS_ENDPOINT_URL_LAMBDA");
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LOGS, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "http://localhost:4566");
	CHECK_STR(ep.source, "[services local] cloudwatch_logs");
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_SQS, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "https://sqs.us-east-1.amazonaws.com");
	aws_settings_free(&s);
	unsetenv("AWS_ENDPOINT_URL_LAMBDA");
	REQUIRE(aws_settings_load(&s, &o, &err) == FD_OK);
	CHECK_STR(ep_url(&s, AWS_SVC_LAMBDA, NULL), "http://127.0.0.1:4566");
	aws_settings_free(&s);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	REQUIRE(aws_settings_load(&s, &o, &err) == FD_OK);
	CHECK_STR(ep_url(&s, AWS_SVC_LAMBDA, NULL), "https://lambda.us-east-1.amazonaws.com");
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, NULL), "https://logs.us-east-1.amazonaws.com");
	aws_settings_free(&s);
}

TEST(endpoint_host_prefix)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;

	ep_settings(&s, "eu-west-1");
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LOGS, "stream-", &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "https://stream-logs.eu-west-1.amazonaws.com");
	CHECK_STR(ep.host, "stream-logs.eu-west-1.amazonaws.com");
	s.endpoint_url = (char *)"http://logs.example.test:8080/base";
	s.endpoint_url_source = "AWS_ENDPOINT_URL";
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, "stream-"), "http://stream-logs.example.test:8080/base");
	s.endpoint_url = (char *)"http://127.0.0.1:4566";
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, "stream-"), "http://127.0.0.1:4566");
	s.endpoint_url = (char *)"http://localhost:4566";
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, "stream-"), "http://localhost:4566");
	s.endpoint_url = (char *)"http://[::1]:4566";
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, "stream-"), "http://[::1]:4566");
	s.endpoint_url = NULL;
	s.disable_host_prefix = 1;
	CHECK_STR(ep_url(&s, AWS_SVC_LOGS, "stream-"), "https://logs.eu-west-1.amazonaws.com");
}

TEST(endpoint_url_parts)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;

	ep_settings(&s, "us-west-2");
	s.endpoint_url_source = "AWS_ENDPOINT_URL";
	s.endpoint_url = (char *)"HTTPS://Example.com:443/api/v1//";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.scheme, "https");
	CHECK_STR(ep.host, "Example.com");
	CHECK_STR(ep.base_path, "/api/v1");
	CHECK_STR(ep.url, "https://Example.com/api/v1");
	CHECK_STR(ep.signing_region, "us-west-2");
	s.endpoint_url = (char *)"http://[fd00:ec2::23]:80";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.host, "[fd00:ec2::23]");
	s.region = NULL;
	s.endpoint_url = (char *)"http://127.0.0.1:9";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_LAMBDA, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.signing_region, "us-east-1");
}

TEST(endpoint_bad_urls_rejected)
{
	static const struct {
		const char *url, *why;
	} cases[] = {
	    {"ftp://example.com", "must start with http:// or https://"},
	    {"example.com", "must start with http:// or https://"},
	    {"http://", "the host is missing"},
	    {"http://:80", "the host is missing"},
	    {"http://host:0", "bad port"},
	    {"http://host:99999", "bad port"},
	    {"http://host:8a", "bad port"},
	    {"http://user@host", "user info, query and fragment"},
	    {"http://host/?x=1", "user info, query and fragment"},
	    {"http://ho st", "spaces and control characters"},
	    {"http://[::1", "unterminated IPv6"},
	    {"http://bad!host", "bad host name"},
	};
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err;
	size_t i;

	ep_settings(&s, "us-east-1");
	s.service_endpoint_source[AWS_SVC_SQS] = (char *)"AWS_ENDPOINT_URL_SQS";
	for (i = 0; i < FD_ARRAY_LEN(cases); i++) {
		s.service_endpoint[AWS_SVC_SQS] = (char *)cases[i].url;
		fd_err_clear(&err);
		CHECK_INT(aws_endpoint_resolve(&s, AWS_SVC_SQS, NULL, &ep, &err), FD_ECONFIG);
		CHECK_CONTAINS(err.msg, "invalid endpoint URL");
		CHECK_CONTAINS(err.msg, "(from AWS_ENDPOINT_URL_SQS)");
		CHECK_CONTAINS(err.msg, cases[i].why);
	}
}

static char *
read_text(const char *path, size_t *len)
{
	struct fd_buf b;
	struct fd_err err;

	fd_buf_init(&b);
	if (fd_read_file(path, 8 * 1024 * 1024, &b, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "%s", err.msg);
		fd_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return fd_buf_steal(&b);
}

static void
check_partition(const struct aws_partition *p, const cJSON *jp)
{
	const cJSON *out = cJSON_GetObjectItem(jp, "outputs");
	const cJSON *regions = cJSON_GetObjectItem(jp, "regions");
	const cJSON *r;
	size_t n = 0;

	CHECK_STR(p->dns_suffix, cJSON_GetStringValue(cJSON_GetObjectItem(out, "dnsSuffix")));
	CHECK_STR(p->global_region,
	          cJSON_GetStringValue(cJSON_GetObjectItem(out, "implicitGlobalRegion")));
	CHECK_STR(p->region_regex, cJSON_GetStringValue(cJSON_GetObjectItem(jp, "regionRegex")));
	cJSON_ArrayForEach(r, regions)
	{
		size_t j;
		int found = 0;
		for (j = 0; p->regions[j]; j++)
			found |= strcmp(p->regions[j], r->string) == 0;
		if (!found)
			fd_test_fail(__FILE__, __LINE__, "%s lacks region %s", p->id, r->string);
		n++;
	}
	while (p->regions[n])
		fd_test_fail(__FILE__, __LINE__, "%s has extra region %s", p->id, p->regions[n++]);
}

TEST(partition_table_matches_partitions_json)
{
	size_t len = 0, i, found = 0;
	char *text = read_text("data/aws-models/partitions.json", &len);
	cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
	const cJSON *parts = cJSON_GetObjectItem(doc, "partitions"), *jp;

	REQUIRE(cJSON_IsArray(parts));
	CHECK_INT(cJSON_GetArraySize(parts), aws_partition_count());
	cJSON_ArrayForEach(jp, parts)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(jp, "id"));
		for (i = 0; i < aws_partition_count(); i++) {
			if (strcmp(aws_partition_at(i)->id, id) == 0) {
				check_partition(aws_partition_at(i), jp);
				found++;
			}
		}
	}
	CHECK_INT(found, aws_partition_count());
	CHECK(aws_partition_at(aws_partition_count()) == NULL);
	cJSON_Delete(doc);
	free(text);
}

/* The JSON's regexes use \w, \d and \- which POSIX ERE spells differently. */
static void
posix_regex(const char *re, char *out, size_t n)
{
	struct fd_buf b;

	fd_buf_init(&b);
	for (; *re; re++) {
		if (re[0] == '\\' && re[1] == 'w')
			fd_buf_puts(&b, "[[:alnum:]_]"), re++;
		else if (re[0] == '\\' && re[1] == 'd')
			fd_buf_puts(&b, "[0-9]"), re++;
		else if (re[0] == '\\' && re[1] == '-')
			fd_buf_putc(&b, '-'), re++;
		else
			fd_buf_putc(&b, *re);
	}
	fd_strlcpy(out, b.data, n);
	fd_buf_free(&b);
}

TEST(partition_regex_matcher_agrees_with_posix)
{
	static const char *const probes[] = {
	    "us-east-1",
	    "eu-west-3",
	    "mx-central-1",
	    "cn-north-1",
	    "cn-",
	    "us-gov-west-1",
	    "us-iso-east-1",
	    "us-isob-west-1",
	    "eu-isoe-west-1",
	    "us-isof-south-1",
	    "eusc-de-east-1",
	    "eusc-fr-east-1",
	    "xx-east-1",
	    "us-east-",
	    "us-east-1a",
	    "us_east_1",
	    "us-east-1-2",
	    "us-e_ast-12",
	    "aws-global",
	    "",
	    "us--1",
	    "ap-south-99",
	};
	size_t i, j;

	for (i = 0; i < aws_partition_count(); i++) {
		const struct aws_partition *p = aws_partition_at(i);
		char re[256];
		regex_t rx;
		posix_regex(p->region_regex, re, sizeof(re));
		REQUIRE(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0);
		for (j = 0; j < FD_ARRAY_LEN(probes); j++) {
			int want = regexec(&rx, probes[j], 0, NULL, 0) == 0;
			if (aws_partition_regex_match(p, probes[j]) != want)
				fd_test_fail(__FILE__, __LINE__, "%s vs %s: expected %d", p->id,
				             probes[j], want);
		}
		for (j = 0; p->regions[j]; j++) {
			int want = regexec(&rx, p->regions[j], 0, NULL, 0) == 0;
			CHECK_INT(aws_partition_regex_match(p, p->regions[j]), want);
		}
		regfree(&rx);
	}
}

TEST(services_table_lookup)
{
	const struct aws_service *s = aws_service_get(AWS_SVC_LOGS);

	REQUIRE(s != NULL);
	CHECK_STR(s->endpoint_prefix, "logs");
	CHECK_STR(s->env_suffix, "CLOUDWATCH_LOGS");
	CHECK(aws_service_find("logs") == s);
	CHECK(aws_service_find("cloudwatch_logs") == s);
	CHECK(aws_service_find("CloudWatchLogs") == s);
	CHECK(aws_service_find("portal.sso") == aws_service_get(AWS_SVC_SSO));
	CHECK(aws_service_find("dynamodb") == NULL);
	CHECK(aws_service_get(AWS_SVC_COUNT) == NULL);
	CHECK_INT(aws_service_get(AWS_SVC_STS)->protocol, AWS_PROTO_QUERY);
}
