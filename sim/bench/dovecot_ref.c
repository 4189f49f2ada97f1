/* The Dovecot reference of `mailsim bench mailbox` (dovecot_ref.h): a
 * throwaway Dovecot on loopback, and blocking sockets to talk to it. */
#define _DEFAULT_SOURCE /* setgroups, SOCK_CLOEXEC */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sim/bench/dovecot_ref.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocols/buf.h"
#include "sim/agents/mailstore.h"
#include "sim/bench/bench.h"
#include "sim/bench/mailbox_client.h"

#define DOVECOT_BIN "/usr/sbin/dovecot"
#define DOVECOT_LIBEXEC "/usr/lib/dovecot"
#define START_TIMEOUT_S 15.0
#define STOP_TIMEOUT_S 5.0
#define IO_TIMEOUT_S 30

struct dovecot_ref {
	char dir[64];
	char mail_dir[128];
	char version[64];
	char run_as[40], group[40];
	uid_t uid;
	gid_t gid;
	int imap_port, pop3_port;
	pid_t pid;
	double export_s, start_s;
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

static int connect_port(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Does the port greet? (Dovecot accepts before its login process is ready,
 * so a greeting, not a connect, says it serves.) */
static int port_greets(int port)
{
	int fd = connect_port(port);
	if (fd < 0)
		return 0;
	struct timeval tv = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char b[64];
	ssize_t n = recv(fd, b, sizeof b, 0);
	close(fd);
	return n > 0 && (b[0] == '*' || b[0] == '+');
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

/* nftw's callback takes no context: the owner to give the tree to. */
static uid_t chown_uid;
static gid_t chown_gid;

static int chown_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid) < 0 ? -1 : 0;
}

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The last lines of the file (at most cap - 1 bytes) into out, on one line. */
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

static void read_version(struct dovecot_ref *d)
{
	FILE *p = popen(DOVECOT_BIN " --version 2>/dev/null", "r");
	if (!p)
		return;
	if (!fgets(d->version, sizeof d->version, p))
		d->version[0] = 0;
	pclose(p);
	d->version[strcspn(d->version, "\r\n")] = 0;
}

static int write_config(struct dovecot_ref *d)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	const char *t = d->dir;
	buf_printf(&b,
		   "# mailsim bench mailbox: a throwaway Dovecot, removed when the benchmark ends.\n"
		   "base_dir = %s/run\n"
		   "log_path = %s/dovecot.log\n"
		   "protocols = imap pop3\n"
		   "listen = 127.0.0.1\n"
		   "ssl = no\n"
		   "disable_plaintext_auth = no\n"
		   "auth_mechanisms = plain\n"
		   "default_internal_user = %s\n"
		   "default_internal_group = %s\n"
		   "default_login_user = %s\n"
		   "first_valid_uid = 1\n"
		   "mail_location = maildir:%s/mail/%%u\n"
		   "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %s/passwd\n}\n"
		   "userdb {\n  driver = static\n  args = uid=%u gid=%u home=%s/mail/%%u\n}\n"
		   "service imap-login {\n  chroot =\n"
		   "  inet_listener imap {\n    address = 127.0.0.1\n    port = %d\n  }\n"
		   "  inet_listener imaps {\n    port = 0\n  }\n}\n"
		   "service pop3-login {\n  chroot =\n"
		   "  inet_listener pop3 {\n    address = 127.0.0.1\n    port = %d\n  }\n"
		   "  inet_listener pop3s {\n    port = 0\n  }\n}\n"
		   "service anvil {\n  chroot =\n}\n"
		   "service auth-worker {\n  user = $default_internal_user\n}\n",
		   t, t, d->run_as, d->group, d->run_as, t, t, (unsigned)d->uid, (unsigned)d->gid, t, d->imap_port,
		   d->pop3_port);
	char path[128];
	snprintf(path, sizeof path, "%s/dovecot.conf", t);
	int rc = b.err ? -1 : write_text(path, b.data, b.len);
	buf_free(&b);
	return rc;
}

static int write_passwd(const struct dovecot_ref *d, const struct mailstore *ms)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 28);
	for (size_t i = 0; i < mailstore_user_count(ms); i++) {
		const struct ms_user *u = mailstore_user_at(ms, i);
		buf_printf(&b, "%s:{PLAIN}%s\n", ms_user_address(u), ms_user_password(u));
	}
	char path[128];
	snprintf(path, sizeof path, "%s/passwd", d->dir);
	int rc = b.err ? -1 : write_text(path, b.data ? b.data : "", b.len);
	buf_free(&b);
	return rc;
}

