/* test_templates.c - the built-in test events (each parses, has the shape its service
 * sends, carries now-timestamps and fresh ids, and the simulator's Lambda accepts and
 * echoes it), the JSON writer, and the strict validator / re-indenter. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/jsonutil.h"
#include "test.h"
#include "test_aws_sim.h"

#define NOW_MS 1714557600123LL /* 2024-05-01T10:00:00.123Z */

static cJSON *
build(const char *name, uint64_t seed, struct fd_buf *b)
{
	struct fd_template_opts o = {"orders-api", "eu-west-1", "210987654321", seed, NOW_MS};
	struct fd_err err = {FD_OK, ""};

	fd_buf_init(b);
	if (fd_template_build(name, &o, b, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "%s: %s", name, err.msg);
		return NULL;
	}
	return cJSON_Parse(b->data);
}

/* Dotted path; a number segment indexes an array. */
static const cJSON *
at(const cJSON *o, const char *path)
{
	char buf[256], *save = NULL, *seg;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save))
		o = (seg[0] >= '0' && seg[0] <= '9') ? cJSON_GetArrayItem(o, atoi(seg))
		                                     : cJSON_GetObjectItemCaseSensitive(o, seg);
	return o;
}

static const char *
str_at(const cJSON *o, const char *path)
{
	const cJSON *v = at(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Paths each template must have: what a handler for that source reads first. */
static const struct {
	const char *name;
	const char *paths[8];
	const char *equals[2]; /* path, value */
} shapes[] = {
    {"apigw-rest",
     {"httpMethod", "path", "headers", "requestContext.requestId", "requestContext.stage",
      "requestContext.identity.sourceIp", "body", "isBase64Encoded"},
     {"requestContext.accountId", "210987654321"}},
    {"apigw-http",
     {"version", "routeKey", "rawPath", "requestContext.http.method", "requestContext.timeEpoch",
      "requestContext.requestId", "body", "headers"},
     {"version", "2.0"}},
    {"alb",
     {"requestContext.elb.targetGroupArn", "httpMethod", "path", "headers", "body",
      "isBase64Encoded", NULL},
     {"httpMethod", "GET"}},
    {"sqs",
     {"Records.0.messageId", "Records.0.receiptHandle", "Records.0.body",
      "Records.0.attributes.SentTimestamp", "Records.0.md5OfBody", "Records.0.eventSourceARN",
      "Records.1.body", NULL},
     {"Records.0.eventSource", "aws:sqs"}},
    {"sns",
     {"Records.0.Sns.MessageId", "Records.0.Sns.TopicArn", "Records.0.Sns.Message",
      "Records.0.Sns.Timestamp", "Records.0.EventSubscriptionArn", NULL},
     {"Records.0.EventSource", "aws:sns"}},
    {"s3-put",
     {"Records.0.s3.bucket.name", "Records.0.s3.object.key", "Records.0.s3.object.size",
      "Records.0.eventTime", "Records.0.awsRegion", NULL},
     {"Records.0.eventName", "ObjectCreated:Put"}},
    {"s3-delete",
     {"Records.0.s3.bucket.name", "Records.0.s3.object.key", "Records.0.s3.object.sequencer", NULL},
     {"Records.0.eventName", "ObjectRemoved:Delete"}},
    {"eventbridge",
     {"id", "detail-type", "source", "account", "time", "region", "resources", "detail"},
     {"version", "0"}},
    {"scheduled",
     {"id", "time", "resources.0", "detail", NULL},
     {"detail-type", "Scheduled Event"}},
    {"dynamodb",
     {"Records.0.eventID", "Records.0.dynamodb.Keys.Id.N", "Records.0.dynamodb.NewImage",
      "Records.0.dynamodb.SequenceNumber", "Records.0.eventSourceARN", NULL},
     {"Records.0.eventSource", "aws:dynamodb"}},
    {"kinesis",
     {"Records.0.kinesis.data", "Records.0.kinesis.partitionKey",
      "Records.0.kinesis.sequenceNumber", "Records.0.eventID", "Records.0.eventSourceARN", NULL},
     {"Records.0.eventSource", "aws:kinesis"}},
};

TEST(templates_every_one_has_its_shape)
{
	size_t i, j;

	CHECK_INT(fd_template_count(), FD_ARRAY_LEN(shapes));
	for (i = 0; i < FD_ARRAY_LEN(shapes); i++) {
		struct fd_buf b;
		cJSON *doc = build(shapes[i].name, 7, &b);
		if (!doc) {
			fd_test_fail(__FILE__, __LINE__, "%s does not parse: %s", shapes[i].name,
			             b.data);
			fd_buf_free(&b);
			continue;
		}
		CHECK(fd_json_validate(b.data, b.len, NULL));
		for (j = 0; j < 8 && shapes[i].paths[j]; j++)
			if (!at(doc, shapes[i].paths[j]))
				fd_test_fail(__FILE__, __LINE__, "%s lacks %s", shapes[i].name,
				             shapes[i].paths[j]);
		CHECK_STR(str_at(doc, shapes[i].equals[0]), shapes[i].equals[1]);
		cJSON_Delete(doc);
		fd_buf_free(&b);
	}
}

TEST(templates_timestamps_ids_and_arns)
{
	struct fd_buf a, b, c;
	cJSON *sqs = build("sqs", 1, &a), *sqs2 = build("sqs", 2, &b),
	      *eb = build("eventbridge", 1, &c);
	char md5[33];
	const char *body;

	REQUIRE(sqs && sqs2 && eb);
	CHECK_STR(str_at(sqs, "Records.0.attributes.SentTimestamp"), "1714557599123");
	CHECK_STR(str_at(sqs, "Records.0.eventSourceARN"),
	          "arn:aws:sqs:eu-west-1:210987654321:orders-api-queue");
	body = str_at(sqs, "Records.0.body");
	REQUIRE(body);
	fd_md5_hex(body, strlen(body), md5);
	CHECK_STR(str_at(sqs, "Records.0.md5OfBody"), md5);
	/* Fresh ids per seed, and distinct records inside one event. */
	CHECK(strcmp(str_at(sqs, "Records.0.messageId"), str_at(sqs2, "Records.0.messageId")));
	CHECK(strcmp(str_at(sqs, "Records.0.messageId"), str_at(sqs, "Records.1.messageId")));
	CHECK_INT(strlen(str_at(sqs, "Records.0.messageId")), 36);
	CHECK_STR(str_at(eb, "time"), "2024-05-01T10:00:00Z");
	CHECK_STR(str_at(eb, "account"), "210987654321");
	cJSON_Delete(sqs);
	cJSON_Delete(sqs2);
	cJSON_Delete(eb);
	fd_buf_free(&a);
	fd_buf_free(&b);
	fd_buf_free(&c);
}

TEST(templates_more_fields)
{
	struct fd_buf a, b, c;
	cJSON *http = build("apigw-http", 3, &a), *kin = build("kinesis", 3, &b);
	cJSON *s3 = build("s3-put", 3, &c);
	struct fd_buf dec;

	REQUIRE(http && kin && s3);
	CHECK(cJSON_GetNumberValue(at(http, "requestContext.timeEpoch")) == (double)NOW_MS);
	CHECK_STR(str_at(http, "requestContext.time"), "01/May/2024:10:00:00 +0000");
	CHECK_STR(str_at(s3, "Records.0.eventTime"), "2024-05-01T10:00:00.123Z");
	CHECK_STR(str_at(s3, "Records.0.s3.bucket.name"), "orders-api-bucket");
	fd_buf_init(&dec);
	REQUIRE(fd_base64_decode(str_at(kin, "Records.0.kinesis.data"),
	                         strlen(str_at(kin, "Records.0.kinesis.data")), &dec) == FD_OK);
	CHECK_CONTAINS(dec.data, "\"orderId\"");
	fd_buf_free(&dec);
	cJSON_Delete(http);
	cJSON_Delete(kin);
	cJSON_Delete(s3);
	fd_buf_free(&a);
	fd_buf_free(&b);
	fd_buf_free(&c);
}

TEST(templates_unknown_and_random_seed)
{
	struct fd_buf a, b;
	struct fd_err err = {FD_OK, ""};

	fd_buf_init(&a);
	fd_buf_init(&b);
	CHECK_INT(fd_template_build("nope", NULL, &a, &err), FD_ENOTFOUND);
	CHECK_CONTAINS(err.msg, "events templates");
	CHECK_INT(fd_template_build("sns", NULL, &a, &err), FD_OK);
	CHECK_INT(fd_template_build("sns", NULL, &b, &err), FD_OK);
	CHECK(strcmp(a.data, b.data) != 0); /* random ids differ */
	CHECK(fd_template_find("kinesis") != NULL);
	CHECK(fd_template_at(fd_template_count()) == NULL);
	fd_buf_free(&a);
	fd_buf_free(&b);
}

/* Every template goes through Invoke unchanged: the simulator's echo mode returns the
 * payload it parsed, byte for byte. */
TEST(templates_simulator_accepts_and_echoes)
{
	struct sim x;
	size_t i;

	if (!sim_open(&x, NULL, NULL))
		return;
	for (i = 0; i < fd_template_count(); i++) {
		struct fd_invoke_result r;
		struct fd_err err = {FD_OK, ""};
		struct fd_buf b;
		cJSON *doc = build(fd_template_at(i)->name, 0, &b);
		struct fd_invoke_req in = {
		    "orders-api", NULL, FD_INVOKE_SYNC, b.data, b.len, NULL, 0, 0};
		CHECK(doc != NULL);
		cJSON_Delete(doc);
		if (lambda_invoke_sync(x.c, &in, &r, &err) != FD_OK)
			fd_test_fail(__FILE__, __LINE__, "%s: %s", fd_template_at(i)->name,
			             err.msg);
		else
			CHECK(r.payload.len == b.len && memcmp(r.payload.data, b.data, b.len) == 0);
		fd_invoke_result_free(&r);
		fd_buf_free(&b);
	}
	sim_close(&x);
}

TEST(json_writer_escapes_and_nests)
{
	struct fd_buf b;
	struct fd_jw w;

	fd_buf_init(&b);
	fd_jw_init(&w, &b);
	fd_jw_obj(&w);
	fd_jw_kstr(&w, "s", "a\"b\\c\n\x01\x1b[31m");
	fd_jw_key(&w, "bad");
	fd_jw_strn(&w, "ok\xff\xfe!", 5);
	fd_jw_key(&w, "arr");
	fd_jw_arr(&w);
	fd_jw_int(&w, -3);
	fd_jw_num(&w, 1.5);
	fd_jw_num(&w, 0.0 / 0.0);
	fd_jw_bool(&w, 1);
	fd_jw_null(&w);
	fd_jw_obj(&w);
	fd_jw_end(&w);
	fd_jw_raw(&w, "[1,2]", 5);
	fd_jw_end(&w);
	fd_jw_kstr(&w, "nul", NULL);
	fd_jw_kstr(&w, "utf8", "caf\xc3\xa9 \xe2\x9c\x93");
	fd_jw_end(&w);
	CHECK_STR(b.data,
	          "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001b[31m\",\"bad\":\"ok\\ufffd\\ufffd!\","
	          "\"arr\":[-3,1.5,null,true,null,{},[1,2]],\"nul\":null,"
	          "\"utf8\":\"caf\xc3\xa9 \xe2\x9c\x93\"}");
	CHECK(fd_json_validate(b.data, b.len, NULL));
	fd_buf_free(&b);
}

static void
check_invalid(const char *text, int line, int col, const char *why)
{
	struct fd_json_error e;

	if (fd_json_validate(text, strlen(text), &e)) {
		fd_test_fail(__FILE__, __LINE__, "accepted: %s", text);
		return;
	}
	if (e.line != line || e.col != col || !strstr(e.msg, why))
		fd_test_fail(__FILE__, __LINE__, "%s: got %d:%d %s, expected %d:%d %s", text,
		             e.line, e.col, e.msg, line, col, why);
}

TEST(json_validate_strict_with_positions)
{
	static const char *const good[] = {"{}",
	                                   " [ ] ",
	                                   "0",
	                                   "-0.5e+10",
	                                   "\"\\u00e9\"",
	                                   "{\"a\":[true,false,null,{\"b\":\"c\\n\"}]}",
	                                   "\"caf\xc3\xa9\"",
	                                   "\n{\"x\" : 1}\n"};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(good); i++)
		CHECK(fd_json_validate(good[i], strlen(good[i]), NULL));
	check_invalid("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':'");
	check_invalid("{\"a\":1,}", 1, 8, "trailing comma");
	check_invalid("[1,2,]", 1, 6, "trailing comma");
	check_invalid("{'a':1}", 1, 2, "expected a \"key\"");
	check_invalid("[01]", 1, 3, "leading zero");
	check_invalid("[1.]", 1, 4, "digits expected");
	check_invalid("{\"a\":tru}", 1, 6, "unexpected character");
	check_invalid("{\"a\":1", 1, 7, "expected ',' or '}'");
	check_invalid("\"abc", 1, 5, "unterminated string");
	check_invalid("\"a\tb\"", 1, 3, "control character");
	check_invalid("\"\\x\"", 1, 3, "invalid escape");
	check_invalid("\"\xff\"", 1, 2, "invalid UTF-8");
	check_invalid("\"\xc3\xa9\" x", 1, 5, "unexpected text after");
	check_invalid("", 1, 1, "unexpected end");
	check_invalid("// c\n{}", 1, 1, "unexpected character");
}

TEST(json_validate_depth_limit)
{
	char deep[2 * FD_JSON_MAX_DEPTH + 10];
	size_t i, n = FD_JSON_MAX_DEPTH + 1;
	struct fd_json_error e;

	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = '\0';
	CHECK(!fd_json_validate(deep, 2 * n, &e));
	CHECK_CONTAINS(e.msg, "nested too deeply");
	CHECK(fd_json_validate(deep + 1, 2 * n - 2, NULL));
}

TEST(json_pretty_keeps_tokens)
{
	static const char in[] = "{\"id\":12345678901234567890,\"s\":\"a, {b}: [c]\",\"e\":{},"
	                         "\"l\":[],\"n\":[1,{\"x\":null}]}";
	struct fd_buf b;

	fd_buf_init(&b);
	CHECK(fd_json_pretty(in, strlen(in), 2, &b));
	CHECK_STR(b.data,
	          "{\n  \"id\": 12345678901234567890,\n  \"s\": \"a, {b}: [c]\",\n"
	          "  \"e\": {},\n  \"l\": [],\n  \"n\": [\n    1,\n    {\n      \"x\": null\n"
	          "    }\n  ]\n}");
	fd_buf_reset(&b);
	CHECK(fd_json_pretty("[ 1 ,\n 2 ]", 10, 0, &b));
	CHECK_STR(b.data, "[1,2]");
	fd_buf_reset(&b);
	CHECK(!fd_json_pretty("not json", 8, 2, &b));
	CHECK_STR(b.data, "not json");
	fd_buf_free(&b);
}

TEST(json_members)
{
	static const char in[] = "{\"requestContext\":{\"functionArn\":\"arn:x\"},"
	                         "\"requestPayload\":{\"a\":[1,2]},\"s\":\"t\\u00e9\\n\\\"q\\\"\","
	                         "\"d\":\"\\ud83d\\ude00\"}";
	size_t off = 0, n = 0;
	char *s;

	CHECK(fd_json_member(in, strlen(in), "requestPayload", &off, &n));
	CHECK_INT(n, 11);
	CHECK(strncmp(in + off, "{\"a\":[1,2]}", n) == 0);
	CHECK(!fd_json_member(in, strlen(in), "missing", &off, &n));
	CHECK(!fd_json_member("[1]", 3, "a", &off, &n));
	s = fd_json_member_string(in, strlen(in), "s");
	CHECK_STR(s, "t\xc3\xa9\n\"q\"");
	free(s);
	s = fd_json_member_string(in, strlen(in), "d");
	CHECK_STR(s, "\xf0\x9f\x98\x80");
	free(s);
	CHECK(fd_json_member_string(in, strlen(in), "requestContext") == NULL);
}
