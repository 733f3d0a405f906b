/* iam_fetch.c - the role loader: each distinct role once (a fleet of 1,000 functions
 * on ten roles costs ten role fetches), cached roles younger than the TTL reused, and
 * managed policy documents fetched only when their ARN + default version is neither
 * in the cache nor already read by this fetch. Per role: GetRole, ListRolePolicies
 * and ListAttachedRolePolicies run together, then GetRolePolicy per inline policy and
 * GetPolicy (+ GetPolicyVersion on a miss) per managed one. A few roles at once. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/iam.h"

#define ROLES_INFLIGHT 4
#define FETCH_WAIT_MS 1000
#define MAX_PAGES 50

enum call_op {
	OP_GET_ROLE,
	OP_LIST_INLINE,
	OP_LIST_ATTACHED,
	OP_GET_INLINE,
	OP_GET_POLICY,
	OP_GET_VERSION,
};

struct role_job;

struct live_call {
	struct role_job *job;
	enum call_op op;
	size_t pidx; /* policy index (inline/managed calls) */
	int page;
	uint64_t id;
	struct live_call *next, *prev;
};

struct waiter {
	struct role_job *job;
	size_t pidx;
};

/* A managed policy read (or being read) by this fetch: roles attaching it later wait for
 * the first reader instead of asking IAM again. */
struct memo {
	char *arn, *version, *document, *error;
	int pending;
	struct waiter *waiters;
	size_t nwaiters;
};

/* One role being read: inline and attached policies wait in their own arrays until
 * every answer is in. */
struct role_job {
	struct iam_fetch *f;
	size_t idx;
	char name[128];
	struct iam_role role;
	struct iam_policy *inl;
	size_t ninl;
	struct iam_policy *att;
	size_t natt;
	unsigned pending;
};

struct iam_fetch {
	struct aws_client *c;
	struct fd_cache *cache;
	struct fd_ctx ctx;
	int force;
	char **arns;
	size_t n, next, active;
	struct iam_role *roles;
	struct iam_fetch_stats stats;
	struct live_call *calls;
	struct role_job *jobs[ROLES_INFLIGHT];
	struct memo *memo;
	size_t nmemo;
	int finished;
	void (*done)(struct iam_fetch *f, void *ud);
	void *ud;
};

static void start_more(struct iam_fetch *f);
static void on_answer(struct aws_response *resp, void *ud);

/* ---- bookkeeping ---- */

static void
call_unlink(struct iam_fetch *f, struct live_call *lc)
{
	if (lc->prev)
		lc->prev->next = lc->next;
	else
		f->calls = lc->next;
	if (lc->next)
		lc->next->prev = lc->prev;
	free(lc);
}

static void
send_call(struct role_job *j, struct aws_request *req, enum call_op op, size_t pidx, int page)
{
	struct iam_fetch *f = j->f;
	struct live_call *lc = fd_xcalloc(1, sizeof(*lc));

	lc->job = j;
	lc->op = op;
	lc->pidx = pidx;
	lc->page = page;
	lc->next = f->calls;
	if (f->calls)
		f->calls->prev = lc;
	f->calls = lc;
	j->pending++;
	f->stats.calls++;
	lc->id = aws_call_start(f->c, req, on_answer, lc);
}

static struct memo *
memo_get(struct iam_fetch *f, const char *arn)
{
	size_t i;

	for (i = 0; arn && i < f->nmemo; i++)
		if (strcmp(f->memo[i].arn, arn) == 0)
			return &f->memo[i];
	return NULL;
}

static void
dup_into(char **dst, const char *src)
{
	if (!*dst && src)
		*dst = fd_xstrdup(src);
}

static char *
error_text(const struct aws_response *resp, const struct fd_err *perr)
{
	char msg[512];

	if (resp && resp->error.status != FD_OK) {
		aws_error_format(&resp->error, msg, sizeof(msg));
		return fd_xstrdup(msg);
	}
	return fd_xstrdup(perr && perr->msg[0] ? perr->msg : "unreadable answer");
}

