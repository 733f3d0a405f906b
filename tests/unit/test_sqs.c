/* test_sqs.c - the SQS layer without a network: queue identifiers, digests, the
 * message codec (byte-exact round trips, binary attributes), the answer parsers and
 * request builders, JSON paths, and the message filters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"
#include "test.h"

TEST(sqs_id_kinds_and_names)
{
	char acct[32], *n;

	CHECK_INT(sqs_id_kind("orders-dlq"), SQS_ID_NAME);
	CHECK_INT(sqs_id_kind("https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo"),
	          SQS_ID_URL);
	CHECK_INT(sqs_id_kind("arn:aws:sqs:eu-west-1:123456789012:q"), SQS_ID_ARN);
	CHECK_INT(sqs_id_kind("a/b"), SQS_ID_INVALID);
	CHECK_INT(sqs_id_kind(""), SQS_ID_INVALID);
	n = sqs_id_name("arn:aws:sqs:eu-west-1:123456789012:orders.fifo");
	CHECK_STR(n, "orders.fifo");
	free(n);
	n = sqs_id_name("http://127.0.0.1:4566/123456789012/orders-dlq");
	CHECK_STR(n, "orders-dlq");
	free(n);
	CHECK(sqs_id_name("bad name!") == NULL);
	sqs_id_account("arn:aws:sqs:eu-west-1:210987654321:q", acct, sizeof(acct));
	CHECK_STR(acct, "210987654321");
	sqs_id_account("https://sqs.us-east-1.amazonaws.com/123456789012/q", acct, sizeof(acct));
	CHECK_STR(acct, "123456789012");
	sqs_id_account("q", acct, sizeof(acct));
	CHECK_STR(acct, "");
}

static void
sample(struct fd_sqs_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->id = strdup("m-1");
	m->body = strdup("{\"hello\": \"w\xc3\xb6rld\"}");
	m->body_len = strlen(m->body);
	m->md5_ok = 1;
	fd_sqs_msg_set_attr(m, "n", "Number.int", "42", 2);
	fd_sqs_msg_set_attr(m, "k", "String", "v1", 2);
	fd_sqs_msg_set_attr(m, "b", "Binary", "\x00\x01\xff", 3);
	fd_sqs_msg_set_sys(m, "SentTimestamp", "1700000000000");
	fd_sqs_msg_set_sys(m, "MessageGroupId", "g1");
}

/* Expected digests computed with the simulator's implementation of SQS's algorithm. */
TEST(sqs_digests_match_sqs)
{
	struct fd_sqs_msg m;
	char md5[33];

	sample(&m);
	CHECK_STR(m.attrs[0].name, "b"); /* kept sorted */
	CHECK_STR(m.attrs[2].name, "n");
	sqs_md5_attributes(m.attrs, m.nattrs, md5);
	CHECK_STR(md5, "46adf9e7e5ffc4f396a0c7506ec242a6");
	sqs_md5_hex(m.body, m.body_len, md5);
	CHECK_STR(md5, "4ab427beb5fc3c7f50700d62143f7e6c");
	sqs_md5_attributes(NULL, 0, md5);
	CHECK_STR(md5, "");
	fd_sqs_msg_free(&m);
}

TEST(sqs_codec_round_trip_is_byte_exact)
{
	struct fd_sqs_msg m, back;
	struct fd_buf json;
	struct fd_err err = {0};
	size_t i;

	sample(&m);
	fd_buf_init(&json);
	sqs_msg_to_json(&m, 0, &json);
	CHECK_CONTAINS(json.data, "\"BinaryValue\":\"AAH/\"");
	CHECK_CONTAINS(json.data,
	               "\"MD5OfMessageAttributes\":\"46adf9e7e5ffc4f396a0c7506ec242a6\"");
	CHECK(strstr(json.data, "ReceiptHandle") == NULL);
	REQUIRE(sqs_msg_from_json(json.data, json.len, &back, &err) == FD_OK);
	CHECK(back.md5_ok);
	CHECK_INT(back.body_len, m.body_len);
	CHECK(memcmp(back.body, m.body, m.body_len) == 0);
	REQUIRE(back.nattrs == m.nattrs);
	for (i = 0; i < m.nattrs; i++) {
		CHECK_STR(back.attrs[i].name, m.attrs[i].name);
		CHECK_STR(back.attrs[i].type, m.attrs[i].type);
		CHECK_INT(back.attrs[i].len, m.attrs[i].len);
		CHECK(memcmp(back.attrs[i].value, m.attrs[i].value, m.attrs[i].len) == 0);
	}
	CHECK_STR(fd_sqs_msg_sys(&back, "MessageGroupId"), "g1");
	CHECK_INT(fd_sqs_msg_sent_ms(&back), 1700000000000LL);
	fd_sqs_msg_free(&back);
	fd_buf_free(&json);
	fd_sqs_msg_free(&m);
}

