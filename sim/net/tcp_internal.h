/* TCP internals shared by tcp.c (connections and the application API),
 * tcp_in.c (segment arrival: the RFC 793 state machine), tcp_out.c (output,
 * segments and RST) and tcp_timer.c (the per-connection timer). Not for
 * use outside sim/net/tcp*.c. */
#ifndef SIM_TCP_INTERNAL_H
#define SIM_TCP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/bytering.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

#define EPHEMERAL_FIRST 49152
#define EPHEMERAL_COUNT 16384
#define DEFAULT_PEER_MSS 536
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

extern const char *const tcp_state_names[];

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
	enum tcp_error held_err;
	unsigned dead : 1;        /* free when busy drops to zero */
	unsigned app_gone : 1;    /* the application no longer holds it */
	unsigned app_closed : 1;  /* tcp_close called: FIN after the data */
	unsigned peer_fin : 1;    /* FIN received */
	unsigned paused : 1;
	unsigned close_held : 1; /* closed() waits until paused data is read */
	unsigned encrypting : 1; /* bytes from enc_from on are enciphered on the wire */
	unsigned want_writable : 1;
	unsigned ack_pending : 1;
	unsigned rtt_timing : 1;
	/* Send side. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
	uint32_t enc_from;
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

/* Shared by the TCP files (tcp.c, tcp_in.c, tcp_out.c, tcp_timer.c). */
struct tcp_host *tcp_host_state(struct tcp *tcp, int host);
struct tcp_conn *tcp_table_find(const struct tcp *tcp, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
struct tcp_conn *tcp_conn_new(struct tcp *tcp, int host, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
void tcp_conn_kill(struct tcp_conn *c);
void tcp_conn_release(struct tcp_conn *c);
void tcp_set_state(struct tcp_conn *c, enum tcp_state to, const char *why);
void tcp_finish(struct tcp_conn *c, enum tcp_error err, int keep);
/* tcp_out.c */
uint16_t tcp_advertised_window(const struct tcp_conn *c);
void tcp_send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, size_t offset, size_t len, int retransmit);
void tcp_send_rst_for(struct tcp *tcp, int host, const struct packet *in);
void tcp_send_rst(struct tcp_conn *c);
void tcp_arm_rto(struct tcp_conn *c);
void tcp_output(struct tcp_conn *c);
void tcp_timer_update(struct tcp_conn *c);
void tcp_idle_touch(struct tcp_conn *c);
/* tcp_in.c */
void tcp_segment_arrives(void *ctx, int host, struct packet *pkt);
/* tcp_timer.c */
void tcp_on_timer(struct sim *sim, void *ctx);

#endif