static void
policies_free(struct iam_policy *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		iam_policy_clear(&p[i]);
	free(p);
}

static void
job_free(struct role_job *j)
{
	policies_free(j->inl, j->ninl);
	policies_free(j->att, j->natt);
	iam_role_clear(&j->role);
	free(j);
}

/* ---- finishing ---- */

static void
fetch_complete(struct iam_fetch *f)
{
	if (f->finished || f->active || f->next < f->n)
		return;
	f->finished = 1;
	if (f->done)
		f->done(f, f->ud);
}

/* Inline policies (by name) first, then the attached ones in IAM's order. */
static void
assemble(struct role_job *j)
{
	size_t total = j->ninl + j->natt;

	j->role.policies = fd_xcalloc(total ? total : 1, sizeof(*j->role.policies));
	if (j->ninl)
		memcpy(j->role.policies, j->inl, j->ninl * sizeof(*j->inl));
	if (j->natt)
		memcpy(j->role.policies + j->ninl, j->att, j->natt * sizeof(*j->att));
	j->role.npolicies = total;
	free(j->inl);
	free(j->att);
	j->inl = j->att = NULL;
	j->ninl = j->natt = 0;
}

static void
role_finish(struct role_job *j)
{
	struct iam_fetch *f = j->f;
	size_t i;

	assemble(j);
	j->role.fetched_ms = fd_wall_now_ms();
	if (!j->role.arn)
		j->role.arn = fd_xstrdup(f->arns[j->idx]);
	if (!j->role.name)
		j->role.name = fd_xstrdup(j->name);
	for (i = 0; i < j->role.npolicies; i++)
		iam_policy_load_doc(&j->role.policies[i]);
	if (j->role.error) {
		f->stats.failed++;
	} else {
		f->stats.fetched++;
		if (f->cache)
			(void)fd_cache_put_iam_role(f->cache, &f->ctx, &j->role, NULL);
	}
	f->roles[j->idx] = j->role;
	memset(&j->role, 0, sizeof(j->role));
	for (i = 0; i < ROLES_INFLIGHT; i++)
		if (f->jobs[i] == j)
			f->jobs[i] = NULL;
	job_free(j);
	f->active--;
	start_more(f);
	fetch_complete(f);
}

/* ---- answers ---- */

static void role_finish(struct role_job *j);

/* The policy at pidx of j is read (or failed): every role waiting for it gets a copy. */
static void
resolve(struct role_job *j, size_t pidx)
{
	struct iam_fetch *f = j->f;
	const struct iam_policy *p = &j->att[pidx];
	struct memo *m = memo_get(f, p->arn);
	size_t i;

	struct waiter *ws;
	size_t nw;
	const char *ver, *doc, *err;

	if (!m || !m->pending)
		return;
	m->pending = 0;
	dup_into(&m->version, p->version);
	dup_into(&m->document, p->document);
	dup_into(&m->error, p->error);
	/* Finishing a waiter may start roles that grow f->memo: work from copies. */
	ver = m->version;
	doc = m->document;
	err = m->error;
	ws = m->waiters;
	nw = m->nwaiters;
	m->waiters = NULL;
	m->nwaiters = 0;
	for (i = 0; i < nw; i++) {
		struct role_job *w = ws[i].job;
		struct iam_policy *wp = &w->att[ws[i].pidx];
		dup_into(&wp->version, ver);
		dup_into(&wp->document, doc);
		dup_into(&wp->error, err);
		if (--w->pending == 0)
			role_finish(w);
	}
	free(ws);
}

