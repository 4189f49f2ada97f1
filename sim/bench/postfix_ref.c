/* The Postfix reference of `mailsim bench mail` (postfix_ref.h): runs
 * smtp-source into smtp-sink over loopback and times it. */
#include "sim/bench/postfix_ref.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/bench/bench.h"

static const char *const TOOL_DIRS[] = {"/usr/sbin", "/usr/lib/postfix", "/usr/libexec/postfix"};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A loopback TCP port nobody listens on now (the kernel's pick). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int port_accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

/* Starts argv with stdout into out_fd (or /dev/null if -1) and stderr
 * discarded. Returns the pid, or -1. */
static pid_t spawn(char *const argv[], int out_fd)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	execv(argv[0], argv);
	_exit(127);
}

/* Waits for pid up to timeout_s; kills it when the time is up. Returns its
 * exit status (0..255), or -1 if it was killed or died of a signal. */
static int wait_bounded(pid_t pid, double timeout_s)
{
	int64_t deadline = bench_wall_ns() + (int64_t)(timeout_s * 1e9);
	int status;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (bench_wall_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(1);
	}
}

static void stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	wait_bounded(pid, 2.0); /* kills it for good if it lingers */
}

/* An unlinked temporary file for a child's output. */
static int temp_file(void)
{
	char path[] = "/tmp/mailsim-postfix-ref-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* The file's whole text (NUL-terminated, caller frees), or NULL. */
static char *read_all(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	char *text = malloc((size_t)end + 1);
	if (!text)
		return NULL;
	size_t got = 0;
	while (got < (size_t)end) {
		ssize_t k = read(fd, text + got, (size_t)end - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	text[got] = 0;
	return text;
}

/* smtp-source -c prints a running counter, "\r"-separated: the last number. */
static uint64_t last_counter(int fd)
{
	char *text = read_all(fd);
	uint64_t v = 0;
	if (!text)
		return 0;
	for (char *p = text; *p; p++)
		if (*p >= '0' && *p <= '9' && (p == text || p[-1] == '\r' || p[-1] == '\n'))
			v = strtoull(p, NULL, 10);
	free(text);
	return v;
}

/* smtp-sink -c prints "sess=N quit=N mesg=N" lines: the last mesg. */
static uint64_t sink_messages(int fd)
{
	char *text = read_all(fd);
	uint64_t v = 0;
	if (!text)
		return 0;
	for (char *p = strstr(text, "mesg="); p; p = strstr(p + 5, "mesg="))
		v = strtoull(p + 5, NULL, 10);
	free(text);
	return v;
}

int postfix_ref_run(const uint32_t *sizes, size_t n, int sessions, double timeout_s, struct postfix_ref *r,
		    char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	char source[96] = "", sink[96] = "";
	for (size_t i = 0; i < sizeof TOOL_DIRS / sizeof TOOL_DIRS[0]; i++) {
		char a[96], b[96];
		snprintf(a, sizeof a, "%s/smtp-source", TOOL_DIRS[i]);
		snprintf(b, sizeof b, "%s/smtp-sink", TOOL_DIRS[i]);
		if (access(a, X_OK) == 0 && access(b, X_OK) == 0) {
			snprintf(source, sizeof source, "%s", a);
			snprintf(sink, sizeof sink, "%s", b);
			snprintf(r->tool_dir, sizeof r->tool_dir, "%s", TOOL_DIRS[i]);
			break;
		}
	}
	if (!source[0] || n == 0)
		return 0;
	r->available = 1;
	r->sessions = sessions;

	/* Equal-width size bands, each sent at its mean size. */
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		lo = sizes[i] < lo ? sizes[i] : lo;
		hi = sizes[i] > hi ? sizes[i] : hi;
	}
	uint64_t count[POSTFIX_REF_BANDS] = {0}, sum[POSTFIX_REF_BANDS] = {0};
	uint64_t width = ((uint64_t)hi - lo) / POSTFIX_REF_BANDS + 1;
	for (size_t i = 0; i < n; i++) {
		size_t band = (size_t)((sizes[i] - lo) / width);
		count[band]++;
		sum[band] += sizes[i];
	}

	int port = free_port();
	int sink_out = temp_file();
	int source_out = temp_file();
	if (port < 0 || sink_out < 0 || source_out < 0) {
		snprintf(err, errlen, "no free loopback port or temporary file: %s", strerror(errno));
		if (sink_out >= 0)
			close(sink_out);
		if (source_out >= 0)
			close(source_out);
		return -1;
	}
	char addr[32], sess[16], nmsg[24], size[24], backlog[] = "1000";
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	snprintf(sess, sizeof sess, "%d", sessions);
	/* smtp-sink refuses to run as root without a user to switch to. */
	char *sink_argv[] = {sink, "-c", "-u", "nobody", addr, backlog, NULL};
	if (geteuid() != 0) {
		sink_argv[2] = addr;
		sink_argv[3] = backlog;
		sink_argv[4] = NULL;
	}
	pid_t sink_pid = spawn(sink_argv, sink_out);
	int rc = 0;
	if (sink_pid < 0) {
		snprintf(err, errlen, "cannot start %s: %s", sink, strerror(errno));
		rc = -1;
	}
	for (int tries = 0; rc == 0 && !port_accepts(port); tries++) {
		if (waitpid(sink_pid, NULL, WNOHANG) == sink_pid)
			sink_pid = -1; /* it exited (and is reaped): nothing to stop */
		if (tries > 500 || sink_pid < 0) {
			snprintf(err, errlen, "smtp-sink did not start listening on %s", addr);
			rc = -1;
		}
		sleep_ms(10);
	}
	int64_t wall = 0;
	for (int b = 0; rc == 0 && b < POSTFIX_REF_BANDS; b++) {
		if (!count[b])
			continue;
		uint64_t mean = (sum[b] + count[b] / 2) / count[b];
		snprintf(nmsg, sizeof nmsg, "%" PRIu64, count[b]);
		snprintf(size, sizeof size, "%" PRIu64, mean);
		char *src_argv[] = {source, "-c", "-s", sess, "-m", nmsg, "-l", size, "-t", "to@example.com",
				    "-f", "from@example.com", addr, NULL};
		if (ftruncate(source_out, 0) < 0 || lseek(source_out, 0, SEEK_SET) < 0) {
			snprintf(err, errlen, "cannot reset a temporary file");
			rc = -1;
			break;
		}
		int64_t t0 = bench_wall_ns();
		pid_t pid = spawn(src_argv, source_out);
		int st = pid < 0 ? -1 : wait_bounded(pid, timeout_s);
		wall += bench_wall_ns() - t0;
		uint64_t got = last_counter(source_out);
		r->messages += count[b];
		r->bytes += count[b] * mean;
		r->source_count += got;
		r->bands++;
		if (st != 0 || got != count[b]) {
			snprintf(err, errlen, "smtp-source (%s messages of %s bytes) %s after %" PRIu64 " deliveries", nmsg,
				 size, st < 0 ? "was killed or timed out" : "failed", got);
			rc = -1;
		}
	}
	r->wall_s = (double)wall / 1e9;
	/* smtp-sink prints its counter as each session ends: give the last
	 * sessions a moment to be counted. */
	for (int tries = 0; rc == 0 && tries < 200; tries++) {
		r->sink_count = sink_messages(sink_out);
		if (r->sink_count >= r->messages)
			break;
		sleep_ms(10);
	}
	stop_child(sink_pid);
	if (rc == 0 && r->sink_count != r->messages) {
		snprintf(err, errlen, "smtp-sink received %" PRIu64 " of %" PRIu64 " messages", r->sink_count,
			 r->messages);
		rc = -1;
	}
	close(sink_out);
	close(source_out);
	return rc;
}
