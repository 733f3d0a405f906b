/* cmd_logs_int.h - what `logs tail` (cmd_logs.c) and `logs query` (cmd_logs_query.c)
 * share: option values, target resolution and SIGINT/SIGTERM handling. */
#ifndef FLEETDECK_CMD_LOGS_INT_H
#define FLEETDECK_CMD_LOGS_INT_H

#include "fleetdeck/app.h"
#include "fleetdeck/follow.h"

/* Function names or group names/ARNs -> sources (groups malloc'd); *have_ctx says
 * whether the account (and so the cache context) is known. */
void logs_resolve(struct fd_app *app, char **targets, size_t n, struct fd_follow_source *src,
                  int *have_ctx);
/* SIGINT/SIGTERM set a flag and wake the client's wait (install 0 restores). */
void logs_signals(struct aws_client *c, int install);
int logs_stop_requested(void);

/* --offline: the log store's lines of the last since_s seconds, through on_line. */
int logs_tail_offline(struct fd_app *app, char **targets, size_t n, long since_s,
                      void (*on_line)(const struct fd_line *l, void *ud), void *ud);
int cmd_logs_query(struct fd_app *app, int argc, char **argv);

/* Named queries (logs_saved.c): the built-in ones and the [queries] section of
 * fleetdeck's config file, where a saved name shadows a built-in one. */
struct ini_file;
struct logs_named {
	const char *name, *query;
	const char *source; /* "built-in", "saved", "saved, shadows built-in" */
};
struct logs_queries {
	struct ini_file *ini;
	struct logs_named *q;
	size_t n;
};
/* The built-in query called name, or NULL. */
const char *logs_builtin_query(const char *name);
/* Built-ins plus the saved queries of the config file at path (NULL or a missing file:
 * none); notes shadowed built-ins on stderr. */
enum fd_status logs_queries_load(const char *path, struct logs_queries *qs, struct fd_err *err);
/* The same from config text; fname names it in messages and notes. */
enum fd_status logs_queries_parse(const char *text, size_t len, const char *fname,
                                  struct logs_queries *qs, struct fd_err *err);
/* The query called name (case-insensitive), or NULL. */
const char *logs_queries_find(const struct logs_queries *qs, const char *name);
/* "a, b, c" (sanitized) appended to out. */
void logs_queries_names(const struct logs_queries *qs, struct fd_buf *out);
/* One record per query: name, source, query (sanitized by the writer). */
void logs_queries_print(const struct logs_queries *qs, enum fd_output fmt);
void logs_queries_free(struct logs_queries *qs);

#endif
