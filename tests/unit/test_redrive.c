/* test_redrive.c - SQS calls and the redrive engine against the simulator: queues by
 * name, URL and ARN; send/receive byte-exact; filters select exactly; dry run moves
 * nothing; --max; stop and resume; the canary stopping on a failing target; Lambda
 * re-invoke; server-side move tasks; export/import; peek making messages visible. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"
#include "test.h"
#include "test_aws_sim.h"

struct pair {
	struct sim x;
	struct fd_queue src, dlq;
	char name[64];
};

static int
make_queue(struct sim *x, const char *name, const char *redrive_to, int fifo, struct fd_queue *q)
{
	char *url = NULL, attr[512];
	const char *attrs[2];
	size_t n = 0;
	struct aws_error e;

	if (fifo)
		attrs[n++] = "FifoQueue=true";
	if (redrive_to) {
		snprintf(attr, sizeof(attr),
		         "RedrivePolicy={\"deadLetterTargetArn\":\"%s\",\"maxReceiveCount\":1}",
		         redrive_to);
		attrs[n++] = attr;
	}
	if (sqs_create_queue_sync(x->c, name, attrs, n, &url, &e) != FD_OK ||
	    sqs_resolve(x->c, url, q, &e) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "queue %s: %s", name, e.message);
		free(url);
		return 0;
	}
	free(url);
	return 1;
}

/* source <- DLQ pair with unique names (the simulator outlives each case). */
static int
pair_open(struct pair *p, const char *tag, int fifo)
{
	char dlq[80];
	static int seq;

	memset(p, 0, sizeof(*p));
	if (!sim_open(&p->x, NULL, NULL))
		return 0;
	snprintf(p->name, sizeof(p->name), "%s-%ld-%d%s", tag, (long)getpid(), ++seq,
	         fifo ? ".fifo" : "");
	snprintf(dlq, sizeof(dlq), "%s-%ld-%d-dlq%s", tag, (long)getpid(), seq,
	         fifo ? ".fifo" : "");
	return make_queue(&p->x, dlq, NULL, fifo, &p->dlq) &&
	       make_queue(&p->x, p->name, p->dlq.arn, fifo, &p->src);
}

static void
pair_close(struct pair *p)
{
	fd_queue_free(&p->src);
	fd_queue_free(&p->dlq);
	sim_close(&p->x);
}

static void
msg_n(struct fd_sqs_msg *m, int i, int fifo)
{
	char body[128], val[16];

	memset(m, 0, sizeof(*m));
	m->id = fd_xasprintf("seed-%d", i);
	snprintf(body, sizeof(body), "{\"n\":%d,\"detail\":{\"orderId\":\"%d\"},\"kind\":\"%s\"}",
	         i, i % 4, i % 5 == 0 ? "poison" : "order");
	m->body = fd_xstrdup(body);
	m->body_len = strlen(body);
	snprintf(val, sizeof(val), "%d", i);
	fd_sqs_msg_set_attr(m, "n", "Number", val, strlen(val));
	fd_sqs_msg_set_attr(m, "raw", "Binary", "\x00\xfe\x01", 3);
	if (fifo) {
		fd_sqs_msg_set_sys(m, "MessageGroupId", i % 2 ? "odd" : "even");
		fd_sqs_msg_set_sys(m, "MessageDeduplicationId", m->id);
	}
}

static int
seed(struct sim *x, const struct fd_queue *q, int n)
{
	struct fd_sqs_msg *m = fd_xcalloc((size_t)n, sizeof(*m));
	struct aws_error e;
	enum fd_status st;
	int i;

	for (i = 0; i < n; i++)
		msg_n(&m[i], i, q->fifo);
	st = sqs_send_sync(x->c, q->url, q->fifo, m, (size_t)n, NULL, &e);
	fd_sqs_msgs_free(m, (size_t)n);
	if (st != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "seed: %s", e.message);
	return st == FD_OK;
}

