/* logs.h - CloudWatch Logs calls (awsJson1.1). This part: log groups (retention,
 * stored bytes) for the inventory. The follow engine and Insights come later. */
#ifndef FLEETDECK_LOGS_H
#define FLEETDECK_LOGS_H

#include <stddef.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"

/* DescribeLogGroups with logGroupNamePrefix (e.g. "/aws/lambda/"), all pages. */
enum fd_status logs_describe_groups_sync(struct aws_client *c, const char *prefix,
					 struct fd_log_group **out, size_t *n,
					 struct aws_error *err);
enum fd_status logs_parse_describe_groups(const char *json, size_t len, struct fd_log_group **out,
					  size_t *n, char **next_token, struct fd_err *err);

#endif