static void
managed_next(struct role_job *j, size_t pidx)
{
	struct iam_fetch *f = j->f;
	struct iam_policy *p = &j->att[pidx];
	struct memo *m = memo_get(f, p->arn);
	struct aws_request req;

	if (m && m->pending) {
		m->waiters = fd_xreallocarray(m->waiters, m->nwaiters + 1, sizeof(*m->waiters));
		m->waiters[m->nwaiters].job = j;
		m->waiters[m->nwaiters++].pidx = pidx;
		j->pending++;
		f->stats.policy_cache_hits++;
		return;
	}
	if (m) {
		dup_into(&p->version, m->version);
		dup_into(&p->document, m->document);
		dup_into(&p->error, m->error);
		f->stats.policy_cache_hits++;
		return;
	}
	f->memo = fd_xreallocarray(f->memo, f->nmemo + 1, sizeof(*f->memo));
	m = &f->memo[f->nmemo++];
	memset(m, 0, sizeof(*m));
	m->arn = fd_xstrdup(p->arn);
	m->pending = 1;
	iam_get_policy_request(&req, p->arn);
	send_call(j, &req, OP_GET_POLICY, pidx, 0);
}

static void
inline_from_names(struct role_job *j, char **names, size_t n)
{
	struct aws_request req;
	size_t i, first = j->ninl;

	j->inl = fd_xreallocarray(j->inl, j->ninl + n + 1, sizeof(*j->inl));
	for (i = 0; i < n; i++) {
		memset(&j->inl[j->ninl], 0, sizeof(*j->inl));
		j->inl[j->ninl].kind = IAM_POLICY_INLINE;
		j->inl[j->ninl++].name = names[i];
	}
	for (i = first; i < j->ninl; i++) {
		iam_get_role_policy_request(&req, j->name, j->inl[i].name);
		send_call(j, &req, OP_GET_INLINE, i, 0);
	}
}

static enum fd_status
parse_list_page(struct role_job *j, const struct live_call *lc, const struct aws_response *resp,
                char **marker, struct fd_err *perr)
{
	char **names = NULL;
	size_t nnames = 0, first = j->natt, i;
	enum fd_status st;

	if (lc->op == OP_LIST_INLINE) {
		st = iam_parse_list_role_policies(resp->body.data, resp->body.len, &names, &nnames,
		                                  marker, perr);
		inline_from_names(j, names, nnames);
		free(names);
		return st;
	}
	st = iam_parse_list_attached(resp->body.data, resp->body.len, &j->att, &j->natt, marker,
	                             perr);
	for (i = first; i < j->natt; i++)
		managed_next(j, i);
	return st;
}

static void
on_list(struct role_job *j, const struct live_call *lc, const struct aws_response *resp)
{
	struct fd_err perr = {FD_OK, ""};
	struct aws_request req;
	char *marker = NULL;

	if (parse_list_page(j, lc, resp, &marker, &perr) != FD_OK) {
		if (!j->role.error)
			j->role.error = error_text(NULL, &perr);
	} else if (marker && lc->page + 1 < MAX_PAGES) {
		if (lc->op == OP_LIST_INLINE)
			iam_list_role_policies_request(&req, j->name, marker);
		else
			iam_list_attached_request(&req, j->name, marker);
		send_call(j, &req, lc->op, 0, lc->page + 1);
	}
	free(marker);
}

static void
on_get_policy(struct role_job *j, const struct live_call *lc, const struct aws_response *resp)
{
	struct iam_fetch *f = j->f;
	struct iam_policy *p = &j->att[lc->pidx];
	struct fd_err perr = {FD_OK, ""};
	struct aws_request req;
	char *doc = NULL;

	if (iam_parse_get_policy(resp->body.data, resp->body.len, &p->version, &perr) != FD_OK) {
		p->error = error_text(NULL, &perr);
		resolve(j, lc->pidx);
		return;
	}
	if (f->cache &&
	    fd_cache_get_iam_policy(f->cache, &f->ctx, p->arn, p->version, &doc, NULL) == FD_OK) {
		p->document = doc;
		f->stats.policy_cache_hits++;
		resolve(j, lc->pidx);
		return;
	}
	iam_get_policy_version_request(&req, p->arn, p->version);
	send_call(j, &req, OP_GET_VERSION, lc->pidx, 0);
}

