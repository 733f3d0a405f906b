/* journal.c - the redrive journal in state.db (component "redrive"): one row per
 * job and one per message the job touched, with the message's body, attributes and
 * latest receipt handle, so a job can finish from the journal alone after a crash.
 * States are stored by name, so the file reads plainly in the sqlite3 shell; the
 * attributes are packed as length-prefixed fields (bytes kept exactly). */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/util.h"
#include "internal.h"

#define JOURNAL_VERSION 1

static const char *const state_names[] = {[FD_RM_NONE] = "none",
#define FD_RM_NAME(id, name) [id] = name,
                                          FD_RM_STATE_LIST(FD_RM_NAME)
#undef FD_RM_NAME
};

const char *
fd_rm_state_name(enum fd_rm_state s)
{
	return (unsigned)s < FD_RM_COUNT ? state_names[s] : "none";
}

static enum fd_rm_state
state_parse(const char *s)
{
	int i;

	for (i = 1; s && i < FD_RM_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum fd_rm_state)i;
	return FD_RM_NONE;
}

static const char schema_v1[] =
    "CREATE TABLE redrive_jobs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " profile TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,"
    " source_url TEXT NOT NULL, source_arn TEXT, source_name TEXT,"
    " source_fifo INTEGER NOT NULL DEFAULT 0,"
    " target_kind INTEGER NOT NULL, target TEXT, target_arn TEXT, target_name TEXT,"
    " target_fifo INTEGER NOT NULL DEFAULT 0,"
    " filters TEXT, dry_run INTEGER NOT NULL DEFAULT 0, rate REAL NOT NULL DEFAULT 0,"
    " max_messages INTEGER NOT NULL DEFAULT 0, canary INTEGER NOT NULL DEFAULT 0,"
    " canary_wait_s INTEGER NOT NULL DEFAULT 0, visibility_s INTEGER NOT NULL DEFAULT 0,"
    " hold_s INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL, message TEXT,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " finished_ms INTEGER NOT NULL DEFAULT 0, recv_deadline_ms INTEGER NOT NULL DEFAULT 0,"
    " owner_pid INTEGER NOT NULL DEFAULT 0, heartbeat_ms INTEGER NOT NULL DEFAULT 0,"
    " total_hint INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE redrive_messages ("
    " job_id INTEGER NOT NULL REFERENCES redrive_jobs(id) ON DELETE CASCADE,"
    " message_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, why TEXT,"
    " receipt TEXT, body BLOB NOT NULL, attrs BLOB, sys BLOB, target_id TEXT,"
    " receives INTEGER NOT NULL DEFAULT 1, updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (job_id, message_id)) WITHOUT ROWID;"
    "CREATE INDEX redrive_messages_seq ON redrive_messages(job_id, seq);"
    "CREATE INDEX redrive_messages_state ON redrive_messages(job_id, state, seq);";

static enum fd_status
migrate(struct fd_state *s, int from, struct fd_err *err)
{
	if (from < 1)
		return fd_state_exec(s, schema_v1, err);
	return FD_OK;
}

static const struct fd_state_component component = {"redrive", JOURNAL_VERSION, migrate};

enum fd_status
fd_journal_init(struct fd_state *s, struct fd_err *err)
{
	return fd_state_use(s, &component, err);
}

enum fd_status
fd_journal_begin(struct fd_state *s, struct fd_err *err)
{
	return cache_begin(fd_state_db(s), err);
}

enum fd_status
fd_journal_commit(struct fd_state *s, struct fd_err *err)
{
	return cache_commit(fd_state_db(s), err);
}

void
fd_journal_rollback(struct fd_state *s)
{
	cache_rollback(fd_state_db(s));
}

/* ---- jobs ---- */

static enum fd_status
prepare(struct fd_state *s, const char *sql, sqlite3_stmt **st, struct fd_err *err)
{
	return cache_stmt(fd_state_db(s), sql, st, err);
}

static enum fd_status
done(struct fd_state *s, sqlite3_stmt *st, struct fd_err *err)
{
	return cache_step_done(fd_state_db(s), st, err);
}

