/* app.h - what a command runs with: parsed global options, and lazily created
 * settings, credentials, AWS client and cache. Commands are declared once in
 * src/commands.def; `fleetdeck help`, completion and the man page check read it. */
#ifndef FLEETDECK_APP_H
#define FLEETDECK_APP_H

#include <stdio.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/creds.h"
#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

enum fd_output {
	FD_OUT_DEFAULT, /* the command's natural format (table or text) */
	FD_OUT_TABLE,
	FD_OUT_JSON,
	FD_OUT_NDJSON,
	FD_OUT_CSV,
	FD_OUT_TEXT,
};

struct fd_app {
	/* global options */
	const char *profile;
	const char *region;
	const char *endpoint_url;
	const char *cache_path;
	const char *debug_http_path;
	enum fd_output output;
	int read_only;
	int offline;
	int stale_ok;
	int refresh;
	int utc;
	int no_color;
	int yes;
	int verbose;
	/* lazily built */
	int settings_loaded;
	struct aws_settings settings;
	int creds_loaded;
	struct aws_creds creds;
	struct aws_client *client;
	struct fd_cache *cache;
	struct fd_ctx ctx;         /* profile + account + region once known */
	FILE *debug_http;
};

/* Each returns FD_OK or fills err with a message fit for the user. */
enum fd_status fd_app_settings(struct fd_app *app, struct fd_err *err);
enum fd_status fd_app_creds(struct fd_app *app, struct fd_err *err);
enum fd_status fd_app_client(struct fd_app *app, struct fd_err *err);
enum fd_status fd_app_cache(struct fd_app *app, struct fd_err *err);
/* Fills app->ctx: profile and region from settings, account from STS (cached in the
 * cache's meta table per profile, so offline runs know it). */
enum fd_status fd_app_context(struct fd_app *app, struct fd_err *err);
void fd_app_free(struct fd_app *app);
/* Refuses mutating actions in read-only mode (flag or profile setting). */
enum fd_status fd_app_check_writable(struct fd_app *app, const char *action, struct fd_err *err);

/* Command table entry. run returns the process exit status. */
struct fd_cmd {
	const char *name;
	const char *usage;         /* "functions [--filter REGEX] ..." */
	const char *summary;       /* one line */
	int (*run)(struct fd_app *app, int argc, char **argv);
};

const struct fd_cmd *fd_cmd_find(const char *name, struct fd_err *err);
const struct fd_cmd *fd_cmd_at(size_t i); /* NULL past the end */

/* Prints "fleetdeck: <message>" to stderr and returns exit status 1 (2 for usage). */
int fd_cmd_fail(const struct fd_err *err);
/* The same for a failure of the work itself: always 1, even when the detail says
 * "invalid" (FD_EINVAL there is bad data, a payload too large, not a bad command line). */
int fd_cmd_fail_run(struct fd_err *err);
/* "fleetdeck: [PREFIX: ]warning: TEXT" on stderr, TEXT through the sanitizer; _lines:
 * one such line for each non-empty line of lines. */
void fd_cmd_warn(const char *prefix, const char *text);
void fd_cmd_warn_lines(const char *prefix, const struct fd_buf *lines);
int fd_cmd_usage(const struct fd_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, naming the command by its name in the table. */
int fd_cmd_usage_of(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Command option parsing: when argv[*i] is "--name VALUE" or "--name=VALUE", sets
 * *val (NULL when the value is missing), advances *i past it and returns 1. */
int fd_opt_value(int argc, char **argv, int *i, const char *name, const char **val);

#endif
