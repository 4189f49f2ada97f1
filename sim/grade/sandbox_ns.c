/* The sandbox's network isolation: moves the grader process into a private
 * network namespace with only loopback up (see sandbox.h for why the
 * grader itself, not each child). As root a network namespace alone is
 * enough (and the children drop to uid 65534); otherwise a user namespace
 * mapping the caller's own uid and gid comes with it, which is what lets
 * an unprivileged process have a network namespace of its own. */
#define _GNU_SOURCE /* unshare, CLONE_NEW* */
#include "sim/grade/sandbox.h"
#include "sim/grade/sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int isolated;
static int own_userns;

int sandbox_network_isolated(void) { return isolated; }

int sandbox_child_drops_uid(void) { return geteuid() == 0 && !own_userns; }

static int write_proc(const char *path, const char *text)
{
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

static int loopback_up(char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "private network: socket: %s", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		snprintf(err, errlen, "private network: cannot bring loopback up: %s", strerror(errno));
	close(fd);
	return rc;
}

static void explain_failure(int e, char *err, size_t errlen)
{
	const char *why;
	switch (e) {
	case EPERM:
	case EACCES:
		why = "this machine does not let an unprivileged process create user namespaces (allow it with "
		      "`sysctl -w kernel.unprivileged_userns_clone=1` on Debian, `sysctl -w "
		      "kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu; in a container, allow the unshare "
		      "system call or give it CAP_SYS_ADMIN), or run the grader as root";
		break;
	case ENOSPC:
	case EUSERS:
		why = "the limit of user namespaces is reached or zero (raise it with `sysctl -w "
		      "user.max_user_namespaces=10000`)";
		break;
	case EINVAL:
		why = "the kernel has no user or network namespaces, or the grader process has threads";
		break;
	default:
		why = "unexpected failure";
	}
	snprintf(err, errlen,
		 "cannot give the program a private network with only loopback (unshare: %s): %s; or grade without "
		 "network isolation (the program can then reach any address) with --no-network-isolation or "
		 "MAILSIM_GRADE_NO_NETWORK_ISOLATION=1",
		 strerror(e), why);
}

int sandbox_isolate_network(char *err, size_t errlen)
{
	if (isolated)
		return 0;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int done = uid == 0 && unshare(CLONE_NEWNET) == 0;
	if (!done) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
			explain_failure(errno, err, errlen);
			return -1;
		}
		own_userns = 1;
		char map[64];
		/* setgroups must be denied before an unprivileged gid_map. */
		if (write_proc("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) {
			snprintf(err, errlen, "private network: /proc/self/setgroups: %s", strerror(errno));
			return -1;
		}
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		if (write_proc("/proc/self/uid_map", map) < 0) {
			snprintf(err, errlen, "private network: /proc/self/uid_map: %s", strerror(errno));
			return -1;
		}
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		if (write_proc("/proc/self/gid_map", map) < 0) {
			snprintf(err, errlen, "private network: /proc/self/gid_map: %s", strerror(errno));
			return -1;
		}
	}
	if (loopback_up(err, errlen) < 0)
		return -1;
	isolated = 1;
	return 0;
}
