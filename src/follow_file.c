/* follow_file.c - saved events opened as a finished follow (the console's
 * `:logs @FILE`): a file in FilterLogEvents form gets one source per log group its
 * events name (the file's name when they name none), and every event is taken,
 * de-duplicated and released in order at once, as if each group had been polled. */
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"

#define FILE_MAX (64u << 20)

static unsigned
file_source(struct fd_follow_source *src, size_t *n, const struct logs_event *e,
            const char *fallback)
{
	const char *g = e->group_len ? e->group : fallback;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(src[i].group, g) == 0)
			return (unsigned)i;
	if (*n >= 256)
		return 0;
	src[*n].group = g;
	src[*n].function = NULL;
	return (unsigned)(*n)++;
}

enum fd_status
fd_follow_open_file(const char *path, const struct fd_follow_opts *o, struct fd_follow **out,
                    struct fd_err *err)
{
	struct fd_follow_source src[256];
	struct logs_events ev;
	struct fd_buf b;
	unsigned *which = NULL;
	size_t n = 0, i;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum fd_status st;

	*out = NULL;
	fd_buf_init(&b);
	logs_events_init(&ev);
	if (fd_read_file(path, FILE_MAX, &b, err) != 0) {
		st = fd_err_prefix(err, "logs file");
		goto out;
	}
	st = logs_parse_filter_events(b.data, b.len, &ev, err);
	if (st != FD_OK)
		goto out;
	which = fd_xcalloc(ev.n + 1, sizeof(*which));
	for (i = 0; i < ev.n; i++)
		which[i] = file_source(src, &n, &ev.ev[i], base);
	if (!n)
		src[n++] = (struct fd_follow_source){base, NULL};
	st = fd_follow_new(NULL, src, n, o, out, err);
	if (st == FD_OK)
		follow_batch(*out);
	for (i = 0; st == FD_OK && i < ev.n; i++)
		(*out)->g[which[i]].new_events +=
		    (uint64_t)follow_take(*out, which[i], &ev.ev[i], 0);
	if (st == FD_OK) {
		for (i = 0; i < n; i++)
			(*out)->g[i].polled = 1;
		(*out)->started = 1;
		fd_follow_flush(*out);
	}
out:
	free(which);
	logs_events_free(&ev);
	fd_buf_free(&b);
	return st;
}
