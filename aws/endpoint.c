/* endpoint.c - where a request goes. Overrides in the AWS CLI's order, then the
 * partition's default host, then the operation's host prefix. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/endpoint.h"
#include "fleetdeck/util.h"

/* Derived from data/aws-models/partitions.json; tests/unit/test_endpoint.c loads the
 * JSON and fails when this table no longer matches it. */
static const char *const regions_aws[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-south-1",     "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global",
    "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",
    "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",
    "eu-west-2",      "eu-west-3",      "il-central-1",   "me-central-1",
    "me-south-1",     "mx-central-1",   "sa-east-1",      "us-east-1",
    "us-east-2",      "us-west-1",      "us-west-2",      NULL};
static const char *const regions_aws_cn[] = {"aws-cn-global", "cn-north-1", "cn-northwest-1", NULL};
static const char *const regions_aws_eusc[] = {"eusc-de-east-1", NULL};
static const char *const regions_aws_iso[] = {"aws-iso-global", "us-iso-east-1", "us-iso-west-1",
                                              NULL};
static const char *const regions_aws_iso_b[] = {"aws-iso-b-global", "us-isob-east-1",
                                                "us-isob-west-1", NULL};
static const char *const regions_aws_iso_e[] = {"aws-iso-e-global", "eu-isoe-west-1", NULL};
static const char *const regions_aws_iso_f[] = {"aws-iso-f-global", "us-isof-east-1",
                                                "us-isof-south-1", NULL};
static const char *const regions_aws_us_gov[] = {"aws-us-gov-global", "us-gov-east-1",
                                                 "us-gov-west-1", NULL};

static const struct aws_partition partitions[] = {
    {"aws", "partition aws", "amazonaws.com", "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$",
     "us-east-1", regions_aws},
    {"aws-cn", "partition aws-cn", "amazonaws.com.cn", "^cn\\-\\w+\\-\\d+$", "cn-northwest-1",
     regions_aws_cn},
    {"aws-eusc", "partition aws-eusc", "amazonaws.eu", "^eusc\\-(de)\\-\\w+\\-\\d+$",
     "eusc-de-east-1", regions_aws_eusc},
    {"aws-iso", "partition aws-iso", "c2s.ic.gov", "^us\\-iso\\-\\w+\\-\\d+$", "us-iso-east-1",
     regions_aws_iso},
    {"aws-iso-b", "partition aws-iso-b", "sc2s.sgov.gov", "^us\\-isob\\-\\w+\\-\\d+$",
     "us-isob-east-1", regions_aws_iso_b},
    {"aws-iso-e", "partition aws-iso-e", "cloud.adc-e.uk", "^eu\\-isoe\\-\\w+\\-\\d+$",
     "eu-isoe-west-1", regions_aws_iso_e},
    {"aws-iso-f", "partition aws-iso-f", "csp.hci.ic.gov", "^us\\-isof\\-\\w+\\-\\d+$",
     "us-isof-south-1", regions_aws_iso_f},
    {"aws-us-gov", "partition aws-us-gov", "amazonaws.com", "^us\\-gov\\-\\w+\\-\\d+$",
     "us-gov-west-1", regions_aws_us_gov},
};

size_t
aws_partition_count(void)
{
	return FD_ARRAY_LEN(partitions);
}

const struct aws_partition *
aws_partition_at(size_t i)
{
	return i < FD_ARRAY_LEN(partitions) ? &partitions[i] : NULL;
}

/* One atom of the regex subset: "\w", "\d", "\<c>" or a plain literal. -1 = unsupported. */
static int
re_atom(const char *re, char c, size_t *alen)
{
	unsigned char u = (unsigned char)c;

	if (re[0] == '\\') {
		*alen = 2;
		if (re[1] == 'w')
			return isalnum(u) || c == '_';
		if (re[1] == 'd')
			return isdigit(u) != 0;
		return re[1] && !isalnum((unsigned char)re[1]) ? c == re[1] : -1;
	}
	*alen = 1;
	if (!re[0] || strchr(".*?[]{}|()^$+", re[0]))
		return -1;
	return c == re[0];
}

