/* TCP over the simulated network, as a real model (RFC 793/9293, 5681, 6298):
 * three-way handshake with random ISNs, MSS from the path MTU, a sliding
 * window limited by the peer's receive window and a Reno congestion window,
 * cumulative ACKs, out-of-order reassembly, retransmission timer per RFC 6298
 * with exponential backoff (Karn's rule for RTT samples), fast retransmit on
 * three duplicate ACKs, FIN handshake with TIME-WAIT (shortened; configurable),
 * RST for segments to closed ports, connect and idle timeouts.
 *
 * Not modelled: window scaling, timestamps, SACK, Nagle (segments go out as
 * soon as the window allows, like TCP_NODELAY), urgent data. ACKs are sent
 * after each received segment, but a reply the application sends from inside
 * its data callback carries that ACK (it is piggybacked, never sent twice).
 *
 * Agents see a socket-like API and never see segments: listen with an accept
 * callback, connect, send, receive through callbacks, close or abort.
 *
 * Lifetime: a struct tcp_conn handed to the application stays valid until its
 * closed callback returns, or until the application calls tcp_abort(). After
 * that the pointer must not be used (the model may keep internal state in
 * TIME-WAIT, invisible to the application). */
#ifndef SIM_TCP_H
#define SIM_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct net;
struct tcp;
struct tcp_conn;

enum tcp_error {
	TCP_OK = 0,               /* closed normally (both FINs exchanged) */
	TCP_ERR_REFUSED,          /* RST answered our SYN: nobody listening */
	TCP_ERR_RESET,            /* the peer reset an open connection */
	TCP_ERR_TIMEOUT,          /* retransmissions gave up (too many) */
	TCP_ERR_CONNECT_TIMEOUT,  /* no answer to SYN within connect_timeout */
	TCP_ERR_IDLE_TIMEOUT,     /* idle timeout with no idle callback */
	TCP_ERR_NO_ROUTE,         /* no route to the destination */
	TCP_ERR_HOST_DOWN,        /* the host crashed (tcp_host_reset) */
};
const char *tcp_error_name(enum tcp_error e);

struct tcp_callbacks {
	/* The handshake completed (active and passive opens). */
	void (*connected)(void *ctx, struct tcp_conn *c);
	/* In-order bytes arrived. The buffer is borrowed for the call. */
	void (*data)(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len);
	/* Room appeared in the send buffer after tcp_send accepted less than
	 * it was given. */
	void (*writable)(void *ctx, struct tcp_conn *c);
	/* The peer sent FIN: no more data will arrive. */
	void (*peer_closed)(void *ctx, struct tcp_conn *c);
	/* No data in either direction for the idle timeout. If NULL the
	 * connection is reset and closed reports TCP_ERR_IDLE_TIMEOUT. */
	void (*idle)(void *ctx, struct tcp_conn *c);
	/* Final call: the connection is over (err says why). c is invalid
	 * once this returns. */
	void (*closed)(void *ctx, struct tcp_conn *c, enum tcp_error err);
};

/* A listener's accept callback: c is a new established connection; the
 * callback sets its callbacks with tcp_set_callbacks (or aborts it). */
typedef void (*tcp_accept_fn)(void *ctx, struct tcp_conn *c);

struct tcp_config {
	sim_time initial_rto;     /* RFC 6298: 1 s */
	sim_time min_rto;         /* RFC 6298: 1 s */
	sim_time max_rto;         /* upper bound of the backed-off timer: 60 s */
	int max_retransmits;      /* data segments: give up after this many */
	sim_time connect_timeout; /* SYN retries stop after this */
	sim_time time_wait;       /* 2 MSL, shortened */
	sim_time fin_wait_2;      /* FIN-WAIT-2 ends after this long with no segment */
	uint32_t rcvbuf;          /* receive buffer = largest window (<= 65535) */
	uint32_t sndbuf;          /* send buffer limit */
};
struct tcp_config tcp_config_default(void);

