/* test_aws_sim.h - helpers for the AWS engine tests that talk to the simulator:
 * a client wired to it through the environment, fault rules, stats, recorded requests. */
#ifndef FLEETDECK_TEST_AWS_SIM_H
#define FLEETDECK_TEST_AWS_SIM_H

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/awsconfig.h"
#include "fleetdeck/creds.h"

#define SIM_KEY "AKIDSIMULATOR0000001"
#define SIM_SECRET "sim-secret-key-0000000000000000000000001"

struct sim {
	struct aws_settings s;
	struct aws_creds creds;
	struct aws_client *c;
};

/* AWS_* environment for endpoint, with no config files and static test keys. */
void sim_env(const char *endpoint);
/* A client for endpoint (NULL = the simulator, reset to no faults, no skew, zero stats);
 * 0 (case failed) when setup fails. */
int sim_open(struct sim *x, const char *endpoint, const struct aws_client_opts *opts);
void sim_close(struct sim *x);
/* Replaces the simulator's fault rules with the comma-separated JSON objects given. */
void sim_faults(const char *rules);
cJSON *sim_get(const char *path);
/* stats.<field>["svc:Op"], 0 when absent. */
int sim_stat(const char *field, const char *key);
const char *entry_header(const cJSON *entry, const char *name);
const char *entry_str(const cJSON *entry, const char *name);
/* Logs DescribeLogGroups {"limit":1}, synchronously. */
void describe_groups(struct sim *x, struct aws_response *resp);
int first_log_group(struct sim *x, char *out, size_t n);

#endif
