/* test_awsconfig.c - profile, region, files and overrides, in the AWS CLI's order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/awsconfig.h"
#include "test.h"
#include "test_aws_sim.h"

static void
cfg_write(const char *name, const char *text, const char *env)
{
	char path[512];

	if (test_write_tmp(name, text, path, sizeof(path)) && env)
		setenv(env, path, 1);
}

static enum fd_status
cfg_load(struct aws_settings *s, const char *profile, const char *region, struct fd_err *err)
{
	struct aws_settings_opts o = {profile, region, NULL};

	fd_err_clear(err);
	return aws_settings_load(s, &o, err);
}

TEST(settings_no_files_no_home)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	unsetenv("HOME");
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.profile, "default");
	CHECK_STR(s.profile_source, "default");
	CHECK(!s.profile_explicit);
	CHECK(s.region == NULL);
	CHECK(s.config_path == NULL);
	CHECK(s.config == NULL && s.credentials == NULL);
	CHECK_INT(s.max_attempts, 3);
	CHECK_STR(s.retry_mode, "standard");
	aws_settings_free(&s);
}

TEST(settings_home_without_files)
{
	struct aws_settings s;
	struct fd_err err;
	char want[512];

	test_clear_aws_env();
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	snprintf(want, sizeof(want), "%s/.aws/config", fd_test_tmpdir());
	CHECK_STR(s.config_path, want);
	snprintf(want, sizeof(want), "%s/.aws/credentials", fd_test_tmpdir());
	CHECK_STR(s.credentials_path, want);
	CHECK(s.config == NULL);
	aws_settings_free(&s);
}

TEST(settings_tilde_in_config_env)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("cfg", "[default]\nregion = sa-east-1\n", NULL);
	setenv("AWS_CONFIG_FILE", "~/cfg", 1);
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.region, "sa-east-1");
	aws_settings_free(&s);
}

TEST(settings_missing_profile_is_an_error)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config", "[profile dev]\nregion = eu-west-1\n", "AWS_CONFIG_FILE");
	cfg_write("credentials", "[other]\naws_access_key_id = AKID\n",
	          "AWS_SHARED_CREDENTIALS_FILE");
	CHECK_INT(cfg_load(&s, "nope", NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "profile \"nope\" (from --profile) not found in ");
	CHECK_CONTAINS(err.msg, "/config or ");
	CHECK_CONTAINS(err.msg, "/credentials");
	setenv("AWS_PROFILE", "ghost", 1);
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "profile \"ghost\" (from AWS_PROFILE) not found");
	setenv("AWS_PROFILE", "other", 1);
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.profile, "other");
	CHECK_STR(s.profile_source, "AWS_PROFILE");
	aws_settings_free(&s);
	REQUIRE(cfg_load(&s, "dev", NULL, &err) == FD_OK);
	CHECK_STR(s.profile, "dev");
	CHECK(s.profile_explicit);
	CHECK_STR(s.region, "eu-west-1");
	CHECK_STR(s.region_source, "profile");
	aws_settings_free(&s);
}

TEST(settings_default_profile_spellings)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config", "[profile default]\nregion = ca-central-1\n", "AWS_CONFIG_FILE");
	REQUIRE(cfg_load(&s, "default", NULL, &err) == FD_OK);
	CHECK_STR(s.region, "ca-central-1");
	aws_settings_free(&s);
	cfg_write("config", "[default]\nregion = me-south-1\n", "AWS_CONFIG_FILE");
	REQUIRE(cfg_load(&s, "default", NULL, &err) == FD_OK);
	CHECK_STR(s.region, "me-south-1");
	aws_settings_free(&s);
	/* A plain [dev] section in the config file is not a profile (the CLI ignores it). */
	cfg_write("config", "[dev]\nregion = me-south-1\n", "AWS_CONFIG_FILE");
	CHECK_INT(cfg_load(&s, "dev", NULL, &err), FD_ECONFIG);
}