static void
on_document(struct role_job *j, const struct live_call *lc, const struct aws_response *resp)
{
	struct fd_err perr = {FD_OK, ""};
	struct iam_policy *p = lc->op == OP_GET_VERSION ? &j->att[lc->pidx] : &j->inl[lc->pidx];
	enum fd_status st;

	if (lc->op == OP_GET_VERSION)
		st = iam_parse_get_policy_version(resp->body.data, resp->body.len, &p->document,
		                                  &perr);
	else
		st =
		    iam_parse_get_role_policy(resp->body.data, resp->body.len, &p->document, &perr);
	if (st != FD_OK)
		p->error = error_text(NULL, &perr);
	if (lc->op == OP_GET_VERSION)
		resolve(j, lc->pidx);
}

static void
on_role(struct role_job *j, const struct aws_response *resp)
{
	struct fd_err perr = {FD_OK, ""};
	struct iam_role got;

	if (iam_parse_get_role(resp->body.data, resp->body.len, &got, &perr) != FD_OK) {
		if (!j->role.error)
			j->role.error = error_text(NULL, &perr);
		return;
	}
	got.error = j->role.error;
	j->role = got;
}

/* A failed call: the role's own calls fail the role, a policy's fail that policy. */
static void
on_failure(struct role_job *j, const struct live_call *lc, const struct aws_response *resp)
{
	struct iam_policy *p = NULL;

	if (lc->op == OP_GET_INLINE)
		p = &j->inl[lc->pidx];
	else if (lc->op == OP_GET_POLICY || lc->op == OP_GET_VERSION)
		p = &j->att[lc->pidx];
	if (p && !p->error)
		p->error = error_text(resp, NULL);
	else if (!p && !j->role.error)
		j->role.error = error_text(resp, NULL);
	if (lc->op == OP_GET_POLICY || lc->op == OP_GET_VERSION)
		resolve(j, lc->pidx);
}

static void
on_answer(struct aws_response *resp, void *ud)
{
	struct live_call *lc = ud;
	struct role_job *j = lc->job;

	j->pending--;
	if (resp->error.status != FD_OK)
		on_failure(j, lc, resp);
	else if (lc->op == OP_GET_ROLE)
		on_role(j, resp);
	else if (lc->op == OP_LIST_INLINE || lc->op == OP_LIST_ATTACHED)
		on_list(j, lc, resp);
	else if (lc->op == OP_GET_POLICY)
		on_get_policy(j, lc, resp);
	else
		on_document(j, lc, resp);
	call_unlink(j->f, lc);
	if (!j->pending)
		role_finish(j);
}

/* ---- starting roles ---- */

static int
from_cache(struct iam_fetch *f, size_t idx)
{
	struct iam_role r;
	int64_t age;

	if (!f->cache || fd_cache_get_iam_role(f->cache, &f->ctx, f->arns[idx], &r, NULL) != FD_OK)
		return 0;
	age = fd_wall_now_ms() - r.fetched_ms;
	if (f->c && (f->force || r.error || age > IAM_ROLE_TTL_MS || age < -60000)) {
		iam_role_clear(&r);
		return 0;
	}
	f->roles[idx] = r;
	f->stats.from_cache++;
	return 1;
}

static void
offline_role(struct iam_fetch *f, size_t idx, const char *why)
{
	f->roles[idx].arn = fd_xstrdup(f->arns[idx]);
	f->roles[idx].error = fd_xstrdup(why);
	f->stats.failed++;
}

static void
start_role(struct iam_fetch *f, size_t idx)
{
	struct role_job *j;
	struct aws_request req;
	size_t slot;

	j = fd_xcalloc(1, sizeof(*j));
	j->f = f;
	j->idx = idx;
	iam_role_name_from_arn(f->arns[idx], j->name, sizeof(j->name));
	for (slot = 0; slot < ROLES_INFLIGHT && f->jobs[slot]; slot++)
		;
	f->jobs[slot] = j;
	f->active++;
	iam_get_role_request(&req, j->name);
	send_call(j, &req, OP_GET_ROLE, 0, 0);
	iam_list_role_policies_request(&req, j->name, NULL);
	send_call(j, &req, OP_LIST_INLINE, 0, 0);
	iam_list_attached_request(&req, j->name, NULL);
	send_call(j, &req, OP_LIST_ATTACHED, 0, 0);
}

