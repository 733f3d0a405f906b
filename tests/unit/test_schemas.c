/* test_schemas.c - the Lambda console's shareable test events: the DescribeSchema
 * request, the answer and schema-document parsers (fixtures as the console writes
 * them, and broken ones), and the call against the simulator. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/schemas.h"
#include "fleetdeck/util.h"
#include "test.h"
#include "test_aws_sim.h"

/* A schema document as the console saves it (OpenAPI 3, examples under components). */
static const char console_doc[] =
    "{\"openapi\":\"3.0.0\",\"info\":{\"version\":\"1.0.0\",\"title\":\"Event\"},"
    "\"paths\":{},\"components\":{\"schemas\":{\"Event\":{\"type\":\"object\","
    "\"required\":[\"key1\"],\"properties\":{\"key1\":{\"type\":\"string\"}}}},"
    "\"examples\":{\"hello\":{\"value\":{ \"key1\" : \"value1\",\n \"n\": [1, 2.5, true] }},"
    "\"second-one\":{\"value\":{\"key1\":\"caf\\u00e9\"}}}}}";

static enum fd_status
parse(const char *doc, struct fd_console_event **ev, size_t *n, size_t *skipped, struct fd_err *err)
{
	return schemas_parse_test_events(doc, strlen(doc), ev, n, skipped, err);
}

TEST(schemas_events_from_console_document)
{
	struct fd_console_event *ev = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0, skipped = 9;

	REQUIRE(parse(console_doc, &ev, &n, &skipped, &err) == FD_OK);
	REQUIRE(n == 2);
	CHECK_INT(skipped, 0);
	CHECK_STR(ev[0].name, "hello"); /* document order */
	CHECK_STR(ev[0].json, "{\"key1\":\"value1\",\"n\":[1,2.5,true]}");
	CHECK_STR(ev[1].name, "second-one");
	CHECK_STR(ev[1].json, "{\"key1\":\"caf\xc3\xa9\"}");
	fd_console_events_free(ev, n);
}

TEST(schemas_events_malformed_content)
{
	static const char *const bad[] = {
	    "",
	    "not json",
	    "{\"components\":{\"examples\":{\"a\":{\"value\":1}}}", /* cut */
	    "[{\"value\":{}}]",
	    "\"a string\"",
	    "null",
	};
	struct fd_console_event *ev = (struct fd_console_event *)&ev;
	struct fd_err err;
	size_t n = 7, i;

	for (i = 0; i < FD_ARRAY_LEN(bad); i++) {
		err.status = FD_OK;
		err.msg[0] = '\0';
		CHECK_INT(parse(bad[i], &ev, &n, NULL, &err), FD_EPARSE);
		CHECK(ev == NULL);
		CHECK_INT(n, 0);
		CHECK_CONTAINS(err.msg, "not a JSON object");
	}
	CHECK_INT(schemas_parse_test_events(NULL, 0, &ev, &n, NULL, &err), FD_EPARSE);
}

TEST(schemas_events_missing_examples)
{
	static const char *const none[] = {
	    "{}",
	    "{\"openapi\":\"3.0.0\",\"components\":{\"schemas\":{}}}",
	    "{\"components\":{\"examples\":{}}}",
	    "{\"components\":{\"examples\":[{\"value\":{}}]}}",
	    "{\"components\":\"examples\"}",
	    "{\"examples\":{\"top-level\":{\"value\":{}}}}",
	};
	struct fd_console_event *ev = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 5, i;

	for (i = 0; i < FD_ARRAY_LEN(none); i++) {
		CHECK_INT(parse(none[i], &ev, &n, NULL, &err), FD_OK);
		CHECK_INT(n, 0);
		fd_console_events_free(ev, n);
		ev = NULL;
	}
}

TEST(schemas_events_non_object_examples_and_values)
{
	static const char doc[] =
	    "{\"components\":{\"examples\":{"
	    "\"str\":\"just text\",\"num\":42,\"arr\":[{\"value\":{}}],\"nul\":null,"
	    "\"novalue\":{\"summary\":\"no event here\"},"
	    "\"text\":{\"value\":\"a string event\"},\"list\":{\"value\":[1,\"two\",null]},"
	    "\"nothing\":{\"value\":null},\"\":{\"value\":{\"unnamed\":1}}}}}";
	struct fd_console_event *ev = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0, skipped = 0;

	REQUIRE(parse(doc, &ev, &n, &skipped, &err) == FD_OK);
	CHECK_INT(skipped, 6); /* str, num, arr, nul, novalue, the unnamed one */
	REQUIRE(n == 3);       /* any JSON value is an event Lambda accepts */
	CHECK_STR(ev[0].name, "text");
	CHECK_STR(ev[0].json, "\"a string event\"");
	CHECK_STR(ev[1].name, "list");
	CHECK_STR(ev[1].json, "[1,\"two\",null]");
	CHECK_STR(ev[2].name, "nothing");
	CHECK_STR(ev[2].json, "null");
	fd_console_events_free(ev, n);
}

