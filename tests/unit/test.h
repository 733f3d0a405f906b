/* test.h - a tiny in-tree test runner: TEST(name) registers a case; CHECK*
 * record failures and keep going; the runner forks per case so a crash fails one
 * case, and ends with "N passed, N failed, N skipped". */
#ifndef FLEETDECK_TEST_H
#define FLEETDECK_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct fd_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	struct fd_test *next;
};

void fd_test_register(struct fd_test *t);
void fd_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void fd_test_skip(const char *why);
/* Directory of tests/data (set by the runner from FD_TEST_DATA or argv[0]). */
const char *fd_test_data(void);
/* Simulator base URL ("http://127.0.0.1:PORT"); skips the case when the simulator
 * could not be started (no python3). */
const char *fd_test_sim_url(void);
/* POSTs JSON to the simulator control API (/_sim/<path>); returns the HTTP status and
 * the body in out (may be NULL). Fails the case on transport errors. */
int fd_test_sim_control(const char *method, const char *path, const char *json, char **out);
/* A fresh temporary directory for this case, removed by the runner. */
const char *fd_test_tmpdir(void);
/* The first column of the first row sql gives in the database file at path; -1 when
 * it cannot be read (sqlval.c). */
int64_t fd_test_sql_int(const char *path, const char *sql);

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	static struct fd_test test_rec_##name = {#name, test_##name, __FILE__, NULL};              \
	__attribute__((constructor)) static void test_reg_##name(void)                            \
	{                                                                                          \
		fd_test_register(&test_rec_##name);                                                \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fd_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                      \
	} while (0)

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fd_test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                    \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_)                                                                      \
			fd_test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a,   \
				     a_, #b, b_);                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
			fd_test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,     \
				     a_ ? a_ : "(null)", b_ ? b_ : "(null)");                      \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                                \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		if (!h_ || !strstr(h_, n_))                                                        \
			fd_test_fail(__FILE__, __LINE__, "%s == \"%.300s\" lacks \"%s\"", #hay,   \
				     h_ ? h_ : "(null)", n_);                                      \
	} while (0)

#define SKIP(why) fd_test_skip(why)

#endif
