/* The sandbox (sim/grade/sandbox.h): every limit stops what it is meant to
 * stop, output floods stay bounded, nothing but loopback is reachable,
 * nothing outlives the run and the work dir goes away.
 *
 * The children are /bin/sh and python3 (not this binary: under
 * AddressSanitizer it could not start within a memory limit). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sim/grade/sandbox.h"

static char workdir[512];

static void run_sh(const char *script, struct sandbox_spec *spec, struct sandbox_outcome *o)
{
	const char *argv[] = {"sh", "-c", script, NULL};
	spec->argv = argv;
	spec->workdir = workdir;
	char err[256];
	int rc = sandbox_run(spec, o, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "sandbox_run: %s\n", err);
	CHECK(rc == 0);
}

static int exists(const char *name)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", workdir, name);
	return lstat(path, &st) == 0;
}

static void test_plain_run(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	const char *env[] = {"GREETING=hola", NULL};
	/* The grader's own environment does not reach the child. */
	setenv("SECRET_FROM_GRADER", "x", 1);
	spec.env = env;
	struct sandbox_outcome o;
	run_sh("echo \"$GREETING $HOME\"; echo oops >&2; test -z \"$SECRET_FROM_GRADER\" && exit 3", &spec, &o);
	CHECK(o.exited);
	CHECK_EQ_INT(o.exit_code, 3);
	CHECK(o.limit == SANDBOX_LIMIT_NONE);
	/* HOME is the work dir, seen at /tmp (mounted there). */
	CHECK(strncmp(o.out, "hola /tmp\n", 10) == 0);
	CHECK_STR(o.err, "oops\n");
	char d[200];
	CHECK_STR(sandbox_outcome_describe(&o, d, sizeof d), "exited with status 3");
	CHECK(!sandbox_outcome_ok(&o));
	sandbox_outcome_clear(&o);
	/* stdin is /dev/null: a reader gets end of file at once. */
	run_sh("cat; echo end", &spec, &o);
	CHECK_STR(o.out, "end\n");
	CHECK(sandbox_outcome_ok(&o));
	sandbox_outcome_clear(&o);
}

static void test_missing_command(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	const char *argv[] = {"no-such-command-here", NULL};
	spec.argv = argv;
	spec.workdir = workdir;
	struct sandbox_outcome o;
	char err[256];
	CHECK(sandbox_run(&spec, &o, err, sizeof err) < 0);
	CHECK(strstr(err, "no-such-command-here") != NULL);
	/* A path that exists nowhere: exec fails in the child. */
	const char *argv2[] = {"./missing", NULL};
	spec.argv = argv2;
	CHECK(sandbox_run(&spec, &o, err, sizeof err) == 0);
	CHECK(o.exec_failed);
	CHECK_EQ_INT(o.exec_errno, ENOENT);
	char d[200];
	CHECK_STR(sandbox_outcome_describe(&o, d, sizeof d), "could not be started: No such file or directory");
	sandbox_outcome_clear(&o);
}

static void test_cpu_hog(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	spec.cpu_ms = 1000;
	spec.wall_ms = 60000;
	struct sandbox_outcome o;
	run_sh("while :; do :; done", &spec, &o);
	CHECK(!o.exited);
	CHECK(o.signal == SIGXCPU || o.signal == SIGKILL);
	CHECK(o.limit == SANDBOX_LIMIT_CPU);
	char d[200];
	CHECK(strstr(sandbox_outcome_describe(&o, d, sizeof d), "CPU time limit (1 s)") != NULL);
	sandbox_outcome_clear(&o);
}

/* A sleeper and its grandchildren (one escaped into its own session) are
 * all killed at the wall timeout: none lives on to write its file. */
static void test_wall_timeout_kills_descendants(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	spec.wall_ms = 1000;
	struct sandbox_outcome o;
	run_sh("(sleep 2; touch late1) & (sleep 2; touch late2) & setsid sh -c 'sleep 2; touch late3' & "
	       "echo started; sleep 60",
	       &spec, &o);
	CHECK(!o.exited);
	CHECK_EQ_INT(o.signal, SIGKILL);
	CHECK(o.limit == SANDBOX_LIMIT_WALL);
	CHECK_STR(o.out, "started\n");
	CHECK(o.wall_ms < 5000);
	char d[200];
	CHECK_STR(sandbox_outcome_describe(&o, d, sizeof d),
		  "was stopped at the time limit (1 s of real time): it was still running");
	sandbox_outcome_clear(&o);
	sleep(3);
	CHECK(!exists("late1"));
	CHECK(!exists("late2"));
	CHECK(!exists("late3"));
}

