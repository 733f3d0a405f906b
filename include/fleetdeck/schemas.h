/* schemas.h - the Lambda console's shareable test events. The console keeps them in
 * the EventBridge Schemas registry "lambda-testevent-schemas", one OpenAPI 3 schema
 * per function ("_<function>-schema") whose components.examples hold the saved events
 * (each example's "value" is the event). aws/schemas.c reads them with DescribeSchema
 * (restJson1) and turns them into plain names and JSON texts. */
#ifndef FLEETDECK_SCHEMAS_H
#define FLEETDECK_SCHEMAS_H

#include <stddef.h>

#include "fleetdeck/status.h"

struct aws_client;
struct aws_error;
struct aws_request;

#define FD_SCHEMAS_TESTEVENT_REGISTRY "lambda-testevent-schemas"
#define FD_SCHEMAS_MAX_EVENTS 1000 /* examples read from one schema; the rest are ignored */

struct fd_console_event {
	char *name; /* the example's key, as the console saved it (not checked here) */
	char *json; /* the example's value, printed compactly */
};

void fd_console_events_free(struct fd_console_event *e, size_t n);

/* GET /v1/registries/name/{registry}/schemas/name/{schema} (latest version). */
void schemas_describe_request(struct aws_request *r, const char *registry, const char *schema);
/* The schema document (a JSON text) from a DescribeSchema answer's Content; malloc'd. */
enum fd_status schemas_parse_describe(const char *json, size_t len, char **content,
                                      struct fd_err *err);
/* The events in a schema document: components.examples, in document order. An
 * example that is not an object, has no "value" or whose value is not valid JSON text
 * (invalid UTF-8 in a string) is skipped (counted in *skipped, which may be NULL).
 * No examples at all is FD_OK with *n = 0; a document that is not a JSON object is
 * FD_EPARSE. */
enum fd_status schemas_parse_test_events(const char *content, size_t len,
                                         struct fd_console_event **out, size_t *n, size_t *skipped,
                                         struct fd_err *err);
/* DescribeSchema of "_<function>-schema" in the console's registry, parsed. A missing
 * schema or registry is FD_ENOTFOUND with err->message "no shareable test events for
 * FUNCTION in this account/region"; other failures fill err as the client does. */
enum fd_status schemas_lambda_test_events_sync(struct aws_client *c, const char *function,
                                               struct fd_console_event **out, size_t *n,
                                               struct aws_error *err);

#endif