TEST(settings_region_precedence)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config", "[default]\nregion = eu-north-1\n", "AWS_CONFIG_FILE");
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	setenv("AWS_REGION", "us-west-2", 1);
	REQUIRE(cfg_load(&s, NULL, "ap-northeast-1", &err) == FD_OK);
	CHECK_STR(s.region, "ap-northeast-1");
	CHECK_STR(s.region_source, "--region");
	aws_settings_free(&s);
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.region, "us-west-2");
	CHECK_STR(s.region_source, "AWS_REGION");
	aws_settings_free(&s);
	unsetenv("AWS_REGION");
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.region, "us-west-1");
	CHECK_STR(s.region_source, "AWS_DEFAULT_REGION");
	aws_settings_free(&s);
	unsetenv("AWS_DEFAULT_REGION");
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.region, "eu-north-1");
	CHECK_STR(s.region_source, "profile");
	aws_settings_free(&s);
}

TEST(settings_region_from_credentials_file_profile)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config", "[profile p]\nregion = eu-west-3\n", "AWS_CONFIG_FILE");
	cfg_write("credentials", "[p]\nregion = eu-south-1\n", "AWS_SHARED_CREDENTIALS_FILE");
	REQUIRE(cfg_load(&s, "p", NULL, &err) == FD_OK);
	CHECK_STR(s.region, "eu-south-1");
	aws_settings_free(&s);
}

TEST(settings_bad_region_rejected)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	setenv("AWS_REGION", "US_EAST_1", 1);
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "invalid region \"US_EAST_1\" (from AWS_REGION)");
	CHECK_CONTAINS(err.msg, "us-east-1");
	CHECK_INT(cfg_load(&s, NULL, "eu west 1", &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "(from --region)");
	unsetenv("AWS_REGION");
	cfg_write("config", "[default]\nregion = eu-west-1\x1b[31m\n", "AWS_CONFIG_FILE");
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "eu-west-1?[31m");
	CHECK(strchr(err.msg, '\x1b') == NULL);
}

TEST(region_name_validation)
{
	CHECK(aws_region_valid("us-east-1"));
	CHECK(aws_region_valid("eusc-de-east-1"));
	CHECK(aws_region_valid("us-gov-west-1"));
	CHECK(!aws_region_valid(NULL));
	CHECK(!aws_region_valid(""));
	CHECK(!aws_region_valid("US-EAST-1"));
	CHECK(!aws_region_valid("us-east-1-"));
	CHECK(!aws_region_valid("-us-east-1"));
	CHECK(!aws_region_valid("us--east-1"));
	CHECK(!aws_region_valid("us_east_1"));
	CHECK(!aws_region_valid("us-east-1.evil.com"));
	CHECK(!aws_region_valid("a-very-long-region-name-that-goes-on-1"));
}

TEST(settings_malformed_file_reports_line)
{
	struct aws_settings s;
	struct fd_err err;
	char path[512];

	test_clear_aws_env();
	snprintf(path, sizeof(path), "%s/config/malformed-config", fd_test_data());
	setenv("AWS_CONFIG_FILE", path, 1);
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "malformed-config:4: expected \"key = value\"");
	unsetenv("AWS_CONFIG_FILE");
	cfg_write("credentials", "aws_access_key_id = x\n", "AWS_SHARED_CREDENTIALS_FILE");
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "credentials:1:");
}

TEST(settings_retry_and_flags)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config",
	          "[default]\nmax_attempts = 5\nretry_mode = adaptive\nca_bundle = /etc/ca.pem\n"
	          "read_only = true\nfleetdeck_prod = TRUE\n"
	          "[profile loose]\nprod = no\n",
	          "AWS_CONFIG_FILE");
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_INT(s.max_attempts, 5);
	CHECK_STR(s.retry_mode, "adaptive");
	CHECK_STR(s.ca_bundle, "/etc/ca.pem");
	CHECK(s.read_only);
	CHECK(s.prod);
	aws_settings_free(&s);
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	setenv("AWS_CA_BUNDLE", "certs/other.pem", 1);
	REQUIRE(cfg_load(&s, "loose", NULL, &err) == FD_OK);
	CHECK_INT(s.max_attempts, 2);
	CHECK_STR(s.ca_bundle, "certs/other.pem");
	CHECK(!s.read_only);
	CHECK(!s.prod);
	aws_settings_free(&s);
	setenv("AWS_MAX_ATTEMPTS", "zero", 1);
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "invalid max_attempts \"zero\" (from AWS_MAX_ATTEMPTS)");
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("AWS_RETRY_MODE", "yolo", 1);
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "invalid retry_mode \"yolo\"");
}

