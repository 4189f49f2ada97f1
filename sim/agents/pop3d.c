/* The pop3d agent; see pop3d.h. One struct pop3_sess per accepted
 * connection: its TCP connection, its engine, and its maildrop over the
 * store (pop3_maildrop.h: login, the lock, the snapshot, UPDATE). */
#include "sim/agents/pop3d.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/pop3_server.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/pop3_maildrop.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct pop3_sess {
	struct pop3d *d;
	struct pop3_sess *next;
	struct tcp_conn *conn;
	struct pop3_server *engine;
	struct pop3_maildrop *md;
	int peer;
	uint32_t conn_id;
	int closing;
};

struct pop3d {
	const struct agent_env *env;
	int host;
	struct pop3d_config cfg;
	int listening;
	struct pop3_sess *sessions;
	struct pop3d_stats stats;
};

static uint16_t port_of(const struct pop3d *d) { return d->cfg.port ? d->cfg.port : 110; }

/* The maildrop's events become notes (the lock, failures, UPDATE). */
static void on_event(void *ctx, enum pop3_maildrop_event ev, const char *user, size_t n)
{
	struct pop3_sess *ps = ctx;
	struct pop3d *d = ps->d;
	switch (ev) {
	case POP3_MD_LOGIN_FAILED:
		d->stats.failed_logins++;
		agent_publish_note(d->env, d->host, ps->conn_id, "pop3", "login failed for \"%s\"", user);
		break;
	case POP3_MD_IN_USE:
		d->stats.in_use++;
		agent_publish_note(d->env, d->host, ps->conn_id, "pop3", "maildrop of %s is locked by another session",
				   user);
		break;
	case POP3_MD_LOCKED:
		d->stats.logins++;
		agent_publish_note(d->env, d->host, ps->conn_id, "pop3", "maildrop of %s locked (%zu message%s)", user, n,
				   n == 1 ? "" : "s");
		break;
	case POP3_MD_UNLOCKED:
		agent_publish_note(d->env, d->host, ps->conn_id, "pop3", "maildrop of %s unlocked", user);
		break;
	case POP3_MD_UPDATE:
		d->stats.updates++;
		d->stats.removed += n;
		agent_publish_note(d->env, d->host, ps->conn_id, "pop3", "UPDATE: %zu message%s removed from %s", n,
				   n == 1 ? "" : "s", user);
		break;
	}
}

/* Each end publishes the lines it sends. */
static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct pop3_sess *ps = pop3_maildrop_ctx(ctx);
	if (sent)
		agent_publish_line(ps->d->env, ps->d->host, ps->peer, ps->conn_id, "POP3", 0, 0, line, len);
}

/* ---- connections ---- */

static void sess_free(struct pop3_sess *ps)
{
	struct pop3d *d = ps->d;
	for (struct pop3_sess **pp = &d->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	}
	pop3_server_free(&ps->engine); /* releases the lock, removes nothing */
	pop3_maildrop_free(&ps->md);
	free(ps);
}

static void flush(struct pop3_sess *ps)
{
	if (!ps->conn)
		return;
	for (;;) {
		size_t n;
		const uint8_t *p = pop3_server_output(ps->engine, &n);
		if (n == 0)
			break;
		size_t sent = tcp_send(ps->conn, p, n);
		pop3_server_consume(ps->engine, sent); /* may run backlogged commands */
		if (sent < n)
			return; /* the rest when the send buffer drains */
	}
	if (pop3_server_should_close(ps->engine) && !ps->closing) {
		ps->closing = 1;
		tcp_close(ps->conn);
	}
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct pop3_sess *ps = ctx;
	pop3_server_feed(ps->engine, bytes, len);
	flush(ps);
}

static void on_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	flush(ctx);
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct pop3_sess *ps = ctx;
	if (!ps->closing) {
		ps->closing = 1;
		tcp_close(c);
	}
}

