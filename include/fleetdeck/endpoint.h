/* endpoint.h - where a request goes: overrides first (AWS_ENDPOINT_URL_<SVC>,
 * [services] section, AWS_ENDPOINT_URL, profile endpoint_url), then the partition's
 * default host <prefix>.<region>.<dnsSuffix>. */
#ifndef FLEETDECK_ENDPOINT_H
#define FLEETDECK_ENDPOINT_H

#include "fleetdeck/awsconfig.h"
#include "fleetdeck/services.h"
#include "fleetdeck/status.h"

struct aws_endpoint {
	char url[512];            /* scheme://host[:port][base_path], no trailing '/' */
	char scheme[8];           /* "https" or "http" */
	char host[256];           /* Host header: hostname plus ":port" when not default */
	char base_path[256];      /* path prefix from a custom endpoint URL, "" usually */
	char signing_region[32];
	const char *source;       /* "AWS_ENDPOINT_URL_LAMBDA", "partition aws", ... */
};

/* host_prefix: "stream-" for Logs StartLiveTail, NULL otherwise (it is applied to custom
 * endpoints too unless disable_host_prefix is set, like botocore). */
enum fd_status aws_endpoint_resolve(const struct aws_settings *s, enum aws_service_id svc,
				    const char *host_prefix, struct aws_endpoint *out,
				    struct fd_err *err);

/* Same, for a region other than s->region (the SSO portal and OIDC use sso_region).
 * region may be NULL: STS then uses the global endpoint, other services fail. */
enum fd_status aws_endpoint_resolve_region(const struct aws_settings *s, enum aws_service_id svc,
					   const char *region, const char *host_prefix,
					   struct aws_endpoint *out, struct fd_err *err);

/* The partition table, derived from data/aws-models/partitions.json (a unit test checks
 * that it still matches the JSON). */
struct aws_partition {
	const char *id;               /* "aws" */
	const char *source;           /* "partition aws", for aws_endpoint.source */
	const char *dns_suffix;       /* "amazonaws.com" */
	const char *region_regex;     /* verbatim regionRegex */
	const char *global_region;    /* implicitGlobalRegion */
	const char *const *regions;   /* explicitly listed regions, NULL-terminated */
};
size_t aws_partition_count(void);
const struct aws_partition *aws_partition_at(size_t i);
/* Explicit region lists first, then the regexes, else the "aws" partition. */
const struct aws_partition *aws_partition_for_region(const char *region);
/* Matches region against p->region_regex (the small regex subset partitions.json uses:
 * ^ $ literals \- \w+ \d+ and (a|b) groups of literals). */
int aws_partition_regex_match(const struct aws_partition *p, const char *region);

/* Partition of a region: "aws", "aws-cn", "aws-us-gov", ...; dnsSuffix "amazonaws.com".
 * Unknown regions fall back to the partition whose regex matches, else "aws". */
const char *aws_partition_name(const char *region);
const char *aws_partition_dns_suffix(const char *region);

#endif
