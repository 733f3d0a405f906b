/* lambda.c - Lambda control-plane calls for the inventory: ListFunctions (all pages),
 * the per-function detail (seven calls started at once; the client's rate limiter
 * spreads them under the control-plane quota) and the account settings. Answers go
 * through the pure parsers in lambda_parse.c; bodies that held environment values
 * are wiped once parsed. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"

#define LIST_MAX_PAGES 4000 /* 200,000 functions: beyond that a marker is looping */
#define SYNC_WAIT_MS 1000

/* ---- shared helpers ---- */

static void
wipe_body(struct aws_response *resp)
{
	if (resp->body.data)
		fd_secure_wipe(resp->body.data, resp->body.len);
}

/* An aws_error for a failure that has no AWS answer behind it (a parse error). */
static void
error_from_status(struct aws_error *e, enum fd_status st, const char *op, const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->status = st;
	e->retry_after_ms = -1;
	fd_strlcpy(e->service, "Lambda", sizeof(e->service));
	fd_strlcpy(e->op, op, sizeof(e->op));
	fd_strlcpy(e->message, msg && msg[0] ? msg : fd_status_str(st), sizeof(e->message));
}

/* A page whose marker repeats the one we sent would page forever. */
static char *
check_marker(char *next, const char *sent, const char *op, struct fd_err *err)
{
	if (next && sent && strcmp(next, sent) == 0) {
		free(next);
		fd_err_set(err, FD_EPARSE, "%s: NextMarker repeats the marker sent", op);
		return NULL;
	}
	return next;
}

struct sync_wait {
	int done;
	enum fd_status st;
	struct aws_error err;
};

static void
sync_wait_done(struct sync_wait *w, enum fd_status st, const struct aws_error *e,
	       const char *op)
{
	w->done = 1;
	w->st = st;
	if (e)
		w->err = *e;
	else if (st != FD_OK)
		error_from_status(&w->err, st, op, NULL);
}

/* Runs the client's loop until w->done. */
static enum fd_status
sync_wait_run(struct aws_client *c, struct sync_wait *w, struct aws_error *err)
{
	/* w lives on the caller's stack: leave only when no callback can reach it. */
	enum fd_status st = aws_client_wait_done(c, &w->done, SYNC_WAIT_MS);

	if (!w->done) {
		if (err)
			error_from_status(err, st, "wait", "the client loop failed");
		return st;
	}
	if (err)
		*err = w->err;
	return w->st;
}

static void
get_request(struct aws_request *r, const char *op, const char *path)
{
	aws_request_init(r, AWS_SVC_LAMBDA, op);
	r->method = "GET";
	aws_request_path(r, path);
}

/* ---- ListFunctions ---- */

struct list_job {
	struct lambda_list_cb cb;
	struct aws_pager pager;
	char *sent_marker;
};

static void
list_build(struct aws_request *r, const char *token, void *ud)
{
	struct list_job *j = ud;

	get_request(r, "ListFunctions", "/2015-03-31/functions/");
	aws_request_query(r, "MaxItems", "50");
	if (token)
		aws_request_query(r, "Marker", token);
	free(j->sent_marker);
	j->sent_marker = token ? fd_xstrdup(token) : NULL;
}

static char *
list_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct list_job *j = ud;
	struct fd_function *fns;
	size_t n;
	char *next;

	if (lambda_parse_list_functions(resp->body.data, resp->body.len, &fns, &n, &next, err) !=
	    FD_OK) {
		wipe_body(resp);
		return NULL;
	}
	wipe_body(resp);
	if (j->cb.on_page)
		j->cb.on_page(fns, n, j->cb.ud);
	else
		fd_functions_free(fns, n);
	return check_marker(next, j->sent_marker, "ListFunctions", err);
}

static void
list_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct list_job *j = ud;

	if (j->cb.done)
		j->cb.done(st, e, j->cb.ud);
	free(j->sent_marker);
	free(j);
}

