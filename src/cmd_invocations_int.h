/* cmd_invocations_int.h - what cmd_invocations.c (the commands) and
 * cmd_invocation_print.c (the printers of `fleetdeck invocation`) share. */
#ifndef FLEETDECK_CMD_INVOCATIONS_INT_H
#define FLEETDECK_CMD_INVOCATIONS_INT_H

#include <stdint.h>
#include <stdio.h>

#include "fleetdeck/invocations.h"

/* "2026-01-02T03:04:05.678Z" for epoch milliseconds; "" for 0. */
void invocation_time_text(int64_t ms, char *out, size_t n);
/* One json object (and a newline): the record, phases, log lines, SQS message, trace. */
void invocation_print_json(FILE *out, const struct fd_timeline *t);
/* The record, the phase and trace bars, the log lines. */
void invocation_print_text(FILE *out, const struct fd_timeline *t);

#endif
