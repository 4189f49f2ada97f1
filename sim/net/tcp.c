/* TCP: the connection table, the RFC 793 state machine, output, timers. See
 * tcp.h for the model and the application contract.
 *
 * Sequence arithmetic is modular (SEQ_LT etc.). The send buffer holds every
 * byte from SND.UNA on: [0, snd_nxt - snd_una) has been sent, the rest waits
 * for the window. SND.MAX is the highest sequence ever sent, so after a
 * timeout (go-back-N: snd_nxt = snd_una) segments below it are marked as
 * retransmissions.
 *
 * Each connection has one kernel event for all its timers (retransmission,
 * persist, connect, idle, FIN-WAIT-2, TIME-WAIT). Deadlines move freely; the
 * event is only rescheduled when a deadline moves earlier than it, so the
 * per-ACK restart of the retransmission timer costs no queue operation.
 *
 * Reentrancy: application callbacks may send, close or abort. A connection
 * is only freed when no call on it is in progress (busy == 0). */
#include "sim/net/tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/bytering.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

#define EPHEMERAL_FIRST 49152
#define EPHEMERAL_COUNT 16384
#define DEFAULT_PEER_MSS 536
#define FIN_WAIT_2_TIMEOUT (60 * SIM_S)
#define DUPACK_THRESHOLD 3

enum tcp_state {
	ST_CLOSED,
	ST_LISTEN,
	ST_SYN_SENT,
	ST_SYN_RECEIVED,
	ST_ESTABLISHED,
	ST_FIN_WAIT_1,
	ST_FIN_WAIT_2,
	ST_CLOSE_WAIT,
	ST_CLOSING,
	ST_LAST_ACK,
	ST_TIME_WAIT,
};

static const char *const state_names[] = {
    "CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2",  "CLOSE_WAIT", "CLOSING",    "LAST_ACK",     "TIME_WAIT",
};

struct ooo_seg {
	struct ooo_seg *next;
	uint32_t seq, len;
	int fin;
	uint8_t data[];
};

struct listener {
	struct listener *next;
	uint16_t port;
	tcp_accept_fn accept;
	void *ctx;
};

struct tcp_host {
	struct listener *listeners;
	uint16_t next_port;
	struct rng isn_rng;
	int rng_ready;
};

struct tcp_conn {
	struct tcp *tcp;
	struct tcp_conn *hash_next;
	struct tcp_conn *all_prev, *all_next;
	uint32_t id;
	int host;
	uint32_t lip, rip;
	uint16_t lport, rport;
	enum tcp_state state;
	const struct tcp_callbacks *cbs;
	void *ctx;
	struct listener *listener; /* passive opens until accepted */
	int busy;
	unsigned dead : 1;        /* free when busy drops to zero */
	unsigned app_gone : 1;    /* the application no longer holds it */
	unsigned app_closed : 1;  /* tcp_close called: FIN after the data */
	unsigned peer_fin : 1;    /* FIN received */
	unsigned paused : 1;
	unsigned want_writable : 1;
	unsigned ack_pending : 1;
	unsigned rtt_timing : 1;
	/* Send side. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
	uint32_t snd_wnd;
	uint32_t cwnd, ssthresh, recover;
	int dupacks;
	int in_recovery;
	uint16_t mss;
	struct bytering sbuf;
	uint32_t rtt_seq;
	sim_time rtt_start;
	sim_time srtt, rttvar, rto;
	int retries;
	/* Receive side. */
	uint32_t irs, rcv_nxt;
	struct bytering rbuf; /* in-order bytes held while paused */
	struct ooo_seg *ooo;
	uint32_t ooo_bytes;
	/* Timers: SIM_TIME_NEVER when off. */
	sim_time rto_at, persist_at, connect_at, idle_at, fin2_at, timewait_at;
	sim_time idle_timeout;
	sim_time timer_at;
	sim_event_id timer_ev;
	int persist_backoff;
};

struct tcp {
	struct net *net;
	struct sim *sim;
	struct obs_bus *bus;
	struct tcp_config cfg;
	struct tcp_conn **table;
	size_t table_cap, table_count;
	struct tcp_conn *all_head, *all_tail;
	struct tcp_host *hosts;
	int host_cap;
	uint32_t next_conn_id;
	int h_timer;
	struct tcp_stats stats;
};

static const struct tcp_callbacks no_callbacks;

struct tcp_config tcp_config_default(void)
{
	return (struct tcp_config){
	    .initial_rto = 1 * SIM_S,
	    .min_rto = 1 * SIM_S,
	    .max_rto = 60 * SIM_S,
	    .max_retransmits = 12,
	    .connect_timeout = 30 * SIM_S,
	    .time_wait = 1 * SIM_S,
	    .rcvbuf = 65535,
	    .sndbuf = 256 * 1024,
	};
}

