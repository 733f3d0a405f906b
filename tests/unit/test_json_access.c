/* test_json_access.c - the cJSON accessors every aws/ parser shares (aws/json_int.h):
 * wrong shapes give the default, never a crash or a wrong type. */
#include <math.h>
#include <string.h>

#include "test.h"
#include "../../aws/json_int.h"

static const char DOC[] = "{\"s\":\"x\",\"e\":\"\",\"n\":12.5,\"big\":1e16,\"neg\":-7,"
                          "\"o\":{\"k\":1},\"a\":[1],\"t\":true,\"z\":null}";

TEST(json_access_member_needs_object)
{
	cJSON *doc = cJSON_Parse(DOC);

	REQUIRE(doc != NULL);
	CHECK(cj_member(doc, "o") != NULL);
	CHECK(cj_member(doc, "missing") == NULL);
	CHECK(cj_member(cj_member(doc, "a"), "0") == NULL);
	CHECK(cj_member(NULL, "s") == NULL);
	CHECK(cj_member(cj_member(doc, "o"), "K") == NULL); /* case-sensitive */
	cJSON_Delete(doc);
}

TEST(json_access_strings)
{
	cJSON *doc = cJSON_Parse(DOC);

	REQUIRE(doc != NULL);
	CHECK_STR(cj_str(doc, "s"), "x");
	CHECK_STR(cj_str(doc, "e"), "");
	CHECK(cj_str(doc, "n") == NULL);
	CHECK(cj_str(doc, "z") == NULL);
	CHECK_STR(cj_str_nonempty(doc, "s"), "x");
	CHECK(cj_str_nonempty(doc, "e") == NULL);
	CHECK(cj_str_nonempty(doc, "o") == NULL);
	cJSON_Delete(doc);
}

TEST(json_access_numbers)
{
	cJSON *doc = cJSON_Parse(DOC);

	REQUIRE(doc != NULL);
	CHECK(cj_num(doc, "n", 0.0) == 12.5);
	CHECK(cj_num(doc, "s", -1.0) == -1.0);
	CHECK(isnan(cj_num(doc, "missing", NAN)));
	CHECK_INT(cj_long(doc, "n", 0), 12);
	CHECK_INT(cj_long(doc, "neg", 0), -7);
	CHECK_INT(cj_long(doc, "big", 3), 3);
	CHECK_INT(cj_long(doc, "t", 4), 4);
	cJSON_Delete(doc);
}

TEST(json_access_parse_object)
{
	struct fd_err err;
	const char *bad = "{\"a\":1,}";
	cJSON *doc;

	memset(&err, 0, sizeof(err));
	doc = cj_parse_object("Op", DOC, strlen(DOC), &err);
	CHECK(doc != NULL);
	cJSON_Delete(doc);
	CHECK(cj_parse_object("Op", "[1]", 3, &err) == NULL);
	CHECK_STR(err.msg, "Op: answer is not a JSON object (3 bytes)");
	CHECK(cj_parse_object("Op", NULL, 0, &err) == NULL);
	CHECK_INT(err.status, FD_EPARSE);
	CHECK(cj_parse_object_at("Op", bad, strlen(bad), &err) == NULL);
	CHECK_STR(err.msg, "Op: answer is not a JSON object (8 bytes, bad at byte 7)");
}
