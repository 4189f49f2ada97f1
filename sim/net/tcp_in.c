/* TCP segment arrival: the RFC 793 "SEGMENT ARRIVES" rules, ACK and
 * congestion-window processing, reassembly and delivery to the application. */
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp_internal.h"

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
		tcp_set_state(c, ST_CLOSE_WAIT, NULL);
		break;
	case ST_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet (that case became FIN_WAIT_2). */
		tcp_set_state(c, ST_CLOSING, NULL);
		break;
	case ST_FIN_WAIT_2:
		tcp_set_state(c, ST_TIME_WAIT, NULL);
		c->fin2_at = SIM_TIME_NEVER;
		c->timewait_at = sim_now(c->tcp->sim) + c->tcp->cfg.time_wait;
		break;
	default:
		break;
	}
	if (!c->app_gone && !c->paused && c->cbs->peer_closed)
		c->cbs->peer_closed(c->ctx, c);
	if (c->state == ST_TIME_WAIT)
		tcp_finish(c, TCP_OK, 1);
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
	tcp_set_state(c, ST_ESTABLISHED, NULL);
	tcp_idle_touch(c);
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
					tcp_send_segment(c, c->snd_una, TCP_ACK, 0, len, 1);
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
			tcp_arm_rto(c);
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
				tcp_send_segment(c, c->snd_una, TCP_ACK, 0, len, 1);
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
			tcp_set_state(c, ST_FIN_WAIT_2, NULL);
			c->fin2_at = sim_now(tcp->sim) + tcp->cfg.fin_wait_2;
			break;
		case ST_CLOSING:
			tcp_set_state(c, ST_TIME_WAIT, NULL);
			c->timewait_at = sim_now(tcp->sim) + tcp->cfg.time_wait;
			tcp_finish(c, TCP_OK, 1);
			return -1;
		case ST_LAST_ACK:
			tcp_finish(c, TCP_OK, 0);
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
			tcp_send_rst_for(c->tcp, c->host, p);
		return;
	}
	if (p->flags & TCP_RST) {
		if (has_ack)
			tcp_finish(c, TCP_ERR_REFUSED, 0);
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
		tcp_set_state(c, ST_SYN_RECEIVED, NULL);
		tcp_send_segment(c, c->iss, TCP_SYN | TCP_ACK, 0, 0, 1);
	}
}

static void input_listen(struct tcp *tcp, int host, struct listener *l, const struct packet *p)
{
	if (p->flags & TCP_RST)
		return;
	if ((p->flags & TCP_ACK) || !(p->flags & TCP_SYN)) {
		tcp_send_rst_for(tcp, host, p);
		return;
	}
	struct tcp_host *hs = tcp_host_state(tcp, host);
	struct tcp_conn *c = hs ? tcp_conn_new(tcp, host, p->dst_ip, p->dst_port, p->src_ip, p->src_port) : NULL;
	if (!c)
		return;
	c->listener = l;
	tcp_set_state(c, ST_LISTEN, NULL);
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
	tcp_set_state(c, ST_SYN_RECEIVED, NULL);
	c->connect_at = sim_now(tcp->sim) + tcp->cfg.connect_timeout;
	tcp_send_segment(c, c->iss, TCP_SYN | TCP_ACK, 0, 0, 0);
	c->rtt_timing = 1;
	c->rtt_seq = c->iss;
	c->rtt_start = sim_now(tcp->sim);
	tcp_arm_rto(c);
	tcp_timer_update(c);
}

/* RFC 793 acceptability test for a segment in a synchronized state. */
static int acceptable(const struct tcp_conn *c, const struct packet *p)
{
	uint32_t wnd = tcp_advertised_window(c);
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
		/* A retransmitted FIN in TIME-WAIT (our ACK was lost): ACK it
		 * again and restart the 2 MSL timer (RFC 793 3.9). */
		if (c->state == ST_TIME_WAIT && (p->flags & TCP_FIN))
			c->timewait_at = sim_now(c->tcp->sim) + c->tcp->cfg.time_wait;
		/* RFC 793 3.9: with a zero window no segment is acceptable,
		 * "but special allowance should be made to accept valid
		 * ACKs". A segment outside the window (a window probe, an
		 * ACK sent from SND.MAX after a peer's go-back-N) may still
		 * acknowledge new data; ignoring that would leave both ends
		 * waiting for each other. */
		if ((p->flags & TCP_ACK) && !(p->flags & TCP_SYN) && c->state >= ST_ESTABLISHED &&
		    c->state != ST_TIME_WAIT && SEQ_GT(p->ack, c->snd_una) && SEQ_LEQ(p->ack, c->snd_max))
			process_ack(c, p);
		return;
	}
	if (p->flags & TCP_RST) {
		if (c->state == ST_SYN_RECEIVED && c->listener) {
			tcp_finish(c, TCP_ERR_RESET, 0); /* back to listening: nothing to tell */
			return;
		}
		if (c->state == ST_TIME_WAIT) {
			tcp_finish(c, TCP_OK, 0);
			return;
		}
		tcp_finish(c, TCP_ERR_RESET, 0);
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
			tcp_send_rst_for(tcp, c->host, p);
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
		tcp_idle_touch(c);
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
		uint32_t wnd = tcp_advertised_window(c);
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

void tcp_segment_arrives(void *ctx, int host, struct packet *p)
{
	struct tcp *tcp = ctx;
	tcp->stats.segments_received++;
	struct tcp_conn *c = tcp_table_find(tcp, p->dst_ip, p->dst_port, p->src_ip, p->src_port);
	if (!c) {
		struct tcp_host *hs = host < tcp->host_cap ? &tcp->hosts[host] : NULL;
		struct listener *l = hs ? hs->listeners : NULL;
		while (l && l->port != p->dst_port)
			l = l->next;
		if (l)
			input_listen(tcp, host, l, p);
		else
			tcp_send_rst_for(tcp, host, p);
		packet_free(&p);
		return;
	}
	c->busy++;
	/* FIN-WAIT-2 times out only when the peer falls silent: a peer still
	 * sending (a half-closed connection) keeps it open. */
	if (c->state == ST_FIN_WAIT_2)
		c->fin2_at = sim_now(tcp->sim) + tcp->cfg.fin_wait_2;
	if (c->state == ST_SYN_SENT)
		input_syn_sent(c, p);
	else
		input_synchronized(c, p);
	packet_free(&p);
	tcp_output(c);
	tcp_conn_release(c);
}

