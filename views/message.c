/* message.c - the message inspector: peeks at a queue (receive with every attribute,
 * then visible again) and shows each message - ids, times, receive count, FIFO ids,
 * Lambda error attributes, attributes (binary in hex), the body pretty-printed when
 * JSON or as a hex dump when binary - in a pane that pages and searches. Peeking
 * adds 1 to each message's receive count; the screen says so, louder when the queue
 * sends messages to a DLQ after a few receives. */
#include <stdio.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/view.h"

#define PEEK_MAX 50
#define BODY_MAX (64 * 1024)

struct msgview {
	struct fd_peek_async *peek;
	struct fd_text text;
	int built;
	char queue[512];
};

static void
emit(void *ud, int newline, enum fd_msg_part part, const char *text)
{
	static const enum fd_role roles[] = {
	    [FD_MP_TITLE] = FD_ROLE_SECTION, [FD_MP_LABEL] = FD_ROLE_LABEL,
	    [FD_MP_VALUE] = FD_ROLE_NORMAL,  [FD_MP_DIM] = FD_ROLE_DIM,
	    [FD_MP_WARN] = FD_ROLE_WARNING,  [FD_MP_BODY] = FD_ROLE_NORMAL,
	};
	struct fd_text *t = ud;
	char label[32];

	if (part == FD_MP_TITLE) {
		fd_text_section(t, text);
		return;
	}
	if (newline)
		fd_text_newline(t);
	if (part == FD_MP_LABEL) {
		snprintf(label, sizeof(label), "  %-12s", text);
		fd_text_put(t, roles[part], label);
	} else if (newline && part == FD_MP_BODY) {
		fd_text_put(t, FD_ROLE_NORMAL, "    ");
		fd_text_put(t, roles[part], text);
	} else {
		fd_text_put(t, roles[part], text);
	}
}

static void
build(struct msgview *mv)
{
	const struct fd_sqs_msg *m;
	const char *status, *warning;
	size_t n, i;
	int done = fd_peek_async_poll(mv->peek, &m, &n, &status, &warning);

	fd_text_clear(&mv->text);
	fd_text_newline(&mv->text);
	fd_text_printf(&mv->text, done ? FD_ROLE_LABEL : FD_ROLE_DIM, "  %s", status);
	if (warning) {
		fd_text_newline(&mv->text);
		fd_text_printf(&mv->text, FD_ROLE_WARNING, "  %s", warning);
	}
	for (i = 0; done && i < n; i++)
		fd_msg_describe(&m[i], fd_wall_now_ms(), BODY_MAX, emit, &mv->text);
	mv->built = done;
}

static void
msg_open(struct fd_view *v, const char *arg)
{
	struct msgview *mv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	const char *slash = arg ? strrchr(arg, '/') : NULL;

	fd_strlcpy(mv->queue, arg ? arg : "", sizeof(mv->queue));
	snprintf(v->title, sizeof(v->title), "messages %.80s", slash ? slash + 1 : mv->queue);
	mv->peek = fd_peek_async_start(app ? app->client : NULL, mv->queue, PEEK_MAX);
	build(mv);
}

static void
msg_close(struct fd_view *v)
{
	struct msgview *mv = v->priv;

	fd_peek_async_free(mv->peek);
	fd_text_free(&mv->text);
}

static void
msg_draw(struct fd_view *v, struct fd_rect r)
{
	struct msgview *mv = v->priv;

	if (!mv->built)
		build(mv);
	fd_text_draw(&mv->text, r);
}

static int
msg_request(struct fd_view *v, enum fd_request req)
{
	struct msgview *mv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);

	if (req == FD_REQ_REFRESH && mv->built) {
		fd_peek_async_free(mv->peek);
		mv->peek = fd_peek_async_start(app ? app->client : NULL, mv->queue, PEEK_MAX);
		build(mv);
		return 1;
	}
	return fd_text_request(&mv->text, req);
}

static enum fd_status
msg_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct msgview *mv = v->priv;

	return fd_text_search(&mv->text, pattern, err);
}

const struct fd_view_ops fd_view_message = {
    .name = "messages",
    .priv_size = sizeof(struct msgview),
    .open = msg_open,
    .close = msg_close,
    .draw = msg_draw,
    .request = msg_request,
    .search = msg_search,
};
