/* mute_config.h - the [mute] section of fleetdeck's own config file
 * ($XDG_CONFIG_HOME/fleetdeck/config, the file that also holds [keys]):
 *     [mute]
 *     orders-api = env-secret-literal, log-no-retention
 *     * = runtime-deprecated
 * Each line names a function (verbatim, case-sensitive; "*" = every function) and the
 * risk check ids muted for it ("*" = all checks). A function gets its own ids and those
 * of "*". Unknown ids are warnings and are dropped; a malformed file is an error. */
#ifndef FLEETDECK_MUTE_CONFIG_H
#define FLEETDECK_MUTE_CONFIG_H

#include <stddef.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

struct fd_model;

struct fd_mute_rule {
	char *function; /* "*" = every function */
	char *ids;      /* known check ids (or "*"), comma-separated; may be "" */
	size_t line;
};

struct fd_mute_config {
	struct fd_mute_rule *rules;
	size_t n;
};

/* Parses config text; fname is used in messages ("FILE:LINE: ..."). The whole file must
 * be valid INI (FD_EPARSE otherwise). Warnings, one per line, go to warnings (may be
 * NULL). On error *out is left empty. */
enum fd_status fd_mute_config_parse(const char *text, size_t len, const char *fname,
				    struct fd_mute_config *out, struct fd_buf *warnings,
				    struct fd_err *err);
/* Reads and parses a file; a missing file is FD_OK with no rules. */
enum fd_status fd_mute_config_load(const char *path, struct fd_mute_config *out,
				   struct fd_buf *warnings, struct fd_err *err);
void fd_mute_config_free(struct fd_mute_config *c);
/* Mutes each rule's ids in m (fd_model_mute), "*" rules added to every named function. */
void fd_mute_config_apply(const struct fd_mute_config *c, struct fd_model *m);
/* Loads the default config file (nothing without HOME) and applies it to m. */
enum fd_status fd_mute_config_apply_default(struct fd_model *m, struct fd_buf *warnings,
					    struct fd_err *err);

#endif
