/* The sandbox's child: started with limits in its own session (and PID
 * namespace when allowed), watched, drained, killed with its process
 * group, and described. See sandbox.h. */
#define _GNU_SOURCE /* CLONE_NEWPID, pipe2, close_range */
#include "sim/grade/sandbox.h"
#include "sim/grade/sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIXED_PATH "/usr/local/bin:/usr/bin:/bin"
#define DRAIN_GRACE_NS (300 * 1000000LL) /* output still coming after the end */
#define MAX_EXTRA_ENV 64

struct capture {
	int fd;
	char *head;
	size_t head_len, head_cap;
	char *ring; /* the last ring_cap bytes past the head */
	size_t ring_cap, ring_len, ring_pos;
	uint64_t total;
};

struct sandbox {
	pid_t pid;
	struct capture out, err;
	int exec_fd; /* read end of the exec error pipe, -1 once closed */
	int exec_errno, exec_failed;
	int64_t start_ns, deadline_ns, end_ns, drain_until_ns;
	int ended, killed_wall, status;
	struct rusage ru;
	int64_t wall_limit_ms, cpu_limit_ms;
	uint64_t memory_limit;
};

/* Everything the child needs, prepared before fork: it only makes system
 * calls between fork and exec. */
struct child_args {
	const char *path;
	char *const *argv;
	char *const *envp;     /* HOME and TMPDIR: the work dir */
	char *const *envp_tmp; /* HOME and TMPDIR: /tmp, the work dir mounted there */
	const char *workdir;
	int devnull, out_w, err_w, exec_w, sync_r, sync_w;
	struct rlimit cpu, as, nproc, nofile, fsize;
	int drop_uid;
};

void sandbox_spec_defaults(struct sandbox_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->wall_ms = 10000;
	spec->cpu_ms = 5000;
	spec->memory_bytes = 256ULL << 20;
	spec->nproc = 32;
	spec->nofile = 64;
	spec->fsize_bytes = 16ULL << 20;
	spec->output_cap = 16384;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the child ---- */

static void child_fail(int exec_w, int e)
{
	ssize_t w = write(exec_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

static void close_from(unsigned first)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, first, ~0U, 0) == 0)
		return;
#endif
	for (unsigned fd = first; fd < 4096; fd++)
		close((int)fd);
}

/* Takes the child's identity: in its own user namespace (how == 'u') the
 * namespace's uid SANDBOX_CHILD_ID, which the parent mapped to 65534 (root
 * grader) or to the grader's own uid; without one, 65534 itself when the
 * grader is root. Never root: execve then drops every capability. */
static int child_identity(const struct child_args *a, char how)
{
	if (how != 'u' && !a->drop_uid)
		return 0;
	if (setgroups(0, NULL) < 0 && (how != 'u' || errno != EPERM))
		return -1; /* EPERM in a user namespace: setgroups denied, groups kept */
	if (setgid(SANDBOX_CHILD_ID) < 0 || setuid(SANDBOX_CHILD_ID) < 0)
		return -1;
	return 0;
}

/* In its own user namespace the child can have its own mounts: the work
 * dir is mounted over the world-writable directories (/tmp, /var/tmp,
 * /dev/shm), so whatever it writes lands in the work dir and goes away
 * with it. The caller has already entered the work dir. 0 when /tmp is
 * covered (the child is then in /tmp, the work dir's visible name), -1
 * when not (the run goes on with the work dir's own path). */
static int private_tmp(const char *workdir)
{
	static const char *const dirs[] = {"/tmp", "/var/tmp", "/dev/shm"};
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	/* Bind the work dir by descriptor: its name is under /tmp, covered
	 * by the first bind. */
	int fd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	int tmp_done = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (mount(self, dirs[i], NULL, MS_BIND | MS_NOSUID | MS_NODEV, NULL) == 0 && i == 0)
			tmp_done = 1;
	}
	close(fd);
	/* Its visible name from now on (getcwd() would give the hidden one). */
	return tmp_done && chdir("/tmp") == 0 ? 0 : -1;
}

