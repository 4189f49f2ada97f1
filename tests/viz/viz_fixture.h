/* Worlds for the viewer tests: a laptop, a router and a server (the
 * default scenario's shape) built in code with the generated source. */
#ifndef VIZ_FIXTURE_H
#define VIZ_FIXTURE_H

#include <string.h>

#include "viz/source_gen.h"

static const char *const fixture_names[] = {"laptop", "server"};
static const enum viz_role fixture_roles[] = {VIZ_ROLE_UA, VIZ_ROLE_MTA};

/* laptop - r0 - server; links 10 ms, infinitely fast (no serialisation),
 * so a packet's place is just (t - sent) / 10 ms. */
static inline void fixture_small(struct viz_gen_opts *o)
{
	memset(o, 0, sizeof *o);
	o->routers = 1;
	o->leaves = 2;
	o->latency = 10 * SIM_MS;
	o->bandwidth_bps = 0;
	o->fault_link = -1;
	o->names = fixture_names;
	o->roles = fixture_roles;
	o->seed = 1;
	o->title = "fixture";
}

static inline struct viz_gen_flow *fixture_flow(struct viz_gen_opts *o, int client, int server, uint16_t port,
						 uint64_t bytes, sim_time start)
{
	struct viz_gen_flow *f = &o->flows[o->nflows++];
	f->client = client;
	f->server = server;
	f->port = port;
	f->bytes = bytes;
	f->start = start;
	return f;
}

#endif
