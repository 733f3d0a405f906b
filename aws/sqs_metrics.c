/* sqs_metrics.c - CloudWatch GetMetricData for the queues board: the age of each
 * queue's oldest message (latest point) and its visible depth over the last hour in
 * 5-minute points, two queries per queue, query ids "a<i>" and "v<i>". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/sqs.h"

#define SPARK_PERIOD_S 300

static int64_t
window_start(int64_t end_s)
{
	return end_s - (int64_t)FD_QUEUE_SPARK * SPARK_PERIOD_S;
}

static cJSON *
query(const char *id, const char *metric, const char *queue)
{
	cJSON *o = cJSON_CreateObject(), *stat, *m, *dims, *d;

	cJSON_AddStringToObject(o, "Id", id);
	stat = cJSON_AddObjectToObject(o, "MetricStat");
	m = cJSON_AddObjectToObject(stat, "Metric");
	cJSON_AddStringToObject(m, "Namespace", "AWS/SQS");
	cJSON_AddStringToObject(m, "MetricName", metric);
	dims = cJSON_AddArrayToObject(m, "Dimensions");
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "Name", "QueueName");
	cJSON_AddStringToObject(d, "Value", queue);
	cJSON_AddItemToArray(dims, d);
	cJSON_AddNumberToObject(stat, "Period", SPARK_PERIOD_S);
	cJSON_AddStringToObject(stat, "Stat", "Maximum");
	cJSON_AddBoolToObject(o, "ReturnData", 1);
	return o;
}

char *
sqs_build_metrics_request(const struct fd_queue *q, size_t first, size_t count, int64_t end_s,
                          const char *next_token)
{
	cJSON *doc = cJSON_CreateObject(), *list;
	char id[32], *text;
	size_t i;

	end_s -= end_s % SPARK_PERIOD_S;
	list = cJSON_AddArrayToObject(doc, "MetricDataQueries");
	for (i = first; i < first + count; i++) {
		snprintf(id, sizeof(id), "a%zu", i);
		cJSON_AddItemToArray(list, query(id, "ApproximateAgeOfOldestMessage", q[i].name));
		snprintf(id, sizeof(id), "v%zu", i);
		cJSON_AddItemToArray(list,
		                     query(id, "ApproximateNumberOfMessagesVisible", q[i].name));
	}
	cJSON_AddNumberToObject(doc, "StartTime", (double)window_start(end_s));
	cJSON_AddNumberToObject(doc, "EndTime", (double)end_s);
	cJSON_AddStringToObject(doc, "ScanBy", "TimestampAscending");
	if (next_token)
		cJSON_AddStringToObject(doc, "NextToken", next_token);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		fd_fatal("out of memory building GetMetricData");
	return text;
}

static void
apply_result(const cJSON *r, struct fd_queue *q, size_t n, int64_t start_s)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "Id");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(r, "Timestamps");
	const cJSON *vs = cJSON_GetObjectItemCaseSensitive(r, "Values");
	double newest = -1, t, v;
	char *end = NULL;
	unsigned long k;
	long slot;
	int i, count;

	if (!cJSON_IsString(id) || !cJSON_IsArray(ts) || !cJSON_IsArray(vs))
		return;
	k = strtoul(id->valuestring + 1, &end, 10);
	if (!end || *end || k >= n || (id->valuestring[0] != 'a' && id->valuestring[0] != 'v'))
		return;
	count = FD_MIN(cJSON_GetArraySize(ts), cJSON_GetArraySize(vs));
	for (i = 0; i < count; i++) {
		t = cJSON_GetArrayItem(ts, i)->valuedouble;
		v = cJSON_GetArrayItem(vs, i)->valuedouble;
		if (!isfinite(t) || !isfinite(v))
			continue;
		if (id->valuestring[0] == 'a' && t > newest) {
			newest = t;
			q[k].oldest_age_s = v;
		}
		slot = (long)floor((t - (double)start_s) / SPARK_PERIOD_S);
		if (id->valuestring[0] == 'v' && slot >= 0 && slot < FD_QUEUE_SPARK)
			q[k].spark[slot] = v;
	}
}

enum fd_status
sqs_parse_metrics(const char *json, size_t len, struct fd_queue *q, size_t n, int64_t end_s,
                  char **next_token, struct fd_err *err)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	const cJSON *results, *r, *tok;

	*next_token = NULL;
	end_s -= end_s % SPARK_PERIOD_S;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE, "GetMetricData: answer is not a JSON object");
	}
	results = cJSON_GetObjectItemCaseSensitive(doc, "MetricDataResults");
	if (!cJSON_IsArray(results))
		results = NULL;
	cJSON_ArrayForEach(r, results) apply_result(r, q, n, window_start(end_s));
	tok = cJSON_GetObjectItemCaseSensitive(doc, "NextToken");
	if (cJSON_IsString(tok) && tok->valuestring[0])
		*next_token = fd_xstrdup(tok->valuestring);
	cJSON_Delete(doc);
	return FD_OK;
}
