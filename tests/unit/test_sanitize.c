/* Sanitizer: hostile text must never reach a terminal as control bytes. */
#include <locale.h>
#include <stdlib.h>

#include "fleetdeck/sanitize.h"
#include "test.h"

static char *
san(const char *s, size_t n, unsigned flags)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(s, n, flags, &b);
	return fd_buf_steal(&b);
}

static int
has_raw_control(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
			return 1;
	}
	return 0;
}

TEST(sanitize_osc52_clipboard_escape)
{
	const char evil[] = "ok \x1b]52;c;ZXZpbA==\x07 done";
	char *out = san(evil, sizeof(evil) - 1, 0);

	CHECK_STR(out, "ok ^[]52;c;ZXZpbA==^G done");
	CHECK(!has_raw_control(out));
	free(out);
}

TEST(sanitize_csi_and_c1)
{
	const char evil[] = "\x1b[2J\xc2\x9b" "31m\x7f";
	char *out = san(evil, sizeof(evil) - 1, 0);

	CHECK_STR(out, "^[[2J\\u009B31m^?");
	free(out);
}

TEST(sanitize_invalid_utf8_replaced)
{
	const char bad[] = "a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82";
	char *out = san(bad, sizeof(bad) - 1, 0);

	CHECK_STR(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
		       "d\xEF\xBF\xBD\xEF\xBF\xBD");
	free(out);
}

TEST(sanitize_keeps_valid_wide_text)
{
	const char ok[] = "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x9a\x80";
	char *out = san(ok, sizeof(ok) - 1, 0);

	CHECK_STR(out, ok);
	free(out);
}

TEST(sanitize_tabs_newlines_and_bidi)
{
	char *a = san("a\tb\nc", 5, 0);
	char *b = san("a\tb\nc", 5, FD_SAN_KEEP_TAB | FD_SAN_KEEP_NEWLINE);
	char *c = san("x\xe2\x80\xaey", 5, 0);

	CHECK_STR(a, "a b^Jc");
	CHECK_STR(b, "a\tb\nc");
	CHECK_STR(c, "x\\u202Ey");
	free(a);
	free(b);
	free(c);
}

TEST(sanitize_nul_inside)
{
	char *out = san("a\0b", 3, 0);

	CHECK_STR(out, "a^@b");
	free(out);
}

TEST(text_width_and_fit)
{
	const char *s = "ab\xe4\xb8\x96\xe7\x95\x8c";

	setlocale(LC_CTYPE, "C.UTF-8");
	CHECK_INT(fd_text_width(s, strlen(s)), 6);
	CHECK_INT(fd_text_fit(s, strlen(s), 3), 2);
	CHECK_INT(fd_text_fit(s, strlen(s), 4), 5);
	CHECK_INT(fd_text_fit(s, strlen(s), 100), strlen(s));
}
