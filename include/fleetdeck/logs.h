/* logs.h - CloudWatch Logs calls (awsJson1.1). This part: log groups (retention,
 * stored bytes) for the inventory. The follow engine and Insights come later. */
#ifndef FLEETDECK_LOGS_H
#define FLEETDECK_LOGS_H

#include <stddef.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"

/* DescribeLogGroups with logGroupNamePrefix (e.g. "/aws/lambda/"; NULL = every
 * group), all pages. The async form hands each page to on_page (the callee owns g:
 * keep what it wants, free the rest with fd_log_groups_free) and ends with done. */
struct logs_groups_cb {
	void (*on_page)(struct fd_log_group *g, size_t n, void *ud);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};
uint64_t logs_describe_groups(struct aws_client *c, const char *prefix,
			      const struct logs_groups_cb *cb);
enum fd_status logs_describe_groups_sync(struct aws_client *c, const char *prefix,
					 struct fd_log_group **out, size_t *n,
					 struct aws_error *err);
enum fd_status logs_parse_describe_groups(const char *json, size_t len, struct fd_log_group **out,
					  size_t *n, char **next_token, struct fd_err *err);

#endif
