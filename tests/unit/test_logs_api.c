/* test_logs_api.c - the CloudWatch Logs wire pieces of the follow engine and Logs
 * Insights: the FilterLogEvents / Live Tail scanner (escapes, surrogates, skipped
 * members, malformed bodies), request bodies, DescribeLogStreams, query results and
 * the JSON display forms. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/eventstream.h"
#include "fleetdeck/logs.h"
#include "test.h"

static int
load(const char *name, struct fd_buf *b)
{
	struct fd_err err = {FD_OK, ""};
	char path[512];

	fd_buf_init(b);
	snprintf(path, sizeof(path), "%s/logs/%s", fd_test_data(), name);
	return fd_read_file(path, 1 << 20, b, &err) == FD_OK;
}

TEST(logs_filter_parse_page)
{
	struct logs_events ev;
	struct fd_err err = {FD_OK, ""};
	struct fd_buf b;

	REQUIRE(load("filter_page1.json", &b));
	logs_events_init(&ev);
	CHECK_INT(logs_parse_filter_events(b.data, b.len, &ev, &err), FD_OK);
	REQUIRE(ev.n == 3); /* the event without a timestamp is skipped */
	CHECK_INT(ev.ev[0].timestamp, 1796385600123LL);
	CHECK_INT(ev.ev[0].ingestion, 1796385600900LL);
	CHECK_STR(ev.ev[0].stream, "2026/12/04/[$LATEST]0123456789abcdef0123456789abcdef");
	CHECK_STR(ev.ev[0].event_id, "37000000000000000000000000000000000000000000000000000001");
	CHECK_INT(ev.ev[0].event_id_len, 56);
	CHECK_STR(ev.ev[0].message,
	          "START RequestId: 6f1d2c3b-aaaa-4bbb-8ccc-123456789abc Version: $LATEST\n");
	/* escapes: tab, quote, ESC, BEL, e-acute, a surrogate pair (U+1F600) */
	CHECK_CONTAINS(ev.ev[1].message, "\tERROR\tpayment \"declined\"\tcard\x1b]52;c;");
	CHECK_CONTAINS(ev.ev[1].message, "\x07 \xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK_INT(ev.ev[1].message_len, strlen(ev.ev[1].message));
	CHECK_STR(ev.ev[2].stream, "s2");
	CHECK_CONTAINS(ev.ev[2].message, "\"cold_start\":true");
	CHECK_STR(ev.ev[2].group, "");
	CHECK_STR(ev.next_token, "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7sZ");
	fd_buf_free(&b);

	/* reuse: the last page has no token and no events */
	REQUIRE(load("filter_last.json", &b));
	CHECK_INT(logs_parse_filter_events(b.data, b.len, &ev, &err), FD_OK);
	CHECK_INT(ev.n, 0);
	CHECK(ev.next_token == NULL);
	fd_buf_free(&b);
	logs_events_free(&ev);
}

TEST(logs_filter_parse_escapes)
{
	static const char body[] =
	    "{\"events\":[{\"timestamp\":5,\"message\":\"a\\u0000b \\ud800 x \\udc00 \\/\\\\\","
	    "\"eventId\":\"\\u0041\",\"timestamp\":7}], \"nextToken\" : null }";
	struct logs_events ev;
	struct fd_err err = {FD_OK, ""};

	logs_events_init(&ev);
	CHECK_INT(logs_parse_filter_events(body, strlen(body), &ev, &err), FD_OK);
	REQUIRE(ev.n == 1);
	CHECK_INT(ev.ev[0].timestamp, 7); /* the last duplicate member wins */
	CHECK_INT(ev.ev[0].message_len, 16);
	CHECK(memcmp(ev.ev[0].message, "a\0b \xef\xbf\xbd x \xef\xbf\xbd /\\", 17) == 0);
	CHECK_STR(ev.ev[0].event_id, "A");
	CHECK(ev.next_token == NULL);
	logs_events_free(&ev);
}