static void __attribute__((noreturn)) child_main(const struct child_args *a)
{
	char how = 0;
	ssize_t r;
	close(a->sync_w); /* so that the parent's death reads as end of file */
	do
		r = read(a->sync_r, &how, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(127); /* the parent gave up on us */
	setsid();
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* an ignored SIGPIPE would survive exec */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Out of the way of 0-3 first, whatever numbers they had. */
	int devnull = fcntl(a->devnull, F_DUPFD, 10), out_w = fcntl(a->out_w, F_DUPFD, 10),
	    err_w = fcntl(a->err_w, F_DUPFD, 10), exec_w = fcntl(a->exec_w, F_DUPFD, 10);
	if (devnull < 0 || out_w < 0 || err_w < 0 || exec_w < 0)
		child_fail(a->exec_w, errno);
	if (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0 || dup2(exec_w, 3) < 0)
		child_fail(exec_w, errno);
	fcntl(3, F_SETFD, FD_CLOEXEC);
	close_from(4);
	if (setrlimit(RLIMIT_CPU, &a->cpu) < 0 || setrlimit(RLIMIT_AS, &a->as) < 0 ||
	    setrlimit(RLIMIT_NPROC, &a->nproc) < 0 || setrlimit(RLIMIT_NOFILE, &a->nofile) < 0 ||
	    setrlimit(RLIMIT_FSIZE, &a->fsize) < 0 || setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}) < 0)
		child_fail(3, errno);
	if (chdir(a->workdir) < 0)
		child_fail(3, errno);
	char *const *envp = how == 'u' && private_tmp(a->workdir) == 0 ? a->envp_tmp : a->envp;
	if (child_identity(a, how) < 0)
		child_fail(3, errno);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* After setuid, which clears it: the child dies with the grader. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	execve(a->path, a->argv, envp);
	child_fail(3, errno);
	_exit(127);
}

/* A child in new user and PID namespaces when the kernel lets us (*ns_r =
 * 1): killing it kills everything it started, and its process count
 * (RLIMIT_NPROC) is its own, not shared with other users of uid 65534 on
 * the machine. Else a plain fork. */
static pid_t spawn(int *ns_r)
{
	*ns_r = 0;
#if defined(SYS_clone) && defined(CLONE_NEWPID) && defined(CLONE_NEWUSER)
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid >= 0) {
		*ns_r = 1;
		return pid;
	}
	if (errno != EPERM && errno != EINVAL && errno != ENOSPC && errno != EUSERS)
		return -1;
#endif
	return fork();
}

static int write_map(pid_t pid, const char *what, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)n ? 0 : -1;
}

/* Maps the child's namespace id SANDBOX_CHILD_ID to 65534 (root grader)
 * or to the grader's own ids. */
