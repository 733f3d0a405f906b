/* draw_theme.c - role names and the theme file, without curses: each role's name (as a
 * theme file writes it) and letter (in role dumps), and the parser of the theme file's
 * "role = fg bg [attributes]" lines, whose styles draw.c turns into colour pairs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw_int.h"

static const struct {
	const char *name;
	char letter;
} roles[FD_ROLE_COUNT] = {
#define FD_ROLE_INFO(id, name, letter) [id] = {name, letter},
    FD_ROLE_LIST(FD_ROLE_INFO)
#undef FD_ROLE_INFO
};

const char *
fd_role_name(enum fd_role r)
{
	return (unsigned)r < FD_ROLE_COUNT ? roles[r].name : "normal";
}

char
fd_draw_role_letter(enum fd_role r)
{
	return (unsigned)r < FD_ROLE_COUNT ? roles[r].letter : '?';
}

static int
find_role(const char *name)
{
	int r;

	for (r = 0; r < FD_ROLE_COUNT; r++)
		if (strcmp(roles[r].name, name) == 0)
			return r;
	return -1;
}

static int
parse_color(const char *s, short *out)
{
	static const char *const names[] = {"black", "red",     "green", "yellow",
	                                    "blue",  "magenta", "cyan",  "white"};
	char *end;
	long v;
	size_t i;

	if (strcmp(s, "default") == 0) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < FD_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0 ||
		    (fd_str_starts(s, "bright-") && strcmp(s + 7, names[i]) == 0)) {
			*out = (short)(i + (s[0] == 'b' && s[1] == 'r' ? 8 : 0));
			return 0;
		}
	}
	v = strtol(s, &end, 10);
	if (end == s || *end || v < 0 || v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

static int
parse_attr(const char *s, unsigned *a)
{
	static const struct {
		const char *name;
		unsigned attr;
	} map[] = {
	    {"normal", 0},
	    {"bold", DRAW_ATTR_BOLD},
	    {"dim", DRAW_ATTR_DIM},
	    {"underline", DRAW_ATTR_UNDERLINE},
	    {"reverse", DRAW_ATTR_REVERSE},
	    {"standout", DRAW_ATTR_STANDOUT},
	    {"italic", DRAW_ATTR_ITALIC},
	    {"blink", DRAW_ATTR_BLINK},
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(map); i++) {
		if (strcmp(s, map[i].name) == 0) {
			*a |= map[i].attr;
			return 0;
		}
	}
	return -1;
}

/* "role = fg bg [attr...]" becomes the role's style; returns a message on error. */
static const char *
theme_line(char *line)
{
	char *eq = strchr(line, '='), *tok, *save = NULL;
	struct draw_theme_style s = {.fg = -1, .bg = -1, .attrs = 0};
	int role, i = 0;

	if (!eq)
		return "expected \"role = fg bg [attributes]\"";
	*eq = '\0';
	role = find_role(fd_str_trim(line));
	if (role < 0)
		return "unknown role";
	for (tok = strtok_r(eq + 1, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (i < 2 && parse_color(tok, i == 0 ? &s.fg : &s.bg) == 0)
			i++;
		else if (parse_attr(tok, &s.attrs) != 0)
			return "unknown colour or attribute";
		else
			i = 2;
	}
	draw_theme_set((enum fd_role)role, &s);
	return NULL;
}

enum fd_status
fd_draw_theme_load(const char *path, struct fd_err *err)
{
	char line[512];
	const char *why;
	enum fd_status st = FD_OK;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return errno == ENOENT
		           ? FD_OK
		           : fd_err_set(err, FD_EIO, "theme %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = fd_str_trim(line);
		n++;
		if (!*p || *p == '#')
			continue;
		why = fd_draw_active() ? theme_line(p) : NULL;
		if (why && st == FD_OK)
			st = fd_err_set(err, FD_ECONFIG, "theme line %d: %s", n, why);
	}
	fclose(f);
	return st;
}

char *
fd_draw_theme_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return fd_xasprintf("%s/fleetdeck/theme", xdg);
	if (home && *home)
		return fd_xasprintf("%s/.config/fleetdeck/theme", home);
	return NULL;
}
