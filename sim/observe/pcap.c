/* The pcap observer: writes every packet a host originates (OBS_PKT_SEND and
 * OBS_PKT_RETRANSMIT) as an Ethernet frame to a classic pcap file, so
 * Wireshark and tshark decode the run.
 *
 * Format: libpcap with the nanosecond magic (0xa1b23c4d), written little
 * endian whatever the machine, LINKTYPE_ETHERNET; each record's timestamp is
 * the simulated time of the send, exactly. Frames carry a real IPv4 header
 * (DF set, the packet's TTL and identification, header checksum), then a TCP
 * header (with the MSS option when the packet has one) or a UDP header, both
 * with correct checksums over the pseudo-header and payload.
 *
 * MAC addresses are locally administered and derived from interface
 * addresses: 02:00:a:b:c:d for a.b.c.d. The source is the sending interface,
 * the destination the far end of the first link the packet crosses (the
 * record's link; without one, the link on the interface owning the source
 * address; without that, the destination address itself).
 *
 * Each frame is built in one buffer reused for the whole run and written
 * through a large stdio buffer: no allocation per packet. */
#include "sim/observe/observers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/wire_cipher.h"

#define ETH_HEADER_LEN 14
#define IP_MAX_LEN 65535u
#define SNAPLEN (ETH_HEADER_LEN + IP_MAX_LEN)
#define LINKTYPE_ETHERNET 1
#define PCAP_MAGIC_NS 0xa1b23c4du
#define IO_BUFFER (1u << 18)

/* Maps each linked interface address to the address at the far end of its
 * link (interface addresses are unique in a network). Open addressing,
 * built on first use. Needed because the network publishes a send before
 * routing it (with link -1); the sending interface's link is then the
 * first hop, since the source address is chosen by the route. */
struct far_map {
	uint32_t *keys, *vals; /* key 0: empty slot (0.0.0.0 is no interface) */
	size_t mask;
	int built; /* 1 built, -1 out of memory (fall back to dst_ip) */
};

struct obs_pcap {
	struct sim *sim;
	const struct net *net;
	FILE *out;
	char *iobuf;
	uint8_t frame[SNAPLEN];
	int failed;        /* a write failed: reported by close */
	uint64_t skipped;  /* packets too large for an IPv4 header */
	struct far_map far;
};

static void put16be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_mac(uint8_t *p, uint32_t ip)
{
	p[0] = 0x02; /* locally administered, unicast */
	p[1] = 0x00;
	put32be(p + 2, ip);
}

/* RFC 1071 one's complement sum of n bytes, in the machine's byte order
 * (the sum does not depend on byte order but for a final swap, RFC 1071
 * section 2(B)), eight bytes at a time: the checksum over each payload is
 * most of the writer's work. Every buffer but the last of a sum must have
 * an even length; an odd last byte is padded with zero. */
static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		acc += (w & 0xffffffffu) + (w >> 32); /* no overflow for any IPv4 length */
		p += 8;
		n -= 8;
	}
	while (n >= 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = {p[0], 0};
		uint16_t h;
		memcpy(&h, last, 2);
		acc += h;
	}
	return acc;
}

/* The checksum field's value, to store in network byte order. */
static uint16_t csum_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t native = (uint16_t)~acc, probe = 1;
	uint8_t b[2];
	memcpy(b, &native, 2);
	if (*(const uint8_t *)&probe) /* little endian: the bytes are swapped */
		return (uint16_t)(b[0] << 8 | b[1]);
	return native;
}

static size_t far_slot(const struct far_map *m, uint32_t ip)
{
	size_t i = (size_t)((ip * 2654435761u) & m->mask);
	while (m->keys[i] && m->keys[i] != ip)
		i = (i + 1) & m->mask;
	return i;
}

