/* The TCP connection timer: retransmission (RFC 6298), persist probes,
 * connect, idle, FIN-WAIT-2 and TIME-WAIT deadlines. */
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp_internal.h"

/* ---- timers ---- */

static void retransmit_timeout(struct tcp_conn *c)
{
	struct tcp *tcp = c->tcp;
	c->rto_at = SIM_TIME_NEVER;
	tcp->stats.timeouts++;
	if (++c->retries > tcp->cfg.max_retransmits) {
		tcp_send_rst(c);
		tcp_finish(c, TCP_ERR_TIMEOUT, 0);
		return;
	}
	c->rto = c->rto * 2 > tcp->cfg.max_rto ? tcp->cfg.max_rto : c->rto * 2;
	c->rtt_timing = 0;
	if (c->state == ST_SYN_SENT || c->state == ST_SYN_RECEIVED) {
		uint8_t flags = c->state == ST_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
		tcp_send_segment(c, c->iss, flags, 0, 0, 1);
		tcp_arm_rto(c);
		return;
	}
	uint32_t flight = c->snd_max - c->snd_una;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->cwnd = c->mss;
	c->in_recovery = 0;
	c->dupacks = 0;
	c->snd_nxt = c->snd_una; /* go back N */
	tcp_output(c);
	tcp_arm_rto(c);
}

static void persist_timeout(struct tcp_conn *c)
{
	/* Window probe (RFC 1122 4.2.2.17): the first unacknowledged byte,
	 * sent into the zero window; the peer's ACK tells us when the window
	 * opens. Probing goes on as long as the peer keeps answering. */
	c->persist_at = SIM_TIME_NEVER;
	if (c->snd_wnd != 0 || c->sbuf.len == 0)
		return;
	tcp_send_segment(c, c->snd_una, TCP_ACK, 0, 1, SEQ_LT(c->snd_una, c->snd_max));
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

void tcp_on_timer(struct sim *sim, void *ctx)
{
	struct tcp_conn *c = ctx;
	sim_time now = sim_now(sim);
	c->timer_ev = 0;
	c->timer_at = SIM_TIME_NEVER;
	c->busy++;
	if (c->timewait_at <= now) {
		c->timewait_at = SIM_TIME_NEVER;
		tcp_finish(c, TCP_OK, 0);
	}
	if (!c->dead && c->connect_at <= now) {
		c->connect_at = SIM_TIME_NEVER;
		if (c->state == ST_SYN_SENT || c->state == ST_SYN_RECEIVED) {
			if (c->state == ST_SYN_RECEIVED)
				tcp_send_rst(c);
			tcp_finish(c, TCP_ERR_CONNECT_TIMEOUT, 0);
		}
	}
	if (!c->dead && c->rto_at <= now)
		retransmit_timeout(c);
	if (!c->dead && c->persist_at <= now)
		persist_timeout(c);
	if (!c->dead && c->fin2_at <= now) {
		c->fin2_at = SIM_TIME_NEVER;
		tcp_finish(c, TCP_ERR_TIMEOUT, 0);
	}
	if (!c->dead && c->idle_at <= now) {
		c->idle_at = SIM_TIME_NEVER;
		if (!c->app_gone && c->cbs->idle) {
			c->cbs->idle(c->ctx, c);
		} else {
			tcp_send_rst(c);
			tcp_finish(c, TCP_ERR_IDLE_TIMEOUT, 0);
		}
	}
	tcp_output(c);
	tcp_conn_release(c);
}