const char *tcp_error_name(enum tcp_error e)
{
	static const char *const names[] = {"ok",      "refused",         "reset",    "timeout",
					    "connect-timeout", "idle-timeout", "no-route", "host-down"};
	return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

static void on_timer(struct sim *sim, void *ctx);
static void tcp_input(void *ctx, int host, struct packet *pkt);

struct tcp *tcp_new(struct net *net, const struct tcp_config *config)
{
	struct tcp *tcp = calloc(1, sizeof *tcp);
	if (!tcp)
		return NULL;
	tcp->net = net;
	tcp->sim = net_sim(net);
	tcp->bus = sim_bus(tcp->sim);
	tcp->cfg = config ? *config : tcp_config_default();
	if (tcp->cfg.rcvbuf > 65535)
		tcp->cfg.rcvbuf = 65535;
	tcp->h_timer = sim_handler(tcp->sim, on_timer);
	if (tcp->h_timer < 0) {
		free(tcp);
		return NULL;
	}
	net_set_l4_handler(net, IPPROTO_SIM_TCP, tcp_input, tcp);
	return tcp;
}

static void conn_destroy(struct tcp_conn *c)
{
	bytering_free(&c->sbuf);
	bytering_free(&c->rbuf);
	while (c->ooo) {
		struct ooo_seg *s = c->ooo;
		c->ooo = s->next;
		free(s);
	}
	free(c);
}

void tcp_free(struct tcp **tcpp)
{
	if (!tcpp || !*tcpp)
		return;
	struct tcp *tcp = *tcpp;
	for (struct tcp_conn *c = tcp->all_head, *n; c; c = n) {
		n = c->all_next;
		sim_cancel(tcp->sim, c->timer_ev);
		conn_destroy(c);
	}
	for (int h = 0; h < tcp->host_cap; h++) {
		for (struct listener *l = tcp->hosts[h].listeners, *n; l; l = n) {
			n = l->next;
			free(l);
		}
	}
	net_set_l4_handler(tcp->net, IPPROTO_SIM_TCP, NULL, NULL);
	free(tcp->hosts);
	free(tcp->table);
	free(tcp);
	*tcpp = NULL;
}

const struct tcp_stats *tcp_stats(const struct tcp *tcp) { return &tcp->stats; }

static struct tcp_host *host_state(struct tcp *tcp, int host)
{
	if (host < 0)
		return NULL;
	if (host >= tcp->host_cap) {
		int cap = tcp->host_cap ? tcp->host_cap : 16;
		while (cap <= host)
			cap *= 2;
		struct tcp_host *h = realloc(tcp->hosts, (size_t)cap * sizeof *h);
		if (!h)
			return NULL;
		memset(h + tcp->host_cap, 0, (size_t)(cap - tcp->host_cap) * sizeof *h);
		tcp->hosts = h;
		tcp->host_cap = cap;
	}
	struct tcp_host *hs = &tcp->hosts[host];
	if (!hs->rng_ready) {
		char name[64];
		snprintf(name, sizeof name, "tcp:isn:%d", host);
		sim_rng(tcp->sim, name, &hs->isn_rng);
		hs->next_port = (uint16_t)(EPHEMERAL_FIRST + rng_below(&hs->isn_rng, EPHEMERAL_COUNT));
		hs->rng_ready = 1;
	}
	return hs;
}

/* ---- the connection table: chained hash on the 4-tuple ---- */

static size_t tuple_hash(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint64_t k = ((uint64_t)lip << 32 | rip) * 0x9e3779b97f4a7c15ull;
	k ^= ((uint64_t)lport << 16 | rport) * 0xc2b2ae3d27d4eb4full;
	return (size_t)(k ^ (k >> 29));
}

static struct tcp_conn *table_find(const struct tcp *tcp, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	if (!tcp->table_cap)
		return NULL;
	struct tcp_conn *c = tcp->table[tuple_hash(lip, lport, rip, rport) & (tcp->table_cap - 1)];
	for (; c; c = c->hash_next)
		if (c->lip == lip && c->lport == lport && c->rip == rip && c->rport == rport)
			return c;
	return NULL;
}

static int table_insert(struct tcp *tcp, struct tcp_conn *c)
{
	if ((tcp->table_count + 1) > tcp->table_cap) {
		size_t cap = tcp->table_cap ? tcp->table_cap * 2 : 64;
		struct tcp_conn **t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (size_t i = 0; i < tcp->table_cap; i++) {
			for (struct tcp_conn *e = tcp->table[i], *n; e; e = n) {
				n = e->hash_next;
				size_t j = tuple_hash(e->lip, e->lport, e->rip, e->rport) & (cap - 1);
				e->hash_next = t[j];
				t[j] = e;
			}
		}
		free(tcp->table);
		tcp->table = t;
		tcp->table_cap = cap;
	}
	size_t j = tuple_hash(c->lip, c->lport, c->rip, c->rport) & (tcp->table_cap - 1);
	c->hash_next = tcp->table[j];
	tcp->table[j] = c;
	tcp->table_count++;
	return 0;
}

static void table_remove(struct tcp *tcp, struct tcp_conn *c)
{
	struct tcp_conn **pp = &tcp->table[tuple_hash(c->lip, c->lport, c->rip, c->rport) & (tcp->table_cap - 1)];
	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == c) {
			*pp = c->hash_next;
			tcp->table_count--;
			return;
		}
	}
}

static struct tcp_conn *conn_new(struct tcp *tcp, int host, uint32_t lip, uint16_t lport, uint32_t rip,
				 uint16_t rport)
{
	struct tcp_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->tcp = tcp;
	c->id = ++tcp->next_conn_id;
	c->host = host;
	c->lip = lip;
	c->lport = lport;
	c->rip = rip;
	c->rport = rport;
	c->cbs = &no_callbacks;
	c->sbuf.limit = tcp->cfg.sndbuf;
	c->rbuf.limit = tcp->cfg.rcvbuf;
	c->rto = tcp->cfg.initial_rto;
	c->rto_at = c->persist_at = c->connect_at = c->idle_at = c->fin2_at = c->timewait_at = SIM_TIME_NEVER;
	c->timer_at = SIM_TIME_NEVER;
	if (table_insert(tcp, c) < 0) {
		free(c);
		return NULL;
	}
	c->all_prev = tcp->all_tail;
	if (tcp->all_tail)
		tcp->all_tail->all_next = c;
	else
		tcp->all_head = c;
	tcp->all_tail = c;
	tcp->stats.live_pcbs++;
	return c;
}

/* Marks c for freeing; it leaves the table at once so a new connection may
 * reuse the tuple, and memory goes when no call on it is in progress. */
static void conn_kill(struct tcp_conn *c)
{
	if (c->dead)
		return;
	struct tcp *tcp = c->tcp;
	c->dead = 1;
	table_remove(tcp, c);
	sim_cancel(tcp->sim, c->timer_ev);
	c->timer_ev = 0;
}

static void conn_release(struct tcp_conn *c)
{
	if (--c->busy > 0 || !c->dead)
		return;
	struct tcp *tcp = c->tcp;
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		tcp->all_head = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	else
		tcp->all_tail = c->all_prev;
	tcp->stats.live_pcbs--;
	conn_destroy(c);
}

