/* livetail.c - CloudWatch Logs StartLiveTail: one HTTP call whose 200 answer is an
 * event stream (stream-logs.<region> host). Bytes go through the event-stream
 * decoder (prelude and message CRCs); a sessionStart names the session, each
 * sessionUpdate (about one a second) carries up to 500 events and says whether
 * CloudWatch sampled them; the stream ends with an exception (SessionTimeout after
 * 3 hours, SessionStreaming) or with the call failing. The session object outlives
 * nothing: it frees itself after its last callback. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/eventstream.h"
#include "fleetdeck/logs.h"

struct logs_live {
	struct aws_client *c;
	uint64_t call;
	struct logs_live_cb cb;
	struct es_decoder dec;
	struct logs_events ev;
	int in_cb;   /* depth of callbacks running on this session */
	int stopped; /* logs_live_stop() called */
	int ended;   /* on_end delivered (or the call is gone) */
};

void
logs_live_request(struct aws_request *r, const struct logs_live_req *q)
{
	cJSON *body = cJSON_CreateObject(), *groups;
	size_t i;
	char *text;

	groups = cJSON_AddArrayToObject(body, "logGroupIdentifiers");

	for (i = 0; i < q->ngroups && i < LOGS_LIVE_MAX_GROUPS; i++)
		cJSON_AddItemToArray(groups, cJSON_CreateString(q->groups[i]));
	if (q->pattern && *q->pattern)
		cJSON_AddStringToObject(body, "logEventFilterPattern", q->pattern);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text)
		fd_fatal("out of memory building a StartLiveTail request");
	aws_request_init(r, AWS_SVC_LOGS, "StartLiveTail");
	aws_request_json(r, text, strlen(text));
	free(text);
	r->host_prefix = "stream-";
	r->stream = 1;
}

/* ---- decoding ---- */

static void
exception_from(const struct es_message *m, const char *type_header, struct aws_error *exc)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
	char code[128] = "";

	memset(exc, 0, sizeof(*exc));
	exc->status = FD_EAWS;
	exc->retry_after_ms = -1;
	fd_strlcpy(exc->service, "CloudWatchLogs", sizeof(exc->service));
	fd_strlcpy(exc->op, "StartLiveTail", sizeof(exc->op));
	if (!es_header_str(m, type_header, code, sizeof(code)) || !code[0])
		fd_strlcpy(code, "UnknownStreamException", sizeof(code));
	fd_strlcpy(exc->code, code, sizeof(exc->code));
	if (!cJSON_IsString(msg))
		msg = cJSON_GetObjectItemCaseSensitive(doc, "Message");
	if (cJSON_IsString(msg))
		fd_strlcpy(exc->message, msg->valuestring, sizeof(exc->message));
	else
		es_header_str(m, ":error-message", exc->message, sizeof(exc->message));
	exc->throttled = aws_error_code_is_throttle(exc->code);
	exc->retryable = exc->throttled || strcmp(exc->code, "SessionStreamingException") == 0;
	cJSON_Delete(doc);
}

static enum fd_status
session_start(const struct es_message *m, char *sid, size_t sid_len, struct fd_err *err)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "sessionId");

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE,
		                  "StartLiveTail sessionStart: payload is not "
		                  "a JSON object (%zu bytes)",
		                  m->payload_len);
	}
	if (sid && sid_len)
		fd_strlcpy(sid, cJSON_IsString(id) ? id->valuestring : "", sid_len);
	cJSON_Delete(doc);
	return FD_OK;
}

enum fd_status
logs_live_decode(const struct es_message *m, enum logs_live_kind *kind, struct logs_events *ev,
                 char *session_id, size_t sid_len, struct aws_error *exc, struct fd_err *err)
{
	char mtype[32] = "", etype[64] = "";

	*kind = LOGS_LIVE_OTHER;
	es_header_str(m, ":message-type", mtype, sizeof(mtype));
	if (strcmp(mtype, "exception") == 0 || strcmp(mtype, "error") == 0) {
		*kind = LOGS_LIVE_EXCEPTION;
		exception_from(
		    m, mtype[0] == 'e' && mtype[1] == 'x' ? ":exception-type" : ":error-code", exc);
		return FD_OK;
	}
	if (strcmp(mtype, "event") != 0)
		return FD_OK;
	es_header_str(m, ":event-type", etype, sizeof(etype));
	if (strcmp(etype, "sessionStart") == 0) {
		*kind = LOGS_LIVE_START;
		return session_start(m, session_id, sid_len, err);
	}
	if (strcmp(etype, "sessionUpdate") == 0) {
		*kind = LOGS_LIVE_UPDATE;
		return logs_parse_live_update((const char *)m->payload, m->payload_len, ev, err);
	}
	return FD_OK;
}

