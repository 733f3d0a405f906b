/* test_logs_groups.c - DescribeLogGroups parsing (retention absent = never expires,
 * hostile fields) and, against the simulator, the paged listing. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/logs.h"
#include "test.h"
#include "test_aws_sim.h"

TEST(logs_groups_parse_fields)
{
	struct fd_log_group *g = NULL;
	struct fd_err err = {0};
	struct fd_buf b;
	char path[512], *next = NULL;
	size_t n = 0;

	fd_buf_init(&b);
	snprintf(path, sizeof(path), "%s/lambda/describe_log_groups_page1.json", fd_test_data());
	REQUIRE(fd_read_file(path, 1 << 20, &b, &err) == FD_OK);
	setenv("FLEETDECK_NOW", "1796385600", 1);
	CHECK_INT(logs_parse_describe_groups(b.data, b.len, &g, &n, &next, &err), FD_OK);
	CHECK_STR(next, "/aws/lambda/odd-token");
	REQUIRE(n == 3); /* nameless and non-object records skipped */
	CHECK_STR(g[0].name, "/aws/lambda/orders-api");
	CHECK_INT(g[0].retention_days, 14);
	CHECK_INT(g[0].stored_bytes, 734003200);
	CHECK_INT(g[0].created_ms, 1764000000123LL);
	CHECK_STR(g[0].log_class, "STANDARD");
	CHECK_INT(g[0].fetched_ms, 1796385600000LL);
	CHECK_STR(g[1].name, "/aws/lambda/billing-java");
	CHECK_INT(g[1].retention_days, 0); /* absent: never expires */
	CHECK_STR(g[1].log_class, "INFREQUENT_ACCESS");
	CHECK_STR(g[2].name, "/aws/lambda/odd");
	CHECK_INT(g[2].retention_days, 0);
	CHECK_INT(g[2].stored_bytes, 0);
	CHECK_INT(g[2].created_ms, 0);
	CHECK(g[2].log_class == NULL);
	fd_log_groups_free(g, n);
	free(next);
	fd_buf_free(&b);
}

TEST(logs_groups_parse_malformed)
{
	static const char *const bodies[] = {"", "nope", "[]", "{\"logGroups\":{}}",
					     "{\"logGroups\":[{\"logGroupName\":"};
	struct fd_log_group *g;
	struct fd_err err;
	char *next;
	size_t i, n;

	for (i = 0; i < FD_ARRAY_LEN(bodies); i++) {
		memset(&err, 0, sizeof(err));
		next = (char *)1;
		CHECK_INT(logs_parse_describe_groups(bodies[i], strlen(bodies[i]), &g, &n, &next,
						     &err),
			  FD_EPARSE);
		CHECK(g == NULL && n == 0 && next == NULL);
		CHECK_CONTAINS(err.msg, "DescribeLogGroups");
	}
	CHECK_INT(logs_parse_describe_groups("{}", 2, &g, &n, &next, &err), FD_OK);
	CHECK(n == 0 && next == NULL);
}

/* ---- against the simulator ---- */

TEST(logs_groups_sim_all_pages)
{
	struct sim x;
	struct fd_log_group *g = NULL;
	struct aws_error e;
	size_t n = 0, i, never = 0;

	fd_test_sim_url();
	REQUIRE(sim_open_reset(&x, "{\"functions\":120}"));
	CHECK_INT(logs_describe_groups_sync(x.c, "/aws/lambda/", &g, &n, &e), FD_OK);
	/* 120 functions, a few of them with custom groups outside the prefix */
	CHECK(n > 100 && n <= 120);
	for (i = 0; i < n; i++) {
		CHECK(fd_str_starts(g[i].name, "/aws/lambda/"));
		never += g[i].retention_days == 0;
	}
	CHECK(never > 0);
	fd_log_groups_free(g, n);
	sim_close(&x);
}