enum fd_status
fd_journal_job_create(struct fd_state *s, struct fd_redrive_job *j, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(
	    s,
	    "INSERT INTO redrive_jobs (profile, account, region, source_url, source_arn,"
	    " source_name, source_fifo, target_kind, target, target_arn, target_name,"
	    " target_fifo, filters, dry_run, rate, max_messages, canary, canary_wait_s,"
	    " visibility_s, hold_s, status, created_ms, updated_ms)"
	    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
	    " ?21,?22,?22)",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, j->ctx.profile);
	cache_bind_text(st, 2, j->ctx.account);
	cache_bind_text(st, 3, j->ctx.region);
	cache_bind_text(st, 4, j->source_url);
	cache_bind_text(st, 5, j->source_arn);
	cache_bind_text(st, 6, j->source_name);
	sqlite3_bind_int(st, 7, j->source_fifo);
	sqlite3_bind_int(st, 8, (int)j->target_kind);
	cache_bind_text(st, 9, j->target);
	cache_bind_text(st, 10, j->target_arn);
	cache_bind_text(st, 11, j->target_name);
	sqlite3_bind_int(st, 12, j->target_fifo);
	cache_bind_text(st, 13, j->filters);
	sqlite3_bind_int(st, 14, j->dry_run);
	sqlite3_bind_double(st, 15, j->rate);
	sqlite3_bind_int64(st, 16, j->max);
	sqlite3_bind_int64(st, 17, j->canary);
	sqlite3_bind_int(st, 18, j->canary_wait_s);
	sqlite3_bind_int(st, 19, j->visibility_s);
	sqlite3_bind_int(st, 20, j->hold_s);
	cache_bind_text(st, 21, j->status);
	sqlite3_bind_int64(st, 22, j->created_ms);
	rc = done(s, st, err);
	if (rc == FD_OK)
		j->id = sqlite3_last_insert_rowid(fd_state_db(s)->db);
	return rc;
}

enum fd_status
fd_journal_job_save(struct fd_state *s, const struct fd_redrive_job *j, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "UPDATE redrive_jobs SET status = ?2, message = ?3,"
	                            " updated_ms = ?4, finished_ms = ?5, recv_deadline_ms = ?6,"
	                            " owner_pid = ?7, heartbeat_ms = ?8, total_hint = ?9"
	                            " WHERE id = ?1",
	                            &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, j->id);
	cache_bind_text(st, 2, j->status);
	cache_bind_text(st, 3, j->message);
	sqlite3_bind_int64(st, 4, j->updated_ms);
	sqlite3_bind_int64(st, 5, j->finished_ms);
	sqlite3_bind_int64(st, 6, j->recv_deadline_ms);
	sqlite3_bind_int64(st, 7, j->owner_pid);
	sqlite3_bind_int64(st, 8, j->heartbeat_ms);
	sqlite3_bind_int64(st, 9, j->total_hint);
	return done(s, st, err);
}

#define JOB_COLUMNS                                                                                \
	"id, profile, account, region, source_url, source_arn, source_name, source_fifo,"          \
	" target_kind, target, target_arn, target_name, target_fifo, filters, dry_run, rate,"      \
	" max_messages, canary, canary_wait_s, visibility_s, hold_s, status, message,"             \
	" created_ms, updated_ms, finished_ms, recv_deadline_ms, owner_pid, heartbeat_ms,"         \
	" total_hint"