static int far_map_build(struct far_map *m, const struct net *net)
{
	int links = net_link_count(net);
	size_t cap = 16;
	while (cap < (size_t)links * 4)
		cap <<= 1;
	m->keys = calloc(cap, sizeof *m->keys);
	m->vals = calloc(cap, sizeof *m->vals);
	if (!m->keys || !m->vals)
		return -1;
	m->mask = cap - 1;
	for (int l = 0; l < links; l++) {
		int ha, ia, hb, ib;
		net_link_ends(net, l, &ha, &ia, &hb, &ib);
		uint32_t a = net_host_ip(net, ha, ia), b = net_host_ip(net, hb, ib);
		if (!a || !b)
			continue;
		size_t i = far_slot(m, a);
		m->keys[i] = a;
		m->vals[i] = b;
		i = far_slot(m, b);
		m->keys[i] = b;
		m->vals[i] = a;
	}
	m->built = 1;
	return 0;
}

/* The far end of the link on the interface with address ip, or 0. */
static uint32_t far_end(struct far_map *m, const struct net *net, uint32_t ip)
{
	if (!m->built && far_map_build(m, net) < 0)
		m->built = -1;
	if (m->built < 0)
		return 0;
	size_t i = far_slot(m, ip);
	return m->keys[i] == ip ? m->vals[i] : 0;
}

/* Source and destination MAC addresses (as the IPv4 addresses they are
 * derived from) for pkt leaving over link in direction dir. */
static void frame_ends(struct obs_pcap *p, const struct packet *pkt, int link, int dir, uint32_t *src_r,
		       uint32_t *dst_r)
{
	const struct net *net = p->net;
	*src_r = pkt->src_ip;
	*dst_r = pkt->dst_ip;
	if (!net)
		return;
	if (link >= 0 && link < net_link_count(net)) {
		int ha, ia, hb, ib;
		net_link_ends(net, link, &ha, &ia, &hb, &ib);
		uint32_t a = net_host_ip(net, ha, ia), b = net_host_ip(net, hb, ib);
		*src_r = dir ? b : a;
		*dst_r = dir ? a : b;
		return;
	}
	uint32_t far = far_end(&p->far, net, pkt->src_ip);
	if (far)
		*dst_r = far;
}

/* Builds the frame of pkt in p->frame; returns its length, or 0 if the
 * packet cannot be encoded (IPv4 total length over 65,535). */