static const char receive_answer[] =
    "{\"Messages\":[{\"MessageId\":\"id-1\",\"ReceiptHandle\":\"rh-1\","
    "\"MD5OfBody\":\"4ab427beb5fc3c7f50700d62143f7e6c\","
    "\"Body\":\"{\\\"hello\\\": \\\"w\\u00f6rld\\\"}\","
    "\"Attributes\":{\"ApproximateReceiveCount\":\"3\",\"SentTimestamp\":\"1700000000000\"},"
    "\"MD5OfMessageAttributes\":\"46adf9e7e5ffc4f396a0c7506ec242a6\","
    "\"MessageAttributes\":{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v1\"},"
    "\"n\":{\"DataType\":\"Number.int\",\"StringValue\":\"42\"},"
    "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAH/\"}}},"
    "{\"MessageId\":\"id-2\",\"ReceiptHandle\":\"rh-2\",\"MD5OfBody\":"
    "\"00000000000000000000000000000000\","
    "\"Body\":\"tampered\"}]}";

static const char bad_b64[] = "{\"Messages\":[{\"MessageId\":\"a\",\"Body\":\"x\","
                              "\"MessageAttributes\":{\"b\":{\"DataType\":\"Binary\","
                              "\"BinaryValue\":\"!!\"}}}]}";

