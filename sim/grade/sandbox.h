/* The sandbox: runs an untrusted command (a student's compiler run or
 * program) so that it cannot hurt the grader or the machine, and reports
 * how it ended.
 *
 * The child gets its own session and process group (setsid), and, where the
 * kernel allows, its own PID namespace (it is PID 1 there: when it dies or
 * is killed, every process it started dies with it, even those that called
 * setsid). Limits: RLIMIT_CPU, RLIMIT_AS (memory), RLIMIT_NPROC,
 * RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_CORE = 0. stdin is /dev/null; stdout
 * and stderr go to pipes that the grader drains all the time (a child that
 * floods them never blocks the grader, and only a bounded head and tail of
 * each are kept); the environment is a fixed minimal one plus what the
 * caller adds; the working directory is a private temporary directory
 * (sandbox_workdir_new) that the caller removes afterwards. Past the wall
 * timeout the whole process group gets SIGKILL. When the grader runs as
 * root, the child drops to uid/gid 65534 (nobody), because RLIMIT_NPROC
 * does not apply to root; the work dir is handed to that uid.
 *
 * Network: sandbox_isolate_network() moves the CALLING process into a
 * private network namespace where only loopback exists and is up (and,
 * when not root, a private user namespace mapping its own uid, which is
 * what lets an unprivileged process create the network namespace). The
 * children started afterwards inherit it, so a student's program can reach
 * the loopback ports that the grader itself listens on (the bridge) and
 * nothing else. This is why the grader process isolates itself rather than
 * each child: the bridge must listen inside the same namespace. A grader
 * grades one program submission per process (the batch mode runs each
 * submission in its own process), so the process staying isolated
 * afterwards is harmless; calling it again is a no-op.
 *
 *   char dir[256], err[256];
 *   sandbox_isolate_network(err, sizeof err);
 *   sandbox_workdir_new(dir, sizeof dir, err, sizeof err);
 *   struct sandbox_spec spec;
 *   sandbox_spec_defaults(&spec);
 *   spec.argv = (const char *const[]){"python3", "prog.py", NULL};
 *   spec.workdir = dir;
 *   struct sandbox_outcome o;
 *   sandbox_run(&spec, &o, err, sizeof err);
 *   ... o.exited, o.exit_code, o.signal, o.limit, o.out, o.err ...
 *   sandbox_outcome_clear(&o);
 *   sandbox_workdir_remove(dir);
 *
 * To run a child while doing other work (the simulation), use
 * sandbox_start, call sandbox_poll(sb, 0) often, and sandbox_finish. */
#ifndef SIM_GRADE_SANDBOX_H
#define SIM_GRADE_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct sandbox;

struct sandbox_spec {
	/* argv[0] is a path, or a name looked up in the fixed PATH
	 * /usr/local/bin:/usr/bin:/bin (not the grader's PATH). */
	const char *const *argv;
	/* Extra "NAME=value" entries after the fixed environment (PATH, HOME
	 * and TMPDIR = the work dir, LANG=C.UTF-8); NULL-terminated, or NULL. */
	const char *const *env;
	const char *workdir;   /* the child's working directory (required) */
	int64_t wall_ms;       /* wall timeout */
	int64_t cpu_ms;        /* RLIMIT_CPU, rounded up to whole seconds */
	uint64_t memory_bytes; /* RLIMIT_AS */
	unsigned nproc;        /* RLIMIT_NPROC */
	unsigned nofile;       /* RLIMIT_NOFILE */
	uint64_t fsize_bytes;  /* RLIMIT_FSIZE */
	size_t output_cap;     /* bytes kept of each stream (head + tail) */
};

/* Defaults: 10 s wall, 5 s CPU, 256 MiB, 32 processes, 64 files, 16 MiB
 * files, 16 KiB of each stream. */
void sandbox_spec_defaults(struct sandbox_spec *spec);

/* What ended the child, when a limit did. The memory limit cannot be told
 * apart for sure (the kernel only makes allocations fail): it is named
 * when the child failed after using most of the limit or said so. */
