/* events_edit.c - editing an event in $VISUAL / $EDITOR (vi when neither is set),
 * the way `git commit` and `kubectl edit` do: a private temporary file, and when the
 * saved text is not JSON the editor opens again with comment lines on top saying
 * where and why (they are removed before the next check). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fleetdeck/events.h"
#include "fleetdeck/jsonutil.h"

#define EDIT_MARK "// fleetdeck: "
#define EDIT_ROUNDS 5
#define EDIT_HEADER_LINES 2

static const char *
editor_command(void)
{
	const char *e = getenv("VISUAL");

	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

static enum fd_status
write_file(const char *path, const char *header, const char *text, size_t len, struct fd_err *err)
{
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f)
		return fd_err_set(err, FD_EIO, "%s: %s", path, strerror(errno));
	if (header)
		fputs(header, f);
	bad = len && fwrite(text, 1, len, f) != len;
	if (fclose(f) != 0 || bad)
		return fd_err_set(err, FD_EIO, "%s: write failed", path);
	return FD_OK;
}

/* Runs `$EDITOR path` through sh, so EDITOR may carry arguments ("code --wait"). */
static enum fd_status
run_editor(const char *path, struct fd_err *err)
{
	char *cmd = fd_xasprintf("%s \"$1\"", editor_command());
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	if (pid < 0)
		return fd_err_set(err, FD_EIO, "fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fd_err_set(err, FD_EIO, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fd_err_set(err, FD_ECANCELLED,
		                  "editor \"%s\" exited with status %d: "
		                  "nothing saved",
		                  editor_command(),
		                  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return FD_OK;
}

/* Drops our comment lines from the top of b. */
static void
strip_marks(struct fd_buf *b)
{
	size_t off = 0;

	while (off < b->len && strncmp(b->data + off, EDIT_MARK, strlen(EDIT_MARK)) == 0) {
		const char *nl = memchr(b->data + off, '\n', b->len - off);
		off = nl ? (size_t)(nl - b->data) + 1 : b->len;
	}
	memmove(b->data, b->data + off, b->len - off);
	b->len -= off;
	b->data[b->len] = '\0';
}

static int
blank(const struct fd_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (!strchr(" \t\r\n", b->data[i]))
			return 0;
	return 1;
}

/* One round: write, edit, read back. *header is the next round's comment. */
static enum fd_status
edit_round(const char *path, const char *header, struct fd_buf *text, struct fd_err *err)
{
	enum fd_status st = write_file(path, header, text->data, text->len, err);

	if (st == FD_OK)
		st = run_editor(path, err);
	if (st != FD_OK)
		return st;
	fd_buf_reset(text);
	st = fd_read_file(path, (size_t)FD_EVENT_BODY_MAX + 4096, text, err);
	if (st != FD_OK)
		return st;
	strip_marks(text);
	if (blank(text))
		return fd_err_set(err, FD_ECANCELLED, "the event was saved empty: nothing changed");
	return FD_OK;
}

enum fd_status
fd_event_edit(const char *in, size_t len, struct fd_buf *out, int max_rounds, struct fd_err *err)
{
	char *header = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char *tpath = fd_xasprintf("%s/fleetdeck-event-XXXXXX.json",
	                           tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp");
	struct fd_json_error je = {0};
	struct fd_buf text;
	enum fd_status st = FD_EPARSE;
	int fd = mkstemps(tpath, 5), round;

	fd_buf_init(&text);
	if (fd < 0) {
		st = fd_err_set(err, FD_EIO, "%s: %s", tpath, strerror(errno));
		goto out;
	}
	close(fd);
	fd_buf_append(&text, in ? in : "{\n}\n", in ? len : 4);
	for (round = 0; round < (max_rounds > 0 ? max_rounds : EDIT_ROUNDS); round++) {
		st = edit_round(tpath, header, &text, err);
		if (st != FD_OK || fd_json_validate(text.data, text.len, &je))
			break;
		free(header);
		/* Line numbers as the editor will show them, below our two lines. */
		header = fd_xasprintf(EDIT_MARK "not JSON at line %d, column %d: %s\n" EDIT_MARK
		                                "fix it and save; save an empty file to cancel\n",
		                      je.line + EDIT_HEADER_LINES, je.col, je.msg);
		st = fd_err_set(err, FD_EPARSE,
		                "still not JSON after %d tries: line %d, column %d: %s", round + 1,
		                je.line, je.col, je.msg);
	}
	if (st == FD_OK) {
		fd_buf_reset(out);
		fd_buf_append(out, text.data, text.len);
	}
	unlink(tpath);
out:
	fd_buf_free(&text);
	free(header);
	free(tpath);
	return st;
}
