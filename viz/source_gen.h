/* A generated world for tests and the viewer benchmark, built in code:
 * R routers in a chain, each with L leaf hosts, and TCP bulk flows (a
 * client on one leaf streams bytes to a discard service on another, on a
 * chosen port, so flows can look like SMTP, POP3, IMAP or other data) and
 * UDP datagrams (DNS-like, port 53). Optionally a lossy link and a link
 * that goes down and up at given times.
 *
 * Leaves are named h<router>-<leaf> (or the names given), routers r<i>;
 * with star, the routers hang from a core router instead of a chain. */
#ifndef VIZ_SOURCE_GEN_H
#define VIZ_SOURCE_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "viz/source.h"

#define VIZ_GEN_MAX_FLOWS 4096

struct viz_gen_flow {
	int client, server;  /* leaf numbers (router r's leaf l is r * L + l) */
	uint16_t port;
	uint64_t bytes;      /* TCP: bytes to stream; 0 with udp: one datagram */
	int udp;             /* a UDP datagram of 40 bytes instead */
	sim_time start;
};

struct viz_gen_opts {
	int routers, leaves;       /* per router */
	sim_time latency;          /* every link */
	uint64_t bandwidth_bps;
	double loss;               /* on the first router's first leaf link */
	int fault_link;            /* -1: none; else this link goes down ... */
	sim_time fault_down, fault_up;
	const char *const *names;  /* NULL, or names for the leaves, in order */
	const enum viz_role *roles; /* NULL, or roles for the leaves */
	struct viz_gen_flow flows[VIZ_GEN_MAX_FLOWS];
	size_t nflows;
	uint64_t seed;
	int positions;             /* give every host a position (a row per router) */
	int star;                  /* routers around a core router "core" instead of a chain
				      (a star of stars; the core is the last host) */
	const char *title;
};

/* A source over a copy of opts; free it with viz_gen_source_free. NULL on
 * ENOMEM. */
struct viz_source *viz_gen_source_new(const struct viz_gen_opts *opts);
void viz_gen_source_free(struct viz_source **src);

/* The benchmark's big world: 200 hosts, flows enough to keep about 2,000
 * segments in flight at its busiest. */
void viz_gen_opts_big(struct viz_gen_opts *o);

#endif
