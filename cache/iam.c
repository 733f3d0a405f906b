/* iam.c (cache) - execution roles and their policies per context, managed policy
 * documents by ARN + version (a fleet sharing ten roles fetches each document once,
 * and a later run none), secret metadata (never a value: the records have no field
 * for one), and log ingestion per group and day for `fleetdeck costs`. The tables come
 * from the IAM migration in schema.c. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/costs.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/secrets.h"
#include "internal.h"

/* ---- managed policy documents ---- */

static enum fd_status
put_policy(struct fd_cache *c, int64_t ctx_id, const char *arn, const char *version,
           const char *document, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c,
	    "INSERT INTO iam_policies (ctx_id, arn, version, document, fetched_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (ctx_id, arn, version) DO UPDATE SET "
	    "document = excluded.document, fetched_ms = excluded.fetched_ms",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, arn);
	cache_bind_text(st, 3, version);
	cache_bind_text(st, 4, document);
	sqlite3_bind_int64(st, 5, fd_wall_now_ms());
	return cache_step_done(c, st, err);
}

enum fd_status
fd_cache_put_iam_policy(struct fd_cache *c, const struct fd_ctx *ctx, const char *arn,
                        const char *version, const char *document, struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc;

	if (!arn || !version || !document)
		return fd_err_set(err, FD_EINVAL, "cache %s: incomplete policy record", c->path);
	rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);
	return rc == FD_OK ? put_policy(c, ctx_id, arn, version, document, err) : rc;
}

static enum fd_status
get_policy(struct fd_cache *c, int64_t ctx_id, const char *arn, const char *version,
           char **document, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c,
	                               "SELECT document FROM iam_policies WHERE ctx_id = ?1 AND "
	                               "arn = ?2 AND version = ?3",
	                               &st, err);

	*document = NULL;
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, arn);
	cache_bind_text(st, 3, version);
	if (sqlite3_step(st) == SQLITE_ROW)
		*document = cache_col_dup(st, 0);
	sqlite3_reset(st);
	return *document ? FD_OK : FD_ENOTFOUND;
}

enum fd_status
fd_cache_get_iam_policy(struct fd_cache *c, const struct fd_ctx *ctx, const char *arn,
                        const char *version, char **document, struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*document = NULL;
	if (rc != FD_OK)
		return rc;
	if (!ctx_id || !arn || !version)
		return FD_ENOTFOUND;
	return get_policy(c, ctx_id, arn, version, document, err);
}

/* ---- roles ---- */

static enum fd_status
put_role_row(struct fd_cache *c, int64_t ctx_id, const struct iam_role *r, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c,
	    "INSERT INTO iam_roles (ctx_id, arn, name, path, role_id, created, last_used, trust, "
	    "error, fetched_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (ctx_id, arn) DO UPDATE SET name = excluded.name, path = excluded.path, "
	    "role_id = excluded.role_id, created = excluded.created, "
	    "last_used = excluded.last_used, trust = excluded.trust, error = excluded.error, "
	    "fetched_ms = excluded.fetched_ms",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, r->arn);
	cache_bind_text(st, 3, r->name);
	cache_bind_text(st, 4, r->path);
	cache_bind_text(st, 5, r->role_id);
	cache_bind_text(st, 6, r->created);
	cache_bind_text(st, 7, r->last_used);
	cache_bind_text(st, 8, r->trust_document);
	cache_bind_text(st, 9, r->error);
	sqlite3_bind_int64(st, 10, r->fetched_ms);
	return cache_step_done(c, st, err);
}

static enum fd_status
clear_role_policies(struct fd_cache *c, int64_t ctx_id, const char *arn, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c, "DELETE FROM iam_role_policies WHERE ctx_id = ?1 AND role_arn = ?2", &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, arn);
	return cache_step_done(c, st, err);
}

