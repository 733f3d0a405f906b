/* services.c - the services table, expanded from aws/services.def. */
#include <stddef.h>

#include "fleetdeck/services.h"
#include "fleetdeck/util.h"

static const struct aws_service services[AWS_SVC_COUNT] = {
#define X(id, sid, prefix, signing, env, cfg, proto, target, version, qmode)                       \
	[AWS_SVC_##                                                                                \
	    id] = {AWS_SVC_##id, sid, prefix, signing, env, cfg, proto, target, version, qmode},
#include "services.def"
#undef X
};

const struct aws_service *
aws_service_get(enum aws_service_id id)
{
	if ((unsigned)id >= AWS_SVC_COUNT)
		return NULL;
	return &services[id];
}

const struct aws_service *
aws_service_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < AWS_SVC_COUNT; i++) {
		const struct aws_service *s = &services[i];
		if (fd_str_case_eq(name, s->endpoint_prefix) ||
		    fd_str_case_eq(name, s->service_id) || fd_str_case_eq(name, s->config_key) ||
		    fd_str_case_eq(name, s->env_suffix))
			return s;
	}
	return NULL;
}
