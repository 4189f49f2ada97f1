/* TCP output: what to send when (windows, FIN, owed ACKs), building
 * segments and resets, and arming the connection timer. */
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp_internal.h"

/* ---- timers ---- */

void tcp_timer_update(struct tcp_conn *c)
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

void tcp_idle_touch(struct tcp_conn *c)
{
	if (c->idle_timeout > 0)
		c->idle_at = sim_now(c->tcp->sim) + c->idle_timeout;
}

/* ---- tcp_output ---- */

uint16_t tcp_advertised_window(const struct tcp_conn *c)
{
	uint32_t used = (uint32_t)c->rbuf.len;
	uint32_t w = c->tcp->cfg.rcvbuf > used ? c->tcp->cfg.rcvbuf - used : 0;
	return (uint16_t)(w > 65535 ? 65535 : w);
}

void tcp_send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, size_t offset, size_t len, int retransmit)
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
	p->window = tcp_advertised_window(c);
	if (flags & TCP_SYN) {
		uint32_t mtu = net_path_mtu(tcp->net, c->host, c->rip);
		p->mss_option = (uint16_t)((mtu ? mtu : 576) - IPV4_HEADER_LEN - TCP_HEADER_LEN);
	}
	if (len) {
		bytering_peek(&c->sbuf, offset, p->data, len);
		p->encrypted = c->encrypting && SEQ_GEQ(seq, c->enc_from);
	}
	tcp->stats.segments_sent++;
	if (retransmit)
		tcp->stats.retransmissions++;
	net_send(tcp->net, c->host, p, retransmit);
}

void tcp_send_rst_for(struct tcp *tcp, int host, const struct packet *in)
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

void tcp_send_rst(struct tcp_conn *c)
{
	struct packet *p = packet_new(0);
	if (!p)
		return;
	p->proto = IPPROTO_SIM_TCP;
	p->src_ip = c->lip;
	p->dst_ip = c->rip;
	p->src_port = c->lport;
	p->dst_port = c->rport;
	p->seq = c->snd_max;
	p->ack = c->rcv_nxt;
	p->flags = TCP_RST | TCP_ACK;
	c->tcp->stats.segments_sent++;
	net_send(c->tcp->net, c->host, p, 0);
}

static int can_send_data(enum tcp_state s)
{
	return s == ST_ESTABLISHED || s == ST_CLOSE_WAIT || s == ST_FIN_WAIT_1 || s == ST_CLOSING || s == ST_LAST_ACK;
}

void tcp_arm_rto(struct tcp_conn *c)
{
	if (c->rto_at == SIM_TIME_NEVER)
		c->rto_at = sim_now(c->tcp->sim) + c->rto;
}

/* Sends what the windows allow, then the FIN if due, then a bare ACK if one
 * is still owed. */
void tcp_output(struct tcp_conn *c)
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
			tcp_send_segment(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, len, retx);
			if (!c->rtt_timing && !retx) {
				c->rtt_timing = 1;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start = sim_now(tcp->sim);
			}
			c->snd_nxt += len;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			tcp_arm_rto(c);
		}
		if (c->app_closed && c->snd_nxt == data_end &&
		    (c->state == ST_ESTABLISHED || c->state == ST_CLOSE_WAIT || c->state == ST_FIN_WAIT_1 ||
		     c->state == ST_CLOSING || c->state == ST_LAST_ACK)) {
			int retx = SEQ_LT(c->snd_nxt, c->snd_max);
			tcp_send_segment(c, c->snd_nxt, TCP_FIN | TCP_ACK, 0, 0, retx);
			c->snd_nxt++;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			tcp_arm_rto(c);
			if (c->state == ST_ESTABLISHED)
				tcp_set_state(c, ST_FIN_WAIT_1, NULL);
			else if (c->state == ST_CLOSE_WAIT)
				tcp_set_state(c, ST_LAST_ACK, NULL);
		}
	}
	/* A bare ACK carries SND.MAX, not SND.NXT: after a timeout SND.NXT
	 * goes back to SND.UNA, and the peer, which may hold everything up to
	 * SND.MAX, would find an older sequence number unacceptable and
	 * answer with an ACK of its own, and so on. */
	if (c->ack_pending && c->state != ST_SYN_SENT && c->state != ST_CLOSED)
		tcp_send_segment(c, c->snd_max, TCP_ACK, 0, 0, 0);
	tcp_timer_update(c);
}

