/* keymap.h - requests (src/requests.def) and the keys bound to them. Defaults are
 * config text parsed by the same code as the user's [keys] section, so the help
 * screen, `fleetdeck help keys` and the man page all come from one list. Keys are
 * written "j", "G", "<Enter>", "<C-r>", "<S-Tab>", "<Space>" (see FD_KEY_LIST). */
#ifndef FLEETDECK_KEYMAP_H
#define FLEETDECK_KEYMAP_H

#include <stddef.h>
#include <stdio.h>

#include "fleetdeck/draw.h"
#include "fleetdeck/status.h"

enum fd_request {
	FD_REQ_NONE,
#define X(id, name, keys, group, help) id,
#include "../../src/requests.def"
#undef X
	FD_REQ_COUNT
};

struct fd_request_info {
	enum fd_request req;
	const char *name;      /* "move-down" */
	const char *keys;      /* default keys, config syntax: "j <Down>" */
	const char *group;     /* "Move" */
	const char *help;
};

const struct fd_request_info *fd_request_info(enum fd_request r); /* NULL for NONE */
enum fd_request fd_request_find(const char *name);                 /* FD_REQ_NONE */

/* One key from s ("j", "<C-r>", "<Enter>"); *used gets the bytes consumed. A '<'
 * that does not open a known name is the literal '<'. FD_KEY_NONE on error. */
int fd_key_parse(const char *s, size_t *used);
/* Config name of a key: "j", "<Enter>", "<C-r>". */
void fd_key_name(int key, char *out, size_t n);

/* Resets to the defaults of requests.def. */
void fd_keymap_reset(void);
/* Reads the [keys] section of a config file ("request-name = key [key...]"); a
 * missing file is fine. Problems (unknown request or key, a key taken from another
 * request) are appended to notes, one per line, and do not stop the load. */
enum fd_status fd_keymap_load(const char *path, struct fd_buf *notes, struct fd_err *err);
/* Applies one "name = keys" binding (what fd_keymap_load does per line). */
enum fd_status fd_keymap_bind(const char *name, const char *keys, struct fd_buf *notes,
			      struct fd_err *err);
/* $XDG_CONFIG_HOME/fleetdeck/config (or ~/.config/...); malloc'd, NULL without HOME. */
char *fd_keymap_default_path(void);

enum fd_request fd_keymap_lookup(int key);
/* The keys bound now to r, as config text ("j <Down>"). */
void fd_keymap_keys(enum fd_request r, char *out, size_t n);

/* The mouse, as requests: the wheel moves the selection FD_MOUSE_WHEEL_ROWS rows; a
 * click on row y moves it there from the selected rows y0..y1 on screen (sel = 0:
 * nothing selected, the click does nothing); a double click then opens it (enter).
 * Returns how many requests went to out (at most max); 0 for other keys. */
#define FD_MOUSE_WHEEL_ROWS 3
size_t fd_mouse_requests(int key, int y, int sel, int y0, int y1, enum fd_request *out,
			 size_t max);

/* Every request in declaration order, with its current keys. */
void fd_keymap_foreach(void (*fn)(const struct fd_request_info *ri, const char *keys, void *ud),
		       void *ud);
/* "KEYS<TAB>NAME<TAB>HELP" per request, default bindings (for docs checks). */
void fd_keymap_print(FILE *f);

#endif
