/* The outgoing SMTP connection driver; see smtp_out.h. */
#include "sim/agents/smtp_out.h"

#include <stdlib.h>

#include "sim/agents/agent_env.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct smtp_out {
	const struct agent_env *env;
	int host, peer;
	uint32_t ip;
	struct tcp_conn *conn;
	struct smtp_client *engine;
	struct smtp_client_host owner; /* the owner's callbacks and ctx */
	smtp_out_done_fn done;
	int connected, finished, in_callback, free_pending;
	uint32_t conn_id;
};

static void out_free(struct smtp_out *o)
{
	smtp_client_free(&o->engine);
	free(o);
}

/* Called once: tells the owner and frees (later if inside an engine call). */
static void finish(struct smtp_out *o)
{
	if (o->finished)
		return;
	o->finished = 1;
	if (o->done)
		o->done(o->owner.ctx, o);
	if (o->in_callback)
		o->free_pending = 1;
	else
		out_free(o);
}

static void pump(struct smtp_out *o)
{
	if (!o->conn)
		return;
	/* RFC 5321 4.5.3.2: a client gives up on a silent server (5 minutes
	 * for most replies, 10 for the one to the data). Without it a peer
	 * that crashed after its last ACK would hold the attempt forever. */
	tcp_set_idle_timeout(o->conn, (sim_time)smtp_client_rfc_timeout(o->engine) * SIM_S);
	for (;;) {
		/* The modelled TLS handshake completes at once; what we send
		 * from now on (the second EHLO first) is enciphered on the
		 * wire. */
		if (smtp_client_tls_pending(o->engine)) {
			tcp_encrypt_from_now(o->conn);
			smtp_client_tls_established(o->engine);
		}
		size_t n;
		const uint8_t *p = smtp_client_output(o->engine, &n);
		if (n == 0)
			break;
		size_t sent = tcp_send(o->conn, p, n);
		smtp_client_consume(o->engine, sent);
		if (sent < n)
			return; /* the rest when the send buffer drains */
	}
	if (smtp_client_done(o->engine)) {
		struct tcp_conn *c = o->conn;
		o->conn = NULL;
		tcp_set_callbacks(c, NULL, NULL);
		tcp_close(c);
		finish(o);
	}
}

/* ---- engine callbacks: forward job outcomes, publish lines ---- */

static void fwd_rcpt(void *ctx, int job, size_t index, const struct smtp_client_reply *r)
{
	struct smtp_out *o = ctx;
	if (o->owner.rcpt)
		o->owner.rcpt(o->owner.ctx, job, index, r);
}
static void fwd_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct smtp_out *o = ctx;
	if (o->owner.message)
		o->owner.message(o->owner.ctx, job, r, accepted);
}
static void fwd_etrn(void *ctx, int job, const struct smtp_client_reply *r)
{
	struct smtp_out *o = ctx;
	if (o->owner.etrn)
		o->owner.etrn(o->owner.ctx, job, r);
}
static void fwd_session(void *ctx, enum smtp_client_failure why, const struct smtp_client_reply *r)
{
	struct smtp_out *o = ctx;
	if (o->owner.session)
		o->owner.session(o->owner.ctx, why, r);
}
/* Each end publishes the lines it sends (the server publishes its replies). */
static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct smtp_out *o = ctx;
	if (!sent)
		return;
	agent_publish_line(o->env, sent ? o->host : o->peer, sent ? o->peer : o->host, o->conn_id, "SMTP", sent,
			   o->engine ? smtp_client_encrypted(o->engine) : 0, line, len);
}

/* ---- TCP callbacks ---- */

static void on_connected(void *ctx, struct tcp_conn *c)
{
	struct smtp_out *o = ctx;
	(void)c;
	o->connected = 1;
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct smtp_out *o = ctx;
	o->in_callback++;
	if (!o->finished) {
		smtp_client_feed(o->engine, bytes, len); /* takes every byte */
		pump(o);
	}
	o->in_callback--;
	if (o->free_pending && !o->in_callback)
		out_free(o);
}

static void on_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct smtp_out *o = ctx;
	o->in_callback++;
	pump(o);
	o->in_callback--;
	if (o->free_pending && !o->in_callback)
		out_free(o);
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct smtp_out *o = ctx;
	if (!smtp_client_done(o->engine)) {
		o->in_callback++;
		smtp_client_connection_lost(o->engine);
		o->in_callback--;
	}
	tcp_close(c);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct smtp_out *o = ctx;
	o->conn = NULL;
	o->in_callback++;
	if (!smtp_client_done(o->engine))
		smtp_client_connection_lost(o->engine);
	o->in_callback--;
	finish(o);
}

static void on_idle(void *ctx, struct tcp_conn *c)
{
	struct smtp_out *o = ctx;
	o->in_callback++;
	if (!smtp_client_done(o->engine))
		smtp_client_timeout(o->engine);
	o->in_callback--;
	/* The session is over: close the connection as a client that gave up
	 * does (a reset, since a silent peer would not finish a close). */
	o->conn = NULL;
	tcp_set_callbacks(c, NULL, NULL);
	tcp_abort(c);
	finish(o);
}

static const struct tcp_callbacks tcp_cbs = {
    .idle = on_idle,
    .connected = on_connected,
    .data = on_data,
    .writable = on_writable,
    .peer_closed = on_peer_closed,
    .closed = on_closed,
};

struct smtp_out *smtp_out_open(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
			       const struct smtp_client_options *opts, const struct smtp_client_host *jobs,
			       smtp_out_done_fn done)
{
	struct smtp_out *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->env = env;
	o->host = host;
	o->peer = net_host_by_ip(env->net, ip);
	o->ip = ip;
	o->owner = *jobs;
	o->done = done;
	struct smtp_client_host h = {
	    .ctx = o,
	    .rcpt = fwd_rcpt,
	    .message = fwd_message,
	    .etrn = fwd_etrn,
	    .session = fwd_session,
	    .trace = on_trace,
	};
	o->engine = smtp_client_new(opts, &h);
	if (!o->engine) {
		free(o);
		return NULL;
	}
	o->conn = tcp_connect(env->tcp, host, ip, port, &tcp_cbs, o);
	if (!o->conn) {
		out_free(o);
		return NULL;
	}
	o->conn_id = tcp_conn_id(o->conn);
	/* The greeting is waited for too: a half-open connection (the peer's
	 * reset lost) would otherwise hold the attempt forever. */
	tcp_set_idle_timeout(o->conn, (sim_time)smtp_client_rfc_timeout(o->engine) * SIM_S);
	return o;
}

struct smtp_client *smtp_out_engine(struct smtp_out *o) { return o->engine; }
int smtp_out_connected(const struct smtp_out *o) { return o->connected; }
uint32_t smtp_out_ip(const struct smtp_out *o) { return o->ip; }

void smtp_out_flush(struct smtp_out *o)
{
	o->in_callback++;
	pump(o);
	o->in_callback--;
	if (o->free_pending && !o->in_callback)
		out_free(o);
}

void smtp_out_abort(struct smtp_out *o)
{
	if (o->conn) {
		tcp_abort(o->conn);
		o->conn = NULL;
	}
	o->finished = 1;
	if (o->in_callback)
		o->free_pending = 1;
	else
		out_free(o);
}

void smtp_out_forget(struct smtp_out *o)
{
	if (o->conn) {
		tcp_set_callbacks(o->conn, NULL, NULL);
		o->conn = NULL;
	}
	o->finished = 1;
	if (o->in_callback)
		o->free_pending = 1;
	else
		out_free(o);
}
