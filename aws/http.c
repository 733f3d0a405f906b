/* http.c - the AWS client engine: calls queue for a transfer slot, a rate-limit token
 * and their backoff timer, run as curl transfers on one multi handle, and complete
 * through callbacks run from aws_client_wait(), which is the only place that waits.
 * One thread; no callback ever runs from inside libcurl. */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/sigv4.h"
#include "http_int.h"

#ifndef FD_VERSION
#define FD_VERSION "dev"
#endif

static void
list_push(struct aws_call_list *l, struct aws_call *call)
{
	call->next = NULL;
	call->prev = l->tail;
	if (l->tail)
		l->tail->next = call;
	else
		l->head = call;
	l->tail = call;
	l->n++;
}

static void
list_remove(struct aws_call_list *l, struct aws_call *call)
{
	if (call->prev)
		call->prev->next = call->next;
	else
		l->head = call->next;
	if (call->next)
		call->next->prev = call->prev;
	else
		l->tail = call->prev;
	call->prev = call->next = NULL;
	l->n--;
}

static struct aws_call_list *
list_of(struct aws_client *c, const struct aws_call *call)
{
	switch (call->state) {
	case AWS_CALL_WAITING:
		return &c->waiting;
	case AWS_CALL_RUNNING:
		return &c->running;
	case AWS_CALL_DONE:
		break;
	}
	return &c->done;
}

static void
move_to(struct aws_client *c, struct aws_call *call, enum aws_call_state st)
{
	list_remove(list_of(c, call), call);
	call->state = st;
	list_push(list_of(c, call), call);
}

static void
set_rate_queued(struct aws_call *call, int queued)
{
	if (!call->bucket || call->rate_queued == queued)
		return;
	call->rate_queued = queued;
	aws_bucket_queued(call->bucket, queued ? 1 : -1);
}

static void
call_free(struct aws_call *call)
{
	set_rate_queued(call, 0);
	aws_request_free(&call->req);
	aws_response_free(&call->resp);
	free(call);
}

static void
error_init(struct aws_error *e, const struct aws_request *req)
{
	memset(e, 0, sizeof(*e));
	fd_strlcpy(e->service, aws_service_get(req->svc)->service_id, sizeof(e->service));
	fd_strlcpy(e->op, req->op ? req->op : "", sizeof(e->op));
	e->retry_after_ms = -1;
}

enum fd_status
aws_client_new(const struct aws_settings *s, const struct aws_creds *creds,
               const struct aws_client_opts *opts, struct aws_client **out, struct fd_err *err)
{
	struct aws_client *c;
	uint64_t seed;

	*out = NULL;
	if (!s)
		return fd_err_set(err, FD_EINVAL, "AWS client: no settings");
	c = fd_xcalloc(1, sizeof(*c));
	if (opts)
		c->opts = *opts;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = 3100;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = 30000;
	if (c->opts.max_concurrent <= 0)
		c->opts.max_concurrent = 16;
	if (!c->opts.max_body)
		c->opts.max_body = AWS_MAX_BODY;
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		return fd_err_set(err, FD_EHTTP, "cannot initialise libcurl");
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->opts.max_concurrent * 2);
	c->settings = s;
	if (creds && creds->access_key) {
		aws_creds_copy(&c->creds, creds);
		c->have_creds = 1;
	}
	seed = c->opts.rng_seed ? c->opts.rng_seed
	                        : (uint64_t)fd_now_ms() ^ ((uint64_t)getpid() << 32);
	aws_retry_policy_init(&c->retry, s->retry_mode, s->max_attempts, seed);
	c->rl = aws_ratelimit_new(c->opts.rate_fraction);
	snprintf(c->user_agent, sizeof(c->user_agent), "fleetdeck/%s", FD_VERSION);
	*out = c;
	return FD_OK;
}

static void complete(struct aws_client *c, struct aws_call *call, const struct aws_error *e);
static void run_callbacks(struct aws_client *c);

static void
cancel_call(struct aws_client *c, struct aws_call *call)
{
	list_remove(list_of(c, call), call);
	if (call->xfer)
		aws_transfer_free(c, call->xfer);
	call->xfer = NULL;
	if (call->on_cancel)
		call->on_cancel(call->ud);
	call_free(call);
}

/* Completes every pending call now with FD_ECANCELLED, running its done callback so
 * its owner frees what it holds. Callbacks may start new calls: those are aborted
 * too, a bounded number of rounds. */