/* The TCP layer of every host of net. NULL on ENOMEM. */
struct tcp *tcp_new(struct net *net, const struct tcp_config *config);
/* Frees every connection and listener silently (no callbacks). */
void tcp_free(struct tcp **tcp);

/* Listens on (host, port) on all its addresses. Returns 0, or -1 if the
 * port is taken. */
int tcp_listen(struct tcp *tcp, int host, uint16_t port, tcp_accept_fn accept, void *ctx);
void tcp_unlisten(struct tcp *tcp, int host, uint16_t port);

/* Opens a connection from host to (dst_ip, dst_port) from an ephemeral
 * port. connected or closed (with the reason) follows later, never from
 * inside this call. Returns NULL only if no ephemeral port or memory is
 * left, or the host is down (crashed: net_host_set_up). */
struct tcp_conn *tcp_connect(struct tcp *tcp, int host, uint32_t dst_ip, uint16_t dst_port,
			     const struct tcp_callbacks *cbs, void *ctx);
void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cbs, void *ctx);

/* Queues bytes for sending; returns how many were accepted (fewer than len
 * when the send buffer is full: wait for writable). Returns 0 after close. */
size_t tcp_send(struct tcp_conn *c, const void *bytes, size_t len);
size_t tcp_send_space(const struct tcp_conn *c);
/* Bytes queued and not yet acknowledged. */
size_t tcp_unacked(const struct tcp_conn *c);
/* Graceful close: FIN after all queued data. Data may still arrive until
 * the peer closes; closed is called when both sides are done. */
void tcp_close(struct tcp_conn *c);
/* Sends RST and forgets the connection at once, with no callback. */
void tcp_abort(struct tcp_conn *c);
/* Stops (paused = 1) or resumes delivering data; while paused the receive
 * buffer fills and the advertised window shrinks, down to zero. */
void tcp_pause_reading(struct tcp_conn *c, int paused);
/* From the next byte queued on, this side's bytes are encrypted on the
 * wire (the modelled TLS of STARTTLS): their packets are marked, so
 * captures and eavesdroppers show ciphertext (wire_cipher.h). Delivery is
 * unchanged. */
void tcp_encrypt_from_now(struct tcp_conn *c);

/* Idle timeout for this connection; 0 disables it. */
void tcp_set_idle_timeout(struct tcp_conn *c, sim_time timeout);

/* Crashes a host's stack: every connection and listener of host vanishes
 * (closed called with TCP_ERR_HOST_DOWN); peers learn by RST later. */
void tcp_host_reset(struct tcp *tcp, int host);

uint32_t tcp_conn_id(const struct tcp_conn *c);
int tcp_conn_host(const struct tcp_conn *c);
uint32_t tcp_conn_local_ip(const struct tcp_conn *c);
uint16_t tcp_conn_local_port(const struct tcp_conn *c);
uint32_t tcp_conn_remote_ip(const struct tcp_conn *c);
uint16_t tcp_conn_remote_port(const struct tcp_conn *c);
const char *tcp_conn_state_name(const struct tcp_conn *c);
uint16_t tcp_conn_mss(const struct tcp_conn *c);

struct tcp_stats {
	uint64_t connections_opened;  /* reached ESTABLISHED */
	uint64_t connections_failed;  /* refused, reset, timed out */
	uint64_t segments_sent, segments_received, retransmissions, fast_retransmits, timeouts;
	uint64_t bytes_delivered;     /* in-order bytes handed to applications */
	uint64_t out_of_order;        /* segments held for reassembly */
	uint64_t live_pcbs;           /* connections in memory, TIME-WAIT included */
};
const struct tcp_stats *tcp_stats(const struct tcp *tcp);

/* Calls fn for every connection in memory (for summaries and viewers), in
 * creation order. */
void tcp_foreach_conn(struct tcp *tcp, void (*fn)(void *ctx, const struct tcp_conn *c), void *ctx);

#endif
