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

/* credential_process: splits cmdline like a POSIX shell would split words (single and
 * double quotes, backslash escapes; no expansion), runs it without a shell, and reads
 * the JSON (Version 1) it prints. A non-zero exit is an error quoting the first line of
 * its stderr. The chain uses AWS_CREDENTIAL_PROCESS_TIMEOUT_MS (30 s). */
#define AWS_CREDENTIAL_PROCESS_TIMEOUT_MS 30000L
enum fd_status aws_creds_from_process(const char *cmdline, long timeout_ms,
				      struct aws_creds *out, struct fd_err *err);
/* The word splitting alone: a NULL-terminated malloc'd argv, freed by aws_argv_free. */
enum fd_status aws_split_command(const char *cmdline, char ***argv, struct fd_err *err);
void aws_argv_free(char **argv);

#endif