enum sandbox_limit {
	SANDBOX_LIMIT_NONE,
	SANDBOX_LIMIT_WALL,   /* killed at the wall timeout */
	SANDBOX_LIMIT_CPU,    /* SIGXCPU, or SIGKILL at the hard CPU limit */
	SANDBOX_LIMIT_MEMORY, /* likely the memory limit */
};

struct sandbox_outcome {
	int exited;             /* ended by exit(): exit_code valid */
	int exit_code;
	int signal;             /* ended by this signal (0 if exited) */
	enum sandbox_limit limit;
	int exec_failed;        /* the command could not be started */
	int exec_errno;
	int64_t wall_ms;        /* real time from start to end */
	int64_t cpu_ms;         /* user + system time of the child */
	long maxrss_kb;
	/* The captured streams (NUL-terminated; the head and tail around a
	 * "[... N bytes left out ...]" line when longer than the cap). */
	char *out, *err;
	size_t out_len, err_len;
	uint64_t out_total, err_total; /* bytes the child wrote */
	int64_t wall_limit_ms, cpu_limit_ms; /* the limits, for messages */
	uint64_t memory_limit;
};

/* Frees the captured streams and zeroes *o. Accepts NULL. */
void sandbox_outcome_clear(struct sandbox_outcome *o);
/* One line in English: "exited with status 0", "killed by signal 11
 * (Segmentation fault)", "stopped at the wall time limit (10 s)", "stopped
 * by the CPU time limit (5 s)", "failed, most likely at the memory limit
 * (256 MiB)", "could not be started: No such file or directory".
 * Returns buf. */
const char *sandbox_outcome_describe(const struct sandbox_outcome *o, char *buf, size_t len);
/* 1 when the child exited with status 0 and no limit stopped it. */
int sandbox_outcome_ok(const struct sandbox_outcome *o);

/* Moves the calling process into a private network namespace with only
 * loopback up (see above). Idempotent. 0, or -1 with the cause and how to
 * allow it in err. */
int sandbox_isolate_network(char *err, size_t errlen);
/* 1 once sandbox_isolate_network succeeded in this process. */
int sandbox_network_isolated(void);

/* Makes a private directory (mode 0700; owned by uid 65534 when the
 * grader is root, since the child runs as that uid) under $TMPDIR or /tmp
 * and writes its path to path_r. 0, or -1 with err. */
int sandbox_workdir_new(char *path_r, size_t len, char *err, size_t errlen);
/* Removes dir and everything under it, never following symbolic links.
 * 0, or -1 when something could not be removed. */
int sandbox_workdir_remove(const char *dir);
/* Copies the file src into dir under name (readable by the child).
 * 0, or -1 with err. */
int sandbox_workdir_copy(const char *dir, const char *name, const char *src, uint64_t max_bytes, char *err,
			 size_t errlen);

/* Starts the child. NULL with err when it could not be started at all
 * (no such command, fork failed); a failed exec is reported in the
 * outcome instead (exec_failed). */
struct sandbox *sandbox_start(const struct sandbox_spec *spec, char *err, size_t errlen);
/* Drains the child's output, reaps it, enforces the wall timeout; waits
 * up to timeout_ms for something to happen (0: not at all). Returns 1
 * once the child has ended, 0 while it runs. */
int sandbox_poll(struct sandbox *sb, int timeout_ms);
/* Kills the child's whole process group now (the caller gives up on it). */
void sandbox_kill(struct sandbox *sb);
/* Kills whatever is left, collects the rest of the output, fills *o_r and
 * frees the sandbox (clears *sb). Accepts NULL (*o_r zeroed). */
void sandbox_finish(struct sandbox **sb, struct sandbox_outcome *o_r);
/* sandbox_start + sandbox_poll until the end + sandbox_finish. 0, or -1
 * with err when the child could not be started. */
int sandbox_run(const struct sandbox_spec *spec, struct sandbox_outcome *o_r, char *err, size_t errlen);

#endif
