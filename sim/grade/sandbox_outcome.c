/* How a sandboxed child ended, in words a student can act on (fixed
 * English; no measured times, so the same ending gives the same bytes). */
#include "sim/grade/sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sandbox_outcome_clear(struct sandbox_outcome *o)
{
	if (!o)
		return;
	free(o->out);
	free(o->err);
	memset(o, 0, sizeof *o);
}

int sandbox_outcome_ok(const struct sandbox_outcome *o)
{
	return o->exited && o->exit_code == 0 && !o->exec_failed && o->limit == SANDBOX_LIMIT_NONE;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV, an invalid memory access";
	case SIGBUS: return "SIGBUS, an invalid memory access";
	case SIGABRT: return "SIGABRT, the program aborted";
	case SIGFPE: return "SIGFPE, an arithmetic error such as a division by zero";
	case SIGILL: return "SIGILL, an illegal instruction";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGPIPE: return "SIGPIPE, it wrote to a connection the other side had closed";
	case SIGXFSZ: return "SIGXFSZ, a file grew past the file size limit";
	case SIGXCPU: return "SIGXCPU, the CPU time limit";
	default: return "a signal";
	}
}

static void format_ms(int64_t ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%lld s", (long long)(ms / 1000));
	else
		snprintf(buf, len, "%.3g s", (double)ms / 1000.0);
}

const char *sandbox_outcome_describe(const struct sandbox_outcome *o, char *buf, size_t len)
{
	char lim[32];
	if (o->exec_failed) {
		snprintf(buf, len, "could not be started: %s", strerror(o->exec_errno));
		return buf;
	}
	switch (o->limit) {
	case SANDBOX_LIMIT_WALL:
		format_ms(o->wall_limit_ms, lim, sizeof lim);
		snprintf(buf, len, "was stopped at the time limit (%s of real time): it was still running", lim);
		return buf;
	case SANDBOX_LIMIT_CPU:
		format_ms(o->cpu_limit_ms, lim, sizeof lim);
		snprintf(buf, len, "was stopped by the CPU time limit (%s): it computed too long, maybe an endless loop",
			 lim);
		return buf;
	case SANDBOX_LIMIT_MEMORY:
		if (o->exited)
			snprintf(buf, len, "exited with status %d, most likely at the memory limit (%llu MiB)",
				 o->exit_code, (unsigned long long)(o->memory_limit >> 20));
		else
			snprintf(buf, len, "was killed by signal %d (%s), most likely at the memory limit (%llu MiB)",
				 o->signal, signal_name(o->signal), (unsigned long long)(o->memory_limit >> 20));
		return buf;
	case SANDBOX_LIMIT_NONE:
		break;
	}
	if (o->exited)
		snprintf(buf, len, "exited with status %d", o->exit_code);
	else
		snprintf(buf, len, "was killed by signal %d (%s)", o->signal, signal_name(o->signal));
	return buf;
}