/* Kills the server's process group and waits for the master. */
static void kill_server(struct dovecot_ref *d)
{
	if (d->pid <= 0)
		return;
	kill(-d->pid, SIGTERM);
	int64_t deadline = bench_wall_ns() + (int64_t)(STOP_TIMEOUT_S * 1e9);
	int status;
	while (waitpid(d->pid, &status, WNOHANG) == 0) {
		if (bench_wall_ns() > deadline) {
			kill(-d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			break;
		}
		sleep_ms(5);
	}
	/* Its children (login and mail processes) go with the group. */
	sleep_ms(50);
	kill(-d->pid, SIGKILL);
	d->pid = 0;
}

void dovecot_ref_stop(struct dovecot_ref **dp)
{
	struct dovecot_ref *d = *dp;
	if (!d)
		return;
	kill_server(d);
	if (d->dir[0])
		nftw(d->dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
	free(d);
	*dp = NULL;
}

static pid_t spawn_dovecot(const struct dovecot_ref *d, int as_root)
{
	char conf[128], out[128];
	snprintf(conf, sizeof conf, "%s/dovecot.conf", d->dir);
	snprintf(out, sizeof out, "%s/dovecot.out", d->dir);
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* Its own process group, so stopping it reaches every child. */
	setpgid(0, 0);
	int null = open("/dev/null", O_RDONLY);
	int log = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	if (log >= 0) {
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
	}
	if (as_root && (setgroups(0, NULL) < 0 || setgid(d->gid) < 0 || setuid(d->uid) < 0)) {
		fprintf(stderr, "cannot drop privileges to %s: %s\n", d->run_as, strerror(errno));
		_exit(126);
	}
#if defined(__linux__)
	/* If the benchmark dies (Ctrl-C reaches only its own process group),
	 * Dovecot's master is told to stop too. Set after setuid, which
	 * clears it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	char *argv[] = {DOVECOT_BIN, "-F", "-c", conf, NULL};
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", DOVECOT_BIN, strerror(errno));
	_exit(127);
}

int dovecot_ref_start(const struct mailstore *ms, struct dovecot_ref **d_r, char *why, size_t whylen)
{
	*d_r = NULL;
	if (access(DOVECOT_BIN, X_OK) < 0 || access(DOVECOT_LIBEXEC "/imap", X_OK) < 0 ||
	    access(DOVECOT_LIBEXEC "/pop3", X_OK) < 0) {
		snprintf(why, whylen, "Dovecot is not installed (%s, %s/imap or %s/pop3 missing: apt-get install "
				      "dovecot-imapd dovecot-pop3d)",
			 DOVECOT_BIN, DOVECOT_LIBEXEC, DOVECOT_LIBEXEC);
		return -1;
	}
	struct dovecot_ref *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	read_version(d);
	int as_root = geteuid() == 0;
	struct passwd *pw = as_root ? getpwnam("nobody") : getpwuid(geteuid());
	if (!pw) {
		snprintf(why, whylen, "no user to run Dovecot as (%s)", as_root ? "nobody" : "the current uid");
		free(d);
		return -1;
	}
	snprintf(d->run_as, sizeof d->run_as, "%s", pw->pw_name);
	d->uid = pw->pw_uid;
	d->gid = pw->pw_gid;
	struct group *gr = getgrgid(d->gid);
	if (!gr) {
		snprintf(why, whylen, "user %s has no group name", d->run_as);
		free(d);
		return -1;
	}
	snprintf(d->group, sizeof d->group, "%s", gr->gr_name);
	snprintf(d->dir, sizeof d->dir, "/tmp/mailsim-dovecot-XXXXXX");
	if (!mkdtemp(d->dir)) {
		snprintf(why, whylen, "cannot make a temporary directory: %s", strerror(errno));
		d->dir[0] = 0;
		dovecot_ref_stop(&d);
		return -1;
	}
	d->imap_port = free_port();
	d->pop3_port = free_port();
	while (d->pop3_port == d->imap_port && d->pop3_port > 0)
		d->pop3_port = free_port();
	char path[128], err[300];
	snprintf(path, sizeof path, "%s/mail", d->dir);
	snprintf(d->mail_dir, sizeof d->mail_dir, "%s", path);
	int64_t t0 = bench_wall_ns();
	int rc = mailstore_export_maildir(ms, path, err, sizeof err);
	d->export_s = (double)(bench_wall_ns() - t0) / 1e9;
	if (rc < 0) {
		snprintf(why, whylen, "Maildir export failed: %s", err);
		dovecot_ref_stop(&d);
		return -1;
	}
	snprintf(path, sizeof path, "%s/run", d->dir);
	if (d->imap_port < 0 || d->pop3_port < 0 || mkdir(path, 0755) < 0 || write_passwd(d, ms) < 0) {
		snprintf(why, whylen, "cannot prepare %s: %s", d->dir, strerror(errno));
		dovecot_ref_stop(&d);
		return -1;
	}
	if (write_config(d) != 0) {
		snprintf(why, whylen, "cannot write the Dovecot configuration in %s", d->dir);
		dovecot_ref_stop(&d);
		return -1;
	}
	chown_uid = d->uid;
	chown_gid = d->gid;
	if (as_root && nftw(d->dir, chown_entry, 32, FTW_PHYS) != 0) {
		snprintf(why, whylen, "cannot give %s to %s: %s", d->dir, d->run_as, strerror(errno));
		dovecot_ref_stop(&d);
		return -1;
	}
	t0 = bench_wall_ns();
	d->pid = spawn_dovecot(d, as_root);
	if (d->pid > 0)
		setpgid(d->pid, d->pid); /* as the child does: whoever runs first */
	if (d->pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		d->pid = 0;
		dovecot_ref_stop(&d);
		return -1;
	}
	int64_t deadline = t0 + (int64_t)(START_TIMEOUT_S * 1e9);
	for (;;) {
		if (port_greets(d->imap_port) && port_greets(d->pop3_port))
			break;
		int status;
		int exited = waitpid(d->pid, &status, WNOHANG) == d->pid;
		if (exited || bench_wall_ns() > deadline) {
			char tail[200], log[200];
			snprintf(path, sizeof path, "%s/dovecot.out", d->dir);
			tail_of(path, tail, sizeof tail);
			snprintf(path, sizeof path, "%s/dovecot.log", d->dir);
			tail_of(path, log, sizeof log);
			if (exited)
				d->pid = 0;
			snprintf(why, whylen, "Dovecot %s (as %s): %s %s",
				 exited ? "exited at start" : "did not greet on its ports in time", d->run_as, tail, log);
			dovecot_ref_stop(&d);
			return -1;
		}
		sleep_ms(20);
	}
	d->start_s = (double)(bench_wall_ns() - t0) / 1e9;
	*d_r = d;
	return 0;
}

const char *dovecot_ref_version(const struct dovecot_ref *d) { return d->version; }
const char *dovecot_ref_run_as(const struct dovecot_ref *d) { return d->run_as; }
const char *dovecot_ref_mail_dir(const struct dovecot_ref *d) { return d->mail_dir; }
void dovecot_ref_owner(const struct dovecot_ref *d, unsigned *uid_r, unsigned *gid_r)
{
	*uid_r = (unsigned)d->uid;
	*gid_r = (unsigned)d->gid;
}
double dovecot_ref_export_seconds(const struct dovecot_ref *d) { return d->export_s; }
double dovecot_ref_start_seconds(const struct dovecot_ref *d) { return d->start_s; }

struct sock {
	int fd;
	char chunk[65536];
};

static int sock_send(void *ctx, const void *data, size_t len, char *err, size_t errlen)
{
	struct sock *s = ctx;
	const char *p = data;
	while (len) {
		ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "send: %s", n < 0 ? strerror(errno) : "nothing sent");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static long sock_recv(void *ctx, struct buf *in, char *err, size_t errlen)
{
	struct sock *s = ctx;
	for (;;) {
		ssize_t n = recv(s->fd, s->chunk, sizeof s->chunk, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "recv: %s", errno == EAGAIN ? "timed out" : strerror(errno));
			return -1;
		}
		if (n > 0 && buf_append(in, s->chunk, (size_t)n) < 0) {
			snprintf(err, errlen, "response too large");
			return -1;
		}
		return (long)n;
	}
}

int dovecot_ref_connect(struct dovecot_ref *d, enum dovecot_service svc, struct mbx_io *io, char *err, size_t errlen)
{
	struct sock *s = malloc(sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int port = svc == DOVECOT_IMAP ? d->imap_port : d->pop3_port;
	s->fd = connect_port(port);
	if (s->fd < 0) {
		snprintf(err, errlen, "connect to 127.0.0.1:%d: %s", port, strerror(errno));
		free(s);
		return -1;
	}
	int one = 1;
	struct timeval tv = {IO_TIMEOUT_S, 0};
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	*io = (struct mbx_io){.ctx = s, .send = sock_send, .recv = sock_recv};
	return 0;
}

void dovecot_ref_disconnect(struct mbx_io *io)
{
	struct sock *s = io->ctx;
	if (!s)
		return;
	close(s->fd);
	free(s);
	io->ctx = NULL;
}
