/* The bridge: real TCP connections accepted on the machine's loopback are
 * spliced into simulated connections from a gateway host of the scenario
 * to a simulated server, so telnet, curl, Python's smtplib, mutt or a
 * student's program talk to the simulated servers while the simulation
 * runs in real time.
 *
 * Everything is non-blocking and polled from a periodic simulation event
 * (bridge_start), so a slow or vanished real client never stalls the
 * simulation or the other connections. Flow control both ways: a real
 * socket is read only as far as the simulated connection's send buffer
 * has room, and a simulated connection stops being read (tcp_pause_reading)
 * while more than a bounded amount waits to be written to a slow real
 * client. What the real client sends is published on the bus line by line
 * as the gateway's client lines (the simulated server publishes its own),
 * so the transcript, trace and viewer show the session.
 *
 *   struct bridge *b = bridge_new(env, gateway, err, sizeof err);
 *   bridge_listen(b, "127.0.0.1", 2525, server_ip, 25, &port, err, sizeof err);
 *   bridge_start(b, 10 * SIM_MS);
 *   sim_set_clock(sim, bridge_clock(b));
 *   sim_run_realtime(sim, 1.0, SIM_TIME_NEVER);  // until sim_stop()
 *   sim_set_clock(sim, NULL);
 *   bridge_free(&b);
 */
#ifndef SIM_BRIDGE_H
#define SIM_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct agent_env;
struct bridge;

struct bridge_stats {
	uint64_t accepted;      /* real connections accepted */
	uint64_t refused;       /* refused: too many, or no simulated connection */
	uint64_t active;        /* open now */
	uint64_t bytes_in;      /* real client -> simulated server */
	uint64_t bytes_out;     /* simulated server -> real client */
	uint64_t peak_active;
};

/* A bridge whose simulated connections start at host gateway. NULL with a
 * reason in err on failure. */
struct bridge *bridge_new(const struct agent_env *env, int gateway, char *err, size_t errlen);
/* Closes every real socket and aborts every simulated connection. Accepts
 * NULL; clears the pointer. */
void bridge_free(struct bridge **b);

/* Listens on the real address addr:port (port 0: any free port; the port
 * bound goes to *bound_r) and splices each connection to sim_ip:sim_port.
 * 0, or -1 with the reason (address in use, not an IPv4 address) in err. */
int bridge_listen(struct bridge *b, const char *addr, uint16_t port, uint32_t sim_ip, uint16_t sim_port,
		  uint16_t *bound_r, char *err, size_t errlen);

/* Polls the real sockets every interval of simulated time from now on. */
int bridge_start(struct bridge *b, sim_time interval);
/* A wall clock for the real-time loop (sim_set_clock) whose sleep waits
 * in poll() on the bridge's sockets: bytes from real clients are served as
 * soon as they arrive. Valid while the bridge lives; restore the default
 * clock (sim_set_clock(sim, NULL)) before freeing the bridge. */
struct sim_clock;
const struct sim_clock *bridge_clock(struct bridge *b);
/* Stops accepting; open connections go on until they end. */
void bridge_stop_listening(struct bridge *b);

/* At most this many real connections at once (default 1000; more are
 * accepted and closed at once, counted as refused). */
void bridge_set_max_connections(struct bridge *b, size_t max);

const struct bridge_stats *bridge_stats(const struct bridge *b);

#endif
