/* events_diff.c - a line diff of two responses (or events) for "what changed since the
 * last run": JSON is re-indented first so that spacing and layout differences vanish
 * and each value sits on its own line; then common lines at both ends are set aside
 * and the middle is compared with a longest-common-subsequence table. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/jsonutil.h"

#define DIFF_MAX_CELLS 4000000 /* LCS table cells; larger middles are shown as replaced */

struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

static void
split_lines(const char *text, size_t n, struct lines *l)
{
	const char *p = text, *end = text + n;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		l->s = fd_xreallocarray(l->s, l->n + 1, sizeof(*l->s));
		l->len = fd_xreallocarray(l->len, l->n + 1, sizeof(*l->len));
		l->s[l->n] = p;
		l->len[l->n++] = len;
		p += len + (nl ? 1 : 0);
	}
}

static int
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

static void
put(struct fd_buf *out, char mark, const struct lines *l, size_t i)
{
	fd_buf_putc(out, mark);
	fd_buf_append(out, l->s[i], l->len[i]);
	fd_buf_putc(out, '\n');
}

/* Diff of a[a0..a1) against b[b0..b1) through an LCS table; returns changed lines. */
static size_t
diff_middle(const struct lines *a, size_t a0, size_t a1, const struct lines *b, size_t b0,
            size_t b1, struct fd_buf *out)
{
	size_t n = a1 - a0, m = b1 - b0, i, j, changed = 0;
	unsigned *t;

	if (n * m > DIFF_MAX_CELLS || (m && n > DIFF_MAX_CELLS / m)) {
		for (i = a0; i < a1; i++)
			put(out, '-', a, i);
		for (j = b0; j < b1; j++)
			put(out, '+', b, j);
		return n + m;
	}
	t = fd_xcalloc((n + 1) * (m + 1), sizeof(*t));
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			t[i * (m + 1) + j] =
			    same(a, a0 + i, b, b0 + j)
			        ? t[(i + 1) * (m + 1) + j + 1] + 1
			        : FD_MAX(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && same(a, a0 + i, b, b0 + j)) {
			put(out, ' ', a, a0 + i++);
			j++;
		} else if (i < n &&
		           (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
			put(out, '-', a, a0 + i++);
			changed++;
		} else {
			put(out, '+', b, b0 + j++);
			changed++;
		}
	}
	free(t);
	return changed;
}

static size_t
diff_lines(const struct lines *a, const struct lines *b, struct fd_buf *out)
{
	size_t pre = 0, suf = 0, i, changed;

	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre && same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	for (i = 0; i < pre; i++)
		put(out, ' ', a, i);
	changed = diff_middle(a, pre, a->n - suf, b, pre, b->n - suf, out);
	for (i = a->n - suf; i < a->n; i++)
		put(out, ' ', a, i);
	return changed;
}

/* Keeps changed lines and `context` lines around them; runs of other unchanged lines
 * become one "@@ N unchanged lines @@" line. */
static void
fold(const struct fd_buf *full, int context, struct fd_buf *out)
{
	struct lines l;
	size_t i, j, skipped = 0;

	split_lines(full->data ? full->data : "", full->len, &l);
	for (i = 0; i < l.n; i++) {
		int keep = l.s[i][0] != ' ';
		for (j = i > (size_t)context ? i - (size_t)context : 0;
		     !keep && j < l.n && j <= i + (size_t)context; j++)
			keep = l.s[j][0] != ' ';
		if (!keep) {
			skipped++;
			continue;
		}
		if (skipped)
			fd_buf_printf(out, "@@ %zu unchanged line%s @@\n", skipped,
			              skipped == 1 ? "" : "s");
		skipped = 0;
		fd_buf_append(out, l.s[i], l.len[i]);
		fd_buf_putc(out, '\n');
	}
	if (skipped)
		fd_buf_printf(out, "@@ %zu unchanged line%s @@\n", skipped,
		              skipped == 1 ? "" : "s");
	free(l.s);
	free(l.len);
}

size_t
fd_text_diff(const char *a, size_t alen, const char *b, size_t blen, int context,
             struct fd_buf *out)
{
	struct fd_buf pa, pb, full;
	struct lines la, lb;
	size_t changed;

	fd_buf_init(&pa);
	fd_buf_init(&pb);
	fd_buf_init(&full);
	fd_json_pretty(a ? a : "", a ? alen : 0, 2, &pa);
	fd_json_pretty(b ? b : "", b ? blen : 0, 2, &pb);
	split_lines(pa.data ? pa.data : "", pa.len, &la);
	split_lines(pb.data ? pb.data : "", pb.len, &lb);
	changed = diff_lines(&la, &lb, context < 0 ? out : &full);
	if (context >= 0)
		fold(&full, context, out);
	free(la.s);
	free(la.len);
	free(lb.s);
	free(lb.len);
	fd_buf_free(&pa);
	fd_buf_free(&pb);
	fd_buf_free(&full);
	return changed;
}
