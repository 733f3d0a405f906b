/* sanitize.h - the one gate for untrusted text (names, tags, log lines, message
 * bodies) on its way to a terminal: valid UTF-8 is kept (wide and combining
 * characters included), control characters and escape sequences become visible
 * (ESC -> "^[", BEL -> "^G", C1 -> "\u0085" style), invalid bytes become U+FFFD,
 * tabs become a space (or are kept when asked). */
#ifndef FLEETDECK_SANITIZE_H
#define FLEETDECK_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/util.h"

#define FD_SAN_KEEP_TAB 0x1
#define FD_SAN_KEEP_NEWLINE 0x2

/* Decodes the UTF-8 sequence at s[0..n) (n >= 1) into *cp; returns its length, or 0
 * when invalid (overlong, surrogate, out of range, truncated). */
size_t fd_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* The length of the valid UTF-8 sequence at s[0..n) (n >= 1), 0 when invalid. */
size_t fd_utf8_len(const unsigned char *s, size_t n);
/* Appends the sanitized form of s[0..n) to out. */
void fd_sanitize(const char *s, size_t n, unsigned flags, struct fd_buf *out);
/* Convenience: returns a malloc'd sanitized copy of a NUL-terminated string. */
char *fd_sanitize_dup(const char *s);
/* Display width in terminal columns of sanitized UTF-8 text (wcwidth). */
size_t fd_text_width(const char *s, size_t n);
/* Byte length of the longest prefix of sanitized s that fits in cols columns. */
size_t fd_text_fit(const char *s, size_t n, size_t cols);

#endif
