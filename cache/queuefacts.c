/* queuefacts.c - what was read of the SQS queues that are event sources (risks.h's
 * struct fd_queue_fact), per ctx: replaced as a whole by each complete read, so
 * `fleetdeck risks --offline` and the console judge from the last one, with its age;
 * `fleetdeck function NAME` updates only the facts of that function's queues. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/risks.h"
#include "fleetdeck/util.h"
#include "internal.h"

static enum fd_status
put_fact(struct fd_cache *c, int64_t ctx_id, const struct fd_queue_fact *f, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	rc = cache_stmt(c,
	                "INSERT OR REPLACE INTO queue_facts (ctx_id, arn, has_redrive, dlq_arn, "
	                "dlq_depth, fetched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_text(st, 2, f->arn, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->has_redrive);
	cache_bind_text(st, 4, f->dlq_arn);
	sqlite3_bind_int64(st, 5, f->dlq_depth);
	sqlite3_bind_int64(st, 6, f->fetched_ms);
	return cache_step_done(c, st, err);
}

struct facts_write {
	const struct fd_queue_fact *f;
	size_t n;
	int replace_all;
};

/* With replace_all the ctx's other facts go; without, only those of f's queues change. */
static enum fd_status
write_facts(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct facts_write *w = ud;
	enum fd_status rc = FD_OK;
	sqlite3_stmt *st;
	size_t i;

	if (w->replace_all &&
	    (rc = cache_stmt(c, "DELETE FROM queue_facts WHERE ctx_id = ?1", &st, err)) == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_step_done(c, st, err);
	}
	for (i = 0; rc == FD_OK && i < w->n; i++)
		if (w->f[i].arn)
			rc = put_fact(c, ctx_id, &w->f[i], err);
	return rc;
}

static enum fd_status
put_facts(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_queue_fact *f, size_t n,
          int replace_all, struct fd_err *err)
{
	struct facts_write w = {f, n, replace_all};

	return cache_write(c, ctx, write_facts, &w, err);
}

enum fd_status
fd_cache_put_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx,
                         const struct fd_queue_fact *f, size_t n, struct fd_err *err)
{
	return put_facts(c, ctx, f, n, 1, err);
}

enum fd_status
fd_cache_update_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx,
                            const struct fd_queue_fact *f, size_t n, struct fd_err *err)
{
	return put_facts(c, ctx, f, n, 0, err);
}

static void
read_fact(sqlite3_stmt *st, void *elem)
{
	struct fd_queue_fact *f = elem;
	char *arn = cache_col_dup(st, 0);

	f->arn = arn ? arn : fd_xstrdup("");
	f->has_redrive = sqlite3_column_int(st, 1) != 0;
	f->dlq_arn = cache_col_dup(st, 2);
	f->dlq_depth = sqlite3_column_int64(st, 3);
	f->fetched_ms = sqlite3_column_int64(st, 4);
}

enum fd_status
fd_cache_get_queue_facts(struct fd_cache *c, const struct fd_ctx *ctx, struct fd_queue_fact **out,
                         size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	void *v = NULL;
	enum fd_status rc;

	*out = NULL;
	*n = 0;
	rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c,
	                "SELECT arn, has_redrive, dlq_arn, dlq_depth, fetched_ms FROM queue_facts "
	                "WHERE ctx_id = ?1 ORDER BY arn",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	rc = cache_collect(c, st, read_fact, sizeof(**out), &v, n, err);
	*out = v;
	if (rc != FD_OK) {
		fd_queue_facts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* The strings of facts made here (the cache, queue_facts.c) are the array's own. */
void
fd_queue_facts_free(struct fd_queue_fact *f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++) {
		free((void *)(uintptr_t)f[i].arn);
		free((void *)(uintptr_t)f[i].dlq_arn);
	}
	free(f);
}