uint64_t
lambda_list_functions(struct aws_client *c, const struct lambda_list_cb *cb)
{
	struct list_job *j = fd_xcalloc(1, sizeof(*j));

	j->cb = *cb;
	j->pager = (struct aws_pager){
		.build = list_build,
		.page = list_page,
		.done = list_done,
		.ud = j,
		.max_pages = LIST_MAX_PAGES,
	};
	return aws_paginate(c, &j->pager);
}

struct list_sync {
	struct fd_function *fns;
	size_t n, cap;
	struct sync_wait w;
};

static void
list_sync_page(struct fd_function *fns, size_t n, void *ud)
{
	struct list_sync *s = ud;

	s->fns = fd_array_append(s->fns, &s->n, &s->cap, fns, n, sizeof(*fns));
	free(fns);
}

static void
list_sync_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct list_sync *s = ud;

	sync_wait_done(&s->w, st, e, "ListFunctions");
}

enum fd_status
lambda_list_functions_sync(struct aws_client *c, struct fd_function **out, size_t *n,
			   struct aws_error *err)
{
	struct list_sync s = {0};
	struct lambda_list_cb cb = {list_sync_page, list_sync_done, &s};
	enum fd_status st;

	*out = NULL;
	*n = 0;
	lambda_list_functions(c, &cb);
	st = sync_wait_run(c, &s.w, err);
	if (st != FD_OK) {
		fd_functions_free(s.fns, s.n);
		return st;
	}
	*out = s.fns;
	*n = s.n;
	return FD_OK;
}

/* ---- detail ---- */

struct detail_job;
struct detail_part;

typedef enum fd_status (*part_parse_fn)(struct detail_job *j, struct aws_response *resp,
					char **next, struct fd_err *err);

struct detail_op {
	const char *op;
	const char *prefix;  /* path up to the function name */
	const char *suffix;  /* path after it; NULL = the name goes in ?FunctionName= */
	const char *qkey;    /* fixed query parameter */
	const char *qval;
	int missing_ok;      /* 404 ResourceNotFoundException means "none configured" */
	part_parse_fn parse;
};

struct detail_part {
	struct detail_job *job;
	const struct detail_op *op;
	struct aws_pager pager;
	char *sent_marker;
};

struct detail_job {
	struct fd_function *fn;
	struct fd_function scratch; /* detail lands here, moved into fn when all is done */
	char *name;
	struct lambda_provisioned *pc;
	size_t npc;
	int pending;
	enum fd_status st;
	struct aws_error err;
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
	struct detail_part parts[7];
};

static enum fd_status
parse_function(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	*next = NULL;
	return lambda_parse_get_function(resp->body.data, resp->body.len, &j->scratch, err);
}

static enum fd_status
parse_policy(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	*next = NULL;
	return lambda_parse_policy_triggers(resp->body.data, resp->body.len, &j->scratch, err);
}

static enum fd_status
parse_mappings(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	return lambda_parse_event_source_mappings(resp->body.data, resp->body.len, &j->scratch,
						  next, err);
}

static enum fd_status
parse_aliases(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	return lambda_parse_aliases(resp->body.data, resp->body.len, &j->scratch, next, err);
}

static enum fd_status
parse_versions(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	return lambda_parse_versions(resp->body.data, resp->body.len, &j->scratch, next, err);
}

static enum fd_status
parse_pc(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	return lambda_parse_provisioned(resp->body.data, resp->body.len, &j->pc, &j->npc, next,
					err);
}

static enum fd_status
parse_async(struct detail_job *j, struct aws_response *resp, char **next, struct fd_err *err)
{
	*next = NULL;
	return lambda_parse_async_config(resp->body.data, resp->body.len, &j->scratch.async, err);
}