TEST(logs_filter_parse_malformed)
{
	static const char *const bodies[] = {
	    "",
	    "nope",
	    "[]",
	    "{\"events\":[{\"timestamp\":1,\"message\":\"unterminated}]}",
	    "{\"events\":[{\"timestamp\":1,\"message\":\"raw \x01 control\"}]}",
	    "{\"events\":[{\"timestamp\":1,\"message\":\"bad \\q escape\"}]}",
	    "{\"events\":[{\"timestamp\":1,\"message\":\"\\u12\"}]}",
	    "{\"events\":[{\"timestamp\":1}],}",
	    "{\"events\":[{\"timestamp\":1}]} trailing",
	    ("{\"events\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
	    "{\"events\":[{\"timestamp\":-}]}",
	    "{\"events\":tru}",
	};
	struct logs_events ev;
	const char *body;
	struct fd_err err;
	size_t i;

	logs_events_init(&ev);
	for (i = 0; i < FD_ARRAY_LEN(bodies); i++) {
		memset(&err, 0, sizeof(err));
		CHECK_INT(logs_parse_filter_events(bodies[i], strlen(bodies[i]), &ev, &err),
		          FD_EPARSE);
		CHECK_INT(ev.n, 0);
		CHECK_CONTAINS(err.msg, "FilterLogEvents");
	}
	/* a non-object element and a non-array "events" are skipped, not fatal */
	body = "{\"events\":[1,\"x\",{\"timestamp\":2}]}";
	CHECK_INT(logs_parse_filter_events(body, strlen(body), &ev, &err), FD_OK);
	CHECK_INT(ev.n, 1);
	body = "{\"events\":{\"a\":1}}";
	CHECK_INT(logs_parse_filter_events(body, strlen(body), &ev, &err), FD_OK);
	CHECK_INT(ev.n, 0);
	logs_events_free(&ev);
}

TEST(logs_live_update_parse)
{
	struct logs_events ev;
	struct fd_err err = {FD_OK, ""};
	struct fd_buf b;

	REQUIRE(load("livetail_update.json", &b));
	logs_events_init(&ev);
	CHECK_INT(logs_parse_live_update(b.data, b.len, &ev, &err), FD_OK);
	CHECK_INT(ev.sampled, 1);
	REQUIRE(ev.n == 2);
	CHECK_STR(ev.ev[0].group, "123456789012:/aws/lambda/orders-api");
	CHECK_STR(ev.ev[0].event_id, "");
	CHECK_INT(ev.ev[0].ingestion, 1796385601200LL);
	CHECK_STR(ev.ev[1].message, "hello");
	CHECK_CONTAINS(ev.ev[1].group, ":log-group:/aws/lambda/payments-api");
	CHECK_INT(
	    logs_parse_live_update("{\"sessionMetadata\":{\"sampled\":false}}", 37, &ev, &err),
	    FD_OK);
	CHECK_INT(ev.sampled, 0);
	fd_buf_free(&b);
	logs_events_free(&ev);
}

static cJSON *
request_body(struct aws_request *r)
{
	cJSON *doc = cJSON_ParseWithLength(r->body.data, r->body.len);

	CHECK(cJSON_IsObject(doc));
	return doc;
}

TEST(logs_filter_request_body)
{
	static const char *const streams[] = {"a", "b\"c"};
	struct logs_filter_req q = {"/aws/lambda/orders-api",  streams, 2,  1000, 2000,
	                            "{ $.level = \"ERROR\" }", "tok\n", 500};
	struct aws_request r;
	cJSON *doc;

	logs_filter_request(&r, &q);
	CHECK_STR(r.op, "FilterLogEvents");
	doc = request_body(&r);
	CHECK_STR(cJSON_GetObjectItem(doc, "logGroupName")->valuestring, "/aws/lambda/orders-api");
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "logStreamNames"), 1)->valuestring,
	          "b\"c");
	CHECK_INT(cJSON_GetObjectItem(doc, "startTime")->valuedouble, 1000);
	CHECK_INT(cJSON_GetObjectItem(doc, "endTime")->valuedouble, 2000);
	CHECK_STR(cJSON_GetObjectItem(doc, "filterPattern")->valuestring,
	          "{ $.level = \"ERROR\" }");
	CHECK_STR(cJSON_GetObjectItem(doc, "nextToken")->valuestring, "tok\n");
	CHECK_INT(cJSON_GetObjectItem(doc, "limit")->valuedouble, 500);
	CHECK(aws_kv_find(r.headers, r.nheaders, "X-Amz-Target") != NULL);
	cJSON_Delete(doc);
	aws_request_free(&r);

	memset(&q, 0, sizeof(q));
	q.group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x";
	logs_filter_request(&r, &q);
	doc = request_body(&r);
	CHECK(cJSON_GetObjectItem(doc, "logGroupIdentifier") != NULL);
	CHECK(cJSON_GetObjectItem(doc, "logGroupName") == NULL);
	CHECK(cJSON_GetObjectItem(doc, "startTime") == NULL);
	CHECK(cJSON_GetObjectItem(doc, "limit") == NULL);
	cJSON_Delete(doc);
	aws_request_free(&r);
}

