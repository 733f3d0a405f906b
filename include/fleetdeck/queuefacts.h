/* queuefacts.h - reads what the sqs-no-redrive check needs of the SQS queues that are
 * event sources (risks.h's struct fd_queue_fact): each source queue once (GetQueueUrl,
 * GetQueueAttributes: RedrivePolicy), then each DLQ those policies name once
 * (ApproximateNumberOfMessages). At most QF_INFLIGHT calls at a time, each drawn from
 * the client's per-action SQS rate-limit bucket. Runs through client callbacks. */
#ifndef FLEETDECK_QUEUEFACTS_H
#define FLEETDECK_QUEUEFACTS_H

#include <stddef.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"
#include "fleetdeck/risks.h"

#define QF_INFLIGHT 4

/* The ARNs of the SQS queues with an event source mapping on one of fns (detail
 * loaded), each once, sorted; returns the count (*arns malloc'd, NULL when none). */
size_t fd_qfacts_sources(const struct fd_function *fns, size_t n, char ***arns);

/* done runs once, from a client callback (or at once when there is nothing to read),
 * and takes the facts (free with fd_queue_facts_free). A queue whose attributes could
 * not be read has no fact; error is the first such failure ("" when none). st is
 * FD_ECANCELLED (and there are no facts) when the client cancelled the calls. */
typedef void (*fd_qfacts_done_fn)(struct fd_queue_fact *facts, size_t n, enum fd_status st,
				  const char *error, void *ud);
struct fd_qfacts_job;
/* arns are copied. Returns NULL when done already ran (nothing to read). */
struct fd_qfacts_job *fd_qfacts_start(struct aws_client *c, char *const *arns, size_t n,
				      fd_qfacts_done_fn done, void *ud);
/* Cancels the calls in flight and frees the job; done does not run. */
void fd_qfacts_cancel(struct fd_qfacts_job *j);
/* Runs a read to completion (headless). FD_OK also when some queues failed (error
 * then says which; it may be NULL). */
enum fd_status fd_qfacts_read_sync(struct aws_client *c, char *const *arns, size_t n,
				   struct fd_queue_fact **facts, size_t *nfacts, char *error,
				   size_t error_len);

#endif