static int re_here(const char *re, const char *s);

/* "(a|b|c)" of plain literals, followed by the rest of the pattern. */
static int
re_group(const char *re, const char *s)
{
	const char *close = strchr(re, ')');
	const char *alt = re + 1;

	if (!close || strchr("+*?{", close[1]))
		return 0;
	while (alt < close) {
		size_t n = strcspn(alt, "|)");
		if (n && strncmp(alt, s, n) == 0 && re_here(close + 1, s + n))
			return 1;
		alt += n + 1;
	}
	return 0;
}

static int
re_here(const char *re, const char *s)
{
	size_t alen = 0;
	const char *t = s;
	int m;

	if (*re == '$')
		return re[1] == '\0' && *s == '\0';
	if (*re == '(')
		return re_group(re, s);
	m = re_atom(re, *s, &alen);
	if (m < 0 || !*s)
		return 0;
	if (re[alen] != '+')
		return m && re_here(re + alen, s + 1);
	while (*t && re_atom(re, *t, &alen) == 1)
		t++;
	for (; t > s; t--)
		if (re_here(re + alen + 1, t))
			return 1;
	return 0;
}

int
aws_partition_regex_match(const struct aws_partition *p, const char *region)
{
	if (!p || !region || strlen(region) > 64 || p->region_regex[0] != '^')
		return 0;
	return re_here(p->region_regex + 1, region);
}

const struct aws_partition *
aws_partition_for_region(const char *region)
{
	size_t i, j;

	for (i = 0; region && i < FD_ARRAY_LEN(partitions); i++)
		for (j = 0; partitions[i].regions[j]; j++)
			if (strcmp(partitions[i].regions[j], region) == 0)
				return &partitions[i];
	for (i = 0; region && i < FD_ARRAY_LEN(partitions); i++)
		if (aws_partition_regex_match(&partitions[i], region))
			return &partitions[i];
	return &partitions[0];
}

const char *
aws_partition_name(const char *region)
{
	return aws_partition_for_region(region)->id;
}

const char *
aws_partition_dns_suffix(const char *region)
{
	return aws_partition_for_region(region)->dns_suffix;
}

/* The pieces of an endpoint before they are joined. */
struct ep_parts {
	char scheme[8];
	char hostname[200]; /* "[::1]" keeps its brackets */
	char port[8];       /* "" for the scheme's default */
	char base_path[256];
};

static enum fd_status
url_fail(const char *url, const char *source, const char *why, struct fd_err *err)
{
	char shown[120];
	size_t i;

	for (i = 0; url[i] && i < sizeof(shown) - 1; i++)
		shown[i] = isprint((unsigned char)url[i]) ? url[i] : '?';
	shown[i] = '\0';
	return fd_err_set(err, FD_ECONFIG, "invalid endpoint URL \"%s\" (from %s): %s", shown,
	                  source ? source : "configuration", why);
}

static const char *
url_scheme(const char *url, struct ep_parts *p)
{
	const char *sep = strstr(url, "://");
	size_t n = sep ? (size_t)(sep - url) : 0;

	if (!sep || n >= sizeof(p->scheme))
		return NULL;
	memcpy(p->scheme, url, n);
	p->scheme[n] = '\0';
	for (n = 0; p->scheme[n]; n++)
		p->scheme[n] = (char)tolower((unsigned char)p->scheme[n]);
	if (strcmp(p->scheme, "http") != 0 && strcmp(p->scheme, "https") != 0)
		return NULL;
	return sep + 3;
}