TEST(logs_live_request_body)
{
	static const char *const groups[] = {"arn:aws:logs:us-east-1:1:log-group:/a", "/b"};
	struct logs_live_req q = {groups, 2, "ERROR"};
	struct aws_request r;
	cJSON *doc;

	logs_live_request(&r, &q);
	CHECK_STR(r.op, "StartLiveTail");
	CHECK_STR(r.host_prefix, "stream-");
	CHECK_INT(r.stream, 1);
	doc = request_body(&r);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "logGroupIdentifiers")), 2);
	CHECK_STR(cJSON_GetObjectItem(doc, "logEventFilterPattern")->valuestring, "ERROR");
	cJSON_Delete(doc);
	aws_request_free(&r);
}

TEST(logs_describe_streams_parse)
{
	struct logs_stream_info *s = NULL;
	struct fd_err err = {FD_OK, ""};
	struct aws_request r;
	struct fd_buf b;
	char *next = NULL;
	size_t n = 0;
	cJSON *doc;

	REQUIRE(load("describe_streams.json", &b));
	CHECK_INT(logs_parse_describe_streams(b.data, b.len, &s, &n, &next, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(s[0].name, "2026/12/04/[$LATEST]aa");
	CHECK_INT(s[0].last_ms, 1796385600000LL);
	CHECK_INT(s[0].last_ingest_ms, 1796385600900LL);
	CHECK_STR(next, "tok2");
	logs_streams_free(s, n);
	free(next);
	fd_buf_free(&b);
	CHECK_INT(logs_parse_describe_streams("[1]", 3, &s, &n, NULL, &err), FD_EPARSE);

	logs_describe_streams_request(&r, "/aws/lambda/x", NULL, 1, 500, NULL);
	doc = request_body(&r);
	CHECK_STR(cJSON_GetObjectItem(doc, "orderBy")->valuestring, "LastEventTime");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(doc, "descending")));
	CHECK_INT(cJSON_GetObjectItem(doc, "limit")->valuedouble, 50);
	cJSON_Delete(doc);
	aws_request_free(&r);
}

TEST(logs_query_parse_and_build)
{
	static const char *const groups[] = {"/aws/lambda/a", "/aws/lambda/b"};
	struct logs_query_req q = {groups, 2, 100, 200, "fields @message | limit 5", 0};
	struct logs_query_result res;
	struct fd_err err = {FD_OK, ""};
	struct aws_request r;
	struct fd_buf b;
	char *id = NULL;
	cJSON *doc;

	REQUIRE(load("query_results.json", &b));
	CHECK_INT(logs_parse_query_results(b.data, b.len, &res, &err), FD_OK);
	CHECK_STR(res.status, "Complete");
	CHECK(logs_query_done(res.status));
	CHECK(!logs_query_done("Running"));
	REQUIRE(res.nrows == 2); /* the non-array row is dropped */
	CHECK_INT(res.rows[0].n, 2);
	CHECK_STR(res.rows[0].f[1].field, "errors");
	CHECK_STR(res.rows[1].f[1].value, "3");
	CHECK_INT(res.matched, 15);
	CHECK_INT(res.scanned, 120000);
	CHECK_INT(res.bytes, 52428800);
	logs_query_result_free(&res);
	fd_buf_free(&b);

	CHECK_INT(logs_parse_start_query("{\"queryId\":\"q-1\"}", 17, &id, &err), FD_OK);
	CHECK_STR(id, "q-1");
	free(id);
	CHECK_INT(logs_parse_start_query("{}", 2, &id, &err), FD_EPARSE);
	logs_start_query_request(&r, &q);
	doc = request_body(&r);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "logGroupNames")), 2);
	CHECK_INT(cJSON_GetObjectItem(doc, "startTime")->valuedouble, 100);
	CHECK_STR(cJSON_GetObjectItem(doc, "queryString")->valuestring,
	          "fields @message | limit 5");
	cJSON_Delete(doc);
	aws_request_free(&r);
	logs_stop_query_request(&r, "q-1");
	CHECK_STR(r.op, "StopQuery");
	CHECK_CONTAINS(r.body.data, "\"queryId\":\"q-1\"");
	aws_request_free(&r);
}