/* ---- the session ---- */

static void
live_free(struct logs_live *s)
{
	es_decoder_free(&s->dec);
	logs_events_free(&s->ev);
	free(s);
}

/* Frees the session once nothing can reach it any more. */
static void
live_release(struct logs_live *s)
{
	if (s->in_cb == 0 && (s->stopped || s->ended))
		live_free(s);
}

static void
live_end(struct logs_live *s, enum fd_status st, const struct aws_error *e)
{
	if (s->ended)
		return;
	s->ended = 1;
	if (s->stopped || !s->cb.on_end)
		return;
	s->in_cb++;
	s->cb.on_end(st, e, s->cb.ud);
	s->in_cb--;
}

/* Ends the session from inside the stream: the call is cancelled, so its own
 * completion never comes. */
static void
live_abort(struct logs_live *s, enum fd_status st, const struct aws_error *e)
{
	aws_call_cancel(s->c, s->call);
	live_end(s, st, e);
}

static void
parse_failed(struct logs_live *s, const struct fd_err *ferr)
{
	struct aws_error e;

	memset(&e, 0, sizeof(e));
	e.status = FD_EPARSE;
	e.retry_after_ms = -1;
	fd_strlcpy(e.service, "CloudWatchLogs", sizeof(e.service));
	fd_strlcpy(e.op, "StartLiveTail", sizeof(e.op));
	fd_strlcpy(e.code, "MalformedEventStream", sizeof(e.code));
	fd_strlcpy(e.message, ferr->msg, sizeof(e.message));
	live_abort(s, FD_EPARSE, &e);
}

static void
dispatch(struct logs_live *s, const struct es_message *m)
{
	struct fd_err ferr = {FD_OK, ""};
	enum logs_live_kind kind;
	struct aws_error exc;
	char sid[128] = "";

	if (logs_live_decode(m, &kind, &s->ev, sid, sizeof(sid), &exc, &ferr) != FD_OK) {
		parse_failed(s, &ferr);
		return;
	}
	s->in_cb++;
	if (kind == LOGS_LIVE_START && s->cb.on_start)
		s->cb.on_start(sid, s->cb.ud);
	else if (kind == LOGS_LIVE_UPDATE && s->cb.on_update)
		s->cb.on_update(&s->ev, s->cb.ud);
	s->in_cb--;
	if (kind == LOGS_LIVE_EXCEPTION && !s->stopped)
		live_abort(s, FD_EAWS, &exc);
}

static void
on_chunk(const char *data, size_t n, void *ud)
{
	struct logs_live *s = ud;
	struct fd_err ferr = {FD_OK, ""};
	struct es_message m;
	enum fd_status st;

	if (s->stopped || s->ended)
		return;
	s->in_cb++;
	es_decoder_feed(&s->dec, data, n);
	while (!s->stopped && !s->ended) {
		st = es_decoder_next(&s->dec, &m, &ferr);
		if (st == FD_EAGAIN)
			break;
		if (st != FD_OK) {
			parse_failed(s, &ferr);
			break;
		}
		dispatch(s, &m);
	}
	s->in_cb--;
	live_release(s);
}

static void
on_done(struct aws_response *resp, void *ud)
{
	struct logs_live *s = ud;

	s->in_cb++;
	if (resp->error.status != FD_OK)
		live_end(s, resp->error.status, &resp->error);
	else
		live_end(s, FD_OK, NULL);
	s->in_cb--;
	s->ended = 1;
	live_release(s);
}

struct logs_live *
logs_live_start(struct aws_client *c, const struct logs_live_req *q, const struct logs_live_cb *cb)
{
	struct logs_live *s = fd_xcalloc(1, sizeof(*s));
	struct aws_request r;

	s->c = c;
	s->cb = *cb;
	es_decoder_init(&s->dec);
	logs_events_init(&s->ev);
	logs_live_request(&r, q);
	r.on_chunk = on_chunk;
	r.chunk_ud = s;
	s->call = aws_call_start(c, &r, on_done, s);
	return s;
}

void
logs_live_stop(struct logs_live *s)
{
	if (!s || s->stopped)
		return;
	s->stopped = 1;
	if (!s->ended)
		aws_call_cancel(s->c, s->call);
	live_release(s);
}
