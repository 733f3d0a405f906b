/* awsconfig.h - what the user configured for AWS: profile, region, files,
 * endpoint overrides, retry settings. Resolved once from flags, environment and
 * the shared config/credentials files in the AWS CLI's precedence order. */
#ifndef FLEETDECK_AWSCONFIG_H
#define FLEETDECK_AWSCONFIG_H

#include "fleetdeck/ini.h"
#include "fleetdeck/services.h"
#include "fleetdeck/status.h"

struct aws_settings_opts {
	const char *profile;      /* --profile (explicit: env credentials are then skipped) */
	const char *region;       /* --region */
	const char *endpoint_url; /* --endpoint-url */
};

struct aws_settings {
	char *profile;            /* effective profile name ("default") */
	const char *profile_source; /* "--profile", "AWS_PROFILE", "default" */
	int profile_explicit;     /* given by --profile */
	char *region;             /* NULL when none configured anywhere */
	const char *region_source; /* "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "profile" */
	char *config_path;        /* AWS_CONFIG_FILE or ~/.aws/config */
	char *credentials_path;   /* AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials */
	struct ini_file *config;  /* NULL when the file does not exist */
	struct ini_file *credentials;
	char *ca_bundle;          /* AWS_CA_BUNDLE or profile ca_bundle */
	int max_attempts;         /* AWS_MAX_ATTEMPTS / max_attempts; default 3 */
	char *retry_mode;         /* AWS_RETRY_MODE / retry_mode; default "standard" */
	char *endpoint_url;       /* --endpoint-url, AWS_ENDPOINT_URL, profile endpoint_url */
	const char *endpoint_url_source; /* "--endpoint-url", "AWS_ENDPOINT_URL", "profile" */
	char *service_endpoint[AWS_SVC_COUNT]; /* AWS_ENDPOINT_URL_<SVC> or [services] section */
	/* "AWS_ENDPOINT_URL_SQS" or "[services x] sqs": where service_endpoint[i] came from */
	char *service_endpoint_source[AWS_SVC_COUNT];
	char *services_section;   /* profile `services = NAME`: "services NAME", or NULL */
	int ignore_configured_endpoints; /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true */
	int disable_host_prefix;  /* AWS_DISABLE_HOST_PREFIX_INJECTION=true */
	int read_only;            /* profile read_only = true (fleetdeck extension) */
	int prod;                 /* profile fleetdeck_prod / prod = true (fleetdeck extension) */
};

/* Loads settings. Fails with a clear message for a malformed file, a profile that
 * was asked for explicitly but does not exist, or an invalid region name. */
enum fd_status aws_settings_load(struct aws_settings *s, const struct aws_settings_opts *opts,
				 struct fd_err *err);
void aws_settings_free(struct aws_settings *s);

/* Value of KEY for profile NAME: [profile NAME] (or [default]) in the config file. */
const char *aws_settings_config_value(const struct aws_settings *s, const char *profile,
				      const char *key);
/* Value of KEY in [NAME] of the credentials file. */
const char *aws_settings_credentials_value(const struct aws_settings *s, const char *profile,
					   const char *key);
/* Merged view, like botocore: the credentials file's [NAME] wins over the config file. */
const char *aws_settings_profile_value(const struct aws_settings *s, const char *profile,
				       const char *key);
/* True when NAME is a profile in either file. */
int aws_settings_profile_exists(const struct aws_settings *s, const char *profile);
/* Profiles found in either file, sorted and unique; caller frees the array (not strings,
 * which live as long as s). */
const char **aws_settings_profiles(const struct aws_settings *s, size_t *n);

/* Region names: lowercase letters, digits and hyphens, e.g. us-east-1, eu-west-2. */
int aws_region_valid(const char *region);

#endif
