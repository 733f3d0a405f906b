/* test_logs_saved.c - saved Logs Insights queries parsed from config text (the form the
 * fuzz target drives): built-ins, saved ones, shadowing, and the error for a bad file. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../src/cmd_logs_int.h"

TEST(logs_saved_parse_text)
{
	static const char text[] = "[default]\nregion = us-east-1\n[queries]\n"
	                           "slow = filter @duration > 1000\n  | sort @duration desc\n"
	                           "timeouts = fields @message\n";
	struct logs_queries qs;
	struct fd_err err = {FD_OK, ""};

	REQUIRE(logs_queries_parse(text, strlen(text), "cfg", &qs, &err) == FD_OK);
	CHECK_CONTAINS(logs_queries_find(&qs, "SLOW"), "filter @duration > 1000");
	CHECK_CONTAINS(logs_queries_find(&qs, "slow"), "sort @duration desc");
	CHECK_STR(logs_queries_find(&qs, "timeouts"), "fields @message"); /* shadows */
	CHECK_STR(logs_queries_find(&qs, "top-errors"), logs_builtin_query("top-errors"));
	CHECK(logs_queries_find(&qs, "missing") == NULL);
	CHECK_INT((long long)qs.n, 5);
	logs_queries_free(&qs);
}

TEST(logs_saved_parse_error_names_the_file)
{
	static const char text[] = "[queries\nx = y\n";
	struct logs_queries qs;
	struct fd_err err = {FD_OK, ""};

	CHECK_INT(logs_queries_parse(text, strlen(text), "cfg", &qs, &err), FD_EPARSE);
	CHECK(strncmp(err.msg, "cfg:1:", 6) == 0);
	CHECK(qs.n == 0 && qs.ini == NULL);
}