void
aws_client_abort_all(struct aws_client *c)
{
	struct aws_error e;
	struct aws_call *call;
	int round;

	if (!c)
		return;
	for (round = 0; round < 16 && (c->running.head || c->waiting.head || c->done.head);
	     round++) {
		while ((call = c->running.head) || (call = c->waiting.head)) {
			if (call->xfer)
				aws_transfer_free(c, call->xfer);
			call->xfer = NULL;
			set_rate_queued(call, 0);
			e = call->resp.error;
			e.status = FD_ECANCELLED;
			fd_strlcpy(e.code, "Cancelled", sizeof(e.code));
			fd_strlcpy(e.message, "cancelled: fleetdeck is closing this view",
				   sizeof(e.message));
			complete(c, call, &e);
		}
		run_callbacks(c);
	}
}

void
aws_client_free(struct aws_client *c)
{
	if (!c)
		return;
	while (c->running.head)
		cancel_call(c, c->running.head);
	while (c->waiting.head)
		cancel_call(c, c->waiting.head);
	while (c->done.head)
		cancel_call(c, c->done.head);
	curl_multi_cleanup(c->multi);
	if (c->have_creds)
		aws_creds_free(&c->creds);
	aws_ratelimit_free(c->rl);
	free(c->wfds);
	free(c);
}

const struct aws_settings *
aws_client_settings(const struct aws_client *c)
{
	return c->settings;
}

uint64_t
aws_call_start_ex(struct aws_client *c, struct aws_request *req, aws_done_fn done, void *ud,
                  void (*on_cancel)(void *ud), uint64_t id)
{
	struct aws_call *call = fd_xcalloc(1, sizeof(*call));

	call->id = id ? id : ++c->next_id;
	call->req = *req;
	aws_request_init(req, req->svc, req->op);
	aws_request_prepare(&call->req);
	call->done = done;
	call->on_cancel = on_cancel;
	call->ud = ud;
	call->created_ms = call->due_ms = fd_now_ms();
	if (call->req.not_before_ms > call->due_ms)
		call->due_ms = call->req.not_before_ms; /* a deliberate wait: still pending */
	call->bucket = aws_ratelimit_bucket(c->rl, call->req.svc, call->req.op, call->req.rate_key);
	error_init(&call->resp.error, &call->req);
	call->state = AWS_CALL_WAITING;
	list_push(&c->waiting, call);
	return call->id;
}

uint64_t
aws_call_start(struct aws_client *c, struct aws_request *req, aws_done_fn done, void *ud)
{
	return aws_call_start_ex(c, req, done, ud, NULL, 0);
}

static struct aws_call *
find_call(struct aws_client *c, uint64_t id)
{
	struct aws_call_list *lists[] = {&c->running, &c->waiting, &c->done};
	struct aws_call *call;
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(lists); i++)
		for (call = lists[i]->head; call; call = call->next)
			if (call->id == id)
				return call;
	return NULL;
}

void
aws_call_cancel(struct aws_client *c, uint64_t id)
{
	struct aws_call *call = id ? find_call(c, id) : NULL;

	if (call)
		cancel_call(c, call);
}

/* Moves a finished call to the done list with its response. */
static void
complete(struct aws_client *c, struct aws_call *call, const struct aws_error *e)
{
	call->resp.error = *e;
	call->resp.attempts = call->rs.attempts;
	call->resp.elapsed_ms = (double)(fd_now_ms() - call->created_ms);
	if (e->status != FD_OK) {
		c->stats.failures++;
		c->stats.last_error = *e;
	}
	move_to(c, call, AWS_CALL_DONE);
}

static void
start_attempt(struct aws_client *c, struct aws_call *call)
{
	struct fd_err err = {FD_OK, ""};
	struct aws_error e;

	call->rs.attempts++;
	if (aws_transfer_start(c, call, &err) == FD_OK) {
		move_to(c, call, AWS_CALL_RUNNING);
		return;
	}
	/* Nothing was sent (no endpoint, no credentials): fail without retrying. */
	error_init(&e, &call->req);
	e.status = err.status;
	fd_strlcpy(e.code, err.status == FD_ECREDS ? "CredentialsError" : "ClientError",
	           sizeof(e.code));
	aws_text_copy(e.message, sizeof(e.message), err.msg, strlen(err.msg));
	complete(c, call, &e);
}

