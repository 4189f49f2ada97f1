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
 * Files: tcp.c (this: connections, the table, the application API),
 * tcp_in.c (segment arrival), tcp_out.c (output), tcp_timer.c (timers).
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
#include "sim/net/tcp_internal.h"

const char *const tcp_state_names[] = {
    "CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2",  "CLOSE_WAIT", "CLOSING",    "LAST_ACK",     "TIME_WAIT",
};

struct tcp_config tcp_config_default(void)
{
	return (struct tcp_config){
	    .initial_rto = 1 * SIM_S,
	    .min_rto = 1 * SIM_S,
	    .max_rto = 60 * SIM_S,
	    .max_retransmits = 12,
	    .connect_timeout = 30 * SIM_S,
	    .time_wait = 10 * SIM_S,
	    .fin_wait_2 = 60 * SIM_S,
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

void tcp_on_timer(struct sim *sim, void *ctx);
void tcp_segment_arrives(void *ctx, int host, struct packet *pkt);

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
	tcp->h_timer = sim_handler(tcp->sim, tcp_on_timer);
	if (tcp->h_timer < 0) {
		free(tcp);
		return NULL;
	}
	net_set_l4_handler(net, IPPROTO_SIM_TCP, tcp_segment_arrives, tcp);
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

struct tcp_host *tcp_host_state(struct tcp *tcp, int host)
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

struct tcp_conn *tcp_table_find(const struct tcp *tcp, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
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

struct tcp_conn *tcp_conn_new(struct tcp *tcp, int host, uint32_t lip, uint16_t lport, uint32_t rip,
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
void tcp_conn_kill(struct tcp_conn *c)
{
	if (c->dead)
		return;
	struct tcp *tcp = c->tcp;
	c->dead = 1;
	table_remove(tcp, c);
	sim_cancel(tcp->sim, c->timer_ev);
	c->timer_ev = 0;
}

void tcp_conn_release(struct tcp_conn *c)
{
	if (--c->busy > 0 || !c->dead || c->close_held)
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

void tcp_set_state(struct tcp_conn *c, enum tcp_state to, const char *why)
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
	r.u.conn.from = tcp_state_names[from];
	r.u.conn.to = tcp_state_names[to];
	r.u.conn.why = why;
	bus_publish(tcp->bus, &r);
}

/* ---- closing towards the application ---- */

/* Tells the application the connection is over (once) and, unless it stays
 * in TIME-WAIT, forgets it. */
void tcp_finish(struct tcp_conn *c, enum tcp_error err, int keep)
{
	struct tcp *tcp = c->tcp;
	if (err != TCP_OK && !c->app_gone && c->state != ST_SYN_RECEIVED)
		tcp->stats.connections_failed++;
	if (!keep) {
		tcp_set_state(c, ST_CLOSED, err == TCP_OK ? NULL : tcp_error_name(err));
		tcp_conn_kill(c);
	}
	if (!c->app_gone && !c->listener) {
		/* Bytes the application has not read yet (it paused reading)
		 * are still its own: it hears of the close after them. */
		if (err == TCP_OK && c->rbuf.len) {
			c->close_held = 1;
			c->held_err = err;
			return;
		}
		c->app_gone = 1;
		if (c->cbs->closed)
			c->cbs->closed(c->ctx, c, err);
	}
}

/* ---- the application's API ---- */

int tcp_listen(struct tcp *tcp, int host, uint16_t port, tcp_accept_fn accept, void *ctx)
{
	struct tcp_host *hs = tcp_host_state(tcp, host);
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
	struct tcp_host *hs = tcp_host_state(tcp, host);
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
					tcp_send_rst(c);
					c->busy++;
					tcp_finish(c, TCP_ERR_RESET, 0);
					tcp_conn_release(c);
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
	struct tcp_host *hs = tcp_host_state(tcp, host);
	if (!hs || !net_host_is_up(tcp->net, host))
		return NULL;
	uint32_t lip = net_source_ip(tcp->net, host, dst_ip);
	uint16_t port = 0;
	for (int i = 0; i < EPHEMERAL_COUNT; i++) {
		uint16_t cand = hs->next_port;
		hs->next_port = (uint16_t)(cand + 1 >= EPHEMERAL_FIRST + EPHEMERAL_COUNT ? EPHEMERAL_FIRST : cand + 1);
		if (!tcp_table_find(tcp, lip, cand, dst_ip, dst_port)) {
			port = cand;
			break;
		}
	}
	if (!port)
		return NULL;
	struct tcp_conn *c = tcp_conn_new(tcp, host, lip, port, dst_ip, dst_port);
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
	tcp_set_state(c, ST_SYN_SENT, NULL);
	c->connect_at = sim_now(tcp->sim) + tcp->cfg.connect_timeout;
	c->rtt_timing = 1;
	c->rtt_seq = c->iss;
	c->rtt_start = sim_now(tcp->sim);
	tcp_send_segment(c, c->iss, TCP_SYN, 0, 0, 0);
	tcp_arm_rto(c);
	tcp_timer_update(c);
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
	tcp_idle_touch(c);
	/* Inside a callback of this connection, the code that called back
	 * sends when it returns, so several sends coalesce into full
	 * segments and a reply carries the ACK of what it answers. */
	if (!c->busy) {
		c->busy++;
		tcp_output(c);
		tcp_conn_release(c);
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
	tcp_output(c);
	tcp_conn_release(c);
}

void tcp_abort(struct tcp_conn *c)
{
	if (c->close_held) {
		c->close_held = 0;
		c->app_gone = 1;
		c->busy++;
		tcp_conn_release(c);
		return;
	}
	if (c->dead)
		return;
	c->app_gone = 1;
	c->busy++;
	if (c->state != ST_SYN_SENT && c->state != ST_TIME_WAIT)
		tcp_send_rst(c);
	tcp_set_state(c, ST_CLOSED, "aborted");
	tcp_conn_kill(c);
	tcp_conn_release(c);
}

void tcp_pause_reading(struct tcp_conn *c, int paused)
{
	if (c->dead && !c->close_held)
		return;
	int was = c->paused;
	c->paused = !!paused;
	if (!was || c->paused)
		return;
	c->busy++;
	uint16_t before = tcp_advertised_window(c);
	while (c->rbuf.len && !c->paused && !c->app_gone) {
		uint8_t chunk[4096];
		size_t n = c->rbuf.len < sizeof chunk ? c->rbuf.len : sizeof chunk;
		bytering_peek(&c->rbuf, 0, chunk, n);
		bytering_consume(&c->rbuf, n);
		if (c->cbs->data)
			c->cbs->data(c->ctx, c, chunk, n);
	}
	if (!c->paused && c->peer_fin && c->rbuf.len == 0 && !c->app_gone && c->cbs->peer_closed)
		c->cbs->peer_closed(c->ctx, c);
	if (c->close_held && !c->paused && c->rbuf.len == 0 && !c->app_gone) {
		c->close_held = 0;
		c->app_gone = 1;
		if (c->cbs->closed)
			c->cbs->closed(c->ctx, c, c->held_err);
	}
	/* Window update once the window reopens. */
	if (!c->dead && tcp_advertised_window(c) > before && c->state != ST_SYN_SENT)
		c->ack_pending = 1;
	tcp_output(c);
	tcp_conn_release(c);
}

void tcp_encrypt_from_now(struct tcp_conn *c)
{
	c->encrypting = 1;
	c->enc_from = c->snd_una + (uint32_t)c->sbuf.len;
}

void tcp_set_idle_timeout(struct tcp_conn *c, sim_time timeout)
{
	c->idle_timeout = timeout > 0 ? timeout : 0;
	c->idle_at = SIM_TIME_NEVER;
	tcp_idle_touch(c);
	tcp_timer_update(c);
}

void tcp_host_reset(struct tcp *tcp, int host)
{
	for (struct tcp_conn *c = tcp->all_head, *n; c; c = n) {
		n = c->all_next;
		if (c->host != host || c->dead)
			continue;
		c->busy++;
		tcp_finish(c, TCP_ERR_HOST_DOWN, 0);
		n = c->all_next;
		tcp_conn_release(c);
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
const char *tcp_conn_state_name(const struct tcp_conn *c) { return tcp_state_names[c->state]; }
uint16_t tcp_conn_mss(const struct tcp_conn *c) { return c->mss; }

void tcp_foreach_conn(struct tcp *tcp, void (*fn)(void *ctx, const struct tcp_conn *c), void *ctx)
{
	for (struct tcp_conn *c = tcp->all_head; c; c = c->all_next)
		fn(ctx, c);
}