static void
job_from_row(sqlite3_stmt *st, void *elem)
{
	struct fd_redrive_job *j = elem;

	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	cache_col_copy(st, 1, j->ctx.profile, sizeof(j->ctx.profile));
	cache_col_copy(st, 2, j->ctx.account, sizeof(j->ctx.account));
	cache_col_copy(st, 3, j->ctx.region, sizeof(j->ctx.region));
	j->source_url = cache_col_dup(st, 4);
	j->source_arn = cache_col_dup(st, 5);
	j->source_name = cache_col_dup(st, 6);
	j->source_fifo = sqlite3_column_int(st, 7);
	j->target_kind = (enum fd_redrive_target)sqlite3_column_int(st, 8);
	j->target = cache_col_dup(st, 9);
	j->target_arn = cache_col_dup(st, 10);
	j->target_name = cache_col_dup(st, 11);
	j->target_fifo = sqlite3_column_int(st, 12);
	j->filters = cache_col_dup(st, 13);
	j->dry_run = sqlite3_column_int(st, 14);
	j->rate = sqlite3_column_double(st, 15);
	j->max = sqlite3_column_int64(st, 16);
	j->canary = sqlite3_column_int64(st, 17);
	j->canary_wait_s = sqlite3_column_int(st, 18);
	j->visibility_s = sqlite3_column_int(st, 19);
	j->hold_s = sqlite3_column_int(st, 20);
	cache_col_copy(st, 21, j->status, sizeof(j->status));
	j->message = cache_col_dup(st, 22);
	j->created_ms = sqlite3_column_int64(st, 23);
	j->updated_ms = sqlite3_column_int64(st, 24);
	j->finished_ms = sqlite3_column_int64(st, 25);
	j->recv_deadline_ms = sqlite3_column_int64(st, 26);
	j->owner_pid = (long)sqlite3_column_int64(st, 27);
	j->heartbeat_ms = sqlite3_column_int64(st, 28);
	j->total_hint = sqlite3_column_int64(st, 29);
}

void
fd_redrive_job_free(struct fd_redrive_job *j)
{
	if (!j)
		return;
	free(j->source_url);
	free(j->source_arn);
	free(j->source_name);
	free(j->target);
	free(j->target_arn);
	free(j->target_name);
	free(j->filters);
	free(j->message);
	memset(j, 0, sizeof(*j));
}

enum fd_status
fd_journal_job_load(struct fd_state *s, int64_t id, struct fd_redrive_job *out, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s, "SELECT " JOB_COLUMNS " FROM redrive_jobs WHERE id = ?1", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = cache_step_row(fd_state_db(s), st, err);
	if (rc == FD_OK)
		job_from_row(st, out);
	else if (rc == FD_ENOTFOUND)
		rc = fd_err_set(err, FD_ENOTFOUND, "no redrive job %lld in %s", (long long)id,
		                fd_state_path(s));
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_journal_jobs(struct fd_state *s, size_t limit, struct fd_redrive_job **out, size_t *n,
                struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT " JOB_COLUMNS " FROM redrive_jobs ORDER BY id DESC"
	                            " LIMIT ?1",
	                            &st, err);
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	rc = cache_collect(fd_state_db(s), st, job_from_row, sizeof(**out), &v, n, err);
	*out = v;
	return rc;
}

/* ---- messages ---- */

enum fd_status
fd_journal_lookup(struct fd_state *s, int64_t job, const char *message_id, enum fd_rm_state *out,
                  struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT state FROM redrive_messages WHERE job_id = ?1 AND"
	                            " message_id = ?2",
	                            &st, err);

	*out = FD_RM_NONE;
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	cache_bind_text(st, 2, message_id);
	rc = cache_step_row(fd_state_db(s), st, err);
	if (rc == FD_OK)
		*out = state_parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == FD_ENOTFOUND ? FD_OK : rc;
}

/* Attributes: (name, type, value) triples; system attributes: (key, value) pairs;
 * each field a 4-byte big-endian length then its bytes. */
static void
put_field(struct fd_buf *b, const char *s, size_t n)
{
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 8), (unsigned char)n};

	fd_buf_append(b, len, 4);
	if (n)
		fd_buf_append(b, s, n);
}

static void
pack_attrs(const struct fd_sqs_msg *m, struct fd_buf *b)
{
	size_t i;

	for (i = 0; i < m->nattrs; i++) {
		put_field(b, m->attrs[i].name, strlen(m->attrs[i].name));
		put_field(b, m->attrs[i].type, strlen(m->attrs[i].type));
		put_field(b, m->attrs[i].value, m->attrs[i].len);
	}
}

static void
pack_sys(const struct fd_sqs_msg *m, struct fd_buf *b)
{
	size_t i;

	for (i = 0; i < m->nsys; i++) {
		put_field(b, m->sys[i].key, strlen(m->sys[i].key));
		put_field(b, m->sys[i].value, strlen(m->sys[i].value));
	}
}

