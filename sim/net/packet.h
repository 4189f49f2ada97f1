/* A simulated IPv4 packet carrying a TCP segment or a UDP datagram.
 *
 * The network moves packets by pointer: one allocation from the packet pool
 * per packet, never copied hop to hop. Header fields are kept decoded (host
 * byte order); the pcap writer encodes them into real wire headers. Owner:
 * whoever holds it last (the link in flight, then the receiving stack, which
 * returns it with packet_free). */
#ifndef SIM_PACKET_H
#define SIM_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define IPPROTO_SIM_TCP 6
#define IPPROTO_SIM_UDP 17

#define IPV4_HEADER_LEN 20
#define TCP_HEADER_LEN 20
#define UDP_HEADER_LEN 8
#define TCP_MSS_OPTION_LEN 4

/* TCP flags, as on the wire. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct packet {
	struct packet *next, *prev; /* free list; the network's in-flight list */
	void *owner;                /* the struct net moving it */
	uint64_t event;             /* pending arrival event while on a link */
	uint64_t id;         /* unique in the run, in creation order */
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint16_t ip_id; /* IPv4 identification, per originating host */
	uint8_t proto;  /* IPPROTO_SIM_TCP or IPPROTO_SIM_UDP */
	uint8_t ttl;
	/* TCP only. */
	uint32_t seq, ack;
	uint16_t window;
	uint16_t mss_option; /* 0: no MSS option; else its value (SYN only) */
	uint8_t flags;
	/* Where the packet is: set by the network while it crosses a link. */
	int32_t link;
	uint8_t dir;
	uint8_t lost; /* the link's loss draw: dropped at arrival */
	uint8_t encrypted; /* payload sent after STARTTLS: observers show ciphertext */
	uint32_t link_epoch;
	int32_t src_host; /* originating host */
	/* Payload. */
	uint32_t len, cap;
	uint8_t data[];
};

/* Length of the IPv4 packet on the wire (headers + payload). */
static inline uint32_t packet_ip_len(const struct packet *p)
{
	uint32_t l4 = p->proto == IPPROTO_SIM_TCP ? TCP_HEADER_LEN + (p->mss_option ? TCP_MSS_OPTION_LEN : 0)
						  : UDP_HEADER_LEN;
	return IPV4_HEADER_LEN + l4 + p->len;
}

/* A packet with room for len payload bytes, fields zeroed, from the pool
 * (recycled buffers, so no malloc in the steady state). NULL on ENOMEM. */
struct packet *packet_new(uint32_t len);
/* Returns p to the pool. Accepts NULL; sets *p to NULL. */
void packet_free(struct packet **p);
/* Releases every pooled buffer (at exit, and in tests to check balance). */
void packet_pool_drain(void);
/* Packets currently allocated and not freed (leak checks in tests). */
long packet_live_count(void);

#endif
