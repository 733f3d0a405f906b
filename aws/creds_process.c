/* creds_process.c - credential_process: run a helper program without a shell and
 * read the credentials it prints as JSON (Version 1). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "creds_int.h"
#include "fleetdeck/util.h"

#define PROC_MAX_CMDLINE 8192
#define PROC_MAX_ARGS 128
#define PROC_MAX_STDOUT (64 * 1024)
#define PROC_MAX_STDERR 4096

extern char **environ;

struct split {
	char **argv;
	size_t argc;
	struct fd_buf word;
	int in_word;
};

static void
split_push(struct split *sp)
{
	sp->argv = fd_xreallocarray(sp->argv, sp->argc + 2, sizeof(char *));
	sp->argv[sp->argc++] = fd_buf_steal(&sp->word);
	sp->argv[sp->argc] = NULL;
	sp->in_word = 0;
}

/* Consumes a quoted run starting at *p (on the quote); returns 0, or -1 if unclosed. */
static int
split_quoted(struct split *sp, const char **p)
{
	char q = **p;
	const char *s = *p + 1;

	for (; *s && *s != q; s++) {
		if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		fd_buf_putc(&sp->word, *s);
	}
	if (!*s)
		return -1;
	*p = s + 1;
	sp->in_word = 1;
	return 0;
}

enum fd_status
aws_split_command(const char *cmdline, char ***argv, struct fd_err *err)
{
	struct split sp = {NULL, 0, {NULL, 0, 0}, 0};
	const char *p = cmdline;
	enum fd_status st = FD_OK;

	*argv = NULL;
	if (strlen(cmdline) > PROC_MAX_CMDLINE)
		return fd_err_set(err, FD_ECONFIG, "credential_process: command line too long");
	while (*p && st == FD_OK) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			if (sp.in_word)
				split_push(&sp);
			p++;
		} else if (*p == '"' || *p == '\'') {
			if (split_quoted(&sp, &p) != 0)
				st = fd_err_set(err, FD_ECONFIG,
				                "credential_process: unterminated %c quote", *p);
		} else if (*p == '\\' && !p[1]) {
			st = fd_err_set(err, FD_ECONFIG, "credential_process: trailing backslash");
		} else {
			p += *p == '\\';
			fd_buf_putc(&sp.word, *p++);
			sp.in_word = 1;
		}
		if (sp.argc >= PROC_MAX_ARGS)
			st = fd_err_set(err, FD_ECONFIG, "credential_process: too many arguments");
	}
	if (st == FD_OK && sp.in_word)
		split_push(&sp);
	if (st == FD_OK && !sp.argc)
		st = fd_err_set(err, FD_ECONFIG, "credential_process: empty command");
	fd_buf_free(&sp.word);
	if (st != FD_OK)
		aws_argv_free(sp.argv);
	else
		*argv = sp.argv;
	return st;
}

void
aws_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

struct child {
	pid_t pid;
	int out, errfd; /* read ends; -1 once at EOF */
	struct fd_buf stdout_buf;
	struct fd_buf stderr_buf;
};

