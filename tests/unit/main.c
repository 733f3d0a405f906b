/* main.c - the unit/integration test runner. Forks per case; starts one shared
 * simulator (tests/sim/fleetsim.py) for the cases that need it. */
#include <curl/curl.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static struct fd_test *tests;
static int case_failed;
static char data_dir[4096] = "tests/data";
static char case_tmp[4096];
static pid_t sim_pid;
static char sim_url[256];

void
fd_test_register(struct fd_test *t)
{
	struct fd_test **p = &tests;

	while (*p && strcmp((*p)->file, t->file) <= 0)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

void
fd_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	case_failed = 1;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

_Noreturn void
fd_test_skip(const char *why)
{
	fprintf(stderr, "    skipped: %s\n", why);
	fflush(NULL);
	exit(case_failed ? 1 : 77);
}

const char *
fd_test_data(void)
{
	return data_dir;
}

const char *
fd_test_tmpdir(void)
{
	if (!case_tmp[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(case_tmp, sizeof(case_tmp), "%s/fdtest.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(case_tmp)) {
			fd_test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
			case_tmp[0] = '\0';
			return "/nonexistent";
		}
	}
	return case_tmp;
}

const char *
fd_test_sim_url(void)
{
	const char *u = getenv("FD_SIM_URL");

	if (!u || !*u)
		fd_test_skip("simulator not running (python3 missing or failed to start)");
	return u;
}

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
	struct {
		char *d;
		size_t len;
	} *b = ud;
	char *q = realloc(b->d, b->len + size * n + 1);

	if (!q)
		return 0;
	b->d = q;
	memcpy(b->d + b->len, p, size * n);
	b->len += size * n;
	b->d[b->len] = '\0';
	return size * n;
}

int
fd_test_sim_control(const char *method, const char *path, const char *json, char **out)
{
	struct {
		char *d;
		size_t len;
	} b = {NULL, 0};
	char url[512];
	long code = 0;
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");

	snprintf(url, sizeof(url), "%s/_sim/%s", fd_test_sim_url(), path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (json)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(h) != CURLE_OK)
		fd_test_fail(__FILE__, __LINE__, "simulator control %s %s failed", method, path);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (out)
		*out = b.d ? b.d : strdup("");
	else
		free(b.d);
	return (int)code;
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
sim_stop(void)
{
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
		sim_pid = 0;
	}
}

/* Second line of the port file: "https PORT CAFILE" when TLS is served. */
static void
read_tls_line(FILE *f)
{
	char ca[1024], url[256];
	int port = 0;

	if (fscanf(f, " https %d %1023s", &port, ca) == 2 && port > 0) {
		snprintf(url, sizeof(url), "https://127.0.0.1:%d", port);
		setenv("FD_SIM_TLS_URL", url, 1);
		setenv("FD_SIM_CA", ca, 1);
	}
}

static void
sim_start(void)
{
	char portfile[] = "/tmp/fdsim-port.XXXXXX";
	int fd, i;

	if (getenv("FD_SIM_URL") || access("tests/sim/fleetsim.py", R_OK) != 0)
		return;
	fd = mkstemp(portfile);
	if (fd < 0)
		return;
	close(fd);
	unlink(portfile);
	sim_pid = fork();
	if (sim_pid == 0) {
		execlp("python3", "python3", "tests/sim/fleetsim.py", "--port", "0", "--port-file",
		       portfile, "--tls-port", "0", "--quiet", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		FILE *f = fopen(portfile, "r");
		int port = 0;
		if (f) {
			if (fscanf(f, "%d", &port) == 1 && port > 0) {
				read_tls_line(f);
				fclose(f);
				unlink(portfile);
				snprintf(sim_url, sizeof(sim_url), "http://127.0.0.1:%d", port);
				setenv("FD_SIM_URL", sim_url, 1);
				return;
			}
			fclose(f);
		}
		if (waitpid(sim_pid, NULL, WNOHANG) == sim_pid) {
			sim_pid = 0;
			break;
		}
		usleep(50000);
	}
	fprintf(stderr, "warning: simulator did not start; simulator cases are skipped\n");
	sim_stop();
}

static int
run_case(struct fd_test *t)
{
	int status;
	pid_t pid;

	fflush(NULL);
	if (getenv("FD_TEST_NOFORK")) {
		t->fn();
		return case_failed ? 1 : 0;
	}
	pid = fork();
	if (pid == 0) {
		/* exit(), not _exit(): LeakSanitizer reports at exit under make san. The
		 * child must not stop the parent's simulator from the atexit hook. */
		sim_pid = 0;
		alarm(300);
		t->fn();
		fflush(NULL);
		if (case_tmp[0])
			nftw(case_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		exit(case_failed ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "    crashed with signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *filter = argc > 1 ? argv[1] : getenv("FD_TEST_FILTER");
	const char *d = getenv("FD_TEST_DATA");
	struct fd_test *t;

	if (d)
		snprintf(data_dir, sizeof(data_dir), "%s", d);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sim_start();
	atexit(sim_stop);
	for (t = tests; t; t = t->next) {
		int rc;
		if (filter && *filter && !strstr(t->name, filter) && !strstr(t->file, filter))
			continue;
		rc = run_case(t);
		if (rc == 0) {
			passed++;
			printf("ok   %s\n", t->name);
		} else if (rc == 77) {
			skipped++;
			printf("skip %s\n", t->name);
		} else {
			failed++;
			printf("FAIL %s (%s)\n", t->name, t->file);
		}
	}
	sim_stop();
	curl_global_cleanup();
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