/* Receives everything (and deletes it) so the test can look. */
static size_t
drain(struct sim *x, const struct fd_queue *q, struct fd_sqs_msg **out)
{
	struct sqs_receive_opts o = {q->url, 10, 60, 0, NULL};
	struct fd_sqs_msg *m;
	struct aws_error e;
	size_t n, total = 0, failed;

	*out = NULL;
	while (sqs_receive_sync(x->c, &o, &m, &n, &e) == FD_OK && n) {
		sqs_delete_sync(x->c, q->url, m, n, &failed, &e);
		*out = fd_xreallocarray(*out, total + n, sizeof(**out));
		memcpy(*out + total, m, n * sizeof(*m));
		total += n;
		free(m);
	}
	return total;
}

static long long
depth(struct sim *x, const struct fd_queue *q)
{
	struct fd_queue now;
	struct aws_error e;
	long long d = -1;

	memset(&now, 0, sizeof(now));
	if (sqs_get_attributes_sync(x->c, q->url, &now, &e) == FD_OK)
		d = fd_queue_depth(&now);
	fd_queue_free(&now);
	return d;
}

static int
body_n(const struct fd_sqs_msg *m)
{
	const char *p = strstr(m->body, "\"n\":");

	return p ? atoi(p + 4) : -1;
}

