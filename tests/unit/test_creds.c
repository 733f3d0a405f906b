/* test_creds.c - the credential chain: every provider, the order between them,
 * configuration errors, and the network providers against the simulator. */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fleetdeck/creds.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

#define ALL_TRIED                                                                                  \
	"web identity, SSO, shared credentials file, credential_process, config file, container, " \
	"IMDS)"

/* Every case runs in its own process: start from no AWS_* variables, files in the
 * case's temporary directory, and IMDS off (each case turns on what it tests). */
static void
cr_env(void)
{
	char path[600];

	test_clear_aws_env();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	snprintf(path, sizeof(path), "%s/config", fd_test_tmpdir());
	setenv("AWS_CONFIG_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/credentials", fd_test_tmpdir());
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	aws_creds_cache_clear();
}

static void
cr_write(const char *name, const char *text, int mode)
{
	char path[600];

	if (test_write_tmp(name, text, path, sizeof(path)))
		chmod(path, (mode_t)mode);
}

/* Loads settings (profile = --profile when non-NULL) and resolves credentials. */
static enum fd_status
cr_resolve(const char *profile, struct aws_creds *c, struct fd_err *err)
{
	struct aws_settings_opts o = {profile, NULL, NULL};
	struct aws_settings s;
	enum fd_status st;

	fd_err_clear(err);
	memset(c, 0, sizeof(*c));
	st = aws_settings_load(&s, &o, err);
	if (st != FD_OK)
		return st;
	st = aws_creds_resolve(&s, c, err);
	aws_settings_free(&s);
	return st;
}

TEST(creds_environment)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_SECURITY_TOKEN", "legacy-token", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-02T03:04:05Z", 1);
	setenv("AWS_ACCOUNT_ID", "111122223333", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDENV");
	CHECK_STR(c.secret_key, "env-secret");
	CHECK_STR(c.session_token, "legacy-token");
	CHECK_INT(c.expiration, fd_parse_iso8601("2099-01-02T03:04:05Z"));
	CHECK_STR(c.source, "environment");
	CHECK_STR(c.account_id, "111122223333");
	aws_creds_free(&c);
	setenv("AWS_SESSION_TOKEN", "modern-token", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK_STR(c.session_token, "modern-token");
	aws_creds_free(&c);
	setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "AWS_CREDENTIAL_EXPIRATION");
}

TEST(creds_environment_partial_is_an_error)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_STR(err.msg, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	CHECK(c.access_key == NULL);
}

TEST(creds_explicit_profile_skips_environment)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	cr_write("credentials", "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n",
	         0600);
	REQUIRE(cr_resolve("dev", &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDFILE");
	CHECK_STR(c.source, "shared credentials file (profile dev)");
	aws_creds_free(&c);
	/* AWS_PROFILE alone does not skip the environment (botocore). */
	setenv("AWS_PROFILE", "dev", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDENV");
	aws_creds_free(&c);
}

TEST(creds_credentials_file_before_config_file)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_write("config",
	         "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n"
	         "[profile p]\naws_access_key_id = AKIDP\naws_secret_access_key = p\n"
	         "aws_session_token = ptoken\n",
	         0600);
	cr_write("credentials",
	         "[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = k\n", 0600);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDCREDS");
	CHECK(c.session_token == NULL);
	CHECK(c.expiration == 0);
	aws_creds_free(&c);
	REQUIRE(cr_resolve("p", &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDP");
	CHECK_STR(c.session_token, "ptoken");
	CHECK_STR(c.source, "config file (profile p)");
	aws_creds_free(&c);
}

TEST(creds_partial_static_keys)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_write("credentials", "[default]\naws_access_key_id = AKIDHALF\n", 0600);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "profile \"default\" in ");
	CHECK_CONTAINS(err.msg, "has aws_access_key_id but no aws_secret_access_key");
}

TEST(creds_nothing_found_lists_providers)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_STR(err.msg, "no AWS credentials found for profile \"default\" (tried: environment, "
	                   "assume-role, " ALL_TRIED);
	cr_write("config", "[profile quiet]\nregion = us-east-1\n", 0600);
	CHECK_INT(cr_resolve("quiet", &c, &err), FD_ECREDS);
	CHECK_STR(err.msg, "no AWS credentials found for profile \"quiet\" (tried: environment "
	                   "(skipped: --profile), assume-role, " ALL_TRIED);
}