/* Starts every due call that has a transfer slot and a rate-limit token, in order. */
static void
dispatch(struct aws_client *c, int64_t now)
{
	struct aws_call *call, *next;

	for (call = c->waiting.head; call; call = next) {
		next = call->next;
		if (c->running.n >= (size_t)c->opts.max_concurrent)
			break;
		if (call->due_ms > now)
			continue;
		if (call->bucket) {
			long wait = aws_bucket_take(call->bucket, now);
			if (wait > 0) {
				call->due_ms = now + wait;
				set_rate_queued(call, 1);
				continue;
			}
			set_rate_queued(call, 0);
		}
		start_attempt(c, call);
	}
}

/* The one clock-skew retry: learn the offset from the server's Date header. */
static int
fix_clock_skew(struct aws_call *call, const struct aws_transfer *x, const struct aws_error *e)
{
	time_t server, local;

	if (call->rs.skew_fixed || !aws_error_is_clock_skew(e))
		return 0;
	server = aws_parse_http_date(aws_kv_find(x->rhdr, x->nrhdr, "Date"));
	if (server < 0)
		return 0;
	local = sigv4_clock() - sigv4_get_skew();
	sigv4_set_skew((long)(server - local));
	call->rs.skew_fixed = 1;
	return 1;
}

/* Decides what a failed attempt leads to; returns the backoff or -1 to give up. */
static long
retry_delay(struct aws_client *c, struct aws_call *call, const struct aws_transfer *x,
            const struct aws_error *e, const char **reason)
{
	long delay = 0;

	if (x->streamed) {
		*reason = "stream already delivered";
		return -1;
	}
	if (fix_clock_skew(call, x, e)) {
		*reason = "clock skew";
		return 0;
	}
	if (aws_retry_decide(&c->retry, &call->rs, e, &delay, reason) == AWS_RETRY_GIVE_UP)
		return -1;
	return delay;
}

static void
keep_response(struct aws_call *call, struct aws_transfer *x)
{
	aws_response_free(&call->resp);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &call->resp.http_status);
	call->resp.headers = x->rhdr;
	call->resp.nheaders = x->nrhdr;
	call->resp.body = x->body;
	x->rhdr = NULL;
	x->nrhdr = 0;
	fd_buf_init(&x->body);
}

static void
attempt_done(struct aws_client *c, struct aws_transfer *x, CURLcode rc)
{
	struct aws_call *call = x->call;
	const char *reason = "-";
	struct aws_error e;
	long delay = -1;

	aws_transfer_outcome(x, rc, &e);
	c->stats.requests++;
	if (e.throttled)
		c->stats.throttled++;
	if (e.status == FD_OK)
		aws_retry_on_success(&c->retry, &call->rs);
	else
		delay = retry_delay(c, call, x, &e, &reason);
	aws_debug_attempt(c, x, &e, reason, delay);
	call->xfer = NULL;
	if (delay >= 0) {
		c->stats.retries++;
		call->due_ms = fd_now_ms() + delay;
		move_to(c, call, AWS_CALL_WAITING);
	} else {
		keep_response(call, x);
		complete(c, call, &e);
	}
	aws_transfer_free(c, x);
}

static void
harvest(struct aws_client *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left))) {
		CURLcode rc = msg->data.result;
		char *priv = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv)
			attempt_done(c, (struct aws_transfer *)(void *)priv, rc);
	}
}

/* Hands stream bytes to their consumers outside libcurl, so on_chunk may cancel. */
static void
flush_chunks(struct aws_client *c)
{
	struct aws_call *call;
	int again = 1;

	while (again) {
		again = 0;
		for (call = c->running.head; call; call = call->next) {
			struct fd_buf b;
			if (!call->xfer || !call->xfer->chunk.len)
				continue;
			b = call->xfer->chunk;
			fd_buf_init(&call->xfer->chunk);
			if (call->req.on_chunk)
				call->req.on_chunk(b.data, b.len, call->req.chunk_ud);
			fd_buf_free(&b);
			again = 1;
			break;
		}
	}
}

static void
progress(struct aws_client *c)
{
	int running;

	curl_multi_perform(c->multi, &running);
	flush_chunks(c);
	harvest(c);
	dispatch(c, fd_now_ms());
	curl_multi_perform(c->multi, &running);
}

static void
run_callbacks(struct aws_client *c)
{
	struct aws_call *call;

	/* One at a time: a callback may start, cancel or even wait for other calls. */
	while ((call = c->done.head)) {
		list_remove(&c->done, call);
		c->stats.completed++;
		if (call->done)
			call->done(&call->resp, call->ud);
		call_free(call);
	}
}

static int64_t
next_due(const struct aws_client *c)
{
	const struct aws_call *call;
	int64_t due = INT64_MAX;

	if (c->running.n >= (size_t)c->opts.max_concurrent)
		return INT64_MAX; /* a completion comes first and wakes the poll */
	for (call = c->waiting.head; call; call = call->next)
		if (call->due_ms < due)
			due = call->due_ms;
	return due;
}