static struct fd_state *
journal(void)
{
	struct fd_state *s = NULL;
	struct fd_err err = {0};
	char *path = fd_xasprintf("%s/state.db", fd_test_tmpdir());

	if (fd_state_open(path, &s, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "state: %s", err.msg);
	free(path);
	return s;
}

static enum fd_status
redrive(struct pair *p, struct fd_state *st, struct fd_redrive_opts *o, struct fd_redrive **out,
        struct fd_err *err)
{
	if (!o->source)
		o->source = p->dlq.name;
	o->visibility_s = o->visibility_s ? o->visibility_s : 5;
	return fd_redrive_start(p->x.c, st, NULL, o, out, err);
}

TEST(sqs_resolve_by_name_url_and_arn)
{
	struct pair p;
	struct fd_queue q;
	struct aws_error e;

	if (!pair_open(&p, "resolve", 0))
		return;
	REQUIRE(sqs_resolve(p.x.c, p.dlq.arn, &q, &e) == FD_OK);
	CHECK_STR(q.url, p.dlq.url);
	fd_queue_free(&q);
	REQUIRE(sqs_resolve(p.x.c, p.dlq.url, &q, &e) == FD_OK);
	CHECK_STR(q.arn, p.dlq.arn);
	fd_queue_free(&q);
	REQUIRE(sqs_resolve(p.x.c, p.src.name, &q, &e) == FD_OK);
	CHECK_STR(q.dlq_arn, p.dlq.arn);
	CHECK_INT(q.max_receive, 1);
	fd_queue_free(&q);
	CHECK(sqs_resolve(p.x.c, "no-such-queue-anywhere", &q, &e) != FD_OK);
	CHECK_CONTAINS(e.code, "NonExistentQueue");
	pair_close(&p);
}

TEST(sqs_send_receive_is_byte_exact)
{
	struct pair p;
	struct fd_sqs_msg *got, want;
	size_t n, i;

	if (!pair_open(&p, "bytes", 0) || !seed(&p.x, &p.dlq, 12))
		return;
	n = drain(&p.x, &p.dlq, &got);
	CHECK_INT(n, 12);
	for (i = 0; i < n; i++) {
		CHECK(got[i].md5_ok);
		msg_n(&want, body_n(&got[i]), 0);
		CHECK_STR(got[i].body, want.body);
		REQUIRE(got[i].nattrs == 2);
		CHECK_INT(got[i].attrs[1].len, 3);
		CHECK(memcmp(got[i].attrs[1].value, "\x00\xfe\x01", 3) == 0);
		fd_sqs_msg_free(&want);
	}
	fd_sqs_msgs_free(got, n);
	pair_close(&p);
}

TEST(redrive_moves_everything_to_the_source)
{
	struct fd_redrive_opts o = {0};
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct fd_sqs_msg *got;
	struct pair p;
	size_t n;

	if (!st || !pair_open(&p, "all", 0) || !seed(&p.x, &p.dlq, 35))
		return;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	CHECK_STR(fd_redrive_job(r)->target_name, p.src.name);
	CHECK_INT(fd_redrive_run(r, NULL, NULL, &err), FD_OK);
	CHECK_STR(fd_redrive_job(r)->status, "done");
	CHECK_INT(depth(&p.x, &p.dlq), 0);
	n = drain(&p.x, &p.src, &got);
	CHECK_INT(n, 35);
	fd_sqs_msgs_free(got, n);
	fd_redrive_free(r);
	fd_state_close(st);
	pair_close(&p);
}

TEST(redrive_filters_select_exactly_and_dry_run_moves_nothing)
{
	const char *filters[] = {".detail.orderId == \"1\"", "attr.n < 30"};
	struct fd_redrive_opts o = {0};
	struct fd_redrive_progress pr;
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct fd_sqs_msg *got;
	struct pair p;
	size_t n, i;

	if (!st || !pair_open(&p, "filter", 0) || !seed(&p.x, &p.dlq, 40))
		return;
	o.filters = filters;
	o.nfilters = 2;
	o.dry_run = 1;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	fd_redrive_progress(r, &pr);
	CHECK_INT(pr.would_move, 8); /* n % 4 == 1 and n < 30: 1, 5, ..., 29 */
	CHECK_INT(pr.moved, 0);
	CHECK_INT(depth(&p.x, &p.dlq), 40); /* all visible again */
	CHECK_INT(depth(&p.x, &p.src), 0);
	fd_redrive_free(r);
	o.dry_run = 0;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	n = drain(&p.x, &p.src, &got);
	CHECK_INT(n, 8);
	for (i = 0; i < n; i++)
		CHECK(body_n(&got[i]) % 4 == 1 && body_n(&got[i]) < 30);
	fd_sqs_msgs_free(got, n);
	CHECK_INT(depth(&p.x, &p.dlq), 32);
	fd_redrive_free(r);
	fd_state_close(st);
	pair_close(&p);
}

TEST(redrive_max_stops_after_n)
{
	struct fd_redrive_opts o = {0};
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct pair p;

	if (!st || !pair_open(&p, "max", 0) || !seed(&p.x, &p.dlq, 30))
		return;
	o.max = 12;
	o.rate = 40;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	CHECK_INT(depth(&p.x, &p.src), 12);
	CHECK_INT(depth(&p.x, &p.dlq), 18);
	fd_redrive_free(r);
	fd_state_close(st);
	pair_close(&p);
}

TEST(redrive_stop_then_resume_moves_each_once)
{
	struct fd_redrive_opts o = {0};
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct fd_sqs_msg *got;
	struct pair p;
	int64_t id;
	int t, seen[60] = {0};
	size_t n, i;

	if (!st || !pair_open(&p, "resume", 1) || !seed(&p.x, &p.dlq, 60))
		return;
	o.rate = 30;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	id = fd_redrive_job(r)->id;
	for (i = 0; i < 40 && fd_redrive_step(r, &t); i++)
		aws_client_wait(p.x.c, NULL, 0, t);
	fd_redrive_stop(r);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	CHECK_STR(fd_redrive_job(r)->status, "interrupted");
	fd_redrive_free(r);
	REQUIRE(fd_redrive_resume(p.x.c, st, id, &r, &err) == FD_OK);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	CHECK_STR(fd_redrive_job(r)->status, "done");
	fd_redrive_free(r);
	CHECK_INT(fd_redrive_resume(p.x.c, st, id, &r, &err) == FD_OK, 0);
	CHECK_CONTAINS(err.msg, "already finished");
	n = drain(&p.x, &p.src, &got);
	CHECK_INT(n, 60);
	for (i = 0; i < n; i++)
		if (body_n(&got[i]) >= 0 && body_n(&got[i]) < 60)
			seen[body_n(&got[i])]++;
	for (i = 0; i < 60; i++)
		CHECK_INT(seen[i], 1);
	fd_sqs_msgs_free(got, n);
	fd_state_close(st);
	pair_close(&p);
}

TEST(redrive_refuses_bad_targets)
{
	struct fd_redrive_opts o = {0};
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct pair p;

	if (!st || !pair_open(&p, "bad", 0))
		return;
	o.source = p.src.name; /* not a DLQ of anything */
	CHECK(redrive(&p, st, &o, &r, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "--to QUEUE");
	o.source = p.dlq.name;
	o.target_kind = FD_RT_QUEUE;
	o.target = p.dlq.arn;
	CHECK(redrive(&p, st, &o, &r, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "same queue");
	o.target_kind = FD_RT_FUNCTION;
	o.target = "no-such-function";
	CHECK(redrive(&p, st, &o, &r, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "target function");
	fd_state_close(st);
	pair_close(&p);
}

/* The target's consumer fails everything it receives: the moved messages land in the
 * target's DLQ during the canary's wait, and the job stops with the rest untouched. */
TEST(redrive_canary_stops_on_a_failing_target)
{
	struct fd_redrive_opts o = {0};
	struct sqs_receive_opts ro;
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct fd_sqs_msg *m;
	struct aws_error e;
	struct pair p;
	size_t n;
	int t, k;

	if (!st || !pair_open(&p, "canary", 0) || !seed(&p.x, &p.dlq, 25))
		return;
	o.target_kind = FD_RT_QUEUE;
	o.target = p.src.name;
	o.canary = 5;
	o.canary_wait_s = 2;
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	ro = (struct sqs_receive_opts){p.src.url, 10, 0, 0, NULL};
	while (fd_redrive_step(r, &t)) {
		aws_client_wait(p.x.c, NULL, 0, t);
		/* a consumer that fails: two receives push (maxReceiveCount 1) to the DLQ */
		for (k = 0; k < 2; k++)
			if (sqs_receive_sync(p.x.c, &ro, &m, &n, &e) == FD_OK)
				fd_sqs_msgs_free(m, n);
	}
	CHECK_STR(fd_redrive_job(r)->status, "stopped");
	CHECK_CONTAINS(fd_redrive_job(r)->message, "canary");
	CHECK_INT(depth(&p.x, &p.dlq), 25); /* 20 never moved + the 5 that came back */
	fd_redrive_free(r);
	fd_state_close(st);
	pair_close(&p);
}

TEST(redrive_reinvokes_a_function)
{
	struct fd_redrive_opts o = {0};
	struct fd_state *st = journal();
	struct fd_redrive *r = NULL;
	struct fd_err err = {0};
	struct pair p;
	int before;

	if (!st || !pair_open(&p, "invoke", 0) || !seed(&p.x, &p.dlq, 14))
		return;
	before = sim_stat("requests", "lambda:Invoke");
	o.target_kind = FD_RT_FUNCTION;
	o.target = "orders-api"; /* echoes: never fails */
	REQUIRE(redrive(&p, st, &o, &r, &err) == FD_OK);
	REQUIRE(fd_redrive_run(r, NULL, NULL, &err) == FD_OK);
	CHECK_STR(fd_redrive_job(r)->status, "done");
	CHECK_INT(sim_stat("requests", "lambda:Invoke") - before, 14);
	CHECK_INT(depth(&p.x, &p.dlq), 0);
	fd_redrive_free(r);
	fd_state_close(st);
	pair_close(&p);
}

TEST(move_task_start_progress_cancel)
{
	struct fd_move_status ms;
	struct fd_err err = {0};
	struct pair p;
	char *handle = NULL, line[200];
	long long moved = -1;
	int i;

	if (!pair_open(&p, "move", 0) || !seed(&p.x, &p.dlq, 40))
		return;
	/* Seeded straight into the DLQ, the messages have no source: name the destination. */
	REQUIRE(fd_move_start(p.x.c, &p.dlq, p.src.arn, 5, &handle, &err) == FD_OK);
	CHECK(handle && *handle);
	free(handle);
	CHECK(fd_move_start(p.x.c, &p.dlq, p.src.arn, 5, &handle, &err) !=
	      FD_OK); /* one at a time */
	usleep(700000);
	REQUIRE(fd_move_status(p.x.c, &p.dlq, &ms, &err) == FD_OK);
	CHECK_STR(ms.status, "RUNNING");
	CHECK_INT(ms.to_move, 40);
	CHECK(ms.moved > 0 && ms.moved < 40);
	fd_move_format(&ms, 20, line, sizeof(line));
	CHECK_CONTAINS(line, "/40");
	CHECK_CONTAINS(line, "RUNNING");
	REQUIRE(fd_move_cancel(p.x.c, &p.dlq, &moved, &err) == FD_OK);
	CHECK(moved > 0);
	REQUIRE(fd_move_status(p.x.c, &p.dlq, &ms, &err) == FD_OK);
	CHECK_STR(ms.status, "CANCELLED");
	CHECK(fd_move_cancel(p.x.c, &p.dlq, &moved, &err) != FD_OK);
	/* a full task runs to COMPLETED */
	REQUIRE(fd_move_start(p.x.c, &p.dlq, p.src.arn, 0, &handle, &err) == FD_OK);
	for (i = 0; i < 50 && fd_move_status(p.x.c, &p.dlq, &ms, &err) == FD_OK &&
	            strcmp(ms.status, "RUNNING") == 0;
	     i++)
		usleep(100000);
	CHECK_STR(ms.status, "COMPLETED");
	CHECK_INT(depth(&p.x, &p.dlq), 0);
	CHECK_INT(depth(&p.x, &p.src), 40);
	free(handle);
	pair_close(&p);
}

TEST(peek_export_import_round_trip)
{
	struct fd_peek_opts po = {5, NULL, 0, 0};
	struct fd_sqs_msg *m = NULL, *a, *b;
	struct fd_err err = {0};
	struct pair p, q;
	char *warning = NULL, *path = fd_xasprintf("%s/x.ndjson", fd_test_tmpdir());
	long long count = 0;
	size_t n = 0, na, nb, i, j;
	FILE *f;

	if (!pair_open(&p, "export", 0) || !pair_open(&q, "import", 0) || !seed(&p.x, &p.dlq, 23))
		return;
	REQUIRE(fd_peek(p.x.c, &p.src, &po, &m, &n, &warning, &err) == FD_OK);
	CHECK_INT(n, 0);
	CHECK_CONTAINS(warning, "after 1 receives"); /* the source has a redrive policy */
	free(warning);
	REQUIRE(fd_peek(p.x.c, &p.dlq, &po, &m, &n, &warning, &err) == FD_OK);
	CHECK_INT(n, 5);
	CHECK_CONTAINS(warning, "ApproximateReceiveCount");
	CHECK_INT(depth(&p.x, &p.dlq), 23);
	fd_sqs_msgs_free(m, n);
	free(warning);
	f = fopen(path, "w");
	REQUIRE(f);
	REQUIRE(fd_export(p.x.c, &p.dlq, NULL, 0, f, &count, &err) == FD_OK);
	fclose(f);
	CHECK_INT(count, 23);
	f = fopen(path, "r");
	REQUIRE(f);
	REQUIRE(fd_import(q.x.c, &q.dlq, f, path, &count, &err) == FD_OK);
	fclose(f);
	CHECK_INT(count, 23);
	na = drain(&p.x, &p.dlq, &a);
	nb = drain(&q.x, &q.dlq, &b);
	REQUIRE(na == 23 && nb == 23);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && body_n(&b[j]) != body_n(&a[i]); j++)
			;
		REQUIRE(j < nb);
		CHECK_INT(a[i].body_len, b[j].body_len);
		CHECK(memcmp(a[i].body, b[j].body, a[i].body_len) == 0);
		CHECK_STR(a[i].md5_body, b[j].md5_body);
		REQUIRE(a[i].nattrs == b[j].nattrs);
		CHECK(memcmp(a[i].attrs[1].value, b[j].attrs[1].value, 3) == 0);
	}
	fd_sqs_msgs_free(a, na);
	fd_sqs_msgs_free(b, nb);
	free(path);
	pair_close(&p);
	pair_close(&q);
}
