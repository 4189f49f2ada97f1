/* The batch grader's process pool (grade_batch_internal.h): runs each
 * grader child in its own process group with its stdout and stderr on
 * pipes, at most `jobs` at once, and waits for all of them in one poll()
 * over their pipes and pidfds, waking only for output, an exit or the
 * nearest wall deadline. A child past its deadline is killed with its
 * whole group (SIGKILL to -pgid). Where pidfd_open is missing (Linux
 * before 5.3), exits are noticed on a 50 ms poll tick instead. */
#define _GNU_SOURCE /* pipe2, O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "sim/grade/grade_batch_internal.h"

/* After a kill, how long a group may keep the pipes open (a grandchild
 * that left the group) before they are closed on it. */
#define KILL_GRACE_NS ((int64_t)2000000000)
#define TICK_MS 50

struct slot {
	size_t task;    /* index into children, or SIZE_MAX when free */
	pid_t pid;
	int out_fd, err_fd, pid_fd;
	int reaped;
	size_t err_len;
	size_t out_cap;
	int64_t deadline;  /* wall limit; then the kill grace */
	int killed;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_pidfd(pid_t pid)
{
#if defined(SYS_pidfd_open)
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void gb_child_clear(struct gb_child *c)
{
	free(c->out);
	memset(c, 0, sizeof *c);
}

/* Starts argv in slot s for children[task]. Returns 0, or -1 with errno
 * when the child could not be started (recorded in the child). */
static int spawn(struct slot *s, const char *program, char *const argv[], struct gb_child *c)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
		int e = errno;
		close_fd(&out[0]), close_fd(&out[1]), close_fd(&err[0]), close_fd(&err[1]);
		close_fd(&report[0]), close_fd(&report[1]);
		errno = e;
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
#if defined(__linux__)
		/* A batch killed by Ctrl-C takes its graders with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(err[1], STDERR_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(program, argv);
		/* exec failed: tell the parent why through the report pipe
		 * (closed by a successful exec, thanks to O_CLOEXEC). */
		int e = errno;
		ssize_t w = write(report[1], &e, sizeof e);
		(void)w;
		_exit(127);
	}
	int e = errno;
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&report[1]);
	if (pid < 0) {
		close_fd(&out[0]), close_fd(&err[0]), close_fd(&report[0]);
		errno = e;
		return -1;
	}
	setpgid(pid, pid); /* as the child does: whichever runs first */
	int exec_errno = 0;
	ssize_t got;
	do
		got = read(report[0], &exec_errno, sizeof exec_errno);
	while (got < 0 && errno == EINTR);
	close_fd(&report[0]);
	if (got == (ssize_t)sizeof exec_errno) {
		waitpid(pid, NULL, 0);
		close_fd(&out[0]), close_fd(&err[0]);
		errno = exec_errno;
		return -1;
	}
	s->pid = pid;
	s->out_fd = out[0];
	s->err_fd = err[0];
	s->pid_fd = open_pidfd(pid);
	s->reaped = 0;
	s->err_len = 0;
	s->out_cap = 0;
	s->killed = 0;
	c->started = 1;
	return 0;
}

static void kill_group(struct slot *s, int64_t now)
{
	kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
	s->killed = 1;
	s->deadline = now + KILL_GRACE_NS;
}

/* Reads what is there on fd into the child. Returns 1 at EOF or a read
 * error (the fd is then closed), else 0. */
static int drain(struct slot *s, int *fd, struct gb_child *c, int is_out)
{
	char chunk[65536];
	ssize_t n = read(*fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 1;
	}
	if (!is_out) {
		size_t room = GB_ERR_CAP - 1 - s->err_len;
		size_t k = (size_t)n < room ? (size_t)n : room;
		memcpy(c->err + s->err_len, chunk, k);
		s->err_len += k;
		c->err[s->err_len] = 0;
		return 0;
	}
	if (c->out_overflow)
		return 0;
	if (c->out_len + (size_t)n > GB_OUT_CAP) {
		c->out_overflow = 1;
		kill_group(s, now_ns());
		return 0;
	}
	if (c->out_len + (size_t)n + 1 > s->out_cap) {
		size_t cap = s->out_cap ? s->out_cap : 8192;
		while (cap < c->out_len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p) {
			/* Out of memory for a report: treated as an overflow. */
			c->out_overflow = 1;
			kill_group(s, now_ns());
			return 0;
		}
		c->out = p;
		s->out_cap = cap;
	}
	memcpy(c->out + c->out_len, chunk, (size_t)n);
	c->out_len += (size_t)n;
	c->out[c->out_len] = 0;
	return 0;
}