TEST(logs_json_display_forms)
{
	static const char app[] =
	    "{\"level\":\"WARN\",\"timestamp\":\"t\",\"message\":\"slow call\","
	    "\"latency_ms\":812,\"cold_start\":true,\"service\":\"orders\","
	    "\"function_request_id\":\"r1\",\"ctx\":{\"a\":[1,2]}}";
	static const char plat[] = "{\"time\":\"t\",\"type\":\"platform.report\",\"record\":"
	                           "{\"requestId\":\"r\",\"metrics\":{\"durationMs\":12.5}}}";
	struct fd_buf b;

	fd_buf_init(&b);
	CHECK_INT(logs_json_compact(app, strlen(app), &b), 0);
	CHECK_STR(b.data, "slow call service=orders cold_start=true latency_ms=812 ctx.a=[1,2]");
	fd_buf_reset(&b);
	CHECK_INT(logs_json_compact(plat, strlen(plat), &b), 0);
	CHECK_STR(b.data, "platform.report requestId=r metrics.durationMs=12.5");
	fd_buf_reset(&b);
	CHECK_INT(logs_json_pretty(plat, strlen(plat), &b), 0);
	CHECK_CONTAINS(b.data, "{\n  \"time\":");
	CHECK_CONTAINS(b.data, "\n      \"durationMs\":");
	fd_buf_reset(&b);
	CHECK_INT(logs_json_compact("[1]", 3, &b), -1);
	CHECK_INT(logs_json_pretty("{\"a\":", 5, &b), -1);
	CHECK_INT(b.len, 0);
	fd_buf_free(&b);
}

static size_t
load_bin(const char *rel, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", fd_test_data(), rel);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Frames fed a few bytes at a time: sessionStart, sessionUpdate, then the exception
 * that ends a session after three hours. */
TEST(logs_live_decode_session_frames)
{
	static uint8_t buf[4096];
	size_t n = load_bin("logs/livetail_session.bin", buf, sizeof(buf)), i, step = 7;
	enum logs_live_kind kinds[4];
	struct es_decoder d;
	struct es_message m;
	struct logs_events ev;
	struct aws_error exc;
	struct fd_err err = {FD_OK, ""};
	char sid[64] = "";
	size_t nk = 0;

	REQUIRE(n > 0);
	logs_events_init(&ev);
	es_decoder_init(&d);
	for (i = 0; i < n; i += step) {
		es_decoder_feed(&d, buf + i, FD_MIN(step, n - i));
		while (nk < 4 && es_decoder_next(&d, &m, &err) == FD_OK) {
			CHECK_INT(
			    logs_live_decode(&m, &kinds[nk], &ev, sid, sizeof(sid), &exc, &err),
			    FD_OK);
			if (kinds[nk] == LOGS_LIVE_UPDATE) {
				CHECK_INT(ev.sampled, 1);
				REQUIRE(ev.n == 1);
				CHECK_STR(ev.ev[0].message, "hi");
			}
			nk++;
		}
	}
	REQUIRE(nk == 3);
	CHECK_INT(kinds[0], LOGS_LIVE_START);
	CHECK_STR(sid, "s-1");
	CHECK_INT(kinds[1], LOGS_LIVE_UPDATE);
	CHECK_INT(kinds[2], LOGS_LIVE_EXCEPTION);
	CHECK_STR(exc.code, "SessionTimeoutException");
	CHECK_CONTAINS(exc.message, "timed out");
	CHECK_INT(exc.status, FD_EAWS);
	CHECK_INT(exc.retryable, 0);
	es_decoder_free(&d);

	/* the verified example frame: one START line from "ACCOUNT:name" */
	n = load_bin("eventstream/livetail-sessionUpdate-example.bin", buf, sizeof(buf));
	REQUIRE(n == 400);
	es_decoder_init(&d);
	es_decoder_feed(&d, buf, n);
	REQUIRE(es_decoder_next(&d, &m, &err) == FD_OK);
	CHECK_INT(logs_live_decode(&m, &kinds[0], &ev, sid, sizeof(sid), &exc, &err), FD_OK);
	CHECK_INT(kinds[0], LOGS_LIVE_UPDATE);
	REQUIRE(ev.n == 1);
	CHECK_STR(ev.ev[0].group, "123456789012:/aws/lambda/my-function");
	CHECK_INT(ev.ev[0].timestamp, 1440938160000LL);
	es_decoder_free(&d);
	logs_events_free(&ev);
}
