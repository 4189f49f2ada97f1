/* The Postfix reference of `mailsim bench mail`: the wall time Postfix's own
 * load tools take to push a number of messages of given sizes over
 * loopback, smtp-source into smtp-sink (Debian's postfix package; no running
 * Postfix needed).
 *
 * smtp-source takes one message size per run, so the sizes are split into
 * equal-width size bands and each band is sent by one smtp-source run with
 * the band's count and mean size (the total bytes differ from the exact
 * sizes' by at most a rounding per message). smtp-sink is started on a
 * free loopback port and killed at the end, whatever happens; each child
 * runs under a wall-time limit. */
#ifndef SIM_BENCH_POSTFIX_REF_H
#define SIM_BENCH_POSTFIX_REF_H

#include <stddef.h>
#include <stdint.h>

#define POSTFIX_REF_BANDS 8

struct postfix_ref {
	int available;          /* the tools exist (else the rest is unset) */
	double wall_s;          /* sum of the smtp-source runs' wall times */
	uint64_t messages;      /* what smtp-source asked to send */
	uint64_t bytes;         /* count x size over the bands */
	uint64_t source_count;  /* deliveries smtp-source counted (-c) */
	uint64_t sink_count;    /* messages smtp-sink counted (mesg=) */
	int bands, sessions;
	char tool_dir[64];
};

/* Runs the reference for the n sizes (bytes of message content), with
 * sessions parallel SMTP sessions, each smtp-source run bounded by
 * timeout_s. Returns 0 (r->available 0 if the tools are not installed),
 * or -1 with err set if the tools failed or lost messages. */
int postfix_ref_run(const uint32_t *sizes, size_t n, int sessions, double timeout_s, struct postfix_ref *r,
		    char *err, size_t errlen);

#endif