TEST(settings_endpoint_sources)
{
	struct aws_settings s;
	struct aws_settings_opts o = {NULL, NULL, "http://flag:1"};
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config",
	          "[default]\nendpoint_url = http://profile:1\nservices = loc\n"
	          "[services loc]\nsqs =\n  endpoint_url = http://sqs-section:1\n",
	          "AWS_CONFIG_FILE");
	setenv("AWS_ENDPOINT_URL_LAMBDA", "http://lambda-env:1", 1);
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.endpoint_url, "http://profile:1");
	CHECK_STR(s.endpoint_url_source, "profile endpoint_url");
	CHECK_STR(s.service_endpoint[AWS_SVC_LAMBDA], "http://lambda-env:1");
	CHECK_STR(s.service_endpoint_source[AWS_SVC_LAMBDA], "AWS_ENDPOINT_URL_LAMBDA");
	CHECK_STR(s.service_endpoint[AWS_SVC_SQS], "http://sqs-section:1");
	CHECK_STR(s.service_endpoint_source[AWS_SVC_SQS], "[services loc] sqs");
	CHECK(s.service_endpoint[AWS_SVC_LOGS] == NULL);
	CHECK(!s.ignore_configured_endpoints);
	aws_settings_free(&s);
	setenv("AWS_ENDPOINT_URL", "http://global-env:1", 1);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "True", 1);
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	CHECK_STR(s.endpoint_url, "http://global-env:1");
	CHECK_STR(s.endpoint_url_source, "AWS_ENDPOINT_URL");
	CHECK(s.ignore_configured_endpoints);
	CHECK(s.disable_host_prefix);
	aws_settings_free(&s);
	REQUIRE(aws_settings_load(&s, &o, &err) == FD_OK);
	CHECK_STR(s.endpoint_url, "http://flag:1");
	CHECK_STR(s.endpoint_url_source, "--endpoint-url");
	aws_settings_free(&s);
}

TEST(settings_services_section_must_exist)
{
	struct aws_settings s;
	struct fd_err err;

	test_clear_aws_env();
	cfg_write("config", "[default]\nservices = typo\n[services local]\n", "AWS_CONFIG_FILE");
	CHECK_INT(cfg_load(&s, NULL, NULL, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "services = typo");
	CHECK_CONTAINS(err.msg, "no [services typo] section");
}

TEST(settings_profile_listing_and_lookups)
{
	struct aws_settings s;
	struct fd_err err;
	const char **names;
	size_t n = 0;

	test_clear_aws_env();
	cfg_write("config",
	          "[default]\nregion = us-east-1\n[profile b]\nregion = x\n[sso-session s]\n"
	          "[services z]\n[profile a]\naws_access_key_id = from-config\n",
	          "AWS_CONFIG_FILE");
	cfg_write("credentials", "[a]\naws_access_key_id = from-creds\n[c]\n[default]\n",
	          "AWS_SHARED_CREDENTIALS_FILE");
	REQUIRE(cfg_load(&s, NULL, NULL, &err) == FD_OK);
	names = aws_settings_profiles(&s, &n);
	REQUIRE(n == 4);
	CHECK_STR(names[0], "a");
	CHECK_STR(names[1], "b");
	CHECK_STR(names[2], "c");
	CHECK_STR(names[3], "default");
	free(names);
	CHECK_STR(aws_settings_config_value(&s, "a", "aws_access_key_id"), "from-config");
	CHECK_STR(aws_settings_credentials_value(&s, "a", "aws_access_key_id"), "from-creds");
	CHECK_STR(aws_settings_profile_value(&s, "a", "aws_access_key_id"), "from-creds");
	CHECK_STR(aws_settings_profile_value(&s, "b", "region"), "x");
	CHECK(aws_settings_profile_exists(&s, "c"));
	CHECK(!aws_settings_profile_exists(&s, "s"));
	CHECK(!aws_settings_profile_exists(&s, "z"));
	aws_settings_free(&s);
}
