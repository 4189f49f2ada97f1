/* The simulated network: hosts with IPv4 interfaces, point-to-point links,
 * static shortest-path routing, and packet delivery to each host's stack.
 *
 * Links have, per direction: latency, bandwidth (serialisation delay), a
 * bounded drop-tail transmit queue (in bytes), a loss probability (a named
 * random stream per link direction) and an MTU. A link can be set down and
 * up; packets in flight when it goes down are lost.
 *
 * Build a network with net_add_host / net_add_iface / net_add_link (and
 * optional net_add_route overrides), then call net_finalize() before the run
 * starts; topology changes after that are limited to link state and
 * parameters. Host and link numbers are dense indices in creation order.
 *
 * Routes are shortest paths by total link latency, ties broken by fewer hops
 * then by lower link number, so routing is deterministic. */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct sim;
struct net;
struct packet;

struct link_params {
	sim_time latency;        /* propagation delay, per direction */
	uint64_t bandwidth_bps;  /* bits per second; 0 means infinitely fast */
	double loss;             /* probability a packet is lost, 0..1 */
	uint32_t mtu;            /* largest IPv4 packet, bytes (68..65535) */
	uint32_t queue_bytes;    /* transmit queue limit per direction */
};

/* Defaults: 1 ms, 100 Mb/s, no loss, MTU 1500, 64 KiB queue. */
struct link_params link_params_default(void);

/* Called with each packet addressed to a host (after the last hop). The
 * handler takes ownership of pkt. */
typedef void (*net_l4_fn)(void *ctx, int host, struct packet *pkt);

struct net *net_new(struct sim *sim);
/* Frees the network, its hosts and links, and any packets in flight. Free
 * the TCP and UDP layers first. Accepts NULL; sets *net to NULL. */
void net_free(struct net **net);
struct sim *net_sim(const struct net *net);

/* Adds a host; returns its number, or -1 if the name is taken (or ENOMEM). */
int net_add_host(struct net *net, const char *name);
/* Adds an interface with address ip (host byte order) to host; returns the
 * interface number on that host, or -1 if the address is already used. */
int net_add_iface(struct net *net, int host, uint32_t ip);
/* Joins (host_a, iface_a) and (host_b, iface_b) by a link; returns the link
 * number, or -1 if either interface already has a link or is unknown. */
int net_add_link(struct net *net, int host_a, int iface_a, int host_b, int iface_b, const struct link_params *p);
/* Overrides routing: from host, packets for dest_host leave over link.
 * The link must touch host. Returns 0 or -1. */
int net_add_route(struct net *net, int host, int dest_host, int link);
/* Computes routes. Returns 0, or -1 with a message in err. */
int net_finalize(struct net *net, char *err, size_t errlen);

int net_host_count(const struct net *net);
int net_link_count(const struct net *net);
const char *net_host_name(const struct net *net, int host);
int net_host_by_name(const struct net *net, const char *name);
int net_host_iface_count(const struct net *net, int host);
uint32_t net_host_ip(const struct net *net, int host, int iface);
/* The host owning address ip, or -1. */
int net_host_by_ip(const struct net *net, uint32_t ip);
/* Link ends and parameters. */
void net_link_ends(const struct net *net, int link, int *host_a_r, int *iface_a_r, int *host_b_r, int *iface_b_r);
const struct link_params *net_link_params(const struct net *net, int link);
int net_link_is_up(const struct net *net, int link);
/* Name of a link, "a-b" from its hosts' names (valid while net lives). */
const char *net_link_name(const struct net *net, int link);

/* Link state and parameter changes, for faults. Going down drops every
 * packet queued or in flight on the link. Publishes OBS_LINK_STATE. */
void net_link_set_up(struct net *net, int link, int up);
void net_link_set_loss(struct net *net, int link, double loss);
void net_link_set_latency(struct net *net, int link, sim_time latency);

/* A host crashed (up = 0) or came back (up = 1): while down it sends
 * nothing and every packet reaching it, to it or to be forwarded, is dropped
 * (OBS_DROP_HOST_DOWN), so its peers see silence, not resets. Its stacks'
 * state is the transports' business (tcp_host_reset, udp_host_reset);
 * sim/agents/host_life.h does the whole crash. Hosts start up. */
void net_host_set_up(struct net *net, int host, int up);
int net_host_is_up(const struct net *net, int host);

/* The smallest MTU on the route from host to address dst (0 if no route). */
uint32_t net_path_mtu(const struct net *net, int host, uint32_t dst);
/* The source address host uses towards dst: its interface on the route. */
uint32_t net_source_ip(const struct net *net, int host, uint32_t dst);

/* Registers the receive handler of a transport protocol (TCP, UDP). */
void net_set_l4_handler(struct net *net, uint8_t proto, net_l4_fn fn, void *ctx);
/* The handler registered for proto (NULL if none): a test wraps it to
 * drop chosen segments (tests/unit/test_ledger.c, the RFC 1047 case). */
void net_get_l4_handler(const struct net *net, uint8_t proto, net_l4_fn *fn_r, void **ctx_r);

/* Sends pkt from host towards pkt->dst_ip, taking ownership. Sets src_host,
 * id and ip_id. retransmit marks TCP retransmissions for observers. A packet
 * for the host itself is delivered after zero delay. */
void net_send(struct net *net, int host, struct packet *pkt, int retransmit);

/* Drops a packet that reached its host but has no taker (a transport
 * with no socket for it), counting and publishing it; frees pkt. */
void net_drop_unclaimed(struct net *net, int host, struct packet *pkt);

/* Counters for summaries and benchmarks. */
struct net_stats {
	uint64_t packets_sent, packets_delivered, retransmissions;
	uint64_t drops[8]; /* by enum obs_drop_reason */
	uint64_t bytes_sent;
};
const struct net_stats *net_stats(const struct net *net);

/* Formats an address as dotted quad into buf (16 bytes). */
char *ipv4_format(uint32_t ip, char *buf);
/* Parses a dotted quad; 0 on success. Rejects leading zeros and > 255. */
int ipv4_parse(const char *text, uint32_t *ip_r);

#endif
