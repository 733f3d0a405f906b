/* pager.c - pagination on top of aws_call_start(): every page reuses the pager's call
 * id, so aws_call_cancel(id) stops whichever page is in flight. */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

struct pager_run {
	struct aws_client *c;
	struct aws_pager p;
	uint64_t id;
	int pages;
	char *last_token;
};

static void
pager_free(void *ud)
{
	struct pager_run *pr = ud;

	free(pr->last_token);
	free(pr);
}

static void
pager_finish(struct pager_run *pr, enum fd_status st, const struct aws_error *e)
{
	if (pr->p.done)
		pr->p.done(st, e, pr->p.ud);
	pager_free(pr);
}

static void page_done(struct aws_response *resp, void *ud);

static void
pager_request(struct pager_run *pr, const char *token)
{
	struct aws_request r;

	memset(&r, 0, sizeof(r));
	pr->p.build(&r, token, pr->p.ud);
	pr->id = aws_call_start_ex(pr->c, &r, page_done, pr, pager_free, pr->id);
}

/* The page callback failed to read a page: report it in the call's error shape. */
static void
page_error(struct pager_run *pr, const struct aws_response *resp, const struct fd_err *err)
{
	struct aws_error e = resp->error;

	e.status = err->status;
	fd_strlcpy(e.code, "InvalidResponse", sizeof(e.code));
	aws_text_copy(e.message, sizeof(e.message), err->msg, strlen(err->msg));
	e.retryable = e.throttled = 0;
	pager_finish(pr, err->status, &e);
}

static void
page_done(struct aws_response *resp, void *ud)
{
	struct pager_run *pr = ud;
	struct fd_err err = {FD_OK, ""};
	char *token;

	if (resp->error.status != FD_OK) {
		pager_finish(pr, resp->error.status, &resp->error);
		return;
	}
	pr->pages++;
	token = pr->p.page(resp, pr->p.ud, &err);
	if (err.status != FD_OK) {
		free(token);
		page_error(pr, resp, &err);
		return;
	}
	/* A token that does not move would loop forever. */
	if (!token || (pr->p.max_pages > 0 && pr->pages >= pr->p.max_pages) ||
	    fd_str_eq(token, pr->last_token)) {
		free(token);
		pager_finish(pr, FD_OK, &resp->error);
		return;
	}
	free(pr->last_token);
	pr->last_token = token;
	pager_request(pr, token);
}

uint64_t
aws_paginate(struct aws_client *c, const struct aws_pager *p)
{
	struct pager_run *pr = fd_xcalloc(1, sizeof(*pr));

	pr->c = c;
	pr->p = *p;
	pager_request(pr, NULL);
	return pr->id;
}

struct pager_sync {
	const struct aws_pager *outer;
	enum fd_status st;
	struct aws_error e;
	int finished;
};

static void
sync_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct pager_sync *ps = ud;

	ps->st = st;
	if (e)
		ps->e = *e;
	ps->finished = 1;
	if (ps->outer->done)
		ps->outer->done(st, e, ps->outer->ud);
}

static void
sync_build(struct aws_request *r, const char *token, void *ud)
{
	struct pager_sync *ps = ud;

	ps->outer->build(r, token, ps->outer->ud);
}

static char *
sync_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct pager_sync *ps = ud;

	return ps->outer->page(resp, ps->outer->ud, err);
}

enum fd_status
aws_paginate_sync(struct aws_client *c, const struct aws_pager *p, struct aws_error *err)
{
	struct pager_sync ps;
	struct aws_pager inner = {sync_build, sync_page, sync_done, NULL, p->max_pages};
	uint64_t id;

	memset(&ps, 0, sizeof(ps));
	ps.outer = p;
	inner.ud = &ps;
	id = aws_paginate(c, &inner);
	while (!ps.finished) {
		if (aws_client_wait(c, NULL, 0, 1000) != FD_OK) {
			aws_call_cancel(c, id);
			ps.st = FD_EHTTP;
			fd_strlcpy(ps.e.code, "ClientError", sizeof(ps.e.code));
			fd_strlcpy(ps.e.message, "waiting for the network failed",
			           sizeof(ps.e.message));
			break;
		}
	}
	if (err)
		*err = ps.e;
	return ps.st;
}
