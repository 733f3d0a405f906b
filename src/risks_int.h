/* risks_int.h - private to the risk checks: the sink evaluators write into, and the
 * evaluators that live outside risks.c (src/iam_checks.c: least privilege, secrets,
 * log level). The table itself stays in risks.c. */
#ifndef FLEETDECK_RISKS_INT_H
#define FLEETDECK_RISKS_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "fleetdeck/risks.h"

struct risk_sink {
	const struct fd_risk_input *in;
	const struct fd_risk_check *check;
	struct fd_risk **out;
	size_t *n;
};

/* Appends one risk of s->check for s->in->fn. */
void risk_emit(struct risk_sink *s, enum fd_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void check_iam_wildcard(struct risk_sink *s);
void check_iam_passrole(struct risk_sink *s);
void check_iam_data_write(struct risk_sink *s);
void check_iam_managed_broad(struct risk_sink *s);
void check_iam_role_shared(struct risk_sink *s);
void check_iam_trust_broad(struct risk_sink *s);
void check_secret_rotation(struct risk_sink *s);
void check_secret_unreadable(struct risk_sink *s);
void check_log_debug_prod(struct risk_sink *s);

#endif