static int
host_chars_ok(const char *h, size_t n)
{
	size_t i;

	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return 0;
		for (i = 1; i + 1 < n; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
			return 0;
	return n > 0;
}

/* authority = host [":" port]; returns an error text or NULL. */
static const char *
url_authority(const char *a, size_t n, struct ep_parts *p)
{
	const char *colon = a[0] == '[' ? memchr(a, ']', n) : memchr(a, ':', n);
	size_t hlen = n, i;
	long port = 0;

	if (a[0] == '[' && !colon)
		return "unterminated IPv6 address";
	if (a[0] == '[')
		colon = colon + 1 < a + n && colon[1] == ':' ? colon + 1 : NULL;
	if (colon)
		hlen = (size_t)(colon - a);
	if (hlen == 0)
		return "the host is missing";
	if (hlen >= sizeof(p->hostname) || !host_chars_ok(a, hlen))
		return "bad host name";
	memcpy(p->hostname, a, hlen);
	p->hostname[hlen] = '\0';
	if (!colon)
		return NULL;
	for (i = hlen + 1; i < n; i++) {
		if (!isdigit((unsigned char)a[i]) || (port = port * 10 + (a[i] - '0')) > 65535)
			return "bad port";
	}
	if (port < 1)
		return "bad port";
	if (port != (strcmp(p->scheme, "https") == 0 ? 443 : 80))
		snprintf(p->port, sizeof(p->port), "%ld", port);
	return NULL;
}

static enum fd_status
url_parse(const char *url, const char *source, struct ep_parts *p, struct fd_err *err)
{
	const char *rest = url_scheme(url, p), *why;
	size_t alen, plen, i;

	if (!rest)
		return url_fail(url, source, "it must start with http:// or https://", err);
	if (strpbrk(rest, "?#@"))
		return url_fail(url, source, "user info, query and fragment are not allowed", err);
	for (i = 0; rest[i]; i++)
		if (!isgraph((unsigned char)rest[i]))
			return url_fail(url, source,
			                "spaces and control characters are not allowed", err);
	alen = strcspn(rest, "/");
	why = url_authority(rest, alen, p);
	if (why)
		return url_fail(url, source, why, err);
	plen = strlen(rest + alen);
	while (plen && rest[alen + plen - 1] == '/')
		plen--;
	if (plen >= sizeof(p->base_path))
		return url_fail(url, source, "the path is too long", err);
	memcpy(p->base_path, rest + alen, plen);
	p->base_path[plen] = '\0';
	return FD_OK;
}

/* The configured URL for svc, or NULL. --endpoint-url is a command-line choice and is
 * honoured even with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, like the AWS CLI. */
static const char *
pick_override(const struct aws_settings *s, enum aws_service_id svc, const char **source)
{
	*source = s->endpoint_url_source;
	if (s->endpoint_url && fd_str_eq(s->endpoint_url_source, "--endpoint-url"))
		return s->endpoint_url;
	if (s->ignore_configured_endpoints)
		return NULL;
	if (s->service_endpoint[svc]) {
		*source = s->service_endpoint_source[svc];
		return s->service_endpoint[svc];
	}
	return s->endpoint_url;
}

/* IAM is global: one endpoint per partition, signed for that partition's region
 * (endpoints.json, the partitionEndpoint of "iam"). */
static const struct {
	const char *partition, *host, *signing_region;
} iam_global[] = {
    {"aws", "iam.amazonaws.com", "us-east-1"},
    {"aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    {"aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
    {"aws-iso", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
    {"aws-iso-b", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
    {"aws-iso-f", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},
};

static size_t
iam_global_for(const char *region)
{
	const char *part = aws_partition_name(region ? region : "us-east-1");
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(iam_global); i++)
		if (strcmp(iam_global[i].partition, part) == 0)
			return i;
	return 0;
}

static enum fd_status
default_parts(const struct aws_settings *s, enum aws_service_id svc, const char *region,
              struct ep_parts *p, const char **source, struct fd_err *err)
{
	const struct aws_service *info = aws_service_get(svc);
	const struct aws_partition *part;

	strcpy(p->scheme, "https");
	if (svc == AWS_SVC_IAM) {
		fd_strlcpy(p->hostname, iam_global[iam_global_for(region)].host,
		           sizeof(p->hostname));
		*source = "global IAM endpoint";
		return FD_OK;
	}
	if (!region && svc == AWS_SVC_STS) {
		/* The global endpoint is signed with us-east-1. */
		strcpy(p->hostname, "sts.amazonaws.com");
		*source = "global STS endpoint";
		return FD_OK;
	}
	if (!region)
		return fd_err_set(err, FD_ECONFIG,
		                  "no region for %s: use --region, AWS_REGION or region in profile "
		                  "\"%s\"",
		                  info->service_id, s->profile ? s->profile : "default");
	part = aws_partition_for_region(region);
	snprintf(p->hostname, sizeof(p->hostname), "%s.%s.%s", info->endpoint_prefix, region,
	         part->dns_suffix);
	*source = part->source;
	return FD_OK;
}

/* The host prefix ("stream-") goes in front of DNS names only: an IP literal or
 * "localhost" (a loopback emulator such as the simulator) cannot serve
 * "stream-127.0.0.1", so there it is left out. */
static int
prefix_applies(const char *hostname)
{
	size_t i;

	if (hostname[0] == '[' || fd_str_case_eq(hostname, "localhost"))
		return 0;
	for (i = 0; hostname[i]; i++)
		if (!isdigit((unsigned char)hostname[i]) && hostname[i] != '.')
			return 1;
	return 0;
}

static enum fd_status
join_parts(const struct aws_settings *s, const struct ep_parts *p, const char *host_prefix,
           struct aws_endpoint *out, struct fd_err *err)
{
	const char *prefix = "";
	int n;

	if (host_prefix && !s->disable_host_prefix && prefix_applies(p->hostname))
		prefix = host_prefix;
	n = snprintf(out->host, sizeof(out->host), "%s%s%s%s", prefix, p->hostname,
	             p->port[0] ? ":" : "", p->port);
	if (n < 0 || (size_t)n >= sizeof(out->host))
		return fd_err_set(err, FD_ECONFIG, "endpoint host name too long");
	n = snprintf(out->url, sizeof(out->url), "%s://%s%s", p->scheme, out->host, p->base_path);
	if (n < 0 || (size_t)n >= sizeof(out->url))
		return fd_err_set(err, FD_ECONFIG, "endpoint URL too long");
	fd_strlcpy(out->scheme, p->scheme, sizeof(out->scheme));
	fd_strlcpy(out->base_path, p->base_path, sizeof(out->base_path));
	return FD_OK;
}

enum fd_status
aws_endpoint_resolve_region(const struct aws_settings *s, enum aws_service_id svc,
                            const char *region, const char *host_prefix, struct aws_endpoint *out,
                            struct fd_err *err)
{
	struct ep_parts parts;
	const char *source = NULL, *url;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	memset(&parts, 0, sizeof(parts));
	if ((unsigned)svc >= AWS_SVC_COUNT)
		return fd_err_set(err, FD_EINVAL, "unknown service %d", (int)svc);
	if (region && !aws_region_valid(region))
		return fd_err_set(err, FD_ECONFIG, "invalid region name for %s",
		                  aws_service_get(svc)->service_id);
	url = pick_override(s, svc, &source);
	if (url)
		st = url_parse(url, source, &parts, err);
	else
		st = default_parts(s, svc, region, &parts, &source, err);
	if (st != FD_OK)
		return st;
	st = join_parts(s, &parts, host_prefix, out, err);
	fd_strlcpy(out->signing_region, region ? region : "us-east-1", sizeof(out->signing_region));
	if (svc == AWS_SVC_IAM)
		fd_strlcpy(out->signing_region, iam_global[iam_global_for(region)].signing_region,
		           sizeof(out->signing_region));
	out->source = source;
	return st;
}

enum fd_status
aws_endpoint_resolve(const struct aws_settings *s, enum aws_service_id svc, const char *host_prefix,
                     struct aws_endpoint *out, struct fd_err *err)
{
	return aws_endpoint_resolve_region(s, svc, s->region, host_prefix, out, err);
}
