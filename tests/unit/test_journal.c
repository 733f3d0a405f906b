/* test_journal.c - the redrive journal: jobs saved and loaded, messages kept byte
 * for byte (binary attributes included) through a reopen, states and reasons
 * counted, transactions all-or-nothing. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"
#include "test.h"

static struct fd_state *
open_journal(const char *path)
{
	struct fd_err err = {0};
	struct fd_state *s = NULL;

	if (fd_state_open(path, &s, &err) != FD_OK || fd_journal_init(s, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "journal: %s", err.msg);
		fd_state_close(s);
		return NULL;
	}
	return s;
}

static void
job_fixture(struct fd_redrive_job *j)
{
	memset(j, 0, sizeof(*j));
	strcpy(j->ctx.profile, "default");
	strcpy(j->ctx.account, "123456789012");
	strcpy(j->ctx.region, "us-east-1");
	j->source_url = strdup("http://h/123456789012/orders-dlq");
	j->source_arn = strdup("arn:aws:sqs:us-east-1:123456789012:orders-dlq");
	j->source_name = strdup("orders-dlq");
	j->target_kind = FD_RT_QUEUE;
	j->target = strdup("http://h/123456789012/orders");
	j->target_name = strdup("orders");
	j->filters = strdup(".detail.id == \"1\"\nage > 1h");
	j->rate = 12.5;
	j->max = 100;
	j->canary = 5;
	j->visibility_s = 60;
	j->hold_s = 900;
	strcpy(j->status, "running");
	j->created_ms = j->updated_ms = 1700000000000LL;
}

static void
msg_fixture(struct fd_sqs_msg *m, const char *id)
{
	memset(m, 0, sizeof(*m));
	m->id = strdup(id);
	m->receipt = strdup("rh-1");
	m->body = malloc(5);
	memcpy(m->body, "a\0b\xff", 5); /* bytes, not a C string */
	m->body_len = 4;
	fd_sqs_msg_set_attr(m, "bin", "Binary", "\x00\x01\x00", 3);
	fd_sqs_msg_set_attr(m, "s", "String.custom", "\xe2\x98\x83", 3);
	fd_sqs_msg_set_sys(m, "MessageGroupId", "g1");
}

TEST(journal_jobs_round_trip)
{
	char *path = fd_xasprintf("%s/state.db", fd_test_tmpdir());
	struct fd_state *s = open_journal(path);
	struct fd_redrive_job j, back, *all;
	struct fd_err err = {0};
	size_t n;

	REQUIRE(s);
	job_fixture(&j);
	REQUIRE(fd_journal_job_create(s, &j, &err) == FD_OK);
	CHECK(j.id > 0);
	strcpy(j.status, "interrupted");
	j.message = strdup("network down");
	j.recv_deadline_ms = 1700000090000LL;
	j.owner_pid = 4242;
	CHECK_INT(fd_journal_job_save(s, &j, &err), FD_OK);
	fd_state_close(s);
	s = open_journal(path);
	REQUIRE(s);
	REQUIRE(fd_journal_job_load(s, j.id, &back, &err) == FD_OK);
	CHECK_STR(back.status, "interrupted");
	CHECK_STR(back.message, "network down");
	CHECK_STR(back.filters, j.filters);
	CHECK_STR(back.source_arn, j.source_arn);
	CHECK_STR(back.ctx.account, "123456789012");
	CHECK_INT(back.target_kind, FD_RT_QUEUE);
	CHECK(back.rate == 12.5);
	CHECK_INT(back.max, 100);
	CHECK_INT(back.canary, 5);
	CHECK_INT(back.hold_s, 900);
	CHECK_INT(back.recv_deadline_ms, 1700000090000LL);
	CHECK_INT(back.owner_pid, 4242);
	fd_redrive_job_free(&back);
	CHECK_INT(fd_journal_job_load(s, 999, &back, &err), FD_ENOTFOUND);
	REQUIRE(fd_journal_jobs(s, 10, &all, &n, &err) == FD_OK);
	CHECK_INT(n, 1);
	fd_redrive_job_free(&all[0]);
	free(all);
	fd_redrive_job_free(&j);
	fd_state_close(s);
	free(path);
}