TEST(sqs_parse_receive_checks_digests)
{
	struct fd_sqs_msg *m = NULL;
	struct fd_err err = {0};
	size_t n = 0;

	REQUIRE(sqs_parse_receive(receive_answer, strlen(receive_answer), &m, &n, &err) == FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(m[0].id, "id-1");
	CHECK_STR(m[0].receipt, "rh-1");
	CHECK(m[0].md5_ok);
	CHECK_INT(m[0].nattrs, 3);
	CHECK_INT(fd_sqs_msg_attr(&m[0], "b")->len, 3);
	CHECK_STR(fd_sqs_msg_sys(&m[0], "ApproximateReceiveCount"), "3");
	CHECK(!m[1].md5_ok);
	fd_sqs_msgs_free(m, n);
	CHECK_INT(sqs_parse_receive("{}", 2, &m, &n, &err), FD_OK);
	CHECK_INT(n, 0);
	CHECK_INT(sqs_parse_receive("[1]", 3, &m, &n, &err), FD_EPARSE);
	CHECK_INT(sqs_parse_receive("{\"Messages\":[{\"Body\":\"x\"}]}", 27, &m, &n, &err),
	          FD_EPARSE);
	CHECK_INT(sqs_parse_receive(bad_b64, strlen(bad_b64), &m, &n, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "base64");
}

TEST(sqs_parse_batch_maps_entries)
{
	static const char answer[] =
	    "{\"Successful\":[{\"Id\":\"0\",\"MessageId\":\"new-0\",\"MD5OfMessageBody\":\"abc\"},"
	    "{\"Id\":\"2\",\"MessageId\":\"new-2\"}],"
	    "\"Failed\":[{\"Id\":\"1\",\"SenderFault\":true,\"Code\":\"InvalidParameterValue\","
	    "\"Message\":\"too big\"},{\"Id\":\"9\",\"Code\":\"X\"}]}";
	struct sqs_batch_result r[4];
	struct fd_err err = {0};

	REQUIRE(sqs_parse_batch(answer, strlen(answer), r, 4, &err) == FD_OK);
	CHECK(r[0].ok);
	CHECK_STR(r[0].message_id, "new-0");
	CHECK_STR(r[0].md5_body, "abc");
	CHECK(!r[1].ok);
	CHECK(r[1].sender_fault);
	CHECK_STR(r[1].code, "InvalidParameterValue");
	CHECK(r[2].ok);
	CHECK(!r[3].ok); /* missing from the answer */
	CHECK_STR(r[3].code, "Missing");
	sqs_batch_results_free(r, 4);
	CHECK_INT(sqs_parse_batch("nope", 4, r, 1, &err), FD_EPARSE);
	sqs_batch_results_free(r, 1);
}

TEST(sqs_parse_attributes_unpacks_policies)
{
	static const char answer[] =
	    "{\"Attributes\":{\"QueueArn\":\"arn:aws:sqs:us-east-1:123456789012:src.fifo\","
	    "\"ApproximateNumberOfMessages\":\"12\",\"ApproximateNumberOfMessagesNotVisible\":"
	    "\"3\","
	    "\"ApproximateNumberOfMessagesDelayed\":\"0\",\"FifoQueue\":\"true\","
	    "\"VisibilityTimeout\":\"60\",\"MessageRetentionPeriod\":\"345600\","
	    "\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:"
	    "123456789012:d.fifo\\\","
	    "\\\"maxReceiveCount\\\":\\\"5\\\"}\","
	    "\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"allowAll\\\"}\"}}";
	struct fd_queue q;
	struct fd_err err = {0};

	memset(&q, 0, sizeof(q));
	REQUIRE(sqs_parse_attributes(answer, strlen(answer), &q, &err) == FD_OK);
	CHECK_STR(q.name, "src.fifo");
	CHECK(q.fifo);
	CHECK_INT(q.visible, 12);
	CHECK_INT(q.inflight, 3);
	CHECK_INT(fd_queue_depth(&q), 15);
	CHECK_INT(q.visibility_s, 60);
	CHECK_INT(q.max_receive, 5);
	CHECK_STR(q.dlq_arn, "arn:aws:sqs:us-east-1:123456789012:d.fifo");
	CHECK_STR(q.allow_permission, "allowAll");
	fd_queue_free(&q);
}

TEST(sqs_parse_lists_and_tasks)
{
	static const char list[] = "{\"QueueUrls\":[\"http://h/1/a\",\"http://h/1/b\"],"
	                           "\"NextToken\":\"t2\"}";
	static const char tasks[] =
	    "{\"Results\":[{\"TaskHandle\":\"h1\",\"Status\":\"RUNNING\",\"SourceArn\":\"arn:s\","
	    "\"ApproximateNumberOfMessagesMoved\":40,\"ApproximateNumberOfMessagesToMove\":100,"
	    "\"MaxNumberOfMessagesPerSecond\":10,\"StartedTimestamp\":1700000000000},"
	    "{\"Status\":\"COMPLETED\"},{\"bad\":1}]}";
	struct sqs_move_task *t;
	struct fd_err err = {0};
	char **urls, *next;
	size_t n;

	REQUIRE(sqs_parse_list_queues(list, strlen(list), &urls, &n, &next, &err) == FD_OK);
	CHECK_INT(n, 2);
	CHECK_STR(urls[1], "http://h/1/b");
	CHECK_STR(next, "t2");
	free(urls[0]);
	free(urls[1]);
	free(urls);
	free(next);
	REQUIRE(sqs_parse_move_tasks(tasks, strlen(tasks), &t, &n, &err) == FD_OK);
	CHECK_INT(n, 2);
	CHECK_STR(t[0].status, "RUNNING");
	CHECK_INT(t[0].moved, 40);
	CHECK_INT(t[0].to_move, 100);
	CHECK_INT(t[0].rate, 10);
	sqs_move_tasks_free(t, n);
	CHECK_INT(sqs_parse_number("{\"ApproximateNumberOfMessagesMoved\":7}", 38,
	                           "ApproximateNumberOfMessagesMoved"),
	          7);
}

TEST(sqs_send_batch_carries_everything)
{
	struct fd_sqs_msg m;
	struct sqs_send_entry e = {NULL, "g1", "d1"};
	char *body;

	sample(&m);
	fd_sqs_msg_set_sys(&m, "AWSTraceHeader", "Root=1-abc");
	e.msg = &m;
	body = sqs_build_send_batch("http://h/1/q", &e, 1);
	CHECK_CONTAINS(body, "\"QueueUrl\":\"http://h/1/q\"");
	CHECK_CONTAINS(body, "\"Id\":\"0\"");
	CHECK_CONTAINS(body, "\"MessageGroupId\":\"g1\"");
	CHECK_CONTAINS(body, "\"MessageDeduplicationId\":\"d1\"");
	CHECK_CONTAINS(body, "\"BinaryValue\":\"AAH/\"");
	CHECK_CONTAINS(
	    body, "\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"Root=1-abc\"}");
	CHECK_INT(sqs_msg_payload_size(&m), m.body_len + 1 + 6 + 3 + 1 + 6 + 2 + 1 + 10 + 2);
	free(body);
	fd_sqs_msg_free(&m);
}

TEST(sqs_json_paths_and_pretty)
{
	static const char doc[] = "{\"detail\":{\"orderId\":\"123\",\"n\":4.5,\"ok\":true,"
	                          "\"list\":[{\"a\":1},{\"a\":2}],\"k y\":null}}";
	struct sqs_jvalue v;
	struct fd_err err = {0};
	struct fd_buf b;

	REQUIRE(sqs_json_path(doc, strlen(doc), ".detail.orderId", &v, &err) == FD_OK);
	CHECK_INT(v.type, SQS_J_STRING);
	CHECK_STR(v.text, "123");
	sqs_jvalue_free(&v);
	sqs_json_path(doc, strlen(doc), ".detail.list[1].a", &v, &err);
	CHECK_INT(v.type, SQS_J_NUMBER);
	CHECK(v.num == 2);
	sqs_json_path(doc, strlen(doc), ".detail[\"k y\"]", &v, &err);
	CHECK_INT(v.type, SQS_J_NULL);
	sqs_json_path(doc, strlen(doc), ".detail.missing", &v, &err);
	CHECK_INT(v.type, SQS_J_MISSING);
	sqs_json_path("not json", 8, ".a", &v, &err);
	CHECK_INT(v.type, SQS_J_MISSING);
	CHECK_INT(sqs_json_path(doc, strlen(doc), "detail", &v, &err), FD_EINVAL);
	CHECK_INT(sqs_json_path_check(".a[x]", &err), FD_EINVAL);
	fd_buf_init(&b);
	CHECK(sqs_json_pretty(doc, strlen(doc), &b));
	CHECK_CONTAINS(b.data, "\n  \"detail\": {\n    \"orderId\": \"123\"");
	CHECK(!sqs_json_pretty("plain", 5, &b));
	fd_buf_free(&b);
}

static int
matches(const char *spec, const struct fd_sqs_msg *m)
{
	struct fd_msg_filter *f = NULL;
	struct fd_err err = {0};
	int ok;

	if (fd_msg_filter_new(&spec, 1, &f, &err) != FD_OK) {
		fprintf(stderr, "    filter %s: %s\n", spec, err.msg);
		return -1;
	}
	ok = fd_msg_filter_match(f, m, 1700000000000LL + 3600 * 1000);
	fd_msg_filter_free(f);
	return ok;
}

TEST(filters_select_exactly)
{
	struct fd_sqs_msg m;
	struct fd_msg_filter *f = NULL;
	struct fd_err err = {0};
	const char *bad[] = {"/(unclosed/", ".a[", "age > soon"};
	size_t i;

	sample(&m);
	free(m.body);
	m.body = strdup("{\"detail\":{\"orderId\":\"123\",\"amount\":12.5},\"tags\":[\"x\"]}");
	m.body_len = strlen(m.body);
	CHECK_INT(matches(".detail.orderId == \"123\"", &m), 1);
	CHECK_INT(matches(".detail.orderId == 123", &m), 0); /* a number is not a string */
	CHECK_INT(matches(".detail.orderId != \"124\"", &m), 1);
	CHECK_INT(matches(".detail.amount > 10", &m), 1);
	CHECK_INT(matches(".detail.amount <= 12", &m), 0);
	CHECK_INT(matches(".detail.orderId ~ ^12", &m), 1);
	CHECK_INT(matches(".detail", &m), 1);
	CHECK_INT(matches(".nothing", &m), 0);
	CHECK_INT(matches(".tags[0] == x", &m), 1);
	CHECK_INT(matches("/orderId\":\"12/", &m), 1);
	CHECK_INT(matches("body~(?i)ORDERID", &m), 1);
	CHECK_INT(matches("ORDERID", &m), 0);
	CHECK_INT(matches(".*amount", &m), 1); /* a regex, not a path */
	CHECK_INT(matches("attr.k == v1", &m), 1);
	CHECK_INT(matches("attr.n > 40", &m), 1);
	CHECK_INT(matches("attr.missing", &m), 0);
	CHECK_INT(matches("attr.k", &m), 1);
	CHECK_INT(matches("sys.MessageGroupId == g1", &m), 1);
	CHECK_INT(matches("age > 30m", &m), 1);
	CHECK_INT(matches("age < 30m", &m), 0);
	for (i = 0; i < FD_ARRAY_LEN(bad); i++)
		CHECK_INT(fd_msg_filter_new(&bad[i], 1, &f, &err), FD_EINVAL);
	CHECK(fd_msg_filter_match(NULL, &m, 0)); /* no filter: everything */
	fd_sqs_msg_free(&m);
}

TEST(filters_combine_with_and)
{
	const char *specs[] = {"attr.k == v1", ".detail.orderId == \"9\""};
	struct fd_msg_filter *f = NULL;
	struct fd_err err = {0};
	struct fd_sqs_msg m;

	sample(&m);
	REQUIRE(fd_msg_filter_new(specs, 2, &f, &err) == FD_OK);
	CHECK(!fd_msg_filter_match(f, &m, 0));
	free(m.body);
	m.body = strdup("{\"detail\":{\"orderId\":\"9\"}}");
	m.body_len = strlen(m.body);
	CHECK(fd_msg_filter_match(f, &m, 0));
	fd_msg_filter_free(f);
	fd_sqs_msg_free(&m);
}

static void
collect_part(void *ud, int newline, enum fd_msg_part part, const char *text)
{
	struct fd_buf *b = ud;

	if (newline)
		fd_buf_putc(b, '\n');
	if (part == FD_MP_WARN)
		fd_buf_puts(b, "!");
	fd_buf_puts(b, text);
}

TEST(message_description_shows_what_matters)
{
	struct fd_sqs_msg m;
	struct fd_buf b;

	sample(&m);
	fd_sqs_msg_set_attr(&m, "ErrorMessage", "String", "payment declined", 16);
	fd_sqs_msg_set_attr(&m, "RequestID", "String", "rid-1", 5);
	fd_buf_init(&b);
	fd_msg_describe(&m, 1700000000000LL + 7200 * 1000, 0, collect_part, &b);
	CHECK_CONTAINS(b.data, "m-1");
	CHECK_CONTAINS(b.data, "sent2023-11-14T22:13:20Z  (2h ago)");
	CHECK_CONTAINS(b.data, "lambda error!payment declined");
	CHECK_CONTAINS(b.data, "request idrid-1");
	CHECK_CONTAINS(b.data, "00000000  00 01 ff"); /* binary attribute in hex */
	CHECK_CONTAINS(b.data, "JSON, 19 bytes");
	CHECK_CONTAINS(b.data, "\n{\n  \"hello\": \"w\xc3\xb6rld\"\n}");
	fd_buf_reset(&b);
	free(m.body);
	m.body = strdup("bin\x01\x02"
	                "ary");
	m.body_len = 8;
	fd_msg_describe(&m, 0, 0, collect_part, &b);
	CHECK_CONTAINS(b.data, "binary, 8 bytes");
	CHECK_CONTAINS(b.data, "62 69 6e 01 02 61 72 79");
	fd_buf_free(&b);
	fd_sqs_msg_free(&m);
}
