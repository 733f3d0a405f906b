/* jsonutil.h - small JSON helpers for layers that may not include cJSON: a strict
 * RFC 8259 validator that says where and why a document is wrong (line:column for
 * an editor), raw member lookup, and a re-indenter that keeps strings and numbers
 * byte for byte (so a 20-digit id is shown as sent). Pure; fuzzed. */
#ifndef FLEETDECK_JSONUTIL_H
#define FLEETDECK_JSONUTIL_H

#include <stddef.h>

#include "fleetdeck/util.h"

#define FD_JSON_MAX_DEPTH 512

struct fd_json_error {
	size_t offset; /* byte offset of the problem */
	int line, col; /* 1-based; col counts characters, not bytes */
	char msg[96];  /* "expected ',' or '}'", "invalid UTF-8", ... */
};

/* 1 when text[0..len) is exactly one JSON value (whitespace around it allowed);
 * 0 with e (may be NULL) filled otherwise. */
int fd_json_validate(const char *text, size_t len, struct fd_json_error *e);
/* Raw span of the value of key in the top-level object of valid JSON text; 1 when
 * found (the last one wins, as most parsers do). */
int fd_json_member(const char *text, size_t len, const char *key, size_t *off, size_t *n);
/* The value of a top-level string member, unescaped (malloc'd); NULL when absent or
 * not a string. */
char *fd_json_member_string(const char *text, size_t len, const char *key);
/* Appends text re-indented with indent spaces per level (0 = one line, no spaces).
 * Text that is not valid JSON is appended unchanged; returns 1 when it was valid. */
int fd_json_pretty(const char *text, size_t len, int indent, struct fd_buf *out);

#endif