TEST(creds_imds_unreachable_fails_fast)
{
	struct aws_creds c;
	struct fd_err err;
	int64_t t0;

	cr_env();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/", 1);
	t0 = fd_now_ms();
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK(fd_now_ms() - t0 < 3000);
	CHECK_CONTAINS(err.msg, "no AWS credentials found");
}

TEST(creds_split_command_line)
{
	char **argv = NULL;
	struct fd_err err;

	REQUIRE(aws_split_command("  /bin/helper  --a \"two words\" 'single \"q\"' "
	                          "x\\ y \"es\\\"c\\\\\" \"\"",
	                          &argv, &err) == FD_OK);
	CHECK_STR(argv[0], "/bin/helper");
	CHECK_STR(argv[1], "--a");
	CHECK_STR(argv[2], "two words");
	CHECK_STR(argv[3], "single \"q\"");
	CHECK_STR(argv[4], "x y");
	CHECK_STR(argv[5], "es\"c\\");
	CHECK_STR(argv[6], "");
	CHECK(argv[7] == NULL);
	aws_argv_free(argv);
	CHECK_INT(aws_split_command("prog \"open", &argv, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "unterminated");
	CHECK_INT(aws_split_command("prog 'open", &argv, &err), FD_ECONFIG);
	CHECK_INT(aws_split_command("prog \\", &argv, &err), FD_ECONFIG);
	CHECK_INT(aws_split_command("   ", &argv, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "empty command");
	CHECK(argv == NULL);
}

static const char process_script[] =
    "#!/bin/sh\n"
    "case \"$1\" in\n"
    "ok) printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": "
    "\"proc-secret\", \"SessionToken\": \"%s\", \"Expiration\": \"2099-01-01T00:00:00Z\", "
    "\"AccountId\": \"444455556666\"}\\n' \"$2\" ;;\n"
    "v2) echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}' ;;\n"
    "junk) echo 'this is not json' ;;\n"
    "fail) echo 'boom: session expired' >&2; echo 'second line' >&2; exit 3 ;;\n"
    "esac\n";

static void
cr_process_config(const char *args)
{
	char text[1200];

	cr_write("cred helper.sh", process_script, 0755);
	snprintf(text, sizeof(text), "[default]\ncredential_process = \"%s/cred helper.sh\" %s\n",
	         fd_test_tmpdir(), args);
	cr_write("config", text, 0600);
}

TEST(creds_credential_process)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_process_config("ok \"tok with spaces\"");
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "AKIDPROC");
	CHECK_STR(c.secret_key, "proc-secret");
	CHECK_STR(c.session_token, "tok with spaces");
	CHECK_INT(c.expiration, fd_parse_iso8601("2099-01-01T00:00:00Z"));
	CHECK_STR(c.account_id, "444455556666");
	CHECK_STR(c.source, "credential_process (profile default)");
	aws_creds_free(&c);
}

TEST(creds_credential_process_failures)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_process_config("fail");
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "credential_process (profile \"default\"): ");
	CHECK_CONTAINS(err.msg, "cred helper.sh\" exited with status 3: boom: session expired");
	CHECK(strstr(err.msg, "second line") == NULL);
	cr_process_config("v2");
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "Version must be 1");
	cr_process_config("junk");
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "not JSON");
	cr_write("config", "[default]\ncredential_process = /nonexistent/helper --x\n", 0600);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "cannot run \"/nonexistent/helper\"");
	cr_write("config", "[default]\ncredential_process = helper \"unclosed\n", 0600);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECONFIG);
}

TEST(creds_credential_process_timeout)
{
	struct aws_creds c;
	struct fd_err err;
	int64_t t0 = fd_now_ms();

	CHECK_INT(aws_creds_from_process("sleep 5", 300, &c, &err), FD_ETIMEOUT);
	CHECK_CONTAINS(err.msg, "\"sleep\" timed out after 300 ms");
	CHECK(fd_now_ms() - t0 < 3000);
	CHECK(c.access_key == NULL);
}