static void set_state(struct tcp_conn *c, enum tcp_state to, const char *why)
{
	enum tcp_state from = c->state;
	c->state = to;
	struct tcp *tcp = c->tcp;
	if (!bus_wants(tcp->bus, OBS_CONN_STATE) || from == to)
		return;
	struct obs_record r = {.type = OBS_CONN_STATE, .time = sim_now(tcp->sim)};
	r.u.conn.conn_id = c->id;
	r.u.conn.host = c->host;
	r.u.conn.local_ip = c->lip;
	r.u.conn.remote_ip = c->rip;
	r.u.conn.local_port = c->lport;
	r.u.conn.remote_port = c->rport;
	r.u.conn.from = state_names[from];
	r.u.conn.to = state_names[to];
	r.u.conn.why = why;
	bus_publish(tcp->bus, &r);
}

/* ---- timers ---- */

static void timer_update(struct tcp_conn *c)
{
	if (c->dead)
		return;
	sim_time at = c->rto_at;
	sim_time cand[] = {c->persist_at, c->connect_at, c->idle_at, c->fin2_at, c->timewait_at};
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (cand[i] < at)
			at = cand[i];
	if (c->timer_ev && c->timer_at <= at)
		return; /* fires early and re-arms */
	struct tcp *tcp = c->tcp;
	if (c->timer_ev)
		sim_cancel(tcp->sim, c->timer_ev);
	c->timer_ev = 0;
	c->timer_at = at;
	if (at != SIM_TIME_NEVER)
		c->timer_ev = sim_at(tcp->sim, at, tcp->h_timer, c);
}

static void idle_touch(struct tcp_conn *c)
{
	if (c->idle_timeout > 0)
		c->idle_at = sim_now(c->tcp->sim) + c->idle_timeout;
}

/* ---- output ---- */

static uint16_t advertised_window(const struct tcp_conn *c)
{
	uint32_t used = (uint32_t)c->rbuf.len;
	uint32_t w = c->tcp->cfg.rcvbuf > used ? c->tcp->cfg.rcvbuf - used : 0;
	return (uint16_t)(w > 65535 ? 65535 : w);
}

static void send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, size_t offset, size_t len, int retransmit)
{
	struct tcp *tcp = c->tcp;
	struct packet *p = packet_new((uint32_t)len);
	if (!p)
		return;
	p->proto = IPPROTO_SIM_TCP;
	p->src_ip = c->lip;
	p->dst_ip = c->rip;
	p->src_port = c->lport;
	p->dst_port = c->rport;
	p->seq = seq;
	p->flags = flags;
	if (flags & TCP_ACK) {
		p->ack = c->rcv_nxt;
		c->ack_pending = 0;
	}
	p->window = advertised_window(c);
	if (flags & TCP_SYN) {
		uint32_t mtu = net_path_mtu(tcp->net, c->host, c->rip);
		p->mss_option = (uint16_t)((mtu ? mtu : 576) - IPV4_HEADER_LEN - TCP_HEADER_LEN);
	}
	if (len)
		bytering_peek(&c->sbuf, offset, p->data, len);
	tcp->stats.segments_sent++;
	if (retransmit)
		tcp->stats.retransmissions++;
	net_send(tcp->net, c->host, p, retransmit);
}

static void send_rst_for(struct tcp *tcp, int host, const struct packet *in)
{
	if (in->flags & TCP_RST)
		return;
	struct packet *p = packet_new(0);
	if (!p)
		return;
	p->proto = IPPROTO_SIM_TCP;
	p->src_ip = in->dst_ip;
	p->dst_ip = in->src_ip;
	p->src_port = in->dst_port;
	p->dst_port = in->src_port;
	if (in->flags & TCP_ACK) {
		p->seq = in->ack;
		p->flags = TCP_RST;
	} else {
		p->seq = 0;
		p->ack = in->seq + in->len + !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
		p->flags = TCP_RST | TCP_ACK;
	}
	tcp->stats.segments_sent++;
	net_send(tcp->net, host, p, 0);
}

static void send_rst(struct tcp_conn *c)
{
	struct packet *p = packet_new(0);
	if (!p)
		return;
	p->proto = IPPROTO_SIM_TCP;
	p->src_ip = c->lip;
	p->dst_ip = c->rip;
	p->src_port = c->lport;
	p->dst_port = c->rport;
	p->seq = c->snd_nxt;
	p->ack = c->rcv_nxt;
	p->flags = TCP_RST | TCP_ACK;
	c->tcp->stats.segments_sent++;
	net_send(c->tcp->net, c->host, p, 0);
}

static int can_send_data(enum tcp_state s)
{
	return s == ST_ESTABLISHED || s == ST_CLOSE_WAIT || s == ST_FIN_WAIT_1 || s == ST_CLOSING || s == ST_LAST_ACK;
}

static void arm_rto(struct tcp_conn *c)
{
	if (c->rto_at == SIM_TIME_NEVER)
		c->rto_at = sim_now(c->tcp->sim) + c->rto;
}

/* Sends what the windows allow, then the FIN if due, then a bare ACK if one
 * is still owed. */
