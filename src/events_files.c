/* events_files.c - events as plain files, so teams can keep them in git:
 * $XDG_CONFIG_HOME/fleetdeck/events/<function>/<name>.json, shared events under
 * "_shared". Reading checks the JSON and says where it is wrong; writing replaces a
 * file atomically (temporary file + rename). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleetdeck/events.h"
#include "fleetdeck/jsonutil.h"
#include "fleetdeck/sigv4.h"

#define SHARED_DIR "_shared"

void
fd_event_hash(struct fd_event *e)
{
	sigv4_sha256_hex(e->body ? e->body : "", e->body ? e->len : 0, e->sha256);
}

char *
fd_events_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return fd_xasprintf("%s/fleetdeck/events", xdg);
	if (home && *home)
		return fd_xasprintf("%s/.config/fleetdeck/events", home);
	return NULL;
}

char *
fd_event_file_path(const char *dir, const char *function, const char *name)
{
	return fd_xasprintf("%s/%s/%s.json", dir, function && function[0] ? function : SHARED_DIR,
	                    name);
}

enum fd_status
fd_event_read_file(const char *path, struct fd_buf *out, struct fd_err *err)
{
	const char *real = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
	const char *shown = strcmp(path, "-") == 0 ? "stdin" : path;
	struct fd_json_error je;
	enum fd_status st;

	fd_buf_reset(out);
	st = fd_read_file(real, (size_t)FD_EVENT_BODY_MAX, out, err);
	if (st == FD_EINVAL)
		return fd_err_set(err, FD_EINVAL,
		                  "%s: larger than %ld bytes, the most Invoke takes", shown,
		                  FD_EVENT_BODY_MAX);
	if (st != FD_OK)
		return st;
	if (!fd_json_validate(out->data, out->len, &je))
		return fd_err_set(err, FD_EPARSE, "%s:%d:%d: not JSON: %s", shown, je.line, je.col,
		                  je.msg);
	return FD_OK;
}

static enum fd_status
mkdir_p(const char *path, struct fd_err *err)
{
	char *p = fd_xstrdup(path), *s;
	enum fd_status st = FD_OK;

	for (s = p + 1; st == FD_OK; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			st = fd_err_set(err, FD_EIO, "mkdir %s: %s", p, strerror(errno));
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return st;
}

/* Writes data to path through a temporary file in the same directory. */
static enum fd_status
write_atomic(const char *path, const char *data, size_t n, struct fd_err *err)
{
	char *tmp = fd_xasprintf("%s.tmp-XXXXXX", path);
	enum fd_status st = FD_OK;
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

	if (!f) {
		st = fd_err_set(err, FD_EIO, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (fwrite(data, 1, n, f) != n || (n && data[n - 1] != '\n' && fputc('\n', f) == EOF))
		st = fd_err_set(err, FD_EIO, "%s: write: %s", path, strerror(errno));
	if (fclose(f) != 0 && st == FD_OK)
		st = fd_err_set(err, FD_EIO, "%s: close: %s", path, strerror(errno));
	if (st == FD_OK && rename(tmp, path) != 0)
		st = fd_err_set(err, FD_EIO, "rename %s: %s", path, strerror(errno));
	if (st != FD_OK)
		unlink(tmp);
out:
	free(tmp);
	return st;
}

static enum fd_status
export_one(const struct fd_event *e, const char *dir, struct fd_err *err)
{
	char *path = fd_event_file_path(dir, e->function, e->name);
	char *slash = strrchr(path, '/');
	enum fd_status st;

	*slash = '\0';
	st = mkdir_p(path, err);
	*slash = '/';
	if (st == FD_OK)
		st = write_atomic(path, e->body, e->len, err);
	free(path);
	return st;
}

enum fd_status
fd_events_export(struct fd_state *s, const char *function, const char *dir, size_t *written,
                 struct fd_err *err)
{
	struct fd_event *ev = NULL;
	size_t n = 0, i;
	enum fd_status st = fd_events_list(s, function, &ev, &n, err);

	*written = 0;
	for (i = 0; st == FD_OK && i < n; i++) {
		if (function && ev[i].function[0] == '\0')
			continue; /* shared events go with an export of everything */
		st = export_one(&ev[i], dir, err);
		if (st == FD_OK)
			(*written)++;
	}
	fd_events_free(ev, n);
	return st;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Event names from the *.json files of dir, sorted. */
static char **
json_files(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;

	*n = 0;
	while (d && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || !fd_str_ends(de->d_name, ".json"))
			continue;
		names = fd_xreallocarray(names, *n + 1, sizeof(*names));
		names[(*n)++] = fd_xstrndup(de->d_name, len - 5);
	}
	if (d)
		closedir(d);
	if (*n > 1)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

struct import_job {
	struct fd_state *s;
	int replace;
	size_t imported;
	struct fd_buf *skipped;
};

static void
skip(struct import_job *j, const char *path, const char *why)
{
	if (j->skipped)
		fd_buf_printf(j->skipped, "%s: %s\n", path, why);
}

static enum fd_status
import_file(struct import_job *j, const char *function, const char *dir, const char *name,
            struct fd_err *err)
{
	char *path = fd_event_file_path(dir, function, name);
	struct fd_event e = {0};
	struct fd_err ferr = {FD_OK, ""};
	struct fd_buf b;
	enum fd_status st = FD_OK;

	fd_buf_init(&b);
	if (!fd_event_name_valid(name)) {
		skip(j, path, "not a valid event name");
	} else if (fd_event_read_file(path, &b, &ferr) != FD_OK) {
		skip(j, path, ferr.msg);
	} else {
		e = (struct fd_event){
		    (char *)function, (char *)name, b.data, b.len, "import", 0, 0, ""};
		fd_event_hash(&e);
		st = fd_events_put(j->s, &e, j->replace, &ferr);
		if (st == FD_EINVAL && !j->replace) {
			skip(j, path, "exists (use --replace)");
			st = FD_OK;
		} else if (st == FD_OK) {
			j->imported++;
		} else {
			*err = ferr;
		}
	}
	fd_buf_free(&b);
	free(path);
	return st;
}

static enum fd_status
import_function(struct import_job *j, const char *function, const char *dir, struct fd_err *err)
{
	char *sub = fd_xasprintf("%s/%s", dir, function[0] ? function : SHARED_DIR);
	size_t n = 0, i;
	char **names = json_files(sub, &n);
	enum fd_status st = FD_OK;

	for (i = 0; i < n; i++) {
		if (st == FD_OK)
			st = import_file(j, function, dir, names[i], err);
		free(names[i]);
	}
	free(names);
	free(sub);
	return st;
}

enum fd_status
fd_events_import(struct fd_state *s, const char *function, const char *dir, int replace,
                 size_t *imported, struct fd_buf *skipped, struct fd_err *err)
{
	struct import_job j = {s, replace, 0, skipped};
	enum fd_status st = FD_OK;
	struct dirent *de;
	DIR *d;

	if (function) {
		st = import_function(&j, function, dir, err);
		*imported = j.imported;
		return st;
	}
	d = opendir(dir);
	if (!d)
		return fd_err_set(err, FD_ENOTFOUND, "%s: %s", dir, strerror(errno));
	while (st == FD_OK && (de = readdir(d)) != NULL) {
		const char *fn = strcmp(de->d_name, SHARED_DIR) == 0 ? "" : de->d_name;
		if (de->d_name[0] == '.' || (fn[0] && !fd_event_function_valid(fn)))
			continue;
		st = import_function(&j, fn, dir, err);
	}
	closedir(d);
	*imported = j.imported;
	return st;
}