/* Inline documents live in the row; managed ones in iam_policies by ARN + version. */
static enum fd_status
put_role_policy(struct fd_cache *c, int64_t ctx_id, const char *role_arn, int seq,
                const struct iam_policy *p, struct fd_err *err)
{
	int is_inline = p->kind == IAM_POLICY_INLINE;
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c,
	    "INSERT INTO iam_role_policies (ctx_id, role_arn, seq, kind, name, arn, version, "
	    "document, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, role_arn);
	sqlite3_bind_int(st, 3, seq);
	cache_bind_text(st, 4, iam_policy_kind_name(p->kind));
	cache_bind_text(st, 5, p->name);
	cache_bind_text(st, 6, p->arn);
	cache_bind_text(st, 7, p->version);
	cache_bind_text(st, 8, is_inline ? p->document : NULL);
	cache_bind_text(st, 9, p->error);
	rc = cache_step_done(c, st, err);
	if (rc == FD_OK && !is_inline && p->arn && p->version && p->document)
		rc = put_policy(c, ctx_id, p->arn, p->version, p->document, err);
	return rc;
}

static enum fd_status
put_role_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct iam_role *r = ud;
	enum fd_status rc = put_role_row(c, ctx_id, r, err);
	size_t i;

	if (rc == FD_OK)
		rc = clear_role_policies(c, ctx_id, r->arn, err);
	for (i = 0; rc == FD_OK && i < r->npolicies; i++)
		rc = put_role_policy(c, ctx_id, r->arn, (int)i, &r->policies[i], err);
	return rc;
}

enum fd_status
fd_cache_put_iam_role(struct fd_cache *c, const struct fd_ctx *ctx, const struct iam_role *r,
                      struct fd_err *err)
{
	if (!r || !r->arn)
		return fd_err_set(err, FD_EINVAL, "cache %s: role without an ARN", c->path);
	return cache_write(c, ctx, put_role_tx, (void *)r, err);
}

static enum iam_policy_kind
kind_parse(const char *s)
{
	if (fd_str_eq(s, "inline"))
		return IAM_POLICY_INLINE;
	return fd_str_eq(s, "aws-managed") ? IAM_POLICY_AWS_MANAGED : IAM_POLICY_MANAGED;
}

static void
read_role_row(sqlite3_stmt *st, void *elem)
{
	struct iam_role *r = elem;

	memset(r, 0, sizeof(*r));
	r->arn = cache_col_dup(st, 0);
	r->name = cache_col_dup(st, 1);
	r->path = cache_col_dup(st, 2);
	r->role_id = cache_col_dup(st, 3);
	r->created = cache_col_dup(st, 4);
	r->last_used = cache_col_dup(st, 5);
	r->trust_document = cache_col_dup(st, 6);
	r->error = cache_col_dup(st, 7);
	r->fetched_ms = sqlite3_column_int64(st, 8);
	if (r->trust_document)
		(void)fd_policy_parse(r->trust_document, strlen(r->trust_document), &r->trust,
		                      NULL);
}

static void
read_policy_row(sqlite3_stmt *st, void *elem)
{
	struct iam_policy *p = elem;

	memset(p, 0, sizeof(*p));
	p->kind = kind_parse((const char *)sqlite3_column_text(st, 0));
	p->name = cache_col_dup(st, 1);
	p->arn = cache_col_dup(st, 2);
	p->version = cache_col_dup(st, 3);
	p->document = cache_col_dup(st, 4);
	p->error = cache_col_dup(st, 5);
}

static enum fd_status
load_role_policies(struct fd_cache *c, int64_t ctx_id, struct iam_role *r, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c,
	    "SELECT p.kind, p.name, p.arn, p.version, coalesce(p.document, d.document), p.error "
	    "FROM iam_role_policies p LEFT JOIN iam_policies d ON d.ctx_id = p.ctx_id AND "
	    "d.arn = p.arn AND d.version = p.version WHERE p.ctx_id = ?1 AND p.role_arn = ?2 "
	    "ORDER BY p.seq",
	    &st, err);
	void *v;
	size_t i;

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, r->arn);
	v = r->policies;
	rc = cache_collect(c, st, read_policy_row, sizeof(*r->policies), &v, &r->npolicies, err);
	r->policies = v;
	for (i = 0; i < r->npolicies; i++)
		iam_policy_load_doc(&r->policies[i]);
	return rc;
}