static void
start_more(struct iam_fetch *f)
{
	char name[128];

	while (f->next < f->n && f->active < ROLES_INFLIGHT) {
		size_t idx = f->next++;
		if (from_cache(f, idx))
			continue;
		if (!iam_role_name_from_arn(f->arns[idx], name, sizeof(name)))
			offline_role(f, idx, "not an IAM role ARN");
		else if (!f->c)
			offline_role(f, idx, "not cached (offline)");
		else
			start_role(f, idx);
	}
}

struct iam_fetch *
iam_fetch_start(struct aws_client *client, struct fd_cache *cache, const struct fd_ctx *ctx,
                const char *const *arns, size_t n, int force,
                void (*done)(struct iam_fetch *f, void *ud), void *ud)
{
	struct iam_fetch *f = fd_xcalloc(1, sizeof(*f));
	size_t i;

	f->c = client;
	f->cache = cache;
	f->ctx = *ctx;
	f->force = force;
	f->done = done;
	f->ud = ud;
	f->n = n;
	f->arns = fd_xcalloc(n ? n : 1, sizeof(*f->arns));
	f->roles = fd_xcalloc(n ? n : 1, sizeof(*f->roles));
	for (i = 0; i < n; i++)
		f->arns[i] = fd_xstrdup(arns[i] ? arns[i] : "");
	f->stats.roles = (unsigned)n;
	start_more(f);
	if (!f->active && f->next >= f->n)
		f->finished = 1;
	return f;
}

int
iam_fetch_done(const struct iam_fetch *f)
{
	return f && f->finished;
}

void
iam_fetch_take(struct iam_fetch *f, struct iam_role **out, size_t *n, struct iam_fetch_stats *stats)
{
	*out = f->roles;
	*n = f->roles ? f->n : 0;
	if (stats)
		*stats = f->stats;
	f->roles = NULL;
}

void
iam_fetch_free(struct iam_fetch *f)
{
	size_t i;

	if (!f)
		return;
	while (f->calls) {
		aws_call_cancel(f->c, f->calls->id);
		call_unlink(f, f->calls);
	}
	for (i = 0; i < ROLES_INFLIGHT; i++)
		if (f->jobs[i])
			job_free(f->jobs[i]);
	for (i = 0; i < f->nmemo; i++) {
		free(f->memo[i].arn);
		free(f->memo[i].version);
		free(f->memo[i].document);
		free(f->memo[i].error);
		free(f->memo[i].waiters);
	}
	free(f->memo);
	if (f->roles)
		iam_roles_free(f->roles, f->n);
	for (i = 0; f->arns && i < f->n; i++)
		free(f->arns[i]);
	free(f->arns);
	free(f);
}

enum fd_status
iam_fetch_roles_sync(struct aws_client *client, struct fd_cache *cache, const struct fd_ctx *ctx,
                     const char *const *arns, size_t n, int force, struct iam_role **out,
                     struct iam_fetch_stats *stats, struct fd_err *err)
{
	struct iam_fetch *f = iam_fetch_start(client, cache, ctx, arns, n, force, NULL, NULL);
	enum fd_status st = FD_OK;
	size_t count = n;

	while (!f->finished && st == FD_OK) {
		st = aws_client_wait(client, NULL, 0, FETCH_WAIT_MS);
		if (st != FD_OK && aws_client_pending(client) > 0)
			st = FD_OK;
	}
	if (st != FD_OK) {
		iam_fetch_free(f);
		return fd_err_set(err, st, "IAM: waiting for the network failed");
	}
	iam_fetch_take(f, out, &count, stats);
	iam_fetch_free(f);
	return FD_OK;
}