/* Next field of p[0..n) at *off into a NUL-terminated copy; -1 when malformed. */
static int
get_field(const unsigned char *p, size_t n, size_t *off, struct fd_buf *out)
{
	size_t len;

	fd_buf_reset(out);
	if (n - *off < 4)
		return -1;
	len = (size_t)p[*off] << 24 | (size_t)p[*off + 1] << 16 | (size_t)p[*off + 2] << 8 |
	      p[*off + 3];
	*off += 4;
	if (len > n - *off)
		return -1;
	fd_buf_append(out, p + *off, len);
	fd_buf_reserve(out, 1);
	out->data[out->len] = '\0';
	*off += len;
	return 0;
}

static enum fd_status
unpack(const void *blob, int bytes, struct fd_sqs_msg *m, int triples, struct fd_err *err)
{
	const unsigned char *p = blob;
	size_t n = bytes > 0 ? (size_t)bytes : 0, off = 0;
	struct fd_buf f[3];
	enum fd_status rc = FD_OK;
	int k;

	for (k = 0; k < 3; k++)
		fd_buf_init(&f[k]);
	while (off < n && rc == FD_OK) {
		for (k = 0; k < (triples ? 3 : 2) && rc == FD_OK; k++)
			if (get_field(p, n, &off, &f[k]) != 0)
				rc = fd_err_set(err, FD_EDB,
				                "journal: malformed attributes of "
				                "message %s",
				                m->id ? m->id : "?");
		if (rc == FD_OK && triples)
			fd_sqs_msg_set_attr(m, f[0].data, f[1].data, f[2].data, f[2].len);
		else if (rc == FD_OK)
			fd_sqs_msg_set_sys(m, f[0].data, f[1].data);
	}
	for (k = 0; k < 3; k++)
		fd_buf_free(&f[k]);
	return rc;
}

enum fd_status
fd_journal_insert(struct fd_state *s, int64_t job, const struct fd_sqs_msg *m,
                  enum fd_rm_state state, const char *why, struct fd_err *err)
{
	struct fd_buf attrs, sys;
	sqlite3_stmt *st;
	enum fd_status rc = prepare(
	    s,
	    "INSERT INTO redrive_messages (job_id, message_id, seq, state, why, receipt, body,"
	    " attrs, sys, updated_ms) VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM"
	    " redrive_messages WHERE job_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	fd_buf_init(&attrs);
	fd_buf_init(&sys);
	pack_attrs(m, &attrs);
	pack_sys(m, &sys);
	sqlite3_bind_int64(st, 1, job);
	cache_bind_text(st, 2, m->id);
	cache_bind_text(st, 3, fd_rm_state_name(state));
	cache_bind_text(st, 4, why);
	cache_bind_text(st, 5, m->receipt);
	sqlite3_bind_blob64(st, 6, m->body ? m->body : "", m->body_len, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 7, attrs.data ? attrs.data : "", attrs.len, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 8, sys.data ? sys.data : "", sys.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, fd_wall_now_ms());
	rc = done(s, st, err);
	fd_buf_free(&attrs);
	fd_buf_free(&sys);
	return rc;
}

enum fd_status
fd_journal_set_receipt(struct fd_state *s, int64_t job, const char *message_id, const char *receipt,
                       struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "UPDATE redrive_messages SET receipt = ?3,"
	                            " receives = receives + 1, updated_ms = ?4"
	                            " WHERE job_id = ?1 AND message_id = ?2",
	                            &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	cache_bind_text(st, 2, message_id);
	cache_bind_text(st, 3, receipt);
	sqlite3_bind_int64(st, 4, fd_wall_now_ms());
	return done(s, st, err);
}

enum fd_status
fd_journal_set_state(struct fd_state *s, int64_t job, const char *message_id,
                     enum fd_rm_state state, const char *target_id, const char *why,
                     struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "UPDATE redrive_messages SET state = ?3,"
	                            " target_id = coalesce(?4, target_id), why = coalesce(?5, why),"
	                            " updated_ms = ?6 WHERE job_id = ?1 AND message_id = ?2",
	                            &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	cache_bind_text(st, 2, message_id);
	cache_bind_text(st, 3, fd_rm_state_name(state));
	cache_bind_text(st, 4, target_id);
	cache_bind_text(st, 5, why);
	sqlite3_bind_int64(st, 6, fd_wall_now_ms());
	return done(s, st, err);
}

static enum fd_status
msg_from_row(sqlite3_stmt *st, struct fd_sqs_msg *m, struct fd_err *err)
{
	const void *body = sqlite3_column_blob(st, 2);
	int len = sqlite3_column_bytes(st, 2);
	enum fd_status rc;

	memset(m, 0, sizeof(*m));
	m->id = cache_col_dup(st, 0);
	m->receipt = cache_col_dup(st, 1);
	m->body_len = (size_t)(len > 0 ? len : 0);
	m->body = fd_xmalloc(m->body_len + 1);
	if (m->body_len)
		memcpy(m->body, body, m->body_len);
	m->body[m->body_len] = '\0';
	m->md5_ok = 1;
	rc = unpack(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), m, 1, err);
	if (rc == FD_OK)
		rc = unpack(sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4), m, 0, err);
	return rc;
}