#define ROLE_COLS "arn, name, path, role_id, created, last_used, trust, error, fetched_ms"

enum fd_status
fd_cache_get_iam_role(struct fd_cache *c, const struct fd_ctx *ctx, const char *arn,
                      struct iam_role *out, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK || !ctx_id)
		return rc != FD_OK ? rc : FD_ENOTFOUND;
	rc = cache_stmt(c, "SELECT " ROLE_COLS " FROM iam_roles WHERE ctx_id = ?1 AND arn = ?2",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, arn);
	rc = cache_step_row(c, st, err);
	if (rc == FD_OK)
		read_role_row(st, out);
	sqlite3_reset(st);
	if (rc != FD_OK)
		return rc;
	rc = load_role_policies(c, ctx_id, out, err);
	if (rc != FD_OK)
		iam_role_clear(out);
	return rc;
}

enum fd_status
fd_cache_get_iam_roles(struct fd_cache *c, const struct fd_ctx *ctx, struct iam_role **out,
                       size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	void *v = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c, "SELECT " ROLE_COLS " FROM iam_roles WHERE ctx_id = ?1 ORDER BY arn",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	rc = cache_collect(c, st, read_role_row, sizeof(**out), &v, n, err);
	*out = v;
	for (i = 0; rc == FD_OK && i < *n; i++)
		rc = load_role_policies(c, ctx_id, &(*out)[i], err);
	if (rc != FD_OK) {
		iam_roles_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- secret metadata ---- */

enum fd_status
fd_cache_put_secret_meta(struct fd_cache *c, const struct fd_ctx *ctx,
                         const struct fd_secret_meta *m, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	enum fd_status rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);

	if (rc == FD_OK)
		rc = cache_stmt(
		    c,
		    "INSERT OR REPLACE INTO secrets (ctx_id, kind, id, arn, name, found, "
		    "rotation_enabled, rotation_days, last_rotated_s, last_changed_s, "
		    "last_accessed_s, created_s, next_rotation_s, kms_key, type, error, "
		    "fetched_ms) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		    "?16, ?17)",
		    &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, fd_secret_kind_name(m->kind));
	cache_bind_text(st, 3, m->id);
	cache_bind_text(st, 4, m->arn);
	cache_bind_text(st, 5, m->name);
	sqlite3_bind_int(st, 6, m->found);
	sqlite3_bind_int(st, 7, m->rotation_enabled);
	sqlite3_bind_int(st, 8, m->rotation_days);
	sqlite3_bind_int64(st, 9, m->last_rotated_s);
	sqlite3_bind_int64(st, 10, m->last_changed_s);
	sqlite3_bind_int64(st, 11, m->last_accessed_s);
	sqlite3_bind_int64(st, 12, m->created_s);
	sqlite3_bind_int64(st, 13, m->next_rotation_s);
	cache_bind_text(st, 14, m->kms_key);
	cache_bind_text(st, 15, m->type);
	cache_bind_text(st, 16, m->error);
	sqlite3_bind_int64(st, 17, m->fetched_ms);
	return cache_step_done(c, st, err);
}