static void test_memory_hog(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	spec.memory_bytes = 128ULL << 20;
	const char *argv[] = {"python3", "-c", "b = bytearray(512 * 1024 * 1024)\nprint('got it')", NULL};
	spec.argv = argv;
	spec.workdir = workdir;
	struct sandbox_outcome o;
	char err[256];
	REQUIRE(sandbox_run(&spec, &o, err, sizeof err) == 0);
	CHECK(!sandbox_outcome_ok(&o));
	CHECK(o.limit == SANDBOX_LIMIT_MEMORY);
	CHECK(strstr(o.out, "got it") == NULL);
	char d[200];
	CHECK(strstr(sandbox_outcome_describe(&o, d, sizeof d), "memory limit (128 MiB)") != NULL);
	sandbox_outcome_clear(&o);
}

/* Forks fail past the process limit; the survivors die at the end. */
static void test_fork_bomb(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	spec.nproc = 16;
	spec.wall_ms = 20000;
	const char *argv[] = {"python3", "-c",
			      "import os, time\n"
			      "n = 0\n"
			      "for i in range(200):\n"
			      "    try:\n"
			      "        pid = os.fork()\n"
			      "    except OSError as e:\n"
			      "        print('fork failed after', n, e.errno); break\n"
			      "    if pid == 0:\n"
			      "        time.sleep(2); open('late%d' % i, 'w').close(); os._exit(0)\n"
			      "    n += 1\n"
			      "else:\n"
			      "    print('forked', n)\n",
			      NULL};
	spec.argv = argv;
	spec.workdir = workdir;
	struct sandbox_outcome o;
	char err[256];
	REQUIRE(sandbox_run(&spec, &o, err, sizeof err) == 0);
	int n = -1, e = -1;
	CHECK(sscanf(o.out, "fork failed after %d %d", &n, &e) == 2);
	CHECK(n >= 1 && n < 16);
	CHECK_EQ_INT(e, EAGAIN);
	CHECK(sandbox_outcome_ok(&o));
	sandbox_outcome_clear(&o);
	/* The children it left died with it. */
	sleep(3);
	CHECK(!exists("late0"));
	/* A real bomb (every process forks forever): contained, over quickly. */
	spec.wall_ms = 3000;
	run_sh("b() { b & b & wait; }; b", &spec, &o);
	CHECK(o.wall_ms < 10000);
	CHECK(strstr(o.err, "fork") != NULL);
	sandbox_outcome_clear(&o);
}

static void test_output_flood_bounded(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	spec.output_cap = 1000;
	spec.wall_ms = 5000;
	struct sandbox_outcome o;
	/* 20 MB on stdout and stderr at once: no deadlock, bounded memory. */
	run_sh("head -c 20000000 /dev/zero | tr '\\0' x & head -c 20000000 /dev/zero | tr '\\0' y >&2; wait; "
	       "echo; echo THE-END",
	       &spec, &o);
	CHECK(o.exited);
	CHECK_EQ_INT(o.exit_code, 0);
	CHECK(o.out_total == 20000000 + 9);
	CHECK(o.err_total == 20000000);
	CHECK(o.out_len < 1100);
	CHECK(o.err_len < 1100);
	CHECK(strstr(o.out, "bytes left out") != NULL);
	CHECK(o.out_len > 9 && strcmp(o.out + o.out_len - 9, "\nTHE-END\n") == 0);
	CHECK(strncmp(o.out, "xxxxxxxxxx", 10) == 0);
	sandbox_outcome_clear(&o);
	/* A file that grows past the file size limit. */
	spec.fsize_bytes = 1 << 20;
	run_sh("head -c 5000000 /dev/zero > big; echo rc=$?", &spec, &o);
	CHECK(strstr(o.out, "rc=0") == NULL);
	sandbox_outcome_clear(&o);
}

static int try_connect(const char *ip, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, ip, &sa.sin_addr);
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	int e = errno;
	close(fd);
	return rc == 0 ? 0 : e;
}

/* Only loopback: an outside address fails at once (no route), while a
 * port the grader listens on in its namespace is reachable by the child. */