static void output(struct tcp_conn *c)
{
	if (c->dead)
		return;
	struct tcp *tcp = c->tcp;
	if (can_send_data(c->state)) {
		uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
		uint32_t data_end = c->snd_una + (uint32_t)c->sbuf.len;
		for (;;) {
			uint32_t flight = c->snd_nxt - c->snd_una;
			uint32_t unsent = SEQ_LT(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
			if (unsent == 0)
				break;
			uint32_t usable = wnd > flight ? wnd - flight : 0;
			uint32_t len = unsent < c->mss ? unsent : c->mss;
			if (len > usable)
				len = usable;
			if (len == 0) {
				if (c->snd_wnd == 0 && c->rto_at == SIM_TIME_NEVER &&
				    c->persist_at == SIM_TIME_NEVER)
					c->persist_at = sim_now(tcp->sim) + c->rto;
				break;
			}
			int retx = SEQ_LT(c->snd_nxt, c->snd_max);
			uint8_t flags = TCP_ACK | (len == unsent ? TCP_PSH : 0);
			send_segment(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, len, retx);
			if (!c->rtt_timing && !retx) {
				c->rtt_timing = 1;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start = sim_now(tcp->sim);
			}
			c->snd_nxt += len;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			arm_rto(c);
		}
		if (c->app_closed && c->snd_nxt == data_end &&
		    (c->state == ST_ESTABLISHED || c->state == ST_CLOSE_WAIT || c->state == ST_FIN_WAIT_1 ||
		     c->state == ST_CLOSING || c->state == ST_LAST_ACK)) {
			int retx = SEQ_LT(c->snd_nxt, c->snd_max);
			send_segment(c, c->snd_nxt, TCP_FIN | TCP_ACK, 0, 0, retx);
			c->snd_nxt++;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			arm_rto(c);
			if (c->state == ST_ESTABLISHED)
				set_state(c, ST_FIN_WAIT_1, NULL);
			else if (c->state == ST_CLOSE_WAIT)
				set_state(c, ST_LAST_ACK, NULL);
		}
	}
	if (c->ack_pending && c->state != ST_SYN_SENT && c->state != ST_CLOSED)
		send_segment(c, c->snd_nxt, TCP_ACK, 0, 0, 0);
	timer_update(c);
}

/* ---- closing towards the application ---- */

/* Tells the application the connection is over (once) and, unless it stays
 * in TIME-WAIT, forgets it. */
static void finish(struct tcp_conn *c, enum tcp_error err, int keep)
{
	struct tcp *tcp = c->tcp;
	if (err != TCP_OK && !c->app_gone && c->state != ST_SYN_RECEIVED)
		tcp->stats.connections_failed++;
	if (!keep) {
		set_state(c, ST_CLOSED, err == TCP_OK ? NULL : tcp_error_name(err));
		conn_kill(c);
	}
	if (!c->app_gone && !c->listener) {
		c->app_gone = 1;
		if (c->cbs->closed)
			c->cbs->closed(c->ctx, c, err);
	}
}

/* ---- input ---- */

static void deliver(struct tcp_conn *c, const uint8_t *data, uint32_t len)
{
	if (!len)
		return;
	c->tcp->stats.bytes_delivered += len;
	if (c->paused || c->rbuf.len) {
		bytering_write(&c->rbuf, data, len);
		return;
	}
	if (!c->app_gone && c->cbs->data)
		c->cbs->data(c->ctx, c, data, len);
}

static void peer_fin(struct tcp_conn *c)
{
	c->rcv_nxt++;
	c->peer_fin = 1;
	c->ack_pending = 1;
	switch (c->state) {
	case ST_SYN_RECEIVED:
	case ST_ESTABLISHED:
		set_state(c, ST_CLOSE_WAIT, NULL);
		break;
	case ST_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet (that case became FIN_WAIT_2). */
		set_state(c, ST_CLOSING, NULL);
		break;
	case ST_FIN_WAIT_2:
		set_state(c, ST_TIME_WAIT, NULL);
		c->fin2_at = SIM_TIME_NEVER;
		c->timewait_at = sim_now(c->tcp->sim) + c->tcp->cfg.time_wait;
		break;
	default:
		break;
	}
	if (!c->app_gone && !c->paused && c->cbs->peer_closed)
		c->cbs->peer_closed(c->ctx, c);
	if (c->state == ST_TIME_WAIT)
		finish(c, TCP_OK, 1);
}

/* Stores an out-of-order segment, keeping the list sorted and bounded by
 * the receive window. Overlaps are kept; delivery trims them. */
static void ooo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len, int fin)
{
	if (c->ooo_bytes + len > c->tcp->cfg.rcvbuf)
		return;
	struct ooo_seg **pp = &c->ooo;
	while (*pp && SEQ_LT((*pp)->seq, seq))
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len && (*pp)->fin >= fin)
		return; /* a duplicate */
	struct ooo_seg *s = malloc(sizeof *s + len);
	if (!s)
		return;
	s->seq = seq;
	s->len = len;
	s->fin = fin;
	memcpy(s->data, data, len);
	c->tcp->stats.out_of_order++;
	s->next = *pp;
	*pp = s;
	c->ooo_bytes += len;
}

/* Delivers stored segments that have become in order. */
static void ooo_drain(struct tcp_conn *c)
{
	while (c->ooo && SEQ_LEQ(c->ooo->seq, c->rcv_nxt) && !c->dead) {
		struct ooo_seg *s = c->ooo;
		c->ooo = s->next;
		c->ooo_bytes -= s->len;
		uint32_t skip = c->rcv_nxt - s->seq;
		if (skip < s->len) {
			c->rcv_nxt += s->len - skip;
			deliver(c, s->data + skip, s->len - skip);
		}
		int fin = s->fin && SEQ_LEQ(s->seq + s->len, c->rcv_nxt);
		free(s);
		if (fin && !c->peer_fin && !c->dead)
			peer_fin(c);
	}
}