static int
wait_timeout(struct aws_client *c, int64_t now, int timeout_ms)
{
	int64_t t = timeout_ms < 0 ? INT_MAX : timeout_ms, due = next_due(c);
	long curl_t = -1;

	if (curl_multi_timeout(c->multi, &curl_t) == CURLM_OK && curl_t >= 0 && curl_t < t)
		t = curl_t;
	if (due != INT64_MAX)
		t = FD_MIN(t, FD_MAX(due - now, 0));
	if (c->done.n)
		t = 0;
	return (int)t;
}

static void
set_wait_fds(struct aws_client *c, const struct fd_pollfd *extra, unsigned n)
{
	unsigned i;

	if (n > c->nwfds) {
		c->wfds = fd_xreallocarray(c->wfds, n, sizeof(*c->wfds));
		c->nwfds = n;
	}
	for (i = 0; i < n; i++) {
		c->wfds[i].fd = extra[i].fd;
		c->wfds[i].events = (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
		                            ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI : 0) |
		                            ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
		c->wfds[i].revents = 0;
	}
}

static void
get_wait_fds(const struct aws_client *c, struct fd_pollfd *extra, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		short r = c->wfds[i].revents;
		extra[i].revents = (short)(((r & CURL_WAIT_POLLIN) ? POLLIN : 0) |
		                           ((r & CURL_WAIT_POLLPRI) ? POLLPRI : 0) |
		                           ((r & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
	}
}

enum fd_status
aws_client_wait(struct aws_client *c, struct fd_pollfd *extra, unsigned nextra, int timeout_ms)
{
	int t;
	CURLMcode mc;

	if (!extra)
		nextra = 0;
	/* Collect transfers that finished already, so the poll does not sleep while
	 * their callbacks are due (wait_timeout is 0 when anything is done). */
	progress(c);
	t = wait_timeout(c, fd_now_ms(), timeout_ms);
	set_wait_fds(c, extra, nextra);
	mc = curl_multi_poll(c->multi, nextra ? c->wfds : NULL, nextra, t, NULL);
	if (mc != CURLM_OK)
		return FD_EHTTP;
	get_wait_fds(c, extra, nextra);
	progress(c);
	run_callbacks(c);
	return FD_OK;
}

void
aws_client_wakeup(struct aws_client *c)
{
	curl_multi_wakeup(c->multi);
}

size_t
aws_client_pending(const struct aws_client *c)
{
	return c->waiting.n + c->running.n + c->done.n;
}

size_t
aws_client_budgets(const struct aws_client *c, struct aws_budget *out, size_t max)
{
	return aws_ratelimit_budgets(c->rl, fd_now_ms(), out, max);
}

void
aws_client_stats(const struct aws_client *c, struct aws_client_stats *out)
{
	*out = c->stats;
}

enum fd_status
aws_client_wait_done(struct aws_client *c, const int *done, int slice_ms)
{
	enum fd_status st = FD_OK;

	while (!*done) {
		st = aws_client_wait(c, NULL, 0, slice_ms);
		if (st != FD_OK && aws_client_pending(c) == 0)
			break;
	}
	return *done ? FD_OK : st;
}

struct sync_wait {
	struct aws_response *out;
	int finished;
};

static void
sync_done(struct aws_response *resp, void *ud)
{
	struct sync_wait *w = ud;

	/* Move the response out; the engine then frees an empty shell. */
	*w->out = *resp;
	memset(resp, 0, sizeof(*resp));
	w->finished = 1;
}

enum fd_status
aws_call_sync(struct aws_client *c, struct aws_request *req, struct aws_response *out)
{
	return aws_call_sync_every(c, req, out, 1000);
}

enum fd_status
aws_call_sync_every(struct aws_client *c, struct aws_request *req, struct aws_response *out,
                    int step_ms)
{
	struct sync_wait w = {out, 0};
	uint64_t id;

	memset(out, 0, sizeof(*out));
	id = aws_call_start(c, req, sync_done, &w);
	while (!w.finished) {
		if (aws_client_wait(c, NULL, 0, step_ms) != FD_OK) {
			aws_call_cancel(c, id);
			out->error.status = FD_EHTTP;
			fd_strlcpy(out->error.code, "ClientError", sizeof(out->error.code));
			fd_strlcpy(out->error.message, "waiting for the network failed",
			           sizeof(out->error.message));
			break;
		}
	}
	return out->error.status;
}