static int map_child(pid_t pid, char *err, size_t errlen)
{
	int drop = sandbox_child_drops_uid();
	unsigned uid = drop ? SANDBOX_CHILD_ID : (unsigned)geteuid();
	unsigned gid = drop ? SANDBOX_CHILD_ID : (unsigned)getegid();
	char map[64];
	snprintf(map, sizeof map, "%d %u 1\n", SANDBOX_CHILD_ID, uid);
	if (write_map(pid, "uid_map", map) < 0) {
		snprintf(err, errlen, "sandbox: cannot map the child's uid: %s", strerror(errno));
		return -1;
	}
	/* Without CAP_SETGID outside, a gid map needs setgroups denied. */
	if (!drop && write_map(pid, "setgroups", "deny") < 0 && errno != ENOENT) {
		snprintf(err, errlen, "sandbox: cannot deny setgroups to the child: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof map, "%d %u 1\n", SANDBOX_CHILD_ID, gid);
	if (write_map(pid, "gid_map", map) < 0) {
		snprintf(err, errlen, "sandbox: cannot map the child's gid: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the parent ---- */

static int capture_init(struct capture *c, int fd, size_t cap)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->head_cap = cap / 2 ? cap / 2 : 1;
	c->ring_cap = cap - c->head_cap ? cap - c->head_cap : 1;
	c->head = malloc(c->head_cap);
	c->ring = malloc(c->ring_cap);
	return c->head && c->ring ? 0 : -1;
}

static void capture_add(struct capture *c, const char *p, size_t n)
{
	c->total += n;
	size_t h = c->head_cap - c->head_len;
	if (h > n)
		h = n;
	memcpy(c->head + c->head_len, p, h);
	c->head_len += h;
	p += h;
	n -= h;
	if (n >= c->ring_cap) {
		p += n - c->ring_cap;
		n = c->ring_cap;
	}
	for (size_t i = 0; i < n; i++) {
		c->ring[c->ring_pos] = p[i];
		c->ring_pos = (c->ring_pos + 1) % c->ring_cap;
	}
	c->ring_len = c->ring_len + n > c->ring_cap ? c->ring_cap : c->ring_len + n;
}

/* Reads what is there; 1 at end of file (fd closed), 0 otherwise. */
static int capture_read(struct capture *c)
{
	char buf[8192];
	while (c->fd >= 0) {
		ssize_t r = read(c->fd, buf, sizeof buf);
		if (r > 0) {
			capture_add(c, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		close(c->fd);
		c->fd = -1;
	}
	return 1;
}

/* The kept text: head, a note of what was left out, the tail. */
static char *capture_text(const struct capture *c, size_t *len_r)
{
	uint64_t dropped = c->total - c->head_len - c->ring_len;
	char note[96] = "";
	if (dropped)
		snprintf(note, sizeof note, "\n[... %llu bytes left out ...]\n", (unsigned long long)dropped);
	size_t nl = strlen(note);
	char *t = malloc(c->head_len + nl + c->ring_len + 1);
	if (!t) {
		*len_r = 0;
		return NULL;
	}
	memcpy(t, c->head, c->head_len);
	memcpy(t + c->head_len, note, nl);
	size_t k = c->head_len + nl;
	size_t first = c->ring_len < c->ring_cap ? 0 : c->ring_pos;
	for (size_t i = 0; i < c->ring_len; i++)
		t[k++] = c->ring[(first + i) % c->ring_cap];
	t[k] = 0;
	*len_r = k;
	return t;
}

static void capture_free(struct capture *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->head);
	free(c->ring);
	c->head = c->ring = NULL;
}

/* Finds argv[0] in the fixed PATH (names with a slash are used as given,
 * relative to the work dir). */
static int resolve(const char *name, const char *workdir, char *path_r, size_t len)
{
	(void)workdir;
	if (strchr(name, '/')) {
		/* A relative one resolves in the child, from the work dir. */
		snprintf(path_r, len, "%s", name);
		return 0;
	}
	const char *p = FIXED_PATH;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		snprintf(path_r, len, "%.*s/%s", (int)n, p, name);
		if (access(path_r, X_OK) == 0)
			return 0;
		p += n + (colon ? 1 : 0);
	}
	return -1;
}

static struct rlimit rlim(uint64_t soft, uint64_t hard)
{
	return (struct rlimit){(rlim_t)soft, (rlim_t)hard};
}

struct sandbox *sandbox_start(const struct sandbox_spec *spec, char *err, size_t errlen)
{
	if (errlen)
		err[0] = 0;
	if (!spec->argv || !spec->argv[0] || !spec->workdir) {
		snprintf(err, errlen, "sandbox: no command or no work dir");
		return NULL;
	}
	char path[4096];
	if (resolve(spec->argv[0], spec->workdir, path, sizeof path) < 0) {
		snprintf(err, errlen, "no command \"%s\" in %s", spec->argv[0], FIXED_PATH);
		return NULL;
	}
	/* The fixed environment, then the caller's entries. */
	size_t nextra = 0;
	while (spec->env && spec->env[nextra])
		nextra++;
	if (nextra > MAX_EXTRA_ENV) {
		snprintf(err, errlen, "sandbox: more than %d environment entries", MAX_EXTRA_ENV);
		return NULL;
	}
	char home[4200], tmpdir[4200];
	snprintf(home, sizeof home, "HOME=%s", spec->workdir);
	snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", spec->workdir);
	const char *envp[MAX_EXTRA_ENV + 5];
	size_t ne = 0;
	envp[ne++] = "PATH=" FIXED_PATH;
	envp[ne++] = home;
	envp[ne++] = tmpdir;
	envp[ne++] = "LANG=C.UTF-8";
	for (size_t i = 0; i < nextra; i++)
		envp[ne++] = spec->env[i];
	envp[ne] = NULL;
	const char *envp_tmp[MAX_EXTRA_ENV + 5];
	memcpy(envp_tmp, envp, sizeof envp);
	envp_tmp[1] = "HOME=/tmp";
	envp_tmp[2] = "TMPDIR=/tmp";

	/* With SIGCHLD ignored the kernel would reap the child for us and
	 * its end could not be known. */
	struct sigaction chld;
	if (sigaction(SIGCHLD, NULL, &chld) == 0 && chld.sa_handler == SIG_IGN) {
		chld.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &chld, NULL);
	}
	struct sandbox *sb = calloc(1, sizeof *sb);
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, execp[2] = {-1, -1}, syncp[2] = {-1, -1};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!sb || devnull < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    pipe2(execp, O_CLOEXEC) < 0 || pipe2(syncp, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "sandbox: %s", strerror(errno ? errno : ENOMEM));
		goto fail;
	}
	sb->out.fd = sb->err.fd = -1;
	if (capture_init(&sb->out, -1, spec->output_cap) < 0 || capture_init(&sb->err, -1, spec->output_cap) < 0) {
		snprintf(err, errlen, "sandbox: out of memory");
		goto fail;
	}
	uint64_t cpu_s = (uint64_t)((spec->cpu_ms + 999) / 1000);
	if (cpu_s < 1)
		cpu_s = 1;
	struct child_args a = {
		.path = path,
		.argv = (char *const *)spec->argv,
		.envp = (char *const *)envp,
		.envp_tmp = (char *const *)envp_tmp,
		.workdir = spec->workdir,
		.devnull = devnull,
		.out_w = outp[1],
		.err_w = errp[1],
		.exec_w = execp[1],
		.sync_r = syncp[0],
		.sync_w = syncp[1],
		/* SIGXCPU at the soft limit, SIGKILL a second later. */
		.cpu = rlim(cpu_s, cpu_s + 1),
		.as = rlim(spec->memory_bytes, spec->memory_bytes),
		.nproc = rlim(spec->nproc, spec->nproc),
		.nofile = rlim(spec->nofile, spec->nofile),
		.fsize = rlim(spec->fsize_bytes, spec->fsize_bytes),
		.drop_uid = sandbox_child_drops_uid(),
	};
	sb->start_ns = now_ns();
	sb->deadline_ns = sb->start_ns + spec->wall_ms * 1000000;
	sb->wall_limit_ms = spec->wall_ms;
	sb->cpu_limit_ms = (int64_t)cpu_s * 1000;
	sb->memory_limit = spec->memory_bytes;
	int ns;
	sb->pid = spawn(&ns);
	if (sb->pid < 0) {
		snprintf(err, errlen, "sandbox: cannot start a process: %s", strerror(errno));
		goto fail;
	}
	if (sb->pid == 0)
		child_main(&a);
	close(syncp[0]);
	syncp[0] = -1;
	char how = ns ? 'u' : 'p';
	if ((ns && map_child(sb->pid, err, errlen) < 0) || write(syncp[1], &how, 1) != 1) {
		if (!err[0])
			snprintf(err, errlen, "sandbox: cannot start the child: %s", strerror(errno));
		kill(sb->pid, SIGKILL);
		while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto fail;
	}
	close(syncp[1]);
	syncp[1] = -1;
	close(devnull);
	close(outp[1]);
	close(errp[1]);
	close(execp[1]);
	sb->out.fd = outp[0];
	sb->err.fd = errp[0];
	sb->exec_fd = execp[0];
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	fcntl(execp[0], F_SETFL, O_NONBLOCK);
	return sb;
fail:
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (execp[i] >= 0)
			close(execp[i]);
		if (syncp[i] >= 0)
			close(syncp[i]);
	}
	if (sb) {
		sb->out.fd = sb->err.fd = -1;
		capture_free(&sb->out);
		capture_free(&sb->err);
		free(sb);
	}
	return NULL;
}

void sandbox_kill(struct sandbox *sb)
{
	if (!sb || sb->ended)
		return;
	/* The group (the child called setsid, so its pgid is its pid), and the
	 * child itself in case it had not got that far; in its own PID
	 * namespace the child's death takes every other process there too. */
	kill(-sb->pid, SIGKILL);
	kill(sb->pid, SIGKILL);
}

static void read_exec_error(struct sandbox *sb)
{
	if (sb->exec_fd < 0)
		return;
	int e;
	ssize_t r = read(sb->exec_fd, &e, sizeof e);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r == (ssize_t)sizeof e) {
		sb->exec_failed = 1;
		sb->exec_errno = e;
	}
	close(sb->exec_fd);
	sb->exec_fd = -1;
}

