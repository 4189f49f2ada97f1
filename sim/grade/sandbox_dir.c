/* The sandbox's private work directory: made under $TMPDIR (or /tmp),
 * handed to the child's uid, filled with the submission, and removed with
 * everything the child left there, never following a symbolic link it
 * planted. */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY, fdopendir */
#include "sim/grade/sandbox.h"
#include "sim/grade/sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 128

int sandbox_workdir_new(char *path_r, size_t len, char *err, size_t errlen)
{
	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	if ((size_t)snprintf(path_r, len, "%s/mailsim-grade-XXXXXX", base) >= len) {
		snprintf(err, errlen, "work dir: path too long");
		return -1;
	}
	if (!mkdtemp(path_r)) {
		snprintf(err, errlen, "work dir: cannot create one under %s: %s", base, strerror(errno));
		return -1;
	}
	if (sandbox_child_drops_uid() && chown(path_r, SANDBOX_CHILD_ID, SANDBOX_CHILD_ID) < 0) {
		snprintf(err, errlen, "work dir: cannot hand %s to uid %d: %s", path_r, SANDBOX_CHILD_ID,
			 strerror(errno));
		rmdir(path_r);
		return -1;
	}
	return 0;
}

/* Empties the directory open as dfd (closed here). */
static int remove_under(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= MAX_DEPTH) {
				rc = -1;
				continue;
			}
			/* The child may have taken its own permissions away. */
			fchmodat(dirfd(d), n, 0700, 0);
			int sub = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || remove_under(sub, depth + 1) < 0)
				rc = -1;
			if (unlinkat(dirfd(d), n, AT_REMOVEDIR) < 0)
				rc = -1;
		} else if (unlinkat(dirfd(d), n, 0) < 0) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int sandbox_workdir_remove(const char *dir)
{
	if (!dir || !dir[0])
		return -1;
	chmod(dir, 0700);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = remove_under(dfd, 0);
	if (rmdir(dir) < 0)
		rc = -1;
	return rc;
}

int sandbox_workdir_copy(const char *dir, const char *name, const char *src, uint64_t max_bytes, char *err,
			 size_t errlen)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(in);
		return -1;
	}
	char buf[16384];
	uint64_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", src, strerror(errno));
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		total += (uint64_t)r;
		if (total > max_bytes) {
			snprintf(err, errlen, "%s is larger than the limit of %llu bytes", src,
				 (unsigned long long)max_bytes);
			rc = -1;
			break;
		}
		if (write(out, buf, (size_t)r) != r) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
	}
	close(in);
	if (close(out) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}
