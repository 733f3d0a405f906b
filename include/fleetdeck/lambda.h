/* lambda.h - Lambda control-plane calls and their parsers (restJson1), turning
 * answers into struct fd_function records. Async calls go through the aws client
 * (rate-limited: the Lambda control-plane quota); parsers are pure and fuzzed. */
#ifndef FLEETDECK_LAMBDA_H
#define FLEETDECK_LAMBDA_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"

/* ListFunctions, all pages. Calls on_page for every page (fns owned by the callee:
 * move what you keep and free the rest with fd_functions_free) and done at the end. */
struct lambda_list_cb {
	void (*on_page)(struct fd_function *fns, size_t n, void *ud);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};
uint64_t lambda_list_functions(struct aws_client *c, const struct lambda_list_cb *cb);
enum fd_status lambda_list_functions_sync(struct aws_client *c, struct fd_function **out,
					  size_t *n, struct aws_error *err);

/* Fills the detail part of fn (tags, concurrency, triggers from event source mappings
 * and the resource policy, aliases, versions, provisioned concurrency, async config).
 * Several calls; done runs once with the first hard error (a missing async config or
 * policy is not an error). fn must stay alive until done runs. The detail is loaded
 * aside and moved into fn only when every call succeeded (old detail kept otherwise);
 * triggers are sorted by kind then source. Returns the first call's id; cancelling
 * it does not stop the others, so do not cancel a detail load. */
uint64_t lambda_load_detail(struct aws_client *c, struct fd_function *fn,
			    void (*done)(enum fd_status st, const struct aws_error *e, void *ud),
			    void *ud);
enum fd_status lambda_load_detail_sync(struct aws_client *c, struct fd_function *fn,
				       struct aws_error *err);

/* -1 in a field the answer lacked. */
struct lambda_account {
	long long concurrent_limit;
	long long unreserved_limit;
	long long function_count;
	long long code_size_used;
};
/* GetAccountSettings; done runs once (acct NULL unless st is FD_OK, e NULL when it
 * is), also when the call is cancelled. */
typedef void (*lambda_account_fn)(enum fd_status st, const struct lambda_account *acct,
				  const struct aws_error *e, void *ud);
uint64_t lambda_account_settings(struct aws_client *c, lambda_account_fn done, void *ud);
enum fd_status lambda_account_settings_sync(struct aws_client *c, struct lambda_account *out,
					    struct aws_error *err);

/* Parsers (pure; fuzzed). Return FD_EPARSE with detail on malformed input. */
enum fd_status lambda_parse_list_functions(const char *json, size_t len, struct fd_function **out,
					   size_t *n, char **next_marker, struct fd_err *err);
enum fd_status lambda_parse_function_config(const char *json, size_t len, struct fd_function *out,
					    struct fd_err *err);
enum fd_status lambda_parse_policy_triggers(const char *json, size_t len, struct fd_function *fn,
					    struct fd_err *err);
enum fd_status lambda_parse_event_source_mappings(const char *json, size_t len,
						  struct fd_function *fn, char **next_marker,
						  struct fd_err *err);
enum fd_status lambda_parse_async_config(const char *json, size_t len, struct fd_async_config *out,
					 struct fd_err *err);

/* More detail parsers (pure; fuzzed like the rest). List parsers append to what fn
 * already holds, so pages can be fed one after the other. */
enum fd_status lambda_parse_get_function(const char *json, size_t len, struct fd_function *fn,
					 struct fd_err *err);
enum fd_status lambda_parse_aliases(const char *json, size_t len, struct fd_function *fn,
				    char **next_marker, struct fd_err *err);
enum fd_status lambda_parse_versions(const char *json, size_t len, struct fd_function *fn,
				     char **next_marker, struct fd_err *err);
enum fd_status lambda_parse_account_settings(const char *json, size_t len,
					     struct lambda_account *out, struct fd_err *err);

/* ListProvisionedConcurrencyConfigs: one entry per qualified ARN, mapped onto the
 * aliases and versions once all of them are known. */
struct lambda_provisioned {
	char *qualifier;       /* alias name or version number */
	int requested;
	int available;
};
enum fd_status lambda_parse_provisioned(const char *json, size_t len,
					struct lambda_provisioned **out, size_t *n,
					char **next_marker, struct fd_err *err);
/* Sets provisioned/provisioned_available on the aliases and versions p names; an
 * entry for a version also counts for every alias pointing at that version. */
void lambda_apply_provisioned(struct fd_function *fn, const struct lambda_provisioned *p,
			      size_t n);
void lambda_provisioned_free(struct lambda_provisioned *p, size_t n);

#endif
