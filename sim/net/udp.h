/* UDP over the simulated network: bind a port on a host, send datagrams.
 * Datagrams larger than the path MTU are dropped (no IP fragmentation is
 * modelled); datagrams to an unbound port are dropped (no ICMP). */
#ifndef SIM_UDP_H
#define SIM_UDP_H

#include <stddef.h>
#include <stdint.h>

struct net;
struct udp;

typedef void (*udp_recv_fn)(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			    const uint8_t *data, size_t len);

struct udp *udp_new(struct net *net);
void udp_free(struct udp **udp);

/* Binds (host, port); port 0 picks a free ephemeral port. Returns the port,
 * or -1 if taken or ENOMEM. */
int udp_bind(struct udp *udp, int host, uint16_t port, udp_recv_fn fn, void *ctx);
void udp_unbind(struct udp *udp, int host, uint16_t port);
/* Sends a datagram. Returns 0, or -1 if len exceeds 65,507 bytes or memory
 * runs out. Loss on the way is silent, as in real UDP. */
int udp_send(struct udp *udp, int host, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
	     size_t len);
/* Drops every binding of host (host crash). */
void udp_host_reset(struct udp *udp, int host);

#endif
