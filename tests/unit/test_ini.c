/* test_ini.c - the shared config/credentials file parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"
#include "fleetdeck/util.h"
#include "test.h"

static struct ini_file *
parse_ok(const char *text)
{
	struct ini_file *f = NULL;
	struct fd_err err;

	fd_err_clear(&err);
	if (ini_parse(text, strlen(text), "cfg", &f, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "parse failed: %s", err.msg);
	return f;
}

static enum fd_status
parse_err(const char *text, struct fd_err *err)
{
	struct ini_file *f = NULL;
	enum fd_status st;

	fd_err_clear(err);
	st = ini_parse(text, strlen(text), "cfg", &f, err);
	if (f)
		ini_free(f);
	return st;
}

TEST(ini_sections_keys_values)
{
	struct ini_file *f = parse_ok("[default]\n"
	                              "region = eu-west-1\n"
	                              "output=json  \n"
	                              "[ profile dev ]\n"
	                              "role_arn = arn:aws:iam::123456789012:role/x\n"
	                              "query = a=b=c\n"
	                              "empty =\n"
	                              "sso_start_url: https://example.awsapps.com/start\n");

	REQUIRE(f != NULL);
	CHECK_STR(ini_get(f, "default", "region"), "eu-west-1");
	CHECK_STR(ini_get(f, "default", "output"), "json");
	CHECK(ini_has_section(f, "profile dev"));
	CHECK(!ini_has_section(f, " profile dev "));
	CHECK_STR(ini_get(f, "profile dev", "role_arn"), "arn:aws:iam::123456789012:role/x");
	CHECK_STR(ini_get(f, "profile dev", "query"), "a=b=c");
	CHECK_STR(ini_get(f, "profile dev", "empty"), "");
	CHECK_STR(ini_get(f, "profile dev", "sso_start_url"), "https://example.awsapps.com/start");
	CHECK(ini_get(f, "profile dev", "region") == NULL);
	CHECK(ini_get(f, "nosuch", "region") == NULL);
	CHECK_STR(ini_section_name(f, 0), "default");
	CHECK_STR(ini_section_name(f, 1), "profile dev");
	CHECK(ini_section_name(f, 2) == NULL);
	ini_free(f);
}

TEST(ini_comments_are_full_line_only)
{
	struct ini_file *f = parse_ok("# comment\n"
	                              "; another\n"
	                              "[a]\n"
	                              "   # indented comment\n"
	                              "key = value # not a comment\n"
	                              "semi = x ; y\n");

	REQUIRE(f != NULL);
	CHECK_STR(ini_get(f, "a", "key"), "value # not a comment");
	CHECK_STR(ini_get(f, "a", "semi"), "x ; y");
	ini_free(f);
}

TEST(ini_keys_case_insensitive_last_wins)
{
	struct ini_file *f = parse_ok("[a]\nRegion = one\nregion = two\n[b]\nx = 1\n[a]\ny = 2\n");

	REQUIRE(f != NULL);
	CHECK_STR(ini_get(f, "a", "region"), "two");
	CHECK_STR(ini_get(f, "a", "REGION"), "two");
	CHECK_STR(ini_get(f, "a", "y"), "2");
	CHECK(ini_get(f, "A", "y") == NULL);
	CHECK_STR(ini_section_name(f, 1), "b");
	CHECK(ini_section_name(f, 2) == NULL);
	ini_free(f);
}

TEST(ini_nested_sub_properties)
{
	struct ini_file *f = parse_ok("[services local]\n"
	                              "lambda =\n"
	                              "  endpoint_url = http://127.0.0.1:4566\n"
	                              "  Other = x=y\n"
	                              "\n"
	                              "sqs =\n"
	                              "\tendpoint_url = http://sqs.local\n"
	                              "plain = value\n"
	                              "  more\n"
	                              "[next]\n"
	                              "k = v\n");

	REQUIRE(f != NULL);
	CHECK_STR(ini_get_sub(f, "services local", "lambda", "endpoint_url"),
	          "http://127.0.0.1:4566");
	CHECK_STR(ini_get_sub(f, "services local", "lambda", "other"), "x=y");
	CHECK_STR(ini_get_sub(f, "services local", "sqs", "endpoint_url"), "http://sqs.local");
	CHECK_STR(ini_get(f, "services local", "lambda"), "");
	CHECK(ini_get(f, "services local", "endpoint_url") == NULL);
	CHECK(ini_get_sub(f, "services local", "logs", "endpoint_url") == NULL);
	CHECK_STR(ini_get(f, "services local", "plain"), "value\nmore");
	CHECK_STR(ini_get(f, "next", "k"), "v");
	ini_free(f);
}

TEST(ini_crlf_and_bom)
{
	struct ini_file *f = parse_ok("\xEF\xBB\xBF[default]\r\nregion = us-east-2\r\n");

	REQUIRE(f != NULL);
	CHECK_STR(ini_get(f, "default", "region"), "us-east-2");
	ini_free(f);
}

TEST(ini_malformed_lines_name_file_and_line)
{
	struct fd_err err;

	CHECK_INT(parse_err("[a]\nk = v\njust words\n", &err), FD_EPARSE);
	CHECK_STR(err.msg, "cfg:3: expected \"key = value\"");
	CHECK_INT(parse_err("region = x\n", &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:1:");
	CHECK_CONTAINS(err.msg, "before any [section]");
	CHECK_INT(parse_err("[a]\n[unclosed\n", &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:2: expected \"[section]\"");
	CHECK_INT(parse_err("[  ]\n", &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:1: bad section name");
	CHECK_INT(parse_err("[a]\n= value\n", &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:2:");
	CHECK_INT(parse_err("[s]\nlambda =\n  no delimiter here\n", &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:3: expected \"key = value\" in the indented block");
}

TEST(ini_rejects_binary_and_huge)
{
	struct fd_err err;
	struct ini_file *f = NULL;
	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);

	CHECK_INT(ini_parse("[a]\0k=v", 7, "bin", &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "NUL");
	REQUIRE(text != NULL);
	memset(text, '#', big);
	CHECK_INT(ini_parse(text, big, "huge", &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "huge: larger than");
	CHECK(f == NULL);
	free(text);
}

TEST(ini_load_file_and_missing)
{
	char path[512];
	struct ini_file *f = NULL;
	struct fd_err err;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/config", fd_test_tmpdir());
	CHECK_INT(ini_load(path, &f, &err), FD_ENOTFOUND);
	fp = fopen(path, "w");
	REQUIRE(fp != NULL);
	fputs("[profile x]\nregion = ap-south-1\nbad line\n", fp);
	fclose(fp);
	CHECK_INT(ini_load(path, &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, ":3: expected");
	CHECK_CONTAINS(err.msg, path);
	fp = fopen(path, "w");
	REQUIRE(fp != NULL);
	fputs("[profile x]\nregion = ap-south-1\n", fp);
	fclose(fp);
	REQUIRE(ini_load(path, &f, &err) == FD_OK);
	CHECK_STR(ini_get(f, "profile x", "region"), "ap-south-1");
	ini_free(f);
}

TEST(ini_fixture_files_parse)
{
	char path[512];
	struct ini_file *f = NULL;
	struct fd_err err;

	snprintf(path, sizeof(path), "%s/config/sample-config", fd_test_data());
	REQUIRE(ini_load(path, &f, &err) == FD_OK);
	CHECK_STR(ini_get(f, "profile dev", "source_profile"), "default");
	CHECK_STR(ini_get_sub(f, "services local", "cloudwatch_logs", "endpoint_url"),
	          "http://localhost:4566");
	ini_free(f);
	snprintf(path, sizeof(path), "%s/config/malformed-config", fd_test_data());
	CHECK_INT(ini_load(path, &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "malformed-config:4: expected \"key = value\"");
}
