/* util.h - checked allocation, growable byte buffers, small string helpers.
 * Allocation failure is fatal: fd_fatal() runs the registered cleanup hook
 * (which restores the terminal) before aborting. */
#ifndef FLEETDECK_UTIL_H
#define FLEETDECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define FD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FD_MAX(a, b) ((a) > (b) ? (a) : (b))

void *fd_xmalloc(size_t n);
void *fd_xcalloc(size_t n, size_t size);
void *fd_xrealloc(void *p, size_t n);
void *fd_xreallocarray(void *p, size_t n, size_t size);
/* Appends k elements of size bytes at items to arr, which holds *n of room for *cap
 * (grown by doubling); returns arr, possibly moved. */
void *fd_array_append(void *arr, size_t *n, size_t *cap, const void *items, size_t k,
                      size_t size);
char *fd_xstrdup(const char *s);
char *fd_xstrndup(const char *s, size_t n);
char *fd_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Frees a string holding secret material after wiping it. NULL is fine. */
void fd_secure_free(char *s);
void fd_secure_wipe(void *p, size_t n);

/* Called by fd_fatal before abort (e.g. endwin). */
void fd_set_fatal_hook(void (*hook)(void));
_Noreturn void fd_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable buffer; data is always NUL-terminated when non-NULL. */
struct fd_buf {
	char *data;
	size_t len;
	size_t cap;
};

void fd_buf_init(struct fd_buf *b);
void fd_buf_free(struct fd_buf *b);
void fd_buf_secure_free(struct fd_buf *b);
void fd_buf_reset(struct fd_buf *b);
void fd_buf_reserve(struct fd_buf *b, size_t extra);
void fd_buf_append(struct fd_buf *b, const void *data, size_t n);
void fd_buf_puts(struct fd_buf *b, const char *s);
void fd_buf_putc(struct fd_buf *b, char c);
void fd_buf_printf(struct fd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fd_buf_vprintf(struct fd_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (never NULL) and resets the buffer. */
char *fd_buf_steal(struct fd_buf *b);

/* Reads a whole file, at most max bytes (error if larger). */
#include "fleetdeck/status.h"
enum fd_status fd_read_file(const char *path, size_t max, struct fd_buf *out, struct fd_err *err);

int fd_str_eq(const char *a, const char *b);          /* NULL-safe */
int fd_str_case_eq(const char *a, const char *b);     /* NULL-safe, ASCII */
int fd_str_starts(const char *s, const char *prefix);
int fd_str_ends(const char *s, const char *suffix);
char *fd_str_trim(char *s);                           /* in place, returns s */
void fd_strlcpy(char *dst, const char *src, size_t size);

/* Monotonic milliseconds, for timers and durations. */
int64_t fd_now_ms(void);
/* Wall clock in seconds; honours FLEETDECK_NOW (epoch seconds or ISO-8601 UTC) for tests. */
time_t fd_wall_now(void);
/* Wall clock in milliseconds; same override. */
int64_t fd_wall_now_ms(void);
/* "2026-12-04T15:51:01Z" style parse (also fractional seconds, +00:00). -1 on error. */
time_t fd_parse_iso8601(const char *s);
void fd_format_iso8601(time_t t, char out[21]);
/* "15m", "1h", "24h", "7d", "90s" -> seconds; -1 on error. */
long fd_parse_duration(const char *s);

#endif
