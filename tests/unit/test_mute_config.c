/* test_mute_config.c - the [mute] section of fleetdeck's config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/mute_config.h"
#include "test.h"

static enum fd_status
parse(const char *text, struct fd_mute_config *c, struct fd_buf *warn, struct fd_err *err)
{
	return fd_mute_config_parse(text, strlen(text), "cfg", c, warn, err);
}

TEST(mute_config_rules)
{
	struct fd_mute_config c;
	struct fd_buf warn;
	struct fd_err err = {0};

	fd_buf_init(&warn);
	REQUIRE(parse("# mine\n[keys]\nmove-down = x <Down>\n"
	              "[mute]\nOrders-API = env-secret-literal, log-no-retention\n"
	              "* = runtime-deprecated\n"
	              "[other]\nfoo = async-no-dlq\n",
	              &c, &warn, &err) == FD_OK);
	REQUIRE(c.n == 2);
	CHECK_STR(c.rules[0].function, "Orders-API"); /* verbatim: names are case-sensitive */
	CHECK_STR(c.rules[0].ids, "env-secret-literal,log-no-retention");
	CHECK_INT(c.rules[0].line, 5);
	CHECK_STR(c.rules[1].function, "*");
	CHECK_STR(c.rules[1].ids, "runtime-deprecated");
	CHECK_INT(warn.len, 0);
	fd_mute_config_free(&c);
	fd_buf_free(&warn);
}

TEST(mute_config_star_and_continuation)
{
	struct fd_mute_config c;
	struct fd_err err = {0};

	REQUIRE(parse("\xEF\xBB\xBF[ mute ]\nreport-generator: *\n"
	              "orders-api = env-secret-literal,\n    log-no-retention\n",
	              &c, NULL, &err) == FD_OK);
	REQUIRE(c.n == 2);
	CHECK_STR(c.rules[0].function, "report-generator");
	CHECK_STR(c.rules[0].ids, "*");
	CHECK_STR(c.rules[1].ids, "env-secret-literal,log-no-retention");
	fd_mute_config_free(&c);
}

TEST(mute_config_unknown_id_warns)
{
	struct fd_mute_config c;
	struct fd_buf warn;
	struct fd_err err = {0};

	fd_buf_init(&warn);
	REQUIRE(parse("[mute]\n\norders-api = bogus-check, log-no-retention\nx =\n", &c, &warn,
	              &err) == FD_OK);
	REQUIRE(c.n == 2);
	CHECK_STR(c.rules[0].ids, "log-no-retention"); /* the unknown id is dropped */
	CHECK_CONTAINS(warn.data, "cfg:3: [mute] orders-api: unknown check id \"bogus-check\"");
	CHECK_CONTAINS(warn.data, "cfg:4: [mute] x: no check ids");
	CHECK_STR(c.rules[1].ids, "");
	fd_mute_config_free(&c);
	fd_buf_free(&warn);
}

TEST(mute_config_malformed)
{
	struct fd_mute_config c;
	struct fd_err err = {0};

	CHECK_INT(parse("[mute]\norders-api env-secret-literal\n", &c, NULL, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:2:");
	CHECK_INT(c.n, 0);
	CHECK(c.rules == NULL);
	CHECK_INT(parse("[mute\n", &c, NULL, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "cfg:1:");
	CHECK_INT(parse("orders-api = log-no-retention\n", &c, NULL, &err), FD_EPARSE);
	CHECK_INT(c.n, 0);
}

TEST(mute_config_load_file)
{
	char path[512];
	struct fd_mute_config c;
	struct fd_err err = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/none", fd_test_tmpdir());
	CHECK_INT(fd_mute_config_load(path, &c, NULL, &err), FD_OK); /* missing: no rules */
	CHECK_INT(c.n, 0);
	snprintf(path, sizeof(path), "%s/config", fd_test_tmpdir());
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("[mute]\r\norders-api = env-secret-literal\r\n", f);
	fclose(f);
	REQUIRE(fd_mute_config_load(path, &c, NULL, &err) == FD_OK);
	REQUIRE(c.n == 1);
	CHECK_STR(c.rules[0].ids, "env-secret-literal");
	fd_mute_config_free(&c);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("[mute]\n= env-secret-literal\n", f);
	fclose(f);
	CHECK_INT(fd_mute_config_load(path, &c, NULL, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "config:2:");
}
