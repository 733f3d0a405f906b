/* status.c - messages for enum fd_status and the error-detail helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

static const char *const status_msgs[] = {
#define FD_STATUS_MSG(name, msg) msg,
	FD_STATUS_LIST(FD_STATUS_MSG)
#undef FD_STATUS_MSG
};

static const char *const status_names[] = {
#define FD_STATUS_NAME(name, msg) #name,
	FD_STATUS_LIST(FD_STATUS_NAME)
#undef FD_STATUS_NAME
};

const char *
fd_status_str(enum fd_status st)
{
	if ((unsigned)st >= FD_STATUS_COUNT)
		return "unknown status";
	return status_msgs[st];
}

const char *
fd_status_name(enum fd_status st)
{
	if ((unsigned)st >= FD_STATUS_COUNT)
		return "FD_UNKNOWN";
	return status_names[st];
}

enum fd_status
fd_err_set(struct fd_err *err, enum fd_status st, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return st;
	err->status = st;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return st;
}

enum fd_status
fd_err_prefix(struct fd_err *err, const char *fmt, ...)
{
	char prefix[256];
	char old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return FD_OK;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	fd_strlcpy(err->msg, prefix, sizeof(err->msg));
	if (old[0]) {
		size_t n = strlen(err->msg);
		fd_strlcpy(err->msg + n, ": ", sizeof(err->msg) - n);
		n = strlen(err->msg);
		fd_strlcpy(err->msg + n, old, sizeof(err->msg) - n);
	}
	return err->status;
}

void
fd_err_clear(struct fd_err *err)
{
	if (!err)
		return;
	err->status = FD_OK;
	err->msg[0] = '\0';
}
