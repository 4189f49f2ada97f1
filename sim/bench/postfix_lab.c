/* A throwaway real Postfix for `mailsim bench grade` (postfix_lab.h). */
#define _DEFAULT_SOURCE /* mkdtemp, SOCK_CLOEXEC */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sim/bench/postfix_lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocols/buf.h"
#include "sim/bench/bench.h"

#define POSTFIX_BIN "/usr/sbin/postfix"
#define POSTFIX_MASTER "/usr/lib/postfix/sbin/master"
#define START_TIMEOUT_S 30.0
#define STOP_TIMEOUT_S 15.0

struct postfix_lab {
	char dir[64];
	char version[32];
	int port;
	pid_t pid; /* `postfix start-fg`, leader of its own session */
	double start_s;
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

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

/* Does smtpd greet with 220? (master accepts before smtpd is running.) */
static int port_greets(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		struct timeval tv = {2, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char b[64];
		ssize_t n = recv(fd, b, sizeof b, 0);
		ok = n >= 3 && memcmp(b, "220", 3) == 0;
		if (ok) {
			ssize_t w = send(fd, "QUIT\r\n", 6, MSG_NOSIGNAL);
			(void)w;
		}
	}
	close(fd);
	return ok;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void tail_of(const char *path, char *out, size_t cap)
{
	out[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	long want = (long)cap - 1;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);
		fseek(f, size > want ? size - want : 0, SEEK_SET);
	}
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	fclose(f);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* Runs argv to its end (stdout and stderr into log), bounded. Returns its
 * exit status, or -1. */
static int run_wait(char *const argv[], const char *log, double timeout_s)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	int64_t deadline = bench_wall_ns() + (int64_t)(timeout_s * 1e9);
	int status;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (bench_wall_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(5);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void read_version(struct postfix_lab *p)
{
	FILE *f = popen("/usr/sbin/postconf -d -h mail_version 2>/dev/null", "r");
	if (!f)
		return;
	if (!fgets(p->version, sizeof p->version, f))
		p->version[0] = 0;
	pclose(f);
	p->version[strcspn(p->version, "\r\n")] = 0;
}

/* main.cf, master.cf and the virtual mailbox map. */
static int write_config(const struct postfix_lab *p, const char *const *addresses, size_t n, const char *base,
			unsigned uid, unsigned gid)
{
	const char *t = p->dir;
	struct buf domains, map, b;
	buf_init(&domains, 1 << 16);
	buf_init(&map, 1 << 20);
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n; i++) {
		const char *at = strrchr(addresses[i], '@');
		if (!at)
			continue;
		/* Each domain once (the list is short). */
		int seen = 0;
		for (size_t k = 0; k < i; k++) {
			const char *at2 = strrchr(addresses[k], '@');
			seen |= at2 && strcmp(at2, at) == 0;
		}
		if (!seen)
			buf_printf(&domains, "%s%s", domains.len ? ", " : "", at + 1);
		buf_printf(&map, "%s %s/\n", addresses[i], addresses[i]);
	}
	buf_printf(&b,
		   "# mailsim bench grade: a throwaway Postfix, removed when the benchmark ends.\n"
		   "compatibility_level = 3.6\n"
		   "queue_directory = %s/queue\n"
		   "data_directory = %s/data\n"
		   "mail_owner = postfix\n"
		   "setgid_group = postdrop\n"
		   "inet_interfaces = 127.0.0.1\n"
		   "inet_protocols = ipv4\n"
		   "myhostname = smtp-lab.example.org\n"
		   "mydestination =\n"
		   "mynetworks = 127.0.0.0/8\n"
		   "alias_maps =\n"
		   "alias_database =\n"
		   "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
		   "virtual_mailbox_domains = %s\n"
		   "virtual_mailbox_base = %s\n"
		   "virtual_mailbox_maps = texthash:%s/conf/vmailbox\n"
		   "virtual_uid_maps = static:%u\n"
		   "virtual_gid_maps = static:%u\n"
		   "virtual_minimum_uid = 1\n"
		   "maillog_file_prefixes = /tmp\n"
		   "maillog_file = %s/maillog\n"
		   "biff = no\n",
		   t, t, domains.data ? domains.data : "", base, t, uid, gid, t);
	/* The services `postfix start` needs, none chrooted (the throwaway
	 * folder has no chroot tree). */
	static const char MASTER[] =
		"pickup    unix  n       -       n       60      1       pickup\n"
		"cleanup   unix  n       -       n       -       0       cleanup\n"
		"qmgr      unix  n       -       n       300     1       qmgr\n"
		"rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
		"bounce    unix  -       -       n       -       0       bounce\n"
		"defer     unix  -       -       n       -       0       bounce\n"
		"trace     unix  -       -       n       -       0       bounce\n"
		"verify    unix  -       -       n       -       1       verify\n"
		"flush     unix  n       -       n       1000?   0       flush\n"
		"proxymap  unix  -       -       n       -       -       proxymap\n"
		"proxywrite unix -       -       n       -       1       proxymap\n"
		"smtp      unix  -       -       n       -       -       smtp\n"
		"relay     unix  -       -       n       -       -       smtp\n"
		"showq     unix  n       -       n       -       -       showq\n"
		"error     unix  -       -       n       -       -       error\n"
		"retry     unix  -       -       n       -       -       error\n"
		"discard   unix  -       -       n       -       -       discard\n"
		"local     unix  -       n       n       -       -       local\n"
		"virtual   unix  -       n       n       -       -       virtual\n"
		"lmtp      unix  -       -       n       -       -       lmtp\n"
		"anvil     unix  -       -       n       -       1       anvil\n"
		"scache    unix  -       -       n       -       1       scache\n"
		"postlog   unix-dgram n  -       n       -       1       postlogd\n";
	char path[128], master[sizeof MASTER + 96];
	int len = snprintf(master, sizeof master, "127.0.0.1:%d inet n - n - - smtpd\n%s", p->port, MASTER);
	int rc = domains.err || map.err || b.err ? -1 : 0;
	snprintf(path, sizeof path, "%s/conf/main.cf", t);
	if (rc == 0)
		rc = write_text(path, b.data, b.len);
	snprintf(path, sizeof path, "%s/conf/master.cf", t);
	if (rc == 0)
		rc = write_text(path, master, (size_t)len);
	snprintf(path, sizeof path, "%s/conf/vmailbox", t);
	if (rc == 0)
		rc = write_text(path, map.data ? map.data : "", map.len);
	buf_free(&domains);
	buf_free(&map);
	buf_free(&b);
	return rc;
}

static pid_t spawn_postfix(const struct postfix_lab *p)
{
	char conf[96], out[96];
	snprintf(conf, sizeof conf, "%s/conf", p->dir);
	snprintf(out, sizeof out, "%s/postfix.out", p->dir);
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setsid();
	int null = open("/dev/null", O_RDONLY);
	int log = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	if (log >= 0) {
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
	}
	char *argv[] = {POSTFIX_BIN, "-c", conf, "start-fg", NULL};
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", POSTFIX_BIN, strerror(errno));
	_exit(127);
}

/* The master's pid from its pid file, or -1. */
static pid_t master_pid(const struct postfix_lab *p)
{
	char path[128];
	snprintf(path, sizeof path, "%s/queue/pid/master.pid", p->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long pid = -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid > 1 ? (pid_t)pid : -1;
}

double postfix_lab_stop_timed(struct postfix_lab **pp)
{
	struct postfix_lab *p = *pp;
	if (!p)
		return 0;
	int64_t t0 = bench_wall_ns();
	if (p->pid > 0) {
		char conf[96], log[96];
		snprintf(conf, sizeof conf, "%s/conf", p->dir);
		snprintf(log, sizeof log, "%s/postfix.out", p->dir);
		pid_t master = master_pid(p);
		char *argv[] = {POSTFIX_BIN, "-c", conf, "stop", NULL};
		run_wait(argv, log, STOP_TIMEOUT_S);
		/* start-fg returns when its master is gone. */
		int64_t deadline = bench_wall_ns() + (int64_t)(STOP_TIMEOUT_S * 1e9);
		int status;
		while (waitpid(p->pid, &status, WNOHANG) == 0) {
			if (bench_wall_ns() > deadline) {
				if (master > 0)
					kill(-master, SIGKILL);
				kill(-p->pid, SIGKILL);
				waitpid(p->pid, &status, 0);
				break;
			}
			sleep_ms(5);
		}
		/* Whatever of the master's group is left. */
		if (master > 0)
			kill(-master, SIGKILL);
		p->pid = 0;
	}
	double s = (double)(bench_wall_ns() - t0) / 1e9;
	if (p->dir[0])
		nftw(p->dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
	free(p);
	*pp = NULL;
	return s;
}

void postfix_lab_stop(struct postfix_lab **p)
{
	postfix_lab_stop_timed(p);
}

int postfix_lab_start(const char *const *addresses, size_t n, const char *maildir_base, unsigned uid, unsigned gid,
		      struct postfix_lab **p_r, char *why, size_t whylen)
{
	*p_r = NULL;
	if (access(POSTFIX_BIN, X_OK) < 0 || access(POSTFIX_MASTER, X_OK) < 0) {
		snprintf(why, whylen, "Postfix is not installed (%s or %s missing: apt-get install postfix)", POSTFIX_BIN,
			 POSTFIX_MASTER);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(why, whylen, "Postfix's master must be started as root (it binds and then runs its "
				      "daemons as the postfix user); this benchmark runs as uid %u",
			 (unsigned)geteuid());
		return -1;
	}
	struct passwd *pw = getpwnam("postfix");
	if (!pw) {
		snprintf(why, whylen, "no \"postfix\" user (the package's mail_owner)");
		return -1;
	}
	struct postfix_lab *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	read_version(p);
	snprintf(p->dir, sizeof p->dir, "/tmp/mailsim-postfix-XXXXXX");
	if (!mkdtemp(p->dir)) {
		snprintf(why, whylen, "cannot make a temporary folder: %s", strerror(errno));
		free(p);
		return -1;
	}
	p->port = free_port();
	char path[128];
	int ok = p->port > 0 && chmod(p->dir, 0755) == 0;
	static const char *const SUBDIRS[] = {"conf", "queue", "data"};
	for (size_t i = 0; ok && i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", p->dir, SUBDIRS[i]);
		ok = mkdir(path, 0755) == 0;
	}
	snprintf(path, sizeof path, "%s/data", p->dir);
	if (ok)
		ok = chown(path, pw->pw_uid, pw->pw_gid) == 0;
	if (!ok || write_config(p, addresses, n, maildir_base, uid, gid) < 0) {
		snprintf(why, whylen, "cannot prepare %s: %s", p->dir, strerror(errno));
		postfix_lab_stop(&p);
		return -1;
	}
	int64_t t0 = bench_wall_ns();
	p->pid = spawn_postfix(p);
	if (p->pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		p->pid = 0;
		postfix_lab_stop(&p);
		return -1;
	}
	int64_t deadline = t0 + (int64_t)(START_TIMEOUT_S * 1e9);
	for (;;) {
		if (port_greets(p->port))
			break;
		int status;
		int exited = waitpid(p->pid, &status, WNOHANG) == p->pid;
		if (exited || bench_wall_ns() > deadline) {
			char out[200], log[300];
			snprintf(path, sizeof path, "%s/postfix.out", p->dir);
			tail_of(path, out, sizeof out);
			snprintf(path, sizeof path, "%s/maillog", p->dir);
			tail_of(path, log, sizeof log);
			if (exited)
				p->pid = 0;
			snprintf(why, whylen, "Postfix %s: %s %s",
				 exited ? "exited at start" : "did not greet on its port in time", out, log);
			postfix_lab_stop(&p);
			return -1;
		}
		sleep_ms(10);
	}
	p->start_s = (double)(bench_wall_ns() - t0) / 1e9;
	*p_r = p;
	return 0;
}

int postfix_lab_port(const struct postfix_lab *p) { return p->port; }
const char *postfix_lab_version(const struct postfix_lab *p) { return p->version; }
double postfix_lab_start_seconds(const struct postfix_lab *p) { return p->start_s; }
