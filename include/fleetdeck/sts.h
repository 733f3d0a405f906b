/* sts.h - STS: GetCallerIdentity for `whoami`/`doctor`, and the XML answers of
 * AssumeRole / AssumeRoleWithWebIdentity used by the credential chain. */
#ifndef FLEETDECK_STS_H
#define FLEETDECK_STS_H

#include <stddef.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/creds.h"
#include "fleetdeck/status.h"

struct sts_identity {
	char account[32];
	char arn[512];
	char user_id[256];
};

enum fd_status sts_get_caller_identity(struct aws_client *c, struct sts_identity *out,
				       struct aws_error *err);
/* Parsers (fuzzed): return FD_EPARSE on anything unexpected. */
enum fd_status sts_parse_identity(const char *xml, size_t len, struct sts_identity *out,
				  struct fd_err *err);
enum fd_status sts_parse_credentials(const char *xml, size_t len, struct aws_creds *out,
				     struct fd_err *err);
/* An <ErrorResponse>: sets err to FD_EAWS "Code: Message" (sanitised) and returns
 * FD_EAWS; FD_EPARSE when xml is not an STS error document. */
enum fd_status sts_parse_error(const char *xml, size_t len, struct fd_err *err);

#endif