static const struct detail_op detail_ops[] = {
	{"GetFunction", "/2015-03-31/functions/", "", NULL, NULL, 0, parse_function},
	{"GetPolicy", "/2015-03-31/functions/", "/policy", NULL, NULL, 1, parse_policy},
	{"ListEventSourceMappings", "/2015-03-31/event-source-mappings/", NULL, NULL, NULL, 0,
	 parse_mappings},
	{"ListAliases", "/2015-03-31/functions/", "/aliases", NULL, NULL, 0, parse_aliases},
	{"ListVersionsByFunction", "/2015-03-31/functions/", "/versions", NULL, NULL, 0,
	 parse_versions},
	{"ListProvisionedConcurrencyConfigs", "/2019-09-30/functions/", "/provisioned-concurrency",
	 "List", "ALL", 0, parse_pc},
	{"GetFunctionEventInvokeConfig", "/2019-09-25/functions/", "/event-invoke-config", NULL,
	 NULL, 1, parse_async},
};

static void
part_build(struct aws_request *r, const char *token, void *ud)
{
	struct detail_part *p = ud;
	const struct detail_op *op = p->op;

	get_request(r, op->op, op->prefix);
	if (op->suffix) {
		aws_request_path_segment(r, p->job->name);
		aws_request_path(r, op->suffix);
	} else {
		aws_request_query(r, "FunctionName", p->job->name);
	}
	if (op->qkey)
		aws_request_query(r, op->qkey, op->qval);
	if (token)
		aws_request_query(r, "Marker", token);
	free(p->sent_marker);
	p->sent_marker = token ? fd_xstrdup(token) : NULL;
}

static char *
part_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct detail_part *p = ud;
	char *next = NULL;
	enum fd_status st;

	st = p->op->parse(p->job, resp, &next, err);
	wipe_body(resp);
	if (st != FD_OK)
		return NULL;
	return check_marker(next, p->sent_marker, p->op->op, err);
}

static int
is_not_found(const struct aws_error *e)
{
	return e && e->http_status == 404 && strcmp(e->code, "ResourceNotFoundException") == 0;
}

static int
trigger_cmp(const void *a, const void *b)
{
	const struct fd_trigger *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->source_arn ? x->source_arn : "", y->source_arn ? y->source_arn : "");
}

#define SWAP(a, b)                                                                                 \
	do {                                                                                       \
		__typeof__(a) t_ = (a);                                                            \
		(a) = (b);                                                                         \
		(b) = t_;                                                                          \
	} while (0)

/* Moves the loaded detail into fn; fn's old detail ends up in s, to be freed. */
static void
detail_swap(struct fd_function *fn, struct fd_function *s)
{
	SWAP(fn->reserved_concurrency, s->reserved_concurrency);
	SWAP(fn->tags, s->tags);
	SWAP(fn->ntags, s->ntags);
	SWAP(fn->triggers, s->triggers);
	SWAP(fn->ntriggers, s->ntriggers);
	SWAP(fn->aliases, s->aliases);
	SWAP(fn->naliases, s->naliases);
	SWAP(fn->versions, s->versions);
	SWAP(fn->nversions, s->nversions);
	SWAP(fn->async, s->async);
	fn->detail_loaded = 1;
	fn->detail_fetched_ms = fd_wall_now_ms();
}

static void
detail_finish(struct detail_job *j)
{
	size_t i;

	if (j->st == FD_OK) {
		lambda_apply_provisioned(&j->scratch, j->pc, j->npc);
		if (j->scratch.ntriggers > 1)
			qsort(j->scratch.triggers, j->scratch.ntriggers,
			      sizeof(*j->scratch.triggers), trigger_cmp);
		detail_swap(j->fn, &j->scratch);
	}
	if (j->done)
		j->done(j->st, j->st == FD_OK ? NULL : &j->err, j->ud);
	for (i = 0; i < FD_ARRAY_LEN(j->parts); i++)
		free(j->parts[i].sent_marker);
	fd_function_free(&j->scratch);
	lambda_provisioned_free(j->pc, j->npc);
	free(j->name);
	free(j);
}

static void
part_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct detail_part *p = ud;
	struct detail_job *j = p->job;

	if (st != FD_OK && !(p->op->missing_ok && is_not_found(e)) && j->st == FD_OK) {
		j->st = st;
		if (e)
			j->err = *e;
		else
			error_from_status(&j->err, st, p->op->op, NULL);
	}
	if (--j->pending == 0)
		detail_finish(j);
}

