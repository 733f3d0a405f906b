/* cmd_logs_int.h - what `logs tail` (cmd_logs.c) and `logs query` (cmd_logs_query.c)
 * share: option values, target resolution and SIGINT/SIGTERM handling. */
#ifndef FLEETDECK_CMD_LOGS_INT_H
#define FLEETDECK_CMD_LOGS_INT_H

#include "fleetdeck/app.h"
#include "fleetdeck/follow.h"

/* "--name VALUE" or "--name=VALUE" at argv[*i]; *matched says whether it was name. */
const char *logs_opt_value(int argc, char **argv, int *i, const char *name, int *matched);
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

#endif