static void reap(struct sandbox *sb, int options)
{
	if (sb->ended)
		return;
	int status;
	pid_t r;
	do
		r = wait4(sb->pid, &status, options, &sb->ru);
	while (r < 0 && errno == EINTR);
	if (r == sb->pid || (r < 0 && errno == ECHILD)) {
		sb->ended = 1;
		/* Reaped by someone else (ECHILD): its end is unknown, and is
		 * never reported as a success. */
		sb->status = r == sb->pid ? status : SIGKILL;
		sb->end_ns = now_ns();
		sb->drain_until_ns = sb->end_ns + DRAIN_GRACE_NS;
		/* Anything it left behind in its group goes too. */
		kill(-sb->pid, SIGKILL);
	}
}

int sandbox_poll(struct sandbox *sb, int timeout_ms)
{
	int64_t now = now_ns();
	if (!sb->ended && now >= sb->deadline_ns) {
		sb->killed_wall = 1;
		sandbox_kill(sb);
	}
	struct pollfd p[3];
	nfds_t n = 0;
	if (sb->out.fd >= 0)
		p[n++] = (struct pollfd){.fd = sb->out.fd, .events = POLLIN};
	if (sb->err.fd >= 0)
		p[n++] = (struct pollfd){.fd = sb->err.fd, .events = POLLIN};
	if (sb->exec_fd >= 0)
		p[n++] = (struct pollfd){.fd = sb->exec_fd, .events = POLLIN};
	int64_t wait_ms = timeout_ms;
	int64_t limit = sb->ended ? sb->drain_until_ns : sb->deadline_ns;
	if ((limit - now) / 1000000 + 1 < wait_ms)
		wait_ms = (limit - now) / 1000000 + 1;
	/* The child's end is not a poll event: look again soon. */
	if (!sb->ended && wait_ms > 10)
		wait_ms = 10;
	if (wait_ms < 0)
		wait_ms = 0;
	if (n)
		poll(p, n, (int)wait_ms);
	else if (wait_ms)
		poll(NULL, 0, (int)wait_ms);
	capture_read(&sb->out);
	capture_read(&sb->err);
	read_exec_error(sb);
	reap(sb, WNOHANG);
	if (!sb->ended)
		return 0;
	/* Over once the pipes are closed, or when something that escaped the
	 * kill still holds them after the grace period. */
	return (sb->out.fd < 0 && sb->err.fd < 0) || now_ns() >= sb->drain_until_ns;
}

