/* clipboard.h - copying a line to the terminal's clipboard with OSC 52 (ESC ] 52 ; c ;
 * base64 BEL), which terminals and tmux turn into a clipboard write. Off unless the
 * config file's [logs] section says "osc52 = true": a clipboard write is something
 * a user should opt in to. The text copied is plain: control characters removed
 * (tabs and line breaks become spaces, so a paste never runs a command), invalid
 * UTF-8 dropped, at most FD_CLIP_MAX bytes. src/draw.c sends the sequence. */
#ifndef FLEETDECK_CLIPBOARD_H
#define FLEETDECK_CLIPBOARD_H

#include <stddef.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

#define FD_CLIP_MAX 65536 /* plain bytes; terminals cap OSC 52 payloads too */
#define FD_CLIP_SECTION "logs"
#define FD_CLIP_KEY "osc52"

/* Appends the plain form of s[0..n) to out (at most FD_CLIP_MAX bytes, cut at a
 * character boundary). */
void fd_clip_plain(const char *s, size_t n, struct fd_buf *out);
/* Appends the OSC 52 sequence that puts plain[0..n) on the clipboard. */
void fd_clip_osc52(const char *plain, size_t n, struct fd_buf *out);
/* Reads "osc52" from the [logs] section of the config file at path: *on is 1 for
 * true/yes/on/1, 0 when absent (or no file); another value is FD_EINVAL naming the
 * file, and so is a file the INI parser rejects. */
enum fd_status fd_clip_config(const char *path, int *on, struct fd_err *err);

#endif
