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

static inline void fixture_line(struct fixture *f, sim_time t, int host, int peer, uint32_t conn, int from_client,
				int encrypted, const char *text)
{
	struct obs_record r = {.type = OBS_LINE, .time = t};
	r.u.line.host = host;
	r.u.line.peer = peer;
	r.u.line.conn_id = conn;
	r.u.line.proto = "SMTP";
	r.u.line.from_client = from_client;
	r.u.line.encrypted = encrypted;
	r.u.line.text = text;
	r.u.line.len = strlen(text);
	bus_publish(sim_bus(f->sim), &r);
}

static inline void fixture_mail(struct fixture *f, sim_time t, int host, enum obs_mail_event ev, const char *qid,
				const char *mid, const char *from, const char *rcpt, const char *text)
{
	struct obs_record r = {.type = OBS_MAIL, .time = t};
	r.u.mail.host = host;
	r.u.mail.event = ev;
	r.u.mail.queue_id = qid;
	r.u.mail.message_id = mid;
	r.u.mail.from = from;
	r.u.mail.rcpt = rcpt;
	r.u.mail.text = text;
	bus_publish(sim_bus(f->sim), &r);
}

/* A short story touching every record type: laptop connects to server:25
 * through the mta, sends one line, a segment is lost and retransmitted, the
 * second link flaps, a datagram finds no socket, the connection resets.
 * Returns 0, or -1 on ENOMEM. */
static inline int fixture_story(struct fixture *f)
{
	const uint32_t lap = IP4(10, 0, 0, 1), srv = IP4(10, 0, 1, 2);
	struct packet *syn = fixture_tcp(lap, 49152, srv, 25, 1000, 0, TCP_SYN, 1460, NULL, 0);
	struct packet *synack = fixture_tcp(srv, 25, lap, 49152, 5000, 1001, TCP_SYN | TCP_ACK, 1460, NULL, 0);
	struct packet *data = fixture_tcp(lap, 49152, srv, 25, 1001, 5001, TCP_PSH | TCP_ACK, 0, "HELO laptop\r\n", 13);
	struct packet *rst = fixture_tcp(srv, 25, lap, 49152, 5001, 0, TCP_RST, 0, NULL, 0);
	struct packet *dgram = fixture_udp(lap, 40000, srv, 53, "\x01\x02\x03", 3);
	if (!syn || !synack || !data || !rst || !dgram)
		return -1;
	syn->id = 1;
	synack->id = 2;
	data->id = 3;
	rst->id = 4;
	dgram->id = 5;
	data->ip_id = 2;
	fixture_conn(f, 0, 1, HOST_LAPTOP, lap, 49152, srv, 25, "CLOSED", "SYN_SENT", NULL);
	fixture_pkt(f, OBS_PKT_SEND, 0, syn, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 0, syn, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 3 * SIM_MS, syn, HOST_MTA, 1, 0);
	fixture_pkt(f, OBS_PKT_RECV, 6 * SIM_MS, syn, HOST_SERVER, -1, -1);
	fixture_conn(f, 6 * SIM_MS, 2, HOST_SERVER, srv, 25, lap, 49152, "LISTEN", "SYN_RECEIVED", NULL);
	fixture_pkt(f, OBS_PKT_SEND, 6 * SIM_MS, synack, HOST_SERVER, 1, 1);
	fixture_pkt(f, OBS_PKT_TX, 6 * SIM_MS, synack, HOST_SERVER, 1, 1);
	fixture_pkt(f, OBS_PKT_TX, 9 * SIM_MS, synack, HOST_MTA, 0, 1);
	fixture_pkt(f, OBS_PKT_RECV, 12 * SIM_MS, synack, HOST_LAPTOP, -1, -1);
	fixture_conn(f, 12 * SIM_MS, 1, HOST_LAPTOP, lap, 49152, srv, 25, "SYN_SENT", "ESTABLISHED", NULL);
	fixture_pkt(f, OBS_PKT_SEND, 12 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 12 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_drop(f, 12 * SIM_MS + 500, data, HOST_LAPTOP, 0, 0, OBS_DROP_LOSS);
	fixture_app(f, 13 * SIM_MS, HOST_LAPTOP, 1, "smtp", "C: HELO laptop\r\n");
	fixture_link(f, 100 * SIM_MS, 1, 0);
	fixture_pkt(f, OBS_PKT_RETRANSMIT, 1012 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 1012 * SIM_MS, data, HOST_LAPTOP, 0, 0);
	fixture_drop(f, 1015 * SIM_MS, data, HOST_MTA, 1, 0, OBS_DROP_LINK_DOWN);
	fixture_link(f, 1500 * SIM_MS, 1, 1);
	fixture_pkt(f, OBS_PKT_SEND, 1600 * SIM_MS, dgram, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 1600 * SIM_MS, dgram, HOST_LAPTOP, 0, 0);
	fixture_pkt(f, OBS_PKT_TX, 1603 * SIM_MS, dgram, HOST_MTA, 1, 0);
	fixture_drop(f, 1606 * SIM_MS, dgram, HOST_SERVER, -1, -1, OBS_DROP_NO_SOCKET);
	fixture_pkt(f, OBS_PKT_SEND, 2 * SIM_S, rst, HOST_SERVER, 1, 1);
	fixture_conn(f, 2 * SIM_S, 2, HOST_SERVER, srv, 25, lap, 49152, "SYN_RECEIVED", "CLOSED", "reset");
	fixture_pkt(f, OBS_PKT_TX, 2 * SIM_S, rst, HOST_SERVER, 1, 1);
	fixture_pkt(f, OBS_PKT_TX, 2 * SIM_S + 3 * SIM_MS, rst, HOST_MTA, 0, 1);
	fixture_pkt(f, OBS_PKT_RECV, 2 * SIM_S + 6 * SIM_MS, rst, HOST_LAPTOP, -1, -1);
	fixture_conn(f, 2 * SIM_S + 6 * SIM_MS, 1, HOST_LAPTOP, lap, 49152, srv, 25, "ESTABLISHED", "CLOSED",
		     "reset");
	fixture_app(f, 3 * SIM_S, -1, 0, "note", "run over");
	packet_free(&syn);
	packet_free(&synack);
	packet_free(&data);
	packet_free(&rst);
	packet_free(&dgram);
	return 0;
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
