/* The life of the hosts of a run: crashes and restarts, and each host's
 * clock. One per run, shared by the agents through struct agent_env.
 *
 * A crash is what pulling the plug does:
 *   1. the network marks the host down (net_host_set_up): it sends nothing,
 *      and packets for it are dropped, so its peers hear silence (their TCP
 *      retransmits and times out) rather than a reset;
 *   2. every agent of the host that registered hooks runs its crash hook,
 *      last registered first: it forgets what lived in memory (sessions,
 *      resolver lookups, timers) and keeps what lives on disk (an MTA's
 *      queue, a mailstore). A hook must detach from its TCP connections
 *      (tcp_set_callbacks(c, NULL, NULL)) instead of aborting them: a
 *      crashed host sends no RST;
 *   3. the host's TCP and UDP state goes (tcp_host_reset, udp_host_reset):
 *      connections vanish, unregistered agents hear closed with
 *      TCP_ERR_HOST_DOWN, listeners and bindings are gone.
 * A restart marks the host up and runs the restart hooks in registration
 * order (listen again, rebind, resume the queue). A segment of an old
 * connection that reaches the restarted host finds no connection and is
 * answered with RST, as after a real reboot.
 *
 * Agents plug in with host_life_register() when they start and
 * host_life_unregister() when they are freed (pop3d and imapd do as the
 * MTA does: close sessions in crash, listen again in restart). A NULL
 * struct host_life (unit tests that need no crashes) is accepted by every
 * function: nothing crashes, every clock is right.
 *
 * The clock: a host's skew is added to the instant its agents write in
 * Date and Received fields (agent_host_date_now), for the lesson that
 * those timestamps are the sender's word, not the truth. Simulated time
 * itself is the same for every host.
 *
 * Every crash, restart and skew change is published as an OBS_APP record
 * of kind "fault" on the host, so the transcript, trace and viewer show
 * it. */
#ifndef SIM_HOST_LIFE_H
#define SIM_HOST_LIFE_H

#include <stddef.h>

#include "sim/core/time.h"

struct agent_env;
struct host_life;

struct host_life_hooks {
	/* The host is going down: forget what is in memory, keep what is on
	 * disk. Called with the host already down in the network. */
	void (*crash)(void *ctx, int host);
	/* The host is up again: listen, bind, resume. */
	void (*restart)(void *ctx, int host);
};

/* For the hosts of env's network; env is borrowed and must outlive it.
 * NULL on ENOMEM. */
struct host_life *host_life_new(const struct agent_env *env);
/* Accepts NULL; clears the pointer. Registrations need not be undone. */
void host_life_free(struct host_life **life);

/* Registers hooks (copied) with ctx for host. 0, or -1 on ENOMEM or a bad
 * host. life may be NULL (then nothing happens and 0 is returned). */
int host_life_register(struct host_life *life, int host, const struct host_life_hooks *hooks, void *ctx);
/* Removes the registration of (host, ctx). Accepts NULL life. */
void host_life_unregister(struct host_life *life, int host, void *ctx);

/* Crashes host (see above); why (may be NULL) is added to the note.
 * 0, or -1 if the host is unknown or already down. */
int host_life_crash(struct host_life *life, int host, const char *why);
/* Restarts a crashed host. 0, or -1 if unknown or not down. */
int host_life_restart(struct host_life *life, int host, const char *why);
/* 1 unless host crashed and has not restarted (NULL life: 1). */
int host_life_is_up(const struct host_life *life, int host);
/* Crashes so far, for tests and summaries. */
size_t host_life_crashes(const struct host_life *life);

/* Sets host's clock skew (positive: its clock is ahead). */
void host_life_set_skew(struct host_life *life, int host, sim_time skew, const char *why);
/* The skew of host (0 for NULL life or an unknown host). */
sim_time host_life_skew(const struct host_life *life, int host);

#endif