static enum fd_status
child_spawn(char **argv, struct child *c, struct fd_err *err)
{
	posix_spawn_file_actions_t fa;
	int op[2] = {-1, -1}, ep[2] = {-1, -1};
	int rc;

	if (pipe(op) != 0 || pipe(ep) != 0) {
		rc = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawn_file_actions_addclose(&fa, op[0]);
	posix_spawn_file_actions_addclose(&fa, ep[0]);
	rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		goto fail;
	close(op[1]);
	close(ep[1]);
	c->out = op[0];
	c->errfd = ep[0];
	return FD_OK;
fail:
	for (int i = 0; i < 2; i++) {
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return fd_err_set(err, FD_ECREDS, "cannot run \"%.200s\": %s", argv[0], strerror(rc));
}

/* Reads what is ready on fd into b (keeping at most max bytes); closes it at EOF.
 * Returns -1 when stdout overflows. */
static int
child_read(int *fd, struct fd_buf *b, size_t max, int fail_on_overflow)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	if (b->len + (size_t)n > max) {
		if (fail_on_overflow)
			return -1;
		n = (ssize_t)(max - b->len);
	}
	fd_buf_append(b, chunk, (size_t)n);
	return 0;
}

/* Collects output until both pipes close or the deadline passes (FD_ETIMEOUT). */
static enum fd_status
child_collect(struct child *c, long timeout_ms)
{
	int64_t deadline = fd_now_ms() + timeout_ms;

	while (c->out >= 0 || c->errfd >= 0) {
		struct pollfd p[2] = {{c->out, POLLIN, 0}, {c->errfd, POLLIN, 0}};
		int64_t left = deadline - fd_now_ms();
		int rc;

		if (left <= 0)
			return FD_ETIMEOUT;
		rc = poll(p, 2, (int)FD_MIN(left, (int64_t)1000));
		if (rc < 0 && errno != EINTR)
			return FD_EIO;
		if (c->out >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    child_read(&c->out, &c->stdout_buf, PROC_MAX_STDOUT, 1) < 0)
			return FD_EINVAL;
		if (c->errfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			child_read(&c->errfd, &c->stderr_buf, PROC_MAX_STDERR, 0);
	}
	return FD_OK;
}

static void
child_close(struct child *c)
{
	if (c->out >= 0)
		close(c->out);
	if (c->errfd >= 0)
		close(c->errfd);
	fd_buf_secure_free(&c->stdout_buf);
	fd_buf_free(&c->stderr_buf);
}

static int
child_wait(struct child *c, int kill_first)
{
	int status = 0;

	if (kill_first)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static enum fd_status
exit_error(const char *prog, int status, const struct fd_buf *errout, struct fd_err *err)
{
	char line[200];
	size_t n = 0;

	while (errout->data && errout->data[n] && errout->data[n] != '\n' && n < 160)
		n++;
	creds_printable(errout->data ? errout->data : "", line);
	line[FD_MIN(n, (size_t)64)] = '\0';
	if (WIFSIGNALED(status))
		return fd_err_set(err, FD_ECREDS, "\"%.200s\" was killed by signal %d%s%s", prog,
		                  WTERMSIG(status), n ? ": " : "", line);
	return fd_err_set(err, FD_ECREDS, "\"%.200s\" exited with status %d%s%s", prog,
	                  WEXITSTATUS(status), n ? ": " : "", line);
}

static enum fd_status
parse_output(const struct fd_buf *out, struct aws_creds *creds, struct fd_err *err)
{
	cJSON *doc = creds_json_parse(out->data ? out->data : "", out->len);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "Version");
	enum fd_status st;

	if (!doc)
		st = fd_err_set(err, FD_ECREDS, "the output is not JSON");
	else if (!cJSON_IsNumber(v) || v->valuedouble != 1.0)
		st = fd_err_set(err, FD_ECREDS, "the output's Version must be 1");
	else
		st = creds_from_json(doc, "SessionToken", "credential_process", creds, err);
	creds_json_free(doc);
	return st;
}

enum fd_status
aws_creds_from_process(const char *cmdline, long timeout_ms, struct aws_creds *out,
                       struct fd_err *err)
{
	struct child c = {-1, -1, -1, {NULL, 0, 0}, {NULL, 0, 0}};
	char **argv = NULL;
	enum fd_status st;
	int status;

	memset(out, 0, sizeof(*out));
	st = aws_split_command(cmdline, &argv, err);
	if (st == FD_OK)
		st = child_spawn(argv, &c, err);
	if (st != FD_OK)
		goto out;
	st = child_collect(&c, timeout_ms);
	status = child_wait(&c, st != FD_OK);
	if (st == FD_ETIMEOUT)
		fd_err_set(err, st, "\"%.200s\" timed out after %ld ms", argv[0], timeout_ms);
	else if (st != FD_OK)
		st = fd_err_set(err, FD_ECREDS, "\"%.200s\": output too large or unreadable",
		                argv[0]);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		st = exit_error(argv[0], status, &c.stderr_buf, err);
	else
		st = parse_output(&c.stdout_buf, out, err);
out:
	child_close(&c);
	aws_argv_free(argv);
	return st;
}

enum fd_status
creds_from_process(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                   struct fd_err *err)
{
	const char *cmd = aws_settings_profile_value(ctx->s, profile, "credential_process");
	char shown[68];
	enum fd_status st;

	if (!cmd || !*cmd)
		return FD_ENOTFOUND;
	st = aws_creds_from_process(cmd, AWS_CREDENTIAL_PROCESS_TIMEOUT_MS, out, err);
	creds_printable(profile, shown);
	if (st != FD_OK) {
		fd_err_prefix(err, "credential_process (profile \"%s\")", shown);
		return st;
	}
	snprintf(out->source, sizeof(out->source), "credential_process (profile %.60s)", shown);
	return FD_OK;
}
