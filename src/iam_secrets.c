/* iam_secrets.c - metadata of the referenced secrets: Secrets Manager DescribeSecret
 * per secret, SSM DescribeParameters for up to 50 parameters a call, cached per
 * context. Nothing here can see a value: neither call returns one. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/secrets.h"

#define SSM_MAX_PAGES 20

static void
meta_init(struct fd_secret_meta *m, const struct fd_secret_ref *ref)
{
	memset(m, 0, sizeof(*m));
	m->kind = ref->kind;
	m->id = fd_xstrdup(ref->id);
	m->rotation_enabled = ref->kind == FD_SECRET_SSM ? -1 : 0;
}

static void
meta_error(struct fd_secret_meta *m, const struct aws_error *e)
{
	char msg[512];

	if (fd_str_eq(e->code, "ResourceNotFoundException") ||
	    fd_str_eq(e->code, "ParameterNotFound")) {
		m->found = 0;
		return;
	}
	aws_error_format(e, msg, sizeof(msg));
	free(m->error);
	m->error = fd_xstrdup(msg);
}

static enum fd_status
describe_one(struct aws_client *c, struct fd_secret_meta *m, unsigned *calls)
{
	struct aws_request req;
	struct aws_response resp;
	struct fd_err perr = {FD_OK, ""};
	enum fd_status st;

	secrets_describe_request(&req, m->id);
	st = aws_call_sync(c, &req, &resp);
	(*calls)++;
	if (st == FD_OK && resp.error.status == FD_OK) {
		if (secrets_parse_describe(resp.body.data, resp.body.len, m, &perr) != FD_OK)
			m->error = fd_xstrdup(perr.msg);
	} else {
		meta_error(m, &resp.error);
	}
	aws_response_free(&resp);
	return FD_OK;
}

/* One DescribeParameters batch (paged); names not returned do not exist. */
static void
describe_ssm_batch(struct aws_client *c, struct fd_secret_meta **batch, size_t n, unsigned *calls)
{
	struct fd_secret_meta *tmp = fd_xcalloc(n, sizeof(*tmp));
	const char **names = fd_xcalloc(n, sizeof(*names));
	char(*buf)[512] = fd_xcalloc(n, sizeof(*buf));
	char *token = NULL;
	size_t i;
	int page;

	for (i = 0; i < n; i++) {
		ssm_parameter_name(batch[i]->id, buf[i], sizeof(buf[i]));
		names[i] = buf[i];
		tmp[i] = *batch[i];
	}
	for (page = 0; page < SSM_MAX_PAGES; page++) {
		struct aws_request req;
		struct aws_response resp;
		struct fd_err perr = {FD_OK, ""};
		char *next = NULL;

		ssm_describe_parameters_request(&req, names, n, token);
		free(token);
		token = NULL;
		(*calls)++;
		if (aws_call_sync(c, &req, &resp) != FD_OK || resp.error.status != FD_OK) {
			for (i = 0; i < n; i++)
				meta_error(&tmp[i], &resp.error);
		} else if (ssm_parse_describe_parameters(resp.body.data, resp.body.len, tmp, n,
		                                         &next, &perr) != FD_OK) {
			for (i = 0; i < n; i++)
				tmp[i].error = tmp[i].error ? tmp[i].error : fd_xstrdup(perr.msg);
		}
		aws_response_free(&resp);
		token = next;
		if (!token)
			break;
	}
	free(token);
	for (i = 0; i < n; i++)
		*batch[i] = tmp[i];
	free(tmp);
	free(names);
	free(buf);
}

static int
fresh(const struct fd_secret_meta *m, int force)
{
	int64_t age = fd_wall_now_ms() - m->fetched_ms;

	return !force && !m->error && m->fetched_ms && age >= -60000 && age < FD_SECRET_META_TTL_MS;
}

static const struct fd_secret_meta *
cached_meta(const struct fd_secret_meta *cached, size_t ncached, const struct fd_secret_ref *r)
{
	size_t i;

	for (i = 0; i < ncached; i++)
		if (cached[i].kind == r->kind && fd_str_eq(cached[i].id, r->id))
			return &cached[i];
	return NULL;
}

static void
meta_copy(struct fd_secret_meta *dst, const struct fd_secret_meta *src)
{
	*dst = *src;
	dst->id = src->id ? fd_xstrdup(src->id) : NULL;
	dst->arn = src->arn ? fd_xstrdup(src->arn) : NULL;
	dst->name = src->name ? fd_xstrdup(src->name) : NULL;
	dst->kms_key = src->kms_key ? fd_xstrdup(src->kms_key) : NULL;
	dst->type = src->type ? fd_xstrdup(src->type) : NULL;
	dst->error = src->error ? fd_xstrdup(src->error) : NULL;
}

/* Fetches the metas in todo (SM one by one, SSM in batches of 50). */
static void
fetch_metas(struct aws_client *c, struct fd_secret_meta **todo, size_t n, unsigned *calls)
{
	struct fd_secret_meta **ssm = fd_xcalloc(n ? n : 1, sizeof(*ssm));
	size_t i, nssm = 0;

	for (i = 0; i < n; i++) {
		if (todo[i]->kind == FD_SECRET_SM)
			describe_one(c, todo[i], calls);
		else
			ssm[nssm++] = todo[i];
	}
	for (i = 0; i < nssm; i += FD_SSM_DESCRIBE_MAX_NAMES)
		describe_ssm_batch(c, ssm + i, FD_MIN(nssm - i, (size_t)FD_SSM_DESCRIBE_MAX_NAMES),
		                   calls);
	free(ssm);
}

enum fd_status
fd_secrets_describe_sync(struct aws_client *c, struct fd_cache *cache, const struct fd_ctx *ctx,
                         const struct fd_secret_ref *refs, size_t n, int force,
                         struct fd_secret_meta **out, unsigned *calls, struct fd_err *err)
{
	struct fd_secret_meta *cached = NULL, *metas, **todo;
	size_t ncached = 0, ntodo = 0, i;
	unsigned ncalls = 0;

	if (cache)
		(void)fd_cache_get_secret_metas(cache, ctx, &cached, &ncached, NULL);
	metas = fd_xcalloc(n ? n : 1, sizeof(*metas));
	todo = fd_xcalloc(n ? n : 1, sizeof(*todo));
	for (i = 0; i < n; i++) {
		const struct fd_secret_meta *hit = cached_meta(cached, ncached, &refs[i]);
		if (hit && (fresh(hit, force) || !c)) {
			meta_copy(&metas[i], hit);
			continue;
		}
		meta_init(&metas[i], &refs[i]);
		if (c)
			todo[ntodo++] = &metas[i];
		else
			metas[i].error = fd_xstrdup("not cached (offline)");
	}
	fetch_metas(c, todo, ntodo, &ncalls);
	for (i = 0; i < ntodo; i++) {
		todo[i]->fetched_ms = fd_wall_now_ms();
		if (cache && !todo[i]->error)
			(void)fd_cache_put_secret_meta(cache, ctx, todo[i], NULL);
	}
	fd_secret_metas_free(cached, ncached);
	free(todo);
	if (calls)
		*calls = ncalls;
	*out = metas;
	(void)err;
	return FD_OK;
}