static size_t build_frame(struct obs_pcap *p, const struct obs_record *rec)
{
	const struct packet *pkt = rec->u.pkt.pkt;
	uint32_t ip_len = packet_ip_len(pkt);
	if (ip_len > IP_MAX_LEN || (pkt->proto != IPPROTO_SIM_TCP && pkt->proto != IPPROTO_SIM_UDP))
		return 0;
	uint8_t *f = p->frame;

	uint32_t mac_src, mac_dst;
	frame_ends(p, pkt, rec->u.pkt.link, rec->u.pkt.dir, &mac_src, &mac_dst);
	put_mac(f, mac_dst);
	put_mac(f + 6, mac_src);
	put16be(f + 12, 0x0800);

	uint8_t *ip = f + ETH_HEADER_LEN;
	ip[0] = 0x45; /* version 4, 5 words */
	ip[1] = 0;
	put16be(ip + 2, ip_len);
	put16be(ip + 4, pkt->ip_id);
	put16be(ip + 6, 0x4000); /* DF: no fragmentation is modelled */
	ip[8] = pkt->ttl;
	ip[9] = pkt->proto;
	put16be(ip + 10, 0);
	put32be(ip + 12, pkt->src_ip);
	put32be(ip + 16, pkt->dst_ip);
	put16be(ip + 10, csum_fold(csum_add(0, ip, IPV4_HEADER_LEN)));

	uint8_t *l4 = ip + IPV4_HEADER_LEN;
	uint32_t l4_len = ip_len - IPV4_HEADER_LEN;
	uint32_t hdr_len;
	put16be(l4, pkt->src_port);
	put16be(l4 + 2, pkt->dst_port);
	if (pkt->proto == IPPROTO_SIM_TCP) {
		hdr_len = TCP_HEADER_LEN + (pkt->mss_option ? TCP_MSS_OPTION_LEN : 0);
		put32be(l4 + 4, pkt->seq);
		put32be(l4 + 8, pkt->ack);
		l4[12] = (uint8_t)((hdr_len / 4) << 4);
		l4[13] = pkt->flags;
		put16be(l4 + 14, pkt->window);
		put16be(l4 + 16, 0);
		put16be(l4 + 18, 0); /* urgent pointer */
		if (pkt->mss_option) {
			l4[20] = 2; /* kind: MSS */
			l4[21] = 4;
			put16be(l4 + 22, pkt->mss_option);
		}
	} else {
		hdr_len = UDP_HEADER_LEN;
		put16be(l4 + 4, l4_len);
		put16be(l4 + 6, 0);
	}
	if (pkt->len) {
		memcpy(l4 + hdr_len, pkt->data, pkt->len);
		if (pkt->encrypted) /* after STARTTLS: a capture sees ciphertext */
			wire_encipher(sim_seed(p->sim), pkt, l4 + hdr_len, pkt->len);
	}

	uint8_t pseudo[12];
	put32be(pseudo, pkt->src_ip);
	put32be(pseudo + 4, pkt->dst_ip);
	pseudo[8] = 0;
	pseudo[9] = pkt->proto;
	put16be(pseudo + 10, l4_len);
	uint16_t sum = csum_fold(csum_add(csum_add(0, pseudo, sizeof pseudo), l4, l4_len));
	if (pkt->proto == IPPROTO_SIM_TCP) {
		put16be(l4 + 16, sum);
	} else {
		put16be(l4 + 6, sum ? sum : 0xffff); /* 0 means "no checksum" in UDP */
	}
	return ETH_HEADER_LEN + ip_len;
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_pcap *p = ctx;
	if (!rec->u.pkt.pkt)
		return;
	size_t len = build_frame(p, rec);
	if (!len) {
		p->skipped++;
		return;
	}
	uint64_t t = rec->time > 0 ? (uint64_t)rec->time : 0;
	uint8_t h[16];
	put32le(h, (uint32_t)(t / 1000000000u));
	put32le(h + 4, (uint32_t)(t % 1000000000u));
	put32le(h + 8, (uint32_t)len);
	put32le(h + 12, (uint32_t)len);
	if (fwrite(h, 1, sizeof h, p->out) != sizeof h || fwrite(p->frame, 1, len, p->out) != len)
		p->failed = 1;
}

struct obs_pcap *obs_pcap_open(struct sim *sim, const struct net *net, const char *path, char *err, size_t errlen)
{
	struct obs_pcap *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "pcap: out of memory");
		return NULL;
	}
	p->sim = sim;
	p->net = net;
	p->out = fopen(path, "wb");
	if (!p->out) {
		snprintf(err, errlen, "%s: cannot create pcap file: %s", path, strerror(errno));
		free(p);
		return NULL;
	}
	p->iobuf = malloc(IO_BUFFER);
	if (p->iobuf)
		setvbuf(p->out, p->iobuf, _IOFBF, IO_BUFFER);

	uint8_t h[24];
	put32le(h, PCAP_MAGIC_NS);
	put16le(h + 4, 2); /* version 2.4 */
	put16le(h + 6, 4);
	put32le(h + 8, 0);  /* thiszone */
	put32le(h + 12, 0); /* sigfigs */
	put32le(h + 16, SNAPLEN);
	put32le(h + 20, LINKTYPE_ETHERNET);
	if (fwrite(h, 1, sizeof h, p->out) != sizeof h ||
	    bus_subscribe(sim_bus(sim), OBS_MASK(OBS_PKT_SEND) | OBS_MASK(OBS_PKT_RETRANSMIT), on_record, p) < 0) {
		snprintf(err, errlen, "%s: cannot write pcap file", path);
		fclose(p->out);
		free(p->iobuf);
		free(p);
		return NULL;
	}
	return p;
}

int obs_pcap_close(struct obs_pcap **pp)
{
	if (!pp || !*pp)
		return 0;
	struct obs_pcap *p = *pp;
	bus_unsubscribe(sim_bus(p->sim), on_record, p);
	int failed = p->failed;
	if (fclose(p->out) != 0)
		failed = 1;
	free(p->iobuf);
	free(p->far.keys);
	free(p->far.vals);
	free(p);
	*pp = NULL;
	return failed ? -1 : 0;
}
