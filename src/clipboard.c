/* clipboard.c - the plain text and OSC 52 sequence of a clipboard copy, and the
 * config switch that allows it (see clipboard.h). */
#include <string.h>

#include "fleetdeck/clipboard.h"
#include "fleetdeck/ini.h"
#include "fleetdeck/sanitize.h"

void
fd_clip_plain(const char *s, size_t n, struct fd_buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, room = FD_CLIP_MAX;

	while (i < n && room) {
		len = fd_utf8_len(u + i, n - i);
		if (len == 0) {
			i++; /* invalid byte */
			continue;
		}
		if (len == 1 && (u[i] == '\t' || u[i] == '\n')) {
			fd_buf_putc(out, ' ');
			room--;
		} else if (len == 1 && (u[i] < 0x20 || u[i] == 0x7f)) {
			/* C0 control or DEL: dropped */
		} else if (len == 2 && u[i] == 0xC2 && u[i + 1] <= 0x9F) {
			/* C1 control (U+0080..U+009F): dropped */
		} else if (len <= room) {
			fd_buf_append(out, s + i, len);
			room -= len;
		} else {
			break;
		}
		i += len;
	}
}

static void
base64(const unsigned char *p, size_t n, struct fd_buf *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = abc[p[i] >> 2];
		q[1] = abc[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = abc[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		q[3] = abc[p[i + 2] & 63];
		fd_buf_append(out, q, 4);
	}
	if (i == n)
		return;
	q[0] = abc[p[i] >> 2];
	q[1] = abc[(p[i] & 3) << 4 | (i + 1 < n ? p[i + 1] >> 4 : 0)];
	q[2] = i + 1 < n ? abc[(p[i + 1] & 15) << 2] : '=';
	q[3] = '=';
	fd_buf_append(out, q, 4);
}

void
fd_clip_osc52(const char *plain, size_t n, struct fd_buf *out)
{
	fd_buf_puts(out, "\033]52;c;");
	base64((const unsigned char *)plain, n, out);
	fd_buf_putc(out, '\a');
}

enum fd_status
fd_clip_config(const char *path, int *on, struct fd_err *err)
{
	struct ini_file *ini = NULL;
	enum fd_status st;
	const char *v;

	*on = 0;
	if (!path)
		return FD_OK;
	st = ini_load(path, &ini, err);
	if (st == FD_ENOTFOUND)
		return FD_OK;
	if (st != FD_OK)
		return st;
	v = ini_get(ini, FD_CLIP_SECTION, FD_CLIP_KEY);
	if (v && !ini_bool(v, on))
		st = fd_err_set(err, FD_EINVAL, "%s: [%s] %s must be true or false (got \"%.40s\")",
		                path, FD_CLIP_SECTION, FD_CLIP_KEY, v);
	ini_free(ini);
	return st;
}
