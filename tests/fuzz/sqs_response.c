/* sqs_response.c - libFuzzer target: every SQS answer parser on the same bytes
 * (ReceiveMessage with its digests, batch results, queue lists and attributes, move
 * tasks, CloudWatch queue metrics) and the JSON path lookup filters use. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sqs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
list_parsers(const char *json, size_t size)
{
	struct sqs_move_task *t = NULL;
	struct fd_err err = {0};
	char **urls = NULL, *next = NULL;
	size_t n = 0, i;

	sqs_parse_list_queues(json, size, &urls, &n, &next, &err);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(next);
	sqs_parse_dlq_sources(json, size, &urls, &n, &next, &err);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(next);
	sqs_parse_move_tasks(json, size, &t, &n, &err);
	sqs_move_tasks_free(t, n);
	free(sqs_parse_string(json, size, "TaskHandle"));
	(void)sqs_parse_number(json, size, "ApproximateNumberOfMessagesMoved");
}

static void
queue_parsers(const char *json, size_t size)
{
	struct sqs_batch_result r[SQS_BATCH_MAX];
	struct fd_queue q[2];
	struct fd_err err = {0};
	char *next = NULL;

	memset(q, 0, sizeof(q));
	q[0].name = strdup("a");
	q[1].name = strdup("b.fifo");
	sqs_parse_attributes(json, size, &q[0], &err);
	sqs_parse_metrics(json, size, q, 2, 1700000000, &next, &err);
	free(next);
	fd_queue_free(&q[0]);
	fd_queue_free(&q[1]);
	sqs_parse_batch(json, size, r, SQS_BATCH_MAX, &err);
	sqs_batch_results_free(r, SQS_BATCH_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct fd_sqs_msg *m = NULL;
	struct fd_err err = {0};
	struct sqs_jvalue v;
	struct fd_buf b;
	size_t n = 0;

	if (sqs_parse_receive(json, size, &m, &n, &err) == FD_OK)
		fd_sqs_msgs_free(m, n);
	list_parsers(json, size);
	queue_parsers(json, size);
	if (sqs_json_path(json, size, ".Records[0].body", &v, &err) == FD_OK)
		sqs_jvalue_free(&v);
	fd_buf_init(&b);
	sqs_json_pretty(json, size, &b);
	fd_buf_free(&b);
	return 0;
}
