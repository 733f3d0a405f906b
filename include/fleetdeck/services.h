/* services.h - the table of AWS services (aws/services.def) as C data. */
#ifndef FLEETDECK_SERVICES_H
#define FLEETDECK_SERVICES_H

enum aws_protocol {
	AWS_PROTO_REST_JSON, /* Lambda, X-Ray, SSO: paths, JSON bodies */
	AWS_PROTO_JSON_1_0,  /* SQS, CloudWatch metrics: POST /, X-Amz-Target */
	AWS_PROTO_JSON_1_1,  /* Logs, EventBridge */
	AWS_PROTO_QUERY,     /* STS: form body, XML answer */
};

enum aws_service_id {
#define X(id, sid, prefix, signing, env, cfg, proto, target, version, qmode) AWS_SVC_##id,
#include "../../aws/services.def"
#undef X
	AWS_SVC_COUNT
};

struct aws_service {
	enum aws_service_id id;
	const char *service_id;      /* "Lambda": used in error text "Lambda.ListFunctions: ..." */
	const char *endpoint_prefix; /* host label: lambda.<region>.amazonaws.com */
	const char *signing_name;    /* SigV4 credential scope service */
	const char *env_suffix;      /* AWS_ENDPOINT_URL_<env_suffix> */
	const char *config_key;      /* key inside a [services NAME] section */
	enum aws_protocol protocol;
	const char *target_prefix;   /* X-Amz-Target prefix for JSON protocols */
	const char *api_version;     /* query protocol Version=, REST path prefix for Lambda */
	int query_mode;              /* awsQueryCompatible: send x-amzn-query-mode: true */
};

const struct aws_service *aws_service_get(enum aws_service_id id);
/* Looks up by endpoint prefix or lowercase service id ("lambda", "logs", "sqs"). */
const struct aws_service *aws_service_find(const char *name);

#endif