/* Names the limit that most likely ended the child. */
static enum sandbox_limit which_limit(const struct sandbox *sb, const struct sandbox_outcome *o)
{
	if (sb->killed_wall)
		return SANDBOX_LIMIT_WALL;
	if (o->signal == SIGXCPU || (o->signal == SIGKILL && o->cpu_ms >= sb->cpu_limit_ms))
		return SANDBOX_LIMIT_CPU;
	if (sandbox_outcome_ok(o) || o->exec_failed)
		return SANDBOX_LIMIT_NONE;
	static const char *const said[] = {"MemoryError", "Cannot allocate memory", "out of memory",
					   "Out of memory", "bad_alloc"};
	for (size_t i = 0; i < sizeof said / sizeof *said; i++)
		if (o->err && strstr(o->err, said[i]))
			return SANDBOX_LIMIT_MEMORY;
	if ((uint64_t)o->maxrss_kb * 1024 >= sb->memory_limit / 2)
		return SANDBOX_LIMIT_MEMORY;
	return SANDBOX_LIMIT_NONE;
}

void sandbox_finish(struct sandbox **sbp, struct sandbox_outcome *o_r)
{
	memset(o_r, 0, sizeof *o_r);
	if (!sbp || !*sbp)
		return;
	struct sandbox *sb = *sbp;
	if (!sb->ended) {
		sandbox_kill(sb);
		reap(sb, 0);
	}
	while (!sandbox_poll(sb, 50))
		;
	o_r->exec_failed = sb->exec_failed;
	o_r->exec_errno = sb->exec_errno;
	if (WIFEXITED(sb->status)) {
		o_r->exited = 1;
		o_r->exit_code = WEXITSTATUS(sb->status);
	} else if (WIFSIGNALED(sb->status)) {
		o_r->signal = WTERMSIG(sb->status);
	}
	o_r->wall_ms = (sb->end_ns - sb->start_ns) / 1000000;
	o_r->cpu_ms = (int64_t)sb->ru.ru_utime.tv_sec * 1000 + sb->ru.ru_utime.tv_usec / 1000 +
		      (int64_t)sb->ru.ru_stime.tv_sec * 1000 + sb->ru.ru_stime.tv_usec / 1000;
	o_r->maxrss_kb = sb->ru.ru_maxrss;
	o_r->out = capture_text(&sb->out, &o_r->out_len);
	o_r->err = capture_text(&sb->err, &o_r->err_len);
	o_r->out_total = sb->out.total;
	o_r->err_total = sb->err.total;
	o_r->wall_limit_ms = sb->wall_limit_ms;
	o_r->cpu_limit_ms = sb->cpu_limit_ms;
	o_r->memory_limit = sb->memory_limit;
	o_r->limit = which_limit(sb, o_r);
	capture_free(&sb->out);
	capture_free(&sb->err);
	if (sb->exec_fd >= 0)
		close(sb->exec_fd);
	free(sb);
	*sbp = NULL;
}

int sandbox_run(const struct sandbox_spec *spec, struct sandbox_outcome *o_r, char *err, size_t errlen)
{
	struct sandbox *sb = sandbox_start(spec, err, errlen);
	if (!sb) {
		memset(o_r, 0, sizeof *o_r);
		return -1;
	}
	while (!sandbox_poll(sb, 100))
		;
	sandbox_finish(&sb, o_r);
	return 0;
}
