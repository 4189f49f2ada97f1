/* What the sandbox's files share (not for users of sandbox.h). */
#ifndef SIM_GRADE_SANDBOX_INTERNAL_H
#define SIM_GRADE_SANDBOX_INTERNAL_H

/* The uid and gid the child runs as when the grader is root. */
#define SANDBOX_CHILD_ID 65534

/* 1 when the children drop to SANDBOX_CHILD_ID: the grader is root in the
 * machine's own user namespace (RLIMIT_NPROC does not apply to root). */
int sandbox_child_drops_uid(void);

#endif
