/* test_clipboard.c - OSC 52 copies: the exact escape bytes, the plain text that goes
 * into them, the config switch, and draw.c sending the sequence after the frame. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/clipboard.h"
#include "fleetdeck/draw.h"
#include "test.h"

static char *
osc52(const char *plain)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_clip_osc52(plain, strlen(plain), &b);
	fd_buf_putc(&b, '\0');
	return fd_buf_steal(&b);
}

static char *
plain(const char *s, size_t n)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_clip_plain(s, n, &b);
	fd_buf_putc(&b, '\0');
	return fd_buf_steal(&b);
}

TEST(clipboard_osc52_exact_bytes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", "\033]52;c;\a"},
	    {"a", "\033]52;c;YQ==\a"},
	    {"ab", "\033]52;c;YWI=\a"},
	    {"abc", "\033]52;c;YWJj\a"},
	    {"hello", "\033]52;c;aGVsbG8=\a"},
	    {"caf\xc3\xa9 \xe2\x9c\x93", "\033]52;c;Y2Fmw6kg4pyT\a"},
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(cases); i++) {
		char *got = osc52(cases[i].in);
		CHECK_STR(got, cases[i].out);
		free(got);
	}
}

TEST(clipboard_plain_drops_control_characters)
{
	/* ESC, DEL, a C1 control (U+0085) and an invalid byte go; tab and newline become
	 * spaces; UTF-8 stays */
	static const char in[] = "a\x1b[31mb\tc\nd\x7f\xc2\x85"
	                         "e\xff caf\xc3\xa9\r\x07!";
	char *got = plain(in, sizeof(in) - 1);
	struct fd_buf big;
	size_t i;

	CHECK_STR(got, "a[31mb c de caf\xc3\xa9!");
	free(got);

	/* the cap falls on a character boundary: a 3-byte character that does not fit
	 * whole is left out */
	fd_buf_init(&big);
	for (i = 0; i + 1 < FD_CLIP_MAX; i++)
		fd_buf_putc(&big, 'x');
	fd_buf_puts(&big, "\xe2\x9c\x93tail");
	got = plain(big.data, big.len);
	CHECK_INT(strlen(got), FD_CLIP_MAX - 1);
	CHECK(strchr(got, '\xe2') == NULL);
	free(got);
	fd_buf_free(&big);
}

static void
write_config(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}

TEST(clipboard_config_switch)
{
	char *path = fd_xasprintf("%s/config", fd_test_tmpdir());
	struct fd_err err = {FD_OK, ""};
	int on = -1;

	CHECK_INT(fd_clip_config(path, &on, &err), FD_OK); /* no file: off */
	CHECK_INT(on, 0);
	write_config(path, "[keys]\nmove-down = j\n");
	CHECK_INT(fd_clip_config(path, &on, &err), FD_OK);
	CHECK_INT(on, 0);
	write_config(path, "[logs]\nosc52 = true\n");
	CHECK_INT(fd_clip_config(path, &on, &err), FD_OK);
	CHECK_INT(on, 1);
	write_config(path, "[logs]\nOSC52 = Off\n");
	CHECK_INT(fd_clip_config(path, &on, &err), FD_OK);
	CHECK_INT(on, 0);
	write_config(path, "[logs]\nosc52 = maybe\n");
	CHECK_INT(fd_clip_config(path, &on, &err), FD_EINVAL);
	CHECK_INT(on, 0);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, "osc52 must be true or false");
	free(path);
}

TEST(clipboard_sent_after_the_frame)
{
	static const char want[] = "\033]52;c;aGk=\a";
	struct fd_draw_opts o = {.headless = 1, .cols = 20, .rows = 4};
	struct fd_err err = {FD_OK, ""};
	const char *sent;
	size_t n = 0;

	setlocale(LC_ALL, "C.UTF-8");
	REQUIRE(fd_draw_init(&o, &err) == FD_OK);
	fd_draw_clipboard("hi", 2);
	sent = fd_draw_sent(&n);
	CHECK_INT(n, 0); /* nothing before the frame */
	fd_draw_flush();
	sent = fd_draw_sent(&n);
	REQUIRE(sent != NULL);
	CHECK_INT(n, sizeof(want) - 1);
	CHECK(memcmp(sent, want, sizeof(want) - 1) == 0);
	fd_draw_flush(); /* once only */
	fd_draw_sent(&n);
	CHECK_INT(n, sizeof(want) - 1);
	fd_draw_end();
}
