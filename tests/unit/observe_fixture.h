/* A small fixed network for the observer tests, built with the real network
 * API, and helpers to publish synthetic records through the kernel's bus:
 *
 *   laptop 10.0.0.1 --link 0-- 10.0.0.2 mta 10.0.1.1 --link 1-- 10.0.1.2 server
 */
#ifndef TEST_OBSERVE_FIXTURE_H
#define TEST_OBSERVE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

enum { HOST_LAPTOP, HOST_MTA, HOST_SERVER };

struct fixture {
	struct sim *sim;
	struct net *net;
};

static inline int fixture_init(struct fixture *f, uint64_t seed)
{
	char err[256];
	f->sim = sim_new(seed);
	f->net = f->sim ? net_new(f->sim) : NULL;
	if (!f->net)
		return -1;
	struct link_params p = link_params_default();
	p.latency = 2 * SIM_MS;
	p.bandwidth_bps = 10000000;
	p.loss = 0.05;
	int a = net_add_host(f->net, "laptop"), b = net_add_host(f->net, "mta"), c = net_add_host(f->net, "server");
	if (a != HOST_LAPTOP || b != HOST_MTA || c != HOST_SERVER)
		return -1;
	int ia = net_add_iface(f->net, a, IP4(10, 0, 0, 1));
	int ib0 = net_add_iface(f->net, b, IP4(10, 0, 0, 2));
	int ib1 = net_add_iface(f->net, b, IP4(10, 0, 1, 1));
	int ic = net_add_iface(f->net, c, IP4(10, 0, 1, 2));
	if (net_add_link(f->net, a, ia, b, ib0, &p) != 0)
		return -1;
	p = link_params_default();
	if (net_add_link(f->net, b, ib1, c, ic, &p) != 1)
		return -1;
	if (net_finalize(f->net, err, sizeof err) < 0) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	return 0;
}

static inline void fixture_fini(struct fixture *f)
{
	net_free(&f->net);
	sim_free(&f->sim);
}

/* A TCP packet with the given fields and payload (NULL: len zero bytes). */
static inline struct packet *fixture_tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t seq,
					 uint32_t ack, uint8_t flags, uint16_t mss, const char *payload, uint32_t len)
{
	struct packet *p = packet_new(len);
	if (!p)
		return NULL;
	p->proto = IPPROTO_SIM_TCP;
	p->src_ip = src;
	p->dst_ip = dst;
	p->src_port = sport;
	p->dst_port = dport;
	p->seq = seq;
	p->ack = ack;
	p->flags = flags;
	p->window = 65535;
	p->mss_option = mss;
	p->ttl = 64;
	if (payload)
		memcpy(p->data, payload, len);
	else
		memset(p->data, 0, len);
	return p;
}

static inline struct packet *fixture_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
					 const void *payload, uint32_t len)
{
	struct packet *p = packet_new(len);
	if (!p)
		return NULL;
	p->proto = IPPROTO_SIM_UDP;
	p->src_ip = src;
	p->dst_ip = dst;
	p->src_port = sport;
	p->dst_port = dport;
	p->ttl = 64;
	memcpy(p->data, payload, len);
	return p;
}

static inline void fixture_pkt(struct fixture *f, enum obs_type type, sim_time t, const struct packet *pkt, int host,
			       int link, int dir)
{
	struct obs_record r = {.type = type, .time = t};
	r.u.pkt.pkt = pkt;
	r.u.pkt.host = host;
	r.u.pkt.link = link;
	r.u.pkt.dir = dir;
	r.u.pkt.arrival = t + 3 * SIM_MS;
	r.u.pkt.reason = OBS_DROP_LOSS;
	bus_publish(sim_bus(f->sim), &r);
}

static inline void fixture_drop(struct fixture *f, sim_time t, const struct packet *pkt, int host, int link, int dir,
				enum obs_drop_reason reason)
{
	struct obs_record r = {.type = OBS_PKT_DROP, .time = t};
	r.u.pkt.pkt = pkt;
	r.u.pkt.host = host;
	r.u.pkt.link = link;
	r.u.pkt.dir = dir;
	r.u.pkt.reason = reason;
	bus_publish(sim_bus(f->sim), &r);
}

static inline void fixture_conn(struct fixture *f, sim_time t, uint32_t id, int host, uint32_t lip, uint16_t lport,
				uint32_t rip, uint16_t rport, const char *from, const char *to, const char *why)
{
	struct obs_record r = {.type = OBS_CONN_STATE, .time = t};
	r.u.conn.conn_id = id;
	r.u.conn.host = host;
	r.u.conn.local_ip = lip;
	r.u.conn.local_port = lport;
	r.u.conn.remote_ip = rip;
	r.u.conn.remote_port = rport;
	r.u.conn.from = from;
	r.u.conn.to = to;
	r.u.conn.why = why;
	bus_publish(sim_bus(f->sim), &r);
}

static inline void fixture_link(struct fixture *f, sim_time t, int link, int up)
{
	struct obs_record r = {.type = OBS_LINK_STATE, .time = t};
	r.u.link.link = link;
	r.u.link.up = up;
	bus_publish(sim_bus(f->sim), &r);
}

static inline void fixture_app(struct fixture *f, sim_time t, int host, uint32_t conn, const char *kind,
			       const char *text)
{
	struct obs_record r = {.type = OBS_APP, .time = t};
	r.u.app.host = host;
	r.u.app.conn_id = conn;
	r.u.app.kind = kind;
	r.u.app.text = text;
	bus_publish(sim_bus(f->sim), &r);
}

/* Reads a whole file; *len_r gets its size. NULL if unreadable. */
static inline unsigned char *fixture_slurp(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			unsigned char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
		}
	}
	fclose(fp);
	if (buf)
		*len_r = len;
	return buf;
}

#endif
