/* test_events.c - the event library in state.db, files for git, DLQ messages turned
 * into events, the $EDITOR flow (with a fake editor script), response diffs, the
 * production guardrail and the history of invocations (batches against the
 * simulator included). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/state.h"
#include "test.h"
#include "test_aws_sim.h"

static struct fd_state *
open_state(void)
{
	char path[600];
	struct fd_state *s = NULL;
	struct fd_err err = {FD_OK, ""};

	snprintf(path, sizeof(path), "%s/state.db", fd_test_tmpdir());
	if (fd_state_open(path, &s, &err) != FD_OK || fd_events_use(s, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "state: %s", err.msg);
	return s;
}

static enum fd_status
put(struct fd_state *s, const char *fn, const char *name, const char *body, int replace,
    struct fd_err *err)
{
	struct fd_event e = {(char *)fn, (char *)name, (char *)body, strlen(body), "test", 0, 0,
	                     ""};

	fd_event_hash(&e);
	return fd_events_put(s, &e, replace, err);
}

TEST(events_store_put_find_list_delete)
{
	struct fd_state *s = open_state();
	struct fd_err err = {FD_OK, ""};
	struct fd_event e, *all = NULL;
	size_t n = 0;

	REQUIRE(s);
	CHECK_INT(put(s, "orders-api", "ping", "{\"a\":1}", 0, &err), FD_OK);
	CHECK_INT(put(s, "", "ping", "{\"shared\":true}", 0, &err), FD_OK);
	CHECK_INT(put(s, "", "health", "{}", 0, &err), FD_OK);
	CHECK_INT(put(s, "payments-worker", "refund", "{}", 0, &err), FD_OK);
	/* No silent overwrite. */
	CHECK_INT(put(s, "orders-api", "ping", "{}", 0, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "already exists");
	CHECK_INT(put(s, "orders-api", "../etc", "{}", 0, &err), FD_EINVAL);
	/* The function's own event wins over the shared one. */
	REQUIRE(fd_events_find(s, "orders-api", "ping", &e, &err) == FD_OK);
	CHECK_STR(e.body, "{\"a\":1}");
	CHECK_INT(e.len, 7);
	CHECK_STR(e.origin, "test");
	CHECK_STR(e.sha256, "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
	CHECK(e.created_ms > 0);
	fd_event_free(&e);
	REQUIRE(fd_events_find(s, "payments-worker", "ping", &e, &err) == FD_OK);
	CHECK_STR(e.body, "{\"shared\":true}");
	fd_event_free(&e);
	CHECK_INT(fd_events_find(s, "orders-api", "refund", &e, &err), FD_ENOTFOUND);
	CHECK_CONTAINS(err.msg, "no event \"refund\"");
	/* Listing: the function's events plus the shared ones. */
	REQUIRE(fd_events_list(s, "orders-api", &all, &n, &err) == FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(all[0].name, "health");
	CHECK_STR(all[0].function, "");
	CHECK_STR(all[2].function, "orders-api");
	fd_events_free(all, n);
	REQUIRE(fd_events_list(s, NULL, &all, &n, &err) == FD_OK);
	CHECK_INT(n, 4);
	fd_events_free(all, n);
	/* Replace keeps the creation time. */
	REQUIRE(fd_events_get(s, "orders-api", "ping", &e, &err) == FD_OK);
	CHECK_INT(put(s, "orders-api", "ping", "{\"b\":2}", 1, &err), FD_OK);
	{
		struct fd_event e2;
		REQUIRE(fd_events_get(s, "orders-api", "ping", &e2, &err) == FD_OK);
		CHECK_STR(e2.body, "{\"b\":2}");
		CHECK_INT(e2.created_ms, e.created_ms);
		fd_event_free(&e2);
	}
	fd_event_free(&e);
	CHECK_INT(fd_events_delete(s, "orders-api", "ping", &err), FD_OK);
	CHECK_INT(fd_events_delete(s, "orders-api", "ping", &err), FD_ENOTFOUND);
	fd_state_close(s);
}

TEST(events_store_survives_reopen_and_names)
{
	struct fd_state *s = open_state();
	struct fd_err err = {FD_OK, ""};
	struct fd_event e;

	REQUIRE(s);
	CHECK_INT(put(s, "fn", "a.b_c-1", "[1]", 0, &err), FD_OK);
	fd_state_close(s);
	s = open_state();
	REQUIRE(s);
	CHECK_INT(fd_state_component_version(s, "events"), 1);
	REQUIRE(fd_events_get(s, "fn", "a.b_c-1", &e, &err) == FD_OK);
	CHECK_STR(e.body, "[1]");
	fd_event_free(&e);
	fd_state_close(s);
	CHECK(fd_event_name_valid("ok-name_1.v2"));
	CHECK(!fd_event_name_valid(".hidden"));
	CHECK(!fd_event_name_valid("-x"));
	CHECK(!fd_event_name_valid("a/b"));
	CHECK(!fd_event_name_valid(""));
	CHECK(fd_event_function_valid(""));
	CHECK(fd_event_function_valid("orders-api_2"));
	CHECK(!fd_event_function_valid("a:b"));
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	REQUIRE(f);
	fputs(text, f);
	fclose(f);
}

TEST(events_files_export_import_roundtrip)
{
	struct fd_state *s = open_state();
	struct fd_err err = {FD_OK, ""};
	struct fd_buf skipped, b;
	char dir[600], path[700];
	size_t n = 0;
	struct fd_event e;

	REQUIRE(s);
	snprintf(dir, sizeof(dir), "%s/events", fd_test_tmpdir());
	CHECK_INT(put(s, "orders-api", "ping", "{\"a\":1}\n", 0, &err), FD_OK);
	CHECK_INT(put(s, "", "health", "{}", 0, &err), FD_OK);
	CHECK_INT(fd_events_export(s, NULL, dir, &n, &err), FD_OK);
	CHECK_INT(n, 2);
	snprintf(path, sizeof(path), "%s/orders-api/ping.json", dir);
	fd_buf_init(&b);
	CHECK_INT(fd_event_read_file(path, &b, &err), FD_OK);
	CHECK_STR(b.data, "{\"a\":1}\n");
	snprintf(path, sizeof(path), "%s/_shared/health.json", dir);
	CHECK_INT(fd_event_read_file(path, &b, &err), FD_OK);
	CHECK_STR(b.data, "{}\n");
	/* A teammate adds files; one is broken. */
	snprintf(path, sizeof(path), "%s/orders-api/refund.json", dir);
	write_text(path, "{\"refund\": true}\n");
	snprintf(path, sizeof(path), "%s/orders-api/broken.json", dir);
	write_text(path, "{\n  \"a\": 1,\n}\n");
	fd_buf_init(&skipped);
	CHECK_INT(fd_events_import(s, NULL, dir, 0, &n, &skipped, &err), FD_OK);
	CHECK_INT(n, 1); /* refund; ping and health exist */
	CHECK_CONTAINS(skipped.data, "broken.json:3:1: not JSON: trailing comma");
	CHECK_CONTAINS(skipped.data, "ping.json: exists (use --replace)");
	REQUIRE(fd_events_get(s, "orders-api", "refund", &e, &err) == FD_OK);
	CHECK_STR(e.origin, "import");
	fd_event_free(&e);
	fd_buf_reset(&skipped);
	CHECK_INT(fd_events_import(s, "orders-api", dir, 1, &n, &skipped, &err), FD_OK);
	CHECK_INT(n, 2);
	fd_buf_free(&skipped);
	fd_buf_free(&b);
	fd_state_close(s);
}

TEST(events_read_file_errors)
{
	struct fd_buf b;
	struct fd_err err = {FD_OK, ""};
	char path[600];

	fd_buf_init(&b);
	snprintf(path, sizeof(path), "%s/bad.json", fd_test_tmpdir());
	write_text(path, "{\"a\" 1}");
	CHECK_INT(fd_event_read_file(path, &b, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "bad.json:1:6: not JSON: expected ':'");
	CHECK_INT(fd_event_read_file("/nonexistent/x.json", &b, &err), FD_ENOTFOUND);
	fd_buf_free(&b);
}

static void
msg_init(struct fd_sqs_msg *m, const char *id, const char *body)
{
	memset(m, 0, sizeof(*m));
	m->id = (char *)id;
	m->body = (char *)body;
	m->body_len = strlen(body);
}

TEST(events_from_dlq_messages)
{
	struct fd_sqs_attr attrs[3] = {{"ErrorCode", "Number", "200", 3},
	                               {"ErrorMessage", "String", "boom", 4},
	                               {"RequestID", "String", "r-1", 3}};
	struct fd_kv sys[1] = {{"SentTimestamp", "1714557600000"}};
	struct fd_sqs_msg m;
	struct fd_buf out;
	struct fd_err err = {FD_OK, ""};
	const char *origin = NULL;

	fd_buf_init(&out);
	/* An on-failure destination record: the original event is requestPayload. */
	msg_init(&m, "m-1",
	         "{\"version\":\"1.0\",\"requestContext\":{\"functionArn\":"
	         "\"arn:aws:lambda:us-east-1:1:function:f:$LATEST\"},"
	         "\"requestPayload\":{\"orderId\":\"1001\"},\"responsePayload\":{}}");
	CHECK_INT(fd_event_from_sqs_message(&m, NULL, NULL, FD_DLQ_EVENT_AUTO, &out, &origin, &err),
	          FD_OK);
	CHECK_STR(origin, "destination");
	CHECK_STR(out.data, "{\n  \"orderId\": \"1001\"\n}\n");
	/* A Lambda async DLQ message: the body is the event. */
	fd_buf_reset(&out);
	msg_init(&m, "m-2", "{\"orderId\":\"1002\"}");
	m.attrs = attrs;
	m.nattrs = 3;
	CHECK_INT(fd_event_from_sqs_message(&m, NULL, NULL, FD_DLQ_EVENT_AUTO, &out, &origin, &err),
	          FD_OK);
	CHECK_STR(origin, "lambda-dlq");
	CHECK_STR(out.data, "{\n  \"orderId\": \"1002\"\n}\n");
	/* Asked to wrap: an SQS batch event with the body as a string. */
	fd_buf_reset(&out);
	m.sys = sys;
	m.nsys = 1;
	CHECK_INT(fd_event_from_sqs_message(&m, "arn:aws:sqs:eu-west-1:2:q-dlq", "eu-west-1",
	                                    FD_DLQ_EVENT_WRAP_SQS, &out, &origin, &err),
	          FD_OK);
	CHECK_STR(origin, "sqs");
	CHECK_CONTAINS(out.data, "\"body\": \"{\\\"orderId\\\":\\\"1002\\\"}\"");
	CHECK_CONTAINS(out.data, "\"messageId\": \"m-2\"");
	CHECK_CONTAINS(out.data, "\"SentTimestamp\": \"1714557600000\"");
	CHECK_CONTAINS(out.data, "\"eventSourceARN\": \"arn:aws:sqs:eu-west-1:2:q-dlq\"");
	CHECK_CONTAINS(out.data, "\"ErrorCode\": {\n");
	CHECK_CONTAINS(out.data, "\"dataType\": \"Number\"");
	CHECK_CONTAINS(out.data, "\"md5OfBody\": \"");
	/* A plain-text body: AUTO wraps it; ORIGINAL refuses. */
	fd_buf_reset(&out);
	msg_init(&m, "m-3", "plain text event #3\x1b[2J");
	CHECK_INT(fd_event_from_sqs_message(&m, NULL, NULL, FD_DLQ_EVENT_AUTO, &out, &origin, &err),
	          FD_OK);
	CHECK_STR(origin, "sqs");
	CHECK_CONTAINS(out.data, "\"body\": \"plain text event #3\\u001b[2J\"");
	CHECK_INT(
	    fd_event_from_sqs_message(&m, NULL, NULL, FD_DLQ_EVENT_ORIGINAL, &out, &origin, &err),
	    FD_EPARSE);
	CHECK_CONTAINS(err.msg, "not JSON");
	fd_buf_free(&out);
}

/* ---- the editor flow: a fake $EDITOR replaces the file with the next of a list of
 * versions and keeps what it was given, so the test sees what the user would see. */

static void
fake_editor(const char *dir, const char *const *versions, size_t n)
{
	char path[700], script[700];
	size_t i;
	FILE *f;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/v%zu", dir, i + 1);
		write_text(path, versions[i]);
	}
	snprintf(script, sizeof(script), "%s/editor.sh", dir);
	f = fopen(script, "w");
	REQUIRE(f);
	fprintf(f,
	        "#!/bin/sh\nd='%s'\nn=$(cat \"$d/count\" 2>/dev/null || echo 0)\n"
	        "n=$((n + 1)); echo $n > \"$d/count\"\ncp \"$1\" \"$d/seen$n\"\n"
	        "[ -f \"$d/v$n\" ] || exit 3\ncp \"$d/v$n\" \"$1\"\n",
	        dir);
	fclose(f);
	chmod(script, 0700);
	setenv("EDITOR", script, 1);
	unsetenv("VISUAL");
}

static char *
slurp(const char *dir, const char *name)
{
	char path[700];
	struct fd_buf b;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd_buf_init(&b);
	if (fd_read_file(path, 1 << 20, &b, NULL) != FD_OK) {
		fd_buf_free(&b);
		return NULL;
	}
	return fd_buf_steal(&b);
}

TEST(events_editor_reopens_on_invalid_json)
{
	static const char *const versions[] = {"{\n  \"a\": 1\n  \"b\": 2\n}\n",
	                                       "{\n  \"a\": 1,\n  \"b\": 2\n}\n"};
	const char *dir = fd_test_tmpdir();
	struct fd_buf out;
	struct fd_err err = {FD_OK, ""};
	char *seen;

	fake_editor(dir, versions, 2);
	fd_buf_init(&out);
	CHECK_INT(fd_event_edit("{\"start\":true}\n", 15, &out, 0, &err), FD_OK);
	CHECK_STR(out.data, versions[1]);
	seen = slurp(dir, "seen1");
	CHECK_STR(seen, "{\"start\":true}\n");
	free(seen);
	/* The second opening names the problem where the editor shows it: line 3 of the
	 * event is line 5 below the two comment lines. */
	seen = slurp(dir, "seen2");
	CHECK_CONTAINS(seen, "// fleetdeck: not JSON at line 5, column 3: expected ',' or '}'\n");
	CHECK_CONTAINS(seen, versions[0]);
	free(seen);
	fd_buf_free(&out);
}

TEST(events_editor_gives_up_and_cancels)
{
	static const char *const bad[] = {"{", "{", "{"};
	static const char *const empty[] = {"// fleetdeck: whatever\n  \n"};
	const char *dir = fd_test_tmpdir();
	char sub[700];
	struct fd_buf out;
	struct fd_err err = {FD_OK, ""};

	fake_editor(dir, bad, 3);
	fd_buf_init(&out);
	CHECK_INT(fd_event_edit(NULL, 0, &out, 3, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "after 3 tries");
	CHECK_INT(out.len, 0);
	snprintf(sub, sizeof(sub), "%s/e2", dir);
	mkdir(sub, 0700);
	fake_editor(sub, empty, 1);
	CHECK_INT(fd_event_edit("{}", 2, &out, 0, &err), FD_ECANCELLED);
	CHECK_CONTAINS(err.msg, "empty");
	/* The editor failing (no more versions: exit 3) cancels too. */
	snprintf(sub, sizeof(sub), "%s/e3", dir);
	mkdir(sub, 0700);
	fake_editor(sub, empty, 0);
	CHECK_INT(fd_event_edit("{}", 2, &out, 0, &err), FD_ECANCELLED);
	CHECK_CONTAINS(err.msg, "status 3");
	fd_buf_free(&out);
}

TEST(events_diff_responses)
{
	static const char a[] = "{\"statusCode\":200,\"body\":\"ok\",\"n\":[1,2,3]}";
	static const char b[] = "{\"statusCode\":500,\"body\":\"ok\",\"n\":[1,2,4]}";
	struct fd_buf out;

	fd_buf_init(&out);
	CHECK_INT(fd_text_diff(a, strlen(a), b, strlen(b), -1, &out), 4);
	CHECK_CONTAINS(out.data, "-  \"statusCode\": 200,\n+  \"statusCode\": 500,\n");
	CHECK_CONTAINS(out.data, "   \"body\": \"ok\",\n");
	CHECK_CONTAINS(out.data, "-    3\n+    4\n");
	fd_buf_reset(&out);
	CHECK_INT(fd_text_diff(a, strlen(a), a, strlen(a), -1, &out), 0);
	fd_buf_reset(&out);
	CHECK_INT(fd_text_diff("x\ny", 3, "x\nz\ny", 5, -1, &out), 1);
	CHECK_STR(out.data, " x\n+z\n y\n");
	fd_buf_reset(&out);
	CHECK_INT(fd_text_diff("1\n2\n3\n4\n5\n6\n7", 13, "1\n2\n3\n4\n5\n6\n8", 13, 1, &out), 2);
	CHECK_STR(out.data, "@@ 5 unchanged lines @@\n 6\n-7\n+8\n");
	fd_buf_free(&out);
}

/* ---- guardrails ---- */

TEST(events_prod_check_and_confirm)
{
	struct fd_kv tags[2] = {{"team", "x"}, {"Environment", "Production"}};
	struct fd_invoke_target t = {"orders-api", "arn", "123456789012", "us-east-1",
	                             "3",          30,    tags,           2};
	struct fd_prod_check pc;
	struct fd_err err = {FD_OK, ""};
	char text[512], path[600];
	FILE *in, *out;

	fd_invoke_prod_check(0, "default", "orders-api", "live", &t, &pc);
	CHECK(pc.prod);
	fd_invoke_prod_text(&pc, text, sizeof(text));
	CHECK_STR(text, "invoke PRODUCTION function orders-api, alias live, in account "
	                "123456789012 (tag Environment=Production)");
	t.ntags = 1;
	fd_invoke_prod_check(0, "default", "orders-api", "3", &t, &pc);
	CHECK(!pc.prod);
	CHECK_INT(fd_invoke_confirm(&pc, 0, 0, NULL, NULL, &err), FD_OK);
	fd_invoke_prod_check(1, "live", "orders-api", NULL, &t, &pc);
	CHECK(pc.prod);
	CHECK_CONTAINS(pc.why, "profile live");
	fd_invoke_prod_check(0, "default", "orders-api", "prod", NULL, &pc);
	CHECK(pc.prod);
	fd_invoke_prod_text(&pc, text, sizeof(text));
	CHECK_CONTAINS(text, "alias prod, in account (unknown) (alias prod)");
	/* Headless without --yes refuses; --yes passes. */
	CHECK_INT(fd_invoke_confirm(&pc, 0, 0, NULL, NULL, &err), FD_ECANCELLED);
	CHECK_CONTAINS(err.msg, "pass --yes");
	CHECK_INT(fd_invoke_confirm(&pc, 1, 0, NULL, NULL, &err), FD_OK);
	/* Interactive: only a typed "yes" continues. */
	snprintf(path, sizeof(path), "%s/answers", fd_test_tmpdir());
	write_text(path, "y\nyes\n");
	in = fopen(path, "r");
	out = fopen("/dev/null", "w");
	REQUIRE(in && out);
	CHECK_INT(fd_invoke_confirm(&pc, 0, 1, in, out, &err), FD_ECANCELLED);
	CHECK_INT(fd_invoke_confirm(&pc, 0, 1, in, out, &err), FD_OK);
	CHECK_INT(fd_invoke_confirm(&pc, 0, 1, in, out, &err), FD_ECANCELLED); /* EOF */
	fclose(in);
	fclose(out);
	CHECK(fd_invoke_tag_is_prod("env", "PROD"));
	CHECK(fd_invoke_tag_is_prod("stage", "production"));
	CHECK(!fd_invoke_tag_is_prod("env", "preprod"));
	CHECK(!fd_invoke_tag_is_prod("owner", "prod"));
}

TEST(events_percentiles)
{
	double v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

	CHECK(fd_percentile(v, 10, 50) == 5);
	CHECK(fd_percentile(v, 10, 90) == 9);
	CHECK(fd_percentile(v, 10, 99) == 10);
	CHECK(fd_percentile(v, 10, 100) == 10);
	CHECK(fd_percentile(v, 1, 50) == 1);
	CHECK(isnan(fd_percentile(v, 0, 50)));
}

/* ---- history, through real invocations ---- */

struct seen {
	int n;
	int64_t last_id;
};

static void
count_result(const struct fd_invoke_record *v, const struct fd_invoke_result *r, void *ud)
{
	struct seen *s = ud;

	(void)r;
	s->n++;
	s->last_id = v->id;
}

TEST(events_history_records_single_invoke)
{
	struct sim x;
	struct fd_state *s;
	struct fd_err err = {FD_OK, ""};
	struct fd_invoke_req req = {"orders-api", "live", FD_INVOKE_SYNC, NULL, 0, NULL, 1, 0};
	struct fd_batch_event ev = {"ping", "{\"ping\":1}", 10};
	struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};
	struct fd_batch_opts o = {&req, &ev, 1, 1, 1, NULL, &ctx, count_result, NULL};
	struct fd_batch_summary sum;
	struct fd_invoke_record *h = NULL;
	struct seen seen = {0, 0};
	size_t n = 0;

	if (!sim_open(&x, NULL, NULL))
		return;
	s = open_state();
	REQUIRE(s);
	o.state = s;
	o.ud = &seen;
	CHECK_INT(fd_invoke_batch(x.c, &o, &sum, &err), FD_OK);
	CHECK_INT(sum.total, 1);
	CHECK_INT(sum.ok, 1);
	CHECK_INT(sum.batch_id, 0);
	CHECK_INT(seen.n, 1);
	CHECK(seen.last_id > 0);
	CHECK_INT(sum.last_history_id, seen.last_id);
	REQUIRE(fd_invoke_history_list(s, "orders-api", 0, &h, &n, &err) == FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(h[0].function, "orders-api");
	CHECK_STR(h[0].qualifier, "live");
	CHECK_STR(h[0].type, "RequestResponse");
	CHECK_STR(h[0].event_name, "ping");
	CHECK_STR(h[0].payload, "{\"ping\":1}");
	CHECK_STR(h[0].response, "{\"ping\":1}");
	CHECK_INT(h[0].response_size, 10);
	CHECK_INT(h[0].status, 200);
	CHECK_STR(h[0].executed_version, "3");
	CHECK_STR(h[0].account, "123456789012");
	CHECK_INT(strlen(h[0].event_sha256), 64);
	CHECK(h[0].function_error == NULL);
	CHECK(h[0].error == NULL);
	CHECK(h[0].client_ms > 0);
	CHECK(isfinite(h[0].duration_ms));
	CHECK_CONTAINS(h[0].log_tail, "REPORT");
	CHECK(h[0].time_ms > 0);
	fd_invoke_records_free(h, n);
	fd_state_close(s);
	sim_close(&x);
}

TEST(events_history_batch_summary_and_errors)
{
	struct sim x;
	struct fd_state *s;
	struct fd_err err = {FD_OK, ""};
	struct fd_invoke_req req = {"orders-api", NULL, FD_INVOKE_SYNC, NULL, 0, NULL, 1, 0};
	struct fd_batch_event ev[2] = {{"ok", "{\"fleetsim\":\"ok\"}", 17},
	                               {"err", "{\"fleetsim\":\"error\"}", 20}};
	struct fd_batch_opts o = {&req, ev, 2, 3, 4, NULL, NULL, NULL, NULL};
	struct fd_batch_summary sum;
	struct fd_invoke_record *h = NULL, one;
	size_t n = 0, i, errors = 0;

	if (!sim_open(&x, NULL, NULL))
		return;
	s = open_state();
	REQUIRE(s);
	o.state = s;
	CHECK_INT(fd_invoke_batch(x.c, &o, &sum, &err), FD_OK);
	CHECK_INT(sum.total, 6);
	CHECK_INT(sum.ok, 3);
	CHECK_INT(sum.function_errors, 3);
	CHECK_INT(sum.call_errors, 0);
	CHECK(sum.batch_id > 0);
	CHECK(isfinite(sum.dur_p50) && sum.dur_p50 <= sum.dur_p99 && sum.dur_p99 <= sum.dur_max);
	CHECK(isfinite(sum.client_p90));
	/* At most 4 at once against the simulator's Invoke. */
	CHECK(sim_stat("max_per_second", "lambda:Invoke") <= 6);
	REQUIRE(fd_invoke_history_list(s, NULL, 0, &h, &n, &err) == FD_OK);
	REQUIRE(n == 6);
	for (i = 0; i < n; i++) {
		CHECK_INT(h[i].batch, sum.batch_id);
		if (h[i].function_error) {
			errors++;
			CHECK_STR(h[i].event_name, "err");
			CHECK_CONTAINS(h[i].response, "payment declined");
		}
	}
	CHECK_INT(errors, 3);
	REQUIRE(fd_invoke_history_get(s, h[0].id, &one, &err) == FD_OK);
	CHECK_INT(one.id, h[0].id);
	fd_invoke_record_free(&one);
	CHECK_INT(fd_invoke_history_get(s, 999999, &one, &err), FD_ENOTFOUND);
	fd_invoke_records_free(h, n);
	/* A call error (missing function) is recorded with its message. */
	req.function = "no-such-function";
	o.times = 1;
	o.nevents = 1;
	CHECK_INT(fd_invoke_batch(x.c, &o, &sum, &err), FD_EAWS);
	CHECK_INT(sum.call_errors, 1);
	CHECK_CONTAINS(err.msg, "ResourceNotFoundException");
	REQUIRE(fd_invoke_history_list(s, "no-such-function", 0, &h, &n, &err) == FD_OK);
	REQUIRE(n == 1);
	CHECK_CONTAINS(h[0].error, "ResourceNotFoundException");
	CHECK_INT(h[0].status, 404);
	fd_invoke_records_free(h, n);
	CHECK_INT(fd_invoke_history_prune(s, fd_wall_now_ms() + 1000, 0, &err), FD_OK);
	REQUIRE(fd_invoke_history_list(s, NULL, 0, &h, &n, &err) == FD_OK);
	CHECK_INT(n, 0);
	fd_invoke_records_free(h, n);
	fd_state_close(s);
	sim_close(&x);
}

TEST(events_batch_refuses_oversized_before_sending)
{
	struct sim x;
	struct fd_err err = {FD_OK, ""};
	struct fd_invoke_req req = {"orders-api", NULL, FD_INVOKE_ASYNC, NULL, 0, NULL, 0, 0};
	size_t big = FD_INVOKE_ASYNC_MAX + 1;
	char *payload = calloc(1, big + 1);
	struct fd_batch_event ev[2] = {{"small", "{}", 2}, {"huge", payload, big}};
	struct fd_batch_opts o = {&req, ev, 2, 1, 1, NULL, NULL, NULL, NULL};
	struct fd_batch_summary sum;

	if (!sim_open(&x, NULL, NULL))
		return;
	REQUIRE(payload);
	CHECK_INT(fd_invoke_batch(x.c, &o, &sum, &err), FD_EINVAL);
	CHECK_CONTAINS(err.msg, "event huge");
	CHECK_CONTAINS(err.msg, "1048576");
	CHECK_INT(sim_stat("requests", "lambda:Invoke"), 0);
	o.concurrency = 0;
	CHECK_INT(fd_invoke_batch(x.c, &o, &sum, &err), FD_EINVAL);
	free(payload);
	sim_close(&x);
}