static void on_idle(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct pop3_sess *ps = ctx;
	agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "autologout timer expired: no UPDATE");
	pop3_server_timeout(ps->engine);
	flush(ps);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct pop3_sess *ps = ctx;
	ps->conn = NULL;
	sess_free(ps);
}

static const struct tcp_callbacks sess_tcp = {.data = on_data,
					      .writable = on_writable,
					      .peer_closed = on_peer_closed,
					      .idle = on_idle,
					      .closed = on_closed};

static void on_accept(void *ctx, struct tcp_conn *c)
{
	struct pop3d *d = ctx;
	struct pop3_sess *ps = calloc(1, sizeof *ps);
	if (!ps) {
		tcp_abort(c);
		return;
	}
	ps->d = d;
	ps->conn = c;
	ps->peer = net_host_by_ip(d->env->net, tcp_conn_remote_ip(c));
	ps->conn_id = tcp_conn_id(c);
	struct pop3_server_config sc;
	pop3_server_config_init(&sc, d->cfg.hostname);
	sc.apop = d->cfg.apop;
	sc.user_pass = !d->cfg.no_user_pass;
	sc.max_failed_logins = d->cfg.max_failed_logins;
	sc.implementation = "mailsim";
	/* The timestamp's "process id" and clock (RFC 1939 section 7): a
	 * session counter and the simulated wall clock, so runs repeat. */
	sc.pid = 1000 + (uint32_t)d->stats.sessions;
	sc.clock = (uint64_t)(d->env->epoch_unix_s + sim_now(d->env->sim) / SIM_S);
	ps->next = d->sessions;
	d->sessions = ps;
	ps->md = pop3_maildrop_new(d->cfg.store, on_event, ps);
	if (ps->md) {
		struct pop3_server_host h;
		pop3_maildrop_host(ps->md, &h);
		h.trace = on_trace;
		ps->engine = pop3_server_new(&sc, &h);
	}
	if (!ps->engine) {
		ps->conn = NULL;
		sess_free(ps);
		tcp_abort(c);
		return;
	}
	d->stats.sessions++;
	tcp_set_callbacks(c, &sess_tcp, ps);
	tcp_set_idle_timeout(c, (sim_time)pop3_server_rfc_timeout(ps->engine) * SIM_S);
	flush(ps);
}

/* ---- life cycle ---- */

struct pop3d *pop3d_new(const struct agent_env *env, int host, const struct pop3d_config *cfg)
{
	if (!cfg || !cfg->store || !cfg->hostname)
		return NULL;
	struct pop3d *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->env = env;
	d->host = host;
	d->cfg = *cfg;
	if (tcp_listen(env->tcp, host, port_of(d), on_accept, d) < 0) {
		free(d);
		return NULL;
	}
	d->listening = 1;
	return d;
}

void pop3d_free(struct pop3d **dp)
{
	if (!dp || !*dp)
		return;
	struct pop3d *d = *dp;
	while (d->sessions) {
		struct pop3_sess *ps = d->sessions;
		if (ps->conn)
			tcp_abort(ps->conn);
		ps->conn = NULL;
		sess_free(ps);
	}
	if (d->listening)
		tcp_unlisten(d->env->tcp, d->host, port_of(d));
	free(d);
	*dp = NULL;
}

void pop3d_crash(struct pop3d *d)
{
	while (d->sessions) {
		struct pop3_sess *ps = d->sessions;
		/* The stack reset that follows forgets the connection; detach
		 * so it does not call back into a freed session. */
		if (ps->conn)
			tcp_set_callbacks(ps->conn, NULL, NULL);
		ps->conn = NULL;
		sess_free(ps);
	}
	d->listening = 0;
}

void pop3d_restart(struct pop3d *d)
{
	if (!d->listening && tcp_listen(d->env->tcp, d->host, port_of(d), on_accept, d) == 0)
		d->listening = 1;
}

const struct pop3d_stats *pop3d_stats(const struct pop3d *d) { return &d->stats; }
int pop3d_host(const struct pop3d *d) { return d->host; }