TEST(schemas_events_invalid_utf8_skipped)
{
	static const char doc[] = "{\"components\":{\"examples\":{"
	                          "\"bad\":{\"value\":{\"k\":\"t\xff\xfewo\"}},"
	                          "\"good\":{\"value\":{\"k\":\"two\"}}}}}";
	struct fd_console_event *ev = NULL;
	struct fd_err err = {FD_OK, ""};
	size_t n = 0, skipped = 0;

	REQUIRE(parse(doc, &ev, &n, &skipped, &err) == FD_OK);
	CHECK_INT(skipped, 1);
	REQUIRE(n == 1);
	CHECK_STR(ev[0].name, "good");
	fd_console_events_free(ev, n);
}

TEST(schemas_events_capped)
{
	struct fd_console_event *ev = NULL;
	struct fd_err err = {FD_OK, ""};
	struct fd_buf b;
	size_t n = 0, i;

	fd_buf_init(&b);
	fd_buf_puts(&b, "{\"components\":{\"examples\":{");
	for (i = 0; i < FD_SCHEMAS_MAX_EVENTS + 5; i++)
		fd_buf_printf(&b, "%s\"e%zu\":{\"value\":{\"i\":%zu}}", i ? "," : "", i, i);
	fd_buf_puts(&b, "}}}");
	REQUIRE(schemas_parse_test_events(b.data, b.len, &ev, &n, NULL, &err) == FD_OK);
	CHECK_INT(n, FD_SCHEMAS_MAX_EVENTS);
	CHECK_STR(ev[n - 1].json, "{\"i\":999}");
	fd_console_events_free(ev, n);
	fd_buf_free(&b);
}

TEST(schemas_describe_answer)
{
	static const char ok[] = "{\"Content\":\"{\\\"components\\\":{\\\"examples\\\":{}}}\","
	                         "\"SchemaName\":\"_f-schema\",\"SchemaVersion\":\"3\","
	                         "\"Type\":\"OpenApi3\"}";
	static const char *const bad[] = {"",
	                                  "{",
	                                  "[]",
	                                  "{\"SchemaName\":\"x\"}",
	                                  "{\"Content\":{\"openapi\":\"3.0.0\"}}",
	                                  "{\"Content\":null}"};
	struct fd_err err = {FD_OK, ""};
	char *content = (char *)"x";
	size_t i;

	REQUIRE(schemas_parse_describe(ok, strlen(ok), &content, &err) == FD_OK);
	CHECK_STR(content, "{\"components\":{\"examples\":{}}}");
	free(content);
	for (i = 0; i < FD_ARRAY_LEN(bad); i++) {
		content = (char *)"x";
		CHECK_INT(schemas_parse_describe(bad[i], strlen(bad[i]), &content, &err),
		          FD_EPARSE);
		CHECK(content == NULL);
		CHECK_CONTAINS(err.msg, "DescribeSchema");
	}
}

TEST(schemas_describe_request_shape)
{
	struct aws_request r;

	schemas_describe_request(&r, FD_SCHEMAS_TESTEVENT_REGISTRY, "_my-fn_2-schema");
	aws_request_prepare(&r);
	CHECK_INT(r.svc, AWS_SVC_SCHEMAS);
	CHECK_STR(r.op, "DescribeSchema");
	CHECK_STR(r.method, "GET");
	REQUIRE(r.path.data != NULL);
	CHECK_STR(r.path.data,
	          "/v1/registries/name/lambda-testevent-schemas/schemas/name/_my-fn_2-schema");
	CHECK_INT(r.body.len, 0);
	CHECK_STR(aws_service_get(AWS_SVC_SCHEMAS)->signing_name, "schemas");
	CHECK_STR(aws_service_get(AWS_SVC_SCHEMAS)->env_suffix, "SCHEMAS");
	aws_request_free(&r);
}

TEST(schemas_sim_console_events_and_not_found)
{
	struct sim sim;
	struct fd_console_event *ev = NULL;
	struct aws_error e;
	size_t n = 0;

	fd_test_sim_url();
	REQUIRE(sim_open(&sim, NULL, NULL));
	REQUIRE(schemas_lambda_test_events_sync(sim.c, "orders-api", &ev, &n, &e) == FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(ev[0].name, "small-order");
	CHECK_CONTAINS(ev[0].json, "\"orderId\":\"o-1001\"");
	CHECK_STR(ev[1].name, "apigw-get");
	CHECK_CONTAINS(ev[1].json, "\"httpMethod\":\"GET\"");
	fd_console_events_free(ev, n);
	CHECK_INT(schemas_lambda_test_events_sync(sim.c, "payments-worker", &ev, &n, &e),
	          FD_ENOTFOUND);
	CHECK(ev == NULL);
	CHECK_INT(n, 0);
	CHECK_INT(e.status, FD_ENOTFOUND);
	CHECK_INT(e.http_status, 404);
	CHECK_STR(e.code, "NotFoundException");
	CHECK_STR(e.message, "no shareable test events for payments-worker in this account/region");
	CHECK_INT(sim_stat("requests", "schemas:DescribeSchema"), 2);
	sim_close(&sim);
}