enum fd_status
fd_journal_load(struct fd_state *s, int64_t job, enum fd_rm_state state, struct fd_sqs_msg **out,
                size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s,
	            "SELECT message_id, receipt, body, attrs, sys FROM"
	            " redrive_messages WHERE job_id = ?1 AND state = ?2 ORDER BY seq",
	            &st, err);
	int src;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	cache_bind_text(st, 2, fd_rm_state_name(state));
	while (rc == FD_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		*out = cache_grow(*out, *n, sizeof(**out));
		rc = msg_from_row(st, &(*out)[(*n)++], err);
	}
	if (rc == FD_OK && src != SQLITE_DONE)
		rc = cache_fail(fd_state_db(s), err);
	sqlite3_reset(st);
	if (rc != FD_OK) {
		fd_sqs_msgs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static void
count_row(struct fd_redrive_counts *c, enum fd_rm_state state, const char *why, long long k)
{
	c->n[state] += k;
	if (state == FD_RM_SENT || state == FD_RM_DELETED)
		c->moved += k;
	if (state != FD_RM_HELD && state != FD_RM_RELEASED)
		return;
	if (fd_str_eq(why, FD_RM_WHY_SKIP) || fd_str_eq(why, FD_RM_WHY_GROUP))
		c->skipped += k;
	else if (fd_str_eq(why, FD_RM_WHY_DRY))
		c->would_move += k;
	else if (fd_str_eq(why, FD_RM_WHY_MAX))
		c->over_max += k;
	else if (fd_str_starts(why, FD_RM_WHY_FAILED) || fd_str_eq(why, FD_RM_WHY_DIGEST))
		c->refused += k;
}

enum fd_status
fd_journal_counts(struct fd_state *s, int64_t job, struct fd_redrive_counts *out,
                  struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT state, why, count(*) FROM redrive_messages"
	                            " WHERE job_id = ?1 GROUP BY state, why",
	                            &st, err);
	int src;

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		count_row(out, state_parse((const char *)sqlite3_column_text(st, 0)),
		          (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2));
	if (src != SQLITE_DONE)
		rc = cache_fail(fd_state_db(s), err);
	sqlite3_reset(st);
	return rc;
}

static void
journal_row_read(sqlite3_stmt *st, void *elem)
{
	struct fd_journal_row *r = elem;

	r->message_id = cache_col_dup(st, 0);
	r->state = state_parse((const char *)sqlite3_column_text(st, 1));
	r->why = cache_col_dup(st, 2);
	r->target_id = cache_col_dup(st, 3);
	r->seq = sqlite3_column_int64(st, 4);
}

enum fd_status
fd_journal_rows(struct fd_state *s, int64_t job, struct fd_journal_row **out, size_t *n,
                struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT message_id, state, why, target_id, seq FROM"
	                            " redrive_messages WHERE job_id = ?1 ORDER BY seq",
	                            &st, err);
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	rc = cache_collect(fd_state_db(s), st, journal_row_read, sizeof(**out), &v, n, err);
	*out = v;
	return rc;
}

void
fd_journal_rows_free(struct fd_journal_row *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].message_id);
		free(r[i].why);
		free(r[i].target_id);
	}
	free(r);
}