static void update_rtt(struct tcp_conn *c, sim_time r)
{
	if (c->srtt == 0) {
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		sim_time diff = c->srtt > r ? c->srtt - r : r - c->srtt;
		c->rttvar = (3 * c->rttvar + diff) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	sim_time k = 4 * c->rttvar;
	if (k < SIM_MS)
		k = SIM_MS; /* clock granularity G */
	c->rto = c->srtt + k;
	const struct tcp_config *cfg = &c->tcp->cfg;
	if (c->rto < cfg->min_rto)
		c->rto = cfg->min_rto;
	if (c->rto > cfg->max_rto)
		c->rto = cfg->max_rto;
}

static void established(struct tcp_conn *c)
{
	c->tcp->stats.connections_opened++;
	c->connect_at = SIM_TIME_NEVER;
	c->cwnd = c->mss * (c->mss > 2190 ? 2u : c->mss > 1095 ? 3u : 4u); /* RFC 5681 IW */
	c->ssthresh = 0xffffffffu;
	set_state(c, ST_ESTABLISHED, NULL);
	idle_touch(c);
}

static void set_mss(struct tcp_conn *c, const struct packet *syn)
{
	uint32_t mtu = net_path_mtu(c->tcp->net, c->host, c->rip);
	uint32_t own = (mtu ? mtu : 576) - IPV4_HEADER_LEN - TCP_HEADER_LEN;
	uint32_t peer = syn->mss_option ? syn->mss_option : DEFAULT_PEER_MSS;
	c->mss = (uint16_t)(own < peer ? own : peer);
	if (c->mss < 64)
		c->mss = 64;
}

/* Processes an acceptable ACK in a synchronized state. Returns 0 to go on
 * with the segment, -1 if the segment is finished with. */
static int process_ack(struct tcp_conn *c, const struct packet *p)
{
	struct tcp *tcp = c->tcp;
	uint32_t ack = p->ack;
	if (SEQ_GT(ack, c->snd_max)) {
		c->ack_pending = 1; /* acks what we never sent */
		return -1;
	}
	uint32_t data_end = c->snd_una + (uint32_t)c->sbuf.len;
	if (SEQ_GT(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una;
		uint32_t data_acked = SEQ_GT(ack, data_end) ? (uint32_t)c->sbuf.len : acked;
		bytering_consume(&c->sbuf, data_acked);
		c->snd_una = ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->retries = 0;
		if (c->rtt_timing && SEQ_GT(ack, c->rtt_seq)) {
			c->rtt_timing = 0;
			update_rtt(c, sim_now(tcp->sim) - c->rtt_start);
		}
		/* Congestion window (RFC 5681, NewReno recovery of RFC 6582). */
		if (c->in_recovery) {
			if (SEQ_GEQ(ack, c->recover)) {
				c->in_recovery = 0;
				c->cwnd = c->ssthresh;
			} else {
				/* Partial ACK: resend the next hole at once. */
				uint32_t len = c->sbuf.len < c->mss ? (uint32_t)c->sbuf.len : c->mss;
				if (len)
					send_segment(c, c->snd_una, TCP_ACK, 0, len, 1);
				c->cwnd = c->cwnd > acked ? c->cwnd - acked + c->mss : c->mss;
			}
		} else if (c->cwnd < c->ssthresh) {
			c->cwnd += acked < c->mss ? acked : c->mss;
		} else {
			uint32_t inc = (uint32_t)((uint64_t)c->mss * c->mss / (c->cwnd ? c->cwnd : 1));
			c->cwnd += inc ? inc : 1;
		}
		c->dupacks = 0;
		c->rto_at = SIM_TIME_NEVER;
		if (c->snd_una != c->snd_max)
			arm_rto(c);
		if (c->want_writable && bytering_space(&c->sbuf) > 0 && !c->app_closed && !c->app_gone) {
			c->want_writable = 0;
			if (c->cbs->writable)
				c->cbs->writable(c->ctx, c);
			if (c->dead)
				return -1;
		}
	} else if (ack == c->snd_una && p->len == 0 && !(p->flags & (TCP_SYN | TCP_FIN)) &&
		   c->snd_una != c->snd_max && p->window == c->snd_wnd) {
		c->dupacks++;
		if (c->dupacks == DUPACK_THRESHOLD && !c->in_recovery) {
			uint32_t flight = c->snd_max - c->snd_una;
			c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
			c->in_recovery = 1;
			c->recover = c->snd_max;
			uint32_t len = c->sbuf.len < c->mss ? (uint32_t)c->sbuf.len : c->mss;
			if (len) {
				tcp->stats.fast_retransmits++;
				send_segment(c, c->snd_una, TCP_ACK, 0, len, 1);
				c->rtt_timing = 0;
			}
			c->cwnd = c->ssthresh + DUPACK_THRESHOLD * c->mss;
		} else if (c->dupacks > DUPACK_THRESHOLD && c->in_recovery) {
			c->cwnd += c->mss;
		}
	}
	/* Window update (RFC 793 SND.WL1/WL2 rule). */
	if (SEQ_LT(c->snd_wl1, p->seq) || (c->snd_wl1 == p->seq && SEQ_LEQ(c->snd_wl2, ack))) {
		c->snd_wnd = p->window;
		c->snd_wl1 = p->seq;
		c->snd_wl2 = ack;
		if (c->snd_wnd > 0) {
			c->persist_at = SIM_TIME_NEVER;
			c->persist_backoff = 0;
		}
	}
	/* Is our FIN acknowledged? */
	if (c->app_closed && SEQ_GT(ack, data_end)) {
		switch (c->state) {
		case ST_FIN_WAIT_1:
			set_state(c, ST_FIN_WAIT_2, NULL);
			c->fin2_at = sim_now(tcp->sim) + FIN_WAIT_2_TIMEOUT;
			break;
		case ST_CLOSING:
			set_state(c, ST_TIME_WAIT, NULL);
			c->timewait_at = sim_now(tcp->sim) + tcp->cfg.time_wait;
			finish(c, TCP_OK, 1);
			return -1;
		case ST_LAST_ACK:
			finish(c, TCP_OK, 0);
			return -1;
		default:
			break;
		}
	}
	return 0;
}

static void input_syn_sent(struct tcp_conn *c, const struct packet *p)
{
	int has_ack = p->flags & TCP_ACK;
	if (has_ack && (SEQ_LEQ(p->ack, c->iss) || SEQ_GT(p->ack, c->snd_max))) {
		if (!(p->flags & TCP_RST))
			send_rst_for(c->tcp, c->host, p);
		return;
	}
	if (p->flags & TCP_RST) {
		if (has_ack)
			finish(c, TCP_ERR_REFUSED, 0);
		return;
	}
	if (!(p->flags & TCP_SYN))
		return;
	c->irs = p->seq;
	c->rcv_nxt = p->seq + 1;
	set_mss(c, p);
	c->snd_wnd = p->window;
	c->snd_wl1 = p->seq;
	c->snd_wl2 = p->ack;
	if (has_ack) {
		c->snd_una = p->ack;
		c->rto_at = SIM_TIME_NEVER;
		c->retries = 0;
		if (c->rtt_timing) {
			c->rtt_timing = 0;
			update_rtt(c, sim_now(c->tcp->sim) - c->rtt_start);
		}
		established(c);
		c->ack_pending = 1;
		if (c->cbs->connected)
			c->cbs->connected(c->ctx, c);
	} else {
		/* Simultaneous open. */
		set_state(c, ST_SYN_RECEIVED, NULL);
		send_segment(c, c->iss, TCP_SYN | TCP_ACK, 0, 0, 1);
	}
}

static void input_listen(struct tcp *tcp, int host, struct listener *l, const struct packet *p)
{
	if (p->flags & TCP_RST)
		return;
	if ((p->flags & TCP_ACK) || !(p->flags & TCP_SYN)) {
		send_rst_for(tcp, host, p);
		return;
	}
	struct tcp_host *hs = host_state(tcp, host);
	struct tcp_conn *c = hs ? conn_new(tcp, host, p->dst_ip, p->dst_port, p->src_ip, p->src_port) : NULL;
	if (!c)
		return;
	c->listener = l;
	set_state(c, ST_LISTEN, NULL);
	c->irs = p->seq;
	c->rcv_nxt = p->seq + 1;
	c->iss = (uint32_t)rng_next(&hs->isn_rng);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	c->snd_wnd = p->window;
	c->snd_wl1 = p->seq;
	c->snd_wl2 = c->iss;
	set_mss(c, p);
	set_state(c, ST_SYN_RECEIVED, NULL);
	c->connect_at = sim_now(tcp->sim) + tcp->cfg.connect_timeout;
	send_segment(c, c->iss, TCP_SYN | TCP_ACK, 0, 0, 0);
	c->rtt_timing = 1;
	c->rtt_seq = c->iss;
	c->rtt_start = sim_now(tcp->sim);
	arm_rto(c);
	timer_update(c);
}

/* RFC 793 acceptability test for a segment in a synchronized state. */
static int acceptable(const struct tcp_conn *c, const struct packet *p)
{
	uint32_t wnd = advertised_window(c);
	uint32_t len = p->len + !!(p->flags & TCP_SYN) + !!(p->flags & TCP_FIN);
	if (len == 0) {
		if (wnd == 0)
			return p->seq == c->rcv_nxt;
		return SEQ_LEQ(c->rcv_nxt, p->seq) && SEQ_LT(p->seq, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return 0;
	uint32_t last = p->seq + len - 1;
	return (SEQ_LEQ(c->rcv_nxt, p->seq) && SEQ_LT(p->seq, c->rcv_nxt + wnd)) ||
	       (SEQ_LEQ(c->rcv_nxt, last) && SEQ_LT(last, c->rcv_nxt + wnd));
}

static void input_synchronized(struct tcp_conn *c, const struct packet *p)
{
	struct tcp *tcp = c->tcp;
	if (!acceptable(c, p)) {
		if (!(p->flags & TCP_RST))
			c->ack_pending = 1;
		return;
	}
	if (p->flags & TCP_RST) {
		if (c->state == ST_SYN_RECEIVED && c->listener) {
			finish(c, TCP_ERR_RESET, 0); /* back to listening: nothing to tell */
			return;
		}
		if (c->state == ST_TIME_WAIT) {
			finish(c, TCP_OK, 0);
			return;
		}
		finish(c, TCP_ERR_RESET, 0);
		return;
	}
	if (p->flags & TCP_SYN) {
		/* A SYN in the window of a synchronized connection: challenge
		 * ACK (RFC 5961), which makes a real restart send RST. */
		c->ack_pending = 1;
		return;
	}
	if (!(p->flags & TCP_ACK))
		return;
	if (c->state == ST_SYN_RECEIVED) {
		if (!SEQ_GT(p->ack, c->snd_una) || SEQ_GT(p->ack, c->snd_max)) {
			send_rst_for(tcp, c->host, p);
			return;
		}
		c->snd_una = p->ack;
		c->rto_at = SIM_TIME_NEVER;
		c->retries = 0;
		if (c->rtt_timing) {
			c->rtt_timing = 0;
			update_rtt(c, sim_now(tcp->sim) - c->rtt_start);
		}
		c->snd_wnd = p->window;
		c->snd_wl1 = p->seq;
		c->snd_wl2 = p->ack;
		established(c);
		struct listener *l = c->listener;
		c->listener = NULL;
		if (l && l->accept)
			l->accept(l->ctx, c);
		if (c->dead)
			return;
		if (!c->app_gone && c->cbs->connected)
			c->cbs->connected(c->ctx, c);
		if (c->dead)
			return;
	}
	if (c->state == ST_TIME_WAIT) {
		if (p->flags & TCP_FIN) {
			c->ack_pending = 1;
			c->timewait_at = sim_now(tcp->sim) + tcp->cfg.time_wait;
		}
		return;
	}
	if (process_ack(c, p) < 0 || c->dead)
		return;
	/* Segment text. */
	uint32_t seq = p->seq;
	const uint8_t *data = p->data;
	uint32_t len = p->len;
	int fin = !!(p->flags & TCP_FIN);
	int may_receive = c->state == ST_ESTABLISHED || c->state == ST_FIN_WAIT_1 || c->state == ST_FIN_WAIT_2;
	if (len && may_receive) {
		idle_touch(c);
		if (SEQ_LT(seq, c->rcv_nxt)) {
			uint32_t skip = c->rcv_nxt - seq;
			if (skip >= len) {
				len = 0;
			} else {
				data += skip;
				len -= skip;
			}
			seq = c->rcv_nxt;
		}
		uint32_t wnd = advertised_window(c);
		uint32_t limit = (uint32_t)(c->rcv_nxt + wnd - seq);
		if (len > limit) {
			len = limit;
			fin = 0;
		}
		c->ack_pending = 1;
		if (seq == c->rcv_nxt) {
			c->rcv_nxt += len;
			deliver(c, data, len);
			if (c->dead)
				return;
			ooo_drain(c);
			if (c->dead)
				return;
		} else {
			ooo_insert(c, seq, data, len, fin);
			return;
		}
	} else if (len) {
		c->ack_pending = 1;
	}
	if (fin && !c->peer_fin && seq + len == c->rcv_nxt &&
	    (may_receive || c->state == ST_SYN_RECEIVED))
		peer_fin(c);
	else if (fin && !c->peer_fin && SEQ_GT(seq + len, c->rcv_nxt))
		ooo_insert(c, seq, data, len, 1);
}

static void tcp_input(void *ctx, int host, struct packet *p)
{
	struct tcp *tcp = ctx;
	tcp->stats.segments_received++;
	struct tcp_conn *c = table_find(tcp, p->dst_ip, p->dst_port, p->src_ip, p->src_port);
	if (!c) {
		struct tcp_host *hs = host < tcp->host_cap ? &tcp->hosts[host] : NULL;
		struct listener *l = hs ? hs->listeners : NULL;
		while (l && l->port != p->dst_port)
			l = l->next;
		if (l)
			input_listen(tcp, host, l, p);
		else
			send_rst_for(tcp, host, p);
		packet_free(&p);
		return;
	}
	c->busy++;
	if (c->state == ST_SYN_SENT)
		input_syn_sent(c, p);
	else
		input_synchronized(c, p);
	packet_free(&p);
	output(c);
	conn_release(c);
}

/* ---- timers ---- */

static void retransmit_timeout(struct tcp_conn *c)
{
	struct tcp *tcp = c->tcp;
	c->rto_at = SIM_TIME_NEVER;
	tcp->stats.timeouts++;
	if (++c->retries > tcp->cfg.max_retransmits) {
		send_rst(c);
		finish(c, TCP_ERR_TIMEOUT, 0);
		return;
	}
	c->rto = c->rto * 2 > tcp->cfg.max_rto ? tcp->cfg.max_rto : c->rto * 2;
	c->rtt_timing = 0;
	if (c->state == ST_SYN_SENT || c->state == ST_SYN_RECEIVED) {
		uint8_t flags = c->state == ST_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
		send_segment(c, c->iss, flags, 0, 0, 1);
		arm_rto(c);
		return;
	}
	uint32_t flight = c->snd_max - c->snd_una;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->cwnd = c->mss;
	c->in_recovery = 0;
	c->dupacks = 0;
	c->snd_nxt = c->snd_una; /* go back N */
	output(c);
	arm_rto(c);
}

static void persist_timeout(struct tcp_conn *c)
{
	/* Window probe (RFC 1122 4.2.2.17): the first unacknowledged byte,
	 * sent into the zero window; the peer's ACK tells us when the window
	 * opens. Probing goes on as long as the peer keeps answering. */
	c->persist_at = SIM_TIME_NEVER;
	if (c->snd_wnd != 0 || c->sbuf.len == 0)
		return;
	send_segment(c, c->snd_una, TCP_ACK, 0, 1, SEQ_LT(c->snd_una, c->snd_max));
	if (SEQ_LT(c->snd_nxt, c->snd_una + 1))
		c->snd_nxt = c->snd_una + 1;
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	c->persist_backoff++;
	sim_time wait = c->rto << (c->persist_backoff < 6 ? c->persist_backoff : 6);
	if (wait > c->tcp->cfg.max_rto)
		wait = c->tcp->cfg.max_rto;
	c->persist_at = sim_now(c->tcp->sim) + wait;
}

static void on_timer(struct sim *sim, void *ctx)
{
	struct tcp_conn *c = ctx;
	sim_time now = sim_now(sim);
	c->timer_ev = 0;
	c->timer_at = SIM_TIME_NEVER;
	c->busy++;
	if (c->timewait_at <= now) {
		c->timewait_at = SIM_TIME_NEVER;
		finish(c, TCP_OK, 0);
	}
	if (!c->dead && c->connect_at <= now) {
		c->connect_at = SIM_TIME_NEVER;
		if (c->state == ST_SYN_SENT || c->state == ST_SYN_RECEIVED) {
			if (c->state == ST_SYN_RECEIVED)
				send_rst(c);
			finish(c, TCP_ERR_CONNECT_TIMEOUT, 0);
		}
	}
	if (!c->dead && c->rto_at <= now)
		retransmit_timeout(c);
	if (!c->dead && c->persist_at <= now)
		persist_timeout(c);
	if (!c->dead && c->fin2_at <= now) {
		c->fin2_at = SIM_TIME_NEVER;
		finish(c, TCP_ERR_TIMEOUT, 0);
	}
	if (!c->dead && c->idle_at <= now) {
		c->idle_at = SIM_TIME_NEVER;
		if (!c->app_gone && c->cbs->idle) {
			c->cbs->idle(c->ctx, c);
		} else {
			send_rst(c);
			finish(c, TCP_ERR_IDLE_TIMEOUT, 0);
		}
	}
	if (!c->dead)
		timer_update(c);
	conn_release(c);
}

/* ---- the application's API ---- */

int tcp_listen(struct tcp *tcp, int host, uint16_t port, tcp_accept_fn accept, void *ctx)
{
	struct tcp_host *hs = host_state(tcp, host);
	if (!hs || port == 0)
		return -1;
	for (struct listener *l = hs->listeners; l; l = l->next)
		if (l->port == port)
			return -1;
	struct listener *l = calloc(1, sizeof *l);
	if (!l)
		return -1;
	*l = (struct listener){hs->listeners, port, accept, ctx};
	hs->listeners = l;
	return 0;
}

void tcp_unlisten(struct tcp *tcp, int host, uint16_t port)
{
	struct tcp_host *hs = host_state(tcp, host);
	if (!hs)
		return;
	for (struct listener **pp = &hs->listeners; *pp; pp = &(*pp)->next) {
		if ((*pp)->port == port) {
			struct listener *l = *pp;
			*pp = l->next;
			/* Half-open connections of this listener die with it. */
			for (struct tcp_conn *c = tcp->all_head, *n; c; c = n) {
				n = c->all_next;
				if (c->listener == l) {
					c->listener = NULL;
					c->app_gone = 1;
					send_rst(c);
					c->busy++;
					finish(c, TCP_ERR_RESET, 0);
					conn_release(c);
				}
			}
			free(l);
			return;
		}
	}
}

struct tcp_conn *tcp_connect(struct tcp *tcp, int host, uint32_t dst_ip, uint16_t dst_port,
			     const struct tcp_callbacks *cbs, void *ctx)
{
	struct tcp_host *hs = host_state(tcp, host);
	if (!hs)
		return NULL;
	uint32_t lip = net_source_ip(tcp->net, host, dst_ip);
	uint16_t port = 0;
	for (int i = 0; i < EPHEMERAL_COUNT; i++) {
		uint16_t cand = hs->next_port;
		hs->next_port = (uint16_t)(cand + 1 >= EPHEMERAL_FIRST + EPHEMERAL_COUNT ? EPHEMERAL_FIRST : cand + 1);
		if (!table_find(tcp, lip, cand, dst_ip, dst_port)) {
			port = cand;
			break;
		}
	}
	if (!port)
		return NULL;
	struct tcp_conn *c = conn_new(tcp, host, lip, port, dst_ip, dst_port);
	if (!c)
		return NULL;
	c->cbs = cbs ? cbs : &no_callbacks;
	c->ctx = ctx;
	c->iss = (uint32_t)rng_next(&hs->isn_rng);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	uint32_t mtu = net_path_mtu(tcp->net, host, dst_ip);
	c->mss = (uint16_t)((mtu ? mtu : 576) - IPV4_HEADER_LEN - TCP_HEADER_LEN);
	set_state(c, ST_SYN_SENT, NULL);
	c->connect_at = sim_now(tcp->sim) + tcp->cfg.connect_timeout;
	c->rtt_timing = 1;
	c->rtt_seq = c->iss;
	c->rtt_start = sim_now(tcp->sim);
	send_segment(c, c->iss, TCP_SYN, 0, 0, 0);
	arm_rto(c);
	timer_update(c);
	return c;
}

void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cbs, void *ctx)
{
	c->cbs = cbs ? cbs : &no_callbacks;
	c->ctx = ctx;
}

size_t tcp_send(struct tcp_conn *c, const void *bytes, size_t len)
{
	if (c->dead || c->app_closed || c->app_gone || len == 0)
		return 0;
	size_t n = bytering_write(&c->sbuf, bytes, len);
	if (n < len)
		c->want_writable = 1;
	idle_touch(c);
	if (!c->busy) {
		c->busy++;
		output(c);
		conn_release(c);
	} else {
		/* Inside a callback of this connection: the caller's path
		 * sends; flushing here too keeps replies prompt. */
		output(c);
	}
	return n;
}

size_t tcp_send_space(const struct tcp_conn *c) { return c->app_closed ? 0 : bytering_space(&c->sbuf); }
size_t tcp_unacked(const struct tcp_conn *c) { return c->sbuf.len; }

void tcp_close(struct tcp_conn *c)
{
	if (c->dead || c->app_closed)
		return;
	/* In SYN_SENT the FIN goes out right after the handshake. */
	c->app_closed = 1;
	c->busy++;
	output(c);
	conn_release(c);
}

void tcp_abort(struct tcp_conn *c)
{
	if (c->dead)
		return;
	c->app_gone = 1;
	c->busy++;
	if (c->state != ST_SYN_SENT && c->state != ST_TIME_WAIT)
		send_rst(c);
	set_state(c, ST_CLOSED, "aborted");
	conn_kill(c);
	conn_release(c);
}

void tcp_pause_reading(struct tcp_conn *c, int paused)
{
	if (c->dead)
		return;
	int was = c->paused;
	c->paused = !!paused;
	if (!was || c->paused)
		return;
	c->busy++;
	uint16_t before = advertised_window(c);
	while (c->rbuf.len && !c->paused && !c->dead && !c->app_gone) {
		uint8_t chunk[4096];
		size_t n = c->rbuf.len < sizeof chunk ? c->rbuf.len : sizeof chunk;
		bytering_peek(&c->rbuf, 0, chunk, n);
		bytering_consume(&c->rbuf, n);
		if (c->cbs->data)
			c->cbs->data(c->ctx, c, chunk, n);
	}
	if (!c->dead && !c->paused && c->peer_fin && c->rbuf.len == 0 && !c->app_gone && c->cbs->peer_closed)
		c->cbs->peer_closed(c->ctx, c);
	/* Window update once the window reopens. */
	if (!c->dead && advertised_window(c) > before && c->state != ST_SYN_SENT)
		c->ack_pending = 1;
	output(c);
	conn_release(c);
}

void tcp_set_idle_timeout(struct tcp_conn *c, sim_time timeout)
{
	c->idle_timeout = timeout > 0 ? timeout : 0;
	c->idle_at = SIM_TIME_NEVER;
	idle_touch(c);
	timer_update(c);
}

void tcp_host_reset(struct tcp *tcp, int host)
{
	for (struct tcp_conn *c = tcp->all_head, *n; c; c = n) {
		n = c->all_next;
		if (c->host != host || c->dead)
			continue;
		c->busy++;
		finish(c, TCP_ERR_HOST_DOWN, 0);
		n = c->all_next;
		conn_release(c);
	}
	struct tcp_host *hs = host < tcp->host_cap ? &tcp->hosts[host] : NULL;
	while (hs && hs->listeners) {
		struct listener *l = hs->listeners;
		hs->listeners = l->next;
		free(l);
	}
}

uint32_t tcp_conn_id(const struct tcp_conn *c) { return c->id; }
int tcp_conn_host(const struct tcp_conn *c) { return c->host; }
uint32_t tcp_conn_local_ip(const struct tcp_conn *c) { return c->lip; }
uint16_t tcp_conn_local_port(const struct tcp_conn *c) { return c->lport; }
uint32_t tcp_conn_remote_ip(const struct tcp_conn *c) { return c->rip; }
uint16_t tcp_conn_remote_port(const struct tcp_conn *c) { return c->rport; }
const char *tcp_conn_state_name(const struct tcp_conn *c) { return state_names[c->state]; }
uint16_t tcp_conn_mss(const struct tcp_conn *c) { return c->mss; }

void tcp_foreach_conn(struct tcp *tcp, void (*fn)(void *ctx, const struct tcp_conn *c), void *ctx)
{
	for (struct tcp_conn *c = tcp->all_head; c; c = c->all_next)
		fn(ctx, c);
}