static void try_reap(struct slot *s, struct gb_child *c)
{
	if (s->reaped)
		return;
	int status;
	pid_t w;
	do
		w = waitpid(s->pid, &status, WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w != s->pid)
		return;
	s->reaped = 1;
	close_fd(&s->pid_fd);
	if (WIFEXITED(status)) {
		c->exited = 1;
		c->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status) && !s->killed) {
		c->signal = WTERMSIG(status);
	}
	/* Whatever the child left in its group goes with it. */
	kill(-s->pid, SIGKILL);
}

static int slot_done(const struct slot *s)
{
	return s->reaped && s->out_fd < 0 && s->err_fd < 0;
}

int gb_pool_run(const char *program, char **const *argvs, size_t n, int jobs, double timeout_s,
		struct gb_child *children, char *err, size_t errlen)
{
	if (jobs < 1)
		jobs = 1;
	struct slot *slots = calloc((size_t)jobs, sizeof *slots);
	struct pollfd *pfds = calloc((size_t)jobs * 3, sizeof *pfds);
	if (!slots || !pfds) {
		free(slots);
		free(pfds);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < jobs; i++) {
		slots[i].task = SIZE_MAX;
		slots[i].out_fd = slots[i].err_fd = slots[i].pid_fd = -1;
	}
	int64_t limit_ns = (int64_t)(timeout_s * 1e9);
	size_t next = 0, running = 0;
	int rc = 0;
	while (next < n || running > 0) {
		/* Fill free slots in submission order. */
		for (int i = 0; i < jobs && next < n; i++) {
			if (slots[i].task != SIZE_MAX)
				continue;
			struct gb_child *c = &children[next];
			if (spawn(&slots[i], program, argvs[next], c) < 0) {
				c->spawn_errno = errno;
				next++;
				i--; /* this slot is still free */
				continue;
			}
			slots[i].task = next++;
			slots[i].deadline = now_ns() + limit_ns;
			running++;
		}
		if (running == 0)
			continue;
		nfds_t np = 0;
		int64_t now = now_ns(), wake = INT64_MAX;
		int need_tick = 0;
		for (int i = 0; i < jobs; i++) {
			struct slot *s = &slots[i];
			if (s->task == SIZE_MAX)
				continue;
			if (s->out_fd >= 0)
				pfds[np++] = (struct pollfd){.fd = s->out_fd, .events = POLLIN};
			if (s->err_fd >= 0)
				pfds[np++] = (struct pollfd){.fd = s->err_fd, .events = POLLIN};
			if (!s->reaped) {
				if (s->pid_fd >= 0)
					pfds[np++] = (struct pollfd){.fd = s->pid_fd, .events = POLLIN};
				else
					need_tick = 1;
			}
			if (s->deadline < wake)
				wake = s->deadline;
		}
		int timeout_ms = wake == INT64_MAX ? -1 : (int)((wake - now + 999999) / 1000000);
		if (timeout_ms < 0 && wake != INT64_MAX)
			timeout_ms = 0;
		if (need_tick && (timeout_ms < 0 || timeout_ms > TICK_MS))
			timeout_ms = TICK_MS;
		int pr = poll(pfds, np, timeout_ms);
		if (pr < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		now = now_ns();
		for (int i = 0; i < jobs; i++) {
			struct slot *s = &slots[i];
			if (s->task == SIZE_MAX)
				continue;
			struct gb_child *c = &children[s->task];
			for (nfds_t k = 0; k < np; k++) {
				if (!pfds[k].revents)
					continue;
				if (pfds[k].fd == s->out_fd && s->out_fd >= 0)
					drain(s, &s->out_fd, c, 1);
				else if (pfds[k].fd == s->err_fd && s->err_fd >= 0)
					drain(s, &s->err_fd, c, 0);
			}
			try_reap(s, c);
			if (!slot_done(s) && now >= s->deadline) {
				if (!s->killed) {
					if (!s->reaped)
						c->timed_out = 1;
					kill_group(s, now);
				} else {
					/* Killed, yet something still holds the
					 * pipes: stop listening to it. */
					close_fd(&s->out_fd);
					close_fd(&s->err_fd);
					if (!s->reaped) {
						int status;
						waitpid(s->pid, &status, 0);
						s->reaped = 1;
						close_fd(&s->pid_fd);
					}
				}
			}
			if (slot_done(s)) {
				close_fd(&s->pid_fd);
				s->task = SIZE_MAX;
				running--;
			}
		}
	}
	/* Only after a pool failure: kill and reap whatever still runs. */
	for (int i = 0; i < jobs; i++) {
		struct slot *s = &slots[i];
		if (s->task == SIZE_MAX)
			continue;
		kill(-s->pid, SIGKILL);
		if (!s->reaped)
			waitpid(s->pid, NULL, 0);
		close_fd(&s->out_fd);
		close_fd(&s->err_fd);
		close_fd(&s->pid_fd);
	}
	free(slots);
	free(pfds);
	return rc;
}
