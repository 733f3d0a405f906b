/* creds.h - the credential provider chain, in the AWS CLI's order:
 * environment, assume-role (role_arn + source_profile/credential_source), web
 * identity, SSO (sso_session / legacy), shared credentials file, credential_process,
 * config file static keys, container credentials, EC2 IMDSv2.
 * Secrets live only in memory, are wiped when freed, and are never printed. */
#ifndef FLEETDECK_CREDS_H
#define FLEETDECK_CREDS_H

#include <time.h>

#include "fleetdeck/awsconfig.h"
#include "fleetdeck/status.h"

struct aws_creds {
	char *access_key;
	char *secret_key;
	char *session_token;      /* NULL for long-term keys */
	time_t expiration;        /* 0 = does not expire */
	char source[96];          /* "environment", "assume-role (profile dev)", "sso (profile x)", ... */
	char account_id[32];      /* when the provider knows it, else "" */
};

/* Resolves credentials for s->profile. Blocking (network for STS/SSO/IMDS/container);
 * called before the UI starts and when aws_creds_expiring() says so. */
enum fd_status aws_creds_resolve(const struct aws_settings *s, struct aws_creds *out,
				 struct fd_err *err);
void aws_creds_free(struct aws_creds *c);
void aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src);
/* True when temporary credentials expire within margin_s seconds of now. */
int aws_creds_expiring(const struct aws_creds *c, time_t now, long margin_s);
/* Forgets assume-role/SSO results cached in this process. */
void aws_creds_cache_clear(void);

#endif