TEST(journal_messages_keep_every_byte)
{
	char *path = fd_xasprintf("%s/state.db", fd_test_tmpdir());
	struct fd_state *s = open_journal(path);
	struct fd_redrive_job j;
	struct fd_sqs_msg m, *back;
	struct fd_err err = {0};
	enum fd_rm_state st;
	size_t n;

	REQUIRE(s);
	job_fixture(&j);
	REQUIRE(fd_journal_job_create(s, &j, &err) == FD_OK);
	msg_fixture(&m, "m-1");
	CHECK_INT(fd_journal_insert(s, j.id, &m, FD_RM_RECEIVED, NULL, &err), FD_OK);
	CHECK_INT(fd_journal_set_receipt(s, j.id, "m-1", "rh-2", &err), FD_OK);
	fd_state_close(s);
	s = open_journal(path); /* what a resumed run sees */
	REQUIRE(s);
	CHECK_INT(fd_journal_lookup(s, j.id, "m-1", &st, &err), FD_OK);
	CHECK_INT(st, FD_RM_RECEIVED);
	CHECK_INT(fd_journal_lookup(s, j.id, "m-2", &st, &err), FD_OK);
	CHECK_INT(st, FD_RM_NONE);
	REQUIRE(fd_journal_load(s, j.id, FD_RM_RECEIVED, &back, &n, &err) == FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(back[0].receipt, "rh-2"); /* the newest handle */
	CHECK_INT(back[0].body_len, 4);
	CHECK(memcmp(back[0].body, "a\0b\xff", 4) == 0);
	REQUIRE(back[0].nattrs == 2);
	CHECK_STR(back[0].attrs[0].name, "bin");
	CHECK_INT(back[0].attrs[0].len, 3);
	CHECK(memcmp(back[0].attrs[0].value, "\x00\x01\x00", 3) == 0);
	CHECK_STR(back[0].attrs[1].type, "String.custom");
	CHECK_STR(fd_sqs_msg_sys(&back[0], "MessageGroupId"), "g1");
	fd_sqs_msgs_free(back, n);
	fd_sqs_msg_free(&m);
	fd_redrive_job_free(&j);
	fd_state_close(s);
	free(path);
}

TEST(journal_states_reasons_and_counts)
{
	char *path = fd_xasprintf("%s/state.db", fd_test_tmpdir());
	struct fd_state *s = open_journal(path);
	struct fd_redrive_counts c;
	struct fd_journal_row *rows;
	struct fd_redrive_job j;
	struct fd_sqs_msg m;
	struct fd_err err = {0};
	const char *ids[] = {"a", "b", "c", "d", "e"};
	size_t i, n;

	REQUIRE(s);
	job_fixture(&j);
	REQUIRE(fd_journal_job_create(s, &j, &err) == FD_OK);
	REQUIRE(fd_journal_begin(s, &err) == FD_OK);
	for (i = 0; i < 5; i++) {
		msg_fixture(&m, ids[i]);
		fd_journal_insert(s, j.id, &m, i < 3 ? FD_RM_RECEIVED : FD_RM_HELD,
		                  i == 3   ? FD_RM_WHY_SKIP
		                  : i == 4 ? FD_RM_WHY_DRY
		                           : NULL,
		                  &err);
		fd_sqs_msg_free(&m);
	}
	REQUIRE(fd_journal_commit(s, &err) == FD_OK);
	fd_journal_set_state(s, j.id, "a", FD_RM_SENT, "target-a", NULL, &err);
	fd_journal_set_state(s, j.id, "b", FD_RM_SENT, "target-b", NULL, &err);
	fd_journal_set_state(s, j.id, "b", FD_RM_DELETED, NULL, NULL, &err);
	fd_journal_set_state(s, j.id, "c", FD_RM_HELD, NULL, "refused: X: too big", &err);
	fd_journal_set_state(s, j.id, "d", FD_RM_RELEASED, NULL, NULL, &err);
	REQUIRE(fd_journal_counts(s, j.id, &c, &err) == FD_OK);
	CHECK_INT(c.moved, 2);
	CHECK_INT(c.n[FD_RM_SENT], 1);
	CHECK_INT(c.n[FD_RM_DELETED], 1);
	CHECK_INT(c.n[FD_RM_RELEASED], 1);
	CHECK_INT(c.skipped, 1); /* d kept its reason when released */
	CHECK_INT(c.would_move, 1);
	CHECK_INT(c.refused, 1);
	REQUIRE(fd_journal_rows(s, j.id, &rows, &n, &err) == FD_OK);
	REQUIRE(n == 5);
	CHECK_STR(rows[0].message_id, "a"); /* in the order received */
	CHECK_STR(rows[0].target_id, "target-a");
	CHECK_STR(rows[1].target_id, "target-b");
	CHECK_INT(rows[3].state, FD_RM_RELEASED);
	CHECK_STR(rows[3].why, FD_RM_WHY_SKIP);
	fd_journal_rows_free(rows, n);
	fd_redrive_job_free(&j);
	fd_state_close(s);
	free(path);
}

TEST(journal_rollback_keeps_nothing)
{
	struct fd_state *s = open_journal(":memory:");
	struct fd_redrive_job j;
	struct fd_sqs_msg m;
	struct fd_err err = {0};
	enum fd_rm_state st;

	REQUIRE(s);
	job_fixture(&j);
	REQUIRE(fd_journal_job_create(s, &j, &err) == FD_OK);
	REQUIRE(fd_journal_begin(s, &err) == FD_OK);
	msg_fixture(&m, "x");
	CHECK_INT(fd_journal_insert(s, j.id, &m, FD_RM_RECEIVED, NULL, &err), FD_OK);
	CHECK(fd_journal_insert(s, j.id, &m, FD_RM_RECEIVED, NULL, &err) != FD_OK); /* dup id */
	fd_journal_rollback(s);
	CHECK_INT(fd_journal_lookup(s, j.id, "x", &st, &err), FD_OK);
	CHECK_INT(st, FD_RM_NONE);
	CHECK_STR(fd_rm_state_name(FD_RM_DELETED), "deleted");
	fd_sqs_msg_free(&m);
	fd_redrive_job_free(&j);
	fd_state_close(s);
}
