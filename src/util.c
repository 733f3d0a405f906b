/* util.c - checked allocation, byte buffers, strings, clocks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

static void (*fatal_hook)(void);

void
fd_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void
fd_fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook)
		fatal_hook();
	fputs("fleetdeck: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
fd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fd_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
fd_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fd_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
fd_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		fd_fatal("out of memory (%zu bytes)", n);
	return q;
}

void *
fd_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fd_fatal("allocation overflow (%zu x %zu)", n, size);
	return fd_xrealloc(p, n * size);
}

void *
fd_array_append(void *arr, size_t *n, size_t *cap, const void *items, size_t k, size_t size)
{
	if (*n + k > *cap) {
		*cap = FD_MAX(*cap * 2, *n + k);
		arr = fd_xreallocarray(arr, *cap, size);
	}
	if (k)
		memcpy((char *)arr + *n * size, items, k * size);
	*n += k;
	return arr;
}

char *
fd_xstrdup(const char *s)
{
	return fd_xstrndup(s, strlen(s));
}

char *
fd_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = fd_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
fd_xasprintf(const char *fmt, ...)
{
	struct fd_buf b;
	va_list ap;

	fd_buf_init(&b);
	va_start(ap, fmt);
	fd_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return fd_buf_steal(&b);
}

void
fd_secure_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void
fd_secure_free(char *s)
{
	if (!s)
		return;
	fd_secure_wipe(s, strlen(s));
	free(s);
}

void
fd_buf_init(struct fd_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
fd_buf_free(struct fd_buf *b)
{
	free(b->data);
	fd_buf_init(b);
}

void
fd_buf_secure_free(struct fd_buf *b)
{
	if (b->data)
		fd_secure_wipe(b->data, b->cap);
	fd_buf_free(b);
}

void
fd_buf_reset(struct fd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
fd_buf_reserve(struct fd_buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		fd_fatal("buffer overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = fd_xrealloc(b->data, cap);
	b->cap = cap;
	b->data[b->len] = '\0';
}

void
fd_buf_append(struct fd_buf *b, const void *data, size_t n)
{
	fd_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
fd_buf_puts(struct fd_buf *b, const char *s)
{
	fd_buf_append(b, s, strlen(s));
}

void
fd_buf_putc(struct fd_buf *b, char c)
{
	fd_buf_append(b, &c, 1);
}

void
fd_buf_vprintf(struct fd_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	fd_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
fd_buf_printf(struct fd_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fd_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
fd_buf_steal(struct fd_buf *b)
{
	char *p;

	if (!b->data)
		fd_buf_reserve(b, 0);
	b->data[b->len] = '\0';
	p = b->data;
	fd_buf_init(b);
	return p;
}

enum fd_status
fd_read_file(const char *path, size_t max, struct fd_buf *out, struct fd_err *err)
{
	char chunk[65536];
	FILE *f;
	size_t n;
	enum fd_status rc = FD_OK;

	f = fopen(path, "rb");
	if (!f)
		return fd_err_set(err, errno == ENOENT ? FD_ENOTFOUND : FD_EIO, "%s: %s", path,
				  strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			rc = fd_err_set(err, FD_EINVAL, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		fd_buf_append(out, chunk, n);
	}
	if (ferror(f))
		rc = fd_err_set(err, FD_EIO, "%s: read error: %s", path, strerror(errno));
	if (!out->data)
		fd_buf_reserve(out, 0);
out:
	fclose(f);
	return rc;
}

int
fd_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int
fd_str_case_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *b) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

int
fd_str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
fd_str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

char *
fd_str_trim(char *s)
{
	char *start = s, *end;

	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	if (start != s)
		memmove(s, start, (size_t)(end - start) + 1);
	return s;
}

void
fd_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (!size)
		return;
	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int64_t
fd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static time_t
days_from_civil(int y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01, no timezone involved. */
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)era * 146097 + (time_t)doe - 719468;
}

time_t
fd_parse_iso8601(const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	const char *p;
	long off = 0;

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
			return -1;
		p += 1 + n;
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
				return -1;
			off = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
			p += 6;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
	       off;
}

void
fd_format_iso8601(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

time_t
fd_wall_now(void)
{
	return (time_t)(fd_wall_now_ms() / 1000);
}

int64_t
fd_wall_now_ms(void)
{
	const char *fixed = getenv("FLEETDECK_NOW");
	struct timespec ts;

	if (fixed && *fixed) {
		char *end;
		long long v = strtoll(fixed, &end, 10);
		if (*end == '\0')
			return (int64_t)v * 1000;
		time_t t = fd_parse_iso8601(fixed);
		if (t >= 0)
			return (int64_t)t * 1000;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long
fd_parse_duration(const char *s)
{
	char *end;
	long v, mult;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v < 0)
		return -1;
	switch (*end) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	case '\0': mult = 1; end--; break;
	default: return -1;
	}
	if (end[1] != '\0' || v > 100L * 365 * 86400 / mult)
		return -1;
	return v * mult;
}
