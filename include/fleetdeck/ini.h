/* ini.h - parser for the AWS shared config/credentials file format: [section]
 * headers, key = value pairs, '#'/';' comments, and indented sub-properties
 * (the `services` sections' "lambda =\n  endpoint_url = ..." nesting). */
#ifndef FLEETDECK_INI_H
#define FLEETDECK_INI_H

#include <stddef.h>

#include "fleetdeck/status.h"

struct ini_file;

/* Parses text; fname is only used in error messages ("FILE:LINE: reason"). */
enum fd_status ini_parse(const char *text, size_t len, const char *fname, struct ini_file **out,
			 struct fd_err *err);
/* Reads and parses a file. A missing file is FD_ENOTFOUND (not an error for callers
 * that treat the file as optional). */
enum fd_status ini_load(const char *path, struct ini_file **out, struct fd_err *err);
void ini_free(struct ini_file *f);

/* Section names are stored exactly as written between brackets, trimmed
 * ("profile dev", "default", "sso-session corp", "services local"). Keys are
 * compared without regard to case (configparser lowercases them). NULL when absent. */
const char *ini_get(const struct ini_file *f, const char *section, const char *key);
/* Nested value: section [services x], key "lambda", subkey "endpoint_url". */
const char *ini_get_sub(const struct ini_file *f, const char *section, const char *key,
			const char *subkey);
int ini_has_section(const struct ini_file *f, const char *section);
/* A boolean value (true/yes/on/1, false/no/off/0, any case): 1 with *on set, 0 when v
 * is none of them (or NULL). */
int ini_bool(const char *v, int *on);
/* Iterates section names in file order; returns NULL past the end. */
const char *ini_section_name(const struct ini_file *f, size_t i);
/* Iterates the distinct top-level keys of a section (lowercased) in the order they
 * first appear; returns NULL past the end or when the section is absent. */
const char *ini_key_name(const struct ini_file *f, const char *section, size_t i);

#endif