static struct detail_job *
detail_job_new(struct fd_function *fn)
{
	struct detail_job *j = fd_xcalloc(1, sizeof(*j));
	size_t i;

	_Static_assert(FD_ARRAY_LEN(detail_ops) == FD_ARRAY_LEN(j->parts), "one part per op");
	j->fn = fn;
	j->name = fd_xstrdup(fn->name);
	j->scratch.reserved_concurrency = -1;
	j->scratch.async.max_retry = -1;
	j->scratch.async.max_event_age_s = -1;
	for (i = 0; i < FD_ARRAY_LEN(j->parts); i++) {
		j->parts[i].job = j;
		j->parts[i].op = &detail_ops[i];
		j->parts[i].pager = (struct aws_pager){
			.build = part_build,
			.page = part_page,
			.done = part_done,
			.ud = &j->parts[i],
			.max_pages = LIST_MAX_PAGES,
		};
	}
	return j;
}

/* Returns the id of the first call started (the detail is several calls). */
uint64_t
lambda_load_detail(struct aws_client *c, struct fd_function *fn,
		   void (*done)(enum fd_status st, const struct aws_error *e, void *ud), void *ud)
{
	struct detail_job *j = detail_job_new(fn);
	uint64_t id, first = 0;
	size_t i;

	j->done = done;
	j->ud = ud;
	/* Counted up front so a part that finishes at once cannot end the job early. */
	j->pending = (int)FD_ARRAY_LEN(j->parts) + 1;
	for (i = 0; i < FD_ARRAY_LEN(j->parts); i++) {
		id = aws_paginate(c, &j->parts[i].pager);
		if (!first)
			first = id;
	}
	if (--j->pending == 0)
		detail_finish(j);
	return first;
}

static void
detail_sync_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	sync_wait_done(ud, st, e, "GetFunction");
}

enum fd_status
lambda_load_detail_sync(struct aws_client *c, struct fd_function *fn, struct aws_error *err)
{
	struct sync_wait w = {0};

	lambda_load_detail(c, fn, detail_sync_done, &w);
	return sync_wait_run(c, &w, err);
}

/* ---- account settings ---- */

struct account_job {
	lambda_account_fn done;
	void *ud;
};

static void
account_answer(struct aws_response *resp, void *ud)
{
	struct account_job *j = ud;
	struct lambda_account acct;
	struct fd_err perr = {0};
	struct aws_error e;
	enum fd_status st = resp->error.status;

	if (st != FD_OK) {
		j->done(st, NULL, &resp->error, j->ud);
		goto out;
	}
	st = lambda_parse_account_settings(resp->body.data, resp->body.len, &acct, &perr);
	if (st != FD_OK) {
		error_from_status(&e, st, "GetAccountSettings", perr.msg);
		j->done(st, NULL, &e, j->ud);
		goto out;
	}
	j->done(FD_OK, &acct, NULL, j->ud);
out:
	free(j);
}

uint64_t
lambda_account_settings(struct aws_client *c, lambda_account_fn done, void *ud)
{
	struct account_job *j = fd_xcalloc(1, sizeof(*j));
	struct aws_request r;

	j->done = done;
	j->ud = ud;
	get_request(&r, "GetAccountSettings", "/2016-08-19/account-settings/");
	return aws_call_start(c, &r, account_answer, j);
}

struct account_sync {
	struct sync_wait w;
	struct lambda_account *out;
};

static void
account_sync_done(enum fd_status st, const struct lambda_account *acct,
		  const struct aws_error *e, void *ud)
{
	struct account_sync *s = ud;

	if (acct)
		*s->out = *acct;
	sync_wait_done(&s->w, st, e, "GetAccountSettings");
}

enum fd_status
lambda_account_settings_sync(struct aws_client *c, struct lambda_account *out,
			     struct aws_error *err)
{
	struct account_sync s = {{0}, out};

	lambda_account_settings(c, account_sync_done, &s);
	return sync_wait_run(c, &s.w, err);
}