static void test_network_only_loopback(void)
{
	REQUIRE(sandbox_network_isolated());
	CHECK(try_connect("1.1.1.1", 80) == ENETUNREACH);
	CHECK(try_connect("10.0.0.1", 25) == ENETUNREACH);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	REQUIRE(bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(ls, 4) == 0);
	socklen_t sl = sizeof sa;
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	char script[800];
	snprintf(script,
		 sizeof script,
		 "import socket, time\n"
		 "t = time.time()\n"
		 "for ip in ('1.1.1.1', '10.0.0.1'):\n"
		 "    try:\n"
		 "        socket.create_connection((ip, 80), timeout=5); print(ip, 'reached')\n"
		 "    except OSError as e: print(ip, 'failed', e.errno)\n"
		 "print('fast' if time.time() - t < 2 else 'slow')\n"
		 "s = socket.create_connection(('127.0.0.1', %u), timeout=5); s.sendall(b'hi'); s.close()\n"
		 "print('loopback ok')\n",
		 (unsigned)ntohs(sa.sin_port));
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	const char *argv[] = {"python3", "-c", script, NULL};
	spec.argv = argv;
	spec.workdir = workdir;
	struct sandbox_outcome o;
	char err[256];
	REQUIRE(sandbox_run(&spec, &o, err, sizeof err) == 0);
	char want[200];
	snprintf(want, sizeof want, "1.1.1.1 failed %d\n10.0.0.1 failed %d\nfast\nloopback ok\n", ENETUNREACH,
		 ENETUNREACH);
	CHECK_STR(o.out, want);
	if (!sandbox_outcome_ok(&o))
		fprintf(stderr, "child stderr: %s\n", o.err);
	sandbox_outcome_clear(&o);
	int c = accept(ls, NULL, NULL);
	char buf[4] = "";
	CHECK(c >= 0 && read(c, buf, 2) == 2 && memcmp(buf, "hi", 2) == 0);
	if (c >= 0)
		close(c);
	close(ls);
}

/* The child does not run as root and cannot signal the grader. */
static void test_identity(void)
{
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	char script[200];
	snprintf(script, sizeof script, "id -u; kill -0 %d && echo can-signal; touch mine && echo wrote", (int)getpid());
	struct sandbox_outcome o;
	run_sh(script, &spec, &o);
	CHECK(strncmp(o.out, "0\n", 2) != 0);
	CHECK(strstr(o.out, "can-signal") == NULL);
	CHECK(strstr(o.out, "wrote") != NULL);
	sandbox_outcome_clear(&o);
}

/* What the child writes to /tmp, /var/tmp or /dev/shm lands in its work
 * dir, not in the machine's. */
static void test_private_tmp(void)
{
	char name[64], script[600];
	snprintf(name, sizeof name, "mailsim-sandbox-%d", (int)getpid());
	snprintf(script, sizeof script,
		 "echo a > /tmp/%s-a && echo b > /var/tmp/%s-b && echo c > /dev/shm/%s-c && echo $HOME $TMPDIR && "
		 "ls /tmp | wc -l",
		 name, name, name);
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	struct sandbox_outcome o;
	run_sh(script, &spec, &o);
	CHECK(sandbox_outcome_ok(&o));
	CHECK(strncmp(o.out, "/tmp /tmp\n", 10) == 0);
	sandbox_outcome_clear(&o);
	const char *outside[] = {"/tmp", "/var/tmp", "/dev/shm"};
	const char *suffix[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		char path[200], inside[200];
		snprintf(path, sizeof path, "%s/%s-%s", outside[i], name, suffix[i]);
		struct stat st;
		CHECK(lstat(path, &st) < 0);
		snprintf(inside, sizeof inside, "%s-%s", name, suffix[i]);
		CHECK(exists(inside));
	}
}

static void test_workdir_removed(void)
{
	char dir[512], err[256];
	REQUIRE(sandbox_workdir_new(dir, sizeof dir, err, sizeof err) == 0);
	struct sandbox_spec spec;
	sandbox_spec_defaults(&spec);
	const char *argv[] = {"sh", "-c",
			      "mkdir -p a/b/c && echo x > a/b/c/f && ln -s / root-link && ln -s /etc a/etc-link && "
			      "mkdir locked && touch locked/f && chmod 000 locked && chmod 500 a/b",
			      NULL};
	spec.argv = argv;
	spec.workdir = dir;
	struct sandbox_outcome o;
	REQUIRE(sandbox_run(&spec, &o, err, sizeof err) == 0);
	CHECK(sandbox_outcome_ok(&o));
	sandbox_outcome_clear(&o);
	CHECK(sandbox_workdir_remove(dir) == 0);
	struct stat st;
	CHECK(lstat(dir, &st) < 0 && errno == ENOENT);
	/* The links were not followed. */
	CHECK(lstat("/etc/passwd", &st) == 0);
}

int main(void)
{
	char err[512];
	if (sandbox_isolate_network(err, sizeof err) < 0) {
		/* Say why; the namespace tests cannot run on such a machine. */
		fprintf(stderr, "test_sandbox: %s\n", err);
		return 1;
	}
	if (sandbox_workdir_new(workdir, sizeof workdir, err, sizeof err) < 0) {
		fprintf(stderr, "test_sandbox: %s\n", err);
		return 1;
	}
	RUN(test_plain_run);
	RUN(test_missing_command);
	RUN(test_cpu_hog);
	RUN(test_wall_timeout_kills_descendants);
	RUN(test_memory_hog);
	RUN(test_fork_bomb);
	RUN(test_output_flood_bounded);
	RUN(test_network_only_loopback);
	RUN(test_identity);
	RUN(test_private_tmp);
	RUN(test_workdir_removed);
	CHECK(sandbox_workdir_remove(workdir) == 0);
	return harness_done();
}