TEST(creds_assume_role_config_errors)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_write("config",
	         "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
	         "mfa_serial = arn:aws:iam::1:mfa/me\n"
	         "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
	         "credential_source = Environment\n"
	         "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
	         "[profile badsrc]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Moon\n"
	         "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	         "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
	         "[profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n"
	         "[profile lost]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
	         "[profile dur]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
	         "duration_seconds = 60\n"
	         "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/r\n"
	         "credential_source = Environment\n"
	         "[profile base]\nregion = us-east-1\n",
	         0600);
	CHECK_INT(cr_resolve("mfa", &c, &err), FD_EUNSUPPORTED);
	CHECK_CONTAINS(err.msg, "MFA not supported yet: profile \"mfa\" sets mfa_serial");
	CHECK_INT(cr_resolve("both", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "both source_profile and credential_source");
	CHECK_INT(cr_resolve("neither", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "neither source_profile nor credential_source");
	CHECK_INT(cr_resolve("badsrc", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "Environment, Ec2InstanceMetadata or EcsContainer");
	CHECK_INT(cr_resolve("a", &c, &err), FD_ECONFIG);
	CHECK_STR(err.msg, "source_profile cycle: a -> b -> a");
	CHECK_INT(cr_resolve("self", &c, &err), FD_ECONFIG);
	CHECK_STR(err.msg, "source_profile cycle: self -> self");
	CHECK_INT(cr_resolve("lost", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "source_profile \"ghost\" not found");
	CHECK_INT(cr_resolve("dur", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "duration_seconds must be 900 to 43200");
	CHECK_INT(cr_resolve("base", &c, &err), FD_ECREDS);
	CHECK_INT(cr_resolve("envsrc", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "credential_source Environment found no credentials");
}

static void
sso_token_path(const char *key, char *out, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";

	EVP_Digest(key, strlen(key), md, &len, EVP_sha1(), NULL);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, n, "%s/.aws/sso/cache/%s.json", fd_test_tmpdir(), hex);
}

/* Writes the token cache file for key, expiring in expires_in seconds. */
static void
sso_write_token(const char *key, const char *token, long expires_in, int refreshable)
{
	char path[700], dir[600], when[21], text[2048];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/.aws", fd_test_tmpdir());
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.aws/sso", fd_test_tmpdir());
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.aws/sso/cache", fd_test_tmpdir());
	mkdir(dir, 0700);
	fd_format_iso8601(fd_wall_now() + expires_in, when);
	snprintf(text, sizeof(text),
	         "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-1\", "
	         "\"accessToken\": \"%s\", \"expiresAt\": \"%s\"%s}",
	         token, when,
	         refreshable ? ", \"clientId\": \"cid\", \"clientSecret\": \"csecret\", "
	                       "\"refreshToken\": \"rtoken\", "
	                       "\"registrationExpiresAt\": \"2099-01-01T00:00:00Z\""
	                     : "");
	sso_token_path(key, path, sizeof(path));
	f = fopen(path, "w");
	if (!f) {
		fd_test_fail(__FILE__, __LINE__, "cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static const char sso_config[] =
    "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
    "sso_role_name = ReadOnly\nregion = us-east-1\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\n"
    "sso_region = us-east-1\nsso_account_id = 123456789012\n"
    "sso_role_name = ReadOnly\n"
    "[profile half]\nsso_session = corp\n"
    "[profile nosess]\nsso_session = missing\nsso_account_id = 1\n"
    "sso_role_name = r\n";

TEST(creds_sso_expired_or_missing_token)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	cr_write("config", sso_config, 0600);
	CHECK_INT(cr_resolve("dev", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg,
	               "SSO session \"corp\" has expired: run \"aws sso login --profile dev\"");
	sso_write_token("corp", "old-token", -60, 0);
	CHECK_INT(cr_resolve("dev", &c, &err), FD_ECREDS);
	CHECK_STR(err.msg, "SSO session \"corp\" has expired: run \"aws sso login --profile dev\"");
	/* The legacy form keys the cache by start URL and refreshes nothing. */
	sso_write_token("https://old.awsapps.com/start", "old-token", -1, 1);
	CHECK_INT(cr_resolve("legacy", &c, &err), FD_ECREDS);
	CHECK_STR(err.msg, "SSO session \"https://old.awsapps.com/start\" has expired: run "
	                   "\"aws sso login --profile legacy\"");
	CHECK_INT(cr_resolve("half", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "SSO profile \"half\" is incomplete");
	CHECK_INT(cr_resolve("nosess", &c, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "no [sso-session missing] section");
}

TEST(creds_container_host_restricted)
{
	struct aws_creds c;
	struct fd_err err;

	cr_env();
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token", 1);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "must use a loopback address, 169.254.170.2");
	CHECK(strstr(err.msg, "secret-token") == NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2.evil.com/", 1);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "must use a loopback");
}

TEST(creds_copy_expiring_free)
{
	struct aws_creds a, b;

	memset(&a, 0, sizeof(a));
	a.access_key = fd_xstrdup("AK");
	a.secret_key = fd_xstrdup("SK");
	a.expiration = 1000;
	fd_strlcpy(a.source, "test", sizeof(a.source));
	aws_creds_copy(&b, &a);
	CHECK(b.access_key != a.access_key);
	CHECK_STR(b.secret_key, "SK");
	CHECK(b.session_token == NULL);
	CHECK_STR(b.source, "test");
	CHECK(aws_creds_expiring(&b, 900, 100));
	CHECK(!aws_creds_expiring(&b, 800, 100));
	b.expiration = 0;
	CHECK(!aws_creds_expiring(&b, 1L << 40, 100));
	aws_creds_free(&a);
	aws_creds_free(&b);
	CHECK(a.access_key == NULL && a.expiration == 0);
	aws_creds_free(NULL);
}

/* ---- against the simulator ------------------------------------------------------- */

static const char *
cr_sim(void)
{
	const char *url = fd_test_sim_url();

	cr_env();
	setenv("AWS_ENDPOINT_URL", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	fd_test_sim_control("POST", "faults", "{\"rules\":[]}", NULL);
	fd_test_sim_control("POST", "credentials", "{}", NULL);
	CHECK_INT(fd_test_sim_control("POST", "stats/reset", "{}", NULL), 200);
	return url;
}

static int
sim_count(const char *key)
{
	char *out = NULL;
	cJSON *doc;
	const cJSON *v;
	int n;

	CHECK_INT(fd_test_sim_control("GET", "stats", NULL, &out), 200);
	doc = cJSON_Parse(out ? out : "");
	v = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "requests"), key);
	n = cJSON_IsNumber(v) ? v->valueint : 0;
	cJSON_Delete(doc);
	free(out);
	return n;
}

/* The last request the simulator saw: does it carry header name? */
static int
sim_last_has_header(const char *name)
{
	char *out = NULL;
	cJSON *doc;
	const cJSON *h, *req;
	int found = 0;

	fd_test_sim_control("GET", "requests?last=1", NULL, &out);
	doc = cJSON_Parse(out ? out : "");
	req = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "requests"), 0);
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(req, "headers"))
	{
		const char *n = cJSON_GetStringValue(cJSON_GetArrayItem(h, 0));
		found |= n && fd_str_case_eq(n, name);
	}
	cJSON_Delete(doc);
	free(out);
	return found;
}

static const char role_config[] =
    "[profile dev]\nrole_arn = arn:aws:iam::210987654321:role/dev-admin\n"
    "source_profile = base\nrole_session_name = tester\n"
    "[profile chained]\nrole_arn = arn:aws:iam::210987654321:role/second\n"
    "source_profile = dev\nexternal_id = ext-1\nduration_seconds = 900\n"
    "[profile envsrc]\nrole_arn = arn:aws:iam::210987654321:role/from-env\n"
    "credential_source = Environment\n"
    "[profile badarn]\nrole_arn = not-an-arn\nsource_profile = base\n";

static const char role_credentials[] = "[base]\naws_access_key_id = " SIM_KEY "\n"
                                       "aws_secret_access_key = " SIM_SECRET "\n";

TEST(creds_assume_role_against_simulator)
{
	struct aws_creds c, again;
	struct fd_err err;

	cr_sim();
	cr_write("config", role_config, 0600);
	cr_write("credentials", role_credentials, 0600);
	REQUIRE(cr_resolve("dev", &c, &err) == FD_OK);
	CHECK(fd_str_starts(c.access_key, "ASIA"));
	CHECK(c.session_token != NULL);
	CHECK(c.expiration > fd_wall_now() + 1800);
	CHECK_STR(c.source, "assume-role (profile dev)");
	CHECK_STR(c.account_id, "210987654321");
	CHECK_INT(sim_count("sts:AssumeRole"), 1);
	/* Cached in-process: the second resolve makes no STS call. */
	REQUIRE(cr_resolve("dev", &again, &err) == FD_OK);
	CHECK_STR(again.access_key, c.access_key);
	CHECK_STR(again.source, "assume-role (profile dev)");
	CHECK_INT(sim_count("sts:AssumeRole"), 1);
	aws_creds_free(&again);
	aws_creds_cache_clear();
	REQUIRE(cr_resolve("dev", &again, &err) == FD_OK);
	CHECK(strcmp(again.access_key, c.access_key) != 0);
	CHECK_INT(sim_count("sts:AssumeRole"), 2);
	aws_creds_free(&again);
	aws_creds_free(&c);
}

TEST(creds_assume_role_chain_and_env_source)
{
	struct aws_creds c;
	struct fd_err err;

	cr_sim();
	cr_write("config", role_config, 0600);
	cr_write("credentials", role_credentials, 0600);
	/* chained -> dev -> base: two AssumeRole calls, the second signed with temporary
	 * credentials (the simulator checks the session token). */
	REQUIRE(cr_resolve("chained", &c, &err) == FD_OK);
	CHECK_STR(c.source, "assume-role (profile chained)");
	CHECK_INT(sim_count("sts:AssumeRole"), 2);
	aws_creds_free(&c);
	setenv("AWS_ACCESS_KEY_ID", SIM_KEY, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SIM_SECRET, 1);
	REQUIRE(cr_resolve("envsrc", &c, &err) == FD_OK);
	CHECK_STR(c.source, "assume-role (profile envsrc)");
	CHECK_INT(sim_count("sts:AssumeRole"), 3);
	aws_creds_free(&c);
}

TEST(creds_assume_role_sts_error)
{
	struct aws_creds c;
	struct fd_err err;

	cr_sim();
	cr_write("config", role_config, 0600);
	cr_write("credentials", role_credentials, 0600);
	CHECK_INT(cr_resolve("badarn", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg,
	               "assume-role (profile \"badarn\"): STS AssumeRole: ValidationError");
	CHECK(strstr(err.msg, SIM_SECRET) == NULL);
	cr_write("credentials",
	         "[base]\naws_access_key_id = AKIDUNKNOWN\n"
	         "aws_secret_access_key = nope\n",
	         0600);
	CHECK_INT(cr_resolve("dev", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "STS AssumeRole: ");
	CHECK(strstr(err.msg, "nope") == NULL);
}

TEST(creds_web_identity_against_simulator)
{
	struct aws_creds c;
	struct fd_err err;
	char path[600], text[900];

	cr_sim();
	cr_write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n", 0600);
	snprintf(path, sizeof(path), "%s/token.jwt", fd_test_tmpdir());
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::210987654321:role/irsa", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK(fd_str_starts(c.access_key, "ASIA"));
	CHECK_STR(c.source, "web identity (profile default)");
	CHECK_INT(sim_count("sts:AssumeRoleWithWebIdentity"), 1);
	CHECK(!sim_last_has_header("Authorization"));
	aws_creds_free(&c);
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");
	snprintf(text, sizeof(text),
	         "[profile wi]\nweb_identity_token_file = %s\n"
	         "role_arn = arn:aws:iam::210987654321:role/wi\n"
	         "[profile nofile]\nweb_identity_token_file = %s/missing.jwt\n"
	         "role_arn = arn:aws:iam::210987654321:role/wi\n",
	         path, fd_test_tmpdir());
	cr_write("config", text, 0600);
	REQUIRE(cr_resolve("wi", &c, &err) == FD_OK);
	CHECK_STR(c.source, "web identity (profile wi)");
	CHECK_INT(sim_count("sts:AssumeRoleWithWebIdentity"), 2);
	aws_creds_free(&c);
	CHECK_INT(cr_resolve("nofile", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "web identity (profile \"nofile\"): web identity token file");
}

TEST(creds_sso_against_simulator)
{
	struct aws_creds c;
	struct fd_err err;

	cr_sim();
	cr_write("config", sso_config, 0600);
	sso_write_token("corp", "sim-sso-token", 3600, 0);
	REQUIRE(cr_resolve("dev", &c, &err) == FD_OK);
	CHECK(fd_str_starts(c.access_key, "ASIA"));
	CHECK(c.expiration > fd_wall_now() + 600);
	CHECK_STR(c.source, "sso (profile dev)");
	CHECK_STR(c.account_id, "123456789012");
	CHECK_INT(sim_count("sso:GetRoleCredentials"), 1);
	CHECK(sim_last_has_header("x-amz-sso_bearer_token"));
	CHECK(!sim_last_has_header("Authorization"));
	aws_creds_free(&c);
	REQUIRE(cr_resolve("dev", &c, &err) == FD_OK);
	CHECK_INT(sim_count("sso:GetRoleCredentials"), 1);
	aws_creds_free(&c);
	sso_write_token("https://old.awsapps.com/start", "not-a-known-token", 3600, 0);
	CHECK_INT(cr_resolve("legacy", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "has expired: run \"aws sso login --profile legacy\"");
	CHECK_CONTAINS(err.msg, "refused");
}

TEST(creds_sso_refresh_against_simulator)
{
	struct aws_creds c;
	struct fd_err err;
	struct fd_buf text;
	struct stat st;
	char path[700];

	cr_sim();
	cr_write("config", sso_config, 0600);
	sso_write_token("corp", "stale-token", 300, 1);
	REQUIRE(cr_resolve("dev", &c, &err) == FD_OK);
	CHECK_STR(c.source, "sso (profile dev)");
	CHECK_INT(sim_count("sso-oidc:CreateToken"), 1);
	CHECK_INT(sim_count("sso:GetRoleCredentials"), 1);
	aws_creds_free(&c);
	sso_token_path("corp", path, sizeof(path));
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	fd_buf_init(&text);
	REQUIRE(fd_read_file(path, 65536, &text, &err) == FD_OK);
	CHECK_CONTAINS(text.data, "\"accessToken\":\t\"sim-sso-access-");
	CHECK_CONTAINS(text.data, "\"refreshToken\":\t\"sim-sso-refresh-");
	CHECK_CONTAINS(text.data, "\"clientSecret\":\t\"csecret\"");
	CHECK(strstr(text.data, "stale-token") == NULL);
	fd_buf_free(&text);
	/* An expired, refreshable token whose refresh fails reports the expiry. */
	aws_creds_cache_clear();
	fd_test_sim_control("POST", "faults",
	                    "{\"rules\":[{\"service\":\"sso-oidc\",\"kind\":\"html\","
	                    "\"status\":502}]}",
	                    NULL);
	sso_write_token("corp", "stale-token", -30, 1);
	CHECK_INT(cr_resolve("dev", &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "SSO session \"corp\" has expired");
	CHECK_CONTAINS(err.msg, "token refresh failed");
	fd_test_sim_control("POST", "faults", "{\"rules\":[]}", NULL);
}

TEST(creds_container_against_simulator)
{
	const char *url = cr_sim();
	struct aws_creds c;
	struct fd_err err;
	char full[600], path[600];

	snprintf(full, sizeof(full), "%s/_creds/container", url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", full, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "sim-container-token", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK(fd_str_starts(c.access_key, "ASIA"));
	CHECK(c.session_token != NULL);
	CHECK_STR(c.source, "container");
	CHECK_INT(sim_count("container:GetCredentials"), 1);
	aws_creds_free(&c);
	cr_write("auth-token", "sim-container-token\n", 0600);
	snprintf(path, sizeof(path), "%s/auth-token", fd_test_tmpdir());
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-but-file-wins", 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	aws_creds_free(&c);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_CONTAINS(err.msg, "container credentials: HTTP 403");
	CHECK(strstr(err.msg, "wrong-but-file-wins") == NULL);
}

TEST(creds_imds_against_simulator)
{
	const char *url = cr_sim();
	struct aws_creds c;
	struct fd_err err;

	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	REQUIRE(cr_resolve(NULL, &c, &err) == FD_OK);
	CHECK(fd_str_starts(c.access_key, "ASIA"));
	CHECK_STR(c.source, "IMDS (role sim-instance-role)");
	CHECK(c.expiration > fd_wall_now() + 3600);
	CHECK_INT(sim_count("imds:GetToken"), 1);
	CHECK_INT(sim_count("imds:GetCredentials"), 2);
	aws_creds_free(&c);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	CHECK_INT(cr_resolve(NULL, &c, &err), FD_ECREDS);
	CHECK_INT(sim_count("imds:GetToken"), 1);
}
