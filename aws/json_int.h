/* json_int.h - cJSON accessors shared by the aws/ parsers (defined in jsonutil.c):
 * typed member lookups that never trust the shape of an answer, and the parse of a
 * whole answer that must be a JSON object. Not a public header: nothing outside
 * aws/ includes it (only aws/ may see cJSON). */
#ifndef FLEETDECK_AWS_JSON_INT_H
#define FLEETDECK_AWS_JSON_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "fleetdeck/status.h"

/* Largest magnitude taken as an integer: beyond it a double has lost whole units. */
#define CJ_INT_MAX_ABS 9.0e15

/* The member key of o, or NULL when o is not an object or has no such member. */
const cJSON *cj_member(const cJSON *o, const char *key);
/* The string member key (may be empty), or NULL when absent or not a string. */
const char *cj_str(const cJSON *o, const char *key);
/* As cj_str, but NULL for an empty string too. */
const char *cj_str_nonempty(const cJSON *o, const char *key);
/* The finite number member key, or dflt. */
double cj_num(const cJSON *o, const char *key, double dflt);
/* The number member key as an integer, or dflt when absent, not finite or larger
 * than CJ_INT_MAX_ABS. */
long long cj_long(const cJSON *o, const char *key, long long dflt);
/* The answer json[0..len) parsed; NULL with err set ("<what>: answer is not a JSON
 * object (<len> bytes)") unless it is an object. cJSON_Delete() the result. */
cJSON *cj_parse_object(const char *what, const char *json, size_t len, struct fd_err *err);
/* As cj_parse_object, and the message also says at which byte the syntax broke. */
cJSON *cj_parse_object_at(const char *what, const char *json, size_t len, struct fd_err *err);

#endif
