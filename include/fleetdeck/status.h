/* status.h - the one list of result codes every fleetdeck function returns.
 * Declared once as an X-macro so the enum and its messages never drift. */
#ifndef FLEETDECK_STATUS_H
#define FLEETDECK_STATUS_H

#include <stddef.h>

#define FD_STATUS_LIST(X)                                                                          \
	X(FD_OK, "ok")                                                                             \
	X(FD_ENOMEM, "out of memory")                                                              \
	X(FD_EINVAL, "invalid argument")                                                           \
	X(FD_EIO, "input/output error")                                                            \
	X(FD_ENOTFOUND, "not found")                                                               \
	X(FD_EPARSE, "malformed input")                                                            \
	X(FD_ECONFIG, "configuration error")                                                       \
	X(FD_ECREDS, "credentials unavailable")                                                    \
	X(FD_EHTTP, "network error")                                                               \
	X(FD_EAWS, "AWS error")                                                                    \
	X(FD_ETIMEOUT, "timed out")                                                                \
	X(FD_EREADONLY, "refused: read-only mode")                                                 \
	X(FD_ECANCELLED, "cancelled")                                                              \
	X(FD_EDB, "database error")                                                                \
	X(FD_EUNSUPPORTED, "not supported")                                                        \
	X(FD_EAGAIN, "try again later")

enum fd_status {
#define FD_STATUS_ENUM(name, msg) name,
	FD_STATUS_LIST(FD_STATUS_ENUM)
#undef FD_STATUS_ENUM
	FD_STATUS_COUNT
};

/* Detail for the user, filled by the callee that failed. Never holds secrets. */
struct fd_err {
	enum fd_status status;
	char msg[768];
};

const char *fd_status_str(enum fd_status st);
const char *fd_status_name(enum fd_status st);

/* Sets err (if non-NULL) and returns st, so callers can `return fd_err_set(...)`. */
enum fd_status fd_err_set(struct fd_err *err, enum fd_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes existing detail: "ctx: old detail". */
enum fd_status fd_err_prefix(struct fd_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fd_err_clear(struct fd_err *err);

#endif
