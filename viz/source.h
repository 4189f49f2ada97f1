/* Where the viewer's worlds come from. Scrubbing replays a run from time
 * zero, so the viewer needs to build a fresh, identical world on demand: a
 * source is that recipe (a loaded scenario, or a network built in code for
 * tests and benchmarks) plus what the network does not know about hosts:
 * their roles and optional positions.
 *
 * A world is only a kernel and a network as far as the viewer is
 * concerned; whatever else the recipe built (TCP, applications) lives in
 * impl and goes with destroy. */
#ifndef VIZ_SOURCE_H
#define VIZ_SOURCE_H

#include <stddef.h>

#include "sim/core/time.h"
#include "viz/strings.h"

struct sim;
struct net;
struct viz_rows;

/* Host roles as the viewer draws them (mirrors the scenario's roles). */
enum viz_role {
	VIZ_ROLE_HOST,
	VIZ_ROLE_UA,
	VIZ_ROLE_MTA,
	VIZ_ROLE_DNS,
	VIZ_ROLE_MAILBOX,
	VIZ_ROLE_ROUTER,
	VIZ_ROLE_SNIFFER,
	VIZ_ROLE_COUNT
};

struct viz_world {
	struct sim *sim;
	struct net *net;
	void *impl;
};

struct viz_source {
	/* Builds a fresh world at time 0 with a finalized network. Returns 0,
	 * or -1 with a message in err. */
	int (*build)(void *ctx, struct viz_world *w_r, char *err, size_t errlen);
	/* Frees what build made (w->sim, w->net, w->impl). */
	void (*destroy)(void *ctx, struct viz_world *w);
	/* Role of a host (by network host number). */
	enum viz_role (*role)(void *ctx, int host);
	/* 1 and the position (any unit; the viewer scales it) if the recipe
	 * places this host, else 0. NULL: no positions. */
	int (*position)(void *ctx, int host, double *x_r, double *y_r);
	/* The link's name for people (a scenario's "uplink"); NULL: the
	 * network's "a-b". */
	const char *(*link_name)(void *ctx, int link);
	/* Adds rows (viz/rows.h) about the host's agents at the world's
	 * current time: an MTA's queue with retry times, its mailboxes with
	 * folders and flags, the DNS zone it serves. Reads only; NULL: the
	 * recipe has no agents. */
	void (*inspect)(void *ctx, const struct viz_world *w, int host, enum viz_lang lang, struct viz_rows *out);
	/* When the run ends on its own (SIM_TIME_NEVER: when the queue
	 * drains). */
	sim_time until;
	const char *title; /* shown in the top bar; may be NULL */
	/* 1: a live run (mailsim bridge --view). Its one world is built by the
	 * caller and real programs talk to it in real time, so it cannot be
	 * replayed: build succeeds once, there is no seeking, and the run's
	 * end is always now. */
	int live;
	/* A live run's line for the top bar ("live: 2 real connections open
	 * via gw"), given whether the run plays; NULL: none. */
	void (*status)(void *ctx, int playing, enum viz_lang lang, char *buf, size_t size);
	void *ctx;
};

#endif