static void
read_secret_row(sqlite3_stmt *st, void *elem)
{
	struct fd_secret_meta *m = elem;

	memset(m, 0, sizeof(*m));
	m->kind = fd_str_eq((const char *)sqlite3_column_text(st, 0), "ssm") ? FD_SECRET_SSM
	                                                                     : FD_SECRET_SM;
	m->id = cache_col_dup(st, 1);
	m->arn = cache_col_dup(st, 2);
	m->name = cache_col_dup(st, 3);
	m->found = sqlite3_column_int(st, 4);
	m->rotation_enabled = sqlite3_column_int(st, 5);
	m->rotation_days = sqlite3_column_int(st, 6);
	m->last_rotated_s = sqlite3_column_int64(st, 7);
	m->last_changed_s = sqlite3_column_int64(st, 8);
	m->last_accessed_s = sqlite3_column_int64(st, 9);
	m->created_s = sqlite3_column_int64(st, 10);
	m->next_rotation_s = sqlite3_column_int64(st, 11);
	m->kms_key = cache_col_dup(st, 12);
	m->type = cache_col_dup(st, 13);
	m->error = cache_col_dup(st, 14);
	m->fetched_ms = sqlite3_column_int64(st, 15);
}

enum fd_status
fd_cache_get_secret_metas(struct fd_cache *c, const struct fd_ctx *ctx, struct fd_secret_meta **out,
                          size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	void *v = NULL;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*out = NULL;
	*n = 0;
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c,
	                "SELECT kind, id, arn, name, found, rotation_enabled, rotation_days, "
	                "last_rotated_s, last_changed_s, last_accessed_s, created_s, "
	                "next_rotation_s, kms_key, type, error, fetched_ms FROM secrets "
	                "WHERE ctx_id = ?1 ORDER BY kind, id",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	rc = cache_collect(c, st, read_secret_row, sizeof(**out), &v, n, err);
	*out = v;
	if (rc != FD_OK) {
		fd_secret_metas_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- log ingestion per group and day ---- */

static enum fd_status
put_ingest_row(struct fd_cache *c, int64_t ctx_id, const struct fd_log_ingest_day *d,
               struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(
	    c,
	    "INSERT OR REPLACE INTO log_ingest (ctx_id, group_name, day_s, bytes, fetched_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	cache_bind_text(st, 2, d->group);
	sqlite3_bind_int64(st, 3, d->day_s);
	sqlite3_bind_double(st, 4, d->bytes);
	sqlite3_bind_int64(st, 5, fd_wall_now_ms());
	return cache_step_done(c, st, err);
}

struct ingest_put {
	const struct fd_log_ingest_day *days;
	size_t n;
};

static enum fd_status
put_ingest_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct ingest_put *p = ud;
	enum fd_status rc = FD_OK;
	size_t i;

	for (i = 0; rc == FD_OK && i < p->n; i++)
		rc = put_ingest_row(c, ctx_id, &p->days[i], err);
	return rc;
}

enum fd_status
fd_cache_put_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx,
                        const struct fd_log_ingest_day *days, size_t n, struct fd_err *err)
{
	struct ingest_put p = {.days = days, .n = n};

	return cache_write(c, ctx, put_ingest_tx, &p, err);
}

static void
read_ingest_row(sqlite3_stmt *st, void *elem)
{
	struct fd_log_ingest_day *d = elem;

	d->group = cache_col_dup(st, 0);
	d->day_s = sqlite3_column_int64(st, 1);
	d->bytes = sqlite3_column_double(st, 2);
}

enum fd_status
fd_cache_get_log_ingest(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_s, int64_t to_s,
                        struct fd_log_ingest_day **out, size_t *n, struct fd_err *err)
{
	int64_t ctx_id = 0;
	sqlite3_stmt *st;
	void *v = NULL;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	*out = NULL;
	*n = 0;
	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c,
	                "SELECT group_name, day_s, bytes FROM log_ingest WHERE ctx_id = ?1 AND "
	                "day_s >= ?2 AND day_s < ?3 ORDER BY group_name, day_s",
	                &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, from_s);
	sqlite3_bind_int64(st, 3, to_s);
	rc = cache_collect(c, st, read_ingest_row, sizeof(**out), &v, n, err);
	*out = v;
	if (rc != FD_OK) {
		fd_log_ingest_days_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
